/*
 * serve.c - `mailseal smtpd`'s listener and workers (serve.h).
 * (Being written.)
 */
#include <config.h>

#include "log.h"
#include "serve.h"

/* serve_run - see serve.h */
enum outcome
serve_run(const struct serve_opts *o)
{
	(void)o;
	log_warnx("smtpd: not written yet");
	return OUTCOME_TEMPFAIL;
}
