/*
 * smtpcreply.c - the SMTP hop's replies (smtpcint.h): read within the
 * hop's timeout, judged (a code, the same on every line, at most
 * LIMIT_SMTP_REPLY_LINES lines of LIMIT_SMTP_REPLY_LINE bytes), kept
 * escaped for the error text; the EHLO reply's extensions.
 */
#include <config.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smtpcint.h"

/* smtpc_err - "reinject HOST:PORT" and the rest into err */
void
smtpc_err(const struct smtp_hop *hop, char *err, size_t errsz,
    const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	(void)snprintf(err, errsz, "reinject %s%s", hop->hostport, what);
}

/* smtpc_text - append len bytes of s to r->text, escaped (\ooo) */
void
smtpc_text(struct smtpc_reply *r, const char *s, size_t len)
{
	size_t o = strlen(r->text), i;
	unsigned char c;

	if (o + 8 >= sizeof r->text)
		return;			/* full, or cut already */
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (o + 8 >= sizeof r->text) {
			memcpy(r->text + o, "...", 4);
			return;
		}
		if (c < 32 || c > 126 || c == '\\')
			o += (size_t)snprintf(r->text + o, sizeof r->text - o,
			    "\\%03o", c);
		else
			r->text[o++] = (char)c;
	}
	r->text[o] = '\0';
}

/* smtpc_line_ok - does a reply line start "DDD " or "DDD-" (or is it
 * "DDD" alone, RFC 5321 4.2)?  *more says whether lines follow */
static int
smtpc_line_ok(const char *s, size_t len, int *code, int *more)
{
	if (len < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' ||
	    s[1] > '5' || !isdigit((unsigned char)s[2]))
		return 0;
	if (len > 3 && s[3] != ' ' && s[3] != '-')
		return 0;
	*code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	*more = len > 3 && s[3] == '-';
	return 1;
}

/* smtpc_reply - one reply, all its lines within the hop's timeout;
 * each line's text (after the code) to each, if not NULL: 0, or -1
 * with r->bad (malformed) or c->io.err set.  each gets the line's
 * number, from 1 */
int
smtpc_reply(struct smtpc *c, struct smtpc_reply *r,
    void (*each)(struct smtpc *, size_t, const char *, size_t))
{
	char line[LIMIT_SMTP_REPLY_LINE - 1];	/* without CRLF, with NUL */
	size_t nlines = 0, len;
	ssize_t got;
	int code, more;

	memset(r, 0, sizeof *r);
	c->io.err = SMTPIO_OK;
	if (c->io.olen > 0 && smtpio_flush(&c->io) == -1)
		return -1;	/* not only when a read would wait */
	c->io.deadline = smtpio_now() + (long long)c->io.timeout * 1000;
	do {
		if ((got = smtpio_getline(&c->io, line, sizeof line)) == -1) {
			if (c->io.err == SMTPIO_TOOLONG)
				r->bad = "a reply line over "
				    SMTPC_XSTR(LIMIT_SMTP_REPLY_LINE) " bytes";
			break;
		}
		len = (size_t)got;
		if (++nlines > LIMIT_SMTP_REPLY_LINES)
			r->bad = "a reply of more than "
			    SMTPC_XSTR(LIMIT_SMTP_REPLY_LINES) " lines";
		else if (!smtpc_line_ok(line, len, &code, &more) ||
		    (nlines > 1 && code != r->code))
			r->bad = "a malformed reply";
		if (r->bad != NULL) {
			smtpc_text(r, line, len > 40 ? 40 : len);
			break;
		}
		r->code = code;
		if (nlines == 1)
			smtpc_text(r, line, len);
		else if (len > 4) {
			smtpc_text(r, " ", 1);
			smtpc_text(r, line + 4, len - 4);
		}
		if (each != NULL)
			each(c, nlines, line + (len > 4 ? 4 : len),
			    len > 4 ? len - 4 : 0);
	} while (more);
	c->io.deadline = 0;
	if (got == -1 || r->bad != NULL) {
		r->code = 0;
		return -1;
	}
	return 0;
}

/* smtpc_ehlo_line - note the extension the EHLO reply's line lineno
 * names (the first names the server) */
void
smtpc_ehlo_line(struct smtpc *c, size_t lineno, const char *s, size_t len)
{
	static const struct { const char *kw; unsigned int bit; } kws[] = {
		{ "PIPELINING", SMTPC_PIPELINING },
		{ "8BITMIME", SMTPC_8BITMIME },
		{ "SMTPUTF8", SMTPC_SMTPUTF8 },
		{ "XFORWARD", SMTPC_XFORWARD },
		{ "SIZE", SMTPC_SIZE },
	};
	size_t i, k, o;

	if (lineno == 1)
		return;
	for (k = 0; k < len && s[k] != ' '; k++)
		;
	for (i = 0; i < sizeof kws / sizeof kws[0]; i++)
		if (strlen(kws[i].kw) == k && strncasecmp(s, kws[i].kw, k) == 0)
			break;
	if (i == sizeof kws / sizeof kws[0])
		return;
	c->ext |= kws[i].bit;
	if (kws[i].bit != SMTPC_XFORWARD)
		return;
	/* "NAME ADDR ...", what fits */
	o = strlen(c->xfnames);
	for (; k < len && o + 2 < sizeof c->xfnames; k++)
		c->xfnames[o++] = s[k] == '\0' ? ' ' : s[k];
	if (o + 1 < sizeof c->xfnames)	/* full: a later line adds none */
		c->xfnames[o++] = ' ';
	c->xfnames[o] = '\0';
}

/* smtpc_xf_offered - does the server take the XFORWARD attribute
 * named by the namelen bytes at name? */
int
smtpc_xf_offered(const struct smtpc *c, const char *name, size_t namelen)
{
	const char *p = c->xfnames, *e;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		if ((size_t)(e - p) == namelen && namelen > 0 &&
		    strncasecmp(p, name, namelen) == 0)
			return 1;
		p = e;
	}
	return 0;
}
