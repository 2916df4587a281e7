/*
 * test_classify.c - the one-pass multipart scan (rfc3156.c) goes a
 * line at a time through 16 KiB reads: wherever a read ends (inside a
 * delimiter line, between CR and LF, inside the armor), the answer is
 * the one of the same message without the padding that moves it there.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "classify.h"
#include "input.h"
#include "rfc5322.h"

#define HDR	"From: a@example.org\r\nTo: b@example.org\r\nSubject: s\r\n" \
		"MIME-Version: 1.0\r\nContent-Type: multipart/encrypted; " \
		"protocol=\"application/pgp-encrypted\"; boundary=\"B\"\r\n\r\n"
/* a PKESK and a 4-octet SEIPD (test_armor.c), CRC-24 eT2v */
#define TAIL	"--B\r\nContent-Type: application/pgp-encrypted\r\n\r\n" \
		"Version: 1\r\n\r\n--B\r\nContent-Type: application/octet-stream" \
		"\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n\r\n" \
		"wQoDESIzRFVmd4gB0gIBqg==\r\n=eT2v\r\n" \
		"-----END PGP MESSAGE-----\r\n\r\n--B--\r\n"

/* kind_of - classify HDR, pad bytes of preamble (lines of 'x'), then
 * tail */
static enum classify_kind
kind_of(size_t pad, const char *tail, struct classify_span *span)
{
	struct rfc5322_header h;
	struct input *in;
	enum classify_kind kind = CLASSIFY_PLAIN;
	FILE *fp;
	size_t i;
	int fd;

	cr_assert_not_null(fp = tmpfile());
	fputs(HDR, fp);
	for (i = 0; i < pad; i++)
		fputc(i % 64 == 63 ? '\n' : 'x', fp);
	if (pad > 0)
		fputc('\n', fp);
	fputs(tail, fp);
	cr_assert_eq(fflush(fp), 0);
	cr_assert_neq(fd = dup(fileno(fp)), -1);
	fclose(fp);
	cr_assert_neq(lseek(fd, 0, SEEK_SET), -1);
	in = input_fdopen(fd);
	cr_assert_eq(rfc5322_read(in, &h), RFC5322_OK);
	cr_assert_eq(classify_message(&h, in, &kind, span), 0);
	rfc5322_free(&h);
	input_close(in);
	return kind;
}

Test(classify, any_read_boundary)
{
	static const char *tails[] = {
		TAIL,
		/* a bare CR in the preamble's last line: no RFC 3156 */
		"x\ry\r\n" TAIL,
	};
	struct classify_span want, got;
	enum classify_kind wk, gk;
	size_t t, pad, base, tl;

	for (t = 0; t < sizeof tails / sizeof tails[0]; t++) {
		tl = strlen(tails[t]);
		wk = kind_of(0, tails[t], &want);
		if (t == 0)
			cr_assert_eq(wk, CLASSIFY_PGPMIME);
		/* move every byte of the tail across the end of the first
		 * 16 KiB read, counted from the body (the scan starts
		 * there) or from the message */
		base = 16384;
		for (pad = base - tl - strlen(HDR) - 2; pad <= base; pad++) {
			gk = kind_of(pad, tails[t], &got);
			cr_assert_eq(gk, wk, "tail %zu pad %zu: kind %d", t,
			    pad, gk);
			if (wk != CLASSIFY_PGPMIME)
				continue;
			cr_assert_eq(got.len, want.len, "pad %zu", pad);
			cr_assert_eq(got.off - want.off, (off_t)pad + 1,
			    "pad %zu", pad);
		}
	}
}
