/*
 * test_mime.c - Content-Type and Content-Transfer-Encoding values, and
 * how classify.c reads the root structure they describe.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "classify.h"
#include "input.h"
#include "mime.h"
#include "rfc5322.h"
#include "testutil.h"

static struct mime_ctype ct;

static void
teardown(void)
{
	mime_ctype_free(&ct);
}

TestSuite(mime, .fini = teardown);

static int
parse(const char *s)
{
	mime_ctype_free(&ct);
	return mime_ctype_parse(s, strlen(s), &ct);
}

Test(mime, type_subtype_and_params)
{
	cr_assert_eq(parse("Multipart/Encrypted; protocol=\"application/"
	    "pgp-encrypted\"; boundary=\"a\\\"b\""), 0);
	cr_expect_str_eq(ct.type, "multipart");
	cr_expect_str_eq(ct.subtype, "encrypted");
	cr_expect_str_eq(mime_ctype_param(&ct, "PROTOCOL"),
	    "application/pgp-encrypted");
	cr_expect_str_eq(mime_ctype_param(&ct, "boundary"), "a\"b");
	cr_expect(mime_ctype_is(&ct, "multipart", "encrypted"));
	cr_expect(mime_ctype_is(&ct, "multipart", NULL));
}

Test(mime, comments_and_spaces)
{
	cr_assert_eq(parse(" (c (nested)) text / plain (x) ; charset = utf-8"),
	    0);
	cr_expect(mime_ctype_is(&ct, "text", "plain"));
	cr_expect_str_eq(mime_ctype_param(&ct, "charset"), "utf-8");
}

Test(mime, invalid_means_no_type)
{
	static const char *cases[] = { "", "text", "text/", "/plain",
	    "text plain", "(unclosed", "\"text\"/plain" };
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(parse(cases[i]), -1, "case [%s]", cases[i]);
}

Test(mime, bad_params_are_dropped_not_fatal)
{
	cr_assert_eq(parse("application/pkcs7-mime; smime-type=enveloped-data; "
	    "name=\"unterminated"), 0);
	cr_expect_str_eq(mime_ctype_param(&ct, "smime-type"), "enveloped-data");
	cr_expect_null(mime_ctype_param(&ct, "name"));
}

Test(mime, param_count_is_bounded)
{
	char buf[4096] = "text/plain";
	int i;

	for (i = 0; i < MIME_PARAMS_MAX + 10; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
		    "; p%d=v", i);
	cr_assert_eq(parse(buf), 0);
	cr_expect_eq(ct.nparams, MIME_PARAMS_MAX);
}

Test(mime, transfer_encodings)
{
	cr_expect_eq(mime_cte_parse("7bit", 4), MIME_CTE_IDENTITY);
	cr_expect_eq(mime_cte_parse(" 8BIT ", 6), MIME_CTE_IDENTITY);
	cr_expect_eq(mime_cte_parse("binary", 6), MIME_CTE_IDENTITY);
	cr_expect_eq(mime_cte_parse("Quoted-Printable", 16), MIME_CTE_QP);
	/* Python compares the whole value: "base64 (c)" is not base64 */
	cr_expect_eq(mime_cte_parse("base64 (c)", 10), MIME_CTE_UNKNOWN);
	cr_expect_eq(mime_cte_parse("(c) base64", 10), MIME_CTE_UNKNOWN);
	cr_expect_eq(mime_cte_parse("quoted-printable format=flowed", 30),
	    MIME_CTE_UNKNOWN);
	cr_expect_eq(mime_cte_parse("\tbase64\r\n", 10), MIME_CTE_BASE64);
	cr_expect_eq(mime_cte_parse("x-uuencode", 10), MIME_CTE_UNKNOWN);
	cr_expect_eq(mime_cte_parse("", 0), MIME_CTE_UNKNOWN);
}

Test(mime, values_keep_their_case)
{
	cr_assert_eq(parse("Multipart/Signed; Boundary=SIG; Protocol="
	    "\"Application/PGP-Signature\""), 0);
	cr_expect_str_eq(ct.type, "multipart");
	cr_expect_str_eq(ct.subtype, "signed");
	cr_expect_str_eq(ct.params[0].name, "boundary");
	cr_expect_str_eq(mime_ctype_param(&ct, "boundary"), "SIG");
	cr_expect_str_eq(mime_ctype_param(&ct, "protocol"),
	    "Application/PGP-Signature");
}

Test(mime, clean_means_read_to_the_end)
{
	static const struct {
		const char	*in;
		int		 clean;
	} cases[] = {
		{ "text/plain", 1 },
		{ "text/plain;", 1 },
		{ "text/plain; charset=utf-8; format=flowed ; ", 1 },
		{ "multipart/signed; boundary=\"a b\"; micalg=\"(x)\"", 1 },
		{ "multipart/signed; boundary=\"a b\" (c); micalg=x", 0 },
		{ "(c) multipart/signed; boundary=a", 0 },
		{ "multipart/signed; boundary=abc def", 0 },
		{ "multipart/signed; boundary=abc; boundary=def", 0 },
		{ "multipart/signed; Protocol=a; protocol=b", 0 },
		{ "multipart/signed; boundary=a; boundary*=us-ascii''b", 0 },
		{ "multipart/signed; boundary*0=a; boundary*1=b", 0 },
		{ "multipart/signed; boundary=a; x", 0 },
		{ "multipart/signed; boundary=a; ; x=y", 0 },
		{ "multipart/signed; boundary=\"a", 0 },
		{ "multipart/signed; boundary=a (unclosed", 0 },
		{ "multipart/signed; boundary=a\xe9", 0 },
		{ "multipart/signed garbage; boundary=a", 0 },
		{ "multipart/signed; boundary=a(c)b", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_assert_eq(parse(cases[i].in), 0, "case [%s]", cases[i].in);
		cr_expect_eq(ct.clean, cases[i].clean, "case [%s]: got %d, "
		    "want %d", cases[i].in, ct.clean, cases[i].clean);
	}
}

Test(mime, too_many_params_is_not_clean)
{
	char buf[4096] = "text/plain";
	int i;

	for (i = 0; i < MIME_PARAMS_MAX; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
		    "; p%d=v", i);
	cr_assert_eq(parse(buf), 0);
	cr_expect_eq(ct.clean, 1, "just at MIME_PARAMS_MAX");
	snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "; q=v");
	cr_assert_eq(parse(buf), 0);
	cr_expect_eq(ct.clean, 0, "one over MIME_PARAMS_MAX");
}

/*
 * classify_message on the root structures readers could split another
 * way: each must come out plain, never signed or encrypted.
 */
#define SIGCT	"multipart/signed; protocol=\"application/pgp-signature\"; "
#define ENCCT	"multipart/encrypted; protocol=\"application/pgp-encrypted\"; "
#define SIGPART	"Content-Type: application/pgp-signature\n\n" \
	"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n"
#define ARMOR	"-----BEGIN PGP MESSAGE-----\n\n" \
	"jA0ECQMCBrbmmK0gKHn/0jgBJtMIG7Ri/1X7RBCB5sxW+q35s3x1+t4JIZn9+SYc\n" \
	"qB48QnqcuLaRQF7RII+YcX9A+9zygF5Q4w==\n=Yf8b\n" \
	"-----END PGP MESSAGE-----\n"
#define SIGNED(b, text) "--" b "\nContent-Type: text/plain\n\n" text \
	"\n--" b "\n" SIGPART "--" b "--\n"
#define ENCRYPTED(b) "--" b "\nContent-Type: application/pgp-encrypted\n\n" \
	"Version: 1\n\n--" b "\nContent-Type: application/octet-stream\n\n" \
	ARMOR "--" b "--\n"

/* kind_span - the kind of a message with this Content-Type and body,
 * and (sp not NULL) the signed part's first bytes there */
static enum classify_kind
kind_span(const char *ctype, const char *body, char *sp, size_t splen)
{
	struct rfc5322_header h;
	struct classify_span span;
	struct input *in;
	enum classify_kind k;
	char *msg;
	size_t len = strlen(ctype) + strlen(body) + 64, hl;

	msg = malloc(len);
	cr_assert_not_null(msg);
	snprintf(msg, len, "From: a@example.org\nContent-Type: %s\n\n%s",
	    ctype, body);
	in = tu_input(msg, strlen(msg));
	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	cr_assert_eq(classify_message(&h, in, &k, &span), 0);
	if (sp != NULL) {
		hl = strlen(msg) - strlen(body);
		snprintf(sp, splen, "%.*s", k == CLASSIFY_SIGNED ?
		    (int)span.len : 0, msg + (k == CLASSIFY_SIGNED ?
		    (size_t)span.off : hl));
	}
	rfc5322_free(&h);
	input_close(in);
	free(msg);
	return k;
}

/* kind_of - the kind of a message with this Content-Type and body */
static enum classify_kind
kind_of(const char *ctype, const char *body)
{
	return kind_span(ctype, body, NULL, 0);
}

Test(classify, boundary_case_counts)
{
	char sp[1024];

	/* genuine mail with a mixed-case unquoted boundary */
	cr_expect_eq(kind_of(SIGCT "boundary=AbC9", SIGNED("AbC9", "hi")),
	    CLASSIFY_SIGNED);
	cr_expect_eq(kind_of(ENCCT "boundary=EnC9", ENCRYPTED("EnC9")),
	    CLASSIFY_PGPMIME);
	/* the attacker's text under --SIG, the signed structure under --sig:
	 * what is verified is the part a reader shows, from "--SIG" on */
	cr_expect_eq(kind_span(SIGCT "boundary=SIG",
	    "--SIG\nContent-Type: text/plain\n\nattacker\n"
	    SIGNED("sig", "Alice's") "--SIG\n" SIGPART "--SIG--\n",
	    sp, sizeof sp), CLASSIFY_SIGNED);
	cr_expect(strncmp(sp, "Content-Type: text/plain\n\nattacker\n--sig\n",
	    40) == 0, "signed part [%s]", sp);
	/* clear text dressed as encrypted the same way */
	cr_expect_eq(kind_of(ENCCT "boundary=ENC",
	    "--ENC\nContent-Type: text/plain\n\nclear text\n" ENCRYPTED("enc")
	    "--ENC--\n"), CLASSIFY_PLAIN);
}

Test(classify, readers_could_disagree_on_the_parameters)
{
	static const char *cts[] = {
		SIGCT "boundary=B junk",		/* GMime: "B junk" */
		SIGCT "boundary=B; boundary=C",
		SIGCT "boundary=B; protocol=\"application/pgp-encrypted\"",
		SIGCT "boundary=B; boundary*=us-ascii''C",
		SIGCT "boundary=B; boundary*0=C",
		SIGCT "boundary=B; x",
		SIGCT "boundary=B (unclosed",
	};
	size_t i;

	cr_expect_eq(kind_of(SIGCT "boundary=B", SIGNED("B", "x")),
	    CLASSIFY_SIGNED);
	cr_expect_eq(kind_of(SIGCT "boundary=B;", SIGNED("B", "x")),
	    CLASSIFY_SIGNED, "a trailing semicolon is fine");
	for (i = 0; i < sizeof cts / sizeof cts[0]; i++)
		cr_expect_eq(kind_of(cts[i], SIGNED("B", "x")),
		    CLASSIFY_PLAIN, "[%s]", cts[i]);
}

Test(classify, boundary_form)
{
	char b[80], ctype[200], body[600];

	/* an encoded word: GMime and Python's default policy decode it */
	cr_expect_eq(kind_of(SIGCT "boundary=\"=?us-ascii?Q?B?=\"",
	    SIGNED("=?us-ascii?Q?B?=", "x")), CLASSIFY_PLAIN);
	/* Python strips a trailing space from the boundary */
	cr_expect_eq(kind_of(SIGCT "boundary=\"B \"", SIGNED("B ", "x")),
	    CLASSIFY_PLAIN);
	cr_expect_eq(kind_of(SIGCT "boundary=\"B<\"", SIGNED("B<", "x")),
	    CLASSIFY_PLAIN, "not a bchar");
	cr_expect_eq(kind_of(SIGCT "boundary=\" B\"", SIGNED(" B", "x")),
	    CLASSIFY_PLAIN, "a leading space");
	/* Python's compat32 parser reads the boundary '"B" (c)' */
	cr_expect_eq(kind_of(SIGCT "boundary=\"B\" (c)", SIGNED("B", "x")),
	    CLASSIFY_PLAIN, "a comment");
	cr_expect_eq(kind_of(SIGCT "boundary=\"simple boundary\"",
	    SIGNED("simple boundary", "x")), CLASSIFY_SIGNED,
	    "RFC 2046's own example");
	/* LIMIT_BOUNDARY: 70 is fine, 71 is not */
	memset(b, 'b', 71);
	b[70] = '\0';
	snprintf(ctype, sizeof ctype, SIGCT "boundary=%s", b);
	snprintf(body, sizeof body, SIGNED("%s", "x"), b, b, b);
	cr_expect_eq(kind_of(ctype, body), CLASSIFY_SIGNED);
	b[70] = 'b';
	b[71] = '\0';
	snprintf(ctype, sizeof ctype, SIGCT "boundary=%s", b);
	snprintf(body, sizeof body, SIGNED("%s", "x"), b, b, b);
	cr_expect_eq(kind_of(ctype, body), CLASSIFY_PLAIN);
}

Test(classify, lines_readers_split_otherwise)
{
	static const char *bodies[] = {
		/* a lone CR: Python and Mozilla split the line there */
		"--B\nContent-Type: text/plain\n\nx\r--B--\n"
		    "\n--B\n" SIGPART "--B--\n",
		SIGNED("B", "x\ry"),
		SIGNED("B", "x") "\r",
		/* GMime takes "--B--anything" for the close delimiter */
		"--B\nContent-Type: text/plain\n\nx\n--B--junk\n"
		    "\n--B\n" SIGPART "--B--\n",
		SIGNED("B", "--Bx"),
		SIGNED("B", "--B\f"),
		/* a delimiter after the close */
		SIGNED("B", "x") "--B\nContent-Type: text/plain\n\ny\n",
	};
	char body[4096];
	size_t i;

	for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		cr_expect_eq(kind_of(SIGCT "boundary=B", bodies[i]),
		    CLASSIFY_PLAIN, "case %zu", i);
	cr_expect_eq(kind_of(SIGCT "boundary=B", "--B  \t\n"
	    "Content-Type: text/plain\r\n\r\nx\r\n--B \r\n" SIGPART "--B-- \n"),
	    CLASSIFY_SIGNED, "blanks after a delimiter are fine");
	/* a delimiter line longer than rfc3156.c keeps (Python: blanks) */
	snprintf(body, sizeof body, "--B\nContent-Type: text/plain\n\nx\n"
	    "--B%2000s\n" SIGPART "--B--\n", "");
	cr_expect_eq(kind_of(SIGCT "boundary=B", body), CLASSIFY_PLAIN);
}

Test(classify, inline_needs_a_clean_type)
{
	cr_expect_eq(kind_of("text/plain; charset=us-ascii", ARMOR),
	    CLASSIFY_INLINE);
	cr_expect_eq(kind_of("text/plain; charset=us-ascii; charset=x", ARMOR),
	    CLASSIFY_PLAIN);
}

/* kind_msg - the kind of a whole message, and its span */
static enum classify_kind
kind_msg(const char *msg, struct classify_span *span)
{
	struct rfc5322_header h;
	struct classify_span dummy;
	struct input *in;
	enum classify_kind k;

	in = tu_input(msg, strlen(msg));
	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	cr_assert_eq(classify_message(&h, in, &k, span != NULL ? span :
	    &dummy), 0);
	rfc5322_free(&h);
	input_close(in);
	return k;
}

Test(classify, mixed_line_ends_at_a_delimiter)
{
	static const char *bodies[] = {
		/* GMime: the part is "x\r" (one byte before "--B\n") */
		"--B\nContent-Type: text/plain\n\nx\r\n--B\n" SIGPART "--B--\n",
		/* GMime: the part is "Content-Type: text/plain\n\n" ... "x"
		 * minus one byte too many (two before "--B\r\n") */
		"--B\nContent-Type: text/plain\n\nx\n--B\r\n" SIGPART "--B--\n",
		/* the same at the close delimiter, and at one without a
		 * line end at the end of the input */
		"--B\nContent-Type: text/plain\n\nx\n--B\n" SIGPART
		    "-----END-----\r\n--B--\n",
		"--B\nContent-Type: text/plain\n\nx\n--B\n" SIGPART
		    "-----END-----\n--B-- \r\n",
		"--B\nContent-Type: text/plain\n\nx\n--B\n" SIGPART
		    "-----END-----\r\n--B--",
	};
	size_t i;

	for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++)
		cr_expect_eq(kind_of(SIGCT "boundary=B", bodies[i]),
		    CLASSIFY_PLAIN, "case %zu", i);
	cr_expect_eq(kind_of(ENCCT "boundary=B", "--B\n"
	    "Content-Type: application/pgp-encrypted\n\nVersion: 1\r\n--B\n"
	    "Content-Type: application/octet-stream\n\n" ARMOR "--B--\n"),
	    CLASSIFY_PLAIN, "encrypted, at the version part's end");
	cr_expect_eq(kind_of(ENCCT "boundary=B", "--B\n"
	    "Content-Type: application/pgp-encrypted\n\nVersion: 1\n--B\n"
	    "Content-Type: application/octet-stream\n\n" ARMOR "--B--\r\n"),
	    CLASSIFY_PLAIN, "encrypted, at the data part's end");
	/* mixed line ends elsewhere are fine: the line before each
	 * delimiter ends like the delimiter line */
	cr_expect_eq(kind_of(SIGCT "boundary=B", "--B\r\n"
	    "Content-Type: text/plain\r\n\nx\r\ny\n--B\n" SIGPART "--B--\n\r\n"),
	    CLASSIFY_SIGNED);
	cr_expect_eq(kind_of(SIGCT "boundary=B", "preamble\r\n--B\n"
	    "Content-Type: text/plain\n\nx\r\n--B \t\r\n" SIGPART "--B--"),
	    CLASSIFY_SIGNED, "the preamble's line end does not matter");
	cr_expect_eq(kind_of(ENCCT "boundary=B", "--B\r\n"
	    "Content-Type: application/pgp-encrypted\n\nVersion: 1\r\n--B\r\n"
	    "Content-Type: application/octet-stream\n\n" ARMOR "--B--\n"),
	    CLASSIFY_PGPMIME);
}

Test(classify, empty_first_part)
{
	struct classify_span span;
	char msg[1024];

	/* Python and GMime skip the second delimiter line and see one
	 * part; the signed span was -1 bytes long, read to the end */
	snprintf(msg, sizeof msg, "From: a@example.org\nContent-Type: "
	    SIGCT "boundary=B\n\n--B\n--B\nContent-Type: text/plain\n\nx\n"
	    "--B\n" SIGPART "--B--\n");
	cr_expect_eq(kind_msg(msg, &span), CLASSIFY_PLAIN);
	snprintf(msg, sizeof msg, "From: a@example.org\r\nContent-Type: "
	    SIGCT "boundary=B\r\n\r\n--B\r\n--B\r\n" SIGPART "--B--\r\n");
	cr_expect_eq(kind_msg(msg, &span), CLASSIFY_PLAIN);
	/* an empty line makes a part with no header and no text: every
	 * reader has it; the span is empty, never negative */
	snprintf(msg, sizeof msg, "From: a@example.org\nContent-Type: "
	    SIGCT "boundary=B\n\n--B\n\n--B\n" SIGPART "--B--\n");
	cr_assert_eq(kind_msg(msg, &span), CLASSIFY_SIGNED);
	cr_expect_eq(span.len, 0);
	cr_expect_eq(msg[span.off], '\n');
	cr_expect(span.sigoff > span.off && span.siglen > 0);
	cr_expect_eq(kind_of(ENCCT "boundary=B", "--B\n--B\n"
	    "Content-Type: application/pgp-encrypted\n\nVersion: 1\n--B\n"
	    "Content-Type: application/octet-stream\n\n" ARMOR "--B--\n"),
	    CLASSIFY_PLAIN);
}

/* kind_noheader - decrypt.c classifies a decrypted entity without a
 * header with an empty one: that is no ambiguous header */
static void
kind_noheader(void)
{
	struct rfc5322_header h;
	struct input *in;
	enum classify_kind k;

	memset(&h, 0, sizeof h);
	in = tu_input("\n" ARMOR, strlen("\n" ARMOR));
	cr_expect_eq(classify_message(&h, in, &k, NULL), 0);
	cr_expect_eq(k, CLASSIFY_INLINE, "no header at all");
	input_close(in);
}

Test(classify, header_block_readers_end_elsewhere)
{
	static const char *heads[] = {
		/* GMime reads on past a line that is no field: part 1's
		 * Content-Type would become the root's */
		"From: a@example.org\nContent-Type: %s\n%s",
		"From: a@example.org\nContent-Type: %s\n\xff\n%s",
		/* Python's email package ends the block at "Name :" */
		"X-Note : y\nFrom: a@example.org\nContent-Type: %s\n\n%s",
		"From: a@example.org\nX-Note\t: y\nContent-Type: %s\n\n%s",
		"From: a@example.org\nContent-Type: %s\nX-Note : y\n\n%s",
		"From: a@example.org\nContent-Type : %s\n\n%s",
	};
	char msg[2048];
	size_t i;

	for (i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		snprintf(msg, sizeof msg, heads[i], SIGCT "boundary=B",
		    SIGNED("B", "x"));
		cr_expect_eq(kind_msg(msg, NULL), CLASSIFY_PLAIN, "signed %zu",
		    i);
		snprintf(msg, sizeof msg, heads[i], ENCCT "boundary=B",
		    ENCRYPTED("B"));
		cr_expect_eq(kind_msg(msg, NULL), CLASSIFY_PLAIN,
		    "encrypted %zu", i);
		snprintf(msg, sizeof msg, heads[i], "text/plain", ARMOR);
		cr_expect_eq(kind_msg(msg, NULL), CLASSIFY_PLAIN, "inline %zu",
		    i);
	}
	snprintf(msg, sizeof msg, "From: a@example.org\nContent-Type: %s\n\n"
	    "%s", "text/plain", ARMOR);
	cr_expect_eq(kind_msg(msg, NULL), CLASSIFY_INLINE);
	snprintf(msg, sizeof msg, "From: a@example.org\nContent-Type: %s\n\n"
	    "%s", SIGCT "boundary=B", SIGNED("B", "x"));
	cr_expect_eq(kind_msg(msg, NULL), CLASSIFY_SIGNED);
	kind_noheader();
}

Test(classify, part_header_space_before_colon)
{
	/* Python ends a part's header at "Name :" (the rest is its text);
	 * GMime and we read a field */
	cr_expect_eq(kind_of(ENCCT "boundary=B", "--B\n"
	    "Content-Type : application/pgp-encrypted\n\nVersion: 1\n--B\n"
	    "Content-Type: application/octet-stream\n\n" ARMOR "--B--\n"),
	    CLASSIFY_PLAIN);
	cr_expect_eq(kind_of(ENCCT "boundary=B", "--B\n"
	    "Content-Type: application/pgp-encrypted\n\nVersion: 1\n--B\n"
	    "X-Note : y\nContent-Type: application/octet-stream\n\n" ARMOR
	    "--B--\n"), CLASSIFY_PLAIN);
	cr_expect_eq(kind_of(SIGCT "boundary=B", "--B\n"
	    "Content-Type: text/plain\n\nx\n--B\nContent-Type\t: "
	    "application/pgp-signature\n\n-----BEGIN PGP SIGNATURE-----\n\n"
	    "AAAA\n-----END PGP SIGNATURE-----\n--B--\n"), CLASSIFY_PLAIN);
}

/* kind_nul - a signed message whose signature part's type ends in a
 * NUL (Python's type keeps it) */
static enum classify_kind
kind_nul(void)
{
	static const char msg[] = "From: a@example.org\nContent-Type: "
	    SIGCT "boundary=B\n\n--B\nContent-Type: text/plain\n\nx\n--B\n"
	    "Content-Type: application/pgp-signature\0\n\n"
	    "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n"
	    "-----END PGP SIGNATURE-----\n--B--\n";
	struct rfc5322_header h;
	struct input *in;
	enum classify_kind k;

	in = tu_input(msg, sizeof msg - 1);
	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	cr_assert_eq(classify_message(&h, in, &k, NULL), 0);
	rfc5322_free(&h);
	input_close(in);
	return k;
}

Test(classify, types_readers_read_otherwise)
{
	char msg[2048];

	/* an invalid root type: text/plain for Python, application/
	 * octet-stream for GMime */
	cr_expect_eq(kind_of("ten; charset=UTF-8", ARMOR), CLASSIFY_PLAIN);
	cr_expect_eq(kind_of("/plain", ARMOR), CLASSIFY_PLAIN);
	cr_expect_eq(kind_of("text/\023lain", ARMOR), CLASSIFY_PLAIN);
	snprintf(msg, sizeof msg, "From: a@example.org\n\n%s", ARMOR);
	cr_expect_eq(kind_msg(msg, NULL), CLASSIFY_INLINE, "no Content-Type");
	/* a transfer encoding with more than its token: Python does not
	 * decode "quoted-printable format=flowed" */
	snprintf(msg, sizeof msg, "From: a@example.org\nContent-Type: "
	    "text/plain\nContent-Transfer-Encoding: quoted-printable\n"
	    " format=flowed\n\n%s", ARMOR);
	cr_expect_eq(kind_msg(msg, NULL), CLASSIFY_PLAIN);
	/* a part's type with more than type/subtype before its ";":
	 * Python's type is all of it */
	cr_expect_eq(kind_of(ENCCT "boundary=B", "--B\n"
	    "Content-Type: application/pgp-encrypted\n\nVersion: 1\n--B\n"
	    "Content-Type: application/octet-stream\n"
	    " Content-Disposition: inline\n\n" ARMOR "--B--\n"),
	    CLASSIFY_PLAIN);
	/* a part's folded transfer encoding: we read its first line only */
	cr_expect_eq(kind_of(ENCCT "boundary=B", "--B\n"
	    "Content-Type: application/pgp-encrypted\n\nVersion: 1\n--B\n"
	    "Content-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: 7bit\n base64\n\n" ARMOR "--B--\n"),
	    CLASSIFY_PLAIN);
	cr_expect_eq(kind_nul(), CLASSIFY_PLAIN, "a NUL in a part's type");
	cr_expect_eq(kind_of(ENCCT "boundary=B", "--B\n"
	    "Content-Type: application/pgp-encrypted\n\nVersion: 1\n--B\n"
	    "Content-Type: application/octet-stream;\n name=\"m.asc\"\n"
	    "Content-Transfer-Encoding: 7bit\n\n" ARMOR "--B--\n"),
	    CLASSIFY_PGPMIME, "a folded part type with a parameter is fine");
}

/*
 * S/MIME roots (issue 12): the label and the DER must agree; a
 * multipart/signed S/MIME signature part may be base64 (its encoding
 * lands in sigcte).
 */
#define CMS_ENV	"MIAGCSqGSIb3DQEHA6CAMIACAQAxggEA\n"	/* EnvelopedData */
#define CMS_SIG	"MIIBAAYJKoZIhvcNAQcCoIIA8TCCAO0C\n"	/* SignedData */
#define P7	"application/pkcs7-mime; name=smime.p7m"

/* smime_kind - the kind of a base64 pkcs7-mime-ish root */
static enum classify_kind
smime_kind(const char *ctype, const char *body)
{
	char msg[1024];

	snprintf(msg, sizeof msg, "From: a@example.org\nContent-Type: %s\n"
	    "Content-Transfer-Encoding: base64\n\n%s", ctype, body);
	return kind_msg(msg, NULL);
}

Test(classify, smime_label_and_der)
{
	cr_expect_eq(smime_kind(P7 "; smime-type=enveloped-data", CMS_ENV),
	    CLASSIFY_SMIME);
	cr_expect_eq(smime_kind("application/x-pkcs7-mime; "
	    "smime-type=enveloped-data", CMS_ENV), CLASSIFY_SMIME);
	cr_expect_eq(smime_kind(P7 "; smime-type=signed-data", CMS_SIG),
	    CLASSIFY_SMIME_OPAQUE);
	cr_expect_eq(smime_kind("application/x-pkcs7-mime; "
	    "smime-type=signed-data", CMS_SIG), CLASSIFY_SMIME_OPAQUE);
	/* no smime-type (older clients): the DER says which */
	cr_expect_eq(smime_kind(P7, CMS_ENV), CLASSIFY_SMIME);
	cr_expect_eq(smime_kind(P7, CMS_SIG), CLASSIFY_SMIME_OPAQUE);
	/* label and DER disagree, or no CMS at all, or another type */
	cr_expect_eq(smime_kind(P7 "; smime-type=enveloped-data", CMS_SIG),
	    CLASSIFY_PLAIN);
	cr_expect_eq(smime_kind(P7 "; smime-type=signed-data", CMS_ENV),
	    CLASSIFY_PLAIN);
	cr_expect_eq(smime_kind(P7 "; smime-type=enveloped-data",
	    "SGVsbG8sIHdvcmxkIQ==\n"), CLASSIFY_PLAIN);
	cr_expect_eq(smime_kind(P7 "; smime-type=certs-only", CMS_SIG),
	    CLASSIFY_PLAIN);
	cr_expect_eq(smime_kind("application/octet-stream; name=smime.p7m",
	    CMS_ENV), CLASSIFY_PLAIN);
}

#define SMSIG(proto) "multipart/signed; protocol=\"" proto "\"; " \
	"micalg=sha-256; boundary=b"
#define SMBODY(type, cte) "--b\nContent-Type: text/plain\n\nhi\n--b\n" \
	"Content-Type: " type "\n" cte "\n" CMS_SIG "--b--\n"

Test(classify, smime_multipart_signed)
{
	struct classify_span span;
	struct rfc5322_header h;
	struct input *in;
	enum classify_kind k;
	const char *m = "From: a@example.org\nContent-Type: "
	    SMSIG("application/pkcs7-signature") "\n\n"
	    SMBODY("application/pkcs7-signature",
	    "Content-Transfer-Encoding: base64\n");

	in = tu_input(m, strlen(m));
	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	cr_assert_eq(classify_message(&h, in, &k, &span), 0);
	cr_expect_eq(k, CLASSIFY_SMIME_SIGNED);
	cr_expect_eq(span.sigcte, MIME_CTE_BASE64);
	cr_expect(strncmp(m + span.off, "Content-Type: text/plain\n\nhi",
	    span.len) == 0 && span.len == 28, "signed part");
	cr_expect(strncmp(m + span.sigoff, CMS_SIG, span.siglen) == 0,
	    "signature part");
	rfc5322_free(&h);
	input_close(in);
	cr_expect_eq(kind_of(SMSIG("application/x-pkcs7-signature"),
	    SMBODY("application/x-pkcs7-signature", "")),
	    CLASSIFY_SMIME_SIGNED);
	/* the OpenPGP protocol over an S/MIME part, and the reverse */
	cr_expect_eq(kind_of(SIGCT "boundary=b",
	    SMBODY("application/pkcs7-signature", "")), CLASSIFY_PLAIN);
	cr_expect_eq(kind_of(SMSIG("application/pkcs7-signature"),
	    SIGNED("b", "hi")), CLASSIFY_PLAIN);
	/* quoted-printable is no signature part's encoding */
	cr_expect_eq(kind_of(SMSIG("application/pkcs7-signature"),
	    SMBODY("application/pkcs7-signature",
	    "Content-Transfer-Encoding: quoted-printable\n")), CLASSIFY_PLAIN);
	/* a third part */
	cr_expect_eq(kind_of(SMSIG("application/pkcs7-signature"),
	    "--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: "
	    "application/pkcs7-signature\n\n" CMS_SIG "--b\n"
	    "Content-Type: text/plain\n\nx\n--b--\n"), CLASSIFY_PLAIN);
}
