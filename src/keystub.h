/*
 * keystub.h - TEMPORARY: the interface the keys helper (branch
 * fix-keys) lands in recip.h, keys.h and gpghome.h, so the gateway
 * builds before it lands.  Removed when main has it.
 */
#ifndef MAILSEAL_KEYSTUB_H
#define MAILSEAL_KEYSTUB_H

#include <stddef.h>

#include "gpg.h"
#include "outcome.h"

enum recip_why {
	RECIP_USABLE,
	RECIP_NOKEY,
	RECIP_EXPIRED,
	RECIP_REVOKED,
	RECIP_NOENCRYPT,
	RECIP_DISABLED,
	RECIP_INVALID
};

struct recip_reason {
	enum recip_why	why;
	char		fpr[64];
	long long	expires;
};

void		 recip_explain(const char *, const struct gpg_keylist *,
		    struct recip_reason *);
const char	*recip_reason_text(const struct recip_reason *, char *, size_t);
const char	*recip_why_name(enum recip_why);
enum outcome	 keys_signer_check(struct gpg *, const char *, char *, size_t);
int		 gpghome_keyring_empty(const char *);

#endif
