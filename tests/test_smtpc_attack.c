/*
 * test_smtpc_attack.c - the SMTP hop (smtpc.c) against a broken or
 * hostile re-injection server (fakesmtp.h): what it says must never
 * make a copy count as accepted when the server did not accept it,
 * nor write past smtpc's own buffers.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "handoff.h"
#include "reinject.h"
#include "smtpd.h"
#include "smtpio.h"

#include "fakesmtp.h"

#define S(s)	((char *)(uintptr_t)(s))

static char *rcpts1[] = { S("b@example.net") };

/* give1 - one give of "x\n" to b@example.net against f (started
 * here), then QUIT; rc, err and qid out, the bytes f got returned */
static char *
give1(struct fake *f, int *rc, char *err, size_t errsz, char *qid)
{
	struct smtp_hop hop;
	struct handoff ho;
	int fd = copy_fd("x\n", 2);
	char *rec;

	fake_start(f);
	memset(&hop, 0, sizeof hop);
	hop.hostport = f->hostport;
	hop.helo = "client.example";
	hop.timeout = 5;
	handoff_smtp(&ho, &hop);
	*rc = ho.give(&ho, "a@example.org", rcpts1, 1, fd, err, errsz);
	snprintf(qid, HANDOFF_QIDLEN, "%s", ho.qid);
	smtpc_close(&hop);
	close(fd);
	rec = fake_end(f, NULL);
	return rec;
}

/* count - occurrences of s in rec */
static int
count(const char *rec, const char *s)
{
	const char *p = rec;
	int n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* A reply sent with the 354, before any data: the server is out of
 * step, and that 250 is not the reply to the end of the data (here the
 * real one refuses the copy): the give fails. */
Test(smtpc_attack, a_250_sent_before_the_data_is_not_the_dot_reply)
{
	struct fake f = { .data = "354 go ahead\r\n"
	    "250 2.0.0 Ok: queued as EARLY\r\n",
	    .dot = "554 5.7.1 fake: rejected\r\n" };
	struct fake g = { .data = "354 go ahead\r\n"
	    "250 2.0.0 Ok: queued as EARLY\r\n",
	    .dot = "554 5.7.1 fake: rejected\r\n", .ehlo = EHLO_PIPE };
	char err[REINJECT_ERRLEN], qid[HANDOFF_QIDLEN];
	int rc;

	(void)give1(&f, &rc, err, sizeof err, qid);
	cr_assert_eq(rc, -1, "taken for accepted, queued as \"%s\"", qid);
	cr_assert(strstr(err, "out of step") != NULL, "%s", err);
	cr_assert_str_eq(qid, "");
	(void)give1(&g, &rc, err, sizeof err, qid);
	cr_assert_eq(rc, -1, "pipelined: taken for accepted, queued as "
	    "\"%s\"", qid);
	cr_assert(strstr(err, "out of step") != NULL, "%s", err);
}

/* An unasked reply after MAIL's (no pipelining): out of step, the
 * connection is left, nothing goes as data */
Test(smtpc_attack, an_unasked_reply_before_the_data)
{
	struct fake f = { .mail = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n" };
	char err[REINJECT_ERRLEN], qid[HANDOFF_QIDLEN], *rec;
	int rc;

	rec = give1(&f, &rc, err, sizeof err, qid);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(err, "out of step") != NULL, "%s", err);
	cr_assert(strstr(rec, "x\r\n.\r\n") == NULL, "%s", rec);
}

/* The EHLO reply may name XFORWARD on more than one line, the names
 * as long as it likes: what smtpc keeps of them stays in its buffer.
 * (Written one byte past it, the NUL landed on the flag that says the
 * connection is new, so a 421 to MAIL was taken for a kept connection
 * gone idle and the hop connected a second time.) */
Test(smtpc_attack, xforward_names_over_several_ehlo_lines)
{
	static char ehlo[1024];
	struct fake f = { .ehlo = ehlo, .conns = 2,
	    .mail = "421 4.3.2 fake: shutting down\r\n" };
	char err[REINJECT_ERRLEN], qid[HANDOFF_QIDLEN], *rec;
	int rc, n;

	n = snprintf(ehlo, sizeof ehlo, "250-fake\r\n250-XFORWARD NAME ");
	memset(ehlo + n, 'N', 300);
	snprintf(ehlo + n + 300, sizeof ehlo - (size_t)n - 300,
	    "\r\n250-XFORWARD ADDR\r\n250 8BITMIME\r\n");
	rec = give1(&f, &rc, err, sizeof err, qid);
	cr_assert_eq(rc, -1);
	cr_assert(strstr(err, "421 4.3.2") != NULL, "%s", err);
	cr_assert_eq(count(rec, "EHLO"), 1, "%s", rec);
}

/* pf_end - read the data at p (n bytes) as Postfix's smtpd does: a
 * line ends at LF, the CRs before it are dropped, a line of "." alone
 * ends the data; where the bytes after that end start, or NULL */
static const char *
pf_end(const char *p, size_t n)
{
	const char *e = p + n, *nl;
	size_t len;

	while (p < e && (nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		len = (size_t)(nl - p);
		while (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 1 && p[0] == '.')
			return nl + 1;
		p = nl + 1;
	}
	return NULL;
}

/* No copy smuggles a second message past the server after us: what
 * ever the copy holds (the classic end-of-data look-alikes: bare LF,
 * bare CR, LF . LF, LF . CR LF, CR . CR, . CR CR LF), a reader that
 * ends lines at LF alone and drops CRs before it (Postfix's smtpd)
 * finds the end of the data only at our final dot. */
Test(smtpc_attack, no_end_of_data_look_alike_reaches_the_server)
{
	static const char *const bodies[] = {
		"a\n.\nMAIL FROM:<x@y>\n",
		"a\n.\r\nMAIL FROM:<x@y>\r\n",
		"a\r\n.\nMAIL FROM:<x@y>\r\n",
		"a\r.\rMAIL FROM:<x@y>\r\n",
		"a\r\n.\r\r\nMAIL FROM:<x@y>\r\n",
		".\r\r\nMAIL FROM:<x@y>\r\n",
		".\nMAIL FROM:<x@y>\n",
		"a\r\r\n.\r\n",
		"a\n\r.\r\n",
		"a\r\n.",
		".",
		"a\r\n.\r",
	};
	size_t i;

	for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		struct fake f = { 0 };
		struct smtp_hop hop;
		struct handoff ho;
		char err[REINJECT_ERRLEN];
		const char *d, *end;
		size_t len;
		char *rec;
		int fd = copy_fd(bodies[i], strlen(bodies[i])), rc;

		fake_start(&f);
		memset(&hop, 0, sizeof hop);
		hop.hostport = f.hostport;
		hop.helo = "client.example";
		hop.timeout = 5;
		handoff_smtp(&ho, &hop);
		rc = ho.give(&ho, "a@example.org", rcpts1, 1, fd, err,
		    sizeof err);
		smtpc_close(&hop);
		close(fd);
		rec = fake_end(&f, &len);
		cr_assert_eq(rc, 0, "body %zu: %s", i, err);
		d = strstr(rec, "DATA\r\n");
		cr_assert(d != NULL);
		d += 6;
		end = pf_end(d, len - (size_t)(d - rec));
		cr_assert(end != NULL, "body %zu: no end", i);
		cr_assert_str_eq(end, "QUIT\r\n", "body %zu: the data ends "
		    "early, then: %s", i, end);
	}
}
