/*
 * smime.h - RFC 8551 S/MIME: what we write.  The enveloped message
 * (application/pkcs7-mime; smime-type=enveloped-data) and the signature
 * part of a multipart/signed (application/pkcs7-signature), each the
 * DER gpgsm made, in base64 lines of 76 characters with the message's
 * own line ends.
 */
#ifndef MAILSEAL_SMIME_H
#define MAILSEAL_SMIME_H

#include <sys/types.h>
#include <stdio.h>

#include "cte.h"

struct input;
struct msg;
struct rfc5322_header;

/* smime_write_head - the outer fields (pgpmime_is_outer: every field
 * but Content-*, Bcc, Resent-Bcc and our verdicts, exact bytes, in
 * their order), MIME-Version if missing, then the enveloped-data
 * Content-Type, Content-Transfer-Encoding and Content-Disposition and
 * the empty line; h's From_ line, if any, first.  Returns 0 or -1. */
int	smime_write_head(FILE *, const struct rfc5322_header *);

/*
 * A walk through BER (DER, or gpgsm's indefinite lengths), fed as it
 * comes: is it one whole element?  A definite length says where its
 * element ends, and is skipped; an indefinite one is entered, up to
 * LIMIT_SMIME_BER_DEPTH deep, and ends with its end-of-contents.  The
 * first element must be a SEQUENCE (ContentInfo); anything after the
 * end is too much.
 */
enum smime_ber_state { SMIME_BER_TAG = 0, SMIME_BER_TAGMORE, SMIME_BER_LEN,
	SMIME_BER_LENMORE, SMIME_BER_SKIP, SMIME_BER_DONE, SMIME_BER_BAD };
struct smime_ber {
	enum smime_ber_state	 state;	/* zeroed: at the start */
	int			 started;
	size_t			 depth;	/* indefinite elements open */
	unsigned char		 tag;	/* the tag's first byte */
	size_t			 nlen;	/* length bytes to come */
	unsigned long long	 len;	/* or content bytes to skip */
};

/* smime_ber_feed - n more bytes of the BER */
void	smime_ber_feed(struct smime_ber *, const unsigned char *, size_t);

/* smime_ber_whole - the n bytes are one whole BER SEQUENCE, no more */
int	smime_ber_whole(const unsigned char *, size_t);

/*
 * The DER gpgsm writes, as base64 to the output.  It is walked as it
 * comes (smime_ber_feed) to know that it is whole: gpgsm cut off
 * half-way must never look like a message.
 */
struct smime_sink {
	FILE			*fp;
	struct cte_encoder	 enc;
	int			 err;	/* errno of a failed write, or 0 */
	struct smime_ber	 ber;
};

/* smime_sink_init - a sink writing to fp; crlf: lines end in CR LF */
void	smime_sink_init(struct smime_sink *, FILE *, int);

/* smime_sink_write - GPGME's write callback: DER in, base64 out */
ssize_t	smime_sink_write(void *, const void *, size_t);

/* smime_sink_finish - the last base64 group and the line end; 0 or -1 */
int	smime_sink_finish(struct smime_sink *);

/* smime_der_complete - n bytes of DER (or BER, as gpgsm writes
 * indefinite lengths) that begin with head and end with tail (2 bytes)
 * are one whole SEQUENCE: a definite length that accounts for every
 * byte, or an indefinite one that ends with its end-of-contents */
int	smime_der_complete(const unsigned char *, size_t, unsigned long long,
	    const unsigned char *);

/* smime_sink_complete - what the sink was given is one whole SEQUENCE
 * (smime_ber_feed), nothing after it */
int	smime_sink_complete(const struct smime_sink *);

/* smime_write_sig - the signature part of a multipart/signed: its
 * delimiter (boundary b), fields, the DER signature (len bytes) in
 * base64, the closing delimiter; crlf: the message's line ends.  The
 * signed part before it must end with its line end.  0 or -1. */
int	smime_write_sig(FILE *, const char *, const unsigned char *, size_t,
	    int);

/* smime_body_whole - an S/MIME root classify.c took for enveloped or
 * signed-data (its first bytes are that) is that all through: its body
 * from bodyoff is base64 and line ends alone, decoded the same by every
 * reader, and one whole BER element (smime_ber_whole) with nothing
 * after it.  1 yes, 0 no (encrypt or sign it), -1 read error. */
int	smime_body_whole(struct input *, off_t);

/* smime_sealed - the classified message m (msg_classify) is encrypted
 * already (1): passed on as it is, by encrypt_msg and the gateway.  An
 * S/MIME root whose first bytes are EnvelopedData's must be that all
 * through (smime_body_whole), else text after them would go out in
 * clear (0: encrypt it).  -1: cannot read it. */
int	smime_sealed(struct msg *);

#endif
