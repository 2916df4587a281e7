/*
 * gpgint.h - what gpg.c, gpgop.c and gpgcms.c share and nobody else
 * sees: the context (struct gpg) and the few helpers they call.  Only
 * they include this file, and so <gpgme.h>.
 */
#ifndef MAILSEAL_GPGINT_H
#define MAILSEAL_GPGINT_H

#include <gpgme.h>

#include "gpg.h"
#include "gpgstatus.h"

#define GPG_IO_STEP	"65536"	/* bytes GPGME moves per callback */

struct gpg {
	gpgme_ctx_t		 ctx;
	char			 home[4096];	/* for messages */
	struct gpgstatus	 seen;
	const char		*pass;		/* the caller's passphrase
						 * (loopback), or NULL */
	size_t			 passlen;
	int			 pass_asked;	/* given to gpg once */
	int			 pass_bad;	/* gpg asked again */
	int			 cms;		/* gpgsm's (gpgcms.c) */
	unsigned int		 deadline;	/* seconds per gpgsm run */
};

/* gpg.c's helpers gpgop.c calls too */
enum gpg_status	 gpg_fail(gpgme_error_t, const char *, char *, size_t);
void		 gpg_supervise(int);
gpgme_subkey_t	 gpg_key_enc(gpgme_key_t);
int		 gpg_key_small(gpgme_key_t);
void		 gpg_sig_none_bad(struct gpg_decrypt_result *);
int		 gpg_ecdh_check(struct gpg *, struct gpg_keylist *, char *,
		    size_t);
enum gpg_status	 gpg_keylist_run(struct gpg *, char *const *, size_t, int,
		    struct gpg_keylist *, char *, size_t);
enum gpg_status	 gpg_ready(char *, size_t);
const char	*gpg_supervisor(void);
gpgme_error_t	 gpg_status_cb(void *, const char *, const char *);

/* gpgcms.c and gpgcmsop.c: the CMS engine's side of the operations,
 * for gpg.c and gpgop.c, which call them on a context of gpg_open_cms */
/* What a certificate's failed validation says (gpg_cms_why). */
enum gpg_cms_why {
	CMS_WHY_TEMP,		/* the check did not finish (CRL, dirmngr) */
	CMS_WHY_UNTRUSTED,	/* no chain to a trusted root */
	CMS_WHY_REVOKED,
	CMS_WHY_EXPIRED,
	CMS_WHY_INVALID		/* a bad certificate or chain */
};

/* gpg_cms_why - what gpgsm's refusal of a certificate (its chain
 * validation, gpgsm's RECIPIENT) says */
enum gpg_cms_why gpg_cms_why(gpgme_error_t);
void		 gpg_run(struct gpg *, int);
int		 gpg_cms_done(struct gpg *, gpgme_error_t);
/* gpg_cms_keylist - gpg_keylist_run on a CMS context; secret -1: the
 * secret keys, listed without validation (decryption's check that gpgsm
 * can list them: no CRL of ours may turn "no secret key" into 75) */
enum gpg_status	 gpg_cms_keylist(struct gpg *, char *const *, size_t, int,
		    struct gpg_keylist *, char *, size_t);
enum gpg_status	 gpg_cms_encrypt(struct gpg *, char *const *, const int *,
		    size_t, const struct gpg_key *, int, struct gpg_io *,
		    char *, size_t);
enum gpg_status	 gpg_cms_decrypt(struct gpg *, struct gpg_io *,
		    struct gpg_decrypt_result *, char *, size_t);
enum gpg_status	 gpg_cms_verify(struct gpg *, struct gpg_io *,
		    struct gpg_io *, struct gpg_io *,
		    struct gpg_decrypt_result *, char *, size_t);
int		 gpg_cms_hash(gpgme_sign_result_t, char *, size_t);

#endif
