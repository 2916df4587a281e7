/*
 * fuzz_openpgp.c - libFuzzer target: the OpenPGP packet framing reader
 * (openpgp.c) on binary input, split at a point the input chooses, and
 * the armor scan that decodes radix-64 into it (armor.c).  The first
 * byte picks the split; the rest is the message.  A result must not
 * depend on how the bytes were split.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "armor.h"
#include "openpgp.h"
#include "secmem.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_scan - the framing of p, fed in pieces of at most step bytes */
static enum openpgp_result
fuzz_scan(const uint8_t *p, size_t n, size_t step, struct openpgp_scan *s)
{
	size_t i, k;

	openpgp_init(s, 1);
	for (i = 0; i < n; i += k) {
		k = n - i < step ? n - i : step;
		openpgp_feed(s, p + i, k);
	}
	return openpgp_end(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct openpgp_scan a, b;
	struct armor_scan s;
	enum openpgp_result ra, rb;
	unsigned char ca[3], cb[3];
	size_t step;

	if (!init && secmem_init() == -1)
		abort();
	init = 1;
	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	ra = fuzz_scan(data + 1, size - 1, size, &a);
	rb = fuzz_scan(data + 1, size - 1, step, &b);
	if (ra != rb || a.pkesk != b.pkesk || a.skesk != b.skesk ||
	    a.anon != b.anon || a.anon > a.pkesk)
		abort();
	if (openpgp_crc24(&a, ca) != 0 || openpgp_crc24(&b, cb) != 0 ||
	    memcmp(ca, cb, 3) != 0)
		abort();
	openpgp_free(&a);
	openpgp_free(&b);
	/* the same bytes as the inside of an armored message */
	armor_scan_init(&s);
	armor_scan_feed(&s, (const unsigned char *)
	    "-----BEGIN PGP MESSAGE-----\n\n", 29);
	armor_scan_feed(&s, data + 1, size - 1);
	(void)armor_scan_end(&s);
	return 0;
}
