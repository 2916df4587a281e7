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
 * Known leniency: it drops white space inside a quoted local part
 * ("john doe"@x becomes "johndoe"@x).  See VIOLATIONS.md.
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "limit.h"
#include "xmalloc.h"

static enum addr_err	addr_clean(const char *, size_t, char **, size_t *);
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
		if ((quoted || depth > 0) && c == '\\' && i + 1 < len) {
			*o++ = c;
			*o++ = s[++i];
			continue;
		}
		if (quoted) {
			quoted = c != '"';
		} else if (depth > 0) {
			if (c == '(' && ++depth > LIMIT_COMMENT_DEPTH)
				goto deep;
			if (c == ')')
				depth--;
		} else if (literal) {
			literal = c != ']';
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
	const char *spec = mb->mb_addr_spec;

	if (spec == NULL)
		return ADDR_SPEC;
	if (strlen(spec) > LIMIT_ADDR_SPEC)
		return ADDR_LONG;
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

/* addr_untag - see addr.h */
char *
addr_untag(const char *spec)
{
	const char *at = strrchr(spec, '@'), *plus;
	char *out;
	size_t llen;

	if (at == NULL || spec[0] == '"')
		return NULL;
	plus = memchr(spec, '+', (size_t)(at - spec));
	if (plus == NULL || plus == spec)
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
	list->v = xreallocarray(list->v, list->n + 1, sizeof *list->v);
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
