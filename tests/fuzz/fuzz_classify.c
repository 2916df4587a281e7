/*
 * fuzz_classify.c - libFuzzer harness: what encrypt, decrypt and filter
 * read of a whole message before gpg sees it: the header block, the
 * root Content-Type and the one-pass multipart scan (rfc3156.c) with
 * the inline armor check of a text body; and, as decrypt does with a
 * decrypted entity's header, the protected-header marker and which
 * outer fields it replaces (protect.c).  Checks that every span it
 * reports lies inside the message.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>

#include "classify.h"
#include "fuzz.h"
#include "input.h"
#include "protect.h"
#include "rfc5322.h"
#include "verdict.h"

/* fuzz_span_inside - off and len describe bytes of a size-byte input */
static int
fuzz_span_inside(off_t off, off_t len, size_t size)
{
	return off >= 0 && len >= 0 && (uintmax_t)off <= size &&
	    (uintmax_t)len <= size - (uintmax_t)off;
}

/* fuzz_kind - what the commands do with the kind; the span must lie
 * inside the message */
static void
fuzz_kind(enum classify_kind kind, const struct classify_span *span,
    size_t size)
{
	(void)classify_name(kind);
	(void)classify_encrypted(kind);
	if (kind != CLASSIFY_PLAIN && kind != CLASSIFY_SMIME &&
	    !fuzz_span_inside(span->off, span->len, size))
		abort();
	if (kind == CLASSIFY_SIGNED &&
	    !fuzz_span_inside(span->sigoff, span->siglen, size))
		abort();
}

/* fuzz_protect - the header as decrypt reads an entity's and the
 * outer one around it (here: the same header) */
static void
fuzz_protect(const struct rfc5322_header *h)
{
	enum protect_mode mode;
	size_t i;

	mode = protect_marker(h);
	for (i = 0; i < h->nfields; i++) {
		(void)protect_is_name(&h->fields[i]);
		(void)protect_hides(h, mode, &h->fields[i]);
		(void)protect_hides(NULL, mode, &h->fields[i]);
		(void)verdict_is_ours(&h->fields[i]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc5322_header h;
	struct classify_span span;
	struct input *in;
	enum classify_kind kind;

	fuzz_secmem();
	in = input_fdopen(fuzz_fd(data, size));
	if (rfc5322_read(in, &h) == RFC5322_OK) {
		fuzz_protect(&h);
		if (classify_message(&h, in, &kind, &span) == 0)
			fuzz_kind(kind, &span, size);
	}
	rfc5322_free(&h);
	input_close(in);
	return 0;
}
