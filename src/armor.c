/*
 * armor.c - recognise a body that is exactly one ASCII-armored OpenPGP
 * block (RFC 9580 6.2; clear-signed: 7.1), with nothing around it but
 * white space.
 *
 * Text outside the block would be clear text passing as protected, so
 * "one whole block" is what counts: such a body is already encrypted
 * (encrypt passes it through) and is what decrypt may treat as inline
 * PGP.  The scan is a line automaton over decoded bytes that keeps only
 * the start of the current line, so any body is scanned in constant
 * memory.
 */
#include <config.h>

#include <string.h>

#include "armor.h"

enum {
	ARMOR_BEFORE,		/* white space before the block */
	ARMOR_IN,		/* inside the block */
	ARMOR_SIGTEXT,		/* clear-signed: the signed text */
	ARMOR_SIG,		/* clear-signed: the signature block */
	ARMOR_AFTER,		/* white space after the block */
	ARMOR_NO		/* anything else: not one whole block */
};

static int	armor_is(const struct armor_scan *, const char *);
static void	armor_line(struct armor_scan *);

/* armor_scan_init - start scanning a body */
void
armor_scan_init(struct armor_scan *s)
{
	memset(s, 0, sizeof *s);
	s->state = ARMOR_BEFORE;
	s->blank = 1;
}

/* armor_is - the current line is marker, maybe followed by white space */
static int
armor_is(const struct armor_scan *s, const char *marker)
{
	size_t n = strlen(marker), i;

	if (s->linelen < n || memcmp(s->line, marker, n) != 0)
		return 0;
	for (i = n; i < s->linelen; i++)
		if (s->line[i] != ' ' && s->line[i] != '\t' && s->line[i] != '\r')
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
		if (armor_is(s, "-----BEGIN PGP MESSAGE-----")) {
			s->kind = ARMOR_MESSAGE;
			s->state = ARMOR_IN;
		} else if (armor_is(s, "-----BEGIN PGP SIGNED MESSAGE-----")) {
			s->kind = ARMOR_SIGNED;
			s->state = ARMOR_SIGTEXT;
		} else
			s->state = ARMOR_NO;
		break;
	case ARMOR_IN:
		if (armor_is(s, "-----END PGP MESSAGE-----"))
			s->state = ARMOR_AFTER;
		else if (s->linelen >= 5 && memcmp(s->line, "-----", 5) == 0)
			s->state = ARMOR_NO;	/* another armor line */
		break;
	case ARMOR_SIGTEXT:
		if (armor_is(s, "-----BEGIN PGP SIGNATURE-----"))
			s->state = ARMOR_SIG;
		break;
	case ARMOR_SIG:
		if (armor_is(s, "-----END PGP SIGNATURE-----"))
			s->state = ARMOR_AFTER;
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
}

/* armor_scan_feed - scan more bytes of the decoded body */
void
armor_scan_feed(struct armor_scan *s, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && s->state != ARMOR_NO; i++) {
		unsigned char c = p[i];
		if (c == '\n') {
			armor_line(s);
			continue;
		}
		if (c != ' ' && c != '\t' && c != '\r')
			s->blank = 0;
		if (s->linelen < sizeof s->line)
			s->line[s->linelen] = (char)c;
		if (s->linelen < sizeof s->line)
			s->linelen++;
	}
}

/* armor_scan_end - see armor.h */
enum armor_kind
armor_scan_end(struct armor_scan *s)
{
	if (s->linelen > 0 || !s->blank)
		armor_line(s);	/* a last line without a newline */
	return s->state == ARMOR_AFTER ? s->kind : ARMOR_NONE;
}

/* armor_scan_failed - see armor.h */
int
armor_scan_failed(const struct armor_scan *s)
{
	return s->state == ARMOR_NO;
}
