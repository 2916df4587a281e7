/*
 * encrypt.h - the encrypt command: a message in, PGP/MIME out.
 */
#ifndef MAILSEAL_ENCRYPT_H
#define MAILSEAL_ENCRYPT_H

#include "addr.h"
#include "gpg.h"

struct encrypt_opts {
	const char	*input;		/* NULL: standard input */
	const char	*output;	/* NULL: standard output */
	const char	*homedir;	/* NULL: gpg's default */
	int		 usefds;	/* read infd and write outfd, not input
					 * and output (the filter's nameless
					 * files) */
	int		 infd;		/* the message, a seekable file read
					 * from its start; stays the caller's */
	int		 outfd;		/* the result, written from its start
					 * (emptied first); stays the caller's */
	struct addrlist	 recipients;	/* -r addr-specs; empty: from the header */
	int		 sign;
	const char	*signer;	/* --signer: fingerprint or address */
	int		 no_encrypt_to;
	int		 envelope;	/* recipients are the envelope's: only
					 * those named in To or Cc are visible
					 * key IDs, the others are hidden */
	struct gpg	*gpg;		/* borrowed context, or NULL */
	const struct gpg_keylist *keys;	/* a listing already made for the
					 * recipients (with gpg), or NULL */
};

enum encrypt_result {
	ENCRYPT_OK,		/* encrypted and written */
	ENCRYPT_PASSED,		/* already encrypted: written unchanged */
	ENCRYPT_NOINPUT,	/* the input file cannot be opened */
	ENCRYPT_DATAERR,	/* not a message we can process */
	ENCRYPT_NOUSER,		/* a recipient without a usable key */
	ENCRYPT_NOSIGNER,	/* --sign without a usable signing key */
	ENCRYPT_TEMPFAIL	/* anything else: try again later */
};

/* encrypt_run - do the whole job; on failure one line on standard error
 * says why, and nothing has been written */
enum encrypt_result	encrypt_run(const struct encrypt_opts *);

#endif
