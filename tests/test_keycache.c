/*
 * test_keycache.c - the key cache of a long-lived process (smtpd) and
 * the RCPT-time decision, with real gpg on homes made from tests/keys:
 * the keys are listed once and not per message; a key imported,
 * deleted, revoked or disabled is seen at the next use without a
 * restart; a key that expires while cached is not encrypted to; a gpg
 * that fails to list again is a temporary failure, never "no key";
 * gateway_rcpt for every policy and key state.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "gateway.h"
#include "gpg.h"
#include "gwhome.h"
#include "keycache.h"
#include "limit.h"
#include "outcome.h"

static char bob[] = "bob@example.org", carol[] = "carol@example.org",
    xbob[] = "xbob@example.org", expaddr[] = "exp@example.org";

Test(keycache, listed_once_not_per_message, .fini = gw_fini)
{
	struct gateway gw;
	char err[512], why[256], *r2[] = { bob, xbob };
	int i;

	cr_redirect_stderr();
	home(&gw, "opportunistic", "bob carol1", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK, "%s",
	    err);
	cr_assert_eq(keycache_listings(gw.keys), 1);
	for (i = 0; i < 5; i++) {
		cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
		    OUTCOME_OK);
		cr_assert_eq(send_msg(&gw, r2, 2), OUTCOME_OK);
		cr_assert_str_eq(got.enc, "bob@example.org ");
		cr_assert_str_eq(got.clear, "xbob@example.org ");
		/* the downstream queue IDs, for smtpd's 250 */
		cr_assert_str_eq(gw.qids.v[0], "Q1");
		cr_assert_str_eq(gw.qids.v[1], "Q2");
	}
	cr_assert_eq(keycache_listings(gw.keys), 1,
	    "%lu listings for 5 messages and 5 RCPTs",
	    keycache_listings(gw.keys));
	done(&gw);
}

Test(keycache, import_is_seen, .fini = gw_fini)
{
	struct gateway gw;
	char err[512], why[256], *r1[] = { carol };
	unsigned long n;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, carol, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert(strstr(why, "no key") != NULL, "why: %s", why);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_NOUSER);
	n = keycache_listings(gw.keys);
	sh("gpg --homedir %s/g --batch --quiet --import %s/carol1.pub.asc "
	    "2>/dev/null", dir, keys);
	cr_assert_eq(gateway_rcpt(&gw, carol, why, sizeof why), OUTCOME_OK,
	    "%s", why);
	cr_assert_gt(keycache_listings(gw.keys), n);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "carol@example.org ");
	done(&gw);
}

Test(keycache, delete_is_seen, .fini = gw_fini)
{
	struct gateway gw;
	char err[512], why[256], *r2[] = { bob, carol };

	cr_redirect_stderr();
	home(&gw, "opportunistic", "bob carol1", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(send_msg(&gw, r2, 2), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "bob@example.org carol@example.org ");
	sh("gpg --homedir %s/g --batch --yes --quiet --delete-keys %s",
	    dir, fpr("carol1"));
	cr_assert_eq(send_msg(&gw, r2, 2), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "bob@example.org ");
	cr_assert_str_eq(got.clear, "carol@example.org ");
	(void)why;
	done(&gw);
}

Test(keycache, revocation_is_seen, .fini = gw_fini)
{
	struct gateway gw;
	char err[512], why[256], *r1[] = { bob };

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	sh("sed 's/^:-----/-----/' %s/home/openpgp-revocs.d/%s.rev | "
	    "gpg --homedir %s/g --batch --quiet --import 2>/dev/null",
	    keys, fpr("bob"), dir);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert(strstr(why, "revoked") != NULL, "why: %s", why);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_NOUSER);
	cr_assert_eq(got.calls, 0);
	done(&gw);
}

/* trustdb.gpg is written in place: a disabled key (ownertrust) changes
 * no keyring file */
Test(keycache, disable_is_seen, .fini = gw_fini)
{
	struct gateway gw;
	char err[512], why[256];

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	sh("printf 'disable\\nsave\\n' | gpg --homedir %s/g --batch "
	    "--no-tty --yes --command-fd 0 --edit-key %s >/dev/null 2>&1",
	    dir, fpr("bob"));
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert(strstr(why, "disabled") != NULL, "why: %s", why);
	done(&gw);
}

Test(keycache, expiry_while_cached, .fini = gw_fini)
{
	struct gateway gw;
	char err[512], why[256], *r1[] = { expaddr };
	unsigned long n;
	time_t t0;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	t0 = time(NULL);
	sh("gpg --homedir %s/g --batch --quiet --passphrase '' "
	    "--pinentry-mode loopback --quick-gen-key 'Exp <exp@example.org>' "
	    "future-default default seconds=6 2>/dev/null", dir);
	sleep(2);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, r1[0], why, sizeof why), OUTCOME_OK,
	    "%s", why);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "exp@example.org ");
	n = keycache_listings(gw.keys);
	/* no file changes; the key's time runs out */
	while (time(NULL) < t0 + 8)
		sleep(1);
	cr_assert_eq(gateway_rcpt(&gw, r1[0], why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert(strstr(why, "expired") != NULL, "why: %s", why);
	cr_assert_eq(keycache_listings(gw.keys), n + 1);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_NOUSER);
	cr_assert_eq(got.calls, 0);
	done(&gw);
}

/* gpg 2.2 reads gpg.conf-2.2.X, gpg.conf-2.2 or gpg.conf-2 instead of
 * gpg.conf when one is there: a versioned file that goes (or changes)
 * changes gpg's listing as much as gpg.conf does.  Here one hides every
 * key; once it is gone, bob has a usable key and must not get clear
 * text from a cache that missed the change. */
Test(keycache, versioned_gpg_conf_is_seen)
{
	static const char *const names[] = { "gpg.conf-2", "gpg.conf-2.2" };
	struct gateway gw;
	char err[512], *r1[] = { bob };
	size_t i;

	cr_redirect_stderr();
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		home(&gw, "opportunistic", "bob", 1);
		sh("printf 'no-default-keyring\\nkeyring /dev/null\\n' "
		    ">%s/g/%s && touch -d '-1 hour' %s/g/%s", dir, names[i],
		    dir, names[i]);
		cr_assert_eq(gateway_prepare(&gw, err, sizeof err),
		    OUTCOME_OK, "%s", err);
		cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
		cr_assert_str_eq(got.clear, "bob@example.org ", "%s hides "
		    "no key: gpg does not read it?", names[i]);
		sh("rm %s/g/%s", dir, names[i]);
		cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
		cr_expect_str_eq(got.enc, "bob@example.org ", "%s removed: "
		    "bob got clear text (enc '%s', clear '%s')", names[i],
		    got.enc, got.clear);
		done(&gw);
	}
}

/* a keyring named in gpg.conf (keyring, primary-keyring) is where gpg
 * imports and lists: a key imported there changes none of the home's
 * usual files, and must be seen all the same */
Test(keycache, keyring_named_in_gpg_conf_is_seen)
{
	struct gateway gw;
	char err[512], *r1[] = { bob };

	cr_redirect_stderr();
	home(&gw, "opportunistic", "carol1", 1);
	sh("printf 'no-default-keyring\\nkeyring other.kbx\\n' "
	    ">%s/g/gpg.conf && gpg --homedir %s/g --list-keys >/dev/null "
	    "2>&1 && test -f %s/g/other.kbx", dir, dir, dir);
	sleep(2);	/* no racy stamp: the files' change is old */
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK, "%s",
	    err);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_assert_str_eq(got.clear, "bob@example.org ");
	sh("gpg --homedir %s/g --batch --quiet --import %s/bob.pub.asc "
	    "2>/dev/null", dir, keys);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_expect_str_eq(got.enc, "bob@example.org ", "bob imported into "
	    "other.kbx got clear text (clear '%s')", got.clear);
	done(&gw);
}

/* a relisting gpg does not finish (a damaged trustdb.gpg: gpg's
 * Fatal, exit 2, nothing listed): a temporary failure, never "no
 * key"; the keyring mended, the cache works again */
Test(keycache, failed_relist_is_tempfail, .fini = gw_fini)
{
	struct gateway gw;
	char err[512], why[256], *r1[] = { bob };

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	sh("cp %s/g/trustdb.gpg %s/td && head -c 1200 /dev/urandom "
	    ">%s/g/trustdb.gpg", dir, dir, dir);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_TEMPFAIL);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_TEMPFAIL);
	cr_assert_eq(got.calls, 0);
	/* still failing: no half listing is used */
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_TEMPFAIL);
	sh("cp %s/td %s/g/trustdb.gpg", dir, dir);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_assert_str_eq(got.enc, "bob@example.org ");
	done(&gw);
}

/* gateway_rcpt: each policy x key state (usable, none, expired,
 * revoked, no encryption subkey), on the full test home */
Test(keycache, rcpt_policy_by_key_state, .fini = gw_fini)
{
	static const struct {
		const char	*pol;
		const char	*addr;
		enum outcome	 want;
		const char	*why;
	} t[] = {
		{ "require", "bob@example.org", OUTCOME_OK, "" },
		{ "require", "nobody@example.org", OUTCOME_NOUSER, "no key" },
		{ "require", "dave@example.org", OUTCOME_NOUSER, "expired on" },
		{ "require", "erin@example.org", OUTCOME_NOUSER, "revoked" },
		{ "require", "grace@example.org", OUTCOME_NOUSER, "" },
		{ "require", "Bob <bob@", OUTCOME_USAGE, "" },
		{ "opportunistic", "bob@example.org", OUTCOME_OK, "" },
		{ "opportunistic", "nobody@example.org", OUTCOME_OK, "" },
		{ "opportunistic", "dave@example.org", OUTCOME_OK, "" },
		{ "opportunistic", "erin@example.org", OUTCOME_OK, "" },
		{ "none", "bob@example.org", OUTCOME_OK, "" },
		{ "none", "nobody@example.org", OUTCOME_OK, "" },
		{ "none", "dave@example.org", OUTCOME_OK, "" },
		{ "none", "erin@example.org", OUTCOME_OK, "" },
	};
	struct gateway gw;
	char err[512], why[256];
	const char *pol = "";
	size_t i;
	enum outcome r;

	cr_redirect_stderr();
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (strcmp(pol, t[i].pol) != 0) {
			if (i > 0)
				done(&gw);
			pol = t[i].pol;
			home(&gw, pol, "bob dave erin grace", 0);
			cr_assert_eq(gateway_prepare(&gw, err, sizeof err),
			    OUTCOME_OK, "%s", err);
		}
		r = gateway_rcpt(&gw, t[i].addr, why, sizeof why);
		cr_expect_eq(r, t[i].want, "%s %s: got %d, want %d (%s)",
		    t[i].pol, t[i].addr, (int)r, (int)t[i].want, why);
		cr_expect(strstr(why, t[i].why) != NULL, "%s %s: why %s, "
		    "want %s", t[i].pol, t[i].addr, why, t[i].why);
	}
	done(&gw);
}

/* without gateway_prepare (filter): no cache, a listing per use */
Test(keycache, no_cache_without_prepare, .fini = gw_fini)
{
	struct gateway gw;
	char why[256], *r1[] = { bob };

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	cr_assert_null(gw.keys);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why), OUTCOME_OK);
	cr_assert_eq(gateway_rcpt(&gw, carol, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert_eq(send_msg(&gw, r1, 1), OUTCOME_OK);
	cr_assert_null(gw.keys);
	done(&gw);
}

/* LIMIT_KEYS keys: cached (the made-up listing, without bob, is the
 * one used) */
Test(keycache, limit_keys_cached, .fini = gw_fini)
{
	struct gateway gw;
	char err[512], why[256], n[16];

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	fake_gpg();
	(void)snprintf(n, sizeof n, "%d", LIMIT_KEYS);
	cr_assert_eq(setenv("KC_MANY", n, 1), 0);
	cr_assert_eq(setenv("KC_FAKE", "many", 1), 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK, "%s",
	    err);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
	    OUTCOME_NOUSER);
	cr_assert_eq(keycache_listings(gw.keys), 1);
	done(&gw);
}

/* more than LIMIT_KEYS keys: no cache, a pattern listing per message
 * as filter does, said once; the full listing is not tried again
 * while the keyring is unchanged */
Test(keycache, too_many_keys_no_cache, .fini = gw_fini)
{
	static char *rc[] = { bob };
	struct gateway gw;
	char err[512], why[256], n[16];
	int i;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 1);
	fake_gpg();
	(void)snprintf(n, sizeof n, "%d", LIMIT_KEYS + 1);
	cr_assert_eq(setenv("KC_MANY", n, 1), 0);
	cr_assert_eq(setenv("KC_FAKE", "many", 1), 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK, "%s",
	    err);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(gateway_rcpt(&gw, bob, why, sizeof why),
		    OUTCOME_OK);
		cr_assert_eq(gateway_rcpt(&gw, carol, why, sizeof why),
		    OUTCOME_NOUSER);
		cr_assert_eq(send_msg(&gw, rc, 1), OUTCOME_OK);
		cr_assert_str_eq(got.enc, "bob@example.org ");
	}
	cr_assert_eq(keycache_listings(gw.keys), 1);
	done(&gw);
}

/* certs_home - dir/g, a copy of tests/mkcerts.sh's gpgsm home, made
 * old enough that no file is "racy" (keycache.h); skips without it */
static void
certs_home(void)
{
	const char *certs = getenv("MAILSEAL_TEST_CERTS");
	char path[512];

	if (certs == NULL)
		cr_skip_test("MAILSEAL_TEST_CERTS is not set");
	(void)snprintf(path, sizeof path, "%s/home", certs);
	if (access(path, R_OK) == -1)
		cr_skip_test("no test certificates (openssl or gpgsm missing)");
	(void)snprintf(dir, sizeof dir, "/tmp/mskc.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	sh("cp -R %s %s/g && rm -f %s/g/S.*", path, dir, dir);
	sleep(2);
}

/* The certificate cache: listed once; again when trustlist.txt or
 * dirmngr's CRL cache index changes; and after its maximum age
 * (LIMIT_CERTCACHE_SECONDS, lowered here): just under it the listing
 * serves, just over it gpgsm lists again. */
Test(keycache, certificates_cached, .fini = gw_fini)
{
	struct keycache *kc;
	struct recip_index *ix;
	struct gpg *g = NULL;
	char err[512], home[128];

	cr_redirect_stderr();
	certs_home();
	(void)snprintf(home, sizeof home, "%s/g", dir);
	cr_assert_eq(gpg_open_cms(&g, home, err, sizeof err), GPG_OK, "%s",
	    err);
	kc = keycache_new_cms(home);
	keycache_maxage(kc, 4);
	cr_assert_eq(keycache_get(kc, g, &ix, err, sizeof err), GPG_OK, "%s",
	    err);
	cr_assert_not_null(ix);
	cr_assert_eq(keycache_listings(kc), 1);
	sleep(3);		/* under the maximum age */
	cr_assert_eq(keycache_get(kc, g, &ix, err, sizeof err), GPG_OK);
	cr_assert_eq(keycache_listings(kc), 1, "listed again at 3 s of 4");
	sleep(2);		/* over it */
	cr_assert_eq(keycache_get(kc, g, &ix, err, sizeof err), GPG_OK);
	cr_assert_eq(keycache_listings(kc), 2, "not listed again at 5 s of 4");
	keycache_maxage(kc, LIMIT_CERTCACHE_SECONDS);
	sleep(2);
	sh("echo '# a comment' >>%s/trustlist.txt", home);
	cr_assert_eq(keycache_get(kc, g, &ix, err, sizeof err), GPG_OK);
	cr_assert_eq(keycache_listings(kc), 3, "trustlist.txt's change unseen");
	sleep(2);	/* the change was "racy": listed once more */
	cr_assert_eq(keycache_get(kc, g, &ix, err, sizeof err), GPG_OK);
	cr_assert_eq(keycache_listings(kc), 4);
	sh("touch %s/crls.d/DIR.txt", home);
	cr_assert_eq(keycache_get(kc, g, &ix, err, sizeof err), GPG_OK);
	cr_assert_eq(keycache_listings(kc), 5, "a CRL loaded unseen");
	keycache_free(kc);
	gpg_close(g);
}
