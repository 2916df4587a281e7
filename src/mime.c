/*
 * mime.c - RFC 2045 Content-Type and Content-Transfer-Encoding values.
 *
 * A small parser of our own for the two fields we need to classify a
 * message: bounded by the field size limit, iterative (comments are
 * skipped with a counter, not recursion), and lenient the way RFC 2045
 * asks: an invalid Content-Type means text/plain.  RFC 2231 parameter
 * continuations are not joined (VIOLATIONS.md).  Names (type, subtype,
 * parameter names) are case-insensitive and kept in lower case; values
 * keep their case (a boundary is case-sensitive, RFC 2046 5.1.1).  A
 * value read to its end, without a syntax error, a comment, a repeated
 * parameter or an RFC 2231 name, is "clean": only such a value is read
 * the same way by every mail reader (Python's compat32 parser, for one,
 * splits on ";" and "=" and knows no comments: boundary="b" (c) is
 * '"b" (c)' there).
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "xmalloc.h"

static int	 mime_cfws(const char *, size_t, size_t *);
static char	*mime_token(const char *, size_t, size_t *);
static char	*mime_quoted(const char *, size_t, size_t *);
static void	 mime_lower(char *);
static int	 mime_param_next(const char *, size_t, size_t *,
		    struct mime_ctype *);
static int	 mime_params_unique(const struct mime_ctype *);
static int	 mime_has_comment(const char *, size_t);

/* mime_cfws - skip white space and (nested) comments; -1 when the
 * value ends inside a comment */
static int
mime_cfws(const char *s, size_t len, size_t *i)
{
	size_t depth = 0;

	while (*i < len) {
		char c = s[*i];
		if (depth > 0) {
			if (c == '\\' && *i + 1 < len)
				(*i)++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
		} else if (c == '(')
			depth = 1;
		else if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			return 0;
		(*i)++;
	}
	return depth > 0 ? -1 : 0;
}

/* mime_lower - lower-case a name in place */
static void
mime_lower(char *t)
{
	for (; *t != '\0'; t++)
		*t = (char)tolower((unsigned char)*t);
}

/* mime_token - an RFC 2045 token, as written; allocated, or NULL */
static char *
mime_token(const char *s, size_t len, size_t *i)
{
	size_t start = *i;

	while (*i < len) {
		unsigned char c = (unsigned char)s[*i];
		if (c <= ' ' || c >= 127 || strchr("()<>@,;:\\\"/[]?=", c))
			break;
		(*i)++;
	}
	if (*i == start)
		return NULL;
	return xstrndup(s + start, *i - start);
}

/* mime_quoted - a quoted-string, unquoted; allocated, or NULL */
static char *
mime_quoted(const char *s, size_t len, size_t *i)
{
	char *out, *o;

	if (*i >= len || s[*i] != '"')
		return NULL;
	out = o = xmalloc(len - *i);
	for ((*i)++; *i < len; (*i)++) {
		if (s[*i] == '"') {
			(*i)++;
			*o = '\0';
			return out;
		}
		if (s[*i] == '\\' && *i + 1 < len)
			(*i)++;
		*o++ = s[*i];
	}
	free(out);
	return NULL;
}

/* mime_param_next - read the next "; name=value" into ct: 1 one was
 * read, 0 the value ended (a trailing ";" too, as many mailers write
 * one), -1 a syntax error or no room left */
static int
mime_param_next(const char *s, size_t len, size_t *i, struct mime_ctype *ct)
{
	char *name, *value;

	if (mime_cfws(s, len, i) == -1)
		return -1;
	if (*i >= len)
		return 0;
	if (s[*i] != ';')
		return -1;
	(*i)++;
	if (mime_cfws(s, len, i) == -1)
		return -1;
	if (*i >= len)
		return 0;
	if ((name = mime_token(s, len, i)) == NULL)
		return -1;
	value = NULL;
	if (mime_cfws(s, len, i) == 0 && *i < len && s[*i] == '=') {
		(*i)++;
		if (mime_cfws(s, len, i) == 0)
			value = *i < len && s[*i] == '"' ?
			    mime_quoted(s, len, i) : mime_token(s, len, i);
	}
	if (value == NULL || ct->nparams == MIME_PARAMS_MAX) {
		free(name);
		free(value);
		return -1;
	}
	mime_lower(name);
	ct->params[ct->nparams].name = name;
	ct->params[ct->nparams].value = value;
	ct->nparams++;
	return 1;
}

/* mime_params_unique - no parameter name twice, and none in RFC 2231
 * form (name*, name*0, name*0*): readers that join and decode those
 * would see other values, or a second value of a name we read */
static int
mime_params_unique(const struct mime_ctype *ct)
{
	size_t i, j;

	for (i = 0; i < ct->nparams; i++) {
		if (strchr(ct->params[i].name, '*') != NULL)
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(ct->params[i].name, ct->params[j].name) == 0)
				return 0;
	}
	return 1;
}

/* mime_has_comment - a "(" outside a quoted-string */
static int
mime_has_comment(const char *s, size_t len)
{
	size_t i;
	int q = 0;

	for (i = 0; i < len; i++) {
		if (q && s[i] == '\\')
			i++;
		else if (s[i] == '"')
			q = !q;
		else if (!q && s[i] == '(')
			return 1;
	}
	return 0;
}

/* mime_ctype_parse - see mime.h */
int
mime_ctype_parse(const char *s, size_t len, struct mime_ctype *ct)
{
	size_t i = 0;
	int r;

	memset(ct, 0, sizeof *ct);
	if (mime_cfws(s, len, &i) == -1 ||
	    (ct->type = mime_token(s, len, &i)) == NULL)
		return -1;
	(void)mime_cfws(s, len, &i);
	if (i >= len || s[i] != '/')
		return -1;
	i++;
	(void)mime_cfws(s, len, &i);
	if ((ct->subtype = mime_token(s, len, &i)) == NULL)
		return -1;
	mime_lower(ct->type);
	mime_lower(ct->subtype);
	while ((r = mime_param_next(s, len, &i, ct)) == 1)
		continue;
	ct->clean = r == 0 && mime_params_unique(ct) &&
	    !mime_has_comment(s, len);
	return 0;
}

/* mime_ctype_param - the value of parameter name, or NULL */
const char *
mime_ctype_param(const struct mime_ctype *ct, const char *name)
{
	size_t i;

	for (i = 0; i < ct->nparams; i++)
		if (strcasecmp(ct->params[i].name, name) == 0)
			return ct->params[i].value;
	return NULL;
}

/* mime_ctype_is - type and subtype equal these (subtype NULL: any) */
int
mime_ctype_is(const struct mime_ctype *ct, const char *type,
    const char *subtype)
{
	if (ct->type == NULL || strcmp(ct->type, type) != 0)
		return 0;
	return subtype == NULL ||
	    (ct->subtype != NULL && strcmp(ct->subtype, subtype) == 0);
}

/* mime_ctype_free - release a parsed Content-Type */
void
mime_ctype_free(struct mime_ctype *ct)
{
	size_t i;

	for (i = 0; i < ct->nparams; i++) {
		free(ct->params[i].name);
		free(ct->params[i].value);
	}
	free(ct->type);
	free(ct->subtype);
	memset(ct, 0, sizeof *ct);
}

/* mime_cte_parse - see mime.h */
enum mime_cte
mime_cte_parse(const char *s, size_t len)
{
	size_t i = 0;
	char *t;
	enum mime_cte cte = MIME_CTE_UNKNOWN;

	/* the token alone: Python compares the whole value, so a comment
	 * or a second word makes an encoding it does not decode */
	while (i < len && strchr(" \t\r\n", s[i]) != NULL)
		i++;
	if ((t = mime_token(s, len, &i)) == NULL)
		return MIME_CTE_UNKNOWN;
	while (i < len && strchr(" \t\r\n", s[i]) != NULL)
		i++;
	if (i < len) {
		free(t);
		return MIME_CTE_UNKNOWN;
	}
	mime_lower(t);
	if (strcmp(t, "7bit") == 0 || strcmp(t, "8bit") == 0 ||
	    strcmp(t, "binary") == 0)
		cte = MIME_CTE_IDENTITY;
	else if (strcmp(t, "quoted-printable") == 0)
		cte = MIME_CTE_QP;
	else if (strcmp(t, "base64") == 0)
		cte = MIME_CTE_BASE64;
	free(t);
	return cte;
}
