/*
 * test_openpgp.c - the framing of an encrypted OpenPGP message: what
 * gpg writes passes, however it is split; every other sequence fails,
 * at the packet where it goes wrong.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "limit.h"
#include "openpgp.h"
#include "secmem.h"

static void
setup(void)
{
	cr_assert(secmem_init() == 0);
}

TestSuite(openpgp, .init = setup);

/* unhex - hex digits (spaces ignored) to bytes; returns the length */
static size_t
unhex(const char *hex, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned int b;

	for (; *hex != '\0'; hex++) {
		if (*hex == ' ')
			continue;
		cr_assert(n < max && sscanf(hex, "%2x", &b) == 1);
		out[n++] = (unsigned char)b;
		hex++;
	}
	return n;
}

/* scan - feed len bytes in steps of step; the scan is left for checks */
static enum openpgp_result
scan(struct openpgp_scan *s, const unsigned char *p, size_t len, size_t step)
{
	size_t i, n;

	openpgp_init(s, 0);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		openpgp_feed(s, p + i, n);
	}
	return openpgp_end(s);
}

/* Made by gpg 2.2 with the test keys: -r alice -r bob (two v3 PKESKs in
 * old-format packets, then SEIPD), -R alice (hidden: key ID 0), -c. */
#define GPG_TWO	\
	"845e037741023ced50b5da120107405adf9642516a76aa977b680cdb0be6ca2e" \
	"728c5bbd94d7f9b4693aed03214e5830300f772f9761b7b55b162bbc4561b774" \
	"7b556ca43ab7f1ec029baab3f1e462f05643a1137200916efc1e2ae6b8b3563b" \
	"845e03ea2028b2a760cd9c12010740af12dad6dae97f51c8afc7b39b6585c9f2" \
	"32a3e63c42315d79d4e73bfd77185930efbbf1c04bee54de717531eaaa3f4542" \
	"bd696f5260e671a2eaf4c0151b96cea5d285de73a8b89bc440813c36c4866e26" \
	"d23e016671d52043c3a8a1d55caa0157db0c1d834a673205d86e1f0b11fef348" \
	"27e862bb9a641754c4085e0d606e488549682ff796a57c307e2e52363c8d2338"
#define GPG_HIDDEN \
	"845e0300000000000000001201074075bb3a406b2fa1c4f43e29cfd8af36a901" \
	"a228f1ba2e2c84e335221040747374304b7d5195d98bd54768fcb9d2f0381157" \
	"a36b3e3ec698bef857ec01ee19b324f6a949bed1cb1a2cc99c54313d4ece9333" \
	"d23e013c7619571e0c40c6155164dd498325d3d14a4cdd932cd2f1d22f7c280c" \
	"91a8fd2be74bf3517b362bedb0641b77dbaf9468c63029a03ff3b042ae8cccd6"
#define GPG_SYM	\
	"8c0d04090302bb22f32fe8309b1cffd23801be22b298ee2a7af70d25664f5b53" \
	"2e340af99867ba1a4248fd07984ba3590351d1a8437300393fae0dfbad048b78" \
	"be326a986faf6f4174"

/* hand-made packets: a v3 PKESK (new format, key ID 1122..88), an
 * anonymous one, v6 ones with and without a fingerprint, a SEIPD */
#define PK	"c1 0a 03 1122334455667788 01"
#define PK0	"c1 0a 03 0000000000000000 01"
#define PK6	"c1 18 06 15 04 0102030405060708090a0b0c0d0e0f1011121314 19"
#define PK6A	"c1 04 06 00 19 aa"
#define SEIPD	"d2 02 01 aa"

struct tcase {
	const char		*hex;
	enum openpgp_result	 want;
	unsigned long		 pkesk, skesk, anon;
	unsigned long		 badpacket;	/* when OPENPGP_BAD */
};

static const struct tcase cases[] = {
	/* what gpg writes */
	{ GPG_TWO, OPENPGP_OK, 2, 0, 0, 0 },
	{ GPG_HIDDEN, OPENPGP_OK, 1, 0, 1, 0 },
	{ GPG_SYM, OPENPGP_OK, 0, 1, 0, 0 },
	/* RFC 9580: v6 PKESKs, SEIPD v2, the other data packets */
	{ PK6 PK6A "d2 03 02 aa bb", OPENPGP_OK, 2, 0, 1, 0 },
	{ PK "c9 02 aa bb", OPENPGP_OK, 1, 0, 0, 0 },	/* SED */
	{ PK "d4 02 aa bb", OPENPGP_OK, 1, 0, 0, 0 },	/* OCB (tag 20) */
	{ "ca 03 504750" PK "ca 03 504750" SEIPD, OPENPGP_OK, 1, 0, 0, 0 },
	{ PK PK0 PK0 PK SEIPD, OPENPGP_OK, 4, 0, 2, 0 },
	{ PK "8c 04 04090300" SEIPD, OPENPGP_OK, 1, 1, 0, 0 },
	/* old-format lengths: 1, 2 and 4 octets, indeterminate */
	{ "85 000a 03 1122334455667788 01" SEIPD, OPENPGP_OK, 1, 0, 0, 0 },
	{ "86 0000000a 03 1122334455667788 01" SEIPD, OPENPGP_OK, 1, 0, 0, 0 },
	{ PK "a4 02 01 aa", OPENPGP_OK, 1, 0, 0, 0 },	/* old SEIPD */
	{ PK "a7 aa bb cc dd", OPENPGP_OK, 1, 0, 0, 0 },	/* to the end */
	{ PK "a7", OPENPGP_OK, 1, 0, 0, 0 },
	/* new-format lengths: 5 octets, partial bodies */
	{ PK "d2 ff 00000003 01 aa bb", OPENPGP_OK, 1, 0, 0, 0 },
	{ PK "d2 e1 01aa e0 bb e1 ccdd 02 eeff", OPENPGP_OK, 1, 0, 0, 0 },
	{ PK "d2 e1 01aa 00", OPENPGP_OK, 1, 0, 0, 0 },	/* empty last */
	/* item 14: a session key, then clear text */
	{ PK "cb 08 62 00 00000000 6869", OPENPGP_BAD, 1, 0, 0, 2 },
	{ PK "ac 08 62 00 00000000 6869", OPENPGP_BAD, 1, 0, 0, 2 },
	{ PK "c8 03 01 aabb", OPENPGP_BAD, 1, 0, 0, 2 },	/* compressed */
	{ PK "c4 0d 03 00 08 01 1122334455667788 01", OPENPGP_BAD, 1, 0, 0, 2 },
	/* something after the encrypted data */
	{ PK SEIPD "cb 08 62 00 00000000 6869", OPENPGP_BAD, 1, 0, 0, 3 },
	{ PK SEIPD SEIPD, OPENPGP_BAD, 1, 0, 0, 3 },
	{ PK SEIPD PK, OPENPGP_BAD, 1, 0, 0, 3 },
	{ PK SEIPD "ca 03 504750", OPENPGP_BAD, 1, 0, 0, 3 },	/* marker */
	{ PK SEIPD "d5 02 0000", OPENPGP_BAD, 1, 0, 0, 3 },	/* padding */
	{ PK SEIPD "00", OPENPGP_BAD, 1, 0, 0, 3 },
	{ PK "d2 e1 01aa 02 bbcc dd", OPENPGP_BAD, 1, 0, 0, 3 },
	/* no session key, no data, truncated */
	{ "", OPENPGP_BAD, 0, 0, 0, 0 },
	{ SEIPD, OPENPGP_BAD, 0, 0, 0, 1 },
	{ "ca 03 504750" SEIPD, OPENPGP_BAD, 0, 0, 0, 2 },
	{ PK, OPENPGP_BAD, 1, 0, 0, 1 },
	{ PK "d2 05 01 aa", OPENPGP_BAD, 1, 0, 0, 2 },
	{ PK "d2", OPENPGP_BAD, 1, 0, 0, 2 },
	{ PK "d2 ff 0000", OPENPGP_BAD, 1, 0, 0, 2 },
	{ PK "d2 e1 01aa", OPENPGP_BAD, 1, 0, 0, 2 },	/* partial to the end */
	{ "c1 0a 03 1122", OPENPGP_BAD, 1, 0, 0, 1 },
	/* malformed packets */
	{ "41 42 43", OPENPGP_BAD, 0, 0, 0, 1 },	/* text, not a packet */
	{ "80 00" SEIPD, OPENPGP_BAD, 0, 0, 0, 1 },	/* tag 0 */
	{ "c1 e1 03 11" SEIPD, OPENPGP_BAD, 1, 0, 0, 1 },	/* partial ESK */
	{ "87 03 1122334455667788 01" SEIPD, OPENPGP_BAD, 1, 0, 0, 1 },
	{ "c1 04 03 112233" SEIPD, OPENPGP_BAD, 1, 0, 0, 1 },	/* short */
	{ "c1 01 06" SEIPD, OPENPGP_BAD, 1, 0, 0, 1 },
	{ "c1 00" SEIPD, OPENPGP_BAD, 1, 0, 0, 1 },
};

Test(openpgp, framing)
{
	static const size_t steps[] = { 1, 2, 3, 7, 100000 };
	static unsigned char buf[4096];
	struct openpgp_scan s;
	enum openpgp_result r;
	size_t i, k, len;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		len = unhex(cases[i].hex, buf, sizeof buf);
		for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
			r = scan(&s, buf, len, steps[k]);
			cr_expect_eq(r, cases[i].want, "case %zu step %zu: got "
			    "%d (%s), want %d", i, steps[k], r,
			    s.why != NULL ? s.why : "-", cases[i].want);
			cr_expect_eq(s.pkesk, cases[i].pkesk, "case %zu pkesk "
			    "got %lu", i, s.pkesk);
			cr_expect_eq(s.skesk, cases[i].skesk, "case %zu skesk", i);
			cr_expect_eq(s.anon, cases[i].anon, "case %zu anon", i);
			if (r == OPENPGP_BAD) {
				cr_expect_eq(s.badpacket, cases[i].badpacket,
				    "case %zu: bad at packet %lu (%s), want %lu",
				    i, s.badpacket, s.why, cases[i].badpacket);
				cr_expect(s.why != NULL, "case %zu: no reason", i);
			}
			openpgp_free(&s);
		}
	}
}

/* two-octet lengths at their edges: 191 (one octet), 192, 8383 */
Test(openpgp, lengths)
{
	static const unsigned int sizes[] = { 191, 192, 193, 8383 };
	unsigned char *p;
	struct openpgp_scan s;
	size_t i, n, len;

	p = calloc(1, 16 + 8400);
	cr_assert(p != NULL);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		len = unhex(PK, p, 16);
		n = sizes[i];
		p[len++] = 0xd2;
		if (n < 192)
			p[len++] = (unsigned char)n;
		else {
			p[len++] = (unsigned char)(((n - 192) >> 8) + 192);
			p[len++] = (unsigned char)((n - 192) & 0xff);
		}
		p[len] = 1;
		cr_expect_eq(scan(&s, p, len + n, 5), OPENPGP_OK, "%u", sizes[i]);
		cr_expect_eq(scan(&s, p, len + n - 1, 5), OPENPGP_BAD, "%u - 1",
		    sizes[i]);
		cr_expect_eq(scan(&s, p, len + n + 1, 5), OPENPGP_BAD, "%u + 1",
		    sizes[i]);
	}
	free(p);
}

/* anonymous recipients are counted, just under and just over the limit
 * decrypt puts on them */
Test(openpgp, anonymous_counts)
{
	static unsigned char buf[16 * (LIMIT_ANON_KEYS + 2)];
	struct openpgp_scan s;
	size_t i, len, want;

	for (want = LIMIT_ANON_KEYS; want <= LIMIT_ANON_KEYS + 1; want++) {
		len = unhex(PK PK6, buf, sizeof buf);
		for (i = 0; i < want; i++)
			len += unhex(i % 2 ? PK0 : PK6A, buf + len,
			    sizeof buf - len);
		len += unhex(SEIPD, buf + len, sizeof buf - len);
		cr_expect_eq(scan(&s, buf, len, 3), OPENPGP_OK);
		cr_expect_eq(s.anon, want, "got %lu, want %zu", s.anon, want);
		cr_expect_eq(s.pkesk, want + 2);
	}
}

/* the armor checksum: CRC-24 of RFC 9580 6.1 (check value of
 * "123456789": 0x21cf02), by libgcrypt, however the bytes come */
Test(openpgp, crc24)
{
	unsigned char crc[3];
	struct openpgp_scan s;

	openpgp_init(&s, 1);
	openpgp_feed(&s, (const unsigned char *)"1234", 4);
	openpgp_feed(&s, (const unsigned char *)"56789", 5);
	cr_assert_eq(openpgp_crc24(&s, crc), 0);
	cr_expect(crc[0] == 0x21 && crc[1] == 0xcf && crc[2] == 0x02,
	    "got %02x%02x%02x", crc[0], crc[1], crc[2]);
	openpgp_free(&s);
	openpgp_free(&s);
	openpgp_init(&s, 0);
	cr_expect_eq(openpgp_crc24(&s, crc), -1);
}

/* a detached signature (openpgp_init_sig): signature packets (tag 2,
 * bodies not looked at) and markers only, at most LIMIT_SIGNATURES */
#define SIG	"c2 03 040000"
#define SIG4	SIG SIG SIG SIG
#define SIG16	SIG4 SIG4 SIG4 SIG4

static const struct tcase sigcases[] = {
	{ SIG, OPENPGP_OK, 0, 0, 0, 0 },
	{ SIG SIG, OPENPGP_OK, 0, 0, 0, 0 },
	{ SIG16, OPENPGP_OK, 0, 0, 0, 0 },
	{ "ca 03 504750" SIG "ca 03 504750", OPENPGP_OK, 0, 0, 0, 0 },
	/* old format: 1, 2, 4 octets; new format: 5 octets */
	{ "88 03 040000" "89 0003 040000" "8a 00000003 040000",
	    OPENPGP_OK, 0, 0, 0, 0 },
	{ "c2 ff 00000003 040000", OPENPGP_OK, 0, 0, 0, 0 },
	/* one too many */
	{ SIG16 SIG, OPENPGP_BAD, 0, 0, 0, 17 },
	/* what gpg would take apart at length: compressed, literal, key,
	 * one-pass signature, session key, encrypted data */
	{ "c8 03 01 aabb", OPENPGP_BAD, 0, 0, 0, 1 },
	{ SIG "c8 03 01 aabb", OPENPGP_BAD, 0, 0, 0, 2 },
	{ "a3 01 aabb", OPENPGP_BAD, 0, 0, 0, 1 },	/* old, to the end */
	{ SIG "cb 08 62 00 00000000 6869", OPENPGP_BAD, 0, 0, 0, 2 },
	{ "c6 03 040000" SIG, OPENPGP_BAD, 0, 0, 0, 1 },
	{ "c4 0d 03 00 08 01 1122334455667788 01" SIG, OPENPGP_BAD,
	    0, 0, 0, 1 },
	{ PK SIG, OPENPGP_BAD, 0, 0, 0, 1 },
	{ SIG SEIPD, OPENPGP_BAD, 0, 0, 0, 2 },
	/* bad lengths, nothing, no signature, truncated, text */
	{ "c2 e1 01aa 01 bb", OPENPGP_BAD, 0, 0, 0, 1 },	/* partial */
	{ "8b 040000", OPENPGP_BAD, 0, 0, 0, 1 },	/* indeterminate */
	{ "", OPENPGP_BAD, 0, 0, 0, 0 },
	{ "ca 03 504750", OPENPGP_BAD, 0, 0, 0, 1 },
	{ "c2 05 0400", OPENPGP_BAD, 0, 0, 0, 1 },
	{ SIG "c2", OPENPGP_BAD, 0, 0, 0, 2 },
	{ "41 42 43", OPENPGP_BAD, 0, 0, 0, 1 },
};

Test(openpgp, signatures)
{
	static const size_t steps[] = { 1, 2, 3, 7, 100000 };
	static unsigned char buf[4096];
	struct openpgp_scan s;
	enum openpgp_result r;
	size_t i, k, len, j;

	for (i = 0; i < sizeof sigcases / sizeof sigcases[0]; i++) {
		len = unhex(sigcases[i].hex, buf, sizeof buf);
		for (k = 0; k < sizeof steps / sizeof steps[0]; k++) {
			openpgp_init_sig(&s, 0);
			for (j = 0; j < len; j += steps[k])
				openpgp_feed(&s, buf + j, len - j < steps[k] ?
				    len - j : steps[k]);
			r = openpgp_end(&s);
			cr_expect_eq(r, sigcases[i].want, "sig case %zu step "
			    "%zu: got %d (%s)", i, steps[k], r,
			    s.why != NULL ? s.why : "-");
			if (r == OPENPGP_BAD)
				cr_expect_eq(s.badpacket, sigcases[i].badpacket,
				    "sig case %zu: bad at packet %lu (%s)", i,
				    s.badpacket, s.why);
			openpgp_free(&s);
		}
	}
}

/* LIMIT_SIGNATURES signature packets pass and one more does not, in
 * the largest two-octet length (8383) */
Test(openpgp, signature_limit)
{
	unsigned char *p;
	struct openpgp_scan s;
	size_t i, n;

	p = calloc(LIMIT_SIGNATURES + 1, 3 + 8383);
	cr_assert(p != NULL);
	for (n = 0; n <= LIMIT_SIGNATURES + 1; n++) {
		openpgp_init_sig(&s, 1);
		for (i = 0; i < n; i++) {
			p[0] = 0xc2;
			p[1] = 0xdf;
			p[2] = 0xff;
			openpgp_feed(&s, p, 3 + 8383);
		}
		cr_expect_eq(openpgp_end(&s), n >= 1 && n <= LIMIT_SIGNATURES ?
		    OPENPGP_OK : OPENPGP_BAD, "%zu signatures", n);
		openpgp_free(&s);
	}
	free(p);
}
