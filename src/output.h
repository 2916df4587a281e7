/*
 * output.h - all or nothing: the result is spooled and released only
 * when the whole operation succeeded.
 */
#ifndef MAILSEAL_OUTPUT_H
#define MAILSEAL_OUTPUT_H

#include <stdio.h>

#include "outcome.h"

struct output;

/* output_open - spool for path (NULL: standard output).  For a path,
 * the spool is a nameless file in its directory, linked in (or renamed
 * over an existing file) on commit; for standard output, a nameless
 * file in $TMPDIR copied out on commit.  Returns 0, or -1 with errno
 * set. */
int	 output_open(struct output **, const char *);

/* output_open_fd - the result goes straight into fd, a private
 * nameless file of the caller's (emptied first; fd stays the caller's,
 * who reads the result back after a commit and throws the file away
 * otherwise).  Returns 0, or -1 with errno set. */
int	 output_open_fd(struct output **, int);

/* output_stream - where to write the result */
FILE	*output_stream(struct output *);

/* output_commit - flush, sync and publish the result; returns 0, or -1
 * with errno set (the spool is discarded either way) */
int	 output_commit(struct output *);

/* output_copyout - copy all of the file fd to standard output; 0, or
 * -1 with errno set.  Should the copy fail (EFBIG, ENOSPC), what it
 * added to a regular file is cut off again; bytes that were there
 * before are never touched. */
int	 output_copyout(int);

/* output_release - commit *op (then NULL, committed or discarded):
 * r, or OUTCOME_TEMPFAIL with one line said when that fails */
enum outcome	output_release(struct output **, enum outcome);

/* output_discard - throw the spool away; nothing is published */
void	 output_discard(struct output *);

/* output_cleanup - remove a named file of the output on an emergency
 * exit (the fallback spool, or the hidden name of the moment before the
 * rename); only async-signal-safe calls */
void	 output_cleanup(void);

#endif
