/*
 * gpg.c - the OpenPGP engine: GPGME lives here and in gpgop.c (the
 * operations on an open context), nowhere else.  Here: GPGME's start,
 * the context, the supervisor switch, key listing, WKD and Autocrypt.
 *
 * Design (FACTS.md): every GPGME operation forks a gpg, so a message
 * costs one key listing and one crypto operation.  We never let gpg pick
 * keys by name: its -r does a substring match.  Callers resolve
 * recipients themselves from gpg_keylist() and encrypt to fingerprints.
 * Data flows through callback data objects in GPGME's small steps, so
 * memory does not grow with the message; the callbacks (gpgio.c) and
 * the judgement of what gpg said (gpgstatus.c) need no GPGME type and
 * live apart.
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gpgme.h>

#include "gpg.h"
#include "gpghome.h"
#include "gpgint.h"
#include "gpgstatus.h"
#include "gpgsup.h"
#include "limit.h"
#include "xmalloc.h"

static int		 gpg_initialised;
static char		 gpg_real[4096];	/* the gpg GPGME found */
static char		 gpg_sup[4096];		/* what GPGME starts instead */
static char		*gpg_home;		/* GNUPGHOME for gpg, or NULL */

static void		 gpg_key_copy(gpgme_key_t, int, struct gpg_key *);
static void		 gpg_key_life(gpgme_key_t, struct gpg_key *);
static enum gpg_status	 gpg_init(char *, size_t);
static int		 gpg_engine_sup(void);

/* gpg_fail - describe a GPGME error; every such error is temporary */
enum gpg_status
gpg_fail(gpgme_error_t e, const char *what, char *err, size_t errsz)
{
	snprintf(err, errsz, "%s: %s", what, gpgme_strerror(e));
	return GPG_TEMPFAIL;
}

/* gpg_status_cb - GPGME's full-status callback: every status line */
gpgme_error_t
gpg_status_cb(void *hook, const char *keyword, const char *args)
{
	struct gpgstatus *seen = hook;

	gpgstatus_line(seen, keyword, args);
	if (seen->error && seen->error_text[0] == '\0')
		snprintf(seen->error_text, sizeof seen->error_text, "%s",
		    gpgme_strerror((gpgme_error_t)seen->error_code));
	return 0;
}

/* gpg_supervise - GPGME's gpg is the supervisor (gpgsup.h) while the
 * variable naming the real gpg is set: only around GPGME calls that
 * start gpg, so no other child of ours sees it.  Should setenv fail,
 * GPGME starts a mailseal that is no supervisor: no exit line, so no
 * result is trusted (75).  The home given to gpg_open goes to gpg the
 * same way, as GNUPGHOME (see gpg_open), and is taken back after. */
void
gpg_supervise(int on)
{
	gpgsup_env(on, gpg_real, gpg_home);
}

/*
 * gpg_engine_sup - make the supervisor GPGME's gpg and gpgsm before
 * GPGME knows its engines.  GPGME learns gpgsm's file name only from
 * `gpgconf --list-components` (with gpgconf disabled it knows gpg
 * alone, and no CMS engine can be set), so the supervisor answers in
 * gpgconf's place (GPGSUP_CONF_ENV): GPGME looks its gpgconf up on PATH
 * under the "gpgconf-name" global flag's base name, so PATH is, for that
 * look-up only, the supervisor's directory; the supervisor names itself
 * for gpg and gpgsm and answers the `--version` runs GPGME makes while
 * it lists its engines, without running gpg or gpgconf (gpg_init then
 * asks gpg's version once, through the supervisor).  1: done; 0: GPGME
 * found something else.
 */
static int
gpg_engine_sup(void)
{
	gpgme_engine_info_t info;
	char dir[sizeof gpg_sup], *old = NULL, *slash;
	const char *v, *name;
	int ok;

	memcpy(dir, gpg_sup, sizeof dir);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir ||
	    gpgme_set_global_flag("gpgconf-name", slash + 1) != 0)
		return 0;
	*slash = '\0';
	if ((v = getenv("PATH")) != NULL)
		old = xstrdup(v);
	ok = setenv(GPGSUP_CONF_ENV, gpg_sup, 1) == 0 &&
	    setenv("PATH", dir, 1) == 0 &&
	    (name = gpgme_get_dirinfo("gpg-name")) != NULL &&
	    strcmp(name, gpg_sup) == 0 && gpgme_get_engine_info(&info) == 0;
	if (old != NULL)
		(void)setenv("PATH", old, 1);
	else
		(void)unsetenv("PATH");
	(void)unsetenv(GPGSUP_CONF_ENV);
	free(old);
	return ok;
}

/* gpg_init - initialise GPGME once; its gpg becomes the supervisor */
static enum gpg_status
gpg_init(char *err, size_t errsz)
{
	gpgme_error_t e;

	if (gpgme_check_version(GPGME_VERSION) == NULL) {
		snprintf(err, errsz, "GPGME is older than %s", GPGME_VERSION);
		return GPG_TEMPFAIL;
	}
	if ((e = gpgme_set_locale(NULL, LC_CTYPE, setlocale(LC_CTYPE, NULL))))
		return gpg_fail(e, "GPGME locale", err, errsz);
	if (gpgsup_find_gpg(gpg_real, sizeof gpg_real) == -1) {
		snprintf(err, errsz, "gpg engine: no gpg on PATH");
		return GPG_TEMPFAIL;
	}
	gpgsup_path(gpg_sup, sizeof gpg_sup);
	if (gpg_sup[0] != '/' || access(gpg_sup, X_OK) == -1) {
		snprintf(err, errsz, "gpg supervisor %s: %s", gpg_sup,
		    strerror(errno));
		return GPG_TEMPFAIL;
	}
	(void)gpg_engine_sup();
	/* gpg's version, once: the supervisor runs `gpg --version` */
	gpg_supervise(1);
	if ((e = gpgme_set_engine_info(GPGME_PROTOCOL_OpenPGP, gpg_sup,
	    NULL)) == 0)
		e = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP);
	gpg_supervise(0);
	if (e)
		return gpg_fail(e, "gpg engine", err, errsz);
	gpg_initialised = 1;
	return GPG_OK;
}

/* gpg_ready - GPGME initialised (gpg_init), for gpgcms.c's contexts */
enum gpg_status
gpg_ready(char *err, size_t errsz)
{
	return gpg_initialised ? GPG_OK : gpg_init(err, errsz);
}

/* gpg_supervisor - the supervisor GPGME starts (gpg_init found it) */
const char *
gpg_supervisor(void)
{
	return gpg_sup;
}

/*
 * gpg_open - see gpg.h.  The home goes to gpg as GNUPGHOME (set around
 * each run by gpg_supervise), not as a context's engine home: that
 * would run `gpg --version` once more per context.  The first open
 * fixes that home; a later one with another home (not done today) gets
 * it as the context's engine home (--homedir wins over GNUPGHOME), one
 * with none while the first had one is refused.
 */
enum gpg_status
gpg_open(struct gpg **gp, const char *homedir, char *err, size_t errsz)
{
	gpgme_error_t e = 0;
	struct gpg *g;
	char home[sizeof g->home];

	if (gpghome_check(homedir, home, sizeof home, err, errsz) == -1)
		return GPG_TEMPFAIL;
	if (!gpg_initialised) {
		if (homedir != NULL && gpg_home == NULL)
			gpg_home = xstrdup(homedir);
		if (gpg_init(err, errsz) != GPG_OK)
			return GPG_TEMPFAIL;
	} else if (homedir == NULL && gpg_home != NULL) {
		/* every run gets the first home as GNUPGHOME */
		snprintf(err, errsz, "gpg: a second GnuPG home in one process");
		return GPG_TEMPFAIL;
	}
	g = xcalloc(1, sizeof *g);
	memcpy(g->home, home, sizeof g->home);
	if ((e = gpgme_new(&g->ctx)))
		goto fail;
	if ((e = gpgme_set_protocol(g->ctx, GPGME_PROTOCOL_OpenPGP)))
		goto fail;
	gpg_supervise(1);
	if (homedir != NULL && (gpg_home == NULL ||
	    strcmp(homedir, gpg_home) != 0))
		e = gpgme_ctx_set_engine_info(g->ctx, GPGME_PROTOCOL_OpenPGP,
		    gpg_sup, homedir);
	gpg_supervise(0);
	if (e)
		goto fail;
	if ((e = gpgme_set_ctx_flag(g->ctx, "full-status", "1")))
		goto fail;
	gpgme_set_status_cb(g->ctx, gpg_status_cb, &g->seen);
	gpgme_set_armor(g->ctx, 1);
	gpgme_set_offline(g->ctx, 1);
	if ((e = gpgme_set_pinentry_mode(g->ctx, GPGME_PINENTRY_MODE_DEFAULT)))
		goto fail;
	*gp = g;
	return GPG_OK;
fail:
	gpg_close(g);
	return gpg_fail(e, "GPGME context", err, errsz);
}

/* gpg_engine_version - see gpg.h.  GPGME keeps what the engine's
 * `--version` said since gpg_init: asking again runs nothing. */
int
gpg_engine_version(char *buf, size_t bufsz)
{
	gpgme_engine_info_t info;
	int n;

	if (bufsz > 0)
		buf[0] = '\0';
	if (!gpg_initialised || gpgme_get_engine_info(&info) != 0)
		return -1;
	for (; info != NULL; info = info->next)
		if (info->protocol == GPGME_PROTOCOL_OpenPGP &&
		    info->version != NULL) {
			n = snprintf(buf, bufsz, "%s", info->version);
			return n < 0 || (size_t)n >= bufsz ? -1 : 0;
		}
	return -1;
}

/* gpg_close - release the context */
void
gpg_close(struct gpg *g)
{
	if (g == NULL)
		return;
	if (g->ctx != NULL)
		gpgme_release(g->ctx);
	free(g);
}

/*
 * gpg_key_life - when the key was made and until when it encrypts.  gpg
 * encrypts to the newest valid encryption subkey, the primary key only
 * when no subkey can (getkey.c finish_lookup); the key stops encrypting
 * when that subkey or the primary key expires.  A key whose primary key
 * expired, or whose encryption subkeys all did, counts as expired, at
 * the latest such date.
 */
static void
gpg_key_life(gpgme_key_t k, struct gpg_key *out)
{
	gpgme_subkey_t pk = k->subkeys, sk, use = NULL;
	long long gone = 0;

	if (pk == NULL)
		return;
	out->created = pk->timestamp > 0 ? pk->timestamp : 0;
	for (sk = pk->next; sk != NULL; sk = sk->next) {
		if (!sk->can_encrypt || sk->revoked || sk->disabled ||
		    sk->invalid)
			continue;
		if (sk->expired) {
			if (sk->expires > gone)
				gone = sk->expires;
		} else if (use == NULL || sk->timestamp > use->timestamp)
			use = sk;
	}
	if (use == NULL && pk->can_encrypt && !pk->expired)
		use = pk;
	if (pk->expired) {
		out->expired = 1;
		out->expires = pk->expires;
	} else if (use == NULL && gone > 0) {
		out->expired = 1;
		out->expires = gone;
	} else if (use != NULL) {
		out->expires = pk->expires;
		if (use->expires > 0 && (out->expires == 0 ||
		    use->expires < out->expires))
			out->expires = use->expires;
	}
}

/* gpg_key_copy - our view of a GPGME key */
static void
gpg_key_copy(gpgme_key_t k, int secret, struct gpg_key *out)
{
	gpgme_subkey_t sk;
	gpgme_user_id_t u;

	memset(out, 0, sizeof *out);
	out->fpr = xstrdup(k->fpr != NULL ? k->fpr :
	    (k->subkeys != NULL && k->subkeys->fpr != NULL ?
	    k->subkeys->fpr : ""));
	out->can_encrypt = k->can_encrypt;
	out->can_sign = k->can_sign;
	out->usable = !k->expired && !k->revoked && !k->disabled &&
	    !k->invalid;
	out->revoked = k->revoked;
	out->disabled = k->disabled;
	out->invalid = k->invalid;
	for (sk = k->subkeys; sk != NULL; sk = sk->next)
		if (sk->can_encrypt && !sk->revoked && !sk->expired &&
		    gpgme_pubkey_algo_name(sk->pubkey_algo) == NULL)
			out->unsupported = 1;
	gpg_key_life(k, out);
	if (out->can_encrypt && gpg_key_small(k))
		out->can_encrypt = 0, out->unsupported = 1;
	out->secret = secret || k->secret;
	gpgme_key_ref(k);
	out->handle = k;
	for (u = k->uids; u != NULL; u = u->next) {
		/* a revoked key's user IDs count as revoked too: kept,
		 * so recip_explain() can say the key is revoked */
		if ((u->revoked && !k->revoked) || u->invalid ||
		    u->address == NULL || u->address[0] == '\0')
			continue;
		out->uids = xappend(out->uids, out->nuids, sizeof *out->uids);
		out->uidfull = xappend(out->uidfull, out->nuids,
		    sizeof *out->uidfull);
		out->uidfull[out->nuids] = u->validity == GPGME_VALIDITY_FULL ||
		    u->validity == GPGME_VALIDITY_ULTIMATE;
		out->uids[out->nuids++] = xstrdup(u->address);
	}
}

/* gpg_keylist - see gpg.h */
enum gpg_status
gpg_keylist(struct gpg *g, char *const *patterns, size_t n, int secret,
    struct gpg_keylist *list, char *err, size_t errsz)
{
	memset(list, 0, sizeof *list);
	if (n == 0)
		return GPG_OK;	/* never list the whole keyring */
	return gpg_keylist_run(g, patterns, n, secret, list, err, errsz);
}

/* gpg_keylist_all - see gpg.h */
enum gpg_status
gpg_keylist_all(struct gpg *g, struct gpg_keylist *list, char *err,
    size_t errsz)
{
	enum gpg_status st;

	st = gpg_keylist_run(g, NULL, 0, 0, list, err, errsz);
	if (st == GPG_OK && gpg_ecdh_check(g, list, err, errsz) == -1)
		st = GPG_TEMPFAIL;
	return st;
}

/* gpg_keylist_enc - see gpg.h */
enum gpg_status
gpg_keylist_enc(struct gpg *g, char *const *patterns, size_t n,
    struct gpg_keylist *list, char *err, size_t errsz)
{
	enum gpg_status st;

	st = gpg_keylist(g, patterns, n, 0, list, err, errsz);
	if (st == GPG_OK && gpg_ecdh_check(g, list, err, errsz) == -1) {
		gpg_keylist_free(list);
		st = GPG_TEMPFAIL;
	}
	return st;
}

/* gpg_seckey_count - see gpg.h */
enum gpg_status
gpg_seckey_count(struct gpg *g, size_t *n, char *err, size_t errsz)
{
	struct gpg_keylist list;
	enum gpg_status st;

	st = gpg_keylist_run(g, NULL, 0, 1, &list, err, errsz);
	*n = st == GPG_TOOMANY ? LIMIT_KEYS + 1 : list.n;
	gpg_keylist_free(&list);
	return st == GPG_TOOMANY ? GPG_OK : st;
}

/* gpg_keylist_run - one listing; no patterns: the whole keyring */
enum gpg_status
gpg_keylist_run(struct gpg *g, char *const *patterns, size_t n, int secret,
    struct gpg_keylist *list, char *err, size_t errsz)
{
	const char **pat;
	gpgme_key_t k;
	gpgme_error_t e;
	size_t i;
	enum gpg_status st = GPG_OK;

	if (g->cms)
		return gpg_cms_keylist(g, patterns, n, secret, list, err,
		    errsz);
	memset(list, 0, sizeof *list);
	pat = xcalloc(n + 1, sizeof *pat);
	for (i = 0; i < n; i++)
		pat[i] = patterns[i];
	memset(&g->seen, 0, sizeof g->seen);
	gpgme_set_keylist_mode(g->ctx, GPGME_KEYLIST_MODE_LOCAL);
	gpg_supervise(1);
	e = n > 0 ? gpgme_op_keylist_ext_start(g->ctx, pat, secret, 0) :
	    gpgme_op_keylist_start(g->ctx, NULL, secret);
	gpg_supervise(0);
	free(pat);
	if (e)
		return gpg_fail(e, "key listing", err, errsz);
	while ((e = gpgme_op_keylist_next(g->ctx, &k)) == 0) {
		if (list->n >= LIMIT_KEYS) {
			gpgme_key_unref(k);
			snprintf(err, errsz, "key listing: more than %d keys",
			    LIMIT_KEYS);
			st = GPG_TOOMANY;
			break;
		}
		list->v = xappend(list->v, list->n, sizeof *list->v);
		gpg_key_copy(k, secret, &list->v[list->n++]);
		gpgme_key_unref(k);
	}
	if (st != GPG_OK) {
		gpgme_op_keylist_end(g->ctx);
		return st;
	}
	if (gpgme_err_code(e) != GPG_ERR_EOF) {
		gpgme_op_keylist_end(g->ctx);
		return gpg_fail(e, "key listing", err, errsz);
	}
	if (!gpgstatus_listed(&g->seen, list->n)) {
		gpghome_why(g->home, &g->seen, "key listing", err, errsz);
		gpg_keylist_free(list);
		return GPG_TEMPFAIL;
	}
	return GPG_OK;
}

/* gpg_keylist_free - release a listing */
void
gpg_keylist_free(struct gpg_keylist *list)
{
	size_t i, j;

	for (i = 0; i < list->n; i++) {
		for (j = 0; j < list->v[i].nuids; j++)
			free(list->v[i].uids[j]);
		free(list->v[i].uids);
		free(list->v[i].uidfull);
		free(list->v[i].fpr);
		if (list->v[i].handle != NULL)
			gpgme_key_unref(list->v[i].handle);
	}
	free(list->v);
	memset(list, 0, sizeof *list);
}

/*
 * Web Key Directory lookups (gpg_locate).  gpg does the work: dirmngr
 * fetches the key over HTTPS, gpg imports it with only the user ID of
 * the address; we only ask, on a context of its own (auto-key-locate
 * and network use stay off the main one), within a deadline the
 * supervisor keeps.  gpg tells why nothing was found in its
 * diagnostics alone ("gpg: error retrieving 'ADDR' via WKD: No data"),
 * which GPGME keeps for us (GPGME_AUDITLOG_DIAG); the supervisor has
 * gpg write them in English.
 */

#define GPG_WKD_SAYS	"' via WKD: "

/* gpg_locate_why - from the last lookup's diagnostics, what gpg said
 * of the WKD ("No data"), into s->wkd (printable ASCII); "" when gpg
 * said nothing of it */
static void
gpg_locate_why(gpgme_ctx_t ctx, struct gpgstatus *s)
{
	static char buf[LIMIT_GPG_DIAG + 1];
	gpgme_data_t d;
	ssize_t r;
	size_t len = 0, i;
	char *p;

	s->wkd[0] = '\0';
	if (gpgme_data_new(&d))
		return;
	if (gpgme_op_getauditlog(ctx, d, GPGME_AUDITLOG_DIAG) == 0 &&
	    gpgme_data_seek(d, 0, SEEK_SET) == 0)
		while (len < LIMIT_GPG_DIAG && (r = gpgme_data_read(d, buf + len,
		    LIMIT_GPG_DIAG - len)) > 0)
			len += (size_t)r;
	gpgme_data_release(d);
	buf[len] = '\0';
	if ((p = strstr(buf, GPG_WKD_SAYS)) == NULL)
		return;
	p += strlen(GPG_WKD_SAYS);
	for (i = 0; p[i] != '\0' && p[i] != '\n' && i + 1 < sizeof s->wkd;
	    i++)
		s->wkd[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	s->wkd[i] = '\0';
}

/* gpg_locate_ctx - a context for one lookup, on g's engine and home,
 * its status lines into seen */
static gpgme_error_t
gpg_locate_ctx(struct gpg *g, gpgme_ctx_t *ctx, struct gpgstatus *seen)
{
	gpgme_engine_info_t info;
	gpgme_error_t e;

	if ((e = gpgme_new(ctx)) ||
	    (e = gpgme_set_protocol(*ctx, GPGME_PROTOCOL_OpenPGP)))
		return e;
	for (info = gpgme_ctx_get_engine_info(g->ctx); info != NULL;
	    info = info->next)
		if (info->protocol == GPGME_PROTOCOL_OpenPGP &&
		    info->home_dir != NULL && (e = gpgme_ctx_set_engine_info(
		    *ctx, GPGME_PROTOCOL_OpenPGP, gpg_sup, info->home_dir)))
			return e;
	if ((e = gpgme_set_ctx_flag(*ctx, "full-status", "1")) ||
	    (e = gpgme_set_ctx_flag(*ctx, "auto-key-locate",
	    "clear,nodefault,wkd")) ||
	    (e = gpgme_set_keylist_mode(*ctx,
	    GPGME_KEYLIST_MODE_LOCATE_EXTERNAL)))
		return e;
	gpgme_set_status_cb(*ctx, gpg_status_cb, seen);
	gpgme_set_offline(*ctx, 0);
	return 0;
}

/* gpg_located - what a finished lookup of addr that listed n keys
 * came to */
static enum gpg_status
gpg_located(const struct gpgstatus *s, const char *addr, size_t n,
    enum gpg_locate *res, char *err, size_t errsz)
{
	static const char *none[] = { "No data", "No name", "Not found",
	    "No public key", NULL };
	/* a domain without a web server has no directory: waiting for
	 * one would defer its mail until it bounces.  A forged refusal
	 * gains an attacker nothing wkd = no would not give him: the
	 * recipient has no key, as before.  A server that does not
	 * answer, or whose certificate fails, stays a deferral. */
	static const char *noserver[] = { "Connection refused",
	    "Network is unreachable", "No route to host", NULL };
	const char **w;

	if (s->exited && s->exit_code == 0 && n > 0) {
		*res = GPG_LOC_FOUND;
		return GPG_OK;
	}
	if (s->exited && !s->late && s->import_res) {
		*res = s->import_count == 0 ? GPG_LOC_UNREADABLE :
		    GPG_LOC_NOMATCH;
		return GPG_OK;
	}
	for (w = none; s->exited && !s->late && *w != NULL; w++)
		if (strcmp(s->wkd, *w) == 0) {
			*res = GPG_LOC_NOTFOUND;
			return GPG_OK;
		}
	for (w = noserver; s->exited && !s->late && *w != NULL; w++)
		if (strcmp(s->wkd, *w) == 0) {
			*res = GPG_LOC_NOSERVER;
			return GPG_OK;
		}
	snprintf(err, errsz, "WKD lookup of %s: %s", addr,
	    s->wkd[0] != '\0' && !s->late ? s->wkd : s->exited ? s->exit_how :
	    "gpg did not finish");
	return GPG_TEMPFAIL;
}

/* one lookup under way */
struct gpg_lookup {
	gpgme_ctx_t		 ctx;
	gpgme_error_t		 e;	/* it could not start */
	struct gpgstatus	 seen;
};

/* gpg_locate_start - l, the lookup of addr, started: gpg runs while the
 * others start (GPGME reads its output only when asked) */
static void
gpg_locate_start(struct gpg *g, struct gpg_lookup *l, const char *addr,
    const char *secs)
{
	memset(&l->seen, 0, sizeof l->seen);
	if ((l->e = gpg_locate_ctx(g, &l->ctx, &l->seen)))
		return;
	gpg_supervise(1);
	if (setenv(GPGSUP_DEADLINE_ENV, secs, 1) == -1)
		l->e = gpgme_error_from_syserror();
	else
		l->e = gpgme_op_keylist_start(l->ctx, addr, 0);
	(void)unsetenv(GPGSUP_DEADLINE_ENV);
	gpg_supervise(0);
}

/* gpg_locate_end - the lookup l of addr waited for, judged, released */
static enum gpg_status
gpg_locate_end(struct gpg_lookup *l, const char *addr, enum gpg_locate *res,
    char *err, size_t errsz)
{
	gpgme_key_t k;
	gpgme_error_t e = l->e;
	size_t n = 0;

	while (!e && (e = gpgme_op_keylist_next(l->ctx, &k)) == 0) {
		n++;
		gpgme_key_unref(k);
	}
	if (!l->e) {
		gpgme_op_keylist_end(l->ctx);
		gpg_locate_why(l->ctx, &l->seen);
	}
	gpgme_release(l->ctx);
	l->ctx = NULL;
	if (e && gpgme_err_code(e) != GPG_ERR_EOF && !l->seen.late)
		return gpg_fail(e, "WKD lookup", err, errsz);
	return gpg_located(&l->seen, addr, n, res, err, errsz);
}

/* gpg_locate - see gpg.h */
enum gpg_status
gpg_locate(struct gpg *g, char *const *addrs, size_t n, unsigned int timeout,
    enum gpg_locate *res, char *err, size_t errsz)
{
	struct gpg_lookup *l;
	enum gpg_status st = GPG_OK;
	char secs[16], scratch[GPG_ERRLEN];
	size_t i, j, m;

	snprintf(secs, sizeof secs, "%u", timeout > 0 ? timeout : 1);
	for (i = 0; i < n && st == GPG_OK; i += m) {
		m = n - i < LIMIT_WKD_PARALLEL ? n - i : LIMIT_WKD_PARALLEL;
		l = xcalloc(m, sizeof *l);
		for (j = 0; j < m; j++)
			gpg_locate_start(g, &l[j], addrs[i + j], secs);
		/* all are waited for: none is left running */
		for (j = 0; j < m; j++)
			if (gpg_locate_end(&l[j], addrs[i + j], &res[i + j],
			    st == GPG_OK ? err : scratch, st == GPG_OK ? errsz :
			    sizeof scratch) != GPG_OK)
				st = GPG_TEMPFAIL;
		free(l);
	}
	return st;
}

/* The bytes an export collects, up to a cap. */
struct gpg_membuf {
	unsigned char	*v;
	size_t		 n, max;
	int		 over;		/* more than max was written */
};

/* gpg_membuf_write - GPGME's write callback into a capped buffer */
static ssize_t
gpg_membuf_write(void *hook, const void *buf, size_t n)
{
	struct gpg_membuf *b = hook;

	if (n > b->max - b->n) {
		b->over = 1;
		errno = EFBIG;
		return -1;
	}
	b->v = xreallocarray(b->v, b->n + n, 1);
	memcpy(b->v + b->n, buf, n);
	b->n += n;
	return (ssize_t)n;
}

/* gpg_export_minimal - see gpg.h */
enum gpg_status
gpg_export_minimal(struct gpg *g, const char *fpr, size_t max,
    unsigned char **out, size_t *outlen, char *err, size_t errsz)
{
	struct gpgme_data_cbs cbs = { NULL, gpg_membuf_write, NULL, NULL };
	struct gpg_membuf b = { NULL, 0, max, 0 };
	gpgme_data_t data = NULL;
	gpgme_error_t e;
	enum gpg_status st = GPG_TEMPFAIL;

	*out = NULL;
	*outlen = 0;
	if ((e = gpgme_data_new_from_cbs(&data, &cbs, &b))) {
		gpg_fail(e, "GPGME data", err, errsz);
		goto out;
	}
	memset(&g->seen, 0, sizeof g->seen);
	gpgme_set_armor(g->ctx, 0);
	gpg_supervise(1);
	e = gpgme_op_export(g->ctx, fpr, GPGME_EXPORT_MODE_MINIMAL, data);
	gpg_supervise(0);
	gpgme_set_armor(g->ctx, 1);
	if (b.over) {
		snprintf(err, errsz, "key export: over %zu bytes", max);
		st = GPG_TOOMANY;
	} else if (e)
		gpg_fail(e, "key export", err, errsz);
	else if (!g->seen.exited || g->seen.exit_code != 0 || g->seen.error)
		gpghome_why(g->home, &g->seen, "key export", err, errsz);
	else if (b.n == 0)
		snprintf(err, errsz, "key export: key %s not found", fpr);
	else {
		*out = b.v;
		*outlen = b.n;
		b.v = NULL;
		st = GPG_OK;
	}
out:
	free(b.v);
	gpgme_data_release(data);
	return st;
}

/* gpg_import_one - see gpg.h */
enum gpg_status
gpg_import_one(struct gpg *g, const unsigned char *key, size_t len,
    char *fpr, size_t fprsz, char *err, size_t errsz)
{
	gpgme_data_t data = NULL;
	gpgme_import_result_t res;
	gpgme_import_status_t is;
	gpgme_error_t e;
	enum gpg_status st = GPG_TEMPFAIL;
	size_t n = 0;

	fpr[0] = '\0';
	if ((e = gpgme_data_new_from_mem(&data, (const char *)key, len, 0)))
		return gpg_fail(e, "GPGME data", err, errsz);
	memset(&g->seen, 0, sizeof g->seen);
	gpg_supervise(1);
	e = gpgme_op_import(g->ctx, data);
	gpg_supervise(0);
	res = e ? NULL : gpgme_op_import_result(g->ctx);
	if (e)
		gpg_fail(e, "key import", err, errsz);
	else if (!g->seen.exited || g->seen.exit_code == -1 ||
	    g->seen.stopped)
		gpghome_why(g->home, &g->seen, "key import", err, errsz);
	else {
		st = GPG_BADKEY;
		for (is = res != NULL ? res->imports : NULL; is != NULL;
		    is = is->next)
			if (is->result == 0 && is->fpr != NULL &&
			    (n == 0 || strcmp(fpr, is->fpr) != 0) && n++ == 0)
				snprintf(fpr, fprsz, "%s", is->fpr);
		if (n == 1 && fpr[0] != '\0' && g->seen.exit_code == 0)
			st = GPG_OK;
		else
			snprintf(err, errsz, "gpg imported %zu keys (exit %d)",
			    n, g->seen.exit_code);
	}
	gpgme_data_release(data);
	return st;
}
