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
 * protected, and how? */
enum protect_mode protect_marker(const struct rfc5322_header *);

/* protect_is_name - one of the fields protected ones replace: Subject,
 * From, To, Cc, Reply-To, Date, Message-ID */
int	protect_is_name(const struct rfc5322_field *);

/* protect_hides - an outer field the protected header ph (NULL: none)
 * replaces: one the inside has too; with hp= also an outer Subject, To,
 * Cc or Reply-To the inside lacks (RFC 9788: unprotected copies are not
 * shown).  An outer From, Date or Message-ID stays when the inside
 * lacks it: a message needs them. */
int	protect_hides(const struct rfc5322_header *, enum protect_mode,
	    const struct rfc5322_field *);

#endif
