/*
 * verdict.h - the verdict headers of decrypt (INTERFACE.md).
 */
#ifndef MAILSEAL_VERDICT_H
#define MAILSEAL_VERDICT_H

#include "gpg.h"

#define VERDICT_DECRYPTION	"X-Mailseal-Decryption"
#define VERDICT_SIGNATURE	"X-Mailseal-Signature"

/* Ordered from best to worst: the verdict of several signatures is the
 * worst of theirs. */
enum verdict_sig {
	VERDICT_SIG_NONE,
	VERDICT_SIG_GOOD,
	VERDICT_SIG_GOOD_UNTRUSTED,
	VERDICT_SIG_MISMATCH,
	VERDICT_SIG_UNKNOWN_KEY,
	VERDICT_SIG_BAD
};

/* verdict_signature - the verdict on one signature.  key is the signing
 * key as listed by its fingerprint (NULL when it could not be found);
 * from is the addr-spec of the message's one From mailbox, or NULL when
 * it does not have exactly one From field with exactly one mailbox. */
enum verdict_sig verdict_signature(const struct gpg_sig *,
		    const struct gpg_key *, const char *);

/* verdict_worse - the worse of two verdicts */
enum verdict_sig verdict_worse(enum verdict_sig, enum verdict_sig);

const char	*verdict_sig_name(enum verdict_sig);

/* verdict_dec_reason - the reason= of a decryption that came to d, or
 * NULL when it succeeded */
const char	*verdict_dec_reason(enum gpg_dec);

/* verdict_is_ours - a field with one of the two verdict names, which
 * is removed from every incoming message */
struct rfc5322_field;
int		 verdict_is_ours(const struct rfc5322_field *);

#endif
