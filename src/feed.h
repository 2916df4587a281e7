/*
 * feed.h - what decrypt gives gpg and takes from it: a span of the
 * message (ciphertext, a detached signature, a clear-signed body),
 * transfer-decoded and, for ciphertext, dearmored on the way; and the
 * capped private spool gpg's plaintext goes to.  The readers and the
 * writer are struct gpg_io callbacks (gpg.h).
 */
#ifndef MAILSEAL_FEED_H
#define MAILSEAL_FEED_H

#include <sys/types.h>

#include "armor.h"
#include "cte.h"

#define FEED_CHUNK	16384	/* bytes read from the message at a time */

struct classify_span;
struct input;

/* A span of an input fed to gpg (ciphertext, a signature, clear-signed
 * text), transfer-decoded when decode is set; signed MIME data goes
 * through pgpmime.c's canonicalising reader instead. */
struct feed_src {
	struct input		*in;
	off_t			 left;
	int			 err;
	int			 decode;
	int			 done;		/* the decoder was flushed */
	struct cte_decoder	 dec;
	unsigned char		 out[FEED_CHUNK + 3];	/* decoded, not yet read */
	size_t			 outlen;
	size_t			 outpos;
	int			 dearmor;	/* ciphertext: -1 not known yet,
						 * 1 armored (gpg gets the
						 * packets), 0 binary */
	struct armor_scan	 arm;		/* dearmor: the armor */
	int			 armlive;	/* arm holds something to release */
};

/* The plaintext: a private spool with a size cap. */
struct feed_sink {
	int		 fd;
	off_t		 size;
	int		 toobig;
	int		 err;
};

/* feed_init - a reader over the span of in, from where in stands;
 * transfer-decoded when the span has an encoding */
void	feed_init(struct feed_src *, struct input *,
	    const struct classify_span *);

/* feed_cipher - feed_init for the ciphertext: an armored span reaches
 * gpg as the packets in it (armor.c checks the armor once more) */
void	feed_cipher(struct feed_src *, struct input *,
	    const struct classify_span *);

/* feed_free - release a reader allocated with malloc (NULL is fine) */
void	feed_free(struct feed_src *);

/* feed_read - gpg_io reader over a struct feed_src: bytes, 0 at the
 * end, or -1 with the reader's err set */
ssize_t	feed_read(void *, void *, size_t);

/* feed_sink_write - gpg_io writer into a struct feed_sink: -1 with
 * toobig set past LIMIT_DECRYPTED, or with err set on a write error */
ssize_t	feed_sink_write(void *, const void *, size_t);

/* feed_sig_shape - is the spooled signature part one detached
 * signature (armor.c, openpgp.c)?  1 yes, 0 no, -1 unreadable; in is
 * left at its start */
int	feed_sig_shape(struct input *);

/* feed_spool - a private copy of the span at off (len <= LIMIT_SIGNATURE
 * bytes) becomes the reader's input: 0, or -1 with errno */
int	feed_spool(struct input *, off_t, off_t, struct feed_src *);

#endif
