/*
 * log.c - diagnostics on standard error, and the gateway's log.
 *
 * Every message is one line, prefixed with the program name, so an MTA
 * that copies the first line of a filter's stderr into a DSN (Postfix
 * pipe(8)) shows something useful.  Untrusted bytes are escaped by the
 * callers with log_escape() before they get here.  log_panic() is for
 * broken invariants only; it exits with EX_TEMPFAIL so the MTA retries
 * rather than bounces.  The filter opens syslog (log_syslog()): its
 * one line per message (log_info()) goes there, and problems go to both,
 * since pipe(8) puts stderr in the delivery status and syslog is where
 * a postmaster reads.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>

#include "log.h"
#include "outcome.h"

static const char *log_progname = "mailseal";
static int log_verbose;
static int log_tosyslog;
static void (*log_panic_hook)(void);

static void	log_vemit(int, const char *, va_list) LOG_PRINTF(2, 0);

/* log_init - set the name that prefixes every line */
void
log_init(const char *progname)
{
	const char *p;

	if (progname != NULL && (p = strrchr(progname, '/')) != NULL)
		progname = p + 1;
	if (progname != NULL && *progname != '\0')
		log_progname = progname;
}

/* log_setverbose - enable log_debug() output */
void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

/* log_syslog - also log to syslog, with this facility */
void
log_syslog(int facility)
{
	openlog(log_progname, LOG_PID, facility);
	log_tosyslog = 1;
}

/* log_info - the gateway's line per message: syslog when it is open,
 * else standard error */
void
log_info(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	if (log_tosyslog)
		vsyslog(LOG_INFO, fmt, ap);
	else {
		fprintf(stderr, "%s: ", log_progname);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
	}
	va_end(ap);
	errno = saved;
}

/* log_dsn - a refusal whose first word is the RFC 3463 status code of
 * the outcome (outcome.c's table), which Postfix's pipe(8) takes into
 * the bounce or deferral */
void
log_dsn(enum outcome o, const char *fmt, ...)
{
	const char *code = outcome_info(o)->dsn;
	char line[1024];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (log_tosyslog)
		syslog(LOG_WARNING, "%s", line);
	fprintf(stderr, "%s %s: %s\n", code, log_progname, line);
	fflush(stderr);
	errno = saved;
}

static void
log_vemit(int errnum, const char *fmt, va_list ap)
{
	char line[1024];
	int saved = errno;
	va_list aq;

	if (log_tosyslog) {
		va_copy(aq, ap);
		vsnprintf(line, sizeof line, fmt, aq);
		va_end(aq);
		if (errnum != 0)
			syslog(LOG_WARNING, "%s: %s", line, strerror(errnum));
		else
			syslog(LOG_WARNING, "%s", line);
	}
	fprintf(stderr, "%s: ", log_progname);
	vfprintf(stderr, fmt, ap);
	if (errnum != 0)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
	fflush(stderr);
	errno = saved;
}

/* log_warnx - report a problem */
void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(0, fmt, ap);
	va_end(ap);
}

/* log_warn - report a problem, with strerror(errno) appended */
void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int errnum = errno;

	va_start(ap, fmt);
	log_vemit(errnum, fmt, ap);
	va_end(ap);
}

/* log_debug - report progress, only with -v */
void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vemit(0, fmt, ap);
	va_end(ap);
}

/* log_on_panic - a function log_panic() runs before exiting (it must
 * be async-signal-safe: it removes spool files) */
void
log_on_panic(void (*hook)(void))
{
	log_panic_hook = hook;
}

/* log_panic - a broken invariant or no memory: say so, and exit with
 * EX_TEMPFAIL so the MTA keeps the mail and retries.  Output is spooled,
 * so nothing half-written has escaped. */
void
log_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(0, fmt, ap);
	va_end(ap);
	if (log_panic_hook != NULL)
		log_panic_hook();
	_Exit(EX_TEMPFAIL);
}

/* log_escape_set - copy s into buf with every byte outside printable
 * ASCII, the backslash and (space set) the space written as \ooo,
 * truncated with "..." to fit */
static const char *
log_escape_set(const char *s, char *buf, size_t bufsz, int space)
{
	size_t o = 0;
	int n;

	if (bufsz < 8)
		return "";
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (o + 8 >= bufsz) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		if (c < 32 || c > 126 || c == '\\' || (space && c == ' ')) {
			n = snprintf(buf + o, bufsz - o, "\\%03o", c);
			if (n < 0 || (size_t)n >= bufsz - o)
				break;
			o += (size_t)n;
		} else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

/* log_escape - copy s into buf with every byte outside printable ASCII
 * (and the backslash) written as \ooo, so untrusted text cannot forge
 * log lines or terminal escapes; truncated with "..." to fit */
const char *
log_escape(const char *s, char *buf, size_t bufsz)
{
	return log_escape_set(s, buf, bufsz, 0);
}

/* log_escape_word - log_escape, and the space too: a value in a line of
 * words (key=value ...) stays one word, so an address such as
 * "x action=encrypt"@example.org cannot add words of its own */
const char *
log_escape_word(const char *s, char *buf, size_t bufsz)
{
	return log_escape_set(s, buf, bufsz, 1);
}
