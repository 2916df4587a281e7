/*
 * reinject.c - hand a message back to the MTA: the sendmail command of
 * the configuration, with the envelope as arguments and the message on
 * its standard input.  Only an exit status of 0 means the MTA has the
 * message; anything else (it cannot run, a signal, a short read on its
 * side) is a failure the caller turns into a retry.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reinject.h"
#include "xmalloc.h"

extern char **environ;

static int	reinject_feed(int, int);

/* reinject_feed - copy the file at in (from its start) to out */
static int
reinject_feed(int in, int out)
{
	char buf[65536];
	ssize_t n, w, off;

	if (lseek(in, 0, SEEK_SET) == -1)
		return -1;
	while ((n = read(in, buf, sizeof buf)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		for (off = 0; off < n; off += w) {
			w = write(out, buf + off, (size_t)(n - off));
			if (w == -1 && errno == EINTR)
				w = 0;
			else if (w == -1)
				return -1;
		}
	}
	return 0;
}

/* reinject - see reinject.h */
int
reinject(const char *sendmail, const char *sender, char *const *rcpts,
    size_t nrcpts, int fd, char *err, size_t errsz)
{
	posix_spawn_file_actions_t fa;
	char **argv;
	size_t i, k = 0;
	pid_t pid;
	int p[2], status, e, fed;

	static char opt_g[] = "-G", opt_i[] = "-i", opt_f[] = "-f",
	    opt_end[] = "--";
	char *prog = xstrdup(sendmail), *from = NULL;

	argv = xcalloc(nrcpts + 8, sizeof *argv);
	argv[k++] = prog;
	argv[k++] = opt_g;
	argv[k++] = opt_i;
	if (sender != NULL) {
		from = xstrdup(sender);
		argv[k++] = opt_f;
		argv[k++] = from;
	}
	argv[k++] = opt_end;
	for (i = 0; i < nrcpts; i++)
		argv[k++] = rcpts[i];
	argv[k] = NULL;
	if (pipe(p) == -1) {
		snprintf(err, errsz, "pipe: %s", strerror(errno));
		free(argv);
		free(prog);
		free(from);
		return -1;
	}
	(void)fcntl(p[1], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[0], STDIN_FILENO);
	posix_spawn_file_actions_addclose(&fa, p[0]);
	e = posix_spawn(&pid, sendmail, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	free(prog);
	free(from);
	close(p[0]);
	if (e != 0) {
		close(p[1]);
		snprintf(err, errsz, "cannot run %.200s: %s", sendmail,
		    strerror(e));
		return -1;
	}
	fed = reinject_feed(fd, p[1]);
	e = errno;
	close(p[1]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(err, errsz, "%.200s: %s", sendmail,
			    strerror(errno));
			return -1;
		}
	if (WIFSIGNALED(status)) {
		snprintf(err, errsz, "%.200s killed by signal %d", sendmail,
		    WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) != 0) {
		snprintf(err, errsz, "%.200s exited with status %d", sendmail,
		    WEXITSTATUS(status));
		return -1;
	}
	if (fed == -1) {
		snprintf(err, errsz, "writing to %.200s: %s", sendmail,
		    strerror(e));
		return -1;
	}
	return 0;
}
