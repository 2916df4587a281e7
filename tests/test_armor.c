/*
 * test_armor.c - "one whole armored block" and nothing else.
 */
#include <config.h>

#include <string.h>

#include <stdio.h>

#include <criterion/criterion.h>

#include "armor.h"

static enum armor_kind
scan(const char *body, size_t step)
{
	struct armor_scan s;
	size_t i, n, len = strlen(body);

	armor_scan_init(&s);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		armor_scan_feed(&s, (const unsigned char *)body + i, n);
	}
	return armor_scan_end(&s);
}

/* a PKESK (key ID 1122334455667788) and a 4-octet SEIPD: the framing
 * of an encrypted message (openpgp.c), its CRC-24 is eT2v */
#define MSG	"wQoDESIzRFVmd4gB0gIBqg=="

struct tcase {
	const char	*body;
	enum armor_kind	 want;
};

Test(armor, whole_blocks_only)
{
	static const struct tcase cases[] = {
		{ "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n=eT2v\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_MESSAGE },
		{ "\r\n  \n-----BEGIN PGP MESSAGE-----\r\n\r\n" MSG "\r\n"
		    "-----END PGP MESSAGE-----  \r\n\r\n \t\n", ARMOR_MESSAGE },
		{ "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n"
		    "-----END PGP MESSAGE-----", ARMOR_MESSAGE },
		{ "-----BEGIN PGP MESSAGE-----\nVersion: GnuPG v2\n"
		    "Comment: x y z\n\nwQoDESIzRFVmd4gB\n0gIBqg==\n=eT2v\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_MESSAGE },
		{ "-----BEGIN PGP MESSAGE-----\n\xc2\xa0\n" MSG "\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_MESSAGE },	/* NBSP line */
		{ "-----BEGIN PGP MESSAGE-----\n\nwwQECQMA0gIBqg==\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_MESSAGE },	/* SKESK */
		/* text dressed up as armor is not encrypted */
		{ "-----BEGIN PGP MESSAGE-----\n\nThe merger closes Friday.\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },
		{ "-----BEGIN PGP MESSAGE-----\n\nTheMergerClosesFriday\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },	/* tag 19 */
		{ "-----BEGIN PGP MESSAGE-----\nSecret: the merger\n\n" MSG "\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },	/* unknown key */
		{ "-----BEGIN PGP MESSAGE-----\n" MSG "\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },	/* no blank line */
		{ "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n\n" MSG "\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },	/* blank in data */
		{ "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n=eT2v\n" MSG "\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },	/* after checksum */
		{ "-----BEGIN PGP MESSAGE-----\n\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },	/* no data */
		{ "Hello,\n-----BEGIN PGP MESSAGE-----\n\n" MSG "\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },
		{ "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n"
		    "-----END PGP MESSAGE-----\nsecret clear text\n", ARMOR_NONE },
		{ "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n", ARMOR_NONE },
		{ "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n"
		    "-----BEGIN PGP MESSAGE-----\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },
		{ "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n-----END PGP MESSAGE-----\n"
		    "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },
		{ "-----BEGIN PGP MESSAGE-----x\n\n" MSG "\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },
		{ " -----BEGIN PGP MESSAGE-----\n\n" MSG "\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },
		{ "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhi\n"
		    "-----BEGIN PGP SIGNATURE-----\n\niQ\n"
		    "-----END PGP SIGNATURE-----\n", ARMOR_SIGNED },
		{ "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhi\n"
		    "-----BEGIN PGP SIGNATURE-----\n\niQ\n"
		    "-----END PGP SIGNATURE-----\nunsigned text\n", ARMOR_NONE },
		{ "-----BEGIN PGP MESSAGE-----\n\n" MSG "\n=eT2w\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_BROKEN },	/* bad CRC */
		{ "-----BEGIN PGP MESSAGE-----\n\nwQoDESIzRFVmd4gB0g==\nIBqg==\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },	/* data after = */
		{ "-----BEGIN PGP MESSAGE-----\n\nwQoDESIzRFVmd4gB0gIBqg=eT2v\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_MESSAGE },	/* QP ate \n */
		{ "-----BEGIN PGP MESSAGE-----\n\nwQoDESIzRFVmd4gB0gIBqg=eT2w\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_BROKEN },	/* and CRC bad */
		{ "-----BEGIN PGP MESSAGE-----\n\nwQoDESIzRFVmd4gB0gIBqg==eT\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },	/* 2 digits */
		{ "-----BEGIN PGP MESSAGE-----\n\nwQoDESIzRFVmd4gBywJiAA==\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_BROKEN },	/* PKESK, literal */
		{ "-----BEGIN PGP MESSAGE-----\n\nwQoDESIzRFVmd4gBywJiAA==\n"
		    "-----END PGP MESSAGE-----\nclear\n", ARMOR_NONE },
		{ "-----BEGIN PGP MESSAGE-----\n\nowGdk31M\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },	/* signed only */
		{ "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nhi\n"
		    "-----BEGIN PGP SIGNATURE-----\n\nnot a signature\n"
		    "-----END PGP SIGNATURE-----\n", ARMOR_NONE },
		{ "", ARMOR_NONE },
		{ "\n\n", ARMOR_NONE },
		{ "plain text\n", ARMOR_NONE },
	};
	size_t i, step;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (step = 1; step <= 64; step *= 4)
			cr_expect_eq(scan(cases[i].body, step), cases[i].want,
			    "case %zu step %zu", i, step);
}

Test(armor, long_lines_are_not_markers)
{
	char buf[256];

	snprintf(buf, sizeof buf, "-----BEGIN PGP MESSAGE-----%0100d\nx\n"
	    "-----END PGP MESSAGE-----\n", 0);
	cr_expect_eq(scan(buf, 13), ARMOR_NONE);
}

/* a detached signature (armor_scan_init_sig): one BEGIN PGP SIGNATURE
 * block of signature packets with the right checksum, or binary */
static enum armor_kind
sigscan(const char *body, size_t len, size_t step)
{
	struct armor_scan s;
	size_t i, n;

	armor_scan_init_sig(&s);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		armor_scan_feed(&s, (const unsigned char *)body + i, n);
	}
	return armor_scan_end(&s);
}

#define SIGBEGIN	"-----BEGIN PGP SIGNATURE-----\n\n"
#define SIGEND		"-----END PGP SIGNATURE-----\n"

Test(armor, detached_signature)
{
	static const struct tcase cases[] = {
		/* one signature packet (c2 03 040000), CRC-24 Pb/R */
		{ SIGBEGIN "wgMEAAA=\n=Pb/R\n" SIGEND, ARMOR_DETACHED },
		{ "\r\n-----BEGIN PGP SIGNATURE-----\r\nVersion: x\r\n\r\n"
		    "wgMEAAA=\r\n=Pb/R\r\n-----END PGP SIGNATURE-----\r\n",
		    ARMOR_DETACHED },
		{ SIGBEGIN "wgMEAAA=\n" SIGEND, ARMOR_DETACHED },
		/* wrong checksum */
		{ SIGBEGIN "wgMEAAA=\n=Pb/S\n" SIGEND, ARMOR_BROKEN },
		/* a compressed packet (c8 03 01aabb), right checksum */
		{ SIGBEGIN "yAMBqrs=\n=GCNb\n" SIGEND, ARMOR_BROKEN },
		/* no block, another block, text around it */
		{ "wgMEAAA=\n", ARMOR_NONE },
		{ "-----BEGIN PGP MESSAGE-----\n\nwgMEAAA=\n"
		    "-----END PGP MESSAGE-----\n", ARMOR_NONE },
		{ "hello\n" SIGBEGIN "wgMEAAA=\n" SIGEND, ARMOR_NONE },
		{ SIGBEGIN "wgMEAAA=\n" SIGEND "hello\n", ARMOR_NONE },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_expect_eq(sigscan(cases[i].body, strlen(cases[i].body), 1),
		    cases[i].want, "case %zu (step 1)", i);
		cr_expect_eq(sigscan(cases[i].body, strlen(cases[i].body),
		    4096), cases[i].want, "case %zu", i);
	}
	/* binary: the packets as they are */
	cr_expect_eq(sigscan("\xc2\x03\x04\x00\x00", 5, 2), ARMOR_DETACHED);
	cr_expect_eq(sigscan("\xc8\x03\x01\xaa\xbb", 5, 2), ARMOR_BROKEN);
	/* a message block is no signature, nor is a signature a message */
	cr_expect_eq(scan(SIGBEGIN "wgMEAAA=\n" SIGEND, 4096), ARMOR_NONE);
}

/* scan_split - body scanned in two pieces, split at k */
static enum armor_kind
scan_split(const char *body, size_t len, size_t k)
{
	struct armor_scan s;

	armor_scan_init(&s);
	armor_scan_feed(&s, (const unsigned char *)body, k);
	armor_scan_feed(&s, (const unsigned char *)body + k, len - k);
	return armor_scan_end(&s);
}

/*
 * Runs of radix-64 digits inside a line take a faster path than the
 * byte loop (all that a scan fed one byte at a time uses): any split
 * gives the byte loop's answer, on long data lines (past the start of
 * a line the scan keeps) and on lines that end in padding, white space
 * or something else.
 */
Test(armor, any_split_gives_the_same_answer)
{
	static const char *tails[] = {
		"\n-----END PGP MESSAGE-----\n",
		"\n=AAAA\n-----END PGP MESSAGE-----\n",
		" \n-----END PGP MESSAGE-----\n",
		"!\n-----END PGP MESSAGE-----\n",
		"\r\n-----END PGP MESSAGE-----\r\n",
	};
	unsigned char pkt[16 + 299];
	char body[2048], *p;
	struct cte_encoder e;
	size_t i, k, len;
	enum armor_kind want;

	/* a PKESK, and a SEIPD of 300 octets (two-octet length) */
	memcpy(pkt, "\xc1\x0a\x03\x11\x22\x33\x44\x55\x66\x77\x88\x01"
	    "\xd2\xc0\x6c\x01", 16);
	for (i = 16; i < sizeof pkt; i++)
		pkt[i] = (unsigned char)(i * 7);
	for (i = 0; i < sizeof tails / sizeof tails[0]; i++) {
		p = body + snprintf(body, sizeof body,
		    "-----BEGIN PGP MESSAGE-----\n\n");
		cte_encoder_init(&e, 0);
		p += cte_encode(&e, pkt, sizeof pkt, p);
		p += cte_encode_finish(&e, p);
		p--;		/* the last newline: the tail has its own */
		snprintf(p, sizeof body - (size_t)(p - body), "%s", tails[i]);
		len = strlen(body);
		want = scan(body, 1);
		if (i == 0)
			cr_assert_eq(want, ARMOR_MESSAGE);
		for (k = 0; k <= len; k++)
			cr_assert_eq(scan_split(body, len, k), want,
			    "tail %zu split %zu", i, k);
	}
}

struct sunk {
	unsigned char	 b[512];
	size_t		 n;
};

/* sink - what a scan decodes, collected */
static void
sink(void *arg, const unsigned char *p, size_t n)
{
	struct sunk *k = arg;

	cr_assert(k->n + n <= sizeof k->b);
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

/* written - the armor writer over n bytes of in, in steps of step */
static size_t
written(const unsigned char *in, size_t n, size_t step, char *out)
{
	struct armor_writer w;
	size_t i, k, o = 0;

	cr_assert_eq(armor_write_init(&w), 0);
	for (i = 0; i < n; i += k) {
		k = n - i < step ? n - i : step;
		o += armor_write(&w, in + i, k, out + o);
	}
	o += armor_write_end(&w, out + o);
	out[o] = '\0';
	return o;
}

/* sunk_back - scan text in steps of step with a sink: the bytes it
 * decodes into k (decrypt's dearmoring) */
static void
sunk_back(const char *text, size_t len, size_t step, struct sunk *k)
{
	struct armor_scan s;
	size_t i;

	k->n = 0;
	armor_scan_init(&s);
	s.sink = sink;
	s.sinkarg = k;
	for (i = 0; i < len; i += step)
		armor_scan_feed(&s, (const unsigned char *)text + i,
		    len - i < step ? len - i : step);
	(void)armor_scan_end(&s);	/* truncated packets: framing aside */
}

/*
 * The armor writer (encrypt's, in place of gpg's) gives the same text
 * however gpg's output is split, in gpg's layout (BEGIN, an empty line,
 * 64-digit lines, "=" and the CRC-24, END) that the scan reads back as
 * the message it is; and the scan's sink gives back the bytes, for
 * every length around a line and a group, split anywhere.
 */
Test(armor, writer_any_split)
{
	static struct sunk sunk;
	unsigned char pkt[16 + 299];
	char want[1024], got[1024];
	size_t i, n, step, wn, len;

	memcpy(pkt, "\xc1\x0a\x03\x11\x22\x33\x44\x55\x66\x77\x88\x01"
	    "\xd2\xc0\x6c\x01", 16);
	for (i = 16; i < sizeof pkt; i++)
		pkt[i] = (unsigned char)(i * 7);
	wn = written(pkt, sizeof pkt, sizeof pkt, want);
	cr_assert(strncmp(want, "-----BEGIN PGP MESSAGE-----\n\n", 29) == 0);
	cr_assert(wn > 27 && strcmp(want + wn - 27,
	    "\n-----END PGP MESSAGE-----\n") == 0);
	cr_assert_eq(scan(want, wn), ARMOR_MESSAGE);	/* CRC-24 right */
	for (step = 1; step <= sizeof pkt; step++) {
		cr_assert_eq(written(pkt, sizeof pkt, step, got), wn);
		cr_assert(strcmp(got, want) == 0, "step %zu", step);
	}
	for (n = 40; n <= 100; n++) {
		wn = written(pkt, n, 5, want);
		for (i = 29; i < wn && want[i] != '='; i += len + 1) {
			len = strcspn(want + i, "\n");
			cr_assert(len == 64 || want[i + len + 1] == '=',
			    "n %zu: a line of %zu", n, len);
		}
		for (step = 1; step <= 64; step *= 4) {
			sunk_back(want, wn, step, &sunk);
			cr_assert(sunk.n == n && memcmp(sunk.b, pkt, n) == 0,
			    "n %zu step %zu: %zu bytes back", n, step, sunk.n);
		}
	}
}
