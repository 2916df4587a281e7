/*
 * keycache.c - the key listing a long-lived process keeps (keycache.h).
 *
 * keycache_get, per message and per RCPT:
 *   stat each file gpg's answer depends on (KC_FILES) and compare with
 *     the stat taken just before the listing: device, inode (gpg
 *     writes a keybox by rename), size, mtime and ctime to the
 *     nanosecond; a file that appears or goes counts as a change
 *   the earliest expiry among the listed keys passed (gpg_key.expires:
 *     the primary key's, or that of the encryption subkey gpg would
 *     use): gpg must say again which keys encrypt; or a certificate's
 *     notBefore (not valid yet when listed) passed
 *   a "racy" listing (a file changed within KEYCACHE_RACY_NS of its
 *     stat) once that time has passed
 *   else the listing and its index serve as they are: no gpg run
 * A listing is made whole or not kept: a failure leaves the cache empty
 * and the next use lists again.
 *
 * The home directory itself is not stat(2)ed: gpg changes it without
 * changing a key (random_seed, lock files, gpg-agent's sockets), and a
 * keyring that appears is seen by its own stat.  A keyring or trustdb
 * that gpg.conf names (keyring, primary-keyring, trustdb-name) is not
 * stat(2)ed: with one, keys are listed at each use (said once).  gpg 2.2 reads gpg.conf-VERSION, gpg.conf-2.2
 * or gpg.conf-2 instead of gpg.conf when one is there: those are
 * watched too (the version is what gpg_open learnt, no gpg run).
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpghome.h"
#include "keycache.h"
#include "limit.h"
#include "log.h"
#include "recip.h"
#include "xmalloc.h"

/* the files of the home whose change can change gpg's listing */
static const char *const kc_files[] = { "pubring.kbx", "pubring.gpg",
    "trustdb.gpg", "gpg.conf" };
#define KC_NFILES	(sizeof kc_files / sizeof kc_files[0])
/* and gpgsm's (a certificate cache): the keybox, the trusted roots,
 * dirmngr's CRL cache index (a CRL loaded or fetched rewrites it), and
 * gpgsm.conf, the last as gpg.conf is */
static const char *const kc_cms_files[KC_NFILES] = { "pubring.kbx",
    "trustlist.txt", "crls.d/DIR.txt", "gpgsm.conf" };
/* gpg 2.2 reads, when present, gpg.conf-2.2.40, gpg.conf-2.2 or
 * gpg.conf-2 (its own version, then shorter) instead of gpg.conf */
#define KC_NVER		3
#define KC_NWATCH	(KC_NFILES + KC_NVER)
#define KC_GPGCONF	3		/* kc_files' gpg.conf, the last */
#define KC_TRUSTLIST	1		/* kc_cms_files' trustlist.txt */
/* gpg.conf options naming a file gpg reads keys or trust from */
static const char *const kc_elseopts[] = { "keyring", "primary-keyring",
    "trustdb-name" };

/* What stat(2) said of one file; present 0: it was not there. */
struct kc_stamp {
	int		present;
	dev_t		dev;
	ino_t		ino;
	off_t		size;
	struct timespec	mtim;
	struct timespec	ctim;
};

struct keycache {
	char			*home;
	int			 cms;		/* certificates (gpgsm) */
	long long		 listedat;	/* when listed (ns) */
	long long		 maxage;	/* cms: list again after (s) */
	char			 ver[32];	/* gpg's version, "": unknown */
	int			 listed;	/* keys and ix hold a listing */
	int			 toomany;	/* the last try: over LIMIT_KEYS */
	int			 noring;
	int			 elsewhere;	/* gpg.conf names files not
						 * watched: list per use */
	struct gpg_keylist	 keys;
	struct recip_index	*ix;
	struct kc_stamp		 st[KC_NWATCH];
	long long		 expiry;	/* the earliest key expiry to
						 * come (s), 0: none */
	long long		 racy;		/* list again at this time
						 * (ns), 0: not racy */
	unsigned long		 nlist;
};

/* kc_ns - a time as nanoseconds */
static long long
kc_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* kc_now - the time of day in nanoseconds (what file times and key
 * expiries are compared with) */
static long long
kc_now(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_REALTIME, &t) == -1)
		return (long long)time(NULL) * 1000000000LL;
	return kc_ns(&t);
}

/* kc_path - the path of watched file i into path: 1; 0: no such name
 * (gpg's version unknown, or shorter); -1: too long */
static int
kc_path(const struct keycache *kc, size_t i, char *path, size_t pathsz)
{
	char v[sizeof kc->ver], *dot;
	size_t k;
	int n;

	if (i < KC_NFILES)
		n = snprintf(path, pathsz, "%s/%s", kc->home, kc->cms ?
		    kc_cms_files[i] : kc_files[i]);
	else {
		memcpy(v, kc->ver, sizeof v);
		for (k = KC_NFILES; k < i && v[0] != '\0'; k++)
			if ((dot = strrchr(v, '.')) != NULL)
				*dot = '\0';
			else
				v[0] = '\0';
		if (v[0] == '\0')
			return 0;
		n = snprintf(path, pathsz, "%s/gpg.conf-%s", kc->home, v);
	}
	return n < 0 || (size_t)n >= pathsz ? -1 : 1;
}

/* kc_elseline - a line of gpg.conf names a keyring or trustdb of its
 * own (keyring, primary-keyring, trustdb-name, or an abbreviation,
 * which gpg accepts) */
static int
kc_elseline(const char *line)
{
	size_t i, n;

	line += strspn(line, " \t");
	if (strncmp(line, "--", 2) == 0)
		line += 2;
	if ((n = strcspn(line, " \t=\r\n")) < 4)
		return 0;
	for (i = 0; i < sizeof kc_elseopts / sizeof kc_elseopts[0]; i++)
		if (strncmp(line, kc_elseopts[i], n) == 0)
			return 1;
	return 0;
}

/* kc_elsewhere - one of gpg's option files in the home names a keyring
 * or trustdb the stamps do not cover: a change there would go unseen */
static int
kc_elsewhere(const struct keycache *kc)
{
	char path[PATH_MAX], line[1024];
	size_t i;
	FILE *fp;
	int found = 0, start;

	for (i = KC_GPGCONF; i < KC_NWATCH && !found; i++) {
		/* gpg.conf, then the versioned names after it */
		if (kc_path(kc, i, path, sizeof path) != 1 ||
		    (fp = fopen(path, "r")) == NULL)
			continue;
		for (start = 1; !found && fgets(line, sizeof line, fp) !=
		    NULL; start = strchr(line, '\n') != NULL)
			found = start && kc_elseline(line);
		(void)fclose(fp);
	}
	return found;
}

/* kc_stat - the stamps of every watched file into st; 0, or -1 when
 * one cannot be told (a stat error other than "not there") */
static int
kc_stat(const struct keycache *kc, struct kc_stamp st[KC_NWATCH])
{
	char path[PATH_MAX];
	struct stat sb;
	size_t i;
	int n;

	memset(st, 0, KC_NWATCH * sizeof *st);
	if (kc->home == NULL)
		return -1;
	for (i = 0; i < KC_NWATCH; i++) {
		if ((n = kc_path(kc, i, path, sizeof path)) == -1)
			return -1;
		if (n == 0)
			continue;
		if (stat(path, &sb) == -1) {
			if (errno == ENOENT || errno == ENOTDIR)
				continue;
			return -1;
		}
		st[i].present = 1;
		st[i].dev = sb.st_dev;
		st[i].ino = sb.st_ino;
		st[i].size = sb.st_size;
		st[i].mtim = sb.st_mtim;
		st[i].ctim = sb.st_ctim;
	}
	return 0;
}

/* kc_same - two stamps of one file say it did not change */
static int
kc_same(const struct kc_stamp *a, const struct kc_stamp *b)
{
	if (a->present != b->present)
		return 0;
	return !a->present || (a->dev == b->dev && a->ino == b->ino &&
	    a->size == b->size && kc_ns(&a->mtim) == kc_ns(&b->mtim) &&
	    kc_ns(&a->ctim) == kc_ns(&b->ctim));
}

/* kc_racy - when a listing made after the stamps st (taken at now) is
 * to be made again because a file changed too recently for its stat to
 * show a second change: that change's time plus KEYCACHE_RACY_NS; 0
 * when no file is that recent */
static long long
kc_racy(const struct kc_stamp st[KC_NWATCH], long long now)
{
	long long t, until = 0;
	size_t i;

	for (i = 0; i < KC_NWATCH; i++) {
		if (!st[i].present)
			continue;
		t = kc_ns(&st[i].mtim);
		if (kc_ns(&st[i].ctim) > t)
			t = kc_ns(&st[i].ctim);
		if (t + KEYCACHE_RACY_NS > now && t + KEYCACHE_RACY_NS > until)
			until = t + KEYCACHE_RACY_NS;
	}
	return until;
}

/* kc_expiry - the earliest time after now (s) at which a listed key's
 * usability changes: one that encrypts expires, or a certificate not
 * valid yet (notBefore ahead: gpgsm calls it expired, too young)
 * becomes valid; 0: none */
static long long
kc_expiry(const struct gpg_keylist *keys, long long now)
{
	long long e = 0, t;
	size_t i;

	for (i = 0; i < keys->n; i++) {
		if (keys->v[i].x509 && keys->v[i].created > now &&
		    (e == 0 || keys->v[i].created < e))
			e = keys->v[i].created;
		if (keys->v[i].expired || keys->v[i].expires <= 0)
			continue;
		/* gpg listed it as good in its last second: ask again
		 * after that second */
		t = keys->v[i].expires > now ? keys->v[i].expires : now + 1;
		if (e == 0 || t < e)
			e = t;
	}
	return e;
}

/* kc_drop - forget the listing */
static void
kc_drop(struct keycache *kc)
{
	recip_index_free(kc->ix);
	kc->ix = NULL;
	gpg_keylist_free(&kc->keys);
	kc->listed = 0;
	kc->toomany = 0;
	kc->expiry = 0;
	kc->racy = 0;
}

/* kc_fresh - the listing (or the knowledge that the keyring is too
 * big to cache) still holds: nothing watched changed, no key expired,
 * no racy stamp is due */
static int
kc_fresh(const struct keycache *kc, long long now)
{
	struct kc_stamp st[KC_NWATCH];
	size_t i;

	if (!kc->listed && !kc->toomany)
		return 0;
	if (kc->racy != 0 && now >= kc->racy)
		return 0;
	if (kc->expiry != 0 && now / 1000000000LL >= kc->expiry)
		return 0;
	/* a certificate's validity also hangs on CRLs dirmngr may fetch
	 * or that reach their next update: listed again now and then */
	if (kc->cms && now - kc->listedat >= kc->maxage * 1000000000LL)
		return 0;
	if (kc_stat(kc, st) == -1)
		return 0;
	for (i = 0; i < KC_NWATCH; i++)
		if (!kc_same(&st[i], &kc->st[i]))
			return 0;
	return 1;
}

/* kc_list - list every key again; the stamps are taken first, so a
 * change while gpg lists is seen at the next use */
static enum gpg_status
kc_list(struct keycache *kc, struct gpg *g, char *err, size_t errsz)
{
	struct kc_stamp old[KC_NWATCH];
	enum gpg_status s;
	long long now = kc_now();
	int was = kc->toomany;

	kc_drop(kc);
	memcpy(old, kc->st, sizeof old);
	if (kc_stat(kc, kc->st) == -1)
		memset(kc->st, 0, sizeof kc->st);
	/* the roots trusted changed since the last listing: gpg-agent,
	 * which gpgsm asks, read trustlist.txt when it started */
	if (kc->cms && kc->nlist > 0 && !kc_same(&old[KC_TRUSTLIST],
	    &kc->st[KC_TRUSTLIST]) && gpg_cms_trust_reload(g) == -1)
		log_warnx("%s: gpg-agent did not read trustlist.txt again",
		    kc->home);
	else if (kc->cms && kc->nlist > 0 && !kc_same(&old[KC_TRUSTLIST],
	    &kc->st[KC_TRUSTLIST]))
		log_warnx("%s: trustlist.txt changed: gpg-agent reloaded "
		    "(it forgets cached and preset passphrases)", kc->home);
	kc->nlist++;
	kc->listedat = now;
	s = gpg_keylist_all(g, &kc->keys, err, errsz);
	if (s == GPG_TOOMANY) {
		gpg_keylist_free(&kc->keys);
		if (!was)	/* once, not per message */
			log_warnx("%s: keys are listed per message, not "
			    "cached", err);
		kc->toomany = 1;
		kc->racy = kc_racy(kc->st, now);
		return s;
	}
	if (s != GPG_OK) {
		kc_drop(kc);
		return s;
	}
	kc->ix = recip_index_new(&kc->keys);
	kc->noring = !kc->cms && gpghome_keyring_empty(kc->home) == 1;
	kc->expiry = kc_expiry(&kc->keys, now / 1000000000LL);
	kc->racy = kc_racy(kc->st, now);
	/* without a home to stat, nothing could tell a change */
	if (kc->home == NULL)
		kc->racy = now;
	else if (kc_elsewhere(kc)) {
		if (!kc->elsewhere)	/* once, not per message */
			log_warnx("%s: %s names a keyring or trustdb of its "
			    "own: %s are listed at each use", kc->home, kc->cms ?
			    "gpgsm.conf" : "gpg.conf", kc->cms ? "certificates" :
			    "keys");
		kc->elsewhere = 1;
		kc->racy = now;
	} else
		kc->elsewhere = 0;
	kc->listed = 1;
	return GPG_OK;
}

/* keycache_new - see keycache.h */
struct keycache *
keycache_new(const char *home)
{
	struct keycache *kc = xcalloc(1, sizeof *kc);

	kc->home = home != NULL ? xstrdup(home) : NULL;
	return kc;
}

/* keycache_new_cms - see keycache.h */
struct keycache *
keycache_new_cms(const char *home)
{
	struct keycache *kc = keycache_new(home);

	kc->cms = 1;
	kc->maxage = LIMIT_CERTCACHE_SECONDS;
	return kc;
}

/* keycache_maxage - see keycache.h */
void
keycache_maxage(struct keycache *kc, unsigned int seconds)
{
	kc->maxage = seconds;
}

/* keycache_free - see keycache.h */
void
keycache_free(struct keycache *kc)
{
	if (kc == NULL)
		return;
	kc_drop(kc);
	free(kc->home);
	free(kc);
}

/* keycache_get - see keycache.h */
enum gpg_status
keycache_get(struct keycache *kc, struct gpg *g, struct recip_index **ix,
    char *err, size_t errsz)
{
	enum gpg_status s = GPG_OK;

	*ix = NULL;
	/* gpgsm reads no versioned gpgsm.conf: ver stays "" */
	if (kc->ver[0] == '\0' && !kc->cms)
		(void)gpg_engine_version(kc->ver, sizeof kc->ver);
	if (!kc_fresh(kc, kc_now()))
		s = kc_list(kc, g, err, errsz);
	if (kc->toomany) {
		if (err != NULL && errsz > 0)
			(void)snprintf(err, errsz, "key listing: more than %d "
			    "keys", LIMIT_KEYS);
		return GPG_TOOMANY;
	}
	if (s != GPG_OK)
		return s;
	*ix = kc->ix;
	return GPG_OK;
}

/* keycache_noring - see keycache.h */
int
keycache_noring(const struct keycache *kc)
{
	return kc->listed && kc->noring;
}

/* keycache_listings - see keycache.h */
unsigned long
keycache_listings(const struct keycache *kc)
{
	return kc->nlist;
}
