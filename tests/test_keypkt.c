/*
 * test_keypkt.c - keypkt_ecdh_bad: the ECDH keys gpg lists as able to
 * encrypt but refuses to encrypt to (KDF parameters other than 03 01
 * SHA-256/384/512 AES-128/192/256, a Curve25519 point that is not 0x40
 * and 32 bytes), in exported key packets; old and
 * new packet headers; truncated input is no crash.
 */
#include <config.h>

#include <string.h>

#include <criterion/criterion.h>
#include <gcrypt.h>

#include "addr.h"
#include "keypkt.h"

static size_t	plen = 32;	/* bytes of the point after its 0x40 */

/* a v4 ECDH Curve25519 subkey packet body with the KDF bytes kdf */
static size_t
body(unsigned char *b, const unsigned char *kdf, size_t kdflen)
{
	static const unsigned char oid[] = { 0x2b, 0x06, 0x01, 0x04, 0x01,
	    0x97, 0x55, 0x01, 0x05, 0x01 };
	size_t n = 0, i;

	b[n++] = 4;
	b[n++] = 0x6b, b[n++] = 0, b[n++] = 0, b[n++] = 0;
	b[n++] = 18;
	b[n++] = sizeof oid;
	memcpy(b + n, oid, sizeof oid);
	n += sizeof oid;
	b[n++] = (unsigned char)((plen * 8 + 7) >> 8);	/* 263 bits: 33 */
	b[n++] = (unsigned char)(plen * 8 + 7);
	b[n++] = 0x40;
	for (i = 0; i < plen; i++)
		b[n++] = (unsigned char)(i + 1);
	memcpy(b + n, kdf, kdflen);
	return n + kdflen;
}

/* fpr - the v4 fingerprint of body b, hex */
static void
fpr(const unsigned char *b, size_t n, char hex[41])
{
	unsigned char buf[300], d[20];
	size_t i;

	buf[0] = 0x99, buf[1] = (unsigned char)(n >> 8);
	buf[2] = (unsigned char)n;
	memcpy(buf + 3, b, n);
	gcry_md_hash_buffer(GCRY_MD_SHA1, d, buf, n + 3);
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02X", d[i]);
}

/* judged - keypkt_ecdh_bad of one subkey packet (new format, or old
 * when old) with kdf, cut to cut bytes when cut > 0: is it bad */
static int
judged(const unsigned char *kdf, size_t kdflen, int old, size_t cut)
{
	unsigned char b[200], pkt[210];
	struct addrlist bad = { NULL, 0 };
	char hex[41];
	size_t n, h;
	int r;

	n = body(b, kdf, kdflen);
	if (old)
		pkt[0] = 0x80 | 14 << 2, pkt[1] = (unsigned char)n, h = 2;
	else
		pkt[0] = 0xc0 | 14, pkt[1] = (unsigned char)n, h = 2;
	memcpy(pkt + h, b, n);
	keypkt_ecdh_bad(pkt, cut > 0 ? cut : n + h, &bad);
	fpr(b, n, hex);
	r = bad.n == 1 && strcmp(bad.v[0], hex) == 0;
	cr_assert(bad.n <= 1);
	addrlist_free(&bad);
	return r;
}

Test(keypkt, usable_kdf_is_not_bad)
{
	static const unsigned char k[][4] = { { 3, 1, 8, 7 }, { 3, 1, 9, 8 },
	    { 3, 1, 10, 9 } };
	size_t i;

	for (i = 0; i < 3; i++) {
		cr_assert(!judged(k[i], 4, 0, 0));
		cr_assert(!judged(k[i], 4, 1, 0));
	}
}

Test(keypkt, kdf_gpg_refuses_is_bad)
{
	static const unsigned char k[][5] = { { 3, 1, 99, 7 },
	    { 3, 1, 2, 7 }, { 3, 1, 8, 2 }, { 3, 2, 8, 7 },
	    { 4, 1, 8, 7, 0 } };
	static const size_t len[] = { 4, 4, 4, 4, 5 };
	size_t i;

	for (i = 0; i < 5; i++) {
		cr_assert(judged(k[i], len[i], 0, 0), "case %zu", i);
		cr_assert(judged(k[i], len[i], 1, 0), "case %zu", i);
	}
}

Test(keypkt, truncated_is_no_crash)
{
	static const unsigned char k[] = { 3, 1, 99, 7 };
	size_t cut;

	for (cut = 1; cut < 50; cut++)
		cr_assert(!judged(k, sizeof k, 0, cut));
}

Test(keypkt, curve25519_point_of_another_length_is_bad)
{
	static const unsigned char k[] = { 3, 1, 8, 7 };

	plen = 31;
	cr_assert(judged(k, sizeof k, 0, 0));
	plen = 33;
	cr_assert(judged(k, sizeof k, 0, 0));
	plen = 32;
	cr_assert(!judged(k, sizeof k, 0, 0));
}
