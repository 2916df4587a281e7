/*
 * decide.c - the decision per envelope recipient (decide.h).
 *
 * policy_lookup() gives each recipient its policy; the recipients whose
 * policy is not none are looked up in ONE key listing (recip_patterns;
 * a long-lived process's cached listing of every key, keycache.c, when
 * it has one) and resolved in ONE pass (recip_resolve: exact user IDs,
 * the +tag fallback); a recipient left without a key gets recip_explain()'s
 * reason (no key, expired with its date, revoked, no encryption subkey,
 * disabled, invalid), which the log line, --check and a refusal print.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "autocrypt.h"
#include "decide.h"
#include "gpghome.h"
#include "keycache.h"
#include "log.h"
#include "rfc5322.h"
#include "wkd.h"
#include "xmalloc.h"

#define ESCBUF	512

/* decide_policies - see decide.h */
enum outcome
decide_policies(struct decisions *d, const struct policy_map *map,
    const struct config *cfg, char *const *rcpts, size_t n)
{
	char esc[ESCBUF], *spec;
	size_t i;

	d->v = xcalloc(n > 0 ? n : 1, sizeof *d->v);
	for (i = 0; i < n; i++) {
		if (addr_mailbox_parse(rcpts[i], &spec) != ADDR_OK) {
			/* the MTA's command line is wrong: defer */
			log_dsn(OUTCOME_USAGE, "recipient %s: not an address",
			    log_escape(rcpts[i], esc, sizeof esc));
			return OUTCOME_USAGE;
		}
		d->v[d->n].addr = spec;
		d->v[d->n].policy = policy_lookup(map, spec,
		    cfg->default_policy, &d->v[d->n].entry);
		d->n++;
	}
	return OUTCOME_OK;
}

/* decide_assign - each recipient's keys from the one resolution, or
 * why it has none */
static void
decide_assign(struct decisions *d, const struct recip_index *ix)
{
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		struct decision *f = &d->v[i];
		if (f->policy == POLICY_NONE)
			continue;
		for (k = 0; k < d->rec.nmap; k++)
			if (addr_equal(d->rec.map[k].addr, f->addr) &&
			    !addrlist_has(&f->fprs, d->rec.map[k].fpr))
				addrlist_add(&f->fprs, d->rec.map[k].fpr);
		if (f->fprs.n == 0)
			recip_explain_ix(f->addr, ix, &f->reason);
	}
}

/* decide_resolve - the recipients in want resolved in the index of
 * one listing, and each without a key explained */
static void
decide_resolve(struct decisions *d, const struct addrlist *want,
    struct recip_index *ix)
{
	recip_resolve_ix(want, ix, &d->rec);
	decide_assign(d, ix);
}

/* decide_list - one listing of the patterns for want into d->keys, its
 * index and the resolution; 0, or -1 after one line */
static int
decide_list(struct decisions *d, const struct addrlist *want)
{
	struct addrlist pats = { NULL, 0 };
	struct recip_index *ix;
	char err[GPG_ERRLEN];
	int r = -1;

	recip_patterns(want, &pats);
	if (gpg_keylist_enc(d->gpg, pats.v, pats.n, &d->keys, err,
	    sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		goto out;
	}
	/* one index of the listing: each recipient a binary search */
	ix = recip_index_new(&d->keys);
	decide_resolve(d, want, ix);
	recip_index_free(ix);
	r = 0;
out:
	addrlist_free(&pats);
	return r;
}

/* decide_keys - see decide.h */
enum outcome
decide_keys(struct decisions *d, const struct config *cfg, struct gpg **gpg,
    struct keycache *kc)
{
	struct addrlist want = { NULL, 0 };
	struct recip_index *ix;
	char err[GPG_ERRLEN];
	enum outcome r = OUTCOME_TEMPFAIL;
	enum gpg_status st = GPG_TOOMANY;
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].policy != POLICY_NONE &&
		    !addrlist_has(&want, d->v[i].addr))
			addrlist_add(&want, d->v[i].addr);
	if (want.n == 0)
		return OUTCOME_OK;
	if (*gpg == NULL &&
	    gpg_open(gpg, cfg->homedir, err, sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		goto out;
	}
	d->gpg = *gpg;
	/* the cached listing of every key (smtpd), unless the keyring is
	 * too big to cache */
	if (kc != NULL && (st = keycache_get(kc, d->gpg, &ix, err,
	    sizeof err)) == GPG_OK) {
		d->noring = keycache_noring(kc);
		decide_resolve(d, &want, ix);
	} else if (st != GPG_TOOMANY) {
		log_warnx("%s", err);
		goto out;
	} else {
		/* no keyring at all: everybody gets clear text; say so in
		 * the log line, cheaply (no gpg run) */
		d->noring = gpghome_keyring_empty(cfg->homedir) == 1;
		if (decide_list(d, &want) == -1)
			goto out;
	}
	/* wkd = yes: the recipients left without a key looked up */
	if (wkd_decide(d, cfg) == -1)
		goto out;
	/* opportunistic recipients without a key: Autocrypt's, if any */
	if (cfg->autocrypt_learn && !d->rcpttime &&
	    autocrypt_decide(d, cfg) == -1)
		goto out;
	r = OUTCOME_OK;
out:
	addrlist_free(&want);
	return r;
}

/* decide_wants_cert - f is looked up as a certificate: its policy is
 * not none, and it has no OpenPGP key or S/MIME is preferred */
static int
decide_wants_cert(const struct decision *f, const struct config *cfg)
{
	return f->policy != POLICY_NONE && (f->fprs.n == 0 ||
	    cfg->format_preference == FORMAT_SMIME);
}

/* decide_take_certs - each recipient looked up gets its certificates
 * from the resolution d->crec (when it has no key, or S/MIME is
 * preferred), or the reason it has none (index ix) */
static void
decide_take_certs(struct decisions *d, const struct config *cfg,
    const struct recip_index *ix)
{
	struct addrlist certs;
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		struct decision *f = &d->v[i];
		if (!decide_wants_cert(f, cfg))
			continue;
		f->certlooked = 1;
		memset(&certs, 0, sizeof certs);
		for (k = 0; k < d->crec.nmap; k++)
			if (addr_equal(d->crec.map[k].addr, f->addr) &&
			    !addrlist_has(&certs, d->crec.map[k].fpr))
				addrlist_add(&certs, d->crec.map[k].fpr);
		if (certs.n == 0) {
			recip_explain_ix(f->addr, ix, &f->creason);
			f->creason.x509 = 1;	/* "no certificate" */
			continue;
		}
		/* a certificate the gateway's keybox holds over a key
		 * Autocrypt or WKD found, when S/MIME is preferred */
		addrlist_free(&f->fprs);
		f->fprs = certs;
		f->format = FORMAT_SMIME;
		f->autocrypt = 0;
	}
}

/* decide_cert_list - one certificate listing of want's patterns into
 * d->certs, resolved into d->crec; 0, or -1 after one line */
static int
decide_cert_list(struct decisions *d, const struct config *cfg,
    struct gpg *cms, const struct addrlist *want)
{
	struct addrlist pats = { NULL, 0 };
	struct recip_index *ix;
	char err[GPG_ERRLEN];
	enum gpg_status st;

	recip_patterns(want, &pats);
	st = gpg_keylist_enc(cms, pats.v, pats.n, &d->certs, err, sizeof err);
	addrlist_free(&pats);
	if (st != GPG_OK) {
		log_warnx("%s", err);
		return -1;
	}
	ix = recip_index_new(&d->certs);
	recip_resolve_ix(want, ix, &d->crec);
	decide_take_certs(d, cfg, ix);
	recip_index_free(ix);
	return 0;
}

/* decide_no_gpgsm - gpgsm is not installed: certificates are not
 * looked up (as with smime = no), which one line per process says; a
 * gpgsm that is there but fails is the message's 75, never this */
static void
decide_no_gpgsm(const char *err)
{
	static int said;

	if (!said)
		log_warnx("%s: certificates are not looked up (install gpgsm, "
		    "or say smime = no)", err);
	said = 1;
}

/* decide_certs - see decide.h */
enum outcome
decide_certs(struct decisions *d, const struct config *cfg, struct gpg **cms,
    struct keycache *cc)
{
	struct addrlist want = { NULL, 0 };
	struct recip_index *ix;
	char err[GPG_ERRLEN];
	enum outcome r = OUTCOME_TEMPFAIL;
	enum gpg_status st = GPG_TOOMANY, ost;
	size_t i;

	for (i = 0; cfg->smime && i < d->n; i++)
		if (decide_wants_cert(&d->v[i], cfg) &&
		    !addrlist_has(&want, d->v[i].addr))
			addrlist_add(&want, d->v[i].addr);
	if (want.n == 0)
		return OUTCOME_OK;	/* no gpgsm run */
	if (*cms == NULL && (ost = gpg_open_cms(cms, cfg->homedir, err,
	    sizeof err)) != GPG_OK) {
		if (ost == GPG_NOENGINE) {
			/* not installed: as smime = no, said once */
			decide_no_gpgsm(err);
			r = OUTCOME_OK;
		} else
			log_warnx("%s", err);
		goto out;
	}
	if (cc != NULL && (st = keycache_get(cc, *cms, &ix, err,
	    sizeof err)) == GPG_OK) {
		recip_resolve_ix(&want, ix, &d->crec);
		decide_take_certs(d, cfg, ix);
	} else if (st != GPG_TOOMANY) {
		log_warnx("%s", err);
		goto out;
	} else if (decide_cert_list(d, cfg, *cms, &want) == -1)
		goto out;
	r = OUTCOME_OK;
out:
	addrlist_free(&want);
	return r;
}

/* decide_refusal - see decide.h */
const char *
decide_refusal(const struct decision *f, char *buf, size_t bufsz)
{
	char key[256], cert[256];

	(void)recip_reason_text(&f->reason, key, sizeof key);
	if (!f->certlooked)
		(void)snprintf(buf, bufsz, "no usable OpenPGP key (%s)", key);
	else
		(void)snprintf(buf, bufsz, "no usable OpenPGP key (%s) or "
		    "certificate (%s)", key, recip_reason_text(&f->creason,
		    cert, sizeof cert));
	return buf;
}

/* decide_actions - see decide.h */
void
decide_actions(struct decisions *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		struct decision *f = &d->v[i];
		if (f->policy == POLICY_NONE)
			f->action = ACT_DELIVER;
		else if (f->fprs.n > 0)
			f->action = ACT_ENCRYPT;
		else
			f->action = f->policy == POLICY_REQUIRE ? ACT_REFUSE :
			    ACT_DELIVER;
	}
}

/* decide_all - see decide.h */
void
decide_all(struct decisions *d, const char *why)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		d->v[i].action = ACT_DELIVER;
		if (d->v[i].policy != POLICY_NONE)
			d->v[i].why = why;
	}
}

/* decide_resent - the newest block of Resent- fields: the first such
 * field and the run after it, which ends at a field of another name or
 * at a Resent- name seen in the run already (a second Resent-Date is
 * the next block: each block is prepended, RFC 5322 3.6.6); *first is
 * h->nfields when the message was never resent */
static void
decide_resent(const struct rfc5322_header *h, size_t *first, size_t *end)
{
	static const char *const names[] = { "Resent-Date", "Resent-From",
	    "Resent-Sender", "Resent-To", "Resent-Cc", "Resent-Bcc",
	    "Resent-Message-ID" };
	unsigned int seen = 0;
	size_t i, k;

	for (i = 0; i < h->nfields &&
	    !rfc5322_has_prefix(&h->fields[i], "Resent-"); i++)
		;
	*first = i;
	for (; i < h->nfields && rfc5322_has_prefix(&h->fields[i],
	    "Resent-"); i++) {
		for (k = 0; k < sizeof names / sizeof names[0] &&
		    !rfc5322_is(&h->fields[i], names[k]); k++)
			;
		if (k < sizeof names / sizeof names[0]) {
			if (seen & (1U << k))
				break;
			seen |= 1U << k;
		}
	}
	*end = i;
}

/* decide_named - the addr-specs h names as this transmission's
 * recipients (decide_hidden), into named */
static void
decide_named(const struct rfc5322_header *h, struct addrlist *named)
{
	const struct rfc5322_field *f;
	struct addrlist one;
	size_t i, first, end, a, len;
	int resent;
	char *v;

	decide_resent(h, &first, &end);
	resent = first < h->nfields;
	for (i = resent ? first : 0; i < (resent ? end : h->nfields); i++) {
		f = &h->fields[i];
		if (resent ? !rfc5322_is(f, "Resent-To") &&
		    !rfc5322_is(f, "Resent-Cc") :
		    !rfc5322_is(f, "To") && !rfc5322_is(f, "Cc"))
			continue;
		memset(&one, 0, sizeof one);
		v = rfc5322_unfold(f, &len);
		if (addr_list_parse(v, len, &one) == ADDR_OK)
			for (a = 0; a < one.n; a++)
				addrlist_add(named, one.v[a]);
		free(v);
		addrlist_free(&one);
	}
}

/* decide_hidden - see decide.h */
size_t
decide_hidden(struct decisions *d, const struct rfc5322_header *h)
{
	struct addrlist named = { NULL, 0 };
	struct addrset vis;
	size_t i, n = 0;

	decide_named(h, &named);
	/* a header may name 150000 addresses: one sorted set */
	addrset_build(&vis, &named);
	addrlist_free(&named);
	for (i = 0; i < d->n; i++) {
		/* Autocrypt's keys live in a home of their own */
		d->v[i].own = d->v[i].action == ACT_ENCRYPT &&
		    (d->v[i].autocrypt || !addrset_has(&vis, d->v[i].addr));
		n += d->v[i].own;
	}
	addrset_free(&vis);
	return n;
}

static int
decide_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* decide_recip - see decide.h */
void
decide_recip(const struct decisions *d, const size_t *idx, size_t n,
    struct recip *r)
{
	const struct decision *f;
	size_t i, k, nf;

	memset(r, 0, sizeof *r);
	for (i = 0; i < n; i++) {
		f = &d->v[idx[i]];
		for (k = 0; k < f->fprs.n; k++) {
			r->map = xappend(r->map, r->nmap, sizeof *r->map);
			r->map[r->nmap].addr = xstrdup(f->addr);
			r->map[r->nmap++].fpr = xstrdup(f->fprs.v[k]);
			r->fprs = xappend(r->fprs, r->nfprs, sizeof *r->fprs);
			r->fprs[r->nfprs++] = xstrdup(f->fprs.v[k]);
		}
	}
	/* distinct keys: sorted, not a search per key */
	if (r->nfprs > 1)
		qsort(r->fprs, r->nfprs, sizeof *r->fprs, decide_strcmp);
	for (i = nf = 0; i < r->nfprs; i++) {
		if (nf > 0 && strcmp(r->fprs[nf - 1], r->fprs[i]) == 0)
			free(r->fprs[i]);
		else
			r->fprs[nf++] = r->fprs[i];
	}
	r->nfprs = nf;
}

/* decide_count - how many recipients have this action */
size_t
decide_count(const struct decisions *d, enum action a)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += d->v[i].action == a;
	return n;
}

/* decide_action_name - the action as a log token */
const char *
decide_action_name(enum action a)
{
	switch (a) {
	case ACT_PENDING:
		return "-";
	case ACT_DELIVER:
		return "deliver";
	case ACT_ENCRYPT:
		return "encrypt";
	case ACT_REFUSE:
		return "refuse";
	}
	return "?";
}

/* decide_needs_why - f gets clear text although its policy is not none */
static int
decide_needs_why(const struct decision *f)
{
	return f->policy != POLICY_NONE && (f->action == ACT_DELIVER ||
	    f->action == ACT_REFUSE);
}

/* decide_why - see decide.h */
const char *
decide_why(const struct decision *f, char *buf, size_t bufsz)
{
	if (!decide_needs_why(f))
		return NULL;
	if (f->why != NULL)
		return strcmp(f->why, DECIDE_NOTMSG) == 0 ?
		    "not a message that can be encrypted" :
		    "the message is already encrypted";
	return recip_reason_text(&f->reason, buf, bufsz);
}

/* decide_why_name - see decide.h */
const char *
decide_why_name(const struct decision *f)
{
	if (!decide_needs_why(f))
		return NULL;
	return f->why != NULL ? f->why : recip_why_name(f->reason.why);
}

/* decide_free - release the decisions and the listing */
void
decide_free(struct decisions *d)
{
	size_t i;

	recip_free(&d->rec);
	gpg_keylist_free(&d->keys);
	recip_free(&d->crec);
	gpg_keylist_free(&d->certs);
	gpg_close(d->acgpg);
	for (i = 0; i < d->n; i++) {
		free(d->v[i].addr);
		addrlist_free(&d->v[i].fprs);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}
