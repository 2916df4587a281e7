/*
 * fuzz_addr.c - libFuzzer harness: address fields (addr.c over
 * libetpan's mailimf), given one unfolded field value as filter and
 * encrypt do, then the one spelling the policy map and key matching
 * compare (addr_canon) and the sorted set filter looks To/Cc up in.
 * Checks the limits addr.c promises on what it returns, that the
 * canonical spelling of a canonical spelling is itself, and that every
 * address is found in the set built from its list.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fuzz.h"
#include "limit.h"

/* fuzz_canon - the canonical spelling is a fixed point, the same
 * address as the one given, and its domain canonical too */
static void
fuzz_canon(const char *a)
{
	char *c, *cc, *d;
	const char *at;

	c = addr_canon(a);
	cc = addr_canon(c);
	if (strcmp(c, cc) != 0 || !addr_same(a, c))
		abort();
	if ((at = strrchr(c, '@')) != NULL) {
		(void)addr_domain_canon(at + 1, &d);
		free(d);
		free(addr_domain_unicode(at + 1));
	}
	free(cc);
	free(c);
}

/* fuzz_each - what callers do with each address found */
static void
fuzz_each(const struct addrlist *l, enum addr_err e)
{
	struct addrset set;
	size_t i;
	char *u;

	if (e == ADDR_OK && l->n > LIMIT_RECIPIENTS)
		abort();
	addrset_build(&set, l);
	for (i = 0; i < l->n; i++) {
		if (e == ADDR_OK && strlen(l->v[i]) > LIMIT_ADDR_SPEC)
			abort();
		if (!addrset_has(&set, l->v[i]))
			abort();
		fuzz_canon(l->v[i]);
		(void)addr_spec_valid(l->v[i]);
		(void)addr_equal(l->v[i], l->v[0]);
		if ((u = addr_untag(l->v[i])) != NULL) {
			(void)addrlist_has(l, u);
			free(u);
		}
	}
	addrset_free(&set);
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
