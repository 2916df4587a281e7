/*
 * gpgsmsup.c - the supervisor's other runs (gpgsup.h): gpgsm as GPGME's
 * CMS engine, passed through within its limits (gpgsup_pass), and the
 * answers in gpgconf's place at GPGME's start (gpgsup_conf).  Like
 * gpgsup.c it runs before anything else in main(), is linked into
 * mailseal-gpg alone, and writes nothing but what GPGME asks for.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gpgsup.h"
#include "gpgsupint.h"

struct gpgsup_scratch;

static int	gpgsup_conn(void);
static int	gpgsup_home_kbx(int, char **, char *, size_t);
static int	gpgsup_scratch(int, char **, struct gpgsup_scratch *);
static void	gpgsup_scratch_rm(const char *);
static void	gpgsup_scratch_sweep(const char *);
static int	gpgsup_gone(long);
static int	gpgsup_left(const struct timespec *);
static int	gpgsup_watch(pid_t, int, const struct timespec *);

/*
 * gpgsup_conf - with GPGSUP_CONF_ENV set, the supervisor in gpgconf's
 * place for GPGME's start (gpgsup.h): `--list-components` names it for
 * gpg and gpgsm (a path gpgconf would have to escape: none), and
 * `--list-dirs` and `--version` get what GPGME needs.  The exit code,
 * or -1 when this is no such run.
 */
int
gpgsup_conf(int argc, char **argv)
{
	static const char version[] = "mailseal-gpg (GnuPG) 2.2.0\n";
	const char *self = getenv(GPGSUP_CONF_ENV);
	char buf[2 * PATH_MAX + 64];
	int n;

	if (self == NULL || argc != 2)
		return -1;
	if (strcmp(argv[1], "--version") == 0)
		return gpgsup_write(1, version, sizeof version - 1) == 0 ? 0 : 2;
	if (strcmp(argv[1], "--list-components") != 0 ||
	    self[0] != '/' || strpbrk(self, ":%\n") != NULL)
		return 0;
	n = snprintf(buf, sizeof buf, "gpg:OpenPGP:%s\ngpgsm:S/MIME:%s\n",
	    self, self);
	if (n < 0 || (size_t)n >= sizeof buf)
		return 2;
	return gpgsup_write(1, buf, (size_t)n) == 0 ? 0 : 2;
}

/*
 * gpgsm (GPGME's CMS engine, gpgcms.c) runs as `gpgsm --server` and
 * speaks Assuan with GPGME over one socket (or a pair of pipes): its
 * status lines ("S ...") and the answer to each command ("OK", "ERR")
 * travel there, its data over descriptors GPGME passes it.  Nothing can
 * be held back or added on that channel without being Assuan's peer, so
 * the supervisor passes it through untouched and keeps what needs no
 * channel: gpgsm's CPU limit, the wall-clock deadline gpgcms.c gives
 * each run (GPGSUP_DEADLINE_ENV), and gpgsm killed when GPGME's end of
 * the connection is gone (mailseal out of time or killed: POLLHUP on our
 * copy of gpgsm's end, polled with no events, never read).  And gpgsm
 * encrypts with GPGSUP_CIPHER: gpgsm 2.2's default is AES-128 and GPGME
 * has no knob for it.  How gpgsm ended reaches GPGME as the end of the
 * connection: an operation GPGME did not see answered "OK" failed.
 */

/* gpgsup_conn - a copy of gpgsm's end of the Assuan connection, or -1:
 * libassuan names the socket in _assuan_connection_fd, else it is
 * standard input (a pipe) */
static int
gpgsup_conn(void)
{
	const char *v = getenv("_assuan_connection_fd");
	char *end;
	long fd = 0;

	if (v != NULL) {
		errno = 0;
		fd = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || fd < 0 ||
		    fd > INT_MAX)
			return -1;
	}
	return fcntl((int)fd, F_DUPFD_CLOEXEC, 3);
}

/* gpgsup_left - milliseconds until end (CLOCK_MONOTONIC), at least 0;
 * -1 with no end */
static int
gpgsup_left(const struct timespec *end)
{
	struct timespec now;
	long long ms;

	if (end->tv_sec == 0 || clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return -1;
	ms = (long long)(end->tv_sec - now.tv_sec) * 1000 +
	    (end->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > INT_MAX ? INT_MAX : (int)ms;
}

/* gpgsup_watch - wait for gpgsm (pid) to end, killing it when conn's
 * other end is gone or at end; its wait status, or -1 */
static int
gpgsup_watch(pid_t pid, int conn, const struct timespec *end)
{
	struct pollfd pfd[2];
	pid_t w;
	int pidfd, status, left, killed = 0;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	while ((w = waitpid(pid, &status, WNOHANG)) == 0) {
		left = gpgsup_left(end);
		if (!killed && left == 0) {
			killed = 1;
			(void)kill(pid, SIGKILL);
		}
		pfd[0].fd = killed ? -1 : conn;
		pfd[0].events = 0;
		pfd[1].fd = pidfd;
		pfd[1].events = POLLIN;
		/* no pidfd (an old kernel): look again every 50 ms */
		if (pidfd == -1 && (left == -1 || left > 50))
			left = 50;
		if (poll(pfd, 2, killed ? 50 : left) == -1 && errno != EINTR)
			break;
		if (!killed && (pfd[0].revents & (POLLHUP | POLLERR))) {
			killed = 1;
			(void)kill(pid, SIGKILL);
		}
	}
	if (w == 0) {
		(void)kill(pid, SIGKILL);
		while ((w = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
			continue;
	}
	if (pidfd != -1)
		close(pidfd);
	return w == pid ? status : -1;
}

/*
 * A verification's scratch keybox (GPGSUP_SCRATCH_ENV, set by gpgcms.c
 * around gpgsm's VERIFY): gpgsm 2.2 stores every certificate a
 * signature carries in its first writable keybox, whatever the chain,
 * so each message verified would add its sender's certificates to the
 * gateway's keybox: certificates it then encrypts to, invalid ones it
 * must probe at every listing (gpgcms.c), and a keybox an attacker
 * fills.  The run gets `--no-default-keyring --keyring DIR/scratch.kbx
 * --keyring HOME/pubring.kbx` (the latter only when it is there): it
 * finds the home's certificates and stores the signature's in a private
 * directory, removed after.  The directory is named after the
 * supervisor's pid, which holds a lock on it while it lives: one whose
 * supervisor was killed with mailseal (Postfix kills a timed-out
 * command's process group with SIGKILL) holds the message's
 * certificates, and is removed by the next run that finds it unlocked
 * and its supervisor gone (gpgsup_scratch_sweep).
 */
struct gpgsup_scratch {
	char	dir[PATH_MAX];
	char	kbx[PATH_MAX + 16];	/* DIR/scratch.kbx */
	char	home[PATH_MAX + 16];	/* HOME/pubring.kbx */
	int	lockfd;			/* dir, flock()ed */
};

/* gpgsup_home_kbx - into buf: the pubring.kbx of gpgsm's home
 * (--homedir, else GNUPGHOME, else ~/.gnupg): 0, or -1 */
static int
gpgsup_home_kbx(int argc, char **argv, char *buf, size_t bufsz)
{
	const char *h = NULL, *e;
	int i, n;

	for (i = 1; i + 1 < argc && h == NULL; i++)
		if (strcmp(argv[i], "--homedir") == 0)
			h = argv[i + 1];
	if (h == NULL)
		h = getenv("GNUPGHOME");
	if (h != NULL && *h != '\0')
		n = snprintf(buf, bufsz, "%s/pubring.kbx", h);
	else if ((e = getenv("HOME")) != NULL)
		n = snprintf(buf, bufsz, "%s/.gnupg/pubring.kbx", e);
	else
		return -1;
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

/* gpgsup_scratch - a private directory for the scratch keybox, into s:
 * 0, or -1 */
static int
gpgsup_scratch(int argc, char **argv, struct gpgsup_scratch *s)
{
	const char *t = getenv("TMPDIR");
	int n;

	if (t == NULL || *t != '/')
		t = "/tmp";
	gpgsup_scratch_sweep(t);
	n = snprintf(s->dir, sizeof s->dir, "%s/%s%ld.XXXXXX", t,
	    GPGSUP_SCRATCH_PFX, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof s->dir ||
	    gpgsup_home_kbx(argc, argv, s->home, sizeof s->home) == -1 ||
	    mkdtemp(s->dir) == NULL)
		return -1;
	if ((s->lockfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || flock(s->lockfd, LOCK_EX | LOCK_NB) == -1) {
		gpgsup_scratch_rm(s->dir);
		if (s->lockfd != -1)
			close(s->lockfd);
		return -1;
	}
	snprintf(s->kbx, sizeof s->kbx, "%s/scratch.kbx", s->dir);
	return 0;
}

/* gpgsup_gone - process pid has ended (a zombie has: it holds no lock,
 * and its parent may be long in reaping it) */
static int
gpgsup_gone(long pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	if (kill((pid_t)pid, 0) == -1)
		return errno == ESRCH;
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2] == 'Z' || p[2] == 'X';
}

/* gpgsup_scratch_sweep - the scratch directories in t that are ours,
 * unlocked, and whose supervisor (the pid in the name) is gone removed:
 * a supervisor killed with SIGKILL could not remove its own */
static void
gpgsup_scratch_sweep(const char *t)
{
	char path[PATH_MAX], *end;
	struct dirent *de;
	struct stat st;
	long pid;
	int fd;
	DIR *d;

	if ((d = opendir(t)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, GPGSUP_SCRATCH_PFX,
		    sizeof GPGSUP_SCRATCH_PFX - 1) != 0)
			continue;
		errno = 0;
		pid = strtol(de->d_name + sizeof GPGSUP_SCRATCH_PFX - 1, &end,
		    10);
		if (errno != 0 || pid <= 0 || pid > INT_MAX || *end != '.' ||
		    snprintf(path, sizeof path, "%s/%s", t, de->d_name) >=
		    (int)sizeof path || lstat(path, &st) == -1 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    (fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
		    O_NOFOLLOW)) == -1)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && gpgsup_gone(pid))
			gpgsup_scratch_rm(path);
		close(fd);
	}
	closedir(d);
}

/* gpgsup_scratch_rm - the scratch directory dir removed, with what
 * gpgsm left there (the keybox, its backup and lock) */
static void
gpgsup_scratch_rm(const char *dir)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0 &&
			    snprintf(path, sizeof path, "%s/%s", dir,
			    de->d_name) < (int)sizeof path)
				(void)unlink(path);
		closedir(d);
	}
	(void)rmdir(dir);
}

/* gpgsup_pass - run gpgsm --server as it is, within its limits (CPU,
 * deadline seconds of wall time); its exit status, or 2 when it did
 * not end by itself */
int
gpgsup_pass(const char *prog, int argc, char **argv, unsigned int deadline)
{
	static char copt[] = "--cipher-algo", calg[] = GPGSUP_CIPHER,
	    nodef[] = "--no-default-keyring", kr[] = "--keyring";
	struct gpgsup_scratch s;
	struct timespec end = { 0, 0 };
	char **av;
	pid_t pid;
	int conn, status, i = 0, scratch;
	rlim_t cpu = gpgsup_cpu_limit();

	scratch = getenv(GPGSUP_SCRATCH_ENV) != NULL;
	(void)unsetenv(GPGSUP_SCRATCH_ENV);
	if ((av = calloc((size_t)argc + 8, sizeof *av)) == NULL ||
	    (conn = gpgsup_conn()) == -1 ||
	    (scratch && gpgsup_scratch(argc, argv, &s) == -1))
		return 2;
	av[i++] = argv[0];
	av[i++] = copt;
	av[i++] = calg;
	if (scratch) {
		av[i++] = nodef;
		av[i++] = kr;
		av[i++] = s.kbx;
		/* a home without a keybox (no certificate imported
		 * yet, or OpenPGP's pubring.gpg alone): gpgsm refuses a
		 * --keyring that is not there and ends at once */
		if (access(s.home, F_OK) == 0) {
			av[i++] = kr;
			av[i++] = s.home;
		}
	}
	memcpy(av + i, argv + 1, (size_t)argc * sizeof *av);
	if (deadline > 0 && clock_gettime(CLOCK_MONOTONIC, &end) == 0)
		end.tv_sec += deadline;
	if ((pid = fork()) == -1) {
		if (scratch) {
			gpgsup_scratch_rm(s.dir);
			close(s.lockfd);
		}
		return 2;
	}
	if (pid == 0) {
		if (cpu > 0)
			gpgsup_cpu(cpu);
		execv(prog, av);
		_exit(127);
	}
	free(av);
	gpgsup_close_others(conn, scratch ? s.lockfd : -1);
	status = gpgsup_watch(pid, conn, &end);
	if (scratch) {
		gpgsup_scratch_rm(s.dir);
		close(s.lockfd);
	}
	return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}
