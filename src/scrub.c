/*
 * scrub.c - pass on a message that decrypt cannot parse (a lone CR or a
 * NUL in the header, a header line over LIMIT_HEADER_LINE, too many
 * fields, ...) as it came, but without a verdict field a sender wrote.
 *
 * Such mail is not encrypted as far as anyone can tell, and it must
 * reach its reader: refusing it (65) made procmail defer it forever.
 * But procmail, and the reader's eyes, believe X-Mailseal-Decryption
 * and X-Mailseal-Signature fields, so every header line that carries
 * one of those names is removed with its continuation lines, and the
 * two true verdicts are put at the top (after an mbox From_ line).
 *
 * "Header line" is taken broadly, since readers split an unparseable
 * header differently: a line starts at the start of the message, after
 * an LF, and after a CR that no LF follows (Python's email package and
 * Mozilla's line buffer split there).  A removed field that started
 * after a lone CR takes the rest of its physical line with it.  The
 * header ends at the first empty line (LF or CRLF); the body is copied
 * unchanged.  One pass, a few bytes of state: any size, constant memory.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "input.h"
#include "scrub.h"
#include "verdict.h"

#define SCRUB_CHUNK	65536

enum {
	SC_START,		/* at the start of a line: the name so far */
	SC_COPY,		/* in a line that is kept */
	SC_DROP,		/* in a line that goes */
	SC_BODY			/* after the header */
};

struct scrub {
	FILE		*fp;
	int		 state;
	int		 cr;		/* a CR is pending: LF or not? */
	int		 dropping;	/* the last field went: so do its
					 * continuation lines */
	int		 physical;	/* this line started after an LF */
	int		 out;		/* bytes of this line went out */
	char		 pre[32];	/* its start, while it may be ours */
	size_t		 npre;
};

static int	scrub_ours(const struct scrub *, int *);
static void	scrub_put(struct scrub *, const void *, size_t);
static void	scrub_start(struct scrub *, unsigned char);
static void	scrub_eol(struct scrub *, const char *);
static void	scrub_byte(struct scrub *, unsigned char);
static size_t	scrub_head(const unsigned char *, size_t, const char **);

/* scrub_ours - could the start of the line still be, or is it, one of
 * our names followed by white space or ':'?  *done: it is */
static int
scrub_ours(const struct scrub *s, int *done)
{
	static const char *names[] = { VERDICT_DECRYPTION, VERDICT_SIGNATURE };
	size_t i, n, k = s->npre;
	char last;

	*done = 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		n = strlen(names[i]);
		if (k <= n && strncasecmp(s->pre, names[i], k) == 0)
			return 1;
		last = s->pre[k - 1];
		if (k == n + 1 && strncasecmp(s->pre, names[i], n) == 0 &&
		    (last == ':' || last == ' ' || last == '\t')) {
			*done = 1;
			return 1;
		}
	}
	return 0;
}

/* scrub_put - bytes of the header that are kept */
static void
scrub_put(struct scrub *s, const void *p, size_t n)
{
	fwrite(p, 1, n, s->fp);
	s->out = 1;
}

/* scrub_start - a byte at the start of a line (or of its name) */
static void
scrub_start(struct scrub *s, unsigned char c)
{
	int done;

	if (s->npre == 0 && (c == ' ' || c == '\t')) {
		/* a continuation line: it goes with its field */
		s->state = s->dropping ? SC_DROP : SC_COPY;
		if (!s->dropping)
			scrub_put(s, &c, 1);
		return;
	}
	s->dropping = 0;
	s->pre[s->npre++] = (char)c;
	if (scrub_ours(s, &done) && !done)
		return;
	if (done) {
		s->state = SC_DROP;
		s->dropping = 1;
	} else {
		scrub_put(s, s->pre, s->npre);
		s->state = SC_COPY;
	}
	s->npre = 0;
}

/* scrub_eol - a physical line ended: its end goes out unless all of
 * the line went */
static void
scrub_eol(struct scrub *s, const char *eol)
{
	if (s->out || (s->state == SC_START && s->physical))
		fputs(eol, s->fp);
	s->out = 0;
	s->state = SC_START;
	s->physical = 1;
}

/* scrub_byte - one byte of the header */
static void
scrub_byte(struct scrub *s, unsigned char c)
{
	if (s->cr) {
		s->cr = 0;
		if (c == '\n') {
			scrub_eol(s, "\r\n");
			return;
		}
		/* a lone CR: some readers start a line after it */
		if (s->state != SC_DROP)
			scrub_put(s, "\r", 1);
		s->state = SC_START;
		s->physical = 0;
	}
	if (c == '\r' || c == '\n') {
		if (s->state == SC_START && s->npre > 0) {
			scrub_put(s, s->pre, s->npre);	/* not ours */
			s->npre = 0;
			s->state = SC_COPY;
		}
		if (c == '\r')
			s->cr = 1;
		else if (s->state == SC_START && s->physical && !s->out) {
			putc('\n', s->fp);	/* LF LF: the header ends */
			s->state = SC_BODY;
		} else
			scrub_eol(s, "\n");
		return;
	}
	if (s->state == SC_START)
		scrub_start(s, c);
	else if (s->state == SC_COPY)
		scrub_put(s, &c, 1);
}

/* scrub_head - the length of a leading mbox From_ line (LF or CRLF
 * ended, no other CR in it), or 0; *eol: the line end the message uses */
static size_t
scrub_head(const unsigned char *p, size_t n, const char **eol)
{
	const unsigned char *nl = memchr(p, '\n', n), *cr;

	*eol = nl != NULL && nl > p && nl[-1] == '\r' ? "\r\n" : "\n";
	if (nl == NULL || n < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	cr = memchr(p, '\r', (size_t)(nl - p));
	if (cr != NULL && cr != nl - 1)
		return 0;
	return (size_t)(nl - p) + 1;
}

/* scrub_copy - see scrub.h */
int
scrub_copy(struct input *in, FILE *fp)
{
	static unsigned char buf[SCRUB_CHUNK];
	struct scrub s;
	const char *eol;
	size_t i, from;
	ssize_t n;

	if (input_seek(in, 0) == -1 || (n = input_read(in, buf, sizeof buf)) < 0)
		return -1;
	if (n == 0)
		return 1;
	from = scrub_head(buf, (size_t)n, &eol);
	if (fwrite(buf, 1, from, fp) != from ||
	    fprintf(fp, "%s: not-encrypted%s%s: none%s", VERDICT_DECRYPTION,
	    eol, VERDICT_SIGNATURE, eol) < 0)
		return -1;
	memset(&s, 0, sizeof s);
	s.fp = fp;
	s.state = SC_START;
	s.physical = 1;
	s.dropping = 1;		/* a continuation would join our field */
	do {
		for (i = from; i < (size_t)n && s.state != SC_BODY; i++)
			scrub_byte(&s, buf[i]);
		if (fwrite(buf + i, 1, (size_t)n - i, fp) != (size_t)n - i)
			return -1;
		from = 0;
	} while ((n = input_read(in, buf, sizeof buf)) > 0);
	if (n < 0)
		return -1;
	if (s.npre > 0 && s.state == SC_START)
		fwrite(s.pre, 1, s.npre, fp);
	if (s.cr && s.state != SC_DROP)
		putc('\r', fp);
	return ferror(fp) ? -1 : 0;
}
