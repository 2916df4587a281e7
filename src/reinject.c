/*
 * reinject.c - hand a message back to the MTA: the sendmail command of
 * the configuration, with the envelope as arguments and the message on
 * its standard input.  Only an exit status of 0 after reading the whole
 * copy means the MTA has the message; anything else (it cannot run, a
 * signal, an exit before the end of the copy) is a failure the caller
 * turns into a retry.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/stat.h>
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

/* reinject - see reinject.h */
int
reinject(const char *sendmail, const char *sender, char *const *rcpts,
    size_t nrcpts, int fd, char *err, size_t errsz)
{
	static char opt_g[] = "-G", opt_i[] = "-i", opt_f[] = "-f",
	    opt_end[] = "--";
	posix_spawn_file_actions_t fa;
	char **argv, *prog = xstrdup(sendmail), *from = NULL;
	struct stat st;
	off_t pos;
	size_t i, k = 0;
	pid_t pid;
	int status, e;

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
	/*
	 * The copy's own file is sendmail's standard input, not a pipe:
	 * should mailseal be stopped (a signal, --timeout) while sendmail
	 * reads, sendmail still reads the whole copy and the retry makes a
	 * duplicate, never a cut-off message.  The file offset is shared,
	 * so afterwards it tells whether sendmail read all of it.
	 */
	e = fstat(fd, &st) == -1 || lseek(fd, 0, SEEK_SET) == -1 ? errno : 0;
	if (e == 0) {
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, fd, STDIN_FILENO);
		e = posix_spawn(&pid, sendmail, &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	free(argv);
	free(prog);
	free(from);
	if (e != 0) {
		snprintf(err, errsz, "cannot run %.200s: %s", sendmail,
		    strerror(e));
		return -1;
	}
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
	if ((pos = lseek(fd, 0, SEEK_CUR)) == -1 || pos < st.st_size) {
		snprintf(err, errsz, "%.200s exited 0 but read %lld of %lld "
		    "bytes", sendmail, (long long)(pos == -1 ? 0 : pos),
		    (long long)st.st_size);
		return -1;
	}
	return 0;
}
