/*
 * encrypt.c - encrypt a message (struct msg): the encrypt command and
 * the gateway's encrypted copy.
 *
 * Data flow (HACKING.md has the picture):
 *   the message (msg.c: file or spooled pipe, header block read once)
 *     -> msg_classify: already encrypted?  then copy it unchanged
 *     -> recipients: -r, or the To/Cc/Bcc addr-specs (addr.c)
 *     -> one key listing, exact resolution to fingerprints (recip.c),
 *        unless the caller (the gateway) resolved them already
 *     -> output spool: From_ line, the caller's leading field, outer
 *        header (Subject "[...]" with header protection) + our MIME
 *        prelude (pgpmime.c)
 *     -> gpg reads the inner entity (Content-* + body, CRLF; with
 *        header protection, the protected header instead of the
 *        Content-* alone: protect.c) in small steps and writes armor
 *        into the spool
 *     -> closing boundary, then publish (output.c)
 * S/MIME (RFC 8551) takes the same path with a CMS context (gpgsm): with
 * --smime, or when a recipient has no usable OpenPGP key and every one
 * has a usable certificate (encrypt_choose); the head is smime.c's and
 * gpgsm's DER is written as base64 (smime.c's sink), no boundaries.
 * Memory stays constant in the message size: the body only ever passes
 * through fixed buffers.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "classify.h"
#include "encrypt.h"
#include "gpg.h"
#include "input.h"
#include "log.h"
#include "msg.h"
#include "output.h"
#include "pgpmime.h"
#include "protect.h"
#include "recip.h"
#include "rfc5322.h"
#include "sign.h"
#include "smime.h"
#include "tmpfile.h"
#include "wkd.h"
#include "limit.h"
#include "xmalloc.h"

#define ESCBUF	512

/* The signed entity encrypt --sign spools for gpgsm (S/MIME). */
struct encrypt_spool {
	FILE	*fp;
	int	 err;		/* errno of a failed read, or 0 */
};

struct encrypt_job {
	const struct encrypt_opts	*opts;
	struct msg			*m;
	struct addrlist			 rcpts;
	struct gpg			*gpg;
	struct gpg_keylist		 keys;
	struct recip			 rec;		/* resolved here, or */
	struct gpg			*cms;		/* gpgsm, for S/MIME */
	struct gpg_keylist		 ckeys;		/* certificates */
	struct recip			 crec;		/* resolved to them */
	int				 smime;		/* the message is S/MIME */
	const struct recip		*rp;		/* the caller's */
	const struct gpg_key		*signer;	/* in skeys */
	struct gpg_keylist		 skeys;
	struct passfile			 pf;		/* --passphrase-file */
	struct output			*out;
	struct addrlist			 visible;	/* -r, To and Cc */
	int				*hidden;	/* per j->rp->fprs */
};

static int			encrypt_head(struct encrypt_job *, FILE *,
				    const char *, int);
static int			encrypt_protect(struct encrypt_job *,
				    struct pgpmime_inner *);
static enum outcome		encrypt_seal(struct encrypt_job *,
				    struct pgpmime_inner *, FILE *,
				    const char *);
static int			encrypt_lead(struct encrypt_job *, FILE *);
static int			encrypt_output(struct encrypt_job *);
static enum outcome		encrypt_passthrough(struct encrypt_job *);
static enum outcome		encrypt_recipients(struct encrypt_job *);
static enum outcome		encrypt_resolve(struct encrypt_job *);
static enum outcome		encrypt_signer(struct encrypt_job *);
static enum outcome		encrypt_status(enum gpg_status, const char *);
static enum outcome		encrypt_write(struct encrypt_job *);
static const char		*encrypt_join(const struct addrlist *,
				    const struct gpg_keylist *,
				    const struct gpg_keylist *, char *, size_t);
static const char		*encrypt_why(const char *,
				    const struct gpg_keylist *,
				    const struct gpg_keylist *, char *, size_t);
static void			encrypt_missing(const struct addrlist *,
				    const struct gpg_keylist *,
				    const struct gpg_keylist *, const char *);
static enum outcome		encrypt_cms_list(struct encrypt_job *);
static enum outcome		encrypt_choose(struct encrypt_job *);
static enum outcome		encrypt_keys(struct encrypt_job *);
static enum outcome		encrypt_smime_only(struct encrypt_job *);
static enum outcome		encrypt_seal_smime(struct encrypt_job *,
				    ssize_t (*)(void *, void *, size_t), void *,
				    const int *, FILE *);
static enum outcome		encrypt_seal_signed(struct encrypt_job *, int,
				    FILE *);
static ssize_t			encrypt_spool_read(void *, void *, size_t);
static void			encrypt_visible(struct encrypt_job *);

/* encrypt_visible - envelope recipients: the addresses To and Cc show
 * are visible; a field that does not parse shows nobody (its
 * recipients' key IDs are then hidden, which costs nothing but time).
 * Duplicates are kept: encrypt_resolve() makes a sorted set of them
 * (a header may show 150000 addresses: no linear search per address). */
static void
encrypt_visible(struct encrypt_job *j)
{
	static const char *names[] = { "To", "Cc" };
	const struct rfc5322_field *f;
	struct addrlist one;
	size_t i, k, a, len;
	char *v;

	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		i = 0;
		while ((f = rfc5322_find(&j->m->h, names[k], &i)) != NULL) {
			memset(&one, 0, sizeof one);
			v = rfc5322_unfold(f, &len);
			if (addr_list_parse(v, len, &one) == ADDR_OK)
				for (a = 0; a < one.n; a++)
					addrlist_add(&j->visible, one.v[a]);
			free(v);
			addrlist_free(&one);
		}
	}
}

/* encrypt_output - open the output: -o FILE, standard output, or the
 * caller's file */
static int
encrypt_output(struct encrypt_job *j)
{
	if (j->opts->usefds)
		return output_open_fd(&j->out, j->opts->outfd);
	return output_open(&j->out, j->opts->output);
}

/* encrypt_passthrough - copy the input, unchanged, to the output */
static enum outcome
encrypt_passthrough(struct encrypt_job *j)
{
	char buf[65536];
	FILE *fp;
	ssize_t n;

	if (input_seek(j->m->in, 0) == -1) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	if (encrypt_output(j) == -1) {
		log_warn("cannot create the output");
		return OUTCOME_TEMPFAIL;
	}
	fp = output_stream(j->out);
	if (encrypt_lead(j, fp) == -1 ||
	    input_seek(j->m->in, (off_t)j->m->h.fromlen) == -1) {
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

/* encrypt_recipients - -r, or every addr-spec in To, Cc and Bcc */
static enum outcome
encrypt_recipients(struct encrypt_job *j)
{
	static const char *names[] = { "To", "Cc", "Bcc" };
	const struct rfc5322_field *f;
	enum addr_err e;
	char *v, esc[ESCBUF];
	size_t i, k, len;

	for (i = 0; i < j->opts->recipients.n; i++) {
		if (!addrlist_has(&j->rcpts, j->opts->recipients.v[i]))
			addrlist_add(&j->rcpts, j->opts->recipients.v[i]);
		if (!j->opts->envelope &&
		    !addrlist_has(&j->visible, j->opts->recipients.v[i]))
			addrlist_add(&j->visible, j->opts->recipients.v[i]);
	}
	if (j->opts->envelope)
		encrypt_visible(j);
	if (j->rcpts.n > 0)
		return OUTCOME_OK;
	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		i = 0;
		while ((f = rfc5322_find(&j->m->h, names[k], &i)) != NULL) {
			struct addrlist one = { NULL, 0 };
			size_t a;

			v = rfc5322_unfold(f, &len);
			e = addr_list_parse(v, len, &one);
			if (e != ADDR_OK) {
				log_warnx("%s field: %s: %s", names[k],
				    addr_strerror(e), log_escape(v, esc,
				    sizeof esc));
				free(v);
				addrlist_free(&one);
				return OUTCOME_DATAERR;
			}
			free(v);
			for (a = 0; a < one.n; a++)
				if (!addrlist_has(&j->rcpts, one.v[a]))
					addrlist_add(&j->rcpts, one.v[a]);
			for (a = 0; k < 2 && a < one.n; a++)
				if (!addrlist_has(&j->visible, one.v[a]))
					addrlist_add(&j->visible, one.v[a]);
			addrlist_free(&one);
			if (j->rcpts.n > LIMIT_RECIPIENTS) {
				log_warnx("more recipients than the limit "
				    "(LIMIT_RECIPIENTS, %d)", LIMIT_RECIPIENTS);
				return OUTCOME_DATAERR;
			}
		}
	}
	if (j->rcpts.n == 0) {
		log_warnx("no recipients: no -r option and no address in "
		    "To, Cc or Bcc");
		return OUTCOME_DATAERR;
	}
	return OUTCOME_OK;
}

/* encrypt_why - " (why addr has no usable key in keys; why no usable
 * certificate in ckeys)", either may be NULL, into buf (recip_explain) */
static const char *
encrypt_why(const char *addr, const struct gpg_keylist *keys,
    const struct gpg_keylist *ckeys, char *buf, size_t bufsz)
{
	struct recip_reason r;
	char a[256] = "", b[256] = "";

	if (keys != NULL) {
		recip_explain(addr, keys, &r);
		(void)recip_reason_text(&r, a, sizeof a);
	}
	if (ckeys != NULL) {
		recip_explain(addr, ckeys, &r);
		if (r.why == RECIP_NOKEY)
			snprintf(b, sizeof b, "no certificate for the address");
		else
			(void)recip_reason_text(&r, b, sizeof b);
	}
	snprintf(buf, bufsz, " (%s%s%s)", a, keys != NULL && ckeys != NULL ?
	    "; " : "", b);
	return buf;
}

/* encrypt_join - the addresses, escaped, comma-separated, into line
 * (cut with "..."); with keys (OpenPGP) or ckeys (certificates), each
 * with why it has no usable key or certificate there */
static const char *
encrypt_join(const struct addrlist *missing, const struct gpg_keylist *keys,
    const struct gpg_keylist *ckeys, char *line, size_t linesz)
{
	char esc[ESCBUF], why[600];
	size_t i, o = 0;
	int n;

	line[0] = '\0';
	for (i = 0; i < missing->n; i++) {
		n = snprintf(line + o, linesz - o, "%s%s%s",
		    i > 0 ? ", " : "", log_escape(missing->v[i], esc,
		    sizeof esc), keys != NULL || ckeys != NULL ?
		    encrypt_why(missing->v[i], keys, ckeys, why, sizeof why) :
		    "");
		if (n < 0 || (size_t)n >= linesz - o) {
			snprintf(line + o, linesz - o, "...");
			break;
		}
		o += (size_t)n;
	}
	return line;
}

/* encrypt_missing - one line naming every recipient without a usable
 * what ("encryption key", "certificate"); with keys (the listing), why
 * each */
static void
encrypt_missing(const struct addrlist *missing, const struct gpg_keylist *keys,
    const struct gpg_keylist *ckeys, const char *what)
{
	char line[2048];

	log_warnx("no usable %s for %s %s", what,
	    missing->n == 1 ? "recipient" : "recipients",
	    encrypt_join(missing, keys, ckeys, line, sizeof line));
}

/* encrypt_cms_list - one listing of certificates (gpgsm) for every
 * recipient, resolved as keys are (recip.c) into crec */
static enum outcome
encrypt_cms_list(struct encrypt_job *j)
{
	struct addrlist pat = { NULL, 0 };
	char err[GPG_ERRLEN];
	enum gpg_status st;

	if (j->cms == NULL && (st = gpg_open_cms(&j->cms, j->opts->homedir,
	    err, sizeof err)) != GPG_OK) {
		log_warnx("%s", err);
		if (st != GPG_NOENGINE)
			return OUTCOME_TEMPFAIL;
		if (j->opts->smime)	/* not installed: no retry helps */
			return OUTCOME_UNAVAILABLE;
		/* the automatic choice: nobody has a certificate */
		recip_resolve(&j->rcpts, &j->ckeys, &j->crec);
		return OUTCOME_OK;
	}
	recip_patterns(&j->rcpts, &pat);
	st = gpg_keylist_enc(j->cms, pat.v, pat.n, &j->ckeys, err, sizeof err);
	addrlist_free(&pat);
	if (st != GPG_OK) {
		log_warnx("%s", err);
		return OUTCOME_TEMPFAIL;
	}
	recip_resolve(&j->rcpts, &j->ckeys, &j->crec);
	return OUTCOME_OK;
}

/* encrypt_smime_only - --smime: every recipient needs a usable
 * certificate; no OpenPGP key is looked at */
static enum outcome
encrypt_smime_only(struct encrypt_job *j)
{
	enum outcome r;

	if ((r = encrypt_cms_list(j)) != OUTCOME_OK)
		return r;
	if (j->crec.missing.n > 0) {
		encrypt_missing(&j->crec.missing, NULL, &j->ckeys,
		    "certificate");
		return OUTCOME_NOUSER;
	}
	j->smime = 1;
	j->rp = &j->crec;
	return OUTCOME_OK;
}

/*
 * encrypt_choose - some recipients have no usable OpenPGP key: S/MIME
 * when every recipient has a usable certificate.  Otherwise 67: those
 * with neither are named with why; a list of some with only a key and
 * some with only a certificate cannot share one message (one format
 * each), which the gateway solves with one copy per format.
 */
static enum outcome
encrypt_choose(struct encrypt_job *j)
{
	struct addrlist neither = { NULL, 0 };
	char keyonly[1024], certonly[1024];
	enum outcome r;
	size_t i;

	if ((r = encrypt_cms_list(j)) != OUTCOME_OK)
		return r;
	if (j->crec.missing.n == 0) {
		log_debug("recipients without an OpenPGP key have "
		    "certificates: S/MIME");
		j->smime = 1;
		j->rp = &j->crec;
		return OUTCOME_OK;
	}
	for (i = 0; i < j->rec.missing.n; i++)
		if (addrlist_has(&j->crec.missing, j->rec.missing.v[i]))
			addrlist_add(&neither, j->rec.missing.v[i]);
	if (neither.n > 0)
		encrypt_missing(&neither, &j->keys, &j->ckeys,
		    "encryption key or certificate");
	else
		log_warnx("only an OpenPGP key: %s; only a certificate: %s; "
		    "one message cannot be both OpenPGP and S/MIME (the "
		    "gateway, mailseal filter, makes one copy per format)",
		    encrypt_join(&j->crec.missing, NULL, NULL, keyonly,
		    sizeof keyonly), encrypt_join(&j->rec.missing, NULL, NULL,
		    certonly, sizeof certonly));
	addrlist_free(&neither);
	return OUTCOME_NOUSER;
}

/* encrypt_keys - one key listing, then exact matching; recipients
 * left without a key are looked up as certificates (encrypt_choose) */
static enum outcome
encrypt_keys(struct encrypt_job *j)
{
	struct addrlist pat = { NULL, 0 };
	char err[GPG_ERRLEN];
	enum gpg_status st;

	if (j->gpg == NULL && gpg_open(&j->gpg, j->opts->homedir, err,
	    sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		return OUTCOME_TEMPFAIL;
	}
	recip_patterns(&j->rcpts, &pat);
	st = gpg_keylist_enc(j->gpg, pat.v, pat.n, &j->keys, err, sizeof err);
	addrlist_free(&pat);
	if (st != GPG_OK) {
		log_warnx("%s", err);
		return OUTCOME_TEMPFAIL;
	}
	recip_resolve(&j->rcpts, &j->keys, &j->rec);
	if (j->opts->wkd && j->rec.missing.n > 0 && wkd_refresh(j->gpg,
	    &j->rcpts, WKD_TIMEOUT, &j->keys, &j->rec, NULL) == -1)
		return OUTCOME_TEMPFAIL;
	return j->rec.missing.n > 0 ? encrypt_choose(j) : OUTCOME_OK;
}

/* encrypt_resolve - the keys (or certificates) to encrypt to, and
 * which of them are hidden */
static enum outcome
encrypt_resolve(struct encrypt_job *j)
{
	struct addrset vis;
	char err[GPG_ERRLEN];
	enum outcome r;
	size_t i, k;
	int *shown;

	j->rp = &j->rec;
	if (j->opts->rec != NULL) {
		/* the caller resolved them, and chose whom to encrypt to:
		 * no second listing, no second resolution (smime: to
		 * certificates) */
		j->rp = j->opts->rec;
		j->smime = j->opts->smime;
		if (j->smime && j->cms == NULL &&
		    gpg_open_cms(&j->cms, j->opts->homedir, err, sizeof err) !=
		    GPG_OK) {
			log_warnx("%s", err);
			return OUTCOME_TEMPFAIL;
		}
	}
	else if ((r = j->opts->smime ? encrypt_smime_only(j) :
	    encrypt_keys(j)) != OUTCOME_OK)
		return r;
	/*
	 * A key reached only through Bcc addresses is a hidden recipient:
	 * its key ID would otherwise tell the To and Cc recipients who got
	 * a blind copy.
	 */
	addrset_build(&vis, &j->visible);
	shown = xcalloc(j->rp->nmap > 0 ? j->rp->nmap : 1, sizeof *shown);
	for (k = 0; k < j->rp->nmap; k++)
		shown[k] = addrset_has(&vis, j->rp->map[k].addr);
	addrset_free(&vis);
	j->hidden = xcalloc(j->rp->nfprs > 0 ? j->rp->nfprs : 1, sizeof *j->hidden);
	for (i = 0; i < j->rp->nfprs; i++) {
		j->hidden[i] = 1;
		for (k = 0; k < j->rp->nmap && j->hidden[i]; k++)
			if (shown[k] &&
			    strcmp(j->rp->map[k].fpr, j->rp->fprs[i]) == 0)
				j->hidden[i] = 0;
	}
	free(shown);
	for (i = 0; i < j->rp->nmap; i++)
		log_debug("recipient %s: %s %s", j->rp->map[i].addr,
		    j->smime ? "certificate" : "key", j->rp->map[i].fpr);
	for (i = 0; j->smime && i < j->rp->nfprs; i++)
		if (j->hidden[i]) {
			/* CMS names each recipient's certificate (issuer and
			 * serial) for all to read: no hidden recipients */
			log_warnx("S/MIME cannot hide a recipient: a Bcc "
			    "recipient would be shown to the others; encrypt "
			    "a copy of its own for each");
			return OUTCOME_UNAVAILABLE;
		}
	return OUTCOME_OK;
}

/* encrypt_signer - --signer, or the From addr-spec: a secret key
 * (sign.c), a certificate's for S/MIME; and the passphrase file's
 * passphrase for gpg (or gpgsm) */
static enum outcome
encrypt_signer(struct encrypt_job *j)
{
	struct gpg *g = j->smime ? j->cms : j->gpg;
	char err[GPG_ERRLEN];
	enum outcome r;

	if ((r = sign_signer(g, &j->m->h, j->opts->signer, &j->skeys,
	    &j->signer)) != OUTCOME_OK)
		return r;
	if ((r = sign_passphrase(g, j->opts->passfile, &j->pf, err,
	    sizeof err)) != OUTCOME_OK)
		log_warnx("%s", err);
	return r;
}

/* encrypt_head - the From_ line, our leading field, then the outer
 * fields (protect: with the Subject "[...]") and the MIME prelude
 * (pgpmime.c) */
static int
encrypt_head(struct encrypt_job *j, FILE *fp, const char *boundary,
    int protect)
{
	struct rfc5322_header oh = j->m->h;
	int r;

	if (protect)
		protect_outer(&j->m->h, &oh);
	oh.fromline = NULL;
	oh.fromlen = 0;
	r = encrypt_lead(j, fp) == -1 || (j->smime ?
	    smime_write_head(fp, &oh) : pgpmime_write_head(fp, &oh,
	    boundary)) == -1 ? -1 : 0;
	if (protect)
		protect_outer_free(&oh);
	return r;
}

/* encrypt_protect - header protection for the entity, when asked for:
 * 1 when the entity starts with the protected header, else 0 */
static int
encrypt_protect(struct encrypt_job *j, struct pgpmime_inner *inner)
{
	if (!j->opts->protect_headers)
		return 0;
	if (pgpmime_inner_protect(inner, &j->m->h) == -1) {
		/* not even the Subject fits in a header decrypt could
		 * read: better a Subject in clear than one nobody sees */
		log_warnx("header too large to protect: the Subject is not "
		    "hidden");
		return 0;
	}
	return 1;
}

/* encrypt_status - the outcome of gpg's answer st (err) */
static enum outcome
encrypt_status(enum gpg_status st, const char *err)
{
	if (st == GPG_OK)
		return OUTCOME_OK;
	log_warnx("%s", err);
	if (st == GPG_NOSECKEY)
		return OUTCOME_NOSIGNER;
	/* a key we chose and gpg refused (expired in between, an algorithm
	 * it cannot use): as permanent as no key at all */
	return st == GPG_BADKEY ? OUTCOME_NOUSER : OUTCOME_TEMPFAIL;
}

/* encrypt_seal - gpg encrypts the entity inner into fp (after the
 * head), then the closing boundary and the result is published */
static enum outcome
encrypt_seal(struct encrypt_job *j, struct pgpmime_inner *inner, FILE *fp,
    const char *boundary)
{
	struct pgpmime_sink sink;
	struct gpg_io io;
	char err[GPG_ERRLEN];
	enum gpg_status st;

	memset(&sink, 0, sizeof sink);
	sink.fp = fp;
	sink.crlf = j->m->h.crlf;
	io.read = pgpmime_inner_read;
	io.write = pgpmime_sink_write;
	io.rcookie = inner;
	io.wcookie = &sink;
	st = gpg_encrypt(j->gpg, j->rp->fprs, j->hidden, j->rp->nfprs,
	    j->signer, j->opts->no_encrypt_to ? GPG_ENC_NO_ENCRYPT_TO : 0,
	    &io, err, sizeof err);
	if (inner->err != 0 || sink.err != 0) {
		errno = inner->err != 0 ? inner->err : sink.err;
		log_warn(inner->err != 0 ? "cannot read the message" :
		    "cannot write the output");
		return OUTCOME_TEMPFAIL;
	}
	if (st != GPG_OK)
		return encrypt_status(st, err);
	if (!pgpmime_sink_complete(&sink)) {
		log_warnx("encryption: gpg's output is incomplete");
		return OUTCOME_TEMPFAIL;
	}
	if (pgpmime_write_tail(fp, boundary, j->m->h.crlf, sink.lastnl) == -1) {
		log_warn("cannot write the output");
		return OUTCOME_TEMPFAIL;
	}
	return output_release(&j->out, OUTCOME_OK);
}

/* encrypt_seal_smime - gpgsm encrypts the entity rd reads (rc; *rerr:
 * its read error) into fp (after the head) as base64 of its DER, which
 * must be whole; then publish */
static enum outcome
encrypt_seal_smime(struct encrypt_job *j, ssize_t (*rd)(void *, void *,
    size_t), void *rc, const int *rerr, FILE *fp)
{
	struct smime_sink sink;
	struct gpg_io io;
	char err[GPG_ERRLEN];
	enum gpg_status st;

	smime_sink_init(&sink, fp, j->m->h.crlf);
	io.read = rd;
	io.write = smime_sink_write;
	io.rcookie = rc;
	io.wcookie = &sink;
	st = gpg_encrypt(j->cms, j->rp->fprs, NULL, j->rp->nfprs, NULL,
	    j->opts->no_encrypt_to ? GPG_ENC_NO_ENCRYPT_TO : 0, &io, err,
	    sizeof err);
	if (*rerr != 0 || sink.err != 0) {
		errno = *rerr != 0 ? *rerr : sink.err;
		log_warn(*rerr != 0 ? "cannot read the message" :
		    "cannot write the output");
		return OUTCOME_TEMPFAIL;
	}
	if (st != GPG_OK)
		return encrypt_status(st, err);
	if (!smime_sink_complete(&sink)) {
		log_warnx("encryption: gpgsm's output is incomplete");
		return OUTCOME_TEMPFAIL;
	}
	if (smime_sink_finish(&sink) == -1) {
		log_warn("cannot write the output");
		return OUTCOME_TEMPFAIL;
	}
	return output_release(&j->out, OUTCOME_OK);
}

/* encrypt_spool_read - GPGME's read callback over the spooled entity */
static ssize_t
encrypt_spool_read(void *cookie, void *buf, size_t n)
{
	struct encrypt_spool *s = cookie;
	size_t k;

	if ((k = fread(buf, 1, n, s->fp)) == 0 && ferror(s->fp)) {
		s->err = errno != 0 ? errno : EIO;
		return -1;
	}
	return (ssize_t)k;
}

/*
 * encrypt_seal_signed - S/MIME and --sign: the entity is signed first
 * (sign_entity: a multipart/signed with an application/pkcs7-signature
 * part, the protected header, when there is one, inside the signed part)
 * into a private nameless spool, which gpgsm then envelops (RFC 8551
 * 3.7; what Outlook and Thunderbird write).  Memory stays constant: the
 * message is read twice for the signature, the spool once.
 */
static enum outcome
encrypt_seal_signed(struct encrypt_job *j, int protect, FILE *fp)
{
	struct encrypt_spool sp = { NULL, 0 };
	enum outcome r;
	int fd;

	if ((fd = tmpfile_open_unlinked()) == -1 ||
	    (sp.fp = fdopen(fd, "w+")) == NULL) {
		log_warn("cannot make a temporary file");
		if (fd != -1)
			close(fd);
		return OUTCOME_TEMPFAIL;
	}
	r = sign_entity(j->m, j->cms, j->signer, protect, sp.fp);
	if (r == OUTCOME_OK && (fflush(sp.fp) == EOF ||
	    fseeko(sp.fp, 0, SEEK_SET) == -1)) {
		log_warn("cannot write a temporary file");
		r = OUTCOME_TEMPFAIL;
	}
	if (r == OUTCOME_OK)
		r = encrypt_seal_smime(j, encrypt_spool_read, &sp, &sp.err, fp);
	fclose(sp.fp);
	return r;
}

/* encrypt_write - the PGP/MIME or S/MIME message into the output spool */
static enum outcome
encrypt_write(struct encrypt_job *j)
{
	struct pgpmime_inner inner;
	char boundary[PGPMIME_BOUNDARY_SIZE];
	enum outcome r = OUTCOME_TEMPFAIL;
	FILE *fp;
	int protect;

	if (encrypt_output(j) == -1) {
		log_warn("cannot create the output");
		return OUTCOME_TEMPFAIL;
	}
	fp = output_stream(j->out);
	pgpmime_boundary(boundary);
	/* the entity first: whether it can be protected decides the head */
	pgpmime_inner_init(&inner, &j->m->h, j->m->in);
	protect = encrypt_protect(j, &inner);
	if (encrypt_head(j, fp, boundary, protect) == -1)
		log_warn("cannot write the output");
	else if (input_seek(j->m->in, j->m->h.bodyoff) == -1)
		log_warn("cannot read the message");
	else if (j->smime && j->signer != NULL)
		r = encrypt_seal_signed(j, protect, fp);
	else if (j->smime)
		r = encrypt_seal_smime(j, pgpmime_inner_read, &inner,
		    &inner.err, fp);
	else
		r = encrypt_seal(j, &inner, fp, boundary);
	pgpmime_inner_free(&inner);
	return r;
}

/* encrypt_lead - the From_ line and the caller's leading field: what
 * comes before the message's own fields in the output */
static int
encrypt_lead(struct encrypt_job *j, FILE *fp)
{
	return msg_write_lead(j->m, j->opts->lead, fp);
}

/* encrypt_msg - see encrypt.h */
enum outcome
encrypt_msg(struct msg *m, const struct encrypt_opts *opts)
{
	struct encrypt_job j;
	enum outcome r;
	int already;

	memset(&j, 0, sizeof j);
	j.opts = opts;
	j.m = m;
	j.gpg = opts->gpg;
	j.cms = opts->cms;
	if (m->herr != RFC5322_OK) {
		log_warnx("not a message: %s", rfc5322_strerror(m->herr));
		return OUTCOME_DATAERR;
	}
	if (msg_classify(m) == -1 || (already = smime_sealed(m)) == -1) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	if (already) {
		log_debug("message is already %s: passed through unchanged",
		    classify_name(m->kind));
		r = encrypt_passthrough(&j);
		goto done;
	}
	if ((r = encrypt_recipients(&j)) != OUTCOME_OK)
		goto done;
	if ((r = encrypt_resolve(&j)) != OUTCOME_OK)
		goto done;
	if (opts->sign && (r = encrypt_signer(&j)) != OUTCOME_OK)
		goto done;
	r = encrypt_write(&j);
done:
	output_discard(j.out);
	sign_passphrase_end(j.smime ? j.cms : j.gpg, &j.pf);
	gpg_keylist_free(&j.skeys);
	recip_free(&j.rec);
	gpg_keylist_free(&j.keys);
	recip_free(&j.crec);
	gpg_keylist_free(&j.ckeys);
	if (j.cms != opts->cms)
		gpg_close(j.cms);
	if (j.gpg != opts->gpg)
		gpg_close(j.gpg);
	addrlist_free(&j.rcpts);
	addrlist_free(&j.visible);
	free(j.hidden);
	return r;
}

/* encrypt_run - see encrypt.h */
enum outcome
encrypt_run(const char *input, const struct encrypt_opts *opts)
{
	struct msg *m;
	enum outcome r;

	if ((r = msg_open(&m, input)) == OUTCOME_OK)
		r = encrypt_msg(m, opts);
	msg_free(m);
	return r;
}
