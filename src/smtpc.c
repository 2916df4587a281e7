/*
 * smtpc.c - the SMTP hop: re-injection of smtpd's copies (handoff.h).
 * (Being written.)
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "handoff.h"

/* give_smtp - see handoff.h */
static int
give_smtp(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	(void)ho;
	(void)sender;
	(void)rcpts;
	(void)n;
	(void)fd;
	snprintf(err, errsz, "the SMTP hop is not written yet");
	return -1;
}

/* handoff_smtp - see handoff.h */
void
handoff_smtp(struct handoff *ho, struct smtp_hop *hop)
{
	memset(ho, 0, sizeof *ho);
	ho->name = "smtp";
	ho->give = give_smtp;
	ho->smtp = hop;
}

/* smtpc_close - see handoff.h */
void
smtpc_close(struct smtp_hop *hop)
{
	hop->conn = NULL;
}
