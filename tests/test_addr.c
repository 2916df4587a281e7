/*
 * test_addr.c - addr-specs from address fields: what libetpan gets
 * right, and what our wrapper must catch.
 */
#include <config.h>

#include <string.h>

#include <criterion/criterion.h>

#include "addr.h"
#include "limit.h"
#include "testutil.h"

struct good {
	const char	*value;
	const char	*want;	/* addr-specs joined by spaces */
};

static char *
joined(const struct addrlist *l)
{
	static char buf[1024];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			strcat(buf, " ");
		strcat(buf, l->v[i]);
	}
	return buf;
}

Test(addr, lists_that_must_parse)
{
	static const struct good cases[] = {
		{ "bob@example.org", "bob@example.org" },
		{ "Bob <bob@example.org>, \"Doe, J\" <j@x.org>",
		    "bob@example.org j@x.org" },
		{ "=?utf-8?q?J=C3=B6rg?= <j@x.org>", "j@x.org" },
		{ "J\xc3\xb6rg <j@x.org>", "j@x.org" },
		{ "undisclosed-recipients:;", "" },
		{ "friends: a@b.c, C <c@d.e>;, z@y.x", "a@b.c c@d.e z@y.x" },
		{ "<@relay.example:bob@example.org>", "bob@example.org" },
		{ "Bob <@a.example,@b.example:bob@example.org>", "bob@example.org" },
		{ "bob@example.org (Bob (the (builder)))", "bob@example.org" },
		{ "Bob\r\n <bob@example.org>", "bob@example.org" },
		{ "Bob\n\t<bob@example.org>", "bob@example.org" },
		{ "a@b, ,c@d", "a@b c@d" },
		{ "a@b,", "a@b" },
		{ ", a@b", "a@b" },
		{ "bob @ example . org", "bob@example.org" },
		{ "Bob <BOB@Example.ORG>", "BOB@Example.ORG" },
		{ "bob@[127.0.0.1]", "bob@[127.0.0.1]" },
		{ "j\xc3\xb6rg@b\xc3\xbc.de", "j\xc3\xb6rg@b\xc3\xbc.de" },
		{ "J. Doe <j@x.org>", "j@x.org" },
		{ "", "" },
		{ "   ", "" },
	};
	struct addrlist l = { NULL, 0 };
	enum addr_err e;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		e = addr_list_parse(cases[i].value, strlen(cases[i].value), &l);
		cr_expect_eq(e, ADDR_OK, "case %zu [%s]: got error %s", i,
		    cases[i].value, addr_strerror(e));
		cr_expect_str_eq(joined(&l), cases[i].want,
		    "case %zu [%s]: got [%s], want [%s]", i, cases[i].value,
		    joined(&l), cases[i].want);
		addrlist_free(&l);
	}
}

struct bad {
	const char	*value;
	enum addr_err	 want;
};

Test(addr, lists_that_must_not_parse)
{
	static const struct bad cases[] = {
		{ "<<<", ADDR_SYNTAX },
		{ "bob", ADDR_SPEC },
		{ "<bob>", ADDR_SPEC },
		{ "a@b c@d", ADDR_SYNTAX },
		{ "<a@b> <c@d>", ADDR_SYNTAX },		/* no comma between */
		{ "a@b (x) c@d", ADDR_SYNTAX },
		{ "Bob <bob@example.org> junk", ADDR_SYNTAX },
		{ "a@b;c@d", ADDR_SYNTAX },
		{ "Bob <bob@example.org", ADDR_SYNTAX },
		{ "<@relay.example bob@example.org>", ADDR_SYNTAX },
		{ "@example.org", ADDR_SYNTAX },
	};
	struct addrlist l = { NULL, 0 };
	enum addr_err e;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		e = addr_list_parse(cases[i].value, strlen(cases[i].value), &l);
		cr_expect_neq(e, ADDR_OK, "case %zu [%s]: parsed as [%s]", i,
		    cases[i].value, joined(&l));
		if (cases[i].want != ADDR_SYNTAX)
			cr_expect_eq(e, cases[i].want, "case %zu: got %s", i,
			    addr_strerror(e));
		addrlist_free(&l);
	}
}

Test(addr, comment_depth_limit)
{
	char buf[256];
	struct addrlist l = { NULL, 0 };
	int d;

	for (d = LIMIT_COMMENT_DEPTH; d <= LIMIT_COMMENT_DEPTH + 1; d++) {
		memset(buf, 0, sizeof buf);
		strcpy(buf, "a@b.c ");
		memset(buf + 6, '(', (size_t)d);
		memset(buf + 6 + d, ')', (size_t)d);
		cr_expect_eq(addr_list_parse(buf, strlen(buf), &l),
		    d <= LIMIT_COMMENT_DEPTH ? ADDR_OK : ADDR_DEPTH,
		    "depth %d", d);
		addrlist_free(&l);
	}
}

Test(addr, a_million_nested_comments_do_not_crash)
{
	size_t n = 1000000;
	char *s = malloc(2 * n + 8);
	struct addrlist l = { NULL, 0 };

	memcpy(s, "a@b.c ", 6);
	memset(s + 6, '(', n);
	memset(s + 6 + n, ')', n);
	s[6 + 2 * n] = '\0';
	cr_assert_eq(addr_list_parse(s, strlen(s), &l), ADDR_DEPTH);
	addrlist_free(&l);
	free(s);
}

Test(addr, addr_spec_length_limit)
{
	char *local = tu_repeat('a', LIMIT_ADDR_SPEC);
	char buf[LIMIT_ADDR_SPEC + 32];
	struct addrlist l = { NULL, 0 };

	snprintf(buf, sizeof buf, "%.*s@x.org", LIMIT_ADDR_SPEC - 6, local);
	cr_expect_eq(addr_list_parse(buf, strlen(buf), &l), ADDR_OK,
	    "exactly LIMIT_ADDR_SPEC bytes");
	addrlist_free(&l);
	snprintf(buf, sizeof buf, "%.*s@x.org", LIMIT_ADDR_SPEC - 5, local);
	cr_expect_eq(addr_list_parse(buf, strlen(buf), &l), ADDR_LONG);
	addrlist_free(&l);
	free(local);
}

Test(addr, recipient_count_limit)
{
	size_t n = LIMIT_RECIPIENTS + 1, i;
	char *s = malloc(n * 16 + 1), *p = s;
	struct addrlist l = { NULL, 0 };

	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%zu@x.org", i > 0 ? "," : "", i);
	cr_expect_eq(addr_list_parse(s, strlen(s), &l), ADDR_COUNT);
	addrlist_free(&l);
	*strrchr(s, ',') = '\0';	/* exactly the limit */
	cr_expect_eq(addr_list_parse(s, strlen(s), &l), ADDR_OK);
	cr_expect_eq(l.n, LIMIT_RECIPIENTS);
	addrlist_free(&l);
	free(s);
}

Test(addr, mailbox_needs_exactly_one)
{
	char *spec;

	cr_expect_eq(addr_mailbox_parse("Bob <bob@example.org>", &spec), ADDR_OK);
	cr_expect_str_eq(spec, "bob@example.org");
	free(spec);
	cr_expect_neq(addr_mailbox_parse("a@b, c@d", &spec), ADDR_OK);
	cr_expect_null(spec);
	cr_expect_neq(addr_mailbox_parse("", &spec), ADDR_OK);
	cr_expect_neq(addr_mailbox_parse("bob", &spec), ADDR_OK);
}

/* a quoted local part keeps its white space (libetpan drops it, which
 * made filter hand "x y"@d's copy to "xy"@d, another mailbox) and may
 * hold the specials libetpan's scan stops at */
Test(addr, quoted_white_space_is_kept)
{
	static const char *const same[] = { "\"x y\"@example.net",
	    "\"x  y\"@example.net", "\"x\ty\"@example.net",
	    "\" x\"@example.net", "\"x\\ y\"@example.net",
	    "\"x(y)\"@example.net", "\"x,y\"@example.net",
	    "\"x;y\"@example.net", "\"x<y>\"@example.net",
	    "\"x:y\"@example.net", "\"x)\"@example.net",
	    "\"a, b (c)\"@example.net", NULL };
	char *spec;
	size_t i;

	for (i = 0; same[i] != NULL; i++) {
		cr_expect_eq(addr_mailbox_parse(same[i], &spec), ADDR_OK,
		    "%s", same[i]);
		cr_expect_str_eq(spec, same[i]);
		free(spec);
	}
	/* folding inside the quotes: the line end goes, the space stays */
	cr_expect_eq(addr_mailbox_parse("\"x\r\n y\"@example.net", &spec),
	    ADDR_OK);
	cr_expect_str_eq(spec, "\"x y\"@example.net");
	free(spec);
	cr_expect_eq(addr_mailbox_parse("\"John Doe\" <j@example.net>",
	    &spec), ADDR_OK);
	cr_expect_str_eq(spec, "j@example.net");
	free(spec);
	/* the two controls that stand for them are refused in quotes */
	cr_expect_neq(addr_mailbox_parse("\"x\001y\"@example.net", &spec),
	    ADDR_OK);
	cr_expect_neq(addr_mailbox_parse("\"x\\\002y\"@example.net", &spec),
	    ADDR_OK);
	cr_expect_neq(addr_mailbox_parse("\"x\020y\"@example.net", &spec),
	    ADDR_OK);
	/* an IPv6 address literal: its colons stop libetpan's scan too */
	cr_expect_eq(addr_mailbox_parse("x@[IPv6:2001:db8::1]", &spec),
	    ADDR_OK);
	cr_expect_str_eq(spec, "x@[IPv6:2001:db8::1]");
	free(spec);
	/* a display name with a comma is still a display name */
	cr_expect_eq(addr_mailbox_parse("\"Doe, John\" <j@example.net>",
	    &spec), ADDR_OK);
	cr_expect_str_eq(spec, "j@example.net");
	free(spec);
}

Test(addr, untag_and_equal)
{
	char *s;

	s = addr_untag("bob+lists@example.org");
	cr_expect_str_eq(s, "bob@example.org");
	free(s);
	s = addr_untag("bob+a+b@example.org");
	cr_expect_str_eq(s, "bob@example.org");
	free(s);
	cr_expect_null(addr_untag("bob@example.org"));
	cr_expect_null(addr_untag("+bob@example.org"));
	cr_expect_null(addr_untag("\"a+b\"@example.org"));
	cr_expect(addr_equal("Bob@Example.ORG", "bob@example.org"));
	cr_expect_not(addr_equal("xbob@example.org", "bob@example.org"));
}

/* canon - addr_canon(in) is want */
static void
canon(const char *in, const char *want)
{
	char *c = addr_canon(in);

	cr_expect_str_eq(c, want, "addr_canon(%s)", in);
	free(c);
}

Test(addr, canonical_spelling)
{
	/* case, ASCII and not */
	canon("Bob@Example.ORG", "bob@example.org");
	canon("J\xc3\x96RG@example.org", "j\xc3\xb6rg@example.org");
	/* a letter whose lower case is longer in UTF-8 (U+023E, lower
	 * U+2C66) stays as it is: it was written as a broken byte
	 * sequence (fuzz_addr: tests/fuzz/regress/addr/lower-length) */
	canon("\xc8\xbe@example.org", "\xc8\xbe@example.org");
	canon("b@z\xc8\xbe\xb2.", "b@z\xc8\xbe\xb2");
	/* IDNA both ways, and case in either form */
	canon("bob@b\xc3\xbc" "cher.example", "bob@xn--bcher-kva.example");
	canon("bob@B\xc3\x9c" "CHER.example", "bob@xn--bcher-kva.example");
	canon("bob@XN--BCHER-KVA.example", "bob@xn--bcher-kva.example");
	/* a trailing root dot, once */
	canon("bob@example.org.", "bob@example.org");
	canon("bob@b\xc3\xbc" "cher.example.", "bob@xn--bcher-kva.example");
	/* quotes a local part does not need */
	canon("\"bob\"@example.org", "bob@example.org");
	canon("\"B\\ob\"@example.org", "bob@example.org");
	canon("\"b.o.b\"@example.org", "b.o.b@example.org");
	canon("\"a b\"@example.org", "\"a b\"@example.org");
	canon("\"a\\ b\"@example.org", "\"a b\"@example.org");
	canon("\"a..b\"@example.org", "\"a..b\"@example.org");
	/* address literals as inet_ntop writes them */
	canon("bob@[192.0.2.1]", "bob@[192.0.2.1]");
	canon("bob@[IPv6:2001:DB8:0:0::1]", "bob@[ipv6:2001:db8::1]");
	canon("bob@[not an address]", "bob@[not an address]");
}

Test(addr, domain_canon_and_unicode)
{
	char *c, *u;

	cr_expect_eq(addr_domain_canon("B\xc3\xbc" "cher.Example.", &c), 0);
	cr_expect_str_eq(c, "xn--bcher-kva.example");
	u = addr_domain_unicode(c);
	cr_expect_str_eq(u, "b\xc3\xbc" "cher.example");
	free(u);
	free(c);
	cr_expect_null(addr_domain_unicode("example.org"));
	cr_expect_eq(addr_domain_canon("[IPv6:::1]", &c), 0);
	cr_expect_str_eq(c, "[ipv6:::1]");
	free(c);
	cr_expect_eq(addr_domain_canon("[300.1.1.1]", &c), -1);
	free(c);
	cr_expect(addr_same("\"Bob\"@XN--BCHER-KVA.example.",
	    "bob@b\xc3\xbc" "cher.example"));
	cr_expect_not(addr_same("xbob@example.org", "bob@example.org"));
}

Test(addr, recipient_delimiters)
{
	char *s;

	cr_expect_eq(addr_delimiters_set("+-"), 0);
	s = addr_untag("bob-lists@example.org");
	cr_expect_str_eq(s, "bob@example.org");
	free(s);
	s = addr_untag("bob+a-b@example.org");
	cr_expect_str_eq(s, "bob@example.org");
	free(s);
	cr_expect_null(addr_untag("-bob@example.org"));
	cr_expect_eq(addr_delimiters_set(""), 0);
	cr_expect_null(addr_untag("bob+lists@example.org"));
	cr_expect_eq(addr_delimiters_set("@"), -1);
	cr_expect_eq(addr_delimiters_set("+ "), -1);
	cr_expect_eq(addr_delimiters_set("\""), -1);
	cr_expect_null(addr_untag("bob+lists@example.org"));
	cr_expect_eq(addr_delimiters_set("+"), 0);
	s = addr_untag("bob+lists@example.org");
	cr_expect_str_eq(s, "bob@example.org");
	free(s);
	cr_expect_null(addr_untag("bob-lists@example.org"));
}

Test(addr, set_of_many_addresses)
{
	struct addrlist l = { NULL, 0 };
	struct addrset s;
	char buf[64];
	size_t i;

	for (i = 0; i < 20000; i++) {
		snprintf(buf, sizeof buf, "u%zu@Example.org", i % 15000);
		addrlist_add(&l, buf);
	}
	addrlist_add(&l, "\"Bob\"@b\xc3\xbc" "cher.example.");
	addrset_build(&s, &l);
	cr_expect_eq(s.n, 15001);
	cr_expect(addrset_has(&s, "U14999@example.ORG"));
	cr_expect(addrset_has(&s, "u0@example.org."));
	cr_expect_not(addrset_has(&s, "u15000@example.org"));
	cr_expect(addrset_has(&s, "bob@xn--bcher-kva.example"));
	addrset_free(&s);
	addrlist_free(&l);
	addrset_build(&s, &l);
	cr_expect_not(addrset_has(&s, "bob@example.org"));
	addrset_free(&s);
}
