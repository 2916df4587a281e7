/*
 * pidfile.c - a server's pid file, guarded by a lock (pidfile.h).
 *
 * The lock, not the PID in the file, says whether a server runs: a
 * file left by a server that was killed holds a PID that may now be
 * anybody's, but nobody holds its lock.  The file is opened before the
 * server forks (so the check comes before anything else can fail) and
 * locked by the process that serves.
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pidfile.h"
#include "xmalloc.h"

/* pf_holder - the PID holding p's lock, 0 when none, -1 (errno) */
static long
pf_holder(const struct pidfile *p)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(p->fd, F_GETLK, &fl) == -1)
		return -1;
	return fl.l_type == F_UNLCK ? 0 : (long)fl.l_pid;
}

/* pidfile_open - see pidfile.h */
enum outcome
pidfile_open(struct pidfile *p, const char *path)
{
	struct stat st;
	long pid;

	memset(p, 0, sizeof *p);
	p->path = xstrdup(path);
	if ((p->fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0644)) == -1) {
		log_warn("pid file %s", path);
		return errno == ELOOP ? OUTCOME_CONFIG : OUTCOME_TEMPFAIL;
	}
	/* a hard link to another file would have that file truncated */
	if (fstat(p->fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 1) {
		log_warnx("pid file %s: not a regular file of its own", path);
		pidfile_close(p);
		return OUTCOME_CONFIG;
	}
	/* readable by all, as pid files are, whatever the umask */
	if (st.st_uid == geteuid())
		(void)fchmod(p->fd, 0644);
	if ((pid = pf_holder(p)) != 0) {
		if (pid == -1)
			log_warn("pid file %s", path);
		else
			log_warnx("already running as PID %ld (%s is locked)",
			    pid, path);
		pidfile_close(p);
		return OUTCOME_TEMPFAIL;
	}
	return OUTCOME_OK;
}

/* pidfile_lock - see pidfile.h */
enum outcome
pidfile_lock(struct pidfile *p)
{
	struct flock fl;
	char line[32];
	long pid;
	int n;

	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(p->fd, F_SETLK, &fl) == -1) {
		if ((errno == EAGAIN || errno == EACCES) &&
		    (pid = pf_holder(p)) > 0)
			log_warnx("already running as PID %ld (%s is locked)",
			    pid, p->path);
		else
			log_warn("pid file %s", p->path);
		return OUTCOME_TEMPFAIL;
	}
	p->locked = 1;
	n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	if (n < 0 || (size_t)n >= sizeof line ||
	    ftruncate(p->fd, 0) == -1 ||
	    pwrite(p->fd, line, (size_t)n, 0) != n) {
		log_warn("pid file %s", p->path);
		return OUTCOME_TEMPFAIL;
	}
	return OUTCOME_OK;
}

/* pidfile_close - see pidfile.h */
void
pidfile_close(struct pidfile *p)
{
	if (p->fd != -1) {
		if (p->locked && unlink(p->path) == -1)
			(void)!ftruncate(p->fd, 0);
		(void)close(p->fd);
	}
	free(p->path);
	memset(p, 0, sizeof *p);
	p->fd = -1;
}
