/*
 * gpgcms.c - the CMS engine (gpgsm, S/MIME) behind gpg.h: the context
 * (gpg_open_cms), one gpgsm run per operation (gpg_run, gpg_cms_done)
 * and the certificate listing; gpgcmsop.c has the CMS side of the
 * operations gpgop.c hands over.  Like gpg.c and gpgop.c they speak
 * GPGME (gpgint.h).
 *
 * GPGME runs `gpgsm --server` and speaks Assuan with it: status lines
 * arrive as "S" lines, the end of each command as "OK" or "ERR", data
 * over descriptors passed to gpgsm.  The supervisor (gpgsup.c) cannot
 * hold that channel back or add an exit line to it; it passes gpgsm
 * through with a deadline, a CPU limit, and a kill when our end is
 * gone.  So an operation counts only when GPGME saw gpgsm answer "OK"
 * and gpgsm said the status that proves the work done (DECRYPTION_OKAY,
 * SIG_CREATED, a verdict per NEWSIG; an encryption says none: its "OK"
 * comes after the last byte).  GPGME keeps a gpgsm server per context
 * and resets it between operations; we end it after each (gpg_cms_done),
 * so that every operation is one gpgsm run under its own deadline, no
 * gpgsm outlives the operation that hung, and no process that forks
 * (smtpd's workers) shares a live server.
 */
#include <config.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <gpgme.h>

#include "gpg.h"
#include "gpghome.h"
#include "gpgint.h"
#include "gpgio.h"
#include "gpgstatus.h"
#include "gpgsup.h"
#include "limit.h"
#include "xmalloc.h"

/* how long gpg-agent may take over each answer (ms) */
#define GPG_AGENT_MS	5000

static char	gpgsm_real[4096];	/* the gpgsm the supervisor runs */


static void		 gpg_cms_copy(gpgme_key_t, int, struct gpg_key *);
static int		 gpg_cms_want(gpgme_key_t, char *const *, size_t);
static int		 gpg_cms_fpr(const char *);
static int		 gpg_cms_kbx_bad(const char *);
static char		**gpg_cms_patterns(char *const *, size_t,
			    const char ***);
static enum gpg_status	 gpg_cms_probe(struct gpg *, struct gpg_key *, char *,
			    size_t);
static enum gpg_status	 gpg_cms_probe_all(struct gpg *, struct gpg_keylist *,
			    char *, size_t);
static enum gpg_status	 gpg_cms_list1(struct gpg *, char *const *, size_t,
			    int, struct gpg_keylist *, char *, size_t);
static enum gpg_status	 gpg_cms_merge(struct gpg_keylist *,
			    struct gpg_keylist *, char *, size_t);

/* gpg_open_cms - see gpg.h */
enum gpg_status
gpg_open_cms(struct gpg **gp, const char *homedir, char *err, size_t errsz)
{
	gpgme_error_t e = 0;
	struct gpg *g;
	char home[sizeof g->home];

	if (gpghome_check(homedir, home, sizeof home, err, errsz) == -1 ||
	    gpg_ready(err, errsz) != GPG_OK)
		return GPG_TEMPFAIL;
	if (gpgsm_real[0] == '\0' && gpgsup_find("gpgsm", gpgsm_real,
	    sizeof gpgsm_real) == -1) {
		gpgsm_real[0] = '\0';
		snprintf(err, errsz, "gpgsm engine: no gpgsm on PATH");
		return GPG_NOENGINE;
	}
	g = xcalloc(1, sizeof *g);
	g->cms = 1;
	g->deadline = LIMIT_GPGSM_SECONDS;
	memcpy(g->home, home, sizeof g->home);
	if ((e = gpgme_new(&g->ctx)) ||
	    (e = gpgme_set_protocol(g->ctx, GPGME_PROTOCOL_CMS)))
		goto fail;
	/* one `gpgsm --version` run, through the supervisor */
	gpg_run(g, 1);
	e = gpgme_ctx_set_engine_info(g->ctx, GPGME_PROTOCOL_CMS,
	    gpg_supervisor(), homedir);
	gpg_run(g, 0);
	if (e || (e = gpgme_set_ctx_flag(g->ctx, "full-status", "1")))
		goto fail;
	gpgme_set_status_cb(g->ctx, gpg_status_cb, &g->seen);
	gpgme_set_armor(g->ctx, 0);
	if ((e = gpgme_set_pinentry_mode(g->ctx, GPGME_PINENTRY_MODE_DEFAULT)))
		goto fail;
	*gp = g;
	return GPG_OK;
fail:
	gpg_close(g);
	return gpg_fail(e, "GPGME CMS context", err, errsz);
}

/* gpg_is_cms - see gpg.h */
int
gpg_is_cms(const struct gpg *g)
{
	return g != NULL && g->cms;
}

/* gpg_cms_agent_ok - the next Assuan reply on fd, within ms each read:
 * 1 for OK, 0 for anything else (ERR, the end, too slow) */
static int
gpg_cms_agent_ok(int fd, int ms)
{
	char line[1024];
	struct pollfd p;
	size_t n = 0;
	ssize_t r;

	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		if (poll(&p, 1, ms) != 1 ||
		    (r = read(fd, line + n, 1)) != 1)
			return 0;
		if (line[n] != '\n' && n + 1 < sizeof line) {
			n++;
			continue;
		}
		line[n] = '\0';
		/* status and comment lines come before the answer */
		if (strncmp(line, "OK", 2) == 0 && (line[2] == '\0' ||
		    line[2] == ' '))
			return 1;
		if (line[0] != 'S' && line[0] != '#')
			return 0;
		n = 0;
	}
}

/*
 * gpg_cms_trust_reload - see gpg.h.  gpg-agent answers gpgsm's question
 * whether a root is trusted from trustlist.txt as it read it when it
 * started (or last reloaded): RELOADAGENT on its socket in the home
 * makes it read the file again.  No agent there (none running, or its
 * socket elsewhere): nothing to do, one that starts reads the file.
 * Plain Assuan on the socket: GPGME's Assuan engine is not set up here
 * (gpg.c gpg_engine_sup answers in gpgconf's place).
 */
int
gpg_cms_trust_reload(struct gpg *g)
{
	static const char cmd[] = "RELOADAGENT\n";
	struct sockaddr_un sun;
	int fd, ok = 0;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof sun.sun_path,
	    "%s/S.gpg-agent", g->home) >= sizeof sun.sun_path ||
	    access(sun.sun_path, F_OK) == -1)
		return 0;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		ok = errno == ECONNREFUSED || errno == ENOENT;	/* none */
	else
		ok = gpg_cms_agent_ok(fd, GPG_AGENT_MS) &&
		    send(fd, cmd, sizeof cmd - 1, MSG_NOSIGNAL) ==
		    (ssize_t)sizeof cmd - 1 &&
		    gpg_cms_agent_ok(fd, GPG_AGENT_MS);
	close(fd);
	return ok ? 0 : -1;
}

/* gpg_deadline - see gpg.h */
void
gpg_deadline(struct gpg *g, unsigned int secs)
{
	g->deadline = secs;
}

/* gpg_run - gpg_supervise for g's engine: for gpgsm, the supervisor
 * runs gpgsm with g's deadline; on: before a GPGME call that may
 * start it, off: after */
void
gpg_run(struct gpg *g, int on)
{
	char secs[16];

	if (!g->cms) {
		gpg_supervise(on);
		return;
	}
	gpgsup_env(on, gpgsm_real, NULL);
	if (on && g->deadline > 0) {
		snprintf(secs, sizeof secs, "%u", g->deadline);
		(void)setenv(GPGSUP_DEADLINE_ENV, secs, 1);
	} else
		(void)unsetenv(GPGSUP_DEADLINE_ENV);
}

/*
 * gpg_cms_done - end the context's gpgsm (GPGME would keep it for the
 * next operation; switching protocols releases GPGME's engine), and
 * say whether the operation that returned e ended at gpgsm's word.
 * GPGME ends an operation alike at gpgsm's "OK" and at the end of the
 * connection (a gpgsm that died or was killed: a key listing then looks
 * finished and empty, a decryption "No data"), and gives us no "OK".
 * An error gpgsm sent ("ERR") keeps the source that made it (gpgsm,
 * KSBA, dirmngr...); one of GPGME's own or Assuan's is no answer.  A
 * success is asked one more command on the same gpgsm (GETAUDITLOG, on
 * the engine GPGME keeps; the supervisor's variable is off, so no new
 * gpgsm can answer): an answer ("OK", or "ERR" no data) proves gpgsm
 * alive after the operation, which therefore ended at its "OK".  The
 * operation's results are gone after this (GPGME resets them).
 * 1: gpgsm's answer (always on OpenPGP); 0: gpgsm was gone.
 */
int
gpg_cms_done(struct gpg *g, gpgme_error_t e)
{
	gpgme_data_t d;
	int said;

	if (!g->cms)
		return 1;
	switch (e ? gpgme_err_source(e) : GPG_ERR_SOURCE_GPGME) {
	case GPG_ERR_SOURCE_UNKNOWN:
	case GPG_ERR_SOURCE_GPGME:
	case GPG_ERR_SOURCE_ASSUAN:
		said = 0;
		break;
	default:
		said = 1;	/* an "ERR" line of gpgsm's */
	}
	/* a listing's end is GPGME's GPG_ERR_EOF */
	if (said || (e && gpgme_err_code(e) != GPG_ERR_EOF))
		;
	else if ((e = gpgme_data_new(&d)) == 0) {
		e = gpgme_op_getauditlog(g->ctx, d, 0);
		gpgme_data_release(d);
		said = e == 0 || gpgme_err_code(e) == GPG_ERR_NO_DATA;
	} else
		said = 0;
	(void)gpgme_set_protocol(g->ctx, GPGME_PROTOCOL_OpenPGP);
	(void)gpgme_set_protocol(g->ctx, GPGME_PROTOCOL_CMS);
	return said;
}

/* gpg_cms_fpr - p is a certificate's SHA-1 fingerprint (40 hex
 * digits) */
static int
gpg_cms_fpr(const char *p)
{
	return strlen(p) == 40 && strspn(p, "0123456789abcdefABCDEF") == 40;
}

/* gpg_cms_want - k has an email address equal to one of the n
 * addresses (patterns "<addr>", "*addr" or "addr"), ignoring case, or
 * is the certificate of a fingerprint pattern; with none, every
 * certificate is wanted */
static int
gpg_cms_want(gpgme_key_t k, char *const *pat, size_t n)
{
	gpgme_user_id_t u;
	const char *p;
	size_t i, len;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (gpg_cms_fpr(pat[i]) && k->fpr != NULL &&
		    strcasecmp(k->fpr, pat[i]) == 0)
			return 1;
	for (u = k->uids; u != NULL; u = u->next) {
		if (u->address == NULL)
			continue;
		for (i = 0; i < n; i++) {
			p = pat[i] + (pat[i][0] == '<' || pat[i][0] == '*');
			len = strlen(p);
			if (len > 0 && p[len - 1] == '>' && pat[i][0] == '<')
				len--;
			if (strlen(u->address) == len &&
			    strncasecmp(u->address, p, len) == 0)
				return 1;
		}
	}
	return 0;
}

/* gpg_cms_copy - our view of a certificate */
static void
gpg_cms_copy(gpgme_key_t k, int secret, struct gpg_key *out)
{
	gpgme_subkey_t sk = k->subkeys;
	gpgme_user_id_t u;
	size_t i;

	memset(out, 0, sizeof *out);
	out->x509 = 1;
	out->fpr = xstrdup(k->fpr != NULL ? k->fpr : sk != NULL &&
	    sk->fpr != NULL ? sk->fpr : "");
	out->expired = k->expired;
	out->revoked = k->revoked;
	out->invalid = k->invalid;
	out->usable = !k->expired && !k->revoked && !k->invalid &&
	    !k->disabled;
	out->can_encrypt = out->usable && k->can_encrypt;
	out->can_sign = out->usable && k->can_sign;
	out->secret = secret || k->secret;
	if (sk != NULL) {
		out->created = sk->timestamp > 0 ? sk->timestamp : 0;
		out->expires = sk->expires > 0 ? sk->expires : 0;
	}
	gpgme_key_ref(k);
	out->handle = k;
	for (u = k->uids; u != NULL; u = u->next) {
		if (u->address == NULL || u->address[0] == '\0' ||
		    strchr(u->address, '@') == NULL)
			continue;
		for (i = 0; i < out->nuids; i++)
			if (strcasecmp(out->uids[i], u->address) == 0)
				break;
		if (i < out->nuids)
			continue;
		out->uids = xappend(out->uids, out->nuids, sizeof *out->uids);
		out->uidfull = xappend(out->uidfull, out->nuids,
		    sizeof *out->uidfull);
		out->uidfull[out->nuids] = out->usable &&
		    (u->validity == GPGME_VALIDITY_FULL ||
		    u->validity == GPGME_VALIDITY_ULTIMATE);
		out->uids[out->nuids++] = xstrdup(u->address);
	}
}

/*
 * gpg_cms_why - see gpgint.h: what gpgsm's refusal of a certificate (its chain
 * validation) says.  A check that could not finish (no CRL to be had,
 * dirmngr down or unreachable, a CRL too old, a system error) is no
 * verdict on the certificate: CMS_WHY_TEMP.
 */
enum gpg_cms_why
gpg_cms_why(gpgme_error_t e)
{
	switch (gpgme_err_code(e)) {
	case GPG_ERR_NOT_TRUSTED:
	case GPG_ERR_MISSING_CERT:
	case GPG_ERR_MISSING_ISSUER_CERT:
	case GPG_ERR_BAD_CA_CERT:
	case GPG_ERR_NO_POLICY_MATCH:
		return CMS_WHY_UNTRUSTED;
	case GPG_ERR_CERT_REVOKED:
		return CMS_WHY_REVOKED;
	case GPG_ERR_CERT_EXPIRED:
	case GPG_ERR_CERT_TOO_YOUNG:
		return CMS_WHY_EXPIRED;
	case GPG_ERR_BAD_CERT:
	case GPG_ERR_BAD_CERT_CHAIN:
	case GPG_ERR_BAD_SIGNATURE:
	case GPG_ERR_WRONG_KEY_USAGE:
	case GPG_ERR_UNSUPPORTED_CERT:
	case GPG_ERR_UNSUPPORTED_ALGORITHM:
	case GPG_ERR_PUBKEY_ALGO:
	case GPG_ERR_INV_CERT_OBJ:
		return CMS_WHY_INVALID;
	default:
		return CMS_WHY_TEMP;
	}
}

/*
 * gpg_cms_probe - why gpgsm's listing calls k invalid.  The listing
 * says "i" for an untrusted root and for a CRL it could not get alike,
 * and keeps the reason; gpgsm's RECIPIENT command validates the same
 * chain and answers with the reason: one encryption of nothing to k,
 * thrown away.  GPG_OK with k's flags set, or GPG_TEMPFAIL when the
 * validation did not finish (err says why).
 */
static enum gpg_status
gpg_cms_probe(struct gpg *g, struct gpg_key *k, char *err, size_t errsz)
{
	gpgme_data_t plain = NULL, cipher = NULL;
	gpgme_error_t e;
	char *recp;
	size_t len = strlen(k->fpr) + 4;

	recp = xmalloc(len);
	snprintf(recp, len, "--\n%s", k->fpr);
	if (!(e = gpgme_data_new_from_mem(&plain, "", 0, 0)) &&
	    !(e = gpgme_data_new(&cipher))) {
		memset(&g->seen, 0, sizeof g->seen);
		gpg_run(g, 1);
		e = gpgme_op_encrypt_ext(g->ctx, NULL, recp,
		    GPGME_ENCRYPT_NO_ENCRYPT_TO, plain, cipher);
		gpg_run(g, 0);
		if (!gpg_cms_done(g, e))
			e = gpgme_error(GPG_ERR_EOF);
	}
	gpgme_data_release(plain);
	gpgme_data_release(cipher);
	free(recp);
	switch (e ? gpg_cms_why(e) : CMS_WHY_TEMP) {
	case CMS_WHY_UNTRUSTED:
		k->untrusted = 1;
		return GPG_OK;
	case CMS_WHY_REVOKED:
		k->revoked = 1;
		return GPG_OK;
	case CMS_WHY_EXPIRED:
		k->expired = 1;
		return GPG_OK;
	case CMS_WHY_INVALID:
		return GPG_OK;
	default:
		snprintf(err, errsz, "certificate %s: validation did not "
		    "finish: %s", k->fpr, e ? gpgme_strerror(e) :
		    "gpgsm took it after listing it invalid");
		return GPG_TEMPFAIL;
	}
}

/* gpg_cms_patterns - the n patterns (addresses, "*addr" or "<addr>") as
 * gpgsm's exact email patterns "<addr>", a fingerprint as it is: the
 * strings (the caller frees each and the array), and in *pat the same
 * for GPGME */
static char **
gpg_cms_patterns(char *const *patterns, size_t n, const char ***pat)
{
	char **own;
	const char *p;
	size_t i, len;

	*pat = xcalloc(n + 1, sizeof **pat);
	own = xcalloc(n + 1, sizeof *own);
	for (i = 0; i < n; i++) {
		p = patterns[i] + (patterns[i][0] == '*' ||
		    patterns[i][0] == '<');
		len = strcspn(p, ">");
		own[i] = xmalloc(len + 3);
		if (gpg_cms_fpr(patterns[i]))
			snprintf(own[i], len + 3, "%s", patterns[i]);
		else
			snprintf(own[i], len + 3, "<%.*s>", (int)len, p);
		(*pat)[i] = own[i];
	}
	return own;
}

/*
 * gpg_cms_list1 - one listing with validation (chain, expiry,
 * revocation), patterns as gpgsm's exact email match "<addr>", the
 * certificates kept whose email address equals one ignoring case; each
 * one listed invalid probed for why (gpg_cms_probe).  No patterns:
 * every certificate.
 */
static enum gpg_status
gpg_cms_list1(struct gpg *g, char *const *patterns, size_t n, int secret,
    struct gpg_keylist *list, char *err, size_t errsz)
{
	const char **pat;
	char **own;
	gpgme_key_t k;
	gpgme_error_t e;
	size_t i;
	enum gpg_status st = GPG_OK;

	memset(list, 0, sizeof *list);
	own = gpg_cms_patterns(patterns, n, &pat);
	memset(&g->seen, 0, sizeof g->seen);
	gpgme_set_keylist_mode(g->ctx, GPGME_KEYLIST_MODE_LOCAL |
	    (secret == -1 ? 0 : GPGME_KEYLIST_MODE_VALIDATE));
	gpg_run(g, 1);
	e = n > 0 ? gpgme_op_keylist_ext_start(g->ctx, pat, secret != 0, 0) :
	    gpgme_op_keylist_start(g->ctx, NULL, secret != 0);
	gpg_run(g, 0);
	while (!e && (e = gpgme_op_keylist_next(g->ctx, &k)) == 0) {
		if (!gpg_cms_want(k, own, n)) {
			gpgme_key_unref(k);
			continue;
		}
		if (list->n >= LIMIT_KEYS) {
			gpgme_key_unref(k);
			snprintf(err, errsz, "certificate listing: more than %d",
			    LIMIT_KEYS);
			st = GPG_TOOMANY;
			break;
		}
		list->v = xappend(list->v, list->n, sizeof *list->v);
		gpg_cms_copy(k, secret != 0, &list->v[list->n++]);
		gpgme_key_unref(k);
	}
	for (i = 0; i < n; i++)
		free(own[i]);
	free(own);
	free(pat);
	gpgme_op_keylist_end(g->ctx);
	if (st != GPG_OK) {	/* gpgsm may be listing still: no question */
		(void)gpg_cms_done(g, gpgme_err_make(GPG_ERR_SOURCE_GPGME,
		    GPG_ERR_CANCELED));
		return st;
	}
	if (!gpg_cms_done(g, e)) {
		gpg_keylist_free(list);
		snprintf(err, errsz, "certificate listing: gpgsm did not "
		    "finish");
		return GPG_TEMPFAIL;
	}
	if (gpgme_err_code(e) != GPG_ERR_EOF || g->seen.error) {
		gpg_keylist_free(list);
		if (g->seen.error && gpgme_err_code(e) == GPG_ERR_EOF)
			snprintf(err, errsz, "certificate listing: gpgsm said "
			    "%.96s", g->seen.what);
		else
			gpg_fail(e, "certificate listing", err, errsz);
		return GPG_TEMPFAIL;
	}
	if (list->n == 0 && gpg_cms_kbx_bad(g->home)) {
		snprintf(err, errsz, "certificate listing: %.200s/pubring.kbx "
		    "is no keybox (gpgsm lists nothing from it, and says "
		    "nothing)", g->home);
		return GPG_TEMPFAIL;
	}
	return secret == -1 ? GPG_OK : gpg_cms_probe_all(g, list, err, errsz);
}

/*
 * gpg_cms_kbx_bad - the home's pubring.kbx exists, is not empty, and
 * does not start with a keybox's header blob (a length of at least 32,
 * type 1, "KBXf" at offset 8).  gpgsm 2.2 lists nothing from a damaged
 * keybox and answers OK without a word: the listing would be "no
 * certificate" for everyone.  A file that cannot be read is gpgsm's to
 * report (gpghome_check looked at it before): 0.
 */
static int
gpg_cms_kbx_bad(const char *home)
{
	unsigned char b[12];
	char path[sizeof ((struct gpg *)0)->home + 16];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof path, "%s/pubring.kbx", home) >=
	    (int)sizeof path ||
	    (fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW)) == -1)
		return 0;
	n = read(fd, b, sizeof b);
	close(fd);
	if (n <= 0)
		return 0;
	return n < (ssize_t)sizeof b || ((unsigned long)b[0] << 24 |
	    (unsigned long)b[1] << 16 | (unsigned long)b[2] << 8 | b[3]) < 32 ||
	    b[4] != 1 || memcmp(b + 8, "KBXf", 4) != 0;
}

/* gpg_cms_merge - the certificates of part moved into list, but those
 * list has (one pattern of each of two chunks matched them); part is
 * freed.  GPG_TOOMANY past LIMIT_KEYS. */
static enum gpg_status
gpg_cms_merge(struct gpg_keylist *list, struct gpg_keylist *part, char *err,
    size_t errsz)
{
	struct gpg_keylist dup = { NULL, 0 };
	size_t i, j;

	for (i = 0; i < part->n; i++) {
		for (j = 0; j < list->n; j++)
			if (strcmp(list->v[j].fpr, part->v[i].fpr) == 0)
				break;
		if (j < list->n) {
			dup.v = xappend(dup.v, dup.n, sizeof *dup.v);
			dup.v[dup.n++] = part->v[i];
			continue;
		}
		list->v = xappend(list->v, list->n, sizeof *list->v);
		list->v[list->n++] = part->v[i];
	}
	free(part->v);
	memset(part, 0, sizeof *part);
	gpg_keylist_free(&dup);
	if (list->n <= LIMIT_KEYS)
		return GPG_OK;
	snprintf(err, errsz, "certificate listing: more than %d", LIMIT_KEYS);
	return GPG_TOOMANY;
}

/*
 * gpg_cms_keylist - gpg_keylist_run on a CMS context: gpg_cms_list1 on
 * as many patterns at a time as fit one LISTKEYS line.  libassuan cuts
 * a line GPGME writes at 1000 bytes without a word (assuan_write_line:
 * "supplied line too long - truncated"), and gpgsm then lists what the
 * patterns left whole match: certificates of the later recipients
 * would be "no certificate".  So the patterns, as GPGME escapes them
 * ('%', '+' and space: 3 bytes), are sent GPG_CMS_LINE bytes at a time.
 */
#define GPG_CMS_LINE	900
enum gpg_status
gpg_cms_keylist(struct gpg *g, char *const *patterns, size_t n, int secret,
    struct gpg_keylist *list, char *err, size_t errsz)
{
	struct gpg_keylist part;
	enum gpg_status st = GPG_OK;
	size_t i = 0, m, len, one;
	const char *c;

	if (n == 0)
		return gpg_cms_list1(g, NULL, 0, secret, list, err, errsz);
	memset(list, 0, sizeof *list);
	while (i < n && st == GPG_OK) {
		for (m = 0, len = 0; i + m < n; m++) {
			for (one = 3, c = patterns[i + m]; *c != '\0'; c++)
				one += strchr("%+ ", *c) != NULL ? 3 : 1;
			if (m > 0 && len + one > GPG_CMS_LINE)
				break;
			len += one;
		}
		if ((st = gpg_cms_list1(g, patterns + i, m, secret, &part, err,
		    errsz)) == GPG_OK)
			st = gpg_cms_merge(list, &part, err, errsz);
		i += m;
	}
	if (st != GPG_OK && st != GPG_TOOMANY)
		gpg_keylist_free(list);
	return st;
}

/* gpg_cms_probe_all - each certificate of list listed invalid (not
 * expired or revoked) probed for why (gpg_cms_probe): GPG_OK, or
 * GPG_TEMPFAIL with the list freed */
static enum gpg_status
gpg_cms_probe_all(struct gpg *g, struct gpg_keylist *list, char *err,
    size_t errsz)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (list->v[i].invalid && !list->v[i].expired &&
		    !list->v[i].revoked && gpg_cms_probe(g, &list->v[i], err,
		    errsz) != GPG_OK) {
			gpg_keylist_free(list);
			return GPG_TEMPFAIL;
		}
	return GPG_OK;
}
