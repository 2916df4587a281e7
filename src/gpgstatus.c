/*
 * gpgstatus.c - read gpg's status lines into struct gpgstatus: the
 * markers that decide whether gpg finished and what it said.
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
	else if (strncmp(args, "exec ", 5) == 0)
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
