/*
 * wkd.h - opt-in Web Key Directory lookups (mailseal.conf(5) wkd,
 * encrypt --wkd) for recipients without a usable key.
 *
 * gpg does the lookup (gpg.c's gpg_locate: --locate-external-keys with
 * auto-key-locate wkd alone) and imports what it finds into the home;
 * the key is then taken as any other: by an exact user ID match
 * (recip.c).  A lookup that did not finish within its deadline is a
 * temporary failure, never "no key".
 */
#ifndef MAILSEAL_WKD_H
#define MAILSEAL_WKD_H

#include <stddef.h>

#include "addr.h"
#include "gpg.h"

#include "recip.h"

#define WKD_TIMEOUT	10	/* seconds: wkd_timeout's default */

struct decisions;
struct config;

/* wkd_lookup - one lookup per address of want (LIMIT_WKD_PARALLEL at
 * once), each within timeout seconds, the results into res (want->n of
 * them): 0, or -1 when a lookup did not finish (err says why) */
int		 wkd_lookup(struct gpg *, const struct addrlist *, unsigned int,
		    enum gpg_locate *, char *, size_t);

/* wkd_name - a lookup's result as a log token ("found", "not-found",
 * "unreadable", "no-match") */
const char	*wkd_name(enum gpg_locate);

/* wkd_decide - with cfg->wkd: the recipients of d whose policy is not
 * none and that have no usable key looked up; the keys found listed
 * and resolved into d (each recipient its keys, or why none), each
 * looked up given its wkd token.  0, or -1 after one line (a lookup
 * that did not finish, a listing that failed: the caller's temporary
 * failure) */
int		 wkd_decide(struct decisions *, const struct config *);

/* wkd_refresh - encrypt --wkd, keys --wkd: the addresses rec left
 * without a key looked up (timeout seconds each); when one was found,
 * rcpts listed again into keys and resolved again into rec; those
 * whose directory served a key gpg cannot read are added to unreadable
 * (NULL: not kept).  0, or -1 after one line */
int		 wkd_refresh(struct gpg *, const struct addrlist *,
		    unsigned int, struct gpg_keylist *, struct recip *,
		    struct addrlist *);

#endif
