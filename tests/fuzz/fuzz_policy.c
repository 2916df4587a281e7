/*
 * fuzz_policy.c - libFuzzer harness: the policy map (policy.c).  Loads
 * the bytes as a map, then looks up each key it read, spelled as an
 * address, a tagged address and a subdomain, and a few fixed addresses.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"
#include "policy.h"

/* fuzz_lookup - look addr up; the entry that decided must be in m */
static void
fuzz_lookup(const struct policy_map *m, const char *addr)
{
	const struct policy_entry *e;
	enum policy p;

	p = policy_lookup(m, addr, POLICY_OPPORTUNISTIC, &e);
	if (e != NULL && (e < m->v || e >= m->v + m->n || e->policy != p))
		abort();
}

/* fuzz_spellings - addresses that a map entry key should decide */
static void
fuzz_spellings(const struct policy_map *m, const char *key)
{
	static const char *fmt[] = { "%s", "u@%s", "u+t@%s", "u@a.%s",
	    "u@a%s" };
	char buf[1024];
	size_t i;
	int r;

	for (i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
		r = snprintf(buf, sizeof buf, fmt[i], key);
		if (r >= 0 && (size_t)r < sizeof buf)
			fuzz_lookup(m, buf);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *fixed[] = { "alice@example.org",
	    "bob+tag@sub.example.org", "@", "x@", "@.", "a@b.c.d.e.f" };
	struct policy_map m;
	char err[CONFIG_ERRLEN];
	size_t i;

	err[0] = '\0';
	if (policy_map_load(&m, fuzz_path(data, size), err, sizeof err) == 0) {
		for (i = 0; i < m.n && i < 64; i++)
			fuzz_spellings(&m, m.v[i].key);
		for (i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
			fuzz_lookup(&m, fixed[i]);
	} else if (err[0] == '\0')
		abort();
	policy_map_free(&m);
	return 0;
}
