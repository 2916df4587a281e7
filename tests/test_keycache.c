/*
 * test_keycache.c - the key cache of a long-lived process (smtpd) and
 * the RCPT-time decision, with real gpg on homes made from tests/keys:
 * the keys are listed once and not per message; a key imported,
 * deleted, revoked or disabled is seen at the next use without a
 * restart; a key that expires while cached is not encrypted to; a gpg
 * that fails to list again is a temporary failure, never "no key";
 * gateway_rcpt for every policy and key state.
 */
#include <config.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "gateway.h"
#include "handoff.h"
#include "keycache.h"
#include "limit.h"
#include "msg.h"
#include "outcome.h"
#include "smtpgw.h"
#include "tmpfile.h"
#include "xmalloc.h"

/* What the test hop received: per copy, its recipients and whether it
 * was encrypted. */
struct got {
	int	 calls;
	char	 enc[256];	/* recipients of encrypted copies */
	char	 clear[256];	/* recipients of clear copies */
};

static struct got got;
static char dir[64];
static const char *keys;

/* sh - run a shell command, which must succeed */
static void
sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	cr_assert(n > 0 && (size_t)n < sizeof cmd);
	cr_assert_eq(system(cmd), 0, "failed: %s", cmd);
}

/* give_capture - a next hop that notes who got which copy and names a
 * queue ID, as an SMTP server's 250 reply does */
static int
give_capture(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	char buf[65536], *to;
	ssize_t len;
	size_t i;

	(void)sender;
	(void)err;
	(void)errsz;
	got.calls++;
	len = pread(fd, buf, sizeof buf - 1, 0);
	cr_assert(len >= 0);
	buf[len] = '\0';
	to = strstr(buf, "-----BEGIN PGP MESSAGE-----") != NULL ? got.enc :
	    got.clear;
	for (i = 0; i < n; i++) {
		strncat(to, rcpts[i], 255 - strlen(to));
		strncat(to, " ", 255 - strlen(to));
	}
	(void)snprintf(ho->qid, sizeof ho->qid, "Q%d", got.calls);
	return 0;
}

/* home - a private home with the public keys named (tests/keys), and
 * a configuration with default_policy pol; old: wait until no file of
 * the home is recent (a recent one makes the cache list again once,
 * keycache.h) */
static void
home(struct gateway *gw, const char *pol, const char *names, int old)
{
	char conf[128], err[512], name[32];
	const char *p = names;
	FILE *fp;
	size_t n;

	keys = getenv("MAILSEAL_TEST_KEYS");
	if (keys == NULL)
		cr_skip_test("MAILSEAL_TEST_KEYS is not set");
	(void)snprintf(dir, sizeof dir, "/tmp/mskc.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	sh("mkdir -m 700 %s/g", dir);
	while (*p != '\0') {
		n = strcspn(p, " ");
		(void)snprintf(name, sizeof name, "%.*s", (int)n, p);
		sh("gpg --homedir %s/g --batch --quiet --import %s/%s.pub.asc "
		    "2>/dev/null", dir, keys, name);
		p += n + (p[n] == ' ');
	}
	(void)snprintf(conf, sizeof conf, "%s/mailseal.conf", dir);
	cr_assert_not_null(fp = fopen(conf, "w"));
	fprintf(fp, "homedir = %s/g\nsendmail = %s/sendmail\n"
	    "gateway_id = gw.test\ndefault_policy = %s\nlog = stderr\n",
	    dir, dir, pol);
	cr_assert_eq(fclose(fp), 0);
	if (old)
		sleep(2);
	cr_assert_eq(gateway_load(gw, conf, err, sizeof err), OUTCOME_OK,
	    "%s", err);
}

/* done - the home goes, with its agent */
static void
done(struct gateway *gw)
{
	gateway_free(gw);
	sh("gpgconf --homedir %s/g --kill all >/dev/null 2>&1; rm -rf %s",
	    dir, dir);
}

/* fpr - the fingerprint of a test key */
static const char *
fpr(const char *name)
{
	static char f[128];
	char path[512];
	FILE *fp;

	(void)snprintf(path, sizeof path, "%s/%s.fpr", keys, name);
	cr_assert_not_null(fp = fopen(path, "r"));
	cr_assert_not_null(fgets(f, sizeof f, fp));
	fclose(fp);
	f[strcspn(f, "\n")] = '\0';
	return f;
}

/* send_msg - one message from alice to the recipients through the gateway
 * and the capture hop */
static enum outcome
send_msg(struct gateway *gw, char **rcpts, size_t n)
{
	static const char text[] = "From: alice@example.org\n"
	    "To: bob@example.org\nSubject: t\n\nhello\n";
	struct envelope env = { "alice@example.org", "QUP1", NULL, 0 };
	struct handoff ho;
	struct msg *m;
	enum outcome r;
	int p[2];

	memset(&got, 0, sizeof got);
	memset(&ho, 0, sizeof ho);
	ho.name = "capture";
	ho.give = give_capture;
	env.rcpts = rcpts;
	env.nrcpts = n;
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], text, sizeof text - 1),
	    (ssize_t)sizeof text - 1);
	close(p[1]);
	cr_assert_eq(msg_spool(&m, p[0]), OUTCOME_OK);
	close(p[0]);
	r = gateway_message(gw, m, &env, &ho);
	msg_free(m);
	return r;
}

static char bob[] = "bob@example.org", carol[] = "carol@example.org",
    xbob[] = "xbob@example.org", expaddr[] = "exp@example.org";

Test(keycache, listed_once_not_per_message)
{
	struct gateway gw;
	char err[512], why[256], *r2[] = { bob, xbob };
	int i;

	cr_redirect_stderr();
	home(&gw, "opportunistic", "bob carol1", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK, "%s",
	    err);
	cr_assert_eq(keycache_listings(gw.keys), 1);
	for (i = 0; i < 5; i++) {
		cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
		    OUTCOME_OK);
		cr_assert_eq(send_msg(&gw, r2, 2), OUTCOME_OK);
		cr_assert_str_eq(got.enc, "bob@example.org ");
		cr_assert_str_eq(got.clear, "xbob@example.org ");
		/* the downstream queue IDs, for smtpd's 250 */
		cr_assert_str_eq(gw.qids[0], "Q1");
		cr_assert_str_eq(gw.qids[1], "Q2");
	}
	cr_assert_eq(keycache_listings(gw.keys), 1,
	    "%lu listings for 5 messages and 5 RCPTs",
	    keycache_listings(gw.keys));
	done(&gw);
}

Test(keycache, import_is_seen)
{
	struct gateway gw;
	char err[512], why[256], *r1[] = { carol };
	unsigned long n;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, carol, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert(strstr(why, "no key") != NULL, "why: %s", why);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_NOUSER);
	n = keycache_listings(gw.keys);
	sh("gpg --homedir %s/g --batch --quiet --import %s/carol1.pub.asc "
	    "2>/dev/null", dir, keys);
	cr_assert_eq(gateway_rcpt(&gw, carol, why, sizeof why), OUTCOME_OK,
	    "%s", why);
	cr_assert_gt(keycache_listings(gw.keys), n);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "carol@example.org ");
	done(&gw);
}

Test(keycache, delete_is_seen)
{
	struct gateway gw;
	char err[512], why[256], *r2[] = { bob, carol };

	cr_redirect_stderr();
	home(&gw, "opportunistic", "bob carol1", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(send_msg(&gw, r2, 2), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "bob@example.org carol@example.org ");
	sh("gpg --homedir %s/g --batch --yes --quiet --delete-keys %s",
	    dir, fpr("carol1"));
	cr_assert_eq(send_msg(&gw, r2, 2), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "bob@example.org ");
	cr_assert_str_eq(got.clear, "carol@example.org ");
	(void)why;
	done(&gw);
}

Test(keycache, revocation_is_seen)
{
	struct gateway gw;
	char err[512], why[256], *r1[] = { bob };

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	sh("sed 's/^:-----/-----/' %s/home/openpgp-revocs.d/%s.rev | "
	    "gpg --homedir %s/g --batch --quiet --import 2>/dev/null",
	    keys, fpr("bob"), dir);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert(strstr(why, "revoked") != NULL, "why: %s", why);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_NOUSER);
	cr_assert_eq(got.calls, 0);
	done(&gw);
}

/* trustdb.gpg is written in place: a disabled key (ownertrust) changes
 * no keyring file */
Test(keycache, disable_is_seen)
{
	struct gateway gw;
	char err[512], why[256];

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	sh("printf 'disable\\nsave\\n' | gpg --homedir %s/g --batch "
	    "--no-tty --yes --command-fd 0 --edit-key %s >/dev/null 2>&1",
	    dir, fpr("bob"));
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert(strstr(why, "disabled") != NULL, "why: %s", why);
	done(&gw);
}

Test(keycache, expiry_while_cached)
{
	struct gateway gw;
	char err[512], why[256], *r1[] = { expaddr };
	unsigned long n;
	time_t t0;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	t0 = time(NULL);
	sh("gpg --homedir %s/g --batch --quiet --passphrase '' "
	    "--pinentry-mode loopback --quick-gen-key 'Exp <exp@example.org>' "
	    "future-default default seconds=6 2>/dev/null", dir);
	sleep(2);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, r1[0], why, sizeof why), OUTCOME_OK,
	    "%s", why);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "exp@example.org ");
	n = keycache_listings(gw.keys);
	/* no file changes; the key's time runs out */
	while (time(NULL) < t0 + 8)
		sleep(1);
	cr_assert_eq(gateway_rcpt(&gw, r1[0], why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert(strstr(why, "expired") != NULL, "why: %s", why);
	cr_assert_eq(keycache_listings(gw.keys), n + 1);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_NOUSER);
	cr_assert_eq(got.calls, 0);
	done(&gw);
}

/* a relisting gpg does not finish (a damaged trustdb.gpg: gpg's
 * Fatal, exit 2, nothing listed): a temporary failure, never "no
 * key"; the keyring mended, the cache works again */
Test(keycache, failed_relist_is_tempfail)
{
	struct gateway gw;
	char err[512], why[256], *r1[] = { bob };

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	sh("cp %s/g/trustdb.gpg %s/td && head -c 1200 /dev/urandom "
	    ">%s/g/trustdb.gpg", dir, dir, dir);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_TEMPFAIL);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_TEMPFAIL);
	cr_assert_eq(got.calls, 0);
	/* still failing: no half listing is used */
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_TEMPFAIL);
	sh("cp %s/td %s/g/trustdb.gpg", dir, dir);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "bob@example.org ");
	done(&gw);
}

/* gateway_rcpt: each policy x key state (usable, none, expired,
 * revoked, no encryption subkey), on the full test home */
Test(keycache, rcpt_policy_by_key_state)
{
	static const struct {
		const char	*pol;
		const char	*addr;
		enum outcome	 want;
		const char	*why;
	} t[] = {
		{ "require", "bob@example.org", OUTCOME_OK, "" },
		{ "require", "nobody@example.org", OUTCOME_NOUSER, "no key" },
		{ "require", "dave@example.org", OUTCOME_NOUSER, "expired on" },
		{ "require", "erin@example.org", OUTCOME_NOUSER, "revoked" },
		{ "require", "grace@example.org", OUTCOME_NOUSER, "" },
		{ "require", "Bob <bob@", OUTCOME_USAGE, "" },
		{ "opportunistic", "bob@example.org", OUTCOME_OK, "" },
		{ "opportunistic", "nobody@example.org", OUTCOME_OK, "" },
		{ "opportunistic", "dave@example.org", OUTCOME_OK, "" },
		{ "opportunistic", "erin@example.org", OUTCOME_OK, "" },
		{ "none", "bob@example.org", OUTCOME_OK, "" },
		{ "none", "nobody@example.org", OUTCOME_OK, "" },
		{ "none", "dave@example.org", OUTCOME_OK, "" },
		{ "none", "erin@example.org", OUTCOME_OK, "" },
	};
	struct gateway gw;
	char err[512], why[256];
	const char *pol = "";
	size_t i;
	enum outcome r;

	cr_redirect_stderr();
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (strcmp(pol, t[i].pol) != 0) {
			if (i > 0)
				done(&gw);
			pol = t[i].pol;
			home(&gw, pol, "bob dave erin grace", 0);
			cr_assert_eq(gateway_prepare(&gw, err, sizeof err),
			    OUTCOME_OK, "%s", err);
		}
		r = gateway_rcpt(&gw, t[i].addr, why, sizeof why);
		cr_expect_eq(r, t[i].want, "%s %s: got %d, want %d (%s)",
		    t[i].pol, t[i].addr, (int)r, (int)t[i].want, why);
		cr_expect(strstr(why, t[i].why) != NULL, "%s %s: why %s, "
		    "want %s", t[i].pol, t[i].addr, why, t[i].why);
	}
	done(&gw);
}

/* without gateway_prepare (filter): no cache, a listing per use */
Test(keycache, no_cache_without_prepare)
{
	struct gateway gw;
	char why[256], *r1[] = { bob };

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	cr_assert_null(gw.keys);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, carol, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_assert_null(gw.keys);
	done(&gw);
}

/*
 * smtpgw: smtpd's ops over the gateway, driven as the session will
 * (smtpd.h): the replies to RCPT and DATA, the queue IDs in 250, and
 * the per-message deadline.  The SMTP hop is replaced by the capture
 * hop (the session and hop are other modules' tests).
 */

/* spool - the message text in a nameless file, as the session spools
 * DATA */
static int
spool(const char *text, size_t len)
{
	int fd = tmpfile_open_unlinked();

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	return fd;
}

static const char small[] = "From: alice@example.org\nTo: bob@example.org\n"
    "Subject: t\n\nhello\n";

/* ops_over - smtpgw's ops over gw, with the capture hop */
static void
ops_over(struct smtpgw *g, struct gateway *gw, int client,
    struct smtpd_ops *ops)
{
	smtpgw_init(g, gw, client, ops);
	g->ho.give = give_capture;
	memset(&got, 0, sizeof got);
}

Test(smtpgw, rcpt_replies)
{
	struct gateway gw;
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512];

	cr_redirect_stderr();
	home(&gw, "require", "bob dave", 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	memset(&t, 0, sizeof t);
	t.sender = "alice@example.org";
	ops_over(&g, &gw, -1, &ops);
	ops.rcpt(ops.arg, &t, "bob@example.org", &r);
	cr_assert_eq(r.code, 250);
	cr_assert_str_eq(r.dsn, "2.1.5");
	ops.rcpt(ops.arg, &t, "dave@example.org", &r);
	cr_assert_eq(r.code, 550);
	cr_assert_str_eq(r.dsn, "5.7.1");
	cr_assert(strncmp(r.text, "<dave@example.org>: no usable OpenPGP key "
	    "(key ", 41) == 0 && strstr(r.text, " expired on 20") != NULL &&
	    strstr(r.text, "), and policy requires encryption") != NULL,
	    "%s", r.text);
	ops.rcpt(ops.arg, &t, "nobody@example.org", &r);
	cr_assert_eq(r.code, 550);
	cr_assert_str_eq(r.text, "<nobody@example.org>: no usable OpenPGP key "
	    "(no key for the address), and policy requires encryption");
	ops.rcpt(ops.arg, &t, "no address", &r);
	cr_assert_eq(r.code, 501);
	cr_assert_str_eq(r.dsn, "5.1.3");
	/* untrusted bytes reach the reply escaped, on one line */
	ops.rcpt(ops.arg, &t, "\"a\\\r\\\nb\"@example.org", &r);
	cr_assert(strpbrk(r.text, "\r\n") == NULL, "%s", r.text);
	/* the keys cannot be listed: 451 for this recipient */
	sh("head -c 1200 /dev/urandom >%s/g/trustdb.gpg", dir);
	ops.rcpt(ops.arg, &t, "bob@example.org", &r);
	cr_assert_eq(r.code, 451);
	cr_assert_str_eq(r.dsn, "4.3.0");
	smtpgw_done(&g);
	done(&gw);
}

Test(smtpgw, data_replies)
{
	static char *rc[] = { bob, carol };
	struct gateway gw;
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512];
	int fd;

	cr_redirect_stderr();
	home(&gw, "opportunistic", "bob", 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	memset(&t, 0, sizeof t);
	t.sender = "";
	t.rcpts = rc;
	t.nrcpts = 2;
	t.queueid = "UPQ1";
	ops_over(&g, &gw, -1, &ops);
	fd = spool(small, sizeof small - 1);
	ops.message(ops.arg, &t, fd, &r);
	cr_assert_eq(r.code, 250, "%d %s", r.code, r.text);
	cr_assert_str_eq(r.dsn, "2.0.0");
	cr_assert_str_eq(r.text, "Ok: queued as Q1 Q2");
	cr_assert_str_eq(got.enc, "bob@example.org ");
	cr_assert_str_eq(got.clear, "carol@example.org ");
	/* one copy */
	memset(&got, 0, sizeof got);
	t.nrcpts = 1;
	ops.message(ops.arg, &t, fd, &r);
	cr_assert_eq(r.code, 250);
	cr_assert_str_eq(r.text, "Ok: queued as Q1");
	close(fd);
	smtpgw_done(&g);
	done(&gw);
}

/* a require recipient whose key went between RCPT and DATA: 451 for
 * the message (the retry's RCPT refuses that recipient alone), not a
 * 550 that would bounce it for everybody */
Test(smtpgw, key_gone_after_rcpt)
{
	static char *rc[] = { bob };
	struct gateway gw;
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512];
	int fd;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	memset(&t, 0, sizeof t);
	t.sender = "alice@example.org";
	t.rcpts = rc;
	t.nrcpts = 1;
	ops_over(&g, &gw, -1, &ops);
	ops.rcpt(ops.arg, &t, "bob@example.org", &r);
	cr_assert_eq(r.code, 250);
	sh("gpg --homedir %s/g --batch --yes --quiet --delete-keys %s",
	    dir, fpr("bob"));
	fd = spool(small, sizeof small - 1);
	ops.message(ops.arg, &t, fd, &r);
	cr_assert_eq(r.code, 451, "%d %s %s", r.code, r.dsn, r.text);
	cr_assert_str_eq(r.dsn, "4.7.1");
	cr_assert_eq(got.calls, 0);
	ops.rcpt(ops.arg, &t, "bob@example.org", &r);
	cr_assert_eq(r.code, 550);
	close(fd);
	smtpgw_done(&g);
	done(&gw);
}

/* fake_gpg - a gpg first on PATH that, for an encryption, hangs for
 * good (KC_FAKE=hang) or is killed 0.05 s into it (KC_FAKE=kill), and
 * notes its process ID in dir/gpgpid; anything else is the real gpg */
static void
fake_gpg(void)
{
	char path[256], *real;
	FILE *fp;
	size_t n;

	cr_assert_not_null(fp = popen("command -v gpg", "r"));
	real = xmalloc(512);
	cr_assert_not_null(fgets(real, 512, fp));
	pclose(fp);
	real[strcspn(real, "\n")] = '\0';
	sh("mkdir %s/bin", dir);
	(void)snprintf(path, sizeof path, "%s/bin/gpg", dir);
	cr_assert_not_null(fp = fopen(path, "w"));
	/* KC_FAKE=many: a listing of every key is KC_MANY made-up keys */
	fprintf(fp, "#!/bin/sh\nfor last; do :; done\n"
	    "case \"$KC_FAKE $* $last\" in many*\" --list-keys \"*\" --\")\n"
	    "\tawk -v n=\"$KC_MANY\" 'BEGIN { for (i = 0; i < n; i++) {\n"
	    "\tf = sprintf(\"AAAA%%036d\", i); k = substr(f, 25)\n"
	    "\tprint \"pub:-:255:22:\" k \":1700000000:::-:::scESC:::::\"\n"
	    "\tprint \"fpr:::::::::\" f \":\"\n"
	    "\tprint \"uid:-::::1700000000::\" f \"::k\" i \"@many.test::\"\n"
	    "\t} }'\n\texit 0;;\nesac\n");
	fprintf(fp, "case \" $* \" in\n*\" --encrypt \"*)\n"
	    "\techo $$ >%s/gpgpid\n"
	    "\tcase \"$KC_FAKE\" in\n\thang) exec sleep 60;;\n"
	    "\tkill) (sleep 0.05; kill -9 $$) & ;;\n\tesac;;\nesac\n"
	    "exec %s \"$@\"\n", dir, real);
	cr_assert_eq(fclose(fp), 0);
	cr_assert_eq(chmod(path, 0755), 0);
	n = strlen(dir) + strlen(getenv("PATH")) + 8;
	free(real);
	real = xmalloc(n);
	(void)snprintf(real, n, "%s/bin:%s", dir, getenv("PATH"));
	cr_assert_eq(setenv("PATH", real, 1), 0);
	free(real);
}

/* gone - process pid has ended (gone or a zombie) within 5 s */
static int
gone(pid_t pid)
{
	char path[64], st[256];
	FILE *fp;
	int i;

	for (i = 0; i < 50; i++) {
		(void)snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
		if ((fp = fopen(path, "r")) == NULL)
			return 1;
		st[0] = '\0';
		if (fgets(st, sizeof st, fp) == NULL)
			st[0] = '\0';
		fclose(fp);
		if (strstr(st, ") Z ") != NULL)
			return 1;
		usleep(100000);
	}
	return 0;
}

/* worker - a worker's share of smtpd in a child process: the gateway
 * prepared, one message of size bytes to bob with the deadline at
 * secs seconds, its reply written to the client's socket, then (with
 * KC_FAKE unset) one more small message; exits 0 after that, or 75
 * from the deadline's handler */
static void
worker(struct gateway *gw, int client, unsigned int secs, size_t size)
{
	static char *rc[] = { bob };
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512], line[4096], buf[600];
	unsigned long long x = 88172645463325252ULL;
	size_t o;
	int fd, i;

	if (gateway_prepare(gw, err, sizeof err) != OUTCOME_OK)
		_exit(3);
	gw->cfg.timeout = secs;
	memset(&t, 0, sizeof t);
	t.sender = "alice@example.org";
	t.rcpts = rc;
	t.nrcpts = 1;
	smtpgw_init(&g, gw, client, &ops);
	g.ho.give = give_capture;
	fd = tmpfile_open_unlinked();
	if (write(fd, small, sizeof small - 1) != (ssize_t)sizeof small - 1)
		_exit(4);
	/* letters gpg's compression cannot shrink much */
	for (o = 0; o < size; o += sizeof line) {
		for (i = 0; i < (int)sizeof line; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			line[i] = i % 64 == 63 ? '\n' : (char)('A' + x % 26);
		}
		if (write(fd, line, sizeof line) != (ssize_t)sizeof line)
			_exit(4);
	}
	for (i = 0; i < 2; i++) {
		ops.message(ops.arg, &t, fd, &r);
		(void)snprintf(buf, sizeof buf, "%d %s %s\r\n", r.code, r.dsn,
		    r.text);
		if (write(client, buf, strlen(buf)) == -1 ||
		    ftruncate(fd, (off_t)(sizeof small - 1)) == -1)
			_exit(4);
		(void)unsetenv("KC_FAKE");
	}
	_exit(0);
}

/* run_worker - the worker in a child with KC_FAKE=mode; the lines it
 * sent into buf, its exit status, the seconds it took */
static int
run_worker(struct gateway *gw, const char *mode, unsigned int secs,
    size_t size, char *buf, size_t bufsz, time_t *took)
{
	time_t t0 = time(NULL);
	ssize_t n;
	size_t o = 0;
	pid_t pid;
	int sv[2], st;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(setenv("KC_FAKE", mode, 1), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		close(sv[0]);
		worker(gw, sv[1], secs, size);
	}
	close(sv[1]);
	while (o + 1 < bufsz && (n = read(sv[0], buf + o, bufsz - o - 1)) > 0)
		o += (size_t)n;
	buf[o] = '\0';
	close(sv[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	*took = time(NULL) - t0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* gpgpid - the process ID the fake gpg noted */
static pid_t
gpgpid(void)
{
	char path[128];
	FILE *fp;
	int pid = 0;

	(void)snprintf(path, sizeof path, "%s/gpgpid", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%d", &pid) != 1)
		pid = 0;
	fclose(fp);
	return (pid_t)pid;
}

/* a gpg that hangs: the deadline answers 451 4.4.5 and ends the
 * worker with 75; gpg goes with it (the supervisor kills it when the
 * worker's end of its status channel closes) */
Test(smtpgw, deadline_ends_a_hung_message)
{
	struct gateway gw;
	char buf[1024];
	time_t took;
	int st;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	fake_gpg();
	st = run_worker(&gw, "hang", 2, 0, buf, sizeof buf, &took);
	cr_assert_eq(st, 75, "worker status %d: %s", st, buf);
	cr_assert_str_eq(buf, "451 4.4.5 Message processing timed out\r\n");
	cr_assert(took >= 1 && took <= 4, "took %lld s", (long long)took);
	cr_assert_neq(gpgpid(), 0);
	cr_assert(gone(gpgpid()), "gpg %d left behind", (int)gpgpid());
	done(&gw);
}

/* gpg killed while it reads a 20 MB message: 451 (GPGME notices, or
 * the deadline does), never 250, and the next message is served */
Test(smtpgw, gpg_killed_mid_message)
{
	struct gateway gw;
	char buf[1024];
	time_t took;
	int st;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	fake_gpg();
	st = run_worker(&gw, "kill", 10, 20 << 20, buf, sizeof buf, &took);
	cr_assert(strncmp(buf, "451 4.", 6) == 0, "status %d: %s", st, buf);
	cr_assert(took <= 13, "took %lld s", (long long)took);
	if (st == 0)
		cr_assert(strstr(buf, "\r\n250 2.0.0 Ok") != NULL, "%s", buf);
	else
		cr_assert_eq(st, 75, "status %d: %s", st, buf);
	cr_assert(gone(gpgpid()));
	done(&gw);
}

/* LIMIT_KEYS keys: cached (the made-up listing, without bob, is the
 * one used) */
Test(keycache, limit_keys_cached)
{
	struct gateway gw;
	char err[512], why[256], n[16];

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	fake_gpg();
	(void)snprintf(n, sizeof n, "%d", LIMIT_KEYS);
	cr_assert_eq(setenv("KC_MANY", n, 1), 0);
	cr_assert_eq(setenv("KC_FAKE", "many", 1), 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK, "%s",
	    err);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert_eq(keycache_listings(gw.keys), 1);
	done(&gw);
}

/* more than LIMIT_KEYS keys: no cache, a pattern listing per message
 * as filter does, said once; the full listing is not tried again
 * while the keyring is unchanged */
Test(keycache, too_many_keys_no_cache)
{
	static char *rc[] = { bob };
	struct gateway gw;
	char err[512], why[256], n[16];
	int i;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	fake_gpg();
	(void)snprintf(n, sizeof n, "%d", LIMIT_KEYS + 1);
	cr_assert_eq(setenv("KC_MANY", n, 1), 0);
	cr_assert_eq(setenv("KC_FAKE", "many", 1), 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK, "%s",
	    err);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
		    OUTCOME_OK);
		cr_assert_eq(gateway_rcpt(&gw, carol, why, sizeof why),
		    OUTCOME_NOUSER);
		cr_assert_eq(send_msg(&gw, rc, 1), OUTCOME_OK);
		cr_assert_str_eq(got.enc, "bob@example.org ");
	}
	cr_assert_eq(keycache_listings(gw.keys), 1);
	done(&gw);
}
