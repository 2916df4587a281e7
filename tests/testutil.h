/*
 * testutil.h - helpers shared by the Criterion unit tests.
 */
#ifndef MAILSEAL_TESTUTIL_H
#define MAILSEAL_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "input.h"

/* tu_input - an input that reads exactly len bytes of s */
static inline struct input *
tu_input(const void *s, size_t len)
{
	char path[] = "/tmp/mailseal-test.XXXXXX";
	struct input *in;
	int fd = mkstemp(path);

	cr_assert(fd != -1, "mkstemp");
	cr_assert(write(fd, s, len) == (ssize_t)len, "write");
	close(fd);
	cr_assert(input_open(&in, path) == 0, "input_open");
	unlink(path);
	return in;
}

/* tu_readall - the rest of the input, as an allocated string */
static inline char *
tu_readall(struct input *in, size_t *lenp)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	for (;;) {
		if (len + 1024 > cap)
			buf = realloc(buf, cap *= 2);
		n = input_read(in, buf + len, cap - len - 1);
		cr_assert(n >= 0, "input_read");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* tu_repeat - an allocated string of n copies of c */
static inline char *
tu_repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

#endif
