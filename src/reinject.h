/*
 * reinject.h - hand a message back to the MTA through its sendmail
 * command.
 */
#ifndef MAILSEAL_REINJECT_H
#define MAILSEAL_REINJECT_H

#include <stddef.h>

#define REINJECT_ERRLEN	256

/* reinject - run "sendmail -G -i -f SENDER -- RCPT..." (no -f when
 * SENDER is NULL) with the file at fd (read from offset 0) on its
 * standard input; 0 when it took the message (exit status 0), else -1
 * with err saying why */
int	reinject(const char *, const char *, char *const *, size_t, int,
	    char *, size_t);

#endif
