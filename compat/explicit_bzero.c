/* explicit_bzero - memset that the compiler may not remove */
#include <config.h>
#include <string.h>
#include "../src/compat.h"

static void *(*volatile explicit_memset)(void *, int, size_t) = memset;

void
explicit_bzero(void *p, size_t n)
{
	explicit_memset(p, 0, n);
}
