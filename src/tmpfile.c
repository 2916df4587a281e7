/*
 * tmpfile.c - private temporary files.
 *
 * Every file that holds message data has no name from birth: O_TMPFILE,
 * or where the file system cannot do that, mkstemp() followed at once by
 * unlink(); mode 0600.  A crash or a kill -9 leaves nothing behind, no
 * other user can open them, and they are handed on by descriptor.  A
 * result that must get a name (-o FILE) gets it only when it is whole,
 * by linkat(2) (tmpfile_link).
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpfile.h"

#define TMPFILE_PROCFD	"/proc/self/fd/"
#define TMPFILE_STEP	(1 << 20)	/* bytes per copy_file_range/splice */

/* tmpfile_dir - $TMPDIR when it is an absolute path, else /tmp */
const char *
tmpfile_dir(void)
{
	const char *d = getenv("TMPDIR");

	if (d == NULL || d[0] != '/')
		d = "/tmp";
	return d;
}

/* tmpfile_open_nameless - see tmpfile.h */
int
tmpfile_open_nameless(int dirfd)
{
#ifdef O_TMPFILE
	int fd;

	fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
#else
	(void)dirfd;
#endif
	errno = EOPNOTSUPP;
	return -1;
}

/* tmpfile_open_unlinked - see tmpfile.h */
int
tmpfile_open_unlinked(void)
{
	char path[PATH_MAX];
	const char *dir = tmpfile_dir();
	int dfd, fd, ret, saved;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	fd = tmpfile_open_nameless(dfd);
	saved = errno;
	close(dfd);
	if (fd != -1 || saved != EOPNOTSUPP) {
		errno = saved;
		return fd;
	}
	ret = snprintf(path, sizeof path, "%s/mailseal.XXXXXX", dir);
	if (ret < 0 || (size_t)ret >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	if (unlink(path) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * tmpfile_wait - a non-blocking descriptor (O_NONBLOCK belongs to the
 * open file: whoever shares our standard input or output can set it)
 * said EAGAIN: wait until it is ready for ev.  0, or -1 with errno.
 */
static int
tmpfile_wait(int fd, short ev)
{
	struct pollfd p;
	int r;

	p.fd = fd;
	p.events = ev;
	do
		r = poll(&p, 1, -1);
	while (r == -1 && errno == EINTR);
	return r == -1 ? -1 : 0;
}

/*
 * tmpfile_kernel - copy from in to out inside the kernel: copy_file_range
 * (file to file) or splice (one end a pipe: piped input to the spool, the
 * spool to a piped standard output), no user-space buffer.  0: all done;
 * -1 with errno; 1: neither can copy between these two (nothing moved),
 * so read and write.
 */
static int
tmpfile_kernel(int in, int out)
{
	struct stat si, so;
	ssize_t n;
	int how, moved = 0;

	if (fstat(in, &si) == -1 || fstat(out, &so) == -1)
		return 1;
	/* copy_file_range between regular files only (a file in /proc
	 * reads as empty to it); splice when one end is a pipe */
	how = S_ISREG(si.st_mode) && S_ISREG(so.st_mode) ? 0 :
	    S_ISFIFO(si.st_mode) || S_ISFIFO(so.st_mode) ? 1 : 2;
	while (how < 2) {
		if (how == 0)
			n = copy_file_range(in, NULL, out, NULL, TMPFILE_STEP, 0);
		else
			n = splice(in, NULL, out, NULL, TMPFILE_STEP,
			    SPLICE_F_MOVE);
		if (n > 0) {
			moved = 1;
			continue;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		/* a non-blocking end: this call moved nothing, and the
		 * read and write loop waits for it */
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 1;
		if (moved || (errno != EINVAL && errno != EXDEV &&
		    errno != ENOSYS && errno != EOPNOTSUPP && errno != EBADF &&
		    errno != EPERM && errno != ESPIPE))
			return -1;
		how = 2;
	}
	return 1;
}

/* tmpfile_copy - copy everything from fd in to fd out; returns 0, or -1
 * with errno set */
int
tmpfile_copy(int in, int out)
{
	char buf[65536];
	ssize_t n;
	int k;

	if ((k = tmpfile_kernel(in, out)) != 1)
		return k;
	for (;;) {
		n = read(in, buf, sizeof buf);
		if (n == -1 && (errno == EINTR || ((errno == EAGAIN ||
		    errno == EWOULDBLOCK) && tmpfile_wait(in, POLLIN) == 0)))
			continue;
		if (n <= 0)
			return (int)n;
		if (tmpfile_write(out, buf, (size_t)n) == -1)
			return -1;
	}
}

/*
 * tmpfile_link - see tmpfile.h.  linkat(AT_EMPTY_PATH) needs
 * CAP_DAC_READ_SEARCH (ENOENT without it); /proc/self/fd/N with
 * AT_SYMLINK_FOLLOW is the way open(2) documents for everyone else.
 */
int
tmpfile_link(int fd, int dirfd, const char *name)
{
	char proc[sizeof TMPFILE_PROCFD + 16];
	int ret;

#ifdef AT_EMPTY_PATH
	if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM && errno != EINVAL)
		return -1;
#endif
	ret = snprintf(proc, sizeof proc, TMPFILE_PROCFD "%d", fd);
	if (ret < 0 || (size_t)ret >= sizeof proc) {
		errno = EINVAL;
		return -1;
	}
	if (linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	/* no /proc (a chroot): the caller has to copy */
	if (errno == ENOENT && access(TMPFILE_PROCFD, X_OK) == -1)
		errno = EOPNOTSUPP;
	return -1;
}

/* tmpfile_write - see tmpfile.h */
int
tmpfile_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w == -1 && (errno == EINTR || ((errno == EAGAIN ||
		    errno == EWOULDBLOCK) && tmpfile_wait(fd, POLLOUT) == 0)))
			continue;
		if (w == -1)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
