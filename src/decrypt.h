/*
 * decrypt.h - the decrypt command: verdicts, and plaintext only when it
 * is safe to release.
 */
#ifndef MAILSEAL_DECRYPT_H
#define MAILSEAL_DECRYPT_H

struct decrypt_opts {
	const char	*input;		/* NULL: standard input */
	const char	*output;	/* NULL: standard output */
	const char	*homedir;	/* NULL: gpg's default */
	int		 usefds;	/* read infd and write outfd, not input
					 * and output (the filter's nameless
					 * files) */
	int		 infd;		/* the message, a seekable file read
					 * from its start; stays the caller's */
	int		 outfd;		/* the result, written from its start
					 * (emptied first); stays the caller's */
};

enum decrypt_result {
	DECRYPT_OK,		/* a message with verdicts was written */
	DECRYPT_NOINPUT,	/* the input file cannot be opened */
	DECRYPT_DATAERR,	/* not a message */
	DECRYPT_TEMPFAIL	/* anything else: try again later */
};

enum decrypt_result	decrypt_run(const struct decrypt_opts *);

#endif
