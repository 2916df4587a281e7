/*
 * gwhome.h - what the gateway's unit tests with real gpg share
 * (test_keycache.c, test_smtpgw.c): a private GnuPG home with some of
 * tests/keys' public keys and a configuration over it, a next hop that
 * notes who got which copy, a message sent through the gateway, and a
 * fake gpg first on PATH (hang, killed mid-encryption, a made-up
 * listing of many keys).  Static, as testutil.h.
 */
#ifndef MAILSEAL_GWHOME_H
#define MAILSEAL_GWHOME_H

#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "gateway.h"
#include "handoff.h"
#include "msg.h"
#include "outcome.h"
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
static inline void
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
static inline int
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
static inline void
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

/* gw_fini - the home goes, with its agent, whatever became of the
 * test: each Test's .fini, which Criterion runs after a failed
 * assertion too */
static inline void
gw_fini(void)
{
	char cmd[256];
	int n;

	if (dir[0] == '\0')
		return;
	n = snprintf(cmd, sizeof cmd, "gpgconf --homedir %s/g --kill all "
	    ">/dev/null 2>&1; rm -rf %s", dir, dir);
	if (n > 0 && (size_t)n < sizeof cmd && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	dir[0] = '\0';
}

/* done - the gateway and the home go */
static inline void
done(struct gateway *gw)
{
	gateway_free(gw);
	gw_fini();
}

/* fpr - the fingerprint of a test key */
static inline const char *
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
static inline enum outcome
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

/* fake_gpg - a gpg first on PATH that, for an encryption, hangs for
 * good (KC_FAKE=hang) or is killed 0.05 s into it (KC_FAKE=kill), and
 * notes its process ID in dir/gpgpid; KC_FAKE=hanglist: a key listing
 * hangs so; anything else is the real gpg */
static inline void
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
	    "\t} }'\n\texit 0;;\n"
	    "hanglist*\" --list-keys \"*) echo $$ >%s/gpgpid; exec sleep 60;;\n"
	    "esac\n", dir);
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
static inline int
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

#endif
