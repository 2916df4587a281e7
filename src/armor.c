/*
 * armor.c - recognise a body that is exactly one ASCII-armored OpenPGP
 * block (RFC 9580 6.2; clear-signed: 7.1), with nothing around it but
 * white space.
 *
 * Text outside the block would be clear text passing as protected, so
 * "one whole block" is what counts: such a body is already encrypted
 * (encrypt passes it through) and is what decrypt may treat as inline
 * PGP.  Inside, the armor grammar is checked too: armor headers with
 * the keys RFC 9580 6.2.2 names, an empty line, radix-64 lines, an
 * optional checksum line, the END line.  The data lines of a message
 * block are radix-64-decoded as they pass and read as OpenPGP packets
 * (openpgp.c): session key packets, then one encrypted data packet to
 * the end; the checksum, when there is one, must be their CRC-24.  A
 * block that starts with a session key but holds other data (a literal
 * packet behind it, say) or has a wrong checksum is ARMOR_BROKEN:
 * damaged or dressed up.  One that starts otherwise (signed only, text
 * dressed up as armor) is no message block at all.  Neither is
 * "already encrypted".  A detached signature (armor_scan_init_sig) is
 * read the same way: its packets must be signatures (openpgp_init_sig)
 * and its checksum right; a binary one goes to openpgp.c unchanged.
 * Padding ('=') may end the
 * last data line only.  The scan is a line automaton over decoded
 * bytes that keeps only the start of the current line, so any body is
 * scanned in constant memory.
 */
#include <config.h>

#include <string.h>

#include <gcrypt.h>

#include "armor.h"
#include "cte.h"

enum {
	ARMOR_BEFORE,		/* white space before the block */
	ARMOR_HDRS,		/* armor headers, up to the empty line */
	ARMOR_DATA,		/* radix-64 lines */
	ARMOR_CKSUM,		/* after the checksum line: END must follow */
	ARMOR_SIGTEXT,		/* clear-signed: the signed text */
	ARMOR_SIG,		/* clear-signed: the signature block */
	ARMOR_AFTER,		/* white space after the block */
	ARMOR_NO		/* anything else: not one whole block */
};

static int	armor_is(const struct armor_scan *, const char *);
static int	armor_header(const struct armor_scan *);
static void	armor_decode(struct armor_scan *, const unsigned char *,
		    size_t);
static int	armor_cksum(struct armor_scan *, const char *);
static int	armor_framed(struct armor_scan *);
static void	armor_data(struct armor_scan *);
static void	armor_line(struct armor_scan *);
static size_t	armor_digits(struct armor_scan *, const unsigned char *,
		    size_t, size_t);

/* armor_scan_init - start scanning a body */
void
armor_scan_init(struct armor_scan *s)
{
	memset(s, 0, sizeof *s);
	s->state = ARMOR_BEFORE;
	s->blank = 1;
	s->radix64 = 1;
	cte_init(&s->b64, MIME_CTE_BASE64);
	openpgp_init(&s->pkt, 1);
}

/* armor_scan_init_sig - see armor.h */
void
armor_scan_init_sig(struct armor_scan *s)
{
	armor_scan_init(s);
	openpgp_init_sig(&s->pkt, 1);
	s->sigonly = 1;
}

/* armor_header - an armor header line with a key RFC 9580 names */
static int
armor_header(const struct armor_scan *s)
{
	static const char *keys[] = { "Version: ", "Comment: ", "Hash: ",
	    "Charset: ", "MessageID: ", NULL };
	const char **k;

	for (k = keys; *k != NULL; k++)
		if (s->linelen >= strlen(*k) &&
		    memcmp(s->line, *k, strlen(*k)) == 0)
			return 1;
	return 0;
}

/* armor_decode - part of a data line: radix-64 to packets */
static void
armor_decode(struct armor_scan *s, const unsigned char *p, size_t n)
{
	unsigned char out[1024 + 3];
	size_t k;

	size_t m;

	for (; s->indata && n > 0; p += k, n -= k) {
		k = n < 1024 ? n : 1024;
		m = cte_decode(&s->b64, p, k, out);
		if (s->sink != NULL)
			s->sink(s->sinkarg, out, m);
		openpgp_feed(&s->pkt, out, m);
	}
}

/* armor_cksum - the four radix-64 digits of the checksum */
static int
armor_cksum(struct armor_scan *s, const char *digits)
{
	unsigned long v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if ((d = cte_b64((unsigned char)digits[i])) < 0)
			return 0;
		v = v << 6 | (unsigned long)d;
	}
	s->crc[0] = (unsigned char)(v >> 16);
	s->crc[1] = (unsigned char)(v >> 8);
	s->crc[2] = (unsigned char)v;
	s->cksum = 1;
	return 1;
}

/* armor_framed - at the END line: the data is one encrypted message
 * (or detached signature), and the checksum, if any, is its CRC-24 */
static int
armor_framed(struct armor_scan *s)
{
	unsigned char out[3], crc[3];
	size_t n;

	n = cte_finish(&s->b64, out);
	if (s->sink != NULL)
		s->sink(s->sinkarg, out, n);
	openpgp_feed(&s->pkt, out, n);
	if (openpgp_end(&s->pkt) != OPENPGP_OK)
		return 0;
	if (!s->cksum)
		return 1;	/* optional (RFC 9580 6.2) */
	return openpgp_crc24(&s->pkt, crc) == 0 &&
	    memcmp(crc, s->crc, sizeof crc) == 0;
}

/* armor_data - a line inside a block, after the armor headers */
static void
armor_data(struct armor_scan *s)
{
	const char *end = s->kind == ARMOR_MESSAGE ?
	    "-----END PGP MESSAGE-----" : "-----END PGP SIGNATURE-----";

	if (armor_is(s, end)) {
		s->state = s->ndata > 0 ? ARMOR_AFTER : ARMOR_NO;
		s->broken = (s->kind == ARMOR_MESSAGE ||
		    s->kind == ARMOR_DETACHED) && !armor_framed(s);
		/* without a session key first it never claimed to be
		 * encrypted (a signed-only message, text in radix-64) */
		if (s->broken && s->kind == ARMOR_MESSAGE &&
		    s->pkt.pkesk == 0 && s->pkt.skesk == 0)
			s->state = ARMOR_NO;
		return;
	}
	if (s->state == ARMOR_CKSUM || s->blank || !s->radix64) {
		s->state = ARMOR_NO;
		return;
	}
	if (s->line[0] == '=') {	/* the checksum: "=" and 4 digits */
		s->state = s->ndata > 0 && s->linelen >= 5 &&
		    (s->linelen == 5 || s->trailing) &&
		    armor_cksum(s, s->line + 1) ? ARMOR_CKSUM : ARMOR_NO;
		return;
	}
	/* padding ends the data: gpg stops decoding there */
	if (s->padded)
		s->state = ARMOR_NO;
	else if (s->eq && s->ntail > 0)
		/* "...dLw=Fijx": a quoted-printable soft line break ("=" at
		 * the end of the line) ate the line end before the checksum
		 * (KMail's mail in the corpus); gpg reads it, so do we */
		s->state = s->ntail == 4 && armor_cksum(s, s->tail) ?
		    ARMOR_CKSUM : ARMOR_NO;
	s->padded = s->eq;
	s->ndata++;
}

/* armor_is - the current line is marker, maybe followed by white space */
static int
armor_is(const struct armor_scan *s, const char *marker)
{
	size_t n = strlen(marker), i;

	if (s->linelen < n || memcmp(s->line, marker, n) != 0)
		return 0;
	for (i = n; i < s->linelen; i++)
		if (s->line[i] != ' ' && s->line[i] != '\t' && s->line[i] != '\r' &&
		    (unsigned char)s->line[i] != 0xa0 &&
		    (unsigned char)s->line[i] != 0xc2)
			return 0;
	/* a line longer than what we kept is not just the marker */
	return s->linelen < sizeof s->line;
}

/* armor_line - a whole line was seen: advance the automaton */
static void
armor_line(struct armor_scan *s)
{
	switch (s->state) {
	case ARMOR_BEFORE:
		if (s->blank)
			break;
		if (s->sigonly) {
			s->kind = ARMOR_DETACHED;
			s->state = armor_is(s, "-----BEGIN PGP SIGNATURE-----") ?
			    ARMOR_HDRS : ARMOR_NO;
		} else if (armor_is(s, "-----BEGIN PGP MESSAGE-----")) {
			s->kind = ARMOR_MESSAGE;
			s->state = ARMOR_HDRS;
		} else if (armor_is(s, "-----BEGIN PGP SIGNED MESSAGE-----")) {
			s->kind = ARMOR_SIGNED;
			s->state = ARMOR_SIGTEXT;
		} else
			s->state = ARMOR_NO;
		break;
	case ARMOR_HDRS:
		if (s->blank)
			s->state = s->kind == ARMOR_SIGNED ? ARMOR_SIG : ARMOR_DATA;
		else if (!armor_header(s))
			s->state = ARMOR_NO;
		break;
	case ARMOR_DATA:
	case ARMOR_CKSUM:
		armor_data(s);
		break;
	case ARMOR_SIGTEXT:
		if (armor_is(s, "-----BEGIN PGP SIGNATURE-----"))
			s->state = ARMOR_HDRS;
		break;
	case ARMOR_SIG:
		armor_data(s);
		break;
	case ARMOR_AFTER:
		if (!s->blank)
			s->state = ARMOR_NO;
		break;
	default:
		break;
	}
	s->linelen = 0;
	s->blank = 1;
	s->radix64 = 1;
	s->trailing = 0;
	s->indata = 0;
	s->eq = 0;
	s->ntail = 0;
}

/*
 * armor_digits - from p[i], a radix-64 digit inside a line that has no
 * white space or padding yet, to the first byte that is no digit:
 * what armor_scan_feed's byte loop would do with each of them (the
 * line is not blank, stays radix-64, its start is kept), in one go.
 * Returns the index of that byte (or n).
 */
static size_t
armor_digits(struct armor_scan *s, const unsigned char *p, size_t i,
    size_t n)
{
	size_t j = i, keep;

	while (j < n && cte_b64_value[p[j]] >= 0)
		j++;
	if (s->linelen < sizeof s->line) {
		keep = sizeof s->line - s->linelen;
		if (keep > j - i)
			keep = j - i;
		memcpy(s->line + s->linelen, p + i, keep);
		s->linelen += keep;
	}
	s->blank = 0;
	return j;
}

/* armor_scan_feed - scan more bytes of the decoded body */
void
armor_scan_feed(struct armor_scan *s, const unsigned char *p, size_t n)
{
	size_t i, run = 0;

	if (s->sigonly && !s->seen && n > 0) {
		s->seen = 1;
		s->binary = (p[0] & 0x80) != 0;
	}
	if (s->binary) {
		openpgp_feed(&s->pkt, p, n);
		return;
	}
	for (i = 0; i < n && s->state != ARMOR_NO; i++) {
		unsigned char c = p[i];
		if (s->linelen > 0 && !s->trailing && !s->eq &&
		    cte_b64_value[c] >= 0) {
			i = armor_digits(s, p, i, n) - 1;
			continue;
		}
		if (c == '\n') {
			armor_decode(s, p + run, i - run);
			armor_line(s);
			run = i + 1;
			continue;
		}
		/* a message's data line starts with a radix-64 digit */
		if (s->linelen == 0 && s->state == ARMOR_DATA &&
		    (s->kind == ARMOR_MESSAGE || s->kind == ARMOR_DETACHED) &&
		    cte_b64_value[c] >= 0) {
			s->indata = 1;
			run = i;
		}
		/* a no-break space (UTF-8 C2 A0, or Latin-1 A0) counts as
		 * white space: clients put it on the empty line after
		 * BEGIN (Thunderbird's corpus has one) */
		if (c == ' ' || c == '\t' || c == '\r' || c == 0xa0 ||
		    c == 0xc2)
			s->trailing = 1;
		else {
			s->blank = 0;
			if (s->trailing || (cte_b64_value[c] < 0 && c != '='))
				s->radix64 = 0;
			else if (c == '=' && s->linelen > 0 && !s->eq) {
				/* the data ends here (padding) */
				armor_decode(s, p + run, i - run);
				s->indata = 0;
				s->eq = 1;
			} else if (s->eq && (c != '=' || s->ntail > 0)) {
				if (s->ntail < sizeof s->tail)
					s->tail[s->ntail] = (char)c;
				s->ntail++;
			}
		}
		if (s->linelen < sizeof s->line)
			s->line[s->linelen++] = (char)c;
	}
	if (s->state != ARMOR_NO)
		armor_decode(s, p + run, i - run);
}

/* armor_scan_end - see armor.h */
enum armor_kind
armor_scan_end(struct armor_scan *s)
{
	enum armor_kind k;

	if (s->binary) {
		k = openpgp_end(&s->pkt) == OPENPGP_OK ? ARMOR_DETACHED :
		    ARMOR_BROKEN;
		armor_scan_free(s);
		return k;
	}
	if (s->linelen > 0 || !s->blank)
		armor_line(s);	/* a last line without a newline */
	armor_scan_free(s);
	if (s->state != ARMOR_AFTER)
		return ARMOR_NONE;
	return s->broken ? ARMOR_BROKEN : s->kind;
}

/* armor_scan_free - see armor.h */
void
armor_scan_free(struct armor_scan *s)
{
	openpgp_free(&s->pkt);
}

/* armor_scan_failed - see armor.h */
int
armor_scan_failed(const struct armor_scan *s)
{
	return s->state == ARMOR_NO || (s->sigonly && openpgp_failed(&s->pkt));
}

#define ARMOR_BEGIN	"-----BEGIN PGP MESSAGE-----\n\n"
#define ARMOR_END	"-----END PGP MESSAGE-----\n"

static const char armor_digit[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* armor_group - one group of three bytes as four digits into out */
static char *
armor_group(const unsigned char *p, char *out)
{
	unsigned int v = (unsigned int)p[0] << 16 | (unsigned int)p[1] << 8 |
	    p[2];

	out[0] = armor_digit[v >> 18 & 63];
	out[1] = armor_digit[v >> 12 & 63];
	out[2] = armor_digit[v >> 6 & 63];
	out[3] = armor_digit[v & 63];
	return out + 4;
}

/* armor_write_init - see armor.h */
int
armor_write_init(struct armor_writer *w)
{
	memset(w, 0, sizeof *w);
	if (gcry_md_open((gcry_md_hd_t *)&w->crc, GCRY_MD_CRC24_RFC2440, 0)) {
		w->crc = NULL;
		return -1;
	}
	return 0;
}

/* armor_write - see armor.h */
size_t
armor_write(struct armor_writer *w, const unsigned char *p, size_t n,
    char *out)
{
	char *o = out;

	if (!w->begun) {
		memcpy(o, ARMOR_BEGIN, sizeof ARMOR_BEGIN - 1);
		o += sizeof ARMOR_BEGIN - 1;
		w->begun = 1;
	}
	if (w->crc != NULL)
		gcry_md_write((gcry_md_hd_t)w->crc, p, n);
	while (w->npend > 0 && w->npend < 3 && n > 0) {
		w->pend[w->npend++] = *p++;
		n--;
	}
	for (;;) {
		if (w->npend == 3) {
			o = armor_group(w->pend, o);
			w->npend = 0;
		} else if (n >= 3) {
			o = armor_group(p, o);
			p += 3;
			n -= 3;
		} else
			break;
		if ((w->col += 4) == ARMOR_LINE) {
			*o++ = '\n';
			w->col = 0;
		}
	}
	if (n > 0) {		/* then nothing was pending */
		memcpy(w->pend, p, n);
		w->npend = n;
	}
	return (size_t)(o - out);
}

/* armor_write_end - see armor.h */
size_t
armor_write_end(struct armor_writer *w, char *out)
{
	unsigned char crc[3] = { 0, 0, 0 };
	const unsigned char *d;
	char *o = out + armor_write(w, (const unsigned char *)"", 0, out);

	if (w->npend > 0) {
		memset(w->pend + w->npend, 0, 3 - w->npend);
		o = armor_group(w->pend, o);
		o[-1] = '=';
		if (w->npend == 1)
			o[-2] = '=';
		w->col += 4;
	}
	if (w->col > 0)
		*o++ = '\n';
	if (w->crc != NULL && (d = gcry_md_read((gcry_md_hd_t)w->crc,
	    GCRY_MD_CRC24_RFC2440)) != NULL)
		memcpy(crc, d, 3);
	*o++ = '=';
	o = armor_group(crc, o);
	*o++ = '\n';
	memcpy(o, ARMOR_END, sizeof ARMOR_END - 1);
	o += sizeof ARMOR_END - 1;
	armor_write_free(w);
	return (size_t)(o - out);
}

/* armor_write_free - see armor.h */
void
armor_write_free(struct armor_writer *w)
{
	if (w->crc != NULL)
		gcry_md_close((gcry_md_hd_t)w->crc);
	w->crc = NULL;
}
