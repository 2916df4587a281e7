/*
 * test_verify.c - verify.c's S/MIME verdicts (verify_sigs_cms) from what
 * the engine learnt of each signer's certificate on the verifying gpgsm
 * (struct gpg_sig's chain and emails): good only for a signature that
 * verifies, a chain valid to a trusted root and an address equal to the
 * From; an untrusted, unchecked (no CRL) or expired one good-untrusted at
 * best, the unchecked one said so; another address mismatch; the worst
 * of several signatures; no gpgsm run.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "gpg.h"
#include "limit.h"
#include "verdict.h"
#include "verify.h"

#define FPR_A	"09E4598A09F3D4281D09C9297DDCC4357DE3400B"
#define FPR_B	"8E1859B682605DF6460CF2C81DDEEBCEC5336170"

struct sigcase {
	enum gpg_sig_status	 status;
	enum gpg_chain		 chain;
	const char		*emails;	/* comma-separated, or NULL */
	const char		*fpr;
};

/* sig - one signature as gpgcmsop.c fills it */
static void
sig(struct gpg_sig *s, const struct sigcase *c)
{
	char *list, *p, *save = NULL;

	memset(s, 0, sizeof *s);
	s->status = c->status;
	s->chain = c->chain;
	s->fpr = strdup(c->fpr);
	if (c->emails == NULL)
		return;
	s->emails = calloc(8, sizeof *s->emails);
	list = strdup(c->emails);
	for (p = strtok_r(list, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		s->emails[s->nemails++] = strdup(p);
	free(list);
}

/* judge - the verdict on n signatures under from, into v */
static void
judge(struct verify *v, const struct sigcase *c, size_t n, const char *from)
{
	struct gpg_decrypt_result r;
	size_t i;

	memset(v, 0, sizeof *v);
	memset(&r, 0, sizeof r);
	r.sigs = calloc(n, sizeof *r.sigs);
	r.nsigs = n;
	for (i = 0; i < n; i++)
		sig(&r.sigs[i], &c[i]);
	cr_assert_eq(verify_sigs_cms(v, &r, from), 0);
	gpg_decrypt_result_free(&r);
}

Test(verify, one_certificate)
{
	static const struct {
		struct sigcase	 c;
		const char	*from;
		enum verdict_sig want;
		int		 unchecked;
		const char	*what;
	} t[] = {
		{ { GPG_SIG_VALID, GPG_CHAIN_TRUSTED, "alice@example.org",
		    FPR_A }, "alice@example.org", VERDICT_SIG_GOOD, 0,
		    "trusted chain, From's address" },
		{ { GPG_SIG_VALID, GPG_CHAIN_TRUSTED,
		    "a@example.net,Alice@Example.ORG", FPR_A },
		    "alice@example.org", VERDICT_SIG_GOOD, 0,
		    "its second address, another case" },
		{ { GPG_SIG_VALID, GPG_CHAIN_UNTRUSTED, "alice@example.org",
		    FPR_A }, "alice@example.org", VERDICT_SIG_GOOD_UNTRUSTED,
		    0, "no chain to a trusted root" },
		{ { GPG_SIG_VALID, GPG_CHAIN_UNCHECKED, "alice@example.org",
		    FPR_A }, "alice@example.org", VERDICT_SIG_GOOD_UNTRUSTED,
		    1, "no CRL to be had" },
		{ { GPG_SIG_EXPIRED, GPG_CHAIN_EXPIRED, "alice@example.org",
		    FPR_A }, "alice@example.org", VERDICT_SIG_GOOD_UNTRUSTED,
		    0, "expired" },
		{ { GPG_SIG_VALID, GPG_CHAIN_TRUSTED, "bob@example.org",
		    FPR_A }, "alice@example.org", VERDICT_SIG_MISMATCH, 0,
		    "another address" },
		{ { GPG_SIG_VALID, GPG_CHAIN_TRUSTED, "alice@example.org.evil",
		    FPR_A }, "alice@example.org", VERDICT_SIG_MISMATCH, 0,
		    "an address that merely starts with From's" },
		{ { GPG_SIG_VALID, GPG_CHAIN_TRUSTED, "", FPR_A },
		    "alice@example.org", VERDICT_SIG_MISMATCH, 0,
		    "a certificate without an address" },
		{ { GPG_SIG_VALID, GPG_CHAIN_UNCHECKED, "bob@example.org",
		    FPR_A }, "alice@example.org", VERDICT_SIG_MISMATCH, 0,
		    "unchecked, another address: nothing said of the chain" },
		{ { GPG_SIG_VALID, GPG_CHAIN_TRUSTED, "alice@example.org",
		    FPR_A }, NULL, VERDICT_SIG_MISMATCH, 0,
		    "not exactly one From mailbox" },
		{ { GPG_SIG_VALID, GPG_CHAIN_NONE, NULL, FPR_A },
		    "alice@example.org", VERDICT_SIG_MISMATCH, 0,
		    "nothing learnt of the certificate: never good" },
		{ { GPG_SIG_BAD, GPG_CHAIN_REVOKED, "alice@example.org",
		    FPR_A }, "alice@example.org", VERDICT_SIG_BAD, 0,
		    "revoked" },
		{ { GPG_SIG_NOKEY, GPG_CHAIN_NONE, NULL, FPR_A },
		    "alice@example.org", VERDICT_SIG_UNKNOWN_KEY, 0,
		    "no certificate to check it" },
	};
	struct verify v;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		judge(&v, &t[i].c, 1, t[i].from);
		cr_expect_eq(v.verdict, t[i].want, "%s: got %s, want %s",
		    t[i].what, verdict_sig_name(v.verdict),
		    verdict_sig_name(t[i].want));
		cr_expect_eq(v.unchecked, t[i].unchecked, "%s: unchecked %d",
		    t[i].what, v.unchecked);
		cr_expect_str_eq(v.signer, FPR_A, "%s: signer=", t[i].what);
	}
}

Test(verify, several)
{
	const struct sigcase good = { GPG_SIG_VALID, GPG_CHAIN_TRUSTED,
	    "alice@example.org", FPR_A };
	const struct sigcase unchecked = { GPG_SIG_VALID,
	    GPG_CHAIN_UNCHECKED, "alice@example.org", FPR_B };
	const struct sigcase other = { GPG_SIG_VALID, GPG_CHAIN_TRUSTED,
	    "bob@example.org", FPR_A };
	struct sigcase c[LIMIT_SIGNATURES + 1];
	struct verify v;
	size_t i;

	c[0] = good;
	c[1] = unchecked;
	judge(&v, c, 2, "alice@example.org");
	cr_expect_eq(v.verdict, VERDICT_SIG_GOOD_UNTRUSTED);
	cr_expect_str_eq(v.signer, FPR_B, "the worst one's signer");
	cr_expect_eq(v.unchecked, 1);
	c[0] = unchecked;
	c[1] = other;
	judge(&v, c, 2, "alice@example.org");
	cr_expect_eq(v.verdict, VERDICT_SIG_MISMATCH);
	cr_expect_str_eq(v.signer, FPR_A);
	cr_expect_eq(v.unchecked, 0, "the chain of a signature not taken");
	for (i = 0; i < LIMIT_SIGNATURES; i++)
		c[i] = good;
	judge(&v, c, LIMIT_SIGNATURES, "alice@example.org");
	cr_expect_eq(v.verdict, VERDICT_SIG_GOOD, "LIMIT_SIGNATURES of them");
	c[LIMIT_SIGNATURES] = good;
	judge(&v, c, LIMIT_SIGNATURES + 1, "alice@example.org");
	cr_expect_eq(v.verdict, VERDICT_SIG_BAD, "one over LIMIT_SIGNATURES");
}
