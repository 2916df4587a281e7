/*
 * rfc5322.c - read the header block of a message (RFC 5322 2.2, 3.6).
 *
 * Fields are kept as their exact bytes: name spelling, folding, white
 * space and line ends are never touched, so fields we do not own leave
 * mailseal as they came in (DKIM signatures keep verifying on them).
 *
 * Leniency (VIOLATIONS.md): a line that is neither a field nor a
 * continuation ends the header block and starts the body, as Postfix's
 * cleanup does, instead of rejecting the message; an mbox "From " line
 * (not "From :", a field) is accepted as the first line; white space between a field name and
 * its colon (obs-optional) is accepted.  Readers do not all share these
 * leniencies: rfc5322_ambiguous() says when a header block used one
 * that moves the end of the block, and classify.c then calls nothing
 * in the message signed or encrypted.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input.h"
#include "limit.h"
#include "rfc5322.h"
#include "xmalloc.h"

static int	rfc5322_blank(const char *, size_t);
static enum rfc5322_err rfc5322_append(struct rfc5322_header *,
		    struct rfc5322_field *, const char *, size_t);

/* rfc5322_field_parse - see rfc5322.h */
size_t
rfc5322_field_parse(const char *line, size_t len, size_t *valoff)
{
	size_t i, namelen;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == ':' || c < 33 || c > 126)
			break;
	}
	namelen = i;
	if (namelen == 0)
		return 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] != ':')
		return 0;
	*valoff = i + 1;
	return namelen;
}

/* rfc5322_is_fromline - see rfc5322.h: "From " and then no colon
 * after white space; "From : x" is a From field (obs-optional), and
 * taking it for the From_ line would hide it from the one-From rule */
int
rfc5322_is_fromline(const char *line, size_t len)
{
	size_t valoff;

	return len >= 5 && memcmp(line, "From ", 5) == 0 &&
	    rfc5322_field_parse(line, len, &valoff) == 0;
}

/* rfc5322_obs_colon - see rfc5322.h */
int
rfc5322_obs_colon(const struct rfc5322_field *f)
{
	return f->valoff != f->namelen + 1;
}

/* rfc5322_ambiguous - see rfc5322.h */
int
rfc5322_ambiguous(const struct rfc5322_header *h)
{
	size_t i;

	if (h->nfields > 0 && !h->separator)
		return 1;
	for (i = 0; i < h->nfields; i++)
		if (rfc5322_obs_colon(&h->fields[i]))
			return 1;
	return 0;
}

/* rfc5322_blank - is this an empty line (just its line end)? */
static int
rfc5322_blank(const char *line, size_t len)
{
	return (len == 1 && line[0] == '\n') ||
	    (len == 2 && line[0] == '\r' && line[1] == '\n');
}

/* rfc5322_append - add a continuation line to the field being built */
static enum rfc5322_err
rfc5322_append(struct rfc5322_header *h, struct rfc5322_field *f,
    const char *line, size_t len)
{
	if (f->rawlen + len > LIMIT_HEADER_FIELD)
		return RFC5322_FIELD;
	if (h->total + len > LIMIT_HEADER_BLOCK)
		return RFC5322_BLOCK;
	f->raw = xreallocarray(f->raw, f->rawlen + len, 1);
	memcpy(f->raw + f->rawlen, line, len);
	f->rawlen += len;
	h->total += len;
	return RFC5322_OK;
}

/* rfc5322_read - see rfc5322.h */
enum rfc5322_err
rfc5322_read(struct input *in, struct rfc5322_header *h)
{
	struct rfc5322_field *cur = NULL;
	const char *line;
	size_t len, namelen, valoff;
	const char *cr;
	off_t lineoff;
	int r, first = 1;
	enum rfc5322_err e;

	memset(h, 0, sizeof *h);
	for (;;) {
		lineoff = input_tell(in);
		r = input_line(in, LIMIT_HEADER_LINE, &line, &len);
		if (r == -1)
			return errno == E2BIG ? RFC5322_LINE : RFC5322_IO;
		if (r == 0) {
			if (first)
				return h->fromline == NULL ? RFC5322_EMPTY :
				    RFC5322_NOHEADER;
			h->bodyoff = lineoff;	/* header only, no body */
			return RFC5322_OK;
		}
		if (memchr(line, '\0', len) != NULL)
			return RFC5322_NUL;
		/* A bare CR is no line end here: with CR-only line ends the
		 * whole message would read as one header field, and stay
		 * outside the encryption. */
		if ((cr = memchr(line, '\r', len)) != NULL &&
		    (cr != line + len - 2 || line[len - 1] != '\n'))
			return RFC5322_CR;
		if (first && h->fromline == NULL &&
		    rfc5322_is_fromline(line, len)) {
			h->fromline = xstrndup(line, len);
			h->fromlen = len;
			continue;
		}
		if ((line[0] == ' ' || line[0] == '\t') && cur != NULL) {
			if ((e = rfc5322_append(h, cur, line, len)) != RFC5322_OK)
				return e;
			continue;
		}
		if (rfc5322_blank(line, len) && !first) {
			h->separator = 1;
			h->bodyoff = input_tell(in);
			return RFC5322_OK;
		}
		namelen = rfc5322_field_parse(line, len, &valoff);
		if (namelen == 0) {
			if (first)
				return RFC5322_NOHEADER;
			/* not a header line: the body starts here */
			if (input_seek(in, lineoff) == -1)
				return RFC5322_IO;
			h->bodyoff = lineoff;
			return RFC5322_OK;
		}
		if (h->nfields == LIMIT_HEADER_FIELDS)
			return RFC5322_COUNT;
		if (first)
			h->crlf = len >= 2 && line[len - 2] == '\r';
		first = 0;
		h->fields = xreallocarray(h->fields, h->nfields + 1,
		    sizeof *h->fields);
		cur = &h->fields[h->nfields++];
		memset(cur, 0, sizeof *cur);
		cur->namelen = namelen;
		cur->valoff = valoff;
		if ((e = rfc5322_append(h, cur, line, len)) != RFC5322_OK)
			return e;
	}
}

/* rfc5322_strerror - a short phrase for a result */
const char *
rfc5322_strerror(enum rfc5322_err e)
{
	switch (e) {
	case RFC5322_OK:
		return "no error";
	case RFC5322_EMPTY:
		return "empty input";
	case RFC5322_NOHEADER:
		return "no header block (the input does not start with a header field)";
	case RFC5322_LINE:
		return "header line longer than the limit (LIMIT_HEADER_LINE)";
	case RFC5322_FIELD:
		return "header field longer than the limit (LIMIT_HEADER_FIELD)";
	case RFC5322_BLOCK:
		return "header block larger than the limit (LIMIT_HEADER_BLOCK)";
	case RFC5322_COUNT:
		return "more header fields than the limit (LIMIT_HEADER_FIELDS)";
	case RFC5322_NUL:
		return "NUL byte in the header block";
	case RFC5322_CR:
		return "CR without LF in the header block (CR-only line ends?)";
	case RFC5322_IO:
		return "read error";
	}
	return "unknown error";
}

/* rfc5322_free - release what rfc5322_read() allocated */
void
rfc5322_free(struct rfc5322_header *h)
{
	size_t i;

	for (i = 0; i < h->nfields; i++)
		free(h->fields[i].raw);
	free(h->fields);
	free(h->fromline);
	memset(h, 0, sizeof *h);
}

/* rfc5322_is - see rfc5322.h */
int
rfc5322_is(const struct rfc5322_field *f, const char *name)
{
	return strlen(name) == f->namelen &&
	    strncasecmp(f->raw, name, f->namelen) == 0;
}

/* rfc5322_has_prefix - see rfc5322.h */
int
rfc5322_has_prefix(const struct rfc5322_field *f, const char *prefix)
{
	size_t n = strlen(prefix);

	return f->namelen >= n && strncasecmp(f->raw, prefix, n) == 0;
}

/* rfc5322_unfold - see rfc5322.h */
char *
rfc5322_unfold(const struct rfc5322_field *f, size_t *lenp)
{
	const char *p = f->raw + f->valoff, *end = f->raw + f->rawlen;
	char *out, *o;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	out = o = xmalloc((size_t)(end - p) + 1);
	for (; p < end; p++) {
		if (*p == '\r' && p + 1 < end && p[1] == '\n')
			continue;
		if (*p == '\n')
			continue;
		*o++ = *p;
	}
	/* drop trailing white space left by the last line */
	while (o > out && (o[-1] == ' ' || o[-1] == '\t'))
		o--;
	*o = '\0';
	if (lenp != NULL)
		*lenp = (size_t)(o - out);
	return out;
}

/* rfc5322_find - see rfc5322.h */
const struct rfc5322_field *
rfc5322_find(const struct rfc5322_header *h, const char *name, size_t *from)
{
	size_t i;

	for (i = from != NULL ? *from : 0; i < h->nfields; i++) {
		if (rfc5322_is(&h->fields[i], name)) {
			if (from != NULL)
				*from = i + 1;
			return &h->fields[i];
		}
	}
	if (from != NULL)
		*from = h->nfields;
	return NULL;
}
