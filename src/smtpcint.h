/*
 * smtpcint.h - the SMTP hop's connection and replies, shared by smtpc.c
 * (the transaction) and smtpcreply.c (reading and judging replies, the
 * EHLO extensions).  Internal to those two files.
 */
#ifndef MAILSEAL_SMTPCINT_H
#define MAILSEAL_SMTPCINT_H

#include <stddef.h>

#include "handoff.h"
#include "limit.h"
#include "log.h"
#include "smtpio.h"

#define SMTPC_PIPELINING	0x01
#define SMTPC_8BITMIME		0x02
#define SMTPC_SMTPUTF8		0x04
#define SMTPC_XFORWARD		0x08
#define SMTPC_SIZE		0x10

#define SMTPC_STR(x)	#x
#define SMTPC_XSTR(x)	SMTPC_STR(x)

#define SMTPC_TIMEOUT	300	/* seconds, when the hop says 0 */
#define SMTPC_TEXTLEN	160	/* of a reply, quoted in err */

struct smtpc {
	struct smtpio	io;
	unsigned int	ext;		/* SMTPC_* the server offers */
	char		xfnames[256];	/* "NAME ADDR ... " it offers */
	int		fresh;		/* no transaction began on it yet */
	char		*hostport;	/* where it goes */
};

struct smtpc_reply {
	int		code;		/* 0: none (io->err, or bad) */
	const char	*bad;		/* why the reply is malformed */
	char		text[SMTPC_TEXTLEN];	/* escaped, one line */
};

/* smtpc_err - "reinject HOST:PORT" and the rest into err */
void	smtpc_err(const struct smtp_hop *, char *, size_t, const char *, ...)
	    LOG_PRINTF(4, 5);

/* smtpc_text - append len bytes of s to r->text, escaped (\ooo) */
void	smtpc_text(struct smtpc_reply *, const char *, size_t);

/* smtpc_reply - one reply, all its lines within the hop's timeout; each
 * line's text to each (if not NULL): 0, or -1 with r->bad or io.err */
int	smtpc_reply(struct smtpc *, struct smtpc_reply *,
	    void (*)(struct smtpc *, size_t, const char *, size_t));

/* smtpc_ehlo_line - note the extension an EHLO reply line names */
void	smtpc_ehlo_line(struct smtpc *, size_t, const char *, size_t);

/* smtpc_xf_offered - does the server take this XFORWARD attribute? */
int	smtpc_xf_offered(const struct smtpc *, const char *, size_t);

#endif
