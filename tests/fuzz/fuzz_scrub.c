/*
 * fuzz_scrub.c - libFuzzer target: decrypt's raw path (scrub.c) on any
 * bytes.  What it writes must be the two verdict fields (after a From_
 * line), then no header line, however a reader splits lines (at LF or
 * at a lone CR) up to the first LF LF, that is named like a verdict.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "input.h"
#include "scrub.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_forged - a line start at p (n bytes on) names a verdict field */
static int
fuzz_forged(const char *p, size_t n)
{
	static const char *names[] = { "X-Mailseal-Decryption",
	    "X-Mailseal-Signature" };
	size_t i, k;

	for (i = 0; i < 2; i++) {
		k = strlen(names[i]);
		if (n > k && strncasecmp(p, names[i], k) == 0 &&
		    strchr(": \t", p[k]) != NULL && p[k] != '\0')
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/msfuzz.XXXXXX", *out = NULL, *p, *end;
	struct input *in;
	size_t outlen = 0, i;
	FILE *fp;
	int fd, r;

	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (input_open(&in, path) != 0)
		abort();
	unlink(path);
	if ((fp = open_memstream(&out, &outlen)) == NULL)
		abort();
	r = scrub_copy(in, fp);
	fclose(fp);
	input_close(in);
	if (r == 1 ? size != 0 || outlen != 0 : r != 0)
		abort();
	if (r == 0) {
		/* skip the From_ line and our two fields */
		p = out;
		if (outlen >= 5 && memcmp(p, "From ", 5) == 0)
			p = memchr(p, '\n', outlen) + 1;
		for (i = 0; i < 2; i++)
			p = memchr(p, '\n', outlen - (size_t)(p - out)) + 1;
		end = out + outlen;
		for (; p < end; p++) {
			if (p[0] == '\n' && p[-1] == '\n')
				break;	/* LF LF: the header ended */
			if ((p == out || p[-1] == '\n' || (p[-1] == '\r' &&
			    p[0] != '\n')) && fuzz_forged(p, (size_t)(end - p)))
				abort();
		}
	}
	free(out);
	return 0;
}
