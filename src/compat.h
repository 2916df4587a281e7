/*
 * compat.h - prototypes of the functions compat/ supplies where libc
 * lacks them (configure's AC_REPLACE_FUNCS decides).
 */
#ifndef MAILSEAL_COMPAT_H
#define MAILSEAL_COMPAT_H

#include <stddef.h>

#ifndef HAVE_REALLOCARRAY
void	*reallocarray(void *, size_t, size_t);
#endif

#endif
