/*
 * output.c - publish a result only when it is whole.
 *
 * "Nothing is written unless the whole operation succeeded": results are
 * written to a private spool that has no name (tmpfile.c) and published
 * at the end.  With -o FILE the spool is an O_TMPFILE file in FILE's
 * directory; on commit it is synced and linked in as FILE (linkat), or,
 * when FILE exists, linked under a hidden random name and renamed over
 * it (atomic, as Maildir delivery does).  Until then a kill -9 leaves
 * nothing, and afterwards a whole file.  On standard output the spool
 * is copied out, so the MTA reading it sees either a whole message or
 * nothing (a failed copy is reported, the exit code says so, and what
 * the copy added to a regular file is cut off again).  For the filter,
 * the result can go straight into a nameless file of the caller's.
 *
 * The mode of -o FILE: a new file is 0600 (less by the umask).  An
 * existing FILE keeps its permission bits only when it is a regular
 * file of our own (lstat at commit: a symbolic link is replaced, never
 * followed), without setuid, setgid and sticky bits; anything else is
 * replaced by a 0600 file, so nobody who got there first can read it.
 * A device, FIFO or socket there (or at the end of a symbolic link
 * there) is never replaced: -o /dev/null or /dev/stdout fails (EEXIST).
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

#include "log.h"
#include "output.h"
#include "secmem.h"
#include "tmpfile.h"
#include "xmalloc.h"

struct output {
	FILE	*fp;
	char	*path;		/* the target, or NULL */
	char	*base;		/* its last component, in dirfd */
	int	 dirfd;		/* the target's directory, or -1 */
	int	 named;		/* the spool is output_tmpname (fallback) */
	char	*iobuf;		/* stdio buffer (glibc ignores a size alone) */
};

#define OUTPUT_BUFSZ	65536
/* attempts at a free hidden name beside the target */
#define OUTPUT_TRIES	16

/* A named file of the output in progress (the hidden name of the
 * moment, or the fallback spool), for output_cleanup(). */
static char output_tmpname[PATH_MAX];

static int	output_target(struct output *, const char *);
static int	output_hidden(const struct output *, char *, size_t);
static int	output_named(struct output *);
static void	output_remember(const struct output *, const char *);
static int	output_mode(const struct output *, int);
static int	output_special(const struct output *);
static int	output_publish(struct output *, int);
static int	output_replace(struct output *, int);
static int	output_copyname(struct output *, int);

/* output_finish - the stdio stream on fd, with our buffer */
static int
output_finish(struct output *o, int fd, struct output **op)
{
	int saved;

	if ((o->fp = fdopen(fd, "w+")) == NULL) {
		saved = errno;
		close(fd);
		output_discard(o);
		errno = saved;
		return -1;
	}
	o->iobuf = xmalloc(OUTPUT_BUFSZ);
	setvbuf(o->fp, o->iobuf, _IOFBF, OUTPUT_BUFSZ);
	*op = o;
	return 0;
}

/* output_open - see output.h */
int
output_open(struct output **op, const char *path)
{
	struct output *o;
	int fd, saved;

	o = xcalloc(1, sizeof *o);
	o->dirfd = -1;
	if (path == NULL)
		fd = tmpfile_open_unlinked();
	else if (output_target(o, path) == -1)
		fd = -1;
	else if ((fd = tmpfile_open_nameless(o->dirfd)) == -1 &&
	    errno == EOPNOTSUPP)
		fd = output_named(o);
	if (fd == -1) {
		saved = errno;
		output_discard(o);
		errno = saved;
		return -1;
	}
	return output_finish(o, fd, op);
}

/* output_open_fd - see output.h */
int
output_open_fd(struct output **op, int fd)
{
	struct output *o;
	int dfd;

	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
	    (dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return -1;
	o = xcalloc(1, sizeof *o);
	o->dirfd = -1;
	o->named = -1;		/* the caller's file: flushed, nothing more */
	return output_finish(o, dfd, op);
}

/* output_target - the target's directory (open) and last component */
static int
output_target(struct output *o, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	o->path = xstrdup(path);
	o->base = xstrdup(slash == NULL ? path : slash + 1);
	if (o->base[0] == '\0' || strcmp(o->base, ".") == 0 ||
	    strcmp(o->base, "..") == 0) {
		errno = EISDIR;
		return -1;
	}
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
	o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	/* refused now, before the work, and again at commit */
	return o->dirfd == -1 || output_special(o) == -1 ? -1 : 0;
}

/* output_special - what is at the target may be replaced, unless it is
 * (or a symbolic link there leads to) a device, FIFO or socket: a
 * rename would put a file in place of /dev/null, or of the symbolic
 * link /dev/stdout, for everybody */
static int
output_special(const struct output *o)
{
	struct stat st;
	char link[16];
	ssize_t n;

	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	/* /dev/stdout: a descriptor, whatever it is open on */
	if (S_ISLNK(st.st_mode) && (n = readlinkat(o->dirfd, o->base, link,
	    sizeof link)) >= 6 && memcmp(link, "/proc/", 6) == 0) {
		errno = EEXIST;
		return -1;
	}
	if (S_ISLNK(st.st_mode) && fstatat(o->dirfd, o->base, &st, 0) == -1)
		return 0;	/* dangling: replaced, as any link */
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
	    S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	return 0;
}

/* output_hidden - a fresh hidden name beside the target, ".BASE.XXXX":
 * Maildir readers and ls skip dot files */
static int
output_hidden(const struct output *o, char *buf, size_t sz)
{
	unsigned char r[8];
	char hex[sizeof r * 2 + 1];
	size_t i;
	int ret;

	secmem_nonce(r, sizeof r);
	for (i = 0; i < sizeof r; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	ret = snprintf(buf, sz, ".%.200s.%s", o->base, hex);
	if (ret < 0 || (size_t)ret >= sz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* output_remember - the path of name beside the target, for
 * output_cleanup() */
static void
output_remember(const struct output *o, const char *name)
{
	const char *slash = strrchr(o->path, '/');
	int dlen = slash == NULL ? 0 : (int)(slash - o->path) + 1, ret;

	ret = snprintf(output_tmpname, sizeof output_tmpname, "%.*s%s",
	    dlen, o->path, name);
	if (ret < 0 || (size_t)ret >= sizeof output_tmpname)
		output_tmpname[0] = '\0';
}

/* output_named - the fallback where O_TMPFILE cannot be had: a hidden
 * named spool beside the target (mailseal(1) says so) */
static int
output_named(struct output *o)
{
	const char *slash = strrchr(o->path, '/');
	size_t dlen = slash == NULL ? 0 : (size_t)(slash - o->path) + 1;
	int ret, fd;

	ret = snprintf(output_tmpname, sizeof output_tmpname,
	    "%.*s.%.200s.XXXXXX", (int)dlen, o->path, o->base);
	if (ret < 0 || (size_t)ret >= sizeof output_tmpname) {
		output_tmpname[0] = '\0';
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(output_tmpname, O_CLOEXEC)) == -1) {
		output_tmpname[0] = '\0';
		return -1;
	}
	o->named = 1;
	return fd;
}

/* output_stream - see output.h */
FILE *
output_stream(struct output *o)
{
	return o->fp;
}

/* output_copyout - see output.h */
int
output_copyout(int fd)
{
	struct stat st;
	off_t start = -1;
	int fl, saved;

	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
	    (fl = fcntl(STDOUT_FILENO, F_GETFL)) != -1)
		start = (fl & O_APPEND) ? st.st_size :
		    lseek(STDOUT_FILENO, 0, SEEK_CUR);
	if (lseek(fd, 0, SEEK_SET) == -1)
		return -1;
	if (tmpfile_copy(fd, STDOUT_FILENO) == 0)
		return 0;
	saved = errno;
	if (start != -1 && start >= st.st_size)
		(void)!ftruncate(STDOUT_FILENO, start);
	errno = saved;
	return -1;
}

/* output_mode - the target's mode for the spool fd, from what is at
 * the target now (see the top of this file) */
static int
output_mode(const struct output *o, int fd)
{
	struct stat st;

	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (S_ISREG(st.st_mode) && st.st_uid == geteuid())
		return fchmod(fd, st.st_mode & 0777);
	return fchmod(fd, 0600);
}

/* output_replace - the whole spool over an existing target: linked
 * under a hidden name, renamed over the target */
static int
output_replace(struct output *o, int fd)
{
	char tmp[NAME_MAX + 1];
	int i, saved;

	for (i = 0; i < OUTPUT_TRIES; i++) {
		if (output_hidden(o, tmp, sizeof tmp) == -1)
			return -1;
		if (tmpfile_link(fd, o->dirfd, tmp) == 0)
			break;
		if (errno != EEXIST)
			return -1;
	}
	if (i == OUTPUT_TRIES)
		return -1;
	/* for on_signal(): the name exists until the rename */
	output_remember(o, tmp);
	if (renameat(o->dirfd, tmp, o->dirfd, o->base) == -1) {
		saved = errno;
		(void)unlinkat(o->dirfd, tmp, 0);
		output_tmpname[0] = '\0';
		errno = saved;
		return -1;
	}
	output_tmpname[0] = '\0';
	return 0;
}

/* output_copyname - no way to link a nameless file (no /proc): copy it
 * to a hidden named file beside the target and rename that over it */
static int
output_copyname(struct output *o, int fd)
{
	struct stat st;
	int nfd, saved;

	if ((nfd = output_named(o)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || fchmod(nfd, st.st_mode & 0777) == -1 ||
	    lseek(fd, 0, SEEK_SET) == -1 || tmpfile_copy(fd, nfd) == -1 ||
	    fsync(nfd) == -1 || rename(output_tmpname, o->path) == -1) {
		saved = errno;
		close(nfd);
		(void)unlink(output_tmpname);
		output_tmpname[0] = '\0';
		o->named = 0;
		errno = saved;
		return -1;
	}
	close(nfd);
	output_tmpname[0] = '\0';
	o->named = 0;
	return 0;
}

/* output_publish - the whole, synced spool fd becomes the target */
static int
output_publish(struct output *o, int fd)
{
	if (output_special(o) == -1 || output_mode(o, fd) == -1 ||
	    fsync(fd) == -1)
		return -1;
	if (o->named == 1) {
		if (rename(output_tmpname, o->path) == -1)
			return -1;
		output_tmpname[0] = '\0';
		o->named = 0;
	} else if (tmpfile_link(fd, o->dirfd, o->base) == -1) {
		if (errno == EEXIST) {
			if (output_replace(o, fd) == -1)
				return -1;
		} else if (errno != EOPNOTSUPP || output_copyname(o, fd) == -1)
			return -1;
	}
	/* make it durable: the file itself is synced (best effort) */
	(void)fsync(o->dirfd);
	return 0;
}

/* output_commit - see output.h */
int
output_commit(struct output *o)
{
	int fd, saved;

	if (fflush(o->fp) == EOF || ferror(o->fp))
		goto fail;
	fd = fileno(o->fp);
	if (o->named == -1)
		;	/* the caller's file: it has it all */
	else if (o->path == NULL) {
		if (output_copyout(fd) == -1)
			goto fail;
	} else if (output_publish(o, fd) == -1)
		goto fail;
	output_discard(o);
	return 0;
fail:
	saved = errno != 0 ? errno : EIO;
	output_discard(o);
	errno = saved;
	return -1;
}

/* output_release - see output.h */
enum outcome
output_release(struct output **op, enum outcome r)
{
	int failed = output_commit(*op) == -1;

	*op = NULL;		/* committed or discarded: gone either way */
	if (failed) {
		log_warn("cannot write the output");
		return OUTCOME_TEMPFAIL;
	}
	return r;
}

/* output_discard - see output.h */
void
output_discard(struct output *o)
{
	if (o == NULL)
		return;
	if (o->fp != NULL)
		fclose(o->fp);
	if (o->named == 1) {
		(void)unlink(output_tmpname);
		output_tmpname[0] = '\0';
	}
	if (o->dirfd != -1)
		close(o->dirfd);
	free(o->path);
	free(o->base);
	free(o->iobuf);
	free(o);
}

/* output_cleanup - see output.h */
void
output_cleanup(void)
{
	if (output_tmpname[0] != '\0')
		unlink(output_tmpname);
}
