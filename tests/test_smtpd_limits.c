/*
 * test_smtpd_limits.c - each limit of the SMTP server session
 * (smtpd.c, smtpdata.c; limit.h) just under and just over, over a
 * socketpair (tests/smtpdtest.h).
 */
#include <config.h>

#include "smtpdtest.h"

/* an address of LIMIT_ADDR_SPEC bytes is taken, one more is not */
Test(smtpd, address_length_limit)
{
	struct cl *c = helo(1000, 10);
	char local[LIMIT_ADDR_SPEC];
	size_t n = LIMIT_ADDR_SPEC - strlen("@b.example");

	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	memset(local, 'x', n);
	local[n] = '\0';
	sendf(c, "RCPT TO:<%s@b.example>\r\n", local);
	expect(c, "250 ");
	cr_assert_eq(strlen(c->f.lastrcpt), LIMIT_ADDR_SPEC);
	local[n - 1] = 'x';
	sendf(c, "RCPT TO:<x%s@b.example>\r\n", local);
	expect(c, "501 5.1.3");
	sendf(c, "MAIL FROM:<a@b.example>\r\n");
	expect(c, "503 ");
	finish(c);
}

/* a command line of LIMIT_SMTP_LINE bytes with its CRLF is read, one
 * byte more is "line too long" and the session goes on */
Test(smtpd, line_length_limit)
{
	struct cl *c = helo(1000, 10);
	char line[LIMIT_SMTP_LINE + 2];

	memset(line, 'x', sizeof line);
	memcpy(line, "NOOP ", 5);
	line[LIMIT_SMTP_LINE - 2] = '\0';	/* + CRLF: LIMIT_SMTP_LINE */
	cmd(c, line, "250 2.0.0");
	line[LIMIT_SMTP_LINE - 2] = 'x';
	line[LIMIT_SMTP_LINE - 1] = '\0';	/* + CRLF: one more */
	cmd(c, line, "500 5.5.2 Error: line too long");
	cmd(c, "NOOP", "250 2.0.0");
	finish(c);
}

Test(smtpd, nul_and_bare_cr)
{
	struct cl *c = helo(1000, 10);

	sendb(c, "NOOP\0x\r\n", 8);
	expect(c, "500 5.5.2");
	sendb(c, "NOOP\rx\r\n", 8);
	expect(c, "500 5.5.2");
	sendb(c, "NOOP\n", 5);		/* a bare LF ends a command */
	expect(c, "250 2.0.0");
	finish(c);
}

/* LIMIT_SMTP_ERRORS - 1 errors leave the session open; the next one
 * is answered and then 421 */
Test(smtpd, error_limit)
{
	struct cl *c = helo(1000, 10);
	int i;

	for (i = 0; i < LIMIT_SMTP_ERRORS - 1; i++)
		cmd(c, "BOGUS", "502 5.5.2");
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");	/* not junk */
	cmd(c, "BOGUS", "502 5.5.2");
	expect(c, "421 4.7.0 mx.test Error: too many errors");
	expect(c, "EOF");
	finish(c);
}

/* LIMIT_SMTP_JUNK commands without mail in a row are answered; one more
 * gets 421; MAIL starts the count again */
Test(smtpd, junk_limit)
{
	struct cl *c = helo(1000, 10);
	int i;

	for (i = 1; i < LIMIT_SMTP_JUNK; i++)	/* EHLO was one */
		cmd(c, "NOOP", "250 2.0.0");
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	for (i = 0; i < LIMIT_SMTP_JUNK; i++)
		cmd(c, i % 2 ? "NOOP" : "RSET", "250 2.0.0");
	cmd(c, "NOOP", "421 4.7.0 mx.test Error: too many commands");
	expect(c, "EOF");
	finish(c);
}

/* LIMIT_SMTP_TRANSACTIONS MAIL commands are served, one more is 421 */
Test(smtpd, transaction_limit)
{
	struct cl *c = helo(1000, 10);
	int i;

	for (i = 0; i < LIMIT_SMTP_TRANSACTIONS; i++) {
		sendf(c, "MAIL FROM:<a@b.example>\r\nRSET\r\n");
		expect(c, "250 2.1.0");
		expect(c, "250 2.0.0");
	}
	cmd(c, "MAIL FROM:<a@b.example>", "421 4.7.0");
	expect(c, "EOF");
	finish(c);
}

/* LIMIT_RECIPIENTS recipients are taken, the next one is 452 4.5.3 (not
 * an error); LIMIT_SMTP_RCPT_OVERSHOOT RCPT commands more are answered
 * so, the ones after count as errors */
Test(smtpd, recipient_limits)
{
	struct cl *c = helo(1000, 10);
	int i;

	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	for (i = 0; i < LIMIT_RECIPIENTS; i++) {
		sendf(c, "RCPT TO:<r%d@b.example>\r\n", i);
		expect(c, "250 2.1.5");
	}
	for (i = 0; i < LIMIT_SMTP_RCPT_OVERSHOOT; i++) {
		sendf(c, "RCPT TO:<o%d@b.example>\r\n", i);
		expect(c, "452 4.5.3");
	}
	cr_assert_eq(c->f.nrcptcalls, LIMIT_RECIPIENTS);
	cmd(c, "DATA", "354 ");
	sendf(c, "x\r\n.\r\n");
	expect(c, "250 ");
	cr_assert_eq(c->f.nrcpts, LIMIT_RECIPIENTS);
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	for (i = 0; i < LIMIT_RECIPIENTS + LIMIT_SMTP_RCPT_OVERSHOOT; i++) {
		sendf(c, "RCPT TO:<r%d@b.example>\r\n", i);
		expect(c, i < LIMIT_RECIPIENTS ? "250 " : "452 4.5.3");
	}
	for (i = 0; i < LIMIT_SMTP_ERRORS; i++)
		cmd(c, "RCPT TO:<x@b.example>", "452 4.5.3");
	expect(c, "421 4.7.0");
	finish(c);
}

/* a message of maxsize bytes goes to the ops; one byte more is read to
 * its end and refused 552 5.3.4, and the session goes on */
Test(smtpd, size_limit)
{
	struct cl *c = helo(100, 10);
	char body[300];

	memset(body, 'a', sizeof body);
	memcpy(body + 98, "\r\n", 2);		/* 100 bytes */
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendb(c, body, 100);
	sendf(c, ".\r\n");
	expect(c, "250 ");
	cr_assert_eq(c->f.msglen, 100);
	memcpy(body + 98, "a\r\n", 3);		/* 101 bytes */
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendb(c, body, 101);
	sendf(c, ".\r\n");
	expect(c, "552 5.3.4");
	cr_assert_eq(c->f.nmsg, 1);
	cmd(c, "NOOP", "250 ");
	/* twice the limit and more: cut off, 421 */
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendb(c, body, 201);
	expect(c, "421 4.3.4");
	cr_assert_eq(c->f.nmsg, 1);
	finish(c);
}

/* a silent client gets 421 4.4.2 after conf->timeout seconds */
Test(smtpd, idle_timeout)
{
	struct cl *c = helo(1000, 1);
	struct timeval t0, t1;

	gettimeofday(&t0, NULL);
	expect(c, "421 4.4.2 mx.test Error: timeout exceeded");
	gettimeofday(&t1, NULL);
	cr_assert(t1.tv_sec - t0.tv_sec <= 3);
	expect(c, "EOF");
	finish(c);
}

/* a client slower than LIMIT_SMTP_MIN_RATE in DATA gets 421 4.4.2 and
 * its message is not taken; one that keeps the rate is served */
Test(smtpd, slow_data)
{
	struct cl *c = helo(100000, 1);
	char chunk[LIMIT_SMTP_MIN_RATE / 2 + 1];
	int i;

	memset(chunk, 'a', sizeof chunk);
	/* 3 s just over the rate: 251 bytes (502 ms more) each 500 ms */
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	for (i = 0; i < 6; i++) {
		sendb(c, chunk, sizeof chunk);
		usleep(500000);
	}
	sendf(c, "\r\n.\r\n");
	expect(c, "250 ");
	cr_assert_eq(c->f.nmsg, 1);
	/* then one byte every 300 ms: past the deadline within 2 s */
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	for (i = 0; i < 8; i++) {
		if (send(c->fd, "a", 1, MSG_NOSIGNAL) != 1)
			break;
		usleep(300000);
	}
	expect(c, "421 4.4.2");
	cr_assert_eq(c->f.nmsg, 1);
	finish(c);
}
