/*
 * smime.c - write RFC 8551 S/MIME: the enveloped message and the
 * signature part of a multipart/signed.
 *
 * As pgpmime.c, we wrap and do not re-encode: the outer header is the
 * message's own fields, byte for byte, in their order; what gpgsm
 * encrypts is pgpmime.c's inner entity (the Content-* fields or the
 * protected header, and the body, line ends CRLF: RFC 8551 3.1.1).
 * The only bytes we make are our fields and the base64 of gpgsm's DER,
 * 76 characters a line (RFC 2045 6.8) with the message's line ends,
 * written as gpgsm writes it: memory does not grow with the message.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "classify.h"
#include "input.h"
#include "limit.h"
#include "msg.h"
#include "pgpmime.h"
#include "rfc5322.h"
#include "smime.h"

#define SMIME_STEP	4096	/* DER bytes encoded at a time */

static void	smime_ber_element(struct smime_ber *, int);
static void	smime_ber_byte(struct smime_ber *, unsigned char);

/* smime_write_head - see smime.h */
int
smime_write_head(FILE *fp, const struct rfc5322_header *h)
{
	const char *eol = h->crlf ? "\r\n" : "\n";

	if (pgpmime_write_outer(fp, h) == -1)
		return -1;
	return fprintf(fp, "Content-Type: application/pkcs7-mime; "
	    "smime-type=enveloped-data;%s\tname=\"smime.p7m\"%s"
	    "Content-Transfer-Encoding: base64%s"
	    "Content-Disposition: attachment; filename=\"smime.p7m\"%s%s",
	    eol, eol, eol, eol, eol) < 0 ? -1 : 0;
}

/* smime_sink_init - see smime.h */
void
smime_sink_init(struct smime_sink *s, FILE *fp, int crlf)
{
	memset(s, 0, sizeof *s);
	s->fp = fp;
	cte_encoder_init(&s->enc, crlf);
}

/* smime_sink_write - see smime.h; a step at a time through a buffer on
 * the stack */
ssize_t
smime_sink_write(void *cookie, const void *buf, size_t n)
{
	struct smime_sink *s = cookie;
	const unsigned char *p = buf;
	char out[2 * SMIME_STEP + 8];
	size_t k, o, done;

	for (done = 0; done < n; done += k) {
		k = n - done > SMIME_STEP ? SMIME_STEP : n - done;
		o = cte_encode(&s->enc, p + done, k, out);
		if (o > 0 && fwrite(out, 1, o, s->fp) != o) {
			s->err = errno != 0 ? errno : EIO;
			return -1;
		}
	}
	smime_ber_feed(&s->ber, p, n);
	return (ssize_t)n;
}

/* smime_sink_finish - see smime.h */
int
smime_sink_finish(struct smime_sink *s)
{
	char out[8];
	size_t o;

	o = cte_encode_finish(&s->enc, out);
	if (o > 0 && fwrite(out, 1, o, s->fp) != o) {
		s->err = errno != 0 ? errno : EIO;
		return -1;
	}
	return 0;
}

/* smime_der_complete - see smime.h */
int
smime_der_complete(const unsigned char *head, size_t headlen,
    unsigned long long total, const unsigned char *tail)
{
	unsigned long long len = 0;
	size_t i, nlen;

	if (headlen < 2 || head[0] != 0x30)	/* SEQUENCE, constructed */
		return 0;
	if (head[1] == 0x80)			/* indefinite (BER) */
		return total >= 4 && tail[0] == 0 && tail[1] == 0;
	if (head[1] < 0x80)
		return total == 2 + (unsigned long long)head[1];
	nlen = head[1] & 0x7f;
	if (nlen > 4 || headlen < 2 + nlen)
		return 0;
	for (i = 0; i < nlen; i++)
		len = len << 8 | head[2 + i];
	return total == 2 + nlen + len;
}

/* smime_sink_complete - see smime.h */
int
smime_sink_complete(const struct smime_sink *s)
{
	return s->ber.state == SMIME_BER_DONE;
}

/* smime_write_sig - see smime.h */
int
smime_write_sig(FILE *fp, const char *b, const unsigned char *der,
    size_t len, int crlf)
{
	const char *eol = crlf ? "\r\n" : "\n";
	struct smime_sink sink;

	if (fprintf(fp, "%s--%s%s"
	    "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"%s"
	    "Content-Transfer-Encoding: base64%s"
	    "Content-Disposition: attachment; filename=\"smime.p7s\"%s%s",
	    eol, b, eol, eol, eol, eol, eol) < 0)
		return -1;
	smime_sink_init(&sink, fp, crlf);
	if (smime_sink_write(&sink, der, len) == -1 ||
	    smime_sink_finish(&sink) == -1)
		return -1;
	return fprintf(fp, "%s--%s--%s", eol, b, eol) < 0 ? -1 : 0;
}

/* smime_ber_element - an element's header is read (indef: its length is
 * the indefinite form; else b->len): enter it (indefinite), skip it
 * (definite: its length says where it ends), or close the indefinite
 * element an end-of-contents ends; none left open: the end */
static void
smime_ber_element(struct smime_ber *b, int indef)
{
	if (b->tag == 0x00 && !indef) {		/* end-of-contents */
		if (b->len != 0 || b->depth == 0) {
			b->state = SMIME_BER_BAD;
			return;
		}
		b->depth--;
	} else if (indef) {
		if (!(b->tag & 0x20) || b->depth == LIMIT_SMIME_BER_DEPTH) {
			b->state = SMIME_BER_BAD;	/* primitive, too deep */
			return;
		}
		b->depth++;
	} else if (b->len > 0) {
		b->state = SMIME_BER_SKIP;
		return;
	}
	b->state = b->depth == 0 ? SMIME_BER_DONE : SMIME_BER_TAG;
}

/* smime_ber_byte - one byte of an element's header (or one too many) */
static void
smime_ber_byte(struct smime_ber *b, unsigned char c)
{
	switch (b->state) {
	case SMIME_BER_TAG:
		b->tag = c;
		/* the whole is a SEQUENCE: ContentInfo */
		b->state = !b->started && c != 0x30 ? SMIME_BER_BAD :
		    (c & 0x1f) == 0x1f ? SMIME_BER_TAGMORE : SMIME_BER_LEN;
		b->started = 1;
		break;
	case SMIME_BER_TAGMORE:
		if (!(c & 0x80))
			b->state = SMIME_BER_LEN;
		break;
	case SMIME_BER_LEN:
		b->len = c;
		b->nlen = c & 0x7f;
		if (c == 0x80)
			smime_ber_element(b, 1);
		else if (c < 0x80)
			smime_ber_element(b, 0);
		else if (b->nlen > sizeof b->len)
			b->state = SMIME_BER_BAD;
		else {
			b->len = 0;
			b->state = SMIME_BER_LENMORE;
		}
		break;
	case SMIME_BER_LENMORE:
		b->len = b->len << 8 | c;
		if (--b->nlen == 0)
			smime_ber_element(b, 0);
		break;
	default:				/* after the end */
		b->state = SMIME_BER_BAD;
		break;
	}
}

/* smime_ber_feed - see smime.h */
void
smime_ber_feed(struct smime_ber *b, const unsigned char *p, size_t n)
{
	unsigned long long k;
	size_t i = 0;

	while (i < n && b->state != SMIME_BER_BAD) {
		if (b->state != SMIME_BER_SKIP) {
			smime_ber_byte(b, p[i++]);
			continue;
		}
		k = b->len < n - i ? b->len : n - i;
		b->len -= k;
		i += (size_t)k;
		if (b->len == 0)
			b->state = b->depth == 0 ? SMIME_BER_DONE :
			    SMIME_BER_TAG;
	}
}

/* smime_ber_whole - see smime.h */
int
smime_ber_whole(const unsigned char *p, size_t n)
{
	struct smime_ber b;

	memset(&b, 0, sizeof b);
	smime_ber_feed(&b, p, n);
	return b.state == SMIME_BER_DONE;
}

/* smime_body_whole - see smime.h */
int
smime_body_whole(struct input *in, off_t bodyoff)
{
	unsigned char raw[4096], dec[sizeof raw + 8];
	struct cte_decoder d;
	struct smime_ber b;
	ssize_t n, i;

	if (input_seek(in, bodyoff) == -1)
		return -1;
	memset(&b, 0, sizeof b);
	cte_init(&d, MIME_CTE_BASE64);
	while ((n = input_read(in, raw, sizeof raw)) > 0) {
		/* only base64 and line ends: no text beside the data */
		for (i = 0; i < n; i++)
			if (cte_b64(raw[i]) == -1 && raw[i] != '=' &&
			    raw[i] != '\r' && raw[i] != '\n' &&
			    raw[i] != ' ' && raw[i] != '\t')
				return 0;
		smime_ber_feed(&b, dec, cte_decode(&d, raw, (size_t)n, dec));
	}
	if (n < 0)
		return -1;
	smime_ber_feed(&b, dec, cte_finish(&d, dec));
	return b.state == SMIME_BER_DONE && !d.ambiguous;
}

/* smime_sealed - see smime.h */
int
smime_sealed(struct msg *m)
{
	if (!classify_encrypted(m->kind))
		return 0;
	if (m->kind != CLASSIFY_SMIME)
		return 1;
	return smime_body_whole(m->in, m->h.bodyoff);
}
