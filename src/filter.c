/*
 * filter.c - the filter command: a content filter between the MTA's
 * queue and its delivery.
 *
 * Data flow:
 *   mailseal.conf + policy map -> a policy per envelope recipient
 *   one key listing for the recipients that may be encrypted to
 *   standard input -> a nameless private file -> rfc5322_read
 *     (no message: refused if a recipient requires encryption, else
 *     delivered as it came)
 *   loop check: our marker field, counted
 *   decrypt = yes: decrypt_run() first; its output is the message
 *   already encrypted: one copy for everybody, unchanged
 *   else: recipients to encrypt for (policy and key) get one copy,
 *     encrypted to all their keys by encrypt_run(); the others one copy
 *     as it came; a require recipient without a key refuses the whole
 *     message, so nobody gets clear text because of it
 *   each copy gets the marker field, then goes to sendmail (or, with
 *   --stdout, the one copy goes to standard output)
 * Every file (the message, the decrypted message, each copy) is a
 * nameless file (tmpfile.c) handed on by descriptor: a kill -9 leaves
 * nothing behind, and no other process can open them by a name.
 * Nothing goes to the MTA before every copy is made; a failure while
 * handing copies over is a retry, which can duplicate the copies that
 * were taken, never lose one (mailseal.conf(5) says how to avoid it).
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "addr.h"
#include "classify.h"
#include "conf.h"
#include "decrypt.h"
#include "encrypt.h"
#include "filter.h"
#include "gpg.h"
#include "input.h"
#include "limit.h"
#include "log.h"
#include "output.h"
#include "policy.h"
#include "recip.h"
#include "reinject.h"
#include "rfc5322.h"
#include "tmpfile.h"
#include "xmalloc.h"

#define MARKER		"X-Mailseal-Gateway"
/* room the copies need in the header: the marker and decrypt's two
 * verdict fields */
#define FILTER_ROOM_FIELDS	3
#define FILTER_ROOM_BYTES	1024
#define ESCBUF		512

enum action {
	ACT_PENDING,		/* not decided (the run failed before) */
	ACT_DELIVER,		/* as it came */
	ACT_ENCRYPT,
	ACT_REFUSE
};

struct frcpt {
	char		*addr;
	enum policy	 policy;
	const struct policy_entry *entry;
	struct addrlist	 fprs;		/* its keys */
	enum action	 action;
};

/* A growing log line. */
struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

struct filter_job {
	const struct filter_opts	*opts;
	struct config			 cfg;
	struct policy_map		 map;
	struct frcpt			*r;
	size_t				 nr;
	struct gpg			*gpg;
	struct gpg_keylist		 keys;	/* the one listing, which
						 * encrypt_run() reuses */
	int				 base;	/* the message copies come from */
	int				 crlf;
	const char			*result;
};

static void	sb_add(struct sbuf *, const char *, ...) LOG_PRINTF(2, 3);
static int	filter_trust(const struct filter_job *, char *, size_t);
static enum filter_result filter_policies(struct filter_job *);
static enum filter_result filter_keys(struct filter_job *);
static void	filter_check(struct filter_job *);
static int	filter_spool(int);
static int	filter_loops(const struct filter_job *,
		    const struct rfc5322_header *);
static int	filter_mark(const struct filter_job *, int, int);
static enum filter_result filter_encrypt(struct filter_job *, int);
static enum filter_result filter_copies(struct filter_job *);
static enum filter_result filter_hand(struct filter_job *, int,
		    enum action);
static void	filter_log(const struct filter_job *);
static int	filter_decrypt(const struct filter_job *, int, int *);

static void
sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s != NULL ? b->s + b->len : NULL,
		    b->s != NULL ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->s != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = b->cap * 2 + (size_t)n + 64;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
}

/* filter_decrypt - decrypt = yes: decrypt_run from msg into a new
 * nameless file *dec (a message it cannot parse comes out as it came,
 * with our verdicts); returns 0, or -1 when it could not (75) */
static int
filter_decrypt(const struct filter_job *j, int msg, int *dec)
{
	struct decrypt_opts dopts;

	memset(&dopts, 0, sizeof dopts);
	dopts.usefds = 1;
	dopts.infd = msg;
	dopts.homedir = j->cfg.homedir;
	if ((dopts.outfd = *dec = tmpfile_open_unlinked()) == -1) {
		log_warn("cannot make a temporary file");
		return -1;
	}
	return decrypt_run(&dopts) == DECRYPT_OK ? 0 : -1;
}

/* filter_trust - what the filter reads and runs can be changed by
 * nobody but root and the user it runs as (mailseal.conf(5), "Files
 * and their owners"); as root, a GnuPG home of another user is refused,
 * so gpg never leaves root-owned files there */
static int
filter_trust(const struct filter_job *j, char *err, size_t errsz)
{
	/* what gpg reads in the home: keys, trust, options */
	static const char *const files[] = { "pubring.kbx", "pubring.gpg",
	    "trustdb.gpg", "gpg.conf", "gpg-agent.conf", "common.conf",
	    "private-keys-v1.d", NULL };
	char *home, path[PATH_MAX];
	size_t i;
	int r = 0;

	if (config_trusted(j->opts->config != NULL ? j->opts->config :
	    CONFIG_DEFAULT_PATH, "the configuration", err, errsz) == -1 ||
	    (j->cfg.policy_map != NULL && config_trusted(j->cfg.policy_map,
	    "the policy map", err, errsz) == -1) ||
	    config_trusted(j->cfg.sendmail, "the sendmail program", err,
	    errsz) == -1)
		return -1;
	if ((home = config_homedir(&j->cfg)) == NULL)
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

/* filter_policies - each recipient's policy; a recipient that is no
 * address is a usage error (it comes from the MTA's command line) */
static enum filter_result
filter_policies(struct filter_job *j)
{
	char esc[ESCBUF], *spec;
	size_t i;

	j->r = xcalloc(j->opts->nrcpts, sizeof *j->r);
	for (i = 0; i < j->opts->nrcpts; i++) {
		if (addr_mailbox_parse(j->opts->rcpts[i], &spec) != ADDR_OK) {
			/* the MTA's command line is wrong: defer (4.3.5) */
			log_dsn("4.3.5", "recipient %s: not an address",
			    log_escape(j->opts->rcpts[i], esc, sizeof esc));
			return FILTER_USAGE;
		}
		j->r[j->nr].addr = spec;
		j->r[j->nr].policy = policy_lookup(&j->map, spec,
		    j->cfg.default_policy, &j->r[j->nr].entry);
		j->nr++;
	}
	return FILTER_OK;
}

/* filter_keys - one listing for every recipient that may be encrypted
 * to, then each one's keys (exact user ID match, recip.c) */
static enum filter_result
filter_keys(struct filter_job *j)
{
	struct addrlist want = { NULL, 0 }, pats = { NULL, 0 }, one;
	struct recip rec;
	char err[GPG_ERRLEN];
	enum filter_result r = FILTER_TEMPFAIL;
	size_t i, k;

	for (i = 0; i < j->nr; i++)
		if (j->r[i].policy != POLICY_NONE &&
		    !addrlist_has(&want, j->r[i].addr))
			addrlist_add(&want, j->r[i].addr);
	if (want.n == 0)
		return FILTER_OK;
	if (gpg_open(&j->gpg, j->cfg.homedir, err, sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		goto out;
	}
	recip_patterns(&want, &pats);
	if (gpg_keylist(j->gpg, pats.v, pats.n, 0, &j->keys, err,
	    sizeof err) != GPG_OK) {
		log_warnx("%s", err);
		goto out;
	}
	for (i = 0; i < j->nr; i++) {
		if (j->r[i].policy == POLICY_NONE)
			continue;
		one.v = &j->r[i].addr;
		one.n = 1;
		memset(&rec, 0, sizeof rec);
		recip_resolve(&one, &j->keys, &rec);
		for (k = 0; k < rec.nfprs; k++)
			addrlist_add(&j->r[i].fprs, rec.fprs[k]);
		recip_free(&rec);
	}
	r = FILTER_OK;
out:
	addrlist_free(&pats);
	addrlist_free(&want);
	return r;
}

/* filter_decide - the action for each recipient of a message that is
 * not encrypted yet */
static void
filter_decide(struct filter_job *j)
{
	size_t i;

	for (i = 0; i < j->nr; i++) {
		struct frcpt *f = &j->r[i];
		if (f->policy == POLICY_NONE)
			f->action = ACT_DELIVER;
		else if (f->fprs.n > 0)
			f->action = ACT_ENCRYPT;
		else
			f->action = f->policy == POLICY_REQUIRE ? ACT_REFUSE :
			    ACT_DELIVER;
	}
}

static const char *
action_name(enum action a)
{
	switch (a) {
	case ACT_PENDING:
		return "-";
	case ACT_DELIVER:
		return "deliver";
	case ACT_ENCRYPT:
		return "encrypt";
	case ACT_REFUSE:
		return "refuse";
	}
	return "?";
}

/* filter_check - --check: the configuration, and each decision */
static void
filter_check(struct filter_job *j)
{
	char esc[ESCBUF];
	size_t i, k;

	config_print(&j->cfg, stdout);
	for (i = 0; i < j->nr; i++) {
		const struct frcpt *f = &j->r[i];
		printf("%s: policy=%s (", log_escape(f->addr, esc, sizeof esc),
		    policy_name(f->policy));
		if (f->entry != NULL)
			printf("%s:%lu", log_escape(j->map.path, esc,
			    sizeof esc), f->entry->line);
		else
			printf("default_policy");
		printf(") key=");
		for (k = 0; k < f->fprs.n; k++)
			printf("%s%s", k > 0 ? "," : "", f->fprs.v[k]);
		printf("%s action=%s\n", f->fprs.n == 0 ? "none" : "",
		    action_name(f->action));
	}
}

/* filter_spool - standard input into the nameless file fd */
static int
filter_spool(int fd)
{
	return tmpfile_copy(STDIN_FILENO, fd);
}

/* filter_loops - the message already passed this gateway
 * LIMIT_GATEWAY_PASSES times: it is going round in circles */
static int
filter_loops(const struct filter_job *j, const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	size_t i = 0, len, n;
	int passes = 0;
	char *v;

	while ((f = rfc5322_find(h, MARKER, &i)) != NULL) {
		v = rfc5322_unfold(f, &len);
		n = strcspn(v, " \t;");
		if (n == strlen(j->cfg.gateway_id) &&
		    strncasecmp(v, j->cfg.gateway_id, n) == 0)
			passes++;
		free(v);
	}
	return passes >= LIMIT_GATEWAY_PASSES;
}

/* filter_mark - copy the file src (from its start) to the empty file
 * dst with our marker field first (after a leading From_ line) */
static int
filter_mark(const struct filter_job *j, int src, int dst)
{
	char buf[65536];
	const char *nl, *eol = j->crlf ? "\r\n" : "\n";
	ssize_t n;
	size_t first = 0;

	do
		n = pread(src, buf, sizeof buf, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if (n > 0 && (nl = memchr(buf, '\n', (size_t)n)) != NULL &&
	    rfc5322_is_fromline(buf, (size_t)(nl - buf) + 1))
		first = (size_t)(nl - buf) + 1;
	if (tmpfile_write(dst, buf, first) == -1 ||
	    tmpfile_write(dst, MARKER ": ", sizeof MARKER + 1) == -1 ||
	    tmpfile_write(dst, j->cfg.gateway_id,
	    strlen(j->cfg.gateway_id)) == -1 ||
	    tmpfile_write(dst, eol, strlen(eol)) == -1 ||
	    tmpfile_write(dst, buf + first, (size_t)n - first) == -1 ||
	    lseek(src, n, SEEK_SET) == -1)
		return -1;
	return tmpfile_copy(src, dst);
}

/* filter_hand - the copy in the file fd, for the recipients with this
 * action: to sendmail, or to standard output */
static enum filter_result
filter_hand(struct filter_job *j, int fd, enum action a)
{
	char err[REINJECT_ERRLEN], **rcpts;
	const char *sender = j->opts->sender;
	size_t i, n = 0;
	int e;

	if (j->opts->tostdout) {
		if (fflush(stdout) == EOF || output_copyout(fd) == -1) {
			log_warn("cannot write the result");
			return FILTER_TEMPFAIL;
		}
		return FILTER_OK;
	}
	rcpts = xcalloc(j->nr, sizeof *rcpts);
	for (i = 0; i < j->nr; i++)
		if (j->r[i].action == a)
			rcpts[n++] = j->r[i].addr;
	if (sender != NULL && strcmp(sender, "<>") == 0)
		sender = "";
	/* sendmail reads the copy's own file: see reinject.c */
	e = reinject(j->cfg.sendmail, sender, rcpts, n, fd, err, sizeof err);
	free(rcpts);
	if (e == -1) {
		log_warnx("re-injection failed: %s", err);
		return FILTER_TEMPFAIL;
	}
	return FILTER_OK;
}

/* filter_encrypt - the copy for the recipients to encrypt for: marked,
 * then encrypted by encrypt_run() into the nameless file enc */
static enum filter_result
filter_encrypt(struct filter_job *j, int enc)
{
	struct encrypt_opts eo;
	enum filter_result r;
	size_t i;
	int encin;

	if ((encin = tmpfile_open_unlinked()) == -1 ||
	    filter_mark(j, j->base, encin) == -1) {
		log_warn("cannot copy the message");
		if (encin != -1)
			close(encin);
		return FILTER_TEMPFAIL;
	}
	memset(&eo, 0, sizeof eo);
	eo.usefds = 1;
	eo.infd = encin;
	eo.outfd = enc;
	eo.homedir = j->cfg.homedir;
	eo.envelope = 1;
	eo.gpg = j->gpg;
	eo.keys = &j->keys;
	/* the policy decides who can read it, not gpg.conf */
	eo.no_encrypt_to = 1;
	eo.sign = j->cfg.sign;
	eo.signer = j->cfg.signer;
	for (i = 0; i < j->nr; i++)
		if (j->r[i].action == ACT_ENCRYPT)
			addrlist_add(&eo.recipients, j->r[i].addr);
	switch (encrypt_run(&eo)) {
	case ENCRYPT_OK:
	case ENCRYPT_PASSED:
		r = FILTER_OK;
		break;
	case ENCRYPT_DATAERR:
		r = FILTER_DATAERR;
		break;
	case ENCRYPT_NOSIGNER:
		/* the configured signer cannot sign (expired, no
		 * secret part, locked): keep the mail queued while
		 * the postmaster looks */
		r = FILTER_TEMPFAIL;
		break;
	default:	/* a key gone since we looked: retry */
		r = FILTER_TEMPFAIL;
		break;
	}
	addrlist_free(&eo.recipients);
	close(encin);
	return r;
}

/* filter_copies - make every copy, each a nameless file, then hand
 * them over */
static enum filter_result
filter_copies(struct filter_job *j)
{
	enum filter_result r = FILTER_TEMPFAIL;
	size_t i;
	int nenc = 0, ndel = 0, enc = -1, plain = -1;

	for (i = 0; i < j->nr; i++) {
		nenc += j->r[i].action == ACT_ENCRYPT;
		ndel += j->r[i].action == ACT_DELIVER;
	}
	if (j->opts->tostdout && nenc > 0 && ndel > 0) {
		log_warnx("--stdout: some recipients get the message "
		    "encrypted and others as it came; that is two messages");
		return FILTER_UNAVAILABLE;
	}
	if (nenc > 0) {
		if ((enc = tmpfile_open_unlinked()) == -1) {
			log_warn("cannot copy the message");
			goto out;
		}
		if ((r = filter_encrypt(j, enc)) != FILTER_OK)
			goto out;
	}
	if (ndel > 0 && ((plain = tmpfile_open_unlinked()) == -1 ||
	    filter_mark(j, j->base, plain) == -1)) {
		log_warn("cannot copy the message");
		r = FILTER_TEMPFAIL;
		goto out;
	}
	if (nenc > 0 && (r = filter_hand(j, enc, ACT_ENCRYPT)) != FILTER_OK)
		goto out;
	if (ndel > 0 && (r = filter_hand(j, plain, ACT_DELIVER)) != FILTER_OK)
		goto out;
	r = FILTER_OK;
out:
	if (enc != -1)
		close(enc);
	if (plain != -1)
		close(plain);
	return r;
}

/* filter_log - the line per message: sender, each recipient with its
 * policy, action and keys, and the result; escaped, never content */
static void
filter_log(const struct filter_job *j)
{
	struct sbuf b = { NULL, 0, 0 };
	char esc[ESCBUF], esc2[ESCBUF];
	size_t i, k;

	sb_add(&b, "%s: from=%s%s%s", j->opts->queueid != NULL ?
	    log_escape(j->opts->queueid, esc2, sizeof esc2) : "NOQUEUE",
	    j->opts->sender != NULL ? "<" : "",
	    j->opts->sender != NULL ? log_escape(strcmp(j->opts->sender,
	    "<>") == 0 ? "" : j->opts->sender, esc, sizeof esc) : "(no -f)",
	    j->opts->sender != NULL ? ">" : "");
	for (i = 0; i < j->nr; i++) {
		const struct frcpt *f = &j->r[i];
		sb_add(&b, " to=<%s> policy=%s action=%s",
		    log_escape(f->addr, esc, sizeof esc),
		    policy_name(f->policy), action_name(f->action));
		for (k = 0; k < f->fprs.n; k++)
			sb_add(&b, "%s%s", k == 0 ? " key=" : ",",
			    f->fprs.v[k]);
	}
	sb_add(&b, " result=%s", j->result);
	log_info("%s", b.s);
	free(b.s);
}

/* filter_run - see filter.h */
enum filter_result
filter_run(const struct filter_opts *opts)
{
	struct filter_job j;
	struct rfc5322_header h;
	struct input *in = NULL;
	enum classify_kind kind;
	enum rfc5322_err he;
	enum filter_result r;
	char err[CONFIG_ERRLEN];
	size_t i;
	int require = 0, refused = 0, encrypt = 0, msg = -1, dec = -1;

	memset(&j, 0, sizeof j);
	memset(&h, 0, sizeof h);
	j.opts = opts;
	j.result = "failed";
	/* private files only: the message is in them */
	(void)umask(077);
	/* 4.3.5 first: Postfix's pipe(8) then defers instead of bouncing
	 * every message while the postmaster fixes a typo */
	if (config_load(&j.cfg, opts->config, err, sizeof err) == -1) {
		log_dsn("4.3.5", "%s", err);
		config_free(&j.cfg);
		return FILTER_CONFIG;
	}
	/* where policy_lookup() and recip_resolve() cut off a tag */
	(void)addr_delimiters_set(j.cfg.recipient_delimiter != NULL ?
	    j.cfg.recipient_delimiter : "");
	if (j.cfg.policy_map != NULL &&
	    policy_map_load(&j.map, j.cfg.policy_map, err, sizeof err) == -1) {
		log_dsn("4.3.5", "%s", err);
		r = FILTER_CONFIG;
		goto done;
	}
	if (filter_trust(&j, err, sizeof err) == -1) {
		log_dsn("4.3.5", "%s", err);
		r = FILTER_CONFIG;
		goto done;
	}
	if (!opts->logstderr && !j.cfg.log_stderr && !opts->check)
		log_syslog(j.cfg.facility);
	alarm(opts->timeout != 0 ? opts->timeout : j.cfg.timeout);
	if ((r = filter_policies(&j)) != FILTER_OK ||
	    (r = filter_keys(&j)) != FILTER_OK)
		goto done;
	filter_decide(&j);
	for (i = 0; i < j.nr; i++) {
		require |= j.r[i].policy == POLICY_REQUIRE;
		refused |= j.r[i].action == ACT_REFUSE;
		encrypt |= j.r[i].action == ACT_ENCRYPT;
	}
	if (opts->check) {
		filter_check(&j);
		r = refused ? FILTER_NOUSER : FILTER_OK;
		goto done;
	}

	if ((msg = tmpfile_open_unlinked()) == -1 || filter_spool(msg) == -1) {
		log_warn("cannot read the message");
		r = FILTER_TEMPFAIL;
		goto done;
	}
	j.base = msg;
	if (input_open_fd(&in, msg) != 0) {
		log_warn("cannot read the message");
		r = FILTER_TEMPFAIL;
		goto done;
	}
	he = rfc5322_read(in, &h);
	/* no room for our fields (the marker, decrypt's verdicts): as
	 * good as over the limit, or a copy would be */
	if (he == RFC5322_OK && (h.nfields + FILTER_ROOM_FIELDS >
	    LIMIT_HEADER_FIELDS || h.total + FILTER_ROOM_BYTES >
	    LIMIT_HEADER_BLOCK))
		he = h.nfields + FILTER_ROOM_FIELDS > LIMIT_HEADER_FIELDS ?
		    RFC5322_COUNT : RFC5322_BLOCK;
	if (he != RFC5322_OK) {
		if (he == RFC5322_IO) {
			log_warn("cannot read the message");
			r = FILTER_TEMPFAIL;
			goto done;
		}
		/* no message to encrypt: refused where encryption is
		 * required or a recipient has a usable key (else anybody
		 * could force clear text by adding fields), else passed
		 * on as it came (mailseal.conf(5), "Messages that cannot
		 * be read") */
		if (require || encrypt) {
			log_dsn("5.6.0", "not a message: %s, and %s",
			    rfc5322_strerror(he), require ? "policy requires "
			    "encryption" : "a recipient has an OpenPGP key");
			j.result = "refused (not a message)";
			r = FILTER_DATAERR;
			goto done;
		}
		for (i = 0; i < j.nr; i++)
			j.r[i].action = ACT_DELIVER;
		/* decrypt = yes: with our verdicts, never the sender's */
		if (j.cfg.decrypt && filter_decrypt(&j, msg, &dec) == -1) {
			r = FILTER_TEMPFAIL;
			j.result = "deferred";
			goto done;
		}
		r = filter_hand(&j, j.cfg.decrypt ? dec : msg, ACT_DELIVER);
		j.result = r == FILTER_OK ? "sent as it came (not a message)" :
		    "deferred";
		goto done;
	}
	j.crlf = h.crlf;
	if (filter_loops(&j, &h)) {
		log_dsn("4.4.6", "mail loop: the message passed this gateway "
		    "(%s) %d times already; is the re-injection path filtered "
		    "again?", j.cfg.gateway_id, LIMIT_GATEWAY_PASSES);
		j.result = "deferred (mail loop)";
		r = FILTER_TEMPFAIL;
		goto done;
	}
	if (j.cfg.decrypt) {
		if (filter_decrypt(&j, msg, &dec) == -1) {
			r = FILTER_TEMPFAIL;
			j.result = "deferred";
			goto done;
		}
		j.base = dec;
		rfc5322_free(&h);
		input_close(in);
		in = NULL;
		if (input_open_fd(&in, dec) != 0 ||
		    rfc5322_read(in, &h) != RFC5322_OK) {
			log_warn("cannot read the decrypted message");
			r = FILTER_TEMPFAIL;
			goto done;
		}
	}
	if (classify_message(&h, in, &kind, NULL) == -1) {
		log_warn("cannot read the message");
		r = FILTER_TEMPFAIL;
		goto done;
	}
	if (classify_encrypted(kind)) {
		/* nobody gets clear text: pass it on to everybody */
		for (i = 0; i < j.nr; i++)
			j.r[i].action = ACT_DELIVER;
		refused = 0;
	}
	if (refused) {
		for (i = 0; i < j.nr; i++)
			if (j.r[i].action == ACT_REFUSE)
				log_dsn("5.7.1", "%s: no usable OpenPGP key, and "
				    "policy requires encryption",
				    log_escape(j.r[i].addr, err, sizeof err));
		j.result = "refused (no key for a require recipient)";
		r = FILTER_NOUSER;
		goto done;
	}
	if ((r = filter_copies(&j)) == FILTER_OK)
		j.result = opts->tostdout ? "written" : classify_encrypted(kind) ?
		    "sent (already encrypted)" : "sent";
	else if (r == FILTER_TEMPFAIL)
		j.result = "deferred";
done:
	if (r == FILTER_TEMPFAIL && strcmp(j.result, "failed") == 0)
		j.result = "deferred";
	/* a configuration error is one line, not a message's log line */
	if (!opts->check && r != FILTER_CONFIG)
		filter_log(&j);
	rfc5322_free(&h);
	input_close(in);
	if (msg != -1)
		close(msg);
	if (dec != -1)
		close(dec);
	gpg_keylist_free(&j.keys);
	gpg_close(j.gpg);
	for (i = 0; i < j.nr; i++) {
		free(j.r[i].addr);
		addrlist_free(&j.r[i].fprs);
	}
	free(j.r);
	policy_map_free(&j.map);
	config_free(&j.cfg);
	return r;
}
