/*
 * gpgop.c - the OpenPGP operations on an open context (gpg.c opens
 * it): encryption, the loopback passphrase, signing, decryption and
 * verification; and the checks of listed keys gpg lists as able to
 * encrypt but cannot encrypt to (gpg_key_small; gpg_ecdh_check, an
 * export read by keypkt.c).  Like gpg.c, it speaks GPGME (gpgint.h);
 * the data callbacks (gpgio.c) and the judgement of what gpg said
 * (gpgstatus.c) need no GPGME type and live apart.
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gpgme.h>

#include "gpg.h"
#include "gpghome.h"
#include "gpgint.h"
#include "gpgio.h"
#include "gpgstatus.h"
#include "keypkt.h"
#include "limit.h"
#include "xmalloc.h"

static int		 gpg_seckey_confirm(struct gpg *, char *, size_t);
static const char	*gpg_seckey_held(const struct gpg_keylist *,
			    char *const *, size_t);
static int		 gpg_dec_failed(struct gpg *, gpgme_error_t,
			    enum gpg_dec *, char *, size_t);
static int		 gpg_dec_done(struct gpg *, enum gpg_dec *, char *,
			    size_t);
static void		 gpg_sigs(struct gpg *, struct gpg_decrypt_result *);
static gpgme_error_t	 gpg_pass_cb(void *, const char *, const char *, int,
			    int);
static int		 gpg_sign_hash(gpgme_sign_result_t, char *, size_t);
static enum gpg_status	 gpg_sign_judge(struct gpg *, const struct gpg_key *,
			    gpgme_error_t, char *, size_t);

/* gpg_encrypt - see gpg.h */
enum gpg_status
gpg_encrypt(struct gpg *g, char *const *fprs, const int *hidden, size_t n,
    const struct gpg_key *signer, int flags, struct gpg_io *io, char *err,
    size_t errsz)
{
	struct gpgme_data_cbs rcbs = { gpgio_read, NULL, NULL, NULL };
	struct gpgme_data_cbs wcbs = { NULL, gpgio_armor, NULL, NULL };
	gpgme_data_t plain = NULL, cipher = NULL;
	gpgme_encrypt_result_t res;
	gpgme_sign_result_t sres;
	gpgme_encrypt_flags_t ef;
	gpgme_error_t e;
	enum gpg_status st = GPG_TEMPFAIL;
	struct gpgio_armor *arm;
	char *recp;

	if (g->cms)
		return gpg_cms_encrypt(g, fprs, hidden, n, signer, flags, io,
		    err, errsz);
	if ((arm = gpgio_armor_new(io)) == NULL) {
		snprintf(err, errsz, "encryption: no CRC-24 (libgcrypt)");
		return GPG_TEMPFAIL;
	}
	recp = gpgio_recp(fprs, hidden, n);
	ef = GPGME_ENCRYPT_ALWAYS_TRUST | GPGME_ENCRYPT_NO_COMPRESS;
	if (flags & GPG_ENC_NO_ENCRYPT_TO)
		ef |= GPGME_ENCRYPT_NO_ENCRYPT_TO;

	gpgme_signers_clear(g->ctx);
	/* the key from the listing: no extra gpg run to fetch it */
	if (signer != NULL && (e = gpgme_signers_add(g->ctx, signer->handle))) {
		gpg_fail(e, "signing key", err, errsz);
		goto out;
	}
	if ((e = gpgme_data_new_from_cbs(&plain, &rcbs, io)) ||
	    (e = gpgme_data_new_from_cbs(&cipher, &wcbs, arm))) {
		gpg_fail(e, "GPGME data", err, errsz);
		goto out;
	}
	/* 64 KiB steps instead of 4 KiB: a sixth of the system calls
	 * (bench/README.md); GPGME handles short pipe writes itself */
	(void)gpgme_data_set_flag(plain, "io-buffer-size", GPG_IO_STEP);
	(void)gpgme_data_set_flag(cipher, "io-buffer-size", GPG_IO_STEP);
	memset(&g->seen, 0, sizeof g->seen);
	gpgme_set_armor(g->ctx, 0);	/* gpgio_armor armors */
	gpg_supervise(1);
	if (signer != NULL)
		e = gpgme_op_encrypt_sign_ext(g->ctx, NULL, recp, ef, plain,
		    cipher);
	else
		e = gpgme_op_encrypt_ext(g->ctx, NULL, recp, ef, plain, cipher);
	gpg_supervise(0);
	gpgme_set_armor(g->ctx, 1);
	if (signer != NULL && (sres = gpgme_op_sign_result(g->ctx)) != NULL &&
	    sres->invalid_signers != NULL) {
		gpgme_error_t why = sres->invalid_signers->reason;
		snprintf(err, errsz, "signing key %s: %s", signer->fpr,
		    gpgme_strerror(why));
		if (gpgstatus_nosecret(why))
			st = GPG_NOSECKEY;
		goto out;
	}
	if (e && signer != NULL && gpgstatus_nosecret(e)) {
		snprintf(err, errsz, "signing key %s: %s", signer->fpr,
		    gpgme_strerror(e));
		st = GPG_NOSECKEY;
		goto out;
	}
	res = gpgme_op_encrypt_result(g->ctx);
	if (res != NULL && res->invalid_recipients != NULL) {
		snprintf(err, errsz, "gpg refused key %s: %s",
		    res->invalid_recipients->fpr != NULL ?
		    res->invalid_recipients->fpr : "?",
		    gpgme_strerror(res->invalid_recipients->reason));
		st = GPG_BADKEY;
		goto out;
	}
	if (e) {
		gpg_fail(e, signer != NULL ? "signing and encryption" :
		    "encryption", err, errsz);
		goto out;
	}
	if (!gpgstatus_encrypted(&g->seen, signer != NULL)) {
		/* gpg died, or was stopped, before it said it was done */
		snprintf(err, errsz, "encryption: gpg did not finish%s%.96s",
		    g->seen.error || g->seen.exited ? ": " : "",
		    g->seen.error ? g->seen.what : g->seen.exit_how);
		goto out;
	}
	st = gpgio_armor_end(arm, err, errsz) == -1 ? GPG_TEMPFAIL : GPG_OK;
out:
	gpgme_signers_clear(g->ctx);
	gpgme_data_release(plain);
	gpgme_data_release(cipher);
	gpgio_armor_free(arm);
	free(recp);
	return st;
}

/* gpg_pass_cb - GPGME's passphrase callback (loopback pinentry): the
 * caller's passphrase, once; asked again, it was wrong: cancel */
static gpgme_error_t
gpg_pass_cb(void *hook, const char *hint, const char *info, int bad, int fd)
{
	struct gpg *g = hook;

	(void)hint;
	(void)info;
	if (bad || g->pass_asked) {
		g->pass_bad = 1;
		return gpgme_error(GPG_ERR_CANCELED);
	}
	g->pass_asked = 1;
	if ((g->passlen > 0 && gpgme_io_writen(fd, g->pass, g->passlen) != 0) ||
	    gpgme_io_writen(fd, "\n", 1) != 0)
		return gpgme_error_from_syserror();
	return 0;
}

/* gpg_passphrase - see gpg.h */
int
gpg_passphrase(struct gpg *g, const char *pass, size_t len)
{
	g->pass = pass;
	g->passlen = len;
	if (pass == NULL) {
		gpgme_set_passphrase_cb(g->ctx, NULL, NULL);
		return gpgme_set_pinentry_mode(g->ctx,
		    GPGME_PINENTRY_MODE_DEFAULT) == 0 ? 0 : -1;
	}
	gpgme_set_passphrase_cb(g->ctx, gpg_pass_cb, g);
	return gpgme_set_pinentry_mode(g->ctx, GPGME_PINENTRY_MODE_LOOPBACK) ==
	    0 ? 0 : -1;
}

/* gpg_sign_hash - "pgp-" and the lower-case name of the hash of the one
 * signature gpg made (RFC 3156 5: micalg), into hash */
static int
gpg_sign_hash(gpgme_sign_result_t sres, char *hash, size_t hashsz)
{
	const char *name;
	size_t i;
	int n;

	if (sres == NULL || sres->signatures == NULL ||
	    sres->signatures->next != NULL ||
	    (name = gpgme_hash_algo_name(sres->signatures->hash_algo)) == NULL)
		return -1;
	n = snprintf(hash, hashsz, "pgp-%s", name);
	if (n < 0 || (size_t)n >= hashsz)
		return -1;
	for (i = 0; hash[i] != '\0'; i++)
		hash[i] = (char)tolower((unsigned char)hash[i]);
	return 0;
}

/* gpg_sign_judge - what came of the signature: why, or GPG_OK */
static enum gpg_status
gpg_sign_judge(struct gpg *g, const struct gpg_key *signer, gpgme_error_t e,
    char *err, size_t errsz)
{
	gpgme_sign_result_t sres = gpgme_op_sign_result(g->ctx);
	gpgme_error_t why;

	why = sres != NULL && sres->invalid_signers != NULL ?
	    sres->invalid_signers->reason : e;
	if (g->pass_bad || (g->pass != NULL && e &&
	    gpgme_err_code(e) == GPG_ERR_BAD_PASSPHRASE)) {
		snprintf(err, errsz, "signing key %s: wrong passphrase in the "
		    "passphrase file", signer->fpr);
		return GPG_NOSECKEY;
	}
	if (why && gpgstatus_seckey_err(why)) {
		snprintf(err, errsz, "signing key %s: %s", signer->fpr,
		    gpgme_strerror(why));
		return GPG_NOSECKEY;
	}
	if (e && gpgstatus_locked(&g->seen, e))
		snprintf(err, errsz, "signing key %s is locked and gpg-agent "
		    "has no passphrase for it (%s)", signer->fpr,
		    gpgme_strerror(e));
	else if (e)
		gpg_fail(e, "signing", err, errsz);
	else if (g->cms ? !g->seen.sig_created || g->seen.error :
	    !gpgstatus_signed(&g->seen))
		gpghome_why(g->home, &g->seen, "signing", err, errsz);
	else
		return GPG_OK;
	return GPG_TEMPFAIL;
}

/* gpg_sign - see gpg.h */
enum gpg_status
gpg_sign(struct gpg *g, const struct gpg_key *signer, struct gpg_io *io,
    char *hash, size_t hashsz, char *err, size_t errsz)
{
	struct gpgme_data_cbs rcbs = { gpgio_read, NULL, NULL, NULL };
	struct gpgme_data_cbs wcbs = { NULL, gpgio_der, NULL, NULL };
	struct gpgio_der der = { io, { 0 }, { 0 }, 0 };
	gpgme_data_t in = NULL, out = NULL;
	gpgme_error_t e;
	enum gpg_status st = GPG_TEMPFAIL;

	gpgme_signers_clear(g->ctx);
	if ((e = gpgme_signers_add(g->ctx, signer->handle)) ||
	    (e = gpgme_data_new_from_cbs(&in, &rcbs, io)) ||
	    (e = gpgme_data_new_from_cbs(&out, &wcbs, &der))) {
		gpg_fail(e, "signing", err, errsz);
		goto out;
	}
	(void)gpgme_data_set_flag(in, "io-buffer-size", GPG_IO_STEP);
	memset(&g->seen, 0, sizeof g->seen);
	g->pass_asked = g->pass_bad = 0;
	gpg_run(g, 1);
	e = gpgme_op_sign(g->ctx, in, out, GPGME_SIG_MODE_DETACH);
	gpg_run(g, 0);
	if ((st = gpg_sign_judge(g, signer, e, err, errsz)) == GPG_OK &&
	    hash != NULL && (g->cms ? gpg_cms_hash : gpg_sign_hash)(
	    gpgme_op_sign_result(g->ctx), hash, hashsz) == -1) {
		snprintf(err, errsz, "signing: gpg made no single signature "
		    "with a hash algorithm GPGME names");
		st = GPG_TEMPFAIL;
	}
	if (!gpg_cms_done(g, e) || (g->cms && st == GPG_OK &&
	    gpgio_der_whole(&der) == -1)) {
		snprintf(err, errsz, "S/MIME signing: gpgsm did not finish");
		st = GPG_TEMPFAIL;
	}
out:
	gpgme_signers_clear(g->ctx);
	gpgme_data_release(in);
	gpgme_data_release(out);
	return st;
}

/* gpg_sign_check - see gpg.h: a few bytes signed, the signature thrown
 * away */
enum gpg_status
gpg_sign_check(struct gpg *g, const struct gpg_key *signer, char *err,
    size_t errsz)
{
	static const char text[] = "mailseal: can this key sign?\n";
	struct gpgio_mem src = { text, sizeof text - 1 };
	struct gpg_io io = { gpgio_mem_read, gpgio_discard, &src, NULL };

	return gpg_sign(g, signer, &io, NULL, 0, err, errsz);
}

/* gpg_sigs - the signatures of the last operation, into r */
static void
gpg_sigs(struct gpg *g, struct gpg_decrypt_result *r)
{
	gpgme_verify_result_t vres;
	gpgme_signature_t s;

	if ((vres = gpgme_op_verify_result(g->ctx)) == NULL)
		return;
	for (s = vres->signatures; s != NULL; s = s->next) {
		r->sigs = xappend(r->sigs, r->nsigs, sizeof *r->sigs);
		memset(&r->sigs[r->nsigs], 0, sizeof *r->sigs);
		r->sigs[r->nsigs].fpr = xstrdup(s->fpr != NULL ? s->fpr : "");
		r->sigs[r->nsigs].created = (long long)s->timestamp;
		r->sigs[r->nsigs++].status = gpgstatus_sig(s->status);
	}
}

/*
 * gpg_seckey_held - a key of the listing whose (sub)key named by gpg
 * has its secret part here (not a stub), or NULL
 */
static const char *
gpg_seckey_held(const struct gpg_keylist *list, char *const *ids, size_t n)
{
	gpgme_subkey_t sk;
	size_t i, j;

	for (i = 0; i < list->n; i++) {
		sk = ((gpgme_key_t)list->v[i].handle)->subkeys;
		for (; sk != NULL; sk = sk->next)
			for (j = 0; j < n; j++)
				if (sk->secret && sk->keyid != NULL &&
				    strcasecmp(sk->keyid, ids[j]) == 0)
					return list->v[i].fpr;
	}
	return NULL;
}

/*
 * gpg_seckey_confirm - "no secret key" is gpg's answer too when
 * gpg-agent cannot start or its home is read-only: believe it only
 * when a secret-key listing, which needs the agent for every key we
 * hold, finishes and has none of the (sub)keys gpg named with a secret
 * part (hidden recipients, or many: a listing of all secret keys must
 * finish).
 * 0: confirmed; -1 with err: gpg's trouble, retry.
 */
static int
gpg_seckey_confirm(struct gpg *g, char *err, size_t errsz)
{
	struct gpgstatus seen = g->seen;
	struct gpg_keylist list;
	char *pat[GPGSTATUS_SECKEY_IDS], why[GPG_ERRLEN];
	const char *fpr;
	size_t n;
	enum gpg_status st;

	n = gpgstatus_seckey_ids(&seen, pat);
	if (n < (size_t)seen.no_seckey)	/* all of them */
		st = gpg_keylist_run(g, NULL, 0, 1, &list, why, sizeof why);
	else
		st = gpg_keylist_run(g, pat, n, 1, &list, why, sizeof why);
	g->seen = seen;
	if (st != GPG_OK) {
		snprintf(err, errsz, "decryption: gpg found no secret key, "
		    "and could not confirm it: %s", why);
		return -1;
	}
	if (n == (size_t)seen.no_seckey &&
	    (fpr = gpg_seckey_held(&list, pat, n)) != NULL) {
		snprintf(err, errsz, "decryption: gpg found no secret key, "
		    "but the keyring has %s (gpg-agent trouble?)", fpr);
		gpg_keylist_free(&list);
		return -1;
	}
	gpg_keylist_free(&list);
	return 0;
}

/* gpg_dec_failed - what a failed decryption says about the message
 * (gpgstatus_dec_class, _said): 0 with dec, or -1 with err */
static int
gpg_dec_failed(struct gpg *g, gpgme_error_t e, enum gpg_dec *dec, char *err,
    size_t errsz)
{
	const struct gpgstatus *s = &g->seen;

	if (gpgstatus_dec_class(s, e, dec) == -1) {
		gpg_fail(e, s->need_passphrase ? "decryption: the secret key "
		    "is locked and gpg-agent has no passphrase for it" :
		    "decryption", err, errsz);
		return -1;
	}
	if (*dec == GPG_DEC_NOSECKEY && s->no_seckey > 0 &&
	    s->decryption_failed)
		return gpg_seckey_confirm(g, err, errsz);
	if (gpgstatus_said(s, *dec))
		return 0;
	gpghome_why(g->home, s, "decryption", err, errsz);
	return -1;
}

/* gpg_dec_done - a decryption GPGME calls good, judged by
 * gpgstatus_decrypted (EFAIL: no MDC is no success): 0 with dec, or
 * -1 with err (gpg did not finish) */
static int
gpg_dec_done(struct gpg *g, enum gpg_dec *dec, char *err, size_t errsz)
{
	const struct gpgstatus *s = &g->seen;
	gpgme_decrypt_result_t dres;

	dres = gpgme_op_decrypt_result(g->ctx);
	if (gpgstatus_decrypted(s, dres == NULL || dres->legacy_cipher_nomdc,
	    dec) == -1) {
		gpghome_why(g->home, s, "decryption", err, errsz);
		return -1;
	}
	return 0;
}

/* gpg_decrypt - see gpg.h */
enum gpg_status
gpg_decrypt(struct gpg *g, struct gpg_io *io, struct gpg_decrypt_result *r,
    char *err, size_t errsz)
{
	struct gpgme_data_cbs rcbs = { gpgio_read, NULL, NULL, NULL };
	struct gpgme_data_cbs wcbs = { NULL, gpgio_write, NULL, NULL };
	gpgme_data_t cipher = NULL, plain = NULL;
	gpgme_error_t e;
	enum gpg_status st = GPG_TEMPFAIL;

	if (g->cms)
		return gpg_cms_decrypt(g, io, r, err, errsz);
	memset(r, 0, sizeof *r);
	if ((e = gpgme_data_new_from_cbs(&cipher, &rcbs, io)) ||
	    (e = gpgme_data_new_from_cbs(&plain, &wcbs, io))) {
		gpg_fail(e, "GPGME data", err, errsz);
		goto out;
	}
	(void)gpgme_data_set_flag(cipher, "io-buffer-size", GPG_IO_STEP);
	(void)gpgme_data_set_flag(plain, "io-buffer-size", GPG_IO_STEP);
	memset(&g->seen, 0, sizeof g->seen);
	gpg_supervise(1);
	e = gpgme_op_decrypt_ext(g->ctx, GPGME_DECRYPT_VERIFY, cipher, plain);
	gpg_supervise(0);
	if (g->seen.stopped) {	/* the message's doing (gpgsup.c) */
		r->dec = g->seen.stopped == GPGSTATUS_CPU ?
		    GPG_DEC_TOOCOSTLY : GPG_DEC_TOOMANYSIGS;
		st = GPG_OK;
		goto out;
	}
	if (!g->seen.exited || g->seen.exit_code == -1) {
		/* killed, or never started: nothing it said is whole */
		snprintf(err, errsz, "decryption: gpg %s", g->seen.exited ?
		    g->seen.exit_how : "did not finish");
		goto out;
	}
	if ((e ? gpg_dec_failed(g, e, &r->dec, err, errsz) :
	    gpg_dec_done(g, &r->dec, err, errsz)) == -1)
		goto out;
	st = GPG_OK;
	if (r->dec != GPG_DEC_OK)
		goto out;
	gpg_sigs(g, r);
out:
	gpgme_data_release(cipher);
	gpgme_data_release(plain);
	return st;
}

/* gpg_decrypt_result_free - release a result */
void
gpg_decrypt_result_free(struct gpg_decrypt_result *r)
{
	size_t i, j;

	for (i = 0; i < r->nsigs; i++) {
		free(r->sigs[i].fpr);
		for (j = 0; j < r->sigs[i].nemails; j++)
			free(r->sigs[i].emails[j]);
		free(r->sigs[i].emails);
	}
	free(r->sigs);
	memset(r, 0, sizeof *r);
}

/* gpg_verify - see gpg.h */
enum gpg_status
gpg_verify(struct gpg *g, struct gpg_io *text, struct gpg_io *sig,
    struct gpg_decrypt_result *r, char *err, size_t errsz)
{
	struct gpgme_data_cbs cbs = { gpgio_read, NULL, NULL, NULL };
	struct gpgme_data_cbs dcbs = { NULL, gpgio_discard, NULL, NULL };
	gpgme_data_t tdata = NULL, sdata = NULL, pdata = NULL;
	gpgme_error_t e;
	enum gpg_status st = GPG_TEMPFAIL;

	if (g->cms)
		return gpg_cms_verify(g, text, sig, NULL, r, err, errsz);
	memset(r, 0, sizeof *r);
	/* clear-signed: the text is in the signature's data, and what gpg
	 * writes of it is not needed (the message keeps its body) */
	if ((text != NULL && (e = gpgme_data_new_from_cbs(&tdata, &cbs,
	    text))) || (text == NULL && (e = gpgme_data_new_from_cbs(&pdata,
	    &dcbs, NULL))) || (e = gpgme_data_new_from_cbs(&sdata, &cbs, sig))) {
		gpg_fail(e, "GPGME data", err, errsz);
		goto out;
	}
	memset(&g->seen, 0, sizeof g->seen);
	gpg_supervise(1);
	e = gpgme_op_verify(g->ctx, sdata, tdata, pdata);
	gpg_supervise(0);
	if (!gpgstatus_verified(&g->seen)) {
		gpghome_why(g->home, &g->seen, "verification", err, errsz);
		goto out;
	}
	if (!e && !g->seen.stopped)	/* stopped (gpgsup.c): bad */
		gpg_sigs(g, r);
	/*
	 * A gpg that finished without a signature has read the part and
	 * found none it can check: NODATA, "not a detached signature" (a
	 * whole signed message), a key block, a hash algorithm it does
	 * not know (RFC 9580's SHA3: no status line at all).  What the
	 * message holds gets a verdict: "bad", never a retry.  Literal
	 * data where a detached signature belongs is bad too, whatever
	 * gpg made of it: a GOODSIG would be for text nobody sees.
	 */
	if (text != NULL && g->seen.plaintext)
		gpg_decrypt_result_free(r);
	if (r->nsigs == 0)	/* no signature in the signature part */
		gpg_sig_none_bad(r);
	st = GPG_OK;
out:
	gpgme_data_release(tdata);
	gpgme_data_release(sdata);
	gpgme_data_release(pdata);
	return st;
}

/* gpg_verify_opaque - see gpg.h */
enum gpg_status
gpg_verify_opaque(struct gpg *g, struct gpg_io *sig, struct gpg_io *out,
    struct gpg_decrypt_result *r, char *err, size_t errsz)
{
	memset(r, 0, sizeof *r);
	if (g->cms)
		return gpg_cms_verify(g, NULL, sig, out, r, err, errsz);
	snprintf(err, errsz, "verification: opaque signed-data is CMS's");
	return GPG_TEMPFAIL;
}

/* gpg_key_enc - the subkey gpg encrypts to (gpg_key_life), or NULL */
gpgme_subkey_t
gpg_key_enc(gpgme_key_t k)
{
	gpgme_subkey_t sk, use = NULL;

	if (k->subkeys == NULL)
		return NULL;
	for (sk = k->subkeys->next; sk != NULL; sk = sk->next)
		if (sk->can_encrypt && !sk->revoked && !sk->disabled &&
		    !sk->invalid && !sk->expired &&
		    (use == NULL || sk->timestamp > use->timestamp))
			use = sk;
	return use != NULL ? use : k->subkeys;
}

/* gpg_sig_none_bad - a verification that found no signature it could
 * read (r->nsigs 0): one GPG_SIG_BAD entry, so the message gets "bad"
 * (gpg.h) */
void
gpg_sig_none_bad(struct gpg_decrypt_result *r)
{
	free(r->sigs);
	r->sigs = xcalloc(1, sizeof *r->sigs);
	r->sigs[0].status = GPG_SIG_BAD;
	r->sigs[0].fpr = xstrdup("");
	r->nsigs = 1;
}

/* gpg_key_small - the subkey gpg encrypts to is RSA or Elgamal of
 * fewer than LIMIT_ENC_KEY_BITS bits (gpg aborts on the smallest) */
int
gpg_key_small(gpgme_key_t k)
{
	gpgme_subkey_t use = gpg_key_enc(k);

	if (use == NULL)
		return 0;
	switch (use->pubkey_algo) {
	case GPGME_PK_RSA:
	case GPGME_PK_RSA_E:
	case GPGME_PK_ELG:
	case GPGME_PK_ELG_E:
		return use->length < LIMIT_ENC_KEY_BITS;
	default:
		return 0;
	}
}

/*
 * gpg_ecdh_check - the keys of list that gpg would encrypt to with an
 * ECDH subkey whose KDF parameters it cannot use (keypkt.c: listed as
 * able to encrypt, then "Bad public key" for the whole message) can
 * not encrypt: unsupported.  One export of the keys with an ECDH
 * encryption subkey, none when there are none; 0, or -1 with err.
 */
int
gpg_ecdh_check(struct gpg *g, struct gpg_keylist *list, char *err,
    size_t errsz)
{
	struct addrlist bad = { NULL, 0 };
	gpgme_key_t *ks, k;
	gpgme_subkey_t use;
	gpgme_data_t d = NULL;
	gpgme_error_t e;
	char *buf = NULL;
	size_t i, n = 0, len = 0;

	if (g->cms)		/* certificates: no OpenPGP packets */
		return 0;
	ks = xcalloc(list->n + 1, sizeof *ks);
	for (i = 0; i < list->n; i++)
		if (list->v[i].can_encrypt && (k = list->v[i].handle) !=
		    NULL && (use = gpg_key_enc(k)) != NULL &&
		    use->pubkey_algo == GPGME_PK_ECDH)
			ks[n++] = k;
	e = 0;
	if (n > 0 && !(e = gpgme_data_new(&d))) {
		memset(&g->seen, 0, sizeof g->seen);
		gpgme_set_armor(g->ctx, 0);
		gpg_supervise(1);
		e = gpgme_op_export_keys(g->ctx, ks, GPGME_EXPORT_MODE_MINIMAL,
		    d);
		gpg_supervise(0);
		gpgme_set_armor(g->ctx, 1);
	}
	free(ks);
	if (e) {
		gpgme_data_release(d);
		(void)gpg_fail(e, "key export", err, errsz);
		return -1;
	}
	if (d != NULL && (buf = gpgme_data_release_and_get_mem(d, &len)))
		keypkt_ecdh_bad((const unsigned char *)buf, len, &bad);
	gpgme_free(buf);
	for (i = 0; bad.n > 0 && i < list->n; i++)
		if (list->v[i].can_encrypt && (k = list->v[i].handle) !=
		    NULL && (use = gpg_key_enc(k)) != NULL && use->fpr != NULL &&
		    addrlist_has(&bad, use->fpr))
			list->v[i].can_encrypt = 0, list->v[i].unsupported = 1;
	addrlist_free(&bad);
	return 0;
}
