/*
 * keycache.h - every public key of the GnuPG home, listed once and kept
 * by a long-lived process (smtpd), with the index the decisions search.
 *
 * The listing is used again as long as nothing it depends on changed:
 * the keyring files (pubring.kbx, pubring.gpg), trustdb.gpg (validity,
 * ownertrust, disabled keys) and gpg.conf (with gpg 2.2's versioned
 * gpg.conf-2.2.N, gpg.conf-2.2, gpg.conf-2) are stat(2)ed at each use,
 * no gpg run; and no listed key has reached its expiry since.  A file
 * changed within KEYCACHE_RACY_NS of its stat could change again
 * within the same timestamp tick unseen (as git's "racy" index
 * entries): such a listing is made again once that tick has passed.
 * A gpg.conf that names a keyring or trustdb of its own (keyring,
 * primary-keyring, trustdb-name) makes every use list again.
 * A keyring of more than LIMIT_KEYS keys is not cached: the caller
 * lists by pattern per message, as filter does.
 */
#ifndef MAILSEAL_KEYCACHE_H
#define MAILSEAL_KEYCACHE_H

#include "gpg.h"

/* how long after a file's last change its stat cannot tell a second
 * change of the same size (a timestamp tick of any file system, with
 * room to spare) */
#define KEYCACHE_RACY_NS	1000000000LL

struct keycache;
struct recip_index;

/* keycache_new - an empty cache for the GnuPG home at home (the
 * directory gpg uses; NULL: unknown, so every use lists again);
 * keycache_free releases it */
struct keycache	*keycache_new(const char *);

/* keycache_new_cms - the same for the certificates of the gpgsm home at
 * home (keycache_get with a gpg_open_cms context): the keybox
 * pubring.kbx, trustlist.txt, gpgsm.conf and dirmngr's CRL cache index
 * (crls.d/DIR.txt) are watched; a certificate's notAfter is its expiry;
 * and a listing is made again at the latest LIMIT_CERTCACHE_SECONDS
 * after the last, as a CRL dirmngr fetches by itself (or one reaching
 * its next update) changes a validation without a watched file's
 * change */
struct keycache	*keycache_new_cms(const char *);

/* keycache_maxage - how many seconds a certificate listing may serve
 * (keycache_new_cms gives LIMIT_CERTCACHE_SECONDS; the tests less) */
void		 keycache_maxage(struct keycache *, unsigned int);
void		 keycache_free(struct keycache *);

/* keycache_get - the index of the current listing into *ix (valid
 * until the next keycache_get or keycache_free), listed with g again
 * when needed: GPG_OK; GPG_TOOMANY: more than LIMIT_KEYS keys, no
 * cache (the caller lists by pattern); GPG_TEMPFAIL with err when gpg
 * did not finish a listing (nothing of a failed listing is kept) */
enum gpg_status	 keycache_get(struct keycache *, struct gpg *,
		    struct recip_index **, char *, size_t);

/* keycache_noring - the home had no keyring at the last listing */
int		 keycache_noring(const struct keycache *);

/* keycache_listings - how many listings gpg ran for the cache */
unsigned long	 keycache_listings(const struct keycache *);

#endif
