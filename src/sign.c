/*
 * sign.c - sign a message (struct msg) as RFC 3156 5 multipart/signed:
 * the sign command and the gateway's clear copies; the signing key and
 * the passphrase, which encrypt --sign shares.
 *
 * Data flow:
 *   the message (msg.c: file or spooled pipe, header block read once)
 *     -> msg_classify: signed at its root or encrypted?  copy it as it is
 *     -> the root's Content-Transfer-Encoding: binary is refused
 *     -> the signing key (sign_signer), the passphrase (passfile.c)
 *     -> gpg reads the signed part: the Content-* fields and the body,
 *        line ends made CRLF (pgpmime.c's reader, as encryption; then
 *        sign_canon_read: a bare CR made CR LF too), and
 *        writes an armored detached signature into a small buffer
 *     -> the output: the outer fields byte for byte, a multipart/signed
 *        Content-Type whose micalg names the hash gpg used (known only
 *        now, which is why the signature comes first), the same part
 *        read a second time from the seekable message, the signature
 *     -> publish (output.c)
 * Memory is constant in the message size.
 *
 * S/MIME (sign --smime, RFC 8551 3.5): the same signed part, signed by
 * gpgsm (a CMS context) into a detached SignedData (DER, checked whole),
 * protocol="application/pkcs7-signature", micalg RFC 8551's ("sha-256")
 * as gpg_sign gives it, and the signature part smime.c writes (base64).
 *
 * Line ends: gpg signs CRLF (RFC 3156 5).  The part is written in the
 * message's own line ends: CRLF as signed, or, in a message of LF line
 * ends, every CRLF of the signed bytes as LF, so a reader that turns
 * the file's LFs into CRLF (as SMTP does, and every verifier before it
 * checks) gets back the very bytes gpg signed.  A CR that no LF
 * follows is made a line end, CR LF (sign_canon_fill says why).
 *
 * 8bit: RFC 3156 asks for 7-bit-safe signed data, and we wrap, we do
 * not re-encode.  An 8bit part is signed as it is: it verifies as long
 * as no hop downgrades it to quoted-printable (8BITMIME missing on the
 * way), and a downgraded one reads as a bad signature, never as a good
 * one.  A binary part cannot pass an SMTP hop at all, and its bare CR
 * and LF bytes would be changed by the canonical form: refused (65).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "classify.h"
#include "input.h"
#include "limit.h"
#include "log.h"
#include "msg.h"
#include "output.h"
#include "pgpmime.h"
#include "recip.h"
#include "rfc5322.h"
#include "sign.h"
#include "smime.h"
#include "xmalloc.h"

#define ESCBUF		512
#define SIGN_ARMOR_MAX	65536	/* gpg's armored signature: about 1 KB
				 * for RSA 4096, far less for ed25519;
				 * gpgsm's DER with the certificate chain
				 * a few KB */
#define SIGN_HASHLEN	64

/* The armored signature gpg writes. */
struct sign_sig {
	char	 buf[SIGN_ARMOR_MAX];
	size_t	 len;
	int	 over;
};

/* The signed part in canonical form: pgpmime.c's reader, whose LFs all
 * follow a CR, with every CR that no LF follows made CR LF too. */
#define SIGN_CANON_STEP	16384
struct sign_canon {
	struct pgpmime_inner	 inner;
	int			 cr;	/* a CR held: CR LF, or a bare one */
	int			 eof;
	char			 ibuf[SIGN_CANON_STEP];
	char			 obuf[2 * SIGN_CANON_STEP + 2];
	size_t			 opos;
	size_t			 olen;
};

struct sign_job {
	const struct sign_opts	*opts;
	struct msg		*m;
	struct gpg		*gpg;
	struct gpg_keylist	 skeys;
	const struct gpg_key	*signer;	/* in skeys */
	struct passfile		 pf;
	struct output		*out;
	struct sign_sig		*sig;
	char			 micalg[SIGN_HASHLEN];
	int			 protect;	/* the signed part starts with
						 * the protected header */
	int			 entity;	/* an entity to encrypt: CRLF */
};

static char		*sign_who(const struct rfc5322_header *, const char *);
static ssize_t		 sign_sig_write(void *, const void *, size_t);
static int		 sign_binary(const struct rfc5322_header *);
static int		 sign_lead(struct sign_job *, FILE *);
static int		 sign_head(struct sign_job *, FILE *, const char *);
static int		 sign_part(struct sign_job *, FILE *);
static int		 sign_text(FILE *, const char *, size_t, int, int *);
static struct sign_canon *sign_canon_open(struct sign_job *);
static int		 sign_canon_fill(struct sign_canon *);
static ssize_t		 sign_canon_read(void *, void *, size_t);
static void		 sign_canon_close(struct sign_canon *);
static int		 sign_copy_head(struct sign_job *, FILE *);
static enum outcome	 sign_copy(struct sign_job *);
static enum outcome	 sign_make(struct sign_job *);
static enum outcome	 sign_write(struct sign_job *);
static enum outcome	 sign_ready(struct sign_job *, int *);

/* sign_who - signer, or the From addr-spec (allocated), or NULL when
 * there is neither */
static char *
sign_who(const struct rfc5322_header *h, const char *signer)
{
	const struct rfc5322_field *f;
	size_t i = 0, len;
	char *who = NULL, *v;

	if (signer != NULL)
		return xstrdup(signer);
	if ((f = rfc5322_find(h, "From", &i)) == NULL ||
	    rfc5322_find(h, "From", &i) != NULL)
		return NULL;
	v = rfc5322_unfold(f, &len);
	if (addr_mailbox_parse(v, &who) != ADDR_OK)
		who = NULL;
	free(v);
	return who;
}

/* sign_signer - see sign.h */
enum outcome
sign_signer(struct gpg *g, const struct rfc5322_header *h, const char *signer,
    struct gpg_keylist *keys, const struct gpg_key **key)
{
	char *who, err[GPG_ERRLEN], esc[ESCBUF], pat[LIMIT_PAT];
	enum gpg_status st;
	char *pats[1];
	int n;

	*key = NULL;
	if ((who = sign_who(h, signer)) == NULL) {
		log_warnx("signing: no signer given and no single From "
		    "address to sign as");
		return OUTCOME_NOSIGNER;
	}
	n = snprintf(pat, sizeof pat, "%s%s",
	    strchr(who, '@') != NULL ? "*" : "", who);
	if (n < 0 || (size_t)n >= sizeof pat) {
		log_warnx("signing: signer too long");
		free(who);
		return OUTCOME_NOSIGNER;
	}
	pats[0] = pat;
	st = gpg_keylist(g, pats, 1, 1, keys, err, sizeof err);
	if (st == GPG_OK)
		n = recip_signer(who, keys, 1, key);
	if (st == GPG_OK && n == 0) {
		/*
		 * No secret key listed: either there is none, or gpg-agent
		 * could not be reached (gpg then lists nothing, and GPGME
		 * does not say why).  Take the public key and let the
		 * signing itself tell the two apart.
		 */
		gpg_keylist_free(keys);
		st = gpg_keylist(g, pats, 1, 0, keys, err, sizeof err);
		if (st == GPG_OK && recip_signer(who, keys, 0, key) == 0) {
			log_warnx("no usable signing key for %s",
			    log_escape(who, esc, sizeof esc));
			free(who);
			return OUTCOME_NOSIGNER;
		}
	} else if (st == GPG_OK && n > 1) {
		log_warnx("more than one signing key for %s: choose one with "
		    "its fingerprint", log_escape(who, esc, sizeof esc));
		free(who);
		return OUTCOME_NOSIGNER;
	}
	if (st != GPG_OK) {
		log_warnx("%s", err);
		free(who);
		return OUTCOME_TEMPFAIL;
	}
	log_debug("signer %s: key %s", who, (*key)->fpr);
	free(who);
	return OUTCOME_OK;
}

/* sign_passphrase - see sign.h */
enum outcome
sign_passphrase(struct gpg *g, const char *path, struct passfile *pf,
    char *err, size_t errsz)
{
	enum passfile_err e;

	memset(pf, 0, sizeof *pf);
	if (path == NULL)
		return OUTCOME_OK;
	if (gpg_is_cms(g)) {
		/* GPGME 1.18's gpgsm engine answers every inquiry of gpgsm's
		 * with an empty END: the loopback pinentry never gets it */
		snprintf(err, errsz, "--passphrase-file: S/MIME cannot take "
		    "a passphrase (GPGME's gpgsm engine passes none on); use "
		    "a certificate key without one, or unlock it in gpg-agent");
		return OUTCOME_USAGE;
	}
	if ((e = passfile_read(pf, path, err, errsz)) != PASSFILE_OK)
		return e == PASSFILE_BAD ? OUTCOME_CONFIG : OUTCOME_TEMPFAIL;
	if (gpg_passphrase(g, pf->pass, pf->len) == -1) {
		snprintf(err, errsz, "GPGME: no loopback pinentry");
		sign_passphrase_end(g, pf);
		return OUTCOME_TEMPFAIL;
	}
	return OUTCOME_OK;
}

/* sign_passphrase_end - gpg forgets the passphrase; it is wiped */
void
sign_passphrase_end(struct gpg *g, struct passfile *pf)
{
	if (pf->pass != NULL && g != NULL)
		(void)gpg_passphrase(g, NULL, 0);
	passfile_free(pf);
}

/* sign_sig_write - gpg's armored signature into the job's buffer */
static ssize_t
sign_sig_write(void *cookie, const void *buf, size_t n)
{
	struct sign_sig *s = cookie;

	if (n > sizeof s->buf - s->len) {
		s->over = 1;
		errno = EFBIG;
		return -1;
	}
	memcpy(s->buf + s->len, buf, n);
	s->len += n;
	return (ssize_t)n;
}

/* sign_binary - the root's Content-Transfer-Encoding is binary */
static int
sign_binary(const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	size_t i = 0, len, s, e;
	char *v;
	int bin = 0;

	while ((f = rfc5322_find(h, "Content-Transfer-Encoding", &i)) != NULL) {
		v = rfc5322_unfold(f, &len);
		for (s = 0; s < len && (v[s] == ' ' || v[s] == '\t'); s++)
			continue;
		for (e = len; e > s && (v[e - 1] == ' ' || v[e - 1] == '\t' ||
		    v[e - 1] == '\r' || v[e - 1] == '\n'); e--)
			continue;
		if (e - s == 6 && strncasecmp(v + s, "binary", 6) == 0)
			bin = 1;
		free(v);
	}
	return bin;
}

/* sign_lead - the From_ line and the caller's leading field */
static int
sign_lead(struct sign_job *j, FILE *fp)
{
	return msg_write_lead(j->m, j->opts->lead, fp);
}

/* sign_head - our leading lines, the outer fields (every field but the
 * Content-* ones, exact bytes), MIME-Version if missing, the
 * multipart/signed Content-Type, the preamble, the first delimiter */
static int
sign_head(struct sign_job *j, FILE *fp, const char *b)
{
	const struct rfc5322_header *h = &j->m->h;
	const char *eol = msg_eol(j->m);
	int mimever = 0;
	size_t i;

	if (sign_lead(j, fp) == -1)
		return -1;
	for (i = 0; i < h->nfields; i++) {
		const struct rfc5322_field *f = &h->fields[i];
		if (rfc5322_has_prefix(f, "Content-") || (j->opts->nobcc &&
		    (rfc5322_is(f, "Bcc") || rfc5322_is(f, "Resent-Bcc"))))
			continue;
		if (rfc5322_is(f, "MIME-Version"))
			mimever = 1;
		if (fwrite(f->raw, 1, f->rawlen, fp) != f->rawlen)
			return -1;
		if (f->raw[f->rawlen - 1] != '\n' && fputs(eol, fp) == EOF)
			return -1;
	}
	if (!mimever && fprintf(fp, "MIME-Version: 1.0%s", eol) < 0)
		return -1;
	return fprintf(fp, "Content-Type: multipart/signed; micalg=%s;%s"
	    "\tprotocol=\"application/%s\";%s"
	    "\tboundary=\"%s\"%s%s"
	    "This is %s signed message (%s)%s"
	    "--%s%s", j->micalg, eol, j->opts->smime ? "pkcs7-signature" :
	    "pgp-signature", eol, b, eol, eol, j->opts->smime ?
	    "an S/MIME" : "an OpenPGP/MIME", j->opts->smime ? "RFC 8551" :
	    "RFC 4880 and 3156", eol, b, eol) < 0 ? -1 : 0;
}

/* sign_text - n bytes of CRLF text in the message's line ends: as they
 * are, or every CR LF as LF (*cr: a CR held back from the last call;
 * n 0 flushes it) */
static int
sign_text(FILE *fp, const char *p, size_t n, int crlf, int *cr)
{
	const char *end = p + n, *q;

	if (crlf)
		return n > 0 && fwrite(p, 1, n, fp) != n ? -1 : 0;
	if (*cr && (n == 0 || *p != '\n') && fputc('\r', fp) == EOF)
		return -1;
	*cr = 0;
	while (p < end) {
		if ((q = memchr(p, '\r', (size_t)(end - p))) == NULL)
			q = end;
		if (q > p && fwrite(p, 1, (size_t)(q - p), fp) != (size_t)(q - p))
			return -1;
		if (q == end)
			break;
		if (q + 1 == end)
			*cr = 1;	/* the LF may come next time */
		else if (q[1] != '\n' && fputc('\r', fp) == EOF)
			return -1;
		p = q + 1;
	}
	return 0;
}

/* sign_canon_open - the signed part's canonical reader, at its start;
 * NULL (errno set) when the message cannot be read */
static struct sign_canon *
sign_canon_open(struct sign_job *j)
{
	struct sign_canon *c;

	if (input_seek(j->m->in, j->m->h.bodyoff) == -1)
		return NULL;
	c = xcalloc(1, sizeof *c);
	pgpmime_inner_init(&c->inner, &j->m->h, j->m->in);
	/* encrypt has seen that the protected header fits */
	if (j->protect)
		(void)pgpmime_inner_protect(&c->inner, &j->m->h);
	return c;
}

/*
 * sign_canon_fill - the next canonical bytes into obuf.  A CR that no LF
 * follows ends a line: RFC 5322 2.3 forbids it, Python and Mozilla end
 * a line there, and no LF file can carry one before our delimiter's line
 * end (the reader would take CR LF for the delimiter's own), so every
 * line of the signed part ends in CR LF and reads back the same.
 */
static int
sign_canon_fill(struct sign_canon *c)
{
	ssize_t r, i;
	char ch;

	c->opos = c->olen = 0;
	while (c->olen == 0 && !c->eof) {
		if ((r = pgpmime_inner_read(&c->inner, c->ibuf,
		    sizeof c->ibuf)) < 0)
			return -1;
		if (r == 0)
			c->eof = 1;
		if (c->cr && (r == 0 || c->ibuf[0] != '\n')) {
			memcpy(c->obuf, "\r\n", 2);
			c->olen = 2;
		}
		c->cr = 0;
		for (i = 0; i < r; i++) {
			if ((ch = c->ibuf[i]) == '\r' && i + 1 == r)
				c->cr = 1;	/* its LF may come next time */
			else if (ch == '\r' || ch == '\n') {
				c->obuf[c->olen++] = '\r';
				c->obuf[c->olen++] = '\n';
				if (ch == '\r' && c->ibuf[i + 1] == '\n')
					i++;
			} else
				c->obuf[c->olen++] = ch;
		}
	}
	return 0;
}

/* sign_canon_read - GPGME's read callback: the canonical signed part */
static ssize_t
sign_canon_read(void *cookie, void *buf, size_t n)
{
	struct sign_canon *c = cookie;

	if (c->opos == c->olen && sign_canon_fill(c) == -1)
		return -1;
	if (n > c->olen - c->opos)
		n = c->olen - c->opos;
	memcpy(buf, c->obuf + c->opos, n);
	c->opos += n;
	return (ssize_t)n;
}

/* sign_canon_close - release the reader */
static void
sign_canon_close(struct sign_canon *c)
{
	if (c == NULL)
		return;
	pgpmime_inner_free(&c->inner);
	free(c);
}

/* sign_part - the signed part again, from the message, as gpg read it */
static int
sign_part(struct sign_job *j, FILE *fp)
{
	struct sign_canon *c;
	char buf[65536];
	ssize_t n;
	int cr = 0, r = 0, crlf = j->entity || j->m->h.crlf;

	if ((c = sign_canon_open(j)) == NULL)
		return -1;
	while (r == 0 && (n = sign_canon_read(c, buf, sizeof buf)) > 0)
		r = sign_text(fp, buf, (size_t)n, crlf, &cr);
	if (r == 0 && (n < 0 || sign_text(fp, NULL, 0, crlf, &cr) == -1))
		r = -1;
	sign_canon_close(c);
	return r;
}

/* sign_make - gpg signs the part (first reading of the body) */
static enum outcome
sign_make(struct sign_job *j)
{
	struct sign_canon *c;
	struct gpg_io io;
	char err[GPG_ERRLEN];
	enum gpg_status st;
	int rerr;

	if ((c = sign_canon_open(j)) == NULL) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	j->sig = xcalloc(1, sizeof *j->sig);
	io.read = sign_canon_read;
	io.write = sign_sig_write;
	io.rcookie = c;
	io.wcookie = j->sig;
	st = gpg_sign(j->gpg, j->signer, &io, j->micalg, sizeof j->micalg, err,
	    sizeof err);
	rerr = c->inner.err;
	sign_canon_close(c);
	if (rerr != 0) {
		errno = rerr;
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	if (st != GPG_OK || j->sig->over) {
		log_warnx("%s", j->sig->over ? "signing: gpg's signature is "
		    "too long" : err);
		return st == GPG_NOSECKEY ? OUTCOME_NOSIGNER : OUTCOME_TEMPFAIL;
	}
	/* gpgsm's BER walked through: two zero bytes at the end may be an
	 * inner element's end-of-contents */
	if (j->opts->smime ? !smime_ber_whole((unsigned char *)j->sig->buf,
	    j->sig->len) :
	    j->sig->len == 0 || j->sig->buf[j->sig->len - 1] != '\n') {
		log_warnx("signing: gpg's signature is incomplete");
		return OUTCOME_TEMPFAIL;
	}
	return OUTCOME_OK;
}

/* sign_write - the multipart/signed message into the output spool */
static enum outcome
sign_write(struct sign_job *j)
{
	char b[PGPMIME_BOUNDARY_SIZE];
	const char *eol = msg_eol(j->m);
	struct pgpmime_sink sink;
	FILE *fp;

	if ((j->opts->usefds ? output_open_fd(&j->out, j->opts->outfd) :
	    output_open(&j->out, j->opts->output)) == -1) {
		log_warn("cannot create the output");
		return OUTCOME_TEMPFAIL;
	}
	fp = output_stream(j->out);
	memset(&sink, 0, sizeof sink);
	sink.fp = fp;
	sink.crlf = j->m->h.crlf;
	pgpmime_boundary(b);
	if (j->opts->smime) {
		if (sign_head(j, fp, b) == -1 || sign_part(j, fp) == -1 ||
		    smime_write_sig(fp, b, (unsigned char *)j->sig->buf,
		    j->sig->len, j->m->h.crlf) == -1) {
			log_warn("cannot write the output");
			return OUTCOME_TEMPFAIL;
		}
		return output_release(&j->out, OUTCOME_OK);
	}
	/* the armor ends in a line end: the one before the last delimiter */
	if (sign_head(j, fp, b) == -1 || sign_part(j, fp) == -1 ||
	    fprintf(fp, "%s--%s%s"
	    "Content-Type: application/pgp-signature; name=\"signature.asc\"%s"
	    "Content-Description: OpenPGP digital signature%s"
	    "Content-Disposition: attachment; filename=\"signature.asc\"%s%s",
	    eol, b, eol, eol, eol, eol, eol) < 0 ||
	    pgpmime_sink_write(&sink, j->sig->buf, j->sig->len) == -1 ||
	    fprintf(fp, "--%s--%s", b, eol) < 0) {
		log_warn("cannot write the output");
		return OUTCOME_TEMPFAIL;
	}
	return output_release(&j->out, OUTCOME_OK);
}

/* sign_copy_head - the header fields but Bcc and Resent-Bcc (nobcc: the
 * message is sent); the input at the byte where the copy goes on */
static int
sign_copy_head(struct sign_job *j, FILE *fp)
{
	const struct rfc5322_header *h = &j->m->h;
	off_t from = (off_t)h->fromlen;
	size_t i;
	int hidden = 0;

	for (i = 0; j->opts->nobcc && i < h->nfields; i++)
		if (rfc5322_is(&h->fields[i], "Bcc") ||
		    rfc5322_is(&h->fields[i], "Resent-Bcc"))
			hidden = 1;
	for (i = 0; hidden && i < h->nfields; i++) {
		const struct rfc5322_field *f = &h->fields[i];
		if (!rfc5322_is(f, "Bcc") && !rfc5322_is(f, "Resent-Bcc") &&
		    fwrite(f->raw, 1, f->rawlen, fp) != f->rawlen)
			return -1;
	}
	/* the fields are the bytes after the From_ line, in order */
	if (hidden)
		from += (off_t)h->total;
	return input_seek(j->m->in, from);
}

/* sign_copy - the message, unchanged but for nobcc, to the output
 * (after our leading lines) */
static enum outcome
sign_copy(struct sign_job *j)
{
	char buf[65536];
	ssize_t n;
	FILE *fp;

	if ((j->opts->usefds ? output_open_fd(&j->out, j->opts->outfd) :
	    output_open(&j->out, j->opts->output)) == -1) {
		log_warn("cannot create the output");
		return OUTCOME_TEMPFAIL;
	}
	fp = output_stream(j->out);
	if (sign_lead(j, fp) == -1 || sign_copy_head(j, fp) == -1) {
		log_warn("cannot copy the message");
		return OUTCOME_TEMPFAIL;
	}
	while ((n = input_read(j->m->in, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)n, fp) != (size_t)n)
			break;
	if (n != 0) {
		log_warn("cannot copy the message");
		return OUTCOME_TEMPFAIL;
	}
	return output_release(&j->out, OUTCOME_OK);
}

/* sign_ready - what must be true before gpg runs: a message we sign
 * (OUTCOME_OK), or one we pass on as it is (*copy), or why not */
static enum outcome
sign_ready(struct sign_job *j, int *copy)
{
	char err[GPG_ERRLEN];
	enum classify_kind k;
	enum outcome r;

	*copy = 0;
	if (j->m->herr != RFC5322_OK) {
		log_warnx("not a message: %s", rfc5322_strerror(j->m->herr));
		return OUTCOME_DATAERR;
	}
	if (msg_classify(j->m) == -1) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	/* signed at the root, OpenPGP or S/MIME, or encrypted; an S/MIME
	 * root that all through (else what follows its first bytes would
	 * go out unsigned) */
	if ((k = j->m->kind) == CLASSIFY_SMIME || k == CLASSIFY_SMIME_OPAQUE)
		*copy = smime_body_whole(j->m->in, j->m->h.bodyoff);
	else
		*copy = classify_encrypted(k) || classify_signed(k);
	if (*copy == -1) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	if (*copy) {
		log_debug("message is already %s: passed on unchanged",
		    classify_name(j->m->kind));
		return OUTCOME_OK;
	}
	if (sign_binary(&j->m->h)) {
		log_warnx("Content-Transfer-Encoding binary cannot be signed "
		    "(RFC 3156 5 needs 7-bit or 8-bit lines)");
		return OUTCOME_DATAERR;
	}
	if (j->gpg == NULL && (j->opts->smime ? gpg_open_cms(&j->gpg,
	    j->opts->homedir, err, sizeof err) : gpg_open(&j->gpg,
	    j->opts->homedir, err, sizeof err)) != GPG_OK) {
		log_warnx("%s", err);
		return OUTCOME_TEMPFAIL;
	}
	if ((r = sign_signer(j->gpg, &j->m->h, j->opts->signer, &j->skeys,
	    &j->signer)) != OUTCOME_OK)
		return r;
	if ((r = sign_passphrase(j->gpg, j->opts->passfile, &j->pf, err,
	    sizeof err)) != OUTCOME_OK)
		log_warnx("%s", err);
	return r;
}

/* sign_msg - see sign.h */
enum outcome
sign_msg(struct msg *m, const struct sign_opts *opts)
{
	struct sign_job j;
	enum outcome r;
	int copy;

	memset(&j, 0, sizeof j);
	j.opts = opts;
	j.m = m;
	j.gpg = opts->gpg;
	if ((r = sign_ready(&j, &copy)) == OUTCOME_OK)
		r = copy ? sign_copy(&j) : sign_make(&j);
	if (r == OUTCOME_OK && !copy)
		r = sign_write(&j);
	output_discard(j.out);
	sign_passphrase_end(j.gpg, &j.pf);
	gpg_keylist_free(&j.skeys);
	if (j.gpg != opts->gpg)
		gpg_close(j.gpg);
	free(j.sig);
	return r;
}

/* sign_entity - see sign.h */
enum outcome
sign_entity(struct msg *m, struct gpg *cms, const struct gpg_key *signer,
    int protect, FILE *fp)
{
	struct sign_opts o;
	struct sign_job j;
	char b[PGPMIME_BOUNDARY_SIZE];
	enum outcome r;

	memset(&o, 0, sizeof o);
	memset(&j, 0, sizeof j);
	o.smime = 1;
	j.opts = &o;
	j.m = m;
	j.gpg = cms;
	j.signer = signer;
	j.protect = protect;
	j.entity = 1;
	if ((r = sign_make(&j)) == OUTCOME_OK) {
		pgpmime_boundary(b);
		if (fprintf(fp, "Content-Type: multipart/signed; micalg=%s;\r\n"
		    "\tprotocol=\"application/pkcs7-signature\";\r\n"
		    "\tboundary=\"%s\"\r\n\r\n--%s\r\n", j.micalg, b, b) < 0 ||
		    sign_part(&j, fp) == -1 || smime_write_sig(fp, b,
		    (unsigned char *)j.sig->buf, j.sig->len, 1) == -1) {
			log_warn("cannot write the signed entity");
			r = OUTCOME_TEMPFAIL;
		}
	}
	free(j.sig);
	return r;
}

/* sign_run - see sign.h */
enum outcome
sign_run(const char *input, const struct sign_opts *opts)
{
	struct msg *m;
	enum outcome r;

	if ((r = msg_open(&m, input)) == OUTCOME_OK)
		r = sign_msg(m, opts);
	msg_free(m);
	return r;
}
