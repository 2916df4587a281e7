/*
 * smtpgw.c - smtpd's ops over the gateway (smtpgw.h).
 *
 * RCPT: gateway_rcpt, the recipient's policy and the cached key
 *   listing (keycache.c: no gpg run while the keyring is unchanged):
 *   250 2.1.5; a require recipient without a usable key 550 5.7.1 with
 *   the reason (the other recipients still get their mail); 451 4.3.0
 *   when the keys cannot be listed; 501 5.1.3 for no address.  At RCPT
 *   time the message is not known yet, so a require recipient without
 *   a key is refused even for a message that will come encrypted
 *   (filter passes those on).
 * DATA: the session's nameless spool as a message (msg_open_fd), the
 *   envelope from the transaction (XFORWARD IDENT as the queue ID),
 *   gateway_message with the SMTP hop to `reinject`; 250 only when
 *   every copy got 250 downstream, with their queue IDs; else the
 *   outcome's reply (outcome.c), but a require recipient whose key
 *   went between its RCPT and the DATA is 451 (see sg_outcome).
 * The per-message deadline (`timeout`): gpg that died while GPGME fed
 *   it can leave GPGME 1.18 polling for ever (FACTS.md), so SIGALRM
 *   ends the worker: 451 4.4.5 to the client, then _exit(75); the
 *   nameless files die with the process, the gpg supervisor kills gpg
 *   when its status channel closes, and the main process starts a new
 *   worker (serve.c); the copies the next hop took before it are named
 *   in the line the main process logs (sg_taken), as the client's retry
 *   sends them again.  RCPT has the same deadline: its check lists
 *   the keys again (gpg) when the keyring changed, and a gpg stuck
 *   there would hold the worker for ever.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/socket.h>

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gateway.h"
#include "log.h"
#include "msg.h"
#include "outcome.h"
#include "smtpgw.h"

#define ESCBUF		512
#define SG_TIMEDOUT	"451 4.4.5 Message processing timed out\r\n"
#define SG_RCPTTIMEDOUT	"451 4.4.5 Recipient check timed out\r\n"
/* the queue IDs a 250 names: its line stays within RFC 5321's 512 */
#define SG_QUEUEDLEN	400

/* the client's socket while a message (or a recipient: sg_inrcpt) is
 * processed, for the deadline */
static volatile sig_atomic_t	sg_client = -1;
static volatile sig_atomic_t	sg_inrcpt;
/* the area the deadline's log line waits in (smtpgw.h) */
static char * volatile		sg_area;
/* the copies of the message at hand that the next hop took: the line
 * in the area names them (sg_taken), after its first sg_end bytes */
static size_t			sg_end;
static size_t			sg_ntaken;
static char			sg_taken_ids[SG_QUEUEDLEN + 1];

/* The hand-off the gateway gets: the SMTP hop's (real), and each copy
 * it takes noted in the area. */
struct sg_hand {
	struct handoff		 ho;		/* first: give gets it */
	struct handoff		*real;
};

static void	sg_reply(struct smtpd_reply *, int, const char *,
		    const char *, ...) LOG_PRINTF(4, 5);

/* sg_reply - fill in a reply; the text is one line (callers escape
 * what came from outside) */
static void
sg_reply(struct smtpd_reply *r, int code, const char *dsn,
    const char *fmt, ...)
{
	va_list ap;

	r->code = code;
	(void)snprintf(r->dsn, sizeof r->dsn, "%s", dsn);
	va_start(ap, fmt);
	(void)vsnprintf(r->text, sizeof r->text, fmt, ap);
	va_end(ap);
	r->text[strcspn(r->text, "\r\n")] = '\0';
}

/* sg_alarm - the message is out of time: tell the client (never
 * waiting for it) and end the worker; async-signal-safe only */
static void
sg_alarm(int sig)
{
	static const char msg[] = SG_TIMEDOUT, rmsg[] = SG_RCPTTIMEDOUT;
	int fd = (int)sg_client;

	(void)sig;
	if (fd != -1 && sg_inrcpt)
		(void)send(fd, rmsg, sizeof rmsg - 1, MSG_DONTWAIT |
		    MSG_NOSIGNAL);
	else if (fd != -1)
		(void)send(fd, msg, sizeof msg - 1, MSG_DONTWAIT |
		    MSG_NOSIGNAL);
	if (sg_area != NULL && sg_area[0] == SMTPGW_ARMED)
		sg_area[0] = SMTPGW_FIRED;
	_exit(75);
}

/* smtpgw_deadline_area - see smtpgw.h */
void
smtpgw_deadline_area(char *area)
{
	sg_area = area;
}

/* sg_arm - the start of the line the main process logs if this worker
 * dies with the message (the deadline, or a crash): what is known
 * before the gateway decides, the envelope; at RCPT (rcpt not NULL),
 * that recipient, and stage=RCPT */
static void
sg_arm(const struct smtpd_txn *t, const char *rcpt)
{
	char esc[ESCBUF], *a = sg_area, *line;
	size_t i, n, size = SMTPGW_AREA - 1;

	if (a == NULL)
		return;
	a[0] = '\0';
	line = a + 1;
	n = 0;
	if (rcpt != NULL)
		n = (size_t)snprintf(line, size, "to=<%s>",
		    log_escape_word(rcpt, esc, sizeof esc));
	for (i = 0; rcpt == NULL && i < t->nrcpts && n < size; i++)
		n += (size_t)snprintf(line + n, size - n, "%s<%s>",
		    i == 0 ? "to=" : ",",
		    log_escape_word(t->rcpts[i], esc, sizeof esc));
	if (n < size)
		n += (size_t)snprintf(line + n, size - n, "%sfrom=<%s>",
		    n > 0 ? " " : "", log_escape_word(t->sender, esc,
		    sizeof esc));
	if (t->queueid != NULL && n < size)
		n += (size_t)snprintf(line + n, size - n, " queue_id=%s",
		    log_escape_word(t->queueid, esc, sizeof esc));
	if (rcpt != NULL && n < size)
		n += (size_t)snprintf(line + n, size - n, " stage=RCPT");
	/* the main process adds the result: room for it */
	if (n + 1 >= size - SMTPGW_RESULT)
		line[size - SMTPGW_RESULT] = '\0';
	sg_end = strlen(line);
	sg_ntaken = 0;
	sg_taken_ids[0] = '\0';
	a[0] = SMTPGW_ARMED;
}

/* sg_taken - the next hop took a copy (queue ID qid): the line in the
 * area says how many it took and names them, so that a deadline (or a
 * crash) after it is not logged as nothing sent, since the retry sends
 * those copies again; in place of the envelope's end if the line is
 * full.  The deadline waits meanwhile: the line is never half made. */
static void
sg_taken(const char *qid)
{
	char esc[ESCBUF], tail[SG_QUEUEDLEN + 64], *line;
	size_t len, max = SMTPGW_AREA - 2 - SMTPGW_RESULT, at;
	sigset_t alrm, old;

	if (sg_area == NULL || sg_area[0] != SMTPGW_ARMED)
		return;
	sg_ntaken++;
	len = strlen(sg_taken_ids);
	if (qid[0] != '\0') {
		(void)log_escape_word(qid, esc, sizeof esc);
		if (len + 1 + strlen(esc) + 4 <= SG_QUEUEDLEN)
			(void)snprintf(sg_taken_ids + len,
			    sizeof sg_taken_ids - len, "%s%s",
			    len > 0 ? "," : "", esc);
		else if (len + 4 <= SG_QUEUEDLEN && (len < 4 ||
		    strcmp(sg_taken_ids + len - 4, ",...") != 0))
			(void)snprintf(sg_taken_ids + len,
			    sizeof sg_taken_ids - len, "%s", ",...");
	}
	(void)snprintf(tail, sizeof tail, " handed_over=%zu%s%s", sg_ntaken,
	    sg_taken_ids[0] != '\0' ? " queued_as=" : "", sg_taken_ids);
	len = strlen(tail);
	at = sg_end + len <= max ? sg_end : max - len;
	line = sg_area + 1;
	(void)sigemptyset(&alrm);
	(void)sigaddset(&alrm, SIGALRM);
	(void)sigprocmask(SIG_BLOCK, &alrm, &old);
	memcpy(line + at, tail, len + 1);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
}

/* sg_give - the real hop's give, each copy it takes noted (sg_taken) */
static int
sg_give(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	struct sg_hand *h = (struct sg_hand *)(void *)ho;
	int r;

	r = h->real->give(h->real, sender, rcpts, n, fd, err, errsz);
	memcpy(ho->qid, h->real->qid, sizeof ho->qid);
	if (r == 0)
		sg_taken(ho->qid);
	return r;
}

/* sg_rcpt - see smtpd.h (ops->rcpt) */
static void
sg_rcpt(void *arg, const struct smtpd_txn *t, const char *addr,
    struct smtpd_reply *r)
{
	struct smtpgw *g = arg;
	const struct outcome_info *oi;
	char why[400], esc[ESCBUF], esc2[ESCBUF], esc3[ESCBUF];
	enum outcome o;

	/* the listing a changed keyring needs runs gpg: the same
	 * deadline as a message's (GPGME can wait for ever) */
	sg_client = g->client;
	sg_inrcpt = 1;
	sg_arm(t, addr);
	if (g->gw->cfg.timeout > 0)
		alarm(g->gw->cfg.timeout);
	o = gateway_rcpt(g->gw, addr, why, sizeof why);
	alarm(0);
	sg_client = -1;
	sg_inrcpt = 0;
	if (sg_area != NULL)
		sg_area[0] = '\0';
	switch (o) {
	case OUTCOME_OK:
		sg_reply(r, 250, "2.1.5", "Ok");
		break;
	case OUTCOME_USAGE:
		sg_reply(r, 501, "5.1.3", "Bad recipient address syntax");
		break;
	case OUTCOME_NOUSER:
		(void)log_escape(addr, esc, sizeof esc);
		/* why: decide_refusal's, the key's and the certificate's */
		sg_reply(r, 550, "5.7.1", "<%s>: %s, and policy requires "
		    "encryption", esc, why);
		log_info("to=<%s> from=<%s>%s%s result=refused at RCPT "
		    "(550 5.7.1 %s)",
		    log_escape_word(addr, esc, sizeof esc),
		    log_escape_word(t->sender, esc2, sizeof esc2),
		    t->queueid != NULL ? " queue_id=" : "",
		    t->queueid != NULL ? log_escape_word(t->queueid, esc3,
		    sizeof esc3) : "", why);
		break;
	default:
		oi = outcome_info(o == OUTCOME_TEMPFAIL ? o :
		    OUTCOME_TEMPFAIL);
		sg_reply(r, oi->smtp, oi->dsn, "%s", oi->text);
		break;
	}
}

/* sg_queued - 250's text: the queue IDs the next hop gave the copies,
 * in the order they were handed over (the encrypted ones, the clear
 * one), separated by spaces; as many as one reply line holds, then how
 * many more the log line names */
static void
sg_queued(struct smtpgw *g, struct smtpd_reply *r)
{
	const struct gateway_qids *q = &g->gw->qids;
	char text[SG_QUEUEDLEN + 1], a[HANDOFF_QIDLEN * 2];
	size_t i, len = 0, shown = 0, named = 0;

	text[0] = '\0';
	for (i = 0; i < q->n; i++) {
		if (q->v[i][0] == '\0')
			continue;
		named++;
		(void)log_escape_word(q->v[i], a, sizeof a);
		if (shown < named - 1 || len + 1 + strlen(a) > SG_QUEUEDLEN)
			continue;
		len += (size_t)snprintf(text + len, sizeof text - len, " %s",
		    a);
		shown++;
	}
	if (named == 0)
		sg_reply(r, 250, "2.0.0", "Ok");
	else if (shown == named)
		sg_reply(r, 250, "2.0.0", "Ok: queued as%s", text);
	else
		sg_reply(r, 250, "2.0.0", "Ok: queued as%s and %zu more",
		    text, named - shown);
}

/* sg_outcome - the reply to DATA for the gateway's outcome o.  A
 * require recipient that had a key at RCPT but none now (the key went
 * in between): 451, not the table's 550, which would bounce the
 * message for every recipient; the retry's RCPT refuses that one
 * alone and the others get their mail. */
static void
sg_outcome(struct smtpgw *g, enum outcome o, struct smtpd_reply *r)
{
	const struct outcome_info *oi = outcome_info(o);

	if (o == OUTCOME_OK)
		sg_queued(g, r);
	else if (o == OUTCOME_NOUSER)
		sg_reply(r, 451, "4.7.1", "A recipient's OpenPGP key went "
		    "since RCPT; try again later");
	else
		sg_reply(r, oi->smtp, oi->dsn, "%s", oi->text);
}

/* sg_message - see smtpd.h (ops->message) */
static void
sg_message(void *arg, const struct smtpd_txn *t, int fd,
    struct smtpd_reply *r)
{
	struct smtpgw *g = arg;
	struct envelope env;
	struct sg_hand hand;
	struct msg *m = NULL;
	enum outcome o;

	sg_client = g->client;
	sg_arm(t, NULL);
	if (g->gw->cfg.timeout > 0)
		alarm(g->gw->cfg.timeout);
	gateway_qids_free(&g->gw->qids);
	env.sender = t->sender;
	env.queueid = t->queueid;
	env.rcpts = t->rcpts;
	env.nrcpts = t->nrcpts;
	g->hop.txn = t;
	g->ho.qid[0] = '\0';
	hand.ho = g->ho;
	hand.ho.give = sg_give;
	hand.real = &g->ho;
	if (lseek(fd, 0, SEEK_SET) == -1) {
		log_warn("cannot read the message");
		o = OUTCOME_TEMPFAIL;
	} else if ((o = msg_open_fd(&m, fd)) == OUTCOME_OK)
		o = gateway_message(g->gw, m, &env, &hand.ho);
	alarm(0);
	sg_client = -1;
	if (sg_area != NULL)
		sg_area[0] = '\0';
	msg_free(m);
	g->hop.txn = NULL;
	sg_outcome(g, o, r);
}

/* smtpgw_init - see smtpgw.h */
void
smtpgw_init(struct smtpgw *g, struct gateway *gw, int client,
    struct smtpd_ops *ops)
{
	struct sigaction sa;

	memset(g, 0, sizeof *g);
	g->gw = gw;
	g->client = client;
	g->hop.hostport = gw->cfg.reinject;
	g->hop.helo = gw->cfg.gateway_id;
	g->hop.timeout = gw->cfg.smtpd_timeout;
	handoff_smtp(&g->ho, &g->hop);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sg_alarm;
	(void)sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGALRM, &sa, NULL);
	ops->arg = g;
	ops->rcpt = sg_rcpt;
	ops->message = sg_message;
}

/* smtpgw_done - see smtpgw.h */
void
smtpgw_done(struct smtpgw *g)
{
	alarm(0);
	sg_client = -1;
	smtpc_close(&g->hop);
}
