/*
 * filter.h - the filter command: gateway mode for MTA pipelines.
 */
#ifndef MAILSEAL_FILTER_H
#define MAILSEAL_FILTER_H

#include <stddef.h>

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

enum filter_result {
	FILTER_OK,
	FILTER_DATAERR,		/* no message, and policy requires encryption */
	FILTER_NOUSER,		/* a require recipient without a usable key */
	FILTER_UNAVAILABLE,	/* --stdout, but the recipients need two copies */
	FILTER_USAGE,		/* a recipient that is no address */
	FILTER_CONFIG,		/* mailseal.conf or the policy map */
	FILTER_TEMPFAIL		/* anything else: try again later */
};

enum filter_result	filter_run(const struct filter_opts *);

#endif
