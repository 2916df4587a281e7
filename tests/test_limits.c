/*
 * test_limits.c - each header limit: just under passes, just over is
 * refused with its own error.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "input.h"
#include "limit.h"
#include "rfc5322.h"
#include "testutil.h"

static enum rfc5322_err
parse_buf(const char *msg, size_t len)
{
	struct rfc5322_header h;
	struct input *in = tu_input(msg, len);
	enum rfc5322_err e = rfc5322_read(in, &h);

	rfc5322_free(&h);
	input_close(in);
	return e;
}

/* a message whose first header line is exactly n bytes, newline included */
static enum rfc5322_err
line_of(size_t n)
{
	char *s = tu_repeat('a', n + 8);
	enum rfc5322_err e;

	memcpy(s, "X-Long: ", 8);
	s[n - 1] = '\n';
	memcpy(s + n, "\nbody\n\0", 7);
	e = parse_buf(s, n + 6);
	free(s);
	return e;
}

Test(limits, header_line)
{
	cr_expect_eq(line_of(LIMIT_HEADER_LINE), RFC5322_OK);
	cr_expect_eq(line_of(LIMIT_HEADER_LINE + 1), RFC5322_LINE);
}

/* one field folded over lines of 1000 bytes until it is n bytes */
static enum rfc5322_err
field_of(size_t n)
{
	char *s = malloc(n + 16), *p = s;
	size_t left;
	enum rfc5322_err e;

	p += sprintf(p, "X-Folded: x");
	left = n - (size_t)(p - s);
	while (left > 0) {
		size_t chunk = left > 1000 ? 1000 : left;
		if (chunk < 2) {	/* make the previous line longer */
			p[-1] = 'y';
			*p++ = '\n';
			left--;
			continue;
		}
		memset(p, 'z', chunk);
		p[chunk - 1] = '\n';
		if (p != s + 11)
			p[0] = '\t';
		p += chunk;
		left -= chunk;
	}
	memcpy(p, "\nbody\n", 6);
	e = parse_buf(s, (size_t)(p - s) + 6);
	free(s);
	return e;
}

Test(limits, header_field)
{
	cr_expect_eq(field_of(LIMIT_HEADER_FIELD), RFC5322_OK);
	cr_expect_eq(field_of(LIMIT_HEADER_FIELD + 1), RFC5322_FIELD);
}

/* count fields of about size bytes each */
static enum rfc5322_err
fields_of(size_t count, size_t size)
{
	char *s = malloc(count * size + 16), *p = s;
	size_t i;
	enum rfc5322_err e;

	for (i = 0; i < count; i++) {
		int n = sprintf(p, "X-F%zu: ", i);
		memset(p + n, 'v', size - (size_t)n - 1);
		p[size - 1] = '\n';
		p += size;
	}
	memcpy(p, "\nbody\n", 6);
	e = parse_buf(s, (size_t)(p - s) + 6);
	free(s);
	return e;
}

Test(limits, header_fields_count)
{
	cr_expect_eq(fields_of(LIMIT_HEADER_FIELDS, 20), RFC5322_OK);
	cr_expect_eq(fields_of(LIMIT_HEADER_FIELDS + 1, 20), RFC5322_COUNT);
}

Test(limits, header_block)
{
	size_t size = LIMIT_HEADER_BLOCK / 1000;	/* 1000 fields */

	cr_expect_eq(fields_of(1000, size), RFC5322_OK);
	cr_expect_eq(fields_of(1001, size), RFC5322_BLOCK);
}

Test(limits, errors_have_distinct_messages)
{
	const char *a = rfc5322_strerror(RFC5322_LINE);
	const char *b = rfc5322_strerror(RFC5322_FIELD);
	const char *c = rfc5322_strerror(RFC5322_BLOCK);
	const char *d = rfc5322_strerror(RFC5322_COUNT);

	cr_expect_str_neq(a, b);
	cr_expect_str_neq(b, c);
	cr_expect_str_neq(c, d);
	cr_expect(strstr(a, "LIMIT_HEADER_LINE") != NULL);
}
