/*
 * smtpd.h - one SMTP connection of `mailseal smtpd`: the server side of
 * ESMTP as a content filter needs it (RFC 5321; SIZE, RFC 1870;
 * 8BITMIME, RFC 6152; SMTPUTF8, RFC 6531, passed on; PIPELINING, RFC
 * 2920; ENHANCEDSTATUSCODES, RFC 2034; Postfix's XFORWARD).
 *
 * The session knows nothing of keys or policy: it asks its ops about
 * each recipient and hands each message over, and sends the replies
 * they fill in.  Every limit is in limit.h; every wait has a deadline.
 */
#ifndef MAILSEAL_SMTPD_H
#define MAILSEAL_SMTPD_H

#include <signal.h>
#include <stddef.h>

#define SMTPD_TEXTLEN	512

/* One transaction, as the ops see it.  Strings are the session's, valid
 * during the call. */
struct smtpd_txn {
	const char	*helo;		/* the client's EHLO/HELO name */
	const char	*sender;	/* addr-spec, "" for the null sender */
	char *const	*rcpts;		/* accepted recipients (addr-specs) */
	size_t		 nrcpts;
	int		 body8bit;	/* MAIL ... BODY=8BITMIME */
	int		 smtputf8;	/* MAIL ... SMTPUTF8 */
	unsigned long long size;	/* MAIL ... SIZE=, 0 when not given */
	char *const	*xforward;	/* XFORWARD attributes as received,
					 * "NAME=VALUE" each, checked (names
					 * Postfix sends, xtext values) */
	size_t		 nxforward;
	const char	*queueid;	/* XFORWARD IDENT=, or NULL */
};

/* A reply the ops give: code (250, 451, 550, ...), enhanced status
 * code ("2.1.5") and text (one line, no CR or LF). */
struct smtpd_reply {
	int		 code;
	char		 dsn[16];
	char		 text[SMTPD_TEXTLEN];
};

struct smtpd_ops {
	void	*arg;
	/* rcpt - may addr (an addr-spec without its <>) be a recipient of
	 * txn (whose rcpts are those accepted so far)?  250 2.1.5, or
	 * 550 5.7.1 with why, 451 4.3.0, 501 5.1.3 ... */
	void	(*rcpt)(void *, const struct smtpd_txn *, const char *,
		    struct smtpd_reply *);
	/* message - the message of txn in the nameless file fd (read from
	 * offset 0: dot-unstuffed, line ends as received); the reply to
	 * DATA: 250 only once every copy was accepted downstream */
	void	(*message)(void *, const struct smtpd_txn *, int,
		    struct smtpd_reply *);
};

struct smtpd_conf {
	const char		*hostname;	/* in the banner and EHLO */
	unsigned int		 timeout;	/* seconds a client may be
						 * silent (smtpd_timeout) */
	unsigned long long	 maxsize;	/* message_size_limit */
	volatile sig_atomic_t	*stop;		/* set by SIGTERM: finish the
						 * message in flight, then
						 * 421 and close */
	unsigned int		 session;	/* seconds the client may
						 * send commands in; 0:
						 * LIMIT_SMTP_SESSION */
};

/* smtpd_session - serve the client on the connected socket fd until it
 * quits, breaks a limit, goes silent, or *stop is set (a message whose
 * DATA has begun is finished first); fd stays the caller's */
void	smtpd_session(const struct smtpd_conf *, const struct smtpd_ops *,
	    int);

#endif
