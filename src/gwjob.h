/*
 * gwjob.h - one message's state in the gateway, shared by gateway.c
 * (decisions, decryption), gwcopy.c (the copies and their hand-off)
 * and gwlog.c (the log line).  Internal to those files.
 */
#ifndef MAILSEAL_GWJOB_H
#define MAILSEAL_GWJOB_H

#include <stddef.h>

#include "decide.h"
#include "gateway.h"
#include "handoff.h"
#include "limit.h"
#include "outcome.h"

struct msg;

struct gw_job {
	struct gateway		*gw;
	const struct envelope	*env;
	struct handoff		*ho;
	struct msg		*m;		/* what the copies come from */
	struct msg		*dec;		/* decrypt = yes: the result */
	int			 decfd;
	struct decisions	 d;		/* one per recipient */
	char			 id[LIMIT_QUEUE_ID + 1];
	char			*marker;	/* our field(s), no last line end */
	struct gateway_qids	 qids;		/* of the copies handed over */
	const char		*result;
	char			 resbuf[128];	/* a result made up here */
	const char		*signer;	/* gw_signer's, once looked up */
	int			 signer_known;
};

/* gw_log (gwlog.c) - the line per message: the decisions first
 * (Postfix's pipe(8) keeps the first 100 characters of a successful
 * run's output), the sender, our id, the copies' queue IDs, the result */
void		gw_log(const struct gw_job *);

/* gw_encrypt (gateway.c) - the copy for the recipients d.v[idx[0..n-1]]
 * alone, into the nameless file enc: encrypted to their keys, each
 * shown (no hidden key IDs) */
enum outcome	gw_encrypt(struct gw_job *, int, const size_t *, size_t);

/* gw_plain (gateway.c) - the copy for the recipients who get it as it
 * came, as a file in *plain (j->decfd, or a new one the caller closes;
 * with sign = yes signed by the sender's key, gwsign.c); OUTCOME_OK, or
 * why not after one line */
enum outcome	gw_plain(struct gw_job *, int *);

/* gw_copies (gwcopy.c) - make every copy, each a nameless file, then
 * hand them over: one encrypted copy for the recipients the header
 * names, one for each hidden recipient (decide_hidden), one clear */
enum outcome	gw_copies(struct gw_job *);

/* gw_hand (gwcopy.c) - the file fd, for the recipients with action a,
 * to the next hop; its queue ID is added to j->qids (enc: encrypted) */
enum outcome	gw_hand(struct gw_job *, int, enum action, int);

#endif
