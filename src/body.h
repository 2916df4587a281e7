/*
 * body.h - bodies written out: line ends made the message's, and the
 * shape of decrypted text (which transfer encoding it needs).
 */
#ifndef MAILSEAL_BODY_H
#define MAILSEAL_BODY_H

#include <stddef.h>
#include <stdio.h>

struct input;
struct rfc5322_header;

/* How a body is copied: as it is, or with the message's line ends. */
enum body_eol {
	BODY_RAW,
	BODY_LF,	/* CRLF becomes LF */
	BODY_CRLF	/* a bare LF becomes CRLF */
};

/* What text looks like, to choose how to write it. */
struct body_shape {
	int	eight;		/* bytes over 127 */
	int	binary;		/* NUL, a bare CR, a line over 998 bytes */
	int	utf8;		/* valid UTF-8 */
};

/* body_eol - n bytes into out (which holds 2 * n + 1) with their line
 * ends as eol says, in steps: *pendcr (0 at the start) carries a CR
 * from one step to the next; BODY_LF holds a last CR back (after the
 * last step, a CR still held is written as it is).  Returns the bytes
 * written to out. */
size_t	body_eol(const char *, size_t, enum body_eol, int *, char *);

/* body_put - n bytes with their line ends as eol says */
int	body_put(FILE *, const char *, size_t, enum body_eol);

/* body_copy - the rest of in, with line ends as eol says */
int	body_copy(struct input *, FILE *, enum body_eol);

/* body_copy_n - len bytes of in (fewer when it ends), the same way */
int	body_copy_n(struct input *, off_t, FILE *, enum body_eol);

/* body_shape - look at all of in (from its start) */
int	body_shape(struct input *, struct body_shape *);

/* body_base64 - all of in (from its start) in base64 lines */
int	body_base64(struct input *, FILE *, int);

/* body_ctype_utf8 - "Content-Type: text/plain; charset=utf-8" with the
 * other parameters of h's Content-Type (format=flowed, say) */
int	body_ctype_utf8(const struct rfc5322_header *, FILE *, int);

#endif
