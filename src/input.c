/*
 * input.c - the message source.
 *
 * A message is read more than once: the header block first, then (for
 * inline PGP detection) the body, then the body again for encryption.
 * The body is never held in memory: a regular file is read in place, and
 * anything else (a pipe from the MTA) is first copied to an unlinked
 * temporary file in $TMPDIR.  The buffer holds at most one header line
 * (LIMIT_HEADER_LINE) plus one read, whatever the message size.
 * Reads are positional (pread), so several sources, or a source and a
 * child process, can share one file description without moving each
 * other's place.
 */
#include <config.h>

#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "limit.h"
#include "tmpfile.h"
#include "xmalloc.h"

#define INPUT_BUFSZ	(LIMIT_HEADER_LINE + 65536)

struct input {
	int		 fd;
	int		 owned;		/* we opened fd and close it */
	off_t		 base;		/* fd offset of the message start */
	off_t		 bufoff;	/* message offset of buf[0] */
	unsigned char	*buf;
	size_t		 pos;		/* next unread byte in buf */
	size_t		 len;		/* valid bytes in buf */
	int		 eof;
};

static int	input_spool(int, int *);
static int	input_fill(struct input *);

/* input_spool - copy fd to an unlinked temporary file, *out */
static int
input_spool(int fd, int *out)
{
	int tfd, saved;

	if ((tfd = tmpfile_open_unlinked()) == -1)
		return -1;
	if (tmpfile_copy(fd, tfd) == -1 || lseek(tfd, 0, SEEK_SET) == -1) {
		saved = errno;
		close(tfd);
		errno = saved;
		return -1;
	}
	*out = tfd;
	return 0;
}

/* input_open - see input.h */
int
input_open(struct input **inp, const char *path)
{
	struct input *in;
	struct stat st;
	int fd, owned = 0, sfd, ret = INPUT_ESPOOL;
	off_t base;

	if (path == NULL)
		fd = STDIN_FILENO;
	else {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return INPUT_ENOPEN;
		owned = 1;
	}
	if (fstat(fd, &st) == -1)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		ret = INPUT_ENOPEN;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (base = lseek(fd, 0, SEEK_CUR)) == -1) {
		if (input_spool(fd, &sfd) == -1)
			goto fail;
		if (owned)
			close(fd);
		fd = sfd;
		owned = 1;
		base = 0;
	}
	in = xcalloc(1, sizeof *in);
	in->fd = fd;
	in->owned = owned;
	in->base = base;
	in->buf = xmalloc(INPUT_BUFSZ);
	*inp = in;
	return 0;
fail:
	if (owned) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return ret;
}

/* input_fdopen - see input.h */
struct input *
input_fdopen(int fd)
{
	struct input *in = xcalloc(1, sizeof *in);

	in->fd = fd;
	in->owned = 1;
	in->buf = xmalloc(INPUT_BUFSZ);
	return in;
}

/* input_open_fd - see input.h */
int
input_open_fd(struct input **inp, int fd)
{
	int own;

	if ((own = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return INPUT_ESPOOL;
	*inp = input_fdopen(own);
	return 0;
}

/* input_close - release the source */
void
input_close(struct input *in)
{
	if (in == NULL)
		return;
	if (in->owned)
		close(in->fd);
	free(in->buf);
	free(in);
}

/* input_fill - move unread bytes to the front and read more; returns
 * the number of bytes added, 0 at end of input, -1 on error */
static int
input_fill(struct input *in)
{
	ssize_t n;

	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->bufoff += (off_t)in->pos;
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->eof || in->len == INPUT_BUFSZ)
		return 0;
	do
		n = pread(in->fd, in->buf + in->len, INPUT_BUFSZ - in->len,
		    in->base + in->bufoff + (off_t)in->len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n == 0)
		in->eof = 1;
	in->len += (size_t)n;
	return n > 0;
}

/* input_line - see input.h */
int
input_line(struct input *in, size_t max, const char **line, size_t *linelen)
{
	unsigned char *nl;
	size_t have, n, scanned = 0;
	int r;

	if (max > INPUT_BUFSZ)
		max = INPUT_BUFSZ;
	for (;;) {
		have = in->len - in->pos;
		nl = memchr(in->buf + in->pos + scanned, '\n', have - scanned);
		if (nl != NULL) {
			n = (size_t)(nl - (in->buf + in->pos)) + 1;
			if (n > max) {
				errno = E2BIG;
				return -1;
			}
			break;
		}
		if (have > max) {
			errno = E2BIG;
			return -1;
		}
		scanned = have;
		/* input_fill keeps the unread bytes, now at buf[0] */
		if ((r = input_fill(in)) == -1)
			return -1;
		if (r == 0) {
			if (!in->eof) {
				errno = E2BIG;	/* buffer full, no newline */
				return -1;
			}
			if (have == 0)
				return 0;
			n = have;	/* a last line without a newline */
			break;
		}
	}
	*line = (const char *)in->buf + in->pos;
	*linelen = n;
	in->pos += n;
	return 1;
}

/* input_read - see input.h */
ssize_t
input_read(struct input *in, void *dst, size_t n)
{
	size_t have = in->len - in->pos;
	ssize_t r;

	if (have > 0) {
		if (n > have)
			n = have;
		memcpy(dst, in->buf + in->pos, n);
		in->pos += n;
		return (ssize_t)n;
	}
	if (in->eof)
		return 0;
	/* Large reads bypass the buffer. */
	in->bufoff += (off_t)in->len;
	in->pos = in->len = 0;
	do
		r = pread(in->fd, dst, n, in->base + in->bufoff);
	while (r == -1 && errno == EINTR);
	if (r > 0)
		in->bufoff += r;
	else if (r == 0)
		in->eof = 1;
	return r;
}

/* input_tell - offset of the next unread byte */
off_t
input_tell(const struct input *in)
{
	return in->bufoff + (off_t)in->pos;
}

/* input_seek - continue reading at message offset off */
int
input_seek(struct input *in, off_t off)
{
	if (off < 0) {
		errno = EINVAL;
		return -1;
	}
	in->bufoff = off;
	in->pos = in->len = 0;
	in->eof = 0;
	return 0;
}
