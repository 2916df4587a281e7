/*
 * smtpio.c - SMTP's byte stream on a socket (smtpio.h).
 *
 * One input and one output buffer per connection, fixed in size: a
 * line longer than the caller's buffer is read to its end and dropped
 * (SMTPIO_TOOLONG), so memory never grows with what the peer sends.
 * Each wait is poll(2) until a deadline taken from a monotonic clock;
 * EINTR retries the wait unless the caller's stop flag is set.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smtpio.h"

/* smtpio_now - see smtpio.h */
long long
smtpio_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* smtpio_init - see smtpio.h */
int
smtpio_init(struct smtpio *io, int fd, unsigned int timeout)
{
	int fl;

	memset(io, 0, sizeof *io);
	io->fd = fd;
	io->timeout = timeout;
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	return 0;
}

/* sio_fail - record why; always -1 */
static int
sio_fail(struct smtpio *io, enum smtpio_err e)
{
	io->err = e;
	if (e == SMTPIO_IO)
		io->eno = errno;
	return -1;
}

/* sio_wait - fd ready for events before the deadline until (ms): 0,
 * or -1 with io->err */
static int
sio_wait(struct smtpio *io, short events, long long until)
{
	struct pollfd p;
	long long left;
	int n;

	for (;;) {
		if (io->stop != NULL && *io->stop)
			return sio_fail(io, SMTPIO_STOP);
		if ((left = until - smtpio_now()) <= 0)
			return sio_fail(io, SMTPIO_TIMEOUT);
		p.fd = io->fd;
		p.events = events;
		p.revents = 0;
		/* a signal that sets *stop between the test above and
		 * poll would not wake it: with a stop flag, look again
		 * every second */
		if (left > (io->stop != NULL ? 1000 : 60000))
			left = io->stop != NULL ? 1000 : 60000;
		n = poll(&p, 1, (int)left);
		if (n == -1 && errno != EINTR)
			return sio_fail(io, SMTPIO_IO);
		if (n > 0)
			return 0;
	}
}

/* sio_until - the deadline of a read that starts now */
static long long
sio_until(const struct smtpio *io, long long start)
{
	return io->deadline != 0 ? io->deadline :
	    start + (long long)io->timeout * 1000;
}

/* sio_fill_until - as smtpio_fill, waiting until until */
static int
sio_fill_until(struct smtpio *io, long long until)
{
	ssize_t n;

	if (io->ioff < io->ilen)
		return 0;
	if (io->olen > 0 && smtpio_flush(io) == -1)
		return -1;
	io->ioff = io->ilen = 0;
	for (;;) {
		n = read(io->fd, io->in, sizeof io->in);
		if (n > 0) {
			io->ilen = (size_t)n;
			io->nread += (unsigned long long)n;
			return 0;
		}
		if (n == 0)
			return sio_fail(io, SMTPIO_EOF);
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return sio_fail(io, SMTPIO_IO);
		if (sio_wait(io, POLLIN, until) == -1)
			return -1;
	}
}

/* smtpio_fill - see smtpio.h */
int
smtpio_fill(struct smtpio *io)
{
	return sio_fill_until(io, sio_until(io, smtpio_now()));
}

/* smtpio_pending - see smtpio.h */
size_t
smtpio_pending(const struct smtpio *io)
{
	return io->ilen - io->ioff;
}

/* smtpio_getline - see smtpio.h */
ssize_t
smtpio_getline(struct smtpio *io, char *buf, size_t bufsz)
{
	long long until = sio_until(io, smtpio_now());
	unsigned char *nl;
	size_t len = 0, n;
	int toolong = 0;

	for (;;) {
		if (sio_fill_until(io, until) == -1)
			return -1;
		n = io->ilen - io->ioff;
		nl = memchr(io->in + io->ioff, '\n', n);
		if (nl != NULL)
			n = (size_t)(nl - (io->in + io->ioff));
		/* the NUL's place may hold the CR before the LF */
		if (!toolong && len + n <= bufsz) {
			memcpy(buf + len, io->in + io->ioff, n);
			len += n;
		} else
			toolong = 1;
		io->ioff += n;
		if (nl == NULL)
			continue;
		io->ioff++;		/* the LF */
		if (len > 0 && buf[len - 1] == '\r')
			len--;
		if (toolong || len >= bufsz)
			return sio_fail(io, SMTPIO_TOOLONG);
		buf[len] = '\0';
		return (ssize_t)len;
	}
}

/* smtpio_flush - see smtpio.h */
int
smtpio_flush(struct smtpio *io)
{
	long long until = smtpio_now() + (long long)io->timeout * 1000;
	struct pollfd p;
	size_t off = 0;
	ssize_t n;

	while (off < io->olen) {
		n = write(io->fd, io->out + off, io->olen - off);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			io->olen = 0;
			return sio_fail(io, SMTPIO_IO);
		}
		/* a stop flag does not cut a reply short */
		if (smtpio_now() >= until) {
			io->olen = 0;
			return sio_fail(io, SMTPIO_TIMEOUT);
		}
		p.fd = io->fd;
		p.events = POLLOUT;
		p.revents = 0;
		(void)poll(&p, 1, 1000);
	}
	io->olen = 0;
	return 0;
}

/* smtpio_write - see smtpio.h */
int
smtpio_write(struct smtpio *io, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	while (n > 0) {
		if (io->olen == sizeof io->out && smtpio_flush(io) == -1)
			return -1;
		k = sizeof io->out - io->olen;
		if (k > n)
			k = n;
		memcpy(io->out + io->olen, s, k);
		io->olen += k;
		s += k;
		n -= k;
	}
	return 0;
}

/* smtpio_printf - see smtpio.h */
int
smtpio_printf(struct smtpio *io, const char *fmt, ...)
{
	char line[SMTPIO_BUFSZ / 4];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return sio_fail(io, SMTPIO_IO);
	if ((size_t)n >= sizeof line)
		n = (int)sizeof line - 1;	/* our own text: cut */
	return smtpio_write(io, line, (size_t)n);
}

/* smtpio_strerror - see smtpio.h */
const char *
smtpio_strerror(const struct smtpio *io)
{
	switch (io->err) {
	case SMTPIO_OK:
		return "no error";
	case SMTPIO_EOF:
		return "connection closed by the peer";
	case SMTPIO_TIMEOUT:
		return "timed out";
	case SMTPIO_TOOLONG:
		return "line too long";
	case SMTPIO_IO:
		return strerror(io->eno);
	case SMTPIO_STOP:
		return "stopped";
	}
	return "?";
}
