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

#include <string.h>

#include "smtpdata.h"

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
