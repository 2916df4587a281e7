/*
 * gpgio.c - the caller's side of GPGME's data, without GPGME: the
 * callbacks GPGME's callback data objects call with a struct gpg_io
 * (gpg.h), the armor mailseal writes over gpg's binary output (gpg's
 * own costs it three times the encryption; openpgp.c checks the output
 * is one whole encrypted message before the armor's CRC and END lines),
 * the recipient string GPGME's encrypt_ext takes, and the check that
 * gpgsm's DER output is whole (gpgio_der).  gpgop.c and gpgcmsop.c hand
 * these to GPGME; only they, gpg.c and gpgcms.c include gpgme.h.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "armor.h"
#include "gpg.h"
#include "gpgio.h"
#include "openpgp.h"
#include "xmalloc.h"

#define GPGIO_ARMOR_STEP	16384	/* binary bytes armored at a time */

/* gpg's binary output on its way to the caller, armored */
struct gpgio_armor {
	struct gpg_io		*io;
	struct armor_writer	 w;
	struct openpgp_scan	 pkt;	/* gpg's output must be whole */
	char			 out[armor_write_size(GPGIO_ARMOR_STEP)];
};

static int	gpgio_armor_put(struct gpgio_armor *, const char *, size_t);

/* gpgio_read - see gpgio.h */
ssize_t
gpgio_read(void *handle, void *buf, size_t n)
{
	struct gpg_io *io = handle;

	return io->read(io->rcookie, buf, n);
}

/* gpgio_write - see gpgio.h */
ssize_t
gpgio_write(void *handle, const void *buf, size_t n)
{
	struct gpg_io *io = handle;

	return io->write(io->wcookie, buf, n);
}

/* gpgio_der - see gpgio.h */
ssize_t
gpgio_der(void *handle, const void *buf, size_t n)
{
	struct gpgio_der *d = handle;
	const unsigned char *b = buf;
	ssize_t w;
	size_t i;

	if ((w = d->io->write(d->io->wcookie, buf, n)) <= 0)
		return w;
	for (i = 0; i < (size_t)w; i++, d->n++) {
		if (d->n < sizeof d->head)
			d->head[d->n] = b[i];
		d->tail[0] = d->tail[1];
		d->tail[1] = b[i];
	}
	return w;
}

/* gpgio_der_whole - see gpgio.h */
int
gpgio_der_whole(const struct gpgio_der *d)
{
	unsigned long long len = 0;
	unsigned int k, i;

	if (d->n < 2 || d->head[0] != 0x30)
		return -1;
	if (d->head[1] == 0x80)		/* indefinite: end-of-contents */
		return d->n >= 4 && d->tail[0] == 0 && d->tail[1] == 0 ? 0 :
		    -1;
	if (d->head[1] < 0x80)
		return d->n == 2ULL + d->head[1] ? 0 : -1;
	if ((k = d->head[1] & 0x7f) > 4 || d->n < 2ULL + k)
		return -1;
	for (i = 0; i < k; i++)
		len = len << 8 | d->head[2 + i];
	return d->n == 2ULL + k + len ? 0 : -1;
}

/* gpgio_mem_read - see gpgio.h */
ssize_t
gpgio_mem_read(void *cookie, void *buf, size_t n)
{
	struct gpgio_mem *m = cookie;

	if (n > m->n)
		n = m->n;
	memcpy(buf, m->p, n);
	m->p += n;
	m->n -= n;
	return (ssize_t)n;
}

/* gpgio_discard - see gpgio.h */
ssize_t
gpgio_discard(void *handle, const void *buf, size_t n)
{
	(void)handle;
	(void)buf;
	return (ssize_t)n;
}

/*
 * gpgio_recp - GPGME's recipient string: one fingerprint a line.
 * Fingerprints are hex, so no line can be taken for one of GPGME's
 * option lines; "--hidden" switches the rest to hidden recipients (key
 * ID zero: gpg --hidden-recipient).
 */
char *
gpgio_recp(char *const *fprs, const int *hidden, size_t n)
{
	size_t i, len = 1, have, fl;
	char *recp;
	int pass, anyhidden = 0;

	for (i = 0; i < n; i++)
		len += strlen(fprs[i]) + 1;
	recp = xmalloc(len + sizeof "--hidden\n");
	recp[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			have = strlen(recp);
			fl = strlen(fprs[i]);
			if ((hidden != NULL && hidden[i]) != pass)
				continue;
			if (pass == 1 && !anyhidden) {
				memcpy(recp + have, "--hidden\n", 10);
				have += 9;
				anyhidden = 1;
			}
			memcpy(recp + have, fprs[i], fl);
			memcpy(recp + have + fl, "\n", 2);
		}
	}
	return recp;
}

/* gpgio_armor_put - all of p to the caller's writer: 0, or -1 */
static int
gpgio_armor_put(struct gpgio_armor *a, const char *p, size_t n)
{
	ssize_t w;

	for (; n > 0; p += w, n -= (size_t)w)
		if ((w = a->io->write(a->io->wcookie, p, n)) <= 0)
			return -1;
	return 0;
}

/*
 * gpgio_armor - gpg's binary output, armored on its way to the caller:
 * gpg's own armor costs it three times the encryption (0.69 s against
 * 0.18 s for 100 MiB here); armor.c writes the same text
 */
ssize_t
gpgio_armor(void *handle, const void *buf, size_t n)
{
	struct gpgio_armor *a = handle;
	const unsigned char *p = buf;
	size_t k, left;

	for (left = n; left > 0; p += k, left -= k) {
		k = left < GPGIO_ARMOR_STEP ? left : GPGIO_ARMOR_STEP;
		openpgp_feed(&a->pkt, p, k);
		if (gpgio_armor_put(a, a->out, armor_write(&a->w, p, k,
		    a->out)) == -1)
			return -1;
	}
	return (ssize_t)n;
}

/* gpgio_armor_end - the armor's last lines: 0, or -1 with err.
 * Only a whole message gets them (gpg's armor ended only when gpg got
 * that far: a gpg cut short must not look finished). */
int
gpgio_armor_end(struct gpgio_armor *a, char *err, size_t errsz)
{
	if (openpgp_end(&a->pkt) != OPENPGP_OK) {
		snprintf(err, errsz, "encryption: gpg's output is no whole "
		    "encrypted message");
		return -1;
	}
	if (gpgio_armor_put(a, a->out, armor_write_end(&a->w, a->out)) == -1) {
		snprintf(err, errsz, "encryption: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* gpgio_armor_new - see gpgio.h */
struct gpgio_armor *
gpgio_armor_new(struct gpg_io *io)
{
	struct gpgio_armor *a;

	a = xmalloc(sizeof *a);
	a->io = io;
	openpgp_init(&a->pkt, 0);
	if (armor_write_init(&a->w) == -1) {
		openpgp_free(&a->pkt);
		free(a);
		return NULL;
	}
	return a;
}

/* gpgio_armor_free - see gpgio.h */
void
gpgio_armor_free(struct gpgio_armor *a)
{
	if (a == NULL)
		return;
	armor_write_free(&a->w);
	openpgp_free(&a->pkt);
	free(a);
}
