/*
 * verdict.c - what decrypt tells the reader, and nothing it cannot vouch
 * for.
 *
 * A signature is "good" only when it verifies, was made by a key that
 * has a valid user ID whose addr-spec equals the From addr-spec exactly
 * (ignoring case), and that user ID's validity is full or ultimate; a
 * display name, a second From, or a user ID that merely contains the
 * address never makes it good.  Which signatures count at all (only one
 * over the whole message root) is decided by the caller.  A certificate
 * (S/MIME) is judged the same way: its email addresses are its user
 * IDs, a chain valid to a root of trustlist.txt is full validity, and
 * one without such a chain is never better than good-untrusted.
 */
#include <config.h>

#include <stddef.h>

#include "addr.h"
#include "rfc5322.h"
#include "verdict.h"

/* verdict_signature - see verdict.h */
enum verdict_sig
verdict_signature(const struct gpg_sig *sig, const struct gpg_key *key,
    const char *from)
{
	size_t i;

	switch (sig->status) {
	case GPG_SIG_BAD:
		return VERDICT_SIG_BAD;
	case GPG_SIG_NOKEY:
		return VERDICT_SIG_UNKNOWN_KEY;
	case GPG_SIG_VALID:
	case GPG_SIG_EXPIRED:
		break;
	}
	if (key == NULL)
		return VERDICT_SIG_UNKNOWN_KEY;
	if (from == NULL)
		return VERDICT_SIG_MISMATCH;
	for (i = 0; i < key->nuids; i++) {
		if (!addr_equal(key->uids[i], from))
			continue;
		if (sig->status == GPG_SIG_VALID && key->usable &&
		    key->uidfull != NULL && key->uidfull[i] &&
		    !(key->x509 && key->untrusted))
			return VERDICT_SIG_GOOD;
		return VERDICT_SIG_GOOD_UNTRUSTED;
	}
	return VERDICT_SIG_MISMATCH;
}

/* verdict_worse - see verdict.h */
enum verdict_sig
verdict_worse(enum verdict_sig a, enum verdict_sig b)
{
	return a > b ? a : b;
}

/* verdict_sig_name - the header's first token */
const char *
verdict_sig_name(enum verdict_sig v)
{
	switch (v) {
	case VERDICT_SIG_NONE:
		return "none";
	case VERDICT_SIG_GOOD:
		return "good";
	case VERDICT_SIG_GOOD_UNTRUSTED:
		return "good-untrusted";
	case VERDICT_SIG_MISMATCH:
		return "mismatch";
	case VERDICT_SIG_UNKNOWN_KEY:
		return "unknown-key";
	case VERDICT_SIG_BAD:
		return "bad";
	}
	return "bad";
}

/* verdict_is_ours - see verdict.h */
int
verdict_is_ours(const struct rfc5322_field *f)
{
	return rfc5322_is(f, VERDICT_DECRYPTION) ||
	    rfc5322_is(f, VERDICT_SIGNATURE);
}

/* verdict_dec_reason - see verdict.h */
const char *
verdict_dec_reason(enum gpg_dec d)
{
	switch (d) {
	case GPG_DEC_OK:
		return NULL;
	case GPG_DEC_NOSECKEY:
		return "no-secret-key";
	case GPG_DEC_INTEGRITY:
		return "integrity";
	case GPG_DEC_BADDATA:
		return "bad-data";
	case GPG_DEC_TOOBIG:
		return "too-large";
	case GPG_DEC_PASSPHRASE:
		return "passphrase";
	case GPG_DEC_TOOMANYSIGS:
		return "too-many-signatures";
	case GPG_DEC_TOOCOSTLY:
		return "too-costly";
	}
	return "bad-data";
}
