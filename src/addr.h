/*
 * addr.h - addr-specs out of RFC 5322 address fields.
 */
#ifndef MAILSEAL_ADDR_H
#define MAILSEAL_ADDR_H

#include <stddef.h>

struct addrlist {
	char	**v;
	size_t	  n;
};

enum addr_err {
	ADDR_OK = 0,
	ADDR_SYNTAX,		/* not an address list */
	ADDR_DEPTH,		/* comments nested deeper than LIMIT_COMMENT_DEPTH */
	ADDR_SPEC,		/* an addr-spec without local part, '@' or domain */
	ADDR_LONG,		/* an addr-spec over LIMIT_ADDR_SPEC */
	ADDR_COUNT		/* more than LIMIT_RECIPIENTS addresses */
};

/* addr_list_parse - append the addr-spec of every mailbox in the
 * address-list value (groups included) to list.  The value may be
 * folded.  Returns ADDR_OK or why it is not a valid list; on error the
 * list may hold some of the addresses. */
enum addr_err	 addr_list_parse(const char *, size_t, struct addrlist *);

/* addr_mailbox_parse - the addr-spec of a value holding exactly one
 * mailbox ("bob@example.org" or "Bob <bob@example.org>"); the result is
 * allocated, the caller frees it. */
enum addr_err	 addr_mailbox_parse(const char *, char **);

const char	*addr_strerror(enum addr_err);

/* addr_spec_valid - a plausible addr-spec: local@domain, no specials */
int		 addr_spec_valid(const char *);

/* addr_equal - same address, compared without regard to ASCII case */
int		 addr_equal(const char *, const char *);

/* addr_untag - "user+tag@domain" -> allocated "user@domain", or NULL
 * when the address has no tag: the local part is cut at the first of
 * the recipient delimiters (addr_delimiters_set; "+" until then), as
 * Postfix's recipient_delimiter does */
char		*addr_untag(const char *);

/* addr_delimiters_set - the recipient delimiters: a set of characters,
 * "" for none; -1 (and no change) when one cannot be a delimiter */
int		 addr_delimiters_set(const char *);

/* addr_delimiters_valid - can every character of d be a recipient
 * delimiter (printable ASCII, not '@', a quote, a bracket or another
 * character that ends an addr-spec), and are there at most
 * LIMIT_DELIMITERS? */
int		 addr_delimiters_valid(const char *);

/* addr_canon - the one spelling of an addr-spec that the policy map and
 * key matching compare (allocated): the domain without a trailing root
 * dot, as IDNA A-labels, lower case (TR46 mapping); an address literal
 * as inet_ntop(3) writes it; the local part unquoted when it needs no
 * quotes, and lower case, non-ASCII letters included */
char		*addr_canon(const char *);

/* addr_domain_canon - a domain (or [address literal]) as addr_canon
 * writes it, allocated in *out; -1 when it is neither a valid domain
 * name nor a valid literal (*out then holds it in lower case) */
int		 addr_domain_canon(const char *, char **);

/* addr_domain_unicode - the canonical domain (addr_domain_canon) with
 * its A-labels as U-labels (allocated), or NULL when it has none */
char		*addr_domain_unicode(const char *);

/* addr_same - the same address once both are canonical (addr_canon) */
int		 addr_same(const char *, const char *);

/* A set of addresses, kept canonical and sorted: membership costs
 * O(log n) (a header may show 150000 addresses). */
struct addrset {
	char	**v;
	size_t	  n;
};

/* addrset_build - the set of the list's addresses (canonical, sorted,
 * no duplicates) */
void		 addrset_build(struct addrset *, const struct addrlist *);
int		 addrset_has(const struct addrset *, const char *);
void		 addrset_free(struct addrset *);

void		 addrlist_add(struct addrlist *, const char *);
int		 addrlist_has(const struct addrlist *, const char *);
void		 addrlist_free(struct addrlist *);

#endif
