/*
 * verify.h - signature verdicts: gpg's signatures folded into one
 * verdict against the From a reader is shown, and the two signed
 * shapes decrypt verifies in place (a multipart/signed entity, RFC
 * 3156 5; a clear-signed text/plain body).
 */
#ifndef MAILSEAL_VERIFY_H
#define MAILSEAL_VERIFY_H

#include "verdict.h"

struct classify_span;
struct gpg;
struct gpg_decrypt_result;
struct input;

/* One message's signature verdict so far, and the GnuPG context it
 * (and decryption) runs gpg in. */
struct verify {
	struct gpg		*gpg;		/* the caller's, or opened on
						 * first use: caller closes */
	struct gpg		*cms;		/* S/MIME (gpgsm): opened on
						 * first use, caller closes */
	const char		*homedir;	/* for gpg_open; NULL: gpg's */
	enum verdict_sig	 verdict;	/* the worst signature's */
	char			 signer[128];	/* its primary fingerprint */
	long long		 created;	/* its creation time; 0
						 * unknown */
	int			 issuer;	/* no: the key is unknown and
						 * signer is what the
						 * signature names */
	int			 unchecked;	/* S/MIME good-untrusted
						 * because the chain's CRL
						 * could not be had */
};

/* verify_gpg - open v's context unless it has one: 0, or -1 (logged) */
int	verify_gpg(struct verify *);

/* verify_cms - open v's CMS (gpgsm) context unless it has one: 0, or
 * -1 (logged).  Only S/MIME needs it: no gpgsm runs for other mail. */
int	verify_cms(struct verify *);

/* verify_sigs_cms - verify_sigs for signatures gpgsm checked: the
 * signer is named by its certificate's fingerprint, and judged by what
 * the engine learnt of that certificate on the verifying gpgsm (its
 * email addresses against from, its chain; no gpgsm run here).  0 */
int	verify_sigs_cms(struct verify *, const struct gpg_decrypt_result *,
	    const char *);

/* verify_sigs - fold the verdicts on gpg's signatures (from is the
 * addr-spec they must match, or NULL) into v's: 0, or -1 when a key
 * listing failed (logged: a retry) */
int	verify_sigs(struct verify *, const struct gpg_decrypt_result *,
	    const char *);

/* verify_mime - check a multipart/signed entity of in (its spans from
 * classify.c) and fold the verdict into v's; a signature part that is
 * no detached signature is bad without a gpg run.  0, or -1 (logged) */
int	verify_mime(struct verify *, struct input *,
	    const struct classify_span *, const char *);

/* verify_clear - check a text/plain body of in that is one clear-signed
 * block (the span, in its transfer encoding); a body readers decode
 * differently counts as unsigned.  0, or -1 (logged) */
int	verify_clear(struct verify *, struct input *,
	    const struct classify_span *, const char *);

#endif
