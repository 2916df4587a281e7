/*
 * classify.c - tell an encrypted message from one that is not.
 *
 * Encrypted means: a multipart/encrypted root (RFC 1847, RFC 3156), or
 * the multipart/mixed Exchange and Outlook rewrite it into (an empty
 * text/plain, then the two RFC 3156 parts, each may be base64); an
 * S/MIME root application/pkcs7-mime whose smime-type is enveloped-data
 * or authEnveloped-data (RFC 8551); or a text/plain root whose whole
 * decoded body is one "BEGIN PGP MESSAGE" block with nothing but white
 * space around it.  When in doubt the answer is "plain": encrypting an
 * encrypted message twice costs a little, passing clear text as if it
 * were encrypted would defeat the point.  So the label is not enough:
 * a multipart/encrypted must have the RFC 3156 structure (protocol
 * application/pgp-encrypted, a first part of that type, a second part
 * application/octet-stream that is one armored encrypted block, no third
 * part), an S/MIME body must decode to CMS EnvelopedData or
 * AuthEnvelopedData, and a message with two Content-Type or two
 * Content-Transfer-Encoding fields, a pkcs7-mime root without
 * smime-type, an unknown transfer encoding, or inline PGP with text
 * around the block, all count as plain.  The same scans find what
 * decrypt verifies: a multipart/signed root with the RFC 3156 structure,
 * and a text/plain root that is one clear-signed block.
 *
 * A structure is only signed or encrypted when every mail reader splits
 * it as we do; where readers could disagree there is no safe reading,
 * and the message counts as plain.  So the root's Content-Type must be
 * clean (mime.h: read to its end, no parameter twice, no RFC 2231 form),
 * the boundary only RFC 2046 bchars, no encoded word (GMime and Python
 * decode one), not ending in a space (Python strips it); no CR without
 * LF anywhere in the body (Python and Mozilla end a line there, GMime
 * and we do not); and a line that starts with the delimiter but is not
 * exactly "--B" or "--B--" with optional blanks is refused, since some
 * readers match a prefix (GMime 2 takes "--B--anything" for the close
 * delimiter, OpenSSL's S/MIME reader "--Banything" for a delimiter) and
 * RFC 2046 5.1.2 forbids such lines in genuine mail; so is any delimiter
 * after the close delimiter.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "armor.h"
#include "classify.h"
#include "cte.h"
#include "input.h"
#include "limit.h"
#include "mime.h"
#include "openpgp.h"
#include "rfc5322.h"
#include "xmalloc.h"

static int	classify_inline(struct input *, off_t, enum mime_cte,
		    enum armor_kind *, struct classify_span *);
static int	classify_pgpmime(struct input *, off_t, const char *, int,
		    int *, struct classify_span *);
static int	classify_smime(struct input *, off_t, enum mime_cte, int *);
static int	classify_count(const struct rfc5322_header *, const char *);
static int	classify_root_ok(const struct rfc5322_header *);
static void	classify_counts(struct classify_span *,
		    const struct openpgp_scan *);

/* classify_counts - the session key packets of the encrypted data (or
 * none) into span */
static void
classify_counts(struct classify_span *span, const struct openpgp_scan *pkt)
{
	span->esk = pkt != NULL ? pkt->pkesk + pkt->skesk : 0;
	span->anon = pkt != NULL ? pkt->anon : 0;
}
static int	classify_boundary_ok(const char *);
static int	classify_protocol(const struct mime_ctype *, const char *,
		    const char *);
static int	classify_smime_type(const struct mime_ctype *);

/* classify_inline - is the body one armored block?  Reads at most up
 * to the first line that says no; the session key counts go to span. */
static int
classify_inline(struct input *in, off_t bodyoff, enum mime_cte cte,
    enum armor_kind *kind, struct classify_span *span)
{
	unsigned char raw[16384], dec[sizeof raw + 3];
	struct cte_decoder d;
	struct armor_scan s;
	ssize_t n;
	size_t m;

	if (input_seek(in, bodyoff) == -1)
		return -1;
	cte_init(&d, cte);
	armor_scan_init(&s);
	while ((n = input_read(in, raw, sizeof raw)) > 0) {
		m = cte_decode(&d, raw, (size_t)n, dec);
		armor_scan_feed(&s, dec, m);
		if (armor_scan_failed(&s))
			break;
	}
	if (n < 0) {
		armor_scan_free(&s);
		return -1;
	}
	m = cte_finish(&d, dec);
	armor_scan_feed(&s, dec, m);
	*kind = armor_scan_end(&s);
	if (span != NULL)
		classify_counts(span, &s.pkt);
	return 0;
}

/*
 * The RFC 3156 structure, checked line by line over the body.  Only the
 * start of each line is kept (CLASSIFY_LINE bytes); a longer line is
 * never a boundary, a part header we need, or an armor line.
 */
#define CLASSIFY_LINE	1024

enum {
	MP_PREAMBLE, MP_HDR0, MP_BODY0, MP_HDR1, MP_BODY1, MP_HDR2, MP_BODY2,
	MP_EPILOGUE, MP_NO
};

/* what the multipart root claims to be */
enum {
	MP_ENCRYPTED,		/* multipart/encrypted, RFC 3156 4 */
	MP_SIGNED,		/* multipart/signed, RFC 3156 5 */
	MP_MANGLED		/* multipart/mixed as Exchange rewrites 4 */
};

struct classify_mp;
static int	classify_part_line(struct classify_mp *);

struct classify_mp {
	const char		*boundary;
	size_t			 blen;
	int			 state;
	char			 line[CLASSIFY_LINE];
	size_t			 linelen;
	int			 toolong;
	char			 ctype[CLASSIFY_LINE];	/* a part's Content-Type */
	int			 inctype;	/* continuation lines follow */
	int			 incte;		/* after Content-Transfer-Encoding */
	enum mime_cte		 pcte;		/* a part's transfer encoding */
	struct armor_scan	 armor;
	struct cte_decoder	 dec;		/* mangled: part 2's encoding */
	struct openpgp_scan	 pkt;		/* its packets, when binary */
	struct classify_span	 counts;	/* part 2's session key packets */
	off_t			 linestart;	/* offset of the current line */
	off_t			 nextstart;	/* offset of the line after it */
	off_t			 body2;		/* part 2's body: start */
	off_t			 end2;		/* and end */
	enum mime_cte		 cte2;		/* and transfer encoding */
	int			 mode;		/* MP_ENCRYPTED, ... */
	int			 broken;	/* the structure, without an
						 * encrypted message in it */
	struct cte_decoder	 dec1;		/* the version part's body, */
	char			 v1[32];	/* decoded, and kept while */
	size_t			 v1len;		/* it is short enough */
	off_t			 body1;		/* signed: part 1, whole */
	off_t			 end1;
	size_t			 preveol;	/* line end length of the line before */
};

/* classify_delim - 0: not a delimiter line, 1: "--B", 2: "--B--",
 * -1: a line that starts like one but is neither (some reader could
 * take it for a delimiter: the structure has no safe reading) */
static int
classify_delim(const struct classify_mp *m)
{
	size_t n = m->linelen, k = m->blen + 2;

	if (n < k || memcmp(m->line, "--", 2) != 0 ||
	    memcmp(m->line + 2, m->boundary, m->blen) != 0)
		return 0;
	if (m->toolong)
		return -1;
	while (n > k && (m->line[n - 1] == ' ' || m->line[n - 1] == '\t' ||
	    m->line[n - 1] == '\r'))
		n--;
	if (n == k)
		return 1;
	return n == k + 2 && memcmp(m->line + k, "--", 2) == 0 ? 2 : -1;
}

/* classify_eol - how long GMime takes the current line's line end to
 * be: 2 for CR LF, else 1 (also for a last line without one) */
static size_t
classify_eol(const struct classify_mp *m)
{
	return m->linelen > 0 && m->line[m->linelen - 1] == '\r' ? 2 : 1;
}

/* classify_delim_ok - a line (d: classify_delim) every reader takes for
 * what we take it.  A line like a delimiter, or a delimiter after the
 * close (a reader might start another part there): no safe reading.
 * GMime takes the line end before a delimiter to be as long as the
 * delimiter line's own (2 when it ends in CR LF, else 1), Python and we
 * take the real one: with mixed line ends the part ends elsewhere.  A
 * delimiter right after the opening one makes an empty part, which
 * Python and GMime skip. */
static int
classify_delim_ok(const struct classify_mp *m, int d)
{
	if (d == -1 || (d != 0 && m->state == MP_EPILOGUE))
		return 0;
	if (d == 0 || (m->state != MP_BODY0 && m->state != MP_BODY1 &&
	    m->state != MP_BODY2))
		return 1;
	return classify_eol(m) == m->preveol && m->linestart != m->body1;
}

/* classify_part_type - is the part's Content-Type type/subtype? */
static int
classify_part_type(const struct classify_mp *m, const char *type,
    const char *sub)
{
	struct mime_ctype ct;
	int yes;

	/* Python takes all before the first ";" for type/subtype */
	yes = mime_ctype_parse(m->ctype, strlen(m->ctype), &ct) == 0 &&
	    ct.clean && mime_ctype_is(&ct, type, sub);
	mime_ctype_free(&ct);
	return yes;
}

/* classify_part_header - one header line of part 1 or 2; keeps the
 * Content-Type value (folded lines joined) */
static int
classify_part_header(struct classify_mp *m)
{
	size_t valoff, namelen, have;

	/* a NUL would end the value we keep, not the one readers keep */
	if (memchr(m->line, '\0', m->linelen) != NULL)
		return -1;
	if (m->line[0] == ' ' || m->line[0] == '\t') {
		if (m->incte)	/* a folded encoding: we read only its line */
			return -1;
		if (m->inctype && (have = strlen(m->ctype)) + m->linelen <
		    sizeof m->ctype) {
			memcpy(m->ctype + have, m->line, m->linelen);
			m->ctype[have + m->linelen] = '\0';
		}
		return 0;
	}
	m->inctype = m->incte = 0;
	/* "Name :" ends the part's header for Python, not for GMime */
	if ((namelen = rfc5322_field_parse(m->line, m->linelen,
	    &valoff)) == 0 || valoff != namelen + 1)
		return -1;
	if (m->linelen >= 13 && strncasecmp(m->line, "Content-Type", 12) == 0 &&
	    rfc5322_field_parse(m->line, m->linelen, &valoff) == 12) {
		if (m->ctype[0] != '\0')
			return -1;	/* two Content-Type fields */
		memcpy(m->ctype, m->line + valoff, m->linelen - valoff);
		m->ctype[m->linelen - valoff] = '\0';
		m->inctype = 1;
	} else if (m->linelen >= 26 &&
	    strncasecmp(m->line, "Content-Transfer-Encoding", 25) == 0 &&
	    rfc5322_field_parse(m->line, m->linelen, &valoff) == 25) {
		m->pcte = mime_cte_parse(m->line + valoff,
		    m->linelen - valoff);
		m->incte = 1;
		/* armor is 7bit; Exchange base64-encodes all three parts */
		if (m->pcte == MIME_CTE_UNKNOWN || (m->mode != MP_MANGLED &&
		    m->pcte != MIME_CTE_IDENTITY))
			return -1;
	}
	return 0;
}

/* classify_blank - the line is nothing but white space */
static int
classify_blank(const struct classify_mp *m)
{
	size_t i;

	if (m->toolong)
		return 0;
	for (i = 0; i < m->linelen; i++)
		if (m->line[i] != ' ' && m->line[i] != '\t' &&
		    m->line[i] != '\r')
			return 0;
	return 1;
}

/* classify_part_end - the headers of a part ended: is it the part the
 * structure wants there? */
static int
classify_part_end(struct classify_mp *m)
{
	int ok;

	switch (m->state) {
	case MP_HDR0:	/* mangled: an empty text/plain comes first */
		ok = m->ctype[0] == '\0' || classify_part_type(m, "text",
		    "plain");
		m->state = MP_BODY0;
		break;
	case MP_HDR1:
		ok = classify_part_type(m, "application", "pgp-encrypted");
		cte_init(&m->dec1, m->pcte);
		m->v1len = 0;
		m->state = MP_BODY1;
		break;
	default:
		ok = classify_part_type(m, "application",
		    m->mode == MP_SIGNED ? "pgp-signature" : "octet-stream");
		if (m->mode == MP_MANGLED && m->pcte != MIME_CTE_IDENTITY &&
		    m->pcte != MIME_CTE_BASE64)
			ok = 0;
		m->cte2 = m->pcte;
		cte_init(&m->dec, m->pcte);
		m->body2 = m->nextstart;
		m->state = MP_BODY2;
		break;
	}
	m->ctype[0] = '\0';
	m->inctype = m->incte = 0;
	m->pcte = MIME_CTE_IDENTITY;
	return ok;
}

/* classify_part2 - a line of the data part: into the armor scan,
 * decoded first when Exchange base64-encoded it */
static void
classify_part2(struct classify_mp *m)
{
	unsigned char dec[CLASSIFY_LINE + 3];
	size_t n;

	if (m->cte2 == MIME_CTE_IDENTITY) {
		armor_scan_feed(&m->armor,
		    (const unsigned char *)m->line, m->linelen);
		/* a line longer than we keep is no armor line */
		armor_scan_feed(&m->armor, (const unsigned char *)
		    (m->toolong ? "!\n" : "\n"), m->toolong ? 2 : 1);
		return;
	}
	if (m->toolong) {	/* no mailer writes base64 lines this long */
		m->state = MP_NO;
		return;
	}
	n = cte_decode(&m->dec, (const unsigned char *)m->line, m->linelen,
	    dec);
	openpgp_feed(&m->pkt, dec, n);
	armor_scan_feed(&m->armor, dec, n);
}

/* classify_part2_end - the data part is encrypted data: one armored
 * message, or (base64-encoded by Exchange) a binary OpenPGP message;
 * either framed as one (openpgp.c) */
static int
classify_part2_end(struct classify_mp *m)
{
	unsigned char dec[3];
	size_t n;

	if (m->cte2 != MIME_CTE_IDENTITY) {
		n = cte_finish(&m->dec, dec);
		openpgp_feed(&m->pkt, dec, n);
		armor_scan_feed(&m->armor, dec, n);
	}
	if (m->mode == MP_SIGNED)
		return 1;
	if (armor_scan_end(&m->armor) == ARMOR_MESSAGE) {
		classify_counts(&m->counts, &m->armor.pkt);
		return 1;
	}
	if (m->cte2 == MIME_CTE_BASE64 && openpgp_end(&m->pkt) == OPENPGP_OK) {
		classify_counts(&m->counts, &m->pkt);
		return 1;
	}
	/* RFC 3156 in every respect but the data: a damaged message */
	m->broken = m->mode == MP_ENCRYPTED;
	return m->broken;
}

/* classify_part1 - a line of the version part: decoded, kept while
 * it fits (a longer body is no "Version: 1") */
static void
classify_part1(struct classify_mp *m)
{
	unsigned char dec[CLASSIFY_LINE + 3];
	size_t n;

	n = cte_decode(&m->dec1, (const unsigned char *)m->line, m->linelen,
	    dec);
	if (m->toolong || m->v1len + n + 1 > sizeof m->v1) {
		m->v1len = sizeof m->v1;	/* too long */
		return;
	}
	memcpy(m->v1 + m->v1len, dec, n);
	m->v1len += n;
	if (m->dec1.cte == MIME_CTE_IDENTITY)
		m->v1[m->v1len++] = '\n';
}

/* classify_version - the version part says "Version: 1" (RFC 3156 4),
 * with nothing but white space around it: a label alone is not enough,
 * that part could hold anything */
static int
classify_version(struct classify_mp *m)
{
	unsigned char dec[3];
	size_t n, a = 0, b;

	n = cte_finish(&m->dec1, dec);
	if (m->v1len + n > sizeof m->v1 - 1)
		return 0;
	memcpy(m->v1 + m->v1len, dec, n);
	b = m->v1len + n;
	while (a < b && strchr(" \t\r\n", m->v1[a]) != NULL)
		a++;
	while (b > a && strchr(" \t\r\n", m->v1[b - 1]) != NULL)
		b--;
	return b - a == 10 && memcmp(m->v1 + a, "Version: 1", 10) == 0;
}

/* classify_part_line - advance over one whole line */
static int
classify_part_line(struct classify_mp *m)
{
	int d = classify_delim(m), blank;

	blank = m->linelen == 0 || (m->linelen == 1 && m->line[0] == '\r');
	if (!classify_delim_ok(m, d))
		m->state = MP_NO;
	switch (m->state) {
	case MP_PREAMBLE:
		if (d == 1) {
			m->state = m->mode == MP_SIGNED ? MP_BODY1 :
			    m->mode == MP_MANGLED ? MP_HDR0 : MP_HDR1;
			m->body1 = m->nextstart;
		} else if (d == 2)
			m->state = MP_NO;
		break;
	case MP_HDR0:
	case MP_HDR1:
	case MP_HDR2:
		if (blank) {
			if (!classify_part_end(m))
				m->state = MP_NO;
		} else if (d != 0 || classify_part_header(m) == -1)
			m->state = MP_NO;
		break;
	case MP_BODY0:
		if (d == 1)
			m->state = MP_HDR1;
		else if (!classify_blank(m))
			m->state = MP_NO;	/* text beside the ciphertext */
		break;
	case MP_BODY1:
		if (d == 1) {
			m->state = m->mode == MP_SIGNED || classify_version(m) ?
			    MP_HDR2 : MP_NO;
			/* the line end before a delimiter belongs to it */
			m->end1 = m->linestart - (off_t)m->preveol;
		} else if (d == 2)
			m->state = MP_NO;
		else if (m->mode != MP_SIGNED)
			classify_part1(m);
		break;
	case MP_BODY2:
		if (d == 2) {
			m->state = classify_part2_end(m) ? MP_EPILOGUE : MP_NO;
			m->end2 = m->linestart;
		} else if (d == 1)
			m->state = MP_NO;	/* a third part */
		else
			classify_part2(m);
		break;
	default:
		break;
	}
	m->preveol = classify_eol(m);
	m->linelen = 0;
	m->toolong = 0;
	return m->state == MP_NO ? -1 : 0;
}

/* classify_boundary_ok - a boundary every reader reads as we do: 1 to
 * LIMIT_BOUNDARY RFC 2046 bchars, not ending in a space (Python strips
 * it) nor starting with one, no encoded word (RFC 2047 "=?", which GMime
 * and Python decode) */
static int
classify_boundary_ok(const char *b)
{
	static const char bchars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ'()+_,-./:=? ";
	size_t len;

	if (b == NULL || (len = strlen(b)) == 0 || len > LIMIT_BOUNDARY ||
	    b[0] == ' ' || b[len - 1] == ' ' || strspn(b, bchars) != len ||
	    strstr(b, "=?") != NULL)
		return 0;
	return 1;
}

/* classify_scan - feed the body, line by line, to classify_part_line;
 * a CR without LF ends it (MP_NO).  Returns -1 on a read error. */
static int
classify_scan(struct input *in, off_t pos, struct classify_mp *m)
{
	unsigned char buf[16384];
	const unsigned char *nl, *r;
	ssize_t n, i, e;
	size_t k, room;
	int cr = 0;

	/* a line at a time (memchr), as the byte loop it replaces did */
	while (m->state != MP_NO && (n = input_read(in, buf, sizeof buf)) > 0)
		for (i = 0; i < n && m->state != MP_NO; ) {
			if (cr && buf[i] != '\n') {
				m->state = MP_NO;	/* a bare CR */
				break;
			}
			nl = memchr(buf + i, '\n', (size_t)(n - i));
			e = nl != NULL ? nl - buf : n;
			if (e > i && (r = memchr(buf + i, '\r',
			    (size_t)(e - i))) != NULL && r - buf < e - 1) {
				m->state = MP_NO;	/* a bare CR */
				break;
			}
			k = (size_t)(e - i);
			room = sizeof m->line - 1 - m->linelen;
			memcpy(m->line + m->linelen, buf + i, k < room ? k : room);
			m->linelen += k < room ? k : room;
			if (k > room)
				m->toolong = 1;
			if (e > i)
				cr = buf[e - 1] == '\r';
			pos += e - i;
			if ((i = e) == n)
				break;
			cr = 0;
			m->nextstart = pos + 1;
			(void)classify_part_line(m);
			m->linestart = pos + 1;
			i++;
			pos++;
		}
	if (m->state != MP_NO && n < 0)
		return -1;
	if (cr)
		m->state = MP_NO;
	if (m->state != MP_NO && (m->linelen > 0 || m->toolong)) {
		m->nextstart = pos;
		(void)classify_part_line(m);	/* no final newline */
	}
	return 0;
}

/* classify_pgpmime - does the body have the RFC 3156 structure (mode
 * MP_ENCRYPTED or MP_SIGNED), or Exchange's rewrite of it?  *yes is 1,
 * or 2 for MP_ENCRYPTED when only the data part is no encrypted message
 * (damaged, or something else dressed up). */
static int
classify_pgpmime(struct input *in, off_t bodyoff, const char *boundary,
    int mode, int *yes, struct classify_span *span)
{
	struct classify_mp *m;

	*yes = 0;
	if (!classify_boundary_ok(boundary))
		return 0;
	if (input_seek(in, bodyoff) == -1)
		return -1;
	m = xcalloc(1, sizeof *m);
	m->boundary = boundary;
	m->blen = strlen(boundary);
	m->mode = mode;
	m->linestart = bodyoff;
	armor_scan_init(&m->armor);
	openpgp_init(&m->pkt, 0);
	if (classify_scan(in, bodyoff, m) == -1) {
		armor_scan_free(&m->armor);
		free(m);
		return -1;
	}
	*yes = m->state != MP_EPILOGUE ? 0 : m->broken ? 2 : 1;
	/* a span outside the body would be verified or decrypted in
	 * place of the part (a negative length reads to the end) */
	if (*yes && (m->body2 < bodyoff || m->end2 < m->body2 ||
	    (mode == MP_SIGNED && (m->body1 < bodyoff ||
	    m->end1 < m->body1 || m->end1 > m->body2))))
		*yes = 0;
	if (*yes && span != NULL && mode != MP_SIGNED) {
		span->off = m->body2;
		span->len = m->end2 - m->body2;
		span->cte = m->cte2;
		span->esk = m->counts.esk;
		span->anon = m->counts.anon;
	} else if (*yes && span != NULL) {
		span->off = m->body1;
		span->len = m->end1 - m->body1;
		span->sigoff = m->body2;
		span->siglen = m->end2 - m->body2;
		span->cte = MIME_CTE_IDENTITY;
	}
	armor_scan_free(&m->armor);
	free(m);
	return 0;
}

/*
 * classify_smime - does the body decode to CMS EnvelopedData or
 * AuthEnvelopedData?  The DER starts SEQUENCE { contentType OID, ... }:
 * the OID must be among the first decoded bytes.
 */
static int
classify_smime(struct input *in, off_t bodyoff, enum mime_cte cte, int *yes)
{
	static const unsigned char enveloped[] = { 0x06, 0x09, 0x2a, 0x86,
	    0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03 };
	static const unsigned char authenv[] = { 0x06, 0x0b, 0x2a, 0x86, 0x48,
	    0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17 };
	unsigned char raw[128], dec[sizeof raw + 64];
	struct cte_decoder d;
	size_t m = 0, i;
	ssize_t n;

	*yes = 0;
	if (input_seek(in, bodyoff) == -1)
		return -1;
	cte_init(&d, cte);
	/* dec keeps room for a whole raw chunk plus the decoder's 3 */
	while (m < 32 && (n = input_read(in, raw, sizeof raw)) > 0)
		m += cte_decode(&d, raw, (size_t)n, dec + m);
	if (n < 0)
		return -1;
	if (m < 2 || dec[0] != 0x30)
		return 0;
	for (i = 1; i + sizeof authenv <= m && i < 8; i++)
		if (memcmp(dec + i, enveloped, sizeof enveloped) == 0 ||
		    memcmp(dec + i, authenv, sizeof authenv) == 0)
			*yes = 1;
	return 0;
}

/* classify_count - how many fields have this name */
static int
classify_count(const struct rfc5322_header *h, const char *name)
{
	size_t i = 0;
	int n = 0;

	while (rfc5322_find(h, name, &i) != NULL)
		n++;
	return n;
}

/* classify_root_ok - every reader finds the same root fields: the
 * header block ends where they all end it, and no Content-Type or
 * Content-Transfer-Encoding is there twice (which would they believe?) */
static int
classify_root_ok(const struct rfc5322_header *h)
{
	return !rfc5322_ambiguous(h) &&
	    classify_count(h, "Content-Type") <= 1 &&
	    classify_count(h, "Content-Transfer-Encoding") <= 1;
}

/* classify_protocol - multipart/sub with this protocol parameter */
static int
classify_protocol(const struct mime_ctype *ct, const char *sub,
    const char *proto)
{
	const char *p = mime_ctype_param(ct, "protocol");

	return mime_ctype_is(ct, "multipart", sub) && p != NULL &&
	    strcasecmp(p, proto) == 0;
}

/* classify_smime_type - S/MIME enveloped data, by its label */
static int
classify_smime_type(const struct mime_ctype *ct)
{
	const char *st = mime_ctype_param(ct, "smime-type");

	return (mime_ctype_is(ct, "application", "pkcs7-mime") ||
	    mime_ctype_is(ct, "application", "x-pkcs7-mime")) &&
	    st != NULL && (strcasecmp(st, "enveloped-data") == 0 ||
	    strcasecmp(st, "authenveloped-data") == 0);
}

/* classify_message - see classify.h */
int
classify_message(const struct rfc5322_header *h, struct input *in,
    enum classify_kind *kind, struct classify_span *span)
{
	const struct rfc5322_field *f;
	struct mime_ctype ct;
	enum mime_cte cte = MIME_CTE_IDENTITY;
	char *v;
	size_t len;
	int text = 1, pgpmime = 0, smime = 0, sigmime = 0, mixed = 0;
	int yes = 0, r = 0;

	*kind = CLASSIFY_PLAIN;
	if (!classify_root_ok(h))
		return 0;
	if ((f = rfc5322_find(h, "Content-Transfer-Encoding", NULL)) != NULL) {
		v = rfc5322_unfold(f, &len);
		cte = mime_cte_parse(v, len);
		free(v);
	}
	memset(&ct, 0, sizeof ct);
	if ((f = rfc5322_find(h, "Content-Type", NULL)) != NULL) {
		v = rfc5322_unfold(f, &len);
		/* invalid or not clean: readers disagree (text/plain for
		 * Python, application/octet-stream for GMime), so plain */
		text = 0;
		if (mime_ctype_parse(v, len, &ct) == 0 && ct.clean) {
			text = mime_ctype_is(&ct, "text", "plain");
			pgpmime = classify_protocol(&ct, "encrypted",
			    "application/pgp-encrypted");
			sigmime = classify_protocol(&ct, "signed",
			    "application/pgp-signature");
			mixed = mime_ctype_is(&ct, "multipart", "mixed");
			smime = classify_smime_type(&ct);
		}
		free(v);
	}
	if (pgpmime && cte == MIME_CTE_IDENTITY) {
		r = classify_pgpmime(in, h->bodyoff,
		    mime_ctype_param(&ct, "boundary"), MP_ENCRYPTED, &yes, span);
		if (yes)
			*kind = yes == 2 ? CLASSIFY_BROKEN : CLASSIFY_PGPMIME;
	} else if (sigmime && cte == MIME_CTE_IDENTITY) {
		r = classify_pgpmime(in, h->bodyoff,
		    mime_ctype_param(&ct, "boundary"), MP_SIGNED, &yes, span);
		if (yes)
			*kind = CLASSIFY_SIGNED;
	} else if (mixed && cte == MIME_CTE_IDENTITY) {
		r = classify_pgpmime(in, h->bodyoff,
		    mime_ctype_param(&ct, "boundary"), MP_MANGLED, &yes, span);
		if (yes)
			*kind = CLASSIFY_MANGLED;
	} else if (smime && cte == MIME_CTE_BASE64) {
		r = classify_smime(in, h->bodyoff, cte, &yes);
		if (yes)
			*kind = CLASSIFY_SMIME;
	} else if (text && cte != MIME_CTE_UNKNOWN) {
		r = classify_body(in, h->bodyoff, cte, kind, span);
	}
	mime_ctype_free(&ct);
	return r;
}

/* classify_body - see classify.h */
int
classify_body(struct input *in, off_t off, enum mime_cte cte,
    enum classify_kind *kind, struct classify_span *span)
{
	enum armor_kind ak;

	*kind = CLASSIFY_PLAIN;
	if (classify_inline(in, off, cte, &ak, span) == -1)
		return -1;
	if (ak == ARMOR_NONE)
		return 0;
	*kind = ak == ARMOR_MESSAGE ? CLASSIFY_INLINE : ak == ARMOR_BROKEN ?
	    CLASSIFY_BROKEN : CLASSIFY_CLEARSIGNED;
	if (span != NULL) {
		span->off = off;
		span->len = input_tell(in) - off;
		span->cte = cte;
	}
	return 0;
}

/* classify_name - for messages */
const char *
classify_name(enum classify_kind k)
{
	switch (k) {
	case CLASSIFY_PLAIN:
		return "not encrypted";
	case CLASSIFY_PGPMIME:
		return "PGP/MIME encrypted";
	case CLASSIFY_INLINE:
		return "inline PGP encrypted";
	case CLASSIFY_SMIME:
		return "S/MIME encrypted";
	case CLASSIFY_SIGNED:
		return "PGP/MIME signed";
	case CLASSIFY_CLEARSIGNED:
		return "inline PGP signed";
	case CLASSIFY_MANGLED:
		return "PGP/MIME encrypted (rewritten by Exchange)";
	case CLASSIFY_BROKEN:
		return "PGP/MIME or armor without an encrypted message in it";
	}
	return "?";
}

/* classify_encrypted - see classify.h */
int
classify_encrypted(enum classify_kind k)
{
	return k == CLASSIFY_PGPMIME || k == CLASSIFY_INLINE ||
	    k == CLASSIFY_SMIME || k == CLASSIFY_MANGLED;
}
