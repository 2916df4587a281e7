/*
 * gpgstatus.c - read gpg's status lines into struct gpgstatus: the
 * markers that decide whether gpg finished and what it said; and judge
 * them: whether an operation finished, which verdict gpg stated, what
 * a gpg-error value says about the message.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpg-error.h>

#include "gpgstatus.h"
#include "gpgsup.h"
#include "limit.h"

static unsigned int gpgstatus_code(const char *);
static int	gpgstatus_notfound(const char *);
static void	gpgstatus_dec(struct gpgstatus *, const char *, const char *);
static int	gpgstatus_num(const char *, int);
static void	gpgstatus_exit(struct gpgstatus *, const char *);

/* gpgstatus_code - the gpg-error code ending "LOCATION CODE", or 0 */
static unsigned int
gpgstatus_code(const char *args)
{
	const char *sp;
	char *end;
	unsigned long code;

	if (args == NULL || (sp = strrchr(args, ' ')) == NULL)
		return 0;
	errno = 0;
	code = strtoul(sp + 1, &end, 10);
	if (errno != 0 || end == sp + 1 || *end != '\0' || code > UINT_MAX)
		return 0;
	return (unsigned int)code;
}

/*
 * gpgstatus_notfound - an ERROR line that only says a pattern matched
 * nothing ("ERROR keylist.getkey 9": No public key), which is an answer,
 * not a failure.  args is "LOCATION CODE".
 */
static int
gpgstatus_notfound(const char *args)
{
	unsigned int code;

	if ((code = gpgstatus_code(args)) == 0)
		return 0;
	switch (gpg_err_code((gpg_error_t)code)) {
	case GPG_ERR_NO_PUBKEY:
	case GPG_ERR_NO_SECKEY:
	case GPG_ERR_NOT_FOUND:
	case GPG_ERR_EOF:
		return 1;
	default:
		return 0;
	}
}

/* gpgstatus_line - see gpgstatus.h */
void
gpgstatus_line(struct gpgstatus *seen, const char *keyword, const char *args)
{
	if (keyword == NULL)
		return;
	if (strcmp(keyword, GPGSUP_KEYWORD) == 0) {
		/* the supervisor's line comes first; gpg writes no such
		 * keyword, and no later line may overrule it */
		if (!seen->exited)
			gpgstatus_exit(seen, args);
	}
	else if (strcmp(keyword, "ERROR") == 0 ||
	    strcmp(keyword, "FAILURE") == 0) {
		if (gpgstatus_notfound(args)) {
			seen->notfound = 1;
			return;
		}
		if (!seen->error) {
			snprintf(seen->what, sizeof seen->what, "%s %s",
			    keyword, args != NULL ? args : "");
			seen->error_code = gpgstatus_code(args);
		}
		seen->error = 1;
	} else if (strcmp(keyword, "END_ENCRYPTION") == 0)
		seen->end_encryption = 1;
	else if (strcmp(keyword, "SIG_CREATED") == 0)
		seen->sig_created = 1;
	else if (strcmp(keyword, "IMPORT_RES") == 0 && args != NULL) {
		/* a WKD lookup's import: how many keys gpg could read */
		seen->import_res = 1;
		seen->import_count = strtol(args, NULL, 10);
	}
	else
		gpgstatus_dec(seen, keyword, args);
}

/* gpgstatus_dec - the status lines of decryption and verification */
static void
gpgstatus_dec(struct gpgstatus *seen, const char *keyword,
    const char *args)
{
	static const char *sigends[] = { "GOODSIG", "BADSIG", "EXPSIG",
	    "EXPKEYSIG", "REVKEYSIG", "ERRSIG", NULL };
	const char **k;

	if (strcmp(keyword, "DECRYPTION_OKAY") == 0)
		seen->decryption_okay = 1;
	else if (strcmp(keyword, "DECRYPTION_FAILED") == 0)
		seen->decryption_failed = 1;
	else if (strcmp(keyword, "BEGIN_DECRYPTION") == 0)
		seen->begin_decryption = 1;
	else if (strcmp(keyword, "END_DECRYPTION") == 0)
		seen->end_decryption = 1;
	else if (strcmp(keyword, "NODATA") == 0)
		seen->nodata = 1;
	else if (strcmp(keyword, "PLAINTEXT") == 0)
		seen->plaintext = 1;
	else if (strcmp(keyword, "UNEXPECTED") == 0)
		seen->unexpected = 1;
	else if (strcmp(keyword, "NEWSIG") == 0)
		seen->newsig++;
	else if (strcmp(keyword, "NO_SECKEY") == 0) {
		if (seen->no_seckey < GPGSTATUS_SECKEY_IDS && args != NULL)
			snprintf(seen->seckey[seen->no_seckey],
			    sizeof seen->seckey[0], "%s", args);
		seen->no_seckey++;
	} else if (strcmp(keyword, "NEED_PASSPHRASE_SYM") == 0)
		seen->sym_passphrase = 1;
	else if (strcmp(keyword, "NEED_PASSPHRASE") == 0 ||
	    (strcmp(keyword, "PINENTRY_LAUNCHED") == 0 &&
	    !seen->sym_passphrase))
		seen->need_passphrase = 1;
	else
		for (k = sigends; *k != NULL; k++)
			if (strcmp(keyword, *k) == 0)
				seen->sigdone++;
}

/* gpgstatus_num - a decimal number from 0 to max, or -1 */
static int
gpgstatus_num(const char *s, int max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 0 || n > max)
		return -1;
	return (int)n;
}

/* gpgstatus_exit - the supervisor's line: how gpg ended */
static void
gpgstatus_exit(struct gpgstatus *seen, const char *args)
{
	int n;

	seen->exited = 1;
	seen->exit_code = -1;
	if (args == NULL)
		args = "";
	if (strncmp(args, "signal ", 7) == 0)
		snprintf(seen->exit_how, sizeof seen->exit_how,
		    "killed (signal %d)", gpgstatus_num(args + 7, 128));
	else if (strncmp(args, "signatures ", 11) == 0) {
		/* stopped by the supervisor: the message has too many */
		seen->stopped = GPGSTATUS_SIGS;
		snprintf(seen->exit_how, sizeof seen->exit_how,
		    "stopped: over %d signatures", LIMIT_SIGNATURES);
	} else if (strncmp(args, "cpu ", 4) == 0) {
		/* stopped by the supervisor: the message costs too much */
		seen->stopped = GPGSTATUS_CPU;
		snprintf(seen->exit_how, sizeof seen->exit_how,
		    "stopped: over %s seconds of CPU", args + 4);
	} else if (strncmp(args, "deadline ", 9) == 0) {
		seen->late = 1;
		snprintf(seen->exit_how, sizeof seen->exit_how,
		    "no answer within %s s", args + 9);
	} else if (strncmp(args, "exec ", 5) == 0)
		snprintf(seen->exit_how, sizeof seen->exit_how,
		    "not started: %s", (n = gpgstatus_num(args + 5, 4096)) >= 0 ?
		    strerror(n) : "?");
	else if ((n = gpgstatus_num(args, 255)) >= 0) {
		seen->exit_code = n;
		snprintf(seen->exit_how, sizeof seen->exit_how, "exited %d", n);
	} else
		snprintf(seen->exit_how, sizeof seen->exit_how, "ended");
}

/*
 * gpgstatus_stopped - see gpgstatus.h.  gpg stopped with an error
 * inside the encrypted data before it could vouch for it: "gpg: Fatal:
 * zlib inflate problem" on
 * a tampered ciphertext exits 2 after BEGIN_DECRYPTION with no other
 * word.  That is the message's doing: trouble of gpg's own (trustdb,
 * agent, keyring) stops it before BEGIN_DECRYPTION, and a killed gpg
 * is no exit status.
 */
int
gpgstatus_stopped(const struct gpgstatus *s)
{
	return s->begin_decryption && !s->decryption_okay &&
	    !s->end_decryption && s->exit_code > 0;
}

/*
 * The rules of HACKING.md "How gpg failures are caught" that read only
 * what gpg said: gpg.c and gpgop.c ask them after each operation.  Error values
 * are gpg-error's (gpg_error_t; GPGME's are the same), so no GPGME type
 * is needed here.
 */

/* gpgstatus_listed - see gpgstatus.h.  gpg stops at "gpg: Fatal: ..."
 * (an unreadable or damaged trustdb.gpg) with exit 2 and no status
 * line at all. */
int
gpgstatus_listed(const struct gpgstatus *s, size_t nlisted)
{
	return !s->error && s->exited && (s->exit_code == 0 ||
	    (s->exit_code == 2 && nlisted == 0 && s->notfound));
}

/* gpgstatus_encrypted - see gpgstatus.h */
int
gpgstatus_encrypted(const struct gpgstatus *s, int signing)
{
	return s->end_encryption && (!signing || s->sig_created) &&
	    s->exited && s->exit_code == 0;
}

/* gpgstatus_signed - see gpgstatus.h */
int
gpgstatus_signed(const struct gpgstatus *s)
{
	return s->sig_created && s->exited && s->exit_code == 0;
}

/* gpgstatus_verified - see gpgstatus.h.  Killed, or stopped by "gpg:
 * Fatal: ..." (a damaged trustdb.gpg, after NEWSIG), is a retry, never
 * a verdict; stopped by the supervisor is the message's doing. */
int
gpgstatus_verified(const struct gpgstatus *s)
{
	return s->stopped || !((!s->exited && !s->unexpected) ||
	    s->exit_code == -1 || s->sigdone < s->newsig);
}

/* gpgstatus_nosecret - see gpgstatus.h */
int
gpgstatus_nosecret(unsigned int err)
{
	switch (gpg_err_code((gpg_error_t)err)) {
	case GPG_ERR_NO_SECKEY:
	case GPG_ERR_UNUSABLE_SECKEY:
		return 1;
	default:
		return 0;
	}
}

/* gpgstatus_seckey_err - see gpgstatus.h */
int
gpgstatus_seckey_err(unsigned int err)
{
	switch (gpg_err_code((gpg_error_t)err)) {
	case GPG_ERR_WRONG_KEY_USAGE:
	case GPG_ERR_KEY_EXPIRED:
	case GPG_ERR_CERT_REVOKED:
		return 1;
	default:
		return gpgstatus_nosecret(err);
	}
}

/* gpgstatus_locked - see gpgstatus.h */
int
gpgstatus_locked(const struct gpgstatus *s, unsigned int err)
{
	switch (gpg_err_code((gpg_error_t)err)) {
	case GPG_ERR_NO_PIN_ENTRY:
	case GPG_ERR_NO_PASSPHRASE:
	case GPG_ERR_BAD_PASSPHRASE:
		return 1;
	default:
		return s->need_passphrase;
	}
}

/* gpgstatus_sig - see gpgstatus.h */
enum gpg_sig_status
gpgstatus_sig(unsigned int err)
{
	switch (gpg_err_code((gpg_error_t)err)) {
	case GPG_ERR_NO_ERROR:
		return GPG_SIG_VALID;
	case GPG_ERR_SIG_EXPIRED:
	case GPG_ERR_KEY_EXPIRED:
		return GPG_SIG_EXPIRED;
	case GPG_ERR_NO_PUBKEY:
		return GPG_SIG_NOKEY;
	default:	/* bad, revoked, or anything we cannot vouch for */
		return GPG_SIG_BAD;
	}
}

/*
 * gpgstatus_dec_class - see gpgstatus.h.  Only errors that are the
 * message's own become a verdict; everything else (agent, I/O, memory)
 * is a temporary failure of ours.
 */
int
gpgstatus_dec_class(const struct gpgstatus *s, unsigned int err,
    enum gpg_dec *dec)
{
	/* encrypted with a passphrase (and not to a key of ours that is
	 * locked): the message's own doing, not a retry */
	if (s->sym_passphrase && !s->need_passphrase) {
		*dec = GPG_DEC_PASSPHRASE;
		return 0;
	}
	switch (gpg_err_code((gpg_error_t)err)) {
	case GPG_ERR_NO_SECKEY:
		*dec = GPG_DEC_NOSECKEY;
		return 0;
	case GPG_ERR_DECRYPT_FAILED:
	case GPG_ERR_BAD_SIGNATURE:
		*dec = GPG_DEC_INTEGRITY;
		return 0;
	case GPG_ERR_BAD_DATA:
	case GPG_ERR_NO_DATA:
	case GPG_ERR_INV_PACKET:
	case GPG_ERR_INV_DATA:
	case GPG_ERR_UNKNOWN_PACKET:
	case GPG_ERR_UNSUPPORTED_ALGORITHM:
	case GPG_ERR_CIPHER_ALGO:
	case GPG_ERR_DIGEST_ALGO:
	case GPG_ERR_PUBKEY_ALGO:
	case GPG_ERR_CHECKSUM:
	case GPG_ERR_BAD_MPI:
	case GPG_ERR_INV_ARMOR:
	case GPG_ERR_WRONG_KEY_USAGE:
		*dec = GPG_DEC_BADDATA;
		return 0;
	default:
		return -1;
	}
}

/*
 * gpgstatus_said - see gpgstatus.h.  A verdict needs gpg's own
 * statement of it, from a gpg that finished: a gpg killed, or stopped
 * by "gpg: Fatal: ..." (a damaged trustdb), says nothing about the
 * message.
 */
int
gpgstatus_said(const struct gpgstatus *s, enum gpg_dec dec)
{
	switch (dec) {
	case GPG_DEC_PASSPHRASE:	/* NEED_PASSPHRASE_SYM said it */
		return 1;
	case GPG_DEC_NOSECKEY:		/* only gpg_seckey_confirm may say */
		return 0;
	case GPG_DEC_INTEGRITY:
		return (s->decryption_failed && s->end_decryption) ||
		    gpgstatus_stopped(s);
	default:	/* no OpenPGP message, or not one gpg decrypts */
		return s->nodata || s->exit_code == 0 ||
		    (s->decryption_failed && s->end_decryption) ||
		    gpgstatus_stopped(s);
	}
}

/*
 * gpgstatus_decrypted - see gpgstatus.h.  gpg must have said
 * DECRYPTION_OKAY (integrity checked), not used a legacy cipher without
 * MDC (EFAIL: nomdc), ended the decryption and every signature it
 * began.  Otherwise the plaintext, already in the private spool, is
 * never released.
 */
int
gpgstatus_decrypted(const struct gpgstatus *s, int nomdc, enum gpg_dec *dec)
{
	if (gpgstatus_stopped(s)) {
		*dec = GPG_DEC_INTEGRITY;
		return 0;
	}
	if (!s->end_decryption || s->sigdone < s->newsig)
		return -1;
	if (nomdc || !s->decryption_okay || s->decryption_failed)
		*dec = GPG_DEC_INTEGRITY;
	else
		*dec = GPG_DEC_OK;
	return 0;
}

/* gpgstatus_seckey_ids - see gpgstatus.h */
size_t
gpgstatus_seckey_ids(struct gpgstatus *s, char **ids)
{
	size_t i, n = 0;

	for (i = 0; i < (size_t)s->no_seckey && i < GPGSTATUS_SECKEY_IDS; i++)
		if (strspn(s->seckey[i], "0") != strlen(s->seckey[i]))
			ids[n++] = s->seckey[i];
	return n;
}
