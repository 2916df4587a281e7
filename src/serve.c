/*
 * serve.c - `mailseal smtpd`'s start and end (serve.h): the listening
 * socket, the user it runs as, the pid file, detaching, --check; the
 * workers and the process that keeps them are workers.c's.
 *
 * The order matters.  As root, only mailseal.conf is read (for
 * smtpd_user and listen) and the socket bound; then root is given up
 * for good, and everything else (the configuration again with its
 * trust checks, the policy map, the GnuPG home) is read as that user,
 * so gpg never runs as root and never leaves root's files in the
 * user's home.  Errors until the server serves reach the terminal and
 * the exit status, --detach included: its parent exits only once the
 * child serves, with the child's outcome.
 */
#include <config.h>

#include <sys/socket.h>
#include <sys/stat.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf.h"
#include "gateway.h"
#include "keycache.h"
#include "gpg.h"
#include "limit.h"
#include "log.h"
#include "pidfile.h"
#include "serve.h"
#include "smtpio.h"
#include "tcp.h"
#include "workers.h"
#include "xmalloc.h"

/* A restarted server may find its port held a moment longer by the
 * workers of the one before (they let go at its death): bind() tries
 * again for this long before it says the port is in use. */
#define SERVE_BIND_WAIT_MS	3000
/* --check: seconds to wait for the greeting of a server found on
 * listen */
#define SERVE_CHECK_WAIT	5
/* the smallest listen(2) backlog; it grows with smtpd_workers */
#define SERVE_BACKLOG		128

struct serve {
	const struct serve_opts *o;
	char		*config;	/* absolute: SIGHUP reads it after
					 * --detach's chdir("/") */
	char		*pidpath;	/* --pidfile, absolute, or NULL */
	struct pidfile	 pid;		/* fd -1: none */
	char		*listen;	/* what lfd is bound to */
	int		 lfd;
	enum outcome	 bound;		/* bind()'s outcome (--check) */
	char		 binderr[CONFIG_ERRLEN];
	char		*user;		/* to become (as root), or NULL */
	uid_t		 uid;
	gid_t		 gid;
	char		*home;
	struct gateway	*gw;
	int		 readyfd;	/* --detach: to the waiting parent */
};

/* the configuration SIGHUP reads (sv_load has no argument for it) */
static const char *sv_config;

/* sv_abspath - path made absolute against the working directory
 * (allocated) */
static char *
sv_abspath(const char *path)
{
	char cwd[PATH_MAX], *p;
	size_t n;

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	n = strlen(cwd) + strlen(path) + 2;
	p = xmalloc(n);
	(void)snprintf(p, n, "%s/%s", cwd, path);
	return p;
}

/* sv_addr - ADDRESS:PORT (a host name, an IPv4 address, or an IPv6
 * one in brackets) as socket addresses; 0, or -1 with err */
static int
sv_addr(const char *hostport, struct addrinfo **res, char *err,
    size_t errsz)
{
	struct addrinfo hints;
	char host[NI_MAXHOST];
	const char *port;
	int e;

	if (tcp_split(hostport, host, sizeof host, &port) == -1) {
		snprintf(err, errsz, "%s: not ADDRESS:PORT", hostport);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if ((e = getaddrinfo(host, port, &hints, res)) != 0) {
		snprintf(err, errsz, "%s: %s", hostport, gai_strerror(e));
		return -1;
	}
	return 0;
}

/* sv_socket - a socket for ai, close-on-exec; -1 (errno) */
static int
sv_socket(const struct addrinfo *ai)
{
	int fd;

	if ((fd = socket(ai->ai_family, ai->ai_socktype,
	    ai->ai_protocol)) == -1)
		return -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* sv_bind - fd bound to ai, waiting up to wait_ms while the address is
 * in use; 0, or -1 (errno) */
static int
sv_bind(int fd, const struct addrinfo *ai, int wait_ms)
{
	long long until = smtpio_now() + wait_ms;
	int one = 1;

	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
		return -1;
	if (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof one) == -1)
		return -1;
	while (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EADDRINUSE || smtpio_now() >= until)
			return -1;
		(void)poll(NULL, 0, 100);
	}
	return 0;
}

/*
 * sv_listen - s->lfd listening on listen; on failure s->binderr says
 * why and s->bound is OUTCOME_CONFIG (no such address, or not ours to
 * bind) or OUTCOME_TEMPFAIL (in use: the machine's state, not the
 * configuration's)
 */
static enum outcome
sv_listen(struct serve *s, const struct config *c, int wait_ms)
{
	struct addrinfo *ai = NULL;
	int backlog, e;

	s->listen = xstrdup(c->listen);
	backlog = c->smtpd_workers > SERVE_BACKLOG ? (int)c->smtpd_workers :
	    SERVE_BACKLOG;
	if (sv_addr(c->listen, &ai, s->binderr, sizeof s->binderr) == -1)
		return s->bound = OUTCOME_CONFIG;
	if ((s->lfd = sv_socket(ai)) == -1 ||
	    sv_bind(s->lfd, ai, wait_ms) == -1 ||
	    listen(s->lfd, backlog) == -1) {
		e = errno;
		snprintf(s->binderr, sizeof s->binderr, "listen = %s: %s",
		    c->listen, strerror(e));
		if (s->lfd != -1)
			(void)close(s->lfd);
		s->lfd = -1;
		s->bound = e == EACCES || e == EADDRNOTAVAIL ||
		    e == EAFNOSUPPORT ? OUTCOME_CONFIG : OUTCOME_TEMPFAIL;
	} else
		s->bound = OUTCOME_OK;
	freeaddrinfo(ai);
	return s->bound;
}

/*
 * sv_user - the user to become: as root, --user or smtpd_user, which
 * must be named and must not be root; otherwise nobody, and a user
 * named must be the one we run as
 */
static enum outcome
sv_user(struct serve *s, const struct config *c)
{
	const char *what = s->o->user != NULL ? "--user" : "smtpd_user";
	const char *name = s->o->user != NULL ? s->o->user : c->smtpd_user;
	struct passwd *pw;

	if (name == NULL) {
		if (geteuid() != 0)
			return OUTCOME_OK;
		log_warnx("smtpd: refusing to run as root: set smtpd_user "
		    "(mailseal.conf) or --user");
		return OUTCOME_CONFIG;
	}
	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		if (errno != 0 && errno != ENOENT && errno != ESRCH) {
			log_warn("smtpd: %s %s", what, name);
			return OUTCOME_TEMPFAIL;
		}
		log_warnx("smtpd: %s %s: no such user", what, name);
		return OUTCOME_CONFIG;
	}
	if (pw->pw_uid == 0) {
		log_warnx("smtpd: refusing to run as root: %s %s is root",
		    what, name);
		return OUTCOME_CONFIG;
	}
	if (geteuid() != 0) {
		if (pw->pw_uid == geteuid())
			return OUTCOME_OK;
		log_warnx("smtpd: %s %s: only root can become another user",
		    what, name);
		return OUTCOME_CONFIG;
	}
	s->user = xstrdup(pw->pw_name);
	s->uid = pw->pw_uid;
	s->gid = pw->pw_gid;
	s->home = xstrdup(pw->pw_dir);
	return OUTCOME_OK;
}

/*
 * sv_drop - become s->user for good: its groups, group and user, then
 * proof that root cannot come back; HOME (gpg's ~/.gnupg), USER and
 * LOGNAME are the user's.  A change of credentials makes the process
 * dumpable again: it is made not dumpable once more (main.c).
 */
static int
sv_drop(const struct serve *s)
{
	if (initgroups(s->user, s->gid) == -1 || setgid(s->gid) == -1 ||
	    setuid(s->uid) == -1)
		return -1;
	if (setuid(0) != -1 || seteuid(0) != -1 || getuid() != s->uid ||
	    geteuid() != s->uid || getgid() != s->gid ||
	    getegid() != s->gid) {
		errno = EPERM;
		return -1;
	}
#ifdef HAVE_SYS_PRCTL_H
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return -1;
#endif
	if (setenv("HOME", s->home, 1) == -1 ||
	    setenv("USER", s->user, 1) == -1 ||
	    setenv("LOGNAME", s->user, 1) == -1)
		return -1;
	return 0;
}

/* sv_prepare_alarm - the start-up listing is out of time: say so and
 * end, the port with us; async-signal-safe only */
static void
sv_prepare_alarm(int sig)
{
	static const char msg[] = "mailseal: smtpd: gpg did not finish "
	    "listing the keys within the timeout: not started\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	_exit(EX_TEMPFAIL);
}

/* sv_prepare - the gateway ready before the workers fork: the GnuPG
 * context opened and the keys listed once (gateway_prepare), so that
 * every worker inherits both (one gpg --version for the server's life,
 * and no listing per message) */
static enum outcome
sv_prepare(struct gateway *gw, char *err, size_t errsz)
{
	struct sigaction sa, old;
	enum outcome r;

	/* a gpg that hangs here would leave the port bound and no worker
	 * to answer: clients' connections would wait in the backlog for
	 * ever; `timeout` ends the start instead (75, said) */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sv_prepare_alarm;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGALRM, &sa, &old);
	alarm(gw->cfg.timeout);
	r = gateway_prepare(gw, err, errsz);
	alarm(0);
	(void)sigaction(SIGALRM, &old, NULL);
	return r;
}

/* sv_adopt - SIGHUP's new gateway ng takes the GnuPG context and key
 * cache of the one in use, og, when both use the same GnuPG home (the
 * cache sees keyring changes on its own); with another home it starts
 * with an empty cache, and each worker opens the context and lists the
 * keys on its first message, under the per-message deadline.  Either
 * way the main process runs no gpg on SIGHUP: a gpg that hangs there
 * would hang the process that restarts workers and obeys SIGTERM. */
static void
sv_adopt(struct gateway *ng, struct gateway *og)
{
	char *nh = config_homedir(&ng->cfg), *oh = config_homedir(&og->cfg);

	if (nh != NULL && oh != NULL && strcmp(nh, oh) == 0) {
		ng->gpg = og->gpg;
		ng->keys = og->keys;
		og->gpg = NULL;
		og->keys = NULL;
	} else
		ng->keys = keycache_new(nh);
	free(nh);
	free(oh);
}

/* sv_load - SIGHUP: the gateway loaded again (mailseal.conf, policy
 * map, trust checks), with og's GnuPG context and keys where it can
 * (sv_adopt), allocated; workers_opts.load */
static enum outcome
sv_load(struct gateway *og, struct gateway **out, char *err, size_t errsz)
{
	struct gateway *gw = xmalloc(sizeof *gw);
	enum outcome r;

	if ((r = gateway_load(gw, sv_config, err, errsz)) != OUTCOME_OK) {
		gateway_free(gw);
		free(gw);
		return r;
	}
	sv_adopt(gw, og);
	*out = gw;
	return OUTCOME_OK;
}

/* sv_probe - hostport's greeting (the last line of a 220 reply, in
 * line), then QUIT; 0, or -1 with err */
static int
sv_probe(const char *hostport, unsigned int timeout, char *line,
    size_t linesz, char *err, size_t errsz)
{
	struct smtpio *io = xmalloc(sizeof *io);
	char esc[256];
	ssize_t n = -1;
	size_t i;
	int fd, r = -1;

	if ((fd = tcp_connect(hostport, timeout, esc, sizeof esc)) == -1) {
		snprintf(err, errsz, "%s: %s", hostport, esc);
		goto out;
	}
	if (smtpio_init(io, fd, timeout) == -1) {
		snprintf(err, errsz, "%s: %s", hostport, strerror(errno));
		goto out;
	}
	for (i = 0; i < LIMIT_SMTP_REPLY_LINES; i++)
		if ((n = smtpio_getline(io, line, linesz)) < 4 ||
		    line[3] != '-')
			break;
	if (n == -1)
		snprintf(err, errsz, "%s: no greeting: %s", hostport,
		    smtpio_strerror(io));
	else if (n < 3 || strncmp(line, "220", 3) != 0 ||
	    (n > 3 && line[3] != ' '))
		snprintf(err, errsz, "%s: not a 220 greeting: %s", hostport,
		    log_escape(line, esc, sizeof esc));
	else {
		(void)smtpio_printf(io, "QUIT\r\n");
		(void)smtpio_flush(io);
		r = 0;
	}
out:
	if (fd != -1)
		(void)close(fd);
	free(io);
	return r;
}

/* sv_check_listen - --check: can listen be bound?  In use, what
 * answers there is said too (the server itself, when it runs) */
static enum outcome
sv_check_listen(struct serve *s)
{
	char line[LIMIT_SMTP_REPLY_LINE], esc[LIMIT_SMTP_REPLY_LINE];
	char err[CONFIG_ERRLEN];

	if (s->bound == OUTCOME_OK) {
		printf("listen = %s: can be bound\n", s->listen);
		return OUTCOME_OK;
	}
	(void)fflush(stdout);
	if (s->bound == OUTCOME_TEMPFAIL && sv_probe(s->listen,
	    SERVE_CHECK_WAIT, line, sizeof line, err, sizeof err) == 0)
		log_warnx("smtpd: %s (a server answers there: %s)",
		    s->binderr, log_escape(line, esc, sizeof esc));
	else
		log_warnx("smtpd: %s", s->binderr);
	return s->bound;
}

/* sv_check - --check: the configuration, then whether listen can be
 * bound and reinject answers; a line for each that fails */
static enum outcome
sv_check(struct serve *s)
{
	const struct config *c = &s->gw->cfg;
	char line[LIMIT_SMTP_REPLY_LINE], esc[LIMIT_SMTP_REPLY_LINE];
	char err[CONFIG_ERRLEN];
	enum outcome r;

	config_print(c, stdout);
	r = sv_check_listen(s);
	(void)fflush(stdout);
	if (sv_probe(c->reinject, c->smtpd_timeout, line, sizeof line, err,
	    sizeof err) == -1) {
		log_warnx("smtpd: reinject = %s", err);
		return r != OUTCOME_OK ? r : OUTCOME_TEMPFAIL;
	}
	printf("reinject = %s: %s\n", c->reinject,
	    log_escape(line, esc, sizeof esc));
	return r;
}

/*
 * sv_detach - --detach: fork; the parent returns 1 with *r, the
 * child's outcome, once the child serves (one byte on a pipe) or has
 * failed (an outcome, or nothing when it died); the child returns 0,
 * in a session of its own, with s->readyfd to report on
 */
static int
sv_detach(struct serve *s, enum outcome *r)
{
	unsigned char b;
	ssize_t n;
	pid_t pid;
	int p[2];

	if (pipe(p) == -1 || fcntl(p[1], F_SETFD, FD_CLOEXEC) == -1) {
		log_warn("smtpd: --detach: pipe");
		*r = OUTCOME_TEMPFAIL;
		return 1;
	}
	(void)fflush(stdout);
	(void)fflush(stderr);
	if ((pid = fork()) == -1) {
		log_warn("smtpd: --detach: fork");
		*r = OUTCOME_TEMPFAIL;
		return 1;
	}
	if (pid == 0) {
		(void)close(p[0]);
		s->readyfd = p[1];
		(void)setsid();
		return 0;
	}
	(void)close(p[1]);
	while ((n = read(p[0], &b, 1)) == -1 && errno == EINTR)
		continue;
	(void)close(p[0]);
	*r = n == 1 ? (enum outcome)b : OUTCOME_TEMPFAIL;
	return 1;
}

/* sv_daemon - the detached child, once its pid file is locked: no
 * terminal, no working directory, standard input, output and error on
 * /dev/null (the log goes to syslog) */
static int
sv_daemon(void)
{
	int fd, i;

	if (chdir("/") == -1 || (fd = open("/dev/null", O_RDWR)) == -1)
		return -1;
	for (i = 0; i <= 2; i++)
		if (fd != i && dup2(fd, i) == -1)
			return -1;
	if (fd > 2)
		(void)close(fd);
	return 0;
}

/*
 * sv_pidfile - the pid file opened.  As root, in a directory that
 * another user can change (smtpd_user's, so that it can remove the file
 * at the end), it is opened with that user's rights: a directory above
 * it swapped for a symbolic link then reaches only what the user could
 * write anyway, never a file of root's that would be truncated.
 */
static enum outcome
sv_pidfile(struct serve *s)
{
	char err[CONFIG_ERRLEN];
	enum outcome r;

	if (s->user == NULL || config_trusted(s->pidpath, "the pid file",
	    err, sizeof err) == 0)
		return pidfile_open(&s->pid, s->pidpath);
	if (initgroups(s->user, s->gid) == -1 || setegid(s->gid) == -1 ||
	    seteuid(s->uid) == -1) {
		log_warn("smtpd: cannot become %s", s->user);
		return OUTCOME_TEMPFAIL;
	}
	r = pidfile_open(&s->pid, s->pidpath);
	if (seteuid(0) == -1 || setegid(0) == -1) {
		log_warn("smtpd: cannot become root again");
		return OUTCOME_TEMPFAIL;
	}
	return r;
}

/*
 * sv_begin - as started (root or not): mailseal.conf read for
 * smtpd_user and listen, the user to become, the pid file, the socket
 * bound (--check: tried, and said later); then root given up
 */
static enum outcome
sv_begin(struct serve *s)
{
	char err[CONFIG_ERRLEN];
	struct config c;
	enum outcome r;

	/* root reads only what nobody else can change: a configuration
	 * of smtpd_user's would let that user bind any port (25) as
	 * root, or have root show lines of a file it links to */
	if (geteuid() == 0 && config_trusted(s->config, "the configuration",
	    err, sizeof err) == -1) {
		log_warnx("smtpd: %s", err);
		return OUTCOME_CONFIG;
	}
	if (config_load(&c, s->config, err, sizeof err) == -1) {
		log_warnx("smtpd: %s", err);
		config_free(&c);
		return OUTCOME_CONFIG;
	}
	r = sv_user(s, &c);
	if (r == OUTCOME_OK && s->pidpath != NULL && !s->o->check)
		r = sv_pidfile(s);
	if (r == OUTCOME_OK && sv_listen(s, &c, s->o->check ? 0 :
	    SERVE_BIND_WAIT_MS) != OUTCOME_OK && !s->o->check) {
		log_warnx("smtpd: %s", s->binderr);
		r = s->bound;
	}
	config_free(&c);
	if (r == OUTCOME_OK && s->user != NULL && sv_drop(s) == -1) {
		log_warn("smtpd: cannot become %s", s->user);
		r = OUTCOME_TEMPFAIL;
	}
	return r;
}

/* sv_gateway - as the user: the gateway loaded (a bad configuration
 * is 78), --check, the log's destination, and the GnuPG context */
static enum outcome
sv_gateway(struct serve *s)
{
	char err[CONFIG_ERRLEN];
	enum outcome r;

	s->gw = xmalloc(sizeof *s->gw);
	if (gateway_load(s->gw, s->config, err, sizeof err) != OUTCOME_OK) {
		log_warnx("smtpd: %s", err);
		return OUTCOME_CONFIG;
	}
	if (s->o->check)
		return sv_check(s);
	if (s->o->detach || (!s->o->logstderr && !s->gw->cfg.log_stderr))
		log_syslog(s->gw->cfg.facility);
	if ((r = sv_prepare(s->gw, err, sizeof err)) != OUTCOME_OK) {
		log_warnx("smtpd: %s", err);
		return r;
	}
	return OUTCOME_OK;
}

/* sv_serve - the pid file locked, detached if asked, and the workers
 * until SIGTERM (workers.c); *e says which process returns */
static enum outcome
sv_serve(struct serve *s, enum workers_end *e)
{
	struct workers_opts wo;
	enum outcome r;

	if (s->pid.fd != -1 && (r = pidfile_lock(&s->pid)) != OUTCOME_OK)
		return r;
	if (s->o->detach && sv_daemon() == -1) {
		log_warn("smtpd: --detach");
		return OUTCOME_TEMPFAIL;
	}
	memset(&wo, 0, sizeof wo);
	wo.lfd = s->lfd;
	wo.listen = s->listen;
	wo.readyfd = &s->readyfd;
	wo.load = sv_load;
	log_info("smtpd: listening on %s, %llu workers", s->listen,
	    s->gw->cfg.smtpd_workers);
	*e = workers_run(&wo, &s->gw);
	s->lfd = -1;			/* workers_run closed it */
	if (*e == WORKERS_FAILED)
		return OUTCOME_TEMPFAIL;
	if (*e == WORKERS_STOPPED)
		log_info("smtpd: stopped");
	return OUTCOME_OK;
}

/* sv_end - release what serve_run holds; the pid file goes only in
 * the main process that locked it */
static void
sv_end(struct serve *s, enum outcome r, enum workers_end e)
{
	unsigned char b = r == OUTCOME_OK ? OUTCOME_TEMPFAIL : r;

	/* --detach: a child that never served tells its parent why */
	if (s->readyfd != -1) {
		(void)!write(s->readyfd, &b, 1);
		(void)close(s->readyfd);
	}
	/* a worker leaves the pid file to the main process */
	if (e == WORKERS_CHILD)
		s->pid.locked = 0;
	pidfile_close(&s->pid);
	if (s->lfd != -1)
		(void)close(s->lfd);
	if (s->gw != NULL) {
		gateway_free(s->gw);
		free(s->gw);
	}
	free(s->config);
	free(s->pidpath);
	free(s->listen);
	free(s->user);
	free(s->home);
}

/* serve_run - see serve.h */
enum outcome
serve_run(const struct serve_opts *o)
{
	enum workers_end e = WORKERS_STOPPED;
	struct serve s;
	enum outcome r;

	memset(&s, 0, sizeof s);
	s.o = o;
	s.pid.fd = s.lfd = s.readyfd = -1;
	s.config = sv_abspath(o->config != NULL ? o->config :
	    CONFIG_DEFAULT_PATH);
	sv_config = s.config;
	s.pidpath = o->pidfile != NULL ? sv_abspath(o->pidfile) : NULL;
	/* private files only: messages are in them */
	(void)umask(077);
	if (workers_signals() == -1) {
		log_warn("smtpd: signals");
		r = OUTCOME_TEMPFAIL;
	} else if ((r = sv_begin(&s)) == OUTCOME_OK &&
	    (r = sv_gateway(&s)) == OUTCOME_OK && !o->check &&
	    (!o->detach || sv_detach(&s, &r) == 0))
		r = sv_serve(&s, &e);
	sv_end(&s, r, e);
	return r;
}
