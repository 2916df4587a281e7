/*
 * xmalloc.c - allocation that exits with EX_TEMPFAIL on failure.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"
#include "log.h"
#include "xmalloc.h"

/* xmalloc - malloc or die with EX_TEMPFAIL; returns allocated memory */
void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		size = 1;
	if ((p = malloc(size)) == NULL)
		log_panic("out of memory (%zu bytes)", size);
	return p;
}

/* xcalloc - calloc or die */
void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		log_panic("out of memory (%zu * %zu bytes)", nmemb, size);
	return p;
}

/* xreallocarray - overflow-checked realloc or die */
void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = reallocarray(ptr, nmemb, size)) == NULL)
		log_panic("out of memory (%zu * %zu bytes)", nmemb, size);
	return p;
}

/* xappend - see xmalloc.h */
void *
xappend(void *ptr, size_t n, size_t size)
{
	if (n != 0 && (n & (n - 1)) != 0)
		return ptr;	/* a power of two was reached before */
	return xreallocarray(ptr, n == 0 ? 1 : n, 2 * size);
}

/* xstrdup - strdup or die; caller frees with free() */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* xstrndup - copy at most len bytes and a NUL; caller frees */
char *
xstrndup(const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		log_panic("xstrndup: length overflow");
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
