/*
 * gpgcmsop.c - the CMS side of the operations gpgop.c hands over on a
 * context of gpg_open_cms (gpgcms.c): encryption (DER EnvelopedData,
 * AES-256-CBC), decryption, verification (detached and opaque) and the
 * micalg of a signature.  Each ends with gpg_cms_done: it counts only
 * when it ended at gpgsm's word (HACKING.md "How gpgsm failures are
 * caught").  Speaks GPGME (gpgint.h).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gpgme.h>

#include "gpg.h"
#include "gpgint.h"
#include "gpgio.h"
#include "gpgsup.h"
#include "limit.h"
#include "xmalloc.h"

static int	gpg_cms_dec_class(gpgme_error_t, enum gpg_dec *);
static void	gpg_cms_sigs(struct gpg *, struct gpg_decrypt_result *);
static enum gpg_chain gpg_cms_chain(gpgme_key_t, enum gpg_chain);
static void	gpg_cms_signer(gpgme_key_t, struct gpg_decrypt_result *);
static gpgme_error_t gpg_cms_signers(struct gpg *,
		    struct gpg_decrypt_result *, size_t *);
static int	gpg_cms_verified(struct gpg *, gpgme_error_t,
		    struct gpg_decrypt_result *, char *, size_t);

/* gpg_cms_encrypt - gpg_encrypt on a CMS context: DER EnvelopedData to
 * the certificates fprs, AES-256-CBC (the supervisor's cipher); no
 * signer, no hidden recipient (CMS has no such thing) */
enum gpg_status
gpg_cms_encrypt(struct gpg *g, char *const *fprs, const int *hidden,
    size_t n, const struct gpg_key *signer, int flags, struct gpg_io *io,
    char *err, size_t errsz)
{
	struct gpgme_data_cbs rcbs = { gpgio_read, NULL, NULL, NULL };
	struct gpgme_data_cbs wcbs = { NULL, gpgio_der, NULL, NULL };
	struct gpgio_der der = { io, { 0 }, { 0 }, 0 };
	gpgme_data_t plain = NULL, cipher = NULL;
	gpgme_encrypt_result_t res;
	gpgme_error_t e, why = 0;
	enum gpg_status st = GPG_TEMPFAIL;
	char *recp, bad[64] = "?";
	size_t i = 0;

	while (hidden != NULL && i < n && !hidden[i])
		i++;
	if (signer != NULL || (hidden != NULL && i < n)) {
		snprintf(err, errsz, "S/MIME encryption: no signer, no "
		    "hidden recipient");
		return GPG_TEMPFAIL;
	}
	recp = gpgio_recp(fprs, NULL, n);
	if ((e = gpgme_data_new_from_cbs(&plain, &rcbs, io)) ||
	    (e = gpgme_data_new_from_cbs(&cipher, &wcbs, &der))) {
		gpg_fail(e, "GPGME data", err, errsz);
		goto out;
	}
	(void)gpgme_data_set_flag(plain, "io-buffer-size", GPG_IO_STEP);
	(void)gpgme_data_set_flag(cipher, "io-buffer-size", GPG_IO_STEP);
	memset(&g->seen, 0, sizeof g->seen);
	gpg_run(g, 1);
	e = gpgme_op_encrypt_ext(g->ctx, NULL, recp,
	    flags & GPG_ENC_NO_ENCRYPT_TO ? GPGME_ENCRYPT_NO_ENCRYPT_TO : 0,
	    plain, cipher);
	gpg_run(g, 0);
	if ((res = gpgme_op_encrypt_result(g->ctx)) != NULL &&
	    res->invalid_recipients != NULL) {
		why = res->invalid_recipients->reason;
		if (res->invalid_recipients->fpr != NULL)
			snprintf(bad, sizeof bad, "%s",
			    res->invalid_recipients->fpr);
	}
	if (!gpg_cms_done(g, e))
		snprintf(err, errsz, "S/MIME encryption: gpgsm did not "
		    "finish");
	else if (e && why && gpg_cms_why(why) != CMS_WHY_TEMP) {
		snprintf(err, errsz, "gpgsm refused certificate %s: %s", bad,
		    gpgme_strerror(why));
		st = GPG_BADKEY;
	} else if (e)
		gpg_fail(e, "S/MIME encryption", err, errsz);
	else if (g->seen.error)
		snprintf(err, errsz, "S/MIME encryption: gpgsm said %.96s",
		    g->seen.what);
	else if (gpgio_der_whole(&der) == -1)
		snprintf(err, errsz, "S/MIME encryption: gpgsm said OK, but "
		    "wrote no whole EnvelopedData (%llu bytes)", der.n);
	else
		st = GPG_OK;	/* gpgsm's OK came after its last byte */
out:
	gpgme_data_release(plain);
	gpgme_data_release(cipher);
	free(recp);
	return st;
}

/* gpg_cms_dec_class - what gpgsm's refusal to decrypt says about the
 * message: 0 with dec, or -1 (our trouble: a retry) */
static int
gpg_cms_dec_class(gpgme_error_t e, enum gpg_dec *dec)
{
	switch (gpgme_err_code(e)) {
	case GPG_ERR_NO_SECKEY:
		*dec = GPG_DEC_NOSECKEY;
		return 0;
	case GPG_ERR_EOF:	/* KSBA's: the DER ends too soon */
	case GPG_ERR_BAD_DATA:
	case GPG_ERR_NO_DATA:
	case GPG_ERR_INV_DATA:
	case GPG_ERR_INV_OBJ:
	case GPG_ERR_TOO_SHORT:
	case GPG_ERR_TOO_LARGE:
	case GPG_ERR_INV_CMS_OBJ:
	case GPG_ERR_UNSUPPORTED_CMS_OBJ:
	case GPG_ERR_UNSUPPORTED_CMS_VERSION:
	case GPG_ERR_UNKNOWN_CMS_OBJ:
	case GPG_ERR_UNSUPPORTED_ALGORITHM:
	case GPG_ERR_UNSUPPORTED_ENCODING:
	case GPG_ERR_CIPHER_ALGO:
	case GPG_ERR_INV_KEYLEN:
	case GPG_ERR_BAD_BER:
	case GPG_ERR_INV_BER:
	case GPG_ERR_ENCODING_PROBLEM:
	case GPG_ERR_DECRYPT_FAILED:
	case GPG_ERR_BAD_KEY:
	case GPG_ERR_WRONG_KEY_USAGE:
	case GPG_ERR_CONFLICT:	/* verify: content in a detached
				 * signature, or none in an opaque one */
		*dec = GPG_DEC_BADDATA;
		return 0;
	default:
		return -1;
	}
}

/* gpg_cms_decrypt - gpg_decrypt on a CMS context: GPG_DEC_OK needs
 * GPGME's success and gpgsm's DECRYPTION_OKAY; a refusal is a verdict
 * only when gpgsm answered ERR with a reason of the message's (a
 * missing secret key confirmed by a finished secret listing) */
enum gpg_status
gpg_cms_decrypt(struct gpg *g, struct gpg_io *io,
    struct gpg_decrypt_result *r, char *err, size_t errsz)
{
	struct gpgme_data_cbs rcbs = { gpgio_read, NULL, NULL, NULL };
	struct gpgme_data_cbs wcbs = { NULL, gpgio_write, NULL, NULL };
	gpgme_data_t cipher = NULL, plain = NULL;
	gpgme_error_t e;
	struct gpg_keylist sec;
	enum gpg_status st = GPG_TEMPFAIL;

	memset(r, 0, sizeof *r);
	if ((e = gpgme_data_new_from_cbs(&cipher, &rcbs, io)) ||
	    (e = gpgme_data_new_from_cbs(&plain, &wcbs, io))) {
		gpg_fail(e, "GPGME data", err, errsz);
		goto out;
	}
	(void)gpgme_data_set_flag(cipher, "io-buffer-size", GPG_IO_STEP);
	(void)gpgme_data_set_flag(plain, "io-buffer-size", GPG_IO_STEP);
	memset(&g->seen, 0, sizeof g->seen);
	gpg_run(g, 1);
	e = gpgme_op_decrypt(g->ctx, cipher, plain);
	gpg_run(g, 0);
	if (!gpg_cms_done(g, e))
		snprintf(err, errsz, "S/MIME decryption: gpgsm did not "
		    "finish");
	else if (!e && g->seen.decryption_okay && !g->seen.decryption_failed &&
	    !g->seen.error) {
		r->dec = GPG_DEC_OK;
		r->noint = 1;	/* gpgsm 2.2: EnvelopedData, CBC, only */
		st = GPG_OK;
	} else if (!e)
		snprintf(err, errsz, "S/MIME decryption: gpgsm did not say "
		    "it decrypted");
	else if (gpg_cms_dec_class(e, &r->dec) == -1)
		gpg_fail(e, "S/MIME decryption", err, errsz);
	else if (r->dec != GPG_DEC_NOSECKEY)
		st = GPG_OK;
	else if (gpg_cms_keylist(g, NULL, 0, -1, &sec, err, errsz) ==
	    GPG_OK) {
		/* "no secret key" from a gpgsm that can list them */
		gpg_keylist_free(&sec);
		st = GPG_OK;
	}
out:
	gpgme_data_release(cipher);
	gpgme_data_release(plain);
	return st;
}

/* gpg_cms_sigs - the signatures of the last verification, into r; the
 * chain of each that verifies as gpgsm's verification saw it (trusted:
 * its TRUST_FULLY; else what its TRUST_UNDEFINED or TRUST_NEVER says),
 * for gpg_cms_chain to confirm from the listing */
static void
gpg_cms_sigs(struct gpg *g, struct gpg_decrypt_result *r)
{
	static const enum gpg_chain why[] = {
		GPG_CHAIN_UNCHECKED, GPG_CHAIN_UNTRUSTED, GPG_CHAIN_REVOKED,
		GPG_CHAIN_EXPIRED, GPG_CHAIN_INVALID
	};	/* by enum gpg_cms_why */
	gpgme_verify_result_t vres;
	gpgme_signature_t s;
	struct gpg_sig *o;

	if ((vres = gpgme_op_verify_result(g->ctx)) == NULL)
		return;
	for (s = vres->signatures; s != NULL; s = s->next) {
		r->sigs = xappend(r->sigs, r->nsigs, sizeof *r->sigs);
		o = &r->sigs[r->nsigs++];
		memset(o, 0, sizeof *o);
		o->status = gpgstatus_sig(s->status);
		if (s->summary & GPGME_SIGSUM_KEY_REVOKED)
			o->status = GPG_SIG_BAD;
		else if (o->status == GPG_SIG_VALID && (s->summary &
		    GPGME_SIGSUM_KEY_EXPIRED))
			o->status = GPG_SIG_EXPIRED;
		else if (o->status == GPG_SIG_VALID &&
		    (s->summary & GPGME_SIGSUM_RED))
			o->status = GPG_SIG_BAD;
		/* a good signature whose chain ends at no trusted root
		 * (gpgsm's TRUST_UNDEFINED: no VALID, no RED) stays VALID,
		 * its chain untrusted: good-untrusted at best (verdict.c) */
		if (s->validity == GPGME_VALIDITY_FULL ||
		    s->validity == GPGME_VALIDITY_ULTIMATE)
			o->chain = GPG_CHAIN_TRUSTED;
		else
			o->chain = s->validity_reason == 0 ?
			    GPG_CHAIN_UNCHECKED :
			    why[gpg_cms_why(s->validity_reason)];
		o->fpr = xstrdup(s->fpr != NULL ? s->fpr : "");
		o->created = (long long)s->timestamp;
	}
}

/* gpg_cms_chain - the chain of a signer's certificate k, which gpgsm
 * listed with validation, and the verification saw as v: trusted only
 * when both say so; a chain the listing calls invalid keeps the reason
 * the verification gave (the listing gives none), else is unchecked */
static enum gpg_chain
gpg_cms_chain(gpgme_key_t k, enum gpg_chain v)
{
	gpgme_user_id_t u;

	if (k->revoked)
		return GPG_CHAIN_REVOKED;
	if (k->expired)
		return GPG_CHAIN_EXPIRED;
	if (k->invalid || k->disabled)
		return v == GPG_CHAIN_TRUSTED ? GPG_CHAIN_UNCHECKED : v;
	for (u = k->uids; u != NULL && v == GPG_CHAIN_TRUSTED; u = u->next)
		if (u->validity == GPGME_VALIDITY_FULL ||
		    u->validity == GPGME_VALIDITY_ULTIMATE)
			return GPG_CHAIN_TRUSTED;
	return v == GPG_CHAIN_TRUSTED ? GPG_CHAIN_UNCHECKED : v;
}

/* gpg_cms_signer - certificate k, listed, given to each signature of r
 * it made (its email addresses, its chain); a revoked or bad one's
 * signature is BAD */
static void
gpg_cms_signer(gpgme_key_t k, struct gpg_decrypt_result *r)
{
	gpgme_user_id_t u;
	struct gpg_sig *s;
	size_t i;

	for (i = 0; i < r->nsigs; i++) {
		s = &r->sigs[i];
		if (k->fpr == NULL || strcasecmp(s->fpr, k->fpr) != 0 ||
		    s->emails != NULL)
			continue;
		s->chain = gpg_cms_chain(k, s->chain);
		if (s->chain == GPG_CHAIN_REVOKED ||
		    s->chain == GPG_CHAIN_INVALID)
			s->status = GPG_SIG_BAD;
		else if (s->chain == GPG_CHAIN_EXPIRED)
			s->status = GPG_SIG_EXPIRED;
		s->emails = xcalloc(1, sizeof *s->emails);
		for (u = k->uids; u != NULL; u = u->next)
			if (u->address != NULL &&
			    strchr(u->address, '@') != NULL &&
			    s->nemails < LIMIT_KEYS) {
				s->emails = xappend(s->emails, s->nemails,
				    sizeof *s->emails);
				s->emails[s->nemails++] = xstrdup(u->address);
			}
	}
}

/*
 * gpg_cms_signers - the certificate of each signature in r that
 * verifies, listed by its fingerprint with validation on the same gpgsm
 * that verified (no new run): its keyboxes are the verification's, the
 * scratch keybox with the certificates the signature carries among
 * them, and that keybox goes when this gpgsm ends (gpgsmsup.c).  Not
 * over LIMIT_SIGNATURES signatures (their verdict is bad unlisted).
 * GPGME's end of the listing (GPG_ERR_EOF when it ended), for
 * gpg_cms_done; *missing: signatures that verify and were not listed.
 */
static gpgme_error_t
gpg_cms_signers(struct gpg *g, struct gpg_decrypt_result *r,
    size_t *missing)
{
	const char *pat[LIMIT_SIGNATURES + 1];
	size_t want[LIMIT_SIGNATURES];
	gpgme_key_t k;
	gpgme_error_t e;
	size_t i, n = 0;

	*missing = 0;
	for (i = 0; i < r->nsigs && r->nsigs <= LIMIT_SIGNATURES; i++)
		if ((r->sigs[i].status == GPG_SIG_VALID ||
		    r->sigs[i].status == GPG_SIG_EXPIRED) &&
		    strlen(r->sigs[i].fpr) == 40) {
			want[n] = i;
			pat[n++] = r->sigs[i].fpr;
		}
	if (n == 0)
		return gpgme_error(GPG_ERR_EOF);
	pat[n] = NULL;
	memset(&g->seen, 0, sizeof g->seen);
	gpgme_set_keylist_mode(g->ctx, GPGME_KEYLIST_MODE_LOCAL |
	    GPGME_KEYLIST_MODE_VALIDATE);
	e = gpgme_op_keylist_ext_start(g->ctx, pat, 0, 0);
	for (i = 0; !e && (e = gpgme_op_keylist_next(g->ctx, &k)) == 0; i++) {
		if (i < LIMIT_SIGNATURES)
			gpg_cms_signer(k, r);
		gpgme_key_unref(k);
	}
	gpgme_op_keylist_end(g->ctx);
	for (i = 0; i < n; i++)
		*missing += r->sigs[want[i]].emails == NULL;
	if (g->seen.error && gpgme_err_code(e) == GPG_ERR_EOF)
		*missing = n;
	return e;
}

/*
 * gpg_cms_verified - after gpgsm's VERIFY returned e: the signatures
 * into r, the certificates of those that verify listed on the same
 * gpgsm (gpg_cms_signers), and gpgsm ended (gpg_cms_done).  gpgsm's
 * "OK" ends every signature it began: one whose certificate it lacks
 * ends in "ERROR verify.findkey", which GPGME makes the signature's
 * status; its answer after the listing proves both commands done.  0,
 * or -1 with r freed and err saying why.
 */
static int
gpg_cms_verified(struct gpg *g, gpgme_error_t e,
    struct gpg_decrypt_result *r, char *err, size_t errsz)
{
	gpgme_error_t le = 0;
	size_t missing = 0;
	int done;

	if (!e) {
		gpg_cms_sigs(g, r);
		le = gpg_cms_signers(g, r, &missing);
	}
	done = gpg_cms_done(g, e ? e : le);
	if (done && (e || (gpgme_err_code(le) == GPG_ERR_EOF &&
	    missing == 0)))
		return 0;
	gpg_decrypt_result_free(r);
	if (done && gpgme_err_code(le) == GPG_ERR_EOF)
		snprintf(err, errsz, "S/MIME verification: gpgsm did not "
		    "list the certificate of a signature it verified");
	else
		snprintf(err, errsz, "S/MIME verification: gpgsm did not "
		    "finish");
	return -1;
}

/* gpg_cms_verify - gpg_verify (text: detached) and gpg_verify_opaque
 * (out: the content) on a CMS context */
enum gpg_status
gpg_cms_verify(struct gpg *g, struct gpg_io *text, struct gpg_io *sig,
    struct gpg_io *out, struct gpg_decrypt_result *r, char *err,
    size_t errsz)
{
	struct gpgme_data_cbs cbs = { gpgio_read, NULL, NULL, NULL };
	struct gpgme_data_cbs wcbs = { NULL, gpgio_write, NULL, NULL };
	gpgme_data_t tdata = NULL, sdata = NULL, pdata = NULL;
	gpgme_error_t e;
	enum gpg_status st = GPG_TEMPFAIL;

	memset(r, 0, sizeof *r);
	if ((text != NULL && (e = gpgme_data_new_from_cbs(&tdata, &cbs,
	    text))) || (out != NULL && (e = gpgme_data_new_from_cbs(&pdata,
	    &wcbs, out))) || (e = gpgme_data_new_from_cbs(&sdata, &cbs,
	    sig))) {
		gpg_fail(e, "GPGME data", err, errsz);
		goto out;
	}
	memset(&g->seen, 0, sizeof g->seen);
	/* the signature's certificates into a scratch keybox (gpgsup.c) */
	(void)setenv(GPGSUP_SCRATCH_ENV, "1", 1);
	gpg_run(g, 1);
	e = gpgme_op_verify(g->ctx, sdata, tdata, pdata);
	gpg_run(g, 0);
	(void)unsetenv(GPGSUP_SCRATCH_ENV);
	if (gpg_cms_verified(g, e, r, err, errsz) == -1)
		goto out;
	if (e && (gpg_cms_dec_class(e, &r->dec) == -1 ||
	    r->dec == GPG_DEC_NOSECKEY)) {
		gpg_fail(e, "S/MIME verification", err, errsz);
		goto out;
	}
	r->dec = GPG_DEC_OK;
	if (r->nsigs == 0)	/* no signature gpgsm could read */
		gpg_sig_none_bad(r);
	st = GPG_OK;
out:
	gpgme_data_release(tdata);
	gpgme_data_release(sdata);
	gpgme_data_release(pdata);
	return st;
}

/* gpg_cms_hash - the micalg of RFC 8551 3.5.3.1 for the one signature
 * gpgsm made ("sha-256"), into hash */
int
gpg_cms_hash(gpgme_sign_result_t sres, char *hash, size_t hashsz)
{
	static const struct {
		int		 algo;
		const char	*name;
	} names[] = {
		{ GPGME_MD_MD5, "md5" }, { GPGME_MD_SHA1, "sha-1" },
		{ GPGME_MD_SHA224, "sha-224" }, { GPGME_MD_SHA256, "sha-256" },
		{ GPGME_MD_SHA384, "sha-384" }, { GPGME_MD_SHA512, "sha-512" },
	};
	size_t i;

	if (sres == NULL || sres->signatures == NULL ||
	    sres->signatures->next != NULL)
		return -1;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((int)sres->signatures->hash_algo == names[i].algo) {
			snprintf(hash, hashsz, "%s", names[i].name);
			return strlen(names[i].name) < hashsz ? 0 : -1;
		}
	return -1;
}
