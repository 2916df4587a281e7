/*
 * mime.c - RFC 2045 Content-Type and Content-Transfer-Encoding values.
 *
 * A small parser of our own for the two fields we need to classify a
 * message: bounded by the field size limit, iterative (comments are
 * skipped with a counter, not recursion), and lenient the way RFC 2045
 * asks: an invalid Content-Type means text/plain.  RFC 2231 parameter
 * continuations are not joined (VIOLATIONS.md).
 */
#include <config.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "xmalloc.h"

static void	 mime_cfws(const char *, size_t, size_t *);
static char	*mime_token(const char *, size_t, size_t *);
static char	*mime_quoted(const char *, size_t, size_t *);

/* mime_cfws - skip white space and (nested) comments */
static void
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
			return;
		(*i)++;
	}
}

/* mime_token - an RFC 2045 token, lower-cased; allocated, or NULL */
static char *
mime_token(const char *s, size_t len, size_t *i)
{
	size_t start = *i, k;
	char *t;

	while (*i < len) {
		unsigned char c = (unsigned char)s[*i];
		if (c <= ' ' || c >= 127 || strchr("()<>@,;:\\\"/[]?=", c))
			break;
		(*i)++;
	}
	if (*i == start)
		return NULL;
	t = xstrndup(s + start, *i - start);
	for (k = 0; t[k] != '\0'; k++)
		t[k] = (char)tolower((unsigned char)t[k]);
	return t;
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

/* mime_ctype_parse - see mime.h */
int
mime_ctype_parse(const char *s, size_t len, struct mime_ctype *ct)
{
	size_t i = 0;
	char *name, *value;

	memset(ct, 0, sizeof *ct);
	mime_cfws(s, len, &i);
	if ((ct->type = mime_token(s, len, &i)) == NULL)
		return -1;
	mime_cfws(s, len, &i);
	if (i >= len || s[i] != '/')
		return -1;
	i++;
	mime_cfws(s, len, &i);
	if ((ct->subtype = mime_token(s, len, &i)) == NULL)
		return -1;
	while (ct->nparams < MIME_PARAMS_MAX) {
		mime_cfws(s, len, &i);
		if (i >= len || s[i] != ';')
			break;
		i++;
		mime_cfws(s, len, &i);
		if ((name = mime_token(s, len, &i)) == NULL)
			break;
		mime_cfws(s, len, &i);
		if (i >= len || s[i] != '=') {
			free(name);
			break;
		}
		i++;
		mime_cfws(s, len, &i);
		value = i < len && s[i] == '"' ? mime_quoted(s, len, &i) :
		    mime_token(s, len, &i);
		if (value == NULL) {
			free(name);
			break;
		}
		ct->params[ct->nparams].name = name;
		ct->params[ct->nparams].value = value;
		ct->nparams++;
	}
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

	mime_cfws(s, len, &i);
	if ((t = mime_token(s, len, &i)) == NULL)
		return MIME_CTE_UNKNOWN;
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
