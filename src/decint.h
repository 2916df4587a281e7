/*
 * decint.h - what decrypt.c shares with smimedec.c (its S/MIME side):
 * one message's decryption job and the steps both take on a plaintext.
 * Private to the two.
 */
#ifndef MAILSEAL_DECINT_H
#define MAILSEAL_DECINT_H

#include <sys/types.h>

#include "body.h"
#include "classify.h"
#include "gpg.h"
#include "protect.h"
#include "rfc5322.h"
#include "verify.h"

struct decrypt_opts;
struct input;
struct output;

/* What the output's header is made of. */
enum decrypt_head {
	HEAD_ALL,	/* every outer field: the body is the original */
	HEAD_ENTITY,	/* no Content-*: the decrypted entity brings its own */
	HEAD_TEXT	/* no Content-Transfer-Encoding: inline plaintext */
};

enum decrypt_result {
	DECRYPT_OK,		/* a message with verdicts was written */
	DECRYPT_DATAERR,	/* not a message */
	DECRYPT_TEMPFAIL	/* anything else: try again later */
};

struct decrypt_job {
	const struct decrypt_opts	*opts;
	struct input			*in;
	struct rfc5322_header		 h;
	struct output			*out;
	const char			*dverdict;	/* decryption verdict */
	const char			*reason;	/* when "failed" */
	const char			*dparams;	/* "; format=..." */
	struct verify			 v;		/* signature verdict, and
							 * the GnuPG context */
	struct gpg_decrypt_result	 dres;		/* signatures in it */
	int				 plainfd;	/* the plaintext */
	int				 istext;	/* inline: a body, no entity */
	struct body_shape		 shape;		/* inline: what it needs */
	int				 utf8label;	/* it gets charset=utf-8 */
	struct input			*inner;		/* the plaintext, to read */
	struct rfc5322_header		 ih;		/* its header */
	off_t				 innerbody;	/* its body */
	struct rfc5322_header		 sh;		/* 6.1: the signed part's */
	const struct rfc5322_header	*ph;		/* protected fields */
	enum protect_mode		 phmode;
	int				 ihsigned;	/* a signature of
						 * the whole plaintext
						 * can cover ih */
};

/* decrypt_from - the addr-spec of the one From mailbox, or NULL when
 * there is not exactly one From field holding exactly one mailbox;
 * the caller frees it */
char	*decrypt_from(const struct rfc5322_header *);

/* decrypt_shown_from - the From the output shows: the protected one
 * when the decrypted content replaces the outer From */
char	*decrypt_shown_from(const struct decrypt_job *);

/* decrypt_signed_from - the From a signed-only root's signature (its
 * signed part at span) must match */
char	*decrypt_signed_from(struct decrypt_job *,
	    const struct classify_span *);

/* decrypt_inner_open - j->plainfd becomes j->inner, its header read */
int	decrypt_inner_open(struct decrypt_job *);

/* decrypt_protected - where the decrypted content's protected fields
 * are, for its root of this kind */
int	decrypt_protected(struct decrypt_job *, enum classify_kind,
	    const struct classify_span *);

#endif
