/*
 * msg.c - one message, read once (msg.h).
 *
 * A message from a pipe is spooled to a nameless file (tmpfile.c), a
 * regular file is read in place; either way input.c reads it by
 * position, so the header block, the classification and the body
 * reads of encrypt or decrypt share one file without moving each
 * other's place.  A spool that cannot be written says so, naming the
 * temporary directory: a full $TMPDIR is the postmaster's to fix, and
 * "cannot read the message" sent them looking at the MTA.
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "input.h"
#include "log.h"
#include "msg.h"
#include "tmpfile.h"
#include "xmalloc.h"

#define ESCBUF	512

static enum outcome	msg_header(struct msg *);
static int		msg_spool_full(int);

/* msg_new - an empty message */
static struct msg *
msg_new(void)
{
	struct msg *m = xcalloc(1, sizeof *m);

	m->fd = -1;
	m->herr = RFC5322_EMPTY;
	return m;
}

/* msg_header - read the header block once; only a read error fails */
static enum outcome
msg_header(struct msg *m)
{
	if ((m->herr = rfc5322_read(m->in, &m->h)) == RFC5322_IO) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	return OUTCOME_OK;
}

/* msg_spool_full - the spool failed for want of room (a full or
 * limited $TMPDIR), not because the message could not be read */
static int
msg_spool_full(int e)
{
	return e == ENOSPC || e == EFBIG || e == EDQUOT;
}

/* msg_spool - see msg.h */
enum outcome
msg_spool(struct msg **mp, int fd)
{
	struct msg *m = msg_new();

	*mp = m;
	if ((m->fd = tmpfile_open_unlinked()) == -1) {
		log_warn("cannot write a temporary file in %s", tmpfile_dir());
		return OUTCOME_TEMPFAIL;
	}
	m->ownfd = 1;
	/* tmpfile_copy waits on a non-blocking input, and lets the
	 * kernel copy where it can */
	if (tmpfile_copy(fd, m->fd) == -1) {
		if (msg_spool_full(errno))
			log_warn("cannot write a temporary file in %s",
			    tmpfile_dir());
		else
			log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	if (input_open_fd(&m->in, m->fd) != 0) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	return msg_header(m);
}

/* msg_open_fd - see msg.h */
enum outcome
msg_open_fd(struct msg **mp, int fd)
{
	struct msg *m = msg_new();

	*mp = m;
	m->fd = fd;
	if (input_open_fd(&m->in, fd) != 0) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	return msg_header(m);
}

/* msg_open - see msg.h */
enum outcome
msg_open(struct msg **mp, const char *path)
{
	struct stat st;
	struct msg *m;
	char esc[ESCBUF];
	int e;

	if (path == NULL && (fstat(STDIN_FILENO, &st) == -1 ||
	    !S_ISREG(st.st_mode) || lseek(STDIN_FILENO, 0, SEEK_CUR) == -1))
		return msg_spool(mp, STDIN_FILENO);
	*mp = m = msg_new();
	if ((e = input_open(&m->in, path)) != 0) {
		if (e == INPUT_ENOPEN) {
			log_warn("%s", log_escape(path, esc, sizeof esc));
			return OUTCOME_NOINPUT;
		}
		log_warn("cannot read %s", path != NULL ?
		    log_escape(path, esc, sizeof esc) : "standard input");
		return OUTCOME_TEMPFAIL;
	}
	return msg_header(m);
}

/* msg_classify - see msg.h */
int
msg_classify(struct msg *m)
{
	if (m->classified)
		return 0;
	if (classify_message(&m->h, m->in, &m->kind, &m->span) == -1)
		return -1;
	m->classified = 1;
	return 0;
}

/* msg_eol - see msg.h */
const char *
msg_eol(const struct msg *m)
{
	return m->h.crlf ? "\r\n" : "\n";
}

/* msg_free - release the message and, when it is ours, its spool */
void
msg_free(struct msg *m)
{
	if (m == NULL)
		return;
	rfc5322_free(&m->h);
	input_close(m->in);
	if (m->ownfd && m->fd != -1)
		close(m->fd);
	free(m);
}

/* msg_write_lead - see msg.h */
int
msg_write_lead(const struct msg *m, const char *lead, FILE *fp)
{
	const struct rfc5322_header *h = &m->h;

	if (h->fromline != NULL &&
	    fwrite(h->fromline, 1, h->fromlen, fp) != h->fromlen)
		return -1;
	if (lead != NULL && fprintf(fp, "%s%s", lead, msg_eol(m)) < 0)
		return -1;
	return 0;
}
