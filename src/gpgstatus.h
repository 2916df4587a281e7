/*
 * gpgstatus.h - what gpg says on its status channel (--status-fd), and
 * how the supervisor (gpgsup.h) says gpg ended, as gpg.c needs it.
 */
#ifndef MAILSEAL_GPGSTATUS_H
#define MAILSEAL_GPGSTATUS_H

#include <stddef.h>

#include "gpg.h"

/* NO_SECKEY key IDs kept; "no secret key" for more is checked
 * against all secret keys */
#define GPGSTATUS_SECKEY_IDS	32

/*
 * What gpg said on its status channel during one operation.  GPGME 1.18
 * does not look at gpg's exit status and ignores most ERROR lines of a
 * key listing, so a gpg that crashed or could not read its keyring
 * would look like "no key" or like a finished encryption.  We ask for
 * every status line ("full-status") and require the success markers.
 */
struct gpgstatus {
	int	 error;			/* an ERROR or FAILURE line */
	unsigned int error_code;	/* its gpg-error code, if it has one */
	char	 error_text[64];	/* that code in words (gpg.c) */
	char	 what[96];		/* its text, for the message */
	int	 end_encryption;	/* END_ENCRYPTION */
	int	 sig_created;		/* SIG_CREATED */
	int	 decryption_okay;	/* DECRYPTION_OKAY: integrity checked */
	int	 decryption_failed;	/* DECRYPTION_FAILED */
	int	 need_passphrase;	/* a locked secret key: gpg asked the
					 * agent for its passphrase */
	int	 sym_passphrase;	/* NEED_PASSPHRASE_SYM: the message is
					 * encrypted with a passphrase */
	int	 nodata;		/* NODATA: no OpenPGP data (or none
					 * valid) where gpg looked */
	int	 notfound;		/* ERROR ... "no such key" */
	int	 exited;		/* the supervisor's line came */
	int	 exit_code;		/* gpg's exit status; -1: killed */
	int	 stopped;		/* the supervisor stopped gpg for
					 * the message's doing: */
#define GPGSTATUS_SIGS	1		/* over LIMIT_SIGNATURES NEWSIG */
#define GPGSTATUS_CPU	2		/* over LIMIT_GPG_CPU seconds */
	char	 exit_how[40];		/* "exited 2", "killed (signal 9)" */
	int	 begin_decryption;	/* BEGIN_DECRYPTION: the session key
					 * is known, the data is being read */
	int	 end_decryption;	/* END_DECRYPTION */
	int	 no_seckey;		/* NO_SECKEY lines */
	char	 seckey[GPGSTATUS_SECKEY_IDS][17];	/* the key IDs they name */
	int	 newsig;		/* NEWSIG: a signature begins */
	int	 sigdone;		/* GOODSIG, BADSIG, EXPSIG, EXPKEYSIG,
					 * REVKEYSIG or ERRSIG: one ends */
	int	 plaintext;		/* PLAINTEXT: literal data seen */
	int	 unexpected;		/* UNEXPECTED: a packet out of place
					 * (GPGME stops reading there) */
	/* a WKD lookup (gpg_locate): */
	int	 late;			/* the supervisor's deadline passed */
	int	 import_res;		/* IMPORT_RES: gpg read what came */
	long	 import_count;		/* its keys gpg could read */
	char	 wkd[104];		/* why it found nothing, as gpg's
					 * diagnostics say (gpg.c) */
};

/* gpgstatus_line - record one status line ("KEYWORD", "ARGS") */
void	gpgstatus_line(struct gpgstatus *, const char *, const char *);

/* gpgstatus_stopped - gpg exited with an error inside the encrypted
 * data (after BEGIN_DECRYPTION, before it vouched for it): the
 * message's doing */
int	gpgstatus_stopped(const struct gpgstatus *);

/*
 * Judgements of one operation (HACKING.md "How gpg failures are
 * caught").  Error values (unsigned int) are gpg-error's gpg_error_t,
 * as GPGME returns them.
 */

/* gpgstatus_listed - a key listing of nlisted keys is an answer: exit
 * 0, or exit 2 with nothing listed and just "no such key" said */
int	gpgstatus_listed(const struct gpgstatus *, size_t);

/* gpgstatus_encrypted - gpg finished an encryption (END_ENCRYPTION,
 * SIG_CREATED too when signing, exit 0) */
int	gpgstatus_encrypted(const struct gpgstatus *, int);

/* gpgstatus_signed - gpg finished a signature (SIG_CREATED, exit 0) */
int	gpgstatus_signed(const struct gpgstatus *);

/* gpgstatus_verified - gpg finished every signature it began (or the
 * supervisor stopped it): what it said of them is a verdict */
int	gpgstatus_verified(const struct gpgstatus *);

/* gpgstatus_nosecret - the error says the signing key has no (usable)
 * secret part */
int	gpgstatus_nosecret(unsigned int);

/* gpgstatus_seckey_err - gpg refused the signing key itself: no or no
 * usable secret part, a key that cannot sign (a locked one is
 * gpg-agent's trouble: a retry) */
int	gpgstatus_seckey_err(unsigned int);

/* gpgstatus_locked - a failed signature: the key is locked and
 * gpg-agent has no passphrase for it */
int	gpgstatus_locked(const struct gpgstatus *, unsigned int);

/* gpgstatus_sig - our status of a verified signature from its error */
enum gpg_sig_status gpgstatus_sig(unsigned int);

/* gpgstatus_dec_class - what a failed decryption's error says about
 * the message: 0 with dec set, or -1 (our trouble: a retry) */
int	gpgstatus_dec_class(const struct gpgstatus *, unsigned int,
	    enum gpg_dec *);

/* gpgstatus_said - gpg itself stated the failed verdict dec, so it
 * stands (GPG_DEC_NOSECKEY: never; gpg.c confirms that one) */
int	gpgstatus_said(const struct gpgstatus *, enum gpg_dec);

/* gpgstatus_decrypted - the verdict on a decryption GPGME calls good
 * (nomdc: GPGME saw a legacy cipher without MDC): 0 with dec set, or
 * -1 when gpg did not finish */
int	gpgstatus_decrypted(const struct gpgstatus *, int, enum gpg_dec *);

/* gpgstatus_seckey_ids - the key IDs NO_SECKEY named, but the zero
 * ones (hidden recipients), into ids (room for GPGSTATUS_SECKEY_IDS,
 * pointing into s): how many */
size_t	gpgstatus_seckey_ids(struct gpgstatus *, char **);

#endif
