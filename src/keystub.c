/*
 * keystub.c - TEMPORARY stand-ins for the keys helper's functions
 * (keystub.h); they only tell "no key" from "some key".
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "keystub.h"
#include "recip.h"

/* recip_explain - stand-in */
void
recip_explain(const char *addr, const struct gpg_keylist *keys,
    struct recip_reason *r)
{
	size_t i, k;

	memset(r, 0, sizeof *r);
	r->why = RECIP_NOKEY;
	for (i = 0; i < keys->n; i++)
		for (k = 0; k < keys->v[i].nuids; k++)
			if (addr_equal(keys->v[i].uids[k], addr)) {
				r->why = RECIP_INVALID;
				(void)snprintf(r->fpr, sizeof r->fpr, "%s",
				    keys->v[i].fpr);
			}
}

/* recip_reason_text - stand-in */
const char *
recip_reason_text(const struct recip_reason *r, char *buf, size_t n)
{
	if (r->why == RECIP_NOKEY)
		(void)snprintf(buf, n, "no key for the address");
	else
		(void)snprintf(buf, n, "key %s is invalid", r->fpr);
	return buf;
}

/* recip_why_name - stand-in */
const char *
recip_why_name(enum recip_why w)
{
	static const char *const names[] = { "usable", "no-key", "expired",
	    "revoked", "no-encryption-subkey", "disabled", "invalid" };

	return (size_t)w < sizeof names / sizeof names[0] ? names[w] : "?";
}

/* keys_signer_check - stand-in */
enum outcome
keys_signer_check(struct gpg *g, const char *signer, char *why, size_t n)
{
	(void)g;
	(void)signer;
	(void)why;
	(void)n;
	return OUTCOME_OK;
}

/* gpghome_keyring_empty - stand-in */
int
gpghome_keyring_empty(const char *home)
{
	(void)home;
	return 0;
}
