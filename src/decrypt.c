/*
 * decrypt.c - the decrypt command.
 *
 * Data flow:
 *   input -> rfc5322_read -> classify (what is the root?)
 *     PGP/MIME root, or the multipart/mixed Exchange rewrites it into:
 *       the data part (base64-decoded when Exchange encoded it) streams
 *       into gpg (feed.c), which decrypts and verifies; inline PGP: the
 *       decoded text/plain body does.  The plaintext goes to a nameless 0600
 *       spool, capped at LIMIT_DECRYPTED, and is released only when gpg
 *       said the decryption succeeded with integrity protection (EFAIL:
 *       gpg writes everything before it reports a missing MDC).  The
 *       decrypted entity may be multipart/signed (RFC 3156 6.1), may be
 *       one clear-signed block, and may carry protected header fields
 *       (RFC 9788 hp=, or protected-headers="v1");
 *     multipart/signed or clear-signed root: verified, left as it is;
 *     anything else: the original, unchanged.
 *   Output: our two verdict fields first (incoming ones are removed
 *   whatever the message), then the outer fields (protected ones
 *   replaced by the inner ones; Content-* ones come from inside when
 *   decrypted), then the decrypted entity or the original body.
 * Only the root is ever decrypted: an encrypted part nested in other
 * MIME is never looked at, so attacker-made mail cannot make us decrypt
 * a victim's old ciphertext into what we deliver.  A signature counts
 * only over the root, or the decrypted content's root; the From it must
 * match is the one the output shows (the inner one when protected).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "autocrypt.h"
#include "body.h"
#include "classify.h"
#include "decint.h"
#include "decrypt.h"
#include "feed.h"
#include "gpg.h"
#include "input.h"
#include "limit.h"
#include "log.h"
#include "mime.h"
#include "msg.h"
#include "output.h"
#include "protect.h"
#include "rfc5322.h"
#include "scrub.h"
#include "smimedec.h"
#include "tmpfile.h"
#include "verdict.h"
#include "verify.h"
#include "xmalloc.h"

static enum decrypt_result decrypt_data(struct decrypt_job *,
		    const struct classify_span *);
static enum decrypt_result decrypt_plaintext(struct decrypt_job *);
static int	decrypt_write_head(struct decrypt_job *, FILE *,
		    enum decrypt_head);
static int	decrypt_write_inner(struct decrypt_job *, FILE *);
static int	decrypt_bare(const struct decrypt_job *);
static int	decrypt_write_cbc(struct decrypt_job *, FILE *);
static int	decrypt_write_text(struct decrypt_job *, FILE *);
static int	decrypt_text_shape(struct decrypt_job *);
static enum decrypt_result decrypt_raw(struct decrypt_job *,
		    enum rfc5322_err);
static void	decrypt_learn(struct decrypt_job *);

/* decrypt_from - the addr-spec of the one From mailbox, or NULL when
 * there is not exactly one From field holding exactly one mailbox */
char *
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

/* decrypt_shown_from - the From the output shows: the protected one
 * when the decrypted content replaces the outer From */
char *
decrypt_shown_from(const struct decrypt_job *j)
{
	if (j->ph != NULL && rfc5322_find(j->ph, "From", NULL) != NULL)
		return decrypt_from(j->ph);
	return decrypt_from(&j->h);
}

/*
 * decrypt_signed_from - the From a signed-only root's signature must
 * match: the outer one, and when the signed part carries protected
 * fields (RFC 9788 hp="clear", protected-headers="v1") with a From, a
 * reader that honours them shows that one: then both must name the
 * same address, else none (a mismatch).  Anyone may sign a part that
 * says it is from Alice under an outer From of their own.
 */
char *
decrypt_signed_from(struct decrypt_job *j, const struct classify_span *span)
{
	struct rfc5322_header sh;
	char *from, *inner;

	from = decrypt_from(&j->h);
	if (input_seek(j->in, span->off) == -1) {
		free(from);
		return NULL;
	}
	if (rfc5322_read(j->in, &sh) == RFC5322_OK &&
	    protect_marker(&sh) != PROTECT_NONE &&
	    rfc5322_find(&sh, "From", NULL) != NULL) {
		inner = decrypt_from(&sh);
		if (from != NULL &&
		    (inner == NULL || !addr_equal(from, inner))) {
			free(from);
			from = NULL;
		}
		free(inner);
	}
	rfc5322_free(&sh);
	return from;
}

/* decrypt_data - decrypt the span (PGP/MIME data part, inline body)
 * into plainfd; on any verdict but "decrypted" nothing of it is kept */
static enum decrypt_result
decrypt_data(struct decrypt_job *j, const struct classify_span *span)
{
	struct feed_src *src;
	struct feed_sink sink;
	struct gpg_io io;
	char err[GPG_ERRLEN];
	enum gpg_status st;
	enum decrypt_result r = DECRYPT_OK;

	if (verify_gpg(&j->v) == -1)
		return DECRYPT_TEMPFAIL;
	if (input_seek(j->in, span->off) == -1 ||
	    (j->plainfd = tmpfile_open_unlinked()) == -1) {
		log_warn("cannot prepare decryption");
		return DECRYPT_TEMPFAIL;
	}
	src = xmalloc(sizeof *src);
	feed_cipher(src, j->in, span);
	memset(&sink, 0, sizeof sink);
	sink.fd = j->plainfd;
	io.read = feed_read;
	io.write = feed_sink_write;
	io.rcookie = src;
	io.wcookie = &sink;
	st = gpg_decrypt(j->v.gpg, &io, &j->dres, err, sizeof err);
	if (sink.toobig)
		j->dres.dec = GPG_DEC_TOOBIG;
	else if (src->err != 0 || sink.err != 0) {
		errno = src->err != 0 ? src->err : sink.err;
		log_warn("decryption");
		r = DECRYPT_TEMPFAIL;
		goto out;
	} else if (st != GPG_OK) {
		log_warnx("%s", err);
		r = DECRYPT_TEMPFAIL;
		goto out;
	}
	if ((j->reason = verdict_dec_reason(j->dres.dec)) == NULL)
		j->dverdict = "decrypted";
out:
	feed_free(src);
	if (j->reason != NULL) {
		/* never a byte of what gpg wrote: the spool goes away, and
		 * so do signatures over what nobody will see */
		close(j->plainfd);
		j->plainfd = -1;
		j->dverdict = "failed";
		gpg_decrypt_result_free(&j->dres);
	}
	return r;
}

/* decrypt_plaintext - open what was decrypted: an entity (PGP/MIME),
 * or text (inline); find what in it is signed and which header fields
 * it protects, and give the signatures their verdict */
static enum decrypt_result
decrypt_plaintext(struct decrypt_job *j)
{
	struct classify_span span;
	enum classify_kind kind = CLASSIFY_PLAIN;
	int e;
	char *from;

	if (j->istext) {
		j->inner = input_fdopen(j->plainfd);
		j->plainfd = -1;
		j->innerbody = 0;
		/* the text may be one clear-signed block */
		if (decrypt_text_shape(j) == -1 || classify_body(j->inner, 0,
		    MIME_CTE_IDENTITY, &kind, &span) == -1) {
			log_warn("cannot read the decrypted message");
			return DECRYPT_TEMPFAIL;
		}
	} else if (decrypt_inner_open(j) == -1 ||
	    classify_message(&j->ih, j->inner, &kind, &span) == -1 ||
	    decrypt_protected(j, kind, &span) == -1) {
		log_warn("cannot read the decrypted message");
		return DECRYPT_TEMPFAIL;
	}
	from = decrypt_shown_from(j);
	e = verify_sigs(&j->v, &j->dres, from);
	/* the decrypted root may be signed (RFC 3156 6.1, or clear-signed) */
	if (e == 0 && kind == CLASSIFY_SIGNED)
		e = verify_mime(&j->v, j->inner, &span, from);
	else if (e == 0 && kind == CLASSIFY_CLEARSIGNED)
		e = verify_clear(&j->v, j->inner, &span, from);
	free(from);
	return e == -1 ? DECRYPT_TEMPFAIL : DECRYPT_OK;
}

/* decrypt_inner_open - read the decrypted entity's header; an entity
 * without fields starts with its empty line, and plaintext that is no
 * MIME entity at all is all body */
int
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
	/* a header must end with its empty line: "Note: at 5pm" as the
	 * first line of plain text is text, not a field to drop */
	if (rfc5322_read(j->inner, &j->ih) == RFC5322_OK && j->ih.separator) {
		j->innerbody = j->ih.bodyoff;
		return 0;
	}
	rfc5322_free(&j->ih);
	memset(&j->ih, 0, sizeof j->ih);
	j->innerbody = 0;
	return 0;
}

/*
 * decrypt_protected - where the decrypted content's protected fields
 * are: its root's header, or, when the root is multipart/signed (RFC
 * 3156 6.1), the signed part's header.  The root's header around it,
 * which the signature does not cover (anyone could put Alice's old
 * signed part under fields of their own), counts only when the signed
 * part has no protected fields: then it is where they can be (mailseal
 * encrypt puts them there for a message its author signed), and it is
 * no less the sender's word than the outer fields it replaces, which
 * the signature does not cover either.  A clear-signed root's header
 * is not covered: no fields from it.
 */
int
decrypt_protected(struct decrypt_job *j, enum classify_kind kind,
    const struct classify_span *span)
{
	int sig = kind == CLASSIFY_SIGNED || kind == CLASSIFY_SMIME_SIGNED;

	j->ihsigned = !sig && kind != CLASSIFY_CLEARSIGNED;
	if (kind == CLASSIFY_CLEARSIGNED)
		return 0;
	if (!sig) {
		if ((j->phmode = protect_marker(&j->ih)) != PROTECT_NONE)
			j->ph = &j->ih;
		return 0;
	}
	if (input_seek(j->inner, span->off) == -1)
		return -1;
	if (rfc5322_read(j->inner, &j->sh) == RFC5322_OK &&
	    (j->phmode = protect_marker(&j->sh)) != PROTECT_NONE)
		j->ph = &j->sh;
	else if ((j->phmode = protect_marker(&j->ih)) != PROTECT_NONE)
		j->ph = &j->ih;
	return 0;
}

/* decrypt_bare - the decrypted root's protected header had no
 * Content-Type before encrypt made one (protect_made): shown, the
 * protection consumed, it is left out, as the author left it out; with
 * hp= (every field of the author's inside) so is the outer
 * MIME-Version encrypt added, unless the author wrote one: then the
 * inner one is shown in its place */
static int
decrypt_bare(const struct decrypt_job *j)
{
	const struct rfc5322_field *f;

	return j->ph == &j->ih &&
	    (f = rfc5322_find(&j->ih, "Content-Type", NULL)) != NULL &&
	    protect_made(f);
}

/* decrypt_write_head - the From_ line, our verdicts, the outer fields
 * the output keeps, and the protected fields that replace outer ones */
static int
decrypt_write_head(struct decrypt_job *j, FILE *fp, enum decrypt_head what)
{
	const char *eol = j->h.crlf ? "\r\n" : "\n";
	size_t i;

	if (j->h.fromline != NULL &&
	    fwrite(j->h.fromline, 1, j->h.fromlen, fp) != j->h.fromlen)
		return -1;
	if (j->opts->lead != NULL &&
	    fprintf(fp, "%s%s", j->opts->lead, eol) < 0)
		return -1;
	if (fprintf(fp, "%s: %s%s%s%s%s", VERDICT_DECRYPTION, j->dverdict,
	    j->reason != NULL ? "; reason=" : "",
	    j->reason != NULL ? j->reason : "",
	    j->dparams != NULL ? j->dparams : "", eol) < 0)
		return -1;
	/* signer= is a primary key's fingerprint (INTERFACE.md): without
	 * the key, what the signature names (maybe a subkey, maybe a key
	 * ID) is issuer=; neither when nothing could be named (a signature
	 * part that holds no signature, one over LIMIT_SIGNATURE); an
	 * S/MIME good-untrusted for a CRL that could not be had says so */
	if (fprintf(fp, "%s: %s%s%s%s%s", VERDICT_SIGNATURE,
	    verdict_sig_name(j->v.verdict),
	    j->v.verdict == VERDICT_SIG_NONE || !j->v.signer[0] ? "" :
	    j->v.issuer ? "; issuer=" : "; signer=",
	    j->v.verdict != VERDICT_SIG_NONE ? j->v.signer : "",
	    j->v.verdict == VERDICT_SIG_GOOD_UNTRUSTED && j->v.unchecked ?
	    "; chain=unchecked" : "", eol) < 0)
		return -1;
	for (i = 0; i < j->h.nfields; i++) {
		const struct rfc5322_field *f = &j->h.fields[i];
		if (verdict_is_ours(f) || protect_hides(j->ph, j->phmode, f) ||
		    (j->phmode == PROTECT_HP && decrypt_bare(j) &&
		    rfc5322_is(f, "MIME-Version")) ||
		    (what == HEAD_ENTITY && rfc5322_has_prefix(f, "Content-")) ||
		    (what == HEAD_TEXT &&
		    (rfc5322_is(f, "Content-Transfer-Encoding") ||
		    (j->utf8label && rfc5322_is(f, "Content-Type")))))
			continue;
		if (fwrite(f->raw, 1, f->rawlen, fp) != f->rawlen)
			return -1;
		if (f->raw[f->rawlen - 1] != '\n' && fputs(eol, fp) == EOF)
			return -1;
	}
	for (i = 0; j->ph != NULL && i < j->ph->nfields; i++) {
		const struct rfc5322_field *f = &j->ph->fields[i];
		if (!protect_shows(j->phmode, f))
			continue;
		if (body_put(fp, f->raw, f->rawlen,
		    j->h.crlf ? BODY_CRLF : BODY_LF) == -1)
			return -1;
		if (f->raw[f->rawlen - 1] != '\n' && fputs(eol, fp) == EOF)
			return -1;
	}
	return 0;
}

/* decrypt_write_inner - the decrypted entity's Content-* fields and
 * body, with the outer message's line ends.  Once its protected fields
 * are shown, the protection is consumed: the Content-Type loses its
 * hp and protected-headers marks (protect_unmarked: what encrypt
 * appended comes off to the byte), the output being no longer
 * encrypted; the rest of the field stays. */
static int
decrypt_write_inner(struct decrypt_job *j, FILE *fp)
{
	enum body_eol eol = j->h.crlf ? BODY_CRLF : BODY_LF;
	char *buf;
	size_t i, n;

	if (rfc5322_find(&j->ih, "Content-Type", NULL) != NULL &&
	    !decrypt_bare(j) &&
	    rfc5322_find(&j->h, "MIME-Version", NULL) == NULL &&
	    (j->phmode != PROTECT_HP ||
	    rfc5322_find(j->ph, "MIME-Version", NULL) == NULL) &&
	    fprintf(fp, "MIME-Version: 1.0%s", j->h.crlf ? "\r\n" : "\n") < 0)
		return -1;
	for (i = 0; i < j->ih.nfields; i++) {
		struct rfc5322_field *f = &j->ih.fields[i];
		if (!rfc5322_has_prefix(f, "Content-") ||
		    (rfc5322_is(f, "Content-Type") && decrypt_bare(j)) ||
		    (j->cbcend != 0 && !rfc5322_is(f, "Content-Type")))
			continue;
		n = 0;
		buf = NULL;
		if (j->ph != NULL && rfc5322_is(f, "Content-Type")) {
			buf = xmalloc(2 * f->rawlen + 16);
			n = protect_unmarked(f, buf);
		}
		if (body_put(fp, n > 0 ? buf : f->raw, n > 0 ? n : f->rawlen,
		    eol) == -1) {
			free(buf);
			return -1;
		}
		free(buf);
	}
	if (fputs(j->h.crlf ? "\r\n" : "\n", fp) == EOF)
		return -1;
	if (j->cbcend != 0)
		return decrypt_write_cbc(j, fp);
	if (input_seek(j->inner, j->innerbody) == -1)
		return -1;
	return body_copy(j->inner, fp, eol);
}

/* decrypt_write_cbc - the body of a multipart/signed decrypted from CBC
 * (smimedec.c), which anyone could have changed wherever the signature
 * does not cover it: its signed part and signature part between
 * delimiters, not its preamble and epilogue (CBC blocks an EFAIL
 * attacker rewrites into HTML around copies of the secret ones) */
static int
decrypt_write_cbc(struct decrypt_job *j, FILE *fp)
{
	const struct rfc5322_field *f;
	struct mime_ctype ct;
	const char *b, *eol = j->h.crlf ? "\r\n" : "\n";
	char *v;
	size_t len;
	int e = -1;

	if ((f = rfc5322_find(&j->ih, "Content-Type", NULL)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	v = rfc5322_unfold(f, &len);
	memset(&ct, 0, sizeof ct);
	if (mime_ctype_parse(v, len, &ct) == 0 &&
	    (b = mime_ctype_param(&ct, "boundary")) != NULL &&
	    fprintf(fp, "--%s%s", b, eol) >= 0 &&
	    input_seek(j->inner, j->cbcoff) == 0 &&
	    body_copy_n(j->inner, j->cbcend - j->cbcoff, fp,
	    j->h.crlf ? BODY_CRLF : BODY_LF) == 0 &&
	    fprintf(fp, "--%s--%s", b, eol) >= 0)
		e = 0;
	else if (errno == 0)
		errno = EINVAL;
	mime_ctype_free(&ct);
	free(v);
	return e;
}

/* decrypt_text_shape - how inline plaintext will be written (body.c
 * says why); 8-bit UTF-8 text (as OpenPGP's text data should be) under
 * no charset or us-ascii is labelled utf-8 */
static int
decrypt_text_shape(struct decrypt_job *j)
{
	const struct rfc5322_field *f;
	struct mime_ctype ct;
	const char *cs;
	size_t len;
	char *v;

	if (body_shape(j->inner, &j->shape) == -1)
		return -1;
	if (!j->shape.eight || j->shape.binary || !j->shape.utf8)
		return 0;
	if ((f = rfc5322_find(&j->h, "Content-Type", NULL)) == NULL) {
		j->utf8label = 1;
		return 0;
	}
	v = rfc5322_unfold(f, &len);
	if (mime_ctype_parse(v, len, &ct) == 0 &&
	    mime_ctype_is(&ct, "text", "plain") &&
	    ((cs = mime_ctype_param(&ct, "charset")) == NULL ||
	    strcasecmp(cs, "us-ascii") == 0))
		j->utf8label = 1;
	mime_ctype_free(&ct);
	free(v);
	return 0;
}

/* decrypt_write_text - the fields that say how inline plaintext is
 * written (decrypt_text_shape), then the plaintext as the body */
static int
decrypt_write_text(struct decrypt_job *j, FILE *fp)
{
	const char *eol = j->h.crlf ? "\r\n" : "\n";
	int mime = j->shape.binary || j->shape.eight || j->utf8label;

	if (mime && rfc5322_find(&j->h, "MIME-Version", NULL) == NULL &&
	    fprintf(fp, "MIME-Version: 1.0%s", eol) < 0)
		return -1;
	if (j->utf8label && body_ctype_utf8(&j->h, fp, j->h.crlf) == -1)
		return -1;
	if ((j->shape.binary || j->shape.eight) &&
	    fprintf(fp, "Content-Transfer-Encoding: %s%s",
	    j->shape.binary ? "base64" : "8bit", eol) < 0)
		return -1;
	if (fputs(eol, fp) == EOF || input_seek(j->inner, 0) == -1)
		return -1;
	if (j->shape.binary)
		return body_base64(j->inner, fp, j->h.crlf);
	return body_copy(j->inner, fp, j->h.crlf ? BODY_CRLF : BODY_LF);
}

/* decrypt_raw - a message we cannot parse is not encrypted as far as
 * anyone can tell: it goes on as it came, our verdicts on top, forged
 * ones removed (scrub.c); only no input at all is no message */
static enum decrypt_result
decrypt_raw(struct decrypt_job *j, enum rfc5322_err he)
{
	int e;

	if ((j->opts->usefds ? output_open_fd(&j->out, j->opts->outfd) :
	    output_open(&j->out, j->opts->output)) == -1) {
		log_warn("cannot create the output");
		return DECRYPT_TEMPFAIL;
	}
	if ((e = scrub_copy(j->in, output_stream(j->out))) == 1) {
		log_warnx("not a message: %s", rfc5322_strerror(he));
		return DECRYPT_DATAERR;
	}
	if (e == 0) {
		e = output_commit(j->out);
		j->out = NULL;
	}
	if (e == -1) {
		log_warn("cannot write the output");
		return DECRYPT_TEMPFAIL;
	}
	log_warnx("not a message (%s): passed on as it came",
	    rfc5322_strerror(he));
	return DECRYPT_OK;
}

/*
 * decrypt_esk_budget - gpg tries every secret key on each anonymous
 * recipient: past LIMIT_ANON_KEYS of them, count the secret keys and
 * refuse what would cost more than LIMIT_ANON_TRIES trials (minutes,
 * for a megabyte of them) with a verdict.  A secret-key listing that
 * does not finish is gpg's trouble (75).
 * 0: go on; 1: refused, the verdict is set; -1: retry later.
 */
static int
decrypt_esk_budget(struct decrypt_job *j, const struct classify_span *span)
{
	char err[GPG_ERRLEN];
	size_t nsec = 0;

	if (span->esk > LIMIT_SESSION_KEYS)
		goto refuse;
	if (span->anon <= LIMIT_ANON_KEYS)
		return 0;
	if (span->anon > LIMIT_ANON_TRIES)
		goto refuse;	/* over the budget with a single key */
	if (verify_gpg(&j->v) == -1)
		return -1;
	if (gpg_seckey_count(j->v.gpg, &nsec, err, sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		return -1;
	}
	if (nsec == 0 || span->anon <= LIMIT_ANON_TRIES / nsec)
		return 0;
refuse:
	j->dverdict = "failed";
	j->reason = "too-many-recipients";
	return 1;
}

/* decrypt_root - decrypt or verify what the root is; the verdicts,
 * and the plaintext when there is one, land in j */
static enum decrypt_result
decrypt_root(struct decrypt_job *j, struct msg *m)
{
	enum decrypt_result r = DECRYPT_OK;
	char *from;
	int e;

	switch (m->kind) {
	case CLASSIFY_PGPMIME:
	case CLASSIFY_MANGLED:
	case CLASSIFY_INLINE:
		if ((e = decrypt_esk_budget(j, &m->span)) == -1)
			return DECRYPT_TEMPFAIL;
		if (e == 1)
			break;	/* too many recipients: the verdict is set */
		if ((r = decrypt_data(j, &m->span)) != DECRYPT_OK)
			return r;
		j->istext = m->kind == CLASSIFY_INLINE;
		if (j->plainfd != -1)
			r = decrypt_plaintext(j);
		break;
	case CLASSIFY_SIGNED:
	case CLASSIFY_CLEARSIGNED:
		from = m->kind == CLASSIFY_SIGNED ?
		    decrypt_signed_from(j, &m->span) : decrypt_from(&j->h);
		e = m->kind == CLASSIFY_SIGNED ?
		    verify_mime(&j->v, j->in, &m->span, from) :
		    verify_clear(&j->v, j->in, &m->span, from);
		r = e == -1 ? DECRYPT_TEMPFAIL : DECRYPT_OK;
		free(from);
		break;
	case CLASSIFY_BROKEN:
		/* it claims to be encrypted: say it is damaged, never
		 * "not-encrypted" */
		j->dverdict = "failed";
		j->reason = "bad-data";
		break;
	case CLASSIFY_SMIME:
	case CLASSIFY_SMIME_OPAQUE:
	case CLASSIFY_SMIME_SIGNED:
		if (smimedec_root(j, m) == -1)
			return DECRYPT_TEMPFAIL;
		break;
	case CLASSIFY_PLAIN:
		break;
	}
	return r;
}

/* decrypt_learn - Autocrypt: learn from the message now that its
 * signature verdict is known, before anything is published; what
 * comes of it changes no verdict (autocrypt_learn.c).  Gossip is read
 * only where the signature covers it: a multipart/signed or
 * clear-signed root's own header is anyone's (Alice's old signed part
 * under gossip of Mallory's, encrypted to Bob anew). */
static void
decrypt_learn(struct decrypt_job *j)
{
	struct autocrypt_in in;
	char *from = decrypt_shown_from(j);

	memset(&in, 0, sizeof in);
	in.home = j->opts->autocrypt_home;
	in.outer = &j->h;
	in.shown = j->ph;
	if (j->inner != NULL && !j->istext) {
		in.gossip[0] = j->ihsigned ? &j->ih : NULL;
		in.gossip[1] = &j->sh;
		in.covered = j->ihsigned ? &j->ih : &j->sh;
	}
	in.signer = j->v.signer;
	in.sigtime = j->v.created;
	in.from = from;
	in.signed_ok = j->v.verdict == VERDICT_SIG_GOOD ||
	    j->v.verdict == VERDICT_SIG_GOOD_UNTRUSTED;
	autocrypt_learn(&in);
	free(from);
}

/* decrypt_emit - the result: verdicts, header, then the decrypted
 * entity, the inline plaintext or the original body */
static enum decrypt_result
decrypt_emit(struct decrypt_job *j)
{
	FILE *fp;
	int e;

	if ((j->opts->usefds ? output_open_fd(&j->out, j->opts->outfd) :
	    output_open(&j->out, j->opts->output)) == -1) {
		log_warn("cannot create the output");
		return DECRYPT_TEMPFAIL;
	}
	fp = output_stream(j->out);
	if (j->inner != NULL && j->istext)
		e = decrypt_write_head(j, fp, HEAD_TEXT) == -1 ||
		    decrypt_write_text(j, fp) == -1;
	else if (j->inner != NULL)
		e = decrypt_write_head(j, fp, HEAD_ENTITY) == -1 ||
		    decrypt_write_inner(j, fp) == -1;
	else
		/* a header that ended at a line that is no field gets its
		 * empty line, or readers would take what follows (forged
		 * verdicts, say) for header fields; so does an LF message
		 * whose empty line is CRLF (procmail reads on past it) */
		e = decrypt_write_head(j, fp, HEAD_ALL) == -1 ||
		    ((!j->h.separator || !j->h.crlf) && fputs(j->h.crlf ?
		    "\r\n" : "\n", fp) == EOF) ||
		    input_seek(j->in, j->h.separator && !j->h.crlf ?
		    j->h.bodyoff : (off_t)(j->h.fromlen + j->h.total)) == -1 ||
		    body_copy(j->in, fp, BODY_RAW) == -1;
	if (!e) {
		e = output_commit(j->out) == -1;
		j->out = NULL;
	}
	if (e) {
		log_warn("cannot write the output");
		return DECRYPT_TEMPFAIL;
	}
	return DECRYPT_OK;
}

/* decrypt_outcome - the command's outcome for r */
static enum outcome
decrypt_outcome(enum decrypt_result r)
{
	switch (r) {
	case DECRYPT_OK:
		return OUTCOME_OK;
	case DECRYPT_DATAERR:
		return OUTCOME_DATAERR;
	default:
		return OUTCOME_TEMPFAIL;
	}
}

/* decrypt_msg - see decrypt.h */
enum outcome
decrypt_msg(struct msg *m, const struct decrypt_opts *opts)
{
	struct decrypt_job j;
	enum decrypt_result r;

	memset(&j, 0, sizeof j);
	j.opts = opts;
	j.v.gpg = opts->gpg;
	j.v.homedir = opts->homedir;
	j.plainfd = -1;
	j.dverdict = "not-encrypted";
	/* the message's reader and header block, borrowed: read once */
	j.in = m->in;
	j.h = m->h;
	if (m->herr != RFC5322_OK)
		r = decrypt_raw(&j, m->herr);
	else if (msg_classify(m) == -1) {
		log_warn("cannot read the message");
		r = DECRYPT_TEMPFAIL;
	} else if ((r = decrypt_root(&j, m)) == DECRYPT_OK) {
		if (opts->autocrypt_home != NULL)
			decrypt_learn(&j);
		r = decrypt_emit(&j);
	}
	output_discard(j.out);
	if (j.plainfd != -1)
		close(j.plainfd);
	gpg_decrypt_result_free(&j.dres);
	rfc5322_free(&j.sh);
	rfc5322_free(&j.ih);
	input_close(j.inner);
	if (j.v.gpg != opts->gpg)
		gpg_close(j.v.gpg);
	gpg_close(j.v.cms);
	return decrypt_outcome(r);
}

/* decrypt_run - see decrypt.h */
enum outcome
decrypt_run(const char *input, const struct decrypt_opts *opts)
{
	struct msg *m;
	enum outcome r;

	if ((r = msg_open(&m, input)) == OUTCOME_OK)
		r = decrypt_msg(m, opts);
	msg_free(m);
	return r;
}
