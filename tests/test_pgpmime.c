/*
 * test_pgpmime.c - the PGP/MIME writer: boundaries, the exact outer
 * header, the canonical inner entity and the armor sink; header
 * protection (protect.c): the protected inner header, the outer
 * Subject.
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "input.h"
#include "limit.h"
#include "pgpmime.h"
#include "protect.h"
#include "rfc5322.h"
#include "secmem.h"
#include "testutil.h"

static void
setup(void)
{
	cr_assert_eq(secmem_init(), 0);
}

TestSuite(pgpmime, .init = setup);

Test(pgpmime, boundaries_are_random_and_valid)
{
	char a[PGPMIME_BOUNDARY_SIZE], b[PGPMIME_BOUNDARY_SIZE];
	size_t i;

	pgpmime_boundary(a);
	pgpmime_boundary(b);
	cr_expect_str_neq(a, b);
	cr_expect_eq(strlen(a), PGPMIME_BOUNDARY_SIZE - 1);
	cr_expect(strlen(a) <= 70, "RFC 2046 limit");
	cr_expect(strncmp(a, PGPMIME_BOUNDARY_PREFIX,
	    strlen(PGPMIME_BOUNDARY_PREFIX)) == 0);
	for (i = strlen(PGPMIME_BOUNDARY_PREFIX); a[i] != '\0'; i++)
		cr_expect(isalnum((unsigned char)a[i]), "char %zu", i);
}

Test(pgpmime, canon_makes_bare_lf_crlf_only)
{
	static const char *in = "a\nb\r\nc\rd\n\n";
	unsigned char out[64];
	size_t n;
	int prevcr = 0;

	n = pgpmime_canon((const unsigned char *)in, strlen(in), out, &prevcr);
	cr_expect_eq(n, strlen("a\r\nb\r\nc\rd\r\n\r\n"));
	cr_expect(memcmp(out, "a\r\nb\r\nc\rd\r\n\r\n", n) == 0);
	/* a CRLF split between two calls stays one CRLF */
	prevcr = 0;
	n = pgpmime_canon((const unsigned char *)"x\r", 2, out, &prevcr);
	n += pgpmime_canon((const unsigned char *)"\ny", 2, out + n, &prevcr);
	cr_expect_eq(n, 4);
	cr_expect(memcmp(out, "x\r\ny", 4) == 0);
}

static char *
write_head(const char *msg, size_t *lenp)
{
	struct rfc5322_header h;
	struct input *in = tu_input(msg, strlen(msg));
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	cr_assert_eq(pgpmime_write_head(fp, &h, "BOUNDARY"), 0);
	fclose(fp);
	rfc5322_free(&h);
	input_close(in);
	*lenp = len;
	return buf;
}

Test(pgpmime, outer_header_keeps_fields_drops_content_and_bcc)
{
	static const char *msg =
	    "From x@y  Sun Nov 22 08:00:00 2026\n"
	    "Received: from a\n\tby b\n"
	    "MESSAGE-ID: <1@x>\n"
	    "Content-Type: text/plain\n"
	    "bcc: hidden@example.org\n"
	    "Resent-Bcc: hidden2@example.org\n"
	    "DKIM-Signature: v=1; b=abc\n"
	    "content-transfer-encoding: 8bit\n"
	    "Subject : odd\n"
	    "\nbody\n";
	size_t len;
	char *out = write_head(msg, &len);
	const char *want_start =
	    "From x@y  Sun Nov 22 08:00:00 2026\n"
	    "Received: from a\n\tby b\n"
	    "MESSAGE-ID: <1@x>\n"
	    "DKIM-Signature: v=1; b=abc\n"
	    "Subject : odd\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: multipart/encrypted;\n"
	    "\tprotocol=\"application/pgp-encrypted\";\n"
	    "\tboundary=\"BOUNDARY\"\n\n";

	cr_expect(strncmp(out, want_start, strlen(want_start)) == 0,
	    "got:\n%s", out);
	cr_expect_null(strstr(out, "hidden"));
	cr_expect(strstr(out, "\n--BOUNDARY\nContent-Type: application/"
	    "pgp-encrypted\n") != NULL);
	cr_expect(strstr(out, "\nVersion: 1\n") != NULL);
	cr_expect(strstr(out, "\n--BOUNDARY\nContent-Type: application/"
	    "octet-stream") != NULL);
	cr_expect(out[len - 1] == '\n' && out[len - 2] == '\n',
	    "ends with the blank line before the armor");
	free(out);
}

Test(pgpmime, crlf_messages_get_crlf_lines_and_one_mime_version)
{
	size_t len, i;
	char *out = write_head("MIME-Version: 1.0\r\nTo: a@b\r\n\r\nx", &len);

	for (i = 0; i < len; i++)
		if (out[i] == '\n')
			cr_assert(i > 0 && out[i - 1] == '\r', "bare LF at %zu", i);
	cr_expect_null(strstr(strstr(out, "MIME-Version") + 1, "MIME-Version"));
	free(out);
}

static char *
inner_as(const char *msg, size_t step, int protect, size_t *lenp)
{
	struct rfc5322_header h;
	struct pgpmime_inner s;
	struct input *in = tu_input(msg, strlen(msg));
	char *buf = malloc(1 << 16);
	size_t len = 0;
	ssize_t n;

	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	pgpmime_inner_init(&s, &h, in);
	if (protect)
		pgpmime_inner_protect(&s, &h);
	while ((n = pgpmime_inner_read(&s, buf + len, step)) > 0)
		len += (size_t)n;
	cr_assert_eq(n, 0);
	pgpmime_inner_free(&s);
	rfc5322_free(&h);
	input_close(in);
	*lenp = len;
	return buf;
}

static char *
inner(const char *msg, size_t step, size_t *lenp)
{
	return inner_as(msg, step, 0, lenp);
}

Test(pgpmime, inner_entity_is_content_fields_and_body_in_crlf)
{
	static const char *msg = "To: a@b\nContent-Type: text/plain;\n"
	    "\tcharset=utf-8\nSubject: s\nContent-Transfer-Encoding: 8bit\n\n"
	    "Gr\xc3\xbc\xc3\x9f" "e\nline\r\nlast";
	static const char *want = "Content-Type: text/plain;\r\n"
	    "\tcharset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
	    "Gr\xc3\xbc\xc3\x9f" "e\r\nline\r\nlast";
	size_t step, len;
	char *got;

	for (step = 1; step <= 4096; step *= 3) {
		got = inner(msg, step, &len);
		cr_expect_eq(len, strlen(want), "step %zu", step);
		cr_expect(memcmp(got, want, strlen(want)) == 0, "step %zu", step);
		free(got);
	}
}

Test(pgpmime, inner_entity_without_content_fields)
{
	size_t len;
	char *got = inner("Subject: s\n\nhi\n", 100, &len);

	cr_expect_eq(len, 6);
	cr_expect(memcmp(got, "\r\nhi\r\n", 6) == 0);
	free(got);
}

Test(pgpmime, sink_converts_armor_line_ends)
{
	struct pgpmime_sink s;
	char *buf = NULL;
	size_t len = 0;

	memset(&s, 0, sizeof s);
	s.fp = open_memstream(&buf, &len);
	s.crlf = 1;
	cr_expect_eq(pgpmime_sink_write(&s, "ab\ncd", 5), 5);
	cr_expect_eq(s.lastnl, 0);
	cr_expect_eq(pgpmime_sink_write(&s, "\n", 1), 1);
	cr_expect_eq(s.lastnl, 1);
	fclose(s.fp);
	cr_expect_str_eq(buf, "ab\r\ncd\r\n");
	free(buf);
}

Test(pgpmime, sink_knows_a_whole_armor_from_a_cut_one)
{
	static const char *armor = "-----BEGIN PGP MESSAGE-----\n\nhQEMA"
	    "xyz\n=abcd\n-----END PGP MESSAGE-----\n";
	struct pgpmime_sink s;
	char *buf = NULL;
	size_t len = 0, i, step, n = strlen(armor);

	for (step = 1; step <= n; step += 7) {
		memset(&s, 0, sizeof s);
		s.fp = open_memstream(&buf, &len);
		for (i = 0; i < n; i += step)
			pgpmime_sink_write(&s, armor + i, i + step > n ? n - i : step);
		cr_expect(pgpmime_sink_complete(&s), "step %zu", step);
		fclose(s.fp);
		free(buf);
		buf = NULL;
	}
	for (n = 0; n < strlen(armor); n += 5) {	/* every cut */
		memset(&s, 0, sizeof s);
		s.fp = open_memstream(&buf, &len);
		pgpmime_sink_write(&s, armor, n);
		cr_expect_not(pgpmime_sink_complete(&s), "cut at %zu", n);
		fclose(s.fp);
		free(buf);
		buf = NULL;
	}
}

Test(pgpmime, canon_reader_stops_at_its_bound_whatever_the_step)
{
	static const char *msg = "skip\nsigned\nlines\r\nend\nafter";
	static const char *want = "signed\r\nlines\r\nend\r\n";
	struct pgpmime_inner s;
	struct input *in = tu_input(msg, strlen(msg));
	char buf[64];
	size_t step, len;
	ssize_t n;

	for (step = 1; step <= 7; step++) {
		cr_assert_eq(input_seek(in, 5), 0);
		pgpmime_canon_init(&s, in, 18);	/* "signed...end\n" */
		len = 0;
		while ((n = pgpmime_inner_read(&s, buf + len, step)) > 0)
			len += (size_t)n;
		cr_expect_eq(n, 0);
		cr_expect_eq(len, strlen(want), "step %zu: %zu bytes", step, len);
		cr_expect(memcmp(buf, want, strlen(want)) == 0, "step %zu", step);
	}
	input_close(in);
}

Test(pgpmime, canon_reader_refuses_a_negative_bound)
{
	struct pgpmime_inner s;
	struct input *in = tu_input("signed\nrest of the input\n", 25);
	char buf[64];

	/* -1 once meant "to the end of the input" */
	cr_expect_eq(pgpmime_canon_init(&s, in, -1), -1);
	cr_expect_eq(pgpmime_inner_read(&s, buf, sizeof buf), 0);
	cr_expect_eq(pgpmime_canon_init(&s, in, 0), 0);
	cr_expect_eq(pgpmime_inner_read(&s, buf, sizeof buf), 0);
	input_close(in);
}

/* protected - the protected inner entity of msg, NUL-terminated */
static char *
protected(const char *msg, size_t step)
{
	size_t len;
	char *got = inner_as(msg, step, 1, &len);

	got[len] = '\0';
	return got;
}

Test(protect, inner_header_carries_the_fields_then_hp_outer)
{
	static const char *msg =
	    "From x@y  Sun Nov 22 08:00:00 2026\n"
	    "Received: from a\n\tby b\n"
	    "Return-Path: <x@y>\n"
	    "From: Alice <alice@example.org>\n"
	    "To: bob@example.org\n"
	    "Cc: carol@example.org\n"
	    "Bcc: hidden@example.org\n"
	    "Resent-Bcc: hidden2@example.org\n"
	    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and a subject that\n"
	    " is folded\n"
	    "Date: Mon, 1 Jan 2024 00:00:00 +0000\n"
	    "Message-ID: <1@x>\n"
	    "In-Reply-To: <0@x>\n"
	    "References: <0@x>\n"
	    "Reply-To: list@example.org\n"
	    "MIME-Version: 1.0\n"
	    "DKIM-Signature: v=1; b=abc\n"
	    "ARC-Seal: i=1\n"
	    "X-Mailseal-Signature: good\n"
	    "X-Mailer: mutt\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n"
	    "\nbody\n";
	static const char *want =
	    "From: Alice <alice@example.org>\r\n"
	    "To: bob@example.org\r\n"
	    "Cc: carol@example.org\r\n"
	    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= and a subject that\r\n"
	    " is folded\r\n"
	    "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
	    "Message-ID: <1@x>\r\n"
	    "In-Reply-To: <0@x>\r\n"
	    "References: <0@x>\r\n"
	    "Reply-To: list@example.org\r\n"
	    "MIME-Version: 1.0\r\n"
	    "X-Mailer: mutt\r\n"
	    "Content-Type: text/plain; charset=utf-8;\r\n"
	    "\thp=\"cipher\"; protected-headers=\"v1\"\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n"
	    "HP-Outer: From: Alice <alice@example.org>\r\n"
	    "HP-Outer: To: bob@example.org\r\n"
	    "HP-Outer: Cc: carol@example.org\r\n"
	    "HP-Outer: Subject: [...]\r\n"
	    "HP-Outer: Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
	    "HP-Outer: Message-ID: <1@x>\r\n"
	    "HP-Outer: In-Reply-To: <0@x>\r\n"
	    "HP-Outer: References: <0@x>\r\n"
	    "HP-Outer: Reply-To: list@example.org\r\n"
	    "HP-Outer: X-Mailer: mutt\r\n"
	    "\r\n"
	    "body\r\n";
	size_t step;
	char *got;

	for (step = 1; step <= 4096; step *= 4) {
		got = protected(msg, step);
		cr_expect_str_eq(got, want, "step %zu", step);
		free(got);
	}
}

Test(protect, a_message_without_content_type_gets_text_plain)
{
	char *got = protected("Subject: s\r\nTo: a@b\r\n\r\nhi\r\n", 100);

	cr_expect_str_eq(got,
	    "Content-Type: text/plain; charset=us-ascii; hp=\"cipher\"; "
	    "protected-headers=\"v1\"\r\n"
	    "Subject: s\r\nTo: a@b\r\n"
	    "HP-Outer: Subject: [...]\r\nHP-Outer: To: a@b\r\n\r\nhi\r\n");
	free(got);
}

/* ctype - the Content-Type line(s) the protected header has for ct */
static char *
ctype(const char *ct)
{
	char msg[1024], *got, *end;

	snprintf(msg, sizeof msg, "Content-Type:%s\n\nx", ct);
	got = protected(msg, 4096);
	end = strstr(got, "\r\n\r\n");
	cr_assert_not_null(end);
	end[2] = '\0';
	return got;
}

Test(protect, our_parameters_are_never_there_twice)
{
	static const struct {
		const char	*in;
		const char	*out;	/* before our line */
	} t[] = {
		/* a message we decrypted: ours again, once */
		{ " text/plain; charset=us-ascii;\n\thp=\"cipher\"; "
		    "protected-headers=\"v1\"", " text/plain; charset=us-ascii" },
		{ " text/plain; HP=clear; Protected-Headers=v1; a=b",
		    " text/plain; a=b" },
		/* RFC 2231 forms of the names */
		{ " text/plain; hp*=utf-8''cipher; hp*0=x; b=c",
		    " text/plain; b=c" },
		/* a ';' in a quoted string or a comment splits nothing */
		{ " text/plain; name=\"a;hp=x\"; hp=cipher",
		    " text/plain; name=\"a;hp=x\"" },
		{ " text/plain (x; hp=y); hp=\"cipher\"",
		    " text/plain (x; hp=y)" },
		{ " text/plain; name=\"q\\\";hp=x\"",
		    " text/plain; name=\"q\\\";hp=x\"" },
		/* names that only start like ours stay */
		{ " text/plain; hpx=1; protected-headers-x=2",
		    " text/plain; hpx=1; protected-headers-x=2" },
		/* an empty parameter (a trailing ';') goes */
		{ " text/plain; charset=utf-8; ", " text/plain; charset=utf-8" },
		{ "text/plain", "text/plain" },
	};
	char want[512], *got;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(want, sizeof want, "Content-Type:%s;\r\n\t"
		    "hp=\"cipher\"; protected-headers=\"v1\"\r\n", t[i].out);
		got = ctype(t[i].in);
		cr_expect_str_eq(got, want, "case %zu", i);
		free(got);
	}
}

Test(protect, outer_subject_is_hidden_the_rest_stays)
{
	static const char *want = "Subject: [...]\nTo: a@b\nSubject: [...]\n"
	    "MIME-Version: 1.0\n";
	struct rfc5322_header h, oh;
	const char *msg = "subject: secret\nTo: a@b\nSubject : two\n\nx";
	struct input *in = tu_input(msg, strlen(msg));
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	protect_outer(&h, &oh);
	cr_assert_eq(pgpmime_write_head(fp, &oh, "B"), 0);
	fclose(fp);
	cr_expect(strncmp(buf, want, strlen(want)) == 0, "got:\n%s", buf);
	cr_expect_null(strstr(buf, "secret"));
	/* h itself is untouched */
	cr_expect(strncmp(h.fields[0].raw, "subject: secret\n", 16) == 0);
	protect_outer_free(&oh);
	free(buf);
	rfc5322_free(&h);
	input_close(in);
}

Test(protect, no_subject_gets_none)
{
	char *got = protected("To: a@b\n\nx", 100);

	cr_expect_null(strstr(got, "Subject"));
	free(got);
}

Test(protect, fields_that_stay_outside)
{
	static const char *out[] = { "Received", "Return-Path", "Bcc",
	    "Resent-Bcc", "Resent-From", "DKIM-Signature",
	    "ARC-Seal", "Authentication-Results", "Received-SPF",
	    "Delivered-To", "X-Original-To", "X-Mailseal-Gateway",
	    "HP-Outer", "Content-Type", NULL };
	static const char *in[] = { "Subject", "From", "Sender", "To", "Cc",
	    "Reply-To", "Date", "Message-ID", "In-Reply-To", "References",
	    "Keywords", "List-Id", "X-Mailer", "Autocrypt", "MIME-Version",
	    NULL };
	struct rfc5322_field f;
	char raw[64];
	size_t i;

	memset(&f, 0, sizeof f);
	f.raw = raw;
	for (i = 0; out[i] != NULL; i++) {
		f.namelen = (size_t)snprintf(raw, sizeof raw, "%s: x\n", out[i]) - 4;
		f.rawlen = f.namelen + 4;
		cr_expect_not(protect_copies(&f), "%s", out[i]);
	}
	for (i = 0; in[i] != NULL; i++) {
		f.namelen = (size_t)snprintf(raw, sizeof raw, "%s: x\n", in[i]) - 4;
		f.rawlen = f.namelen + 4;
		cr_expect(protect_copies(&f), "%s", in[i]);
	}
}

/* level - the level protect_inner takes for msg's header (-1: none) */
static int
level(const char *msg, size_t len, char **headp)
{
	struct rfc5322_header h;
	struct input *in = tu_input(msg, len);
	enum protect_level lv;
	size_t hlen;
	char *head;
	int r = -1;

	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	if ((head = protect_inner(&h, &hlen, &lv)) != NULL) {
		r = (int)lv;
		/* whatever the level, decrypt can read it back */
		cr_expect(protect_fits(head, hlen - 2));
		head[hlen - 2] = '\0';
	}
	if (headp != NULL)
		*headp = head;
	else
		free(head);
	rfc5322_free(&h);
	input_close(in);
	return r;
}

/* fields_msg - Subject, then n fields X-N: I, then a body */
static char *
fields_msg(size_t n, size_t *lenp)
{
	char *m = malloc(16 + n * 16), *p = m;
	size_t i;

	p += sprintf(p, "Subject: s\n");
	for (i = 0; i < n; i++)
		p += sprintf(p, "X-N: %zu\n", i);
	p += sprintf(p, "\nx");
	*lenp = (size_t)(p - m);
	return m;
}

Test(protect, the_field_count_limit_drops_hp_outer_first)
{
	size_t len;
	char *m, *head;

	/* a Content-Type, 999 fields and 999 HP-Outer: the limit, 2000 */
	m = fields_msg(998, &len);
	cr_expect_eq(level(m, len, &head), PROTECT_ALL);
	cr_expect_not_null(strstr(head, "HP-Outer: X-N: 997\r\n"));
	free(head);
	free(m);
	m = fields_msg(999, &len);
	cr_expect_eq(level(m, len, &head), PROTECT_FIELDS);
	cr_expect_null(strstr(head, "HP-Outer"));
	cr_expect_not_null(strstr(head, "X-N: 998\r\n"));
	cr_expect_not_null(strstr(head, "hp=\"cipher\""));
	free(head);
	free(m);
}

/* long_msg - a To, then a field name: value line of total bytes with
 * the line end eol, then a body */
static char *
long_msg(const char *name, size_t total, const char *eol, size_t *lenp)
{
	size_t n = strlen(name), e = strlen(eol);
	char *m = malloc(total + 64);
	int o = sprintf(m, "To: a@b%s", eol);

	memcpy(m + o, name, n);
	memcpy(m + o + n, ": ", 2);
	memset(m + o + n + 2, 'a', total - n - 2 - e);
	memcpy(m + o + total - e, eol, e);
	memcpy(m + o + total, eol, e);
	*lenp = (size_t)o + total + e;
	return m;
}

Test(protect, the_line_limit_decides_the_level)
{
	size_t len;
	char *m;

	/* CRLF: the copy fits; HP-Outer's line is 10 bytes longer */
	m = long_msg("X-Long", LIMIT_HEADER_LINE - 10, "\r\n", &len);
	cr_expect_eq(level(m, len, NULL), PROTECT_ALL);
	free(m);
	m = long_msg("X-Long", LIMIT_HEADER_LINE - 9, "\r\n", &len);
	cr_expect_eq(level(m, len, NULL), PROTECT_FIELDS);
	free(m);
	m = long_msg("X-Long", LIMIT_HEADER_LINE, "\r\n", &len);
	cr_expect_eq(level(m, len, NULL), PROTECT_FIELDS);
	free(m);
	/* LF: the copy gains a CR; over the limit it stays outside, and
	 * then hp= would say the inner header is all there is: v1 alone */
	m = long_msg("X-Long", LIMIT_HEADER_LINE - 1, "\n", &len);
	cr_expect_eq(level(m, len, NULL), PROTECT_FIELDS);
	free(m);
	m = long_msg("X-Long", LIMIT_HEADER_LINE, "\n", &len);
	cr_expect_eq(level(m, len, NULL), PROTECT_SHOWN);
	free(m);
}

/* folded_msg - a Subject, then a field name folded to total bytes in
 * lines of at most 1000 bytes ending in LF, then a body */
static char *
folded_msg(const char *name, size_t total, size_t *lenp)
{
	char *m = malloc(total + 64);
	size_t o, start, k;

	o = (size_t)sprintf(m, "%s: a\n", strcmp(name, "Subject") == 0 ?
	    "To" : "Subject");
	start = o;
	o += (size_t)sprintf(m + o, "%s: a\n", name);
	while (o - start < total) {
		k = total - (o - start) > 1000 ? 1000 : total - (o - start);
		m[o] = ' ';
		memset(m + o + 1, 'b', k - 2);
		m[o + k - 1] = '\n';
		o += k;
	}
	o += (size_t)sprintf(m + o, "\nx");
	*lenp = o;
	return m;
}

/* lines_of - the lines in the first len bytes of s */
static size_t
lines_of(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

Test(protect, a_field_too_long_in_crlf_takes_the_next_level)
{
	size_t len, total, lines;
	char *m, *head;

	/* a To folded so that its CRLF form is the field limit, then one
	 * byte over it: shown fields no longer fit, the Subject does */
	for (total = LIMIT_HEADER_FIELD - 300;; total++) {
		m = folded_msg("To", total, &len);
		lines = lines_of(m + strlen("Subject: a\n"), total);
		if (total + lines >= LIMIT_HEADER_FIELD)
			break;
		free(m);
	}
	cr_assert_eq(total + lines, LIMIT_HEADER_FIELD);
	cr_expect_eq(level(m, len, NULL), PROTECT_FIELDS);
	free(m);
	m = folded_msg("To", total + 1, &len);
	cr_expect_eq(level(m, len, &head), PROTECT_SUBJECT);
	cr_expect_str_eq(head, "Content-Type: text/plain; charset=us-ascii; "
	    "protected-headers=\"v1\"\r\nSubject: a\r\n");
	free(head);
	free(m);
	/* the Subject itself: nothing fits, no protection */
	m = folded_msg("Subject", total + 1, &len);
	cr_expect_eq(level(m, len, &head), -1);
	cr_expect_null(head);
	free(m);
}

Test(protect, no_white_space_before_a_colon_inside)
{
	char *got = protected("Subject : odd\nX-A\t:v\nContent-Type :"
	    " text/plain\n\nx", 100);

	cr_expect_str_eq(got, "Subject: odd\r\nX-A:v\r\n"
	    "Content-Type: text/plain;\r\n"
	    "\thp=\"cipher\"; protected-headers=\"v1\"\r\n"
	    "HP-Outer: Subject: [...]\r\nHP-Outer: X-A:v\r\n\r\nx");
	free(got);
}

/* A Content-Type value that leaves a quoted string, a comment or a
 * quoted pair open, or has no type: ours would be inside it, unseen by
 * readers (protect_marker() too), and the recipient's Subject "[...]". */
Test(protect, our_parameters_are_never_swallowed)
{
	static const struct {
		const char	*in;
		const char	*out;	/* before our line */
	} t[] = {
		{ "", " text/plain" },
		{ " ; charset=utf-8", " text/plain; charset=utf-8" },
		{ " (c) ; charset=utf-8", " text/plain; charset=utf-8" },
		{ " (c", " text/plain" },
		{ " text/plain; x=\"a", " text/plain; x=\"a\"" },
		{ " text/plain; x=\"a\\", " text/plain; x=\"a\\\\\"" },
		{ " text/plain (c", " text/plain (c)" },
		{ " text/plain (a (b", " text/plain (a (b))" },
		{ " text/plain (a\\", " text/plain (a\\\\)" },
	};
	struct rfc5322_header h;
	struct input *in;
	char want[512], *got, *head;
	size_t i, len;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(want, sizeof want, "Content-Type:%s;\r\n\t"
		    "hp=\"cipher\"; protected-headers=\"v1\"\r\n", t[i].out);
		got = ctype(t[i].in);
		cr_expect_str_eq(got, want, "case %zu", i);
		len = strlen(got);
		head = malloc(len + 3);
		cr_assert_not_null(head);
		memcpy(head, got, len);
		memcpy(head + len, "\r\n", 3);
		in = tu_input(head, len + 2);
		cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
		cr_expect_eq(protect_marker(&h), PROTECT_HP, "case %zu", i);
		rfc5322_free(&h);
		input_close(in);
		free(head);
		free(got);
	}
}

/* Without header protection (and in a signed part) the entity has no
 * protected header: a Content-Type that says so loses the marks; any
 * other stays byte for byte. */
Test(protect, no_protected_header_no_marks)
{
	static const struct {
		const char	*in;
		const char	*out;
	} t[] = {
		{ "Content-Type: text/plain; charset=us-ascii;\n"
		    "\thp=\"cipher\"; protected-headers=\"v1\"\n\nx",
		    "Content-Type: text/plain; charset=us-ascii\r\n\r\nx" },
		{ "Content-Type : text/plain; HP*=x; a=b\n\nx",
		    "Content-Type: text/plain; a=b\r\n\r\nx" },
		{ "Content-Type:  text/plain; a=b;\n\nx",
		    "Content-Type:  text/plain; a=b;\r\n\r\nx" },
		{ "Content-Type: text/plain; name=\"hp=x\"\n\nx",
		    "Content-Type: text/plain; name=\"hp=x\"\r\n\r\nx" },
	};
	size_t i, len;
	char *got;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = inner_as(t[i].in, 4096, 0, &len);
		got[len] = '\0';
		cr_expect_str_eq(got, t[i].out, "case %zu", i);
		free(got);
	}
}

/* protect_marker() reads a mark wherever a lenient reader would, and
 * nowhere else */
Test(protect, marks_are_read_leniently)
{
	static const struct {
		const char		*ct;
		enum protect_mode	 want;
	} t[] = {
		{ "text/plain; hp=\"cipher\"", PROTECT_HP },
		{ "text/plain; hp*=us-ascii''clear", PROTECT_HP },
		{ "text/plain; a=@; hp=clear", PROTECT_HP },
		{ "text/plain; p1=1; p2=2; p3=3; p4=4; p5=5; p6=6; p7=7; "
		    "p8=8; p9=9; p10=1; p11=1; p12=1; p13=1; p14=1; p15=1; "
		    "p16=1; p17=1; p18=1; p19=1; p20=1; p21=1; p22=1; p23=1; "
		    "p24=1; p25=1; p26=1; p27=1; p28=1; p29=1; p30=1; p31=1; "
		    "p32=1; p33=1; hp=clear", PROTECT_HP },
		{ "text/plain; Protected-Headers=V1", PROTECT_V1 },
		{ "text/plain; protected-headers = \"v1\" (x)", PROTECT_V1 },
		{ "text/plain; protected-headers*0=v1", PROTECT_V1 },
		{ "text/plain; protected-headers=\"v1\"; hp=x", PROTECT_HP },
		{ "text/plain; protected-headers=v10", PROTECT_NONE },
		{ "text/plain; protected-headers=v2", PROTECT_NONE },
		{ "text/plain; hpx=1; xhp=2", PROTECT_NONE },
		{ "text/plain; name=\"a; hp=x\"", PROTECT_NONE },
		/* Python's email package splits in comments too */
		{ "text/plain (b; hp=x)", PROTECT_HP },
		{ "text/plain; hp=\"x\\", PROTECT_HP },
		{ "hp=x", PROTECT_NONE },
	};
	struct rfc5322_header h;
	struct input *in;
	char msg[1024];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(msg, sizeof msg, "To: a@b\r\nContent-Type: %s\r\n\r\n",
		    t[i].ct);
		in = tu_input(msg, strlen(msg));
		cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
		cr_expect_eq(protect_marker(&h), t[i].want, "case %zu", i);
		rfc5322_free(&h);
		input_close(in);
	}
	/* a second Content-Type field counts too */
	snprintf(msg, sizeof msg, "Content-Type: text/plain\r\n"
	    "Content-Type: text/plain; hp=clear\r\n\r\n");
	in = tu_input(msg, strlen(msg));
	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	cr_expect_eq(protect_marker(&h), PROTECT_HP);
	rfc5322_free(&h);
	input_close(in);
}
