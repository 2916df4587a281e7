/*
 * outcome.c - the one table of outcomes: exit status, enhanced status
 * code (RFC 3463) and SMTP reply.
 *
 * The exit statuses are the contract of INTERFACE.md.  Every code an
 * MTA could take for a bounce is a refusal the message or policy
 * earned; anything unexpected is 75 (EX_TEMPFAIL) so the mail stays
 * queued.  A configuration error defers too (4.3.5: Postfix's pipe(8)
 * reads the code from our first output word and keeps the mail while
 * the postmaster fixes a typo), though the exit status says 78.
 */
#include <config.h>

#include <stddef.h>
#include <sysexits.h>

#include "log.h"
#include "outcome.h"

static const struct outcome_info outcomes[] = {
	{ OUTCOME_OK, "ok", EX_OK, "2.0.0", 250, "Ok" },
	{ OUTCOME_USAGE, "usage", EX_USAGE, "4.3.5", 451,
	    "Filter misconfigured (command line)" },
	{ OUTCOME_DATAERR, "not-a-message", EX_DATAERR, "5.6.0", 554,
	    "Not a message that can be encrypted" },
	{ OUTCOME_NOINPUT, "no-input", EX_NOINPUT, "4.3.0", 451,
	    "Input cannot be opened" },
	{ OUTCOME_NOUSER, "no-key", EX_NOUSER, "5.7.1", 550,
	    "No usable OpenPGP key, and policy requires encryption" },
	{ OUTCOME_UNAVAILABLE, "refused", EX_UNAVAILABLE, "5.7.1", 554,
	    "Refused by policy" },
	{ OUTCOME_NOSIGNER, "no-signer", EX_CONFIG, "4.7.0", 451,
	    "The signing key cannot sign" },
	{ OUTCOME_TEMPFAIL, "deferred", EX_TEMPFAIL, "4.3.0", 451,
	    "Temporary failure, try again later" },
	{ OUTCOME_LOOP, "loop", EX_TEMPFAIL, "4.4.6", 451,
	    "Mail loop through the encryption gateway" },
	{ OUTCOME_CONFIG, "config", EX_CONFIG, "4.3.5", 451,
	    "Filter misconfigured" },
	{ OUTCOME_EXPIRING, "expiring", 1, "2.0.0", 250,
	    "A key expires soon" },
	{ OUTCOME_NOUSER_KEYS, "no-key", EX_NOUSER, "5.1.1", 550,
	    "No usable key for an address" },
};

/* outcome_info - the row of o; a value outside the table is a broken
 * invariant, and the row of OUTCOME_TEMPFAIL keeps the mail */
const struct outcome_info *
outcome_info(enum outcome o)
{
	size_t i;

	for (i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
		if (outcomes[i].outcome == o)
			return &outcomes[i];
	log_warnx("outcome %d: not in the table", (int)o);
	return &outcomes[OUTCOME_TEMPFAIL];
}

/* outcome_exit - the exit status of o (sysexits.h) */
int
outcome_exit(enum outcome o)
{
	return outcome_info(o)->exitcode;
}
