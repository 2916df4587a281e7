/*
 * autocrypt_key.c - the key Autocrypt sends (Level 1, "keydata"): of
 * a transferable public key, the primary key, one user ID with its
 * newest self-signature and the encryption subkeys with their newest
 * binding signatures.  A bounded walk over OpenPGP packet framing
 * (RFC 9580 4.2, 5.2.3, 10.1); no cryptography.  GPGME's minimal
 * export has already left only self-signatures, and picks no user ID:
 * that is done here.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>

#include "addr.h"
#include "autocrypt.h"
#include "autocrypt_state.h"
#include "limit.h"
#include "xmalloc.h"

#define PKT_SIG		2
#define PKT_KEY		6
#define PKT_UID		13
#define PKT_SUBKEY	14

#define SIG_CERT_LO	0x10	/* user ID certifications 0x10..0x13 */
#define SIG_CERT_HI	0x13
#define SIG_SUBKEY	0x18	/* subkey binding */
#define SIG_UID_REV	0x30	/* certification revocation */
#define SIG_SUB_REV	0x28	/* subkey revocation */

#define SUB_CREATED	2	/* signature creation time subpacket */
#define SUB_KEYFLAGS	27
#define KEYFLAG_ENCRYPT	0x0c	/* communications or storage */

/* A packet: where its whole (header and body) and its body are. */
struct pkt {
	int			 tag;
	const unsigned char	*start, *body;
	size_t			 len, bodylen;
};

/* What one part of the key (the chosen user ID, a subkey) keeps. */
struct keep {
	struct pkt	 head;		/* the user ID or subkey packet */
	struct pkt	 sig;		/* its newest self/binding signature */
	int		 hassig;
	uint32_t	 sigtime;
	int		 keyflags;	/* of that signature; -1: none */
	int		 revoked;
};

struct walk {
	const char	*addr;
	struct pkt	 primary;
	struct keep	 uid;		/* the chosen user ID */
	struct keep	 cur;		/* the part being read */
	int		 section;	/* tag of cur.head, 0 before any */
	struct keep	 subs[LIMIT_AUTOCRYPT_SUBKEYS];
	size_t		 nsubs;
	int		 primaryalgo;
};

static int	ak_packet(const unsigned char *, size_t, size_t *,
		    struct pkt *);
static int	ak_sig_info(const struct pkt *, int *, uint32_t *, int *);
static int	ak_uid_is(const struct pkt *, const char *);
static int	ak_can_encrypt(const struct keep *);
static void	ak_close(struct walk *);
static void	ak_sig(struct walk *, const struct pkt *);
static void	ak_append(unsigned char *, size_t *, const struct pkt *);
static int	ak_walk(struct walk *, const unsigned char *, size_t, size_t,
		    const char **);
static int	ak_emit(const struct walk *, unsigned char **, size_t *,
		    const char **);

/* ak_packet - the packet at *off of buf (n bytes): 0 and *off past it,
 * or -1 (cut short, partial or indeterminate length: a key has none) */
static int
ak_packet(const unsigned char *buf, size_t n, size_t *off, struct pkt *p)
{
	const unsigned char *b = buf + *off;
	size_t left = n - *off, hl, len, i;

	if (left < 2 || !(b[0] & 0x80))
		return -1;
	if (b[0] & 0x40) {			/* new format */
		p->tag = b[0] & 0x3f;
		if (b[1] < 192) {
			hl = 2;
			len = b[1];
		} else if (b[1] < 224) {
			if (left < 3)
				return -1;
			hl = 3;
			len = ((size_t)(b[1] - 192) << 8) + b[2] + 192;
		} else if (b[1] == 255) {
			if (left < 6)
				return -1;
			hl = 6;
			for (len = 0, i = 2; i < 6; i++)
				len = len << 8 | b[i];
		} else
			return -1;		/* partial body */
	} else {				/* old format */
		p->tag = (b[0] >> 2) & 0x0f;
		if ((b[0] & 3) == 3)
			return -1;		/* indeterminate */
		hl = 1 + ((size_t)1 << (b[0] & 3));
		if (left < hl)
			return -1;
		for (len = 0, i = 1; i < hl; i++)
			len = len << 8 | b[i];
	}
	if (len > left - hl)
		return -1;
	p->start = b;
	p->body = b + hl;
	p->bodylen = len;
	p->len = hl + len;
	*off += p->len;
	return 0;
}

/* ak_sig_info - a v4 signature's type, creation time and key flags
 * (-1 when it has none): 0, or -1 for another version or bad framing */
static int
ak_sig_info(const struct pkt *p, int *type, uint32_t *created, int *flags)
{
	const unsigned char *s = p->body, *end;
	size_t hashed, sl;

	*created = 0;
	*flags = -1;
	if (p->bodylen < 6 || s[0] != 4)
		return -1;
	*type = s[1];
	hashed = (size_t)s[4] << 8 | s[5];
	if (hashed > p->bodylen - 6)
		return -1;
	end = s + 6 + hashed;
	for (s += 6; s < end; s += sl) {
		if (s[0] < 192) {
			sl = s[0];
			s += 1;
		} else if (s[0] < 255) {
			if (end - s < 2)
				return -1;
			sl = ((size_t)(s[0] - 192) << 8) + s[1] + 192;
			s += 2;
		} else {
			if (end - s < 5)
				return -1;
			sl = (size_t)s[1] << 24 | (size_t)s[2] << 16 |
			    (size_t)s[3] << 8 | s[4];
			s += 5;
		}
		if (sl == 0 || sl > (size_t)(end - s))
			return -1;
		if ((s[0] & 0x7f) == SUB_CREATED && sl == 5)
			*created = (uint32_t)s[1] << 24 | (uint32_t)s[2] << 16 |
			    (uint32_t)s[3] << 8 | s[4];
		else if ((s[0] & 0x7f) == SUB_KEYFLAGS && sl >= 2)
			*flags = s[1];
	}
	return 0;
}

/* ak_uid_is - the user ID packet's addr-spec is addr */
static int
ak_uid_is(const struct pkt *p, const char *addr)
{
	char *v, *spec = NULL;
	int same;

	if (p->bodylen == 0 || p->bodylen > LIMIT_HEADER_LINE ||
	    memchr(p->body, '\0', p->bodylen) != NULL)
		return 0;
	v = xmalloc(p->bodylen + 1);
	memcpy(v, p->body, p->bodylen);
	v[p->bodylen] = '\0';
	same = addr_mailbox_parse(v, &spec) == ADDR_OK &&
	    addr_same(spec, addr);
	free(spec);
	free(v);
	return same;
}

/* ak_can_encrypt - a subkey that encrypts: its binding signature's key
 * flags say so, or without flags its algorithm can (RSA, RSA encrypt
 * only, Elgamal, ECDH, X25519, X448) */
static int
ak_can_encrypt(const struct keep *k)
{
	int algo;

	if (!k->hassig || k->revoked || k->head.bodylen < 6 ||
	    k->head.body[0] != 4)
		return 0;
	if (k->keyflags != -1)
		return (k->keyflags & KEYFLAG_ENCRYPT) != 0;
	algo = k->head.body[5];
	return algo == 1 || algo == 2 || algo == 16 || algo == 18 ||
	    algo == 25 || algo == 26;
}

/* ak_close - the part being read ends: keep it if it is the user ID
 * or an encryption subkey */
static void
ak_close(struct walk *w)
{
	if (w->section == PKT_UID && !w->uid.hassig && w->cur.hassig &&
	    !w->cur.revoked && ak_uid_is(&w->cur.head, w->addr))
		w->uid = w->cur;
	else if (w->section == PKT_SUBKEY && ak_can_encrypt(&w->cur) &&
	    w->nsubs < LIMIT_AUTOCRYPT_SUBKEYS)
		w->subs[w->nsubs++] = w->cur;
	memset(&w->cur, 0, sizeof w->cur);
	w->section = 0;
}

/* ak_sig - a signature packet in the current part */
static void
ak_sig(struct walk *w, const struct pkt *p)
{
	uint32_t t;
	int type, flags;

	if (ak_sig_info(p, &type, &t, &flags) == -1)
		return;		/* not one we can read: left out */
	if ((w->section == PKT_UID && type == SIG_UID_REV) ||
	    (w->section == PKT_SUBKEY && type == SIG_SUB_REV)) {
		w->cur.revoked = 1;
		return;
	}
	if (!((w->section == PKT_UID && type >= SIG_CERT_LO &&
	    type <= SIG_CERT_HI) || (w->section == PKT_SUBKEY &&
	    type == SIG_SUBKEY)))
		return;
	if (w->cur.hassig && t < w->cur.sigtime)
		return;
	w->cur.sig = *p;
	w->cur.hassig = 1;
	w->cur.sigtime = t;
	w->cur.keyflags = flags;
	return;
}

/* ak_append - add packet p to out at *n */
static void
ak_append(unsigned char *out, size_t *n, const struct pkt *p)
{
	memcpy(out + *n, p->start, p->len);
	*n += p->len;
}

/* ak_walk - every packet after the primary key, into w: 0, or -1
 * with *why */
static int
ak_walk(struct walk *w, const unsigned char *in, size_t n, size_t off,
    const char **why)
{
	struct pkt p;

	while (off < n) {
		if (ak_packet(in, n, &off, &p) == -1) {
			*why = "bad packet framing";
			return -1;
		}
		if (p.tag == PKT_KEY) {
			*why = "more than one key";
			return -1;
		}
		if (p.tag == PKT_SIG) {
			ak_sig(w, &p);
			continue;
		}
		ak_close(w);
		if (p.tag == PKT_UID || p.tag == PKT_SUBKEY) {
			w->section = p.tag;
			w->cur.head = p;
		} else
			w->section = -1;	/* attribute, trust: left out */
	}
	ak_close(w);
	return 0;
}

/* ak_emit - what w kept, in order, into *out (allocated): 0, or -1
 * with *why */
static int
ak_emit(const struct walk *w, unsigned char **out, size_t *outlen,
    const char **why)
{
	size_t total, i;

	if (!w->uid.hassig) {
		*why = "no self-signed user ID for the address";
		return -1;
	}
	if (w->nsubs == 0) {
		*why = "no encryption subkey";
		return -1;
	}
	total = w->primary.len + w->uid.head.len + w->uid.sig.len;
	for (i = 0; i < w->nsubs; i++)
		total += w->subs[i].head.len + w->subs[i].sig.len;
	if (total > LIMIT_AUTOCRYPT_KEYDATA) {
		*why = "the key is over LIMIT_AUTOCRYPT_KEYDATA";
		return -1;
	}
	*out = xmalloc(total);
	ak_append(*out, outlen, &w->primary);
	ak_append(*out, outlen, &w->uid.head);
	ak_append(*out, outlen, &w->uid.sig);
	for (i = 0; i < w->nsubs; i++) {
		ak_append(*out, outlen, &w->subs[i].head);
		ak_append(*out, outlen, &w->subs[i].sig);
	}
	return 0;
}

/* autocrypt_key_filter - see autocrypt.h */
int
autocrypt_key_filter(const unsigned char *in, size_t n, const char *addr,
    unsigned char **out, size_t *outlen, const char **why)
{
	struct walk *w;
	size_t off = 0;
	int r = -1;

	*out = NULL;
	*outlen = 0;
	w = xcalloc(1, sizeof *w);
	w->addr = addr;
	*why = "not an OpenPGP key";
	if (n > LIMIT_AUTOCRYPT_EXPORT)
		*why = "the exported key is over LIMIT_AUTOCRYPT_EXPORT";
	else if (ak_packet(in, n, &off, &w->primary) == 0 &&
	    w->primary.tag == PKT_KEY) {
		if (w->primary.bodylen < 6 || w->primary.body[0] != 4)
			*why = "not a version 4 key";
		else if (ak_walk(w, in, n, off, why) == 0 &&
		    ak_emit(w, out, outlen, why) == 0) {
			*why = NULL;
			r = 0;
		}
	}
	free(w);
	return r;
}

/* autocrypt_key_fpr - see autocrypt.h */
int
autocrypt_key_fpr(const unsigned char *key, size_t n, char *fpr)
{
	unsigned char *buf, md[20];
	struct pkt p;
	size_t off = 0, i;

	if (ak_packet(key, n, &off, &p) == -1 || p.tag != PKT_KEY ||
	    p.bodylen < 6 || p.body[0] != 4 || p.bodylen > 0xffff)
		return -1;
	buf = xmalloc(p.bodylen + 3);
	buf[0] = 0x99;
	buf[1] = (unsigned char)(p.bodylen >> 8);
	buf[2] = (unsigned char)(p.bodylen & 0xff);
	memcpy(buf + 3, p.body, p.bodylen);
	gcry_md_hash_buffer(GCRY_MD_SHA1, md, buf, p.bodylen + 3);
	free(buf);
	for (i = 0; i < sizeof md; i++)
		(void)snprintf(fpr + 2 * i, 3, "%02X", md[i]);
	return 0;
}
