/*
 * gwsign.h - the gateway's signing (mailseal.conf(5) sign, signer,
 * signer_map, passphrase_file): which key signs a message's copies, and
 * the clear copy made multipart/signed.
 */
#ifndef MAILSEAL_GWSIGN_H
#define MAILSEAL_GWSIGN_H

#include <stddef.h>

#include "outcome.h"

struct gateway;
struct msg;
struct rfc5322_header;

/* gwsign_load - at gateway_load: the signer_map read and checked
 * (owner, mode: as the policy map), the passphrase file checked (ours,
 * mode 0600); -1 with err saying why (exit 78) */
int		 gwsign_load(struct gateway *, char *, size_t);
void		 gwsign_free(struct gateway *);

/* gwsign_signer - the key that signs the copies of the message with
 * header h and envelope sender sender (NULL: not given): the
 * signer_map entry of its From addr-spec (the address, then the
 * address without its tag, its domain, a .parent) when the envelope
 * sender finds that same entry, else the signer; NULL: none (a line
 * says why) */
const char	*gwsign_signer(const struct gateway *,
		    const struct rfc5322_header *, const char *);

/* gwsign_plain - sign = yes: the copy for the recipients who get clear
 * text, signed by signer (gwsign_signer) as multipart/signed (sign_msg),
 * with the field lead first, into the empty nameless file fd.
 * OUTCOME_OK, or why not: a signer that cannot sign defers
 * (OUTCOME_TEMPFAIL), never an unsigned copy; a bad passphrase file is
 * OUTCOME_CONFIG; Content-Transfer-Encoding binary OUTCOME_DATAERR. */
enum outcome	 gwsign_plain(struct gateway *, struct msg *, const char *,
		    const char *, int);

#endif
