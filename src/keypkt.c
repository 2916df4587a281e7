/*
 * keypkt.c - read exported OpenPGP keys for what gpg lists wrongly.
 *
 * gpg 2.2 lists an ECDH (algorithm 18) encryption subkey as usable
 * whatever its KDF parameters say, and only when it encrypts does it
 * check them (ecdh.c: exactly 03 01 HASH CIPHER, HASH SHA-256/384/512,
 * CIPHER AES-128/192/256), failing the whole message with "Bad public
 * key"; a Curve25519 point of another length fails it with "Bad
 * data".  Such a key, from a Web Key Directory or anywhere, would defer
 * every message to its owner, and to anyone with him, until it
 * bounces.  RFC 4880 4.2 (packet headers), 5.5.2 (v4 keys), 12.2
 * (fingerprints); RFC 6637 9 (ECDH's public key fields).
 */
#include <config.h>

#include <gcrypt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "keypkt.h"

#define KEYPKT_PUBKEY	6
#define KEYPKT_PUBSUB	14
#define KEYPKT_ECDH	18

/* keypkt_header - the packet at p (n bytes left): its tag and body;
 * 0, or -1 when it is not a whole packet with a definite length */
static int
keypkt_header(const unsigned char *p, size_t n, int *tag, size_t *hlen,
    size_t *blen)
{
	size_t len, h, i;

	if (n < 2 || !(p[0] & 0x80))
		return -1;
	if (p[0] & 0x40) {			/* new format */
		*tag = p[0] & 0x3f;
		if (p[1] < 192) {
			h = 2, len = p[1];
		} else if (p[1] < 224) {
			if (n < 3)
				return -1;
			h = 3, len = ((size_t)(p[1] - 192) << 8) + p[2] + 192;
		} else if (p[1] == 255) {
			if (n < 6)
				return -1;
			for (h = 6, len = 0, i = 2; i < 6; i++)
				len = len << 8 | p[i];
		} else
			return -1;		/* partial: no key packet */
	} else {				/* old format */
		*tag = (p[0] >> 2) & 0x0f;
		if ((p[0] & 3) == 3)
			return -1;
		h = 1 + ((size_t)1 << (p[0] & 3));
		if (n < h)
			return -1;
		for (len = 0, i = 1; i < h; i++)
			len = len << 8 | p[i];
	}
	if (len > n - h)
		return -1;
	*hlen = h;
	*blen = len;
	return 0;
}

/* keypkt_kdf_bad - the key packet body b (v4, ECDH) has KDF parameters
 * gpg refuses to encrypt with, or a Curve25519 point that is not 0x40
 * and 32 bytes ("Bad data"); a body gpg could not parse it would not
 * have imported: not ours to judge */
static int
keypkt_kdf_bad(const unsigned char *b, size_t n)
{
	static const unsigned char cv25519[] = { 0x2b, 0x06, 0x01, 0x04,
	    0x01, 0x97, 0x55, 0x01, 0x05, 0x01 };
	size_t off, bits;
	const unsigned char *k;

	if (n < 7 || b[6] == 0 || b[6] == 0xff)
		return 0;
	off = 7 + b[6];				/* past the curve's OID */
	if (n < off + 2)
		return 0;
	bits = (size_t)b[off] << 8 | b[off + 1];
	if (b[6] == sizeof cv25519 && memcmp(b + 7, cv25519,
	    sizeof cv25519) == 0 && ((bits + 7) / 8 != 33 ||
	    n < off + 3 || b[off + 2] != 0x40))
		return 1;
	off += 2 + (bits + 7) / 8;		/* past the point */
	if (n < off + 1 || n < off + 1 + b[off])
		return 0;
	k = b + off;
	if (k[0] != 3)
		return 1;
	return k[1] != 1 || (k[2] != 8 && k[2] != 9 && k[2] != 10) ||
	    (k[3] != 7 && k[3] != 8 && k[3] != 9);
}

/* keypkt_fpr - the v4 fingerprint of the key packet body b into hex */
static int
keypkt_fpr(const unsigned char *b, size_t n, char hex[41])
{
	gcry_md_hd_t md;
	unsigned char head[3];
	const unsigned char *d;
	size_t i;

	if (n > 0xffff || gcry_md_open(&md, GCRY_MD_SHA1, 0))
		return -1;
	head[0] = 0x99;
	head[1] = (unsigned char)(n >> 8);
	head[2] = (unsigned char)n;
	gcry_md_write(md, head, sizeof head);
	gcry_md_write(md, b, n);
	d = gcry_md_read(md, GCRY_MD_SHA1);
	for (i = 0; d != NULL && i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02X", d[i]);
	gcry_md_close(md);
	return d == NULL ? -1 : 0;
}

/* keypkt_ecdh_bad - see keypkt.h */
void
keypkt_ecdh_bad(const unsigned char *buf, size_t len, struct addrlist *bad)
{
	size_t off = 0, h, n;
	const unsigned char *b;
	char hex[41];
	int tag;

	while (off < len && keypkt_header(buf + off, len - off, &tag, &h,
	    &n) == 0) {
		b = buf + off + h;
		off += h + n;
		if ((tag != KEYPKT_PUBKEY && tag != KEYPKT_PUBSUB) || n < 6 ||
		    b[0] != 4 || b[5] != KEYPKT_ECDH || !keypkt_kdf_bad(b, n))
			continue;
		if (keypkt_fpr(b, n, hex) == 0)
			addrlist_add(bad, hex);
	}
}
