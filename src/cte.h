/*
 * cte.h - streaming decoders for quoted-printable and base64.
 */
#ifndef MAILSEAL_CTE_H
#define MAILSEAL_CTE_H

#include <stddef.h>

#include "mime.h"

struct cte_decoder {
	enum mime_cte	 cte;
	unsigned char	 pend[3];	/* quoted-printable: an unfinished "=XX" */
	size_t		 npend;
	int		 cr;		/* quoted-printable: "=" CR so far */
	unsigned int	 acc;		/* base64: bits not yet output */
	int		 nbits;
	int		 padded;	/* base64: padding seen */
	unsigned int	 ndigits;	/* base64: digits of this group */
	int		 ambiguous;	/* readers decode this input
					 * differently (see cte_decode) */
};

void	cte_init(struct cte_decoder *, enum mime_cte);

/* cte_b64 - the value of a base64 (radix-64) digit, or -1; the table
 * is for loops that look at every byte */
int	cte_b64(unsigned char);

/* cte_hex - the value of a hexadecimal digit (either case), or -1 */
int	cte_hex(unsigned char);
extern const signed char cte_b64_value[256];

/* cte_decode - decode n bytes of input into out, which must hold at
 * least n + 3 bytes; returns the number of bytes written.  Input may be
 * split anywhere.  Invalid quoted-printable is passed through, bytes
 * outside the base64 alphabet are skipped (RFC 2045 6.7, 6.8), and
 * base64 after padding is decoded too, as some mail readers do.
 * Where mail readers disagree on the bytes (Python's email package and
 * GMime stop at base64 padding, mutt does not; "=" followed by white
 * space or a lone CR is a soft line break to some and text to others;
 * an unfinished "=" or base64 group at the end), ambiguous is set: no
 * one decoding is what every reader shows. */
size_t	cte_decode(struct cte_decoder *, const unsigned char *, size_t,
	    unsigned char *);

/* cte_finish - flush what an unfinished sequence held; out must hold
 * 3 bytes; returns the number written */
size_t	cte_finish(struct cte_decoder *, unsigned char *);

/*
 * The base64 encoder: lines of CTE_B64_LINE characters (RFC 2045 6.8).
 */
#define CTE_B64_LINE	76

struct cte_encoder {
	unsigned char	 pend[3];
	size_t		 npend;
	size_t		 col;
	int		 crlf;
};

void	cte_encoder_init(struct cte_encoder *, int);

/* cte_encode - encode n bytes into out, which must hold 2 * n + 8
 * bytes; returns the number of bytes written */
size_t	cte_encode(struct cte_encoder *, const unsigned char *, size_t, char *);

/* cte_encode_finish - the last group and line end; out must hold 8 */
size_t	cte_encode_finish(struct cte_encoder *, char *);

#endif
