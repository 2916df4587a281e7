/*
 * smtpcmd.h - the SMTP server's command lines read on their own (no
 * I/O): the verb, MAIL FROM and RCPT TO with their path and parameters
 * (RFC 5321 4.1.2; SIZE, RFC 1870; BODY, RFC 6152; SMTPUTF8, RFC
 * 6531), and XFORWARD's attributes (Postfix's XFORWARD_README).
 *
 * smtpd.c calls them on each line it reads; the fuzz harness
 * (tests/fuzz/fuzz_smtpd.c) calls them on any bytes.
 */
#ifndef MAILSEAL_SMTPCMD_H
#define MAILSEAL_SMTPCMD_H

#include <stddef.h>

#include "limit.h"

enum smtpcmd_verb {
	SMTPCMD_BAD,		/* not shaped like a command: 500 */
	SMTPCMD_UNKNOWN,	/* a word we do not know: 502 */
	SMTPCMD_HELO,
	SMTPCMD_EHLO,
	SMTPCMD_MAIL,
	SMTPCMD_RCPT,
	SMTPCMD_DATA,
	SMTPCMD_RSET,
	SMTPCMD_NOOP,
	SMTPCMD_QUIT,
	SMTPCMD_VRFY,
	SMTPCMD_HELP,
	SMTPCMD_XFORWARD
};

enum smtpcmd_err {
	SMTPCMD_OK,
	SMTPCMD_SYNTAX,		/* "FROM:"/"TO:" or a parameter malformed */
	SMTPCMD_ADDR,		/* the path is not an address we take */
	SMTPCMD_PARAM,		/* a parameter we do not offer (555) */
	SMTPCMD_VALUE,		/* a known parameter with a bad value */
	SMTPCMD_NAME,		/* XFORWARD: an attribute we do not know */
	SMTPCMD_LONG		/* XFORWARD: a value over LIMIT_XFORWARD_ATTR */
};

/* MAIL FROM / RCPT TO, read */
struct smtpcmd_path {
	char		 addr[LIMIT_ADDR_SPEC + 1];	/* addr-spec as sent,
							 * route cut; "" for <> */
	int		 body8bit;	/* BODY=8BITMIME */
	int		 smtputf8;	/* SMTPUTF8 */
	int		 hassize;
	unsigned long long size;	/* SIZE=; ULLONG_MAX when larger */
	char		 param[32];	/* the keyword refused (SMTPCMD_PARAM) */
};

/* XFORWARD's attributes, in the order of smtpcmd_xfwd_names */
#define SMTPCMD_XFWD_N		7
#define SMTPCMD_XFWD_IDENT	5

struct smtpcmd_xfwd {
	const char	*item[SMTPCMD_XFWD_N];	/* "NAME=VALUE" in the line,
						 * or NULL: not given */
	size_t		 len[SMTPCMD_XFWD_N];
};

extern const char *const smtpcmd_xfwd_names[SMTPCMD_XFWD_N];

/* smtpcmd_verb - the verb of the command line; *argp: what follows it
 * and its white space (points into line) */
enum smtpcmd_verb smtpcmd_verb(const char *, const char **);

/* smtpcmd_mail - read the argument of MAIL ("FROM:<path> params") or,
 * with rcpt set, of RCPT ("TO:<path>", no parameters) into p */
enum smtpcmd_err smtpcmd_mail(const char *, int, struct smtpcmd_path *);

/* smtpcmd_xforward - read XFORWARD's argument into x (the last value
 * of a name given twice); nothing is kept unless all of it is good */
enum smtpcmd_err smtpcmd_xforward(const char *, struct smtpcmd_xfwd *);

/* smtpcmd_xtext - decode the xtext value (n bytes) into buf (bufsz):
 * 0, or -1 when it is not xtext, decodes to other than printable ASCII
 * without space, or does not fit */
int	smtpcmd_xtext(const char *, size_t, char *, size_t);

#endif
