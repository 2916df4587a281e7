/*
 * gateway.h - the gateway's work on one message: a decision per
 * envelope recipient (policy, key, action and why), the copies, and
 * their hand-off.
 *
 * The configuration (mailseal.conf, the policy map, the trust checks)
 * is loaded once into a struct gateway and passed to every message, so
 * a long-lived process (smtpd) calls gateway_message per message; no
 * state of one message outlives its call.
 */
#ifndef MAILSEAL_GATEWAY_H
#define MAILSEAL_GATEWAY_H

#include <stddef.h>

#include "conf.h"
#include "outcome.h"
#include "policy.h"

struct msg;

#define GATEWAY_MARKER		"X-Mailseal-Gateway"
#define GATEWAY_QIDLEN		64	/* a queue ID, ours or the MTA's */

struct gateway {
	struct config		 cfg;
	struct policy_map	 map;
	char			*path;	/* of mailseal.conf */
};

/* One message's envelope, as the MTA gave it. */
struct envelope {
	const char	*sender;	/* NULL: none given; "" or "<>": null */
	const char	*queueid;	/* the MTA's, or NULL */
	char *const	*rcpts;
	size_t		 nrcpts;
};

/*
 * Where the results go.  give hands the copy in the file fd (read from
 * offset 0) to the next hop for the recipients; 0 once the next hop
 * has it, else -1 with err saying why.  qid is the queue ID the next
 * hop gave it, when it says (an SMTP hop does; sendmail(1) does not).
 * one_copy: the hop takes a single message, whoever it is for.
 */
struct handoff {
	const char	*name;
	int		 one_copy;
	int		(*give)(struct handoff *, const char *, char *const *,
			    size_t, int, char *, size_t);
	const char	*program;		/* handoff_sendmail's */
	char		 qid[GATEWAY_QIDLEN];
};

/* gateway_load - mailseal.conf at path (NULL: the default), the policy
 * map, the recipient delimiters and the trust checks (mailseal.conf(5),
 * "Files and their owners"); OUTCOME_OK, or OUTCOME_CONFIG with err
 * saying why (the caller prints it) */
enum outcome	gateway_load(struct gateway *, const char *, char *, size_t);
void		gateway_free(struct gateway *);

/* gateway_message - decide, make the copies and hand them off; one log
 * line says what became of the message (decisions first) */
enum outcome	gateway_message(const struct gateway *, struct msg *,
		    const struct envelope *, struct handoff *);

/* gateway_check - --check: the configuration, the hand-off program,
 * the signer, the keys and each recipient's decision, on standard
 * output; OUTCOME_NOUSER when a recipient would be refused, or
 * OUTCOME_CONFIG when the gateway cannot work */
enum outcome	gateway_check(const struct gateway *, const struct envelope *);

/* handoff_sendmail, handoff_stdout - the two hops of the filter command:
 * "sendmail -G -i -f SENDER -- RCPTS", or standard output */
void		handoff_sendmail(struct handoff *, const char *);
void		handoff_stdout(struct handoff *);

#endif
