/*
 * test_smime.c - the S/MIME writer without gpgsm: the outer header of
 * the enveloped message, the base64 of (fake) DER in 76-column lines
 * with the message's line ends, the check that the DER is whole, and
 * the signature part.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cte.h"
#include "input.h"
#include "rfc5322.h"
#include "secmem.h"
#include "smime.h"
#include "testutil.h"

static void
setup(void)
{
	cr_assert_eq(secmem_init(), 0);
}

TestSuite(smime, .init = setup);

/* head - smime_write_head's output for msg */
static char *
head(const char *msg)
{
	struct rfc5322_header h;
	struct input *in = tu_input(msg, strlen(msg));
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	cr_assert_eq(smime_write_head(fp, &h), 0);
	fclose(fp);
	rfc5322_free(&h);
	input_close(in);
	return buf;
}

Test(smime, head_keeps_outer_fields_and_adds_ours)
{
	char *got = head("From: a@example.org\nTo: b@example.org\n"
	    "Bcc: c@example.org\nSubject: hi\nContent-Type: text/plain\n"
	    "X-Mailseal-Signature: good\n\nbody\n");

	cr_expect_str_eq(got, "From: a@example.org\nTo: b@example.org\n"
	    "Subject: hi\nMIME-Version: 1.0\n"
	    "Content-Type: application/pkcs7-mime; "
	    "smime-type=enveloped-data;\n\tname=\"smime.p7m\"\n"
	    "Content-Transfer-Encoding: base64\n"
	    "Content-Disposition: attachment; filename=\"smime.p7m\"\n\n");
	free(got);
}

Test(smime, head_crlf_from_line_and_mime_version)
{
	char *got = head("From a@example.org Mon Jan  1 00:00:00 2026\r\n"
	    "MIME-Version: 1.0\r\nFrom: a@example.org\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\nbody\r\n");

	cr_expect_str_eq(got, "From a@example.org Mon Jan  1 00:00:00 2026\r\n"
	    "MIME-Version: 1.0\r\nFrom: a@example.org\r\n"
	    "Content-Type: application/pkcs7-mime; "
	    "smime-type=enveloped-data;\r\n\tname=\"smime.p7m\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\n");
	free(got);
}

/* sink_text - n bytes of DER written in steps of step through the sink
 * (crlf); the text and whether the sink calls the DER whole */
static char *
sink_text(const unsigned char *der, size_t n, size_t step, int crlf,
    int *complete)
{
	struct smime_sink s;
	char *buf = NULL;
	size_t len = 0, o, k;
	FILE *fp = open_memstream(&buf, &len);

	smime_sink_init(&s, fp, crlf);
	for (o = 0; o < n; o += k) {
		k = n - o > step ? step : n - o;
		cr_assert_eq(smime_sink_write(&s, der + o, k), (ssize_t)k);
	}
	cr_assert_eq(smime_sink_finish(&s), 0);
	*complete = smime_sink_complete(&s);
	fclose(fp);
	return buf;
}

/* fake_der - a SEQUENCE of n bytes in all, definite length (long
 * form), its content bytes counting up */
static unsigned char *
fake_der(size_t n)
{
	unsigned char *d = malloc(n);
	size_t i;

	cr_assert(n > 4 && n - 4 <= 0xffff);
	d[0] = 0x30;
	d[1] = 0x82;
	d[2] = (unsigned char)((n - 4) >> 8);
	d[3] = (unsigned char)(n - 4);
	for (i = 4; i < n; i++)
		d[i] = (unsigned char)(i * 7);
	return d;
}

/* check_lines - every line of text ends in eol, is at most 76 base64
 * characters, all but the last exactly 76; they decode to want */
static void
check_lines(const char *text, int crlf, const unsigned char *want, size_t n)
{
	struct cte_decoder d;
	unsigned char *out = malloc(strlen(text) + 8);
	const char *p = text, *nl;
	size_t o, len;
	int last = 0;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		cr_assert(nl != NULL, "a line without its end");
		len = (size_t)(nl - p);
		if (crlf) {
			cr_assert(len > 0 && p[len - 1] == '\r', "LF without CR");
			len--;
		} else
			cr_assert(len == 0 || p[len - 1] != '\r', "CR in LF text");
		cr_expect(!last, "a short line before the last");
		cr_expect(len <= 76 && len > 0, "line of %zu", len);
		if (len != 76)
			last = 1;
		p = nl + 1;
	}
	cte_init(&d, MIME_CTE_BASE64);
	o = cte_decode(&d, (const unsigned char *)text, strlen(text), out);
	o += cte_finish(&d, out + o);
	cr_expect_eq(o, n, "decoded %zu bytes, want %zu", o, n);
	cr_expect(memcmp(out, want, n) == 0, "the bytes differ");
	free(out);
}

Test(smime, sink_writes_76_column_base64_any_step)
{
	static const size_t sizes[] = { 5, 57, 58, 114, 1000, 10000, 65535 };
	static const size_t steps[] = { 1, 2, 3, 57, 4096, 100000 };
	unsigned char *der;
	size_t i, k;
	int crlf, whole;
	char *t;

	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		der = fake_der(sizes[i]);
		for (k = 0; k < sizeof steps / sizeof steps[0]; k++)
			for (crlf = 0; crlf < 2; crlf++) {
				t = sink_text(der, sizes[i], steps[k], crlf,
				    &whole);
				check_lines(t, crlf, der, sizes[i]);
				cr_expect(whole, "size %zu step %zu", sizes[i],
				    steps[k]);
				free(t);
			}
		free(der);
	}
}

Test(smime, sink_knows_cut_off_der)
{
	unsigned char *der = fake_der(5000);
	unsigned char ber[] = { 0x30, 0x80, 0x06, 0x01, 0x2a, 0x00, 0x00 };
	int whole;
	char *t;

	t = sink_text(der, 4999, 100, 0, &whole);
	cr_expect(!whole, "one byte short");
	free(t);
	der[4999] = 0;
	t = sink_text(der, 4000, 100, 1, &whole);
	cr_expect(!whole, "cut off");
	free(t);
	der[0] = 0x31;		/* a SET, not the SEQUENCE of ContentInfo */
	t = sink_text(der, 5000, 100, 0, &whole);
	cr_expect(!whole, "not a SEQUENCE");
	free(t);
	free(der);
	t = sink_text(ber, sizeof ber, 1, 0, &whole);
	cr_expect(whole, "indefinite length with its end");
	free(t);
	t = sink_text(ber, sizeof ber - 1, 1, 0, &whole);
	cr_expect(!whole, "indefinite length without its end");
	free(t);
	t = sink_text(ber, 0, 1, 0, &whole);
	cr_expect(!whole, "nothing");
	cr_expect_str_eq(t, "");
	free(t);
	cr_expect(smime_der_complete((const unsigned char *)"\x30\x03",
	    2, 5, (const unsigned char *)"ab"), "short form");
	cr_expect(!smime_der_complete((const unsigned char *)"\x30\x85",
	    2, 5, (const unsigned char *)"ab"), "length of 5 bytes");
}

/* gpgsm writes indefinite lengths, nested: its output cut off after an
 * inner element's end-of-contents also ends in two zero bytes, yet is
 * not whole */
Test(smime, sink_knows_nested_ber_cut_after_an_inner_end)
{
	static const unsigned char ber[] = {
		0x30, 0x80,				/* ContentInfo */
		0x06, 0x01, 0x2a,
		0xa0, 0x80,				/* [0] */
		0x30, 0x80,				/* EnvelopedData */
		0x02, 0x01, 0x00,
		0x24, 0x80, 0x04, 0x02, 0x00, 0x00,	/* OCTETs */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
	size_t cut[] = { sizeof ber - 2, sizeof ber - 4, sizeof ber - 6,
	    sizeof ber - 8, 18 };
	size_t i;
	int whole;
	char *t;

	t = sink_text(ber, sizeof ber, 3, 0, &whole);
	cr_expect(whole, "the whole BER");
	free(t);
	for (i = 0; i < sizeof cut / sizeof cut[0]; i++) {
		t = sink_text(ber, cut[i], 3, 0, &whole);
		cr_expect(!whole, "cut to %zu of %zu bytes", cut[i],
		    sizeof ber);
		free(t);
	}
	cr_expect(smime_ber_whole(ber, sizeof ber), "smime_ber_whole");
	for (i = 0; i < sizeof cut / sizeof cut[0]; i++)
		cr_expect(!smime_ber_whole(ber, cut[i]),
		    "smime_ber_whole, cut to %zu", cut[i]);
}

Test(smime, signature_part)
{
	unsigned char *der = fake_der(200);
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	static const char want[] = "\r\n--BND\r\n"
	    "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\r\n";

	cr_assert_eq(smime_write_sig(fp, "BND", der, 200, 1), 0);
	fclose(fp);
	cr_assert(strncmp(buf, want, strlen(want)) == 0, "got %s", buf);
	p = buf + strlen(want);
	cr_assert(len > strlen(want) + 13);
	cr_expect_str_eq(buf + len - 13, "\r\n\r\n--BND--\r\n");
	buf[len - 11] = '\0';
	check_lines(p, 1, der, 200);
	free(buf);
	free(der);
}
