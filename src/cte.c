/*
 * cte.c - streaming Content-Transfer-Encoding decoders (RFC 2045 6.7,
 * 6.8).  They hold at most three bytes of state, so a body of any size
 * is decoded in constant memory.  mailseal decodes to look at a body
 * (is it one armored OpenPGP block?) and to hand inline PGP to gpg; what
 * it writes of a message is always the original encoded bytes.  The one
 * encoder, base64, is for plaintext that comes out of inline PGP and
 * cannot be written as it is (binary data, very long lines).
 */
#include <config.h>

#include <string.h>

#include "cte.h"

static size_t	cte_b64_groups(const unsigned char *, size_t, unsigned char *,
		    size_t *);
static size_t	cte_dec_b64(struct cte_decoder *, const unsigned char *,
		    size_t, unsigned char *);

/* cte_hex - see cte.h */
int
cte_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* the value of each byte as a base64 (radix-64) digit, or -1 */
#define B(c)	((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' : \
		 (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 : \
		 (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 : \
		 (c) == '+' ? 62 : (c) == '/' ? 63 : -1)
#define B4(c)	B(c), B((c) + 1), B((c) + 2), B((c) + 3)
#define B16(c)	B4(c), B4((c) + 4), B4((c) + 8), B4((c) + 12)
#define B64(c)	B16(c), B16((c) + 16), B16((c) + 32), B16((c) + 48)
const signed char cte_b64_value[256] = {
	B64(0), B64(64), B64(128), B64(192)
};
#undef B64
#undef B16
#undef B4
#undef B

/* cte_b64 - the value of a base64 (radix-64) digit, or -1 */
int
cte_b64(unsigned char c)
{
	return cte_b64_value[c];
}

/*
 * cte_b64_groups - whole groups of four digits from the start of in
 * into out, while the decoder is between groups: the per-byte loop of
 * cte_decode would do the same (no padding, nothing skipped inside a
 * group), only slower.  Returns the input bytes used; *o advances.
 */
static size_t
cte_b64_groups(const unsigned char *in, size_t n, unsigned char *out,
    size_t *o)
{
	const signed char *t = cte_b64_value;
	size_t i = 0, k = *o;
	int a, b, c, d;

	while (n - i >= 4) {
		if ((a = t[in[i]]) < 0 || (b = t[in[i + 1]]) < 0 ||
		    (c = t[in[i + 2]]) < 0 || (d = t[in[i + 3]]) < 0)
			break;
		out[k++] = (unsigned char)(a << 2 | b >> 4);
		out[k++] = (unsigned char)((b & 15) << 4 | c >> 2);
		out[k++] = (unsigned char)((c & 3) << 6 | d);
		i += 4;
	}
	*o = k;
	return i;
}

/* cte_init - start decoding a body in the given encoding */
void
cte_init(struct cte_decoder *d, enum mime_cte cte)
{
	memset(d, 0, sizeof *d);
	d->cte = cte;
}

/* cte_dec_b64 - cte_decode for base64 */
static size_t
cte_dec_b64(struct cte_decoder *d, const unsigned char *in, size_t n,
    unsigned char *out)
{
	size_t i, k, o = 0;
	int v;

	for (i = 0; i < n; i++) {
		/* between groups: whole groups at once */
		if (d->ndigits == 0 && d->nbits == 0 && !d->padded &&
		    (k = cte_b64_groups(in + i, n - i, out, &o)) > 0) {
			i += k - 1;
			continue;
		}
		if (in[i] == '=') {
			/* the end of a group; what follows starts
			 * afresh, as some readers decode it */
			if (!d->padded && d->ndigits < 2)
				d->ambiguous = 1;
			d->ndigits = 0;
			d->padded = 1;
			d->acc = 0;
			d->nbits = 0;
			continue;
		}
		if ((v = cte_b64(in[i])) < 0)
			continue;
		if (d->padded)
			d->ambiguous = 1;	/* others stop */
		d->ndigits = (d->ndigits + 1) % 4;
		d->padded = 0;
		d->acc = (d->acc << 6) | (unsigned int)v;
		d->nbits += 6;
		if (d->nbits >= 8) {
			d->nbits -= 8;
			out[o++] = (unsigned char)(d->acc >> d->nbits);
			d->acc &= (1u << d->nbits) - 1;
		}
	}
	return o;
}

/* cte_decode - see cte.h */
size_t
cte_decode(struct cte_decoder *d, const unsigned char *in, size_t n,
    unsigned char *out)
{
	size_t i, o = 0;
	int h, l;

	switch (d->cte) {
	case MIME_CTE_BASE64:
		return cte_dec_b64(d, in, n, out);
	case MIME_CTE_QP:
		for (i = 0; i < n; i++) {
			unsigned char c = in[i];
			if (d->npend == 0) {
				if (c == '=')
					d->pend[d->npend++] = c;
				else
					out[o++] = c;
				continue;
			}
			/* after "=": hex pair, or a soft line break
			 * ("=" [WSP...] [CR] LF) */
			if (d->npend == 1 && (c == '\n')) {
				d->cr = 0;
				d->npend = 0;
				continue;
			}
			if (d->npend == 1 && (c == '\r' || c == ' ' ||
			    c == '\t')) {
				/* still a soft break to some readers; only
				 * "=" CR LF is one to all */
				if (c != '\r' || d->cr)
					d->ambiguous = 1;
				d->cr = c == '\r';
				continue;
			}
			if (d->cr)
				d->ambiguous = 1;	/* "=" CR, no LF */
			d->cr = 0;
			d->pend[d->npend++] = c;
			if (d->npend < 3)
				continue;
			h = cte_hex(d->pend[1]);
			l = cte_hex(d->pend[2]);
			if (h >= 0 && l >= 0)
				out[o++] = (unsigned char)(h << 4 | l);
			else {	/* invalid: pass through as it is */
				out[o++] = d->pend[0];
				out[o++] = d->pend[1];
				out[o++] = d->pend[2];
			}
			d->npend = 0;
		}
		return o;
	case MIME_CTE_IDENTITY:
	case MIME_CTE_UNKNOWN:
		break;
	}
	memcpy(out, in, n);
	return n;
}

/* cte_finish - see cte.h */
size_t
cte_finish(struct cte_decoder *d, unsigned char *out)
{
	size_t o = 0, k;

	if ((d->cte == MIME_CTE_QP && d->npend > 0) ||
	    (d->cte == MIME_CTE_BASE64 && d->ndigits != 0))
		d->ambiguous = 1;	/* readers differ on the rest */
	if (d->cte == MIME_CTE_QP)
		for (k = 0; k < d->npend; k++)
			out[o++] = d->pend[k];
	d->npend = 0;
	return o;
}

static const char cte_b64digits[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* cte_b64_group - one group of 3 (or, at the end, 1 or 2) bytes */
static size_t
cte_b64_group(struct cte_encoder *e, char *out)
{
	unsigned int v;
	size_t o = 0;

	v = (unsigned int)e->pend[0] << 16 |
	    (e->npend > 1 ? (unsigned int)e->pend[1] << 8 : 0) |
	    (e->npend > 2 ? e->pend[2] : 0);
	out[o++] = cte_b64digits[v >> 18 & 63];
	out[o++] = cte_b64digits[v >> 12 & 63];
	out[o++] = e->npend > 1 ? cte_b64digits[v >> 6 & 63] : '=';
	out[o++] = e->npend > 2 ? cte_b64digits[v & 63] : '=';
	e->npend = 0;
	e->col += 4;
	if (e->col >= CTE_B64_LINE) {
		if (e->crlf)
			out[o++] = '\r';
		out[o++] = '\n';
		e->col = 0;
	}
	return o;
}

/* cte_encoder_init - start encoding in base64; crlf: lines end in CRLF */
void
cte_encoder_init(struct cte_encoder *e, int crlf)
{
	memset(e, 0, sizeof *e);
	e->crlf = crlf;
}

/* cte_encode - see cte.h */
size_t
cte_encode(struct cte_encoder *e, const unsigned char *in, size_t n,
    char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		e->pend[e->npend++] = in[i];
		if (e->npend == 3)
			o += cte_b64_group(e, out + o);
	}
	return o;
}

/* cte_encode_finish - see cte.h */
size_t
cte_encode_finish(struct cte_encoder *e, char *out)
{
	size_t o = 0;

	if (e->npend > 0)
		o += cte_b64_group(e, out);
	if (e->col > 0) {
		if (e->crlf)
			out[o++] = '\r';
		out[o++] = '\n';
		e->col = 0;
	}
	return o;
}
