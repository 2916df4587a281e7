/*
 * mailseal - an OpenPGP (PGP/MIME) mail filter.
 *
 * Design rationale:
 * - Never lose mail.  Every failure that is not the message's fault is
 *   EX_TEMPFAIL (75): the MTA keeps the mail and retries.  Results are
 *   spooled and published only when whole, so a failure leaves nothing
 *   on the output.
 * - Wrap, do not re-encode.  Header fields and bodies pass through byte
 *   for byte; only the structure we add is ours.
 * - Trust no input.  Every parser has named limits (limit.h) and
 *   libetpan only sees what those limits let through.
 * - Choose keys ourselves.  Recipients are matched exactly against
 *   user IDs and encrypted to by fingerprint (gpg's -r is a substring
 *   match).
 * - This file alone turns outcomes into exit codes (sysexits.h), and is
 *   the only one that calls exit(), apart from the out-of-memory and
 *   broken-invariant path of log_panic(), which exits with 75 too.
 */
#include <config.h>

#include <sys/resource.h>
#include <sys/stat.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include "addr.h"
#include "autocrypt.h"
#include "cmd.h"
#include "decrypt.h"
#include "encrypt.h"
#include "filter.h"
#include "gpgsup.h"
#include "limit.h"
#include "log.h"
#include "outcome.h"
#include "output.h"
#include "secmem.h"

static void	usage(FILE *);
static enum outcome cmd_encrypt(int, char **);
static enum outcome cmd_decrypt(int, char **);
static enum outcome cmd_filter(int, char **);
static int	stdio_check(int *);
static int	stderr_is_output(void);
static int	stderr_to_syslog(void);
static void	on_signal(int);
static int	signals_init(void);
static int	process_protect(void);
static int	parse_seconds(const char *, unsigned int *);

/* Standard output was closed when we started: a result for it has
 * nowhere to go, which must not look like success. */
int		stdout_closed;

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: mailseal encrypt [--homedir DIR] [-o FILE] [-r ADDR]...\n"
	    "                        [--sign [--signer KEY] [--passphrase-file FILE]]\n"
	    "                        [--no-encrypt-to] [--no-protect-headers] [--wkd]\n"
	    "                        [--smime]\n"
	    "                        [--timeout SECONDS] [-v] [FILE]\n"
	    "       mailseal sign [--homedir DIR] [-o FILE] [--signer KEY] [--smime]\n"
	    "                     [--passphrase-file FILE] [--timeout SECONDS] [-v]\n"
	    "                     [FILE]\n"
	    "       mailseal decrypt [--homedir DIR] [-o FILE] [--timeout SECONDS]\n"
	    "                        [--autocrypt-learn [--autocrypt-homedir DIR]]\n"
	    "                        [-v] [FILE]\n"
	    "       mailseal filter [-c FILE] [-f SENDER] [-q QUEUEID] [--stdout]\n"
	    "                       [--check] [--timeout SECONDS] [-v] [--]\n"
	    "                       RECIPIENT...\n"
	    "       mailseal keys [-c FILE] [--homedir DIR] [--expiring DAYS]\n"
	    "                     [--wkd] [--timeout SECONDS] [-v] [ADDR]...\n"
	    "       mailseal smtpd [-c FILE] [--user USER] [--detach]\n"
	    "                      [--pidfile FILE] [--check] [-v]\n"
	    "       mailseal --version | --help\n");
}

/*
 * on_signal - stopped (SIGTERM, SIGINT, SIGHUP) or out of time
 * (SIGALRM): remove a named spool and exit 75, so the MTA keeps the
 * mail.  Only async-signal-safe calls.
 */
static void
on_signal(int sig)
{
	static const char stopped[] = "mailseal: stopped by a signal\n";
	static const char timeout[] = "mailseal: timed out (--timeout)\n";

	output_cleanup();
	if (sig == SIGALRM)
		(void)!write(STDERR_FILENO, timeout, sizeof timeout - 1);
	else
		(void)!write(STDERR_FILENO, stopped, sizeof stopped - 1);
	_exit(EX_TEMPFAIL);
}

/* signals_init - see on_signal; SIGPIPE becomes EPIPE */
static int
signals_init(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGALRM };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			return -1;
	/* A reader that goes away is a write error (EPIPE, exit 75), not
	 * a death by signal; GPGME does this too, but not every path
	 * reaches GPGME. */
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/*
 * process_protect - a message in memory stays there: no core file
 * (RLIMIT_CORE 0, inherited by gpg; and not dumpable, which also keeps
 * other processes of the same user from reading our memory through
 * ptrace or /proc), and a file-size limit makes writes fail with EFBIG,
 * which every write path turns into 75, instead of killing us with
 * SIGXFSZ (exit 153, which an MTA takes for a bounce).
 */
static int
process_protect(void)
{
	struct rlimit rl;
	struct sigaction sa;

	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		return -1;
#ifdef HAVE_SYS_PRCTL_H
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return -1;
#endif
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGXFSZ, &sa, NULL);
}

/* parse_seconds - a whole number of seconds, 0 to 86400 */
static int
parse_seconds(const char *s, unsigned int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 86400)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

/*
 * stdio_check - make sure descriptors 0, 1 and 2 are open (on /dev/null
 * when they were closed), so no file we open later takes their place
 * and a spool never lands on "standard output"; *closed1 tells whether
 * standard output was closed.
 */
static int
stdio_check(int *closed1)
{
	int fd;

	*closed1 = 0;
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (fd == 1)
			*closed1 = 1;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	}
	return 0;
}

/*
 * stderr_is_output - standard error is the very file standard output
 * is, and no terminal: Exim runs a transport filter with 2>&1, so a
 * line written there would be delivered as part of the message.
 */
static int
stderr_is_output(void)
{
	struct stat out, err;

	if (isatty(STDERR_FILENO) || fstat(STDOUT_FILENO, &out) == -1 ||
	    fstat(STDERR_FILENO, &err) == -1)
		return 0;
	return out.st_dev == err.st_dev && out.st_ino == err.st_ino;
}

/*
 * stderr_to_syslog - diagnostics to syslog alone (LOG_MAIL until the
 * configuration names its facility), and standard error on /dev/null,
 * so that gpg, which inherits it, cannot write into the output either
 */
static int
stderr_to_syslog(void)
{
	int fd;

	if ((fd = open("/dev/null", O_WRONLY)) == -1)
		return -1;
	if (fd != STDERR_FILENO && (dup2(fd, STDERR_FILENO) == -1 ||
	    close(fd) == -1))
		return -1;
	log_syslog(LOG_MAIL);
	return 0;
}

/* common_usage - a usage error in one line; the filter's starts with
 * the outcome's DSN */
static void	common_usage(const struct common *, const char *, ...)
		    LOG_PRINTF(2, 3);

static void
common_usage(const struct common *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (c->mta)
		log_dsn(OUTCOME_USAGE, "%s: %s", c->cmd, line);
	else
		log_warnx("%s: %s", c->cmd, line);
}

/*
 * common_opt - an option every command takes, or a getopt error:
 * returns -1 when ch is not one of them, 0 to go on, COMMON_DONE after
 * --help or --version, or COMMON_USAGE.
 */
int
common_opt(struct common *c, int ch, char **argv)
{
	switch (ch) {
	case 'H':
		c->homedir = optarg;
		return 0;
	case 'o':
		c->output = optarg;
		return 0;
	case 'T':
		if (parse_seconds(optarg, &c->timeout) == -1 ||
		    (c->mta && c->timeout == 0)) {
			common_usage(c, "--timeout %s: not a number of seconds "
			    "from %d to 86400", optarg, c->mta);
			return COMMON_USAGE;
		}
		c->timeout_set = 1;
		return 0;
	case 'v':
		log_setverbose(1);
		return 0;
	case 'h':
		usage(stdout);
		return COMMON_DONE;
	case 'V':
		printf("%s\n", PACKAGE_STRING);
		return COMMON_DONE;
	case ':':
		common_usage(c, "option %s needs an argument (see mailseal "
		    "--help)", argv[optind - 1]);
		return COMMON_USAGE;
	case '?':
		common_usage(c, "unknown option %s (see mailseal --help)",
		    argv[optind - 1]);
		return COMMON_USAGE;
	default:
		return -1;
	}
}

/* common_end - the outcome of a common_opt answer that stops */
enum outcome
common_end(int ret)
{
	return ret == COMMON_DONE ? OUTCOME_OK : OUTCOME_USAGE;
}

/*
 * common_args - after the options: at most one FILE, an open standard
 * output when it is the destination, and the --timeout deadline.
 * Returns OUTCOME_OK to go on, or the outcome.
 */
enum outcome
common_args(struct common *c, int argc, char **argv)
{
	argc -= optind;
	argv += optind;
	if (argc > 1) {
		log_warnx("%s: more than one input file (see mailseal "
		    "--help)", c->cmd);
		return OUTCOME_USAGE;
	}
	if (argc == 1 && strcmp(argv[0], "-") != 0)
		c->input = argv[0];
	if (c->output == NULL && stdout_closed) {
		log_warnx("standard output is closed");
		return OUTCOME_TEMPFAIL;
	}
	alarm(c->timeout);		/* 0: no deadline */
	return OUTCOME_OK;
}

/* encrypt_opt - an option of encrypt's own; OUTCOME_OK or the outcome */
static enum outcome
encrypt_opt(struct encrypt_opts *o, int ch)
{
	enum addr_err e;
	char *spec;

	switch (ch) {
	case 'r':
		if ((e = addr_mailbox_parse(optarg, &spec)) != ADDR_OK) {
			log_warnx("-r %s: %s", optarg, addr_strerror(e));
			return OUTCOME_USAGE;
		}
		if (!addrlist_has(&o->recipients, spec))
			addrlist_add(&o->recipients, spec);
		free(spec);
		break;
	case 's':
		o->sign = 1;
		break;
	case 'S':
		o->signer = optarg;
		break;
	case 'N':
		o->no_encrypt_to = 1;
		break;
	case 'W':
		o->wkd = 1;
		break;
	case 'P':
		o->passfile = optarg;
		break;
	case 'U':
		o->protect_headers = 0;
		break;
	case 'M':
		o->smime = 1;
		break;
	}
	return OUTCOME_OK;
}

/* cmd_encrypt - parse the encrypt command line and run it */
static enum outcome
cmd_encrypt(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "recipient",		required_argument,	NULL, 'r' },
		{ "sign",		no_argument,		NULL, 's' },
		{ "signer",		required_argument,	NULL, 'S' },
		{ "no-encrypt-to",	no_argument,		NULL, 'N' },
		{ "wkd",		no_argument,		NULL, 'W' },
		{ "passphrase-file",	required_argument,	NULL, 'P' },
		{ "no-protect-headers",	no_argument,		NULL, 'U' },
		{ "smime",		no_argument,		NULL, 'M' },
		{ NULL,			0,			NULL, 0 }
	};
	struct common c = { "encrypt", NULL, NULL, NULL, LIMIT_SECONDS, 0, 0 };
	struct encrypt_opts o;
	enum outcome r = OUTCOME_OK;
	int ch, ret;

	memset(&o, 0, sizeof o);
	o.protect_headers = 1;		/* on unless --no-protect-headers */
	optind = 1;
	opterr = 0;	/* our own one-line messages, named "mailseal" */
	while (r == OUTCOME_OK && (ch = getopt_long(argc, argv,
	    COMMON_SHORTOPTS "r:", longopts, NULL)) != -1) {
		if ((ret = common_opt(&c, ch, argv)) > 0)
			r = common_end(ret);
		else if (ret == -1)
			r = encrypt_opt(&o, ch);
		if (ret == COMMON_DONE)
			goto out;
	}
	if (r == OUTCOME_OK && (o.signer != NULL || o.passfile != NULL) &&
	    !o.sign) {
		log_warnx("%s needs --sign", o.signer != NULL ? "--signer" :
		    "--passphrase-file");
		r = OUTCOME_USAGE;
	}
	if (r == OUTCOME_OK && o.smime && o.wkd) {
		log_warnx("--wkd finds OpenPGP keys, not certificates: not "
		    "with --smime");
		r = OUTCOME_USAGE;
	}
	if (r != OUTCOME_OK || (r = common_args(&c, argc, argv)) != OUTCOME_OK)
		goto out;
	o.output = c.output;
	o.homedir = c.homedir;
	r = encrypt_run(c.input, &o);
out:
	addrlist_free(&o.recipients);
	return r;
}

/* cmd_decrypt - parse the decrypt command line and run it */
static enum outcome
cmd_decrypt(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "autocrypt-learn",	no_argument,		NULL, 'L' },
		{ "autocrypt-homedir",	required_argument,	NULL, 'A' },
		{ NULL,		0,			NULL, 0 }
	};
	struct common c = { "decrypt", NULL, NULL, NULL, LIMIT_SECONDS, 0, 0 };
	struct decrypt_opts o;
	const char *acdir = NULL;
	char *achome = NULL;
	enum outcome r;
	int ch, ret, learn = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts,
	    NULL)) != -1)
		if (ch == 'L')
			learn = 1;
		else if (ch == 'A')
			acdir = optarg;
		else if ((ret = common_opt(&c, ch, argv)) != 0)
			return ret == -1 ? OUTCOME_USAGE : common_end(ret);
	if ((r = common_args(&c, argc, argv)) != OUTCOME_OK)
		return r;
	memset(&o, 0, sizeof o);
	o.output = c.output;
	o.homedir = c.homedir;
	r = OUTCOME_USAGE;
	if (acdir != NULL && !learn)
		log_warnx("--autocrypt-homedir needs --autocrypt-learn");
	else if (learn && (o.autocrypt_home = achome = autocrypt_home(acdir,
	    c.homedir)) == NULL)
		log_warnx("--autocrypt-learn: no home directory (give "
		    "--autocrypt-homedir)");
	else
		r = decrypt_run(c.input, &o);
	free(achome);
	return r;
}

/* cleanup_all - the panic hook: every named temporary file goes */
static void
cleanup_all(void)
{
	output_cleanup();
}

/* filter_opt - an option of filter's own */
static void
filter_opt(struct filter_opts *o, int ch)
{
	switch (ch) {
	case 'c':
		o->config = optarg;
		break;
	case 'f':
		o->sender = optarg;
		break;
	case 'q':
		o->queueid = optarg;
		break;
	case 'O':
		o->tostdout = 1;
		break;
	case 'C':
		o->check = 1;
		break;
	}
}

/* filter_args - the recipients after the options */
static enum outcome
filter_args(struct common *c, struct filter_opts *o, int argc, char **argv)
{
	o->rcpts = argv + optind;
	o->nrcpts = (size_t)(argc - optind);
	if (o->nrcpts == 0) {
		common_usage(c, "no recipient (see mailseal --help)");
		return OUTCOME_USAGE;
	}
	if (o->nrcpts > LIMIT_RECIPIENTS) {
		common_usage(c, "more recipients than the limit "
		    "(LIMIT_RECIPIENTS, %d)", LIMIT_RECIPIENTS);
		return OUTCOME_USAGE;
	}
	if (o->tostdout && stdout_closed) {
		log_warnx("standard output is closed");
		return OUTCOME_TEMPFAIL;
	}
	o->timeout = c->timeout_set ? c->timeout : 0;
	return OUTCOME_OK;
}

/* cmd_filter - parse the filter command line and run it; its usage
 * errors are the MTA configuration's, so they defer (common.mta) */
static enum outcome
cmd_filter(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument,	NULL, 'c' },
		{ "sender",	required_argument,	NULL, 'f' },
		{ "queue-id",	required_argument,	NULL, 'q' },
		{ "stdout",	no_argument,		NULL, 'O' },
		{ "check",	no_argument,		NULL, 'C' },
		{ "timeout",	required_argument,	NULL, 'T' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	struct common c = { "filter", NULL, NULL, NULL, 0, 0, 1 };
	struct filter_opts o;
	enum outcome r;
	int ch, ret;

	memset(&o, 0, sizeof o);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:c:f:q:vhV", longopts,
	    NULL)) != -1) {
		if ((ret = common_opt(&c, ch, argv)) > 0)
			return common_end(ret);
		if (ch == 'v')
			o.logstderr = 1;
		filter_opt(&o, ch);
	}
	/* --stdout as an Exim transport filter: standard error is the
	 * message too */
	if (o.tostdout && stderr_is_output() && stderr_to_syslog() == -1) {
		log_warn("filter: /dev/null");
		return OUTCOME_TEMPFAIL;
	}
	if ((r = filter_args(&c, &o, argc, argv)) != OUTCOME_OK)
		return r;
	return filter_run(&o);
}

int
main(int argc, char **argv)
{
	int rc;

	/* started by GPGME in place of gpg (gpgsup.h): nothing else runs */
	if ((rc = gpgsup_main(argc, argv)) != -1)
		return rc;
	setlocale(LC_ALL, "");
	log_init("mailseal");
	log_on_panic(cleanup_all);
	if (process_protect() == -1) {
		log_warn("cannot turn core dumps off");
		return EX_TEMPFAIL;
	}
	if (stdio_check(&stdout_closed) == -1 || signals_init() == -1)
		return EX_TEMPFAIL;
	if (argc < 2) {
		log_warnx("no command (see mailseal --help)");
		return EX_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("%s\n", PACKAGE_STRING);
		return EX_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EX_OK;
	}
	if (secmem_init() == -1) {
		log_warnx("libgcrypt is too old");
		return EX_TEMPFAIL;
	}
	if (strcmp(argv[1], "encrypt") == 0)
		return outcome_exit(cmd_encrypt(argc - 1, argv + 1));
	if (strcmp(argv[1], "decrypt") == 0)
		return outcome_exit(cmd_decrypt(argc - 1, argv + 1));
	if (strcmp(argv[1], "filter") == 0)
		return outcome_exit(cmd_filter(argc - 1, argv + 1));
	if (strcmp(argv[1], "keys") == 0)
		return outcome_exit(cmd_keys(argc - 1, argv + 1));
	if (strcmp(argv[1], "sign") == 0)
		return outcome_exit(cmd_sign(argc - 1, argv + 1));
	if (strcmp(argv[1], "smtpd") == 0)
		return outcome_exit(cmd_smtpd(argc - 1, argv + 1));
	log_warnx("unknown command: %s (see mailseal --help)", argv[1]);
	return EX_USAGE;
}
