/*
 * classify.h - is a message already encrypted?
 */
#ifndef MAILSEAL_CLASSIFY_H
#define MAILSEAL_CLASSIFY_H

struct input;
struct rfc5322_header;

enum classify_kind {
	CLASSIFY_PLAIN,		/* not encrypted (may be signed) */
	CLASSIFY_PGPMIME,	/* multipart/encrypted */
	CLASSIFY_INLINE,	/* text/plain that is one PGP MESSAGE block */
	CLASSIFY_SMIME,		/* application/pkcs7-mime enveloped data */
	CLASSIFY_SIGNED,	/* multipart/signed, RFC 3156 5 (not encrypted) */
	CLASSIFY_CLEARSIGNED,	/* text/plain that is one clear-signed block */
	CLASSIFY_MANGLED,	/* multipart/encrypted as Exchange rewrites it */
	CLASSIFY_BROKEN,	/* the RFC 3156 structure, or a text/plain
				 * body's armored block, around data that is
				 * no encrypted message: not encrypted for
				 * encrypt, damaged for decrypt */
	CLASSIFY_SMIME_SIGNED,	/* multipart/signed with an S/MIME
				 * signature part (RFC 8551 3.5.3) */
	CLASSIFY_SMIME_OPAQUE	/* application/pkcs7-mime signed-data
				 * (RFC 8551 3.5.2): the content inside */
};

#include <sys/types.h>

#include "mime.h"

/* a span's len when it runs to the end of the input */
#define CLASSIFY_TO_END	((off_t)(((unsigned long long)1 << \
	(sizeof(off_t) * 8 - 1)) - 1))

/* Where the encrypted data of an encrypted message is: the body of the
 * PGP/MIME second part, or the inline body, in the transfer encoding
 * cte; for CLASSIFY_SIGNED the signed part and the signature. */
struct classify_span {
	off_t		 off;
	off_t		 len;
	enum mime_cte	 cte;
	off_t		 sigoff;	/* CLASSIFY_SIGNED: the signature part; */
	off_t		 siglen;	/* off/len are then the signed part */
	enum mime_cte	 sigcte;	/* CLASSIFY_SMIME_SIGNED: its encoding */
	unsigned long	 esk;		/* encrypted: session key packets, */
	unsigned long	 anon;		/* anonymous ones among them */
};

/* classify_message - look at the root Content-Type and, for a text
 * root, the decoded body; span (may be NULL) says where the encrypted
 * data is, for every kind but CLASSIFY_PLAIN (CLASSIFY_SMIME and
 * CLASSIFY_SMIME_OPAQUE: the base64 body, its len running to the end
 * of the input).  The input position is undefined afterwards.  Returns
 * -1 on a read error (errno set). */
int		 classify_message(const struct rfc5322_header *, struct input *,
		    enum classify_kind *, struct classify_span *);
const char	*classify_name(enum classify_kind);

/* classify_body - is the text from off to the end, in transfer encoding
 * cte, one armored block?  CLASSIFY_INLINE, CLASSIFY_CLEARSIGNED (with
 * the span) or CLASSIFY_PLAIN; -1 on a read error */
int		 classify_body(struct input *, off_t, enum mime_cte,
		    enum classify_kind *, struct classify_span *);

/* classify_cms - does the text at off, in transfer encoding cte, start
 * as CMS EnvelopedData (*what 1), SignedData (2), AuthEnvelopedData
 * (3), or none of them (0)?  0, or -1 on a read error */
int		 classify_cms(struct input *, off_t, enum mime_cte, int *);

/* classify_encrypted - the kind is an encrypted message */
int		 classify_encrypted(enum classify_kind);

/* classify_signed - the kind is a message signed at its root (and not
 * encrypted): OpenPGP or S/MIME */
int		 classify_signed(enum classify_kind);

#endif
