/*
 * policy.h - the policy map: which recipients must, may or must not get
 * encrypted mail.
 */
#ifndef MAILSEAL_POLICY_H
#define MAILSEAL_POLICY_H

#include <stddef.h>

#include "conf.h"

struct policy_entry {
	char		*key;		/* lower case: addr, domain or .domain */
	enum policy	 policy;
	char		*value;		/* a value map's second column, as
					 * written; NULL in a policy map */
	unsigned long	 line;
};

struct policy_map {
	char			*path;
	struct policy_entry	*v;		/* in the file's order */
	size_t			 n;
	const struct policy_entry **sorted;	/* by key, then line */
};

/* policy_map_load - read the map at path; on error, -1 with err holding
 * "FILE:LINE: what" */
int		 policy_map_load(struct policy_map *, const char *, char *,
		    size_t);
void		 policy_map_free(struct policy_map *);

/* policy_map_load_values - the same file syntax, keys and lookups, but
 * "KEY VALUE" lines whose VALUE (one word) is kept as it is in each
 * entry's value: signer_map's signing keys (mailseal.conf(5)) */
int		 policy_map_load_values(struct policy_map *, const char *,
		    char *, size_t);

/* policy_lookup - the policy of addr, canonical (addr_canon) as the
 * keys are: the address, the address without its tag (addr_untag), its
 * domain, ".parent" entries from the nearest, else dflt.  *entry is the
 * entry that decided, or NULL for dflt. */
enum policy	 policy_lookup(const struct policy_map *, const char *,
		    enum policy, const struct policy_entry **);

#endif
