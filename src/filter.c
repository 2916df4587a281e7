/*
 * filter.c - the filter command: the gateway (gateway.c) between an
 * MTA's queue and its delivery, one message per process.
 *
 * The command's own concerns live here: private files (umask 077),
 * where the log goes, the deadline, standard input spooled into a
 * nameless file (msg.c), and the hop the results go to (sendmail, or
 * standard output with --stdout).  The gateway decides and hands off.
 */
#include <config.h>

#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf.h"
#include "filter.h"
#include "gateway.h"
#include "handoff.h"
#include "log.h"
#include "msg.h"
#include "output.h"

/* the copies the next hop took (fl_give), for the deadline's line */
static volatile sig_atomic_t	fl_taken;
static struct handoff		fl_real;

/* fl_give - the hop's give (fl_real), each copy it takes counted */
static int
fl_give(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	int r;

	r = fl_real.give(&fl_real, sender, rcpts, n, fd, err, errsz);
	memcpy(ho->qid, fl_real.qid, sizeof ho->qid);
	if (r == 0)
		fl_taken++;
	return r;
}

/* fl_alarm - the deadline, as main.c's on_signal (exit 75), but its
 * line says how many copies the next hop took before it: the retry
 * sends those again.  Only async-signal-safe calls. */
static void
fl_alarm(int sig)
{
	static const char head[] = "mailseal: timed out (--timeout)";
	static const char mid[] = "; copies handed over before: ";
	static const char tail[] = " (the retry sends them again)";
	char num[24];
	size_t i = sizeof num;
	long n = (long)fl_taken;

	(void)sig;
	output_cleanup();
	(void)!write(STDERR_FILENO, head, sizeof head - 1);
	if (n > 0) {
		do
			num[--i] = (char)('0' + n % 10);
		while ((n /= 10) > 0 && i > 0);
		(void)!write(STDERR_FILENO, mid, sizeof mid - 1);
		(void)!write(STDERR_FILENO, num + i, sizeof num - i);
		(void)!write(STDERR_FILENO, tail, sizeof tail - 1);
	}
	(void)!write(STDERR_FILENO, "\n", 1);
	_exit(EX_TEMPFAIL);
}

/* fl_deadline - fl_alarm for SIGALRM (the other signals stay main.c's) */
static void
fl_deadline(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	(void)sigemptyset(&sa.sa_mask);
	sa.sa_handler = fl_alarm;
	(void)sigaction(SIGALRM, &sa, NULL);
}

/* filter_run - see filter.h */
enum outcome
filter_run(const struct filter_opts *opts)
{
	struct gateway gw;
	struct envelope env;
	struct handoff ho;
	struct msg *m = NULL;
	char err[CONFIG_ERRLEN];
	enum outcome r;

	/* private files only: the message is in them */
	(void)umask(077);
	/* 4.3.5 first (outcome.c): Postfix's pipe(8) then defers instead
	 * of bouncing every message while the postmaster fixes a typo */
	if (gateway_load(&gw, opts->config, err, sizeof err) != OUTCOME_OK) {
		log_dsn(OUTCOME_CONFIG, "%s", err);
		gateway_free(&gw);
		return OUTCOME_CONFIG;
	}
	if (!opts->logstderr && !gw.cfg.log_stderr && !opts->check)
		log_syslog(gw.cfg.facility);
	fl_deadline();
	alarm(opts->timeout != 0 ? opts->timeout : gw.cfg.timeout);
	env.sender = opts->sender;
	env.queueid = opts->queueid;
	env.rcpts = opts->rcpts;
	env.nrcpts = opts->nrcpts;
	if (opts->tostdout)
		handoff_stdout(&fl_real);
	else
		handoff_sendmail(&fl_real, gw.cfg.sendmail);
	ho = fl_real;
	if (!fl_real.one_copy)
		ho.give = fl_give;
	if (opts->check)
		r = gateway_check(&gw, &env, &ho);
	else {
		if ((r = msg_spool(&m, STDIN_FILENO)) == OUTCOME_OK)
			r = gateway_message(&gw, m, &env, &ho);
		msg_free(m);
	}
	gateway_free(&gw);
	return r;
}
