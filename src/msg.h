/*
 * msg.h - one message, read once: the spool it lives in, the reader on
 * it, its header block and what its root is.
 *
 * encrypt, decrypt and the gateway work on a struct msg; the command
 * functions only open one from FILE or standard input.  The header
 * block is read when the message is opened, the root classified at
 * most once (msg_classify), so a message is never parsed twice.
 */
#ifndef MAILSEAL_MSG_H
#define MAILSEAL_MSG_H

#include <stdio.h>

#include "classify.h"
#include "outcome.h"
#include "rfc5322.h"

struct input;

struct msg {
	int			 fd;	/* the spool (a nameless file) or the
					 * caller's file; -1: a named file read
					 * in place */
	int			 ownfd;	/* msg_free closes fd */
	struct input		*in;	/* reads the message by position */
	struct rfc5322_header	 h;	/* valid when herr is RFC5322_OK */
	enum rfc5322_err	 herr;	/* why there is no header block */
	int			 classified;
	enum classify_kind	 kind;	/* after msg_classify */
	struct classify_span	 span;
};

/* msg_open - the message in the file path (NULL: standard input; a
 * pipe is spooled to a nameless file first); OUTCOME_OK (the header
 * block read, or herr saying why not), OUTCOME_NOINPUT or
 * OUTCOME_TEMPFAIL, with one line on standard error */
enum outcome	msg_open(struct msg **, const char *);

/* msg_spool - everything readable from fd into a new nameless file the
 * message owns (the gateway hands that file on by descriptor); as
 * msg_open */
enum outcome	msg_spool(struct msg **, int);

/* msg_open_fd - the message in the seekable file fd, which stays the
 * caller's (read from offset 0); as msg_open */
enum outcome	msg_open_fd(struct msg **, int);

/* msg_classify - what the root is, worked out on the first call only;
 * 0, or -1 on a read error (errno set) */
int		msg_classify(struct msg *);

/* msg_eol - the message's line end style */
const char	*msg_eol(const struct msg *);

/* msg_write_lead - what comes before the message's own fields in an
 * output of ours: its From_ line, then lead (a header field without its
 * line end; NULL: none) with the message's line end; 0, or -1 */
int		 msg_write_lead(const struct msg *, const char *, FILE *);

void		msg_free(struct msg *);

#endif
