/*
 * test_rfc5322.c - the header block reader keeps exact bytes and knows
 * where the body starts.
 */
#include <config.h>

#include <string.h>

#include <criterion/criterion.h>

#include "input.h"
#include "rfc5322.h"
#include "testutil.h"

static struct input *in;
static struct rfc5322_header h;

static void
teardown(void)
{
	rfc5322_free(&h);
	input_close(in);
}

TestSuite(rfc5322, .fini = teardown);

static enum rfc5322_err
parse(const char *msg)
{
	in = tu_input(msg, strlen(msg));
	return rfc5322_read(in, &h);
}

Test(rfc5322, fields_keep_exact_bytes)
{
	const char *msg = "MESSAGE-ID: <1@x>\nSubject :  odd\n\tfolded\n"
	    "X-Weird:nospace\n\nbody\n";
	char *body;

	cr_assert_eq(parse(msg), RFC5322_OK);
	cr_assert_eq(h.nfields, 3);
	cr_assert_eq(h.fields[0].rawlen, strlen("MESSAGE-ID: <1@x>\n"));
	cr_assert(memcmp(h.fields[0].raw, "MESSAGE-ID: <1@x>\n", 18) == 0);
	cr_assert(memcmp(h.fields[1].raw, "Subject :  odd\n\tfolded\n",
	    h.fields[1].rawlen) == 0, "folded field kept as it was");
	cr_assert(rfc5322_is(&h.fields[0], "Message-ID"), "case-insensitive name");
	cr_assert(rfc5322_is(&h.fields[1], "subject"), "WSP before colon");
	cr_assert_eq(h.separator, 1);
	cr_assert_eq(h.crlf, 0);
	body = tu_readall(in, NULL);
	cr_assert_str_eq(body, "body\n", "input left at the body");
	free(body);
}

Test(rfc5322, crlf_and_body_offset)
{
	const char *msg = "To: a@b\r\nSubject: s\r\n\r\nline\r\n";

	cr_assert_eq(parse(msg), RFC5322_OK);
	cr_assert_eq(h.crlf, 1);
	cr_assert_eq(h.bodyoff, (off_t)strlen("To: a@b\r\nSubject: s\r\n\r\n"));
}

Test(rfc5322, mbox_from_line_is_kept_apart)
{
	const char *msg = "From alice@example.org  Sun Nov 22 08:00:00 2026\n"
	    "From: alice@example.org\n\nx";

	cr_assert_eq(parse(msg), RFC5322_OK);
	cr_assert_not_null(h.fromline);
	cr_assert(strncmp(h.fromline, "From alice@", 11) == 0);
	cr_assert_eq(h.nfields, 1);
	cr_assert(rfc5322_is(&h.fields[0], "From"));
}

Test(rfc5322, unfold_removes_line_ends_only)
{
	size_t len;
	char *v;

	cr_assert_eq(parse("To: Bob\r\n <bob@example.org>,\n\tcarol@x\n\n"),
	    RFC5322_OK);
	v = rfc5322_unfold(&h.fields[0], &len);
	cr_assert_str_eq(v, "Bob <bob@example.org>,\tcarol@x");
	cr_assert_eq(len, strlen(v));
	free(v);
}

Test(rfc5322, header_only_without_newline)
{
	cr_assert_eq(parse("Subject: x"), RFC5322_OK);
	cr_assert_eq(h.nfields, 1);
	cr_assert_eq(h.separator, 0);
	cr_assert_eq(h.bodyoff, 10);
}

Test(rfc5322, non_header_line_starts_the_body)
{
	const char *msg = "Subject: x\nthis is not a header\nmore\n";
	char *body;

	cr_assert_eq(parse(msg), RFC5322_OK);
	cr_assert_eq(h.nfields, 1);
	cr_assert_eq(h.separator, 0);
	body = tu_readall(in, NULL);
	cr_assert_str_eq(body, "this is not a header\nmore\n");
	free(body);
}

struct bad {
	const char		*msg;
	size_t			 len;
	enum rfc5322_err	 want;
};

Test(rfc5322, bad_inputs)
{
	static const struct bad cases[] = {
		{ "", 0, RFC5322_EMPTY },
		{ "\n", 1, RFC5322_NOHEADER },
		{ "\r\nSubject: x\r\n", 14, RFC5322_NOHEADER },
		{ "hello world\n", 12, RFC5322_NOHEADER },
		{ " continuation: first\n", 21, RFC5322_NOHEADER },
		{ ": empty name\n", 13, RFC5322_NOHEADER },
		{ "From x\n", 7, RFC5322_NOHEADER },
		{ "Subject: a\0b\n\n", 14, RFC5322_NUL },
		{ "Subject: a\n\tb\0\n\n", 16, RFC5322_NUL },
		{ "From: a@b\rTo: c@d\r\rsecret\r", 26, RFC5322_CR },
		{ "Subject: a\rb\r\n\r\n", 17, RFC5322_CR },
		{ "Subject: x\r", 11, RFC5322_CR },
	};
	enum rfc5322_err got;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		in = tu_input(cases[i].msg, cases[i].len);
		got = rfc5322_read(in, &h);
		cr_expect_eq(got, cases[i].want, "case %zu: got %d, want %d",
		    i, got, cases[i].want);
		rfc5322_free(&h);
		input_close(in);
	}
	in = NULL;
}

Test(rfc5322, find_walks_repeated_fields)
{
	const struct rfc5322_field *f;
	size_t i = 0;
	int n = 0;

	cr_assert_eq(parse("To: a@b\nCc: c@d\nto: e@f\n\n"), RFC5322_OK);
	while ((f = rfc5322_find(&h, "To", &i)) != NULL)
		n++;
	cr_assert_eq(n, 2);
	cr_assert(rfc5322_has_prefix(&h.fields[1], "cc"));
}

Test(rfc5322, from_field_with_space_is_no_from_line)
{
	static const char *firsts[] = { "From : mallory@example.org\n",
	    "From  :mallory@example.org\n", "From \t: mallory@example.org\n" };
	char msg[256];
	size_t i, k;

	for (i = 0; i < sizeof firsts / sizeof firsts[0]; i++) {
		snprintf(msg, sizeof msg, "%sFrom: alice@example.org\n\nhi\n",
		    firsts[i]);
		rfc5322_free(&h);
		input_close(in);
		cr_assert_eq(parse(msg), RFC5322_OK);
		cr_expect_null(h.fromline, "[%s] taken for a From_ line",
		    firsts[i]);
		k = 0;
		cr_expect_not_null(rfc5322_find(&h, "From", &k));
		cr_expect_not_null(rfc5322_find(&h, "From", &k),
		    "[%s]: the second From field is not seen", firsts[i]);
		cr_expect(!rfc5322_is_fromline(firsts[i], strlen(firsts[i])));
	}
	cr_expect(rfc5322_is_fromline("From alice@example.org Sun Dec  6 "
	    "03:22:46 2026\n", 43));
	cr_expect(!rfc5322_is_fromline("From:x\n", 7));
}

Test(rfc5322, ambiguous_header_blocks)
{
	static const struct {
		const char	*msg;
		int		 want;
	} cases[] = {
		{ "Subject: x\n\nbody\n", 0 },
		{ "Subject: x\r\nTo: y\r\n\r\nbody\r\n", 0 },
		{ "Subject: x", 1 },	/* no body at all: nothing lost */
		{ "From x@y Mon Jan  1 00:00:00 2024\nSubject: x\n\n", 0 },
		{ "Subject: x\n--B\nContent-Type: text/plain\n\n", 1 },
		{ "Subject: x\n\xff\nContent-Type: text/plain\n\n", 1 },
		{ "Subject : x\n\nbody\n", 1 },
		{ "To: y\nX-Note\t: z\n\nbody\n", 1 },
		{ "From : x\n\nbody\n", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(parse(cases[i].msg), RFC5322_OK, "case %zu", i);
		cr_expect_eq(rfc5322_ambiguous(&h), cases[i].want, "case %zu",
		    i);
		rfc5322_free(&h);
		input_close(in);
	}
	in = tu_input("", 0);	/* for the teardown */
}
