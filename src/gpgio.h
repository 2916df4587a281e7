/*
 * gpgio.h - the caller's side of GPGME's data (gpgio.c): callbacks
 * over struct gpg_io, the armor writer over gpg's binary output, the
 * recipient string.  No GPGME types: gpgop.c passes these to GPGME.
 */
#ifndef MAILSEAL_GPGIO_H
#define MAILSEAL_GPGIO_H

#include <sys/types.h>
#include <stddef.h>

struct gpg_io;
struct gpgio_armor;

/* gpgio_read - GPGME read callback: handle is a struct gpg_io, whose
 * read() is called */
ssize_t	gpgio_read(void *, void *, size_t);

/* gpgio_write - GPGME write callback: the struct gpg_io's write() */
ssize_t	gpgio_write(void *, const void *, size_t);

/* gpgsm's DER output (a CMS ContentInfo) on its way to io->write,
 * watched: gpgsm says nothing when it has encrypted, and a gpgsm that
 * said "OK" must have written one whole element */
struct gpgio_der {
	struct gpg_io		*io;
	unsigned char		 head[6];	/* its first bytes */
	unsigned char		 tail[2];	/* its last two */
	unsigned long long	 n;		/* bytes written */
};

/* gpgio_der - GPGME write callback: handle is a struct gpgio_der */
ssize_t	gpgio_der(void *, const void *, size_t);

/* gpgio_der_whole - what went through is one whole BER element, a
 * SEQUENCE of definite length that ends where it says, or of
 * indefinite length ending in an end-of-contents: 0, or -1 */
int	gpgio_der_whole(const struct gpgio_der *);

/* gpgio_discard - GPGME write callback that drops what gpg writes */
ssize_t	gpgio_discard(void *, const void *, size_t);

/* A few bytes of memory as a source: io->read with a struct gpgio_mem
 * as its cookie. */
struct gpgio_mem {
	const char	*p;
	size_t		 n;
};
ssize_t	gpgio_mem_read(void *, void *, size_t);

/* gpgio_recp - GPGME's recipient string for the n fingerprints, those
 * with hidden[i] set (hidden may be NULL) after "--hidden".  Returns an
 * allocated string; caller frees with free(). */
char	*gpgio_recp(char *const *, const int *, size_t);

/* gpgio_armor_new - an armor writer onto io's write(), or NULL when
 * libgcrypt gives no CRC-24; free with gpgio_armor_free() */
struct gpgio_armor *gpgio_armor_new(struct gpg_io *);

/* gpgio_armor - GPGME write callback (handle: a struct gpgio_armor):
 * gpg's binary packets, framing checked (openpgp.c) and armored onto
 * the caller's writer; -1 when that fails */
ssize_t	gpgio_armor(void *, const void *, size_t);

/* gpgio_armor_end - the armor's CRC and END lines, only after a whole
 * encrypted message: 0, or -1 with the reason in err */
int	gpgio_armor_end(struct gpgio_armor *, char *, size_t);

/* gpgio_armor_free - release a writer (NULL is fine) */
void	gpgio_armor_free(struct gpgio_armor *);

#endif
