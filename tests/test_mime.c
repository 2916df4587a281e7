/*
 * test_mime.c - Content-Type and Content-Transfer-Encoding values.
 */
#include <config.h>

#include <string.h>

#include <stdio.h>

#include <criterion/criterion.h>

#include "mime.h"

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
