/*
 * gpgsup.c - the gpg supervisor (see gpgsup.h): run gpg, wait for it,
 * and tell GPGME how it ended.
 *
 * This runs before anything else in main(): no locale, no logging, no
 * libgcrypt.  It must stay small and must not write to stdout or
 * stderr (GPGME reads gpg's stdout as data), only the status channel.
 *
 * gpg's status lines are held back until gpg has ended, then passed on
 * after the exit line: GPGME stops reading the status channel at some
 * lines (CANCELED_BY_USER, UNEXPECTED, ...), and the exit line must
 * reach mailseal all the same.  Past LIMIT_GPG_STATUS bytes they are
 * passed on as they come and the exit line comes last (where GPGME may
 * no longer read it: then the result is a retry, never a verdict).
 * A gpg that may ask GPGME questions (--command-fd) is never held back.
 *
 * The supervisor also counts NEWSIG lines: gpg checks every signature a
 * message holds, and a compressed packet of a few kilobytes holds tens
 * of thousands (each a public-key operation: minutes of gpg, then 75,
 * on every retry).  Past LIMIT_SIGNATURES it kills gpg and says so
 * ("signatures N"): a verdict on the message, not trouble of gpg's.
 * gpg collects the signature packets that come before the data (old
 * style, or a detached signature part) in a list, in time quadratic in
 * their number and before any NEWSIG; so a gpg that decrypts or
 * verifies gets LIMIT_GPG_CPU seconds of CPU, and one stopped there is
 * reported as "cpu N": CPU time, unlike wall time, is the content's
 * doing, not the machine's load.  And when GPGME's end of the status
 * channel closes (mailseal out of time or killed), gpg is killed: GPGME
 * starts us detached, so nothing else would stop it.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gpgsup.h"
#include "gpgsupint.h"
#include "limit.h"

struct gpgsup_hold {
	char	*buf;
	size_t	 len;
	int	 passing;	/* over the limit: lines go on at once */
	int	 midline;	/* passing, and the last byte was no LF */
	pid_t	 pid;		/* gpg */
	size_t	 match;		/* of GPGSUP_NEWSIG at this line's start;
				 * SIZE_MAX: this line is no NEWSIG */
	unsigned long newsig;	/* NEWSIG lines */
	int	 toomany;	/* more than LIMIT_SIGNATURES: gpg killed */
	rlim_t	 cpu;		/* gpg's CPU limit (seconds), or 0 */
	int	 gone;		/* GPGME's end of the status channel
				 * closed: gpg killed */
	unsigned int deadline;	/* wall-clock seconds for gpg, or 0 */
	int	 english;	/* gpg's messages in English (a WKD
				 * lookup: gpg.c reads why it failed) */
};

static volatile sig_atomic_t	gpgsup_late;	/* the deadline passed */
static pid_t			gpgsup_gpg = -1;

#define GPGSUP_NEWSIG	"[GNUPG:] NEWSIG"


#ifndef MAILSEAL_PKGLIBEXECDIR
#define MAILSEAL_PKGLIBEXECDIR	"/usr/local/libexec/mailseal"
#endif
#define GPGSUP_SELF	"/proc/self/exe"	/* mailseal, as the supervisor */
#define GPGSUP_PROG	"mailseal-gpg"		/* the supervisor alone */

static int	gpgsup_fd_arg(int, char **, const char *);
static int	gpgsup_has(int, char **, const char *);
static void	gpgsup_close_range(int, int);
static void	gpgsup_count(struct gpgsup_hold *, const char *, size_t);
static void	gpgsup_hold(int, int, struct gpgsup_hold *);
static void	gpgsup_report(int, const char *, int, struct gpgsup_hold *);
static int	gpgsup_wait(pid_t, int, struct gpgsup_hold *);
static void	gpgsup_alarm(int);
static unsigned int gpgsup_deadline(void);
static void	gpgsup_exec(const char *, int, char **, int, const int *,
		    const struct gpgsup_hold *);

/*
 * gpgsup_path - mailseal-gpg beside the running program (the build
 * tree) or in the package's libexec directory, which starts in a
 * fraction of mailseal's time (no libraries to bind); else mailseal
 * itself.
 */
void
gpgsup_path(char *buf, size_t bufsz)
{
	char self[PATH_MAX], *slash;
	ssize_t n;
	int m;

	if ((n = readlink(GPGSUP_SELF, self, sizeof self - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			m = snprintf(buf, bufsz, "%s/%s", self, GPGSUP_PROG);
			if (m > 0 && (size_t)m < bufsz && access(buf, X_OK) == 0)
				return;
		}
	}
	m = snprintf(buf, bufsz, "%s/%s", MAILSEAL_PKGLIBEXECDIR, GPGSUP_PROG);
	if (m > 0 && (size_t)m < bufsz && access(buf, X_OK) == 0)
		return;
	snprintf(buf, bufsz, "%s", GPGSUP_SELF);
}

/*
 * gpgsup_find_gpg - see gpgsup.h: the first "gpg" on PATH (else in
 * /bin:/usr/bin), as GPGME 1.18 looks for it with gpgconf disabled, but
 * only a file that can be run in an absolute directory: an empty or
 * relative entry (the current directory, wherever the MTA runs us) and a
 * directory named gpg are passed over, not taken and then refused
 */
int
gpgsup_find_gpg(char *buf, size_t bufsz)
{
	return gpgsup_find("gpg", buf, bufsz);
}

/* gpgsup_find - see gpgsup.h: gpgsup_find_gpg's look-up of name */
int
gpgsup_find(const char *name, char *buf, size_t bufsz)
{
	const char *path, *s, *e;
	struct stat st;
	int n;

	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	for (s = path;; s = e + 1) {
		e = s + strcspn(s, ":");
		n = snprintf(buf, bufsz, "%.*s%s%s", (int)(e - s), s,
		    e > s && e[-1] == '/' ? "" : "/", name);
		if (*s == '/' && n > 0 && (size_t)n < bufsz &&
		    stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0)
			return 0;
		if (*e == '\0')
			return -1;
	}
}

/* gpgsup_env - see gpgsup.h */
void
gpgsup_env(int on, const char *gpg, const char *home)
{
	static char *saved;
	static int had;
	const char *v;

	if (on) {
		(void)setenv(GPGSUP_ENV, gpg, 1);
		if (home == NULL)
			return;
		saved = (v = getenv("GNUPGHOME")) != NULL ? strdup(v) : NULL;
		had = v != NULL;
		(void)setenv("GNUPGHOME", home, 1);
		return;
	}
	(void)unsetenv(GPGSUP_ENV);
	if (home == NULL)
		return;
	if (had && saved != NULL)
		(void)setenv("GNUPGHOME", saved, 1);
	else
		(void)unsetenv("GNUPGHOME");
	free(saved);
	saved = NULL;
	had = 0;
}

/* gpgsup_fd_arg - the descriptor after opt (--status-fd), or -1 */
static int
gpgsup_fd_arg(int argc, char **argv, const char *opt)
{
	char *end;
	long fd;
	int i;

	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], opt) != 0)
			continue;
		errno = 0;
		fd = strtol(argv[i + 1], &end, 10);
		if (errno != 0 || end == argv[i + 1] || *end != '\0' ||
		    fd < 3 || fd > INT_MAX || fcntl((int)fd, F_GETFD) == -1)
			return -1;
		return (int)fd;
	}
	return -1;
}

/* gpgsup_has - is opt one of the arguments? */
static int
gpgsup_has(int argc, char **argv, const char *opt)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], opt) == 0)
			return 1;
	return 0;
}

/* gpgsup_close_range - close the descriptors from lo to hi (-1: all) */
static void
gpgsup_close_range(int lo, int hi)
{
	long max;
	int fd;

	if (hi != -1 && hi < lo)
		return;
	if (close_range((unsigned int)lo, hi == -1 ? ~0U : (unsigned int)hi,
	    0) == 0)
		return;
	if ((max = sysconf(_SC_OPEN_MAX)) <= 0 || max > 65536)
		max = 65536;
	for (fd = lo; fd < max && (hi == -1 || fd <= hi); fd++)
		close(fd);
}

/*
 * gpgsup_close_others - close every descriptor but a and b (-1: none)
 * and stderr (GPGME gave it /dev/null): GPGME must see the end of gpg's
 * data pipes when gpg closes them, not when the supervisor does.
 */
void
gpgsup_close_others(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	close(0);
	close(1);
	if (lo < 3) {
		gpgsup_close_range(3, hi - 1);
		gpgsup_close_range(hi < 3 ? 3 : hi + 1, -1);
		return;
	}
	gpgsup_close_range(3, lo - 1);
	gpgsup_close_range(lo + 1, hi - 1);
	gpgsup_close_range(hi + 1, -1);
}

/* gpgsup_write - all of buf to fd: 0, or -1 */
int
gpgsup_write(int fd, const char *buf, size_t len)
{
	size_t off = 0;
	ssize_t w;

	while (off < len) {
		w = write(fd, buf + off, len - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* gpgsup_count - count the NEWSIG lines in n more status bytes; kill
 * gpg past LIMIT_SIGNATURES */
static void
gpgsup_count(struct gpgsup_hold *h, const char *p, size_t n)
{
	const size_t want = sizeof GPGSUP_NEWSIG - 1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (h->match == want && (p[i] == ' ' || p[i] == '\n'))
			h->newsig++;
		if (p[i] == '\n')
			h->match = 0;
		else if (h->match < want && p[i] == GPGSUP_NEWSIG[h->match])
			h->match++;
		else
			h->match = SIZE_MAX;
	}
	if (h->newsig > LIMIT_SIGNATURES && !h->toomany) {
		h->toomany = 1;
		(void)kill(h->pid, SIGKILL);
	}
}

/* gpgsup_hold - read gpg's status lines from in to its end, held in h
 * (or, past the limit, passed on to out) */
static void
gpgsup_hold(int in, int out, struct gpgsup_hold *h)
{
	struct pollfd pfd[2];
	char tmp[4096], *nb;
	ssize_t r;

	for (;;) {
		/* mailseal gone (killed, or out of time): so is gpg's work,
		 * which would go on for as long as the message makes it */
		pfd[0].fd = in;
		pfd[0].events = POLLIN;
		pfd[1].fd = out;
		pfd[1].events = 0;
		if (poll(pfd, 2, -1) == -1 && errno != EINTR)
			break;
		if ((pfd[1].revents & (POLLERR | POLLHUP)) && !h->gone) {
			h->gone = 1;
			(void)kill(h->pid, SIGKILL);
		}
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((r = read(in, tmp, sizeof tmp)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		gpgsup_count(h, tmp, (size_t)r);
		if (!h->passing && (h->len + (size_t)r > LIMIT_GPG_STATUS ||
		    (nb = realloc(h->buf, h->len + (size_t)r)) == NULL)) {
			(void)gpgsup_write(out, h->buf, h->len);
			h->passing = 1;
		}
		if (h->passing) {
			(void)gpgsup_write(out, tmp, (size_t)r);
			h->midline = tmp[r - 1] != '\n';
			continue;
		}
		h->buf = nb;
		memcpy(h->buf + h->len, tmp, (size_t)r);
		h->len += (size_t)r;
	}
	close(in);
}

/* gpgsup_report - "[GNUPG:] MAILSEAL_GPG_EXIT [how ]n" to fd, then
 * the lines held back */
static void
gpgsup_report(int fd, const char *how, int n, struct gpgsup_hold *h)
{
	char line[128];
	int len;

	len = snprintf(line, sizeof line, "[GNUPG:] %s %s%s%d\n",
	    GPGSUP_KEYWORD, how, *how != '\0' ? " " : "", n);
	if (fd == -1 || len < 0 || (size_t)len >= sizeof line)
		return;
	if (h->midline)		/* gpg stopped in a line: end it */
		(void)gpgsup_write(fd, "\n", 1);
	if (gpgsup_write(fd, line, (size_t)len) == 0 && !h->passing)
		(void)gpgsup_write(fd, h->buf, h->len);
}

/* gpgsup_cpu_limit - the CPU seconds gpg will have: LIMIT_GPG_CPU, or
 * less when our own limit is lower; 0: none */
rlim_t
gpgsup_cpu_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_CPU, &rl) == -1)
		return 0;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < LIMIT_GPG_CPU)
		return rl.rlim_cur;
	return LIMIT_GPG_CPU;
}

/* gpgsup_cpu - in the child: SIGXCPU after secs seconds of CPU, and
 * SIGKILL a little later should gpg ignore it */
void
gpgsup_cpu(rlim_t secs)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_CPU, &rl) == -1)
		return;
	rl.rlim_cur = secs;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > secs + 5)
		rl.rlim_max = secs + 5;
	(void)setrlimit(RLIMIT_CPU, &rl);
}

/* gpgsup_wait - wait for gpg and report how it ended */
static int
gpgsup_wait(pid_t pid, int fd, struct gpgsup_hold *h)
{
	struct rusage ru;
	siginfo_t si;
	pid_t w;
	int status;

	/* the deadline's alarm off while gpg is not reaped yet, so that
	 * its SIGKILL cannot reach another process given gpg's PID */
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == -1 &&
	    errno == EINTR)
		continue;
	(void)alarm(0);
	gpgsup_gpg = -1;
	while ((w = wait4(pid, &status, 0, &ru)) == -1 && errno == EINTR)
		continue;
	if (w == -1) {
		gpgsup_report(fd, "exec", errno, h);
		return 2;
	}
	if (h->toomany) {
		gpgsup_report(fd, "signatures", LIMIT_SIGNATURES + 1, h);
		return 2;
	}
	if (gpgsup_late && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
		gpgsup_report(fd, "deadline", (int)h->deadline, h);
		return 2;
	}
	/* at the hard limit: SIGKILL (the sum of whole seconds may fall
	 * short of it by up to two) */
	if (WIFSIGNALED(status) && h->cpu > 0 && (WTERMSIG(status) == SIGXCPU ||
	    (WTERMSIG(status) == SIGKILL &&
	    (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 2 >= h->cpu))) {
		gpgsup_report(fd, "cpu", (int)h->cpu, h);
		return 2;
	}
	if (WIFSIGNALED(status)) {
		gpgsup_report(fd, "signal", WTERMSIG(status), h);
		return 2;
	}
	gpgsup_report(fd, "", WEXITSTATUS(status), h);
	return WEXITSTATUS(status);
}

/* gpgsup_alarm - SIGALRM: gpg's deadline passed */
static void
gpgsup_alarm(int sig)
{
	(void)sig;
	gpgsup_late = 1;
	if (gpgsup_gpg > 0)
		(void)kill(gpgsup_gpg, SIGKILL);
}

/* gpgsup_deadline - the seconds GPGSUP_DEADLINE_ENV gives gpg (0:
 * none), the variable removed */
static unsigned int
gpgsup_deadline(void)
{
	const char *v = getenv(GPGSUP_DEADLINE_ENV);
	char *end;
	unsigned long n = 0;

	if (v != NULL) {
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n > 86400)
			n = 0;
		(void)unsetenv(GPGSUP_DEADLINE_ENV);
	}
	return (unsigned int)n;
}

/* gpgsup_exec - in the child: gpg, its status lines to p[1] when held.
 * A WKD lookup's diagnostics (english) go where GPGME reads them
 * (--logger-fd), whatever gpg.conf's log-file says: gpg.c reads the
 * lookup's reason there.  gpg applies a log-file after every option,
 * over --logger-fd; "--log-file -" on the command line comes after
 * gpg.conf's and is gpg's standard error, made GPGME's descriptor. */
static void
gpgsup_exec(const char *gpg, int argc, char **argv, int fd, const int *p,
    const struct gpgsup_hold *h)
{
	static char logfile[] = "--log-file", dash[] = "-";
	char **av = argv;
	int lfd;

	if (h->cpu > 0)
		gpgsup_cpu(h->cpu);
	if (!h->passing && (dup2(p[1], fd) == -1 ||
	    (close(p[0]) == -1 || close(p[1]) == -1)))
		_exit(127);
	if (h->english) {
		if (setenv("LC_ALL", "C", 1) == -1 ||
		    ((lfd = gpgsup_fd_arg(argc, argv, "--logger-fd")) != -1 &&
		    dup2(lfd, STDERR_FILENO) == -1) ||
		    (av = calloc((size_t)argc + 3, sizeof *av)) == NULL)
			_exit(127);
		av[0] = argv[0];
		av[1] = logfile;
		av[2] = dash;
		memcpy(av + 3, argv + 1, (size_t)argc * sizeof *av);
	}
	execv(gpg, av);
	_exit(127);
}

/* gpgsup_main - see gpgsup.h */
int
gpgsup_main(int argc, char **argv)
{
	struct gpgsup_hold h = { NULL, 0, 1, 0, -1, 0, 0, 0, 0, 0, 0, 0 };
	char gpg[PATH_MAX];
	const char *env;
	pid_t pid;
	sigset_t alrm;
	int fd, n, p[2] = { -1, -1 };

	if ((n = gpgsup_conf(argc, argv)) != -1)
		return n;
	if ((env = getenv(GPGSUP_ENV)) == NULL)
		return -1;
	n = snprintf(gpg, sizeof gpg, "%s", env);
	(void)unsetenv(GPGSUP_ENV);
	h.deadline = gpgsup_deadline();
	(void)signal(SIGPIPE, SIG_IGN);	/* GPGME may stop reading */
	fd = gpgsup_fd_arg(argc, argv, "--status-fd");
	if (n < 0 || (size_t)n >= sizeof gpg || gpg[0] != '/' || argc < 1) {
		gpgsup_report(fd, "exec", ENAMETOOLONG, &h);
		return 2;
	}
	argv[0] = gpg;
	/* GPGME's one `--version` run (gpg.c): no status channel to report
	 * on, nothing to limit or hold back; gpg in our place is one
	 * process less, and a gpg that fails still gives GPGME no version */
	if (fd == -1 && argc == 2 && strcmp(argv[1], "--version") == 0) {
		execv(gpg, argv);
		return 2;
	}
	if (fd == -1 && gpgsup_has(argc, argv, "--server"))
		return gpgsup_pass(gpg, argc, argv, h.deadline);
	if (fd != -1 && !gpgsup_has(argc, argv, "--command-fd") &&
	    pipe(p) == 0)
		h.passing = 0;
	if (gpgsup_has(argc, argv, "--decrypt") ||
	    gpgsup_has(argc, argv, "--verify"))
		h.cpu = gpgsup_cpu_limit();
	h.english = gpgsup_has(argc, argv, "--locate-external-keys");
	if ((pid = fork()) == -1) {
		gpgsup_report(fd, "exec", errno, &h);
		return 2;
	}
	if (pid == 0)
		gpgsup_exec(gpg, argc, argv, fd, p, &h);
	h.pid = gpgsup_gpg = pid;
	gpgsup_close_others(fd, p[0]);
	if (h.deadline > 0) {
		sigemptyset(&alrm);
		sigaddset(&alrm, SIGALRM);
		(void)signal(SIGALRM, gpgsup_alarm);
		(void)sigprocmask(SIG_UNBLOCK, &alrm, NULL);
		(void)alarm(h.deadline);
	}
	if (!h.passing)
		gpgsup_hold(p[0], fd, &h);
	n = gpgsup_wait(pid, fd, &h);
	free(h.buf);
	return n;
}
