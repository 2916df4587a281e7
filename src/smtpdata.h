/*
 * smtpdata.h - the text of SMTP's DATA, dot-unstuffed, as a byte-level
 * automaton over whatever the socket gave (no I/O, constant memory).
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

#endif
