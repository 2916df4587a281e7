/*
 * openpgp.h - OpenPGP message framing: is a packet sequence an encrypted
 * message (RFC 9580 10.3), or a detached signature?  No decryption, no cryptography.
 */
#ifndef MAILSEAL_OPENPGP_H
#define MAILSEAL_OPENPGP_H

#include <stddef.h>
#include <stdint.h>

struct gcry_md_handle;

enum openpgp_result {
	OPENPGP_OK,		/* session key packets, then one encrypted
				 * data packet that ends with the data (for
				 * openpgp_init_sig: signature packets) */
	OPENPGP_BAD		/* anything else: why and packet say what */
};

/*
 * The reader's state; embed it and treat the fields as read-only.  The
 * counts and why/packet/tag are what callers look at.
 */
struct openpgp_scan {
	int		 state;		/* where in a packet header or body */
	int		 phase;		/* session keys, data packet, after it */
	int		 tag;		/* the current packet's tag */
	int		 oldfmt;	/* its header is in the old format */
	int		 partial;	/* its body chunk is a partial one */
	int		 forever;	/* old format, indeterminate length */
	unsigned char	 len[5];	/* a length being read */
	size_t		 nlen;
	size_t		 wantlen;
	uint32_t	 left;		/* bytes left of the body chunk */
	unsigned char	 esk[10];	/* the start of a PKESK body */
	size_t		 nesk;
	size_t		 eskbody;	/* its body length */
	int		 withcrc;	/* keep a CRC-24 of the bytes (armor) */
	struct gcry_md_handle *crc;
	unsigned long	 packets;	/* packets begun */
	unsigned long	 pkesk;		/* public-key session key packets */
	unsigned long	 skesk;		/* symmetric-key session key packets */
	unsigned long	 anon;		/* PKESKs with no key ID (RFC 9580
					 * 5.1: "anonymous recipient") */
	int		 sigonly;	/* a detached signature, not a message */
	unsigned long	 sigs;		/* its signature packets */
	const char	*why;		/* OPENPGP_BAD: why (static text) */
	unsigned long	 badpacket;	/* and the packet it was (1 = first) */
};

/* openpgp_init - start reading a message; withcrc: also compute the
 * CRC-24 of RFC 9580 6.1 over the bytes (libgcrypt), for armor */
void		openpgp_init(struct openpgp_scan *, int);

/* openpgp_init_sig - start reading a detached signature instead: only
 * signature packets (at most LIMIT_SIGNATURES) and marker packets, no
 * partial or indeterminate lengths; withcrc as for openpgp_init */
void		openpgp_init_sig(struct openpgp_scan *, int);

/* openpgp_feed - n more bytes of the binary message; may be split
 * anywhere.  Constant memory; stops looking once the framing is bad. */
void		openpgp_feed(struct openpgp_scan *, const unsigned char *,
		    size_t);

/* openpgp_failed - already known to be bad framing */
int		openpgp_failed(const struct openpgp_scan *);

/* openpgp_end - everything was fed: the verdict on the framing */
enum openpgp_result openpgp_end(struct openpgp_scan *);

/* openpgp_crc24 - the CRC-24 of everything fed, big-endian into out;
 * -1 when the scan keeps none (or it could not be computed) */
int		openpgp_crc24(struct openpgp_scan *, unsigned char[3]);

/* openpgp_free - release what the scan holds (safe to call twice) */
void		openpgp_free(struct openpgp_scan *);

#endif
