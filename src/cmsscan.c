/*
 * cmsscan.c - a CMS SignedData's certificates and SignerInfos counted in
 * one pass over its DER (or BER), before gpgsm sees it.  gpgsm stores
 * every certificate a signature carries and looks each up, which grows
 * faster than their number: twenty thousand of them (7 MB) kept it past
 * its deadline, a 75 that came back at every retry.  No mailer sends
 * more than a chain (smimedec.c: over LIMIT_CMS_CERTS, or over
 * LIMIT_SIGNATURES SignerInfos, the signature is bad without gpgsm).
 *
 * ContentInfo ::= SEQUENCE { contentType OID, [0] EXPLICIT SignedData }
 * SignedData ::= SEQUENCE { version, digestAlgorithms SET,
 *     encapContentInfo SEQUENCE, certificates [0] IMPLICIT SET OPTIONAL,
 *     crls [1] IMPLICIT SET OPTIONAL, signerInfos SET }
 * Everything else is skipped, an indefinite length by its children up to
 * the end-of-contents, CMSSCAN_DEPTH levels at most.
 *
 * An EnvelopedData's RecipientInfos likewise: gpgsm asks gpg-agent to
 * decrypt every one made out to a key of ours (some 4 ms each), so
 * 35000 copies of one with a wrong key kept it past its deadline.
 * EnvelopedData ::= SEQUENCE { version, originatorInfo [0] IMPLICIT
 *     OPTIONAL, recipientInfos SET, ... } (AuthEnvelopedData alike)
 *
 * Each SignerInfo's signatureAlgorithm is looked at too: gpgsm 2.2.40
 * frees memory twice and dies (SIGABRT, a 75 at every retry) on an
 * RSASSA-PSS signature it rejects, such as OpenSSL's default, whose salt
 * is as long as the key allows.  It verifies PSS with SHA-256, -384 or
 * -512, MGF1 with the same hash and a salt as long as the hash; any
 * other PSS is counted in badalg (smimedec.c: bad, without gpgsm).
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmsscan.h"
#include "limit.h"
#include "xmalloc.h"

#define CMSSCAN_BUF	16384
#define CMSSCAN_ALG	256	/* bytes of a signatureAlgorithm */

/* The DER as it is read. */
struct cmsscan_rd {
	ssize_t		(*read)(void *, void *, size_t);
	void		*cookie;
	unsigned char	 buf[CMSSCAN_BUF];
	size_t		 pos, n;
	uint64_t	 off;		/* bytes taken so far */
	int		 err;		/* the reader failed */
};

/* One element's identifier and length octets. */
struct cmsscan_hdr {
	unsigned int	 tag;		/* first identifier octet */
	int		 indef;		/* indefinite length */
	uint64_t	 len;
	uint64_t	 end;		/* definite: offset past it */
};

static int	cmsscan_byte(struct cmsscan_rd *);
static int	cmsscan_skipn(struct cmsscan_rd *, uint64_t);
static int	cmsscan_hdr(struct cmsscan_rd *, struct cmsscan_hdr *);
static int	cmsscan_skip(struct cmsscan_rd *, const struct cmsscan_hdr *,
		    int);
static int	cmsscan_count(struct cmsscan_rd *, const struct cmsscan_hdr *,
		    unsigned long *, unsigned long, struct cmsscan *);
static int	cmsscan_signer(struct cmsscan_rd *, const struct cmsscan_hdr *,
		    struct cmsscan *);
static int	cmsscan_der(const unsigned char **, size_t *, unsigned int *,
		    const unsigned char **, size_t *);
static int	cmsscan_pss_ok(const unsigned char *, size_t);
static int	cmsscan_expect(struct cmsscan_rd *, struct cmsscan_hdr *,
		    unsigned int);

/* cmsscan_byte - the next byte, or -1 at the end or on an error */
static int
cmsscan_byte(struct cmsscan_rd *r)
{
	ssize_t n;

	if (r->pos == r->n) {
		if (r->err)
			return -1;
		if ((n = r->read(r->cookie, r->buf, sizeof r->buf)) <= 0) {
			r->err = n < 0;
			return -1;
		}
		r->n = (size_t)n;
		r->pos = 0;
	}
	r->off++;
	return r->buf[r->pos++];
}

/* cmsscan_skipn - n bytes passed over: 0, or -1 (the end first) */
static int
cmsscan_skipn(struct cmsscan_rd *r, uint64_t n)
{
	size_t k;

	while (n > 0) {
		if (r->pos == r->n) {
			if (cmsscan_byte(r) == -1)
				return -1;
			n--;
			continue;
		}
		k = r->n - r->pos < n ? r->n - r->pos : (size_t)n;
		r->pos += k;
		r->off += k;
		n -= k;
	}
	return 0;
}

/* cmsscan_hdr - an element's identifier and length: 0, or -1 (cut
 * short, a length past 2^48, an indefinite primitive) */
static int
cmsscan_hdr(struct cmsscan_rd *r, struct cmsscan_hdr *h)
{
	int c, i, nb;

	memset(h, 0, sizeof h[0]);
	if ((c = cmsscan_byte(r)) == -1)
		return -1;
	h->tag = (unsigned int)c;
	if ((c & 0x1f) == 0x1f)		/* high tag number: base 128 */
		do {
			if ((c = cmsscan_byte(r)) == -1)
				return -1;
		} while (c & 0x80);
	if ((c = cmsscan_byte(r)) == -1)
		return -1;
	if (c == 0x80) {
		h->indef = 1;
		return (h->tag & 0x20) ? 0 : -1;
	}
	if (c < 0x80)
		h->len = (uint64_t)c;
	else if ((nb = c & 0x7f) > 6)
		return -1;
	else
		for (i = 0; i < nb; i++) {
			if ((c = cmsscan_byte(r)) == -1)
				return -1;
			h->len = h->len << 8 | (uint64_t)c;
		}
	h->end = r->off + h->len;
	return 0;
}

/* cmsscan_skip - the rest of element h passed over (depth: how deep it
 * is): 0, or -1 */
static int
cmsscan_skip(struct cmsscan_rd *r, const struct cmsscan_hdr *h, int depth)
{
	struct cmsscan_hdr c;

	if (!h->indef)
		return cmsscan_skipn(r, h->len);
	if (depth >= CMSSCAN_DEPTH)
		return -1;
	for (;;) {
		if (cmsscan_hdr(r, &c) == -1)
			return -1;
		if (c.tag == 0 && !c.indef && c.len == 0)
			return 0;	/* end-of-contents */
		if (cmsscan_skip(r, &c, depth + 1) == -1)
			return -1;
	}
}

/* cmsscan_count - the children of h, skipped (SignerInfos looked at
 * when s is given), counted into *n (no further than max + 1): 0, or
 * -1 */
static int
cmsscan_count(struct cmsscan_rd *r, const struct cmsscan_hdr *h,
    unsigned long *n, unsigned long max, struct cmsscan *s)
{
	struct cmsscan_hdr c;

	while (h->indef || r->off < h->end) {
		if (cmsscan_hdr(r, &c) == -1)
			return -1;
		if (h->indef && c.tag == 0 && !c.indef && c.len == 0)
			return 0;
		if (++*n > max)
			return 0;	/* enough said */
		if ((s != NULL ? cmsscan_signer(r, &c, s) :
		    cmsscan_skip(r, &c, 4)) == -1 ||
		    (!h->indef && r->off > h->end))
			return -1;
	}
	return 0;
}

/* cmsscan_signer - one SignerInfo (its header c read): its
 * signatureAlgorithm looked at (cmsscan_pss_ok), the rest skipped: 0,
 * or -1 (not a SignerInfo) */
static int
cmsscan_signer(struct cmsscan_rd *r, const struct cmsscan_hdr *c,
    struct cmsscan *s)
{
	unsigned char alg[CMSSCAN_ALG];
	struct cmsscan_hdr h;
	size_t i;
	int b;

	if (cmsscan_expect(r, &h, 0x02) == -1 || cmsscan_skip(r, &h, 5) ||
	    cmsscan_hdr(r, &h) == -1 || cmsscan_skip(r, &h, 5) ||	/* sid */
	    cmsscan_expect(r, &h, 0x30) == -1 || cmsscan_skip(r, &h, 5) ||
	    cmsscan_hdr(r, &h) == -1 || (h.tag == 0xa0 &&	/* signedAttrs */
	    (cmsscan_skip(r, &h, 5) || cmsscan_hdr(r, &h) == -1)) ||
	    h.tag != 0x30 || h.indef || h.len > sizeof alg)
		return -1;
	for (i = 0; i < h.len; i++) {
		if ((b = cmsscan_byte(r)) == -1)
			return -1;
		alg[i] = (unsigned char)b;
	}
	if (!cmsscan_pss_ok(alg, (size_t)h.len))
		s->badalg++;
	if (c->indef)		/* the rest, to its end-of-contents */
		return cmsscan_skip(r, c, 4);
	return r->off > c->end ? -1 : cmsscan_skipn(r, c->end - r->off);
}

/* cmsscan_der - the DER element at *p (n bytes left) into tag, v and
 * vlen, *p and *n past it: 0, or -1 */
static int
cmsscan_der(const unsigned char **p, size_t *n, unsigned int *tag,
    const unsigned char **v, size_t *vlen)
{
	size_t l, k = 2, i, nb;

	if (*n < 2)
		return -1;
	l = (*p)[1];
	if (l & 0x80) {
		nb = l & 0x7f;
		if (nb == 0 || nb > 2 || *n < 2 + nb)
			return -1;
		for (l = 0, i = 0; i < nb; i++)
			l = l << 8 | (*p)[2 + i];
		k += nb;
	}
	if (l > *n - k)
		return -1;
	*tag = (*p)[0];
	*v = *p + k;
	*vlen = l;
	*p += k + l;
	*n -= k + l;
	return 0;
}

/* cmsscan_pss_ok - the content of an AlgorithmIdentifier (n bytes at p)
 * is no RSASSA-PSS, or PSS as gpgsm verifies it (see above) */
static int
cmsscan_pss_ok(const unsigned char *p, size_t n)
{
	static const unsigned char pss[] = { 0x06, 0x09, 0x2a, 0x86, 0x48,
	    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a }, mgf1[] = { 0x06, 0x09,
	    0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08 }, sha2[] = {
	    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02 };
	const unsigned char *v, *w, *x, *hash = NULL, *mgf = NULL;
	size_t vlen, wlen, xlen, salt = 0, dlen = 0;
	unsigned int tag, t;

	if (n < sizeof pss || memcmp(p, pss, sizeof pss) != 0)
		return 1;
	p += sizeof pss;
	n -= sizeof pss;
	if (cmsscan_der(&p, &n, &tag, &v, &vlen) == -1 || tag != 0x30 || n)
		return 0;
	while (vlen > 0) {
		if (cmsscan_der(&v, &vlen, &tag, &w, &wlen) == -1)
			return 0;
		if (tag == 0xa0 && cmsscan_der(&w, &wlen, &t, &x, &xlen) == 0 &&
		    t == 0x30 && xlen >= sizeof sha2 + 1)
			hash = x;	/* hashAlgorithm { OID, ... } */
		else if (tag == 0xa1 && cmsscan_der(&w, &wlen, &t, &x, &xlen) ==
		    0 && t == 0x30 && xlen >= sizeof mgf1 + 2 + sizeof sha2 + 1 &&
		    memcmp(x, mgf1, sizeof mgf1) == 0)	/* { mgf1, { OID } } */
			mgf = x + sizeof mgf1 + 2;
		else if (tag == 0xa2 && wlen == 3 && w[0] == 0x02 && w[1] == 1)
			salt = w[2];
		else
			return 0;	/* trailerField, or no such form */
	}
	if (hash == NULL || mgf == NULL ||
	    memcmp(hash, sha2, sizeof sha2) != 0 || hash[10] < 1 ||
	    hash[10] > 3 || memcmp(mgf, hash, sizeof sha2 + 1) != 0)
		return 0;
	dlen = hash[10] == 1 ? 32 : hash[10] == 2 ? 48 : 64;
	return salt == dlen;
}

/* cmsscan_expect - the next element's header, which must have this
 * identifier: 0, or -1 */
static int
cmsscan_expect(struct cmsscan_rd *r, struct cmsscan_hdr *h, unsigned int tag)
{
	return cmsscan_hdr(r, h) == -1 || h->tag != tag ? -1 : 0;
}

/* cmsscan_enveloped - see cmsscan.h */
int
cmsscan_enveloped(ssize_t (*rd)(void *, void *, size_t), void *cookie,
    struct cmsscan *s)
{
	struct cmsscan_rd *r;
	struct cmsscan_hdr h;
	int bad, err;

	memset(s, 0, sizeof s[0]);
	r = xcalloc(1, sizeof *r);
	r->read = rd;
	r->cookie = cookie;
	bad = cmsscan_expect(r, &h, 0x30) == -1 ||	/* ContentInfo */
	    cmsscan_expect(r, &h, 0x06) == -1 || cmsscan_skip(r, &h, 1) ||
	    cmsscan_expect(r, &h, 0xa0) == -1 ||
	    cmsscan_expect(r, &h, 0x30) == -1 ||	/* EnvelopedData */
	    cmsscan_expect(r, &h, 0x02) == -1 || cmsscan_skip(r, &h, 3) ||
	    cmsscan_hdr(r, &h) == -1;
	if (!bad && h.tag == 0xa0)			/* originatorInfo */
		bad = cmsscan_skip(r, &h, 3) || cmsscan_hdr(r, &h);
	if (!bad)
		bad = h.tag != 0x31 || cmsscan_count(r, &h, &s->recipients,
		    LIMIT_SESSION_KEYS, NULL);
	err = r->err;
	free(r);
	if (err)
		return -1;
	return bad ? 1 : 0;
}

/* cmsscan_signed - see cmsscan.h */
int
cmsscan_signed(ssize_t (*rd)(void *, void *, size_t), void *cookie,
    struct cmsscan *s)
{
	struct cmsscan_rd *r;
	struct cmsscan_hdr h;
	int bad, err;

	memset(s, 0, sizeof s[0]);
	r = xcalloc(1, sizeof *r);
	r->read = rd;
	r->cookie = cookie;
	bad = cmsscan_expect(r, &h, 0x30) == -1 ||	/* ContentInfo */
	    cmsscan_expect(r, &h, 0x06) == -1 || cmsscan_skip(r, &h, 1) ||
	    cmsscan_expect(r, &h, 0xa0) == -1 ||
	    cmsscan_expect(r, &h, 0x30) == -1 ||	/* SignedData */
	    cmsscan_expect(r, &h, 0x02) == -1 || cmsscan_skip(r, &h, 3) ||
	    cmsscan_expect(r, &h, 0x31) == -1 || cmsscan_skip(r, &h, 3) ||
	    cmsscan_expect(r, &h, 0x30) == -1 || cmsscan_skip(r, &h, 3) ||
	    cmsscan_hdr(r, &h) == -1;
	if (!bad && h.tag == 0xa0)			/* certificates */
		bad = cmsscan_count(r, &h, &s->certs, LIMIT_CMS_CERTS,
		    NULL) ||
		    (s->certs <= LIMIT_CMS_CERTS && cmsscan_hdr(r, &h));
	if (!bad && s->certs <= LIMIT_CMS_CERTS && h.tag == 0xa1)	/* crls */
		bad = cmsscan_skip(r, &h, 3) || cmsscan_hdr(r, &h);
	if (!bad && s->certs <= LIMIT_CMS_CERTS)
		bad = h.tag != 0x31 ||
		    cmsscan_count(r, &h, &s->signers, LIMIT_SIGNATURES, s);
	err = r->err;
	free(r);
	if (err)
		return -1;
	return bad ? 1 : 0;
}
