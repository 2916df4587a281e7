/*
 * gpgstatus.h - what gpg says on its status channel (--status-fd), and
 * how the supervisor (gpgsup.h) says gpg ended, as gpg.c needs it.
 */
#ifndef MAILSEAL_GPGSTATUS_H
#define MAILSEAL_GPGSTATUS_H

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
};

/* gpgstatus_line - record one status line ("KEYWORD", "ARGS") */
void	gpgstatus_line(struct gpgstatus *, const char *, const char *);

/* gpgstatus_stopped - gpg exited with an error inside the encrypted
 * data (after BEGIN_DECRYPTION, before it vouched for it): the
 * message's doing */
int	gpgstatus_stopped(const struct gpgstatus *);

#endif
