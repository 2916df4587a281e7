/*
 * smtpgw.h - smtpd's ops (smtpd.h) over the gateway (gateway.h): each
 * RCPT gets the gateway's decision for that recipient, each message
 * goes through gateway_message with the SMTP hop (smtpc.c) to
 * `reinject`, and the outcome becomes the reply to DATA.
 */
#ifndef MAILSEAL_SMTPGW_H
#define MAILSEAL_SMTPGW_H

#include "handoff.h"
#include "smtpd.h"

struct gateway;

struct smtpgw {
	struct gateway		*gw;
	int			 client;	/* the client's socket: the
						 * reply a deadline sends */
	struct smtp_hop		 hop;
	struct handoff		 ho;
};

/* smtpgw_init - ops (filled in) that run one connection's recipients
 * and messages through gw; client is the connection's socket */
void	smtpgw_init(struct smtpgw *, struct gateway *, int,
	    struct smtpd_ops *);

/* smtpgw_done - the connection is over: close the re-injection hop */
void	smtpgw_done(struct smtpgw *);

#endif
