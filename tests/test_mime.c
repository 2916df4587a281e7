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
	cr_expect_eq(mime_cte_parse("base64 (c)", 10), MIME_CTE_BASE64);
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
	/* a delimiter line longer than classify.c keeps (Python: blanks) */
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
