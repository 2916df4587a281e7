/*
 * autocrypt_learn.c - learning keys from mail (Autocrypt Level 1,
 * "Updating Autocrypt Peer State"), opt-in, into a GnuPG home of its
 * own: never the operator's keyring.  Only mail whose signature is good
 * (or good but untrusted) for the From shown teaches anything; its
 * Autocrypt field must name that From; a key's mail must be newer (by
 * its Date, clamped to now) than the mail that taught the key we have;
 * Autocrypt-Gossip fields, read from the decrypted header only and for
 * the message's recipients only, are kept apart and never replace what
 * a peer sent itself.  Best effort: nothing here changes the message's
 * verdicts or exit status.
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "addr.h"
#include "autocrypt.h"
#include "autocrypt_state.h"
#include "gpg.h"
#include "limit.h"
#include "log.h"
#include "rfc5322.h"
#include "xmalloc.h"

#define ESCLEN	(LIMIT_ADDR_SPEC * 4 + 1)

/* One learning: the message's facts, the home's state. */
struct al {
	const struct autocrypt_in	*in;
	char				*from;	/* canonical */
	long long			 date;	/* effective date */
	struct gpg			*g;	/* on the Autocrypt home */
	struct autocrypt_state		 direct, gossip;
	int				 changed[2];
	size_t				 ngossip;	/* fields read */
};

static long long	al_date(const struct autocrypt_in *);
static int		al_key(struct al *, const char *,
			    const struct autocrypt_hdr *, const char *, char *);
static void		al_update(struct al *, int, const char *,
			    const struct autocrypt_hdr *, const char *);
static size_t		al_fields(struct al *,
			    const struct rfc5322_header *,
			    struct autocrypt_hdr *);
static void		al_direct(struct al *);
static void		al_gossip(struct al *, const struct rfc5322_header *);
static int		al_recipient(const struct autocrypt_in *, const char *);
static int		al_home(const char *, char *, size_t);
static int		al_run(struct al *, char *, size_t);

/* al_date - the effective date: Date (of the protected fields when
 * they have one), clamped to now and to the signature's creation time
 * (a Date is anyone's to write: Alice's old signed mail replayed under
 * a fresh one must not roll her key back); now without a Date */
static long long
al_date(const struct autocrypt_in *in)
{
	const struct rfc5322_header *h = in->shown != NULL &&
	    rfc5322_find(in->shown, "Date", NULL) != NULL ? in->shown :
	    in->outer;
	const struct rfc5322_field *f;
	struct mailimf_date_time *dt = NULL;
	long long now = (long long)time(NULL), t = now;
	struct tm tm;
	size_t len, at = 0;
	char *v;
	int z;

	if ((f = rfc5322_find(h, "Date", NULL)) == NULL)
		return in->sigtime > 0 && now > in->sigtime ? in->sigtime : now;
	v = rfc5322_unfold(f, &len);
	if (mailimf_date_time_parse(v, len, &at, &dt) == MAILIMF_NO_ERROR &&
	    dt->dt_year >= 1970 && dt->dt_year <= 9999) {
		memset(&tm, 0, sizeof tm);
		tm.tm_year = dt->dt_year - 1900;
		tm.tm_mon = dt->dt_month - 1;
		tm.tm_mday = dt->dt_day;
		tm.tm_hour = dt->dt_hour;
		tm.tm_min = dt->dt_min;
		tm.tm_sec = dt->dt_sec;
		z = dt->dt_zone;
		t = (long long)timegm(&tm) - (z / 100 * 3600 + z % 100 * 60);
		if (t > now || t < 0)
			t = now;
	}
	if (dt != NULL)
		mailimf_date_time_free(dt);
	free(v);
	return in->sigtime > 0 && t > in->sigtime ? in->sigtime : t;
}

/* al_key - h's key for addr, kept to one user ID and its encryption
 * subkeys, imported into the home (only that key when only is not
 * NULL); gpg must then list it usable, able to encrypt, with a valid
 * user ID for addr: 0 with its fingerprint in fpr, or -1 (logged) */
static int
al_key(struct al *a, const char *addr, const struct autocrypt_hdr *h,
    const char *only, char *fpr)
{
	struct gpg_keylist keys = { NULL, 0 };
	char err[GPG_ERRLEN], esc[ESCLEN], *pats[1];
	unsigned char *key = NULL;
	const char *why = NULL;
	size_t len, i = 0;
	int r = -1;

	log_escape(addr, esc, sizeof esc);
	if (autocrypt_key_filter(h->key, h->keylen, addr, &key, &len,
	    &why) == -1) {
		log_warnx("Autocrypt: key for %s not learned: %s", esc, why);
		return -1;
	}
	if (only != NULL && (autocrypt_key_fpr(key, len, fpr) == -1 ||
	    strcasecmp(fpr, only) != 0)) {
		log_warnx("Autocrypt: key for %s not learned: its field is "
		    "outside the signature, and it is not the signing key",
		    esc);
		goto out;
	}
	err[0] = '\0';
	if ((a->g == NULL && gpg_open(&a->g, a->in->home, err,
	    sizeof err) != GPG_OK) || gpg_import_one(a->g, key, len, fpr,
	    AUTOCRYPT_FPRLEN + 1, err, sizeof err) != GPG_OK ||
	    strlen(fpr) != AUTOCRYPT_FPRLEN) {
		log_warnx("Autocrypt: key for %s not learned: %s", esc,
		    err[0] != '\0' ? err : "not a version 4 fingerprint");
		goto out;
	}
	pats[0] = fpr;
	if (gpg_keylist(a->g, pats, 1, 0, &keys, err, sizeof err) !=
	    GPG_OK) {
		log_warnx("Autocrypt: key for %s not learned: %s", esc, err);
		goto out;
	}
	if (keys.n == 1 && keys.v[0].usable && keys.v[0].can_encrypt)
		for (i = 0; i < keys.v[0].nuids && r == -1; i++)
			r = addr_same(keys.v[0].uids[i], addr) ? 0 : -1;
	if (r == -1)
		log_warnx("Autocrypt: key %s for %s not learned: gpg cannot "
		    "use it to encrypt to that address", fpr, esc);
out:
	gpg_keylist_free(&keys);
	free(key);
	return r;
}

/* al_update - the Level 1 update of one peer (gossip: the gossip
 * state) from field h (its key must be only, when not NULL): newer
 * mail wins, the same key only moves the dates */
static void
al_update(struct al *a, int gossip, const char *addr,
    const struct autocrypt_hdr *h, const char *only)
{
	struct autocrypt_state *s = gossip ? &a->gossip : &a->direct;
	struct autocrypt_peer *p = autocrypt_state_find(s, addr);
	char fpr[AUTOCRYPT_FPRLEN + 1], esc[ESCLEN];

	log_escape(addr, esc, sizeof esc);
	if (!autocrypt_state_fits(addr)) {
		log_warnx("Autocrypt: %s not learned: a state line cannot "
		    "hold its canonical form", esc);
		return;
	}
	if (p != NULL && a->date > p->last_seen) {
		p->last_seen = a->date;
		a->changed[gossip] = 1;
	}
	if (p != NULL && a->date <= p->timestamp) {
		log_debug("Autocrypt: %s: mail older than the key's", esc);
		return;
	}
	if (al_key(a, addr, h, only, fpr) == -1)
		return;
	if (p == NULL && (p = autocrypt_state_add(s, addr)) == NULL) {
		log_warnx("Autocrypt: %s not learned: LIMIT_AUTOCRYPT_PEERS "
		    "peers known", esc);
		return;
	}
	memcpy(p->fpr, fpr, sizeof p->fpr);
	p->timestamp = a->date;
	if (a->date > p->last_seen)
		p->last_seen = a->date;
	p->mutual = !gossip && h->mutual;
	a->changed[gossip] = 1;
	log_debug("Autocrypt: %s%s: key %s", gossip ? "gossip " : "", esc,
	    fpr);
}

/* al_fields - how many valid Autocrypt fields of hd name the From;
 * the first into *one */
static size_t
al_fields(struct al *a, const struct rfc5322_header *hd,
    struct autocrypt_hdr *one)
{
	const struct rfc5322_field *f;
	struct autocrypt_hdr h;
	const char *why;
	size_t at = 0, len, n = 0;
	char *v;

	memset(one, 0, sizeof *one);
	while (hd != NULL && (f = rfc5322_find(hd, AUTOCRYPT_FIELD, &at)) !=
	    NULL) {
		v = rfc5322_unfold(f, &len);
		if (autocrypt_parse(v, &h, &why) == 0) {
			if (addr_same(h.addr, a->from) && n++ == 0)
				*one = h;
			else
				autocrypt_hdr_free(&h);
		}
		free(v);
	}
	return n;
}

/* al_direct - the sender's Autocrypt field: exactly one valid one for
 * the From (Level 1: more than one counts as none), from the header
 * the signature covers when it has one.  The outer header is anyone's
 * to write (Alice's signed mail replayed under a field of Mallory's):
 * a field there teaches only the key that made the signature. */
static void
al_direct(struct al *a)
{
	struct autocrypt_hdr one;
	size_t n;

	if ((n = al_fields(a, a->in->covered, &one)) == 0) {
		n = al_fields(a, a->in->outer, &one);
		if (n == 1 && (a->in->signer == NULL ||
		    a->in->signer[0] == '\0'))
			n = 0;
		if (n == 1)
			al_update(a, 0, a->from, &one, a->in->signer);
	} else if (n == 1)
		al_update(a, 0, a->from, &one, NULL);
	autocrypt_hdr_free(&one);
}

/* al_recipient - addr is named in the shown To or Cc */
static int
al_recipient(const struct autocrypt_in *in, const char *addr)
{
	static const char *const names[] = { "To", "Cc" };
	const struct rfc5322_header *h = in->shown != NULL &&
	    rfc5322_find(in->shown, "To", NULL) != NULL ? in->shown :
	    in->outer;
	const struct rfc5322_field *f;
	struct addrlist l;
	size_t i, at, len, k;
	char *v;
	int yes = 0;

	for (i = 0; i < 2 && !yes; i++)
		for (at = 0; !yes && (f = rfc5322_find(h, names[i], &at)) !=
		    NULL;) {
			memset(&l, 0, sizeof l);
			v = rfc5322_unfold(f, &len);
			if (addr_list_parse(v, len, &l) == ADDR_OK)
				for (k = 0; k < l.n && !yes; k++)
					yes = addr_same(l.v[k], addr);
			addrlist_free(&l);
			free(v);
		}
	return yes;
}

/* al_gossip - the Autocrypt-Gossip fields of the decrypted header h:
 * recipients of the message only, not the sender, and never over a
 * key the peer sent itself; LIMIT_AUTOCRYPT_GOSSIP fields a message */
static void
al_gossip(struct al *a, const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	struct autocrypt_hdr g;
	const char *why;
	size_t at = 0, len;
	char *v, *c;

	while ((f = rfc5322_find(h, AUTOCRYPT_GOSSIP, &at)) != NULL) {
		if (a->ngossip++ == LIMIT_AUTOCRYPT_GOSSIP)
			log_warnx("Autocrypt: gossip past LIMIT_AUTOCRYPT_GOSSIP "
			    "fields left out");
		if (a->ngossip > LIMIT_AUTOCRYPT_GOSSIP)
			break;
		v = rfc5322_unfold(f, &len);
		if (autocrypt_parse(v, &g, &why) == 0) {
			c = addr_canon(g.addr);
			if (c != NULL && !addr_same(c, a->from) &&
			    al_recipient(a->in, c) &&
			    autocrypt_state_find(&a->direct, c) == NULL)
				al_update(a, 1, c, &g, NULL);
			free(c);
			autocrypt_hdr_free(&g);
		}
		free(v);
	}
}

/* al_home - the Autocrypt home: made 0700 when missing; it must be a
 * directory of ours that nobody else can read or write */
static int
al_home(const char *home, char *err, size_t errsz)
{
	struct stat st;

	if (mkdir(home, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errsz, "%s: %s", home, strerror(errno));
		return -1;
	}
	if (lstat(home, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		snprintf(err, errsz, "%s: not a directory of ours with mode "
		    "0700", home);
		return -1;
	}
	return 0;
}

/* al_run - under the home's lock: the state read, the fields learnt
 * from, what changed written back */
static int
al_run(struct al *a, char *err, size_t errsz)
{
	char path[2][4096];
	int i, n;

	for (i = 0; i < 2; i++) {
		n = snprintf(path[i], sizeof path[i], "%s/%s", a->in->home,
		    i ? AUTOCRYPT_GOSSIPS : AUTOCRYPT_STATE);
		if (n < 0 || (size_t)n >= sizeof path[i]) {
			snprintf(err, errsz, "%s: path too long", a->in->home);
			return -1;
		}
	}
	if (autocrypt_state_load(path[0], &a->direct, err, errsz) == -1 ||
	    autocrypt_state_load(path[1], &a->gossip, err, errsz) == -1)
		return -1;
	al_direct(a);
	for (i = 0; i < 2; i++)
		if (a->in->gossip[i] != NULL)
			al_gossip(a, a->in->gossip[i]);
	for (i = 0; i < 2; i++)
		if (a->changed[i] && autocrypt_state_save(path[i],
		    i ? &a->gossip : &a->direct, err, errsz) == -1)
			return -1;
	return 0;
}

/* autocrypt_learn - see autocrypt.h */
void
autocrypt_learn(const struct autocrypt_in *in)
{
	struct al a;
	char err[GPG_ERRLEN + 4096];
	int lock = -1, any;

	any = rfc5322_find(in->outer, AUTOCRYPT_FIELD, NULL) != NULL ||
	    (in->covered != NULL && rfc5322_find(in->covered,
	    AUTOCRYPT_FIELD, NULL) != NULL) ||
	    (in->gossip[0] != NULL && rfc5322_find(in->gossip[0],
	    AUTOCRYPT_GOSSIP, NULL) != NULL) || (in->gossip[1] != NULL &&
	    rfc5322_find(in->gossip[1], AUTOCRYPT_GOSSIP, NULL) != NULL);
	if (!any || in->from == NULL || in->home == NULL)
		return;
	if (!in->signed_ok) {
		log_debug("Autocrypt: not learned: no good signature for the "
		    "From");
		return;
	}
	memset(&a, 0, sizeof a);
	a.in = in;
	a.date = al_date(in);
	if ((a.from = addr_canon(in->from)) == NULL) {
		log_debug("Autocrypt: not learned: no From address");
		return;
	}
	if (al_home(in->home, err, sizeof err) == -1 ||
	    (lock = autocrypt_state_lock(in->home, err, sizeof err)) == -1 ||
	    al_run(&a, err, sizeof err) == -1)
		log_warnx("Autocrypt: nothing learned: %s", err);
	if (lock != -1)
		close(lock);
	gpg_close(a.g);
	autocrypt_state_free(&a.direct);
	autocrypt_state_free(&a.gossip);
	free(a.from);
}
