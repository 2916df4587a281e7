/*
 * wkd.c - opt-in Web Key Directory lookups (wkd.h).
 *
 * For each recipient left without a usable key, one lookup, all of a
 * message's in one gpg_locate that runs LIMIT_WKD_PARALLEL at once (gpg
 * asks dirmngr, which fetches https://openpgpkey.DOMAIN/... or
 * https://DOMAIN/.well-known/openpgpkey/...; gpg imports the key with
 * the user ID of the address alone).  Then the found ones are listed
 * once and resolved as every recipient is: a key whose user IDs do not
 * equal the address is not used.  A key WKD served that gpg cannot read
 * (an OpenPGP v6 key) makes the recipient's reason unsupported-key.
 * The cost is one lookup per such recipient and message; smtpd's key
 * cache takes an imported key like any other, so later messages need
 * none.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "decide.h"
#include "log.h"
#include "wkd.h"
#include "xmalloc.h"

#define ESCBUF	512

/* wkd_askable - an address gpg can take as a mailbox: printable ASCII
 * without spaces, quotes or angle brackets (any other has no key to
 * find: gpg would refuse it) */
static int
wkd_askable(const char *a)
{
	const char *at = strrchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0' || a[0] == '-')
		return 0;
	for (; *a != '\0'; a++)
		if (*a <= 0x20 || *a >= 0x7f || strchr("\"<>()[]\\,;:", *a))
			return 0;
	return 1;
}

/* wkd_lookup - see wkd.h */
int
wkd_lookup(struct gpg *g, const struct addrlist *want, unsigned int timeout,
    enum gpg_locate *res, char *err, size_t errsz)
{
	struct addrlist ask = { NULL, 0 };
	enum gpg_locate *got;
	size_t i, k = 0;
	int r = 0;

	for (i = 0; i < want->n; i++)
		if (wkd_askable(want->v[i]))
			addrlist_add(&ask, want->v[i]);
	got = xcalloc(ask.n > 0 ? ask.n : 1, sizeof *got);
	if (ask.n > 0 && gpg_locate(g, ask.v, ask.n, timeout, got, err,
	    errsz) != GPG_OK)
		r = -1;
	for (i = 0; r == 0 && i < want->n; i++) {
		res[i] = GPG_LOC_NOTFOUND;
		if (k < ask.n && strcmp(ask.v[k], want->v[i]) == 0)
			res[i] = got[k++];
		log_debug("WKD lookup of %s: %s", want->v[i],
		    wkd_name(res[i]));
	}
	free(got);
	addrlist_free(&ask);
	return r;
}

/* wkd_name - see wkd.h */
const char *
wkd_name(enum gpg_locate r)
{
	switch (r) {
	case GPG_LOC_FOUND:
		return "found";
	case GPG_LOC_NOTFOUND:
		return "not-found";
	case GPG_LOC_UNREADABLE:
		return "unreadable";
	case GPG_LOC_NOMATCH:
		return "no-match";
	case GPG_LOC_NOSERVER:
		return "no-server";
	}
	return "?";
}

/* wkd_merge - each found recipient of d its keys in the resolution rec
 * of the found ones, or why none */
static void
wkd_merge(struct decisions *d, const struct recip *rec,
    const struct recip_index *ix)
{
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		struct decision *f = &d->v[i];
		if (f->wkd == NULL || strcmp(f->wkd, "found") != 0)
			continue;
		for (k = 0; k < rec->nmap; k++)
			if (addr_equal(rec->map[k].addr, f->addr) &&
			    !addrlist_has(&f->fprs, rec->map[k].fpr))
				addrlist_add(&f->fprs, rec->map[k].fpr);
		if (f->fprs.n == 0)
			recip_explain_ix(f->addr, ix, &f->reason);
	}
}

/* wkd_relist - the keys of the found addresses listed and resolved
 * into d: 0, or -1 after one line */
static int
wkd_relist(struct decisions *d, const struct addrlist *found)
{
	struct addrlist pats = { NULL, 0 };
	struct gpg_keylist keys;
	struct recip rec;
	struct recip_index *ix;
	char err[GPG_ERRLEN];

	recip_patterns(found, &pats);
	if (gpg_keylist_enc(d->gpg, pats.v, pats.n, &keys, err,
	    sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		addrlist_free(&pats);
		return -1;
	}
	addrlist_free(&pats);
	memset(&rec, 0, sizeof rec);
	ix = recip_index_new(&keys);
	recip_resolve_ix(found, ix, &rec);
	wkd_merge(d, &rec, ix);
	recip_index_free(ix);
	recip_free(&rec);
	gpg_keylist_free(&keys);
	return 0;
}

/* wkd_note - each recipient of d looked up as want->v[i] gets res[i];
 * the found ones go to found */
static void
wkd_note(struct decisions *d, const struct addrlist *want,
    const enum gpg_locate *res, struct addrlist *found)
{
	size_t i, k;

	for (k = 0; k < want->n; k++) {
		if (res[k] == GPG_LOC_FOUND)
			addrlist_add(found, want->v[k]);
		for (i = 0; i < d->n; i++) {
			struct decision *f = &d->v[i];
			if (f->policy == POLICY_NONE || f->fprs.n > 0 ||
			    !addr_equal(f->addr, want->v[k]))
				continue;
			f->wkd = wkd_name(res[k]);
			if (res[k] == GPG_LOC_UNREADABLE &&
			    f->reason.why == RECIP_NOKEY)
				f->reason.why = RECIP_UNSUPPORTED;
		}
	}
}

/* wkd_decide - see wkd.h */
int
wkd_decide(struct decisions *d, const struct config *cfg)
{
	struct addrlist want = { NULL, 0 }, found = { NULL, 0 };
	enum gpg_locate *res;
	char err[GPG_ERRLEN];
	size_t i;
	int r = -1;

	if (!cfg->wkd || d->gpg == NULL)
		return 0;
	for (i = 0; i < d->n; i++)
		if (d->v[i].policy != POLICY_NONE && d->v[i].fprs.n == 0 &&
		    !addrlist_has(&want, d->v[i].addr))
			addrlist_add(&want, d->v[i].addr);
	if (want.n == 0)
		return 0;
	res = xcalloc(want.n, sizeof *res);
	if (wkd_lookup(d->gpg, &want, cfg->wkd_timeout, res, err,
	    sizeof err) == -1) {
		log_warnx("%s", err);
		goto out;
	}
	wkd_note(d, &want, res, &found);
	if (found.n > 0 && wkd_relist(d, &found) == -1)
		goto out;
	r = 0;
out:
	free(res);
	addrlist_free(&want);
	addrlist_free(&found);
	return r;
}

/* wkd_refresh - see wkd.h */
int
wkd_refresh(struct gpg *g, const struct addrlist *rcpts,
    unsigned int timeout, struct gpg_keylist *keys, struct recip *rec,
    struct addrlist *unreadable)
{
	struct addrlist pats = { NULL, 0 };
	enum gpg_locate *res;
	char err[GPG_ERRLEN];
	size_t i, nfound = 0;
	int r = -1;

	res = xcalloc(rec->missing.n > 0 ? rec->missing.n : 1, sizeof *res);
	if (wkd_lookup(g, &rec->missing, timeout, res, err,
	    sizeof err) == -1) {
		log_warnx("%s", err);
		goto out;
	}
	for (i = 0; i < rec->missing.n; i++) {
		nfound += res[i] == GPG_LOC_FOUND;
		if (unreadable != NULL && res[i] == GPG_LOC_UNREADABLE)
			addrlist_add(unreadable, rec->missing.v[i]);
	}
	r = 0;
	if (nfound == 0)
		goto out;
	gpg_keylist_free(keys);
	recip_free(rec);
	recip_patterns(rcpts, &pats);
	if (gpg_keylist_enc(g, pats.v, pats.n, keys, err, sizeof err) !=
	    GPG_OK) {
		log_warnx("%s", err);
		r = -1;
	} else
		recip_resolve(rcpts, keys, rec);
	addrlist_free(&pats);
out:
	free(res);
	return r;
}
