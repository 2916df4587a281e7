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

#include <stdio.h>
#include <unistd.h>

#include "conf.h"
#include "filter.h"
#include "gateway.h"
#include "handoff.h"
#include "log.h"
#include "msg.h"

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
	alarm(opts->timeout != 0 ? opts->timeout : gw.cfg.timeout);
	env.sender = opts->sender;
	env.queueid = opts->queueid;
	env.rcpts = opts->rcpts;
	env.nrcpts = opts->nrcpts;
	if (opts->tostdout)
		handoff_stdout(&ho);
	else
		handoff_sendmail(&ho, gw.cfg.sendmail);
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
