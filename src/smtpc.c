/*
 * smtpc.c - the SMTP hop: re-injection of smtpd's copies (handoff.h).
 *
 * A small client of our own on smtpio.c, not libetpan's mailsmtp: its
 * mailsmtp_data_message() takes the whole message in one buffer (we
 * stream copies of any size in constant memory), and it has no XFORWARD.
 *
 * One give is one transaction: [XFORWARD] MAIL, RCPT per recipient,
 * DATA (sent together when the server offers PIPELINING, RFC 2920, the
 * replies read in order), then the copy and the final dot.  It succeeds
 * only on 2xx to XFORWARD, MAIL and every RCPT, 354 to DATA and 250 to
 * the end of the data: all or nothing, so a retry sends to every
 * recipient again and no one gets a copy twice from a partial success.
 * A refusal is followed by RSET (the connection kept if it gets 250);
 * past a 354, where RSET cannot be said, by dropping the connection
 * before the final dot, so the server discards what it got.  A reply
 * out of place (421, 3xx to MAIL, unread lines) drops it too.
 *
 * The data: lines starting with "." get another (dot-stuffing); a lone
 * LF becomes CRLF, an existing CRLF stays, and a lone CR stays as it is,
 * as Postfix's smtp(8) sends what its queue file holds; a copy that does
 * not end with a line end gets a CRLF; every other byte (8-bit, NUL)
 * passes unchanged.
 *
 * The connection is kept for the next give (the next copy, the next
 * message) until smtpc_close.  When the first reply on a kept connection
 * shows that the server has closed it meanwhile (EOF, EPIPE, ECONNRESET,
 * 421: its idle timeout), we connect again once and start over: nothing
 * of the copy was handed yet.  Every connect, read and write has the
 * hop's timeout (a reply, all its lines, within it); after the final
 * dot, a timeout or EOF leaves the copy's fate unknown: -1, so the
 * retry may duplicate it but never loses it.
 */
#include <config.h>

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "handoff.h"
#include "limit.h"
#include "log.h"
#include "smtpcint.h"
#include "smtpd.h"
#include "smtpio.h"
#include "tcp.h"
#include "xmalloc.h"

#define SMTPC_XFLINE	512	/* an XFORWARD line with CRLF (Postfix) */
#define SMTPC_XFBUF	4096	/* all XFORWARD lines of one give */
#define SMTPC_CMDLEN	(LIMIT_SMTP_LINE + 128)	/* MAIL + ours, RCPT */

/* One give: what to send, and how it went. */
struct smtpc_job {
	const struct smtp_hop	*hop;
	const char		*sender;
	char *const		*rcpts;
	size_t			 n;
	int			 fd;
	char			 params[128];	/* MAIL's parameters */
	char			 xf[SMTPC_XFBUF];	/* XFORWARD lines */
	size_t			 nxf;
	size_t			 ncmd;		/* nxf + MAIL + n + DATA */
	int			 reused;	/* a kept connection */
	int			 refused;	/* a reply said no */
	int			 in_data;	/* DATA got 354 */
	int			 broken;	/* the connection is unusable */
	int			 again;		/* reconnect and start over */
	char			*err;
	size_t			 errsz;
};

/* smtpc_clean - may s go into a command line: no control byte and
 * (word) no space? */
static int
smtpc_clean(const char *s, int word)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 32 || *s == 127 || (word && *s == ' '))
			return 0;
	return 1;
}

/* smtpc_said - the server's no (r) to what, into err: -1 */
static int
smtpc_said(const struct smtp_hop *hop, const struct smtpc_reply *r,
    const char *what, char *err, size_t errsz)
{
	smtpc_err(hop, err, errsz, " said: %s (in reply to %s)", r->text,
	    what);
	return -1;
}

/* smtpc_lost - the reply to what, which did not come whole, into err:
 * -1 */
static int
smtpc_lost(const struct smtp_hop *hop, const struct smtpc *c,
    const struct smtpc_reply *r, const char *what, char *err, size_t errsz)
{
	if (r->bad != NULL)
		smtpc_err(hop, err, errsz, ": %s in reply to %s: %s", r->bad,
		    what, r->text);
	else
		smtpc_err(hop, err, errsz, ": %s (waiting for the reply to "
		    "%s)", smtpio_strerror(&c->io), what);
	return -1;
}

/* smtpc_gone - did the server close the connection (a kept one it
 * closed while idle)? */
static int
smtpc_gone(const struct smtpio *io)
{
	return io->err == SMTPIO_EOF || (io->err == SMTPIO_IO &&
	    (io->eno == EPIPE || io->eno == ECONNRESET));
}

/* smtpc_ask - the command line s, then its reply into r: 0, or -1 */
static int
smtpc_ask(struct smtpc *c, const char *s, struct smtpc_reply *r,
    void (*each)(struct smtpc *, size_t, const char *, size_t))
{
	memset(r, 0, sizeof *r);
	if (smtpio_write(&c->io, s, strlen(s)) == -1)
		return -1;
	return smtpc_reply(c, r, each);
}

/* smtpc_hello - the greeting, then EHLO (HELO when EHLO gets 5xx), the
 * extensions noted: 0, or -1 with err */
static int
smtpc_hello(const struct smtp_hop *hop, struct smtpc *c, char *err,
    size_t errsz)
{
	const char *helo = hop->helo != NULL && *hop->helo != '\0' ?
	    hop->helo : "localhost", *what = "EHLO";
	char line[SMTPC_CMDLEN];
	struct smtpc_reply r;
	int n;

	n = snprintf(line, sizeof line, "EHLO %s\r\n", helo);
	if (!smtpc_clean(helo, 1) || n < 0 || (size_t)n >= sizeof line) {
		smtpc_err(hop, err, errsz, ": our HELO name is not a word");
		return -1;
	}
	if (smtpc_reply(c, &r, NULL) == -1)
		return smtpc_lost(hop, c, &r, "the greeting", err, errsz);
	if (r.code != 220)
		return smtpc_said(hop, &r, "the greeting", err, errsz);
	if (smtpc_ask(c, line, &r, smtpc_ehlo_line) == -1)
		return smtpc_lost(hop, c, &r, what, err, errsz);
	if (r.code / 100 == 5) {
		c->ext = 0;
		c->xfnames[0] = '\0';
		what = "HELO";
		memcpy(line, "HELO", 4);
		if (smtpc_ask(c, line, &r, NULL) == -1)
			return smtpc_lost(hop, c, &r, what, err, errsz);
	}
	if (r.code != 250)
		return smtpc_said(hop, &r, what, err, errsz);
	return 0;
}

/* smtpc_drop - close the hop's connection, without a word */
static void
smtpc_drop(struct smtp_hop *hop)
{
	struct smtpc *c = hop->conn;

	if (c == NULL)
		return;
	(void)close(c->io.fd);
	free(c->hostport);
	free(c);
	hop->conn = NULL;
}

/* smtpc_open - connect to the hop, read its greeting, say EHLO: 0 with
 * hop->conn set, or -1 with err */
static int
smtpc_open(struct smtp_hop *hop, char *err, size_t errsz)
{
	unsigned int t = hop->timeout > 0 ? hop->timeout : SMTPC_TIMEOUT;
	char why[256];
	struct smtpc *c;
	int fd;

	if ((fd = tcp_connect(hop->hostport, t, why, sizeof why)) == -1) {
		smtpc_err(hop, err, errsz, ": %s", why);
		return -1;
	}
	c = xcalloc(1, sizeof *c);
	hop->conn = c;
	c->fresh = 1;
	c->hostport = xstrdup(hop->hostport);
	if (smtpio_init(&c->io, fd, t) == -1) {
		smtpc_err(hop, err, errsz, ": %s", strerror(errno));
		smtpc_drop(hop);
		return -1;
	}
	if (smtpc_hello(hop, c, err, errsz) == -1) {
		smtpc_drop(hop);
		return -1;
	}
	return 0;
}

/* smtpc_params - MAIL's parameters for the message and this server:
 * 0, or -1 with err (SMTPUTF8 needed and not offered: we never
 * downgrade; BODY=8BITMIME not offered: the copy goes as it is) */
static int
smtpc_params(const struct smtpc *c, struct smtpc_job *j)
{
	const struct smtpd_txn *t = j->hop->txn;
	struct stat st;
	int n;

	if (t != NULL && t->smtputf8 && !(c->ext & SMTPC_SMTPUTF8)) {
		smtpc_err(j->hop, j->err, j->errsz, " does not offer "
		    "SMTPUTF8, which the message needs");
		return -1;
	}
	n = snprintf(j->params, sizeof j->params, "%s%s", t != NULL &&
	    t->body8bit && (c->ext & SMTPC_8BITMIME) ? " BODY=8BITMIME" : "",
	    t != NULL && t->smtputf8 ? " SMTPUTF8" : "");
	if (!(c->ext & SMTPC_SIZE) || n < 0)
		return 0;
	if (fstat(j->fd, &st) == -1) {
		smtpc_err(j->hop, j->err, j->errsz, ": the copy: %s",
		    strerror(errno));
		return -1;
	}
	(void)snprintf(j->params + n, sizeof j->params - (size_t)n,
	    " SIZE=%lld", (long long)st.st_size);
	return 0;
}

/* smtpc_xfline - the XFORWARD line cur (curlen bytes) into the job */
static void
smtpc_xfline(struct smtpc_job *j, const char *cur, size_t curlen)
{
	size_t o = strlen(j->xf);

	if (curlen == 0 || o + curlen + 3 > sizeof j->xf)
		return;
	memcpy(j->xf + o, cur, curlen);
	memcpy(j->xf + o + curlen, "\r\n", 3);
	j->nxf++;
}

/* smtpc_xforward - the message's XFORWARD attributes the server takes,
 * in lines of at most SMTPC_XFLINE bytes, into j->xf */
static void
smtpc_xforward(const struct smtpc *c, struct smtpc_job *j)
{
	const struct smtpd_txn *t = j->hop->txn;
	char cur[SMTPC_XFLINE];
	size_t i, len = 0, alen;
	const char *a, *eq;

	j->nxf = 0;
	j->xf[0] = '\0';
	if (t == NULL || !(c->ext & SMTPC_XFORWARD))
		return;
	for (i = 0; i < t->nxforward; i++) {
		a = t->xforward[i];
		if ((eq = strchr(a, '=')) == NULL || !smtpc_clean(a, 1) ||
		    !smtpc_xf_offered(c, a, (size_t)(eq - a)))
			continue;
		if ((alen = strlen(a)) + 11 > sizeof cur)
			continue;	/* no line can hold it */
		if (len > 0 && len + 1 + alen + 2 > sizeof cur) {
			smtpc_xfline(j, cur, len);
			len = 0;
		}
		if (len == 0)
			len = (size_t)snprintf(cur, sizeof cur, "XFORWARD");
		cur[len++] = ' ';
		memcpy(cur + len, a, alen);
		len += alen;
	}
	smtpc_xfline(j, cur, len);
}

/* smtpc_kind - the command i of the job, in words */
static const char *
smtpc_kind(const struct smtpc_job *j, size_t i)
{
	if (i < j->nxf)
		return "XFORWARD";
	if (i == j->nxf)
		return "MAIL FROM";
	return i + 1 < j->ncmd ? "RCPT TO" : "DATA";
}

/* smtpc_command - the command i of the job into the output: 0, or -1 */
static int
smtpc_command(struct smtpc *c, const struct smtpc_job *j, size_t i)
{
	char line[SMTPC_CMDLEN];
	const char *p = j->xf;
	int n;

	if (i < j->nxf) {
		for (; i > 0; i--)
			p = strstr(p, "\r\n") + 2;
		return smtpio_write(&c->io, p,
		    (size_t)(strstr(p, "\r\n") + 2 - p));
	}
	i -= j->nxf;
	if (i == 0)
		n = snprintf(line, sizeof line, "MAIL FROM:<%s>%s\r\n",
		    j->sender, j->params);
	else if (i <= j->n)
		n = snprintf(line, sizeof line, "RCPT TO:<%s>\r\n",
		    j->rcpts[i - 1]);
	else
		n = snprintf(line, sizeof line, "DATA\r\n");
	if (n < 0 || (size_t)n >= sizeof line)
		return -1;	/* smtpc_check let no such address by */
	return smtpio_write(&c->io, line, (size_t)n);
}

/* smtpc_answer - the reply to the command i of the job, judged: 0, or
 * -1 when the connection is lost (j->broken; j->again: the server had
 * closed a kept connection, nothing of ours was taken) */
static int
smtpc_answer(struct smtpc *c, struct smtpc_job *j, size_t i)
{
	const char *what = smtpc_kind(j, i);
	int data = i + 1 == j->ncmd, ok;
	struct smtpc_reply r;

	if (smtpc_reply(c, &r, NULL) == -1) {
		j->again = i == 0 && j->reused && smtpc_gone(&c->io);
		if (!j->refused)
			(void)smtpc_lost(j->hop, c, &r, what, j->err, j->errsz);
		j->broken = 1;
		return -1;
	}
	ok = data ? r.code == 354 : r.code / 100 == 2;
	j->in_data = data && r.code == 354;
	/* 421: the server is closing; a 1xx or 3xx out of place: it is
	 * not where we think */
	if (r.code == 421 || (!ok && r.code / 100 < 4))
		j->broken = 1;
	j->again = r.code == 421 && i == 0 && j->reused;
	if (!ok && !j->refused)
		(void)smtpc_said(j->hop, &r, what, j->err, j->errsz);
	j->refused |= !ok;
	return j->broken ? -1 : 0;
}

/* smtpc_ahead - every command sent has its reply, and the server said
 * more: it is out of step (the next reply read would be one it sent
 * before it saw what we send next, a 250 before our data taken for
 * the reply to the end of it), the connection is left: -1 */
static int
smtpc_ahead(struct smtpc *c, struct smtpc_job *j, size_t i)
{
	struct smtpc_reply r;

	memset(&r, 0, sizeof r);
	smtpc_text(&r, (const char *)c->io.in + c->io.ioff,
	    smtpio_pending(&c->io) > 40 ? 40 : smtpio_pending(&c->io));
	j->broken = 1;
	if (!j->refused)
		smtpc_err(j->hop, j->err, j->errsz, ": out of step: more "
		    "than the reply to %s: %s", smtpc_kind(j, i), r.text);
	j->refused = 1;
	return -1;
}

/* smtpc_send - the job's commands, together when the server offers
 * PIPELINING (as many as the output buffer holds), else one by one;
 * every reply read in order: 0 once DATA got 354 and all before it
 * yes, else -1 (what went wrong in j) */
static int
smtpc_send(struct smtpc *c, struct smtpc_job *j)
{
	int pipelining = (c->ext & SMTPC_PIPELINING) != 0;
	size_t sent = 0, done = 0;

	while (done < j->ncmd) {
		if (sent < j->ncmd && !j->refused) {
			if (smtpc_command(c, j, sent++) == -1) {
				j->again = done == 0 && j->reused &&
				    smtpc_gone(&c->io);
				j->broken = 1;
				smtpc_err(j->hop, j->err, j->errsz, ": %s "
				    "(sending %s)", smtpio_strerror(&c->io),
				    smtpc_kind(j, sent - 1));
				return -1;
			}
			if (pipelining && sent < j->ncmd &&
			    c->io.olen + SMTPC_CMDLEN <= sizeof c->io.out)
				continue;
		}
		if (done == sent)
			break;
		if (smtpc_answer(c, j, done++) == -1)
			return -1;
		if (done == sent && smtpio_pending(&c->io) > 0)
			return smtpc_ahead(c, j, done - 1);
	}
	return j->refused ? -1 : 0;
}

/* smtpc_put - len bytes of data into the output: 0, or -1 */
static int
smtpc_put(struct smtpc *c, const void *p, size_t len)
{
	return len == 0 ? 0 : smtpio_write(&c->io, p, len);
}

/* smtpc_data - the copy in fd from offset 0, dot-stuffed, lone LFs
 * made CRLF, a CRLF added if it ends without a line end, and the final
 * dot, in a buffer's worth of memory: 0, or -1 (c->io.err, or *rerr:
 * the errno of reading the copy) */
static int
smtpc_data(struct smtpc *c, int fd, int *rerr)
{
	unsigned char in[SMTPIO_BUFSZ];
	int bol = 1, cr = 0;
	size_t i, start;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) == -1) {
		*rerr = errno;
		return -1;
	}
	while ((n = read(fd, in, sizeof in)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*rerr = errno;
			return -1;
		}
		for (i = start = 0; i < (size_t)n; i++) {
			if ((bol && in[i] == '.') || (in[i] == '\n' && !cr)) {
				if (smtpc_put(c, in + start, i - start) == -1 ||
				    smtpc_put(c, in[i] == '.' ? "." : "\r", 1)
				    == -1)
					return -1;
				start = i;
			}
			bol = in[i] == '\n';
			cr = in[i] == '\r';
		}
		if (smtpc_put(c, in + start, (size_t)n - start) == -1)
			return -1;
	}
	if ((!bol && smtpc_put(c, "\r\n", 2) == -1) ||
	    smtpc_put(c, ".\r\n", 3) == -1)
		return -1;
	return smtpio_flush(&c->io);
}

/* smtpc_qid - the queue ID in a 250 reply's text: the clean token after
 * "queued as" (Postfix: "250 2.0.0 Ok: queued as 4Xyz1"), else "" */
static void
smtpc_qid(const char *text, char *qid, size_t qidsz)
{
	const char *p = strcasestr(text, "queued as ");
	size_t n = 0, k;

	qid[0] = '\0';
	if (p == NULL)
		return;
	for (p += 10; *p == ' '; p++)
		;
	while (p[n] != '\0' && (isalnum((unsigned char)p[n]) ||
	    strchr("._-@:", p[n]) != NULL))
		n++;
	for (k = n; k > 0 && p[k - 1] == '.'; k--)
		;
	if (k == 0 || k >= qidsz || (p[n] != '\0' && p[n] != ' ' &&
	    strchr(");,", p[n]) == NULL))
		return;
	memcpy(qid, p, k);
	qid[k] = '\0';
}

/* smtpc_rset - end a refused transaction: RSET; a connection that does
 * not say 250 to it is not kept (j->broken) */
static void
smtpc_rset(struct smtpc *c, struct smtpc_job *j)
{
	struct smtpc_reply r;

	if (smtpc_ask(c, "RSET\r\n", &r, NULL) == -1 || r.code != 250)
		j->broken = 1;
}

/* smtpc_txn - one transaction for the job on connection c: 0 once the
 * end of the data got 250 (its queue ID into qid), else -1 with err */
static int
smtpc_txn(struct smtpc *c, struct smtpc_job *j, char *qid)
{
	struct smtpc_reply r;
	int rerr = 0;

	j->reused = !c->fresh;
	c->fresh = 0;
	j->refused = j->in_data = j->broken = j->again = 0;
	if (smtpc_params(c, j) == -1)
		return -1;
	smtpc_xforward(c, j);
	j->ncmd = j->nxf + j->n + 2;
	if (smtpc_send(c, j) == -1) {
		if (!j->broken && !j->in_data)
			smtpc_rset(c, j);
		return -1;
	}
	if (smtpc_data(c, j->fd, &rerr) == -1) {
		j->broken = 1;
		smtpc_err(j->hop, j->err, j->errsz, ": %s%s (sending the data)",
		    rerr != 0 ? "reading the copy: " : "", rerr != 0 ?
		    strerror(rerr) : smtpio_strerror(&c->io));
		return -1;
	}
	j->in_data = 0;
	if (smtpc_reply(c, &r, NULL) == -1) {
		j->broken = 1;
		smtpc_err(j->hop, j->err, j->errsz, ": %s after the end of "
		    "the data: the copy may or may not have been taken",
		    r.bad != NULL ? r.bad : smtpio_strerror(&c->io));
		return -1;
	}
	if (r.code != 250) {
		j->broken = r.code == 421 || r.code / 100 < 4;
		return smtpc_said(j->hop, &r, "the end of the data", j->err,
		    j->errsz);
	}
	smtpc_qid(r.text, qid, HANDOFF_QIDLEN);
	return 0;
}

/* smtpc_check - are the job's addresses fit for a command line? */
static int
smtpc_check(struct smtpc_job *j)
{
	size_t i;

	if (j->n == 0) {
		smtpc_err(j->hop, j->err, j->errsz, ": no recipients");
		return -1;
	}
	for (i = 0; i <= j->n; i++) {
		const char *a = i == 0 ? j->sender : j->rcpts[i - 1];

		if (!smtpc_clean(a, 0) || strlen(a) > LIMIT_SMTP_LINE ||
		    (i > 0 && *a == '\0')) {
			smtpc_err(j->hop, j->err, j->errsz, ": an address "
			    "unfit for SMTP");
			return -1;
		}
	}
	return 0;
}

/* give_smtp - see handoff.h */
static int
give_smtp(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	struct smtp_hop *hop = ho->smtp;
	struct smtpc_job j;
	struct smtpc *c;
	int tries;

	ho->qid[0] = '\0';
	memset(&j, 0, sizeof j);
	j.hop = hop;
	j.sender = sender != NULL ? sender : "";
	j.rcpts = rcpts;
	j.n = n;
	j.fd = fd;
	j.err = err;
	j.errsz = errsz;
	if (smtpc_check(&j) == -1)
		return -1;
	c = hop->conn;
	if (c != NULL && (strcmp(c->hostport, hop->hostport) != 0 ||
	    smtpio_pending(&c->io) > 0))
		smtpc_close(hop);	/* reinject changed (SIGHUP), or the
					 * server said more than we asked */
	for (tries = 0; tries < 2; tries++) {
		if (hop->conn == NULL && smtpc_open(hop, err, errsz) == -1)
			return -1;
		if (smtpc_txn(hop->conn, &j, ho->qid) == 0)
			return 0;
		if (j.broken || j.in_data)
			smtpc_drop(hop);
		if (!j.again)
			break;
		log_debug("%s; connecting again", err);
	}
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

/* smtpc_close - see handoff.h; QUIT waits for its reply a second at
 * most */
void
smtpc_close(struct smtp_hop *hop)
{
	char line[LIMIT_SMTP_REPLY_LINE];
	struct smtpc *c = hop->conn;

	if (c == NULL)
		return;
	c->io.timeout = 1;
	c->io.deadline = smtpio_now() + 1000;
	if (smtpio_write(&c->io, "QUIT\r\n", 6) == 0 &&
	    smtpio_flush(&c->io) == 0)
		(void)smtpio_getline(&c->io, line, sizeof line);
	smtpc_drop(hop);
}
