/*
 * rfc5322.h - the header block of a message, kept byte for byte.
 */
#ifndef MAILSEAL_RFC5322_H
#define MAILSEAL_RFC5322_H

#include <sys/types.h>
#include <stddef.h>

struct input;

struct rfc5322_field {
	char	*raw;		/* exact bytes, folds and line ends included */
	size_t	 rawlen;
	size_t	 namelen;	/* bytes of the name, before any WSP and ':' */
	size_t	 valoff;	/* offset of the value, just after the ':' */
};

struct rfc5322_header {
	char			*fromline;	/* leading mbox "From " line, or NULL */
	size_t			 fromlen;
	struct rfc5322_field	*fields;
	size_t			 nfields;
	size_t			 total;		/* bytes of all fields */
	int			 crlf;		/* the first field ends in CRLF */
	int			 separator;	/* an empty line ended the block */
	off_t			 bodyoff;	/* message offset of the body */
};

enum rfc5322_err {
	RFC5322_OK = 0,
	RFC5322_EMPTY,		/* no input at all */
	RFC5322_NOHEADER,	/* does not start with a header field */
	RFC5322_LINE,		/* a header line over LIMIT_HEADER_LINE */
	RFC5322_FIELD,		/* a header field over LIMIT_HEADER_FIELD */
	RFC5322_BLOCK,		/* the header block over LIMIT_HEADER_BLOCK */
	RFC5322_COUNT,		/* more than LIMIT_HEADER_FIELDS fields */
	RFC5322_NUL,		/* a NUL byte in the header block */
	RFC5322_CR,		/* a CR not followed by LF in the header block */
	RFC5322_IO		/* reading failed: errno says why */
};

/* rfc5322_read - read the header block from the start of the input;
 * on RFC5322_OK the input is positioned at the body.  The header must be
 * released with rfc5322_free() whatever the result. */
enum rfc5322_err rfc5322_read(struct input *, struct rfc5322_header *);
const char	*rfc5322_strerror(enum rfc5322_err);
void		 rfc5322_free(struct rfc5322_header *);

/* rfc5322_is - the field's name equals name, ignoring case */
int		 rfc5322_is(const struct rfc5322_field *, const char *);

/* rfc5322_has_prefix - the field's name starts with prefix, ignoring case */
int		 rfc5322_has_prefix(const struct rfc5322_field *, const char *);

/* rfc5322_unfold - the field's value with folding line ends removed
 * and leading white space skipped; returns an allocated string (the
 * caller frees it) and its length in *lenp */
char		*rfc5322_unfold(const struct rfc5322_field *, size_t *);

/* rfc5322_find - the first field at or after index *from named name;
 * *from is set to the index after it.  NULL when there is none. */
const struct rfc5322_field *rfc5322_find(const struct rfc5322_header *,
		    const char *, size_t *);

/* rfc5322_field_parse - is line a header field start?  Returns the
 * name length and sets *valoff, or 0 when it is not. */
size_t		 rfc5322_field_parse(const char *, size_t, size_t *);

/* rfc5322_obs_colon - the field has white space between its name and
 * its colon (obs-optional, RFC 5322 4.5.3): Python's email package ends
 * the header block at such a line, GMime and we read a field */
int		 rfc5322_obs_colon(const struct rfc5322_field *);

/* rfc5322_ambiguous - mail readers could split this header block from
 * its body elsewhere than we do: a field has white space before its
 * colon, or no empty line ended the block (GMime reads on for fields
 * past a line that is none, Python and we stop there; a block without a
 * body counts too: there is nothing in it to call signed or encrypted) */
int		 rfc5322_ambiguous(const struct rfc5322_header *);

/* rfc5322_is_fromline - is line (the first of a message) an mbox From_
 * line: "From " followed by something other than a colon? */
int		 rfc5322_is_fromline(const char *, size_t);

#endif
