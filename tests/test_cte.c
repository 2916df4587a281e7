/*
 * test_cte.c - streaming decoders give the same bytes however the input
 * is split.
 */
#include <config.h>

#include <string.h>

#include <criterion/criterion.h>

#include "cte.h"

/* decode in chunks of step bytes */
static size_t
decode(enum mime_cte cte, const char *in, size_t step, unsigned char *out)
{
	struct cte_decoder d;
	size_t i, n, o = 0, len = strlen(in);

	cte_init(&d, cte);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		o += cte_decode(&d, (const unsigned char *)in + i, n, out + o);
	}
	o += cte_finish(&d, out + o);
	out[o] = '\0';
	return o;
}

struct tcase {
	enum mime_cte	 cte;
	const char	*in;
	const char	*want;
};

Test(cte, decodes_whatever_the_split)
{
	static const struct tcase cases[] = {
		{ MIME_CTE_QP, "caf=C3=A9 =3D ok", "caf\xc3\xa9 = ok" },
		{ MIME_CTE_QP, "soft=\nbreak", "softbreak" },
		{ MIME_CTE_QP, "soft=\r\nbreak", "softbreak" },
		{ MIME_CTE_QP, "pad= \t\r\nded", "padded" },
		{ MIME_CTE_QP, "bad=ZZ=", "bad=ZZ=" },
		{ MIME_CTE_QP, "-----BEGIN PGP MESSAGE-----\n=3Dab\n",
		    "-----BEGIN PGP MESSAGE-----\n=ab\n" },
		{ MIME_CTE_BASE64, "aGVs\nbG8=", "hello" },
		{ MIME_CTE_BASE64, "aG Vs!bG8", "hello" },
		{ MIME_CTE_BASE64, "", "" },
		{ MIME_CTE_BASE64, "aGk=\n====\nYm9i", "hibob" },	/* after padding */
		{ MIME_CTE_BASE64, "aA==aQ==", "hi" },
		{ MIME_CTE_IDENTITY, "as is=41", "as is=41" },
	};
	unsigned char out[256];
	size_t i, step;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (step = 1; step <= 5; step++) {
			decode(cases[i].cte, cases[i].in, step, out);
			cr_expect_str_eq((char *)out, cases[i].want,
			    "case %zu step %zu: got [%s]", i, step, out);
		}
}

Test(cte, base64_all_bytes)
{
	static const char *b64 =
	    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
	    "MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5f"
	    "YGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6P"
	    "kJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/"
	    "wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v"
	    "8PHy8/T19vf4+fr7/P3+/w==";
	unsigned char out[512];
	size_t n, i;

	n = decode(MIME_CTE_BASE64, b64, 7, out);
	cr_assert_eq(n, 256);
	for (i = 0; i < 256; i++)
		cr_assert_eq(out[i], i, "byte %zu", i);
}

/* ambiguous - whether the decoder says readers differ on in */
static int
ambiguous(enum mime_cte cte, const char *in, size_t step)
{
	struct cte_decoder d;
	unsigned char out[256];
	size_t i, n, len = strlen(in);

	cte_init(&d, cte);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		cte_decode(&d, (const unsigned char *)in + i, n, out);
	}
	cte_finish(&d, out);
	return d.ambiguous;
}

Test(cte, says_where_readers_disagree)
{
	static const struct { enum mime_cte cte; const char *in; int want; }
	    cases[] = {
		{ MIME_CTE_QP, "caf=C3=a9 =3D ok\n", 0 },
		{ MIME_CTE_QP, "soft=\nbreak=\r\nx\n", 0 },
		{ MIME_CTE_QP, "bad=ZZ x=3\n", 0 },
		{ MIME_CTE_QP, "I will =\r6Eot\npay\n", 1 },	/* Python drops */
		{ MIME_CTE_QP, "pad= \nded\n", 1 },	/* mutt: soft break */
		{ MIME_CTE_QP, "pad=\t\r\nded\n", 1 },
		{ MIME_CTE_QP, "x=\r\r\ny\n", 1 },
		{ MIME_CTE_QP, "end=", 1 },
		{ MIME_CTE_QP, "end=4", 1 },
		{ MIME_CTE_BASE64, "aGVs\nbG8=\n", 0 },
		{ MIME_CTE_BASE64, "aA==\n", 0 },
		{ MIME_CTE_BASE64, "aA==aQ==", 1 },	/* readers stop at "=" */
		{ MIME_CTE_BASE64, "aGk=\n====\nYm9i", 1 },
		{ MIME_CTE_BASE64, "a=GVs", 1 },
		{ MIME_CTE_BASE64, "aGV", 1 },		/* GMime drops it */
	};
	size_t i, step;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (step = 1; step <= 5; step++)
			cr_expect_eq(ambiguous(cases[i].cte, cases[i].in, step),
			    cases[i].want, "case %zu step %zu", i, step);
}

/* decode_split - in decoded in two pieces, split at k (k = len: one
 * piece); *amb: the decoder's ambiguous flag */
static size_t
decode_split(const char *in, size_t len, size_t k, unsigned char *out,
    int *amb)
{
	struct cte_decoder d;
	size_t o;

	cte_init(&d, MIME_CTE_BASE64);
	o = cte_decode(&d, (const unsigned char *)in, k, out);
	o += cte_decode(&d, (const unsigned char *)in + k, len - k, out + o);
	o += cte_finish(&d, out + o);
	*amb = d.ambiguous;
	return o;
}

/*
 * Whole groups of four digits take a faster path than the byte loop
 * (which is all a decoder fed one byte at a time ever uses): every
 * split of every input gives the bytes and the flag of the byte loop.
 */
Test(cte, base64_groups_match_the_byte_loop)
{
	static const char *cases[] = {
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygp\n"
		"KissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJT\n",
		"aGVsbG8gd29ybGQ=\r\naGVsbG8=\r\n",
		"aGVs bG8g\td29y\r\nbGQh",
		"aGV=sbG8gd29ybGQ",
		"aG=VsbG8=gd2==9ybGQ=",
		"a*GVs!bG8gd29ybGQ\n\n\n",
		"aGVsbG8gd29ybGQ",
		"aGVsbG8gd29ybG",
		"=aGVsbG8gd29y",
		"\xff\x80aGVs\x00bG8g",
		"QUJD\nREVG\nR0hJ\nSktM\nTU5P\nUFFS\nU1RV\nVldY\nWVo=\n",
	};
	unsigned char want[512], got[512];
	size_t i, k, len, wn, gn;
	int wa, ga;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		len = strlen(cases[i]);
		wn = decode(MIME_CTE_BASE64, cases[i], 1, want);
		wa = ambiguous(MIME_CTE_BASE64, cases[i], 1);
		for (k = 0; k <= len; k++) {
			gn = decode_split(cases[i], len, k, got, &ga);
			cr_assert_eq(gn, wn, "case %zu split %zu: %zu bytes, "
			    "want %zu", i, k, gn, wn);
			cr_assert(memcmp(got, want, wn) == 0,
			    "case %zu split %zu: other bytes", i, k);
			cr_assert_eq(ga, wa, "case %zu split %zu: ambiguous %d",
			    i, k, ga);
		}
	}
}
