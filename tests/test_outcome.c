/*
 * test_outcome.c - the one table of outcomes: every row's exit status
 * is the one INTERFACE.md fixes, its enhanced status code (RFC 3463)
 * agrees with its class, and a value outside the table keeps the mail
 * (75).
 */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <criterion/criterion.h>

#include "outcome.h"

static const struct {
	enum outcome	 o;
	int		 exitcode;
} want[] = {
	{ OUTCOME_OK, 0 },
	{ OUTCOME_USAGE, EX_USAGE },		/* 64 */
	{ OUTCOME_DATAERR, EX_DATAERR },	/* 65 */
	{ OUTCOME_NOINPUT, EX_NOINPUT },	/* 66 */
	{ OUTCOME_NOUSER, EX_NOUSER },		/* 67 */
	{ OUTCOME_UNAVAILABLE, EX_UNAVAILABLE },	/* 69 */
	{ OUTCOME_NOSIGNER, EX_CONFIG },	/* encrypt --sign: 78 */
	{ OUTCOME_TEMPFAIL, EX_TEMPFAIL },	/* 75 */
	{ OUTCOME_LOOP, EX_TEMPFAIL },		/* a loop is kept queued */
	{ OUTCOME_CONFIG, EX_CONFIG },		/* 78 */
	{ OUTCOME_EXPIRING, 1 },		/* keys --expiring */
	{ OUTCOME_NOUSER_KEYS, EX_NOUSER },	/* keys: 67 */
};

Test(outcome, exit_status_is_the_interface)
{
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_expect_eq(outcome_exit(want[i].o), want[i].exitcode,
		    "outcome %s: got exit %d, want %d",
		    outcome_info(want[i].o)->name,
		    outcome_exit(want[i].o), want[i].exitcode);
}

Test(outcome, every_row_is_its_own)
{
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		cr_expect_eq(outcome_info(want[i].o)->outcome, want[i].o,
		    "outcome %d: got the row of %d", (int)want[i].o,
		    (int)outcome_info(want[i].o)->outcome);
}

/* RFC 3463: the class digit of the code matches the SMTP reply's, and
 * every refusal an MTA would bounce is a 5, every deferral a 4 */
Test(outcome, dsn_and_reply_agree)
{
	const struct outcome_info *oi;
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++) {
		oi = outcome_info(want[i].o);
		cr_expect_eq(strlen(oi->dsn) >= 5 && oi->dsn[1] == '.', 1,
		    "%s: dsn %s", oi->name, oi->dsn);
		cr_expect_eq(oi->dsn[0] - '0', oi->smtp / 100,
		    "%s: dsn %s, reply %d", oi->name, oi->dsn, oi->smtp);
		cr_expect_neq(oi->text[0], '\0', "%s: no text", oi->name);
		if (oi->exitcode == EX_TEMPFAIL || oi->exitcode == EX_CONFIG ||
		    oi->exitcode == EX_USAGE)
			cr_expect_eq(oi->dsn[0], '4',
			    "%s: exit %d must defer, dsn %s", oi->name,
			    oi->exitcode, oi->dsn);
	}
}

/* the filter's usage and configuration errors defer (pipe(8) reads the
 * code first): 4.3.5 */
Test(outcome, mta_wiring_defers)
{
	cr_expect_str_eq(outcome_info(OUTCOME_USAGE)->dsn, "4.3.5");
	cr_expect_str_eq(outcome_info(OUTCOME_CONFIG)->dsn, "4.3.5");
	cr_expect_str_eq(outcome_info(OUTCOME_NOUSER)->dsn, "5.7.1");
	cr_expect_str_eq(outcome_info(OUTCOME_LOOP)->dsn, "4.4.6");
	cr_expect_str_eq(outcome_info(OUTCOME_DATAERR)->dsn, "5.6.0");
}

/* a value outside the table is a broken invariant: the mail stays */
Test(outcome, unknown_is_tempfail)
{
	cr_assert_not_null(freopen("/dev/null", "w", stderr));
	cr_expect_eq(outcome_exit((enum outcome)999), EX_TEMPFAIL);
	cr_expect_eq(outcome_info((enum outcome)-1)->outcome,
	    OUTCOME_TEMPFAIL);
	cr_expect_str_eq(outcome_info((enum outcome)999)->dsn, "4.3.0");
}
