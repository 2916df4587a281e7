/*
 * sign.h - the sign command: a message in, RFC 3156 5 multipart/signed
 * out; and the signing key and passphrase encrypt --sign and the
 * gateway use.
 */
#ifndef MAILSEAL_SIGN_H
#define MAILSEAL_SIGN_H

#include <stdio.h>

#include "gpg.h"
#include "outcome.h"
#include "passfile.h"

struct msg;
struct rfc5322_header;

struct sign_opts {
	const char	*output;	/* NULL: standard output */
	const char	*homedir;	/* NULL: gpg's default */
	int		 usefds;	/* write outfd, not output (the
					 * gateway's nameless files) */
	int		 outfd;		/* the result, written from its start
					 * (emptied first); stays the caller's */
	const char	*signer;	/* --signer: fingerprint or address;
					 * NULL: the From addr-spec */
	const char	*passfile;	/* --passphrase-file, or NULL: the
					 * agent's */
	struct gpg	*gpg;		/* borrowed context, or NULL */
	const char	*lead;		/* a header field written first (after
					 * a From_ line), without its line end;
					 * NULL: none */
	int		 nobcc;		/* leave out Bcc and Resent-Bcc (the
					 * gateway's copies: sent mail), from
					 * a message passed on unchanged too */
	int		 smime;		/* S/MIME (RFC 8551): gpgsm signs with
					 * a certificate; gpg must then be a
					 * CMS context (gpg_open_cms) or NULL */
};

/* sign_msg - sign the message m as multipart/signed; on failure one
 * line on standard error says why, and nothing has been written.  A
 * message that is already signed at its root or encrypted is written
 * unchanged (OUTCOME_OK); one whose root is Content-Transfer-Encoding
 * binary is refused (OUTCOME_DATAERR); no usable signing key or a
 * wrong passphrase is OUTCOME_NOSIGNER. */
enum outcome	sign_msg(struct msg *, const struct sign_opts *);

/* sign_run - the command: the message in the file input (NULL:
 * standard input) through sign_msg */
enum outcome	sign_run(const char *, const struct sign_opts *);

/* sign_entity - S/MIME's signed entity of the message m (the input at
 * its body or anywhere): a multipart/signed Content-Type field, the empty
 * line, the signed part (the Content-* fields, or with protect the
 * protected header (protect.c), and the body), the pkcs7-signature part
 * by signer (from sign_signer on cms, a CMS context), every line end CR
 * LF: the entity encrypt --sign envelops for S/MIME recipients (RFC 8551
 * 3.7).  Into fp; OUTCOME_NOSIGNER or OUTCOME_TEMPFAIL with one line
 * said. */
enum outcome	sign_entity(struct msg *, struct gpg *, const struct gpg_key *,
		    int, FILE *);

/* sign_signer - the secret key that signs: signer (a fingerprint or an
 * address), else the key whose user ID equals the From addr-spec of h;
 * *key points into keys, which the caller frees.  OUTCOME_NOSIGNER
 * (none, or more than one) or OUTCOME_TEMPFAIL with one line said. */
enum outcome	sign_signer(struct gpg *, const struct rfc5322_header *,
		    const char *, struct gpg_keylist *,
		    const struct gpg_key **);

/* sign_passphrase - with path (not NULL), its passphrase into pf and
 * to g's gpg through the loopback pinentry; the caller ends with
 * sign_passphrase_end.  OUTCOME_CONFIG (the file is refused: err says
 * why), OUTCOME_USAGE (g is a CMS context: gpgsm cannot be given one)
 * or OUTCOME_TEMPFAIL. */
enum outcome	sign_passphrase(struct gpg *, const char *, struct passfile *,
		    char *, size_t);
void		sign_passphrase_end(struct gpg *, struct passfile *);

#endif
