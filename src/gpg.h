/*
 * gpg.h - the OpenPGP engine (GPGME), seen through a narrow interface.
 * Only gpg.c includes <gpgme.h>.
 */
#ifndef MAILSEAL_GPG_H
#define MAILSEAL_GPG_H

#include <sys/types.h>
#include <stddef.h>

#define GPG_ERRLEN	256

struct gpg;

struct gpg_key {
	char	 *fpr;		/* fingerprint of the primary key */
	int	  can_encrypt;	/* the key as a whole can encrypt now */
	int	  can_sign;	/* the key as a whole can sign now */
	int	  usable;	/* not expired, revoked, disabled or invalid */
	int	  secret;	/* a secret key is available */
	char	**uids;		/* addr-specs of its valid user IDs */
	size_t	  nuids;
	void	 *handle;	/* gpg.c's own reference to the key */
};

struct gpg_keylist {
	struct gpg_key	*v;
	size_t		 n;
};

enum gpg_status {
	GPG_OK = 0,
	GPG_TEMPFAIL,		/* gpg missing or failing, I/O: retry later */
	GPG_BADKEY,		/* a key we chose was refused by gpg */
	GPG_NOSECKEY,		/* the signing key has no secret part */
	GPG_TOOMANY		/* the listing exceeded LIMIT_KEYS */
};

/* The plaintext comes from read(), the result goes to write().  Both
 * return the byte count, or -1 with errno set; read() returns 0 at the
 * end. */
struct gpg_io {
	ssize_t	(*read)(void *, void *, size_t);
	ssize_t	(*write)(void *, const void *, size_t);
	void	 *rcookie;
	void	 *wcookie;
};

#define GPG_ENC_NO_ENCRYPT_TO	0x01	/* ignore gpg.conf's encrypt-to */

/* gpg_open - initialise GPGME and an OpenPGP context on homedir (NULL:
 * $GNUPGHOME or ~/.gnupg); on failure err says why */
enum gpg_status	 gpg_open(struct gpg **, const char *, char *, size_t);
void		 gpg_close(struct gpg *);

/* gpg_keylist - the keys matching any of the patterns (gpg's syntax),
 * in one listing; secret: only keys with a secret part.  No patterns
 * gives an empty list, never the whole keyring. */
enum gpg_status	 gpg_keylist(struct gpg *, char *const *, size_t, int,
		    struct gpg_keylist *, char *, size_t);
void		 gpg_keylist_free(struct gpg_keylist *);

/* gpg_encrypt - encrypt (and, with a signer from gpg_keylist(), sign)
 * to the given primary key fingerprints, ASCII armored, without
 * compression; hidden (may be NULL) marks recipients whose key ID is
 * left out of the message, as gpg --hidden-recipient does */
enum gpg_status	 gpg_encrypt(struct gpg *, char *const *, const int *, size_t,
		    const struct gpg_key *, int, struct gpg_io *, char *,
		    size_t);

/* gpg_engine_version - the gpg version GPGME found, for --version */
const char	*gpg_engine_version(struct gpg *);

#endif
