/*
 * gpg.h - the OpenPGP engine (GPGME), and its CMS engine (gpgsm, for
 * S/MIME: gpg_open_cms), seen through a narrow interface.  Only gpg.c,
 * gpgop.c and gpgcms.c (and their private gpgint.h) include <gpgme.h>.
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
	/* why it cannot encrypt, for recip_explain() (recip.h): */
	int	  expired;	/* the primary key, or every encryption
				 * subkey it has, expired */
	int	  revoked;	/* the primary key is revoked */
	int	  disabled;	/* disabled in the keyring (ownertrust) */
	int	  invalid;	/* gpg calls it invalid */
	int	  unsupported;	/* an encryption subkey of an algorithm
				 * gpg cannot use (RFC 9580's X25519) */
	long long created;	/* the primary key's creation (time_t) */
	long long expires;	/* when it stops encrypting (time_t): the
				 * earlier of the primary key's expiry and
				 * that of the encryption subkey gpg would
				 * use; expired: when it did; 0: never */
	char	**uids;		/* addr-specs of its valid user IDs
				 * (a certificate: its email addresses) */
	int	 *uidfull;	/* per uid: validity full or ultimate
				 * (a certificate: its chain is valid up
				 * to a trusted root) */
	size_t	  nuids;
	void	 *handle;	/* gpg.c's own reference to the key */
	int	  x509;		/* an X.509 certificate (gpg_open_cms):
				 * fpr is its SHA-1 fingerprint; created and
				 * expires its notBefore and notAfter */
	int	  untrusted;	/* a certificate without a valid chain to a
				 * trusted root (invalid is set too) */
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
	GPG_TOOMANY,		/* the listing exceeded LIMIT_KEYS */
	GPG_NOENGINE		/* gpg_open_cms: no gpgsm on PATH (not
				 * installed: no certificate can be used,
				 * which no retry changes) */
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

/*
 * gpg_open_cms - a context whose engine is gpgsm (CMS, S/MIME) on the
 * GnuPG home homedir (NULL: $GNUPGHOME or ~/.gnupg): its keybox, its
 * trustlist.txt, its dirmngr for CRLs; on failure err says why:
 * GPG_NOENGINE when there is no gpgsm on PATH (not installed), else
 * GPG_TEMPFAIL.  gpg_keylist, gpg_keylist_enc, gpg_keylist_all,
 * gpg_seckey_count, gpg_encrypt, gpg_decrypt, gpg_sign, gpg_sign_check,
 * gpg_passphrase, gpg_verify and gpg_verify_opaque take it; the other
 * functions are for OpenPGP alone.  Data in and out is binary DER.
 * Each operation is one gpgsm run (HACKING.md).  Listing patterns are
 * addr-specs ("*addr" and "<addr>" too: the certificates with an email
 * address equal to one, ignoring case) or SHA-1 fingerprints (40 hex
 * digits); every listing validates (chain, expiry, CRL), and one whose
 * validation did not finish is GPG_TEMPFAIL.
 */
enum gpg_status	 gpg_open_cms(struct gpg **, const char *, char *, size_t);

/* gpg_is_cms - 1: a context of gpg_open_cms; 0: OpenPGP */
int		 gpg_is_cms(const struct gpg *);

/* gpg_cms_trust_reload - the home's gpg-agent reads trustlist.txt
 * again (RELOADAGENT: it forgets the passphrases it cached or was
 * preset with, as on SIGHUP): 0, or -1 when it did not say OK */
int		 gpg_cms_trust_reload(struct gpg *);

/* gpg_deadline - the wall-clock seconds each later gpgsm run of a CMS
 * context may take (0: none; gpg_open_cms gives LIMIT_GPGSM_SECONDS):
 * one that takes longer is killed, the operation GPG_TEMPFAIL.  No
 * effect on an OpenPGP context. */
void		 gpg_deadline(struct gpg *, unsigned int);

/* gpg_engine_version - the version of the gpg GPGME runs ("2.2.40"),
 * as learnt by gpg_open's one `--version` run (no gpg run here), into
 * buf: 0, or -1 when not known */
int		 gpg_engine_version(char *, size_t);

/* gpg_keylist - the keys matching any of the patterns (gpg's syntax),
 * in one listing; secret: only keys with a secret part.  No patterns
 * gives an empty list, never the whole keyring. */
enum gpg_status	 gpg_keylist(struct gpg *, char *const *, size_t, int,
		    struct gpg_keylist *, char *, size_t);
void		 gpg_keylist_free(struct gpg_keylist *);

/* gpg_keylist_enc - gpg_keylist of public keys for encryption: also
 * marks the keys gpg lists as able to encrypt but fails on (an ECDH
 * subkey whose KDF parameters or Curve25519 point gpg refuses: one
 * export of the listed keys with an ECDH encryption subkey; none when
 * there are none) unsupported */
enum gpg_status	 gpg_keylist_enc(struct gpg *, char *const *, size_t,
		    struct gpg_keylist *, char *, size_t);

/* gpg_keylist_all - every public key of the keyring, in one listing
 * (GPG_TOOMANY past LIMIT_KEYS: the list holds the first ones), checked
 * as gpg_keylist_enc checks; the caller frees the list in every case */
enum gpg_status	 gpg_keylist_all(struct gpg *, struct gpg_keylist *, char *,
		    size_t);

/* gpg_seckey_count - how many keys with a secret part the keyring
 * holds, from a whole listing that must finish (GPG_TOOMANY: more than
 * LIMIT_KEYS) */
enum gpg_status	 gpg_seckey_count(struct gpg *, size_t *, char *, size_t);

/* gpg_encrypt - encrypt (and, with a signer from gpg_keylist(), sign)
 * to the given primary key fingerprints, ASCII armored, without
 * compression; hidden (may be NULL) marks recipients whose key ID is
 * left out of the message, as gpg --hidden-recipient does.  CMS: to
 * certificate fingerprints, no signer, no hidden, binary DER
 * EnvelopedData, AES-256-CBC */
enum gpg_status	 gpg_encrypt(struct gpg *, char *const *, const int *, size_t,
		    const struct gpg_key *, int, struct gpg_io *, char *,
		    size_t);

/* What gpg says of one signature. */
enum gpg_sig_status {
	GPG_SIG_VALID,		/* verifies */
	GPG_SIG_EXPIRED,	/* verifies, but the signature or key expired */
	GPG_SIG_BAD,		/* does not verify, or the key is revoked */
	GPG_SIG_NOKEY		/* no public key to check it */
};

/* What the CMS engine learnt of a signer's certificate, from the
 * keyboxes the verification used (the home's, and the scratch keybox
 * holding the certificates the signature carries), with validation. */
enum gpg_chain {
	GPG_CHAIN_NONE = 0,	/* not listed: OpenPGP, or no signature
				 * that verifies */
	GPG_CHAIN_TRUSTED,	/* valid up to a root of trustlist.txt */
	GPG_CHAIN_UNTRUSTED,	/* no chain to a trusted root */
	GPG_CHAIN_UNCHECKED,	/* its validation did not finish (no CRL
				 * to be had, dirmngr): never trusted */
	GPG_CHAIN_EXPIRED,	/* the certificate (or its chain) expired */
	GPG_CHAIN_REVOKED,
	GPG_CHAIN_INVALID	/* a bad certificate or chain */
};

struct gpg_sig {
	enum gpg_sig_status	 status;
	char			*fpr;	/* as gpg reports it (may be a subkey) */
	long long		 created;	/* its creation time; 0 unknown */
	/* CMS, a signature that verifies (VALID, EXPIRED): */
	enum gpg_chain		 chain;	/* its certificate's chain */
	char			**emails;	/* the certificate's email
						 * addresses */
	size_t			 nemails;
};

/* What came of a decryption. */
enum gpg_dec {
	GPG_DEC_OK,		/* decrypted, with integrity protection */
	GPG_DEC_NOSECKEY,	/* not encrypted to any key we have */
	GPG_DEC_INTEGRITY,	/* no or failed integrity protection */
	GPG_DEC_BADDATA,	/* not a valid OpenPGP message */
	GPG_DEC_TOOBIG,		/* the plaintext passed the size limit */
	GPG_DEC_PASSPHRASE,	/* encrypted with a passphrase only */
	GPG_DEC_TOOMANYSIGS,	/* over LIMIT_SIGNATURES: gpg stopped */
	GPG_DEC_TOOCOSTLY	/* over LIMIT_GPG_CPU: gpg stopped */
};

struct gpg_decrypt_result {
	enum gpg_dec		 dec;
	struct gpg_sig		*sigs;
	size_t			 nsigs;
	int			 noint;	/* CMS: GPG_DEC_OK, but the content
					 * encryption has no integrity
					 * protection (CBC EnvelopedData, all
					 * gpgsm 2.2 reads) */
};

/* gpg_decrypt - decrypt and verify what io->read gives; the plaintext
 * goes to io->write, which must keep it private until the result says
 * GPG_DEC_OK (gpg writes all of it before it reports a missing MDC).
 * GPG_OK with a result, or GPG_TEMPFAIL when gpg itself failed (or the
 * write callback did: the caller knows whether that was its size cap,
 * and then reports GPG_DEC_TOOBIG itself).  CMS: DER EnvelopedData in;
 * GPG_DEC_OK with noint set; the signatures of a signed-data inside are
 * not checked here. */
enum gpg_status	 gpg_decrypt(struct gpg *, struct gpg_io *,
		    struct gpg_decrypt_result *, char *, size_t);
void		 gpg_decrypt_result_free(struct gpg_decrypt_result *);

/* gpg_verify - check a detached signature (sig->read) over the signed
 * data (text->read), or with text NULL a clear-signed text (sig->read);
 * the signatures land in the result (dec unused).
 * A signature that is not a signature gives one GPG_SIG_BAD entry.
 * CMS: a DER pkcs7-signature over text (text NULL: gpg_verify_opaque);
 * fpr is the signer certificate's; a revoked or bad certificate is BAD,
 * an expired one EXPIRED; a signature that verifies gets chain and
 * emails from one validated listing of its certificate in the same
 * gpgsm run (the certificates the signature carries are known there
 * alone), and one gpgsm did not list is GPG_TEMPFAIL. */
enum gpg_status	 gpg_verify(struct gpg *, struct gpg_io *, struct gpg_io *,
		    struct gpg_decrypt_result *, char *, size_t);

/* gpg_verify_opaque - CMS: check an opaque SignedData (sig->read: DER,
 * application/pkcs7-mime smime-type=signed-data); the content it holds
 * goes to out->write, which must keep it private until the result is
 * known; the signatures land in the result as gpg_verify's do */
enum gpg_status	 gpg_verify_opaque(struct gpg *, struct gpg_io *,
		    struct gpg_io *, struct gpg_decrypt_result *, char *,
		    size_t);

/* gpg_sign - a detached, armored signature by signer (from
 * gpg_keylist()) over what io->read gives, written to io->write; hash
 * (may be NULL) gets the micalg of RFC 3156 5 ("pgp-" and the lower-case
 * name of the hash gpg used).  GPG_NOSECKEY: gpg refused the key, or the
 * passphrase given (gpg_passphrase) is wrong (err says which);
 * GPG_TEMPFAIL: gpg failed, or the key is locked and the agent has no
 * passphrase for it.  CMS: a detached DER SignedData, hash the micalg
 * of RFC 8551 3.5.3.1 ("sha-256"). */
enum gpg_status	 gpg_sign(struct gpg *, const struct gpg_key *, struct gpg_io *,
		    char *, size_t, char *, size_t);

/* gpg_passphrase - from now on gpg gets the signing key's passphrase
 * pass (len bytes, no line end; borrowed: it must stay until it is
 * taken back) through the loopback pinentry, never argv or the
 * environment; NULL: gpg-agent asks its pinentry again.  0, or -1. */
int		 gpg_passphrase(struct gpg *, const char *, size_t);

/* gpg_sign_check - one detached signature of a few bytes with signer
 * (from gpg_keylist()), thrown away: GPG_OK when gpg made it
 * (SIG_CREATED, exit 0), GPG_NOSECKEY when gpg refused the key (err
 * says why), GPG_TEMPFAIL when gpg failed or the key is locked */
enum gpg_status	 gpg_sign_check(struct gpg *, const struct gpg_key *, char *,
		    size_t);

/* What a Web Key Directory lookup (gpg_locate) came to. */
enum gpg_locate {
	GPG_LOC_FOUND,		/* gpg imported a key for the address */
	GPG_LOC_NOTFOUND,	/* the directory has none (a 404) */
	GPG_LOC_UNREADABLE,	/* it served no key gpg can read (an
				 * OpenPGP v6 key: gpg 2.2 refuses it) */
	GPG_LOC_NOMATCH,	/* it served a key without a user ID of
				 * the address: gpg imported nothing */
	GPG_LOC_NOSERVER	/* nothing listens there (the connection
				 * was refused, no route): no directory */
};

/* gpg_locate - look each of the n addrs up in its domain's Web Key
 * Directory through gpg (--locate-external-keys with auto-key-locate
 * wkd alone; gpg imports what it finds into the home and keeps only the
 * user ID of the address), LIMIT_WKD_PARALLEL at once, each gpg stopped
 * after timeout seconds: GPG_OK with res[i] for addrs[i], or
 * GPG_TEMPFAIL when a lookup did not finish (deadline, network,
 * dirmngr; err says why) */
enum gpg_status	 gpg_locate(struct gpg *, char *const *, size_t,
		    unsigned int, enum gpg_locate *, char *, size_t);
/* gpg_export_minimal - the public key fpr as gpg's export-minimal
 * writes it (binary packets, self-signatures only), at most max bytes:
 * GPG_OK with *out allocated (the caller frees it), GPG_TOOMANY when
 * the export is over max, else GPG_TEMPFAIL with err saying why (no
 * such key, gpg failed) */
enum gpg_status	 gpg_export_minimal(struct gpg *, const char *, size_t,
		    unsigned char **, size_t *, char *, size_t);

/* gpg_import_one - import key (binary packets, len bytes) into the
 * context's home: GPG_OK with its fingerprint in fpr when gpg finished
 * and took exactly one key (new or unchanged), GPG_BADKEY when it took
 * none or more (err says so), GPG_TEMPFAIL when gpg failed */
enum gpg_status	 gpg_import_one(struct gpg *, const unsigned char *, size_t,
		    char *, size_t, char *, size_t);

#endif
