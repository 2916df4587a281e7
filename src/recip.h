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

/* Why an address has no usable key, or that it has one. */
enum recip_why {
	RECIP_USABLE,		/* a key encrypts */
	RECIP_NOKEY,		/* no key with a valid user ID for it */
	RECIP_EXPIRED,		/* the key (or its encryption subkey) expired */
	RECIP_REVOKED,
	RECIP_NOENCRYPT,	/* no encryption subkey valid now */
	RECIP_DISABLED,
	RECIP_INVALID,
	RECIP_UNSUPPORTED,	/* its encryption subkey's algorithm is one
				 * gpg cannot use; fpr "": the key WKD
				 * served is one gpg cannot read (v6) */
	/* certificates (x509) alone: */
	RECIP_UNTRUSTED,	/* no valid chain to a trusted root */
	RECIP_KEYUSAGE,		/* its key usage does not allow encryption */
	RECIP_NOEMAIL		/* it names no email address */
};

struct recip_reason {
	enum recip_why	why;
	char		fpr[64];	/* the key it is about; "" for NOKEY */
	long long	expires;	/* EXPIRED: when; USABLE: when it
					 * will (0: never) */
	int		x509;		/* fpr is a certificate's */
	long long	notbefore;	/* EXPIRED certificate not valid
					 * yet: from when (0: it expired) */
};

/* recip_explain - why addr (matched as recip_resolve() does: canonical
 * spelling, then without its +tag) has no usable key in the listing, or
 * RECIP_USABLE with the key recip_resolve() takes first.  Among several
 * unusable keys the newest (latest creation; then the one usable
 * latest) is the one explained. */
void	recip_explain(const char *, const struct gpg_keylist *,
	    struct recip_reason *);

/* recip_reason_text - the reason in words, e.g. "key FPR expired on
 * 2026-01-01" (UTC), or "certificate FPR ..." for a certificate, into
 * buf; returns buf */
const char	*recip_reason_text(const struct recip_reason *, char *, size_t);

/* recip_why_name - a token for logs: "no-key", "expired", ... */
const char	*recip_why_name(enum recip_why);

/*
 * An index of one listing, built once (recip_index_new: every user ID
 * canonicalised once, sorted) so that each address costs a binary
 * search, not a pass over every key: `mailseal keys` asks about every
 * address of a keyring of LIMIT_KEYS keys.  The listing must outlive
 * the index and stay unchanged.  recip_resolve() and recip_explain()
 * build one for the call; a caller with several calls on one listing
 * builds it once and uses the _ix variants, which answer the same.
 */
struct recip_index;

struct recip_index	*recip_index_new(const struct gpg_keylist *);
void	recip_index_free(struct recip_index *);
void	recip_resolve_ix(const struct addrlist *, struct recip_index *,
	    struct recip *);
void	recip_explain_ix(const char *, const struct recip_index *,
	    struct recip_reason *);

/* recip_index_key - the first key of the listing whose fingerprint is
 * fpr (exactly), or NULL */
const struct gpg_key	*recip_index_key(const struct recip_index *,
			    const char *);

/* recip_index_addrs - every valid addr-spec of a user ID in the
 * listing, canonical, each once, in byte order, added to out */
void	recip_index_addrs(const struct recip_index *, struct addrlist *);

int	recip_key_can_encrypt(const struct gpg_key *);
void	recip_free(struct recip *);

#endif
