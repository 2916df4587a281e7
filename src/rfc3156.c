/*
 * rfc3156.c - the RFC 3156 structure of a multipart root, checked in
 * one pass, line by line, with no MIME tree: multipart/encrypted (RFC
 * 3156 4), multipart/signed (5), and the multipart/mixed Exchange and
 * Outlook rewrite 4 into (an empty text/plain, then the two parts, each
 * may be base64).  classify.c asks it once the root's Content-Type
 * says which; its rules on delimiter lines, bare CRs and part headers
 * are those classify.c's comment gives (every reader must split the
 * body as we do, or the structure has no safe reading).
 */
#include <config.h>

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
#include "rfc3156.h"
#include "rfc5322.h"
#include "xmalloc.h"

static void	rfc3156_counts(struct classify_span *,
		    const struct openpgp_scan *);

/* rfc3156_counts - the session key packets of the encrypted data (or
 * none) into span */
static void
rfc3156_counts(struct classify_span *span, const struct openpgp_scan *pkt)
{
	span->esk = pkt != NULL ? pkt->pkesk + pkt->skesk : 0;
	span->anon = pkt != NULL ? pkt->anon : 0;
}

/*
 * The RFC 3156 structure, checked line by line over the body.  Only the
 * start of each line is kept (RFC3156_LINE bytes); a longer line is
 * never a boundary, a part header we need, or an armor line.
 */
#define RFC3156_LINE	1024

enum {
	MP_PREAMBLE, MP_HDR0, MP_BODY0, MP_HDR1, MP_BODY1, MP_HDR2, MP_BODY2,
	MP_EPILOGUE, MP_NO
};

struct rfc3156_mp;
static int	rfc3156_part_line(struct rfc3156_mp *);

struct rfc3156_mp {
	const char		*boundary;
	size_t			 blen;
	int			 state;
	char			 line[RFC3156_LINE];
	size_t			 linelen;
	int			 toolong;
	char			 ctype[RFC3156_LINE];	/* a part's Content-Type */
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
	int			 mode;		/* RFC3156_ENCRYPTED, ... */
	int			 broken;	/* the structure, without an
						 * encrypted message in it */
	struct cte_decoder	 dec1;		/* the version part's body, */
	char			 v1[32];	/* decoded, and kept while */
	size_t			 v1len;		/* it is short enough */
	off_t			 body1;		/* signed: part 1, whole */
	off_t			 end1;
	size_t			 preveol;	/* line end length of the line before */
};

/* rfc3156_delim - 0: not a delimiter line, 1: "--B", 2: "--B--",
 * -1: a line that starts like one but is neither (some reader could
 * take it for a delimiter: the structure has no safe reading) */
static int
rfc3156_delim(const struct rfc3156_mp *m)
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

/* rfc3156_eol - how long GMime takes the current line's line end to
 * be: 2 for CR LF, else 1 (also for a last line without one) */
static size_t
rfc3156_eol(const struct rfc3156_mp *m)
{
	return m->linelen > 0 && m->line[m->linelen - 1] == '\r' ? 2 : 1;
}

/* rfc3156_delim_ok - a line (d: rfc3156_delim) every reader takes for
 * what we take it.  A line like a delimiter, or a delimiter after the
 * close (a reader might start another part there): no safe reading.
 * GMime takes the line end before a delimiter to be as long as the
 * delimiter line's own (2 when it ends in CR LF, else 1), Python and we
 * take the real one: with mixed line ends the part ends elsewhere.  A
 * delimiter right after the opening one makes an empty part, which
 * Python and GMime skip. */
static int
rfc3156_delim_ok(const struct rfc3156_mp *m, int d)
{
	if (d == -1 || (d != 0 && m->state == MP_EPILOGUE))
		return 0;
	if (d == 0 || (m->state != MP_BODY0 && m->state != MP_BODY1 &&
	    m->state != MP_BODY2))
		return 1;
	return rfc3156_eol(m) == m->preveol && m->linestart != m->body1;
}

/* rfc3156_part_type - is the part's Content-Type type/subtype? */
static int
rfc3156_part_type(const struct rfc3156_mp *m, const char *type,
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

/* rfc3156_part_header - one header line of part 1 or 2; keeps the
 * Content-Type value (folded lines joined) */
static int
rfc3156_part_header(struct rfc3156_mp *m)
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
		/* armor is 7bit; Exchange base64-encodes all three parts,
		 * and an S/MIME signature part is base64 */
		if (m->pcte == MIME_CTE_UNKNOWN || (m->mode != RFC3156_MANGLED &&
		    m->pcte != MIME_CTE_IDENTITY && (m->mode != RFC3156_SMIME ||
		    m->pcte != MIME_CTE_BASE64)))
			return -1;
	}
	return 0;
}

/* rfc3156_blank - the line is nothing but white space */
static int
rfc3156_blank(const struct rfc3156_mp *m)
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

/* rfc3156_part_end - the headers of a part ended: is it the part the
 * structure wants there? */
static int
rfc3156_part_end(struct rfc3156_mp *m)
{
	int ok;

	switch (m->state) {
	case MP_HDR0:	/* mangled: an empty text/plain comes first */
		ok = m->ctype[0] == '\0' || rfc3156_part_type(m, "text",
		    "plain");
		m->state = MP_BODY0;
		break;
	case MP_HDR1:
		ok = rfc3156_part_type(m, "application", "pgp-encrypted");
		cte_init(&m->dec1, m->pcte);
		m->v1len = 0;
		m->state = MP_BODY1;
		break;
	default:
		ok = m->mode == RFC3156_SMIME ? rfc3156_part_type(m,
		    "application", "pkcs7-signature") || rfc3156_part_type(m,
		    "application", "x-pkcs7-signature") :
		    rfc3156_part_type(m, "application",
		    m->mode == RFC3156_SIGNED ? "pgp-signature" : "octet-stream");
		if (m->mode == RFC3156_MANGLED && m->pcte != MIME_CTE_IDENTITY &&
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

/* rfc3156_part2 - a line of the data part: into the armor scan,
 * decoded first when Exchange base64-encoded it */
static void
rfc3156_part2(struct rfc3156_mp *m)
{
	unsigned char dec[RFC3156_LINE + 3];
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

/* rfc3156_part2_end - the data part is encrypted data: one armored
 * message, or (base64-encoded by Exchange) a binary OpenPGP message;
 * either framed as one (openpgp.c) */
static int
rfc3156_part2_end(struct rfc3156_mp *m)
{
	unsigned char dec[3];
	size_t n;

	if (m->cte2 != MIME_CTE_IDENTITY) {
		n = cte_finish(&m->dec, dec);
		openpgp_feed(&m->pkt, dec, n);
		armor_scan_feed(&m->armor, dec, n);
	}
	if (RFC3156_IS_SIGNED(m->mode))
		return 1;
	if (armor_scan_end(&m->armor) == ARMOR_MESSAGE) {
		rfc3156_counts(&m->counts, &m->armor.pkt);
		return 1;
	}
	if (m->cte2 == MIME_CTE_BASE64 && openpgp_end(&m->pkt) == OPENPGP_OK) {
		rfc3156_counts(&m->counts, &m->pkt);
		return 1;
	}
	/* RFC 3156 in every respect but the data: a damaged message */
	m->broken = m->mode == RFC3156_ENCRYPTED;
	return m->broken;
}

/* rfc3156_part1 - a line of the version part: decoded, kept while
 * it fits (a longer body is no "Version: 1") */
static void
rfc3156_part1(struct rfc3156_mp *m)
{
	unsigned char dec[RFC3156_LINE + 3];
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

/* rfc3156_version - the version part says "Version: 1" (RFC 3156 4),
 * with nothing but white space around it: a label alone is not enough,
 * that part could hold anything */
static int
rfc3156_version(struct rfc3156_mp *m)
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

/* rfc3156_part_line - advance over one whole line */
static int
rfc3156_part_line(struct rfc3156_mp *m)
{
	int d = rfc3156_delim(m), blank;

	blank = m->linelen == 0 || (m->linelen == 1 && m->line[0] == '\r');
	if (!rfc3156_delim_ok(m, d))
		m->state = MP_NO;
	switch (m->state) {
	case MP_PREAMBLE:
		if (d == 1) {
			m->state = RFC3156_IS_SIGNED(m->mode) ? MP_BODY1 :
			    m->mode == RFC3156_MANGLED ? MP_HDR0 : MP_HDR1;
			m->body1 = m->nextstart;
		} else if (d == 2)
			m->state = MP_NO;
		break;
	case MP_HDR0:
	case MP_HDR1:
	case MP_HDR2:
		if (blank) {
			if (!rfc3156_part_end(m))
				m->state = MP_NO;
		} else if (d != 0 || rfc3156_part_header(m) == -1)
			m->state = MP_NO;
		break;
	case MP_BODY0:
		if (d == 1)
			m->state = MP_HDR1;
		else if (!rfc3156_blank(m))
			m->state = MP_NO;	/* text beside the ciphertext */
		break;
	case MP_BODY1:
		if (d == 1) {
			m->state = RFC3156_IS_SIGNED(m->mode) ||
			    rfc3156_version(m) ?
			    MP_HDR2 : MP_NO;
			/* the line end before a delimiter belongs to it */
			m->end1 = m->linestart - (off_t)m->preveol;
		} else if (d == 2)
			m->state = MP_NO;
		else if (!RFC3156_IS_SIGNED(m->mode))
			rfc3156_part1(m);
		break;
	case MP_BODY2:
		if (d == 2) {
			m->state = rfc3156_part2_end(m) ? MP_EPILOGUE : MP_NO;
			m->end2 = m->linestart;
		} else if (d == 1)
			m->state = MP_NO;	/* a third part */
		else
			rfc3156_part2(m);
		break;
	default:
		break;
	}
	m->preveol = rfc3156_eol(m);
	m->linelen = 0;
	m->toolong = 0;
	return m->state == MP_NO ? -1 : 0;
}

/* rfc3156_boundary_ok - a boundary every reader reads as we do: 1 to
 * LIMIT_BOUNDARY RFC 2046 bchars, not ending in a space (Python strips
 * it) nor starting with one, no encoded word (RFC 2047 "=?", which GMime
 * and Python decode) */
static int
rfc3156_boundary_ok(const char *b)
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

/* rfc3156_lines - feed the body, line by line, to rfc3156_part_line;
 * a CR without LF ends it (MP_NO).  Returns -1 on a read error. */
static int
rfc3156_lines(struct input *in, off_t pos, struct rfc3156_mp *m)
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
			(void)rfc3156_part_line(m);
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
		(void)rfc3156_part_line(m);	/* no final newline */
	}
	return 0;
}

/* rfc3156_scan - see rfc3156.h */
int
rfc3156_scan(struct input *in, off_t bodyoff, const char *boundary,
    int mode, int *yes, struct classify_span *span)
{
	struct rfc3156_mp *m;

	*yes = 0;
	if (!rfc3156_boundary_ok(boundary))
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
	if (rfc3156_lines(in, bodyoff, m) == -1) {
		armor_scan_free(&m->armor);
		free(m);
		return -1;
	}
	*yes = m->state != MP_EPILOGUE ? 0 : m->broken ? 2 : 1;
	/* a span outside the body would be verified or decrypted in
	 * place of the part (a negative length reads to the end) */
	if (*yes && (m->body2 < bodyoff || m->end2 < m->body2 ||
	    (RFC3156_IS_SIGNED(mode) && (m->body1 < bodyoff ||
	    m->end1 < m->body1 || m->end1 > m->body2))))
		*yes = 0;
	if (*yes && span != NULL && !RFC3156_IS_SIGNED(mode)) {
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
		span->sigcte = m->cte2;
	}
	armor_scan_free(&m->armor);
	free(m);
	return 0;
}
