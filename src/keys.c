/*
 * keys.c - the keys mailseal would use, as the operator asks about
 * them: `mailseal keys` (which OpenPGP key or X.509 certificate each
 * address gets, or why none, and when it expires) and whether the
 * configured signer can sign.
 *
 * Addresses are read and matched as the filter reads and matches
 * recipients (addr_mailbox_parse, addr_canon, recip_resolve with the
 * configuration's recipient_delimiter), from one key listing and, unless
 * the configuration says smime = no, one certificate listing (gpgsm).
 * An address with both a usable key and a usable certificate gets the
 * format of format_preference.
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
	int			 smime;		/* certificates consulted */
	enum format		 pref;		/* when an address has both */
	struct gpg_keylist	 certs;		/* gpgsm's listing */
	struct recip_index	*cix;		/* of certs */
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
static enum outcome	keys_list_cms(struct keys_job *, const char *);
static void		keys_usable(struct keys_job *, const char *,
			    const struct recip_index *, const char *);
static void		keys_unusable(struct keys_job *, const char *);
static void		keys_noemail(struct keys_job *);
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
		j->smime = j->cfg.smime;
		j->pref = j->cfg.format_preference;
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
	if (st != GPG_OK)
		return OUTCOME_TEMPFAIL;
	return j->smime ? keys_list_cms(j, home) : OUTCOME_OK;
}

/* keys_list_cms - the one certificate listing (gpgsm, validated: chain,
 * expiry, CRL): the addresses' certificates, or all */
static enum outcome
keys_list_cms(struct keys_job *j, const char *home)
{
	struct addrlist pat = { NULL, 0 };
	struct gpg *g;
	char err[GPG_ERRLEN];
	enum gpg_status st;

	if ((st = gpg_open_cms(&g, home, err, sizeof err)) == GPG_NOENGINE) {
		/* not installed: the keys alone, as with smime = no */
		log_warnx("keys: %s: certificates are not listed", err);
		j->smime = 0;
		return OUTCOME_OK;
	}
	if (st != GPG_OK) {
		log_warnx("keys: %s (smime = no in the configuration does "
		    "without certificates)", err);
		return OUTCOME_TEMPFAIL;
	}
	if (j->addrs.n > 0) {
		recip_patterns(&j->addrs, &pat);
		st = gpg_keylist_enc(g, pat.v, pat.n, &j->certs, err,
		    sizeof err);
		addrlist_free(&pat);
	} else
		st = gpg_keylist_all(g, &j->certs, err, sizeof err);
	gpg_close(g);
	if (st == GPG_TOOMANY)
		log_warnx("keys: %s: name the addresses to look at", err);
	else if (st != GPG_OK)
		log_warnx("keys: %s", err);
	return st == GPG_OK ? OUTCOME_OK : OUTCOME_TEMPFAIL;
}

/* keys_usable - the line of a key (of the listing ix indexes) that
 * would be used for addr; with --expiring only when it expires within
 * that many days */
static void
keys_usable(struct keys_job *j, const char *esc, const struct recip_index *ix,
    const char *fpr)
{
	const struct gpg_key *k;
	char day[32];

	if ((k = recip_index_key(ix, fpr)) == NULL)
		return;
	if (j->opts->expiring >= 0) {
		if (k->expires <= 0 || k->expires > (long long)j->now +
		    (long long)j->opts->expiring * KEYS_DAY)
			return;
		j->expiring = 1;
	}
	fprintf(j->opts->out, "%s  %s=%s  encrypt=yes  expires=%s\n", esc,
	    k->x509 ? "cert" : "key", k->fpr,
	    keys_day(k->expires, day, sizeof day));
}

/* keys_reason - the line of one unusable explanation */
static void
keys_reason(struct keys_job *j, const char *esc, const char *field,
    const struct recip_reason *r)
{
	char text[GPG_ERRLEN];

	fprintf(j->opts->out, "%s  %s=-  encrypt=no  reason=%s  why=\"%s\"\n",
	    esc, field, recip_why_name(r->why),
	    recip_reason_text(r, text, sizeof text));
}

/* keys_unusable - the lines of an address nothing would be used for:
 * why not its OpenPGP key, and why not its certificate when it has one
 * (an address with neither gets the one no-key line) */
static void
keys_unusable(struct keys_job *j, const char *addr)
{
	struct recip_reason r, c;
	char esc[LIMIT_ADDR_SPEC * 4 + 8];

	(void)log_escape(addr, esc, sizeof esc);
	recip_explain_ix(addr, j->ix, &r);
	if (r.why == RECIP_NOKEY && addrlist_has(&j->unreadable, addr))
		r.why = RECIP_UNSUPPORTED;	/* WKD's key: gpg cannot read */
	c.why = RECIP_NOKEY;
	if (j->cix != NULL)
		recip_explain_ix(addr, j->cix, &c);
	if (r.why != RECIP_NOKEY || c.why == RECIP_NOKEY)
		keys_reason(j, esc, "key", &r);
	if (c.why != RECIP_NOKEY)
		keys_reason(j, esc, "cert", &c);
}

/* keys_noemail - without addresses: the valid certificates for mail
 * (ones that can sign or encrypt: not a CA's) that name no email
 * address, which no recipient can ever match */
static void
keys_noemail(struct keys_job *j)
{
	const struct gpg_key *k;
	struct recip_reason r;
	size_t i;

	for (i = 0; i < j->certs.n; i++) {
		k = &j->certs.v[i];
		if (k->nuids > 0 || !(k->can_encrypt || k->can_sign))
			continue;
		memset(&r, 0, sizeof r);
		r.why = RECIP_NOEMAIL;
		r.x509 = 1;
		snprintf(r.fpr, sizeof r.fpr, "%s", k->fpr);
		keys_reason(j, "-", "cert", &r);
	}
}

/* keys_show - the lines of one address: every key (or certificate)
 * the filter would take for it, or why there is none */
static void
keys_show(struct keys_job *j, const char *addr)
{
	struct addrlist one = { NULL, 0 };
	struct recip r, c;
	const struct recip *use = &r;
	const struct recip_index *ix = j->ix;
	char esc[LIMIT_ADDR_SPEC * 4 + 8];
	size_t i;

	addrlist_add(&one, addr);
	recip_resolve_ix(&one, j->ix, &r);
	memset(&c, 0, sizeof c);
	if (j->cix != NULL)
		recip_resolve_ix(&one, j->cix, &c);
	addrlist_free(&one);
	if (c.nfprs > 0 && (r.nfprs == 0 || j->pref == FORMAT_SMIME)) {
		use = &c;
		ix = j->cix;
	}
	if (use->nfprs == 0) {
		j->nousable = 1;
		if (j->opts->expiring < 0)
			keys_unusable(j, addr);
	} else
		j->anyusable = 1;
	(void)log_escape(addr, esc, sizeof esc);
	for (i = 0; i < use->nfprs; i++)
		keys_usable(j, esc, ix, use->fprs[i]);
	recip_free(&r);
	recip_free(&c);
}

/* keys_addrs - without addresses: every address of a valid user ID and
 * of a certificate, each once, sorted (a merge of the two sorted
 * lists: LIMIT_KEYS of each is not quadratic) */
static void
keys_addrs(struct keys_job *j)
{
	struct addrlist a = { NULL, 0 }, b = { NULL, 0 };
	size_t i = 0, k = 0;
	int c;

	recip_index_addrs(j->ix, &a);
	if (j->cix != NULL)
		recip_index_addrs(j->cix, &b);
	while (i < a.n || k < b.n) {
		c = i == a.n ? 1 : k == b.n ? -1 : strcmp(a.v[i], b.v[k]);
		addrlist_add(&j->addrs, c <= 0 ? a.v[i] : b.v[k]);
		i += c <= 0;
		k += c >= 0;
	}
	addrlist_free(&a);
	addrlist_free(&b);
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
	j.smime = 1;
	j.pref = FORMAT_OPENPGP;
	if ((rc = keys_setup(&j)) != OUTCOME_OK ||
	    (rc = keys_list(&j)) != OUTCOME_OK)
		goto out;
	/* one index: each address costs a binary search, not a pass
	 * over every user ID (LIMIT_KEYS keys, all their addresses) */
	j.ix = recip_index_new(&j.keys);
	if (j.smime)
		j.cix = recip_index_new(&j.certs);
	if (!named)	/* every address of a valid user ID, each once */
		keys_addrs(&j);
	j.now = time(NULL);
	if (!named && o->expiring < 0)
		keys_noemail(&j);
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
	recip_index_free(j.cix);
	gpg_keylist_free(&j.keys);
	gpg_keylist_free(&j.certs);
	addrlist_free(&j.addrs);
	addrlist_free(&j.unreadable);
	if (j.havecfg)
		config_free(&j.cfg);
	return rc;
}
