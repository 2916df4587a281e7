/*
 * classify.c - tell an encrypted message from one that is not.
 *
 * Encrypted means: a multipart/encrypted root (RFC 1847, RFC 3156), or
 * the multipart/mixed Exchange and Outlook rewrite it into (an empty
 * text/plain, then the two RFC 3156 parts, each may be base64); an
 * S/MIME root application/pkcs7-mime (or x-pkcs7-mime) whose smime-type
 * is enveloped-data or authEnveloped-data (RFC 8551), or which has no
 * smime-type, as older clients write it (name=smime.p7m), and whose
 * DER says so; or a text/plain root whose whole
 * decoded body is one "BEGIN PGP MESSAGE" block with nothing but white
 * space around it.  When in doubt the answer is "plain": encrypting an
 * encrypted message twice costs a little, passing clear text as if it
 * were encrypted would defeat the point.  So the label is not enough:
 * a multipart/encrypted must have the RFC 3156 structure (protocol
 * application/pgp-encrypted, a first part of that type, a second part
 * application/octet-stream that is one armored encrypted block, no third
 * part), an S/MIME body must decode to CMS EnvelopedData or
 * AuthEnvelopedData, and a message with two Content-Type or two
 * Content-Transfer-Encoding fields, a pkcs7-mime root whose smime-type
 * and DER disagree, an unknown transfer encoding, or inline PGP with text
 * around the block, all count as plain.  The same scans find what
 * decrypt verifies: a multipart/signed root with the RFC 3156 structure
 * (OpenPGP) or with an application/pkcs7-signature part (S/MIME, RFC
 * 8551 3.5.3), a pkcs7-mime root whose DER is SignedData (smime-type
 * signed-data, or none), and a text/plain root that is one clear-signed
 * block.
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
 * after the close delimiter.  The multipart structures are read by
 * rfc3156.c's one-pass scan; the root, S/MIME and inline armor here.
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
#include "mime.h"
#include "openpgp.h"
#include "rfc3156.h"
#include "rfc5322.h"

static int	classify_inline(struct input *, off_t, enum mime_cte,
		    enum armor_kind *, struct classify_span *);
static int	classify_smime(struct input *, off_t, enum mime_cte, int *);
static int	classify_smime_kind(const struct mime_ctype *, struct input *,
		    off_t, enum mime_cte, enum classify_kind *);
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
static int	classify_protocol(const struct mime_ctype *, const char *,
		    const char *);
static int	classify_smime_type(const struct mime_ctype *);
static int	classify_mode(const struct mime_ctype *);

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
 * classify_smime - does the body decode to CMS EnvelopedData (*yes 1),
 * SignedData (2) or AuthEnvelopedData (3)?  The DER starts
 * SEQUENCE { contentType OID, ... }: the OID must be among the first
 * decoded bytes.
 */
static int
classify_smime(struct input *in, off_t bodyoff, enum mime_cte cte, int *yes)
{
	static const unsigned char enveloped[] = { 0x06, 0x09, 0x2a, 0x86,
	    0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03 };
	static const unsigned char authenv[] = { 0x06, 0x0b, 0x2a, 0x86, 0x48,
	    0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17 };
	static const unsigned char signeddata[] = { 0x06, 0x09, 0x2a, 0x86,
	    0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02 };
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
		if (memcmp(dec + i, enveloped, sizeof enveloped) == 0)
			*yes = 1;
		else if (memcmp(dec + i, authenv, sizeof authenv) == 0)
			*yes = 3;
		else if (memcmp(dec + i, signeddata, sizeof signeddata) == 0)
			*yes = 2;
	return 0;
}

/*
 * classify_smime_kind - what a pkcs7-mime root is: its DER decides, and
 * an smime-type, when there is one, must say the same (RFC 8551 3.2.2;
 * Outlook and older clients send name=smime.p7m without it); any other
 * smime-type (certs-only, compressed-data) is plain.
 */
static int
classify_smime_kind(const struct mime_ctype *ct, struct input *in,
    off_t bodyoff, enum mime_cte cte, enum classify_kind *kind)
{
	const char *st = mime_ctype_param(ct, "smime-type");
	int want = 0, yes = 0;

	if (st == NULL)
		want = -1;	/* the DER alone */
	else if (strcasecmp(st, "enveloped-data") == 0 ||
	    strcasecmp(st, "authenveloped-data") == 0)
		want = 1;
	else if (strcasecmp(st, "signed-data") == 0)
		want = 2;
	if (want == 0 || cte != MIME_CTE_BASE64)
		return 0;
	if (classify_smime(in, bodyoff, cte, &yes) == -1)
		return -1;
	if (yes == 3)
		yes = 1;	/* enveloped all the same */
	if (yes != 0 && (want == -1 || want == yes))
		*kind = yes == 1 ? CLASSIFY_SMIME : CLASSIFY_SMIME_OPAQUE;
	return 0;
}

/* classify_cms - see classify.h */
int
classify_cms(struct input *in, off_t off, enum mime_cte cte, int *what)
{
	return classify_smime(in, off, cte, what);
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

/* classify_mode - the rfc3156.c mode of a multipart root: its
 * structure is checked by the scan; -1 for any other root */
static int
classify_mode(const struct mime_ctype *ct)
{
	if (classify_protocol(ct, "encrypted", "application/pgp-encrypted"))
		return RFC3156_ENCRYPTED;
	if (classify_protocol(ct, "signed", "application/pgp-signature"))
		return RFC3156_SIGNED;
	if (classify_protocol(ct, "signed", "application/pkcs7-signature") ||
	    classify_protocol(ct, "signed", "application/x-pkcs7-signature"))
		return RFC3156_SMIME;
	if (mime_ctype_is(ct, "multipart", "mixed"))
		return RFC3156_MANGLED;
	return -1;
}

/* classify_smime_type - an S/MIME object, by its label (what it holds:
 * classify_smime_kind) */
static int
classify_smime_type(const struct mime_ctype *ct)
{
	return mime_ctype_is(ct, "application", "pkcs7-mime") ||
	    mime_ctype_is(ct, "application", "x-pkcs7-mime");
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
	int text = 1, smime = 0, mode = -1, yes = 0, r = 0;

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
			mode = classify_mode(&ct);
			smime = classify_smime_type(&ct);
		}
		free(v);
	}
	if (mode != -1 && cte == MIME_CTE_IDENTITY) {
		r = rfc3156_scan(in, h->bodyoff,
		    mime_ctype_param(&ct, "boundary"), mode, &yes, span);
		if (yes)
			*kind = mode == RFC3156_SIGNED ? CLASSIFY_SIGNED :
			    mode == RFC3156_SMIME ? CLASSIFY_SMIME_SIGNED :
			    mode == RFC3156_MANGLED ? CLASSIFY_MANGLED :
			    yes == 2 ? CLASSIFY_BROKEN : CLASSIFY_PGPMIME;
	} else if (smime) {
		r = classify_smime_kind(&ct, in, h->bodyoff, cte, kind);
		if (*kind != CLASSIFY_PLAIN && span != NULL) {
			memset(span, 0, sizeof *span);
			span->off = h->bodyoff;
			span->len = CLASSIFY_TO_END;
			span->cte = cte;
		}
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
	case CLASSIFY_SMIME_SIGNED:
		return "S/MIME signed";
	case CLASSIFY_SMIME_OPAQUE:
		return "S/MIME signed (opaque)";
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

/* classify_signed - see classify.h */
int
classify_signed(enum classify_kind k)
{
	return k == CLASSIFY_SIGNED || k == CLASSIFY_CLEARSIGNED ||
	    k == CLASSIFY_SMIME_SIGNED || k == CLASSIFY_SMIME_OPAQUE;
}
