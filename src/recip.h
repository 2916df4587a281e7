/*
 * recip.h - which keys a message is encrypted to.
 */
#ifndef MAILSEAL_RECIP_H
#define MAILSEAL_RECIP_H

#include <stddef.h>

#include "addr.h"
#include "gpg.h"

struct recip_map {
	char	*addr;		/* the recipient as given (+tag kept) */
	char	*fpr;		/* a key it resolved to */
};

struct recip {
	char			**fprs;		/* distinct fingerprints */
	size_t			  nfprs;
	struct recip_map	 *map;		/* address -> key, for logs */
	size_t			  nmap;
	struct addrlist		  missing;	/* addresses without a key */
};

/* recip_patterns - the gpg listing patterns that find every key that
 * could match the addresses: "*ADDR" (an explicit substring search, so
 * no address is read as a key ID or special form) and the same without
 * a +tag.  The matches are then checked exactly by recip_resolve(). */
void	recip_patterns(const struct addrlist *, struct addrlist *);

/* recip_resolve - for each address, every usable encryption key with a
 * valid user ID whose addr-spec equals it, ignoring case; when there is
 * none, the same for the address without its +tag.  Addresses left
 * without a key go to missing. */
void	recip_resolve(const struct addrlist *, const struct gpg_keylist *,
	    struct recip *);

/* recip_signer - how many usable signing keys (with a secret part, if
 * need_secret) have a valid user ID equal to addr or the fingerprint
 * addr; *key is set to the first, or NULL */
int	recip_signer(const char *, const struct gpg_keylist *, int,
	    const struct gpg_key **);

int	recip_key_can_encrypt(const struct gpg_key *);
void	recip_free(struct recip *);

#endif
