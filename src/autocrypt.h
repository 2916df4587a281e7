/*
 * autocrypt.h - Autocrypt Level 1: the header we send (a minimal key
 * with one user ID), the header we read, and the gateway's use of both.
 */
#ifndef MAILSEAL_AUTOCRYPT_H
#define MAILSEAL_AUTOCRYPT_H

#include <stddef.h>

struct config;
struct decisions;
struct gpg;
struct msg;
struct rfc5322_header;

#define AUTOCRYPT_FIELD		"Autocrypt"
#define AUTOCRYPT_GOSSIP	"Autocrypt-Gossip"
#define AUTOCRYPT_LINE		78	/* characters of a folded line */

/* One parsed Autocrypt or Autocrypt-Gossip field. */
struct autocrypt_hdr {
	char		*addr;		/* as written (allocated) */
	int		 mutual;	/* prefer-encrypt=mutual */
	unsigned char	*key;		/* keydata, decoded (allocated) */
	size_t		 keylen;
};

/* autocrypt_key_filter - of an exported key (binary packets, as gpg's
 * export-minimal writes them), keep what Autocrypt wants: the primary
 * key, the first user ID whose addr-spec is addr with its newest
 * self-signature, and each encryption subkey not revoked with its
 * newest binding signature.  Framing only, no cryptography: the
 * signatures are gpg's (export-minimal keeps self-signatures only).
 * 0 with *out allocated, or -1 with *why (static text). */
int	autocrypt_key_filter(const unsigned char *, size_t, const char *,
	    unsigned char **, size_t *, const char **);

/* autocrypt_key_fpr - the version 4 fingerprint of the primary key a
 * key (as autocrypt_key_filter leaves it) starts with, as
 * AUTOCRYPT_FPRLEN upper-case hex digits into fpr (that and one more
 * byte): 0, or -1 */
int	autocrypt_key_fpr(const unsigned char *, size_t, char *);

/* autocrypt_field - "Autocrypt: addr=ADDR; [prefer-encrypt=mutual; ]
 * keydata=..." folded to lines of at most AUTOCRYPT_LINE characters
 * with the line end eol between them, no line end at its end
 * (allocated); NULL when the key is over LIMIT_AUTOCRYPT_KEYDATA */
char	*autocrypt_field(const char *, int, const unsigned char *, size_t,
	    const char *);

/* autocrypt_parse - an unfolded field value into h (Level 1 rules:
 * addr and keydata once each, prefer-encrypt optional, unknown
 * attributes starting with '_' ignored, any other makes it invalid);
 * 0, or -1 with *why (static text) and nothing allocated */
int	autocrypt_parse(const char *, struct autocrypt_hdr *, const char **);

/* autocrypt_hdr_free - release what autocrypt_parse allocated */
void	autocrypt_hdr_free(struct autocrypt_hdr *);

/* autocrypt_has_own - does the header block carry a valid Autocrypt
 * field whose addr is the addr-spec from?  (Then the sender's mail
 * reader does Autocrypt and the gateway adds none.) */
int	autocrypt_has_own(const struct rfc5322_header *, const char *);

/* autocrypt_outgoing - the Autocrypt field for mail from the addr-spec
 * from, signed with signer (fingerprint or address, as the gateway's
 * signer) and its line ends eol: made (1, *field allocated) only when
 * signer names one usable signing key with a valid user ID equal to
 * from; 0 when not (why says why), -1 when gpg failed (why) */
int	autocrypt_outgoing(struct gpg *, const char *, const char *, int,
	    const char *, char **, char *, size_t);

/* autocrypt_lead - with autocrypt = yes, for message m whose copies
 * signer (NULL: none) signs, when its From addr-spec is a valid user ID
 * of that key: the Autocrypt field appended to the gateway's leading
 * field *marker (allocated; replaced), joined by the message's line
 * end, unless m has its sender's own.  0 (a field that cannot be made
 * is left out), or -1 when gpg failed (logged).  The context *g is
 * opened when needed. */
int	autocrypt_lead(struct gpg **, const struct config *, const char *,
	    const struct msg *, char **);

/* What a message offers to learn from (autocrypt_learn.c). */
struct autocrypt_in {
	const char			*home;	/* the Autocrypt GnuPG home */
	const struct rfc5322_header	*outer;	/* its Autocrypt fields */
	const struct rfc5322_header	*shown;	/* protected fields, or NULL */
	const struct rfc5322_header	*gossip[2];	/* decrypted headers
						 * (Autocrypt-Gossip), or NULL */
	const struct rfc5322_header	*covered;	/* the decrypted
						 * header the good signature
						 * covers, or NULL */
	const char			*from;	/* the From shown, or NULL */
	const char			*signer;	/* the signing key's
						 * primary fingerprint */
	long long			 sigtime;	/* the signature's
						 * creation time; 0 unknown */
	int				 signed_ok;	/* good or
						 * good-untrusted for from */
};

/* autocrypt_learn - learn what in offers into its home (made 0700 when
 * missing), by the Level 1 rules; best effort: failures are logged and
 * change nothing else */
void	autocrypt_learn(const struct autocrypt_in *);

/* autocrypt_home - the Autocrypt home: dir when given, else
 * "autocrypt" in the GnuPG home gnupghome, $GNUPGHOME or ~/.gnupg
 * (allocated; NULL when there is none) */
char	*autocrypt_home(const char *, const char *);

/* autocrypt_decide - with autocrypt_learn = yes, each opportunistic
 * recipient the operator's keyring has no usable key for gets the key
 * Autocrypt keeps for it (autocrypt set), if the Autocrypt home lists
 * it usable for the address; require recipients never.  0, or -1 when
 * gpg or a state file failed (logged: a retry, never clear text for
 * want of a listing) */
int	autocrypt_decide(struct decisions *, const struct config *);

#endif
