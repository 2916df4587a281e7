/*
 * pidfile.h - a server's pid file, guarded by a lock: fcntl(F_SETLK)
 * on the file itself, held by the process that serves until it exits,
 * so a second server with the same pid file refuses to start whatever
 * the file holds (a stale PID after a crash is simply replaced), and
 * the PID in it is the server's.
 */
#ifndef MAILSEAL_PIDFILE_H
#define MAILSEAL_PIDFILE_H

#include "outcome.h"

struct pidfile {
	char	*path;		/* absolute */
	int	 fd;
	int	 locked;	/* this process holds the lock */
};

/* pidfile_open - path (created if need be, 0644; no symbolic link, a
 * regular file with no other hard link) opened; refused when another
 * process holds its lock ("already running as PID N").  OUTCOME_OK,
 * else OUTCOME_TEMPFAIL or OUTCOME_CONFIG after one line.  Locks are not inherited by fork: a
 * process that forks to serve calls pidfile_lock in the child. */
enum outcome	pidfile_open(struct pidfile *, const char *);

/* pidfile_lock - the lock taken, for the life of this process, and our
 * PID written; OUTCOME_OK, else OUTCOME_TEMPFAIL after one line */
enum outcome	pidfile_lock(struct pidfile *);

/* pidfile_close - the file removed (emptied when its directory is not
 * ours to change) if this process holds the lock, and closed */
void		pidfile_close(struct pidfile *);

#endif
