/*
 * rfc3156.h - the RFC 3156 structure of a multipart root (rfc3156.c),
 * for classify.c.
 */
#ifndef MAILSEAL_RFC3156_H
#define MAILSEAL_RFC3156_H

#include <sys/types.h>

struct classify_span;
struct input;

/* what the multipart root claims to be */
enum {
	RFC3156_ENCRYPTED,	/* multipart/encrypted, RFC 3156 4 */
	RFC3156_SIGNED,		/* multipart/signed, RFC 3156 5 */
	RFC3156_MANGLED,	/* multipart/mixed as Exchange rewrites 4 */
	RFC3156_SMIME		/* multipart/signed, RFC 8551 3.5.3: the
				 * signature part application/pkcs7-signature
				 * (or x-pkcs7-signature), base64 or 7bit */
};

/* the modes whose structure is a signed part and its signature */
#define RFC3156_IS_SIGNED(mode) \
	((mode) == RFC3156_SIGNED || (mode) == RFC3156_SMIME)

/* rfc3156_scan - does the body at bodyoff, with this boundary, have
 * the RFC 3156 structure of mode RFC3156_ENCRYPTED or RFC3156_SIGNED,
 * or Exchange's rewrite of an encrypted one (RFC3156_MANGLED), or an
 * S/MIME multipart/signed (RFC3156_SMIME)?  *yes is
 * 1, or 2 for an encrypted mode when only the data part is no
 * encrypted message (damaged, or something else dressed up); span (may
 * be NULL) gets the data part, or the signed part and the signature.
 * 0, or -1 on a read error. */
int	rfc3156_scan(struct input *, off_t, const char *, int, int *,
	    struct classify_span *);

#endif
