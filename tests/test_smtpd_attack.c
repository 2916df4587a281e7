/*
 * test_smtpd_attack.c - what a client that means harm could do to the
 * SMTP server session (smtpd.c), over a socketpair (tests/smtpdtest.h).
 */
#include <config.h>

#include <time.h>

#include "smtpdtest.h"

/* now - seconds, monotonic */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A client that keeps within smtpd_timeout for every command still
 * cannot keep the worker past the session's limit: commands just under
 * it are answered, the wait that reaches it gets 421 4.7.0 then, not
 * at the (longer) idle timeout. */
Test(smtpd_attack, session_limit_idle)
{
	struct cl *c;
	double t0;

	start_session = 3;
	t0 = now();
	c = helo(1000, 10);
	usleep(1000000);
	cmd(c, "NOOP", "250 2.0.0");		/* under it */
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	expect(c, "421 4.7.0 mx.test Error: session too long");
	cr_assert(now() - t0 >= 2.9 && now() - t0 < 6.0, "after %.1f s",
	    now() - t0);
	expect(c, "EOF");
	finish(c);
}

/* A message whose DATA began before the limit is read to its end and
 * answered (under the data rate rule); the next command gets 421. */
Test(smtpd_attack, session_limit_finishes_the_message)
{
	struct cl *c;

	start_session = 3;
	c = helo(1000, 10);
	usleep(500000);
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<c@d.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendf(c, "Subject: x\r\n\r\n");
	usleep(3000000);			/* past the limit */
	sendf(c, "body\r\n.\r\nNOOP\r\n");
	expect(c, "250 2.0.0");
	cr_assert_eq(c->f.nmsg, 1);
	cr_assert_eq(c->f.msglen, strlen("Subject: x\r\n\r\nbody\r\n"));
	expect(c, "421 4.7.0 mx.test Error: session too long");
	expect(c, "EOF");
	finish(c);
}

/* Without a limit given, LIMIT_SMTP_SESSION: a session goes on */
Test(smtpd_attack, session_limit_default)
{
	struct cl *c;

	start_session = 0;
	c = helo(1000, 10);
	usleep(300000);
	cmd(c, "NOOP", "250 2.0.0");
	cr_assert_geq(LIMIT_SMTP_SESSION, 600);
	finish(c);
}
