/*
 * test_config.c - mailseal.conf(5) and its policy map: defaults, every
 * value type, last assignment wins, continuation lines, errors named by
 * FILE:LINE; the map's entries, errors and lookup order (address, the
 * address without its +tag, domain, nearest .parent, default_policy).
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "addr.h"
#include "limit.h"
#include "policy.h"
#include "wkd.h"

static char tmppaths[8][64];
static int ntmp;

static void
cleanup(void)
{
	while (ntmp > 0)
		unlink(tmppaths[--ntmp]);
}

/* file - a temporary file holding len bytes of s; removed after the test */
static const char *
filen(const char *s, size_t len)
{
	char *path;
	int fd;

	cr_assert(ntmp < 8);
	path = tmppaths[ntmp++];
	snprintf(path, sizeof tmppaths[0], "/tmp/mailseal-tconf.XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd != -1, "mkstemp");
	cr_assert(write(fd, s, len) == (ssize_t)len, "write");
	close(fd);
	return path;
}

static const char *
file(const char *s)
{
	return filen(s, strlen(s));
}

/* load - config_load of a file holding s; its result, err filled */
static int
load(struct config *c, const char *s, const char **path, char *err,
    size_t errsz)
{
	*path = file(s);
	err[0] = '\0';
	return config_load(c, *path, err, errsz);
}

/* load_ok - s must load; the configuration */
static struct config
load_ok(const char *s)
{
	struct config c;
	char err[CONFIG_ERRLEN];
	const char *path;

	cr_assert_eq(load(&c, s, &path, err, sizeof err), 0,
	    "config_load failed: %s", err);
	return c;
}

/* load_err - s must not load; err must be "PATH:LINE: what" (line 0:
 * "PATH: what") */
static void
load_err(const char *s, unsigned long line, const char *what)
{
	struct config c;
	char err[CONFIG_ERRLEN], want[CONFIG_ERRLEN];
	const char *path;

	cr_expect_eq(load(&c, s, &path, err, sizeof err), -1,
	    "loaded: %s", s);
	if (line > 0)
		snprintf(want, sizeof want, "%s:%lu: %s", path, line, what);
	else
		snprintf(want, sizeof want, "%s: %s", path, what);
	cr_expect_str_eq(err, want, "for %s", s);
	config_free(&c);
}

TestSuite(config, .fini = cleanup);
TestSuite(policy, .fini = cleanup);

/* ---------------------------------------------------------- config */

static void
expect_defaults(const struct config *c)
{
	char host[256];

	cr_expect_null(c->homedir);
	cr_expect_eq(c->default_policy, POLICY_OPPORTUNISTIC);
	cr_expect_null(c->policy_map);
	cr_expect_eq(c->decrypt, 0);
	cr_expect_str_eq(c->sendmail, "/usr/sbin/sendmail");
	cr_expect_eq(c->sign, 0);
	cr_expect_null(c->signer);
	cr_expect_null(c->signer_map);
	cr_expect_null(c->passphrase_file);
	cr_expect_eq(c->protect_headers, 1);
	cr_expect_eq(c->log_stderr, 0);
	cr_expect_eq(c->facility, LOG_MAIL);
	cr_assert_eq(gethostname(host, sizeof host), 0);
	host[sizeof host - 1] = '\0';
	cr_expect_str_eq(c->gateway_id, host);
	cr_expect_eq(c->timeout, LIMIT_SECONDS);
	cr_expect_str_eq(c->listen, "127.0.0.1:10025");
	cr_expect_str_eq(c->reinject, "127.0.0.1:10026");
}

Test(config, defaults_from_an_empty_file)
{
	struct config c = load_ok("");

	expect_defaults(&c);
	config_free(&c);
}

Test(config, comments_and_blank_lines_only)
{
	struct config c = load_ok("# mailseal.conf\n\n   \n\t\n# homedir = /x\n"
	    "  # an indented comment\n");

	expect_defaults(&c);
	config_free(&c);
}

Test(config, every_parameter)
{
	struct config c = load_ok(
	    "homedir = /var/lib/mailseal/gnupg\n"
	    "default_policy = require\n"
	    "policy_map = /etc/mailseal/policy\n"
	    "decrypt = yes\n"
	    "sendmail = /usr/local/sbin/sendmail\n"
	    "sign = yes\n"
	    "signer = gateway@example.org\n"
	    "signer_map = /etc/mailseal/signers\n"
	    "passphrase_file = /etc/mailseal/passphrase\n"
	    "protect_headers = no\n"
	    "log = stderr\n"
	    "syslog_facility = local7\n"
	    "gateway_id = mx1.example.org\n"
	    "timeout = 86400\n"
	    "listen = [::1]:25\n"
	    "reinject = localhost:65535\n");

	cr_expect_str_eq(c.homedir, "/var/lib/mailseal/gnupg");
	cr_expect_eq(c.default_policy, POLICY_REQUIRE);
	cr_expect_str_eq(c.policy_map, "/etc/mailseal/policy");
	cr_expect_eq(c.decrypt, 1);
	cr_expect_str_eq(c.sendmail, "/usr/local/sbin/sendmail");
	cr_expect_eq(c.sign, 1);
	cr_expect_str_eq(c.signer, "gateway@example.org");
	cr_expect_str_eq(c.signer_map, "/etc/mailseal/signers");
	cr_expect_str_eq(c.passphrase_file, "/etc/mailseal/passphrase");
	cr_expect_eq(c.protect_headers, 0);
	cr_expect_eq(c.log_stderr, 1);
	cr_expect_eq(c.facility, LOG_LOCAL7);
	cr_expect_str_eq(c.gateway_id, "mx1.example.org");
	cr_expect_eq(c.timeout, 86400);
	cr_expect_str_eq(c.listen, "[::1]:25");
	cr_expect_str_eq(c.reinject, "localhost:65535");
	config_free(&c);
}

Test(config, values_at_the_other_end)
{
	struct config c = load_ok("default_policy = none\ndecrypt = no\n"
	    "protect_headers = yes\n"
	    "sign = no\nlog = syslog\nsyslog_facility = local0\n"
	    "timeout = 1\nlisten = 0.0.0.0:1\ngateway_id = A-z_0.9\n");

	cr_expect_eq(c.default_policy, POLICY_NONE);
	cr_expect_eq(c.decrypt, 0);
	cr_expect_eq(c.sign, 0);
	cr_expect_eq(c.protect_headers, 1);
	cr_expect_eq(c.log_stderr, 0);
	cr_expect_eq(c.facility, LOG_LOCAL0);
	cr_expect_eq(c.timeout, 1);
	cr_expect_str_eq(c.listen, "0.0.0.0:1");
	cr_expect_str_eq(c.gateway_id, "A-z_0.9");
	config_free(&c);
}

Test(config, every_facility)
{
	static const struct {
		const char *name;
		int value;
	} f[] = {
		{ "mail", LOG_MAIL }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 }
	};
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		struct config c;

		snprintf(buf, sizeof buf, "syslog_facility = %s\n", f[i].name);
		c = load_ok(buf);
		cr_expect_eq(c.facility, f[i].value, "%s", f[i].name);
		config_free(&c);
		cleanup();
	}
}

Test(config, spacing_and_line_ends)
{
	struct config c = load_ok("decrypt=yes\ntimeout\t=\t30\t\r\n"
	    "default_policy = none   \r\n");

	cr_expect_eq(c.decrypt, 1);
	cr_expect_eq(c.timeout, 30);
	cr_expect_eq(c.default_policy, POLICY_NONE);
	config_free(&c);
}

Test(config, no_newline_at_the_end)
{
	struct config c = load_ok("timeout = 5\ndefault_policy = require");

	cr_expect_eq(c.timeout, 5);
	cr_expect_eq(c.default_policy, POLICY_REQUIRE);
	config_free(&c);
}

Test(config, last_assignment_wins)
{
	struct config c = load_ok("timeout = 10\ngateway_id = a\n"
	    "homedir = /a\ntimeout = 20\ngateway_id = b\nhomedir = /b\n"
	    "decrypt = yes\ndecrypt = no\n");

	cr_expect_eq(c.timeout, 20);
	cr_expect_str_eq(c.gateway_id, "b");
	cr_expect_str_eq(c.homedir, "/b");
	cr_expect_eq(c.decrypt, 0);
	config_free(&c);
}

Test(config, empty_path_means_the_default)
{
	struct config c = load_ok("homedir = /a\nhomedir =\npolicy_map =\n");

	cr_expect_null(c.homedir);
	cr_expect_null(c.policy_map);
	config_free(&c);
}

/* mailseal.conf(5): an empty value sets homedir, policy_map or signer
 * back to its default; the other parameters need a value */
Test(config, empty_value_needs_a_default)
{
	static const char *need[] = { "sendmail", "default_policy", "decrypt",
	    "sign", "log", "syslog_facility", "gateway_id", "timeout",
	    "listen", "reinject", NULL };
	struct config c;
	char buf[64], err[CONFIG_ERRLEN], want[CONFIG_ERRLEN];
	const char *path;
	size_t i;

	for (i = 0; need[i] != NULL; i++) {
		snprintf(buf, sizeof buf, "%s =\n", need[i]);
		cr_expect_eq(load(&c, buf, &path, err, sizeof err), -1,
		    "\"%s =\" loads", need[i]);
		/* "FILE:1: NAME..." or "FILE: NAME needs ..." */
		snprintf(want, sizeof want, "%s:1: %s", path, need[i]);
		if (strncmp(err, want, strlen(want)) != 0)
			snprintf(want, sizeof want, "%s: %s", path, need[i]);
		cr_expect_eq(strncmp(err, want, strlen(want)), 0,
		    "\"%s =\": error \"%s\"", need[i], err);
		config_free(&c);
		cleanup();
	}
}

Test(config, continuation_lines)
{
	struct config c = load_ok(
	    "default_policy =\n"
	    "    require\n"
	    "signer = Gateway\n"
	    "\t<gw@example.org>\n"
	    "  # a comment inside is skipped\n"
	    "   \n"
	    "timeout =\n"
	    "\t\t42\n");

	cr_expect_eq(c.default_policy, POLICY_REQUIRE);
	cr_expect_str_eq(c.signer, "Gateway <gw@example.org>");
	cr_expect_eq(c.timeout, 42);
	config_free(&c);
}

Test(config, continuation_error_names_the_first_line)
{
	load_err("# c\ndefault_policy = none\n  require\n", 2,
	    "default_policy: \"none require\" is not require, opportunistic "
	    "or none");
}

/* a line that starts with white space but reads "name = value" was
 * meant as a setting of its own: joined, it would change the value above
 * and the setting would be lost without a word */
Test(config, indented_setting_is_refused)
{
	static const struct {
		const char	*conf;
		unsigned long	 line;
		const char	*text;
		unsigned long	 start;
	} cases[] = {
		{ "signer = gw@example.org\n  sign = yes\n", 2, "sign = yes", 1 },
		{ "homedir = /var/lib/gw\n\tdecrypt=yes\n", 2, "decrypt=yes", 1 },
		{ "# c\ntimeout =\n  5\n  homedr = /x\n", 4, "homedr = /x", 2 },
		{ "policy_map = /etc/m\n \t sendmail\t= /bin/true\n", 2,
		    "sendmail\t= /bin/true", 1 },
	};
	char want[CONFIG_ERRLEN];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(want, sizeof want, "\"%s\" starts with white space, "
		    "so it would continue the setting of line %lu; remove "
		    "the white space before it", cases[i].text, cases[i].start);
		load_err(cases[i].conf, cases[i].line, want);
		cleanup();
	}
}

/* gateway_id is a name of at most LIMIT_GATEWAY_ID bytes: the marker
 * field carries it into every copy, and a longer one could push a copy
 * over the header limits, where the loop check no longer reads it */
Test(config, gateway_id_length)
{
	char conf[LIMIT_GATEWAY_ID + 64], what[CONFIG_ERRLEN];
	struct config c;

	snprintf(conf, sizeof conf, "gateway_id = %0*d\n", LIMIT_GATEWAY_ID,
	    0);
	c = load_ok(conf);
	cr_expect_eq(strlen(c.gateway_id), LIMIT_GATEWAY_ID);
	config_free(&c);
	snprintf(conf, sizeof conf, "gateway_id = %0*d\n",
	    LIMIT_GATEWAY_ID + 1, 0);
	/* the message shows the first 200 bytes of the value */
	snprintf(what, sizeof what, "gateway_id: \"%0*d\" is not a name of "
	    "at most %d letters, digits, '.', '-' and '_'", 200, 0,
	    LIMIT_GATEWAY_ID);
	load_err(conf, 1, what);
}

/* an "=" that does not follow a name is part of the value */
Test(config, continuation_with_an_equals_sign)
{
	struct config c = load_ok(
	    "signer = Gateway\n"
	    "  <gw=1@example.org>\n"
	    "gateway_id =\n"
	    "  gw1\n");

	cr_expect_str_eq(c.signer, "Gateway <gw=1@example.org>");
	cr_expect_str_eq(c.gateway_id, "gw1");
	config_free(&c);
	c = load_ok("signer = a\n  = b\n");
	cr_expect_str_eq(c.signer, "a = b");
	config_free(&c);
}

Test(config, continuation_without_a_parameter)
{
	load_err(" timeout = 5\n", 1, "continuation line without a parameter");
	load_err("# comment\n\ttimeout = 5\n", 2,
	    "continuation line without a parameter");
	load_err("timeout = 5\n\n  6\n", 3,
	    "continuation line without a parameter");
}

Test(config, unknown_parameter)
{
	load_err("# c\n\ncolour = blue\n", 3, "unknown parameter \"colour\"");
	load_err("Timeout = 5\n", 1, "unknown parameter \"Timeout\"");
}

Test(config, not_an_assignment)
{
	load_err("timeout 5\n", 1, "not \"name = value\"");
	load_err("home dir = /x\n", 1, "not \"name = value\"");
	load_err("= /x\n", 1, "not \"name = value\"");
}

Test(config, bad_values)
{
	load_err("default_policy = Require\n", 1, "default_policy: \"Require\" "
	    "is not require, opportunistic or none");
	load_err("decrypt = true\n", 1, "decrypt: \"true\" is not yes or no");
	load_err("sign = 1\n", 1, "sign: \"1\" is not yes or no");
	load_err("decrypt =\n", 1, "decrypt: \"\" is not yes or no");
	load_err("log = file\n", 1, "log: \"file\" is not syslog or stderr");
	load_err("syslog_facility = local8\n", 1, "syslog_facility: "
	    "\"local8\" is not mail or local0 to local7");
	load_err("syslog_facility = MAIL\n", 1, "syslog_facility: "
	    "\"MAIL\" is not mail or local0 to local7");
}

Test(config, relative_paths)
{
	load_err("homedir = .gnupg\n", 1,
	    "homedir: \".gnupg\" is not an absolute path");
	load_err("policy_map = policy\n", 1,
	    "policy_map: \"policy\" is not an absolute path");
	load_err("sendmail = sendmail\n", 1,
	    "sendmail: \"sendmail\" is not an absolute path");
	load_err("sendmail = ~/bin/sendmail\n", 1,
	    "sendmail: \"~/bin/sendmail\" is not an absolute path");
}

Test(config, bad_gateway_id)
{
	static const char *bad[] = { "gw 1", "gw;1", "gw:1", "gw\"1", "gw/1",
	    "gw@1", NULL };
	char buf[128], what[256];
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(buf, sizeof buf, "gateway_id = %s\n", bad[i]);
		snprintf(what, sizeof what, "gateway_id: \"%s\" is not a name "
		    "of at most 255 letters, digits, '.', '-' and '_'",
		    bad[i]);
		load_err(buf, 1, what);
		cleanup();
	}
	load_err("gateway_id =\n", 1, "gateway_id: \"\" is not a name of "
	    "at most 255 letters, digits, '.', '-' and '_'");
}

Test(config, bad_timeout)
{
	static const char *bad[] = { "0", "-1", "86401", "10s", "", "1e3",
	    "99999999999999999999", NULL };
	char buf[128], what[256];
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(buf, sizeof buf, "timeout = %s\n", bad[i]);
		snprintf(what, sizeof what, "timeout: \"%s\" is not a number of "
		    "seconds from 1 to 86400", bad[i]);
		load_err(buf, 1, what);
		cleanup();
	}
}

Test(config, bad_hostport)
{
	static const char *bad[] = { "127.0.0.1", ":25", "host:", "host:0",
	    "host:65536", "host:2x", "", NULL };
	char buf[128], what[256];
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		snprintf(buf, sizeof buf, "reinject = %s\n", bad[i]);
		snprintf(what, sizeof what, "reinject: \"%s\" is not "
		    "ADDRESS:PORT", bad[i]);
		load_err(buf, 1, what);
		cleanup();
	}
}

Test(config, sign_needs_a_signer)
{
	struct config c;

	load_err("sign = yes\n", 0, "sign = yes needs a signer or a "
	    "signer_map");
	load_err("signer = a@example.org\nsign = yes\nsigner =\n", 0,
	    "sign = yes needs a signer or a signer_map");
	load_err("signer_map = /a\nsign = yes\nsigner_map =\n", 0,
	    "sign = yes needs a signer or a signer_map");
	/* a signer_map alone will do: senders it does not name go unsigned */
	c = load_ok("sign = yes\nsigner_map = /etc/mailseal/signers\n");
	cr_expect_eq(c.sign, 1);
	cr_expect_null(c.signer);
	config_free(&c);
}

/* signer_map and passphrase_file are absolute paths */
Test(config, signer_map_and_passphrase_file_paths)
{
	load_err("signer_map = signers\n", 1,
	    "signer_map: \"signers\" is not an absolute path");
	load_err("passphrase_file = pass\n", 1,
	    "passphrase_file: \"pass\" is not an absolute path");
}

Test(config, line_too_long)
{
	char *s = malloc(5000);

	memcpy(s, "timeout = 5\nsigner = ", 21);
	memset(s + 21, 'a', 4999 - 21);
	s[4999] = '\0';
	load_err(s, 2, "line too long");
	free(s);
}

Test(config, first_error_stops)
{
	load_err("timeout = 0\ncolour = blue\n", 1, "timeout: \"0\" is not a "
	    "number of seconds from 1 to 86400");
}

Test(config, missing_file)
{
	struct config c;
	char err[CONFIG_ERRLEN];

	cr_expect_eq(config_load(&c, "/nonexistent/mailseal.conf", err,
	    sizeof err), -1);
	cr_expect_str_eq(err, "/nonexistent/mailseal.conf: No such file or "
	    "directory");
	config_free(&c);
}

Test(config, print_every_parameter)
{
	struct config c = load_ok("homedir = /h\npolicy_map = /m\n"
	    "default_policy = none\ngateway_id = gw\nsign = yes\n"
	    "signer = s@example.org\nsigner_map = /sm\n"
	    "passphrase_file = /pf\nprotect_headers = no\n"
	    "log = stderr\nsyslog_facility = local2\n"
	    "timeout = 7\nsmtpd_user = ms\nsmtpd_workers = 3\n"
	    "smtpd_timeout = 9\nmessage_size_limit = 1000\n"
	    "wkd = yes\nwkd_timeout = 30\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	config_print(&c, fp);
	fclose(fp);
	cr_expect_str_eq(buf,
	    "homedir = /h\n"
	    "default_policy = none\n"
	    "policy_map = /m\n"
	    "recipient_delimiter = +\n"
	    "decrypt = no\n"
	    "sendmail = /usr/sbin/sendmail\n"
	    "sign = yes\n"
	    "signer = s@example.org\n"
	    "signer_map = /sm\n"
	    "passphrase_file = /pf\n"
	    "protect_headers = no\n"
	    "autocrypt = no\n"
	    "autocrypt_prefer_encrypt = nopreference\n"
	    "autocrypt_learn = no\n"
	    "autocrypt_homedir = \n"
	    "log = stderr\n"
	    "syslog_facility = local2\n"
	    "gateway_id = gw\n"
	    "timeout = 7\n"
	    "listen = 127.0.0.1:10025\n"
	    "reinject = 127.0.0.1:10026\n"
	    "smtpd_user = ms\n"
	    "smtpd_workers = 3\n"
	    "smtpd_timeout = 9\n"
	    "message_size_limit = 1000\n"
	    "wkd = yes\n"
	    "wkd_timeout = 30\n"
	    "smime = yes\n"
	    "format_preference = openpgp\n"
	    "smime_cipher = aes256-cbc\n"
	    "smime_signer = \n");
	free(buf);
	config_free(&c);
}

/* mailseal.conf(5) AUTOCRYPT: off by default; each name's values */
Test(config, autocrypt_names)
{
	struct config c = load_ok("");

	cr_expect_eq(c.autocrypt, 0);
	cr_expect_eq(c.autocrypt_mutual, 0);
	cr_expect_eq(c.autocrypt_learn, 0);
	cr_expect_null(c.autocrypt_homedir);
	config_free(&c);
	cleanup();
	c = load_ok("autocrypt = yes\nautocrypt_prefer_encrypt = mutual\n"
	    "autocrypt_learn = yes\nautocrypt_homedir = /var/lib/ac\n"
	    "decrypt = yes\n");
	cr_expect_eq(c.autocrypt, 1);
	cr_expect_eq(c.autocrypt_mutual, 1);
	cr_expect_eq(c.autocrypt_learn, 1);
	cr_expect_str_eq(c.autocrypt_homedir, "/var/lib/ac");
	config_free(&c);
	cleanup();
	c = load_ok("autocrypt_prefer_encrypt = mutual\n"
	    "autocrypt_prefer_encrypt = nopreference\n");
	cr_expect_eq(c.autocrypt_mutual, 0);
	config_free(&c);
	load_err("autocrypt = 1\n", 1, "autocrypt: \"1\" is not yes or no");
	load_err("autocrypt_prefer_encrypt = Mutual\n", 1,
	    "autocrypt_prefer_encrypt: \"Mutual\" is not nopreference or "
	    "mutual");
	load_err("autocrypt_learn = on\n", 1,
	    "autocrypt_learn: \"on\" is not yes or no");
	load_err("autocrypt_homedir = ac\n", 1,
	    "autocrypt_homedir: \"ac\" is not an absolute path");
	load_err("autocrypt_learn = yes\n", 0,
	    "autocrypt_learn = yes needs decrypt = yes");
	/* the default: "autocrypt" in the GnuPG home */
	c = load_ok("autocrypt_learn = yes\ndecrypt = yes\n"
	    "homedir = /var/lib/gnupg\n");
	cr_expect_str_eq(c.autocrypt_homedir, "/var/lib/gnupg/autocrypt");
	config_free(&c);
}

Test(config, policy_names)
{
	enum policy p;

	cr_expect_eq(policy_parse("require", &p), 0);
	cr_expect_eq(p, POLICY_REQUIRE);
	cr_expect_eq(policy_parse("opportunistic", &p), 0);
	cr_expect_eq(p, POLICY_OPPORTUNISTIC);
	cr_expect_eq(policy_parse("none", &p), 0);
	cr_expect_eq(p, POLICY_NONE);
	cr_expect_eq(policy_parse("NONE", &p), -1);
	cr_expect_eq(policy_parse("", &p), -1);
	cr_expect_str_eq(policy_name(POLICY_REQUIRE), "require");
	cr_expect_str_eq(policy_name(POLICY_OPPORTUNISTIC), "opportunistic");
	cr_expect_str_eq(policy_name(POLICY_NONE), "none");
}

/* ---------------------------------------------------------- policy map */

static const char *mappath;

static struct policy_map
map_ok(const char *s)
{
	struct policy_map m;
	char err[CONFIG_ERRLEN] = "";

	mappath = file(s);
	cr_assert_eq(policy_map_load(&m, mappath, err, sizeof err), 0,
	    "policy_map_load: %s", err);
	return m;
}

static void
map_err(const char *s, unsigned long line, const char *what)
{
	struct policy_map m;
	char err[CONFIG_ERRLEN] = "", want[CONFIG_ERRLEN];
	const char *path = file(s);

	cr_expect_eq(policy_map_load(&m, path, err, sizeof err), -1,
	    "loaded: %s", s);
	snprintf(want, sizeof want, "%s:%lu: %s", path, line, what);
	cr_expect_str_eq(err, want);
	policy_map_free(&m);
}

/* look - the policy of addr and the line of the deciding entry (0:
 * default_policy, which is "opportunistic" here) */
static void
look(const struct policy_map *m, const char *addr, enum policy want,
    unsigned long line)
{
	const struct policy_entry *e = (const void *)1;
	enum policy p = policy_lookup(m, addr, POLICY_OPPORTUNISTIC, &e);

	cr_expect_eq(p, want, "%s: policy %s, want %s", addr, policy_name(p),
	    policy_name(want));
	if (line == 0)
		cr_expect_null(e, "%s: decided by line %lu, want the default",
		    addr, e != NULL ? e->line : 0);
	else {
		cr_expect_not_null(e, "%s: no entry, want line %lu", addr, line);
		if (e != NULL)
			cr_expect_eq(e->line, line, "%s: line %lu, want %lu",
			    addr, e->line, line);
	}
}

Test(policy, entries_comments_blank_lines)
{
	struct policy_map m = map_ok("# policy\n\n  \t\nBob@Example.ORG  require\n"
	    "example.net\tnone # trailing comment\n.example.com opportunistic\r\n");

	cr_assert_eq(m.n, 3);
	cr_expect_str_eq(m.path, mappath);
	cr_expect_str_eq(m.v[0].key, "bob@example.org");
	cr_expect_eq(m.v[0].policy, POLICY_REQUIRE);
	cr_expect_eq(m.v[0].line, 4);
	cr_expect_str_eq(m.v[1].key, "example.net");
	cr_expect_eq(m.v[1].policy, POLICY_NONE);
	cr_expect_eq(m.v[1].line, 5);
	cr_expect_str_eq(m.v[2].key, ".example.com");
	cr_expect_eq(m.v[2].policy, POLICY_OPPORTUNISTIC);
	cr_expect_eq(m.v[2].line, 6);
	policy_map_free(&m);
}

Test(policy, empty_map)
{
	struct policy_map m = map_ok("# nothing\n");

	cr_expect_eq(m.n, 0);
	look(&m, "bob@example.org", POLICY_OPPORTUNISTIC, 0);
	policy_map_free(&m);
}

Test(policy, no_map_at_all)
{
	const struct policy_entry *e = (const void *)1;

	cr_expect_eq(policy_lookup(NULL, "bob@example.org", POLICY_REQUIRE, &e),
	    POLICY_REQUIRE);
	cr_expect_null(e);
}

Test(policy, map_errors)
{
	map_err("# c\nbob@example.org sometimes\n", 2, "\"bob@example.org\" "
	    "needs a policy: require, opportunistic or none");
	map_err("example.org require\nbob@example.org\n", 2,
	    "\"bob@example.org\" needs a policy: require, opportunistic or "
	    "none");
	map_err("example.org REQUIRE\n", 1, "\"example.org\" needs a policy: "
	    "require, opportunistic or none");
	map_err("\nexample.org none extra\n", 2, "more than \"KEY POLICY\"");
	cleanup();
	map_err("@example.org none\n", 1, "\"@example.org\" is not an address, "
	    "a domain or a .domain");
	map_err("bob@ none\n", 1, "\"bob@\" is not an address, a domain or a "
	    ".domain");
	map_err("a@b@example.org none\n", 1, "\"a@b@example.org\" is not an "
	    "address, a domain or a .domain");
	map_err(". none\n", 1, "\".\" is not an address, a domain or a "
	    ".domain");
}

Test(policy, line_too_long)
{
	char s[1100];

	memset(s, 'a', 1090);
	memcpy(s + 1090, " none\n", 7);
	map_err(s, 1, "line too long");
}

Test(policy, missing_map)
{
	struct policy_map m;
	char err[CONFIG_ERRLEN];

	cr_expect_eq(policy_map_load(&m, "/nonexistent/policy", err,
	    sizeof err), -1);
	cr_expect_str_eq(err, "/nonexistent/policy: No such file or directory");
	policy_map_free(&m);
}

Test(policy, precedence)
{
	struct policy_map m = map_ok(
	    "# precedence\n"			/* 1 */
	    "example.org none\n"		/* 2 */
	    ".example.org require\n"		/* 3 */
	    ".org opportunistic\n"		/* 4 */
	    "bob@example.org require\n"		/* 5 */
	    "ivan@example.org none\n"		/* 6 */
	    "ivan+work@example.org require\n"	/* 7 */
	    "sub.example.org opportunistic\n"	/* 8 */
	    ".deep.sub.example.org none\n");	/* 9 */

	/* the address beats everything */
	look(&m, "bob@example.org", POLICY_REQUIRE, 5);
	/* the address with its +tag beats the address without it */
	look(&m, "ivan+work@example.org", POLICY_REQUIRE, 7);
	/* the address without its +tag beats the domain */
	look(&m, "ivan+home@example.org", POLICY_NONE, 6);
	look(&m, "bob+x@example.org", POLICY_REQUIRE, 5);
	/* the domain beats .parent */
	look(&m, "carol@example.org", POLICY_NONE, 2);
	look(&m, "x@sub.example.org", POLICY_OPPORTUNISTIC, 8);
	/* .parent, the nearest first */
	look(&m, "x@a.example.org", POLICY_REQUIRE, 3);
	look(&m, "x@a.sub.example.org", POLICY_REQUIRE, 3);
	look(&m, "x@a.deep.sub.example.org", POLICY_NONE, 9);
	look(&m, "x@example.com.org", POLICY_OPPORTUNISTIC, 4);
	/* .deep.sub.example.org covers subdomains, not the domain itself */
	look(&m, "x@deep.sub.example.org", POLICY_REQUIRE, 3);
	/* nothing: the default */
	look(&m, "x@example.net", POLICY_OPPORTUNISTIC, 0);
	look(&m, "x@org", POLICY_OPPORTUNISTIC, 0);
	/* a domain entry is not an address's local part */
	look(&m, "example.org@example.net", POLICY_OPPORTUNISTIC, 0);
	policy_map_free(&m);
}

Test(policy, case_is_ignored)
{
	struct policy_map m = map_ok("Bob@EXAMPLE.org require\n"
	    "EXAMPLE.NET none\n.Example.Com require\n");

	look(&m, "bob@example.org", POLICY_REQUIRE, 1);
	look(&m, "BOB@Example.ORG", POLICY_REQUIRE, 1);
	look(&m, "bob+Tag@EXAMPLE.ORG", POLICY_REQUIRE, 1);
	look(&m, "x@example.net", POLICY_NONE, 2);
	look(&m, "x@Example.Net", POLICY_NONE, 2);
	look(&m, "x@MX.EXAMPLE.COM", POLICY_REQUIRE, 3);
	policy_map_free(&m);
}

Test(policy, tags)
{
	struct policy_map m = map_ok("bob@example.org require\n"
	    "+x@example.org none\n");

	/* only the first '+' starts the tag */
	look(&m, "bob+a+b@example.org", POLICY_REQUIRE, 1);
	/* a local part that starts with '+' has no tag */
	look(&m, "+x@example.org", POLICY_NONE, 2);
	look(&m, "+y@example.org", POLICY_OPPORTUNISTIC, 0);
	/* a quoted local part that needs no quotes is the same address
	 * (issue 8 item 13); one that needs them is not untagged */
	look(&m, "\"bob+a\"@example.org", POLICY_REQUIRE, 1);
	look(&m, "\"bob+a b\"@example.org", POLICY_OPPORTUNISTIC, 0);
	policy_map_free(&m);
}

Test(policy, the_last_entry_wins)
{
	struct policy_map m = map_ok("example.org none\nbob@example.org none\n"
	    "example.org require\n\nBOB@example.org opportunistic\n"
	    ".example.org none\n.EXAMPLE.org require\n");

	look(&m, "x@example.org", POLICY_REQUIRE, 3);
	look(&m, "bob@example.org", POLICY_OPPORTUNISTIC, 5);
	look(&m, "x@a.example.org", POLICY_REQUIRE, 7);
	policy_map_free(&m);
}

/* n entries, one a line */
static char *
entries(size_t n)
{
	char *s = malloc(n * 32 + 1), *p = s;
	size_t i;

	for (i = 0; i < n; i++)
		p += snprintf(p, 32, "u%zu@example.org none\n", i);
	*p = '\0';
	return s;
}

Test(policy, limit_entries)
{
	struct policy_map m;
	char err[CONFIG_ERRLEN], want[CONFIG_ERRLEN];
	char *s = entries(LIMIT_POLICY_ENTRIES);
	const char *path;

	m = map_ok(s);
	cr_expect_eq(m.n, LIMIT_POLICY_ENTRIES);
	look(&m, "u0@example.org", POLICY_NONE, 1);
	look(&m, "u99999@example.org", POLICY_NONE, LIMIT_POLICY_ENTRIES);
	policy_map_free(&m);
	free(s);

	/* comments and blank lines do not count */
	s = entries(LIMIT_POLICY_ENTRIES);
	s = realloc(s, strlen(s) + 16);
	memmove(s + 4, s, strlen(s) + 1);
	memcpy(s, "#\n\n\n", 4);
	m = map_ok(s);
	cr_expect_eq(m.n, LIMIT_POLICY_ENTRIES);
	policy_map_free(&m);
	free(s);

	s = entries(LIMIT_POLICY_ENTRIES + 1);
	path = file(s);
	cr_expect_eq(policy_map_load(&m, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:%d: more than %d entries "
	    "(LIMIT_POLICY_ENTRIES)", path, LIMIT_POLICY_ENTRIES + 1,
	    LIMIT_POLICY_ENTRIES);
	cr_expect_str_eq(err, want);
	policy_map_free(&m);
	free(s);
}

/* issue 8 item 13: every spelling of an address finds its entry */
Test(policy, every_spelling_of_an_address)
{
	struct policy_map m = map_ok("b\xc3\xbc" "cher.example require\n"
	    "xn--mnchen-3ya.example require\n"
	    "example.com require\n"
	    "j\xc3\xb6rg@example.net require\n"
	    "bob@example.net require\n"
	    "[192.0.2.1] require\n"
	    "eve@[IPv6:2001:db8::1] require\n"
	    ".B\xc3\x9c" "CHER.example none\n");

	/* IDNA both ways, case of either form */
	look(&m, "x@xn--bcher-kva.example", POLICY_REQUIRE, 1);
	look(&m, "x@XN--BCHER-KVA.EXAMPLE", POLICY_REQUIRE, 1);
	look(&m, "x@B\xc3\x9c" "CHER.example", POLICY_REQUIRE, 1);
	look(&m, "x@m\xc3\xbcnchen.example", POLICY_REQUIRE, 2);
	look(&m, "x@a.xn--bcher-kva.example", POLICY_NONE, 8);
	/* a trailing root dot */
	look(&m, "x@example.com.", POLICY_REQUIRE, 3);
	look(&m, "x@b\xc3\xbc" "cher.example.", POLICY_REQUIRE, 1);
	/* non-ASCII case */
	look(&m, "J\xc3\x96RG@example.net", POLICY_REQUIRE, 4);
	/* quotes a local part does not need */
	look(&m, "\"bob\"@example.net", POLICY_REQUIRE, 5);
	look(&m, "\"b\\ob\"@EXAMPLE.NET.", POLICY_REQUIRE, 5);
	/* address literals, as inet_ntop writes them */
	look(&m, "x@[192.0.2.1]", POLICY_REQUIRE, 6);
	look(&m, "eve@[IPv6:2001:DB8:0::1]", POLICY_REQUIRE, 7);
	look(&m, "x@[192.0.2.2]", POLICY_OPPORTUNISTIC, 0);
	policy_map_free(&m);
}

Test(policy, recipient_delimiters)
{
	struct policy_map m = map_ok("bob@example.org require\n");

	look(&m, "bob-lists@example.org", POLICY_OPPORTUNISTIC, 0);
	cr_assert_eq(addr_delimiters_set("+-"), 0);
	look(&m, "bob-lists@example.org", POLICY_REQUIRE, 1);
	look(&m, "bob+lists@example.org", POLICY_REQUIRE, 1);
	cr_assert_eq(addr_delimiters_set(""), 0);
	look(&m, "bob+lists@example.org", POLICY_OPPORTUNISTIC, 0);
	cr_assert_eq(addr_delimiters_set("+"), 0);
	policy_map_free(&m);
}

Test(policy, literal_keys_must_hold_an_address)
{
	map_err("[300.0.0.1] require\n", 1, "\"[300.0.0.1]\" is not an "
	    "address, a domain or a .domain");
	map_err(".[192.0.2.1] require\n", 1, "\".[192.0.2.1]\" is not an "
	    "address, a domain or a .domain");
}

Test(config, recipient_delimiter)
{
	struct config c = load_ok("recipient_delimiter = +-=\n");

	cr_expect_str_eq(c.recipient_delimiter, "+-=");
	config_free(&c);
	c = load_ok("");
	cr_expect_str_eq(c.recipient_delimiter, "+");
	config_free(&c);
	c = load_ok("recipient_delimiter =\n");
	cr_expect_null(c.recipient_delimiter);
	config_free(&c);
	load_err("recipient_delimiter = +@\n", 1, "recipient_delimiter: "
	    "\"+@\" is not a set of at most 32 characters that can end a "
	    "local part");
	load_err("recipient_delimiter = \"\n", 1, "recipient_delimiter: "
	    "\"\"\" is not a set of at most 32 characters that can end a "
	    "local part");
	c = load_ok("recipient_delimiter = "
	    "+-=_+-=_+-=_+-=_+-=_+-=_+-=_+-=_\n");
	config_free(&c);
	load_err("recipient_delimiter = "
	    "+-=_+-=_+-=_+-=_+-=_+-=_+-=_+-=_+\n", 1, "recipient_delimiter: "
	    "\"+-=_+-=_+-=_+-=_+-=_+-=_+-=_+-=_+\" is not a set of at most 32 "
	    "characters that can end a local part");
}

/* smtpd's counts: from 1 to their limit (limit.h), nothing else */
Test(config, smtpd_counts)
{
	struct config c;

	c = load_ok("smtpd_workers = 1000\nmessage_size_limit = 4294967296\n");
	cr_expect_eq(c.smtpd_workers, LIMIT_SMTPD_WORKERS);
	cr_expect_eq(c.message_size_limit, LIMIT_SMTPD_MESSAGE);
	config_free(&c);
	c = load_ok("");
	cr_expect_eq(c.smtpd_workers, 20);
	cr_expect_eq(c.smtpd_timeout, 300);
	cr_expect_eq(c.message_size_limit, 104857600);
	config_free(&c);
	load_err("smtpd_workers = 0\n", 1,
	    "smtpd_workers: \"0\" is not a number from 1 to 1000");
	load_err("smtpd_workers = 1001\n", 1,
	    "smtpd_workers: \"1001\" is not a number from 1 to 1000");
	load_err("smtpd_workers = -1\n", 1,
	    "smtpd_workers: \"-1\" is not a number from 1 to 1000");
	load_err("smtpd_workers = 2x\n", 1,
	    "smtpd_workers: \"2x\" is not a number from 1 to 1000");
	load_err("message_size_limit = 4294967297\n", 1,
	    "message_size_limit: \"4294967297\" is not a number from 1 to "
	    "4294967296");
	load_err("smtpd_timeout = 0\n", 1, "smtpd_timeout: \"0\" is not a "
	    "number of seconds from 1 to 86400");
}

/* WKD lookups: off by default, a deadline of WKD_TIMEOUT seconds */
Test(config, wkd)
{
	struct config c;

	c = load_ok("");
	cr_expect_eq(c.wkd, 0);
	cr_expect_eq(c.wkd_timeout, WKD_TIMEOUT);
	config_free(&c);
	c = load_ok("wkd = yes\nwkd_timeout = 1\n");
	cr_expect_eq(c.wkd, 1);
	cr_expect_eq(c.wkd_timeout, 1);
	config_free(&c);
	c = load_ok("wkd = no\nwkd_timeout = 86400\n");
	cr_expect_eq(c.wkd, 0);
	cr_expect_eq(c.wkd_timeout, 86400);
	config_free(&c);
	load_err("wkd = on\n", 1, "wkd: \"on\" is not yes or no");
	load_err("wkd_timeout = 0\n", 1, "wkd_timeout: \"0\" is not a "
	    "number of seconds from 1 to 86400");
	load_err("wkd_timeout = 86401\n", 1, "wkd_timeout: \"86401\" is not "
	    "a number of seconds from 1 to 86400");
}

/* config_text - what config_print writes for c */
static char *
config_text(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	config_print(c, fp);
	fclose(fp);
	return buf;
}

/* the S/MIME names: smime (yes), format_preference (openpgp),
 * smime_cipher (aes256-cbc, the one value gpgsm 2.2 can write),
 * smime_signer (a certificate's fingerprint); each printed back */
Test(config, smime_names)
{
	struct config c;
	char *t;

	c = load_ok("");
	cr_expect_eq(c.smime, 1);
	cr_expect_eq(c.format_preference, FORMAT_OPENPGP);
	cr_expect_eq(c.smime_cipher, SMIME_AES256_CBC);
	cr_expect_null(c.smime_signer);
	config_free(&c);
	c = load_ok("smime = no\nformat_preference = smime\n"
	    "smime_cipher = aes256-cbc\n"
	    "smime_signer = 8b63ffd72bd07a5c719b190e1a41edd06f5929CA\n");
	cr_expect_eq(c.smime, 0);
	cr_expect_eq(c.format_preference, FORMAT_SMIME);
	cr_expect_str_eq(c.smime_signer,
	    "8b63ffd72bd07a5c719b190e1a41edd06f5929CA");
	t = config_text(&c);
	cr_expect_not_null(strstr(t, "\nsmime = no\nformat_preference = "
	    "smime\nsmime_cipher = aes256-cbc\nsmime_signer = "
	    "8b63ffd72bd07a5c719b190e1a41edd06f5929CA\n"), "%s", t);
	free(t);
	config_free(&c);
	c = load_ok("smime_signer = 8B63FFD72BD07A5C719B190E1A41EDD06F5929CA\n"
	    "smime_signer = \nformat_preference = smime\n"
	    "format_preference = openpgp\n");
	cr_expect_null(c.smime_signer);
	cr_expect_eq(c.format_preference, FORMAT_OPENPGP);
	config_free(&c);
	cleanup();
	load_err("smime = 1\n", 1, "smime: \"1\" is not yes or no");
	load_err("format_preference = SMIME\n", 1,
	    "format_preference: \"SMIME\" is not openpgp or smime");
	load_err("format_preference = x509\n", 1,
	    "format_preference: \"x509\" is not openpgp or smime");
	load_err("smime_cipher = aes256-gcm\n", 1, "smime_cipher: aes256-gcm "
	    "needs AuthEnvelopedData, which gpgsm 2.2 cannot write; use "
	    "aes256-cbc");
	load_err("smime_cipher = 3des\n", 1,
	    "smime_cipher: \"3des\" is not aes256-cbc");
	cleanup();
	/* 39 and 41 digits, a non-hex digit, a colon-separated form, a
	 * 0x prefix, an address: the fingerprint alone */
	load_err("smime_signer = 8B63FFD72BD07A5C719B190E1A41EDD06F5929C\n", 1,
	    "smime_signer: \"8B63FFD72BD07A5C719B190E1A41EDD06F5929C\" is "
	    "not a certificate's fingerprint (40 hex digits)");
	load_err("smime_signer = 8B63FFD72BD07A5C719B190E1A41EDD06F5929CA0\n",
	    1, "smime_signer: \"8B63FFD72BD07A5C719B190E1A41EDD06F5929CA0\" "
	    "is not a certificate's fingerprint (40 hex digits)");
	load_err("smime_signer = 8B63FFD72BD07A5C719B190E1A41EDD06F5929CG\n", 1,
	    "smime_signer: \"8B63FFD72BD07A5C719B190E1A41EDD06F5929CG\" is "
	    "not a certificate's fingerprint (40 hex digits)");
	load_err("smime_signer = 8B:63:FF:D7\n", 1, "smime_signer: "
	    "\"8B:63:FF:D7\" is not a certificate's fingerprint (40 hex "
	    "digits)");
	load_err("smime_signer = 0x8B63FFD72BD07A5C719B190E1A41EDD06F5929\n",
	    1, "smime_signer: \"0x8B63FFD72BD07A5C719B190E1A41EDD06F5929\" is "
	    "not a certificate's fingerprint (40 hex digits)");
	load_err("smime_signer = alice@example.org\n", 1, "smime_signer: "
	    "\"alice@example.org\" is not a certificate's fingerprint (40 "
	    "hex digits)");
}

/* signer_map: KEY VALUE lines, the policy map's keys and lookups, the
 * value kept as written */
Test(policy, value_map)
{
	struct policy_map m;
	const struct policy_entry *e;
	char err[CONFIG_ERRLEN] = "", want[CONFIG_ERRLEN];
	const char *path = file("# signers\n"
	    "Alice@Example.ORG D798F7152B1E6892BE92FD731B0D5ADFC30F8D2F\n"
	    "example.org gateway@example.org # the domain's key\n"
	    ".example.net Sub <x@example.net>\n");

	cr_assert_eq(policy_map_load_values(&m, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:4: more than \"KEY VALUE\"", path);
	cr_expect_str_eq(err, want);
	policy_map_free(&m);

	path = file("# signers\n"
	    "Alice@Example.ORG D798F7152B1E6892BE92FD731B0D5ADFC30F8D2F\n"
	    "example.org gateway@example.org # the domain's key\n"
	    ".example.net sub@example.net\n");
	cr_assert_eq(policy_map_load_values(&m, path, err, sizeof err), 0,
	    "%s", err);
	(void)policy_lookup(&m, "alice+tag@example.org", POLICY_NONE, &e);
	cr_assert_not_null(e);
	cr_expect_str_eq(e->value, "D798F7152B1E6892BE92FD731B0D5ADFC30F8D2F");
	(void)policy_lookup(&m, "bob@example.org", POLICY_NONE, &e);
	cr_assert_not_null(e);
	cr_expect_str_eq(e->value, "gateway@example.org");
	(void)policy_lookup(&m, "x@a.example.net", POLICY_NONE, &e);
	cr_assert_not_null(e);
	cr_expect_str_eq(e->value, "sub@example.net");
	(void)policy_lookup(&m, "x@example.net", POLICY_NONE, &e);
	cr_expect_null(e);
	policy_map_free(&m);

	path = file("example.org\n");
	cr_expect_eq(policy_map_load_values(&m, path, err, sizeof err), -1);
	snprintf(want, sizeof want, "%s:1: \"example.org\" needs a value",
	    path);
	cr_expect_str_eq(err, want);
	policy_map_free(&m);
	/* a policy map keeps no values */
	m = map_ok("example.org require\n");
	cr_expect_null(m.v[0].value);
	policy_map_free(&m);
}
