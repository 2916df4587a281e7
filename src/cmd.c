/*
 * cmd.c - the command lines of `mailseal sign`, `keys` and `smtpd`:
 * parse them (with main.c's common_opt, cmd.h) and run the command.
 * Like every module but main.c, it returns an outcome and never exits.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "keys.h"
#include "limit.h"
#include "log.h"
#include "outcome.h"
#include "serve.h"
#include "sign.h"

static enum outcome keys_expiring(struct keys_opts *, const char *);
static void	smtpd_opt(struct serve_opts *, int);

/* cmd_sign - parse the sign command line and run it; --smime: S/MIME
 * multipart/signed with a certificate (gpgsm) */
enum outcome
cmd_sign(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "signer",		required_argument,	NULL, 'S' },
		{ "passphrase-file",	required_argument,	NULL, 'P' },
		{ "smime",		no_argument,		NULL, 'M' },
		{ NULL,			0,			NULL, 0 }
	};
	struct common c = { "sign", NULL, NULL, NULL, LIMIT_SECONDS, 0, 0 };
	struct sign_opts o;
	enum outcome r;
	int ch, ret;

	memset(&o, 0, sizeof o);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if ((ret = common_opt(&c, ch, argv)) > 0)
			return common_end(ret);
		if (ch == 'S')
			o.signer = optarg;
		else if (ch == 'P')
			o.passfile = optarg;
		else if (ch == 'M')
			o.smime = 1;
	}
	if ((r = common_args(&c, argc, argv)) != OUTCOME_OK)
		return r;
	o.output = c.output;
	o.homedir = c.homedir;
	return sign_run(c.input, &o);
}

/* keys_expiring - --expiring DAYS */
static enum outcome
keys_expiring(struct keys_opts *o, const char *arg)
{
	char *end;
	long days;

	errno = 0;
	days = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || days < 0 ||
	    days > LIMIT_EXPIRING_DAYS) {
		log_warnx("keys: --expiring %s: not a number of days from 0 "
		    "to %d", arg, LIMIT_EXPIRING_DAYS);
		return OUTCOME_USAGE;
	}
	o->expiring = (int)days;
	return OUTCOME_OK;
}

/* cmd_keys - parse the keys command line and run it */
enum outcome
cmd_keys(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "config",	required_argument,	NULL, 'c' },
		{ "expiring",	required_argument,	NULL, 'E' },
		{ "wkd",	no_argument,		NULL, 'W' },
		{ NULL,		0,			NULL, 0 }
	};
	struct common c = { "keys", NULL, NULL, NULL, LIMIT_SECONDS, 0, 0 };
	struct keys_opts o;
	enum outcome r;
	int ch, ret;

	memset(&o, 0, sizeof o);
	o.expiring = -1;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, COMMON_SHORTOPTS "c:", longopts,
	    NULL)) != -1) {
		if ((ret = common_opt(&c, ch, argv)) > 0)
			return common_end(ret);
		if (ret == 0)
			continue;
		if (ch == 'c')
			o.config = optarg;
		else if (ch == 'W')
			o.wkd = 1;
		else if ((r = keys_expiring(&o, optarg)) != OUTCOME_OK)
			return r;
	}
	if (c.output != NULL || stdout_closed) {
		log_warnx(c.output != NULL ? "keys: no -o: the listing goes "
		    "to standard output" : "standard output is closed");
		return c.output != NULL ? OUTCOME_USAGE : OUTCOME_TEMPFAIL;
	}
	o.homedir = c.homedir;
	o.addrs = argv + optind;
	o.naddrs = (size_t)(argc - optind);
	if (o.wkd && o.naddrs == 0) {
		log_warnx("keys: --wkd needs the addresses to look up");
		return OUTCOME_USAGE;
	}
	o.out = stdout;
	alarm(c.timeout);
	return keys_run(&o);
}

/* smtpd_opt - an option of smtpd's own */
static void
smtpd_opt(struct serve_opts *o, int ch)
{
	switch (ch) {
	case 'c':
		o->config = optarg;
		break;
	case 'u':
		o->user = optarg;
		break;
	case 'D':
		o->detach = 1;
		break;
	case 'P':
		o->pidfile = optarg;
		break;
	case 'v':
		o->logstderr = 1;
		break;
	case 'C':
		o->check = 1;
		break;
	}
}

/* cmd_smtpd - parse the smtpd command line and run the server (serve.c:
 * it returns once the server stopped, or in a worker whose work is
 * over, or in the parent of --detach with the outcome of the start) */
enum outcome
cmd_smtpd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "user",	required_argument,	NULL, 'u' },
		{ "detach",	no_argument,		NULL, 'D' },
		{ "pidfile",	required_argument,	NULL, 'P' },
		{ "check",	no_argument,		NULL, 'C' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	struct common c = { "smtpd", NULL, NULL, NULL, 0, 0, 0 };
	struct serve_opts o;
	int ch, ret;

	memset(&o, 0, sizeof o);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":c:vhV", longopts,
	    NULL)) != -1) {
		if ((ret = common_opt(&c, ch, argv)) > 0)
			return common_end(ret);
		smtpd_opt(&o, ch);
	}
	if (optind < argc) {
		log_warnx("smtpd: unexpected argument %s (see mailseal "
		    "--help)", argv[optind]);
		return OUTCOME_USAGE;
	}
	if (o.check && (o.detach || o.pidfile != NULL)) {
		log_warnx("smtpd: --check serves nothing: no --detach or "
		    "--pidfile");
		return OUTCOME_USAGE;
	}
	return serve_run(&o);
}
