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
 * when the address has no +tag */
char		*addr_untag(const char *);

void		 addrlist_add(struct addrlist *, const char *);
int		 addrlist_has(const struct addrlist *, const char *);
void		 addrlist_free(struct addrlist *);

#endif
