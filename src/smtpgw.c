/*
 * smtpgw.c - smtpd's ops over the gateway (smtpgw.h).  (Being written.)
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "gateway.h"
#include "smtpgw.h"

/* sg_rcpt - see smtpd.h (ops->rcpt) */
static void
sg_rcpt(void *arg, const struct smtpd_txn *t, const char *addr,
    struct smtpd_reply *r)
{
	(void)arg;
	(void)t;
	(void)addr;
	r->code = 451;
	snprintf(r->dsn, sizeof r->dsn, "4.3.0");
	snprintf(r->text, sizeof r->text, "Not yet");
}

/* sg_message - see smtpd.h (ops->message) */
static void
sg_message(void *arg, const struct smtpd_txn *t, int fd,
    struct smtpd_reply *r)
{
	(void)arg;
	(void)t;
	(void)fd;
	r->code = 451;
	snprintf(r->dsn, sizeof r->dsn, "4.3.0");
	snprintf(r->text, sizeof r->text, "Not yet");
}

/* smtpgw_init - see smtpgw.h */
void
smtpgw_init(struct smtpgw *g, struct gateway *gw, int client,
    struct smtpd_ops *ops)
{
	memset(g, 0, sizeof *g);
	g->gw = gw;
	g->client = client;
	ops->arg = g;
	ops->rcpt = sg_rcpt;
	ops->message = sg_message;
}

/* smtpgw_done - see smtpgw.h */
void
smtpgw_done(struct smtpgw *g)
{
	smtpc_close(&g->hop);
}
