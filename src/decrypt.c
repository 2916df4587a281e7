/*
 * decrypt.c - the decrypt command.
 *
 * Data flow:
 *   input -> rfc5322_read -> classify (where is the encrypted data?)
 *     PGP/MIME root: part 2's armor streams into gpg (decrypt + verify);
 *       the plaintext goes to a nameless 0600 spool, capped at
 *       LIMIT_DECRYPTED, and is released only when gpg said the
 *       decryption succeeded with integrity protection (EFAIL: gpg
 *       writes everything before it reports a missing MDC);
 *     anything else: the original, unchanged.
 *   Output: our two verdict fields first (incoming ones are removed
 *   whatever the message), then the outer fields (Content-* ones come
 *   from inside when decrypted), then the inner entity.
 * Only the root is ever decrypted: an encrypted part nested in other
 * MIME is never looked at, so attacker-made mail cannot make us decrypt
 * a victim's old ciphertext into what we deliver.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "classify.h"
#include "decrypt.h"
#include "gpg.h"
#include "input.h"
#include "limit.h"
#include "log.h"
#include "output.h"
#include "pgpmime.h"
#include "rfc5322.h"
#include "tmpfile.h"
#include "verdict.h"
#include "xmalloc.h"

#define ESCBUF	512

/* A span of an input fed to gpg as it is (ciphertext, a signature);
 * signed data goes through pgpmime.c's canonicalising reader instead. */
struct decrypt_src {
	struct input	*in;
	off_t		 left;
	int		 err;
};

/* The plaintext: a private spool with a size cap. */
struct decrypt_sink {
	int		 fd;
	off_t		 size;
	int		 toobig;
	int		 err;
};

struct decrypt_job {
	const struct decrypt_opts	*opts;
	struct input			*in;
	struct rfc5322_header		 h;
	struct gpg			*gpg;
	struct output			*out;
	const char			*dverdict;	/* decryption verdict */
	const char			*reason;	/* when "failed" */
	enum verdict_sig		 sverdict;
	char				 signer[128];	/* primary fingerprint */
	int				 plainfd;	/* decrypted entity */
	struct input			*inner;		/* the same, to read */
	struct rfc5322_header		 ih;		/* its header */
	off_t				 innerbody;	/* its body */
};

static ssize_t	decrypt_src_read(void *, void *, size_t);
static ssize_t	decrypt_sink_write(void *, const void *, size_t);
static enum decrypt_result decrypt_pgpmime(struct decrypt_job *,
		    const struct classify_span *);
static enum decrypt_result decrypt_signatures(struct decrypt_job *,
		    const struct gpg_decrypt_result *);
static int	decrypt_write_head(struct decrypt_job *, FILE *, int);
static int	decrypt_write_inner(struct decrypt_job *, FILE *);
static enum decrypt_result decrypt_verify(struct decrypt_job *, struct input *,
		    const struct classify_span *);
static int	decrypt_spool_span(struct input *, off_t, off_t,
		    struct decrypt_src *);
static int	decrypt_inner_open(struct decrypt_job *);
static int	decrypt_copy(struct input *, FILE *, int);
static char	*decrypt_from(const struct rfc5322_header *);

static ssize_t
decrypt_src_read(void *cookie, void *buf, size_t n)
{
	struct decrypt_src *s = cookie;
	ssize_t r;

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

static ssize_t
decrypt_sink_write(void *cookie, const void *buf, size_t n)
{
	struct decrypt_sink *s = cookie;
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

/* decrypt_from - the addr-spec of the one From mailbox, or NULL when
 * there is not exactly one From field holding exactly one mailbox */
static char *
decrypt_from(const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	size_t i = 0, len;
	char *v, *spec = NULL;

	if ((f = rfc5322_find(h, "From", &i)) == NULL ||
	    rfc5322_find(h, "From", &i) != NULL)
		return NULL;
	v = rfc5322_unfold(f, &len);
	if (addr_mailbox_parse(v, &spec) != ADDR_OK)
		spec = NULL;
	free(v);
	return spec;
}

/* decrypt_signatures - the verdict over the signatures gpg checked
 * while decrypting (RFC 3156 6.2); each signing key is looked up by
 * its fingerprint to compare its user IDs with From */
static enum decrypt_result
decrypt_signatures(struct decrypt_job *j, const struct gpg_decrypt_result *r)
{
	struct gpg_keylist keys;
	char err[GPG_ERRLEN], *from = decrypt_from(&j->h), *pat[1];
	enum verdict_sig v;
	size_t i;

	for (i = 0; i < r->nsigs; i++) {
		const struct gpg_key *key = NULL;

		memset(&keys, 0, sizeof keys);
		if (r->sigs[i].status != GPG_SIG_NOKEY && r->sigs[i].fpr[0]) {
			pat[0] = r->sigs[i].fpr;
			if (gpg_keylist(j->gpg, pat, 1, 0, &keys, err,
			    sizeof err) != GPG_OK) {
				log_warnx("%s", err);
				free(from);
				return DECRYPT_TEMPFAIL;
			}
			if (keys.n == 1)
				key = &keys.v[0];
		}
		v = verdict_signature(&r->sigs[i], key, from);
		if (j->sverdict == VERDICT_SIG_NONE || v > j->sverdict) {
			j->sverdict = verdict_worse(j->sverdict, v);
			snprintf(j->signer, sizeof j->signer, "%s",
			    key != NULL ? key->fpr : r->sigs[i].fpr);
		}
		gpg_keylist_free(&keys);
	}
	free(from);
	return DECRYPT_OK;
}

/* decrypt_pgpmime - decrypt part 2 of a PGP/MIME root into plainfd */
static enum decrypt_result
decrypt_pgpmime(struct decrypt_job *j, const struct classify_span *span)
{
	struct decrypt_src src;
	struct decrypt_sink sink;
	struct gpg_decrypt_result res;
	struct gpg_io io;
	char err[GPG_ERRLEN];
	enum gpg_status st;
	enum decrypt_result r = DECRYPT_OK;

	if (gpg_open(&j->gpg, j->opts->homedir, err, sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		return DECRYPT_TEMPFAIL;
	}
	if (input_seek(j->in, span->off) == -1 ||
	    (j->plainfd = tmpfile_open_unlinked()) == -1) {
		log_warn("cannot prepare decryption");
		return DECRYPT_TEMPFAIL;
	}
	memset(&src, 0, sizeof src);
	memset(&sink, 0, sizeof sink);
	src.in = j->in;
	src.left = span->len;
	sink.fd = j->plainfd;
	io.read = decrypt_src_read;
	io.write = decrypt_sink_write;
	io.rcookie = &src;
	io.wcookie = &sink;
	st = gpg_decrypt(j->gpg, &io, &res, err, sizeof err);
	if (sink.toobig)
		res.dec = GPG_DEC_TOOBIG;
	else if (src.err != 0 || sink.err != 0) {
		errno = src.err != 0 ? src.err : sink.err;
		log_warn("decryption");
		r = DECRYPT_TEMPFAIL;
		goto out;
	} else if (st != GPG_OK) {
		log_warnx("%s", err);
		r = DECRYPT_TEMPFAIL;
		goto out;
	}
	switch (res.dec) {
	case GPG_DEC_OK:
		j->dverdict = "decrypted";
		r = decrypt_signatures(j, &res);
		break;
	case GPG_DEC_NOSECKEY:
		j->reason = "no-secret-key";
		break;
	case GPG_DEC_INTEGRITY:
		j->reason = "integrity";
		break;
	case GPG_DEC_BADDATA:
		j->reason = "bad-data";
		break;
	case GPG_DEC_TOOBIG:
		j->reason = "too-large";
		break;
	}
out:
	gpg_decrypt_result_free(&res);
	if (j->reason != NULL) {
		/* never a byte of what gpg wrote: the spool goes away */
		close(j->plainfd);
		j->plainfd = -1;
		j->dverdict = "failed";
	}
	return r;
}

/* decrypt_verify - check a multipart/signed entity of in (its spans
 * from classify) and fold the verdict into the job's */
static enum decrypt_result
decrypt_verify(struct decrypt_job *j, struct input *in,
    const struct classify_span *span)
{
	struct pgpmime_inner *text;
	struct decrypt_src *sig;
	struct gpg_decrypt_result res;
	struct gpg_io tio, sio;
	char err[GPG_ERRLEN];
	enum gpg_status st;
	enum decrypt_result r = DECRYPT_TEMPFAIL;

	if (j->gpg == NULL &&
	    gpg_open(&j->gpg, j->opts->homedir, err, sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		return DECRYPT_TEMPFAIL;
	}
	/* two readers on one input: each seeks before it reads */
	text = xcalloc(1, sizeof *text);
	sig = xcalloc(1, sizeof *sig);
	sig->in = in;
	sig->left = span->siglen;
	memset(&tio, 0, sizeof tio);
	memset(&sio, 0, sizeof sio);
	tio.read = pgpmime_inner_read;
	sio.read = decrypt_src_read;
	tio.rcookie = text;
	sio.rcookie = sig;
	if (decrypt_spool_span(in, span->sigoff, span->siglen, sig) == -1 ||
	    input_seek(in, span->off) == -1) {
		log_warn("cannot read the signed message");
		goto out;
	}
	pgpmime_canon_init(text, in, span->len);
	st = gpg_verify(j->gpg, &tio, &sio, &res, err, sizeof err);
	if (text->err != 0 || sig->err != 0) {
		errno = text->err != 0 ? text->err : sig->err;
		log_warn("cannot read the signed message");
	} else if (st != GPG_OK)
		log_warnx("%s", err);
	else
		r = decrypt_signatures(j, &res);
	gpg_decrypt_result_free(&res);
out:
	if (sig->in != in)
		input_close(sig->in);
	free(text);
	free(sig);
	return r;
}

/* decrypt_spool_span - give the signature reader its own copy of the
 * (small) signature part, so the two readers do not share a position */
static int
decrypt_spool_span(struct input *in, off_t off, off_t len,
    struct decrypt_src *s)
{
	char buf[4096];
	ssize_t n;
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
	s->in = input_fdopen(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/* decrypt_inner_open - read the decrypted entity's header; an entity
 * without fields starts with its empty line, and plaintext that is no
 * MIME entity at all is all body */
static int
decrypt_inner_open(struct decrypt_job *j)
{
	const char *line;
	size_t len;

	j->inner = input_fdopen(j->plainfd);
	j->plainfd = -1;	/* the input owns it now */
	if (input_line(j->inner, LIMIT_HEADER_LINE, &line, &len) == 1 &&
	    (line[0] == '\n' || (len == 2 && line[0] == '\r'))) {
		j->innerbody = (off_t)len;
		return 0;
	}
	if (input_seek(j->inner, 0) == -1)
		return -1;
	if (rfc5322_read(j->inner, &j->ih) == RFC5322_OK) {
		j->innerbody = j->ih.bodyoff;
		return 0;
	}
	rfc5322_free(&j->ih);
	j->innerbody = 0;
	return 0;
}

/* decrypt_write_head - the From_ line, our verdicts, and the outer
 * fields; without_content: leave out the Content-* ones */
static int
decrypt_write_head(struct decrypt_job *j, FILE *fp, int without_content)
{
	const char *eol = j->h.crlf ? "\r\n" : "\n";
	size_t i;

	if (j->h.fromline != NULL &&
	    fwrite(j->h.fromline, 1, j->h.fromlen, fp) != j->h.fromlen)
		return -1;
	if (fprintf(fp, "%s: %s%s%s%s", VERDICT_DECRYPTION, j->dverdict,
	    j->reason != NULL ? "; reason=" : "",
	    j->reason != NULL ? j->reason : "", eol) < 0)
		return -1;
	if (fprintf(fp, "%s: %s%s%s%s", VERDICT_SIGNATURE,
	    verdict_sig_name(j->sverdict),
	    j->sverdict != VERDICT_SIG_NONE ? "; signer=" : "",
	    j->sverdict != VERDICT_SIG_NONE ? j->signer : "", eol) < 0)
		return -1;
	for (i = 0; i < j->h.nfields; i++) {
		const struct rfc5322_field *f = &j->h.fields[i];
		if (verdict_is_ours(f) ||
		    (without_content && rfc5322_has_prefix(f, "Content-")))
			continue;
		if (fwrite(f->raw, 1, f->rawlen, fp) != f->rawlen)
			return -1;
		if (f->raw[f->rawlen - 1] != '\n' && fputs(eol, fp) == EOF)
			return -1;
	}
	return 0;
}

/* decrypt_copy - the rest of in; tolf: CRLF becomes LF */
static int
decrypt_copy(struct input *in, FILE *fp, int tolf)
{
	char buf[65536];
	ssize_t n, i;
	int pendcr = 0;

	while ((n = input_read(in, buf, sizeof buf)) > 0) {
		if (!tolf) {
			if (fwrite(buf, 1, (size_t)n, fp) != (size_t)n)
				return -1;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (pendcr && buf[i] != '\n' && putc('\r', fp) == EOF)
				return -1;
			pendcr = buf[i] == '\r';
			if (!pendcr && putc(buf[i], fp) == EOF)
				return -1;
		}
	}
	if (pendcr && putc('\r', fp) == EOF)
		return -1;
	return n < 0 ? -1 : 0;
}

/* decrypt_write_inner - the decrypted entity's Content-* fields and
 * body, with the outer message's line ends */
static int
decrypt_write_inner(struct decrypt_job *j, FILE *fp)
{
	size_t i, k;
	int tolf = !j->h.crlf;

	for (i = 0; i < j->ih.nfields; i++) {
		struct rfc5322_field *f = &j->ih.fields[i];
		if (!rfc5322_has_prefix(f, "Content-"))
			continue;
		for (k = 0; k < f->rawlen; k++) {
			if (tolf && f->raw[k] == '\r' && k + 1 < f->rawlen &&
			    f->raw[k + 1] == '\n')
				continue;
			if (putc(f->raw[k], fp) == EOF)
				return -1;
		}
	}
	if (fputs(j->h.crlf ? "\r\n" : "\n", fp) == EOF ||
	    input_seek(j->inner, j->innerbody) == -1)
		return -1;
	return decrypt_copy(j->inner, fp, tolf);
}

/* decrypt_run - see decrypt.h */
enum decrypt_result
decrypt_run(const struct decrypt_opts *opts)
{
	struct decrypt_job j;
	struct classify_span span;
	enum classify_kind kind;
	enum rfc5322_err he;
	enum decrypt_result r = DECRYPT_TEMPFAIL;
	char esc[ESCBUF];
	FILE *fp;
	int e;

	memset(&j, 0, sizeof j);
	j.opts = opts;
	j.plainfd = -1;
	j.dverdict = "not-encrypted";
	if ((e = input_open(&j.in, opts->input)) != 0) {
		if (e == INPUT_ENOPEN) {
			log_warn("%s", log_escape(opts->input, esc, sizeof esc));
			return DECRYPT_NOINPUT;
		}
		log_warn("cannot read %s", opts->input != NULL ?
		    log_escape(opts->input, esc, sizeof esc) : "standard input");
		return DECRYPT_TEMPFAIL;
	}
	if ((he = rfc5322_read(j.in, &j.h)) != RFC5322_OK) {
		if (he == RFC5322_IO)
			log_warn("cannot read the message");
		else
			log_warnx("not a message: %s", rfc5322_strerror(he));
		r = he == RFC5322_IO ? DECRYPT_TEMPFAIL : DECRYPT_DATAERR;
		goto done;
	}
	if (classify_message(&j.h, j.in, &kind, &span) == -1) {
		log_warn("cannot read the message");
		goto done;
	}
	if (kind == CLASSIFY_PGPMIME) {
		if ((r = decrypt_pgpmime(&j, &span)) != DECRYPT_OK)
			goto done;
		if (j.plainfd != -1) {
			/* the decrypted root may be signed (RFC 3156 6.1) */
			if (decrypt_inner_open(&j) == -1 ||
			    classify_message(&j.ih, j.inner, &kind, &span) == -1) {
				log_warn("cannot read the decrypted message");
				r = DECRYPT_TEMPFAIL;
				goto done;
			}
			if (kind == CLASSIFY_SIGNED &&
			    (r = decrypt_verify(&j, j.inner, &span)) != DECRYPT_OK)
				goto done;
		}
	} else if (kind == CLASSIFY_SIGNED) {
		if ((r = decrypt_verify(&j, j.in, &span)) != DECRYPT_OK)
			goto done;
	} else if (kind == CLASSIFY_INLINE) {
		/* inline PGP is recognised but not decrypted yet: say so,
		 * and keep the ciphertext */
		j.dverdict = "failed";
		j.reason = "unsupported-inline";
	}
	if (output_open(&j.out, opts->output) == -1) {
		log_warn("cannot create the output");
		r = DECRYPT_TEMPFAIL;
		goto done;
	}
	fp = output_stream(j.out);
	if (j.inner != NULL) {
		e = decrypt_write_head(&j, fp, 1) == -1 ||
		    decrypt_write_inner(&j, fp) == -1;
	} else {
		e = decrypt_write_head(&j, fp, 0) == -1 ||
		    input_seek(j.in, (off_t)(j.h.fromlen + j.h.total)) == -1 ||
		    decrypt_copy(j.in, fp, 0) == -1;
	}
	if (e) {
		log_warn("cannot write the output");
		r = DECRYPT_TEMPFAIL;
		goto done;
	}
	e = output_commit(j.out);
	j.out = NULL;
	if (e == -1) {
		log_warn("cannot write the output");
		r = DECRYPT_TEMPFAIL;
		goto done;
	}
	r = DECRYPT_OK;
done:
	output_discard(j.out);
	if (j.plainfd != -1)
		close(j.plainfd);
	rfc5322_free(&j.ih);
	input_close(j.inner);
	gpg_close(j.gpg);
	rfc5322_free(&j.h);
	input_close(j.in);
	return r;
}
