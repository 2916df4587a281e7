/*
 * gateway.c - one message through the gateway (gateway.h).
 *
 * Data flow of gateway_message:
 *   each envelope recipient's policy (the policy map, loaded once)
 *   one key listing for the recipients that may be encrypted to, one
 *     resolution (recip.c); a recipient without a usable key gets its
 *     reason (recip_explain: no key, expired, revoked, ...)
 *   no message (or no room in its header for our fields): refused if a
 *     recipient requires encryption or has a key, else delivered as it
 *     came (decrypt = yes: with our verdicts)
 *   loop check: our marker field, counted
 *   decrypt = yes: decrypt_msg() writes the result with our marker
 *     first; that result is the message from then on
 *   already encrypted: one copy for everybody, unchanged
 *   else: a require recipient without a key refuses the whole message
 *     (nobody gets clear text because of it); the others get one copy
 *     encrypted to the keys of those the header names (encrypt_msg()
 *     writes our marker into its outer header), one encrypted to its
 *     keys alone for each hidden recipient, and one copy as it came,
 *     marked (gwcopy.c)
 *   the copies go to the hand-off (sendmail, standard output; SMTP)
 *   one log line: the decisions first, then sender, queue ID, result
 * Every file is nameless (tmpfile.c) and handed on by descriptor.
 * Nothing goes to the next hop before every copy is made; a failure
 * while handing copies over is a retry, which can duplicate the copies
 * that were taken, never lose one.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "autocrypt.h"
#include "classify.h"
#include "decide.h"
#include "decrypt.h"
#include "encrypt.h"
#include "gateway.h"
#include "gpg.h"
#include "gwjob.h"
#include "gwsign.h"
#include "handoff.h"
#include "keycache.h"
#include "keys.h"
#include "limit.h"
#include "log.h"
#include "msg.h"
#include "recip.h"
#include "smime.h"
#include "tmpfile.h"
#include "xmalloc.h"

#define ESCBUF		512
/* room the copies need in the header: the marker and decrypt's two
 * verdict fields, or the marker and encryption's MIME-Version and
 * Content-Type; after decrypt = yes, the decrypted result needs room
 * for encryption's two (an encrypted copy must be a message we can
 * read again, or the loop check could not count its markers) */
#define GW_ROOM_FIELDS	3
#define GW_ROOM_ENCRYPT	2
#define GW_ROOM_BYTES	1024

static int	gw_trust(const struct gateway *, char *, size_t);

/* gw_trust - what the gateway reads and runs can be changed by nobody
 * but root and the user it runs as (mailseal.conf(5), "Files and their
 * owners"); as root, a GnuPG home of another user is refused, so gpg
 * never leaves root-owned files there */
static int
gw_trust(const struct gateway *gw, char *err, size_t errsz)
{
	/* what gpg reads in the home: keys, trust, options (gpg 2.2
	 * prefers gpg.conf-2.2 and gpg.conf-2 to gpg.conf); and gpgsm
	 * (S/MIME): the roots it trusts, its options, dirmngr's CRLs */
	static const char *const files[] = { "pubring.kbx", "pubring.gpg",
	    "trustdb.gpg", "gpg.conf", "gpg.conf-2", "gpg.conf-2.2",
	    "gpg-agent.conf", "common.conf", "private-keys-v1.d",
	    "trustlist.txt", "gpgsm.conf", "dirmngr.conf", "crls.d", NULL };
	char *home, path[PATH_MAX];
	size_t i;
	int r = 0;

	if (config_trusted(gw->path, "the configuration", err, errsz) == -1 ||
	    (gw->cfg.policy_map != NULL && config_trusted(gw->cfg.policy_map,
	    "the policy map", err, errsz) == -1) ||
	    config_trusted(gw->cfg.sendmail, "the sendmail program", err,
	    errsz) == -1)
		return -1;
	if ((home = config_homedir(&gw->cfg)) == NULL)
		return 0;
	r = config_trusted(home, "the GnuPG home", err, errsz);
	for (i = 0; r == 0 && files[i] != NULL; i++)
		if ((size_t)snprintf(path, sizeof path, "%s/%s", home,
		    files[i]) < sizeof path)
			r = config_trusted(path, "a file of the GnuPG home",
			    err, errsz);
	free(home);
	return r;
}

/* gateway_load - see gateway.h */
enum outcome
gateway_load(struct gateway *gw, const char *path, char *err, size_t errsz)
{
	memset(gw, 0, sizeof *gw);
	gw->path = xstrdup(path != NULL ? path : CONFIG_DEFAULT_PATH);
	if (config_load(&gw->cfg, path, err, errsz) == -1)
		return OUTCOME_CONFIG;
	/* where policy_lookup() and recip_resolve() cut off a tag */
	(void)addr_delimiters_set(gw->cfg.recipient_delimiter != NULL ?
	    gw->cfg.recipient_delimiter : "");
	if (gw->cfg.policy_map != NULL && policy_map_load(&gw->map,
	    gw->cfg.policy_map, err, errsz) == -1)
		return OUTCOME_CONFIG;
	if (gw_trust(gw, err, errsz) == -1 || gwsign_load(gw, err, errsz) == -1)
		return OUTCOME_CONFIG;
	return OUTCOME_OK;
}

/* gateway_free - release what gateway_load loaded */
void
gateway_free(struct gateway *gw)
{
	keycache_free(gw->keys);
	keycache_free(gw->certs);
	gateway_qids_free(&gw->qids);
	gpg_close(gw->gpg);
	gpg_close(gw->cms);
	policy_map_free(&gw->map);
	gwsign_free(gw);
	config_free(&gw->cfg);
	free(gw->path);
	memset(gw, 0, sizeof *gw);
}

/* gw_id - the MTA's queue ID (-q) when it is a clean token: our
 * marker field carries it into the copies, and a header_checks INFO
 * rule makes Postfix's cleanup log it beside the copy's new queue ID,
 * which joins the two transactions (mailseal-setup(7)); sendmail(1)
 * cannot name the new queue ID (Postfix's postdrop tells sendmail only
 * the maildrop file's name, and pickup gives the message its queue ID
 * later) */
static void
gw_id(struct gw_job *j)
{
	const char *q = j->env->queueid;
	size_t n = q != NULL ? strlen(q) : 0;

	j->id[0] = '\0';
	if (n > 0 && n < sizeof j->id && strspn(q, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._-") == n)
		memcpy(j->id, q, n + 1);
}

/* gw_loops - the message already passed this gateway
 * LIMIT_GATEWAY_PASSES times: it is going round in circles */
static int
gw_loops(const struct gw_job *j, const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	const char *id = j->gw->cfg.gateway_id;
	size_t i = 0, len, n;
	int passes = 0;
	char *v;

	while ((f = rfc5322_find(h, GATEWAY_MARKER, &i)) != NULL) {
		v = rfc5322_unfold(f, &len);
		n = strcspn(v, " \t;");
		if (n == strlen(id) && strncasecmp(v, id, n) == 0)
			passes++;
		free(v);
	}
	return passes >= LIMIT_GATEWAY_PASSES;
}

/* gw_hidden - m's header has a Bcc or Resent-Bcc field */
static int
gw_hidden(const struct msg *m)
{
	size_t i;

	for (i = 0; i < m->h.nfields; i++)
		if (rfc5322_is(&m->h.fields[i], "Bcc") ||
		    rfc5322_is(&m->h.fields[i], "Resent-Bcc"))
			return 1;
	return 0;
}

/* gw_mark - the message m as it came, with the field lead (our marker;
 * NULL: none, decrypt's result has it) first (after a leading From_
 * line), into the empty file dst; but Bcc and Resent-Bcc: a clear copy
 * would tell its readers who got the message hidden (the encrypted
 * copies never carry them: pgpmime.c) */
static int
gw_mark(const struct msg *m, const char *lead, int dst)
{
	const struct rfc5322_field *f;
	const char *eol = msg_eol(m);
	off_t from = (off_t)m->h.fromlen;
	size_t i;
	int hidden;

	if (m->fd == -1) {
		errno = EBADF;
		return -1;
	}
	hidden = gw_hidden(m);
	if ((m->h.fromline != NULL && tmpfile_write(dst, m->h.fromline,
	    m->h.fromlen) == -1) || (lead != NULL &&
	    (tmpfile_write(dst, lead, strlen(lead)) == -1 ||
	    tmpfile_write(dst, eol, strlen(eol)) == -1)))
		return -1;
	for (i = 0; hidden && i < m->h.nfields; i++) {
		f = &m->h.fields[i];
		if (!rfc5322_is(f, "Bcc") && !rfc5322_is(f, "Resent-Bcc") &&
		    tmpfile_write(dst, f->raw, f->rawlen) == -1)
			return -1;
	}
	/* the fields are the bytes after the From_ line, in order */
	if (hidden)
		from += (off_t)m->h.total;
	if (lseek(m->fd, from, SEEK_SET) == -1)
		return -1;
	return tmpfile_copy(m->fd, dst);
}

/* gw_signer - the key that signs this message's copies (sign = yes:
 * gwsign_signer), looked up once: the same for every copy, and a
 * sender without one is logged once, not once per copy (a message may
 * have LIMIT_RECIPIENTS of them) */
static const char *
gw_signer(struct gw_job *j)
{
	if (!j->signer_known) {
		j->signer = j->gw->cfg.sign ? gwsign_signer(j->gw, &j->m->h,
		    j->env->sender) : NULL;
		j->signer_known = 1;
	}
	return j->signer;
}

/* gw_encrypt - the copy for the recipients d.v[idx[0..n-1]] (all of
 * one format), into the nameless file enc: encrypt_msg() writes our
 * marker first, and takes their keys (or certificates) already
 * resolved */
enum outcome
gw_encrypt(struct gw_job *j, int enc, const size_t *idx, size_t n)
{
	struct encrypt_opts eo;
	struct recip rec;
	enum outcome r;
	size_t i;

	memset(&eo, 0, sizeof eo);
	eo.usefds = 1;
	eo.outfd = enc;
	eo.homedir = j->gw->cfg.homedir;
	/* each reader of this copy is named (gwcopy.c gave every hidden
	 * recipient a copy of its own): no hidden key IDs */
	eo.envelope = 0;
	eo.gpg = j->gw->gpg;
	decide_recip(&j->d, idx, n, &rec);
	eo.rec = &rec;
	/* decrypt's result carries the marker already */
	eo.lead = j->dec != NULL ? NULL : j->marker;
	/* the policy decides who can read it, not gpg.conf */
	eo.no_encrypt_to = 1;
	/* the signer of this sender (gwsign.c: signer_map, else signer) */
	eo.signer = gw_signer(j);
	eo.sign = eo.signer != NULL;
	eo.passfile = j->gw->cfg.passphrase_file;
	eo.protect_headers = j->gw->cfg.protect_headers;
	/* Autocrypt's key (a copy of its own): its home, without our
	 * signing key */
	if (n > 0 && j->d.v[idx[0]].autocrypt) {
		eo.gpg = j->d.acgpg;
		eo.homedir = j->gw->cfg.autocrypt_homedir;
		eo.sign = 0;
	}
	/* certificates (a copy is of one format: gwcopy.c): gpgsm, signed
	 * by smime_signer's certificate, else unsigned */
	if (n > 0 && j->d.v[idx[0]].format == FORMAT_SMIME) {
		eo.smime = 1;
		eo.cms = j->gw->cms;
		eo.signer = j->gw->cfg.smime_signer;
		eo.sign = j->gw->cfg.sign && eo.signer != NULL;
	}
	for (i = 0; i < n; i++)
		addrlist_add(&eo.recipients, j->d.v[idx[i]].addr);
	r = encrypt_msg(j->m, &eo);
	addrlist_free(&eo.recipients);
	recip_free(&rec);
	/* the configured signer cannot sign (expired, no secret part,
	 * locked), or a key went since we looked: keep the mail queued
	 * while the postmaster looks */
	if (r == OUTCOME_NOSIGNER || r == OUTCOME_NOUSER)
		r = OUTCOME_TEMPFAIL;
	return r;
}

/* gw_plain - the copy for the recipients who get it as it came: the
 * decrypted message (marked by decrypt_msg), or a marked copy; with
 * sign = yes, a marked multipart/signed copy (gwsign.c) */
enum outcome
gw_plain(struct gw_job *j, int *plain)
{
	const char *signer;

	/* decrypt's result as it is, but never with its Bcc fields */
	if (j->dec != NULL && !gw_hidden(j->dec)) {
		*plain = j->decfd;
		return OUTCOME_OK;
	}
	if ((*plain = tmpfile_open_unlinked()) != -1 && j->dec == NULL &&
	    (signer = gw_signer(j)) != NULL)
		return gwsign_plain(j->gw, j->m, signer, j->marker, *plain);
	if (*plain == -1 || gw_mark(j->m, j->dec != NULL ? NULL : j->marker,
	    *plain) == -1) {
		log_warn("cannot write a temporary file in %s", tmpfile_dir());
		return OUTCOME_TEMPFAIL;
	}
	return OUTCOME_OK;
}

/* gw_decrypt - decrypt = yes: decrypt_msg from m into a new nameless
 * file; for a message the gateway works on (asis 0), with our marker
 * first, and that result is then read as the message (parsed once,
 * like the original); for one that goes on as it came (asis 1: no
 * header block, or no room in it), only decrypt's verdicts are added
 * and nothing reads it again */
static enum outcome
gw_decrypt(struct gw_job *j, int asis)
{
	struct decrypt_opts dopts;
	enum outcome r;

	memset(&dopts, 0, sizeof dopts);
	dopts.usefds = 1;
	dopts.homedir = j->gw->cfg.homedir;
	dopts.gpg = j->gw->gpg;
	dopts.lead = asis ? NULL : j->marker;
	dopts.autocrypt_home = j->gw->cfg.autocrypt_learn ?
	    j->gw->cfg.autocrypt_homedir : NULL;
	if ((dopts.outfd = j->decfd = tmpfile_open_unlinked()) == -1) {
		log_warn("cannot write a temporary file in %s", tmpfile_dir());
		return OUTCOME_TEMPFAIL;
	}
	if ((r = decrypt_msg(j->m, &dopts)) != OUTCOME_OK)
		return OUTCOME_TEMPFAIL;
	if (asis)
		return OUTCOME_OK;
	if ((r = msg_open_fd(&j->dec, j->decfd)) != OUTCOME_OK)
		return r;
	/* a header we cannot read (the sender's encrypted Content-*
	 * fields joined to the outer ones, over a limit) is content:
	 * gw_run takes it as no message, never a retry */
	j->m = j->dec;
	return OUTCOME_OK;
}

/* gw_notmsg - no message to encrypt (herr): refused where encryption
 * is required or a recipient has a usable key (else anybody could
 * force clear text by adding fields), else passed on as it came
 * (mailseal.conf(5), "Messages that cannot be read"); decrypt = yes:
 * with our verdicts, never the sender's */
static enum outcome
gw_notmsg(struct gw_job *j, enum rfc5322_err herr)
{
	enum outcome r;
	size_t i;
	int require = 0, fd, own = -1;

	for (i = 0; i < j->d.n; i++)
		require |= j->d.v[i].policy == POLICY_REQUIRE;
	if (require || decide_count(&j->d, ACT_ENCRYPT) > 0) {
		log_dsn(OUTCOME_DATAERR, "not a message: %s, and %s",
		    rfc5322_strerror(herr), require ? "policy requires "
		    "encryption" : "a recipient has an OpenPGP key or a "
		    "certificate");
		j->result = "refused (not a message)";
		return OUTCOME_DATAERR;
	}
	decide_all(&j->d, DECIDE_NOTMSG);
	/* decrypted already (its result has no header we can read);
	 * an empty message has nothing to decrypt or scrub, and decrypt
	 * calls it no message: it goes on as it came, as with decrypt
	 * = no, not deferred for ever */
	if (j->gw->cfg.decrypt && j->decfd == -1 && herr != RFC5322_EMPTY &&
	    (r = gw_decrypt(j, 1)) != OUTCOME_OK)
		return r;
	fd = j->decfd != -1 ? j->decfd : j->m->fd;
	/* a header read whole (no room for our fields in it): its Bcc
	 * fields stay out, as they do of every clear copy (gw_mark) */
	if (j->decfd == -1 && j->m->herr == RFC5322_OK && gw_hidden(j->m)) {
		if ((own = tmpfile_open_unlinked()) == -1 ||
		    gw_mark(j->m, NULL, own) == -1) {
			log_warn("cannot write a temporary file in %s",
			    tmpfile_dir());
			if (own != -1)
				close(own);
			return OUTCOME_TEMPFAIL;
		}
		fd = own;
	}
	r = gw_hand(j, fd, ACT_DELIVER, 0);
	if (own != -1)
		close(own);
	if (r == OUTCOME_OK)
		j->result = "sent as it came (not a message)";
	return r;
}

/* gw_room - the header block has room for the fields we add, or a
 * copy would be over a header limit */
static enum rfc5322_err
gw_room(const struct msg *m, size_t fields)
{
	if (m->herr != RFC5322_OK)
		return m->herr;
	if (m->h.nfields + fields > LIMIT_HEADER_FIELDS)
		return RFC5322_COUNT;
	if (m->h.total + GW_ROOM_BYTES > LIMIT_HEADER_BLOCK)
		return RFC5322_BLOCK;
	return RFC5322_OK;
}

/* gw_refuse - a require recipient without a usable key: one refusal
 * line each, saying why */
static enum outcome
gw_refuse(struct gw_job *j)
{
	char esc[ESCBUF], why[600];
	size_t i;

	for (i = 0; i < j->d.n; i++)
		if (j->d.v[i].action == ACT_REFUSE)
			log_dsn(OUTCOME_NOUSER, "%s: %s, and policy requires "
			    "encryption", log_escape(j->d.v[i].addr, esc,
			    sizeof esc), decide_refusal(&j->d.v[i], why,
			    sizeof why));
	j->result = "refused (no key for a require recipient)";
	return OUTCOME_NOUSER;
}

/* gw_job_free - release one message's state */
static void
gw_job_free(struct gw_job *j)
{
	msg_free(j->dec);
	if (j->decfd != -1)
		close(j->decfd);
	decide_free(&j->d);
	gateway_qids_free(&j->qids);
	free(j->marker);
}

/* gw_job_init - the state of one message */
static void
gw_job_init(struct gw_job *j, struct gateway *gw, struct msg *m,
    const struct envelope *env, struct handoff *ho)
{
	size_t n;

	memset(j, 0, sizeof *j);
	j->gw = gw;
	j->env = env;
	j->ho = ho;
	j->m = m;
	j->decfd = -1;
	j->result = "failed";
	gw_id(j);
	n = sizeof GATEWAY_MARKER + strlen(gw->cfg.gateway_id) +
	    strlen(j->id) + 16;
	j->marker = xmalloc(n);
	(void)snprintf(j->marker, n, "%s: %s%s%s", GATEWAY_MARKER,
	    gw->cfg.gateway_id, j->id[0] != '\0' ? "; queue-id=" : "", j->id);
}

/* gw_run - the message's way through the gateway, once the decisions
 * for a clear-text message are made */
static enum outcome
gw_run(struct gw_job *j)
{
	enum rfc5322_err he;
	enum outcome r;
	int sealed;

	if ((he = gw_room(j->m, GW_ROOM_FIELDS)) != RFC5322_OK)
		return gw_notmsg(j, he);
	if (gw_loops(j, &j->m->h)) {
		log_dsn(OUTCOME_LOOP, "mail loop: the message passed this "
		    "gateway (%s) %d times already; is the re-injection path "
		    "filtered again?", j->gw->cfg.gateway_id,
		    LIMIT_GATEWAY_PASSES);
		j->result = "deferred (mail loop)";
		return OUTCOME_LOOP;
	}
	if (autocrypt_lead(&j->gw->gpg, &j->gw->cfg, j->gw->cfg.autocrypt ?
	    gw_signer(j) : NULL, j->m, &j->marker) == -1)
		return OUTCOME_TEMPFAIL;
	if (j->gw->cfg.decrypt && (r = gw_decrypt(j, 0)) != OUTCOME_OK)
		return r;
	if (j->dec != NULL && j->dec->herr != RFC5322_OK)
		return gw_notmsg(j, j->dec->herr);
	if (msg_classify(j->m) == -1) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	if ((sealed = smime_sealed(j->m)) == -1) {
		log_warn("cannot read the message");
		return OUTCOME_TEMPFAIL;
	}
	if (sealed)
		/* nobody gets clear text: pass it on to everybody */
		decide_all(&j->d, DECIDE_ENCRYPTED);
	else if (decide_count(&j->d, ACT_REFUSE) > 0)
		return gw_refuse(j);
	else if (j->dec != NULL && decide_count(&j->d, ACT_ENCRYPT) > 0 &&
	    (he = gw_room(j->dec, GW_ROOM_ENCRYPT)) != RFC5322_OK)
		return gw_notmsg(j, he);
	if ((r = gw_copies(j)) == OUTCOME_OK)
		j->result = j->ho->one_copy ? "written" :
		    sealed ? "sent (already encrypted)" : "sent";
	return r;
}

/* gateway_message - see gateway.h */
enum outcome
gateway_message(struct gateway *gw, struct msg *m,
    const struct envelope *env, struct handoff *ho)
{
	struct gw_job j;
	enum outcome r;

	gw_job_init(&j, gw, m, env, ho);
	if ((r = decide_policies(&j.d, &gw->map, &gw->cfg, env->rcpts,
	    env->nrcpts)) == OUTCOME_OK &&
	    (r = decide_keys(&j.d, &gw->cfg, &gw->gpg, gw->keys)) ==
	    OUTCOME_OK && (r = decide_certs(&j.d, &gw->cfg, &gw->cms,
	    gw->certs)) == OUTCOME_OK) {
		decide_actions(&j.d);
		r = gw_run(&j);
	}
	if (r == OUTCOME_TEMPFAIL && strcmp(j.result, "failed") == 0)
		j.result = "deferred";
	gw_log(&j);
	gateway_qids_free(&gw->qids);
	gw->qids = j.qids;
	memset(&j.qids, 0, sizeof j.qids);
	gw_job_free(&j);
	return r;
}

/* gateway_prepare - see gateway.h */
enum outcome
gateway_prepare(struct gateway *gw, char *err, size_t errsz)
{
	struct recip_index *ix;
	char *home;

	if (gw->keys == NULL) {
		home = config_homedir(&gw->cfg);
		gw->keys = keycache_new(home);
		/* certificates: listed when a message first needs one */
		if (gw->cfg.smime)
			gw->certs = keycache_new_cms(home);
		free(home);
	}
	if (gw->gpg == NULL && gpg_open(&gw->gpg, gw->cfg.homedir, err,
	    errsz) != GPG_OK)
		return OUTCOME_TEMPFAIL;
	if (keycache_get(gw->keys, gw->gpg, &ix, err, errsz) == GPG_TEMPFAIL)
		return OUTCOME_TEMPFAIL;
	return OUTCOME_OK;
}

/* gateway_rcpt - see gateway.h */
enum outcome
gateway_rcpt(struct gateway *gw, const char *addr, char *why, size_t whysz)
{
	struct decisions d;
	char *rcpt[1];
	enum outcome r;

	(void)snprintf(why, whysz, "%s", "");
	/* no address: said by the caller's reply, not logged */
	if (addr_mailbox_parse(addr, &rcpt[0]) != ADDR_OK)
		return OUTCOME_USAGE;
	memset(&d, 0, sizeof d);
	d.rcpttime = 1;		/* Autocrypt's keys change no RCPT reply */
	if ((r = decide_policies(&d, &gw->map, &gw->cfg, rcpt, 1)) ==
	    OUTCOME_OK && (r = decide_keys(&d, &gw->cfg, &gw->gpg,
	    gw->keys)) == OUTCOME_OK && (r = decide_certs(&d, &gw->cfg,
	    &gw->cms, gw->certs)) == OUTCOME_OK) {
		decide_actions(&d);
		if (d.v[0].action == ACT_REFUSE) {
			(void)decide_refusal(&d.v[0], why, whysz);
			r = OUTCOME_NOUSER;
		}
	}
	decide_free(&d);
	free(rcpt[0]);
	return r;
}

/* gw_check_tools - --check: the hop's program (sendmail) runs, the
 * signer signs, and the home holds a key that can encrypt; OUTCOME_OK,
 * or OUTCOME_CONFIG (OUTCOME_TEMPFAIL when gpg fails) after saying why */
static enum outcome
gw_check_tools(struct gw_job *j)
{
	const struct config *c = &j->gw->cfg;
	struct gpg_keylist all;
	char err[GPG_ERRLEN], esc[ESCBUF];
	enum outcome r = OUTCOME_OK, s;
	enum gpg_status st;
	size_t i, n = 0;

	if (j->ho->program != NULL && access(j->ho->program, X_OK) == -1) {
		printf("sendmail = %s: cannot be run: %s\n",
		    log_escape(j->ho->program, esc, sizeof esc),
		    strerror(errno));
		(void)fflush(stdout);
		r = OUTCOME_CONFIG;
	}
	if (j->gw->gpg == NULL && gpg_open(&j->gw->gpg, c->homedir, err,
	    sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		return OUTCOME_TEMPFAIL;
	}
	if (c->signer != NULL && (s = keys_signer_check(j->gw->gpg, c->signer,
	    err, sizeof err)) != OUTCOME_OK) {
		printf("signer = %s: cannot sign: %s\n",
		    log_escape(c->signer, esc, sizeof esc), err);
		(void)fflush(stdout);
		r = s == OUTCOME_NOSIGNER ? OUTCOME_CONFIG : s;
	}
	/* the whole keyring (more than LIMIT_KEYS: plenty) */
	st = gpg_keylist_all(j->gw->gpg, &all, err, sizeof err);
	if (st != GPG_OK && st != GPG_TOOMANY) {
		gpg_keylist_free(&all);
		log_warnx("%s", err);
		return OUTCOME_TEMPFAIL;
	}
	for (i = 0; i < all.n; i++)
		n += recip_key_can_encrypt(&all.v[i]);
	gpg_keylist_free(&all);
	if (n == 0 && st == GPG_OK)
		printf("warning: the GnuPG home has no usable encryption key: "
		    "every recipient gets clear text or is refused\n");
	return r;
}

/* gateway_check - see gateway.h */
enum outcome
gateway_check(struct gateway *gw, const struct envelope *env,
    const struct handoff *ho)
{
	struct handoff hop = *ho;
	struct gw_job j;
	char esc[ESCBUF], why[256];
	const char *w;
	enum outcome r;
	size_t i, k;

	gw_job_init(&j, gw, NULL, env, &hop);
	config_print(&gw->cfg, stdout);
	/* gpg runs next: nothing of ours may sit in a buffer a child
	 * process could write out a second time */
	(void)fflush(stdout);
	if ((r = decide_policies(&j.d, &gw->map, &gw->cfg, env->rcpts,
	    env->nrcpts)) != OUTCOME_OK ||
	    (r = decide_keys(&j.d, &gw->cfg, &gw->gpg, gw->keys)) !=
	    OUTCOME_OK || (r = decide_certs(&j.d, &gw->cfg, &gw->cms,
	    gw->certs)) != OUTCOME_OK ||
	    (r = gw_check_tools(&j)) == OUTCOME_TEMPFAIL)
		goto out;
	decide_actions(&j.d);
	for (i = 0; i < j.d.n; i++) {
		const struct decision *f = &j.d.v[i];
		printf("%s: policy=%s (", log_escape(f->addr, esc, sizeof esc),
		    policy_name(f->policy));
		if (f->entry != NULL)
			printf("%s:%lu", log_escape(gw->map.path, esc,
			    sizeof esc), f->entry->line);
		else
			printf("default_policy");
		printf(") %s=", f->format == FORMAT_SMIME ? "cert" : "key");
		for (k = 0; k < f->fprs.n; k++)
			printf("%s%s", k > 0 ? "," : "", f->fprs.v[k]);
		printf("%s action=%s", f->fprs.n == 0 ? "none" : "",
		    decide_action_name(f->action));
		if ((w = decide_why(f, why, sizeof why)) != NULL)
			printf(" why=%s (%s)", decide_why_name(f), w);
		printf("\n");
	}
	if (r == OUTCOME_OK && decide_count(&j.d, ACT_REFUSE) > 0)
		r = OUTCOME_NOUSER;
out:
	gw_job_free(&j);
	return r;
}
