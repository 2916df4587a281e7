/*
 * recip.c - resolve recipients to keys, exactly.
 *
 * gpg's own "-r bob@example.org" is a substring search: it happily
 * encrypts to <xbob@example.org> (FACTS.md).  Here a recipient matches a
 * key only when a valid (not revoked, not invalid) user ID's addr-spec
 * equals the recipient's addr-spec, ignoring ASCII case, and the key as
 * a whole can encrypt and is not expired, revoked, disabled or invalid.
 * Both addr-specs are compared in their canonical spelling (addr_canon:
 * a user ID with U-labels matches a recipient with A-labels and the
 * other way round; case, root dot and quotes do not matter).
 * "user+tag@domain" without a key of its own falls back to
 * "user@domain" (the recipient delimiters, addr_untag).  The result is
 * a set of fingerprints.
 *
 * Cost: the user IDs of a listing are canonicalised once into a sorted
 * index (recip_index_new), and each address is a binary search in it,
 * so asking about every address of LIMIT_KEYS keys is not quadratic.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "recip.h"
#include "xmalloc.h"

static int	recip_match(const char *, const char *, struct recip_index *,
		    struct recip *);
static void	recip_add(struct recip *, const char *, const char *,
		    struct recip_index *, size_t);
static void	recip_pattern(struct addrlist *, const char *);
static void	recip_spellings(const char *, struct addrlist *);
static enum recip_why	recip_key_why(const struct gpg_key *);
static int	recip_explain_one(const char *, const struct recip_index *,
		    struct recip_reason *);
static size_t	recip_range(const struct recip_index *, const char *,
		    size_t *);
static int	recip_ent_cmp(const void *, const void *);
static int	recip_fent_cmp(const void *, const void *);

/* One user ID of the listing, canonical. */
struct recip_ent {
	char	*canon;		/* its addr-spec, addr_canon()'d */
	size_t	 key;		/* its key's place in the listing */
	int	 spec;		/* the user ID is a valid addr-spec */
};

/* One key's fingerprint. */
struct recip_fent {
	const char	*fpr;
	size_t		 key;
};

struct recip_index {
	const struct gpg_keylist *keys;
	struct recip_ent	 *ent;	/* by canon, then key: O(log n) */
	size_t			  nent;
	struct recip_fent	 *fent;	/* by fingerprint ignoring case,
					 * then key */
	size_t			 *rep;	/* per key: the first key of its
					 * fingerprint */
	unsigned long		 *mark;	/* per key: the resolution (gen)
					 * that took its fingerprint */
	unsigned long		  gen;
};

/* recip_ent_cmp - user IDs by canonical address, then listing order */
static int
recip_ent_cmp(const void *a, const void *b)
{
	const struct recip_ent *x = a, *y = b;
	int c = strcmp(x->canon, y->canon);

	if (c != 0)
		return c;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* recip_fent_cmp - keys by fingerprint ignoring case, then place */
static int
recip_fent_cmp(const void *a, const void *b)
{
	const struct recip_fent *x = a, *y = b;
	int c = strcasecmp(x->fpr, y->fpr);

	if (c != 0)
		return c;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* recip_index_new - see recip.h */
struct recip_index *
recip_index_new(const struct gpg_keylist *keys)
{
	struct recip_index *ix = xcalloc(1, sizeof *ix);
	const struct gpg_key *k;
	size_t i, j, n = 0;

	ix->keys = keys;
	for (i = 0; i < keys->n; i++)
		n += keys->v[i].nuids;
	ix->ent = xcalloc(n + 1, sizeof *ix->ent);
	for (i = 0; i < keys->n; i++) {
		k = &keys->v[i];
		for (j = 0; j < k->nuids; j++, ix->nent++) {
			ix->ent[ix->nent].canon = addr_canon(k->uids[j]);
			ix->ent[ix->nent].key = i;
			ix->ent[ix->nent].spec = addr_spec_valid(k->uids[j]);
		}
	}
	qsort(ix->ent, ix->nent, sizeof *ix->ent, recip_ent_cmp);
	ix->fent = xcalloc(keys->n + 1, sizeof *ix->fent);
	ix->rep = xcalloc(keys->n + 1, sizeof *ix->rep);
	ix->mark = xcalloc(keys->n + 1, sizeof *ix->mark);
	for (i = 0; i < keys->n; i++) {
		ix->fent[i].fpr = keys->v[i].fpr;
		ix->fent[i].key = i;
	}
	qsort(ix->fent, keys->n, sizeof *ix->fent, recip_fent_cmp);
	for (i = j = 0; i < keys->n; i++) {
		if (strcasecmp(ix->fent[i].fpr, ix->fent[j].fpr) != 0)
			j = i;
		ix->rep[ix->fent[i].key] = ix->fent[j].key;
	}
	return ix;
}

/* recip_index_free - release an index (not its listing) */
void
recip_index_free(struct recip_index *ix)
{
	size_t i;

	if (ix == NULL)
		return;
	for (i = 0; i < ix->nent; i++)
		free(ix->ent[i].canon);
	free(ix->ent);
	free(ix->fent);
	free(ix->rep);
	free(ix->mark);
	free(ix);
}

/* recip_range - the user IDs whose canonical address is canon: how
 * many, from *first on */
static size_t
recip_range(const struct recip_index *ix, const char *canon, size_t *first)
{
	size_t lo = 0, hi = ix->nent, mid;

	while (lo < hi) {		/* the first not below canon */
		mid = lo + (hi - lo) / 2;
		if (strcmp(ix->ent[mid].canon, canon) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (hi = lo; hi < ix->nent && strcmp(ix->ent[hi].canon, canon) == 0;
	    hi++)
		;
	return hi - lo;
}

/* recip_index_key - see recip.h */
const struct gpg_key *
recip_index_key(const struct recip_index *ix, const char *fpr)
{
	size_t lo = 0, hi = ix->keys->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcasecmp(ix->fent[mid].fpr, fpr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ix->keys->n && strcasecmp(ix->fent[lo].fpr, fpr) == 0;
	    lo++)
		if (strcmp(ix->fent[lo].fpr, fpr) == 0)
			return &ix->keys->v[ix->fent[lo].key];
	return NULL;
}

/* recip_index_addrs - see recip.h */
void
recip_index_addrs(const struct recip_index *ix, struct addrlist *out)
{
	const char *last = NULL;
	size_t i;

	for (i = 0; i < ix->nent; i++) {
		if (!ix->ent[i].spec || (last != NULL &&
		    strcmp(last, ix->ent[i].canon) == 0))
			continue;
		last = ix->ent[i].canon;
		addrlist_add(out, last);
	}
}

/* recip_pattern - "*ADDR", once */
static void
recip_pattern(struct addrlist *pat, const char *addr)
{
	size_t len = strlen(addr);
	char *p = xmalloc(len + 2);

	p[0] = '*';
	memcpy(p + 1, addr, len + 1);
	if (!addrlist_has(pat, p))
		addrlist_add(pat, p);
	free(p);
}

/* recip_spellings - the spellings a user ID of addr may have: as given,
 * canonical (A-labels), and with U-labels (gpg's substring search
 * compares bytes, ignoring ASCII case only) */
static void
recip_spellings(const char *addr, struct addrlist *out)
{
	char *c = addr_canon(addr), *at, *u, *s;
	size_t n;

	addrlist_add(out, addr);
	addrlist_add(out, c);
	if ((at = strrchr(c, '@')) != NULL &&
	    (u = addr_domain_unicode(at + 1)) != NULL) {
		n = (size_t)(at - c) + strlen(u) + 2;
		s = xmalloc(n);
		snprintf(s, n, "%.*s@%s", (int)(at - c), c, u);
		addrlist_add(out, s);
		free(s);
		free(u);
	}
	free(c);
}

/* recip_patterns - see recip.h */
void
recip_patterns(const struct addrlist *addrs, struct addrlist *pat)
{
	struct addrlist sp;
	size_t i, k;
	char *base;

	for (i = 0; i < addrs->n; i++) {
		memset(&sp, 0, sizeof sp);
		recip_spellings(addrs->v[i], &sp);
		for (k = 0; k < sp.n; k++) {
			recip_pattern(pat, sp.v[k]);
			if ((base = addr_untag(sp.v[k])) != NULL) {
				recip_pattern(pat, base);
				free(base);
			}
		}
		addrlist_free(&sp);
	}
}

/* recip_key_can_encrypt - usable now for encryption */
int
recip_key_can_encrypt(const struct gpg_key *k)
{
	return k->usable && k->can_encrypt;
}

/* recip_add - record addr -> fpr (of the key at place key), keeping
 * fingerprints distinct: the first key of each fingerprint (ignoring
 * case) is marked with the resolution that took it */
static void
recip_add(struct recip *r, const char *addr, const char *fpr,
    struct recip_index *ix, size_t key)
{
	size_t first = ix->rep[key];

	r->map = xappend(r->map, r->nmap, sizeof *r->map);
	r->map[r->nmap].addr = xstrdup(addr);
	r->map[r->nmap].fpr = xstrdup(fpr);
	r->nmap++;
	if (ix->mark[first] == ix->gen)
		return;
	ix->mark[first] = ix->gen;
	r->fprs = xappend(r->fprs, r->nfprs, sizeof *r->fprs);
	r->fprs[r->nfprs++] = xstrdup(fpr);
}

/* recip_match - add every usable key of addr, recorded under the
 * recipient as given (orig); returns how many */
static int
recip_match(const char *addr, const char *orig, struct recip_index *ix,
    struct recip *r)
{
	const struct gpg_key *k;
	size_t i, n, last = SIZE_MAX;
	int found = 0;
	char *c = addr_canon(addr);

	n = recip_range(ix, c, &i);
	free(c);
	for (; n > 0; n--, i++) {
		if (ix->ent[i].key == last)
			continue;	/* another user ID of the same key */
		last = ix->ent[i].key;
		k = &ix->keys->v[last];
		if (!recip_key_can_encrypt(k))
			continue;
		recip_add(r, orig, k->fpr, ix, last);
		found++;
	}
	return found;
}

/* recip_resolve_ix - see recip.h */
void
recip_resolve_ix(const struct addrlist *addrs, struct recip_index *ix,
    struct recip *r)
{
	size_t i;
	char *base, *c;
	int found;

	memset(r, 0, sizeof *r);
	if (++ix->gen == 0) {	/* the marks of earlier resolutions go */
		memset(ix->mark, 0, ix->keys->n * sizeof *ix->mark);
		ix->gen = 1;
	}
	for (i = 0; i < addrs->n; i++) {
		found = recip_match(addrs->v[i], addrs->v[i], ix, r);
		/* the tag is cut from the canonical spelling, as
		 * policy_lookup() does: "bob+x"@d is bob+x@d */
		c = addr_canon(addrs->v[i]);
		if (!found && (base = addr_untag(c)) != NULL) {
			found = recip_match(base, addrs->v[i], ix, r);
			free(base);
		}
		free(c);
		if (!found && !addrlist_has(&r->missing, addrs->v[i]))
			addrlist_add(&r->missing, addrs->v[i]);
	}
}

/* recip_resolve - see recip.h */
void
recip_resolve(const struct addrlist *addrs, const struct gpg_keylist *keys,
    struct recip *r)
{
	struct recip_index *ix = recip_index_new(keys);

	recip_resolve_ix(addrs, ix, r);
	recip_index_free(ix);
}

/* recip_signer - see recip.h */
int
recip_signer(const char *who, const struct gpg_keylist *keys, int need_secret,
    const struct gpg_key **keyp)
{
	const struct gpg_key *found = NULL;
	size_t i, j;
	int hit, n = 0;

	for (i = 0; i < keys->n; i++) {
		const struct gpg_key *k = &keys->v[i];
		if (!k->usable || !k->can_sign || (need_secret && !k->secret))
			continue;
		hit = strcasecmp(k->fpr, who) == 0;
		for (j = 0; !hit && j < k->nuids; j++)
			hit = addr_equal(k->uids[j], who);
		if (!hit || (found != NULL && strcasecmp(found->fpr, k->fpr) == 0))
			continue;
		if (found == NULL)
			found = k;
		n++;
	}
	*keyp = found;
	return n;
}

/* recip_key_why - why one key (or certificate) cannot encrypt, the
 * gravest first */
static enum recip_why
recip_key_why(const struct gpg_key *k)
{
	if (k->revoked)
		return RECIP_REVOKED;
	if (k->x509 && k->expired)
		return RECIP_EXPIRED;
	if (k->x509 && k->untrusted)
		return RECIP_UNTRUSTED;
	if (k->invalid)
		return RECIP_INVALID;
	if (k->disabled)
		return RECIP_DISABLED;
	if (k->expired)
		return RECIP_EXPIRED;
	if (!k->usable)		/* gpg said so, without saying why */
		return RECIP_INVALID;
	if (k->can_encrypt)
		return RECIP_USABLE;
	if (k->x509)
		return RECIP_KEYUSAGE;
	return k->unsupported ? RECIP_UNSUPPORTED : RECIP_NOENCRYPT;
}

/*
 * recip_explain_one - the keys of addr alone: 1 and the first usable
 * one, or 0 and the newest unusable one (NOKEY when there is none)
 */
static int
recip_explain_one(const char *addr, const struct recip_index *ix,
    struct recip_reason *r)
{
	const struct gpg_key *k, *best = NULL;
	char *c = addr_canon(addr);
	size_t i, n;

	memset(r, 0, sizeof *r);
	r->why = RECIP_NOKEY;
	n = recip_range(ix, c, &i);
	free(c);
	for (; n > 0; n--, i++) {	/* in the listing's order */
		k = &ix->keys->v[ix->ent[i].key];
		if (recip_key_can_encrypt(k)) {
			best = k;
			break;
		}
		if (best == NULL || k->created > best->created ||
		    (k->created == best->created && k->expires > best->expires))
			best = k;
	}
	if (best == NULL)
		return 0;
	r->why = recip_key_can_encrypt(best) ? RECIP_USABLE :
	    recip_key_why(best);
	snprintf(r->fpr, sizeof r->fpr, "%s", best->fpr);
	r->expires = best->expires;
	r->x509 = best->x509;
	/* gpgsm calls a certificate not valid yet expired */
	if (r->why == RECIP_EXPIRED && best->x509 &&
	    best->created > (long long)time(NULL))
		r->notbefore = best->created;
	return r->why == RECIP_USABLE;
}

/* recip_explain_ix - see recip.h */
void
recip_explain_ix(const char *addr, const struct recip_index *ix,
    struct recip_reason *r)
{
	struct recip_reason b;
	char *c, *base;

	if (recip_explain_one(addr, ix, r))
		return;
	c = addr_canon(addr);
	base = addr_untag(c);
	free(c);
	if (base == NULL)
		return;
	/* the base address's key is used, or explains when addr has none */
	if (recip_explain_one(base, ix, &b) || r->why == RECIP_NOKEY)
		*r = b;
	free(base);
}

/* recip_explain - see recip.h */
void
recip_explain(const char *addr, const struct gpg_keylist *keys,
    struct recip_reason *r)
{
	struct recip_index *ix = recip_index_new(keys);

	recip_explain_ix(addr, ix, r);
	recip_index_free(ix);
}

/* recip_why_name - see recip.h */
const char *
recip_why_name(enum recip_why why)
{
	switch (why) {
	case RECIP_USABLE:
		return "usable";
	case RECIP_NOKEY:
		return "no-key";
	case RECIP_EXPIRED:
		return "expired";
	case RECIP_REVOKED:
		return "revoked";
	case RECIP_NOENCRYPT:
		return "no-encryption-subkey";
	case RECIP_DISABLED:
		return "disabled";
	case RECIP_UNSUPPORTED:
		return "unsupported-key";
	case RECIP_UNTRUSTED:
		return "untrusted";
	case RECIP_KEYUSAGE:
		return "key-usage";
	case RECIP_NOEMAIL:
		return "no-email";
	default:
		return "invalid";
	}
}

/* recip_reason_text - see recip.h */
const char *
recip_reason_text(const struct recip_reason *r, char *buf, size_t bufsz)
{
	char day[32] = "an unknown date";
	const char *what = r->x509 ? "certificate" : "key";
	time_t t = (time_t)r->expires;
	struct tm tm;

	switch (r->why) {
	case RECIP_USABLE:
		snprintf(buf, bufsz, "%s %s can encrypt", what, r->fpr);
		break;
	case RECIP_NOKEY:
		snprintf(buf, bufsz, "no %s for the address", what);
		break;
	case RECIP_EXPIRED:
		t = (time_t)r->notbefore;
		if (r->notbefore > 0 && gmtime_r(&t, &tm) != NULL) {
			(void)strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S UTC",
			    &tm);
			snprintf(buf, bufsz, "certificate %s is not valid before "
			    "%s", r->fpr, day);
			break;
		}
		t = (time_t)r->expires;
		if (r->expires > 0 && gmtime_r(&t, &tm) != NULL)
			(void)strftime(day, sizeof day, "%Y-%m-%d", &tm);
		snprintf(buf, bufsz, "%s %s expired on %s", what, r->fpr, day);
		break;
	case RECIP_NOENCRYPT:
		snprintf(buf, bufsz, "key %s has no encryption subkey", r->fpr);
		break;
	case RECIP_UNSUPPORTED:
		if (r->fpr[0] == '\0')
			snprintf(buf, bufsz, "the key its Web Key Directory "
			    "offers is of a kind gpg cannot read");
		else
			snprintf(buf, bufsz, "key %s encrypts with an "
			    "algorithm gpg cannot use", r->fpr);
		break;
	case RECIP_UNTRUSTED:
		snprintf(buf, bufsz, "certificate %s has no valid chain to a "
		    "trusted root", r->fpr);
		break;
	case RECIP_KEYUSAGE:
		snprintf(buf, bufsz, "certificate %s: its key usage does not "
		    "allow encryption", r->fpr);
		break;
	case RECIP_NOEMAIL:
		snprintf(buf, bufsz, "certificate %s names no email address",
		    r->fpr);
		break;
	default:
		snprintf(buf, bufsz, "%s %s is %s", what, r->fpr,
		    recip_why_name(r->why));
		break;
	}
	return buf;
}

/* recip_free - release a resolution */
void
recip_free(struct recip *r)
{
	size_t i;

	for (i = 0; i < r->nfprs; i++)
		free(r->fprs[i]);
	free(r->fprs);
	for (i = 0; i < r->nmap; i++) {
		free(r->map[i].addr);
		free(r->map[i].fpr);
	}
	free(r->map);
	addrlist_free(&r->missing);
	memset(r, 0, sizeof *r);
}
