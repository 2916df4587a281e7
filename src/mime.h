/*
 * mime.h - RFC 2045 header fields: Content-Type and
 * Content-Transfer-Encoding.
 */
#ifndef MAILSEAL_MIME_H
#define MAILSEAL_MIME_H

#include <stddef.h>

#define MIME_PARAMS_MAX	32	/* parameters kept from one Content-Type */

struct mime_param {
	char	*name;		/* lower case */
	char	*value;		/* unquoted, case kept */
};

struct mime_ctype {
	char			*type;		/* lower case */
	char			*subtype;	/* lower case */
	struct mime_param	 params[MIME_PARAMS_MAX];
	size_t			 nparams;
	int			 clean;		/* read to the end: no syntax
						 * error, no comment, no
						 * parameter twice, no RFC
						 * 2231 form, all kept */
};

enum mime_cte {
	MIME_CTE_IDENTITY,	/* absent, 7bit, 8bit, binary */
	MIME_CTE_QP,
	MIME_CTE_BASE64,
	MIME_CTE_UNKNOWN
};

/* mime_ctype_parse - parse an unfolded Content-Type value; returns 0,
 * or -1 when it has no valid type/subtype (RFC 2045 5.2 then says
 * text/plain).  Parameters after a syntax error are ignored, and clean
 * is 0 then.  Release with mime_ctype_free() in both cases. */
int		 mime_ctype_parse(const char *, size_t, struct mime_ctype *);
const char	*mime_ctype_param(const struct mime_ctype *, const char *);
int		 mime_ctype_is(const struct mime_ctype *, const char *, const char *);
void		 mime_ctype_free(struct mime_ctype *);

/* mime_cte_parse - classify an unfolded Content-Transfer-Encoding: one
 * token with nothing but white space around it, else MIME_CTE_UNKNOWN */
enum mime_cte	 mime_cte_parse(const char *, size_t);

#endif
