/*
 * conf.c - read mailseal.conf(5).
 *
 * The syntax is Postfix's main.cf, without $expansion: "name = value"
 * lines, '#' comment lines, blank lines, and a line that starts with
 * white space continues the one before, unless it reads "name = ...":
 * such a line was meant as a setting of its own, and joining it would
 * silently change the value above while the setting it names is lost.
 * The last assignment of a name wins.  A name we do not know, a value we
 * cannot use, or a file we cannot read is a configuration error (exit
 * 78) named by file and line: a gateway must not guess what its
 * postmaster meant.
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "addr.h"
#include "autocrypt.h"
#include "conf.h"
#include "limit.h"
#include "wkd.h"
#include "xmalloc.h"

#define CONFIG_LINE	4096	/* bytes of one logical line */

enum ctype { C_STR, C_PATH, C_BOOL, C_POLICY, C_LOG, C_FACILITY,
    C_SECONDS, C_HOSTPORT, C_DELIM, C_COUNT, C_PREFER, C_FORMAT, C_CIPHER,
    C_FPR };

struct cparam {
	const char	*name;
	enum ctype	 type;
	size_t		 off;		/* in struct config */
	unsigned long long max;		/* C_COUNT: from 1 to max */
};

#define OFF(m)	offsetof(struct config, m)

static const struct cparam cparams[] = {
	{ "homedir",		C_PATH,		OFF(homedir), 0 },
	{ "default_policy",	C_POLICY,	OFF(default_policy), 0 },
	{ "policy_map",		C_PATH,		OFF(policy_map), 0 },
	{ "recipient_delimiter", C_DELIM,	OFF(recipient_delimiter), 0 },
	{ "decrypt",		C_BOOL,		OFF(decrypt), 0 },
	{ "sendmail",		C_PATH,		OFF(sendmail), 0 },
	{ "sign",		C_BOOL,		OFF(sign), 0 },
	{ "signer",		C_STR,		OFF(signer), 0 },
	{ "signer_map",		C_PATH,		OFF(signer_map), 0 },
	{ "passphrase_file",	C_PATH,		OFF(passphrase_file), 0 },
	{ "protect_headers",	C_BOOL,		OFF(protect_headers), 0 },
	{ "autocrypt",		C_BOOL,		OFF(autocrypt), 0 },
	{ "autocrypt_prefer_encrypt", C_PREFER,	OFF(autocrypt_mutual), 0 },
	{ "autocrypt_learn",	C_BOOL,		OFF(autocrypt_learn), 0 },
	{ "autocrypt_homedir",	C_PATH,		OFF(autocrypt_homedir), 0 },
	{ "log",		C_LOG,		OFF(log_stderr), 0 },
	{ "syslog_facility",	C_FACILITY,	OFF(facility), 0 },
	{ "gateway_id",		C_STR,		OFF(gateway_id), 0 },
	{ "timeout",		C_SECONDS,	OFF(timeout), 0 },
	{ "listen",		C_HOSTPORT,	OFF(listen), 0 },
	{ "reinject",		C_HOSTPORT,	OFF(reinject), 0 },
	{ "smtpd_user",		C_STR,		OFF(smtpd_user), 0 },
	{ "smtpd_workers",	C_COUNT,	OFF(smtpd_workers),
	    LIMIT_SMTPD_WORKERS },
	{ "smtpd_timeout",	C_SECONDS,	OFF(smtpd_timeout), 0 },
	{ "message_size_limit",	C_COUNT,	OFF(message_size_limit),
	    LIMIT_SMTPD_MESSAGE },
	{ "wkd",		C_BOOL,		OFF(wkd), 0 },
	{ "wkd_timeout",	C_SECONDS,	OFF(wkd_timeout), 0 },
	{ "smime",		C_BOOL,		OFF(smime), 0 },
	{ "format_preference",	C_FORMAT,	OFF(format_preference), 0 },
	{ "smime_cipher",	C_CIPHER,	OFF(smime_cipher), 0 },
	{ "smime_signer",	C_FPR,		OFF(smime_signer), 0 },
	{ NULL,			C_STR,		0, 0 }
};

static const struct {
	const char	*name;
	int		 value;
} facilities[] = {
	{ "mail", LOG_MAIL }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 }, { NULL, 0 }
};

static int	config_set(struct config *, const char *, const char *,
		    char *, size_t);
static int	config_hostport(const char *);
static void	config_defaults(struct config *);
static char	*config_trim(char *);
static int	config_continue(char *, size_t, const char *, unsigned long,
		    char *, size_t);

/* policy_name - for messages and --check */
const char *
policy_name(enum policy p)
{
	switch (p) {
	case POLICY_NONE:
		return "none";
	case POLICY_OPPORTUNISTIC:
		return "opportunistic";
	case POLICY_REQUIRE:
		return "require";
	}
	return "?";
}

/* format_name - see conf.h */
const char *
format_name(enum format f)
{
	return f == FORMAT_SMIME ? "smime" : "openpgp";
}

/* policy_parse - see conf.h */
int
policy_parse(const char *s, enum policy *p)
{
	if (strcmp(s, "require") == 0)
		*p = POLICY_REQUIRE;
	else if (strcmp(s, "opportunistic") == 0)
		*p = POLICY_OPPORTUNISTIC;
	else if (strcmp(s, "none") == 0)
		*p = POLICY_NONE;
	else
		return -1;
	return 0;
}

/* config_defaults - INTERFACE.md's defaults */
static void
config_defaults(struct config *c)
{
	char host[256];

	memset(c, 0, sizeof *c);
	c->default_policy = POLICY_OPPORTUNISTIC;
	c->sendmail = xstrdup("/usr/sbin/sendmail");
	c->recipient_delimiter = xstrdup("+");
	c->facility = LOG_MAIL;
	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	c->gateway_id = xstrdup(host);
	c->timeout = LIMIT_SECONDS;
	c->protect_headers = 1;
	c->listen = xstrdup("127.0.0.1:10025");
	c->reinject = xstrdup("127.0.0.1:10026");
	c->smtpd_workers = 20;
	c->smtpd_timeout = 300;
	c->message_size_limit = 104857600;
	c->wkd_timeout = WKD_TIMEOUT;
	c->smime = 1;
	c->format_preference = FORMAT_OPENPGP;
	c->smime_cipher = SMIME_AES256_CBC;
}

/* config_hostport - "ADDRESS:PORT" with a port from 1 to 65535 */
static int
config_hostport(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || colon == s)
		return -1;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	return errno != 0 || end == colon + 1 || *end != '\0' || port < 1 ||
	    port > 65535 ? -1 : 0;
}

/* config_count - a whole number from 1 to p->max */
static int
config_count(const struct cparam *p, const char *value,
    unsigned long long *out, char *err, size_t errsz)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || value[0] == '-' ||
	    v < 1 || v > p->max) {
		snprintf(err, errsz, "%s: \"%.200s\" is not a number from 1 "
		    "to %llu", p->name, value, p->max);
		return -1;
	}
	*out = v;
	return 0;
}

/* config_smime - the S/MIME names' values: format_preference,
 * smime_cipher and smime_signer (a certificate's SHA-1 fingerprint, as
 * gpgsm names it: 40 hex digits; empty for none) */
static int
config_smime(struct config *c, const struct cparam *p, const char *value,
    char *err, size_t errsz)
{
	size_t n = strlen(value);

	switch (p->type) {
	case C_FORMAT:
		if (strcmp(value, "openpgp") == 0)
			c->format_preference = FORMAT_OPENPGP;
		else if (strcmp(value, "smime") == 0)
			c->format_preference = FORMAT_SMIME;
		else {
			snprintf(err, errsz, "%s: \"%.200s\" is not openpgp or "
			    "smime", p->name, value);
			return -1;
		}
		return 0;
	case C_CIPHER:
		if (strcmp(value, "aes256-cbc") == 0) {
			c->smime_cipher = SMIME_AES256_CBC;
			return 0;
		}
		if (strcmp(value, "aes256-gcm") == 0)
			snprintf(err, errsz, "%s: aes256-gcm needs "
			    "AuthEnvelopedData, which gpgsm 2.2 cannot write; "
			    "use aes256-cbc", p->name);
		else
			snprintf(err, errsz, "%s: \"%.200s\" is not aes256-cbc",
			    p->name, value);
		return -1;
	default:
		if (n != 0 && (n != 40 || value[strspn(value,
		    "0123456789abcdefABCDEF")] != '\0')) {
			snprintf(err, errsz, "%s: \"%.200s\" is not a "
			    "certificate's fingerprint (40 hex digits)", p->name,
			    value);
			return -1;
		}
		free(c->smime_signer);
		c->smime_signer = n != 0 ? xstrdup(value) : NULL;
		return 0;
	}
}

/* config_set - one assignment; on a bad value err says why */
static int
config_set(struct config *c, const char *name, const char *value,
    char *err, size_t errsz)
{
	const struct cparam *p;
	char *base = (char *)c, **sp, *end;
	size_t i;
	long v;

	for (p = cparams; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			break;
	if (p->name == NULL) {
		snprintf(err, errsz, "unknown parameter \"%.64s\"", name);
		return -1;
	}
	switch (p->type) {
	case C_STR:
	case C_PATH:
	case C_HOSTPORT:
	case C_DELIM:
		if (p->type == C_DELIM && !addr_delimiters_valid(value)) {
			snprintf(err, errsz, "%s: \"%.200s\" is not a set of at "
			    "most %d characters that can end a local part",
			    name, value, LIMIT_DELIMITERS);
			return -1;
		}
		/* the marker field's value: a name, nothing a header could
		 * misread */
		if (strcmp(name, "gateway_id") == 0 && (value[0] == '\0' ||
		    strlen(value) > LIMIT_GATEWAY_ID ||
		    value[strspn(value, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")] != '\0')) {
			snprintf(err, errsz, "%s: \"%.200s\" is not a name of "
			    "at most %d letters, digits, '.', '-' and '_'", name,
			    value, LIMIT_GATEWAY_ID);
			return -1;
		}
		if (p->type == C_PATH && value[0] != '/' && value[0] != '\0') {
			snprintf(err, errsz, "%s: \"%.200s\" is not an absolute "
			    "path", name, value);
			return -1;
		}
		if (p->type == C_HOSTPORT && config_hostport(value) == -1) {
			snprintf(err, errsz, "%s: \"%.200s\" is not ADDRESS:PORT",
			    name, value);
			return -1;
		}
		sp = (char **)(void *)(base + p->off);
		free(*sp);
		*sp = value[0] != '\0' ? xstrdup(value) : NULL;
		return 0;
	case C_BOOL:
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0) {
			snprintf(err, errsz, "%s: \"%.200s\" is not yes or no",
			    name, value);
			return -1;
		}
		*(int *)(void *)(base + p->off) = strcmp(value, "yes") == 0;
		return 0;
	case C_POLICY:
		if (policy_parse(value, (enum policy *)(void *)(base +
		    p->off)) == -1) {
			snprintf(err, errsz, "%s: \"%.200s\" is not require, "
			    "opportunistic or none", name, value);
			return -1;
		}
		return 0;
	case C_LOG:
		if (strcmp(value, "syslog") != 0 &&
		    strcmp(value, "stderr") != 0) {
			snprintf(err, errsz, "%s: \"%.200s\" is not syslog or "
			    "stderr", name, value);
			return -1;
		}
		*(int *)(void *)(base + p->off) = strcmp(value, "stderr") == 0;
		return 0;
	case C_FACILITY:
		for (i = 0; facilities[i].name != NULL; i++)
			if (strcmp(facilities[i].name, value) == 0) {
				*(int *)(void *)(base + p->off) =
				    facilities[i].value;
				return 0;
			}
		snprintf(err, errsz, "%s: \"%.200s\" is not mail or local0 to "
		    "local7", name, value);
		return -1;
	case C_SECONDS:
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < 1 ||
		    v > 86400) {
			snprintf(err, errsz, "%s: \"%.200s\" is not a number of "
			    "seconds from 1 to 86400", name, value);
			return -1;
		}
		*(unsigned int *)(void *)(base + p->off) = (unsigned int)v;
		return 0;
	case C_COUNT:
		return config_count(p, value, (unsigned long long *)(void *)
		    (base + p->off), err, errsz);
	case C_PREFER:
		if (strcmp(value, "mutual") != 0 &&
		    strcmp(value, "nopreference") != 0) {
			snprintf(err, errsz, "%s: \"%.200s\" is not "
			    "nopreference or mutual", name, value);
			return -1;
		}
		*(int *)(void *)(base + p->off) = strcmp(value, "mutual") == 0;
		return 0;
	case C_FORMAT:
	case C_CIPHER:
	case C_FPR:
		return config_smime(c, p, value, err, errsz);
	}
	return -1;
}

/* config_trim - s without leading and trailing white space */
static char *
config_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

/* config_continue - append the continuation line cont (trimmed) to the
 * logical line that started on line start; -1 with why in what when cont
 * reads as a setting of its own, or the logical line grows too long */
static int
config_continue(char *logical, size_t size, const char *cont,
    unsigned long start, char *what, size_t whatsz)
{
	size_t n, name;

	name = strspn(cont, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (name > 0 && cont[name + strspn(cont + name, " \t")] == '=') {
		snprintf(what, whatsz, "\"%.64s\" starts with white space, so "
		    "it would continue the setting of line %lu; remove the "
		    "white space before it", cont, start);
		return -1;
	}
	n = strlen(logical);
	if (n + 1 + strlen(cont) >= size) {
		snprintf(what, whatsz, "value too long");
		return -1;
	}
	snprintf(logical + n, size - n, " %s", cont);
	return 0;
}

/* config_apply - one logical line (continuations joined) */
static int
config_apply(struct config *c, char *line, char *what, size_t whatsz)
{
	char *eq, *name, *value;

	if ((eq = strchr(line, '=')) == NULL) {
		snprintf(what, whatsz, "not \"name = value\"");
		return -1;
	}
	*eq = '\0';
	name = config_trim(line);
	value = config_trim(eq + 1);
	if (*name == '\0' || strpbrk(name, " \t") != NULL) {
		snprintf(what, whatsz, "not \"name = value\"");
		return -1;
	}
	return config_set(c, name, value, what, whatsz);
}

/* config_load - see conf.h */
int
config_load(struct config *c, const char *path, char *err, size_t errsz)
{
	char raw[CONFIG_LINE], logical[CONFIG_LINE], what[CONFIG_ERRLEN];
	unsigned long lineno = 0, start = 0;
	FILE *fp;
	int have = 0, r = 0;
	size_t n;

	config_defaults(c);
	if (path == NULL)
		path = CONFIG_DEFAULT_PATH;
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%.300s: %s", path, strerror(errno));
		return -1;
	}
	logical[0] = '\0';
	while (r == 0 && fgets(raw, sizeof raw, fp) != NULL) {
		lineno++;
		n = strlen(raw);
		if (n == sizeof raw - 1 && raw[n - 1] != '\n') {
			snprintf(err, errsz, "%.300s:%lu: line too long",
			    path, lineno);
			r = -1;
			break;
		}
		if (raw[0] == '#')
			continue;
		if (raw[0] == ' ' || raw[0] == '\t') {
			if (*config_trim(raw) == '\0' ||
			    config_trim(raw)[0] == '#')
				continue;
			if (!have) {
				snprintf(err, errsz, "%.300s:%lu: continuation "
				    "line without a parameter", path, lineno);
				r = -1;
				break;
			}
			if (config_continue(logical, sizeof logical,
			    config_trim(raw), start, what, sizeof what) == -1) {
				snprintf(err, errsz, "%.300s:%lu: %s", path,
				    lineno, what);
				r = -1;
				break;
			}
			continue;
		}
		if (have && config_apply(c, logical, what, sizeof what) == -1) {
			snprintf(err, errsz, "%.300s:%lu: %s", path, start, what);
			r = -1;
			break;
		}
		have = 0;
		if (*config_trim(raw) == '\0')
			continue;
		snprintf(logical, sizeof logical, "%s", config_trim(raw));
		have = 1;
		start = lineno;
	}
	if (r == 0 && ferror(fp)) {
		snprintf(err, errsz, "%.300s: %s", path, strerror(errno));
		r = -1;
	}
	if (r == 0 && have && config_apply(c, logical, what, sizeof what) == -1) {
		snprintf(err, errsz, "%.300s:%lu: %s", path, start, what);
		r = -1;
	}
	fclose(fp);
	if (r == 0 && c->sign && c->signer == NULL && c->signer_map == NULL) {
		snprintf(err, errsz, "%.300s: sign = yes needs a signer or a "
		    "signer_map", path);
		r = -1;
	}
	if (r == 0 && c->autocrypt_learn && !c->decrypt) {
		snprintf(err, errsz, "%.300s: autocrypt_learn = yes needs "
		    "decrypt = yes", path);
		r = -1;
	}
	if (r == 0 && c->autocrypt_learn && c->autocrypt_homedir == NULL &&
	    (c->autocrypt_homedir = autocrypt_home(NULL, c->homedir)) ==
	    NULL) {
		snprintf(err, errsz, "%.300s: autocrypt_learn = yes needs "
		    "autocrypt_homedir", path);
		r = -1;
	}
	if (r == 0 && c->sendmail == NULL) {
		snprintf(err, errsz, "%.300s: sendmail needs a path", path);
		r = -1;
	}
	return r;
}

/* config_free - release what config_load allocated */
void
config_free(struct config *c)
{
	free(c->homedir);
	free(c->policy_map);
	free(c->recipient_delimiter);
	free(c->sendmail);
	free(c->signer);
	free(c->signer_map);
	free(c->passphrase_file);
	free(c->autocrypt_homedir);
	free(c->gateway_id);
	free(c->listen);
	free(c->reinject);
	free(c->smtpd_user);
	free(c->smime_signer);
	memset(c, 0, sizeof *c);
}

/* config_print - see conf.h */
void
config_print(const struct config *c, FILE *fp)
{
	const char *fac = "mail";
	size_t i;

	for (i = 0; facilities[i].name != NULL; i++)
		if (facilities[i].value == c->facility)
			fac = facilities[i].name;
	fprintf(fp, "homedir = %s\n", c->homedir != NULL ? c->homedir : "");
	fprintf(fp, "default_policy = %s\n", policy_name(c->default_policy));
	fprintf(fp, "policy_map = %s\n",
	    c->policy_map != NULL ? c->policy_map : "");
	fprintf(fp, "recipient_delimiter = %s\n",
	    c->recipient_delimiter != NULL ? c->recipient_delimiter : "");
	fprintf(fp, "decrypt = %s\n", c->decrypt ? "yes" : "no");
	fprintf(fp, "sendmail = %s\n", c->sendmail != NULL ? c->sendmail : "");
	fprintf(fp, "sign = %s\n", c->sign ? "yes" : "no");
	fprintf(fp, "signer = %s\n", c->signer != NULL ? c->signer : "");
	fprintf(fp, "signer_map = %s\n",
	    c->signer_map != NULL ? c->signer_map : "");
	fprintf(fp, "passphrase_file = %s\n",
	    c->passphrase_file != NULL ? c->passphrase_file : "");
	fprintf(fp, "protect_headers = %s\n",
	    c->protect_headers ? "yes" : "no");
	fprintf(fp, "autocrypt = %s\n", c->autocrypt ? "yes" : "no");
	fprintf(fp, "autocrypt_prefer_encrypt = %s\n",
	    c->autocrypt_mutual ? "mutual" : "nopreference");
	fprintf(fp, "autocrypt_learn = %s\n", c->autocrypt_learn ? "yes" : "no");
	fprintf(fp, "autocrypt_homedir = %s\n",
	    c->autocrypt_homedir != NULL ? c->autocrypt_homedir : "");
	fprintf(fp, "log = %s\n", c->log_stderr ? "stderr" : "syslog");
	fprintf(fp, "syslog_facility = %s\n", fac);
	fprintf(fp, "gateway_id = %s\n", c->gateway_id);
	fprintf(fp, "timeout = %u\n", c->timeout);
	fprintf(fp, "listen = %s\n", c->listen != NULL ? c->listen : "");
	fprintf(fp, "reinject = %s\n", c->reinject != NULL ? c->reinject : "");
	fprintf(fp, "smtpd_user = %s\n",
	    c->smtpd_user != NULL ? c->smtpd_user : "");
	fprintf(fp, "smtpd_workers = %llu\n", c->smtpd_workers);
	fprintf(fp, "smtpd_timeout = %u\n", c->smtpd_timeout);
	fprintf(fp, "message_size_limit = %llu\n", c->message_size_limit);
	fprintf(fp, "wkd = %s\n", c->wkd ? "yes" : "no");
	fprintf(fp, "wkd_timeout = %u\n", c->wkd_timeout);
	fprintf(fp, "smime = %s\n", c->smime ? "yes" : "no");
	fprintf(fp, "format_preference = %s\n",
	    format_name(c->format_preference));
	fprintf(fp, "smime_cipher = aes256-cbc\n");
	fprintf(fp, "smime_signer = %s\n",
	    c->smime_signer != NULL ? c->smime_signer : "");
}

/* config_owner - a user's name for messages */
static const char *
config_owner(uid_t uid, char *buf, size_t sz)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL)
		snprintf(buf, sz, "%s", pw->pw_name);
	else
		snprintf(buf, sz, "uid %lu", (unsigned long)uid);
	return buf;
}

/* config_trust_one - one file or directory: owner and write bits; a
 * sticky directory is writable enough to add what is not there yet, so
 * it passes only above the path (above), never as the path itself or
 * as the directory a missing path would be made in */
static int
config_trust_one(const char *p, const struct stat *st, const char *what,
    int above, char *err, size_t errsz)
{
	char who[64], me[64];
	int sticky = above && S_ISDIR(st->st_mode) &&
	    (st->st_mode & S_ISVTX);

	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		snprintf(err, errsz, "%.300s: %s belongs to %s, not to root%s%s "
		    "(run mailseal as that user, or chown)", p, what,
		    config_owner(st->st_uid, who, sizeof who),
		    geteuid() == 0 ? "" : " or ", geteuid() == 0 ? "" :
		    config_owner(geteuid(), me, sizeof me));
		return -1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky) {
		snprintf(err, errsz, "%.300s: %s is writable by %s (chmod "
		    "go-w)", p, what, st->st_mode & S_IWOTH ? "everybody" :
		    "its group");
		return -1;
	}
	return 0;
}

/* config_trust_chain - p (absolute) and each directory above it */
static int
config_trust_chain(const char *p, const char *what, char *err, size_t errsz)
{
	char buf[PATH_MAX], label[128], *slash;
	struct stat st;
	int self = 1, seen = 0;

	if (snprintf(buf, sizeof buf, "%s", p) >= (int)sizeof buf) {
		snprintf(err, errsz, "%.300s: path too long", p);
		return -1;
	}
	for (;; self = 0) {
		if (stat(buf, &st) == 0) {
			snprintf(label, sizeof label, "%s%s", self ? "" :
			    "a directory above ", what);
			if (config_trust_one(buf, &st, label, seen, err,
			    errsz) == -1)
				return -1;
			seen = 1;
		} else if (errno != ENOENT || seen) {
			/* a path that does not exist is judged by its
			 * nearest directory that does */
			snprintf(err, errsz, "%.300s: %s", buf, strerror(errno));
			return -1;
		}
		if (strcmp(buf, "/") == 0)
			return 0;
		if ((slash = strrchr(buf, '/')) == NULL)
			return 0;
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* config_trusted - see conf.h */
int
config_trusted(const char *path, const char *what, char *err, size_t errsz)
{
	char real[PATH_MAX];

	if (path[0] == '/' && config_trust_chain(path, what, err, errsz) == -1)
		return -1;
	if (realpath(path, real) == NULL) {
		if (errno == ENOENT && path[0] == '/')
			return 0;	/* checked as given above */
		snprintf(err, errsz, "%.300s: %s", path, strerror(errno));
		return -1;
	}
	return config_trust_chain(real, what, err, errsz);
}

/* config_homedir - see conf.h */
char *
config_homedir(const struct config *c)
{
	const char *h = getenv("HOME"), *g = getenv("GNUPGHOME");
	struct passwd *pw;
	char buf[PATH_MAX];

	if (c->homedir != NULL)
		return xstrdup(c->homedir);
	if (g != NULL && *g != '\0')
		return xstrdup(g);
	if ((h == NULL || *h == '\0') && (pw = getpwuid(geteuid())) != NULL)
		h = pw->pw_dir;
	if (h == NULL || *h == '\0' ||
	    snprintf(buf, sizeof buf, "%s/.gnupg", h) >= (int)sizeof buf)
		return NULL;
	return xstrdup(buf);
}
