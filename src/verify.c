/*
 * verify.c - signature verdicts.  gpg's signatures (from a decryption
 * or a verification) are folded into one verdict: each signing key is
 * listed by its fingerprint, and its user IDs are compared with the
 * From the output shows (verdict.c).  A multipart/signed root is
 * verified over its canonical first part (pgpmime.c) against its
 * signature part, which is first spooled and checked to be one detached
 * signature (feed.c); a clear-signed body is fed to gpg as it is,
 * transfer-decoded.  S/MIME signatures (smimedec.c) are checked by
 * gpgsm on a CMS context of their own, opened only for S/MIME, and
 * folded here the same way, each judged by what the engine learnt of
 * its certificate on the gpgsm that verified it (verify_cert).  Only
 * the root, or the decrypted content's root, is ever verified
 * (decrypt.c).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "feed.h"
#include "gpg.h"
#include "input.h"
#include "limit.h"
#include "log.h"
#include "pgpmime.h"
#include "verdict.h"
#include "verify.h"
#include "xmalloc.h"

static int	verify_take(struct verify *, enum verdict_sig, const char *,
		    long long, int);
static int	verify_toomany(struct verify *,
		    const struct gpg_decrypt_result *);
static const struct gpg_key *verify_cert(const struct gpg_sig *,
		    struct gpg_key *, int *);

/* verify_gpg - see verify.h */
int
verify_gpg(struct verify *v)
{
	char err[GPG_ERRLEN];

	if (v->gpg == NULL &&
	    gpg_open(&v->gpg, v->homedir, err, sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

/* verify_cms - see verify.h */
int
verify_cms(struct verify *v)
{
	char err[GPG_ERRLEN];

	if (v->cms == NULL &&
	    gpg_open_cms(&v->cms, v->homedir, err, sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		return -1;
	}
	return 0;
}

/* verify_take - one signature's verdict sv into v when it is the worst
 * so far; signer is what the header names, issuer: no key named it.
 * 1: taken */
static int
verify_take(struct verify *v, enum verdict_sig sv, const char *signer,
    long long created, int issuer)
{
	if (v->verdict != VERDICT_SIG_NONE && sv <= v->verdict)
		return 0;
	v->verdict = verdict_worse(v->verdict, sv);
	snprintf(v->signer, sizeof v->signer, "%s", signer);
	v->created = created;
	v->issuer = issuer;
	v->unchecked = 0;
	return 1;
}

/* verify_toomany - no mailer signs this often; each signature would
 * cost a key listing (a gpg process): bad, nobody named */
static int
verify_toomany(struct verify *v, const struct gpg_decrypt_result *r)
{
	if (r->nsigs <= LIMIT_SIGNATURES)
		return 0;
	v->verdict = VERDICT_SIG_BAD;
	v->signer[0] = '\0';
	v->created = 0;
	return 1;
}

/* verify_sigs - see verify.h; each signing key is looked up by its
 * fingerprint to compare its user IDs with from */
int
verify_sigs(struct verify *v, const struct gpg_decrypt_result *r,
    const char *from)
{
	struct gpg_keylist keys;
	char err[GPG_ERRLEN], *pat[1];
	size_t i;

	if (verify_toomany(v, r))
		return 0;
	for (i = 0; i < r->nsigs; i++) {
		const struct gpg_key *key = NULL;

		memset(&keys, 0, sizeof keys);
		if (r->sigs[i].status != GPG_SIG_NOKEY && r->sigs[i].fpr[0]) {
			pat[0] = r->sigs[i].fpr;
			if (gpg_keylist(v->gpg, pat, 1, 0, &keys, err,
			    sizeof err) != GPG_OK) {
				log_warnx("%s", err);
				return -1;
			}
			if (keys.n == 1)
				key = &keys.v[0];
		}
		verify_take(v, verdict_signature(&r->sigs[i], key, from),
		    key != NULL ? key->fpr : r->sigs[i].fpr,
		    r->sigs[i].created, key == NULL);
		gpg_keylist_free(&keys);
	}
	return 0;
}

/*
 * verify_cert - the signer certificate of s, as the engine learnt it on
 * the gpgsm that verified s (the home's certificates and those the
 * signature carries alike), in the shape verdict.c judges: its email
 * addresses are its user IDs, full only for a chain valid up to a root
 * of trustlist.txt; an untrusted or unchecked chain, or an expired
 * certificate, is never better than good-untrusted.  full: room for
 * s->nemails flags.  NULL when gpgsm named no certificate.
 */
static const struct gpg_key *
verify_cert(const struct gpg_sig *s, struct gpg_key *k, int *full)
{
	size_t i;

	if (s->chain == GPG_CHAIN_NONE)
		return NULL;
	memset(k, 0, sizeof *k);
	k->fpr = s->fpr;
	k->x509 = 1;
	k->uids = s->emails;
	k->nuids = s->nemails;
	k->uidfull = full;
	k->expired = s->chain == GPG_CHAIN_EXPIRED;
	k->revoked = s->chain == GPG_CHAIN_REVOKED;
	k->untrusted = s->chain != GPG_CHAIN_TRUSTED;
	k->invalid = k->untrusted;
	k->usable = s->chain == GPG_CHAIN_TRUSTED;
	for (i = 0; i < s->nemails; i++)
		full[i] = k->usable;
	return k;
}

/*
 * verify_sigs_cms - see verify.h.  gpgsm names each signer by its
 * certificate's fingerprint, which is what signer= gives; the engine
 * gives its email addresses and chain (verify_cert).  A signature that
 * verifies by a certificate gpgsm named but without an address of from
 * is a mismatch.  A chain whose revocation could not be checked (no
 * CRL to be had) is logged: the verdict is good-untrusted at best.
 */
int
verify_sigs_cms(struct verify *v, const struct gpg_decrypt_result *r,
    const char *from)
{
	const struct gpg_sig *s;
	const struct gpg_key *key;
	struct gpg_key k;
	enum verdict_sig sv;
	int *full;
	size_t i;

	if (verify_toomany(v, r))
		return 0;
	for (i = 0; i < r->nsigs; i++) {
		s = &r->sigs[i];
		full = xcalloc(s->nemails + 1, sizeof *full);
		key = verify_cert(s, &k, full);
		sv = verdict_signature(s, key, from);
		if (sv == VERDICT_SIG_UNKNOWN_KEY &&
		    s->status != GPG_SIG_NOKEY)
			sv = VERDICT_SIG_MISMATCH;	/* not From's */
		if (s->chain == GPG_CHAIN_UNCHECKED &&
		    sv == VERDICT_SIG_GOOD_UNTRUSTED)
			log_warnx("S/MIME signer %s: the certificate's chain "
			    "could not be checked (no CRL to be had): "
			    "good-untrusted at best", s->fpr);
		if (verify_take(v, sv, s->fpr, s->created, s->fpr[0] == '\0'))
			v->unchecked = s->chain == GPG_CHAIN_UNCHECKED &&
			    sv == VERDICT_SIG_GOOD_UNTRUSTED;
		free(full);
	}
	return 0;
}

/* verify_mime - see verify.h */
int
verify_mime(struct verify *v, struct input *in,
    const struct classify_span *span, const char *from)
{
	struct pgpmime_inner *text;
	struct feed_src *sig;
	struct gpg_decrypt_result res;
	struct gpg_io tio, sio;
	char err[GPG_ERRLEN];
	enum gpg_status st;
	int r = -1;
	int shape = 0;

	/* two readers on one input: each seeks before it reads */
	text = xcalloc(1, sizeof *text);
	sig = xcalloc(1, sizeof *sig);
	sig->in = in;
	sig->left = span->siglen;
	/* no signature is that long, and one that is no detached signature
	 * could keep gpg busy until it is killed: a bad one, not a retry */
	if (span->siglen <= LIMIT_SIGNATURE && (feed_spool(in,
	    span->sigoff, span->siglen, sig) == -1 ||
	    (shape = feed_sig_shape(sig->in)) == -1)) {
		log_warn("cannot read the signed message");
		goto out;
	}
	if (shape == 0) {
		v->verdict = VERDICT_SIG_BAD;
		v->signer[0] = '\0';
		v->created = 0;
		r = 0;
		goto out;
	}
	if (verify_gpg(v) == -1)
		goto out;
	memset(&tio, 0, sizeof tio);
	memset(&sio, 0, sizeof sio);
	tio.read = pgpmime_inner_read;
	sio.read = feed_read;
	tio.rcookie = text;
	sio.rcookie = sig;
	if (input_seek(in, span->off) == -1 ||
	    pgpmime_canon_init(text, in, span->len) == -1) {
		log_warn("cannot read the signed message");
		goto out;
	}
	st = gpg_verify(v->gpg, &tio, &sio, &res, err, sizeof err);
	if (text->err != 0 || sig->err != 0) {
		errno = text->err != 0 ? text->err : sig->err;
		log_warn("cannot read the signed message");
	} else if (st != GPG_OK)
		log_warnx("%s", err);
	else
		r = verify_sigs(v, &res, from);
	gpg_decrypt_result_free(&res);
out:
	if (sig->in != in)
		input_close(sig->in);
	free(text);
	free(sig);
	return r;
}

/* verify_clear - see verify.h */
int
verify_clear(struct verify *v, struct input *in,
    const struct classify_span *span, const char *from)
{
	struct feed_src *src;
	struct gpg_decrypt_result res;
	struct gpg_io io;
	char err[GPG_ERRLEN];
	enum gpg_status st;
	int r = -1;

	if (verify_gpg(v) == -1)
		return -1;
	if (input_seek(in, span->off) == -1) {
		log_warn("cannot read the signed message");
		return -1;
	}
	src = xmalloc(sizeof *src);
	feed_init(src, in, span);
	memset(&io, 0, sizeof io);
	io.read = feed_read;
	io.rcookie = src;
	st = gpg_verify(v->gpg, NULL, &io, &res, err, sizeof err);
	if (src->err != 0) {
		errno = src->err;
		log_warn("cannot read the signed message");
	} else if (st != GPG_OK)
		log_warnx("%s", err);
	else if (src->dec.ambiguous)
		/* readers decode this body differently: what one shows
		 * is not what was verified, so nothing counts as signed */
		r = 0;
	else
		r = verify_sigs(v, &res, from);
	gpg_decrypt_result_free(&res);
	free(src);
	return r;
}
