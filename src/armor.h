/*
 * armor.h - is a (decoded) body exactly one OpenPGP armored block?
 */
#ifndef MAILSEAL_ARMOR_H
#define MAILSEAL_ARMOR_H

#include <stddef.h>

#include "cte.h"
#include "openpgp.h"

enum armor_kind {
	ARMOR_NONE = 0,		/* not one whole block */
	ARMOR_MESSAGE,		/* one BEGIN PGP MESSAGE block */
	ARMOR_SIGNED,		/* one clear-signed block */
	ARMOR_BROKEN,		/* one BEGIN PGP MESSAGE block that starts
				 * with a session key packet but is no
				 * encrypted message (openpgp.c), or whose
				 * checksum is wrong; for armor_scan_init_sig
				 * a signature that is no detached one */
	ARMOR_DETACHED		/* armor_scan_init_sig: one detached
				 * signature (openpgp_init_sig), armored
				 * with the right checksum, or binary */
};

struct armor_scan {
	int		 state;
	enum armor_kind	 kind;
	char		 line[40];	/* start of the current line */
	size_t		 linelen;
	int		 blank;		/* the line is white space so far */
	int		 radix64;	/* radix-64 so far, then white space */
	int		 trailing;	/* white space seen on this line */
	int		 ndata;		/* radix-64 lines in the block */
	int		 indata;	/* this line is a data line */
	int		 eq;		/* it has '=' padding so far, */
	char		 tail[4];	/* and these digits after it */
	size_t		 ntail;
	int		 padded;	/* a data line had padding */
	int		 broken;	/* the data is no encrypted message */
	int		 sigonly;	/* armor_scan_init_sig */
	int		 seen;		/* a byte was fed */
	int		 binary;	/* a binary signature, no armor */
	int		 cksum;		/* a checksum line was seen, */
	unsigned char	 crc[3];	/* with this CRC-24 */
	struct cte_decoder b64;		/* the data lines, decoded, */
	struct openpgp_scan pkt;	/* and read as packets */
	void		(*sink)(void *, const unsigned char *, size_t);
	void		*sinkarg;	/* sink, when set: the decoded data
					 * too (the dearmored message) */
};

void		armor_scan_init(struct armor_scan *);

/* armor_scan_init_sig - scan a detached signature instead: one BEGIN
 * PGP SIGNATURE block, or binary packets (a first octet with its top
 * bit set); armor_scan_end says ARMOR_DETACHED when it is one */
void		armor_scan_init_sig(struct armor_scan *);
void		armor_scan_feed(struct armor_scan *, const unsigned char *, size_t);

/* armor_scan_failed - already known not to be one whole block */
int		armor_scan_failed(const struct armor_scan *);

/* armor_scan_end - ARMOR_MESSAGE or ARMOR_SIGNED when everything fed
 * was white space around one complete block of that kind; a message
 * block must also hold an encrypted message (openpgp.c: the framing,
 * and the checksum when there is one), else it is ARMOR_BROKEN; s->pkt
 * has the counts.  Releases what the scan holds. */
enum armor_kind	armor_scan_end(struct armor_scan *);

/* armor_scan_free - release a scan abandoned before armor_scan_end */
void		armor_scan_free(struct armor_scan *);

/*
 * The armor writer: a message block as gpg 2.2 writes it ("-----BEGIN
 * PGP MESSAGE-----", an empty line, radix-64 lines of 64 digits, the
 * CRC-24 line, the END line; LF line ends), from the binary packets.
 * gpg's own armor costs it three times its encryption (bench/README.md).
 */
#define ARMOR_LINE	64

struct armor_writer {
	unsigned char	 pend[3];	/* bytes of an unfinished group */
	size_t		 npend;
	size_t		 col;		/* digits on the current line */
	int		 begun;		/* the BEGIN line is out */
	struct gcry_md_handle *crc;
};

/* armor_write_size - what out must hold for n bytes of armor_write
 * (and armor_write_end: n = 0) */
#define armor_write_size(n)	((n) / 3 * 4 + (n) / 48 + 128)

/* armor_write_init - 0, or -1 (no CRC-24 from libgcrypt) */
int	armor_write_init(struct armor_writer *);

/* armor_write - n more bytes; the text into out; returns its length */
size_t	armor_write(struct armor_writer *, const unsigned char *, size_t,
	    char *);

/* armor_write_end - the last group, the CRC-24 line and the END line
 * into out; returns the length.  Releases what the writer holds. */
size_t	armor_write_end(struct armor_writer *, char *);

/* armor_write_free - release a writer abandoned before the end */
void	armor_write_free(struct armor_writer *);

#endif
