/*
 * test_gateway.c - the message object and the gateway as a long-lived
 * process (smtpd) will use them: one configuration loaded once, then
 * gateway_message for message after message through a hand-off of the
 * caller's own (as the SMTP re-injection will be), and msg.c's
 * one-time header read and classification.  Policy none keeps gpg out.
 */
#include <config.h>

#include <sys/stat.h>

#include <fcntl.h>
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

/* What the test hop received. */
struct got {
	int	 calls;
	char	 rcpts[256];
	char	 msg[4096];
};

static struct got got;
static char dir[] = "/tmp/mailseal-gw.XXXXXX";

/* give_capture - a next hop that keeps what it is given and names a
 * queue ID, as an SMTP server's 250 reply does */
static int
give_capture(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	ssize_t len;
	size_t i, o = 0;

	(void)sender;
	(void)err;
	(void)errsz;
	got.calls++;
	got.rcpts[0] = '\0';
	for (i = 0; i < n && o < sizeof got.rcpts; i++)
		o += (size_t)snprintf(got.rcpts + o, sizeof got.rcpts - o,
		    "%s ", rcpts[i]);
	len = pread(fd, got.msg, sizeof got.msg - 1, 0);
	cr_assert(len >= 0);
	got.msg[len] = '\0';
	(void)snprintf(ho->qid, sizeof ho->qid, "Q%d", got.calls);
	return 0;
}

/* setup_conf - a private configuration: policy none, its own home */
static char *
setup_conf(void)
{
	static char conf[256];
	FILE *fp;

	cr_assert_not_null(mkdtemp(dir));
	(void)snprintf(conf, sizeof conf, "%s/mailseal.conf", dir);
	fp = fopen(conf, "w");
	cr_assert_not_null(fp);
	fprintf(fp, "homedir = %s/gnupg\nsendmail = %s/sendmail\n"
	    "gateway_id = gw.test\ndefault_policy = none\nlog = stderr\n",
	    dir, dir);
	cr_assert_eq(fclose(fp), 0);
	cr_assert_eq(chmod(dir, 0700), 0);
	return conf;
}

/* teardown_conf - the private configuration goes */
static void
teardown_conf(void)
{
	char conf[256];

	(void)snprintf(conf, sizeof conf, "%s/mailseal.conf", dir);
	(void)unlink(conf);
	(void)rmdir(dir);
}

/* msg_from - a message from the bytes s, as smtpd will spool DATA */
static struct msg *
msg_from(const char *s)
{
	struct msg *m;
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(write(p[1], s, strlen(s)), (ssize_t)strlen(s));
	close(p[1]);
	cr_assert_eq(msg_spool(&m, p[0]), OUTCOME_OK);
	close(p[0]);
	return m;
}

Test(gateway, one_configuration_many_messages)
{
	static char bob[] = "bob@example.org", carol[] = "carol@example.org",
	    dave[] = "dave@example.org";
	char err[512], *rcpt1[] = { bob }, *rcpt2[] = { carol, dave };
	struct envelope env = { "alice@example.org", "4Xyz1", rcpt1, 1 };
	struct gateway gw;
	struct handoff ho;
	struct msg *m;

	cr_redirect_stderr();
	cr_assert_eq(gateway_load(&gw, setup_conf(), err, sizeof err),
	    OUTCOME_OK, "%s", err);
	memset(&ho, 0, sizeof ho);
	ho.name = "capture";
	ho.give = give_capture;

	m = msg_from("From: alice@example.org\nSubject: one\n\nfirst\n");
	cr_assert_eq(gateway_message(&gw, m, &env, &ho), OUTCOME_OK);
	msg_free(m);
	cr_assert_eq(got.calls, 1);
	cr_assert_str_eq(got.rcpts, "bob@example.org ");
	cr_assert_str_eq(got.msg, "X-Mailseal-Gateway: gw.test; "
	    "queue-id=4Xyz1\nFrom: alice@example.org\nSubject: one\n\nfirst\n");

	/* the second message knows nothing of the first */
	env.queueid = NULL;
	env.rcpts = rcpt2;
	env.nrcpts = 2;
	m = msg_from("From: alice@example.org\r\nSubject: two\r\n\r\nsecond\r\n");
	cr_assert_eq(gateway_message(&gw, m, &env, &ho), OUTCOME_OK);
	msg_free(m);
	cr_assert_eq(got.calls, 2);
	cr_assert_str_eq(got.rcpts, "carol@example.org dave@example.org ");
	cr_assert_str_eq(got.msg, "X-Mailseal-Gateway: gw.test\r\n"
	    "From: alice@example.org\r\nSubject: two\r\n\r\nsecond\r\n");
	gateway_free(&gw);
	teardown_conf();
}

Test(gateway, a_recipient_that_is_no_address_is_usage)
{
	static char bad[] = "not an address";
	char err[512], *rcpts[] = { bad };
	struct envelope env = { "alice@example.org", NULL, rcpts, 1 };
	struct gateway gw;
	struct handoff ho;
	struct msg *m;

	cr_redirect_stderr();
	cr_assert_eq(gateway_load(&gw, setup_conf(), err, sizeof err),
	    OUTCOME_OK, "%s", err);
	memset(&ho, 0, sizeof ho);
	ho.name = "capture";
	ho.give = give_capture;
	m = msg_from("From: alice@example.org\n\nx\n");
	cr_assert_eq(gateway_message(&gw, m, &env, &ho), OUTCOME_USAGE);
	cr_assert_eq(got.calls, 0);
	msg_free(m);
	gateway_free(&gw);
	teardown_conf();
}

Test(gateway, a_configuration_error_is_config)
{
	char err[512];
	struct gateway gw;

	cr_assert_eq(gateway_load(&gw, "/nonexistent/mailseal.conf", err,
	    sizeof err), OUTCOME_CONFIG);
	cr_assert_not_null(strstr(err, "/nonexistent/mailseal.conf"), "%s",
	    err);
	gateway_free(&gw);
}

Test(msg, header_once_and_classified_once)
{
	struct msg *m = msg_from("From Alice Mon Jan  1 00:00:00 2024\n"
	    "From: alice@example.org\nContent-Type: multipart/encrypted; "
	    "protocol=\"application/pgp-encrypted\"; boundary=\"b\"\n\n"
	    "--b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n"
	    "--b\nContent-Type: application/octet-stream\n\nx\n--b--\n");
	enum classify_kind k;

	cr_assert_eq(m->herr, RFC5322_OK);
	cr_assert_neq(m->fd, -1);
	cr_assert_not_null(m->h.fromline);
	cr_assert_eq(m->h.nfields, 2);
	cr_assert_str_eq(msg_eol(m), "\n");

	cr_assert_eq(msg_classify(m), 0);
	cr_assert_eq(m->classified, 1);
	k = m->kind;
	cr_assert_neq(k, CLASSIFY_PLAIN, "a multipart/encrypted root");
	/* a second call reads nothing: what the file says now no longer
	 * matters */
	cr_assert_eq(ftruncate(m->fd, 0), 0);
	cr_assert_eq(msg_classify(m), 0);
	cr_assert_eq(m->kind, k);
	msg_free(m);
}

Test(msg, no_header_block)
{
	struct msg *m = msg_from("this is no header field\n\nbody\n");

	cr_assert_eq(m->herr, RFC5322_NOHEADER);
	msg_free(m);
}

Test(msg, no_file)
{
	struct msg *m;

	cr_redirect_stderr();
	cr_assert_eq(msg_open(&m, "/nonexistent/message"), OUTCOME_NOINPUT);
	msg_free(m);
}
