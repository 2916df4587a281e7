/*
 * gpgsup.c - the gpg supervisor (see gpgsup.h): run gpg, wait for it,
 * and tell GPGME how it ended.
 *
 * This runs before anything else in main(): no locale, no logging, no
 * libgcrypt.  It must stay small and must not write to stdout or
 * stderr (GPGME reads gpg's stdout as data), only the one status line.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpgsup.h"

static int	gpgsup_status_fd(int, char **);
static void	gpgsup_close_others(int);
static void	gpgsup_report(int, const char *, int);

/* gpgsup_status_fd - the descriptor after --status-fd, or -1 */
static int
gpgsup_status_fd(int argc, char **argv)
{
	char *end;
	long fd;
	int i;

	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--status-fd") != 0)
			continue;
		errno = 0;
		fd = strtol(argv[i + 1], &end, 10);
		if (errno != 0 || end == argv[i + 1] || *end != '\0' ||
		    fd < 0 || fd > INT_MAX || fcntl((int)fd, F_GETFD) == -1)
			return -1;
		return (int)fd;
	}
	return -1;
}

/*
 * gpgsup_close_others - close every descriptor but keep (and stderr,
 * which GPGME gave /dev/null): GPGME must see the end of gpg's data
 * pipes when gpg closes them, not when the supervisor does.
 */
static void
gpgsup_close_others(int keep)
{
	unsigned int lo = 3;
	long max;
	int fd;

	for (fd = 0; fd < 2; fd++)
		if (fd != keep)
			close(fd);
	if (keep >= 3) {
		if (keep > 3 && close_range(3, (unsigned int)keep - 1, 0) == -1)
			goto slow;
		lo = (unsigned int)keep + 1;
	}
	if (close_range(lo, ~0U, 0) == 0)
		return;
slow:
	if ((max = sysconf(_SC_OPEN_MAX)) <= 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

/* gpgsup_report - write "[GNUPG:] MAILSEAL_GPG_EXIT [how ]n" to fd */
static void
gpgsup_report(int fd, const char *how, int n)
{
	char line[128];
	size_t off = 0;
	ssize_t w;
	int len;

	len = snprintf(line, sizeof line, "[GNUPG:] %s %s%s%d\n",
	    GPGSUP_KEYWORD, how, *how != '\0' ? " " : "", n);
	if (fd == -1 || len < 0 || (size_t)len >= sizeof line)
		return;
	while (off < (size_t)len) {
		w = write(fd, line + off, (size_t)len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		off += (size_t)w;
	}
}

/* gpgsup_main - see gpgsup.h */
int
gpgsup_main(int argc, char **argv)
{
	char gpg[PATH_MAX];
	const char *env;
	pid_t pid, w;
	int fd, status, n;

	if ((env = getenv(GPGSUP_ENV)) == NULL)
		return -1;
	n = snprintf(gpg, sizeof gpg, "%s", env);
	(void)unsetenv(GPGSUP_ENV);
	fd = gpgsup_status_fd(argc, argv);
	if (n < 0 || (size_t)n >= sizeof gpg || gpg[0] != '/' || argc < 1) {
		gpgsup_report(fd, "exec", ENAMETOOLONG);
		return 2;
	}
	argv[0] = gpg;
	if ((pid = fork()) == -1) {
		gpgsup_report(fd, "exec", errno);
		return 2;
	}
	if (pid == 0) {
		execv(gpg, argv);
		_exit(127);
	}
	gpgsup_close_others(fd);
	while ((w = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		continue;
	if (w == -1) {
		gpgsup_report(fd, "exec", errno);
		return 2;
	}
	if (WIFSIGNALED(status)) {
		gpgsup_report(fd, "signal", WTERMSIG(status));
		return 2;
	}
	gpgsup_report(fd, "", WEXITSTATUS(status));
	return WEXITSTATUS(status);
}
