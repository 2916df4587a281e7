/*
 * serve.h - `mailseal smtpd`: the listener and its workers.
 *
 * The process model (HACKING.md): the main process binds the listening
 * socket, becomes smtpd_user when started as root, loads the gateway
 * once, and forks smtpd_workers workers; each accepts one connection at
 * a time and serves it (smtpd.c, smtpgw.c) with the gateway, its GnuPG
 * context and its key cache kept from message to message.  The main
 * process restarts a worker that dies; SIGTERM: the workers finish the
 * messages in flight and everybody exits; SIGHUP: the configuration and
 * policy map are read again and the workers replaced, each after its
 * connection.
 */
#ifndef MAILSEAL_SERVE_H
#define MAILSEAL_SERVE_H

#include "outcome.h"

struct serve_opts {
	const char	*config;	/* -c FILE, NULL: the default */
	const char	*user;		/* --user: overrides smtpd_user */
	int		 detach;	/* --detach */
	const char	*pidfile;	/* --pidfile FILE */
	int		 logstderr;	/* -v: log to standard error */
	int		 check;		/* --check */
};

/* serve_run - the server, until SIGTERM (OUTCOME_OK) or a failure to
 * start (OUTCOME_CONFIG, OUTCOME_TEMPFAIL, after one line) */
enum outcome	serve_run(const struct serve_opts *);

#endif
