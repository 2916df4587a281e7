/*
 * fuzz_classify.c - libFuzzer harness: what encrypt, decrypt and filter
 * read of a whole message before gpg sees it: the header block, the
 * root Content-Type and the one-pass multipart scan (classify.c) with
 * the inline armor check of a text body.  Checks that every span it
 * reports lies inside the message.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "classify.h"
#include "fuzz.h"
#include "input.h"
#include "rfc5322.h"

/* fuzz_span_inside - off and len describe bytes of a size-byte input */
static int
fuzz_span_inside(off_t off, off_t len, size_t size)
{
	return off >= 0 && len >= 0 && (uintmax_t)off <= size &&
	    (uintmax_t)len <= size - (uintmax_t)off;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc5322_header h;
	struct classify_span span;
	struct input *in;
	enum classify_kind kind;

	in = input_fdopen(fuzz_fd(data, size));
	if (rfc5322_read(in, &h) == RFC5322_OK &&
	    classify_message(&h, in, &kind, &span) == 0) {
		(void)classify_name(kind);
		(void)classify_encrypted(kind);
		if (kind != CLASSIFY_PLAIN && kind != CLASSIFY_SMIME &&
		    !fuzz_span_inside(span.off, span.len, size))
			abort();
		if (kind == CLASSIFY_SIGNED &&
		    !fuzz_span_inside(span.sigoff, span.siglen, size))
			abort();
	}
	rfc5322_free(&h);
	input_close(in);
	return 0;
}
