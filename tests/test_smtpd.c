/*
 * test_smtpd.c - the SMTP server session (smtpd.c) over a socketpair
 * (tests/smtpdtest.h): each command and its replies, addresses and
 * parameters, dot-unstuffing, pipelining, XFORWARD, the stop flag, the
 * nameless spool.  The limits are in tests/test_smtpd_limits.c.
 */
#include <config.h>

#include "smtpdtest.h"
#include "smtpcmd.h"

Test(smtpd, banner_and_ehlo)
{
	struct cl *c = start(12345, 10);

	expect(c, "220 mx.test ESMTP mailseal");
	cmd(c, "EHLO client.test", "250 XFORWARD NAME ADDR PORT PROTO HELO "
	    "IDENT SOURCE");
	cr_assert_str_eq(c->reply, "250-mx.test\n250-PIPELINING\n"
	    "250-SIZE 12345\n250-8BITMIME\n250-SMTPUTF8\n"
	    "250-ENHANCEDSTATUSCODES\n"
	    "250 XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE\n");
	cmd(c, "HELO client.test", "250 mx.test");
	cmd(c, "ehlo x", "250 XFORWARD");
	cmd(c, "EHLO", "501 5.5.4");
	cmd(c, "NOOP", "250 2.0.0");
	cmd(c, "NOOP whatever", "250 2.0.0");
	cmd(c, "VRFY bob", "252 2.5.2");
	cmd(c, "VRFY", "501 5.5.4");
	cmd(c, "HELP", "214 2.0.0");
	cmd(c, "ETRN x", "502 5.5.2");
	cmd(c, "STARTTLS", "502 5.5.2");
	cmd(c, "", "500 5.5.2");
	cmd(c, "123 x", "500 5.5.2");
	cmd(c, "RSET x", "501 5.5.4");
	cmd(c, "QUIT", "221 2.0.0");
	expect(c, "EOF");
	finish(c);
}

/* a message through: its bytes, sender, recipients and parameters */
Test(smtpd, one_message)
{
	struct cl *c = helo(1000000, 10);

	cmd(c, "MAIL FROM:<alice@example.org> SIZE=42 BODY=8BITMIME SMTPUTF8",
	    "250 2.1.0");
	cmd(c, "RCPT TO:<bob@example.net>", "250 2.1.5");
	cmd(c, "DATA", "354 ");
	sendf(c, "Subject: x\r\n\r\nbody\r\n.\r\n");
	expect(c, "250 2.0.0 Ok: queued");
	cr_assert_eq(c->f.nmsg, 1);
	cr_assert_eq(c->f.msglen, 20);
	cr_assert(memcmp(c->f.msg, "Subject: x\r\n\r\nbody\r\n", 20) == 0);
	cr_assert_str_eq(c->f.sender, "alice@example.org");
	cr_assert_eq(c->f.nrcpts, 1);
	cr_assert_str_eq(c->f.rcpt0, "bob@example.net");
	cr_assert_eq(c->f.body8bit, 1);
	cr_assert_eq(c->f.smtputf8, 1);
	cr_assert_eq(c->f.size, 42);
	cr_assert_str_eq(c->f.queueid, "(null)");
	/* the next transaction starts afresh */
	cmd(c, "MAIL FROM:<> BODY=7BIT", "250 2.1.0");
	cmd(c, "RCPT TO:<bob@example.net>", "250 2.1.5");
	cmd(c, "DATA", "354 ");
	sendf(c, ".\r\n");
	expect(c, "250 ");
	cr_assert_eq(c->f.msglen, 0, "an empty message");
	cr_assert_str_eq(c->f.sender, "");
	cr_assert_eq(c->f.body8bit, 0);
	cr_assert_eq(c->f.smtputf8, 0);
	cr_assert_eq(c->f.size, 0);
	cmd(c, "QUIT", "221 2.0.0");
	finish(c);
}

Test(smtpd, sequencing)
{
	struct cl *c = start(1000, 10);

	expect(c, "220 ");
	cmd(c, "MAIL FROM:<a@b.example>", "503 5.5.1");
	cmd(c, "HELO c.test", "250 ");
	cmd(c, "RCPT TO:<a@b.example>", "503 5.5.1");
	cmd(c, "DATA", "503 5.5.1");
	cmd(c, "MAIL FROM:<a@b.example>", "250 2.1.0");
	cmd(c, "MAIL FROM:<a@b.example>", "503 5.5.1");
	cmd(c, "DATA", "503 5.5.1");
	c->f.refuse = "x@b.example";
	cmd(c, "RCPT TO:<x@b.example>", "550 5.7.1 <x@b.example>: no key");
	cmd(c, "DATA", "554 5.5.1");
	cmd(c, "XFORWARD NAME=x", "503 5.5.1");
	cmd(c, "RSET", "250 2.0.0");
	cmd(c, "RCPT TO:<a@b.example>", "503 5.5.1");
	cmd(c, "MAIL FROM:<a@b.example>", "250 2.1.0");
	cmd(c, "EHLO again", "250 ");
	cmd(c, "RCPT TO:<a@b.example>", "503 5.5.1");
	cr_assert_eq(c->f.nmsg, 0);
	finish(c);
}

/* only a 2xx from the ops makes a recipient; their text goes back */
Test(smtpd, recipients_as_the_ops_say)
{
	struct cl *c = helo(1000, 10);

	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	c->f.refuse = "no@b.example";
	cmd(c, "RCPT TO:<no@b.example>", "550 5.7.1 <no@b.example>: no key");
	c->f.rcpt_code = 451;
	c->f.rcpt_dsn = "4.3.0";
	cmd(c, "RCPT TO:<later@b.example>", "451 4.3.0 Ok");
	c->f.rcpt_code = 250;
	c->f.rcpt_dsn = "2.1.5";
	cmd(c, "RCPT TO:<yes@b.example>", "250 2.1.5");
	/* a reply without a good enhanced code gets one of its class */
	c->f.rcpt_dsn = "9.9";
	cmd(c, "RCPT TO:<yes2@b.example>", "250 2.0.0");
	c->f.rcpt_dsn = "2..";
	cmd(c, "RCPT TO:<yes3@b.example>", "250 2.0.0");
	c->f.rcpt_dsn = "2.1.5x";
	cmd(c, "RCPT TO:<yes4@b.example>", "250 2.0.0");
	c->f.rcpt_dsn = "2.123.456";
	cmd(c, "RCPT TO:<yes5@b.example>", "250 2.123.456");
	c->f.rcpt_code = 0;
	cmd(c, "RCPT TO:<odd@b.example>", "451 4.3.0");
	cmd(c, "DATA", "354 ");
	sendf(c, "x\r\n.\r\n");
	expect(c, "250 ");
	cr_assert_eq(c->f.nrcpts, 5);
	cr_assert_str_eq(c->f.rcpt0, "yes@b.example");
	finish(c);
}

Test(smtpd, addresses)
{
	static const struct {
		const char	*line;
		const char	*want;
		const char	*addr;	/* what the ops get */
	} t[] = {
		{ "RCPT TO:<bob@example.org>", "250", "bob@example.org" },
		{ "rcpt to:<bob@example.org>", "250", "bob@example.org" },
		{ "RCPT TO: <bob@example.org>", "250", "bob@example.org" },
		{ "RCPT TO:<@relay.example,@r2.example:bob@example.org>",
		    "250", "bob@example.org" },
		{ "RCPT TO:<\"john doe\"@example.org>", "250",
		    "\"john doe\"@example.org" },
		{ "RCPT TO:<\"a\\\"b\"@example.org>", "250",
		    "\"a\\\"b\"@example.org" },
		{ "RCPT TO:<b.o.b+tag@[192.0.2.1]>", "250",
		    "b.o.b+tag@[192.0.2.1]" },
		{ "RCPT TO:<j\xc3\xb6rg@b\xc3\xbc.example>", "250",
		    "j\xc3\xb6rg@b\xc3\xbc.example" },
		{ "RCPT TO:<>", "501 5.1.3", NULL },
		{ "RCPT TO:<bob>", "501 5.1.3", NULL },
		{ "RCPT TO:bob@example.org", "250", "bob@example.org" },
		{ "RCPT TO: bob@example.org", "250", "bob@example.org" },
		{ "RCPT TO:bob@example.org>", "501 5.1.3", NULL },
		{ "RCPT TO:Bob bob@example.org", "501 5.1.3", NULL },
		{ "RCPT TO:<bob@example.org", "501 5.1.3", NULL },
		{ "RCPT TO:<bob@@example.org>", "501 5.1.3", NULL },
		{ "RCPT TO:<.bob@example.org>", "501 5.1.3", NULL },
		{ "RCPT TO:<bo..b@example.org>", "501 5.1.3", NULL },
		{ "RCPT TO:<bob@example..org>", "501 5.1.3", NULL },
		{ "RCPT TO:<bob@exa mple.org>", "501 5.1.3", NULL },
		{ "RCPT TO:<@relay.example:>", "501 5.1.3", NULL },
		{ "RCPT TO:<bob@example.org> NOTIFY=SOMETIMES",
		    "501 5.5.4", NULL },
		{ "RCPT TO:<bob@example.org> MT-PRIORITY=3",
		    "555 5.5.4 Unsupported option: MT-PRIORITY", NULL },
		{ "RCPT TO:<bob@example.org> SIZE=1",
		    "555 5.5.4 Unsupported option: SIZE", NULL },
		{ "RCPT TO:<bob@example.org> ORCPT=rfc822",
		    "501 5.5.4", NULL },
		{ "RCPT FROM:<bob@example.org>", "501 5.5.4", NULL },
		{ "RCPT TO:<bob@example.org>x", "501 5.5.4", NULL },
	};
	struct cl *c = helo(1000, 10);
	size_t i, calls;

	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		calls = c->f.nrcptcalls;
		cmd(c, t[i].line, t[i].want);
		if (t[i].addr == NULL) {
			cr_assert_eq(c->f.nrcptcalls, calls, "%s", t[i].line);
			continue;
		}
		cr_assert_str_eq(c->f.lastrcpt, t[i].addr, "%s", t[i].line);
		if (i % 8 == 7)	/* stay below the error limit */
			cmd(c, "RSET", "250");
		if (i % 8 == 7)
			cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	}
	finish(c);
}

Test(smtpd, sender_and_parameters)
{
	static const struct {
		const char	*line;
		const char	*want;
	} t[] = {
		{ "MAIL FROM:<a>", "501 5.1.7" },
		{ "MAIL FROM:", "501 5.1.7" },
		{ "MAIL FROM:a@b.example SIZE=1001", "552 5.3.4" },
		{ "MAIL FROM:<a@b.example> BODY=BINARYMIME", "501 5.5.4" },
		{ "MAIL FROM:<a@b.example> SIZE=x", "501 5.5.4" },
		{ "MAIL FROM:<a@b.example> SIZE=", "501 5.5.4" },
		{ "MAIL FROM:<a@b.example> SMTPUTF8=yes", "501 5.5.4" },
		{ "MAIL FROM:<a@b.example> RET=ALL", "501 5.5.4" },
		{ "MAIL FROM:<a@b.example> AUTH=a+ZZ", "501 5.5.4" },
		{ "MAIL FROM:<a@b.example> MT-PRIORITY=3",
		    "555 5.5.4 Unsupported option: MT-PRIORITY" },
		{ "MAIL FROM:<a@b.example> SIZE=1001", "552 5.3.4" },
		{ "MAIL FROM:<a@b.example> SIZE=99999999999999999999999",
		    "552 5.3.4" },
		{ "MAIL TO:<a@b.example>", "501 5.5.4" },
		{ "MAIL FROM:<a@b.example> SIZE=1000", "250 2.1.0" },
	};
	struct cl *c = helo(1000, 10);
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		cmd(c, t[i].line, t[i].want);
	cmd(c, "RSET", "250");
	cmd(c, "mail from: <a@b.example>   size=7 body=8bitmime smtputf8 ",
	    "250 2.1.0");
	cmd(c, "RCPT TO:<r@b.example>", "250");
	cmd(c, "DATA", "354 ");
	sendf(c, "x\r\n.\r\n");
	expect(c, "250 ");
	cr_assert_eq(c->f.size, 7);
	cr_assert_eq(c->f.body8bit, 1);
	cr_assert_eq(c->f.smtputf8, 1);
	finish(c);
}

/* dot-unstuffing: only after CR LF, line ends as they came */
Test(smtpd, dot_unstuffing)
{
	static const struct {
		const char	*in;
		size_t		 inlen;
		const char	*out;
		size_t		 outlen;
	} t[] = {
#define T(i, o)	{ i, sizeof i - 1, o, sizeof o - 1 }
		T("..\r\n.\r\n", ".\r\n"),
		T("..x\r\n...\r\n.\r\n", ".x\r\n..\r\n"),
		T(".x\r\n.\r\n", "x\r\n"),
		T("a.\r\nb\r\n.\r\n", "a.\r\nb\r\n"),
		T("a\r\n.\n.\r\n.\r\n", "a\r\n\n.\r\n"),
		T("a\n.\nb\r\n.\r\n", "a\n.\nb\r\n"),
		T("a\r.\r\n.\r\n", "a\r.\r\n"),
		T(".\rx\r\n.\r\n", "\rx\r\n"),
		T(".\r\r\n.\r\n", "\r\r\n"),
		T("x\r\n.\r.\r\n.\r\n", "x\r\n\r.\r\n"),
		T("\0\x80\xff\r\n\0.\r\n.\r\n", "\0\x80\xff\r\n\0.\r\n"),
		T("lf only\nline\n\r\n.\r\n", "lf only\nline\n\r\n"),
		T("\r\n\r\n.\r\n", "\r\n\r\n"),
#undef T
	};
	struct cl *c = helo(100000, 10);
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cmd(c, "MAIL FROM:<a@b.example>", "250 ");
		cmd(c, "RCPT TO:<r@b.example>", "250 ");
		cmd(c, "DATA", "354 ");
		sendb(c, t[i].in, t[i].inlen);
		expect(c, "250 ");
		cr_assert_eq(c->f.msglen, t[i].outlen, "case %zu: %zu bytes",
		    i, c->f.msglen);
		cr_assert(memcmp(c->f.msg, t[i].out, t[i].outlen) == 0,
		    "case %zu", i);
	}
	finish(c);
}

/* the data in pieces split anywhere: the same bytes */
Test(smtpd, dot_unstuffing_split)
{
	const char in[] = "a\r\n..b\r\n.\r\r\n..\r\n.\r\n";
	const char out[] = "a\r\n.b\r\n\r\r\n.\r\n";
	struct cl *c = helo(100000, 10);
	size_t i;

	for (i = 0; i < sizeof in - 1; i++) {
		cmd(c, "MAIL FROM:<a@b.example>", "250 ");
		cmd(c, "RCPT TO:<r@b.example>", "250 ");
		cmd(c, "DATA", "354 ");
		sendb(c, in, i);
		usleep(20000);
		sendb(c, in + i, sizeof in - 1 - i);
		expect(c, "250 ");
		cr_assert_eq(c->f.msglen, sizeof out - 1, "split at %zu", i);
		cr_assert(memcmp(c->f.msg, out, sizeof out - 1) == 0,
		    "split at %zu", i);
	}
	finish(c);
}

/* a pipelined group in one write: the replies in order; what follows
 * the end of the data in the same write is read as commands */
Test(smtpd, pipelining)
{
	struct cl *c = helo(100000, 10);

	c->f.refuse = "no@b.example";
	sendf(c, "XFORWARD NAME=h.example ADDR=192.0.2.1\r\n"
	    "MAIL FROM:<a@b.example>\r\nRCPT TO:<no@b.example>\r\n"
	    "RCPT TO:<yes@b.example>\r\nDATA\r\n");
	expect(c, "250 2.0.0");
	expect(c, "250 2.1.0");
	expect(c, "550 5.7.1");
	expect(c, "250 2.1.5");
	expect(c, "354 ");
	sendf(c, "body\r\n.\r\nNOOP\r\nQUIT\r\n");
	expect(c, "250 2.0.0 Ok: queued");
	expect(c, "250 2.0.0");
	expect(c, "221 2.0.0");
	cr_assert_eq(c->f.nrcpts, 1);
	cr_assert_str_eq(c->f.xforward, "NAME=h.example ADDR=192.0.2.1");
	finish(c);
}

Test(smtpd, xforward)
{
	struct cl *c = helo(100000, 10);
	char v[LIMIT_XFORWARD_ATTR + 2];

	cmd(c, "XFORWARD", "501 5.5.4");
	cmd(c, "XFORWARD FOO=bar", "501 5.5.4 Bad XFORWARD attribute name");
	cmd(c, "XFORWARD NAME", "501 5.5.4");
	cmd(c, "XFORWARD NAME=", "501 5.5.4");
	cmd(c, "XFORWARD NAME=a+4", "501 5.5.4");
	cmd(c, "XFORWARD NAME=a+0A", "501 5.5.4");
	cmd(c, "XFORWARD NAME=ok FOO=bar", "501 5.5.4");
	memset(v, 'a', sizeof v);
	v[LIMIT_XFORWARD_ATTR + 1] = '\0';
	sendf(c, "XFORWARD HELO=%s\r\n", v);
	expect(c, "501 5.5.4");
	v[LIMIT_XFORWARD_ATTR] = '\0';
	sendf(c, "XFORWARD HELO=%s\r\n", v);
	expect(c, "250 2.0.0");
	cmd(c, "xforward ident=3CF6B+2BAAE8 name=[UNAVAILABLE] PROTO=ESMTP",
	    "250 2.0.0");
	cmd(c, "XFORWARD PROTO=SMTP SOURCE=REMOTE PORT=25", "250 2.0.0");
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendf(c, "x\r\n.\r\n");
	expect(c, "250 ");
	cr_assert_str_eq(c->f.queueid, "3CF6B+AAE8");
	cr_assert(strstr(c->f.xforward, "ident=3CF6B+2BAAE8") != NULL);
	cr_assert(strstr(c->f.xforward, "name=[UNAVAILABLE]") != NULL);
	cr_assert(strstr(c->f.xforward, "PROTO=SMTP") != NULL);
	cr_assert(strstr(c->f.xforward, "ESMTP") == NULL);
	cr_assert(strstr(c->f.xforward, "SOURCE=REMOTE") != NULL);
	/* the attributes end with the transaction */
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendf(c, "x\r\n.\r\n");
	expect(c, "250 ");
	cr_assert_str_eq(c->f.queueid, "(null)");
	cr_assert_str_eq(c->f.xforward, "");
	cmd(c, "XFORWARD IDENT=[TEMPUNAVAIL]", "250 ");
	cmd(c, "RSET", "250 ");
	cmd(c, "XFORWARD IDENT=ABC", "250 ");
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendf(c, "x\r\n.\r\n");
	expect(c, "250 ");
	cr_assert_str_eq(c->f.queueid, "ABC");
	finish(c);
}

/* the stop flag while the session waits for a command: 421 4.3.2 */
Test(smtpd, stop_between_transactions)
{
	struct cl *c = helo(1000, 30);

	cmd(c, "NOOP", "250 ");
	usleep(100000);
	c->stop = 1;
	pthread_kill(c->th, SIGUSR1);
	expect(c, "421 4.3.2 mx.test Service shutting down");
	expect(c, "EOF");
	finish(c);
}

/* the stop flag during a message: it is finished, then 421 4.3.2 */
Test(smtpd, stop_during_message)
{
	struct cl *c = helo(1000, 30);

	c->f.stop = &c->stop;
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendf(c, "x\r\n.\r\nNOOP\r\n");
	expect(c, "250 2.0.0 Ok: queued");
	expect(c, "421 4.3.2");
	expect(c, "EOF");
	cr_assert_eq(c->f.nmsg, 1);
	finish(c);
}

/* a client that goes away in DATA leaves no message */
Test(smtpd, eof_in_data)
{
	struct cl *c = helo(1000, 10);

	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendf(c, "x\r\n");
	shutdown(c->fd, SHUT_WR);
	expect(c, "EOF");
	cr_assert_eq(c->f.nmsg, 0);
	finish(c);
}

/* a stop flag set with no signal to wake the wait (one that came just
 * before the wait began) is seen within about a second */
Test(smtpd, stop_without_signal)
{
	struct cl *c = helo(1000, 30);
	struct timeval t0, t1;

	cmd(c, "NOOP", "250 ");
	usleep(100000);
	gettimeofday(&t0, NULL);
	c->stop = 1;
	expect(c, "421 4.3.2");
	gettimeofday(&t1, NULL);
	cr_assert(t1.tv_sec - t0.tv_sec <= 2);
	finish(c);
}

/* the message is spooled in a file without a name ($TMPDIR stays
 * empty, the file has no link) */
Test(smtpd, spool_is_nameless)
{
	char dir[] = "/tmp/ms-smtpd.XXXXXX";
	struct cl *c;

	cr_assert(mkdtemp(dir) != NULL);
	setenv("TMPDIR", dir, 1);
	c = helo(1000, 10);
	c->f.spooldir = dir;
	c->f.names = c->f.links = -1;
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendf(c, "secret\r\n.\r\n");
	expect(c, "250 ");
	cr_assert_eq(c->f.names, 0, "%ld names in the spool directory",
	    c->f.names);
	cr_assert_eq(c->f.links, 0);
	finish(c);
	cr_assert(rmdir(dir) == 0, "the spool directory is empty");
}

/* no spool: 451 4.3.0 to DATA, the session goes on */
Test(smtpd, spool_cannot_open)
{
	struct cl *c;

	setenv("TMPDIR", "/nonexistent/mailseal-test", 1);
	c = helo(1000, 10);
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "451 4.3.0");
	cmd(c, "RCPT TO:<r@b.example>", "503 5.5.1");
	cmd(c, "NOOP", "250 ");
	cr_assert_eq(c->f.nmsg, 0);
	finish(c);
}

/* a full spool (here: the file size limit) while the text comes: the
 * text is read to its end, then 452 4.3.1, and nothing goes on */
Test(smtpd, spool_full)
{
	struct rlimit rl, lim;
	struct cl *c = helo(100000, 10);
	char body[2000];

	memset(body, 'a', sizeof body);
	memcpy(body + sizeof body - 2, "\r\n", 2);
	signal(SIGXFSZ, SIG_IGN);
	cr_assert(getrlimit(RLIMIT_FSIZE, &rl) == 0);
	lim = rl;
	lim.rlim_cur = 1000;
	cr_assert(setrlimit(RLIMIT_FSIZE, &lim) == 0);
	cmd(c, "MAIL FROM:<a@b.example>", "250 ");
	cmd(c, "RCPT TO:<r@b.example>", "250 ");
	cmd(c, "DATA", "354 ");
	sendb(c, body, sizeof body);
	sendf(c, ".\r\nNOOP\r\n");
	expect(c, "452 4.3.1");
	expect(c, "250 2.0.0");
	cr_assert(setrlimit(RLIMIT_FSIZE, &rl) == 0);
	cr_assert_eq(c->f.nmsg, 0);
	finish(c);
}

/* DSN and AUTH parameters (a Postfix before the queue passes its
 * client's on verbatim): taken when well formed, refused when not;
 * other parameters still 555 */
Test(smtpd, dsn_parameters_taken)
{
	struct smtpcmd_path p;

	cr_expect_eq(smtpcmd_mail("TO:<b@example.org> NOTIFY=SUCCESS,FAILURE "
	    "ORCPT=rfc822;b@example.org", 1, &p), SMTPCMD_OK);
	cr_expect_str_eq(p.addr, "b@example.org");
	cr_expect_eq(smtpcmd_mail("TO:<b@example.org> NOTIFY=NEVER", 1, &p),
	    SMTPCMD_OK);
	cr_expect_eq(smtpcmd_mail("FROM:<a@example.org> RET=HDRS "
	    "ENVID=QQ314159 AUTH=<> BODY=8BITMIME", 0, &p), SMTPCMD_OK);
	cr_expect_eq(p.body8bit, 1);
	cr_expect_eq(smtpcmd_mail("TO:<b@example.org> NOTIFY=SOMETIMES", 1,
	    &p), SMTPCMD_VALUE);
	cr_expect_eq(smtpcmd_mail("TO:<b@example.org> NOTIFY=SUCCESS,", 1,
	    &p), SMTPCMD_VALUE);
	cr_expect_eq(smtpcmd_mail("TO:<b@example.org> ORCPT=nosemicolon", 1,
	    &p), SMTPCMD_VALUE);
	cr_expect_eq(smtpcmd_mail("FROM:<a@example.org> RET=ALL", 0, &p),
	    SMTPCMD_VALUE);
	cr_expect_eq(smtpcmd_mail("FROM:<a@example.org> ENVID=a+ZZ", 0, &p),
	    SMTPCMD_VALUE);
	/* NOTIFY belongs to RCPT, RET to MAIL */
	cr_expect_eq(smtpcmd_mail("FROM:<a@example.org> NOTIFY=NEVER", 0, &p),
	    SMTPCMD_PARAM);
	cr_expect_eq(smtpcmd_mail("TO:<b@example.org> RET=FULL", 1, &p),
	    SMTPCMD_PARAM);
	cr_expect_str_eq(p.param, "RET");
	cr_expect_eq(smtpcmd_mail("TO:<b@example.org> MT-PRIORITY=3", 1, &p),
	    SMTPCMD_PARAM);
}
