/*
 * outcome.h - what became of a message or a command, in one table.
 *
 * Modules return an enum outcome; only main.c (and later the SMTP
 * server) turns one into an exit status (sysexits.h), an enhanced
 * status code (RFC 3463) and an SMTP reply.  The table in outcome.c is
 * the only place these three are paired.
 */
#ifndef MAILSEAL_OUTCOME_H
#define MAILSEAL_OUTCOME_H

enum outcome {
	OUTCOME_OK,		/* done: written, sent or passed on */
	OUTCOME_USAGE,		/* a bad command line (the MTA's, in filter) */
	OUTCOME_DATAERR,	/* not a message we can process, and policy
				 * says refuse it */
	OUTCOME_NOINPUT,	/* the input file cannot be opened */
	OUTCOME_NOUSER,		/* a recipient without a usable key where
				 * policy requires encryption */
	OUTCOME_UNAVAILABLE,	/* refused by policy or mode for good */
	OUTCOME_NOSIGNER,	/* the signing key cannot sign (encrypt
				 * --sign: the user's to fix) */
	OUTCOME_TEMPFAIL,	/* anything else: try again later */
	OUTCOME_LOOP,		/* the message goes round in circles: keep it
				 * queued while the postmaster looks */
	OUTCOME_CONFIG,		/* the configuration or the MTA's wiring */
	OUTCOME_EXPIRING,	/* keys --expiring: some key expires soon */
	OUTCOME_NOUSER_KEYS	/* keys: an address has no usable key */
};

struct outcome_info {
	enum outcome	 outcome;
	const char	*name;		/* for logs: "ok", "tempfail", ... */
	int		 exitcode;	/* sysexits.h */
	const char	*dsn;		/* RFC 3463 enhanced status code */
	int		 smtp;		/* SMTP reply code */
	const char	*text;		/* a short reply text */
};

const struct outcome_info	*outcome_info(enum outcome);
int				 outcome_exit(enum outcome);

#endif
