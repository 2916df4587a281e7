/*
 * smtpd.c - one SMTP connection of `mailseal smtpd` (smtpd.h).
 *
 * A loop of command lines (smtpio_getline, at most LIMIT_SMTP_LINE
 * bytes, each within smtpd_timeout seconds), read by smtpcmd.c and
 * answered here; the replies are buffered and leave when the reader
 * would wait, so a pipelined group gets its replies together (RFC
 * 2920).  DATA's text goes through smtpdata.c's automaton straight from
 * smtpio's buffer into a nameless file (tmpfile.c), in constant memory,
 * under a deadline that each byte received pushes back by
 * 1/LIMIT_SMTP_MIN_RATE s.  The session asks its ops about recipients
 * and messages and sends their replies; it knows no policy.
 *
 * What a client may cost is bounded: LIMIT_SMTP_ERRORS protocol errors,
 * LIMIT_SMTP_JUNK commands in a row that move no mail,
 * LIMIT_SMTP_TRANSACTIONS MAIL commands, LIMIT_RECIPIENTS recipients and
 * LIMIT_SMTP_RCPT_OVERSHOOT refused RCPT commands more per transaction,
 * a message of at most twice the size limit read before it is cut off
 * (smtpdata.c), and commands only during the first LIMIT_SMTP_SESSION
 * seconds (else those counts, each command just within smtpd_timeout,
 * would keep a worker for years).  The replies of the ops (a refused
 * recipient, a message not taken) are not the client's errors.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "limit.h"
#include "log.h"
#include "smtpcmd.h"
#include "smtpd.h"
#include "smtpdata.h"
#include "smtpio.h"
#include "tmpfile.h"
#include "xmalloc.h"

struct smtpd {
	const struct smtpd_conf	*conf;
	const struct smtpd_ops	*ops;
	struct smtpio		 io;
	char			 peer[NI_MAXHOST + NI_MAXSERV + 4];
	const char		*verb;		/* the last command's, logs */
	int			 quit;		/* close after the replies */
	unsigned int		 errors, junk, ntrans;
	long long		 end;		/* smtpio_now(): no command
						 * after it (conf->session) */
	char			*helo;
	/* the transaction */
	int			 inmail;
	char			 sender[LIMIT_ADDR_SPEC + 1];
	char			**rcpts;
	size_t			 nrcpts, nrcptcmds;
	int			 body8bit, smtputf8;
	unsigned long long	 size;
	char			*xfwd[SMTPCMD_XFWD_N];	/* "NAME=VALUE" */
	char			*queueid;
	int			 spoolerr;
	char			 line[LIMIT_SMTP_LINE - 1];	/* CR LF: NUL */
};

static void	sd_reply(struct smtpd *, int, const char *, const char *, ...)
		    LOG_PRINTF(4, 5);
static void	sd_error(struct smtpd *, int, const char *, const char *, ...)
		    LOG_PRINTF(4, 5);

/* sd_peer - the client's address and port for the logs */
static void
sd_peer(struct smtpd *s, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	int n;

	memcpy(s->peer, "unknown", sizeof "unknown");
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	if (ss.ss_family == AF_UNIX) {
		memcpy(s->peer, "local", sizeof "local");
		return;
	}
	if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, serv,
	    sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return;
	n = snprintf(s->peer, sizeof s->peer, "[%s]:%s", host, serv);
	if (n < 0 || (size_t)n >= sizeof s->peer)
		memcpy(s->peer, "unknown", sizeof "unknown");
}

/* sd_vreply - one reply line: code, enhanced code (none when dsn is
 * NULL), text; 421 and a failed write end the session */
static void
sd_vreply(struct smtpd *s, int code, const char *dsn, const char *fmt,
    va_list ap)
{
	char text[SMTPD_TEXTLEN];
	int n;

	n = vsnprintf(text, sizeof text, fmt, ap);
	if (n < 0)
		text[0] = '\0';
	if (smtpio_printf(&s->io, "%d %s%s%s\r\n", code, dsn ? dsn : "",
	    dsn ? " " : "", text) == -1 || code == 421)
		s->quit = 1;
}

/* sd_reply - one reply line (sd_vreply) */
static void
sd_reply(struct smtpd *s, int code, const char *dsn, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sd_vreply(s, code, dsn, fmt, ap);
	va_end(ap);
}

/* sd_error - the reply to a bad command, counted; at LIMIT_SMTP_ERRORS
 * the connection ends with 421 */
static void
sd_error(struct smtpd *s, int code, const char *dsn, const char *fmt, ...)
{
	char esc[128];
	va_list ap;

	va_start(ap, fmt);
	sd_vreply(s, code, dsn, fmt, ap);
	va_end(ap);
	if (++s->errors < LIMIT_SMTP_ERRORS || s->quit)
		return;
	log_warnx("smtpd: %s: too many errors (%u), the last after \"%s\"",
	    s->peer, s->errors, log_escape(s->line, esc, sizeof esc));
	sd_reply(s, 421, "4.7.0", "%s Error: too many errors",
	    s->conf->hostname);
}

/* sd_dsn_ok - d is an enhanced status code of class c (RFC 3463:
 * class "." 1*3digit "." 1*3digit) */
static int
sd_dsn_ok(const char *d, int c)
{
	size_t n;
	int k;

	if (d[0] != '0' + c || d[1] != '.')
		return 0;
	d += 2;
	for (k = 0; k < 2; k++) {
		n = strspn(d, "0123456789");
		if (n < 1 || n > 3 || d[n] != (k == 0 ? '.' : '\0'))
			return 0;
		d += n + 1;
	}
	return 1;
}

/* sd_opsreply - send a reply the ops gave, made safe: a code outside
 * 200-599 is a temporary failure, the enhanced code must be one of the
 * code's class, the text stops at a control character */
static void
sd_opsreply(struct smtpd *s, struct smtpd_reply *r)
{
	const char *d = r->dsn;
	size_t i;

	if (r->code < 200 || r->code > 599) {
		r->code = 451;
		memcpy(r->dsn, "4.3.0", sizeof "4.3.0");
		memcpy(r->text, "Error: internal error",
		    sizeof "Error: internal error");
	}
	r->dsn[sizeof r->dsn - 1] = '\0';
	r->text[sizeof r->text - 1] = '\0';
	if (!sd_dsn_ok(d, r->code / 100))
		(void)snprintf(r->dsn, sizeof r->dsn, "%d.0.0", r->code / 100);
	for (i = 0; r->text[i] != '\0'; i++)
		if ((unsigned char)r->text[i] < ' ' || r->text[i] == 127) {
			r->text[i] = '\0';
			break;
		}
	sd_reply(s, r->code, r->dsn, "%s", r->text);
}

/* sd_reset - end the transaction: sender, recipients and XFORWARD's
 * attributes (they hold until the end of the next transaction) */
static void
sd_reset(struct smtpd *s)
{
	size_t i;

	for (i = 0; i < s->nrcpts; i++)
		free(s->rcpts[i]);
	free(s->rcpts);
	s->rcpts = NULL;
	s->nrcpts = s->nrcptcmds = 0;
	for (i = 0; i < SMTPCMD_XFWD_N; i++) {
		free(s->xfwd[i]);
		s->xfwd[i] = NULL;
	}
	free(s->queueid);
	s->queueid = NULL;
	s->inmail = s->body8bit = s->smtputf8 = 0;
	s->size = 0;
	s->sender[0] = '\0';
}

/* sd_txn - the transaction as the ops see it; xf holds the XFORWARD
 * attributes given */
static void
sd_txn(const struct smtpd *s, struct smtpd_txn *t, char **xf)
{
	size_t i;

	memset(t, 0, sizeof *t);
	t->helo = s->helo != NULL ? s->helo : "";
	t->sender = s->sender;
	t->rcpts = s->rcpts;
	t->nrcpts = s->nrcpts;
	t->body8bit = s->body8bit;
	t->smtputf8 = s->smtputf8;
	t->size = s->size;
	for (i = 0; i < SMTPCMD_XFWD_N; i++)
		if (s->xfwd[i] != NULL)
			xf[t->nxforward++] = s->xfwd[i];
	t->xforward = xf;
	t->queueid = s->queueid;
}

/* sd_helo - HELO and EHLO: a new start, and what we offer */
static void
sd_helo(struct smtpd *s, const char *arg, int ehlo)
{
	const char *h = s->conf->hostname;

	if (*arg == '\0') {
		sd_error(s, 501, "5.5.4", "Syntax: %s hostname",
		    ehlo ? "EHLO" : "HELO");
		return;
	}
	sd_reset(s);
	free(s->helo);
	s->helo = xstrdup(arg);
	if (!ehlo) {
		sd_reply(s, 250, NULL, "%s", h);
		return;
	}
	if (smtpio_printf(&s->io, "250-%s\r\n250-PIPELINING\r\n"
	    "250-SIZE %llu\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
	    "250-ENHANCEDSTATUSCODES\r\n"
	    "250 XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE\r\n", h,
	    s->conf->maxsize) == -1)
		s->quit = 1;
}

/* sd_mail - MAIL FROM:<sender> [SIZE=n] [BODY=...] [SMTPUTF8] */
static void
sd_mail(struct smtpd *s, const char *arg)
{
	struct smtpcmd_path p;

	if (s->helo == NULL) {
		sd_error(s, 503, "5.5.1", "Error: send HELO/EHLO first");
		return;
	}
	if (s->inmail) {
		sd_error(s, 503, "5.5.1", "Error: nested MAIL command");
		return;
	}
	if (s->ntrans++ >= LIMIT_SMTP_TRANSACTIONS) {
		log_warnx("smtpd: %s: too many transactions (%u)", s->peer,
		    LIMIT_SMTP_TRANSACTIONS);
		sd_reply(s, 421, "4.7.0", "%s Error: too many transactions",
		    s->conf->hostname);
		return;
	}
	switch (smtpcmd_mail(arg, 0, &p)) {
	case SMTPCMD_OK:
		break;
	case SMTPCMD_ADDR:
		sd_error(s, 501, "5.1.7", "Bad sender address syntax");
		return;
	case SMTPCMD_PARAM:
		sd_error(s, 555, "5.5.4", "Unsupported option: %s", p.param);
		return;
	case SMTPCMD_VALUE:
		sd_error(s, 501, "5.5.4", "Bad MAIL parameter value");
		return;
	default:
		sd_error(s, 501, "5.5.4", "Syntax: MAIL FROM:<address>");
		return;
	}
	if (p.hassize && p.size > s->conf->maxsize) {
		sd_reply(s, 552, "5.3.4", "Message size exceeds fixed limit");
		return;
	}
	memcpy(s->sender, p.addr, sizeof s->sender);
	s->body8bit = p.body8bit;
	s->smtputf8 = p.smtputf8;
	s->size = p.hassize ? p.size : 0;
	s->inmail = 1;
	s->junk = 0;
	sd_reply(s, 250, "2.1.0", "Ok");
}

/* sd_rcpt - RCPT TO:<recipient>: the ops say yes or no */
static void
sd_rcpt(struct smtpd *s, const char *arg)
{
	struct smtpcmd_path p;
	struct smtpd_reply r;
	struct smtpd_txn t;
	char *xf[SMTPCMD_XFWD_N];

	if (!s->inmail) {
		sd_error(s, 503, "5.5.1", "Error: need MAIL command");
		return;
	}
	if (++s->nrcptcmds > LIMIT_RECIPIENTS + LIMIT_SMTP_RCPT_OVERSHOOT) {
		sd_error(s, 452, "4.5.3", "Error: too many recipients");
		return;
	}
	if (s->nrcpts >= LIMIT_RECIPIENTS) {
		sd_reply(s, 452, "4.5.3", "Error: too many recipients");
		return;
	}
	switch (smtpcmd_mail(arg, 1, &p)) {
	case SMTPCMD_OK:
		break;
	case SMTPCMD_ADDR:
		sd_error(s, 501, "5.1.3", "Bad recipient address syntax");
		return;
	case SMTPCMD_VALUE:
		sd_error(s, 501, "5.5.4", "Bad RCPT parameter value");
		return;
	case SMTPCMD_PARAM:
		sd_error(s, 555, "5.5.4", "Unsupported option: %s", p.param);
		return;
	default:
		sd_error(s, 501, "5.5.4", "Syntax: RCPT TO:<address>");
		return;
	}
	memset(&r, 0, sizeof r);
	r.code = 451;
	sd_txn(s, &t, xf);
	s->ops->rcpt(s->ops->arg, &t, p.addr, &r);
	sd_opsreply(s, &r);
	if (r.code / 100 == 2) {
		s->rcpts = xappend(s->rcpts, s->nrcpts, sizeof *s->rcpts);
		s->rcpts[s->nrcpts++] = xstrdup(p.addr);
	}
}

/* sd_bodyfail - the reply when DATA's text could not be taken */
static void
sd_bodyfail(struct smtpd *s, enum smtpdata_end st)
{
	const char *h = s->conf->hostname;

	switch (st) {
	case SMTPDATA_BIG:
		sd_reply(s, 552, "5.3.4", "Error: message file too big");
		break;
	case SMTPDATA_CUT:
		log_warnx("smtpd: %s: message far over the size limit, "
		    "cut off", s->peer);
		sd_reply(s, 421, "4.3.4", "%s Error: message file too big",
		    h);
		break;
	case SMTPDATA_SPOOL:
		log_warnx("smtpd: %s: cannot spool the message: %s", s->peer,
		    strerror(s->spoolerr));
		if (s->spoolerr == ENOSPC || s->spoolerr == EDQUOT ||
		    s->spoolerr == EFBIG)
			sd_reply(s, 452, "4.3.1", "Insufficient system storage");
		else
			sd_reply(s, 451, "4.3.0", "Error: local error");
		break;
	default:
		log_warnx("smtpd: %s: %s while reading the message", s->peer,
		    smtpio_strerror(&s->io));
		if (s->io.err == SMTPIO_TIMEOUT)
			sd_reply(s, 421, "4.4.2", "%s Error: timeout exceeded",
			    h);
		s->quit = 1;
		break;
	}
}

/* sd_message - the spooled message in fd to the ops, and their reply */
static void
sd_message(struct smtpd *s, int fd)
{
	struct smtpd_reply r;
	struct smtpd_txn t;
	char *xf[SMTPCMD_XFWD_N];

	memset(&r, 0, sizeof r);
	r.code = 451;
	if (lseek(fd, 0, SEEK_SET) != 0) {
		s->spoolerr = errno;
		sd_bodyfail(s, SMTPDATA_SPOOL);
		return;
	}
	sd_txn(s, &t, xf);
	s->ops->message(s->ops->arg, &t, fd, &r);
	sd_opsreply(s, &r);
}

/* sd_data - DATA: the text, then the ops' reply; the transaction ends */
static void
sd_data(struct smtpd *s, const char *arg)
{
	enum smtpdata_end st;
	int fd;

	if (*arg != '\0') {
		sd_error(s, 501, "5.5.4", "Syntax: DATA");
		return;
	}
	if (!s->inmail || s->nrcptcmds == 0) {
		sd_error(s, 503, "5.5.1", "Error: need RCPT command");
		return;
	}
	if (s->nrcpts == 0) {
		sd_error(s, 554, "5.5.1", "Error: no valid recipients");
		return;
	}
	if ((fd = tmpfile_open_unlinked()) == -1) {
		s->spoolerr = errno;
		sd_bodyfail(s, SMTPDATA_SPOOL);
		sd_reset(s);
		return;
	}
	sd_reply(s, 354, NULL, "End data with <CR><LF>.<CR><LF>");
	st = smtpdata_read(&s->io, fd, s->conf->maxsize, s->conf->timeout,
	    &s->spoolerr);
	if (st == SMTPDATA_OK)
		sd_message(s, fd);
	else
		sd_bodyfail(s, st);
	(void)close(fd);
	sd_reset(s);
	s->junk = 0;
}

/* sd_xforward - XFORWARD attr=value...: between transactions only; the
 * attributes given replace those before */
static void
sd_xforward(struct smtpd *s, const char *arg)
{
	char dec[LIMIT_XFORWARD_ATTR + 1];
	struct smtpcmd_xfwd x;
	const char *v;
	int i;

	if (s->inmail) {
		sd_error(s, 503, "5.5.1", "Error: MAIL transaction in progress");
		return;
	}
	switch (smtpcmd_xforward(arg, &x)) {
	case SMTPCMD_OK:
		break;
	case SMTPCMD_NAME:
		sd_error(s, 501, "5.5.4", "Bad XFORWARD attribute name");
		return;
	case SMTPCMD_LONG:
	case SMTPCMD_VALUE:
		sd_error(s, 501, "5.5.4", "Bad XFORWARD attribute value");
		return;
	default:
		sd_error(s, 501, "5.5.4", "Syntax: XFORWARD attribute=value...");
		return;
	}
	for (i = 0; i < SMTPCMD_XFWD_N; i++) {
		if (x.item[i] == NULL)
			continue;
		free(s->xfwd[i]);
		s->xfwd[i] = xstrndup(x.item[i], x.len[i]);
		if (i != SMTPCMD_XFWD_IDENT)
			continue;
		free(s->queueid);
		s->queueid = NULL;
		v = strchr(s->xfwd[i], '=') + 1;
		if (smtpcmd_xtext(v, strlen(v), dec, sizeof dec) == 0 &&
		    strcasecmp(dec, "[UNAVAILABLE]") != 0 &&
		    strcasecmp(dec, "[TEMPUNAVAIL]") != 0)
			s->queueid = xstrdup(dec);
	}
	sd_reply(s, 250, "2.0.0", "Ok");
}

/* sd_simple - the commands that take no transaction: RSET, NOOP, QUIT,
 * VRFY, HELP */
static void
sd_simple(struct smtpd *s, enum smtpcmd_verb v, const char *arg)
{
	if ((v == SMTPCMD_RSET || v == SMTPCMD_QUIT) && *arg != '\0') {
		sd_error(s, 501, "5.5.4", "Syntax: %s", s->verb);
		return;
	}
	switch (v) {
	case SMTPCMD_RSET:
		sd_reset(s);
		sd_reply(s, 250, "2.0.0", "Ok");
		break;
	case SMTPCMD_NOOP:
		sd_reply(s, 250, "2.0.0", "Ok");
		break;
	case SMTPCMD_QUIT:
		sd_reply(s, 221, "2.0.0", "Bye");
		s->quit = 1;
		break;
	case SMTPCMD_VRFY:
		if (*arg == '\0')
			sd_error(s, 501, "5.5.4", "Syntax: VRFY address");
		else
			sd_reply(s, 252, "2.5.2", "Cannot VRFY user; "
			    "send mail and delivery will be attempted");
		break;
	default:
		sd_reply(s, 214, "2.0.0", "Commands: EHLO HELO MAIL RCPT "
		    "DATA RSET NOOP QUIT VRFY HELP XFORWARD");
		break;
	}
}

/* sd_junk - a command that moves no mail: 1 (and 421) when it is one
 * too many in a row */
static int
sd_junk(struct smtpd *s, enum smtpcmd_verb v)
{
	if (v == SMTPCMD_MAIL || v == SMTPCMD_RCPT || v == SMTPCMD_DATA ||
	    v == SMTPCMD_QUIT)
		return 0;
	if (s->junk++ < LIMIT_SMTP_JUNK)
		return 0;
	log_warnx("smtpd: %s: too many commands without mail (%u)",
	    s->peer, LIMIT_SMTP_JUNK);
	sd_reply(s, 421, "4.7.0", "%s Error: too many commands without mail",
	    s->conf->hostname);
	return 1;
}

/* sd_command - one command line of n bytes */
static void
sd_command(struct smtpd *s, size_t n)
{
	static const char *names[] = { "?", "?", "HELO", "EHLO", "MAIL",
	    "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "HELP",
	    "XFORWARD" };
	enum smtpcmd_verb v;
	const char *arg;

	v = smtpcmd_verb(s->line, &arg);
	s->verb = names[v];
	if (sd_junk(s, v))
		return;
	if (strlen(s->line) != n || memchr(s->line, '\r', n) != NULL) {
		sd_error(s, 500, "5.5.2", "Error: bad syntax (NUL or CR)");
		return;
	}
	switch (v) {
	case SMTPCMD_BAD:
		sd_error(s, 500, "5.5.2", "Error: bad syntax");
		break;
	case SMTPCMD_UNKNOWN:
		sd_error(s, 502, "5.5.2", "Error: command not recognized");
		break;
	case SMTPCMD_HELO:
	case SMTPCMD_EHLO:
		sd_helo(s, arg, v == SMTPCMD_EHLO);
		break;
	case SMTPCMD_MAIL:
		sd_mail(s, arg);
		break;
	case SMTPCMD_RCPT:
		sd_rcpt(s, arg);
		break;
	case SMTPCMD_DATA:
		sd_data(s, arg);
		break;
	case SMTPCMD_XFORWARD:
		sd_xforward(s, arg);
		break;
	default:
		sd_simple(s, v, arg);
		break;
	}
}

/* sd_expired - the time the connection may send commands in is over:
 * 1, and 421; else 0 */
static int
sd_expired(struct smtpd *s)
{
	if (smtpio_now() < s->end)
		return 0;
	log_warnx("smtpd: %s: session too long (%u s), after %s", s->peer,
	    s->conf->session > 0 ? s->conf->session : LIMIT_SMTP_SESSION,
	    s->verb != NULL ? s->verb : "CONNECT");
	sd_reply(s, 421, "4.7.0", "%s Error: session too long",
	    s->conf->hostname);
	return 1;
}

/* sd_getline - the next command line into s->line, waiting no longer
 * than smtpd_timeout nor past the session's end: its length, or -1 */
static ssize_t
sd_getline(struct smtpd *s)
{
	long long until = smtpio_now() + (long long)s->conf->timeout * 1000;
	ssize_t n;

	s->io.stop = s->conf->stop;
	s->io.deadline = until < s->end ? until : s->end;
	n = smtpio_getline(&s->io, s->line, sizeof s->line);
	s->io.stop = NULL;
	s->io.deadline = 0;
	return n;
}

/* sd_readfail - a command line that could not be read */
static void
sd_readfail(struct smtpd *s)
{
	const char *h = s->conf->hostname;

	switch (s->io.err) {
	case SMTPIO_TOOLONG:
		log_warnx("smtpd: %s: command line too long (over %d bytes)",
		    s->peer, LIMIT_SMTP_LINE);
		s->line[0] = '\0';
		sd_error(s, 500, "5.5.2", "Error: line too long");
		break;
	case SMTPIO_TIMEOUT:
		if (sd_expired(s))
			break;
		log_warnx("smtpd: %s: timeout after %s", s->peer,
		    s->verb != NULL ? s->verb : "CONNECT");
		sd_reply(s, 421, "4.4.2", "%s Error: timeout exceeded", h);
		break;
	case SMTPIO_STOP:
		sd_reply(s, 421, "4.3.2", "%s Service shutting down", h);
		break;
	case SMTPIO_EOF:
		s->quit = 1;
		break;
	default:
		log_warnx("smtpd: %s: %s", s->peer, smtpio_strerror(&s->io));
		s->quit = 1;
		break;
	}
}

/* smtpd_session - see smtpd.h */
void
smtpd_session(const struct smtpd_conf *c, const struct smtpd_ops *ops,
    int fd)
{
	struct smtpd *s = xcalloc(1, sizeof *s);
	ssize_t n;

	s->conf = c;
	s->ops = ops;
	s->end = smtpio_now() + (long long)(c->session > 0 ? c->session :
	    LIMIT_SMTP_SESSION) * 1000;
	sd_peer(s, fd);
	if (smtpio_init(&s->io, fd, c->timeout) == -1) {
		log_warnx("smtpd: %s: %s", s->peer, strerror(errno));
		free(s);
		return;
	}
	sd_reply(s, 220, NULL, "%s ESMTP mailseal", c->hostname);
	while (!s->quit) {
		if (c->stop != NULL && *c->stop) {
			sd_reply(s, 421, "4.3.2", "%s Service shutting down",
			    c->hostname);
			break;
		}
		if (sd_expired(s))
			break;
		if ((n = sd_getline(s)) == -1)
			sd_readfail(s);
		else
			sd_command(s, (size_t)n);
	}
	(void)smtpio_flush(&s->io);
	sd_reset(s);
	free(s->helo);
	free(s);
}
