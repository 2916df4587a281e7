/*
 * classify.c - tell an encrypted message from one that is not.
 *
 * Encrypted means: a multipart/encrypted root (RFC 1847, RFC 3156); an
 * S/MIME root application/pkcs7-mime whose smime-type is enveloped-data
 * or authEnveloped-data (RFC 8551); or a text/plain root whose whole
 * decoded body is one "BEGIN PGP MESSAGE" block with nothing but white
 * space around it.  When in doubt the answer is "plain": encrypting an
 * encrypted message twice costs a little, passing clear text as if it
 * were encrypted would defeat the point.  So a pkcs7-mime root without
 * smime-type (it may be signed-only), an unknown transfer encoding, or
 * inline PGP with text around the block, all count as plain.
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
#include "rfc5322.h"
#include "xmalloc.h"

static int	classify_inline(struct input *, off_t, enum mime_cte,
		    enum armor_kind *);

/* classify_inline - is the body one armored block?  Reads at most up
 * to the first line that says no. */
static int
classify_inline(struct input *in, off_t bodyoff, enum mime_cte cte,
    enum armor_kind *kind)
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
	if (n < 0)
		return -1;
	m = cte_finish(&d, dec);
	armor_scan_feed(&s, dec, m);
	*kind = armor_scan_end(&s);
	return 0;
}

/* classify_message - see classify.h */
int
classify_message(const struct rfc5322_header *h, struct input *in,
    enum classify_kind *kind)
{
	const struct rfc5322_field *f;
	struct mime_ctype ct;
	enum mime_cte cte = MIME_CTE_IDENTITY;
	enum armor_kind ak;
	const char *st;
	char *v;
	size_t len;
	int text = 1, r = 0;

	*kind = CLASSIFY_PLAIN;
	if ((f = rfc5322_find(h, "Content-Type", NULL)) != NULL) {
		v = rfc5322_unfold(f, &len);
		if (mime_ctype_parse(v, len, &ct) == 0) {
			text = mime_ctype_is(&ct, "text", "plain");
			if (mime_ctype_is(&ct, "multipart", "encrypted"))
				*kind = CLASSIFY_PGPMIME;
			else if (mime_ctype_is(&ct, "application", "pkcs7-mime") ||
			    mime_ctype_is(&ct, "application", "x-pkcs7-mime")) {
				st = mime_ctype_param(&ct, "smime-type");
				if (st != NULL &&
				    (strcasecmp(st, "enveloped-data") == 0 ||
				    strcasecmp(st, "authenveloped-data") == 0))
					*kind = CLASSIFY_SMIME;
			}
		}
		mime_ctype_free(&ct);
		free(v);
	}
	if (*kind != CLASSIFY_PLAIN || !text)
		return 0;
	if ((f = rfc5322_find(h, "Content-Transfer-Encoding", NULL)) != NULL) {
		v = rfc5322_unfold(f, &len);
		cte = mime_cte_parse(v, len);
		free(v);
		if (cte == MIME_CTE_UNKNOWN)
			return 0;
	}
	if ((r = classify_inline(in, h->bodyoff, cte, &ak)) == -1)
		return -1;
	if (ak == ARMOR_MESSAGE)
		*kind = CLASSIFY_INLINE;
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
	}
	return "?";
}
