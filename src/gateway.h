/*
 * gateway.h - the gateway's work on one message: a decision per
 * envelope recipient (policy, key, action and why), the copies, and
 * their hand-off.
 *
 * The configuration (mailseal.conf, the policy map, the trust checks)
 * is loaded once into a struct gateway and passed to every message, so
 * a long-lived process (smtpd) calls gateway_message per message; no
 * state of one message outlives its call, and the GnuPG context the
 * gateway keeps is opened once.
 */
#ifndef MAILSEAL_GATEWAY_H
#define MAILSEAL_GATEWAY_H

#include <stddef.h>

#include "conf.h"
#include "handoff.h"
#include "outcome.h"
#include "policy.h"

struct gpg;
struct handoff;
struct keycache;
struct msg;

#define GATEWAY_MARKER		"X-Mailseal-Gateway"

/* The downstream queue IDs of one message's copies, in the order they
 * were handed over: the encrypted copies (the one for the recipients
 * the header names first, then one per hidden recipient), then the
 * clear copy; "" where the next hop named none (sendmail(1)). */
struct gateway_qids {
	char			(*v)[HANDOFF_QIDLEN];
	size_t			 n;
	size_t			 nenc;	/* the first nenc are encrypted */
};

/* gateway_qids_free - forget the queue IDs (they may be freed twice) */
void		gateway_qids_free(struct gateway_qids *);

struct gateway {
	struct config		 cfg;
	struct policy_map	 map;
	struct policy_map	 signers;	/* signer_map (gwsign.c) */
	char			*path;	/* of mailseal.conf */
	struct gpg		*gpg;	/* opened on the first message that
					 * needs gpg, kept for the next ones */
	struct keycache		*keys;	/* NULL: a pattern listing per
					 * message (filter); else every key
					 * of the home, listed once and again
					 * only when the keyring changed or a
					 * key expired (keycache.h; smtpd) */
	struct gpg		*cms;	/* gpgsm's (S/MIME), opened on the
					 * first message that needs a
					 * certificate, kept */
	struct keycache		*certs;	/* the same for certificates
					 * (keycache_new_cms; smtpd) */
	struct gateway_qids	 qids;	/* the last message's */
};

/* One message's envelope, as the MTA gave it. */
struct envelope {
	const char	*sender;	/* NULL: none given; "" or "<>": null */
	const char	*queueid;	/* the MTA's, or NULL */
	char *const	*rcpts;
	size_t		 nrcpts;
};

/* gateway_load - mailseal.conf at path (NULL: the default), the policy
 * map, the recipient delimiters and the trust checks (mailseal.conf(5),
 * "Files and their owners"); OUTCOME_OK, or OUTCOME_CONFIG with err
 * saying why (the caller prints it) */
enum outcome	gateway_load(struct gateway *, const char *, char *, size_t);
void		gateway_free(struct gateway *);

/* gateway_message - decide, make the copies and hand them off; one log
 * line says what became of the message (decisions first) */
enum outcome	gateway_message(struct gateway *, struct msg *,
		    const struct envelope *, struct handoff *);

/* gateway_prepare - for a long-lived process (smtpd), before it forks
 * its workers: open the GnuPG context (one gpg --version for the
 * server's life) and list every key of the home once into the key
 * cache, which every later decision uses (gpg runs again only when a
 * keyring file changed or a listed key expired); OUTCOME_OK, or
 * OUTCOME_TEMPFAIL with err saying why (the caller prints it) */
enum outcome	gateway_prepare(struct gateway *, char *, size_t);

/* gateway_rcpt - RCPT time: may addr be a recipient?  OUTCOME_OK (a
 * usable key, or a policy that lets it have clear text),
 * OUTCOME_NOUSER with why (recip_reason_text: "no key for the
 * address", "key ... expired on ...") for a require recipient without
 * a usable key, OUTCOME_TEMPFAIL when the keys cannot be listed,
 * OUTCOME_USAGE when addr is no address */
enum outcome	gateway_rcpt(struct gateway *, const char *, char *, size_t);

/* gateway_check - --check: the configuration, the hand-off's program
 * (when it has one), the signer, the keys and each recipient's
 * decision, on standard output; OUTCOME_NOUSER when a recipient would
 * be refused, or OUTCOME_CONFIG when the gateway cannot work */
enum outcome	gateway_check(struct gateway *, const struct envelope *,
		    const struct handoff *);

#endif
