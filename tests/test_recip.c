/*
 * test_recip.c - recipients resolve to keys exactly: by hand-made key
 * lists, and against the hermetic test keyring (tests/mkkeys.sh).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "addr.h"
#include "gpg.h"
#include "gpghome.h"
#include "keys.h"
#include "limit.h"
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

/*
 * Issue 9: why an address has no usable key (recip_explain), from
 * hand-made listings.
 */
static struct gpg_key
why_key(const char *fpr, const char *uid, const char *how, long long created,
    long long expires)
{
	struct gpg_key k = key(fpr, 1, 1, uid, NULL);

	k.created = created;
	k.expires = expires;
	if (strcmp(how, "expired") == 0)
		k.expired = 1, k.usable = 0, k.can_encrypt = 0;
	else if (strcmp(how, "subexpired") == 0)
		k.expired = 1, k.can_encrypt = 0;	/* primary still good */
	else if (strcmp(how, "revoked") == 0)
		k.revoked = 1, k.usable = 0, k.can_encrypt = 0;
	else if (strcmp(how, "disabled") == 0)
		k.disabled = 1, k.usable = 0, k.can_encrypt = 0;
	else if (strcmp(how, "invalid") == 0)
		k.invalid = 1, k.usable = 0, k.can_encrypt = 0;
	else if (strcmp(how, "signonly") == 0)
		k.can_encrypt = 0;
	else if (strcmp(how, "unsupported") == 0)
		k.unsupported = 1, k.can_encrypt = 0;
	return k;
}

static struct gpg_keylist
why_sample(void)
{
	struct gpg_keylist l;

	l.n = 16;
	l.v = calloc(l.n, sizeof *l.v);
	l.v[0] = why_key("B0B", "bob@example.org", "ok", 100, 1900000000);
	l.v[1] = why_key("DA5E", "dave@example.org", "expired", 100, 1767225600);
	l.v[2] = why_key("E1E", "erin@example.org", "revoked", 100, 0);
	l.v[3] = why_key("F1A", "frank@example.org", "disabled", 100, 0);
	l.v[4] = why_key("6A", "grace@example.org", "signonly", 100, 0);
	l.v[5] = why_key("1DEF", "ivy@example.org", "invalid", 100, 0);
	l.v[6] = why_key("5B", "sub@example.org", "subexpired", 100, 1700000000);
	/* two unusable keys: the newer one explains */
	l.v[7] = why_key("01D", "mo@example.org", "revoked", 100, 0);
	l.v[8] = why_key("0E1", "mo@example.org", "expired", 200, 1767225600);
	l.v[9] = why_key("0E2", "mo@example.org", "disabled", 150, 0);
	/* an unusable key and a usable one: usable */
	l.v[10] = why_key("BAD", "pat@example.org", "revoked", 300, 0);
	l.v[11] = why_key("600D", "pat@example.org", "ok", 100, 0);
	/* the +tag's own key is revoked, the base address has a good one */
	l.v[12] = why_key("7A6", "quin+x@example.org", "revoked", 100, 0);
	l.v[13] = why_key("9A1", "quin@example.org", "ok", 100, 0);
	/* an encryption subkey of an algorithm gpg cannot use (gpg.c) */
	l.v[14] = why_key("25A", "ursula@example.org", "unsupported", 100, 0);
	/* and a usable one besides: usable */
	l.v[15] = why_key("25B", "una@example.org", "ok", 100, 0);
	l.v[15].unsupported = 1;
	return l;
}

struct wcase {
	const char	*addr;
	enum recip_why	 why;
	const char	*fpr;
	const char	*name;
	const char	*text;
};

Test(recip, explain_each_reason)
{
	static const struct wcase cases[] = {
		{ "bob@example.org", RECIP_USABLE, "B0B", "usable",
		    "key B0B can encrypt" },
		{ "nobody@example.org", RECIP_NOKEY, "", "no-key",
		    "no key for the address" },
		{ "ob@example.org", RECIP_NOKEY, "", "no-key",
		    "no key for the address" },
		{ "dave@example.org", RECIP_EXPIRED, "DA5E", "expired",
		    "key DA5E expired on 2026-01-01" },
		{ "erin@example.org", RECIP_REVOKED, "E1E", "revoked",
		    "key E1E is revoked" },
		{ "frank@example.org", RECIP_DISABLED, "F1A", "disabled",
		    "key F1A is disabled" },
		{ "grace@example.org", RECIP_NOENCRYPT, "6A",
		    "no-encryption-subkey", "key 6A has no encryption subkey" },
		{ "ivy@example.org", RECIP_INVALID, "1DEF", "invalid",
		    "key 1DEF is invalid" },
		{ "sub@example.org", RECIP_EXPIRED, "5B", "expired",
		    "key 5B expired on 2023-11-14" },
		{ "mo@example.org", RECIP_EXPIRED, "0E1", "expired",
		    "key 0E1 expired on 2026-01-01" },
		{ "pat@example.org", RECIP_USABLE, "600D", "usable",
		    "key 600D can encrypt" },
		{ "bob+lists@example.org", RECIP_USABLE, "B0B", "usable",
		    "key B0B can encrypt" },
		{ "dave+x@example.org", RECIP_EXPIRED, "DA5E", "expired",
		    "key DA5E expired on 2026-01-01" },
		{ "quin+x@example.org", RECIP_USABLE, "9A1", "usable",
		    "key 9A1 can encrypt" },
		{ "quin+y@example.org", RECIP_USABLE, "9A1", "usable",
		    "key 9A1 can encrypt" },
		{ "eve+bob@example.org", RECIP_NOKEY, "", "no-key",
		    "no key for the address" },
		/* canonical spelling: case, quotes, root dot */
		{ "\"DAVE\"@Example.ORG.", RECIP_EXPIRED, "DA5E", "expired",
		    "key DA5E expired on 2026-01-01" },
		{ "ERIN@EXAMPLE.ORG", RECIP_REVOKED, "E1E", "revoked",
		    "key E1E is revoked" },
		{ "ursula@example.org", RECIP_UNSUPPORTED, "25A",
		    "unsupported-key",
		    "key 25A encrypts with an algorithm gpg cannot use" },
		{ "una@example.org", RECIP_USABLE, "25B", "usable",
		    "key 25B can encrypt" },
	};
	struct gpg_keylist keys = why_sample();
	struct recip_reason r;
	char text[256];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		recip_explain(cases[i].addr, &keys, &r);
		cr_expect_eq(r.why, cases[i].why, "%s: got %s, want %s",
		    cases[i].addr, recip_why_name(r.why), cases[i].name);
		cr_expect_str_eq(r.fpr, cases[i].fpr, "%s: got key %s, want %s",
		    cases[i].addr, r.fpr, cases[i].fpr);
		cr_expect_str_eq(recip_why_name(r.why), cases[i].name);
		cr_expect_str_eq(recip_reason_text(&r, text, sizeof text),
		    cases[i].text, "%s: got \"%s\", want \"%s\"", cases[i].addr,
		    text, cases[i].text);
	}
	gpg_keylist_free(&keys);
}

/* cert - a certificate as gpgcms.c fills struct gpg_key: x509, its
 * email addresses as uids, flags for why it cannot encrypt */
static struct gpg_key
cert(const char *fpr, const char *email, const char *flags)
{
	struct gpg_key k = key(fpr, 1, 1, email, NULL);

	k.x509 = 1;
	k.created = 1700000000;
	k.expires = 2082758400;		/* 2036-01-01 */
	if (strchr(flags, 'e') != NULL) {
		k.expired = 1;
		k.expires = 1609459200;	/* 2021-01-01 */
	}
	k.revoked = strchr(flags, 'r') != NULL;
	k.untrusted = strchr(flags, 'u') != NULL;
	k.invalid = k.untrusted || strchr(flags, 'i') != NULL;
	k.usable = !k.expired && !k.revoked && !k.invalid;
	k.can_encrypt = k.usable && strchr(flags, 's') == NULL;
	return k;
}

/* certificates: the reasons of mailseal keys and the refusals, each
 * saying "certificate" */
Test(recip, explain_certificates)
{
	static const struct wcase cases[] = {
		{ "alice@example.org", RECIP_USABLE, "A11CE", "usable",
		    "certificate A11CE can encrypt" },
		{ "carol@example.org", RECIP_EXPIRED, "CA01", "expired",
		    "certificate CA01 expired on 2021-01-01" },
		{ "dave@example.org", RECIP_REVOKED, "DA7E", "revoked",
		    "certificate DA7E is revoked" },
		{ "erin@example.org", RECIP_KEYUSAGE, "E514", "key-usage",
		    "certificate E514: its key usage does not allow "
		    "encryption" },
		{ "mallory@example.org", RECIP_UNTRUSTED, "3A11", "untrusted",
		    "certificate 3A11 has no valid chain to a trusted root" },
		{ "ivy@example.org", RECIP_INVALID, "1BAD", "invalid",
		    "certificate 1BAD is invalid" },
		{ "nobody@example.org", RECIP_NOKEY, "", "no-key",
		    "no key for the address" },
		/* a revoked certificate that has expired too: revoked */
		{ "rex@example.org", RECIP_REVOKED, "0E3", "revoked",
		    "certificate 0E3 is revoked" },
		/* the newest (by notBefore) of two unusable */
		{ "two@example.org", RECIP_UNTRUSTED, "2B", "untrusted",
		    "certificate 2B has no valid chain to a trusted root" },
	};
	struct gpg_keylist keys;
	struct recip_reason r;
	char text[256];
	size_t i;

	keys.n = 10;
	keys.v = calloc(keys.n, sizeof *keys.v);
	keys.v[0] = cert("A11CE", "Alice@Example.ORG", "");
	keys.v[1] = cert("CA01", "carol@example.org", "e");
	keys.v[2] = cert("DA7E", "dave@example.org", "r");
	keys.v[3] = cert("E514", "erin@example.org", "s");
	keys.v[4] = cert("3A11", "mallory@example.org", "u");
	keys.v[5] = cert("1BAD", "ivy@example.org", "i");
	keys.v[6] = cert("0E3", "rex@example.org", "re");
	keys.v[7] = cert("2A", "two@example.org", "e");
	keys.v[8] = cert("2B", "two@example.org", "u");
	keys.v[8].created++;
	keys.v[9] = cert("F4A", NULL, "");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		recip_explain(cases[i].addr, &keys, &r);
		cr_expect_eq(r.why, cases[i].why, "%s: got %s, want %s",
		    cases[i].addr, recip_why_name(r.why), cases[i].name);
		cr_expect_str_eq(r.fpr, cases[i].fpr, "%s", cases[i].addr);
		cr_expect_str_eq(recip_why_name(r.why), cases[i].name);
		cr_expect_str_eq(recip_reason_text(&r, text, sizeof text),
		    cases[i].text, "%s: got \"%s\", want \"%s\"",
		    cases[i].addr, text, cases[i].text);
	}
	memset(&r, 0, sizeof r);
	r.why = RECIP_NOEMAIL;
	r.x509 = 1;
	snprintf(r.fpr, sizeof r.fpr, "F4A");
	cr_expect_str_eq(recip_reason_text(&r, text, sizeof text),
	    "certificate F4A names no email address");
	cr_expect_str_eq(recip_why_name(RECIP_NOEMAIL), "no-email");
	gpg_keylist_free(&keys);
}

/* recip_explain agrees with recip_resolve on who has a key */
Test(recip, explain_agrees_with_resolve)
{
	static const char *addrs[] = { "bob@example.org", "dave@example.org",
	    "pat@example.org", "quin+x@example.org", "mo@example.org",
	    "sub@example.org", "grace@example.org", "nobody@example.org" };
	struct gpg_keylist keys = why_sample();
	struct addrlist a;
	struct recip_reason why;
	struct recip r;
	size_t i;

	for (i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		memset(&a, 0, sizeof a);
		addrlist_add(&a, addrs[i]);
		recip_resolve(&a, &keys, &r);
		recip_explain(addrs[i], &keys, &why);
		cr_expect_eq(r.nfprs > 0, why.why == RECIP_USABLE, "%s",
		    addrs[i]);
		if (r.nfprs > 0)
			cr_expect_str_eq(why.fpr, r.fprs[0], "%s", addrs[i]);
		recip_free(&r);
		addrlist_free(&a);
	}
	gpg_keylist_free(&keys);
}

Test(recip, reason_text_fits_and_names)
{
	static const enum recip_why all[] = { RECIP_USABLE, RECIP_NOKEY,
	    RECIP_EXPIRED, RECIP_REVOKED, RECIP_NOENCRYPT, RECIP_DISABLED,
	    RECIP_INVALID, RECIP_UNSUPPORTED, RECIP_UNTRUSTED, RECIP_KEYUSAGE,
	    RECIP_NOEMAIL };
	struct recip_reason r;
	char small[12];
	size_t i, j;

	memset(&r, 0, sizeof r);
	snprintf(r.fpr, sizeof r.fpr, "%s",
	    "0123456789ABCDEF0123456789ABCDEF01234567");
	for (i = 0; i < sizeof all / sizeof all[0]; i++) {
		r.why = all[i];
		cr_expect_eq(strlen(recip_reason_text(&r, small, sizeof small)),
		    sizeof small - 1, "truncated, terminated");
		for (j = 0; j < i; j++)
			cr_expect_str_neq(recip_why_name(all[i]),
			    recip_why_name(all[j]));
	}
	r.why = RECIP_UNSUPPORTED;	/* no key: the one WKD offered */
	r.fpr[0] = '\0';
	cr_expect_str_eq(recip_reason_text(&r, (char[128]){ 0 }, 128),
	    "the key its Web Key Directory offers is of a kind gpg cannot "
	    "read");
	snprintf(r.fpr, sizeof r.fpr, "%s",
	    "0123456789ABCDEF0123456789ABCDEF01234567");
	r.why = RECIP_EXPIRED;
	r.expires = 0;
	cr_expect_str_eq(recip_reason_text(&r, (char[128]){ 0 }, 128),
	    "key 0123456789ABCDEF0123456789ABCDEF01234567 expired on an "
	    "unknown date");
}

/* the listing says why each key of the test keyring cannot encrypt */
Test(recip, explain_against_the_test_keyring, .init = keyring_setup,
    .fini = keyring_teardown, .timeout = 60)
{
	static const struct {
		const char	*addr;
		enum recip_why	 why;
	} cases[] = {
		{ "bob@example.org", RECIP_USABLE },
		{ "dave@example.org", RECIP_EXPIRED },
		{ "erin@example.org", RECIP_REVOKED },
		{ "frank@example.org", RECIP_DISABLED },
		{ "grace@example.org", RECIP_NOENCRYPT },
		{ "heidi@example.org", RECIP_NOKEY },	/* user ID revoked */
		{ "ob@example.org", RECIP_NOKEY },
		{ "ivan+work@example.org", RECIP_USABLE },
		{ "bob+x@example.org", RECIP_USABLE },
		{ "dave+x@example.org", RECIP_EXPIRED },
	};
	struct addrlist a = { NULL, 0 }, p = { NULL, 0 };
	struct gpg_keylist keys;
	struct recip_reason r;
	struct gpg *g;
	char err[GPG_ERRLEN], text[256];
	size_t i;

	cr_assert_eq(gpg_open(&g, home, err, sizeof err), GPG_OK, "%s", err);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		addrlist_add(&a, cases[i].addr);
	recip_patterns(&a, &p);
	cr_assert_eq(gpg_keylist(g, p.v, p.n, 0, &keys, err, sizeof err),
	    GPG_OK, "%s", err);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		recip_explain(cases[i].addr, &keys, &r);
		cr_expect_eq(r.why, cases[i].why, "%s: got %s (%s)",
		    cases[i].addr, recip_why_name(r.why),
		    recip_reason_text(&r, text, sizeof text));
	}
	/* dave's key was made in 2020 to expire a day later */
	recip_explain("dave@example.org", &keys, &r);
	cr_expect_str_eq(recip_reason_text(&r, text, sizeof text) +
	    strlen(text) - 10, "2020-01-02", "%s", text);
	recip_explain("bob@example.org", &keys, &r);
	cr_expect_eq(r.expires, 0, "bob's key never expires");
	gpg_keylist_free(&keys);
	addrlist_free(&a);
	addrlist_free(&p);
	gpg_close(g);
}

/* keys_signer_check: the signer resolves as encrypt --sign's does and
 * makes a signature */
Test(recip, signer_check, .init = keyring_setup, .fini = keyring_teardown,
    .timeout = 60)
{
	static const struct {
		const char	*signer;
		enum outcome	 want;
		const char	*why;	/* in the reason */
	} cases[] = {
		{ "alice@example.org", OUTCOME_OK, "" },
		{ "ALICE@example.org", OUTCOME_OK, "" },
		{ "lice@example.org", OUTCOME_NOSIGNER, "no key" },
		{ "peggy@example.org", OUTCOME_NOSIGNER, "ecret key" },
		{ "dave@example.org", OUTCOME_NOSIGNER, "expired on 2020" },
		{ "erin@example.org", OUTCOME_NOSIGNER, "revoked" },
		{ "frank@example.org", OUTCOME_NOSIGNER, "disabled" },
		{ "carol@example.org", OUTCOME_NOSIGNER, "2 keys" },
		{ "0000000000000000000000000000000000000000", OUTCOME_NOSIGNER,
		    "no such key" },
	};
	struct gpg *g;
	char err[GPG_ERRLEN], why[GPG_ERRLEN];
	enum outcome o;
	size_t i;

	cr_assert_eq(gpg_open(&g, home, err, sizeof err), GPG_OK, "%s", err);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		why[0] = '\0';
		o = keys_signer_check(g, cases[i].signer, why, sizeof why);
		cr_expect_eq(o, cases[i].want, "%s: got %d (%s), want %d",
		    cases[i].signer, o, why, cases[i].want);
		cr_expect_not_null(strstr(why, cases[i].why),
		    "%s: \"%s\" lacks \"%s\"", cases[i].signer, why,
		    cases[i].why);
	}
	gpg_close(g);
}

/* a signing key with a passphrase gpg-agent does not have: not a
 * missing key but the agent's trouble, said so (pinentry-program
 * /bin/false: the test never prompts) */
Test(recip, signer_check_locked, .init = keyring_setup,
    .fini = keyring_teardown, .timeout = 60)
{
	struct gpg *g;
	char cmd[512], err[GPG_ERRLEN], why[GPG_ERRLEN];
	FILE *fp;

	snprintf(cmd, sizeof cmd, "%s/gpg-agent.conf", home);
	cr_assert_not_null(fp = fopen(cmd, "w"));
	fputs("pinentry-program /bin/false\n", fp);
	fclose(fp);
	snprintf(cmd, sizeof cmd, "gpg --homedir '%s' --batch --quiet "
	    "--pinentry-mode loopback --passphrase secret --quick-gen-key "
	    "'Lock <lock@example.org>' future-default default never "
	    "2>/dev/null", home);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	cr_assert_eq(gpg_open(&g, home, err, sizeof err), GPG_OK, "%s", err);
	cr_expect_eq(keys_signer_check(g, "lock@example.org", why, sizeof why),
	    OUTCOME_TEMPFAIL, "%s", why);
	cr_expect_not_null(strstr(why, "locked"), "%s", why);
	cr_expect_eq(keys_signer_check(g, "alice@example.org", why,
	    sizeof why), OUTCOME_OK, "%s", why);
	gpg_close(g);
}

Test(recip, keyring_empty, .init = keyring_setup, .fini = keyring_teardown,
    .timeout = 60)
{
	char dir[64], path[128], cmd[256];
	FILE *fp;

	cr_expect_eq(gpghome_keyring_empty(home), 0, "the test keyring");
	snprintf(dir, sizeof dir, "%s/empty", home);
	cr_assert_eq(mkdir(dir, 0700), 0);
	cr_expect_eq(gpghome_keyring_empty(dir), 1, "no keyring at all");
	snprintf(path, sizeof path, "%s/pubring.gpg", dir);
	cr_assert_not_null(fp = fopen(path, "w"));
	fclose(fp);
	cr_expect_eq(gpghome_keyring_empty(dir), 1, "an empty pubring.gpg");
	/* a keybox gpg made, then the one key in it deleted */
	snprintf(dir, sizeof dir, "%s/kbx", home);
	cr_assert_eq(mkdir(dir, 0700), 0);
	snprintf(cmd, sizeof cmd, "gpg --homedir '%s' --batch --quiet "
	    "--import '%s/bob.pub.asc' 2>/dev/null", dir,
	    getenv("MAILSEAL_TEST_KEYS"));
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	cr_expect_eq(gpghome_keyring_empty(dir), 0, "one key");
	snprintf(cmd, sizeof cmd, "gpg --homedir '%s' --batch --quiet --yes "
	    "--delete-keys bob@example.org 2>/dev/null; gpgconf --homedir "
	    "'%s' --kill all", dir, dir);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	cr_expect_eq(gpghome_keyring_empty(dir), 1, "its key deleted");
	cr_expect_eq(gpghome_keyring_empty("/nonexistent"), 1);
}

/* a pubring that is not a regular file (a named pipe nobody writes):
 * answered at once, as doubt (0: gpg will tell), never a hang */
Test(recip, keyring_empty_fifo, .timeout = 20)
{
	char dir[] = "/tmp/mailseal-fifo.XXXXXX", path[128];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/pubring.kbx", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_expect_eq(gpghome_keyring_empty(dir), 0, "a FIFO pubring.kbx");
	unlink(path);
	snprintf(path, sizeof path, "%s/pubring.gpg", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_expect_eq(gpghome_keyring_empty(dir), 0, "a FIFO pubring.gpg");
	unlink(path);
	rmdir(dir);
}

/* kbx_write - a keybox of its header and ndel deleted blobs, then an
 * OpenPGP blob when key */
static void
kbx_write(const char *path, long ndel, int key)
{
	static const unsigned char hdr[32] = { 0, 0, 0, 32, 1, 1 };
	static const unsigned char del[8] = { 0, 0, 0, 8, 0 };
	static const unsigned char pgp[8] = { 0, 0, 0, 8, 2 };
	FILE *fp;
	long i;

	cr_assert_not_null(fp = fopen(path, "wb"));
	fwrite(hdr, 1, sizeof hdr, fp);
	for (i = 0; i < ndel; i++)
		fwrite(del, 1, sizeof del, fp);
	if (key)
		fwrite(pgp, 1, sizeof pgp, fp);
	cr_assert_eq(fclose(fp), 0);
}

/* the keybox walk reads at most LIMIT_KBX_BLOBS blobs; past them it is
 * in doubt (0); a symlinked keybox is read like the file */
Test(recip, keyring_empty_bounded, .timeout = 60)
{
	char dir[] = "/tmp/mailseal-kbx.XXXXXX", path[128], real[128];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/pubring.kbx", dir);
	snprintf(real, sizeof real, "%s/real.kbx", dir);
	kbx_write(path, LIMIT_KBX_BLOBS - 1, 0);
	cr_expect_eq(gpghome_keyring_empty(dir), 1, "just under the limit");
	kbx_write(path, LIMIT_KBX_BLOBS - 2, 1);
	cr_expect_eq(gpghome_keyring_empty(dir), 0, "a key just under it");
	kbx_write(path, LIMIT_KBX_BLOBS, 0);
	cr_expect_eq(gpghome_keyring_empty(dir), 0, "just over the limit");
	unlink(path);
	kbx_write(real, 3, 0);
	cr_assert_eq(symlink(real, path), 0);
	cr_expect_eq(gpghome_keyring_empty(dir), 1, "a symlinked keybox");
	unlink(path);
	kbx_write(real, 3, 1);
	cr_assert_eq(symlink(real, path), 0);
	cr_expect_eq(gpghome_keyring_empty(dir), 0, "a symlinked keybox, key");
	unlink(path);
	unlink(real);
	rmdir(dir);
}

/* big_list - n keys of three one-address user IDs each, some unusable */
static struct gpg_keylist
big_list(size_t n)
{
	struct gpg_keylist l;
	char fpr[32], a[3][64];
	size_t i;

	memset(&l, 0, sizeof l);
	l.n = n;
	l.v = calloc(n, sizeof *l.v);
	for (i = 0; i < n; i++) {
		snprintf(fpr, sizeof fpr, "F%08zX", i);
		snprintf(a[0], sizeof a[0], "user%zu@example.org", i);
		snprintf(a[1], sizeof a[1], "User%zu@Mail.Example.ORG.", i);
		snprintf(a[2], sizeof a[2], "team%zu@example.net", i / 2);
		l.v[i] = key(fpr, i % 7 != 3, i % 11 != 5, a[0], a[1]);
		l.v[i].uids = realloc(l.v[i].uids, 3 * sizeof *l.v[i].uids);
		l.v[i].uids[l.v[i].nuids++] = strdup(a[2]);
		l.v[i].created = (long long)i;
	}
	return l;
}

/* one resolution of many addresses against a big listing canonicalises
 * each user ID once, not once per address: 2000 addresses and 20 000
 * keys of 3 user IDs each took 12 s before; 5000 must take under 10 */
Test(recip, resolve_many_is_not_quadratic, .timeout = 10)
{
	struct gpg_keylist keys = big_list(20000);
	struct addrlist a = { NULL, 0 };
	char s[64];
	struct recip r;
	size_t i;

	for (i = 0; i < 5000; i++) {
		snprintf(s, sizeof s, i % 2 ? "user%zu@example.org" :
		    "team%zu+x@example.net", i * 9);
		addrlist_add(&a, s);
	}
	recip_resolve(&a, &keys, &r);
	cr_expect_eq(r.nmap + r.missing.n > 0, 1);
	for (i = 0; i < r.nmap; i++)
		cr_expect_eq(strncmp(r.map[i].fpr, "F", 1), 0);
	recip_free(&r);
	addrlist_free(&a);
	gpg_keylist_free(&keys);
}

/* the index answers as the one-call API does, for every address of a
 * big listing (mailseal keys' flow), in bounded time */
Test(recip, index_answers_the_same, .timeout = 20)
{
	struct gpg_keylist keys = big_list(20000);
	struct recip_index *ix = recip_index_new(&keys);
	struct addrlist all = { NULL, 0 }, one;
	struct recip_reason w1, w2;
	struct recip r1, r2;
	size_t i;

	recip_index_addrs(ix, &all);
	cr_assert_eq(all.n, 20000 * 2 + 10000);
	for (i = 1; i < all.n; i++)
		cr_assert_lt(strcmp(all.v[i - 1], all.v[i]), 0);
	for (i = 0; i < all.n; i++) {
		memset(&one, 0, sizeof one);
		addrlist_add(&one, all.v[i]);
		recip_resolve_ix(&one, ix, &r1);
		recip_explain_ix(all.v[i], ix, &w1);
		if (i % 2000 == 0) {	/* the one-call API: a pass each */
			recip_resolve(&one, &keys, &r2);
			recip_explain(all.v[i], &keys, &w2);
			cr_expect_eq(r1.nfprs, r2.nfprs, "%s", all.v[i]);
			cr_expect_eq(w1.why, w2.why, "%s", all.v[i]);
			cr_expect_str_eq(w1.fpr, w2.fpr, "%s", all.v[i]);
			recip_free(&r2);
		}
		cr_expect_eq(r1.nfprs > 0, w1.why == RECIP_USABLE, "%s",
		    all.v[i]);
		if (r1.nfprs > 0)
			cr_expect_eq(recip_index_key(ix, r1.fprs[0])->fpr !=
			    NULL, 1);
		recip_free(&r1);
		addrlist_free(&one);
	}
	cr_expect_null(recip_index_key(ix, "NOSUCHKEY"));
	addrlist_free(&all);
	recip_index_free(ix);
	gpg_keylist_free(&keys);
}
