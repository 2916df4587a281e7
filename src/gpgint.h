/*
 * gpgint.h - what gpg.c and gpgop.c share and nobody else sees: the
 * context (struct gpg) and the few helpers both call.  Only gpg.c and
 * gpgop.c include this file, and so <gpgme.h>.
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
};

/* gpg.c's helpers gpgop.c calls too */
enum gpg_status	 gpg_fail(gpgme_error_t, const char *, char *, size_t);
void		 gpg_supervise(int);
enum gpg_status	 gpg_keylist_run(struct gpg *, char *const *, size_t, int,
		    struct gpg_keylist *, char *, size_t);

#endif
