/*
 * keys.c - the keys mailseal would use, as the operator asks about
 * them: `mailseal keys` (which key each address gets, or why none, and
 * when it expires) and whether the configured signer can sign.
 *
 * Addresses are read and matched as the filter reads and matches
 * recipients (addr_mailbox_parse, addr_canon, recip_resolve with the
 * configuration's recipient_delimiter), from one key listing.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "gpg.h"
#include "keys.h"
#include "limit.h"
#include "log.h"
#include "recip.h"
#include "wkd.h"
#include "xmalloc.h"

#define KEYS_DAY	86400

/* One run of `mailseal keys`. */
struct keys_job {
	const struct keys_opts	*opts;
	struct config		 cfg;
	int			 havecfg;
	struct addrlist		 addrs;		/* canonical, distinct */
	struct gpg_keylist	 keys;
	struct recip_index	*ix;		/* of keys, built once */
	time_t			 now;
	int			 nousable;	/* an address without a key */
	int			 anyusable;
	int			 expiring;	/* a key expires soon */
	struct addrlist		 unreadable;	/* --wkd: served a key gpg
						 * cannot read */
};

static enum outcome	keys_signer_find(struct gpg *, const char *,
			    struct gpg_keylist *, const struct gpg_key **,
			    char *, size_t);
static void		keys_signer_why(const char *,
			    const struct gpg_keylist *, char *, size_t);
static enum outcome	keys_setup(struct keys_job *);
static enum outcome	keys_list(struct keys_job *);
static void		keys_show(struct keys_job *, const char *);
static void		keys_usable(struct keys_job *, const char *,
			    const char *);
static void		keys_unusable(struct keys_job *, const char *);
static const char	*keys_day(long long, char *, size_t);

/*
 * keys_signer_why - why no key of the listing can sign for who: the
 * newest key that names it, as recip_explain() judges keys, or none
 */
static void
keys_signer_why(const char *who, const struct gpg_keylist *keys, char *why,
    size_t whysz)
{
	const struct gpg_key *k = NULL;
	struct recip_reason r;
	char text[GPG_ERRLEN];
	size_t i;

	for (i = 0; k == NULL && i < keys->n; i++)
		if (strcasecmp(keys->v[i].fpr, who) == 0)
			k = &keys->v[i];
	if (k == NULL && strchr(who, '@') != NULL) {
		recip_explain(who, keys, &r);
		if (r.why == RECIP_NOKEY || r.why == RECIP_USABLE) {
			snprintf(why, whysz, "signer %.200s: %s", who, r.why ==
			    RECIP_NOKEY ? "no key for the address" :
			    "the key cannot sign");
			return;
		}
		snprintf(why, whysz, "signer %.200s: %s", who,
		    recip_reason_text(&r, text, sizeof text));
		return;
	}
	if (k == NULL)
		snprintf(why, whysz, "signer %.200s: no such key", who);
	else if (k->usable)
		snprintf(why, whysz, "signer %.200s: key %s cannot sign", who,
		    k->fpr);
	else
		snprintf(why, whysz, "signer %.200s: key %s is %s", who, k->fpr,
		    k->revoked ? "revoked" : k->expired ? "expired" :
		    k->disabled ? "disabled" : "invalid");
}

/*
 * keys_signer_find - the one usable signing key of who, with its secret
 * part when gpg lists one; else the public key, so that the signature
 * tells "no secret key" from a gpg-agent that could not be reached, as
 * encrypt --sign does
 */
static enum outcome
keys_signer_find(struct gpg *g, const char *who, struct gpg_keylist *keys,
    const struct gpg_key **key, char *why, size_t whysz)
{
	char pat[LIMIT_PAT], *pats[1] = { pat };
	enum gpg_status st;
	int n, secret;

	n = snprintf(pat, sizeof pat, "%s%s",
	    strchr(who, '@') != NULL ? "*" : "", who);
	if (n < 0 || (size_t)n >= sizeof pat) {
		snprintf(why, whysz, "signer: too long");
		return OUTCOME_NOSIGNER;
	}
	for (secret = 1; secret >= 0; secret--) {
		st = gpg_keylist(g, pats, 1, secret, keys, why, whysz);
		if (st != GPG_OK) {
			gpg_keylist_free(keys);
			return OUTCOME_TEMPFAIL;
		}
		if ((n = recip_signer(who, keys, secret, key)) > 1) {
			snprintf(why, whysz, "signer %.200s: %d keys can "
			    "sign, name one by its fingerprint", who, n);
			gpg_keylist_free(keys);
			return OUTCOME_NOSIGNER;
		}
		if (n == 1)
			return OUTCOME_OK;
		if (secret == 0)
			keys_signer_why(who, keys, why, whysz);
		gpg_keylist_free(keys);
	}
	return OUTCOME_NOSIGNER;
}

/* keys_signer_check - see keys.h */
enum outcome
keys_signer_check(struct gpg *g, const char *signer, char *why, size_t whysz)
{
	struct gpg_keylist keys;
	const struct gpg_key *k;
	enum outcome o;

	if ((o = keys_signer_find(g, signer, &keys, &k, why, whysz)) !=
	    OUTCOME_OK)
		return o;
	switch (gpg_sign_check(g, k, why, whysz)) {
	case GPG_OK:
		o = OUTCOME_OK;
		break;
	case GPG_NOSECKEY:
		o = OUTCOME_NOSIGNER;
		break;
	default:
		o = OUTCOME_TEMPFAIL;
		break;
	}
	gpg_keylist_free(&keys);
	return o;
}

/* keys_day - a time as YYYY-MM-DD (UTC), or "never" for 0 */
static const char *
keys_day(long long t, char *buf, size_t bufsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%d", &tm) == 0)
		snprintf(buf, bufsz, "%s", t <= 0 ? "never" : "?");
	return buf;
}

/*
 * keys_setup - the configuration (-c; without it and --homedir, the
 * default when it exists), its recipient delimiters, and the addresses given, canonical and
 * each once
 */
static enum outcome
keys_setup(struct keys_job *j)
{
	const struct keys_opts *o = j->opts;
	char err[CONFIG_ERRLEN], esc[LIMIT_ADDR_SPEC * 4 + 8], *spec, *c;
	enum addr_err e;
	size_t i;

	/* the default file names the gateway's home; --homedir another */
	if (o->config != NULL || (o->homedir == NULL &&
	    (access(CONFIG_DEFAULT_PATH, F_OK) == 0 || errno != ENOENT))) {
		j->havecfg = 1;
		if (config_load(&j->cfg, o->config, err, sizeof err) == -1) {
			log_warnx("keys: %s", err);
			return OUTCOME_CONFIG;
		}
		(void)addr_delimiters_set(j->cfg.recipient_delimiter != NULL ?
		    j->cfg.recipient_delimiter : "");
	}
	if (o->naddrs > LIMIT_RECIPIENTS) {
		log_warnx("keys: more addresses than the limit "
		    "(LIMIT_RECIPIENTS, %d)", LIMIT_RECIPIENTS);
		return OUTCOME_USAGE;
	}
	for (i = 0; i < o->naddrs; i++) {
		if ((e = addr_mailbox_parse(o->addrs[i], &spec)) != ADDR_OK) {
			log_warnx("keys: %s: %s", log_escape(o->addrs[i], esc,
			    sizeof esc), addr_strerror(e));
			return OUTCOME_USAGE;
		}
		c = addr_canon(spec);
		if (!addrlist_has(&j->addrs, c))
			addrlist_add(&j->addrs, c);
		free(c);
		free(spec);
	}
	return OUTCOME_OK;
}

/* keys_wkd - --wkd: the addresses without a usable key looked up, and
 * listed again when one was found: 0, or -1 after one line */
static int
keys_wkd(struct keys_job *j, struct gpg *g)
{
	struct recip rec;
	int r;

	recip_resolve(&j->addrs, &j->keys, &rec);
	r = rec.missing.n == 0 ? 0 : wkd_refresh(g, &j->addrs,
	    j->havecfg ? j->cfg.wkd_timeout : WKD_TIMEOUT, &j->keys, &rec,
	    &j->unreadable);
	recip_free(&rec);
	return r;
}

/* keys_list - the one key listing: the addresses' keys, or all */
static enum outcome
keys_list(struct keys_job *j)
{
	struct addrlist pat = { NULL, 0 };
	struct gpg *g;
	char err[GPG_ERRLEN];
	const char *home;
	enum gpg_status st;

	home = j->opts->homedir != NULL ? j->opts->homedir :
	    j->havecfg ? j->cfg.homedir : NULL;
	if (gpg_open(&g, home, err, sizeof err) != GPG_OK) {
		log_warnx("keys: %s", err);
		return OUTCOME_TEMPFAIL;
	}
	if (j->addrs.n > 0) {
		recip_patterns(&j->addrs, &pat);
		st = gpg_keylist_enc(g, pat.v, pat.n, &j->keys, err,
		    sizeof err);
		addrlist_free(&pat);
		if (st == GPG_OK && j->opts->wkd && keys_wkd(j, g) == -1) {
			gpg_close(g);
			return OUTCOME_TEMPFAIL;
		}
	} else
		st = gpg_keylist_all(g, &j->keys, err, sizeof err);
	gpg_close(g);
	if (st == GPG_TOOMANY)
		log_warnx("keys: %s: name the addresses to look at", err);
	else if (st != GPG_OK)
		log_warnx("keys: %s", err);
	return st == GPG_OK ? OUTCOME_OK : OUTCOME_TEMPFAIL;
}

/* keys_usable - the line of a key that would be used for addr; with
 * --expiring only when it expires within that many days */
static void
keys_usable(struct keys_job *j, const char *esc, const char *fpr)
{
	const struct gpg_key *k;
	char day[32];

	if ((k = recip_index_key(j->ix, fpr)) == NULL)
		return;
	if (j->opts->expiring >= 0) {
		if (k->expires <= 0 || k->expires > (long long)j->now +
		    (long long)j->opts->expiring * KEYS_DAY)
			return;
		j->expiring = 1;
	}
	fprintf(j->opts->out, "%s  key=%s  encrypt=yes  expires=%s\n", esc,
	    k->fpr, keys_day(k->expires, day, sizeof day));
}

/* keys_unusable - the line of an address no key would be used for */
static void
keys_unusable(struct keys_job *j, const char *addr)
{
	struct recip_reason r;
	char esc[LIMIT_ADDR_SPEC * 4 + 8], text[GPG_ERRLEN];

	recip_explain_ix(addr, j->ix, &r);
	if (r.why == RECIP_NOKEY && addrlist_has(&j->unreadable, addr))
		r.why = RECIP_UNSUPPORTED;	/* WKD's key: gpg cannot read */
	fprintf(j->opts->out, "%s  key=-  encrypt=no  reason=%s  why=\"%s\"\n",
	    log_escape(addr, esc, sizeof esc), recip_why_name(r.why),
	    recip_reason_text(&r, text, sizeof text));
}

/* keys_show - the lines of one address: every key recip_resolve()
 * takes for it, or why there is none */
static void
keys_show(struct keys_job *j, const char *addr)
{
	struct addrlist one = { NULL, 0 };
	struct recip r;
	char esc[LIMIT_ADDR_SPEC * 4 + 8];
	size_t i;

	addrlist_add(&one, addr);
	recip_resolve_ix(&one, j->ix, &r);
	addrlist_free(&one);
	if (r.nfprs == 0) {
		j->nousable = 1;
		if (j->opts->expiring < 0)
			keys_unusable(j, addr);
	} else
		j->anyusable = 1;
	(void)log_escape(addr, esc, sizeof esc);
	for (i = 0; i < r.nfprs; i++)
		keys_usable(j, esc, r.fprs[i]);
	recip_free(&r);
}

/* keys_run - see keys.h */
enum outcome
keys_run(const struct keys_opts *o)
{
	struct keys_job j;
	enum outcome rc;
	size_t i;
	int named = o->naddrs > 0;

	memset(&j, 0, sizeof j);
	j.opts = o;
	if ((rc = keys_setup(&j)) != OUTCOME_OK ||
	    (rc = keys_list(&j)) != OUTCOME_OK)
		goto out;
	/* one index: each address costs a binary search, not a pass
	 * over every user ID (LIMIT_KEYS keys, all their addresses) */
	j.ix = recip_index_new(&j.keys);
	if (!named)	/* every address of a valid user ID, each once */
		recip_index_addrs(j.ix, &j.addrs);
	j.now = time(NULL);
	for (i = 0; i < j.addrs.n; i++)
		keys_show(&j, j.addrs.v[i]);
	if (fflush(o->out) == EOF || ferror(o->out)) {
		log_warn("keys: standard output");
		rc = OUTCOME_TEMPFAIL;
	} else if (o->expiring >= 0)
		rc = j.expiring ? OUTCOME_EXPIRING : OUTCOME_OK;
	else if (named ? j.nousable : !j.anyusable)
		rc = OUTCOME_NOUSER_KEYS;
out:
	recip_index_free(j.ix);
	gpg_keylist_free(&j.keys);
	addrlist_free(&j.addrs);
	addrlist_free(&j.unreadable);
	if (j.havecfg)
		config_free(&j.cfg);
	return rc;
}
