/*
 * protect.h - protected header fields inside encrypted mail.
 */
#ifndef MAILSEAL_PROTECT_H
#define MAILSEAL_PROTECT_H

struct rfc5322_header;
struct rfc5322_field;

enum protect_mode {
	PROTECT_NONE,
	PROTECT_V1,	/* protected-headers="v1": inner fields win */
	PROTECT_HP	/* RFC 9788 hp=: unprotected copies are not shown */
};

/* protect_marker - does this header's Content-Type say its fields are
 * protected, and how?  Any of its Content-Type fields (hp= before
 * protected-headers="v1") */
enum protect_mode protect_marker(const struct rfc5322_header *);

/* protect_is_name - one of the fields protected ones replace: Subject,
 * From, To, Cc, Reply-To, Date, Message-ID, Thread-Topic */
int	protect_is_name(const struct rfc5322_field *);

/* protect_shows - a field of the protected header that decrypt shows
 * (mode: the header's mark): protect_is_name()'s; with hp= also
 * MIME-Version (encrypt copies it in, in the author's place) */
int	protect_shows(enum protect_mode, const struct rfc5322_field *);

/* protect_hides - an outer field the protected header ph (NULL: none)
 * replaces: one the inside has too; with hp= also an outer Subject, To,
 * Cc or Reply-To the inside lacks (RFC 9788: unprotected copies are not
 * shown), and the outer MIME-Version when the inside has one.  An outer
 * From, Date or Message-ID stays when the inside lacks it: a message
 * needs them; so does an outer MIME-Version. */
int	protect_hides(const struct rfc5322_header *, enum protect_mode,
	    const struct rfc5322_field *);

/*
 * Writing them (encrypt; protect.c says which fields and why).
 */

/* protect_copies - does the protected header carry this field?  Not
 * Content-* (the entity's own), Bcc, trace and transport fields, or
 * X-Mailseal-*; MIME-Version yes (but no HP-Outer field for it) */
int	protect_copies(const struct rfc5322_field *);

/*
 * How much of the header goes inside.  The protected header must read
 * within the header limits (LIMIT_HEADER_*), as the header it came
 * from did, or decrypt could not read it; a header near them would not
 * once its fields are there twice (HP-Outer) or its LFs are CRLFs.  So
 * the first level that fits is taken.
 */
enum protect_level {
	PROTECT_ALL,		/* the fields protect_copies() takes, and
				 * an HP-Outer field for each */
	PROTECT_FIELDS,		/* those fields, no HP-Outer */
	PROTECT_SHOWN,		/* protect_is_name()'s fields only, and
				 * protected-headers="v1" alone: not hp=,
				 * whose readers would drop the rest */
	PROTECT_SUBJECT		/* the Subject only (v1 alone) */
};

/* protect_inner - the inner entity's header for the message header h:
 * its Content-* fields with hp="cipher" and protected-headers="v1" on
 * the Content-Type (a text/plain one when it has none; v1 alone from
 * PROTECT_SHOWN on), the fields of the first level that fits, byte for
 * byte, and the empty line; every
 * line end CRLF.  Returns an allocated buffer (the caller frees it) of
 * *lenp bytes, and the level in *lvp (unless NULL); NULL when not even
 * the Subject fits: then the message cannot be protected. */
char	*protect_inner(const struct rfc5322_header *, size_t *,
	    enum protect_level *);

/* protect_unmarked - an entity without a protected header must not say
 * it has one (nor a decrypted one whose protected fields decrypt
 * showed): the Content-Type f less its hp and protected-headers
 * parameters (exactly the field encrypt marked, when the marks are
 * those protect_inner() appends) into dst, which
 * holds 2 * f->rawlen + 16 bytes, CRLF line ends; returns its length, or
 * 0 when f has neither (then it stays as it is) */
size_t	protect_unmarked(const struct rfc5322_field *, char *);

/* protect_made - f is the Content-Type protect_inner() writes for a
 * header that has none (text/plain, us-ascii, our marks on the same
 * line): once the marks are off, what it says is RFC 2045's default,
 * which the author's header said by having none */
int	protect_made(const struct rfc5322_field *);

/* protect_fits - a header of len bytes with CRLF lines (without its
 * empty line) reads within the header limits */
int	protect_fits(const char *, size_t);

/* protect_outer - oh: h with every Subject's and Thread-Topic's text
 * "[...]"; oh's fields array is allocated (release it with
 * protect_outer_free()), the rest is h's */
void	protect_outer(const struct rfc5322_header *, struct rfc5322_header *);
void	protect_outer_free(struct rfc5322_header *);

#endif
