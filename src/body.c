/*
 * body.c - bodies written out by decrypt.
 *
 * Line ends are the one thing adapted to the message (a CRLF message
 * gets CRLF lines, an LF one LF lines); every other byte passes as it
 * is.  Decrypted inline text is looked at once to choose its transfer
 * encoding: none for short-lined 7-bit text, 8bit for 8-bit text,
 * base64 for anything else (NUL, a bare CR, a line over the 998 bytes
 * RFC 5322 allows), which then carries the exact bytes.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "cte.h"
#include "input.h"
#include "mime.h"
#include "rfc5322.h"

#define BODY_CHUNK	16384

/* body_eol - see body.h */
size_t
body_eol(const char *p, size_t n, enum body_eol eol, int *pendcr, char *out)
{
	const char *q, *e = p + n;
	size_t o = 0, k;

	if (eol == BODY_RAW) {
		memcpy(out, p, n);
		return n;
	}
	while (p < e) {
		if (eol == BODY_LF) {
			/* a CR held back from before: dropped before LF */
			if (*pendcr && *p != '\n')
				out[o++] = '\r';
			*pendcr = 0;
			if ((q = memchr(p, '\r', (size_t)(e - p))) == NULL)
				q = e;
			k = (size_t)(q - p);
			memcpy(out + o, p, k);
			o += k;
			if (q == e)
				break;
			*pendcr = 1;
			p = q + 1;
			continue;
		}
		if ((q = memchr(p, '\n', (size_t)(e - p))) == NULL)
			q = e;
		k = (size_t)(q - p);
		memcpy(out + o, p, k);
		o += k;
		if (k > 0)
			*pendcr = p[k - 1] == '\r';
		if (q == e)
			break;
		if (!*pendcr)
			out[o++] = '\r';
		out[o++] = '\n';
		*pendcr = 0;
		p = q + 1;
	}
	return o;
}

/* body_put - bytes with their line ends made the message's */
int
body_put(FILE *fp, const char *p, size_t n, enum body_eol eol)
{
	char out[2 * BODY_CHUNK + 1];
	size_t k, o;
	int pendcr = 0;

	for (; n > 0; p += k, n -= k) {
		k = n < BODY_CHUNK ? n : BODY_CHUNK;
		o = body_eol(p, k, eol, &pendcr, out);
		if (fwrite(out, 1, o, fp) != o)
			return -1;
	}
	if (eol == BODY_LF && pendcr && putc('\r', fp) == EOF)
		return -1;
	return 0;
}

/* body_copy - the rest of in, with line ends as eol says */
int
body_copy(struct input *in, FILE *fp, enum body_eol eol)
{
	char buf[BODY_CHUNK], out[2 * BODY_CHUNK + 1];
	ssize_t n;
	size_t o;
	int pendcr = 0;

	while ((n = input_read(in, buf, sizeof buf)) > 0) {
		o = body_eol(buf, (size_t)n, eol, &pendcr, out);
		if (fwrite(out, 1, o, fp) != o)
			return -1;
	}
	if (eol == BODY_LF && pendcr && putc('\r', fp) == EOF)
		return -1;
	return n < 0 ? -1 : 0;
}

/* body_copy_n - see body.h */
int
body_copy_n(struct input *in, off_t len, FILE *fp, enum body_eol eol)
{
	char buf[BODY_CHUNK], out[2 * BODY_CHUNK + 1];
	ssize_t n = 0;
	size_t o;
	int pendcr = 0;

	while (len > 0 && (n = input_read(in, buf, len < (off_t)sizeof buf ?
	    (size_t)len : sizeof buf)) > 0) {
		len -= n;
		o = body_eol(buf, (size_t)n, eol, &pendcr, out);
		if (fwrite(out, 1, o, fp) != o)
			return -1;
	}
	if (eol == BODY_LF && pendcr && putc('\r', fp) == EOF)
		return -1;
	return n < 0 ? -1 : 0;
}

/* body_shape - see body.h */
int
body_shape(struct input *in, struct body_shape *sh)
{
	unsigned char buf[BODY_CHUNK], c;
	ssize_t n = 0, i;
	size_t col = 0;
	int prevcr = 0, cont = 0;

	memset(sh, 0, sizeof *sh);
	sh->utf8 = 1;
	if (input_seek(in, 0) == -1)
		return -1;
	while (!sh->binary && (n = input_read(in, buf, sizeof buf)) > 0)
		for (i = 0; i < n && !sh->binary; i++) {
			c = buf[i];
			if (c == '\0' || (prevcr && c != '\n'))
				sh->binary = 1;
			prevcr = c == '\r';
			col = c == '\n' ? 0 : col + 1;
			if (col > 998 + (size_t)prevcr)
				sh->binary = 1;
			if (c < 0x80) {
				sh->utf8 = sh->utf8 && cont == 0;
				continue;
			}
			sh->eight = 1;
			if (cont > 0 && c <= 0xbf)
				cont--;
			else if (cont == 0 && c >= 0xc2 && c <= 0xf4)
				cont = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
			else
				sh->utf8 = 0;
		}
	if (n < 0)
		return -1;
	if (prevcr)
		sh->binary = 1;
	if (cont != 0)
		sh->utf8 = 0;
	return 0;
}

/* body_base64 - see body.h */
int
body_base64(struct input *in, FILE *fp, int crlf)
{
	unsigned char buf[BODY_CHUNK];
	char enc[2 * BODY_CHUNK + 8];
	struct cte_encoder e;
	ssize_t n;
	size_t m;

	if (input_seek(in, 0) == -1)
		return -1;
	cte_encoder_init(&e, crlf);
	while ((n = input_read(in, buf, sizeof buf)) > 0) {
		m = cte_encode(&e, buf, (size_t)n, enc);
		if (fwrite(enc, 1, m, fp) != m)
			return -1;
	}
	m = cte_encode_finish(&e, enc);
	return n < 0 || fwrite(enc, 1, m, fp) != m ? -1 : 0;
}

/* body_ctype_utf8 - see body.h */
int
body_ctype_utf8(const struct rfc5322_header *h, FILE *fp, int crlf)
{
	const struct rfc5322_field *f;
	struct mime_ctype ct;
	const char *q, *eol = crlf ? "\r\n" : "\n";
	size_t i, len;
	char *v;
	int r = 0;

	if (fputs("Content-Type: text/plain; charset=utf-8", fp) == EOF)
		return -1;
	memset(&ct, 0, sizeof ct);
	if ((f = rfc5322_find(h, "Content-Type", NULL)) != NULL) {
		v = rfc5322_unfold(f, &len);
		(void)mime_ctype_parse(v, len, &ct);
		free(v);
	}
	for (i = 0; i < ct.nparams && r == 0; i++) {
		if (strcmp(ct.params[i].name, "charset") == 0)
			continue;
		if (fprintf(fp, ";%s %s=\"", eol, ct.params[i].name) < 0)
			r = -1;
		for (q = ct.params[i].value; r == 0 && *q != '\0'; q++)
			if (((*q == '"' || *q == '\\') && putc('\\', fp) ==
			    EOF) || putc(*q, fp) == EOF)
				r = -1;
		if (r == 0 && putc('"', fp) == EOF)
			r = -1;
	}
	mime_ctype_free(&ct);
	if (r == 0 && fputs(eol, fp) == EOF)
		r = -1;
	return r;
}

