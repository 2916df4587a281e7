/*
 * test_cmsscan.c - cmsscan.c's count of a SignedData's certificates and
 * SignerInfos on hand-made DER and BER: definite and indefinite lengths,
 * the optional fields there or not, the limits, cut-short input, other
 * structures and nesting past CMSSCAN_DEPTH.
 */
#include <config.h>

#include <string.h>

#include <criterion/criterion.h>

#include "cmsscan.h"
#include "limit.h"

/* The bytes a test builds, read in small steps. */
struct buf {
	unsigned char	 b[65536];
	size_t		 n, pos;
};

static struct buf B;

/* rd - cmsscan's reader over B, 7 bytes at a time */
static ssize_t
rd(void *cookie, void *out, size_t len)
{
	struct buf *b = cookie;
	size_t k = b->n - b->pos;

	if (k > len)
		k = len;
	if (k > 7)
		k = 7;
	memcpy(out, b->b + b->pos, k);
	b->pos += k;
	return (ssize_t)k;
}

/* put - bytes onto B */
static void
put(const void *p, size_t n)
{
	cr_assert(B.n + n <= sizeof B.b);
	memcpy(B.b + B.n, p, n);
	B.n += n;
}

/* hdr - an identifier and a definite length (0x82 form), or indefinite
 * (len < 0) */
static void
hdr(unsigned char tag, long len)
{
	unsigned char h[4] = { tag, 0x80, 0, 0 };

	if (len < 0)
		put(h, 2);
	else {
		h[1] = 0x82;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		put(h, 4);
	}
}

static const unsigned char oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x07, 0x02 };
static const unsigned char head[] = { 0x02, 0x01, 0x01, 0x31, 0x00,
	0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
	0x07, 0x01 };
static const unsigned char cert[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
/* SignerInfo { 1, sid, digestAlgorithm, signatureAlgorithm, '' } */
static const unsigned char signer[] = { 0x30, 0x0b, 0x02, 0x01, 0x01,
	0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x04, 0x00 };
static const unsigned char eoc[] = { 0, 0 };

/* signed_data - a ContentInfo with ncerts certificates and nsig
 * SignerInfos (-1: no certificates field), all indefinite when indef */
static void
signed_data(long ncerts, long nsig, int indef)
{
	long i;

	memset(&B, 0, sizeof B);
	hdr(0x30, indef ? -1 : 0x7fff);	/* lengths past the end: fine */
	put(oid, sizeof oid);
	hdr(0xa0, indef ? -1 : 0x7fff);
	hdr(0x30, indef ? -1 : 0x7fff);
	put(head, sizeof head);
	if (ncerts >= 0) {
		hdr(0xa0, indef ? -1 : ncerts * (long)sizeof cert);
		for (i = 0; i < ncerts; i++)
			put(cert, sizeof cert);
		if (indef)
			put(eoc, 2);
	}
	hdr(0x31, indef ? -1 : nsig * (long)sizeof signer);
	for (i = 0; i < nsig; i++)
		put(signer, sizeof signer);
	if (indef)
		put(eoc, 2);
}

Test(cmsscan, counts_definite_and_indefinite)
{
	struct cmsscan s;
	int indef;

	for (indef = 0; indef < 2; indef++) {
		signed_data(3, 2, indef);
		cr_assert_eq(cmsscan_signed(rd, &B, &s), 0);
		cr_assert_eq(s.certs, 3);
		cr_assert_eq(s.signers, 2);
		signed_data(-1, 1, indef);
		cr_assert_eq(cmsscan_signed(rd, &B, &s), 0);
		cr_assert_eq(s.certs, 0);
		cr_assert_eq(s.signers, 1);
	}
}

Test(cmsscan, limits)
{
	struct cmsscan s;

	signed_data(LIMIT_CMS_CERTS, LIMIT_SIGNATURES, 0);
	cr_assert_eq(cmsscan_signed(rd, &B, &s), 0);
	cr_assert_eq(s.certs, LIMIT_CMS_CERTS);
	cr_assert_eq(s.signers, LIMIT_SIGNATURES);
	signed_data(LIMIT_CMS_CERTS + 1, 1, 1);
	cr_assert_eq(cmsscan_signed(rd, &B, &s), 0);
	cr_assert_gt(s.certs, LIMIT_CMS_CERTS);
	signed_data(1, LIMIT_SIGNATURES + 1, 0);
	cr_assert_eq(cmsscan_signed(rd, &B, &s), 0);
	cr_assert_gt(s.signers, LIMIT_SIGNATURES);
}

Test(cmsscan, cut_short_or_other)
{
	struct cmsscan s;

	signed_data(3, 2, 1);
	B.n -= 4;		/* the last SignerInfo cut */
	cr_assert_eq(cmsscan_signed(rd, &B, &s), 1);
	signed_data(3, 1, 0);
	B.b[B.n - sizeof signer + 2] = 0x04;	/* no SignerInfo */
	cr_assert_eq(cmsscan_signed(rd, &B, &s), 1);
	signed_data(3, 2, 0);
	B.b[0] = 0x31;		/* no SEQUENCE */
	cr_assert_eq(cmsscan_signed(rd, &B, &s), 1);
	memset(&B, 0, sizeof B);
	cr_assert_eq(cmsscan_signed(rd, &B, &s), 1);
}

Test(cmsscan, nesting)
{
	struct cmsscan s;
	int d, i;

	for (d = CMSSCAN_DEPTH - 4; d <= CMSSCAN_DEPTH + 4; d += 8) {
		memset(&B, 0, sizeof B);
		hdr(0x30, -1);
		put(oid, sizeof oid);
		hdr(0xa0, -1);
		hdr(0x30, -1);
		put(head, 5);		/* version, digestAlgorithms */
		hdr(0x30, -1);		/* encapContentInfo, nested */
		for (i = 0; i < d; i++)
			hdr(0x24, -1);
		put("\x04\x01x", 3);
		for (i = 0; i <= d; i++)
			put(eoc, 2);
		hdr(0x31, 0);
		cr_assert_eq(cmsscan_signed(rd, &B, &s),
		    d < CMSSCAN_DEPTH ? 0 : 1, "depth %d", d);
	}
}

Test(cmsscan, enveloped_recipients)
{
	static const unsigned char envoid[] = { 0x06, 0x09, 0x2a, 0x86,
		0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03 };
	struct cmsscan s;
	long n, i;
	int orig;

	for (orig = 0; orig < 2; orig++)
		for (n = LIMIT_SESSION_KEYS; n <= LIMIT_SESSION_KEYS + 1; n++) {
			memset(&B, 0, sizeof B);
			hdr(0x30, -1);
			put(envoid, sizeof envoid);
			hdr(0xa0, -1);
			hdr(0x30, -1);
			put(head, 3);		/* version */
			if (orig) {		/* originatorInfo */
				hdr(0xa0, sizeof cert);
				put(cert, sizeof cert);
			}
			hdr(0x31, n * (long)sizeof cert);
			for (i = 0; i < n; i++)
				put(cert, sizeof cert);
			cr_assert_eq(cmsscan_enveloped(rd, &B, &s), 0);
			cr_assert_eq(s.recipients, (unsigned long)n);
		}
	signed_data(1, 1, 0);		/* SignedData: its digestAlgorithms */
	cr_assert_eq(cmsscan_enveloped(rd, &B, &s), 0);
	cr_assert_eq(s.recipients, 0);
	memset(&B, 0, sizeof B);	/* nothing after the version */
	hdr(0x30, -1);
	put(envoid, sizeof envoid);
	hdr(0xa0, -1);
	hdr(0x30, -1);
	put(head, 3);
	cr_assert_eq(cmsscan_enveloped(rd, &B, &s), 1);
}

Test(cmsscan, pss)
{
	/* AlgorithmIdentifier { rsassaPss, { [0] sha256, [1] mgf1 sha256,
	 * [2] salt } } */
	static const unsigned char pss[] = { 0x30, 0x41, 0x06, 0x09, 0x2a,
		0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x34,
		0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa1, 0x1c, 0x30,
		0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
		0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
		0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03, 0x02,
		0x01, 0x20 };
	unsigned char alg[sizeof pss];
	struct cmsscan s;
	int salt, mgf;

	for (salt = 0x1f; salt <= 0x21; salt++)
		for (mgf = 1; mgf <= 3; mgf++) {
			memcpy(alg, pss, sizeof pss);
			alg[sizeof alg - 1] = (unsigned char)salt;
			alg[59] = (unsigned char)mgf;	/* MGF1's hash */
			memset(&B, 0, sizeof B);
			hdr(0x30, -1);
			put(oid, sizeof oid);
			hdr(0xa0, -1);
			hdr(0x30, -1);
			put(head, sizeof head);
			hdr(0x31, -1);
			hdr(0x30, -1);		/* SignerInfo */
			put(signer + 2, 7);	/* version, sid, digest */
			put(alg, sizeof alg);
			put("\x04\x00", 2);
			put(eoc, 2);
			put(eoc, 2);
			cr_assert_eq(cmsscan_signed(rd, &B, &s), 0);
			cr_assert_eq(s.signers, 1);
			cr_assert_eq(s.badalg, salt == 0x20 && mgf == 1 ? 0 : 1,
			    "salt %d, MGF1 hash %d", salt, mgf);
		}
}
