/*
 * pgpmime.c - write RFC 3156 PGP/MIME encrypted messages.
 *
 * We wrap, we do not re-encode: the inner entity is the message's own
 * Content-* fields and body, byte for byte (only line ends become CRLF,
 * as RFC 3156 asks of what is encrypted), and the outer header is the
 * message's other fields, byte for byte, in their order.  The only
 * bytes we make are the boundary, our two parts' headers and the
 * multipart/encrypted Content-Type.  libetpan's MIME writer is not used:
 * it refolds, reorders and re-ends lines (FACTS.md).
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "pgpmime.h"
#include "protect.h"
#include "rfc5322.h"
#include "secmem.h"
#include "verdict.h"
#include "xmalloc.h"

static int	pgpmime_puts(FILE *, const char *, int);
static void	pgpmime_sink_keep(struct pgpmime_sink *, const char *, size_t);
static ssize_t	pgpmime_inner_body(struct pgpmime_inner *, size_t);

/* pgpmime_boundary - see pgpmime.h */
void
pgpmime_boundary(char *buf)
{
	static const char alnum[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char rnd[PGPMIME_BOUNDARY_RANDOM];
	size_t i, plen = sizeof(PGPMIME_BOUNDARY_PREFIX) - 1;

	secmem_nonce(rnd, sizeof rnd);
	memcpy(buf, PGPMIME_BOUNDARY_PREFIX, plen);
	/* 62 symbols from a byte: a small bias, which does not matter for
	 * a boundary (192 bits of which about 190 survive). */
	for (i = 0; i < sizeof rnd; i++)
		buf[plen + i] = alnum[rnd[i] % (sizeof alnum - 1)];
	buf[plen + sizeof rnd] = '\0';
}

/* pgpmime_is_outer - see pgpmime.h */
int
pgpmime_is_outer(const struct rfc5322_field *f)
{
	return !rfc5322_has_prefix(f, "Content-") && !rfc5322_is(f, "Bcc") &&
	    !rfc5322_is(f, "Resent-Bcc") && !verdict_is_ours(f);
}

/* pgpmime_puts - a line of ours, with the message's line end */
static int
pgpmime_puts(FILE *fp, const char *s, int crlf)
{
	if (fputs(s, fp) == EOF)
		return -1;
	return fputs(crlf ? "\r\n" : "\n", fp) == EOF ? -1 : 0;
}

/* pgpmime_write_outer - see pgpmime.h */
int
pgpmime_write_outer(FILE *fp, const struct rfc5322_header *h)
{
	const char *eol = h->crlf ? "\r\n" : "\n";
	size_t i;
	int mimever = 0;

	if (h->fromline != NULL &&
	    fwrite(h->fromline, 1, h->fromlen, fp) != h->fromlen)
		return -1;
	for (i = 0; i < h->nfields; i++) {
		const struct rfc5322_field *f = &h->fields[i];
		if (!pgpmime_is_outer(f))
			continue;
		if (rfc5322_is(f, "MIME-Version"))
			mimever = 1;
		if (fwrite(f->raw, 1, f->rawlen, fp) != f->rawlen)
			return -1;
		/* a header that ends the input without a line end */
		if (f->raw[f->rawlen - 1] != '\n' && fputs(eol, fp) == EOF)
			return -1;
	}
	if (!mimever && pgpmime_puts(fp, "MIME-Version: 1.0", h->crlf) == -1)
		return -1;
	return 0;
}

/* pgpmime_write_head - see pgpmime.h */
int
pgpmime_write_head(FILE *fp, const struct rfc5322_header *h, const char *b)
{
	const char *eol = h->crlf ? "\r\n" : "\n";

	if (pgpmime_write_outer(fp, h) == -1)
		return -1;
	if (fprintf(fp, "Content-Type: multipart/encrypted;%s"
	    "\tprotocol=\"application/pgp-encrypted\";%s"
	    "\tboundary=\"%s\"%s%s", eol, eol, b, eol, eol) < 0)
		return -1;
	if (pgpmime_puts(fp, "This is an OpenPGP/MIME encrypted message "
	    "(RFC 4880 and 3156)", h->crlf) == -1)
		return -1;
	if (fprintf(fp, "--%s%s"
	    "Content-Type: application/pgp-encrypted%s"
	    "Content-Description: PGP/MIME version identification%s%s"
	    "Version: 1%s%s"
	    "--%s%s"
	    "Content-Type: application/octet-stream; name=\"encrypted.asc\"%s"
	    "Content-Description: OpenPGP encrypted message%s"
	    "Content-Disposition: inline; filename=\"encrypted.asc\"%s%s",
	    b, eol, eol, eol, eol, eol, eol, b, eol, eol, eol, eol, eol) < 0)
		return -1;
	return 0;
}

/* pgpmime_write_tail - see pgpmime.h */
int
pgpmime_write_tail(FILE *fp, const char *b, int crlf, int lastnl)
{
	const char *eol = crlf ? "\r\n" : "\n";

	if (!lastnl && fputs(eol, fp) == EOF)
		return -1;
	return fprintf(fp, "%s--%s--%s", eol, b, eol) < 0 ? -1 : 0;
}

/* pgpmime_canon - see pgpmime.h; copies runs between LFs whole */
size_t
pgpmime_canon(const unsigned char *src, size_t n, unsigned char *dst,
    int *prevcr)
{
	const unsigned char *p = src, *end = src + n, *nl;
	size_t o = 0, run;

	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		run = (size_t)(nl - p);
		memcpy(dst + o, p, run);
		o += run;
		if (run > 0)
			*prevcr = p[run - 1] == '\r';
		if (nl == end)
			break;
		if (!*prevcr)
			dst[o++] = '\r';
		dst[o++] = '\n';
		*prevcr = 0;
		p = nl + 1;
	}
	return o;
}

/* pgpmime_inner_init - see pgpmime.h; the input must be at the body */
void
pgpmime_inner_init(struct pgpmime_inner *s, const struct rfc5322_header *h,
    struct input *in)
{
	size_t i, len = 2;
	int prevcr;

	memset(s, 0, sizeof *s);
	s->in = in;
	s->left = -1;
	for (i = 0; i < h->nfields; i++)
		if (rfc5322_has_prefix(&h->fields[i], "Content-"))
			len += 2 * h->fields[i].rawlen + 16;
	s->head = xmalloc(len);
	for (i = 0; i < h->nfields; i++) {
		const struct rfc5322_field *f = &h->fields[i];
		size_t n;
		if (!rfc5322_has_prefix(f, "Content-"))
			continue;
		/* no protected header here: no marks saying there is one */
		if (rfc5322_is(f, "Content-Type") &&
		    (n = protect_unmarked(f, s->head + s->headlen)) > 0) {
			s->headlen += n;
			continue;
		}
		prevcr = 0;
		s->headlen += pgpmime_canon((const unsigned char *)f->raw,
		    f->rawlen, (unsigned char *)s->head + s->headlen, &prevcr);
		if (f->raw[f->rawlen - 1] != '\n') {
			memcpy(s->head + s->headlen, "\r\n", 2);
			s->headlen += 2;
		}
	}
	memcpy(s->head + s->headlen, "\r\n", 2);
	s->headlen += 2;
}

/* pgpmime_inner_protect - see pgpmime.h */
int
pgpmime_inner_protect(struct pgpmime_inner *s, const struct rfc5322_header *h)
{
	size_t len;
	char *head;

	if ((head = protect_inner(h, &len, NULL)) == NULL)
		return -1;
	free(s->head);
	s->head = head;
	s->headlen = len;
	s->headpos = 0;
	return 0;
}

/* pgpmime_canon_init - see pgpmime.h; a negative length would mean "to
 * the end of the input" to pgpmime_inner_body: refused */
int
pgpmime_canon_init(struct pgpmime_inner *s, struct input *in, off_t len)
{
	memset(s, 0, sizeof *s);
	s->in = in;
	if (len < 0) {
		s->left = 0;
		errno = EINVAL;
		return -1;
	}
	s->left = len;
	return 0;
}

/* pgpmime_inner_body - read up to n body bytes, within the bound */
static ssize_t
pgpmime_inner_body(struct pgpmime_inner *s, size_t n)
{
	ssize_t r;

	if (s->left >= 0 && (off_t)n > s->left)
		n = (size_t)s->left;
	if (n == 0)
		return 0;
	if ((r = input_read(s->in, s->raw, n)) > 0 && s->left >= 0)
		s->left -= r;
	return r;
}

/* pgpmime_inner_read - GPGME's read callback: next bytes of the entity */
ssize_t
pgpmime_inner_read(void *cookie, void *buf, size_t n)
{
	struct pgpmime_inner *s = cookie;
	unsigned char *out = buf;
	size_t want, o = 0;
	ssize_t r;

	if (n == 0)
		return 0;
	if (s->headpos < s->headlen) {
		want = s->headlen - s->headpos;
		if (want > n)
			want = n;
		memcpy(out, s->head + s->headpos, want);
		s->headpos += want;
		return (ssize_t)want;
	}
	if (s->pendlf) {
		out[o++] = '\n';
		s->pendlf = 0;
		return (ssize_t)o;
	}
	want = n / 2;
	if (want > sizeof s->raw)
		want = sizeof s->raw;
	if (want == 0) {
		/* room for one byte: an LF may need a CR first */
		if ((r = pgpmime_inner_body(s, 1)) <= 0)
			goto done;
		if (s->raw[0] == '\n' && !s->prevcr) {
			out[0] = '\r';
			s->pendlf = 1;
			s->prevcr = 0;
			return 1;
		}
		out[0] = s->raw[0];
		s->prevcr = s->raw[0] == '\r';
		return 1;
	}
	if ((r = pgpmime_inner_body(s, want)) <= 0)
		goto done;
	return (ssize_t)pgpmime_canon(s->raw, (size_t)r, out, &s->prevcr);
done:
	if (r < 0) {
		s->err = errno;
		return -1;
	}
	return 0;
}

/* pgpmime_inner_free - release the entity source */
void
pgpmime_inner_free(struct pgpmime_inner *s)
{
	free(s->head);
	s->head = NULL;
}

/* pgpmime_sink_keep - remember the first and the last bytes written */
static void
pgpmime_sink_keep(struct pgpmime_sink *s, const char *p, size_t n)
{
	size_t k;

	if (s->headlen < sizeof s->head) {
		k = sizeof s->head - s->headlen;
		if (k > n)
			k = n;
		memcpy(s->head + s->headlen, p, k);
		s->headlen += k;
	}
	if (n >= sizeof s->tail) {
		memcpy(s->tail, p + n - sizeof s->tail, sizeof s->tail);
		s->taillen = sizeof s->tail;
		return;
	}
	k = s->taillen + n > sizeof s->tail ? s->taillen + n - sizeof s->tail : 0;
	memmove(s->tail, s->tail + k, s->taillen - k);
	memcpy(s->tail + s->taillen - k, p, n);
	s->taillen += n - k;
}

/* pgpmime_sink_complete - see pgpmime.h */
int
pgpmime_sink_complete(const struct pgpmime_sink *s)
{
	static const char begin[] = "-----BEGIN PGP MESSAGE-----";
	static const char end[] = "-----END PGP MESSAGE-----\n";

	return s->headlen >= sizeof begin - 1 &&
	    memcmp(s->head, begin, sizeof begin - 1) == 0 &&
	    s->taillen >= sizeof end - 1 &&
	    memcmp(s->tail + s->taillen - (sizeof end - 1), end,
	    sizeof end - 1) == 0;
}

/* pgpmime_sink_write - GPGME's write callback: armor to the output */
ssize_t
pgpmime_sink_write(void *cookie, const void *buf, size_t n)
{
	struct pgpmime_sink *s = cookie;
	const char *p = buf, *end = p + n, *nl;

	if (n == 0)
		return 0;
	if (!s->crlf) {
		if (fwrite(p, 1, n, s->fp) != n)
			goto fail;
	} else {
		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL) {
				if (fwrite(p, 1, (size_t)(end - p), s->fp) !=
				    (size_t)(end - p))
					goto fail;
				break;
			}
			if (nl > p && fwrite(p, 1, (size_t)(nl - p), s->fp) !=
			    (size_t)(nl - p))
				goto fail;
			if (fputs("\r\n", s->fp) == EOF)
				goto fail;
			p = nl + 1;
		}
	}
	s->lastnl = ((const char *)buf)[n - 1] == '\n';
	pgpmime_sink_keep(s, buf, n);
	return (ssize_t)n;
fail:
	s->err = errno != 0 ? errno : EIO;
	return -1;
}
