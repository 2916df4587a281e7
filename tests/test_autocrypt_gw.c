/*
 * test_autocrypt_gw.c - the Autocrypt field in a long-lived gateway
 * (smtpd): one configuration, message after message; each copy of an
 * Autocrypt sender's mail carries the field, with the message's line
 * ends, and the key is exported once, not once per message.  gpg is a
 * wrapper first on PATH that notes its arguments.
 */
#include <config.h>

#include <sys/stat.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "gateway.h"
#include "handoff.h"
#include "msg.h"
#include "outcome.h"

static char dir[64];
static char copy[65536];

/* run - a shell command, which must succeed */
static void
run(const char *fmt, ...)
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

/* give - a next hop that keeps the copy */
static int
give(struct handoff *ho, const char *sender, char *const *rcpts, size_t n,
    int fd, char *err, size_t errsz)
{
	ssize_t len;

	(void)sender;
	(void)rcpts;
	(void)n;
	(void)err;
	(void)errsz;
	len = pread(fd, copy, sizeof copy - 1, 0);
	cr_assert(len >= 0);
	copy[len] = '\0';
	(void)snprintf(ho->qid, sizeof ho->qid, "Q1");
	return 0;
}

/* exports - how many gpg runs exported a key so far */
static int
exports(void)
{
	char path[128], line[4096];
	FILE *fp;
	int n = 0;

	(void)snprintf(path, sizeof path, "%s/runs", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, fp) != NULL)
		n += strstr(line, "--export") != NULL;
	fclose(fp);
	return n;
}

/* send - a message from from through the gateway */
static void
send(struct gateway *gw, const char *from, const char *eol)
{
	static char bob[] = "bob@example.org";
	char text[512], *rcpt[] = { bob };
	struct envelope env = { NULL, NULL, rcpt, 1 };
	struct handoff ho;
	struct msg *m;
	int p[2];

	env.sender = from;
	(void)snprintf(text, sizeof text, "From: %s%sTo: bob@example.org%s"
	    "Subject: t%s%shello%s", from, eol, eol, eol, eol, eol);
	memset(&ho, 0, sizeof ho);
	ho.name = "capture";
	ho.give = give;
	copy[0] = '\0';
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], text, strlen(text)), (ssize_t)strlen(text));
	close(p[1]);
	cr_assert_eq(msg_spool(&m, p[0]), OUTCOME_OK);
	close(p[0]);
	cr_assert_eq(gateway_message(gw, m, &env, &ho), OUTCOME_OK);
	msg_free(m);
}

static void
fini(void)
{
	char cmd[256];

	if (dir[0] == '\0')
		return;
	(void)snprintf(cmd, sizeof cmd, "gpgconf --homedir %s/g --kill all "
	    ">/dev/null 2>&1; rm -rf %s", dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	dir[0] = '\0';
}

Test(autocrypt_gw, field_on_every_copy_key_exported_once, .fini = fini)
{
	const char *keys = getenv("MAILSEAL_TEST_KEYS");
	char conf[128], err[512], path[4096], *real;
	struct gateway gw;
	FILE *fp;

	if (keys == NULL)
		cr_skip_test("MAILSEAL_TEST_KEYS is not set");
	cr_redirect_stderr();
	(void)snprintf(dir, sizeof dir, "/tmp/msag.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	run("mkdir -m 700 %s/g %s/bin && gpg --homedir %s/g --batch --quiet "
	    "--import %s/alice.sec.asc 2>/dev/null", dir, dir, dir, keys);
	cr_assert_not_null(real = getenv("PATH"));
	run("printf '#!/bin/sh\\nprintf \"%%%%s\\\\n\" \"$*\" >>%s/runs\\n"
	    "PATH=\"%s\" exec gpg \"$@\"\\n' >%s/bin/gpg && chmod 755 "
	    "%s/bin/gpg", dir, real, dir, dir);
	(void)snprintf(path, sizeof path, "%s/bin:%s", dir, real);
	cr_assert_eq(setenv("PATH", path, 1), 0);
	(void)snprintf(conf, sizeof conf, "%s/mailseal.conf", dir);
	cr_assert_not_null(fp = fopen(conf, "w"));
	fprintf(fp, "homedir = %s/g\nsendmail = %s/sendmail\n"
	    "gateway_id = gw.test\ndefault_policy = none\nlog = stderr\n"
	    "sign = yes\nsigner = alice@example.org\nautocrypt = yes\n",
	    dir, dir);
	cr_assert_eq(fclose(fp), 0);
	cr_assert_eq(gateway_load(&gw, conf, err, sizeof err), OUTCOME_OK,
	    "%s", err);

	send(&gw, "alice@example.org", "\n");
	cr_assert(strstr(copy, "\nAutocrypt: addr=alice@example.org;\n "
	    "keydata=") != NULL, "no field in: %.300s", copy);
	cr_assert_eq(exports(), 1);
	send(&gw, "alice@example.org", "\r\n");
	cr_assert(strstr(copy, "\r\nAutocrypt: addr=alice@example.org;\r\n "
	    "keydata=") != NULL, "no CRLF field in: %.300s", copy);
	cr_assert_eq(exports(), 2, "CRLF is another field: one export more");
	send(&gw, "alice@example.org", "\n");
	send(&gw, "alice@example.org", "\r\n");
	cr_assert(strstr(copy, "Autocrypt: addr=") != NULL);
	cr_assert_eq(exports(), 2, "the fields are remembered");
	/* a sender the key has no user ID for: none, and no export */
	send(&gw, "bob@example.org", "\n");
	cr_assert_null(strstr(copy, "Autocrypt:"));
	cr_assert_eq(exports(), 2);
	gateway_free(&gw);
}
