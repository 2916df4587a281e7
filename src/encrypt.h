/*
 * encrypt.h - the encrypt command: a message in, PGP/MIME (or S/MIME)
 * out.
 */
#ifndef MAILSEAL_ENCRYPT_H
#define MAILSEAL_ENCRYPT_H

#include "addr.h"
#include "gpg.h"
#include "outcome.h"

struct msg;
struct recip;

struct encrypt_opts {
	const char	*output;	/* NULL: standard output */
	const char	*homedir;	/* NULL: gpg's default */
	int		 usefds;	/* write outfd, not output (the
					 * gateway's nameless files) */
	int		 outfd;		/* the result, written from its start
					 * (emptied first); stays the caller's */
	struct addrlist	 recipients;	/* -r addr-specs; empty: from the header */
	int		 sign;
	const char	*signer;	/* --signer: fingerprint or address */
	const char	*passfile;	/* --passphrase-file: the signing
					 * key's passphrase; NULL: the agent's */
	int		 no_encrypt_to;
	int		 envelope;	/* recipients are the envelope's: only
					 * those named in To or Cc are visible
					 * key IDs, the others are hidden */
	struct gpg	*gpg;		/* borrowed context, or NULL */
	const struct recip *rec;	/* recipients already resolved to keys
					 * (with gpg; the gateway), or NULL;
					 * with smime, to certificates */
	struct gpg	*cms;		/* borrowed gpgsm context, or NULL */
	int		 protect_headers;	/* RFC 9788 header protection:
					 * the original fields inside, the
					 * outer Subject "[...]" */
	int		 wkd;		/* --wkd: look up keys not held */
	int		 smime;		/* --smime: S/MIME (certificates)
					 * only; 0: OpenPGP, or S/MIME when
					 * every recipient without a usable
					 * key has a certificate */
	const char	*lead;		/* a header field written first (after
					 * a From_ line), without its line end;
					 * NULL: none */
};

/* encrypt_msg - encrypt the message m; on failure one line on standard
 * error says why, and nothing has been written.  A message that is
 * already encrypted is written unchanged (OUTCOME_OK). */
enum outcome	encrypt_msg(struct msg *, const struct encrypt_opts *);

/* encrypt_run - the command: the message in the file input (NULL:
 * standard input) through encrypt_msg */
enum outcome	encrypt_run(const char *, const struct encrypt_opts *);

#endif
