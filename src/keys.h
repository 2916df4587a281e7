/*
 * keys.h - the keys mailseal would use, seen from the operator's side:
 * the `mailseal keys` command and the signing key check of --check.
 */
#ifndef MAILSEAL_KEYS_H
#define MAILSEAL_KEYS_H

#include <stddef.h>
#include <stdio.h>

#include "outcome.h"

struct gpg;

/* What `mailseal keys` was asked. */
struct keys_opts {
	const char	 *config;	/* -c FILE; NULL: the default, when
					 * it exists and homedir is NULL */
	const char	 *homedir;	/* --homedir: wins over the file's */
	char *const	 *addrs;	/* as given; none: every user ID */
	size_t		  naddrs;
	int		  expiring;	/* --expiring DAYS, else -1 */
	int		  wkd;		/* --wkd: look up the addresses
					 * without a usable key */
	FILE		 *out;
};

/*
 * keys_run - one line per address and key (key=, OpenPGP) or
 * certificate (cert=, S/MIME) that would be used, or why none would,
 * from one key listing and (unless smime = no) one certificate listing:
 *	ADDR  key=FPR  encrypt=yes  expires=YYYY-MM-DD|never
 *	ADDR  cert=FPR  encrypt=yes  expires=YYYY-MM-DD
 *	ADDR  key=-  encrypt=no  reason=TOKEN  why="TEXT"
 *	ADDR  cert=-  encrypt=no  reason=TOKEN  why="TEXT"
 * An address with both gets the format_preference's; one with neither
 * the key= line, and a cert= line when it has a certificate.  Without
 * addresses, a valid certificate that names no email address is a line
 * of its own, "-  cert=-  ... reason=no-email".
 * OUTCOME_OK; OUTCOME_NOUSER_KEYS when a named address (without names:
 * every user ID and certificate address) has no usable key or
 * certificate; with expiring, only usable ones that expire within that
 * many days, and OUTCOME_EXPIRING when there is one; OUTCOME_USAGE for
 * a bad address, OUTCOME_CONFIG for a bad configuration,
 * OUTCOME_TEMPFAIL when gpg or gpgsm did not answer.
 */
enum outcome	keys_run(const struct keys_opts *);

/* keys_signer_check - resolve signer (a fingerprint, or an address
 * matched exactly: encrypt --sign --signer's rules) and make one small
 * signature with it.  OUTCOME_OK; OUTCOME_NOSIGNER with why (no such
 * key, several, expired, revoked, disabled, no secret part, gpg refused
 * it); OUTCOME_TEMPFAIL with why when gpg itself failed or the key is
 * locked and gpg-agent has no passphrase for it (mail would wait in the
 * queue, as encrypt --sign exits 75 then). */
enum outcome	keys_signer_check(struct gpg *, const char *, char *, size_t);

#endif
