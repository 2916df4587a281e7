/*
 * pgpmime.h - RFC 3156 PGP/MIME: the encrypted message we write.
 */
#ifndef MAILSEAL_PGPMIME_H
#define MAILSEAL_PGPMIME_H

#include <sys/types.h>
#include <stdio.h>

struct input;
struct rfc5322_header;
struct rfc5322_field;

#define PGPMIME_BOUNDARY_PREFIX	"mailseal=_"
#define PGPMIME_BOUNDARY_RANDOM	32	/* random characters after the prefix */
#define PGPMIME_BOUNDARY_SIZE	(sizeof(PGPMIME_BOUNDARY_PREFIX) + PGPMIME_BOUNDARY_RANDOM)

/* pgpmime_boundary - a fresh random boundary, NUL-terminated, in buf of
 * PGPMIME_BOUNDARY_SIZE bytes */
void	pgpmime_boundary(char *);

/* pgpmime_is_outer - does this field stay in the outer header?  Not the
 * Content-* fields (they go inside), not Bcc or Resent-Bcc, and not
 * decrypt's verdict fields (a message decrypted and sealed again, as
 * decrypt = yes does: they name the signer, which was inside the old
 * encryption, and speak of another copy than the one sealed). */
int	pgpmime_is_outer(const struct rfc5322_field *);

/* pgpmime_write_outer - the From line, the outer fields (exact bytes,
 * in their order) and MIME-Version if missing: the top of every
 * message we seal, PGP/MIME (pgpmime_write_head) or S/MIME (smime.c).
 * Returns 0 or -1. */
int	pgpmime_write_outer(FILE *, const struct rfc5322_header *);

/* pgpmime_write_head - the From line, the outer fields (exact bytes),
 * MIME-Version if missing, the multipart/encrypted Content-Type, the
 * version part and the headers of the data part.  Returns 0 or -1. */
int	pgpmime_write_head(FILE *, const struct rfc5322_header *, const char *);

/* pgpmime_write_tail - the closing delimiter; lastnl: the armor ended
 * with a line end */
int	pgpmime_write_tail(FILE *, const char *, int, int);

/*
 * The inner entity, as gpg reads it: the message's Content-* fields and
 * its body, byte for byte with line ends made CRLF (RFC 3156 3).
 */
struct pgpmime_inner {
	struct input	*in;
	char		*head;		/* canonical Content-* fields (or the
					 * protected header) + CRLF */
	size_t		 headlen;
	size_t		 headpos;
	int		 prevcr;	/* the last body byte was a CR */
	int		 pendlf;	/* an LF is owed after an inserted CR */
	int		 err;		/* errno of a failed read, or 0 */
	off_t		 left;		/* body bytes still to read; -1: to EOF */
	unsigned char	 raw[32768];
};

/* pgpmime_canon_init - the same reader over len bytes of the input from
 * where it stands, with no header in front: signed data (RFC 3156 5);
 * -1 (errno EINVAL) when len is negative */
int	pgpmime_canon_init(struct pgpmime_inner *, struct input *, off_t);
/* pgpmime_inner_init - the entity of the message h (the input at its
 * body): its Content-* fields (a Content-Type less any hp= and
 * protected-headers= parameter: protect_unmarked()), the empty line,
 * the body; every line end CRLF */
void	pgpmime_inner_init(struct pgpmime_inner *, const struct rfc5322_header *,
	    struct input *);
/* pgpmime_inner_protect - after pgpmime_inner_init: the entity starts
 * with the protected header (protect.c) instead of the Content-* fields
 * alone; -1 (the entity unchanged) when the header is too large for it */
int	pgpmime_inner_protect(struct pgpmime_inner *,
	    const struct rfc5322_header *);
ssize_t	pgpmime_inner_read(void *, void *, size_t);
void	pgpmime_inner_free(struct pgpmime_inner *);

/*
 * The armored ciphertext, as gpg writes it (LF line ends), written to
 * the output with the message's own line ends.
 */
#define PGPMIME_ARMOR_KEEP	32	/* bytes kept of each end of the armor */

struct pgpmime_sink {
	FILE	*fp;
	int	 crlf;
	int	 lastnl;	/* the last byte written was an LF */
	int	 err;		/* errno of a failed write, or 0 */
	char	 head[PGPMIME_ARMOR_KEEP];	/* first bytes of the armor */
	size_t	 headlen;
	char	 tail[PGPMIME_ARMOR_KEEP];	/* last bytes of the armor */
	size_t	 taillen;
};

ssize_t	pgpmime_sink_write(void *, const void *, size_t);

/* pgpmime_sink_complete - the armor written begins with its BEGIN line
 * and ends with its END line: gpg was not cut off half-way */
int	pgpmime_sink_complete(const struct pgpmime_sink *);

/* pgpmime_canon - append src to dst with bare LFs made CRLF; dst must
 * hold 2 * n bytes; returns the bytes written.  *prevcr carries the
 * state across calls. */
size_t	pgpmime_canon(const unsigned char *, size_t, unsigned char *, int *);

#endif
