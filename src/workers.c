/*
 * workers.c - `mailseal smtpd`'s workers and the main process that
 * keeps them (workers.h).
 *
 * The main process does no SMTP: it forks smtpd_workers workers, each
 * of which accepts on the listening socket they all share (the kernel
 * hands each connection to one accept() that waits) and serves its
 * connection to the end before it accepts again.  A worker inherits
 * the gateway the main process loaded and prepared (configuration,
 * policy map, the GnuPG context opened once), so a connection costs
 * no start-up and no configuration is read per connection.
 *
 * Signals.  The main process's handlers set a flag and write a byte
 * to a pipe (the self-pipe) its loop polls, so no work happens in a
 * handler and a signal that comes between a check and the wait still
 * ends the wait.  A worker's SIGTERM (and SIGINT) handler sets the
 * stop flag its session reads (smtpd.h: the message in flight is
 * finished, then 421) and closes the worker's copy of the listening
 * socket, which ends an accept() that waits (EINTR) or is about to be
 * called (EBADF).  Workers are forked with those signals blocked, so a
 * worker never runs the main process's handlers, and they get
 * SIGTERM when the main process dies (PR_SET_PDEATHSIG), so a main
 * process killed with SIGKILL leaves no worker holding the port.
 */
#include <config.h>

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "gateway.h"
#include "log.h"
#include "smtpd.h"
#include "smtpgw.h"
#include "smtpio.h"
#include "workers.h"
#include "xmalloc.h"

/* A worker that dies this soon after its start is a crash loop: the
 * next start waits WORKERS_DELAY_MS, doubling up to the maximum. */
#define WORKERS_QUICK_MS	1000
#define WORKERS_DELAY_MS	1000
#define WORKERS_DELAY_MAX_MS	30000
/* accept() out of descriptors or memory: pause, do not spin */
#define WORKERS_PAUSE_MS	1000

struct wproc {
	pid_t		 pid;
	long long	 born;		/* smtpio_now() */
	int		 old;		/* asked to stop: not restarted */
	char		*area;		/* shared: its deadline's log line
					 * (smtpgw.h), or NULL */
};

struct workers {
	const struct workers_opts *o;
	struct gateway	**gw;
	struct wproc	*v;
	size_t		 n, cap;
	long long	 delay;		/* ms, after a quick death */
	long long	 next;		/* no start before (smtpio_now()) */
};

/* the main process's flags, and its self-pipe */
static volatile sig_atomic_t	wk_term, wk_hup, wk_chld;
static int			wk_pipe[2] = { -1, -1 };
/* a worker's stop flag and its copy of the listening socket */
static volatile sig_atomic_t	wk_stop;
static volatile sig_atomic_t	wk_lfd = -1;

static void	wk_on_signal(int);
static void	wk_on_stop(int);

/* wk_on_signal - the main process's handler: a flag and a wake-up */
static void
wk_on_signal(int sig)
{
	int saved = errno;
	char c = 0;

	if (sig == SIGTERM || sig == SIGINT)
		wk_term = 1;
	else if (sig == SIGHUP)
		wk_hup = 1;
	else
		wk_chld = 1;
	(void)!write(wk_pipe[1], &c, 1);
	errno = saved;
}

/* wk_on_stop - a worker's SIGTERM or SIGINT: finish the connection
 * (smtpd_session reads the flag), accept no other */
static void
wk_on_stop(int sig)
{
	int saved = errno;

	(void)sig;
	wk_stop = 1;
	if (wk_lfd != -1) {
		(void)close(wk_lfd);
		wk_lfd = -1;
	}
	errno = saved;
}

/* wk_sigset - the signals the main process handles */
static void
wk_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
}

/* workers_signals - see workers.h */
int
workers_signals(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	struct sigaction sa;
	size_t i;
	int k;

	if (wk_pipe[0] == -1 && pipe(wk_pipe) == -1)
		return -1;
	for (k = 0; k < 2; k++)
		if (fcntl(wk_pipe[k], F_SETFD, FD_CLOEXEC) == -1 ||
		    fcntl(wk_pipe[k], F_SETFL, O_NONBLOCK) == -1)
			return -1;
	memset(&sa, 0, sizeof sa);
	wk_sigset(&sa.sa_mask);
	sa.sa_handler = wk_on_signal;
	sa.sa_flags = SA_NOCLDSTOP;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			return -1;
	return 0;
}

/* workers_stopping - see workers.h */
int
workers_stopping(void)
{
	return wk_term;
}

/*
 * wk_child_init - a new worker: its own handlers (SIGTERM and SIGINT
 * stop it; SIGHUP is the main process's business; SIGALRM and SIGCHLD
 * as the system has them, for smtpgw's deadline and GPGME's children),
 * nothing of the main process's pipes, and SIGTERM when the main
 * process dies; 0, or -1 when the main process is already gone
 */
static int
wk_child_init(const struct workers_opts *o, pid_t parent)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGCHLD, &sa, NULL);
	(void)sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = wk_on_stop;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)close(wk_pipe[0]);
	(void)close(wk_pipe[1]);
	wk_pipe[0] = wk_pipe[1] = -1;
	if (*o->readyfd != -1) {
		(void)close(*o->readyfd);
		*o->readyfd = -1;
	}
	wk_lfd = o->lfd;
#ifdef HAVE_SYS_PRCTL_H
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
#endif
	return getppid() == parent ? 0 : -1;
}

/* wk_accept_error - accept() failed with e: 0 to accept again (after a
 * pause when out of descriptors or memory), -1 to end the worker */
static int
wk_accept_error(int e)
{
	switch (e) {
	case EINTR:
	case EAGAIN:
	case ECONNABORTED:
	/* Linux: errors of the new connection, reported by accept() */
	case EPROTO:
	case ENETDOWN:
	case ENOPROTOOPT:
	case EHOSTDOWN:
	case ENONET:
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETUNREACH:
		return 0;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		log_warnx("smtpd: accept: %s (waiting a second)", strerror(e));
		(void)poll(NULL, 0, WORKERS_PAUSE_MS);
		return 0;
	default:
		log_warnx("smtpd: accept: %s", strerror(e));
		return -1;
	}
}

/* wk_serve - one connection, from its greeting to its end */
static void
wk_serve(struct gateway *gw, int fd)
{
	struct smtpd_conf c;
	struct smtpd_ops ops;
	struct smtpgw g;

	memset(&c, 0, sizeof c);
	c.hostname = gw->cfg.gateway_id;
	c.timeout = gw->cfg.smtpd_timeout;
	c.maxsize = gw->cfg.message_size_limit;
	c.stop = &wk_stop;
	smtpgw_init(&g, gw, fd, &ops);
	smtpd_session(&c, &ops, fd);
	smtpgw_done(&g);
}

/* wk_main - a worker: accept and serve until told to stop */
static enum workers_end
wk_main(struct gateway *gw)
{
	sigset_t set;
	int fd, one = 1;

	while (!wk_stop) {
		if ((fd = accept(wk_lfd, NULL, NULL)) == -1) {
			if (wk_stop || wk_accept_error(errno) == -1)
				break;
			continue;
		}
		/* gpg, started while we serve, gets none of it; replies
		 * go out whole (smtpio), so no wait for an ACK (Nagle) */
		(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof one);
		wk_serve(gw, fd);
		(void)close(fd);
	}
	wk_sigset(&set);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	if (wk_lfd != -1)
		(void)close(wk_lfd);
	wk_lfd = -1;
	return WORKERS_CHILD;
}

/* wk_start - fork one worker: 1 in the worker, 0 in the main process,
 * -1 when fork failed (said) */
static int
wk_start(struct workers *w)
{
	sigset_t set, old;
	pid_t pid, parent = getpid();
	char *area;
	size_t i;

	if (w->n == w->cap) {
		w->cap = w->cap == 0 ? 16 : w->cap * 2;
		w->v = xreallocarray(w->v, w->cap, sizeof *w->v);
	}
	/* a worker the deadline ends cannot log; its line waits here */
	if ((area = mmap(NULL, SMTPGW_AREA, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
		area = NULL;
	else
		area[0] = '\0';
	wk_sigset(&set);
	(void)sigprocmask(SIG_BLOCK, &set, &old);
	/* nothing buffered is written twice */
	(void)fflush(stdout);
	(void)fflush(stderr);
	if ((pid = fork()) == 0) {
		if (wk_child_init(w->o, parent) == -1)
			wk_stop = 1;
		/* the other workers' lines are none of its business */
		for (i = 0; i < w->n; i++)
			if (w->v[i].area != NULL)
				(void)munmap(w->v[i].area, SMTPGW_AREA);
		smtpgw_deadline_area(area);
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		return 1;
	}
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		log_warn("smtpd: fork");
		if (area != NULL)
			(void)munmap(area, SMTPGW_AREA);
		return -1;
	}
	w->v[w->n].area = area;
	w->v[w->n].pid = pid;
	w->v[w->n].born = smtpio_now();
	w->v[w->n].old = 0;
	w->n++;
	return 0;
}

/* wk_live - workers not asked to stop */
static size_t
wk_live(const struct workers *w)
{
	size_t i, n = 0;

	for (i = 0; i < w->n; i++)
		n += !w->v[i].old;
	return n;
}

/* wk_quick - a worker died young, or could not be forked: the next
 * start waits (once per round of starts, so that the deaths of a
 * round double the wait once) */
static void
wk_quick(struct workers *w, long long now)
{
	if (w->next > now)
		return;
	w->delay = w->delay == 0 ? WORKERS_DELAY_MS :
	    w->delay * 2 > WORKERS_DELAY_MAX_MS ? WORKERS_DELAY_MAX_MS :
	    w->delay * 2;
	w->next = now + w->delay;
}

/* wk_said - one line for a worker that ended unasked */
static void
wk_said(const struct workers *w, pid_t pid, int st, long long now)
{
	char wait[64] = "";

	if (w->next > now)
		(void)snprintf(wait, sizeof wait, "; next start in %lld s",
		    (w->next - now + 999) / 1000);
	if (WIFSIGNALED(st))
		log_warnx("smtpd: worker %ld killed by signal %d (%s)%s",
		    (long)pid, WTERMSIG(st), strsignal(WTERMSIG(st)), wait);
	else
		log_warnx("smtpd: worker %ld exited with status %d%s",
		    (long)pid, WIFEXITED(st) ? WEXITSTATUS(st) : -1, wait);
}

/* wk_died_with - the log line of the message a worker died with (the
 * deadline, or a crash: smtpgw.h); the client got no 250 for it */
static void
wk_died_with(const struct workers *w, struct wproc *p, int st)
{
	char *a = p->area;

	if (a == NULL)
		return;
	a[SMTPGW_AREA - SMTPGW_RESULT] = '\0';
	if (a[0] == SMTPGW_FIRED)
		log_info("%s result=deferred (451 4.4.5: timed out after %u s; "
		    "worker restarted)", a + 1, (*w->gw)->cfg.timeout);
	else if (a[0] == SMTPGW_ARMED)
		log_info("%s result=deferred (the worker died with it: %s %d; "
		    "no reply given)", a + 1, WIFSIGNALED(st) ? "signal" :
		    "status", WIFSIGNALED(st) ? WTERMSIG(st) :
		    WEXITSTATUS(st));
	(void)munmap(a, SMTPGW_AREA);
	p->area = NULL;
}

/* wk_reap - forget every worker that ended; one that was not asked to
 * stop is said, and replaced (at once, or later after a quick death) */
static void
wk_reap(struct workers *w)
{
	long long now;
	size_t i;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < w->n && w->v[i].pid != pid; i++)
			continue;
		if (i == w->n)
			continue;
		now = smtpio_now();
		if (!w->v[i].old && !wk_term) {
			if (now - w->v[i].born < WORKERS_QUICK_MS)
				wk_quick(w, now);
			else if (w->next <= now)
				w->delay = 0;
			wk_said(w, pid, st, now);
		}
		wk_died_with(w, &w->v[i], st);
		w->v[i] = w->v[--w->n];
	}
}

/* wk_reload - SIGHUP: the configuration and policy map loaded again;
 * on success the workers are replaced (the old ones finish their
 * connections), else the old gateway stays and one line says why */
static void
wk_reload(struct workers *w)
{
	struct gateway *ng, *og = *w->gw;
	char err[CONFIG_ERRLEN];
	size_t i;

	if (w->o->load(og, &ng, err, sizeof err) != OUTCOME_OK) {
		log_warnx("smtpd: SIGHUP: %s (the configuration in use stays)",
		    err);
		/* gateway_load set the new one's */
		(void)addr_delimiters_set(og->cfg.recipient_delimiter != NULL ?
		    og->cfg.recipient_delimiter : "");
		return;
	}
	if (strcmp(ng->cfg.listen, w->o->listen) != 0)
		log_warnx("smtpd: SIGHUP: listen changed to %s: restart to "
		    "apply (listening on %s)", ng->cfg.listen, w->o->listen);
	for (i = 0; i < w->n; i++)
		if (!w->v[i].old) {
			w->v[i].old = 1;
			(void)kill(w->v[i].pid, SIGTERM);
		}
	gateway_free(og);
	free(og);
	*w->gw = ng;
	w->delay = w->next = 0;
	log_info("smtpd: %s loaded again: %llu workers", ng->path,
	    ng->cfg.smtpd_workers);
}

/* wk_fill - start the workers missing, when their time has come: 1 in
 * a new worker, else 0 (-1: none could be forked) */
static int
wk_fill(struct workers *w)
{
	size_t want = (size_t)(*w->gw)->cfg.smtpd_workers;
	int r;

	while (wk_live(w) < want && smtpio_now() >= w->next) {
		if ((r = wk_start(w)) == 1)
			return 1;
		if (r == -1) {
			wk_quick(w, smtpio_now());
			return wk_live(w) == 0 ? -1 : 0;
		}
	}
	return 0;
}

/* wk_wait - until a signal, or the time of the next start */
static void
wk_wait(struct workers *w)
{
	struct pollfd p;
	long long left = -1;
	char buf[64];

	if (wk_live(w) < (size_t)(*w->gw)->cfg.smtpd_workers &&
	    (left = w->next - smtpio_now()) < 0)
		left = 0;
	p.fd = wk_pipe[0];
	p.events = POLLIN;
	p.revents = 0;
	if (!wk_term && !wk_hup && !wk_chld)
		(void)poll(&p, 1, left > 60000 ? 60000 : (int)left);
	while (read(wk_pipe[0], buf, sizeof buf) > 0)
		continue;
}

/* wk_shutdown - SIGTERM: no new connection; each worker finishes its
 * own and is waited for */
static void
wk_shutdown(struct workers *w)
{
	size_t i;
	pid_t pid;
	int st;

	(void)close(w->o->lfd);
	for (i = 0; i < w->n; i++)
		(void)kill(w->v[i].pid, SIGTERM);
	while (w->n > 0) {
		if ((pid = waitpid(-1, &st, 0)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < w->n; i++)
			if (w->v[i].pid == pid) {
				w->v[i] = w->v[--w->n];
				break;
			}
	}
}

/* wk_ready - serving: the detached server's parent may go */
static void
wk_ready(const struct workers_opts *o)
{
	unsigned char b = OUTCOME_OK;

	if (*o->readyfd == -1)
		return;
	(void)!write(*o->readyfd, &b, 1);
	(void)close(*o->readyfd);
	*o->readyfd = -1;
}

/* workers_run - see workers.h */
enum workers_end
workers_run(const struct workers_opts *o, struct gateway **gw)
{
	struct workers w;
	int r, started = 0;

	memset(&w, 0, sizeof w);
	w.o = o;
	w.gw = gw;
	for (;;) {
		if (wk_chld) {
			wk_chld = 0;
			wk_reap(&w);
		}
		if (wk_term)
			break;
		if (wk_hup) {
			wk_hup = 0;
			wk_reload(&w);
		}
		if ((r = wk_fill(&w)) == 1) {
			free(w.v);
			return wk_main(*gw);
		}
		if (r == -1 && !started) {
			(void)close(o->lfd);
			free(w.v);
			return WORKERS_FAILED;
		}
		started = 1;
		wk_ready(o);
		wk_wait(&w);
	}
	wk_shutdown(&w);
	free(w.v);
	return WORKERS_STOPPED;
}
