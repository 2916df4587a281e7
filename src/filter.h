/*
 * filter.h - the filter command: gateway mode for MTA pipelines.
 */
#ifndef MAILSEAL_FILTER_H
#define MAILSEAL_FILTER_H

#include <stddef.h>

#include "outcome.h"

struct filter_opts {
	const char	*config;	/* -c; NULL: the default path */
	const char	*sender;	/* -f; NULL: not given */
	const char	*queueid;	/* -q; NULL: none */
	int		 tostdout;	/* --stdout */
	int		 check;		/* --check */
	int		 logstderr;	/* -v */
	unsigned int	 timeout;	/* --timeout; 0: the configuration's */
	char *const	*rcpts;		/* envelope recipients */
	size_t		 nrcpts;
};

/* filter_run - one message from standard input through the gateway
 * (or --check); the outcome for main.c to turn into an exit status */
enum outcome	filter_run(const struct filter_opts *);

#endif
