/*
 * addr.c - addr-specs out of RFC 5322 address fields, with libetpan.
 *
 * libetpan 1.9.4's mailimf parser does the grammar (groups, comments,
 * quoted strings, encoded words and obsolete forms), but it must be
 * wrapped (FACTS.md and our own probes):
 * - it parses comments recursively: nesting is checked here first
 *   (LIMIT_COMMENT_DEPTH), since a million levels overflow the stack;
 * - it reports success after parsing a prefix ("a@b, ,c@d" gives only
 *   a@b): we parse one address at a time and require that the whole
 *   value is consumed, skipping the empty members obs-addr-list allows;
 * - it returns garbage for an obs-route ("<@relay:bob@example.org>"
 *   gives "<@relay"): routes are removed before it sees the value.
 * - inside a quoted local part it drops white space ("john doe"@x
 *   becomes "johndoe"@x, another mailbox) and stops at ( ) , ; < > :
 *   ("x,y"@x is no address): addr_clean hides them as controls and
 *   addr_take puts them back.
 */
#include <config.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wctype.h>

#include <idn2.h>
#include <libetpan/libetpan.h>

#include "addr.h"
#include "limit.h"
#include "xmalloc.h"

/* what may not be a recipient delimiter: it would cut an address
 * where no address can be cut */
#define ADDR_NOT_DELIM	"@\"\\()<>,;:[]"
static char	addr_delims[LIMIT_DELIMITERS + 1] = "+";

/* what libetpan cannot take inside a quoted local part: white space
 * (it drops it: "x y"@d would become "xy"@d, another mailbox) and the
 * specials that end its addr-spec scan ("x,y"@d is no address to it);
 * hidden as controls that obs-qtext allows, turned back by addr_take() */
static const char addr_qspecial[] = " \t(),;<>:";
static const char addr_qhidden[] = "\001\002\003\004\005\006\016\017\020";

static enum addr_err	addr_clean(const char *, size_t, char **, size_t *);
static char		addr_qhide(char);
static enum addr_err	addr_collect(struct mailimf_address *, struct addrlist *);
static enum addr_err	addr_take(struct mailimf_mailbox *, struct addrlist *);
static void		addr_skip(const char *, size_t, size_t *);

/*
 * addr_clean - copy the value without line ends and without obs-routes,
 * and check the nesting of comments.  The result is allocated.
 */
static enum addr_err
addr_clean(const char *s, size_t len, char **outp, size_t *outlen)
{
	char *out = xmalloc(len + 1), *o = out;
	size_t i, j;
	int depth = 0, quoted = 0, literal = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '\r' || c == '\n')
			continue;
		if (c == '\0')
			goto syntax;
		if (quoted && strchr(addr_qhidden, c) != NULL)
			goto syntax;
		if ((quoted || depth > 0) && c == '\\' && i + 1 < len) {
			*o++ = c;
			c = s[++i];
			if (quoted && (c == '\0' ||
			    strchr(addr_qhidden, c) != NULL))
				goto syntax;
			*o++ = quoted ? addr_qhide(c) : c;
			continue;
		}
		if (quoted) {
			quoted = c != '"';
			c = addr_qhide(c);
		} else if (depth > 0) {
			if (c == '(' && ++depth > LIMIT_COMMENT_DEPTH)
				goto deep;
			if (c == ')')
				depth--;
		} else if (literal) {
			literal = c != ']';
			/* [IPv6:...]: the scan stops at ':' here too */
			if (c == ':')
				c = addr_qhide(c);
			else if (strchr(addr_qhidden, c) != NULL)
				goto syntax;
		} else if (c == '"') {
			quoted = 1;
		} else if (c == '(') {
			depth = 1;
		} else if (c == '[') {
			literal = 1;
		} else if (c == '<') {
			/* obs-route: "<" [CFWS] "@" domain ... ":" */
			for (j = i + 1; j < len && (s[j] == ' ' ||
			    s[j] == '\t' || s[j] == '\r' || s[j] == '\n'); j++)
				;
			if (j < len && s[j] == '@') {
				while (j < len && s[j] != ':' && s[j] != '>' &&
				    s[j] != '"' && s[j] != '(')
					j++;
				if (j == len || s[j] != ':')
					goto syntax;
				*o++ = '<';
				i = j;
				continue;
			}
		}
		*o++ = c;
	}
	*o = '\0';
	*outp = out;
	*outlen = (size_t)(o - out);
	return ADDR_OK;
syntax:
	free(out);
	return ADDR_SYNTAX;
deep:
	free(out);
	return ADDR_DEPTH;
}

/* addr_qhide - a character of a quoted string as libetpan sees it */
static char
addr_qhide(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(addr_qspecial, c)) == NULL)
		return c;
	return addr_qhidden[p - addr_qspecial];
}

/* addr_skip - skip CFWS and the commas of empty list members */
static void
addr_skip(const char *s, size_t len, size_t *idx)
{
	size_t before;

	do {
		before = *idx;
		(void)mailimf_cfws_parse(s, len, idx);
		while (*idx < len && s[*idx] == ',')
			(*idx)++;
	} while (*idx != before && *idx < len);
}

/* addr_take - validate a mailbox's addr-spec and add it */
static enum addr_err
addr_take(struct mailimf_mailbox *mb, struct addrlist *list)
{
	char *spec = mb->mb_addr_spec, *p;
	const char *h;

	if (spec == NULL)
		return ADDR_SPEC;
	if (strlen(spec) > LIMIT_ADDR_SPEC)
		return ADDR_LONG;
	/* what addr_clean() hid inside quotes */
	for (p = spec; *p != '\0'; p++)
		if ((h = strchr(addr_qhidden, *p)) != NULL)
			*p = addr_qspecial[h - addr_qhidden];
	if (!addr_spec_valid(spec))
		return ADDR_SPEC;
	if (list->n >= LIMIT_RECIPIENTS)
		return ADDR_COUNT;
	addrlist_add(list, spec);
	return ADDR_OK;
}

/* addr_collect - add the mailboxes of one address (a group has many) */
static enum addr_err
addr_collect(struct mailimf_address *a, struct addrlist *list)
{
	struct mailimf_mailbox_list *mbl;
	clistiter *it;
	enum addr_err e;

	if (a->ad_type == MAILIMF_ADDRESS_MAILBOX)
		return addr_take(a->ad_data.ad_mailbox, list);
	mbl = a->ad_data.ad_group->grp_mb_list;
	if (mbl == NULL)
		return ADDR_OK;
	for (it = clist_begin(mbl->mb_list); it != NULL; it = clist_next(it))
		if ((e = addr_take(clist_content(it), list)) != ADDR_OK)
			return e;
	return ADDR_OK;
}

/* addr_list_parse - see addr.h */
enum addr_err
addr_list_parse(const char *value, size_t vlen, struct addrlist *list)
{
	struct mailimf_address *a;
	char *s;
	size_t len, idx = 0;
	enum addr_err e;

	if ((e = addr_clean(value, vlen, &s, &len)) != ADDR_OK)
		return e;
	for (;;) {
		addr_skip(s, len, &idx);
		if (idx >= len)
			break;
		a = NULL;
		if (mailimf_address_parse(s, len, &idx, &a) != MAILIMF_NO_ERROR) {
			e = ADDR_SYNTAX;
			break;
		}
		e = addr_collect(a, list);
		mailimf_address_free(a);
		if (e != ADDR_OK)
			break;
		(void)mailimf_cfws_parse(s, len, &idx);
		if (idx < len && s[idx] != ',') {
			e = ADDR_SYNTAX;
			break;
		}
	}
	free(s);
	return e;
}

/* addr_mailbox_parse - see addr.h */
enum addr_err
addr_mailbox_parse(const char *value, char **specp)
{
	struct addrlist list = { NULL, 0 };
	enum addr_err e;

	*specp = NULL;
	e = addr_list_parse(value, strlen(value), &list);
	if (e == ADDR_OK && list.n != 1)
		e = list.n == 0 ? ADDR_SPEC : ADDR_SYNTAX;
	if (e == ADDR_OK) {
		*specp = list.v[0];
		list.v[0] = NULL;
	}
	addrlist_free(&list);
	return e;
}

/* addr_strerror - a short phrase for a result */
const char *
addr_strerror(enum addr_err e)
{
	switch (e) {
	case ADDR_OK:
		return "no error";
	case ADDR_SYNTAX:
		return "malformed address list";
	case ADDR_DEPTH:
		return "comments nested too deep (LIMIT_COMMENT_DEPTH)";
	case ADDR_SPEC:
		return "address without local part, '@' or domain";
	case ADDR_LONG:
		return "address longer than the limit (LIMIT_ADDR_SPEC)";
	case ADDR_COUNT:
		return "more addresses than the limit (LIMIT_RECIPIENTS)";
	}
	return "unknown error";
}

/* addr_spec_valid - see addr.h */
int
addr_spec_valid(const char *spec)
{
	const char *at = strrchr(spec, '@'), *p;
	size_t dlen;

	if (at == NULL || at == spec || at[1] == '\0')
		return 0;
	if (spec[0] != '"') {
		for (p = spec; p < at; p++) {
			unsigned char c = (unsigned char)*p;
			if (c <= ' ' || c == 127 || strchr("<>()[],;:\\\"@", c))
				return 0;
		}
	} else if (at[-1] != '"' || at - spec < 2)
		return 0;
	p = at + 1;
	dlen = strlen(p);
	if (p[0] == '[')
		return p[dlen - 1] == ']';
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == 127 || strchr("<>()[],;:\\\"@", c))
			return 0;
	}
	return 1;
}

/* addr_equal - see addr.h */
int
addr_equal(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* addr_delimiters_valid - see addr.h */
int
addr_delimiters_valid(const char *d)
{
	const char *p;

	if (strlen(d) > LIMIT_DELIMITERS)
		return 0;
	for (p = d; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 127 || strchr(ADDR_NOT_DELIM, *p))
			return 0;
	return 1;
}

/* addr_delimiters_set - see addr.h */
int
addr_delimiters_set(const char *d)
{
	if (!addr_delimiters_valid(d))
		return -1;
	memcpy(addr_delims, d, strlen(d) + 1);
	return 0;
}

/* addr_untag - see addr.h */
char *
addr_untag(const char *spec)
{
	const char *at = strrchr(spec, '@'), *plus;
	char *out;
	size_t llen;

	if (at == NULL || spec[0] == '"' || addr_delims[0] == '\0')
		return NULL;
	llen = strcspn(spec, addr_delims);
	plus = spec + llen;
	if (plus >= at || plus == spec)
		return NULL;
	llen = (size_t)(plus - spec);
	out = xmalloc(llen + strlen(at) + 1);
	memcpy(out, spec, llen);
	memcpy(out + llen, at, strlen(at) + 1);
	return out;
}

/* addrlist_add - append a copy of spec */
void
addrlist_add(struct addrlist *list, const char *spec)
{
	list->v = xappend(list->v, list->n, sizeof *list->v);
	list->v[list->n++] = xstrdup(spec);
}

/* addrlist_has - is spec in the list (ignoring case)? */
int
addrlist_has(const struct addrlist *list, const char *spec)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (addr_equal(list->v[i], spec))
			return 1;
	return 0;
}

/* addrlist_free - release the list and its strings */
void
addrlist_free(struct addrlist *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

/* addr_utf8 - decode one UTF-8 sequence at s (at most n bytes): its
 * length, or 0 when it is not one (overlong, surrogate, cut short) */
static size_t
addr_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t k, i;
	uint32_t c;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4, c = s[0] & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (k == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	*cp = c;
	return k;
}

/* addr_utf8_len - the length of c in UTF-8 */
static size_t
addr_utf8_len(uint32_t c)
{
	return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/* addr_lower - s[0..len) in lower case, non-ASCII letters too (UTF-8,
 * towlower_l(3) in the C.UTF-8 locale when there is one), appended at
 * *o; bytes that are not UTF-8, and letters whose lower case has
 * another length, are copied as they are (the result never outgrows
 * the input) */
static void
addr_lower(const char *s, size_t len, char **o)
{
	static locale_t loc;
	static int tried;
	const unsigned char *u = (const unsigned char *)s;
	unsigned char *w;
	size_t i = 0, k, m;
	uint32_t c, l;

	if (!tried) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	while (i < len) {
		if (u[i] < 0x80 || loc == (locale_t)0 ||
		    (k = addr_utf8(u + i, len - i, &c)) == 0) {
			*(*o)++ = (char)tolower(u[i++]);
			continue;
		}
		l = (uint32_t)towlower_l((wint_t)c, loc);
		if ((m = addr_utf8_len(l)) != k) {
			l = c;	/* another length: kept as it is */
			m = k;
		}
		w = (unsigned char *)*o;
		if (m == 2)
			w[0] = (unsigned char)(0xc0 | l >> 6);
		else if (m == 3)
			w[0] = (unsigned char)(0xe0 | l >> 12);
		else
			w[0] = (unsigned char)(0xf0 | l >> 18);
		for (m = 1; m < k; m++)
			w[m] = (unsigned char)(0x80 | ((l >> (6 * (k - 1 - m))) &
			    0x3f));
		*o += k;
		i += k;
	}
}

/* addr_dot_atom - s[0..len) is a dot-atom (RFC 5322, with UTF-8 as
 * RFC 6532 allows): it needs no quotes */
static int
addr_dot_atom(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.' && s[i + 1] == '.')
			return 0;
		if (c != '.' && c < 0x80 && !isalnum(c) &&
		    strchr("!#$%&'*+-/=?^_`{|}~", c) == NULL)
			return 0;
	}
	return 1;
}

/* addr_local_canon - the local part s[0..len) canonical at *o, in lower
 * case: a quoted one without its quotes and quoted pairs when it is a
 * dot-atom, else quoted again with only '"' and '\' escaped.  Needs
 * room for 2 * len + 2 bytes. */
static void
addr_local_canon(const char *s, size_t len, char **o)
{
	char *raw, *r, *low, *l, *p;
	size_t i;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"') {
		addr_lower(s, len, o);
		return;
	}
	raw = r = xmalloc(len + 1);
	low = l = xmalloc(len + 1);
	for (i = 1; i + 1 < len; i++) {
		if (s[i] == '\\' && i + 2 < len)
			i++;
		*r++ = s[i];
	}
	addr_lower(raw, (size_t)(r - raw), &l);
	if (addr_dot_atom(low, (size_t)(l - low))) {
		memcpy(*o, low, (size_t)(l - low));
		*o += l - low;
	} else {
		*(*o)++ = '"';
		for (p = low; p < l; p++) {
			if (*p == '"' || *p == '\\')
				*(*o)++ = '\\';
			*(*o)++ = *p;
		}
		*(*o)++ = '"';
	}
	free(raw);
	free(low);
}

/* addr_literal_canon - "[192.0.2.1]", "[IPv6:2001:DB8::1]" as
 * inet_ntop(3) writes the address ("[ipv6:2001:db8::1]"); -1 if the
 * literal holds no valid address */
static int
addr_literal_canon(const char *d, char **out)
{
	unsigned char a[sizeof(struct in6_addr)];
	char in[INET6_ADDRSTRLEN + 8], txt[INET6_ADDRSTRLEN];
	size_t len = strlen(d);
	int v6;

	if (len < 3 || d[len - 1] != ']' || len - 2 >= sizeof in)
		return -1;
	memcpy(in, d + 1, len - 2);
	in[len - 2] = '\0';
	v6 = strncasecmp(in, "IPv6:", 5) == 0;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, in + (v6 ? 5 : 0), a) != 1 ||
	    inet_ntop(v6 ? AF_INET6 : AF_INET, a, txt, sizeof txt) == NULL)
		return -1;
	*out = xmalloc(strlen(txt) + 8);
	snprintf(*out, strlen(txt) + 8, "[%s%s]", v6 ? "ipv6:" : "", txt);
	return 0;
}

/* addr_domain_canon - see addr.h */
int
addr_domain_canon(const char *dom, char **out)
{
	char *d, *o, *idn = NULL;
	size_t len = strlen(dom);
	const char *p;
	int r = 0;

	/* one trailing root dot: "example.org." is example.org */
	if (len > 1 && dom[len - 1] == '.' && dom[len - 2] != '.')
		len--;
	d = xmalloc(len + 1);
	memcpy(d, dom, len);
	d[len] = '\0';
	if (d[0] == '[') {
		if ((r = addr_literal_canon(d, out)) == 0) {
			free(d);
			return 0;
		}
	} else {
		for (p = d; *p != '\0' && (unsigned char)*p < 0x80; p++)
			;
		/* ASCII is A-label form already: lower case is all TR46
		 * would change; else IDNA2008 with TR46 mapping (case,
		 * width, NFC) to A-labels */
		if (*p != '\0' && idn2_lookup_u8((const uint8_t *)d,
		    (uint8_t **)&idn, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) ==
		    IDN2_OK) {
			free(d);
			d = xstrdup(idn);
			idn2_free(idn);
		} else if (*p != '\0')
			r = -1;
	}
	*out = o = xmalloc(strlen(d) + 1);
	addr_lower(d, strlen(d), &o);
	*o = '\0';
	free(d);
	return r;
}

/* addr_domain_unicode - see addr.h */
char *
addr_domain_unicode(const char *dom)
{
	char *u = NULL, *out;

	if (strncmp(dom, "xn--", 4) != 0 && strstr(dom, ".xn--") == NULL)
		return NULL;
	if (idn2_to_unicode_8z8z(dom, &u, 0) != IDN2_OK)
		return NULL;
	out = xstrdup(u);
	idn2_free(u);
	return out;
}

/* addr_canon - see addr.h */
char *
addr_canon(const char *spec)
{
	const char *at = strrchr(spec, '@');
	char *out, *o, *dom;
	size_t llen;

	if (at == NULL) {
		out = o = xmalloc(strlen(spec) + 1);
		addr_lower(spec, strlen(spec), &o);
		*o = '\0';
		return out;
	}
	llen = (size_t)(at - spec);
	(void)addr_domain_canon(at + 1, &dom);
	out = o = xmalloc(2 * llen + strlen(dom) + 4);
	addr_local_canon(spec, llen, &o);
	*o++ = '@';
	memcpy(o, dom, strlen(dom) + 1);
	free(dom);
	return out;
}

/* addr_same - see addr.h */
int
addr_same(const char *a, const char *b)
{
	char *ca, *cb;
	int r;

	if (strcasecmp(a, b) == 0)
		return 1;
	ca = addr_canon(a);
	cb = addr_canon(b);
	r = strcmp(ca, cb) == 0;
	free(ca);
	free(cb);
	return r;
}

static int
addr_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* addrset_build - see addr.h */
void
addrset_build(struct addrset *s, const struct addrlist *l)
{
	size_t i, k;

	s->v = xcalloc(l->n > 0 ? l->n : 1, sizeof *s->v);
	for (i = 0; i < l->n; i++)
		s->v[i] = addr_canon(l->v[i]);
	qsort(s->v, l->n, sizeof *s->v, addr_strcmp);
	for (i = k = 0; i < l->n; i++) {
		if (k > 0 && strcmp(s->v[k - 1], s->v[i]) == 0)
			free(s->v[i]);
		else
			s->v[k++] = s->v[i];
	}
	s->n = k;
}

/* addrset_has - see addr.h */
int
addrset_has(const struct addrset *s, const char *spec)
{
	char *c = addr_canon(spec);
	int r;

	r = s->n > 0 && bsearch(&c, s->v, s->n, sizeof *s->v,
	    addr_strcmp) != NULL;
	free(c);
	return r;
}

/* addrset_free - see addr.h */
void
addrset_free(struct addrset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
