/*
 * keys.h - the keys mailseal would use, seen from the operator's side:
 * the `mailseal keys` command and the signing key check of --check.
 */
#ifndef MAILSEAL_KEYS_H
#define MAILSEAL_KEYS_H

#include <stddef.h>

#include "outcome.h"

struct gpg;

/* keys_signer_check - resolve signer (a fingerprint, or an address
 * matched exactly: encrypt --sign --signer's rules) and make one small
 * signature with it.  OUTCOME_OK; OUTCOME_NOSIGNER with why (no such
 * key, several, expired, revoked, no secret part, gpg refused it);
 * OUTCOME_TEMPFAIL with why when gpg itself failed. */
enum outcome	keys_signer_check(struct gpg *, const char *, char *, size_t);

#endif
