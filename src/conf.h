/*
 * conf.h - mailseal.conf(5): the gateway's configuration.
 */
#ifndef MAILSEAL_CONF_H
#define MAILSEAL_CONF_H

#include <stdio.h>

#define CONFIG_DEFAULT_PATH	"/etc/mailseal/mailseal.conf"
#define CONFIG_ERRLEN		512

/* the format used for a recipient with both an OpenPGP key and a
 * certificate (format_preference) */
enum format {
	FORMAT_OPENPGP,		/* PGP/MIME, RFC 3156 */
	FORMAT_SMIME		/* S/MIME, RFC 8551 */
};

/* S/MIME content encryption (smime_cipher): gpgsm 2.2 writes only CBC
 * EnvelopedData, so AES-256-CBC is the one value accepted */
enum smime_cipher {
	SMIME_AES256_CBC
};

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
	char		*signer_map;	/* NULL: none */
	char		*passphrase_file;	/* NULL: the agent's */
	int		 protect_headers;	/* RFC 9788 header protection */
	int		 autocrypt;	/* the Autocrypt field out */
	int		 autocrypt_mutual;	/* prefer-encrypt=mutual */
	int		 autocrypt_learn;	/* learn keys from mail in */
	char		*autocrypt_homedir;	/* NULL: <GnuPG home>/autocrypt */
	int		 log_stderr;	/* log = stderr */
	int		 facility;	/* syslog facility */
	char		*gateway_id;
	unsigned int	 timeout;	/* seconds */
	char		*listen;
	char		*reinject;
	/* smtpd (mailseal.conf(5), mailseal(1) SMTPD) */
	char		*smtpd_user;	/* to become when started as root */
	unsigned long long smtpd_workers;	/* connections served at once */
	unsigned int	 smtpd_timeout;	/* seconds a client may be silent */
	unsigned long long message_size_limit;	/* bytes of one message */
	/* Web Key Directory lookups (wkd.h) */
	int		 wkd;		/* look up recipients without a key */
	unsigned int	 wkd_timeout;	/* seconds one lookup may take */
	/* S/MIME (mailseal.conf(5) PARAMETERS) */
	int		 smime;		/* consult certificates at all */
	enum format	 format_preference;	/* when a recipient has both */
	enum smime_cipher smime_cipher;
	char		*smime_signer;	/* certificate fingerprint; NULL: none */
};

/* config_load - defaults, then the file at path (NULL: the default
 * path).  On error, -1 with err holding "FILE:LINE: what" (or "FILE:
 * why" when it cannot be read). */
int		 config_load(struct config *, const char *, char *, size_t);
void		 config_free(struct config *);

/* config_trusted - nobody but root and the effective user can change
 * what is at path: path and every directory above it (as given and
 * with symbolic links resolved) is owned by root or the effective user
 * and is not writable by its group or others, except a directory with
 * the sticky bit (/tmp).  A path that does not exist is trusted when
 * the nearest directory above it that exists is (gpg would make a
 * home there).  0, or -1 with err "FILE: WHAT is ..." (what names the
 * path for the message: "the GnuPG home"). */
int		 config_trusted(const char *, const char *, char *, size_t);

/* config_homedir - the GnuPG home gpg will use: homedir, $GNUPGHOME or
 * ~/.gnupg (allocated; NULL when there is no home directory) */
char		*config_homedir(const struct config *);

/* config_print - every parameter as "name = value" */
void		 config_print(const struct config *, FILE *);

const char	*policy_name(enum policy);

/* format_name - "openpgp" or "smime" */
const char	*format_name(enum format);

/* policy_parse - "require", "opportunistic" or "none"; -1 otherwise */
int		 policy_parse(const char *, enum policy *);

#endif
