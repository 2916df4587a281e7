/*
 * tmpfile.c - private temporary files.
 *
 * Spooled input and spooled output live in files that have no name
 * (O_TMPFILE, or mkstemp() followed at once by unlink()), mode 0600, so a
 * crash or a kill leaves nothing behind and no other user can read them.
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

#include "tmpfile.h"

/* tmpfile_dir - $TMPDIR when it is an absolute path, else /tmp */
const char *
tmpfile_dir(void)
{
	const char *d = getenv("TMPDIR");

	if (d == NULL || d[0] != '/')
		d = "/tmp";
	return d;
}

/* tmpfile_open_unlinked - see tmpfile.h */
int
tmpfile_open_unlinked(void)
{
	char path[PATH_MAX];
	const char *dir = tmpfile_dir();
	int fd, ret, saved;

#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd != -1)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -1;
#endif
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

/* tmpfile_copy - copy everything from fd in to fd out; returns 0, or -1
 * with errno set */
int
tmpfile_copy(int in, int out)
{
	char buf[65536];
	ssize_t n, w, off;

	for (;;) {
		n = read(in, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		for (off = 0; off < n; off += w) {
			w = write(out, buf + off, (size_t)(n - off));
			if (w == -1 && errno == EINTR) {
				w = 0;
				continue;
			}
			if (w == -1)
				return -1;
		}
	}
}
