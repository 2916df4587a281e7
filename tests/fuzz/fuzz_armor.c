/*
 * fuzz_armor.c - libFuzzer harness: the transfer decoders and the
 * armor automaton (cte.c, armor.c), fed as classify.c feeds them, and
 * classify_body on the same bytes.  The first byte picks the transfer
 * encoding and the chunk size, so the fuzzer also splits input at every
 * place a read could.  Decoder output goes to buffers of exactly the
 * size cte.h asks for, so ASan sees any write past them, and base64
 * must decode what the encoder wrote back to the same bytes.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "armor.h"
#include "classify.h"
#include "cte.h"
#include "fuzz.h"
#include "input.h"

/* fuzz_scan - decode data in chunks of step bytes into the automaton */
static void
fuzz_scan(const uint8_t *data, size_t size, enum mime_cte cte, size_t step)
{
	struct cte_decoder d;
	struct armor_scan s;
	unsigned char *out;
	size_t n, m;

	cte_init(&d, cte);
	armor_scan_init(&s);
	while (size > 0) {
		n = size < step ? size : step;
		if ((out = malloc(n + 3)) == NULL)
			abort();
		if ((m = cte_decode(&d, data, n, out)) > n + 3)
			abort();
		armor_scan_feed(&s, out, m);
		(void)armor_scan_failed(&s);
		free(out);
		data += n;
		size -= n;
	}
	if ((out = malloc(3)) == NULL)
		abort();
	if ((m = cte_finish(&d, out)) > 3)
		abort();
	armor_scan_feed(&s, out, m);
	free(out);
	(void)armor_scan_end(&s);
}

/* fuzz_roundtrip - base64 encoding then decoding gives data back */
static void
fuzz_roundtrip(const uint8_t *data, size_t size, int crlf)
{
	struct cte_encoder e;
	struct cte_decoder d;
	unsigned char *back;
	char *enc;
	size_t n, m;

	if ((enc = malloc(2 * size + 8 + 8)) == NULL ||
	    (back = malloc(2 * size + 16 + 3 + 3)) == NULL)
		abort();
	cte_encoder_init(&e, crlf);
	n = cte_encode(&e, data, size, enc);
	n += cte_encode_finish(&e, enc + n);
	cte_init(&d, MIME_CTE_BASE64);
	m = cte_decode(&d, (unsigned char *)enc, n, back);
	m += cte_finish(&d, back + m);
	if (m != size || memcmp(back, data, size) != 0)
		abort();
	free(enc);
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum mime_cte ctes[] = {
		MIME_CTE_IDENTITY, MIME_CTE_QP, MIME_CTE_BASE64
	};
	struct classify_span span;
	enum classify_kind kind;
	enum mime_cte cte;
	struct input *in;
	size_t step;

	fuzz_secmem();
	if (size < 1)
		return 0;
	cte = ctes[data[0] % 3];
	step = (size_t)(data[0] >> 2) + 1;
	data++;
	size--;
	fuzz_scan(data, size, cte, step);
	fuzz_scan(data, size, cte, size + 1);
	fuzz_roundtrip(data, size, step & 1);
	in = input_fdopen(fuzz_fd(data, size));
	(void)classify_body(in, 0, cte, &kind, &span);
	input_close(in);
	return 0;
}
