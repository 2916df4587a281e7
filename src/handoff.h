/*
 * handoff.h - where the gateway's results go: the next hop.
 *
 * filter hands each copy to sendmail(1) or writes its one result to
 * standard output; an SMTP hop (smtpd's re-injection) is one more
 * struct handoff.  The gateway only calls give.
 */
#ifndef MAILSEAL_HANDOFF_H
#define MAILSEAL_HANDOFF_H

#include <stddef.h>

#define HANDOFF_QIDLEN	64

/*
 * give hands the copy in the file fd (read from offset 0) to the next
 * hop for the recipients, from sender (NULL: none; "": the null
 * sender); 0 once the next hop has it, else -1 with err saying why.
 * qid is the queue ID the next hop gave the copy, when it says (an SMTP
 * hop does in its 250 reply; sendmail(1) does not), else "".
 * one_copy: the hop takes a single message, whoever it is for.
 */
struct smtp_hop;

struct handoff {
	const char	*name;
	int		 one_copy;
	int		(*give)(struct handoff *, const char *, char *const *,
			    size_t, int, char *, size_t);
	const char	*program;		/* handoff_sendmail's */
	struct smtp_hop	*smtp;			/* handoff_smtp's */
	char		 qid[HANDOFF_QIDLEN];
};

struct smtpd_txn;

/*
 * The SMTP hop (smtpc.c): each give is one transaction to hostport,
 * with the client's MAIL parameters (BODY=8BITMIME, SMTPUTF8) and its
 * XFORWARD attributes passed on when the server offers them; 0 only
 * after the server's 250 to the end of DATA, else -1 with err holding
 * the reply or the trouble.  The connection may be kept for the next
 * give (and the next message) until smtpc_close.
 */
struct smtp_hop {
	const char		*hostport;	/* reinject: ADDRESS:PORT */
	const char		*helo;		/* our name in EHLO */
	unsigned int		 timeout;	/* seconds per reply */
	const struct smtpd_txn	*txn;		/* of the message at hand */
	void			*conn;		/* smtpc.c's connection */
};


/* handoff_sendmail - "PROGRAM -G -i -f SENDER -- RCPTS" (reinject.c) */
void	handoff_sendmail(struct handoff *, const char *);

/* handoff_stdout - the one result to standard output */
void	handoff_stdout(struct handoff *);

/* handoff_smtp - over SMTP to hop->hostport (smtpc.c); hop stays the
 * caller's, and hop->txn is set per message */
void	handoff_smtp(struct handoff *, struct smtp_hop *);

/* smtpc_close - QUIT and close the hop's connection, if it has one */
void	smtpc_close(struct smtp_hop *);

#endif
