/*
 * protect.c - protected header fields (RFC 9788 "hp", and the older
 * protected-headers="v1" form Thunderbird, Enigmail and Delta Chat
 * write): which header carries them, and which outer fields they
 * replace in what decrypt shows; and the protected header encrypt
 * writes (the inner entity's header, and the outer Subject "[...]").
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "limit.h"
#include "pgpmime.h"
#include "protect.h"
#include "rfc5322.h"
#include "xmalloc.h"

static enum protect_mode protect_param_mark(const char *, size_t);
static size_t	protect_skip_cfws(const char *, size_t, size_t);

/* The fields protected headers replace, as decrypt shows them. */
static const char *const protect_names[] = {
	"Subject", "From", "To", "Cc", "Reply-To", "Date", "Message-ID",
	"Thread-Topic", NULL
};

/* protect_param_mark - the mark a parameter (from just after its ';')
 * makes: hp (any value, also as an RFC 2231 "hp*..."), or
 * protected-headers: "v1" (quoted or not, any case), or an RFC 2231
 * form of it */
static enum protect_mode
protect_param_mark(const char *s, size_t n)
{
	size_t i = protect_skip_cfws(s, n, 0), k, e;

	for (k = i; k < n && s[k] != '=' && s[k] != '*' && s[k] != ' ' &&
	    s[k] != '\t' && s[k] != '(' && s[k] != '\r' && s[k] != '\n'; k++)
		;
	if (k - i == 2 && strncasecmp(s + i, "hp", 2) == 0)
		return PROTECT_HP;
	if (k - i != 17 || strncasecmp(s + i, "protected-headers", 17) != 0)
		return PROTECT_NONE;
	if (k < n && s[k] == '*')
		return PROTECT_V1;
	if ((k = protect_skip_cfws(s, n, k)) >= n || s[k] != '=')
		return PROTECT_NONE;
	if ((k = protect_skip_cfws(s, n, k + 1)) < n && s[k] == '"')
		k++;
	e = k + 2;
	if (e > n || strncasecmp(s + k, "v1", 2) != 0)
		return PROTECT_NONE;
	return e == n || s[e] == '"' || s[e] == ' ' || s[e] == '\t' ||
	    s[e] == '(' || s[e] == '\r' || s[e] == '\n' ? PROTECT_V1 :
	    PROTECT_NONE;
}

/* protect_value_mark - the strongest mark among the parameters of a
 * Content-Type value v of n bytes, split at the ';'s outside quoted
 * strings, and (comments set) outside comments */
static enum protect_mode
protect_value_mark(const char *v, size_t n, int comments)
{
	enum protect_mode m = PROTECT_NONE, pm;
	size_t i, seg = n;
	int quoted = 0, depth = 0;

	for (i = 0; i <= n; i++) {
		if (i + 1 < n && (quoted || depth > 0) && v[i] == '\\')
			i++;
		else if (i < n && depth == 0 && v[i] == '"')
			quoted = !quoted;
		else if (i < n && comments && !quoted && v[i] == '(')
			depth++;
		else if (i < n && !quoted && depth > 0 && v[i] == ')')
			depth--;
		else if (i == n || (!quoted && depth == 0 && v[i] == ';')) {
			if (seg < n && (pm = protect_param_mark(v + seg + 1,
			    i - seg - 1)) > m)
				m = pm;
			seg = i;
		}
	}
	return m;
}

/*
 * protect_marker - see protect.h.  Read leniently, as the most lenient
 * reader would: every Content-Type field (readers differ on which of
 * two they take), every parameter (split at the ';'s outside quoted
 * strings and comments, whatever the syntax around them, however many;
 * and again as Python's email package splits, knowing no comments),
 * RFC 2231 names too (protected-headers*= counts as "v1": its value is
 * not decoded).  A mark we missed would let a reader show inner fields
 * that our verdicts never looked at.
 */
enum protect_mode
protect_marker(const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	enum protect_mode m = PROTECT_NONE, pm;
	size_t k = 0;
	int comments;

	while ((f = rfc5322_find(h, "Content-Type", &k)) != NULL)
		for (comments = 0; comments <= 1; comments++)
			if ((pm = protect_value_mark(f->raw + f->valoff,
			    f->rawlen - f->valoff, comments)) > m)
				m = pm;
	return m;
}

/* protect_is_name - see protect.h */
int
protect_is_name(const struct rfc5322_field *f)
{
	const char *const *n;

	for (n = protect_names; *n != NULL; n++)
		if (rfc5322_is(f, *n))
			return 1;
	return 0;
}

/* protect_shows - see protect.h */
int
protect_shows(enum protect_mode mode, const struct rfc5322_field *f)
{
	return protect_is_name(f) ||
	    (mode == PROTECT_HP && rfc5322_is(f, "MIME-Version"));
}

/* protect_hides - see protect.h */
int
protect_hides(const struct rfc5322_header *ph, enum protect_mode mode,
    const struct rfc5322_field *f)
{
	char name[64];

	if (ph != NULL && mode == PROTECT_HP && rfc5322_is(f, "MIME-Version"))
		return rfc5322_find(ph, "MIME-Version", NULL) != NULL;
	if (ph == NULL || !protect_is_name(f))
		return 0;
	snprintf(name, sizeof name, "%.*s", (int)f->namelen, f->raw);
	if (rfc5322_find(ph, name, NULL) != NULL)
		return 1;
	return mode == PROTECT_HP && !rfc5322_is(f, "From") &&
	    !rfc5322_is(f, "Date") && !rfc5322_is(f, "Message-ID");
}

/*
 * Writing protected headers (encrypt).
 *
 * The inner entity starts with the header a reader takes instead of
 * the outer one: RFC 9788 readers do so when they see hp="cipher" on
 * the Content-Type, Thunderbird (and Enigmail, Delta Chat, notmuch)
 * when they see protected-headers="v1"; we write both.  An RFC 9788
 * reader then shows and threads by the inner fields alone, so every
 * field the author wrote goes inside, byte for byte (but for white
 * space before a colon: protect_put_name()), not only the ones
 * the outer header hides: Subject, From, To, Cc, Reply-To, Date,
 * Message-ID, In-Reply-To, References, Keywords, List-*, X-* and the
 * rest.  Left out (protect_copies()):
 *   - the structural fields: Content-* go in as the entity's own
 *     (Content-Type marked); MIME-Version goes in as the author wrote
 *     it (a reader that takes the inner header loses nothing, and
 *     decrypt gives it back in its place), without an HP-Outer field:
 *     the outer message's MIME-Version is ours, made for the
 *     multipart/encrypted, the same whatever the author wrote;
 *   - Bcc and Resent-Bcc: never anywhere in what we write;
 *   - trace and transport fields the hops added, which describe the
 *     outer message's path and signatures over the outer bytes, not
 *     what the author wrote (RFC 5322 3.6.7 Received and Return-Path,
 *     Resent-*, DKIM-Signature, ARC-*, Authentication-Results,
 *     Received-SPF, Delivered-To, X-Original-To);
 *   - our own X-Mailseal-* fields: verdicts belong to the copy that
 *     carries them, never sealed inside to be shown later; and HP-Outer
 *     fields a header has already (only ours may be inside).
 * The copied fields are what RFC 9788 calls the composer's header; the
 * trace fields are not among them.  After them, one HP-Outer field per
 * copied field says what the outer header shows for it: the same
 * field, but "[...]" for a Subject.  Thread-Topic, which Outlook and
 * Exchange fill with the Subject's text, is a Subject too: "[...]"
 * outside as well (protect_hidden()).  The outer header keeps every field
 * except that the Subject's text is "[...]": INTERFACE.md fixes From,
 * To, Cc, Date and Message-ID in the outer header (the MTAs and the
 * threading of readers that cannot decrypt need them), so of RFC 9788's
 * header confidentiality policies only the Subject part applies
 * (VIOLATIONS.md).
 */

#define PROTECT_HIDDEN	"[...]"
#define PROTECT_V1	"protected-headers=\"v1\""
#define PROTECT_PARAMS	"hp=\"cipher\"; " PROTECT_V1
#define PROTECT_TEXT	"Content-Type: text/plain; charset=us-ascii; "
#define PROTECT_MORE	256	/* bytes a field may grow by, at most */

/* Trace and transport fields: not the author's (see above); and
 * HP-Outer, which only we write inside (one from a header would claim
 * an outer field that is not there). */
static const char *const protect_trace[] = {
	"Received", "Return-Path", "DKIM-Signature", "Authentication-Results",
	"Received-SPF", "Delivered-To", "X-Original-To", "HP-Outer", NULL
};
static const char *const protect_trace_prefix[] = {
	"Resent-", "ARC-", "X-Mailseal-", "Content-", NULL
};

struct protect_buf {
	char	*p;
	size_t	 len;
	int	 prevcr;
};

static void	protect_put(struct protect_buf *, const char *, size_t);
static void	protect_put_name(struct protect_buf *,
		    const struct rfc5322_field *);
static void	protect_put_field(struct protect_buf *,
		    const struct rfc5322_field *);
static int	protect_put_ctype(struct protect_buf *,
		    const struct rfc5322_field *, const char *);
static void	protect_build(struct protect_buf *,
		    const struct rfc5322_header *, enum protect_level);
static int	protect_takes(const struct rfc5322_field *,
		    enum protect_level);
static int	protect_put_param(struct protect_buf *, const char *,
		    size_t, size_t, int);
static size_t	protect_skip_cfws(const char *, size_t, size_t);
static int	protect_param_ours(const char *, size_t);
static char	*protect_hidden(const struct rfc5322_field *, int);

/* The fields whose text the outer header hides, as they read there
 * (writable: struct rfc5322_field's raw is; nothing writes them). */
static char protect_subj_crlf[] = "Subject: " PROTECT_HIDDEN "\r\n";
static char protect_subj_lf[] = "Subject: " PROTECT_HIDDEN "\n";
static char protect_topic_crlf[] = "Thread-Topic: " PROTECT_HIDDEN "\r\n";
static char protect_topic_lf[] = "Thread-Topic: " PROTECT_HIDDEN "\n";
static char *const protect_hidden_crlf[] = {
	protect_subj_crlf, protect_topic_crlf, NULL
};
static char *const protect_hidden_lf[] = {
	protect_subj_lf, protect_topic_lf, NULL
};

/* protect_hidden - the line the outer header shows instead of f (with
 * a CRLF or an LF line end), or NULL when it shows f as it is */
static char *
protect_hidden(const struct rfc5322_field *f, int crlf)
{
	char *const *n = crlf ? protect_hidden_crlf : protect_hidden_lf;

	for (; *n != NULL; n++)
		if (f->namelen == (size_t)(strchr(*n, ':') - *n) &&
		    strncasecmp(f->raw, *n, f->namelen) == 0)
			return *n;
	return NULL;
}

/* protect_copies - see protect.h */
int
protect_copies(const struct rfc5322_field *f)
{
	const char *const *n;

	if (rfc5322_is(f, "Bcc"))
		return 0;
	for (n = protect_trace; *n != NULL; n++)
		if (rfc5322_is(f, *n))
			return 0;
	for (n = protect_trace_prefix; *n != NULL; n++)
		if (rfc5322_has_prefix(f, *n))
			return 0;
	return 1;
}

/* protect_put - append n bytes, bare LFs made CRLF (RFC 3156 3) */
static void
protect_put(struct protect_buf *b, const char *s, size_t n)
{
	b->len += pgpmime_canon((const unsigned char *)s, n,
	    (unsigned char *)b->p + b->len, &b->prevcr);
}

/* protect_put_name - a field's name and its colon, without white space
 * between them (RFC 5322 4.5.3's obsolete form ends the header block
 * for Python's email package: inside, a field must read alike for
 * every reader) */
static void
protect_put_name(struct protect_buf *b, const struct rfc5322_field *f)
{
	protect_put(b, f->raw, f->namelen);
	protect_put(b, ":", 1);
}

/* protect_put_field - a field's bytes (its name as protect_put_name()
 * writes it), ending with a line end */
static void
protect_put_field(struct protect_buf *b, const struct rfc5322_field *f)
{
	protect_put_name(b, f);
	protect_put(b, f->raw + f->valoff, f->rawlen - f->valoff);
	if (f->raw[f->rawlen - 1] != '\n')
		protect_put(b, "\r\n", 2);
}

/* protect_skip_cfws - past white space, line ends and comments from i */
static size_t
protect_skip_cfws(const char *s, size_t n, size_t i)
{
	int depth = 0;

	for (; i < n; i++) {
		if (depth > 0 && s[i] == '\\')
			i++;
		else if (s[i] == '(')
			depth++;
		else if (depth > 0 && s[i] == ')')
			depth--;
		else if (depth == 0 && s[i] != ' ' && s[i] != '\t' &&
		    s[i] != '\r' && s[i] != '\n')
			break;
	}
	return i > n ? n : i;
}

/* protect_param_ours - the parameter (from just after its ';') is one
 * we write (hp, protected-headers, also as RFC 2231 "name*..."), or
 * empty: a trailing ';' */
static int
protect_param_ours(const char *s, size_t n)
{
	size_t i = protect_skip_cfws(s, n, 0), k;

	for (k = i; k < n && s[k] != '=' && s[k] != '*' && s[k] != ' ' &&
	    s[k] != '\t' && s[k] != '(' && s[k] != '\r' && s[k] != '\n'; k++)
		;
	if (k == i)
		return i == n;
	return (k - i == 2 && strncasecmp(s + i, "hp", 2) == 0) ||
	    (k - i == 17 && strncasecmp(s + i, "protected-headers", 17) == 0);
}

/* protect_put_param - v[seg, end): the first segment (the type: when
 * there is none, RFC 2045's default, text/plain, which readers take
 * anyway), or a ';' and the parameter after it, which is dropped when
 * it is ours (or empty); 1 when one of ours was dropped */
static int
protect_put_param(struct protect_buf *b, const char *v, size_t seg,
    size_t end, int first)
{
	if (first && protect_skip_cfws(v, end, 0) == end)
		protect_put(b, " text/plain", 11);
	else if (first || !protect_param_ours(v + seg + 1, end - seg - 1))
		protect_put(b, v + seg, end - seg);
	else
		return protect_skip_cfws(v, end, seg + 1) < end;
	return 0;
}

/*
 * protect_put_ctype - the Content-Type, byte for byte, less any hp or
 * protected-headers parameter it had (a message another program
 * decrypted may carry them: a reader must not see two, or an old
 * hp="clear"; decrypt takes ours off with it too), then params
 * (NULL: none) on a line of their own; the number of parameters
 * dropped.  Parameters are split at the ';'s outside quoted strings and
 * comments.  A quoted string, comment or quoted pair the value leaves
 * open is closed before params: they would be in it, and readers (ours
 * too) would not see them, nor the protected fields.
 */
static int
protect_put_ctype(struct protect_buf *b, const struct rfc5322_field *f,
    const char *params)
{
	const char *v = f->raw + f->valoff;
	size_t n = f->rawlen - f->valoff, i, seg = 0;
	int quoted = 0, depth = 0, first = 1, dropped = 0;

	while (n > 0 && (v[n - 1] == '\n' || v[n - 1] == '\r' ||
	    v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	protect_put_name(b, f);
	for (i = 0; i < n; i++) {
		if ((quoted || depth > 0) && v[i] == '\\')
			i++;
		else if (depth == 0 && v[i] == '"')
			quoted = !quoted;
		else if (!quoted && v[i] == '(')
			depth++;
		else if (!quoted && depth > 0 && v[i] == ')')
			depth--;
		else if (!quoted && depth == 0 && v[i] == ';') {
			dropped += protect_put_param(b, v, seg, i, first);
			seg = i;
			first = 0;
		}
	}
	dropped += protect_put_param(b, v, seg, n, first);
	if (params == NULL) {
		protect_put(b, "\r\n", 2);
		return dropped;
	}
	/* (a value of nothing but white space and comments is gone) */
	if (!first || protect_skip_cfws(v, n, 0) < n) {
		if (i > n)
			protect_put(b, "\\", 1);
		if (quoted)
			protect_put(b, "\"", 1);
		for (; depth > 0; depth--)
			protect_put(b, ")", 1);
	}
	protect_put(b, ";\r\n\t", 4);
	protect_put(b, params, strlen(params));
	protect_put(b, "\r\n", 2);
	return dropped;
}

/* protect_made - see protect.h */
int
protect_made(const struct rfc5322_field *f)
{
	static const char *const made[] = {
		PROTECT_TEXT PROTECT_PARAMS, PROTECT_TEXT PROTECT_V1, NULL
	};
	const char *const *m;
	size_t n = f->rawlen;

	while (n > 0 && (f->raw[n - 1] == '\n' || f->raw[n - 1] == '\r'))
		n--;
	for (m = made; *m != NULL; m++)
		if (n == strlen(*m) && memcmp(f->raw, *m, n) == 0)
			return 1;
	return 0;
}

/* protect_unmarked - see protect.h */
size_t
protect_unmarked(const struct rfc5322_field *f, char *dst)
{
	struct protect_buf b;

	memset(&b, 0, sizeof b);
	b.p = dst;
	return protect_put_ctype(&b, f, NULL) > 0 ? b.len : 0;
}

/* protect_takes - is f inside at level lv (Content-* always are)? */
static int
protect_takes(const struct rfc5322_field *f, enum protect_level lv)
{
	if (rfc5322_has_prefix(f, "Content-"))
		return 1;
	switch (lv) {
	case PROTECT_ALL:
	case PROTECT_FIELDS:
		return protect_copies(f);
	case PROTECT_SHOWN:
		return protect_is_name(f);
	default:
		return protect_hidden(f, 1) != NULL;
	}
}

/* protect_build - the protected header at level lv into b->p, which
 * holds size bytes: Content-Type first when there is none, the fields
 * in their order, then the HP-Outer fields (level PROTECT_ALL) */
static void
protect_build(struct protect_buf *b, const struct rfc5322_header *h,
    enum protect_level lv)
{
	/* hp= says the inner header replaces the outer one: true while
	 * every field the author wrote is inside; v1 alone says that the
	 * fields inside win over the outer ones */
	const char *params = lv <= PROTECT_FIELDS ? PROTECT_PARAMS :
	    PROTECT_V1, *hidden;
	size_t i;

	b->len = 0;
	b->prevcr = 0;
	if (rfc5322_find(h, "Content-Type", NULL) == NULL) {
		protect_put(b, PROTECT_TEXT, sizeof PROTECT_TEXT - 1);
		protect_put(b, params, strlen(params));
		protect_put(b, "\r\n", 2);
	}
	for (i = 0; i < h->nfields; i++) {
		const struct rfc5322_field *f = &h->fields[i];
		if (rfc5322_is(f, "Content-Type"))
			protect_put_ctype(b, f, params);
		else if (protect_takes(f, lv))
			protect_put_field(b, f);
	}
	for (i = 0; lv == PROTECT_ALL && i < h->nfields; i++) {
		const struct rfc5322_field *f = &h->fields[i];
		if (!protect_copies(f) || rfc5322_is(f, "MIME-Version"))
			continue;
		protect_put(b, "HP-Outer: ", 10);
		if ((hidden = protect_hidden(f, 1)) != NULL)
			protect_put(b, hidden, strlen(hidden));
		else
			protect_put_field(b, f);
	}
}

/* protect_fits - does a header of len bytes (CRLF lines, no empty line
 * yet) read within the header limits (rfc5322_read's, and so decrypt's
 * for the entity we encrypt)? */
int
protect_fits(const char *p, size_t len)
{
	const char *nl;
	size_t i = 0, line, field = 0, nfields = 0;

	if (len > LIMIT_HEADER_BLOCK)
		return 0;
	while (i < len) {
		nl = memchr(p + i, '\n', len - i);
		line = nl == NULL ? len - i : (size_t)(nl - (p + i)) + 1;
		if (p[i] == ' ' || p[i] == '\t')
			field += line;
		else {
			field = line;
			nfields++;
		}
		if (line > LIMIT_HEADER_LINE || field > LIMIT_HEADER_FIELD ||
		    nfields > LIMIT_HEADER_FIELDS)
			return 0;
		i += line;
	}
	return 1;
}

/* protect_inner - see protect.h */
char *
protect_inner(const struct rfc5322_header *h, size_t *lenp,
    enum protect_level *lvp)
{
	struct protect_buf b;
	int lv;
	size_t i, size = sizeof PROTECT_TEXT + sizeof PROTECT_PARAMS + 2;

	for (i = 0; i < h->nfields; i++)
		size += 4 * h->fields[i].rawlen + PROTECT_MORE;
	memset(&b, 0, sizeof b);
	b.p = xmalloc(size);
	for (lv = PROTECT_ALL; lv <= PROTECT_SUBJECT; lv++) {
		protect_build(&b, h, (enum protect_level)lv);
		if (protect_fits(b.p, b.len))
			break;
	}
	if (lv > PROTECT_SUBJECT) {
		free(b.p);
		return NULL;
	}
	protect_put(&b, "\r\n", 2);
	*lenp = b.len;
	if (lvp != NULL)
		*lvp = (enum protect_level)lv;
	return b.p;
}

/* protect_outer - see protect.h */
void
protect_outer(const struct rfc5322_header *h, struct rfc5322_header *oh)
{
	char *hidden;
	size_t i;

	*oh = *h;
	oh->fields = xreallocarray(NULL, h->nfields > 0 ? h->nfields : 1,
	    sizeof *oh->fields);
	for (i = 0; i < h->nfields; i++) {
		oh->fields[i] = h->fields[i];
		if ((hidden = protect_hidden(&h->fields[i], h->crlf)) == NULL)
			continue;
		oh->fields[i].raw = hidden;
		oh->fields[i].rawlen = strlen(hidden);
		oh->fields[i].valoff = oh->fields[i].namelen + 1;
	}
}

/* protect_outer_free - see protect.h */
void
protect_outer_free(struct rfc5322_header *oh)
{
	free(oh->fields);
	oh->fields = NULL;
	oh->nfields = 0;
}
