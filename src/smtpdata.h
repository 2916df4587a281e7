/*
 * smtpdata.h - the text of SMTP's DATA, dot-unstuffed, as a byte-level
 * automaton over whatever the socket gave (no I/O, constant memory).
 *
 * smtpdata_read runs it over the stream of smtpio.c into the spool.
 *
 * Only CR LF ends a line (RFC 5321 2.3.8): the end of the data is
 * CR LF "." CR LF, a leading dot is removed from a line that starts
 * with one after CR LF (4.5.2), and every other byte, a bare LF or a
 * bare CR included, is message data as it came.  The CR LF before the
 * final dot is the end of the message's last line and stays in it.
 */
#ifndef MAILSEAL_SMTPDATA_H
#define MAILSEAL_SMTPDATA_H

#include <stddef.h>

#include "smtpio.h"

/* how smtpdata_read ended */
enum smtpdata_end {
	SMTPDATA_OK,
	SMTPDATA_BIG,		/* over maxsize: read to its end, dropped */
	SMTPDATA_SPOOL,		/* the spool could not be written (errno) */
	SMTPDATA_CUT,		/* over twice maxsize: not read to its end */
	SMTPDATA_READ		/* timeout, EOF or error (io->err) */
};

struct smtpdata {
	int	state;		/* where in a line we stand */
	int	done;		/* the final "." CR LF was read */
};

/* smtpdata_init - d at the start of the data (the start of a line) */
void	smtpdata_init(struct smtpdata *);

/* smtpdata_unstuff - read up to n bytes of in, the message bytes they
 * carry into out (room for n + 1: a CR held back at a line's leading
 * dot comes out with the next byte), their number in *outlen; returns
 * the bytes of in consumed: all n, or fewer when the end of the data
 * was reached (d->done) and the rest is the client's next command */
size_t	smtpdata_unstuff(struct smtpdata *, const unsigned char *, size_t,
	    unsigned char *, size_t *);

/* smtpdata_read - the text of DATA from io, dot-unstuffed, into the
 * file fd, up to and without the final "." CR LF.  The deadline is
 * timeout seconds from now, and 1/LIMIT_SMTP_MIN_RATE s more for each
 * byte received.  A message over maxsize bytes is read to its end but
 * not written (SMTPDATA_BIG); one over twice maxsize is not read further
 * (SMTPDATA_CUT).  A failed write: SMTPDATA_SPOOL, its errno in *errp;
 * the rest is read and dropped. */
enum smtpdata_end smtpdata_read(struct smtpio *, int, unsigned long long,
	    unsigned int, int *);

#endif
