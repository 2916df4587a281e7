/*
 * fuzz_addr.c - libFuzzer harness: address fields (addr.c over
 * libetpan's mailimf), given one unfolded field value as filter and
 * encrypt do.  Checks the limits addr.c promises on what it returns.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"
#include "limit.h"

/* fuzz_each - what callers do with each address found */
static void
fuzz_each(const struct addrlist *l, enum addr_err e)
{
	size_t i;
	char *u;

	if (e == ADDR_OK && l->n > LIMIT_RECIPIENTS)
		abort();
	for (i = 0; i < l->n; i++) {
		if (e == ADDR_OK && strlen(l->v[i]) > LIMIT_ADDR_SPEC)
			abort();
		(void)addr_spec_valid(l->v[i]);
		(void)addr_equal(l->v[i], l->v[0]);
		if ((u = addr_untag(l->v[i])) != NULL) {
			(void)addrlist_has(l, u);
			free(u);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addrlist l = { NULL, 0 };
	enum addr_err e;
	char *s, *one = NULL;

	if (size > LIMIT_HEADER_FIELD)
		return 0;
	s = fuzz_string(data, size);
	e = addr_list_parse(s, strlen(s), &l);
	(void)addr_strerror(e);
	fuzz_each(&l, e);
	addrlist_free(&l);
	if (addr_mailbox_parse(s, &one) == ADDR_OK && one == NULL)
		abort();
	free(one);
	free(s);
	return 0;
}
