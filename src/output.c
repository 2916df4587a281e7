/*
 * output.c - publish a result only when it is whole.
 *
 * "Nothing is written unless the whole operation succeeded": results are
 * written to a private spool (mode 0600) and published at the end: with
 * -o, by fsync() and rename() over the target (atomic, as Maildir
 * delivery does); on standard output, by copying the spool out, so the
 * MTA reading our standard output sees either a whole message or
 * nothing (a failed copy is reported, and the exit code says so).
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

#include "output.h"
#include "tmpfile.h"
#include "xmalloc.h"

struct output {
	FILE	*fp;
	char	*path;		/* the target, or NULL for standard output */
	char	*tmp;		/* the named spool beside the target */
	char	*iobuf;		/* stdio buffer (glibc ignores a size alone) */
	mode_t	 mode;		/* an existing target's mode, kept */
	int	 keepmode;
};

#define OUTPUT_BUFSZ	65536

/* The named spool of the output in progress, for output_cleanup(). */
static char output_tmpname[PATH_MAX];

static int	output_copyout(int);
static void	output_syncdir(const char *);

/* output_open - see output.h */
int
output_open(struct output **op, const char *path)
{
	struct output *o;
	struct stat st;
	char *tmp;
	size_t len;
	int fd, saved;

	o = xcalloc(1, sizeof *o);
	if (path == NULL) {
		if ((fd = tmpfile_open_unlinked()) == -1)
			goto fail;
	} else {
		len = strlen(path);
		if (len + 8 >= sizeof output_tmpname) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		o->path = xstrdup(path);
		tmp = xmalloc(len + 8);
		memcpy(tmp, path, len);
		memcpy(tmp + len, ".XXXXXX", 8);
		if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
			free(tmp);
			goto fail;
		}
		o->tmp = tmp;
		memcpy(output_tmpname, o->tmp, len + 8);
		/* replacing a file keeps its mode; a new one is 0600 */
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			o->mode = st.st_mode & 07777;
			o->keepmode = 1;
		}
	}
	if ((o->fp = fdopen(fd, "w+")) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail;
	}
	o->iobuf = xmalloc(OUTPUT_BUFSZ);
	setvbuf(o->fp, o->iobuf, _IOFBF, OUTPUT_BUFSZ);
	*op = o;
	return 0;
fail:
	saved = errno;
	output_discard(o);
	errno = saved;
	return -1;
}

/* output_stream - see output.h */
FILE *
output_stream(struct output *o)
{
	return o->fp;
}

/* output_copyout - copy the spool (fd) to standard output */
static int
output_copyout(int fd)
{
	if (lseek(fd, 0, SEEK_SET) == -1)
		return -1;
	return tmpfile_copy(fd, STDOUT_FILENO);
}

/* output_syncdir - make the rename durable: fsync the directory of
 * path (best effort: the file itself is already synced) */
static void
output_syncdir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

/* output_commit - see output.h */
int
output_commit(struct output *o)
{
	int fd, saved;

	if (fflush(o->fp) == EOF || ferror(o->fp))
		goto fail;
	fd = fileno(o->fp);
	if (o->path == NULL) {
		if (output_copyout(fd) == -1)
			goto fail;
	} else {
		if (o->keepmode && fchmod(fd, o->mode) == -1)
			goto fail;
		if (fsync(fd) == -1 || rename(o->tmp, o->path) == -1)
			goto fail;
		free(o->tmp);
		o->tmp = NULL;
		output_tmpname[0] = '\0';
		output_syncdir(o->path);
	}
	output_discard(o);
	return 0;
fail:
	saved = errno != 0 ? errno : EIO;
	output_discard(o);
	errno = saved;
	return -1;
}

/* output_discard - see output.h */
void
output_discard(struct output *o)
{
	if (o == NULL)
		return;
	if (o->fp != NULL)
		fclose(o->fp);
	if (o->tmp != NULL) {
		unlink(o->tmp);
		output_tmpname[0] = '\0';
	}
	free(o->tmp);
	free(o->path);
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
