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

/* The log line of a message whose worker dies with it (the deadline,
 * or a crash): it has no chance to log, so before each message it
 * writes the envelope part of the line into an area its main process
 * reads after its death (memory shared with it: workers.c), which adds
 * the result.  area[0] is SMTPGW_ARMED while a message is processed
 * (cleared before the reply to DATA is sent), SMTPGW_FIRED once the
 * deadline ended it; the line follows, NUL-terminated, leaving
 * SMTPGW_RESULT bytes for the result.  The copies the next hop took
 * before are named at its end (handed_over=N queued_as=ID,...). */
#define SMTPGW_AREA	2048
#define SMTPGW_RESULT	160
#define SMTPGW_ARMED	'A'
#define SMTPGW_FIRED	'F'

/* smtpgw_deadline_area - where this process's line goes (NULL: none) */
void	smtpgw_deadline_area(char *);

#endif
