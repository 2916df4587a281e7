/*
 * test_recip.c - recipients resolve to keys exactly: by hand-made key
 * lists, and against the hermetic test keyring (tests/mkkeys.sh).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "addr.h"
#include "gpg.h"
#include "recip.h"

static struct gpg_key
key(const char *fpr, int usable, int enc, const char *uid1, const char *uid2)
{
	struct gpg_key k;

	memset(&k, 0, sizeof k);
	k.fpr = strdup(fpr);
	k.usable = usable;
	k.can_encrypt = enc;
	k.can_sign = 1;
	k.uids = calloc(2, sizeof *k.uids);
	if (uid1 != NULL)
		k.uids[k.nuids++] = strdup(uid1);
	if (uid2 != NULL)
		k.uids[k.nuids++] = strdup(uid2);
	return k;
}

static struct gpg_keylist
sample(void)
{
	struct gpg_keylist l;

	l.n = 7;
	l.v = calloc(l.n, sizeof *l.v);
	l.v[0] = key("B0B", 1, 1, "bob@example.org", NULL);
	l.v[1] = key("XB0B", 1, 1, "xbob@example.org", NULL);
	l.v[2] = key("CA1", 1, 1, "carol@example.org", NULL);
	l.v[3] = key("CA2", 1, 1, "Carol@Example.org", "c@example.org");
	l.v[4] = key("DEAD", 0, 1, "dave@example.org", NULL);
	l.v[5] = key("5160", 1, 0, "grace@example.org", NULL);
	l.v[6] = key("1A", 1, 1, "ivan+work@example.org", "ivan@example.org");
	return l;
}

static void
resolve(const char *addrs, struct recip *r)
{
	struct addrlist a = { NULL, 0 };
	struct gpg_keylist keys = sample();

	cr_assert_eq(addr_list_parse(addrs, strlen(addrs), &a), ADDR_OK);
	recip_resolve(&a, &keys, r);
	addrlist_free(&a);
	gpg_keylist_free(&keys);
}

Test(recip, exact_match_never_substring)
{
	struct recip r;

	resolve("BOB@example.ORG", &r);
	cr_expect_eq(r.nfprs, 1);
	cr_expect_str_eq(r.fprs[0], "B0B");
	recip_free(&r);
	resolve("ob@example.org", &r);
	cr_expect_eq(r.nfprs, 0);
	cr_expect_eq(r.missing.n, 1);
	recip_free(&r);
}

Test(recip, every_key_of_an_address_and_no_duplicates)
{
	struct recip r;

	resolve("carol@example.org, c@example.org, CAROL@example.org", &r);
	cr_expect_eq(r.nfprs, 2);
	cr_expect_eq(r.missing.n, 0);
	recip_free(&r);
}

Test(recip, unusable_keys_are_missing)
{
	struct recip r;

	resolve("dave@example.org, grace@example.org, bob@example.org", &r);
	cr_expect_eq(r.nfprs, 1);
	cr_expect_eq(r.missing.n, 2);
	cr_expect_str_eq(r.missing.v[0], "dave@example.org");
	cr_expect_str_eq(r.missing.v[1], "grace@example.org");
	recip_free(&r);
}

Test(recip, plus_tag_falls_back_only_without_own_key)
{
	struct recip r;

	resolve("bob+lists@example.org", &r);
	cr_expect_eq(r.nfprs, 1);
	cr_expect_str_eq(r.fprs[0], "B0B");
	recip_free(&r);
	resolve("ivan+work@example.org", &r);
	cr_expect_eq(r.nfprs, 1);
	cr_expect_str_eq(r.fprs[0], "1A");
	recip_free(&r);
	resolve("eve+bob@example.org", &r);
	cr_expect_eq(r.nfprs, 0);
	recip_free(&r);
}

Test(recip, patterns_are_explicit_substring_searches)
{
	struct addrlist a = { NULL, 0 }, p = { NULL, 0 };

	addrlist_add(&a, "bob+x@example.org");
	addrlist_add(&a, "#odd@example.org");
	recip_patterns(&a, &p);
	cr_assert_eq(p.n, 3);
	cr_expect_str_eq(p.v[0], "*bob+x@example.org");
	cr_expect_str_eq(p.v[1], "*bob@example.org");
	cr_expect_str_eq(p.v[2], "*#odd@example.org");
	addrlist_free(&a);
	addrlist_free(&p);
}

Test(recip, signer_must_be_unique_secret_and_able_to_sign)
{
	struct gpg_keylist keys = sample();
	const struct gpg_key *k;

	keys.v[0].secret = 1;
	keys.v[2].secret = keys.v[3].secret = 1;
	cr_expect_eq(recip_signer("bob@example.org", &keys, 1, &k), 1);
	cr_expect_str_eq(k->fpr, "B0B");
	cr_expect_eq(recip_signer("b0b", &keys, 1, &k), 1, "by fingerprint");
	cr_expect_str_eq(k->fpr, "B0B");
	cr_expect_eq(recip_signer("carol@example.org", &keys, 1, &k), 2,
	    "two keys: ambiguous");
	cr_expect_eq(recip_signer("xbob@example.org", &keys, 1, &k), 0,
	    "no secret part");
	cr_expect_null(k);
	cr_expect_eq(recip_signer("xbob@example.org", &keys, 0, &k), 1,
	    "public key, when the secret part is not required");
	cr_expect_eq(recip_signer("dave@example.org", &keys, 0, &k), 0,
	    "expired");
	gpg_keylist_free(&keys);
}

/* regression: a +tag recipient resolved through its base address was
 * recorded under the base, so the To recipient looked like a Bcc one */
Test(recip, map_keeps_the_address_as_given)
{
	struct recip r;

	resolve("bob+lists@example.org", &r);
	cr_assert_eq(r.nmap, 1);
	cr_expect_str_eq(r.map[0].addr, "bob+lists@example.org");
	cr_expect_str_eq(r.map[0].fpr, "B0B");
	recip_free(&r);
}

/*
 * Against the real keyring made by tests/mkkeys.sh.
 */
static char home[64];

static void
keyring_setup(void)
{
	const char *keys = getenv("MAILSEAL_TEST_KEYS");
	char cmd[1024];

	if (keys == NULL)
		cr_skip_test("MAILSEAL_TEST_KEYS is not set");
	strcpy(home, "/tmp/msr.XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	snprintf(cmd, sizeof cmd, "cp -R '%s/home/.' '%s'", keys, home);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void
keyring_teardown(void)
{
	char cmd[256];

	if (home[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "gpgconf --homedir '%s' --kill all "
	    ">/dev/null 2>&1; rm -rf '%s'", home, home);
	if (system(cmd) != 0)
		return;
}

static void
keyring_resolve(const char *addrs, struct recip *r)
{
	struct addrlist a = { NULL, 0 }, p = { NULL, 0 };
	struct gpg_keylist keys;
	struct gpg *g;
	char err[GPG_ERRLEN];

	cr_assert_eq(gpg_open(&g, home, err, sizeof err), GPG_OK, "%s", err);
	cr_assert_eq(addr_list_parse(addrs, strlen(addrs), &a), ADDR_OK);
	recip_patterns(&a, &p);
	cr_assert_eq(gpg_keylist(g, p.v, p.n, 0, &keys, err, sizeof err),
	    GPG_OK, "%s", err);
	recip_resolve(&a, &keys, r);
	gpg_keylist_free(&keys);
	addrlist_free(&a);
	addrlist_free(&p);
	gpg_close(g);
}

struct kcase {
	const char	*addr;
	size_t		 nkeys;		/* 0: must be missing */
};

Test(recip, against_the_test_keyring, .init = keyring_setup,
    .fini = keyring_teardown, .timeout = 60)
{
	static const struct kcase cases[] = {
		{ "bob@example.org", 1 },
		{ "BOB@EXAMPLE.ORG", 1 },
		{ "ob@example.org", 0 },		/* only xbob exists */
		{ "carol@example.org", 2 },
		{ "dave@example.org", 0 },		/* expired */
		{ "erin@example.org", 0 },		/* revoked */
		{ "frank@example.org", 0 },		/* disabled */
		{ "grace@example.org", 0 },		/* sign only */
		{ "heidi@example.org", 0 },		/* user ID revoked */
		{ "heidi2@example.org", 1 },
		{ "bob+lists@example.org", 1 },
		{ "ivan+work@example.org", 1 },
		{ "judy@example.org", 1 },		/* uid JUDY@Example.ORG */
		{ "nobody@example.org", 0 },
	};
	struct recip r;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		keyring_resolve(cases[i].addr, &r);
		cr_expect_eq(r.nfprs, cases[i].nkeys, "%s: got %zu keys, "
		    "want %zu", cases[i].addr, r.nfprs, cases[i].nkeys);
		cr_expect_eq(r.missing.n, cases[i].nkeys == 0 ? 1 : 0,
		    "%s", cases[i].addr);
		recip_free(&r);
	}
}

Test(recip, no_patterns_lists_nothing, .init = keyring_setup,
    .fini = keyring_teardown)
{
	struct gpg_keylist keys;
	struct gpg *g;
	char err[GPG_ERRLEN];

	cr_assert_eq(gpg_open(&g, home, err, sizeof err), GPG_OK, "%s", err);
	cr_assert_eq(gpg_keylist(g, NULL, 0, 0, &keys, err, sizeof err), GPG_OK);
	cr_expect_eq(keys.n, 0, "an empty pattern list must not list the keyring");
	gpg_close(g);
}

/* issue 8 item 13: a user ID matches whatever spelling of its address
 * the recipient has, and the listing patterns find it */
Test(recip, every_spelling_of_an_address)
{
	struct gpg_keylist keys;
	struct addrlist a = { NULL, 0 }, p = { NULL, 0 };
	struct recip r;
	size_t i;
	int u = 0;

	keys.n = 3;
	keys.v = calloc(keys.n, sizeof *keys.v);
	keys.v[0] = key("U1", 1, 1, "j\xc3\xb6rg@b\xc3\xbc" "cher.example", NULL);
	keys.v[1] = key("A1", 1, 1, "rolf@xn--mnchen-3ya.example", NULL);
	keys.v[2] = key("Q1", 1, 1, "bob@example.net", NULL);
	addrlist_add(&a, "J\xc3\x96RG@XN--BCHER-KVA.example.");
	addrlist_add(&a, "rolf@M\xc3\x9cNCHEN.example");
	addrlist_add(&a, "\"bob\"@Example.NET.");
	recip_resolve(&a, &keys, &r);
	cr_expect_eq(r.nfprs, 3);
	cr_expect_eq(r.missing.n, 0);
	recip_free(&r);
	recip_patterns(&a, &p);
	for (i = 0; i < p.n; i++)
		u += strcmp(p.v[i], "*j\xc3\xb6rg@b\xc3\xbc" "cher.example") == 0 ||
		    strcmp(p.v[i], "*rolf@xn--mnchen-3ya.example") == 0 ||
		    strcmp(p.v[i], "*bob@example.net") == 0;
	cr_expect_eq(u, 3, "the patterns name every user ID's spelling");
	addrlist_free(&p);
	addrlist_free(&a);
	gpg_keylist_free(&keys);
}

Test(recip, configured_delimiters)
{
	struct recip r;

	cr_assert_eq(addr_delimiters_set("-"), 0);
	resolve("bob-lists@example.org", &r);
	cr_expect_eq(r.nfprs, 1);
	recip_free(&r);
	resolve("bob+lists@example.org", &r);
	cr_expect_eq(r.nfprs, 0);
	recip_free(&r);
	cr_assert_eq(addr_delimiters_set("+"), 0);
}
