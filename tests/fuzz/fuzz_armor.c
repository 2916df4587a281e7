/*
 * fuzz_armor.c - libFuzzer harness: the transfer decoders and the
 * armor automaton (cte.c, armor.c), fed as classify.c feeds them, and
 * classify_body on the same bytes.  The first byte picks the transfer
 * encoding and the chunk size, so the fuzzer also splits input at every
 * place a read could.  Decoder output goes to buffers of exactly the
 * size cte.h asks for, so ASan sees any write past them, and base64
 * must decode what the encoder wrote back to the same bytes.  The armor
 * writer (encrypt's) too: the input taken as gpg's binary output, written
 * in steps into buffers of exactly armor_write_size, must scan back (with
 * decrypt's sink) to the same bytes, in lines of at most ARMOR_LINE.
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

struct fuzz_back {
	unsigned char	*b;
	size_t		 n, cap;
};

/* fuzz_back - the scan's sink: the decoded bytes, appended */
static void
fuzz_back(void *arg, const unsigned char *p, size_t n)
{
	struct fuzz_back *k = arg;

	if (k->n + n > k->cap)
		abort();	/* more bytes back than were written */
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

/* fuzz_put - armor_write or (p NULL) armor_write_end into a buffer of
 * exactly the size armor.h asks for, appended to text at *len */
static void
fuzz_put(struct armor_writer *w, const uint8_t *p, size_t n, char *text,
    size_t *len)
{
	char *o;
	size_t m;

	if ((o = malloc(armor_write_size(n))) == NULL)
		abort();
	m = p != NULL ? armor_write(w, p, n, o) : armor_write_end(w, o);
	if (m > armor_write_size(n))
		abort();
	memcpy(text + *len, o, m);
	*len += m;
	free(o);
}

/* fuzz_writer - data (as gpg's binary output) through the armor writer
 * in steps of step, then through the scan with a sink: the same bytes
 * back, and no line longer than ARMOR_LINE */
static void
fuzz_writer(const uint8_t *data, size_t size, size_t step)
{
	struct armor_writer w;
	struct armor_scan s;
	struct fuzz_back k;
	char *text;
	size_t i, n, len = 0, cap;

	cap = armor_write_size(size) + size / step * 128 + 128;
	if (armor_write_init(&w) == -1 || (text = malloc(cap)) == NULL ||
	    (k.b = malloc(size + 1)) == NULL)
		abort();
	for (i = 0; i < size; i += n) {
		n = size - i < step ? size - i : step;
		fuzz_put(&w, data + i, n, text, &len);
	}
	fuzz_put(&w, NULL, 0, text, &len);
	for (i = n = 0; i < len; i++, n++)
		if (text[i] == '\n')
			n = (size_t)-1;
		else if (n >= ARMOR_LINE)
			abort();
	k.n = 0;
	k.cap = size;
	armor_scan_init(&s);
	s.sink = fuzz_back;
	s.sinkarg = &k;
	armor_scan_feed(&s, (const unsigned char *)text, len);
	(void)armor_scan_end(&s);
	if (k.n != size || memcmp(k.b, data, size) != 0)
		abort();
	free(text);
	free(k.b);
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
	fuzz_writer(data, size, step);
	in = input_fdopen(fuzz_fd(data, size));
	(void)classify_body(in, 0, cte, &kind, &span);
	input_close(in);
	return 0;
}
