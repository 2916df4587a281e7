/*
 * test_verdict.c - verdict.c's judgement of one signature, for an
 * OpenPGP key and for an X.509 certificate (issue 12): good only with a
 * valid signature, a usable key or certificate, full validity (a chain
 * to a trusted root) and an address equal to the From; and the reason=
 * of each decryption result.
 */
#include <config.h>

#include <string.h>

#include <criterion/criterion.h>

#include "verdict.h"

static char fpr[] = "38A69CAB5A7399E2AB4C1846C5D4CD3F61BD628C";

/* key - a key or certificate with one address, as gpg_keylist fills it */
static void
key(struct gpg_key *k, char **uid, int *full, int x509, int untrusted)
{
	memset(k, 0, sizeof *k);
	k->fpr = fpr;
	k->uids = uid;
	k->uidfull = full;
	k->nuids = 1;
	k->usable = !untrusted;
	k->invalid = untrusted;
	k->x509 = x509;
	k->untrusted = untrusted;
}

Test(verdict, certificates)
{
	char a[] = "Alice@Example.org", *uid[] = { a };
	int full[] = { 1 }, none[] = { 0 };
	struct gpg_sig sig;
	struct gpg_key k;

	memset(&sig, 0, sizeof sig);
	sig.status = GPG_SIG_VALID;
	key(&k, uid, full, 1, 0);
	cr_expect_eq(verdict_signature(&sig, &k, "alice@example.org"),
	    VERDICT_SIG_GOOD, "chain to a trusted root, the From's address");
	cr_expect_eq(verdict_signature(&sig, &k, "bob@example.org"),
	    VERDICT_SIG_MISMATCH, "another address");
	cr_expect_eq(verdict_signature(&sig, &k, NULL),
	    VERDICT_SIG_MISMATCH, "not exactly one From mailbox");
	/* even were its address marked full, an untrusted chain is not */
	key(&k, uid, full, 1, 1);
	cr_expect_eq(verdict_signature(&sig, &k, "alice@example.org"),
	    VERDICT_SIG_GOOD_UNTRUSTED, "untrusted chain");
	key(&k, uid, none, 1, 1);
	cr_expect_eq(verdict_signature(&sig, &k, "alice@example.org"),
	    VERDICT_SIG_GOOD_UNTRUSTED);
	key(&k, uid, full, 1, 0);
	sig.status = GPG_SIG_EXPIRED;
	cr_expect_eq(verdict_signature(&sig, &k, "alice@example.org"),
	    VERDICT_SIG_GOOD_UNTRUSTED, "an expired certificate");
	sig.status = GPG_SIG_BAD;
	cr_expect_eq(verdict_signature(&sig, &k, "alice@example.org"),
	    VERDICT_SIG_BAD, "revoked (gpgsm) or tampered");
	sig.status = GPG_SIG_NOKEY;
	cr_expect_eq(verdict_signature(&sig, NULL, "alice@example.org"),
	    VERDICT_SIG_UNKNOWN_KEY);
}

Test(verdict, openpgp_unchanged)
{
	char a[] = "alice@example.org", *uid[] = { a };
	int full[] = { 1 }, none[] = { 0 };
	struct gpg_sig sig;
	struct gpg_key k;

	memset(&sig, 0, sizeof sig);
	sig.status = GPG_SIG_VALID;
	key(&k, uid, full, 0, 0);
	cr_expect_eq(verdict_signature(&sig, &k, "ALICE@example.org"),
	    VERDICT_SIG_GOOD);
	key(&k, uid, none, 0, 0);
	cr_expect_eq(verdict_signature(&sig, &k, "alice@example.org"),
	    VERDICT_SIG_GOOD_UNTRUSTED);
}

Test(verdict, decryption_reasons)
{
	cr_expect_null(verdict_dec_reason(GPG_DEC_OK));
	cr_expect_str_eq(verdict_dec_reason(GPG_DEC_NOSECKEY), "no-secret-key");
	cr_expect_str_eq(verdict_dec_reason(GPG_DEC_INTEGRITY), "integrity");
	cr_expect_str_eq(verdict_dec_reason(GPG_DEC_BADDATA), "bad-data");
	cr_expect_str_eq(verdict_dec_reason(GPG_DEC_TOOBIG), "too-large");
	cr_expect_str_eq(verdict_dec_reason(GPG_DEC_PASSPHRASE),
	    "passphrase");
	cr_expect_str_eq(verdict_dec_reason(GPG_DEC_TOOMANYSIGS),
	    "too-many-signatures");
	cr_expect_str_eq(verdict_dec_reason(GPG_DEC_TOOCOSTLY), "too-costly");
	cr_expect_eq(verdict_worse(VERDICT_SIG_GOOD, VERDICT_SIG_BAD),
	    VERDICT_SIG_BAD);
}
