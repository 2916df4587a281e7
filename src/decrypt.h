/*
 * decrypt.h - the decrypt command: verdicts, and plaintext only when it
 * is safe to release.
 */
#ifndef MAILSEAL_DECRYPT_H
#define MAILSEAL_DECRYPT_H

#include "outcome.h"

struct gpg;
struct msg;

struct decrypt_opts {
	const char	*output;	/* NULL: standard output */
	const char	*homedir;	/* NULL: gpg's default */
	int		 usefds;	/* write outfd, not output (the
					 * gateway's nameless files) */
	int		 outfd;		/* the result, written from its start
					 * (emptied first); stays the caller's */
	struct gpg	*gpg;		/* borrowed context, or NULL */
	const char	*lead;		/* a header field written first (after
					 * a From_ line, before the verdicts),
					 * without its line end; NULL: none.
					 * Not written into a message whose
					 * header block cannot be read. */
	const char	*autocrypt_home;	/* learn from Autocrypt fields
					 * into it (autocrypt.h), or NULL */
};

/* decrypt_msg - write m with verdicts (decrypted where it is encrypted
 * to us); OUTCOME_OK whenever a message was written, failed verdicts
 * included; OUTCOME_DATAERR for no input at all; else OUTCOME_TEMPFAIL
 * with one line on standard error */
enum outcome	decrypt_msg(struct msg *, const struct decrypt_opts *);

/* decrypt_run - the command: the message in the file input (NULL:
 * standard input) through decrypt_msg */
enum outcome	decrypt_run(const char *, const struct decrypt_opts *);

#endif
