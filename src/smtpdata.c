/*
 * smtpdata.c - DATA's dot-unstuffing automaton (smtpdata.h).
 *
 * Five states: at the start of a line, after a leading dot, after a
 * leading dot and CR, inside a line, after a CR.  Inside a line the
 * bytes up to the next CR are copied in one step.  A leading dot is
 * dropped when it is read: it is either the end of the data (". CR LF")
 * or stuffing; only its CR is held back until the next byte says which.
 */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "limit.h"
#include "smtpdata.h"
#include "tmpfile.h"

enum {
	DATA_BOL,		/* at the start of a line */
	DATA_DOT,		/* a leading dot read (and dropped) */
	DATA_DOTCR,		/* a leading dot and a CR (held back) */
	DATA_MID,		/* inside a line */
	DATA_CR			/* after a CR (written) */
};

/* smtpdata_init - see smtpdata.h */
void
smtpdata_init(struct smtpdata *d)
{
	d->state = DATA_BOL;
	d->done = 0;
}

/* data_line - copy the bytes of in up to and with its first CR to out;
 * the number of bytes copied; *crp set when a CR ended them */
static size_t
data_line(const unsigned char *in, size_t n, unsigned char *out, int *crp)
{
	const unsigned char *cr = memchr(in, '\r', n);
	size_t k = cr != NULL ? (size_t)(cr - in) + 1 : n;

	memcpy(out, in, k);
	*crp = cr != NULL;
	return k;
}

/* smtpdata_unstuff - see smtpdata.h */
size_t
smtpdata_unstuff(struct smtpdata *d, const unsigned char *in, size_t n,
    unsigned char *out, size_t *outlen)
{
	size_t i = 0, o = 0, k;
	int cr;

	while (i < n && !d->done) {
		switch (d->state) {
		case DATA_BOL:
			d->state = in[i] == '.' ? DATA_DOT : DATA_MID;
			if (in[i] == '.')
				i++;
			break;
		case DATA_DOT:
			/* any byte but CR: the dot was stuffing */
			d->state = in[i] == '\r' ? DATA_DOTCR : DATA_MID;
			if (in[i] == '\r')
				i++;
			break;
		case DATA_DOTCR:
			if (in[i] == '\n') {
				i++;
				d->done = 1;
				break;
			}
			out[o++] = '\r';	/* held back; the dot was stuffing */
			d->state = DATA_CR;
			break;
		case DATA_CR:
			out[o++] = in[i];
			d->state = in[i] == '\n' ? DATA_BOL :
			    in[i] == '\r' ? DATA_CR : DATA_MID;
			i++;
			break;
		default:	/* DATA_MID */
			k = data_line(in + i, n - i, out + o, &cr);
			i += k;
			o += k;
			if (cr)
				d->state = DATA_CR;
			break;
		}
	}
	*outlen = o;
	return i;
}

/* data_deadline - timeout seconds from start, and 1/LIMIT_SMTP_MIN_RATE
 * s more for each of the n bytes read (ms) */
static long long
data_deadline(long long start, unsigned int timeout, unsigned long long n)
{
	return start + (long long)timeout * 1000 +
	    (long long)(n / LIMIT_SMTP_MIN_RATE) * 1000 +
	    (long long)(n % LIMIT_SMTP_MIN_RATE) * 1000 / LIMIT_SMTP_MIN_RATE;
}

/* data_spool - the n message bytes of one step into fd, unless the
 * message is already too big or the spool failed */
static void
data_spool(int fd, const unsigned char *p, size_t n, unsigned long long
    maxsize, unsigned long long *total, enum smtpdata_end *st, int *errp)
{
	*total += n;
	if (*st != SMTPDATA_OK)
		return;
	if (*total > maxsize)
		*st = SMTPDATA_BIG;
	else if (n > 0 && tmpfile_write(fd, p, n) == -1) {
		*errp = errno;
		*st = SMTPDATA_SPOOL;
	}
}

/* smtpdata_read - see smtpdata.h */
enum smtpdata_end
smtpdata_read(struct smtpio *io, int fd, unsigned long long maxsize,
    unsigned int timeout, int *errp)
{
	unsigned char out[SMTPIO_BUFSZ + 1];
	unsigned long long total = 0, nread0 = io->nread;
	long long start = smtpio_now();
	enum smtpdata_end st = SMTPDATA_OK;
	struct smtpdata d;
	size_t used, n;

	smtpdata_init(&d);
	while (!d.done) {
		io->deadline = data_deadline(start, timeout,
		    io->nread - nread0);
		if (smtpio_fill(io) == -1) {
			st = SMTPDATA_READ;
			break;
		}
		used = smtpdata_unstuff(&d, io->in + io->ioff,
		    io->ilen - io->ioff, out, &n);
		io->ioff += used;
		data_spool(fd, out, n, maxsize, &total, &st, errp);
		if (total > maxsize && total - maxsize > maxsize) {
			st = SMTPDATA_CUT;
			break;
		}
	}
	io->deadline = 0;
	return st;
}
