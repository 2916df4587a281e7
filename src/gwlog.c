/*
 * gwlog.c - the gateway's line per message (gwjob.h's gw_log): each
 * recipient's decision first (key= or cert= and format=smime), then the sender, the queue IDs the next
 * hop gave the copies, and the result; escaped, never content.
 */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "decide.h"
#include "gwjob.h"
#include "log.h"
#include "recip.h"
#include "xmalloc.h"

#define ESCBUF		512
#define GW_KEYID	17	/* a long key ID and its NUL */

/* A growing log line. */
struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static void	sb_add(struct sbuf *, const char *, ...) LOG_PRINTF(2, 3);

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s != NULL ? b->s + b->len : NULL,
		    b->s != NULL ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n + 64;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
}

/* gw_keyid - the long key ID of a fingerprint, as gpg's
 * --keyid-format long prints it (the last 16 digits of a v4
 * fingerprint, the first 16 of a longer one): the log line must hold
 * action, policy, address and key in the 100 characters pipe(8) keeps,
 * and a key ID still finds its fingerprint with grep or gpg */
static const char *
gw_keyid(const char *fpr, char id[GW_KEYID])
{
	size_t n = strlen(fpr);

	if (n < GW_KEYID)
		return fpr;
	memcpy(id, n == 40 ? fpr + 24 : fpr, GW_KEYID - 1);
	id[GW_KEYID - 1] = '\0';
	return id;
}

/* gw_log_rcpt - one recipient's decision: action, policy, address,
 * then its keys, or why it gets clear text (and the key that is no
 * good, with its expiry) */
static void
gw_log_rcpt(struct sbuf *b, const struct decision *f)
{
	char esc[ESCBUF], day[16], id[GW_KEYID];
	const char *why;
	struct tm tm;
	time_t t;
	size_t k;

	sb_add(b, "action=%s policy=%s to=<%s>", decide_action_name(f->action),
	    policy_name(f->policy), log_escape_word(f->addr, esc, sizeof esc));
	for (k = 0; k < f->fprs.n; k++)
		sb_add(b, "%s%s", k > 0 ? "," : f->format == FORMAT_SMIME ?
		    " cert=" : " key=", gw_keyid(f->fprs.v[k], id));
	if (f->format == FORMAT_SMIME)
		sb_add(b, " format=smime");
	if (f->autocrypt)
		sb_add(b, " source=autocrypt");
	/* not named in the header: encrypted alone, in a copy of its own */
	if (f->own)
		sb_add(b, " copy=own");
	if ((why = decide_why_name(f)) == NULL)
		return;
	sb_add(b, " why=%s%s%s", why, f->wkd != NULL ? " wkd=" : "",
	    f->wkd != NULL ? f->wkd : "");
	if (f->why != NULL)
		return;
	if (f->reason.fpr[0] != '\0')
		sb_add(b, " key=%s", gw_keyid(f->reason.fpr, id));
	t = (time_t)f->reason.expires;
	if (f->reason.why == RECIP_EXPIRED && gmtime_r(&t, &tm) != NULL &&
	    strftime(day, sizeof day, "%Y-%m-%d", &tm) > 0)
		sb_add(b, " expired=%s", day);
	/* its certificates were looked up too, and one is no good: why
	 * (none at all needs no word: the line stays short) */
	if (f->certlooked && f->creason.why != RECIP_NOKEY)
		sb_add(b, " cert_why=%s%s%s", recip_why_name(f->creason.why),
		    f->creason.fpr[0] != '\0' ? " cert=" : "",
		    f->creason.fpr[0] != '\0' ? gw_keyid(f->creason.fpr, id) :
		    "");
}

/* gw_log - the line per message, the decisions first (Postfix's pipe(8)
 * keeps the first 100 characters of a successful run's output): the
 * first recipient, the sender, the other recipients, our id (also in
 * the marker field), what the next hop called the copies, and the
 * result; escaped, never content */
void
gw_log(const struct gw_job *j)
{
	struct sbuf b = { NULL, 0, 0 };
	char esc[ESCBUF];
	const char *s = j->env->sender;
	size_t i, k;

	/* no recipient read (the first was no address): the sender first */
	for (i = 0; i == 0 || i < j->d.n; i++) {
		if (i < j->d.n)
			gw_log_rcpt(&b, &j->d.v[i]);
		if (i == 0)
			sb_add(&b, "%sfrom=%s%s%s", j->d.n > 0 ? " " : "",
			    s != NULL ? "<" : "", s != NULL ?
			    log_escape_word(strcmp(s, "<>") == 0 ? "" : s, esc,
			    sizeof esc) : "(no -f)", s != NULL ? ">" : "");
		if (i + 1 < j->d.n)
			sb_add(&b, " ");
	}
	if (j->env->queueid != NULL)
		sb_add(&b, " queue_id=%s", log_escape_word(j->env->queueid, esc,
		    sizeof esc));
	/* the next hop's words (an SMTP reply): escaped too */
	/* every encrypted copy's, the shared one first, comma-separated
	 * (a queue ID has no comma: smtpc.c) */
	for (i = k = 0; i < j->qids.nenc; i++)
		if (j->qids.v[i][0] != '\0')
			sb_add(&b, "%s%s", k++ == 0 ? " queued_encrypted=" :
			    ",", log_escape_word(j->qids.v[i], esc, sizeof esc));
	if (j->qids.n > j->qids.nenc && j->qids.v[j->qids.nenc][0] != '\0')
		sb_add(&b, " queued=%s", log_escape_word(
		    j->qids.v[j->qids.nenc], esc, sizeof esc));
	if (j->d.noring)
		sb_add(&b, " warning=no-keyring");
	sb_add(&b, " result=%s", j->result);
	log_info("%s", b.s);
	free(b.s);
}
