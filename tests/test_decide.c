/*
 * test_decide.c - who the gateway takes for a hidden recipient
 * (decide_hidden: To and Cc, or the newest Resent- block's Resent-To
 * and Resent-Cc; canonical addresses; a field that does not parse
 * names nobody) and the resolution of some recipients alone
 * (decide_recip: their keys, distinct and sorted).  No gpg.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "decide.h"
#include "msg.h"
#include "tmpfile.h"
#include "xmalloc.h"

/* own - decide_hidden over the header text for the recipients (each to
 * be encrypted to), as a string of 0s and 1s */
static const char *
own(const char *header, const char *const *rcpts, size_t n)
{
	static char out[32];
	struct decisions d;
	struct msg *m = NULL;
	size_t i;
	int fd;

	cr_assert_neq(fd = tmpfile_open_unlinked(), -1);
	cr_assert_eq(write(fd, header, strlen(header)),
	    (ssize_t)strlen(header));
	cr_assert_eq(write(fd, "\nbody\n", 6), 6);
	cr_assert_eq(msg_open_fd(&m, fd), OUTCOME_OK);
	memset(&d, 0, sizeof d);
	d.v = xcalloc(n, sizeof *d.v);
	for (i = 0; i < n; i++) {
		d.v[i].addr = xstrdup(rcpts[i]);
		d.v[i].action = ACT_ENCRYPT;
	}
	d.n = n;
	/* one that is delivered in clear is never hidden */
	if (n > 0 && strncmp(rcpts[n - 1], "clear", 5) == 0)
		d.v[n - 1].action = ACT_DELIVER;
	(void)decide_hidden(&d, &m->h);
	for (i = 0; i < n && i < sizeof out - 1; i++)
		out[i] = d.v[i].own ? '1' : '0';
	out[i] = '\0';
	decide_free(&d);
	msg_free(m);
	close(fd);
	return out;
}

static const char *const bc[] = { "bob@example.org", "carol@example.org",
    "dan@example.org" };

Test(decide, to_and_cc_name_recipients)
{
	cr_assert_str_eq(own("From: a@example.org\nTo: Bob <bob@example.org>\n"
	    "Cc: x@example.net, Carol <CAROL@EXAMPLE.ORG.>\n", bc, 3), "001");
	cr_assert_str_eq(own("To: bob@example.org\nTo: dan@example.org\n",
	    bc, 3), "010");
	/* a group; a quoted local part that needs no quotes */
	cr_assert_str_eq(own("To: team: bob@example.org, \"carol\"@example.org;"
	    "\n", bc, 3), "001");
	/* Bcc names nobody */
	cr_assert_str_eq(own("To: bob@example.org\nBcc: carol@example.org\n",
	    bc, 3), "011");
	/* a tag is another address */
	cr_assert_str_eq(own("To: bob+x@example.org\n", bc, 1), "1");
}

Test(decide, unparseable_field_names_nobody)
{
	cr_assert_str_eq(own("To: bob@example.org, <<<\nCc: dan@example.org\n",
	    bc, 3), "110");
}

Test(decide, clear_recipients_are_not_hidden)
{
	static const char *const r[] = { "bob@example.org", "clear@example.org" };

	cr_assert_str_eq(own("To: x@example.net\n", r, 2), "10");
}

Test(decide, resent_names_its_own_recipients)
{
	/* the newest block (first) names carol; To names bob: bob is a
	 * hidden recipient of this transmission */
	cr_assert_str_eq(own("Resent-From: r@example.org\n"
	    "Resent-To: carol@example.org\n"
	    "Resent-Date: Sat, 5 Dec 2026 10:00:00 +0000\n"
	    "From: a@example.org\nTo: bob@example.org\n", bc, 3), "101");
	/* a second Resent-Date starts the older block, which names dan */
	cr_assert_str_eq(own("Resent-Date: Sat, 5 Dec 2026 10:00:00 +0000\n"
	    "Resent-Cc: carol@example.org\n"
	    "Resent-Date: Fri, 4 Dec 2026 10:00:00 +0000\n"
	    "Resent-To: dan@example.org\n"
	    "To: bob@example.org\n", bc, 3), "101");
	/* trace fields between blocks end the newest one too */
	cr_assert_str_eq(own("Received: from x by y; Sat, 5 Dec 2026\n"
	    "Resent-Date: Sat, 5 Dec 2026 10:00:00 +0000\n"
	    "Resent-To: bob@example.org\n"
	    "Received: from x by y; Fri, 4 Dec 2026\n"
	    "Resent-Date: Fri, 4 Dec 2026 10:00:00 +0000\n"
	    "Resent-To: carol@example.org\n"
	    "To: dan@example.org\n", bc, 3), "011");
	/* a block without Resent-To or Resent-Cc names nobody */
	cr_assert_str_eq(own("Resent-From: r@example.org\n"
	    "Resent-Date: Sat, 5 Dec 2026 10:00:00 +0000\n"
	    "To: bob@example.org, carol@example.org, dan@example.org\n",
	    bc, 3), "111");
}

Test(decide, recip_of_some_recipients)
{
	struct decisions d;
	struct recip r;
	size_t idx[] = { 2, 0 };

	memset(&d, 0, sizeof d);
	d.n = 3;
	d.v = xcalloc(3, sizeof *d.v);
	d.v[0].addr = xstrdup("bob@example.org");
	addrlist_add(&d.v[0].fprs, "BBBB");
	d.v[1].addr = xstrdup("carol@example.org");
	addrlist_add(&d.v[1].fprs, "CCCC");
	d.v[2].addr = xstrdup("bob2@example.org");
	addrlist_add(&d.v[2].fprs, "BBBB");
	addrlist_add(&d.v[2].fprs, "AAAA");
	decide_recip(&d, idx, 2, &r);
	/* carol's key is not in it; bob's once */
	cr_assert_eq(r.nfprs, 2);
	cr_assert_str_eq(r.fprs[0], "AAAA");
	cr_assert_str_eq(r.fprs[1], "BBBB");
	cr_assert_eq(r.nmap, 3);
	cr_assert_str_eq(r.map[0].addr, "bob2@example.org");
	cr_assert_str_eq(r.map[2].addr, "bob@example.org");
	recip_free(&r);
	decide_free(&d);
}
