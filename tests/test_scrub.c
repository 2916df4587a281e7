/*
 * test_scrub.c - a message decrypt cannot parse goes on as it came,
 * with mailseal's verdicts on top and none of the sender's, however a
 * reader splits its header.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "scrub.h"
#include "testutil.h"

#define V	"X-Mailseal-Decryption: not-encrypted\n" \
		"X-Mailseal-Signature: none\n"
#define VC	"X-Mailseal-Decryption: not-encrypted\r\n" \
		"X-Mailseal-Signature: none\r\n"

/* a string literal and its length, NUL bytes included */
#define S(x)	{ x, sizeof x - 1 }

struct bytes {
	const char	*p;
	size_t		 n;
};

struct tcase {
	struct bytes	 in;
	struct bytes	 want;
};

static const struct tcase cases[] = {
	/* kept as it came, verdicts on top (after a From_ line) */
	{ S("A: b\n\nbody\n"), S(V "A: b\n\nbody\n") },
	{ S("From x  Mon\nA: b\n\nbody"), S("From x  Mon\n" V "A: b\n\nbody") },
	{ S("From x\r\nA: b\r\n\r\nbody"), S("From x\r\n" VC "A: b\r\n\r\nbody") },
	{ S("no header at all\n"), S(V "no header at all\n") },
	{ S("\nbody\n"), S(V "\nbody\n") },
	{ S("A: b"), S(V "A: b") },
	{ S("A: b\r"), S(V "A: b\r") },
	{ S("X-Mailseal-Decryptio"), S(V "X-Mailseal-Decryptio") },
	/* forged fields go, with their continuation lines */
	{ S("X-Mailseal-Decryption: decrypted\nA: b\n\nc\n"),
	    S(V "A: b\n\nc\n") },
	{ S("A: b\nx-mailseal-signature : good\n\tx\n y\nC: d\n\n"),
	    S(V "A: b\nC: d\n\n") },
	{ S("A: b\r\nX-MAILSEAL-SIGNATURE:good\r\n x\r\nC: d\r\n\r\n"),
	    S(VC "A: b\r\nC: d\r\n\r\n") },
	{ S(" leading continuation\nA: b\n\n"), S(V "A: b\n\n") },
	/* names that are not ours */
	{ S("X-Mailseal-Decryptions: x\nX-Mailseal-Sig: y\n\n"),
	    S(V "X-Mailseal-Decryptions: x\nX-Mailseal-Sig: y\n\n") },
	{ S("A: X-Mailseal-Decryption: decrypted\n\n"),
	    S(V "A: X-Mailseal-Decryption: decrypted\n\n") },
	/* a lone CR starts a line for some readers */
	{ S("A: b\rX-Mailseal-Decryption: decrypted\nC: d\n\n"),
	    S(V "A: b\r\nC: d\n\n") },
	{ S("X-Mailseal-Signature: good\rX-Mailseal-Decryption: x\nC: d\n\n"),
	    S(V "C: d\n\n") },
	{ S("X-Mailseal-Signature: good\rC: d\n\n"), S(V "C: d\n\n") },
	{ S("A: b\r\rc\n\n"), S(V "A: b\r\rc\n\n") },
	/* NUL bytes are kept; a name after one starts no line */
	{ S("A: b\0X-Mailseal-Decryption: x\n\n"),
	    S(V "A: b\0X-Mailseal-Decryption: x\n\n") },
	/* the header ends at LF LF only: a CRLF "empty" line is read on
	 * past, as procmail does */
	{ S("A: b\n\r\nX-Mailseal-Decryption: x\n\nX-Mailseal-Decryption: y\n"),
	    S(V "A: b\n\r\n\nX-Mailseal-Decryption: y\n") },
	{ S("A: b\n\n\tX-Mailseal-Decryption: y\n"),
	    S(V "A: b\n\n\tX-Mailseal-Decryption: y\n") },
};

/* scrub - the output for len bytes of in; *outlen its length */
static char *
scrub(const char *in, size_t len, size_t *outlen)
{
	struct input *src = tu_input(in, len);
	char *out = NULL;
	FILE *fp = open_memstream(&out, outlen);

	cr_assert(fp != NULL);
	cr_assert_eq(scrub_copy(src, fp), 0);
	cr_assert_eq(fclose(fp), 0);
	input_close(src);
	return out;
}

Test(scrub, cases)
{
	size_t i, n;
	char *out;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		out = scrub(cases[i].in.p, cases[i].in.n, &n);
		cr_expect(n == cases[i].want.n &&
		    memcmp(out, cases[i].want.p, n) == 0,
		    "case %zu: got [%.*s], want [%s]", i, (int)n, out,
		    cases[i].want.p);
		free(out);
	}
}

/* empty input is no message: nothing is written */
Test(scrub, empty)
{
	struct input *src = tu_input("", 0);
	char *out = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&out, &n);

	cr_assert_eq(scrub_copy(src, fp), 1);
	fclose(fp);
	cr_expect_eq(n, 0);
	free(out);
	input_close(src);
}

/* a header far beyond every limit, a forged field at its end */
Test(scrub, huge_header)
{
	size_t i, n, len = 0, cap = 3 * 1024 * 1024;
	char *in = malloc(cap), *out;

	cr_assert(in != NULL);
	for (i = 0; len + 64 < cap - 200; i++)
		len += (size_t)snprintf(in + len, cap - len, "X-N%zu: n\n", i);
	len += (size_t)snprintf(in + len, cap - len,
	    "X-Mailseal-Decryption: decrypted\n\nbody\n");
	out = scrub(in, len, &n);
	cr_expect_eq(n, strlen(V) + len - strlen("X-Mailseal-Decryption: "
	    "decrypted\n"));
	cr_expect(memmem(out + strlen(V), n - strlen(V), "X-Mailseal-", 11) ==
	    NULL);
	free(in);
	free(out);
}
