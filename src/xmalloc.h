/*
 * xmalloc.h - allocation that cannot fail.
 *
 * Out of memory is a temporary condition for a mail filter: these
 * functions report it and exit with EX_TEMPFAIL (75), so the MTA keeps
 * the message and retries.  Nothing has been written to the output at
 * that point (output is spooled), so no half message escapes.
 */
#ifndef MAILSEAL_XMALLOC_H
#define MAILSEAL_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
/* xappend - room for element n of an array that holds n elements and
 * only ever grows by one through xappend: its size doubles at 0 and at
 * every power of two, so n appends cost O(n), not O(n^2) copies */
void	*xappend(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

#endif
