/*
 * keys.c - the keys mailseal would use, as the operator asks about
 * them: can the configured signer sign.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gpg.h"
#include "keys.h"
#include "limit.h"
#include "recip.h"

static enum outcome	keys_signer_find(struct gpg *, const char *,
			    struct gpg_keylist *, const struct gpg_key **,
			    char *, size_t);
static void		keys_signer_why(const char *,
			    const struct gpg_keylist *, char *, size_t);

/*
 * keys_signer_why - why no key of the listing can sign for who: the
 * newest key that names it, as recip_explain() judges keys, or none
 */
static void
keys_signer_why(const char *who, const struct gpg_keylist *keys, char *why,
    size_t whysz)
{
	const struct gpg_key *k = NULL;
	struct recip_reason r;
	char text[GPG_ERRLEN];
	size_t i;

	for (i = 0; k == NULL && i < keys->n; i++)
		if (strcasecmp(keys->v[i].fpr, who) == 0)
			k = &keys->v[i];
	if (k == NULL && strchr(who, '@') != NULL) {
		recip_explain(who, keys, &r);
		if (r.why == RECIP_NOKEY || r.why == RECIP_USABLE) {
			snprintf(why, whysz, "signer %.200s: %s", who, r.why ==
			    RECIP_NOKEY ? "no key for the address" :
			    "the key cannot sign");
			return;
		}
		snprintf(why, whysz, "signer %.200s: %s", who,
		    recip_reason_text(&r, text, sizeof text));
		return;
	}
	if (k == NULL)
		snprintf(why, whysz, "signer %.200s: no such key", who);
	else if (k->usable)
		snprintf(why, whysz, "signer %.200s: key %s cannot sign", who,
		    k->fpr);
	else
		snprintf(why, whysz, "signer %.200s: key %s is %s", who, k->fpr,
		    k->revoked ? "revoked" : k->expired ? "expired" :
		    k->disabled ? "disabled" : "invalid");
}

/*
 * keys_signer_find - the one usable signing key of who, with its secret
 * part when gpg lists one; else the public key, so that the signature
 * tells "no secret key" from a gpg-agent that could not be reached, as
 * encrypt --sign does
 */
static enum outcome
keys_signer_find(struct gpg *g, const char *who, struct gpg_keylist *keys,
    const struct gpg_key **key, char *why, size_t whysz)
{
	char pat[LIMIT_PAT], *pats[1] = { pat };
	enum gpg_status st;
	int n, secret;

	n = snprintf(pat, sizeof pat, "%s%s",
	    strchr(who, '@') != NULL ? "*" : "", who);
	if (n < 0 || (size_t)n >= sizeof pat) {
		snprintf(why, whysz, "signer: too long");
		return OUTCOME_NOSIGNER;
	}
	for (secret = 1; secret >= 0; secret--) {
		st = gpg_keylist(g, pats, 1, secret, keys, why, whysz);
		if (st != GPG_OK)
			return OUTCOME_TEMPFAIL;
		if ((n = recip_signer(who, keys, secret, key)) > 1) {
			snprintf(why, whysz, "signer %.200s: %d keys can "
			    "sign, name one by its fingerprint", who, n);
			gpg_keylist_free(keys);
			return OUTCOME_NOSIGNER;
		}
		if (n == 1)
			return OUTCOME_OK;
		if (secret == 0)
			keys_signer_why(who, keys, why, whysz);
		gpg_keylist_free(keys);
	}
	return OUTCOME_NOSIGNER;
}

/* keys_signer_check - see keys.h */
enum outcome
keys_signer_check(struct gpg *g, const char *signer, char *why, size_t whysz)
{
	struct gpg_keylist keys;
	const struct gpg_key *k;
	enum outcome o;

	if ((o = keys_signer_find(g, signer, &keys, &k, why, whysz)) !=
	    OUTCOME_OK)
		return o;
	switch (gpg_sign_check(g, k, why, whysz)) {
	case GPG_OK:
		o = OUTCOME_OK;
		break;
	case GPG_NOSECKEY:
		o = OUTCOME_NOSIGNER;
		break;
	default:
		o = OUTCOME_TEMPFAIL;
		break;
	}
	gpg_keylist_free(&keys);
	return o;
}
