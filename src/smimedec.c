/*
 * smimedec.c - decrypt's S/MIME side (RFC 8551).
 *
 * Three roots are S/MIME (classify.c): application/pkcs7-mime
 * enveloped-data (or authEnveloped-data), pkcs7-mime signed-data (the
 * content is inside the signature: "opaque"), and multipart/signed with
 * an application/pkcs7-signature part.  Their base64 body is decoded
 * (cte.c, through feed.c's reader) into gpgsm on a CMS context of its
 * own, opened only for such a root (verify_cms): no gpgsm runs for
 * other mail.  What gpgsm writes goes to a nameless 0600 spool capped
 * at LIMIT_DECRYPTED, and the CMS data read is capped at LIMIT_CMS
 * before gpgsm runs.
 *
 * The integrity rule.  EnvelopedData is CBC: it has no integrity
 * protection, and CBC's malleability is exactly what EFAIL's gadgets
 * use to make a mail reader send the plaintext out (a changed block
 * turns into an HTML tag of the attacker's).  mailseal never releases
 * plaintext without integrity protection, so CBC plaintext is released
 * only when the decrypted entity is, as a whole, S/MIME-signed (opaque
 * signed-data, or multipart/signed with a pkcs7-signature, at its root)
 * and that signature verifies (good, good-untrusted or mismatch): a
 * changed block would break it.  Else the verdict is "failed;
 * reason=no-integrity-protection" and the ciphertext is kept, as for an
 * OpenPGP message without MDC.  AuthEnvelopedData (gpgsm says noint 0)
 * is released as OpenPGP is.  The decryption verdict says format=smime,
 * and integrity=signature when the signature is what protects it.
 *
 * The signature of an opaque signed-data (at the root, or at the root
 * of what was decrypted) is checked by gpgsm as it gives back the
 * content, and that content is what the output shows, as a decrypted
 * root is.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "cmsscan.h"
#include "decint.h"
#include "feed.h"
#include "gpg.h"
#include "input.h"
#include "limit.h"
#include "log.h"
#include "msg.h"
#include "pgpmime.h"
#include "rfc5322.h"
#include "smimedec.h"
#include "tmpfile.h"
#include "verdict.h"
#include "verify.h"
#include "xmalloc.h"

#define SMIMEDEC_OVER	1	/* smimedec_size: over LIMIT_CMS */
#define SMIMEDEC_SHORT	2	/* shorter than its DER says */
#define SMIMEDEC_MANY	3	/* more RecipientInfos than
				 * LIMIT_SESSION_KEYS */

/* One S/MIME root on its way to verdicts. */
struct smimedec {
	struct verify	*v;
	int		 plainfd;	/* the entity to show, or -1 */
	struct gpg_decrypt_result res;	/* signatures over it */
	int		 signedroot;	/* res: a signature over all
					 * of the entity to show */
	int		 decrypted;
	int		 noint;		/* CBC: no integrity */
	const char	*reason;	/* decryption failed: why */
};

static off_t	smimedec_der_len(const unsigned char *, size_t);
static int	smimedec_size(struct input *, const struct classify_span *);
static int	smimedec_gcm(struct input *, const struct classify_span *);
static int	smimedec_counted(struct input *, off_t,
		    const struct classify_span *);
static int	smimedec_recipients(struct input *,
		    const struct classify_span *);
static int	smimedec_gpgsm(struct smimedec *, struct input *,
		    const struct classify_span *, int);
static int	smimedec_enveloped(struct smimedec *, struct input *,
		    const struct classify_span *);
static int	smimedec_opaque(struct smimedec *, struct input *,
		    const struct classify_span *);
static int	smimedec_detached(struct smimedec *, struct input *,
		    const struct classify_span *);
static int	smimedec_inner(struct smimedec *, int);
static int	smimedec_sigpart(struct smimedec *, struct input *,
		    const struct classify_span *, struct feed_src *);
static int	smimedec_show(struct decrypt_job *, struct smimedec *,
		    const struct msg *);
static void	smimedec_refuse(struct decrypt_job *);
static void	smimedec_bad(struct verify *);
static int	smimedec_named(const struct gpg_decrypt_result *);

/* smimedec_named - gpgsm read a signature in it (one it names, or one
 * whose certificate it lacks), not just the engine's stand-in for none:
 * the content it gave is the signed data's, shown with the verdict */
static int
smimedec_named(const struct gpg_decrypt_result *r)
{
	size_t i;

	for (i = 0; i < r->nsigs; i++)
		if ((r->sigs[i].fpr != NULL && r->sigs[i].fpr[0] != '\0') ||
		    r->sigs[i].status == GPG_SIG_NOKEY)
			return 1;
	return 0;
}

/* smimedec_bad - the signature is bad without a gpgsm verdict (no
 * SignedData there, nothing gpgsm could read): no signer to name */
static void
smimedec_bad(struct verify *v)
{
	v->verdict = VERDICT_SIG_BAD;
	v->signer[0] = '\0';
	v->created = 0;
}

/* smimedec_der_len - the length a DER SEQUENCE's head (n bytes of it)
 * says the whole has, or 0 when it does not say (BER's indefinite
 * length, as OpenSSL's streaming writes, or no SEQUENCE) */
static off_t
smimedec_der_len(const unsigned char *h, size_t n)
{
	size_t nb, i;
	off_t len = 0;

	if (n < 2 || h[0] != 0x30)
		return 0;
	if (h[1] < 0x80)
		return 2 + h[1];
	nb = h[1] & 0x7f;
	if (nb == 0 || nb > 4 || n < 2 + nb)
		return 0;
	for (i = 0; i < nb; i++)
		len = len << 8 | h[2 + i];
	return 2 + (off_t)nb + len;
}

/* smimedec_size - what the CMS data of span (decoded) is before gpgsm
 * reads any of it: 0 fine, SMIMEDEC_OVER past LIMIT_CMS, SMIMEDEC_SHORT
 * shorter than its DER head says (truncated).  One pass of the decoder.
 * -1 on a read error (errno set). */
static int
smimedec_size(struct input *in, const struct classify_span *span)
{
	unsigned char buf[FEED_CHUNK], head[8];
	struct feed_src *src;
	off_t n = 0, want;
	ssize_t r;
	size_t k;
	int e = 0;

	if (input_seek(in, span->off) == -1)
		return -1;
	src = xmalloc(sizeof *src);
	feed_init(src, in, span);
	while ((r = feed_read(src, buf, sizeof buf)) > 0) {
		if (n < (off_t)sizeof head) {
			k = sizeof head - (size_t)n;
			memcpy(head + n, buf, (size_t)r < k ? (size_t)r : k);
		}
		if ((n += r) > LIMIT_CMS) {
			e = SMIMEDEC_OVER;
			break;
		}
	}
	if (r < 0)
		errno = src->err;
	feed_free(src);
	if (r < 0)
		return -1;
	want = smimedec_der_len(head, n < (off_t)sizeof head ? (size_t)n :
	    sizeof head);
	return e != 0 ? e : n < want ? SMIMEDEC_SHORT : 0;
}

/* smimedec_counted - the SignedData of span (at off in in) carries no
 * more certificates and SignerInfos than a mailer sends (cmsscan.c),
 * and reads as SignedData: 0 yes, 1 no (the signature is bad, gpgsm
 * does not see it), -1 on a read error (errno set) */
static int
smimedec_counted(struct input *in, off_t off, const struct classify_span *span)
{
	struct feed_src *src;
	struct cmsscan cs;
	int r;

	if (input_seek(in, off) == -1)
		return -1;
	src = xmalloc(sizeof *src);
	feed_init(src, in, span);
	r = cmsscan_signed(feed_read, src, &cs);
	if (r == -1)
		errno = src->err;
	feed_free(src);
	if (r == 0 && (cs.certs > LIMIT_CMS_CERTS ||
	    cs.signers > LIMIT_SIGNATURES || cs.badalg > 0))
		r = 1;
	return r;
}

/* smimedec_recipients - the enveloped span's RecipientInfos, past
 * LIMIT_SESSION_KEYS (SMIMEDEC_MANY), or not (0; one that cmsscan.c
 * cannot read is gpgsm's to judge); -1 on a read error (errno set) */
static int
smimedec_recipients(struct input *in, const struct classify_span *span)
{
	struct feed_src *src;
	struct cmsscan cs;
	int r;

	if (input_seek(in, span->off) == -1)
		return -1;
	src = xmalloc(sizeof *src);
	feed_init(src, in, span);
	r = cmsscan_enveloped(feed_read, src, &cs);
	if (r == -1)
		errno = src->err;
	feed_free(src);
	if (r == -1)
		return -1;
	return r == 0 && cs.recipients > LIMIT_SESSION_KEYS ? SMIMEDEC_MANY :
	    0;
}

/* smimedec_gcm - is the enveloped span AuthEnvelopedData (AES-GCM,
 * RFC 5083)?  1 yes, 0 no, -1 unreadable */
static int
smimedec_gcm(struct input *in, const struct classify_span *span)
{
	int what = 0;

	if (classify_cms(in, span->off, span->cte, &what) == -1)
		return -1;
	return what == 3;
}

/* smimedec_gpgsm - gpgsm decrypts the enveloped-data span of in into
 * fd; sd->res.dec says how that went.  0, or -1 (logged) */
static int
smimedec_gpgsm(struct smimedec *sd, struct input *in,
    const struct classify_span *span, int fd)
{
	struct feed_src *src;
	struct feed_sink sink;
	struct gpg_io io;
	char err[GPG_ERRLEN];
	enum gpg_status st;
	int e = 0;

	src = xmalloc(sizeof *src);
	feed_init(src, in, span);
	memset(&sink, 0, sizeof sink);
	sink.fd = fd;
	memset(&io, 0, sizeof io);
	io.read = feed_read;
	io.write = feed_sink_write;
	io.rcookie = src;
	io.wcookie = &sink;
	st = gpg_decrypt(sd->v->cms, &io, &sd->res, err, sizeof err);
	if (sink.toobig)
		sd->res.dec = GPG_DEC_TOOBIG;
	else if (src->err != 0 || sink.err != 0) {
		errno = src->err != 0 ? src->err : sink.err;
		log_warn("decryption");
		e = -1;
	} else if (st != GPG_OK && smimedec_gcm(in, span) != 1) {
		log_warnx("%s", err);
		e = -1;
	} else if (st != GPG_OK) {
		/* gpgsm 2.2 cannot read OpenSSL's AES-GCM ("error getting
		 * IV"): a verdict, or it would be retried for ever */
		log_warnx("%s (AuthEnvelopedData): failed, bad-data", err);
		sd->res.dec = GPG_DEC_BADDATA;
	}
	feed_free(src);
	return e;
}

/* smimedec_enveloped - decrypt the enveloped-data span of in into a
 * private spool; a verdict on failure, the plaintext's own root
 * signature checked on success (smimedec_inner).  0, or -1 (logged) */
static int
smimedec_enveloped(struct smimedec *sd, struct input *in,
    const struct classify_span *span)
{
	int size, fd, e;

	if ((size = smimedec_size(in, span)) == -1) {
		log_warn("cannot read the message");
		return -1;
	}
	if (size == 0 && (size = smimedec_recipients(in, span)) == -1) {
		log_warn("cannot read the message");
		return -1;
	}
	if (size != 0) {
		sd->reason = size == SMIMEDEC_OVER ? "too-large" :
		    size == SMIMEDEC_MANY ? "too-many-recipients" :
		    "bad-data";
		return 0;
	}
	if (verify_cms(sd->v) == -1)
		return -1;
	if (input_seek(in, span->off) == -1 ||
	    (fd = tmpfile_open_unlinked()) == -1) {
		log_warn("cannot prepare decryption");
		return -1;
	}
	if ((e = smimedec_gpgsm(sd, in, span, fd)) == 0) {
		sd->noint = sd->res.noint;
		sd->reason = verdict_dec_reason(sd->res.dec);
	}
	gpg_decrypt_result_free(&sd->res);	/* no signatures here */
	if (e == 0 && sd->reason == NULL) {
		sd->decrypted = 1;
		return smimedec_inner(sd, fd);	/* it takes fd */
	}
	close(fd);	/* never a byte of a failed decryption */
	return e;
}

/* smimedec_opaque - verify the opaque signed-data span of in; the
 * content it holds, to a private spool, becomes the entity to show.
 * 0, or -1 (logged) */
static int
smimedec_opaque(struct smimedec *sd, struct input *in,
    const struct classify_span *span)
{
	struct feed_src *src;
	struct feed_sink sink;
	struct gpg_io io, out;
	char err[GPG_ERRLEN];
	enum gpg_status st;
	int size, fd, e = -1;

	if ((size = smimedec_size(in, span)) == -1) {
		log_warn("cannot read the signed message");
		return -1;
	}
	if (size == 0 && (size = smimedec_counted(in, span->off, span)) == -1) {
		log_warn("cannot read the signed message");
		return -1;
	}
	if (size != 0) {
		smimedec_bad(sd->v);
		return 0;
	}
	if (verify_cms(sd->v) == -1)
		return -1;
	if (input_seek(in, span->off) == -1 ||
	    (fd = tmpfile_open_unlinked()) == -1) {
		log_warn("cannot prepare verification");
		return -1;
	}
	src = xmalloc(sizeof *src);
	feed_init(src, in, span);
	memset(&sink, 0, sizeof sink);
	sink.fd = fd;
	memset(&io, 0, sizeof io);
	memset(&out, 0, sizeof out);
	io.read = feed_read;
	io.rcookie = src;
	out.write = feed_sink_write;
	out.wcookie = &sink;
	gpg_decrypt_result_free(&sd->res);
	st = gpg_verify_opaque(sd->v->cms, &io, &out, &sd->res, err,
	    sizeof err);
	if (src->err != 0 || sink.err != 0) {
		errno = src->err != 0 ? src->err : sink.err;
		log_warn("cannot read the signed message");
	} else if (st != GPG_OK && !sink.toobig)
		log_warnx("%s", err);
	else if (sink.toobig || !smimedec_named(&sd->res)) {
		smimedec_bad(sd->v);	/* no content we could show */
		e = 0;
	} else {
		sd->plainfd = fd;
		sd->signedroot = 1;
		fd = -1;
		e = 0;
	}
	feed_free(src);
	if (fd != -1)
		close(fd);
	return e;
}

/* smimedec_sigpart - the signature part of span spooled apart into
 * spool->in and checked to be CMS SignedData: 0 yes; 1 no, the verdict
 * is bad (no gpgsm run); -1 it could not be read (logged) */
static int
smimedec_sigpart(struct smimedec *sd, struct input *in,
    const struct classify_span *span, struct feed_src *spool)
{
	struct classify_span ss;
	int yes = 0, bad = 0;

	if (span->siglen > LIMIT_SIGNATURE) {
		smimedec_bad(sd->v);
		return 1;
	}
	memset(&ss, 0, sizeof ss);
	ss.len = span->siglen;
	ss.cte = span->sigcte;
	if (feed_spool(in, span->sigoff, span->siglen, spool) == -1 ||
	    classify_cms(spool->in, 0, span->sigcte, &yes) == -1 ||
	    (yes == 2 && (bad = smimedec_counted(spool->in, 0, &ss)) == -1)) {
		log_warn("cannot read the signed message");
		return -1;
	}
	if (yes != 2 || bad) {
		smimedec_bad(sd->v);
		return 1;
	}
	return 0;
}

/* smimedec_detached - verify a multipart/signed entity of in whose
 * signature part is S/MIME (the spans from classify.c): the signed part
 * canonical (CRLF), as RFC 8551 3.1.1 and RFC 3156 sign it; a signature
 * part that is no CMS SignedData is bad without a gpgsm run.  0, or -1
 * (logged) */
static int
smimedec_detached(struct smimedec *sd, struct input *in,
    const struct classify_span *span)
{
	struct pgpmime_inner *text;
	struct feed_src spool, *sig;
	struct classify_span ss;
	struct gpg_io tio, sio;
	char err[GPG_ERRLEN];
	enum gpg_status st;
	int e;

	memset(&spool, 0, sizeof spool);
	if ((e = smimedec_sigpart(sd, in, span, &spool)) != 0 ||
	    (e = verify_cms(sd->v)) == -1) {
		input_close(spool.in);
		return e == 1 ? 0 : -1;
	}
	e = -1;
	text = xcalloc(1, sizeof *text);
	sig = xmalloc(sizeof *sig);
	memset(&ss, 0, sizeof ss);
	ss.len = span->siglen;
	ss.cte = span->sigcte;
	memset(&tio, 0, sizeof tio);
	memset(&sio, 0, sizeof sio);
	tio.read = pgpmime_inner_read;
	tio.rcookie = text;
	sio.read = feed_read;
	sio.rcookie = sig;
	feed_init(sig, spool.in, &ss);
	if (input_seek(spool.in, 0) == -1 || input_seek(in, span->off) == -1 ||
	    pgpmime_canon_init(text, in, span->len) == -1) {
		log_warn("cannot read the signed message");
		goto out;
	}
	gpg_decrypt_result_free(&sd->res);
	st = gpg_verify(sd->v->cms, &tio, &sio, &sd->res, err, sizeof err);
	if (text->err != 0 || sig->err != 0) {
		errno = text->err != 0 ? text->err : sig->err;
		log_warn("cannot read the signed message");
	} else if (st != GPG_OK)
		log_warnx("%s", err);
	else {
		sd->signedroot = 1;
		e = 0;
	}
out:
	input_close(spool.in);
	free(text);
	free(sig);
	return e;
}

/* smimedec_inner - what was decrypted (fd, which this takes): when its
 * root is S/MIME-signed, that signature is checked, and an opaque one's
 * content becomes the entity to show; else the plaintext is.  0, or -1
 * (logged) */
static int
smimedec_inner(struct smimedec *sd, int fd)
{
	struct rfc5322_header h;
	struct classify_span span;
	enum classify_kind k = CLASSIFY_PLAIN;
	struct input *p;
	int e = 0;

	if (input_open_fd(&p, fd) != 0) {
		log_warn("cannot read the decrypted message");
		close(fd);
		return -1;
	}
	memset(&h, 0, sizeof h);
	if (rfc5322_read(p, &h) == RFC5322_OK && h.separator &&
	    classify_message(&h, p, &k, &span) == -1) {
		log_warn("cannot read the decrypted message");
		e = -1;
	} else if (k == CLASSIFY_SMIME_OPAQUE)
		e = smimedec_opaque(sd, p, &span);
	else if (k == CLASSIFY_SMIME_SIGNED)
		e = smimedec_detached(sd, p, &span);
	rfc5322_free(&h);
	input_close(p);
	if (sd->plainfd == -1 && e == 0)
		sd->plainfd = fd;	/* the plaintext itself */
	else
		close(fd);
	return e;
}

/* smimedec_refuse - CBC plaintext without a valid signature over all
 * of it: none of it is shown, the ciphertext is kept (the integrity
 * rule above), and signatures over it say nothing */
static void
smimedec_refuse(struct decrypt_job *j)
{
	input_close(j->inner);
	j->inner = NULL;
	rfc5322_free(&j->ih);
	memset(&j->ih, 0, sizeof j->ih);
	rfc5322_free(&j->sh);
	memset(&j->sh, 0, sizeof j->sh);
	j->ph = NULL;
	j->phmode = PROTECT_NONE;
	j->dverdict = "failed";
	j->reason = "no-integrity-protection";
	j->dparams = "; format=smime";
	j->v.verdict = VERDICT_SIG_NONE;
	j->v.signer[0] = '\0';
	j->v.created = 0;
}

/* smimedec_show - the verdicts into j; the entity to show opened as
 * j->inner, its protected fields found, the signature judged against
 * the From the output will show; then the integrity rule */
static int
smimedec_show(struct decrypt_job *j, struct smimedec *sd,
    const struct msg *m)
{
	struct classify_span span;
	enum classify_kind kind = CLASSIFY_PLAIN;
	enum verdict_sig sv;
	char *from = NULL;
	int e = 0;

	if (sd->reason != NULL) {
		j->dverdict = "failed";
		j->reason = sd->reason;
	} else if (sd->decrypted)
		j->dverdict = "decrypted";
	if (m->kind == CLASSIFY_SMIME)
		j->dparams = sd->decrypted && sd->noint ?
		    "; format=smime; integrity=signature" : "; format=smime";
	if (sd->plainfd != -1) {
		j->plainfd = sd->plainfd;
		sd->plainfd = -1;
		if (decrypt_inner_open(j) == -1 || classify_message(&j->ih,
		    j->inner, &kind, &span) == -1 ||
		    decrypt_protected(j, kind, &span) == -1) {
			log_warn("cannot read the decrypted message");
			return -1;
		}
		/* CBC: the multipart/signed's own header is not signed, and
		 * could be changed unseen: no protected fields from it */
		if (sd->noint && j->ph == &j->ih &&
		    kind == CLASSIFY_SMIME_SIGNED) {
			j->ph = NULL;
			j->phmode = PROTECT_NONE;
		}
		/* nor any of it but its Content-Type, nor its preamble and
		 * epilogue: only what the signature covers is shown */
		if (sd->noint && kind == CLASSIFY_SMIME_SIGNED) {
			j->cbcoff = span.off;
			j->cbcend = span.sigoff + span.siglen;
		}
		from = decrypt_shown_from(j);
	} else if (m->kind == CLASSIFY_SMIME_SIGNED)
		from = decrypt_signed_from(j, &m->span);
	if (sd->signedroot)
		e = verify_sigs_cms(&j->v, &sd->res, from);
	free(from);
	sv = j->v.verdict;
	if (e == 0 && sd->decrypted && sd->noint && (!sd->signedroot ||
	    (sv != VERDICT_SIG_GOOD && sv != VERDICT_SIG_GOOD_UNTRUSTED &&
	    sv != VERDICT_SIG_MISMATCH)))
		smimedec_refuse(j);
	return e;
}

/* smimedec_root - see smimedec.h */
int
smimedec_root(struct decrypt_job *j, struct msg *m)
{
	struct smimedec sd;
	int e;

	memset(&sd, 0, sizeof sd);
	sd.v = &j->v;
	sd.plainfd = -1;
	if (m->kind == CLASSIFY_SMIME)
		e = smimedec_enveloped(&sd, j->in, &m->span);
	else if (m->kind == CLASSIFY_SMIME_OPAQUE)
		e = smimedec_opaque(&sd, j->in, &m->span);
	else
		e = smimedec_detached(&sd, j->in, &m->span);
	if (e == 0)
		e = smimedec_show(j, &sd, m);
	if (sd.plainfd != -1)
		close(sd.plainfd);
	gpg_decrypt_result_free(&sd.res);
	return e;
}
