/*
 * autocrypt.c - the Autocrypt header (Autocrypt Level 1, "The
 * Autocrypt Header"): written for the gateway's signing senders, read
 * for learning.  Attributes are addr, prefer-encrypt and keydata; an
 * unknown one is ignored when its name starts with '_', else the
 * whole field is.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "autocrypt.h"
#include "cte.h"
#include "conf.h"
#include "gpg.h"
#include "limit.h"
#include "log.h"
#include "msg.h"
#include "recip.h"
#include "rfc5322.h"
#include "xmalloc.h"

/* header bytes the gateway's own fields need beside ours (gateway.c
 * GW_ROOM_BYTES) */
#define AUTOCRYPT_ROOM	1024
#define AC_CACHE	32	/* fields remembered (ac_cached) */
#define AC_CACHE_TTL	300	/* seconds each serves */

static const char ac_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A string that grows. */
struct ac_str {
	char	*v;
	size_t	 n, size;
};

static void	ac_put(struct ac_str *, const char *, size_t);
static char	*ac_b64_encode(const unsigned char *, size_t);
static int	ac_b64_decode(const char *, size_t, struct autocrypt_hdr *);
static char	*ac_from(const struct rfc5322_header *);
static int	ac_cached(struct gpg *, const char *, const char *, int,
		    const char *, char **, char *, size_t);
static int	ac_attr(const char *, size_t, const char *, size_t,
		    struct autocrypt_hdr *, const char **);

/* ac_put - append n bytes of s */
static void
ac_put(struct ac_str *a, const char *s, size_t n)
{
	if (a->size - a->n <= n) {
		a->size = a->n + n + 256;
		a->v = xreallocarray(a->v, a->size, 1);
	}
	memcpy(a->v + a->n, s, n);
	a->n += n;
	a->v[a->n] = '\0';
}

/* ac_b64_encode - n bytes as one line of base64 (allocated) */
static char *
ac_b64_encode(const unsigned char *p, size_t n)
{
	char *out, *o;
	unsigned long v;
	size_t i;

	o = out = xmalloc((n + 2) / 3 * 4 + 1);
	for (i = 0; i < n; i += 3) {
		v = (unsigned long)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		*o++ = ac_b64[v >> 18 & 63];
		*o++ = ac_b64[v >> 12 & 63];
		*o++ = i + 1 < n ? ac_b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? ac_b64[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* autocrypt_field - see autocrypt.h */
char *
autocrypt_field(const char *addr, int mutual, const unsigned char *key,
    size_t keylen, const char *eol)
{
	struct ac_str a = { NULL, 0, 0 };
	char *b64, *p;
	size_t col, take, left;

	if (keylen == 0 || keylen > LIMIT_AUTOCRYPT_KEYDATA)
		return NULL;
	ac_put(&a, AUTOCRYPT_FIELD ": addr=",
	    sizeof AUTOCRYPT_FIELD ": addr=" - 1);
	ac_put(&a, addr, strlen(addr));
	ac_put(&a, ";", 1);
	col = a.n;
	if (mutual) {
		if (col + 23 > AUTOCRYPT_LINE) {
			ac_put(&a, eol, strlen(eol));
			col = 0;
		}
		ac_put(&a, " prefer-encrypt=mutual;", 23);
		col += 23;
	}
	ac_put(&a, eol, strlen(eol));
	ac_put(&a, " keydata=", 9);
	col = 9;
	b64 = p = ac_b64_encode(key, keylen);
	for (left = strlen(b64); left > 0; left -= take, p += take) {
		if (col == AUTOCRYPT_LINE) {
			ac_put(&a, eol, strlen(eol));
			ac_put(&a, " ", 1);
			col = 1;
		}
		take = AUTOCRYPT_LINE - col < left ? AUTOCRYPT_LINE - col :
		    left;
		ac_put(&a, p, take);
		col += take;
	}
	free(b64);
	return a.v;
}

/* ac_b64_decode - keydata's base64 (white space skipped, padding only
 * at the end) into h: 0, or -1 */
static int
ac_b64_decode(const char *s, size_t n, struct autocrypt_hdr *h)
{
	unsigned long v = 0;
	size_t i, bits = 0, pad = 0;
	int d;

	h->key = xmalloc(n / 4 * 3 + 3);
	h->keylen = 0;
	for (i = 0; i < n; i++) {
		if (strchr(" \t\r\n", s[i]) != NULL)
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (d = cte_b64((unsigned char)s[i])) == -1)
			return -1;
		v = (v << 6 | (unsigned long)d) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			if (h->keylen >= LIMIT_AUTOCRYPT_KEYDATA)
				return -1;
			h->key[h->keylen++] = (unsigned char)(v >> bits);
		}
	}
	return pad > 2 || h->keylen == 0 ? -1 : 0;
}

/* ac_attr - one attribute name=value into h */
static int
ac_attr(const char *name, size_t nl, const char *val, size_t vl,
    struct autocrypt_hdr *h, const char **why)
{
	if (nl == 4 && strncasecmp(name, "addr", 4) == 0) {
		if (h->addr != NULL || vl == 0 || vl > LIMIT_ADDR_SPEC) {
			*why = "a bad or second addr";
			return -1;
		}
		h->addr = xstrndup(val, vl);
	} else if (nl == 14 && strncasecmp(name, "prefer-encrypt", 14) == 0)
		h->mutual = vl == 6 && strncasecmp(val, "mutual", 6) == 0;
	else if (nl == 7 && strncasecmp(name, "keydata", 7) == 0) {
		if (h->key != NULL || ac_b64_decode(val, vl, h) == -1) {
			*why = h->keylen >= LIMIT_AUTOCRYPT_KEYDATA ?
			    "keydata over LIMIT_AUTOCRYPT_KEYDATA" :
			    "bad or second keydata";
			return -1;
		}
	} else if (nl == 0 || name[0] != '_') {
		*why = "an unknown critical attribute";
		return -1;
	}
	return 0;
}

/* autocrypt_parse - see autocrypt.h */
int
autocrypt_parse(const char *v, struct autocrypt_hdr *h, const char **why)
{
	const char *p = v, *semi, *eq, *name, *val;
	size_t nl, vl;

	memset(h, 0, sizeof *h);
	while (*p != '\0') {
		p += strspn(p, " \t\r\n");
		if ((semi = strchr(p, ';')) == NULL)
			semi = p + strlen(p);
		if (semi == p) {
			p += *p == ';';
			continue;
		}
		if ((eq = memchr(p, '=', (size_t)(semi - p))) == NULL) {
			*why = "an attribute without a value";
			goto bad;
		}
		name = p;
		for (nl = (size_t)(eq - p); nl > 0 &&
		    strchr(" \t\r\n", name[nl - 1]) != NULL; nl--)
			;
		val = eq + 1 + strspn(eq + 1, " \t\r\n");
		for (vl = (size_t)(semi - val); vl > 0 &&
		    strchr(" \t\r\n", val[vl - 1]) != NULL; vl--)
			;
		if (ac_attr(name, nl, val, vl, h, why) == -1)
			goto bad;
		p = *semi == ';' ? semi + 1 : semi;
	}
	if (h->addr != NULL && h->key != NULL)
		return 0;
	*why = h->addr == NULL ? "no addr" : "no keydata";
bad:
	autocrypt_hdr_free(h);
	return -1;
}

/* autocrypt_hdr_free - see autocrypt.h */
void
autocrypt_hdr_free(struct autocrypt_hdr *h)
{
	free(h->addr);
	free(h->key);
	memset(h, 0, sizeof *h);
}

/* autocrypt_has_own - see autocrypt.h */
int
autocrypt_has_own(const struct rfc5322_header *hb, const char *from)
{
	const struct rfc5322_field *f;
	struct autocrypt_hdr h;
	const char *why;
	size_t at = 0, len;
	char *v;
	int own = 0;

	while (!own && (f = rfc5322_find(hb, AUTOCRYPT_FIELD, &at)) != NULL) {
		v = rfc5322_unfold(f, &len);
		if (autocrypt_parse(v, &h, &why) == 0) {
			own = addr_same(h.addr, from);
			autocrypt_hdr_free(&h);
		}
		free(v);
	}
	return own;
}

/* autocrypt_outgoing - see autocrypt.h */
int
autocrypt_outgoing(struct gpg *g, const char *signer, const char *from,
    int mutual, const char *eol, char **field, char *why, size_t whysz)
{
	struct gpg_keylist keys = { NULL, 0 };
	const struct gpg_key *k = NULL;
	unsigned char *exp = NULL, *key = NULL;
	char pat[LIMIT_PAT], *pats[1];
	const char *bad;
	size_t explen, keylen, i;
	enum gpg_status st;
	int n, r = -1;

	*field = NULL;
	n = snprintf(pat, sizeof pat, "%s%s",
	    strchr(signer, '@') != NULL ? "*" : "", signer);
	if (n < 0 || (size_t)n >= sizeof pat) {
		snprintf(why, whysz, "signer too long");
		return 0;
	}
	pats[0] = pat;
	if (gpg_keylist(g, pats, 1, 0, &keys, why, whysz) != GPG_OK)
		goto out;
	r = 0;
	if (recip_signer(signer, &keys, 0, &k) != 1) {
		snprintf(why, whysz, "no one usable signing key");
		goto out;
	}
	for (i = 0; i < k->nuids && !addr_same(k->uids[i], from); i++)
		;
	if (i == k->nuids) {
		snprintf(why, whysz, "key %s has no valid user ID for the "
		    "From address", k->fpr);
		goto out;
	}
	/* a key over the limit is the operator's to change, no failure:
	 * the mail goes without the field */
	if ((st = gpg_export_minimal(g, k->fpr, LIMIT_AUTOCRYPT_EXPORT, &exp,
	    &explen, why, whysz)) == GPG_TOOMANY) {
		snprintf(why, whysz, "key %s: the export is over "
		    "LIMIT_AUTOCRYPT_EXPORT", k->fpr);
		goto out;
	}
	if (st != GPG_OK) {
		r = -1;
		goto out;
	}
	if (autocrypt_key_filter(exp, explen, from, &key, &keylen, &bad) ==
	    -1)
		snprintf(why, whysz, "key %s: %s", k->fpr, bad);
	else if ((*field = autocrypt_field(from, mutual, key, keylen,
	    eol)) != NULL)
		r = 1;
out:
	free(exp);
	free(key);
	gpg_keylist_free(&keys);
	return r;
}

/* ac_from - the From field's one addr-spec (allocated), or NULL */
static char *
ac_from(const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	char *v, *from = NULL;
	size_t len, at = 0;

	if ((f = rfc5322_find(h, "From", &at)) == NULL ||
	    rfc5322_find(h, "From", &at) != NULL)
		return NULL;
	v = rfc5322_unfold(f, &len);
	if (addr_mailbox_parse(v, &from) != ADDR_OK)
		from = NULL;
	free(v);
	return from;
}

/* ac_cached - autocrypt_outgoing, remembered: smtpd serves message
 * after message, and each Autocrypt sender's would cost two more gpg
 * runs (the listing and the export).  A field made, or the reason there
 * is none, serves AC_CACHE_TTL seconds (a key changed in the keyring
 * shows in its fields after that at the latest); a gpg that failed is
 * not remembered.  The oldest of AC_CACHE entries makes room. */
static int
ac_cached(struct gpg *g, const char *signer, const char *from, int mutual,
    const char *eol, char **field, char *why, size_t whysz)
{
	static struct {
		char	*key;
		char	*field;
		char	 why[GPG_ERRLEN];
		time_t	 made;
	} c[AC_CACHE];
	time_t now = time(NULL);
	size_t n, i, old = 0;
	char *key;
	int r;

	n = strlen(signer) + strlen(from) + strlen(eol) + 4;
	key = xmalloc(n);
	(void)snprintf(key, n, "%s\t%s\t%d%s", signer, from, mutual, eol);
	for (i = 0; i < AC_CACHE; i++) {
		if (c[i].key != NULL && strcmp(c[i].key, key) == 0 &&
		    now - c[i].made < AC_CACHE_TTL && now >= c[i].made) {
			free(key);
			*field = c[i].field != NULL ? xstrdup(c[i].field) : NULL;
			snprintf(why, whysz, "%s", c[i].why);
			return *field != NULL;
		}
		if (c[i].key == NULL || c[i].made < c[old].made)
			old = i;
	}
	if ((r = autocrypt_outgoing(g, signer, from, mutual, eol, field, why,
	    whysz)) == -1) {
		free(key);
		return -1;
	}
	free(c[old].key);
	free(c[old].field);
	c[old].key = key;
	c[old].field = r == 1 ? xstrdup(*field) : NULL;
	snprintf(c[old].why, sizeof c[old].why, "%s", r == 1 ? "" : why);
	c[old].made = now;
	return r;
}

/* autocrypt_lead - see autocrypt.h */
int
autocrypt_lead(struct gpg **g, const struct config *cfg, const char *signer,
    const struct msg *m, char **marker)
{
	char why[GPG_ERRLEN], esc[LIMIT_ADDR_SPEC * 4 + 1], *from, *field;
	char *lead;
	const char *eol = msg_eol(m);
	size_t n;
	int r;

	if (!cfg->autocrypt || signer == NULL || m->herr != RFC5322_OK ||
	    (from = ac_from(&m->h)) == NULL)
		return 0;
	/* the sender's mail reader does Autocrypt: a second field would
	 * make readers ignore both (Level 1: one per addr) */
	if (autocrypt_has_own(&m->h, from)) {
		free(from);
		return 0;
	}
	if (*g == NULL && gpg_open(g, cfg->homedir, why, sizeof why) !=
	    GPG_OK)
		r = -1;
	else
		r = ac_cached(*g, signer, from, cfg->autocrypt_mutual, eol,
		    &field, why, sizeof why);
	if (r == -1)
		log_warnx("Autocrypt field for %s: %s",
		    log_escape(from, esc, sizeof esc), why);
	else if (r == 0)
		log_debug("no Autocrypt field for %s: %s",
		    log_escape(from, esc, sizeof esc), why);
	else if (m->h.total + strlen(field) + AUTOCRYPT_ROOM >
	    LIMIT_HEADER_BLOCK || m->h.nfields + 4 > LIMIT_HEADER_FIELDS)
		log_debug("no Autocrypt field: no room in the header");
	else {
		n = strlen(*marker) + strlen(eol) + strlen(field) + 1;
		lead = xmalloc(n);
		(void)snprintf(lead, n, "%s%s%s", *marker, eol, field);
		free(*marker);
		*marker = lead;
	}
	if (r == 1)
		free(field);
	free(from);
	return r == -1 ? -1 : 0;
}

/* autocrypt_home - see autocrypt.h */
char *
autocrypt_home(const char *dir, const char *gnupghome)
{
	const char *base = gnupghome, *sub = "/autocrypt";
	size_t n;
	char *r;

	if (dir != NULL)
		return xstrdup(dir);
	if (base == NULL || base[0] == '\0')
		base = getenv("GNUPGHOME");
	if (base == NULL || base[0] == '\0') {
		if ((base = getenv("HOME")) == NULL || base[0] == '\0')
			return NULL;
		sub = "/.gnupg/autocrypt";
	}
	n = strlen(base) + strlen(sub) + 1;
	r = xmalloc(n);
	(void)snprintf(r, n, "%s%s", base, sub);
	return r;
}
