/*
 * gwcopy.c - the gateway's copies of one message and their hand-off
 * (gwjob.h).
 *
 * The recipients to encrypt for that the header names (decide_hidden:
 * To and Cc, or the newest Resent-To and Resent-Cc) share one copy per
 * format, encrypted to their keys (PGP/MIME) or certificates (S/MIME,
 * decide_certs); each hidden recipient (a Bcc, or any other
 * envelope recipient the header does not name) gets a copy of its own,
 * encrypted to its keys alone, so that no reader learns of it from a
 * key ID and every reader can decrypt its copy (some cannot decrypt a
 * hidden recipient's key ID: mailseal(1)).  The recipients who get clear
 * text share one copy.  One gpg (or gpgsm) run per encrypted copy; the copies are
 * all made, each a nameless file, before the first is handed over.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "addr.h"
#include "gwjob.h"
#include "log.h"
#include "msg.h"
#include "reinject.h"
#include "tmpfile.h"
#include "xmalloc.h"

/* descriptors kept free for everything else (gpg's pipes, the hop) */
#define GW_FDSPARE	64

/* One copy: its file and its recipients (indices into j->d.v). */
struct gw_copy {
	int		 fd;
	int		 enc;
	size_t		*idx;
	size_t		 n;
};

/* An own copy's recipient, by its canonical address. */
struct gw_own {
	char		*canon;
	size_t		 i;
};

/* gateway_qids_free - see gateway.h */
void
gateway_qids_free(struct gateway_qids *q)
{
	free(q->v);
	memset(q, 0, sizeof *q);
}

/* gw_give - the file fd for the recipients rcpts to the next hop; the
 * queue ID it gave goes into j->qids */
static enum outcome
gw_give(struct gw_job *j, int fd, char *const *rcpts, size_t n, int enc)
{
	char err[REINJECT_ERRLEN];
	const char *sender = j->env->sender;

	if (sender != NULL && strcmp(sender, "<>") == 0)
		sender = "";
	if (j->ho->give(j->ho, sender, rcpts, n, fd, err, sizeof err) == -1) {
		log_warnx("%s%s", j->ho->one_copy ? "" :
		    "re-injection failed: ", err);
		return OUTCOME_TEMPFAIL;
	}
	j->qids.v = xappend(j->qids.v, j->qids.n, sizeof *j->qids.v);
	(void)snprintf(j->qids.v[j->qids.n++], HANDOFF_QIDLEN, "%s",
	    j->ho->qid);
	j->qids.nenc += enc != 0;
	return OUTCOME_OK;
}

/* gw_hand - see gwjob.h */
enum outcome
gw_hand(struct gw_job *j, int fd, enum action a, int enc)
{
	char **rcpts;
	enum outcome r;
	size_t i, n = 0;

	rcpts = xcalloc(j->d.n > 0 ? j->d.n : 1, sizeof *rcpts);
	for (i = 0; i < j->d.n; i++)
		if (a == ACT_PENDING || j->d.v[i].action == a)
			rcpts[n++] = j->d.v[i].addr;
	r = gw_give(j, fd, rcpts, n, enc);
	free(rcpts);
	return r;
}

static int
gw_own_cmp(const void *a, const void *b)
{
	const struct gw_own *x = a, *y = b;
	int c = strcmp(x->canon, y->canon);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

static int
gw_copy_cmp(const void *a, const void *b)
{
	const struct gw_copy *x = a, *y = b;

	return x->idx[0] < y->idx[0] ? -1 : x->idx[0] > y->idx[0];
}

/* gw_copy_add - a new copy in cs, empty */
static struct gw_copy *
gw_copy_add(struct gw_copy **cs, size_t *n, int enc)
{
	struct gw_copy *c;

	*cs = xappend(*cs, *n, sizeof **cs);
	c = &(*cs)[(*n)++];
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->enc = enc;
	c->idx = xcalloc(1, sizeof *c->idx);
	return c;
}

/* gw_copy_take - recipient i joins the copy c */
static void
gw_copy_take(struct gw_copy *c, size_t i)
{
	c->idx = xappend(c->idx, c->n, sizeof *c->idx);
	c->idx[c->n++] = i;
}

/* gw_plan_own - one copy per hidden recipient, in the order of the
 * envelope: a recipient given twice (the same canonical address) is in
 * one copy; sorted, so never a search per recipient */
static void
gw_plan_own(const struct gw_job *j, struct gw_copy **cs, size_t *n)
{
	struct gw_own *o;
	struct gw_copy *c = NULL;
	size_t i, k = 0, first = *n;

	o = xcalloc(j->d.n > 0 ? j->d.n : 1, sizeof *o);
	for (i = 0; i < j->d.n; i++)
		if (j->d.v[i].own) {
			if ((o[k].canon = addr_canon(j->d.v[i].addr)) == NULL)
				o[k].canon = xstrdup(j->d.v[i].addr);
			o[k++].i = i;
		}
	if (k > 1)
		qsort(o, k, sizeof *o, gw_own_cmp);
	for (i = 0; i < k; i++) {
		if (c == NULL || strcmp(o[i].canon, o[i - 1].canon) != 0)
			c = gw_copy_add(cs, n, 1);
		gw_copy_take(c, o[i].i);
	}
	for (i = 0; i < k; i++)
		free(o[i].canon);
	free(o);
	/* none made: *cs may still be NULL, which qsort must not see */
	if (*n > first + 1)
		qsort(*cs + first, *n - first, sizeof **cs, gw_copy_cmp);
}

/* gw_plan - the copies: the shared encrypted ones (one per format:
 * OpenPGP, then S/MIME), the own ones, the clear one (each only when
 * it has a recipient) */
static void
gw_plan(struct gw_job *j, struct gw_copy **cs, size_t *n)
{
	struct gw_copy *c = NULL;
	size_t i;
	int f;

	*cs = NULL;
	*n = 0;
	if (decide_count(&j->d, ACT_ENCRYPT) > 0)
		(void)decide_hidden(&j->d, &j->m->h);
	for (f = FORMAT_OPENPGP; f <= FORMAT_SMIME; f++, c = NULL)
		for (i = 0; i < j->d.n; i++)
			if (j->d.v[i].action == ACT_ENCRYPT &&
			    !j->d.v[i].own && (int)j->d.v[i].format == f) {
				if (c == NULL)
					c = gw_copy_add(cs, n, 1);
				gw_copy_take(c, i);
			}
	gw_plan_own(j, cs, n);
	c = NULL;
	for (i = 0; i < j->d.n; i++)
		if (j->d.v[i].action == ACT_DELIVER) {
			if (c == NULL)
				c = gw_copy_add(cs, n, 0);
			gw_copy_take(c, i);
		}
}

/* gw_fdroom - room for n more open files: the soft limit is raised
 * towards the hard one when it must be; 0, or -1 after one line */
static int
gw_fdroom(size_t n)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit");
		return -1;
	}
	want = (rlim_t)n + GW_FDSPARE;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max >= want ? want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur < want) {
			log_warnx("%zu copies need more open files than the "
			    "limit (ulimit -n) allows", n);
			return -1;
		}
	}
	return 0;
}

/* gw_make - the copy c into its nameless file */
static enum outcome
gw_make(struct gw_job *j, struct gw_copy *c)
{
	if (!c->enc)
		return gw_plain(j, &c->fd);
	if ((c->fd = tmpfile_open_unlinked()) == -1) {
		log_warn("cannot write a temporary file in %s", tmpfile_dir());
		return OUTCOME_TEMPFAIL;
	}
	return gw_encrypt(j, c->fd, c->idx, c->n);
}

/* gw_send - hand the copies over in order: encrypted, then clear */
static enum outcome
gw_send(struct gw_job *j, struct gw_copy *cs, size_t n)
{
	enum outcome r = OUTCOME_OK;
	char **rcpts;
	size_t i, k;

	for (i = 0; i < n && r == OUTCOME_OK; i++) {
		rcpts = xcalloc(cs[i].n, sizeof *rcpts);
		for (k = 0; k < cs[i].n; k++)
			rcpts[k] = j->d.v[cs[i].idx[k]].addr;
		r = gw_give(j, cs[i].fd, rcpts, cs[i].n, cs[i].enc);
		free(rcpts);
	}
	/* the retry makes every copy again: duplicates of those taken */
	if (r != OUTCOME_OK && j->qids.n > 0) {
		if (n == 2)
			(void)snprintf(j->resbuf, sizeof j->resbuf, "%s",
			    "deferred (the encrypted copy was handed over; "
			    "the retry sends it again)");
		else if (j->qids.n == 1)
			(void)snprintf(j->resbuf, sizeof j->resbuf, "deferred "
			    "(1 of %zu copies was handed over; the retry "
			    "sends it again)", n);
		else
			(void)snprintf(j->resbuf, sizeof j->resbuf, "deferred "
			    "(%zu of %zu copies were handed over; the retry "
			    "sends them again)", j->qids.n, n);
		j->result = j->resbuf;
	}
	return r;
}

/* gw_copies - see gwjob.h */
enum outcome
gw_copies(struct gw_job *j)
{
	struct gw_copy *cs;
	enum outcome r = OUTCOME_TEMPFAIL;
	size_t i, n;

	gw_plan(j, &cs, &n);
	if (j->ho->one_copy && n > 1) {
		if (n == 2 && cs[1].enc && !j->d.v[cs[1].idx[0]].own)
			log_warnx("--stdout: some recipients get the message "
			    "as OpenPGP and others as S/MIME; that is two "
			    "messages");
		else if (n == 2 && cs[0].enc && !cs[1].enc &&
		    !j->d.v[cs[0].idx[0]].own)
			log_warnx("--stdout: some recipients get the message "
			    "encrypted and others as it came; that is two "
			    "messages");
		else
			log_warnx("--stdout: a recipient the header does not "
			    "name gets a copy of its own; that is %zu "
			    "messages", n);
		r = OUTCOME_UNAVAILABLE;
		goto out;
	}
	if (n > 1 && gw_fdroom(n) == -1)
		goto out;
	for (i = 0; i < n; i++)
		if ((r = gw_make(j, &cs[i])) != OUTCOME_OK)
			goto out;
	r = gw_send(j, cs, n);
out:
	for (i = 0; i < n; i++) {
		if (cs[i].fd != -1 && cs[i].fd != j->decfd)
			close(cs[i].fd);
		free(cs[i].idx);
	}
	free(cs);
	return r;
}
