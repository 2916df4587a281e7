/*
 * secmem.c - libgcrypt.  mailseal does no cryptography of its own:
 * GPGME's gpg does all of it.  libgcrypt gives us unpredictable bytes
 * (MIME boundaries) and the armor CRC-24.  No secret passes through
 * our memory: plaintext goes from gpg to a 0600 nameless spool.
 */
#include <config.h>

#include <gcrypt.h>

#include "secmem.h"

static int secmem_ready;

/* secmem_init - see secmem.h */
int
secmem_init(void)
{
	if (secmem_ready)
		return 0;
	if (gcry_check_version(GCRYPT_VERSION) == NULL)
		return -1;
	gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
	gcry_control(GCRYCTL_INIT_SECMEM, 65536, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	secmem_ready = 1;
	return 0;
}

/* secmem_nonce - see secmem.h */
void
secmem_nonce(void *buf, size_t len)
{
	gcry_create_nonce(buf, len);
}
