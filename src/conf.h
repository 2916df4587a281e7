/*
 * conf.h - mailseal.conf(5): the gateway's configuration.
 */
#ifndef MAILSEAL_CONF_H
#define MAILSEAL_CONF_H

#include <stdio.h>

#define CONFIG_DEFAULT_PATH	"/etc/mailseal/mailseal.conf"
#define CONFIG_ERRLEN		512

enum policy {
	POLICY_NONE,		/* never encrypt */
	POLICY_OPPORTUNISTIC,	/* encrypt when a usable key exists */
	POLICY_REQUIRE		/* encrypt, or refuse the recipient */
};

struct config {
	char		*homedir;	/* NULL: $GNUPGHOME or ~/.gnupg */
	enum policy	 default_policy;
	char		*policy_map;	/* NULL: none */
	char		*recipient_delimiter;	/* NULL: none */
	int		 decrypt;
	char		*sendmail;
	int		 sign;
	char		*signer;
	int		 log_stderr;	/* log = stderr */
	int		 facility;	/* syslog facility */
	char		*gateway_id;
	unsigned int	 timeout;	/* seconds */
	char		*listen;
	char		*reinject;
};

/* config_load - defaults, then the file at path (NULL: the default
 * path).  On error, -1 with err holding "FILE:LINE: what" (or "FILE:
 * why" when it cannot be read). */
int		 config_load(struct config *, const char *, char *, size_t);
void		 config_free(struct config *);

/* config_print - every parameter as "name = value" */
void		 config_print(const struct config *, FILE *);

const char	*policy_name(enum policy);

/* policy_parse - "require", "opportunistic" or "none"; -1 otherwise */
int		 policy_parse(const char *, enum policy *);

#endif
