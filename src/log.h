/*
 * log.h - diagnostics on standard error, one line each.
 */
#ifndef MAILSEAL_LOG_H
#define MAILSEAL_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "outcome.h"

#define LOG_PRINTF(a, b)	__attribute__((__format__(__printf__, a, b)))

void	log_init(const char *);
void	log_setverbose(int);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	log_syslog(int);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_dsn(enum outcome, const char *, ...) LOG_PRINTF(2, 3);
void	log_on_panic(void (*)(void));
/* log_escape - untrusted bytes made printable (\\ooo), in buf */
const char *log_escape(const char *, char *, size_t);
/* log_escape_word - log_escape, and the space as \040 too */
const char *log_escape_word(const char *, char *, size_t);
__attribute__((__noreturn__))
void	log_panic(const char *, ...) LOG_PRINTF(1, 2);

#endif
