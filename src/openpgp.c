/*
 * openpgp.c - OpenPGP message framing (RFC 4880 4.2, RFC 9580 4.2 and
 * 10.3): does a packet sequence have the shape of an encrypted message?
 *
 * "Already encrypted" (classify.c) must mean that a reader's OpenPGP
 * implementation finds nothing but ciphertext.  Looking at the first
 * packet is not enough: a session key packet followed by a literal
 * data packet is printed by gpg without complaint.  So the whole
 * sequence is read, packet header by packet header:
 *
 *   1. one or more session key packets: public-key (tag 1, PKESK) or
 *      symmetric-key (tag 3, SKESK); marker packets (tag 10), which RFC
 *      9580 5.8 says to ignore, may stand among them;
 *   2. exactly one encrypted data packet: SEIPD (tag 18, v1 or v2),
 *      LibrePGP's OCB data (tag 20), or the old SED (tag 9: encrypted,
 *      though decrypt refuses it for want of integrity protection);
 *   3. nothing after it: the packet runs to the end of the data.
 *
 * A detached signature (openpgp_init_sig; decrypt reads one before gpg
 * does) is read the same way, with other rules: signature packets (tag
 * 2), at most LIMIT_SIGNATURES, and marker packets, nothing else.  A
 * compressed packet holding a million signatures, or a literal packet
 * that gpg would take for the signed data, keeps gpg busy until it is
 * killed; refused here, it is a bad signature at once.
 *
 * A message with no session key packet (RFC 9580 allows encrypted data
 * alone, with a key derived from a passphrase by IDEA-era rules) is
 * refused: nobody we know sends it and nobody could decrypt it here.
 * Partial body lengths are accepted on the data packet only, and the
 * old format's indeterminate length on the data packet only (it then
 * runs to the end, which is what we want anyway).  Padding packets
 * (RFC 9580 tag 21) are not allowed: GnuPG 2.2 does not know them.
 *
 * PKESK bodies are read as far as the key ID (v3) or the fingerprint
 * length (v6): a zero key ID, or no fingerprint, is an anonymous
 * recipient, which makes gpg try every secret key (decrypt limits them,
 * LIMIT_ANON_KEYS).  Nothing else of a packet body is looked at, so
 * the reader is a small state machine over the bytes in constant
 * memory.  For armor it also keeps the CRC-24 (RFC 9580 6.1) through
 * libgcrypt.
 */
#include <config.h>

#include <string.h>

#include <gcrypt.h>

#include "limit.h"
#include "log.h"
#include "openpgp.h"

enum {
	ST_TAG,			/* the first octet of a packet */
	ST_LEN,			/* its length octets (or a partial's) */
	ST_BODY,		/* its body */
	ST_BAD			/* the framing is wrong: look no further */
};

enum {
	PH_KEYS,		/* session key (and marker) packets */
	PH_DATA,		/* inside the encrypted data packet */
	PH_AFTER		/* after it: nothing may follow */
};

static void	openpgp_bad(struct openpgp_scan *, const char *);
static const char *openpgp_tag(struct openpgp_scan *, unsigned int);
static const char *openpgp_sigtag(struct openpgp_scan *);
static void	openpgp_len(struct openpgp_scan *, unsigned int);
static void	openpgp_chunk(struct openpgp_scan *, uint32_t, int);
static size_t	openpgp_body(struct openpgp_scan *, const unsigned char *,
		    size_t);
static void	openpgp_packet_end(struct openpgp_scan *);

/* openpgp_init - see openpgp.h */
void
openpgp_init(struct openpgp_scan *s, int withcrc)
{
	memset(s, 0, sizeof *s);
	s->state = ST_TAG;
	s->phase = PH_KEYS;
	s->withcrc = withcrc;
}

/* openpgp_init_sig - see openpgp.h */
void
openpgp_init_sig(struct openpgp_scan *s, int withcrc)
{
	openpgp_init(s, withcrc);
	s->sigonly = 1;
}

/* openpgp_bad - the framing is wrong at the current packet */
static void
openpgp_bad(struct openpgp_scan *s, const char *why)
{
	s->state = ST_BAD;
	s->why = why;
	s->badpacket = s->packets;
}

/* openpgp_tag - the first octet of a packet: its tag, the format of its
 * length, and whether that tag may stand here; NULL, or why not */
static const char *
openpgp_tag(struct openpgp_scan *s, unsigned int b)
{
	int lt, data;

	if (s->packets < (unsigned long)-1)
		s->packets++;
	if (s->phase == PH_AFTER)
		return "a packet after the encrypted data";
	if ((b & 0x80) == 0)
		return "no packet header";
	s->oldfmt = (b & 0x40) == 0;
	s->tag = s->oldfmt ? (int)((b >> 2) & 0x0f) : (int)(b & 0x3f);
	lt = (int)(b & 0x03);
	s->forever = s->oldfmt && lt == 3;
	s->wantlen = s->oldfmt ? (size_t)1 << lt : 1;
	s->nlen = 0;
	s->nesk = 0;
	if (s->sigonly)
		return openpgp_sigtag(s);
	data = s->tag == 9 || s->tag == 18 || s->tag == 20;
	if (s->tag == 1 && s->pkesk < (unsigned long)-1)
		s->pkesk++;
	else if (s->tag == 3 && s->skesk < (unsigned long)-1)
		s->skesk++;
	else if (data && s->pkesk == 0 && s->skesk == 0)
		return "encrypted data without a session key";
	else if (data)
		s->phase = PH_DATA;
	else if (s->tag != 1 && s->tag != 3 && s->tag != 10)
		return "a packet that is no session key or encrypted data";
	if (s->forever && !data)
		return "a session key of indeterminate length";
	s->state = s->forever ? ST_BODY : ST_LEN;
	return NULL;
}

/* openpgp_sigtag - a packet of a detached signature: a signature (tag
 * 2) or a marker (tag 10), and not too many; NULL, or why not */
static const char *
openpgp_sigtag(struct openpgp_scan *s)
{
	if (s->tag == 2 && s->sigs >= LIMIT_SIGNATURES)
		return "too many signatures";
	if (s->tag == 2)
		s->sigs++;
	else if (s->tag != 10)
		return "a packet that is no signature";
	if (s->forever)
		return "a signature of indeterminate length";
	s->state = ST_LEN;
	return NULL;
}

/* openpgp_len - one octet of a length: old format (1, 2 or 4 octets),
 * new format (1, 2, or 5 octets, or one partial body length) */
static void
openpgp_len(struct openpgp_scan *s, unsigned int b)
{
	uint32_t n;
	size_t i, from;

	s->len[s->nlen++] = (unsigned char)b;
	if (!s->oldfmt && s->nlen == 1) {
		if (b < 192)
			openpgp_chunk(s, b, 0);
		else if (b < 224)
			s->wantlen = 2;
		else if (b == 255)
			s->wantlen = 5;
		else if (s->phase != PH_DATA)
			openpgp_bad(s, "a partial length where none may be");
		else
			openpgp_chunk(s, (uint32_t)1 << (b & 0x1f), 1);
		return;
	}
	if (s->nlen < s->wantlen)
		return;
	if (!s->oldfmt && s->wantlen == 2) {
		n = ((uint32_t)(s->len[0] - 192) << 8) + s->len[1] + 192;
	} else {
		from = s->oldfmt ? 0 : 1;
		for (n = 0, i = from; i < s->wantlen; i++)
			n = n << 8 | s->len[i];
	}
	openpgp_chunk(s, n, 0);
}

/* openpgp_chunk - a body (or a partial chunk of one) of n octets follows */
static void
openpgp_chunk(struct openpgp_scan *s, uint32_t n, int partial)
{
	s->left = n;
	s->partial = partial;
	s->nlen = 0;
	s->wantlen = 1;
	s->state = ST_BODY;
	if (s->tag == 1)
		s->eskbody = n;
	if (n == 0)
		openpgp_packet_end(s);
}

/* openpgp_body - octets of a packet body; returns how many were used */
static size_t
openpgp_body(struct openpgp_scan *s, const unsigned char *p, size_t n)
{
	size_t k, c;

	if (s->forever)
		return n;
	k = n < s->left ? n : (size_t)s->left;
	if (s->tag == 1 && s->nesk < sizeof s->esk) {
		c = sizeof s->esk - s->nesk < k ? sizeof s->esk - s->nesk : k;
		memcpy(s->esk + s->nesk, p, c);
		s->nesk += c;
	}
	s->left -= (uint32_t)k;
	if (s->left > 0)
		return k;
	if (s->partial)
		s->state = ST_LEN;	/* the next chunk's length */
	else
		openpgp_packet_end(s);
	return k;
}

/* openpgp_packet_end - a packet ended: count an anonymous recipient
 * (v3: key ID 0; v6: no fingerprint), close the data packet */
static void
openpgp_packet_end(struct openpgp_scan *s)
{
	static const unsigned char zero[8];
	const char *why = NULL;
	int anon = 0;

	s->state = ST_TAG;
	if (s->tag == 9 || s->tag == 18 || s->tag == 20)
		s->phase = PH_AFTER;
	if (s->tag != 1)
		return;
	if (s->eskbody == 0)
		why = "an empty session key packet";
	else if (s->esk[0] == 3 && s->eskbody < 10)
		why = "a session key packet too short";
	else if (s->esk[0] == 3)
		anon = memcmp(s->esk + 1, zero, sizeof zero) == 0;
	else if (s->esk[0] == 6 && s->eskbody < 2)
		why = "a session key packet too short";
	else if (s->esk[0] == 6)
		anon = s->esk[1] == 0;
	/* other versions: gpg skips them, and so can we */
	if (why != NULL)
		openpgp_bad(s, why);
	else if (anon && s->anon < (unsigned long)-1)
		s->anon++;
}

/* openpgp_feed - see openpgp.h */
void
openpgp_feed(struct openpgp_scan *s, const unsigned char *p, size_t n)
{
	const char *why;
	size_t k;

	if (n == 0)
		return;
	if (s->withcrc && s->crc == NULL &&
	    gcry_md_open(&s->crc, GCRY_MD_CRC24_RFC2440, 0) != 0)
		log_panic("cannot compute a CRC-24 (libgcrypt)");
	if (s->crc != NULL)
		gcry_md_write(s->crc, p, n);
	while (n > 0 && s->state != ST_BAD) {
		switch (s->state) {
		case ST_TAG:
			if ((why = openpgp_tag(s, *p)) != NULL)
				openpgp_bad(s, why);
			k = 1;
			break;
		case ST_LEN:
			openpgp_len(s, *p);
			k = 1;
			break;
		default:
			k = openpgp_body(s, p, n);
			break;
		}
		p += k;
		n -= k;
	}
}

/* openpgp_failed - see openpgp.h */
int
openpgp_failed(const struct openpgp_scan *s)
{
	return s->state == ST_BAD;
}

/* openpgp_end - see openpgp.h */
enum openpgp_result
openpgp_end(struct openpgp_scan *s)
{
	if (s->state == ST_BAD)
		return OPENPGP_BAD;
	if (s->sigonly && s->state == ST_TAG && s->sigs > 0)
		return OPENPGP_OK;
	if (s->state == ST_BODY && s->forever && !s->sigonly)
		return OPENPGP_OK;	/* an old-format data packet to the end */
	if (s->state == ST_TAG && s->phase == PH_AFTER)
		return OPENPGP_OK;
	s->badpacket = s->packets;
	s->why = s->packets == 0 ? "no packets" : s->state != ST_TAG ?
	    "a truncated packet" : s->sigonly ? "no signature" :
	    "no encrypted data";
	s->state = ST_BAD;
	return OPENPGP_BAD;
}

/* openpgp_crc24 - see openpgp.h */
int
openpgp_crc24(struct openpgp_scan *s, unsigned char out[3])
{
	const unsigned char *d;

	if (!s->withcrc)
		return -1;
	if (s->crc == NULL &&
	    gcry_md_open(&s->crc, GCRY_MD_CRC24_RFC2440, 0) != 0)
		log_panic("cannot compute a CRC-24 (libgcrypt)");
	if ((d = gcry_md_read(s->crc, GCRY_MD_CRC24_RFC2440)) == NULL)
		return -1;
	memcpy(out, d, 3);
	return 0;
}

/* openpgp_free - see openpgp.h */
void
openpgp_free(struct openpgp_scan *s)
{
	if (s->crc != NULL)
		gcry_md_close(s->crc);
	s->crc = NULL;
}
