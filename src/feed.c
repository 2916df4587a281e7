/*
 * feed.c - the bytes decrypt gives gpg and the bytes it takes back.
 *
 * A reader (struct feed_src) streams a span of the message into gpg:
 * transfer-decoded (cte.c) when the part has an encoding, and, for an
 * armored ciphertext, dearmored by armor.c, because gpg reads armor at
 * a tenth of the speed of the packets in it.  A detached signature is
 * first copied to a private spool of its own, so its reader and the
 * signed text's do not share a position, and checked for its shape.
 * The writer (struct feed_sink) puts gpg's plaintext into a private
 * spool and stops at LIMIT_DECRYPTED.  Nothing here knows GPGME.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "armor.h"
#include "classify.h"
#include "cte.h"
#include "feed.h"
#include "input.h"
#include "limit.h"
#include "mime.h"
#include "tmpfile.h"

static int	feed_fill(struct feed_src *);
static void	feed_armor_sink(void *, const unsigned char *, size_t);

/* feed_init - a reader over the span of in, from where in
 * stands; transfer-decoded when the span has an encoding */
void
feed_init(struct feed_src *s, struct input *in,
    const struct classify_span *span)
{
	memset(s, 0, sizeof *s);
	s->in = in;
	s->left = span->len;
	s->decode = span->cte != MIME_CTE_IDENTITY;
	cte_init(&s->dec, span->cte);
}

/* feed_armor_sink - the armor's decoded packets, for gpg */
static void
feed_armor_sink(void *cookie, const unsigned char *p, size_t n)
{
	struct feed_src *s = cookie;

	memcpy(s->out + s->outlen, p, n);
	s->outlen += n;
}

/*
 * feed_cipher - feed_init for the ciphertext.  gpg reads
 * armor at a tenth of the speed of the packets in it (0.6 s of its 0.7 s
 * for 100 MiB here: bench/README.md), and classify.c has checked the
 * armor of this very span (one block, its framing, its CRC-24): so an
 * armored span reaches gpg dearmored by armor.c, which checks it all once
 * more as it goes (a span that is no longer what was classified is a
 * read error: 75).  A binary span (base64 data parts) goes as it is.
 */
void
feed_cipher(struct feed_src *s, struct input *in,
    const struct classify_span *span)
{
	feed_init(s, in, span);
	s->dearmor = -1;
	armor_scan_init(&s->arm);
	s->armlive = 1;
	s->arm.sink = feed_armor_sink;
	s->arm.sinkarg = s;
}

/* feed_free - release a reader */
void
feed_free(struct feed_src *s)
{
	if (s != NULL && s->armlive)
		armor_scan_free(&s->arm);
	free(s);
}

/*
 * feed_fill - the next step of the span into out: transfer-
 * decoded, then dearmored.  0 (done set at the end), or -1 with err.
 */
static int
feed_fill(struct feed_src *s)
{
	unsigned char raw[FEED_CHUNK], text[FEED_CHUNK + 3], *t = text;
	ssize_t r = 0;
	size_t len;

	if (s->left > 0 && (r = input_read(s->in, raw,
	    s->left < FEED_CHUNK ? (size_t)s->left : FEED_CHUNK)) < 0) {
		s->err = errno;
		return -1;
	}
	if (s->left <= 0 || r == 0) {
		len = s->decode ? cte_finish(&s->dec, text) : 0;
		s->done = 1;
	} else {
		s->left -= r;
		if (s->decode)
			len = cte_decode(&s->dec, raw, (size_t)r, text);
		else {
			t = raw;
			len = (size_t)r;
		}
	}
	/* packets start with bit 7; so do the no-break spaces the armor
	 * scan takes for white space before BEGIN (A0, C2 A0), as no
	 * encrypted message's first packet does (0xA0 is a compressed
	 * packet, 0xC2 a signature): classify.c took such a span for
	 * armor, and gpg would read the armor as packets */
	if (s->dearmor == -1 && len > 0)
		s->dearmor = (t[0] & 0x80) == 0 || t[0] == 0xa0 ||
		    t[0] == 0xc2;
	s->outpos = s->outlen = 0;
	if (s->dearmor != 1) {
		memcpy(s->out, t, len);
		s->outlen = len;
	} else
		armor_scan_feed(&s->arm, t, len);
	if (s->done && s->armlive) {
		s->armlive = 0;
		if (armor_scan_end(&s->arm) != ARMOR_MESSAGE &&
		    s->dearmor == 1) {
			s->err = EIO;	/* not what classify.c saw */
			return -1;
		}
	}
	return 0;
}

/* feed_read - see feed.h */
ssize_t
feed_read(void *cookie, void *buf, size_t n)
{
	struct feed_src *s = cookie;
	ssize_t r = 0;

	if (!s->decode && s->dearmor == 0 && s->outpos == s->outlen) {
		if (s->left <= 0)
			return 0;
		if ((off_t)n > s->left)
			n = (size_t)s->left;
		if ((r = input_read(s->in, buf, n)) < 0) {
			s->err = errno;
			return -1;
		}
		s->left -= r;
		return r;
	}
	while (s->outpos == s->outlen) {
		if (s->done)
			return 0;
		if (feed_fill(s) == -1)
			return -1;
	}
	if (n > s->outlen - s->outpos)
		n = s->outlen - s->outpos;
	memcpy(buf, s->out + s->outpos, n);
	s->outpos += n;
	return (ssize_t)n;
}

/* feed_sink_write - see feed.h */
ssize_t
feed_sink_write(void *cookie, const void *buf, size_t n)
{
	struct feed_sink *s = cookie;
	const char *p = buf;
	ssize_t w;
	size_t off;

	if (s->size + (off_t)n > LIMIT_DECRYPTED) {
		s->toobig = 1;
		errno = EFBIG;
		return -1;
	}
	for (off = 0; off < n; off += (size_t)w) {
		w = write(s->fd, p + off, n - off);
		if (w == -1 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w == -1) {
			s->err = errno;
			return -1;
		}
	}
	s->size += (off_t)n;
	return (ssize_t)n;
}

/* feed_sig_shape - is the spooled signature part (in, read from its
 * start and left there) one detached signature: armored with the right
 * checksum, or binary, and signature packets only (armor.c, openpgp.c)?
 * 1 yes, 0 no, -1 it could not be read */
int
feed_sig_shape(struct input *in)
{
	unsigned char buf[4096];
	struct armor_scan s;
	ssize_t n = 0;

	armor_scan_init_sig(&s);
	while (!armor_scan_failed(&s) &&
	    (n = input_read(in, buf, sizeof buf)) > 0)
		armor_scan_feed(&s, buf, (size_t)n);
	if (n < 0 || input_seek(in, 0) == -1) {
		armor_scan_free(&s);
		return -1;
	}
	return armor_scan_end(&s) == ARMOR_DETACHED;
}

/* feed_spool - give the signature reader its own copy of the
 * (small) signature part, so the two readers do not share a position */
int
feed_spool(struct input *in, off_t off, off_t len,
    struct feed_src *s)
{
	char buf[4096];
	ssize_t n = 0;
	int fd;

	if (len > LIMIT_SIGNATURE) {
		errno = EFBIG;
		return -1;
	}
	if ((fd = tmpfile_open_unlinked()) == -1)
		return -1;
	if (input_seek(in, off) == -1)
		goto fail;
	while (len > 0 && (n = input_read(in, buf, (size_t)len <
	    sizeof buf ? (size_t)len : sizeof buf)) > 0) {
		if (write(fd, buf, (size_t)n) != n)
			goto fail;
		len -= n;
	}
	if (n < 0)
		goto fail;
	s->in = input_fdopen(fd);
	return 0;
fail:
	close(fd);
	return -1;
}
