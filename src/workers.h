/*
 * workers.h - `mailseal smtpd`'s workers and the process that keeps
 * them: smtpd_workers processes forked from the main one, each
 * accepting one connection at a time on the shared listening socket
 * and serving it (smtpd.c over smtpgw.c) with the gateway it was
 * forked with.  The main process restarts a worker that dies (a crash
 * loop waits, 1 s doubling up to 30 s), replaces them all on SIGHUP
 * with a gateway loaded again, and on SIGTERM or SIGINT lets each
 * finish its connection and waits for them.
 */
#ifndef MAILSEAL_WORKERS_H
#define MAILSEAL_WORKERS_H

#include "outcome.h"

struct gateway;

struct workers_opts {
	int		 lfd;		/* the listening socket */
	const char	*listen;	/* the address lfd is bound to */
	int		*readyfd;	/* -1, or a pipe: OUTCOME_OK written
					 * to it once serving, then closed
					 * (and set to -1) */
	/* load - mailseal.conf and the policy map loaded again into a
	 * new gateway, which takes over the GnuPG context and key cache of
	 * the one in use (the first argument) where it can, running no
	 * gpg; OUTCOME_OK, else err says why */
	enum outcome	(*load)(struct gateway *, struct gateway **, char *,
			    size_t);
};

enum workers_end {
	WORKERS_STOPPED,	/* the main process: every worker is gone */
	WORKERS_CHILD,		/* a worker whose work is over: return */
	WORKERS_FAILED		/* the main process could not start any */
};

/* workers_signals - the main process's handlers for SIGTERM, SIGINT,
 * SIGHUP and SIGCHLD (they only set flags and wake the loop), in
 * place of main.c's, which exit at once; 0, or -1 (errno) */
int		workers_signals(void);

/* workers_stopping - SIGTERM or SIGINT came */
int		workers_stopping(void);

/* workers_run - fork the workers with *gw (loaded and prepared) and
 * keep them until SIGTERM; on SIGHUP a gateway loaded again replaces
 * *gw.  In the main process *gw stays the caller's to free; a worker
 * returns WORKERS_CHILD with it, having closed the socket. */
enum workers_end workers_run(const struct workers_opts *, struct gateway **);

#endif
