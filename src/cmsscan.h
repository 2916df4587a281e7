/*
 * cmsscan.h - what a CMS SignedData carries, counted before gpgsm reads
 * it (smimedec.c).
 */
#ifndef MAILSEAL_CMSSCAN_H
#define MAILSEAL_CMSSCAN_H

#include <sys/types.h>

/* What cmsscan_signed found. */
struct cmsscan {
	unsigned long	certs;		/* certificates carried */
	unsigned long	signers;	/* SignerInfos */
	unsigned long	recipients;	/* RecipientInfos */
	unsigned long	badalg;		/* SignerInfos whose signature
					 * algorithm gpgsm must not see */
};

/* cmsscan_signed - read a ContentInfo holding SignedData (DER, or BER
 * with indefinite lengths) through rd(cookie, buf, len) (bytes, 0 at
 * the end, -1 on error), counting its certificates and SignerInfos into
 * s; stops counting past the limits.  0 read as SignedData, 1 not
 * (cut short, another structure, nested deeper than CMSSCAN_DEPTH), -1
 * on a read error. */
int	cmsscan_signed(ssize_t (*)(void *, void *, size_t), void *,
	    struct cmsscan *);

/* cmsscan_enveloped - the same for EnvelopedData or AuthEnvelopedData,
 * counting its RecipientInfos (no further than LIMIT_SESSION_KEYS + 1):
 * 0, 1 (no such structure, cut short), -1 on a read error */
int	cmsscan_enveloped(ssize_t (*)(void *, void *, size_t), void *,
	    struct cmsscan *);

#define CMSSCAN_DEPTH	64	/* BER nesting cmsscan_signed follows */

#endif
