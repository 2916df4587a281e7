/*
 * test_autocrypt.c - the key Autocrypt sends (one user ID, encryption
 * subkeys, newest self-signatures: autocrypt_key_filter) built from
 * packets made here (framing only), and the Autocrypt field written by
 * autocrypt_field and read back by autocrypt_parse.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "autocrypt.h"
#include "autocrypt_state.h"
#include "limit.h"

/* A key being built: packets appended in turn. */
struct kb {
	unsigned char	 v[70000];
	size_t		 n;
};

/* put - one new-format packet of tag with body b (n bytes) */
static void
put(struct kb *k, int tag, const unsigned char *b, size_t n)
{
	cr_assert(k->n + n + 6 <= sizeof k->v);
	k->v[k->n++] = (unsigned char)(0xc0 | tag);
	if (n < 192)
		k->v[k->n++] = (unsigned char)n;
	else if (n < 8384) {
		k->v[k->n++] = (unsigned char)(((n - 192) >> 8) + 192);
		k->v[k->n++] = (unsigned char)((n - 192) & 0xff);
	} else {
		k->v[k->n++] = 255;
		k->v[k->n++] = (unsigned char)(n >> 24);
		k->v[k->n++] = (unsigned char)(n >> 16);
		k->v[k->n++] = (unsigned char)(n >> 8);
		k->v[k->n++] = (unsigned char)n;
	}
	memcpy(k->v + k->n, b, n);
	k->n += n;
}

/* keypkt - a v4 key packet (tag 6 or 14) of algorithm algo; mark tells
 * the packets apart */
static void
keypkt(struct kb *k, int tag, int algo, int mark)
{
	unsigned char b[40];

	memset(b, mark, sizeof b);
	b[0] = 4;
	b[5] = (unsigned char)algo;
	put(k, tag, b, sizeof b);
}

/* sig - a v4 signature of type with creation time t and key flags
 * (-1: none) in its hashed area; mark fills the rest */
static void
sig(struct kb *k, int type, unsigned long t, int flags, int mark)
{
	unsigned char b[64];
	size_t n = 6;

	memset(b, mark, sizeof b);
	b[0] = 4;
	b[1] = (unsigned char)type;
	b[2] = 22;
	b[3] = 8;
	b[n++] = 5;
	b[n++] = 2;
	b[n++] = (unsigned char)(t >> 24);
	b[n++] = (unsigned char)(t >> 16);
	b[n++] = (unsigned char)(t >> 8);
	b[n++] = (unsigned char)t;
	if (flags != -1) {
		b[n++] = 2;
		b[n++] = 27;
		b[n++] = (unsigned char)flags;
	}
	b[4] = 0;
	b[5] = (unsigned char)(n - 6);
	b[n++] = 0;		/* no unhashed subpackets */
	b[n++] = 0;
	put(k, 2, b, n + 10);
}

/* uid - a user ID packet */
static void
uid(struct kb *k, const char *s)
{
	put(k, 13, (const unsigned char *)s, strlen(s));
}

/* has - does the filtered key hold the bytes of packet p (built
 * alone)? */
static int
has(const unsigned char *v, size_t n, const struct kb *p)
{
	size_t i;

	for (i = 0; i + p->n <= n; i++)
		if (memcmp(v + i, p->v, p->n) == 0)
			return 1;
	return 0;
}

/* three user IDs, a signing subkey, two encryption subkeys, one of
 * them revoked, a direct-key signature and a user attribute */
static void
three_uids(struct kb *k)
{
	keypkt(k, 6, 22, 0x11);
	sig(k, 0x1f, 100, 0x03, 0x21);		/* direct key: left out */
	uid(k, "Bob Other <bob@example.org>");
	sig(k, 0x13, 200, 0x03, 0x31);
	uid(k, "Alice <Alice@Example.ORG>");
	sig(k, 0x13, 300, 0x03, 0x41);		/* older */
	sig(k, 0x13, 400, 0x03, 0x42);		/* newest: kept */
	sig(k, 0x10, 350, 0x03, 0x43);
	uid(k, "alice@example.org");		/* a second match: left out */
	sig(k, 0x13, 500, 0x03, 0x51);
	put(k, 17, (const unsigned char *)"\x01\x02\x03", 3);
	sig(k, 0x13, 500, -1, 0x52);
	keypkt(k, 14, 22, 0x61);		/* signing subkey */
	sig(k, 0x18, 600, 0x02, 0x62);
	keypkt(k, 14, 18, 0x71);		/* encryption subkey */
	sig(k, 0x18, 700, 0x0c, 0x72);
	keypkt(k, 14, 18, 0x81);		/* revoked */
	sig(k, 0x18, 700, 0x0c, 0x82);
	sig(k, 0x28, 800, -1, 0x83);
}

Test(autocrypt, filter_keeps_one_uid_and_encryption_subkeys)
{
	struct kb k, want, p;
	unsigned char *out;
	size_t outlen;
	const char *why;

	memset(&k, 0, sizeof k);
	three_uids(&k);
	cr_assert(autocrypt_key_filter(k.v, k.n, "alice@example.org", &out,
	    &outlen, &why) == 0, "%s", why);
	memset(&want, 0, sizeof want);
	keypkt(&want, 6, 22, 0x11);
	uid(&want, "Alice <Alice@Example.ORG>");
	sig(&want, 0x13, 400, 0x03, 0x42);
	keypkt(&want, 14, 18, 0x71);
	sig(&want, 0x18, 700, 0x0c, 0x72);
	cr_assert_eq(outlen, want.n, "got %zu bytes, want %zu", outlen,
	    want.n);
	cr_assert(memcmp(out, want.v, want.n) == 0);
	memset(&p, 0, sizeof p);
	uid(&p, "bob@example.org");
	cr_assert(!has(out, outlen, &p));
	free(out);
}

Test(autocrypt, filter_other_uid)
{
	struct kb k, p;
	unsigned char *out;
	size_t outlen;
	const char *why;

	memset(&k, 0, sizeof k);
	three_uids(&k);
	cr_assert(autocrypt_key_filter(k.v, k.n, "bob@example.org", &out,
	    &outlen, &why) == 0, "%s", why);
	memset(&p, 0, sizeof p);
	uid(&p, "Bob Other <bob@example.org>");
	cr_assert(has(out, outlen, &p));
	memset(&p, 0, sizeof p);
	uid(&p, "Alice <Alice@Example.ORG>");
	cr_assert(!has(out, outlen, &p));
	free(out);
}

Test(autocrypt, filter_refuses)
{
	static const struct {
		const char	*addr;
		int		 subalgo, subflags, uidrev, v6, trunc;
		const char	*want;
	} c[] = {
		{ "carol@example.org", 18, 0x0c, 0, 0, 0,
		    "no self-signed user ID for the address" },
		{ "alice@example.org", 22, 0x02, 0, 0, 0,
		    "no encryption subkey" },
		{ "alice@example.org", 18, 0x0c, 1, 0, 0,
		    "no self-signed user ID for the address" },
		{ "alice@example.org", 18, 0x0c, 0, 1, 0,
		    "not a version 4 key" },
		{ "alice@example.org", 18, 0x0c, 0, 0, 1,
		    "bad packet framing" },
		{ "alice@example.org", 18, -1, 0, 0, 0, NULL },
		{ "alice@example.org", 22, -1, 0, 0, 0,
		    "no encryption subkey" },
	};
	struct kb k;
	unsigned char *out;
	size_t outlen, i;
	const char *why;
	int r;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		memset(&k, 0, sizeof k);
		keypkt(&k, 6, 22, 0x11);
		if (c[i].v6)
			k.v[2] = 6;
		uid(&k, "alice@example.org");
		sig(&k, 0x13, 400, 0x03, 0x42);
		if (c[i].uidrev)
			sig(&k, 0x30, 500, -1, 0x43);
		keypkt(&k, 14, c[i].subalgo, 0x71);
		sig(&k, 0x18, 700, c[i].subflags, 0x72);
		if (c[i].trunc)
			k.n -= 3;
		r = autocrypt_key_filter(k.v, k.n, c[i].addr, &out, &outlen,
		    &why);
		if (c[i].want == NULL) {
			cr_assert(r == 0, "case %zu: %s", i, why);
			free(out);
			continue;
		}
		cr_assert(r == -1 && strcmp(why, c[i].want) == 0,
		    "case %zu: got %s, want %s", i, r == 0 ? "ok" : why,
		    c[i].want);
		cr_assert_null(out);
	}
}

/* a key of about size bytes: its subkey packet padded */
static void
sized(struct kb *k, size_t size)
{
	static unsigned char pad[LIMIT_AUTOCRYPT_KEYDATA + 100];
	size_t n;

	memset(k, 0, sizeof *k);
	keypkt(k, 6, 22, 0x11);
	uid(k, "alice@example.org");
	sig(k, 0x13, 400, 0x03, 0x42);
	n = size - k->n - 6 - 29;	/* its header, the binding signature */
	memset(pad, 0x71, sizeof pad);
	pad[0] = 4;
	pad[5] = 18;
	put(k, 14, pad, n);
	sig(k, 0x18, 700, 0x0c, 0x72);
}

Test(autocrypt, keydata_limit)
{
	struct kb k;
	unsigned char *out;
	size_t outlen;
	const char *why;
	char *f;

	sized(&k, LIMIT_AUTOCRYPT_KEYDATA);
	cr_assert_eq(k.n, LIMIT_AUTOCRYPT_KEYDATA);
	cr_assert(autocrypt_key_filter(k.v, k.n, "alice@example.org", &out,
	    &outlen, &why) == 0, "%s", why);
	cr_assert_eq(outlen, LIMIT_AUTOCRYPT_KEYDATA);
	f = autocrypt_field("alice@example.org", 0, out, outlen, "\n");
	cr_assert_not_null(f);
	free(f);
	free(out);
	sized(&k, LIMIT_AUTOCRYPT_KEYDATA + 1);
	cr_assert(autocrypt_key_filter(k.v, k.n, "alice@example.org", &out,
	    &outlen, &why) == -1);
	cr_assert_str_eq(why, "the key is over LIMIT_AUTOCRYPT_KEYDATA");
	cr_assert_null(autocrypt_field("alice@example.org", 0, k.v, k.n,
	    "\n"));
}

/* unfold - a field's value as rfc5322_unfold gives it */
static char *
unfold(const char *field, const char *eol)
{
	const char *p = strchr(field, ':') + 1;
	char *v = malloc(strlen(p) + 1), *o = v;
	size_t el = strlen(eol);

	while (*p == ' ')
		p++;
	while (*p != '\0')
		if (strncmp(p, eol, el) == 0)
			p += el;
		else
			*o++ = *p++;
	*o = '\0';
	return v;
}

Test(autocrypt, field_folds_and_parses_back)
{
	static const char *const eols[] = { "\n", "\r\n" };
	struct autocrypt_hdr h;
	unsigned char key[3000];
	const char *why, *line, *e;
	size_t i, j, len;
	char *f, *v;

	for (i = 0; i < sizeof key; i++)
		key[i] = (unsigned char)(i * 7 + 3);
	for (j = 0; j < 4; j++) {
		f = autocrypt_field("alice@example.org", (int)(j & 1), key,
		    sizeof key - j, eols[j >> 1]);
		cr_assert_not_null(f);
		cr_assert(strncmp(f, "Autocrypt: addr=alice@example.org;",
		    34) == 0);
		for (line = f; *line != '\0'; line = e + strlen(eols[j >> 1])) {
			e = strstr(line, eols[j >> 1]);
			len = e != NULL ? (size_t)(e - line) : strlen(line);
			cr_assert(len <= AUTOCRYPT_LINE, "a line of %zu", len);
			cr_assert(memchr(line, '\r', len) == NULL &&
			    memchr(line, '\n', len) == NULL);
			if (e == NULL)
				break;
		}
		v = unfold(f, eols[j >> 1]);
		cr_assert(autocrypt_parse(v, &h, &why) == 0, "%s", why);
		cr_assert_str_eq(h.addr, "alice@example.org");
		cr_assert_eq(h.mutual, (int)(j & 1));
		cr_assert_eq(h.keylen, sizeof key - j);
		cr_assert(memcmp(h.key, key, h.keylen) == 0);
		autocrypt_hdr_free(&h);
		free(v);
		free(f);
	}
}

Test(autocrypt, parse_rules)
{
	static const struct {
		const char	*v;
		int		 ok, mutual;
	} c[] = {
		{ "addr=a@example.org; keydata=AQID", 1, 0 },
		{ "addr=a@example.org; prefer-encrypt=mutual; keydata=AQID",
		    1, 1 },
		{ "addr=a@example.org; prefer-encrypt=nopreference; "
		    "keydata=AQID", 1, 0 },
		{ " addr = a@example.org ;keydata= AQ ID ;", 1, 0 },
		{ "addr=a@example.org; _extra=1; keydata=AQID", 1, 0 },
		{ "addr=a@example.org; extra=1; keydata=AQID", 0, 0 },
		{ "addr=a@example.org", 0, 0 },
		{ "keydata=AQID", 0, 0 },
		{ "addr=a@example.org; addr=b@example.org; keydata=AQID", 0,
		    0 },
		{ "addr=a@example.org; keydata=AQ!D", 0, 0 },
		{ "addr=a@example.org; keydata=AQ=ID", 0, 0 },
		{ "addr=a@example.org; keydata", 0, 0 },
		{ "", 0, 0 },
	};
	struct autocrypt_hdr h;
	const char *why;
	size_t i;
	int r;

	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		r = autocrypt_parse(c[i].v, &h, &why);
		cr_assert_eq(r == 0, c[i].ok, "case %zu (%s): got %s", i,
		    c[i].v, r == 0 ? "ok" : why);
		if (r == 0) {
			cr_assert_eq(h.mutual, c[i].mutual, "case %zu", i);
			cr_assert_eq(h.keylen, 3);
			autocrypt_hdr_free(&h);
		}
	}
}

/* zeros - "addr=...; keydata=" and n zero bytes in base64 (allocated) */
static char *
zeros(size_t n)
{
	size_t len = 32 + (n + 2) / 3 * 4, k;
	char *v = malloc(len);

	k = (size_t)snprintf(v, len, "addr=a@example.org; keydata=");
	memset(v + k, 'A', n / 3 * 4);
	k += n / 3 * 4;
	if (n % 3 != 0) {
		memcpy(v + k, n % 3 == 1 ? "AA==" : "AAA=", 4);
		k += 4;
	}
	v[k] = '\0';
	return v;
}

Test(autocrypt, parse_keydata_limit)
{
	struct autocrypt_hdr h;
	const char *why;
	char *v;

	v = zeros(LIMIT_AUTOCRYPT_KEYDATA);
	cr_assert(autocrypt_parse(v, &h, &why) == 0, "%s", why);
	cr_assert_eq(h.keylen, LIMIT_AUTOCRYPT_KEYDATA);
	autocrypt_hdr_free(&h);
	free(v);
	v = zeros(LIMIT_AUTOCRYPT_KEYDATA + 1);
	cr_assert(autocrypt_parse(v, &h, &why) == -1);
	cr_assert_str_eq(why, "keydata over LIMIT_AUTOCRYPT_KEYDATA");
	free(v);
}

Test(autocrypt, subkeys_limit)
{
	struct kb *k = calloc(1, sizeof *k), *one;
	unsigned char *out;
	size_t outlen, i, n;
	const char *why;

	cr_assert_not_null(k);
	keypkt(k, 6, 22, 0x11);
	uid(k, "alice@example.org");
	sig(k, 0x13, 400, 0x03, 0x42);
	for (i = 0; i < LIMIT_AUTOCRYPT_SUBKEYS + 1; i++) {
		keypkt(k, 14, 18, (int)(0x50 + i));
		sig(k, 0x18, 700, 0x0c, 0x72);
	}
	cr_assert(autocrypt_key_filter(k->v, k->n, "alice@example.org", &out,
	    &outlen, &why) == 0, "%s", why);
	one = calloc(1, sizeof *one);
	for (i = 0, n = 0; i < LIMIT_AUTOCRYPT_SUBKEYS + 1; i++) {
		memset(one, 0, sizeof *one);
		keypkt(one, 14, 18, (int)(0x50 + i));
		n += has(out, outlen, one);
	}
	cr_assert_eq(n, LIMIT_AUTOCRYPT_SUBKEYS, "got %zu subkeys, want %d", n,
	    LIMIT_AUTOCRYPT_SUBKEYS);
	free(out);
	free(one);
	free(k);
}

/* exported - a key of exactly size bytes as gpg exports it: a user
 * attribute (left out) pads it */
static unsigned char *
exported(size_t size)
{
	unsigned char *v = malloc(size);
	struct kb k;
	size_t n, pad;

	cr_assert_not_null(v);
	memset(&k, 0, sizeof k);
	keypkt(&k, 6, 22, 0x11);
	uid(&k, "alice@example.org");
	sig(&k, 0x13, 400, 0x03, 0x42);
	keypkt(&k, 14, 18, 0x71);
	sig(&k, 0x18, 700, 0x0c, 0x72);
	memcpy(v, k.v, k.n);
	pad = size - k.n - 6;
	n = k.n;
	v[n++] = 0xc0 | 17;
	v[n++] = 255;
	v[n++] = (unsigned char)(pad >> 24);
	v[n++] = (unsigned char)(pad >> 16);
	v[n++] = (unsigned char)(pad >> 8);
	v[n++] = (unsigned char)pad;
	memset(v + n, 0x01, pad);
	return v;
}

Test(autocrypt, export_limit)
{
	unsigned char *v, *out;
	size_t outlen;
	const char *why;

	v = exported(LIMIT_AUTOCRYPT_EXPORT);
	cr_assert(autocrypt_key_filter(v, LIMIT_AUTOCRYPT_EXPORT,
	    "alice@example.org", &out, &outlen, &why) == 0, "%s", why);
	free(out);
	free(v);
	v = exported(LIMIT_AUTOCRYPT_EXPORT + 1);
	cr_assert(autocrypt_key_filter(v, LIMIT_AUTOCRYPT_EXPORT + 1,
	    "alice@example.org", &out, &outlen, &why) == -1);
	cr_assert_str_eq(why, "the exported key is over LIMIT_AUTOCRYPT_EXPORT");
	free(v);
}

/* statefile - a state file of n peers; its path (static) */
static const char *
statefile(size_t n, const char *extra)
{
	static char path[] = "/tmp/test_autocrypt.XXXXXX";
	FILE *fp;
	size_t i;
	int fd;

	memcpy(path + sizeof path - 7, "XXXXXX", 6);
	cr_assert((fd = mkstemp(path)) != -1);
	cr_assert_not_null(fp = fdopen(fd, "w"));
	fprintf(fp, "# mailseal autocrypt state 1\n");
	for (i = 0; i < n; i++)
		fprintf(fp, "p%zu@example.org\t%zu\t%zu\t"
		    "82883A9E2197043C24A07BF079ABAEE40FFFA611\t%s\n", i, i + 1,
		    i, i % 2 ? "mutual" : "nopreference");
	if (extra != NULL)
		fputs(extra, fp);
	cr_assert(fclose(fp) == 0);
	return path;
}

Test(autocrypt, state_peers_limit)
{
	struct autocrypt_state s;
	struct autocrypt_peer *p;
	char err[512];
	const char *path;

	path = statefile(LIMIT_AUTOCRYPT_PEERS, NULL);
	cr_assert(autocrypt_state_load(path, &s, err, sizeof err) == 0, "%s",
	    err);
	cr_assert_eq(s.n, LIMIT_AUTOCRYPT_PEERS);
	cr_assert_not_null(p = autocrypt_state_find(&s, "p7@example.org"));
	cr_assert(p->last_seen == 8 && p->timestamp == 7 && p->mutual);
	cr_assert_null(autocrypt_state_add(&s, "new@example.org"));
	cr_assert(autocrypt_state_save(path, &s, err, sizeof err) == 0, "%s",
	    err);
	autocrypt_state_free(&s);
	cr_assert(autocrypt_state_load(path, &s, err, sizeof err) == 0, "%s",
	    err);
	cr_assert_eq(s.n, LIMIT_AUTOCRYPT_PEERS);
	autocrypt_state_free(&s);
	unlink(path);
	path = statefile(LIMIT_AUTOCRYPT_PEERS + 1, NULL);
	cr_assert(autocrypt_state_load(path, &s, err, sizeof err) == -1);
	cr_assert_eq(s.n, 0);
	unlink(path);
}

Test(autocrypt, state_bad_lines)
{
	static const char *const bad[] = {
		"a@example.org\t1\t1\t82883A9E\tmutual\n",
		"a@example.org\t1\t1\t82883A9E2197043C24A07BF079ABAEE40FFFA611\n",
		"a@example.org\t-1\t1\t"
		    "82883A9E2197043C24A07BF079ABAEE40FFFA611\tmutual\n",
		"a@example.org\t1\t1\t"
		    "82883A9E2197043C24A07BF079ABAEE40FFFA611\tsometimes\n",
		"a@example.org\t1\t1\t"
		    "82883A9E2197043C24A07BF079ABAEE40FFFA611\tmutual",
		"\t1\t1\t82883A9E2197043C24A07BF079ABAEE40FFFA611\tmutual\n",
	};
	struct autocrypt_state s;
	char err[512];
	const char *path;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		path = statefile(2, bad[i]);
		cr_assert(autocrypt_state_load(path, &s, err, sizeof err) ==
		    -1, "case %zu loads", i);
		cr_assert(strstr(err, ":4: ") != NULL, "case %zu: %s", i,
		    err);
		unlink(path);
	}
	cr_assert(autocrypt_state_load("/nonexistent/x", &s, err,
	    sizeof err) == 0 && s.n == 0);
}

/* an address a state line can hold is added, saved and read back; one
 * over LIMIT_ADDR_SPEC or with a tab is not added (it would make the
 * file unreadable) */
Test(autocrypt, state_addr_fits)
{
	struct autocrypt_state s;
	struct autocrypt_peer *p;
	char addr[LIMIT_ADDR_SPEC + 2], err[512];
	const char *path;

	memset(addr, 'l', sizeof addr);
	memcpy(addr + LIMIT_ADDR_SPEC - 12, "@example.org", 13);
	path = statefile(0, NULL);
	cr_assert(autocrypt_state_load(path, &s, err, sizeof err) == 0);
	cr_assert(autocrypt_state_fits(addr));
	cr_assert_not_null(p = autocrypt_state_add(&s, addr));
	memcpy(p->fpr, "82883A9E2197043C24A07BF079ABAEE40FFFA611",
	    AUTOCRYPT_FPRLEN + 1);
	memset(addr, 'm', sizeof addr);
	memcpy(addr + LIMIT_ADDR_SPEC - 11, "@example.org", 13);
	cr_assert(!autocrypt_state_fits(addr));
	cr_assert_null(autocrypt_state_add(&s, addr));
	cr_assert(!autocrypt_state_fits("\"a\tb\"@example.org"));
	cr_assert_null(autocrypt_state_add(&s, "\"a\tb\"@example.org"));
	cr_assert(autocrypt_state_save(path, &s, err, sizeof err) == 0);
	autocrypt_state_free(&s);
	cr_assert(autocrypt_state_load(path, &s, err, sizeof err) == 0, "%s",
	    err);
	cr_assert_eq(s.n, 1);
	autocrypt_state_free(&s);
	unlink(path);
}
