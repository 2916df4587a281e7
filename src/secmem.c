/*
 * secmem.c - libgcrypt, for the little mailseal asks of it: nonces
 * (MIME boundaries, hidden spool names) and the armor CRC-24
 * (openpgp.c).  The name is older than the truth: mailseal holds no key
 * material and no passphrase (gpg and gpg-agent do), so it asks
 * libgcrypt for no secure memory, and none is set up (neither nonces
 * nor CRC-24 use it: GCRYCTL_DUMP_SECMEM_STATS showed 0 bytes of a
 * 64 KiB pool that used to be locked in every run).  Plaintext that
 * passes through mailseal is kept out of core files and other
 * processes' reach by main.c (process_protect) and out of named files
 * by tmpfile.c, not by libgcrypt.
 */
#include <config.h>

#include <sys/mman.h>

#include <string.h>

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
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
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

/* secmem_alloc - see secmem.h */
void *
secmem_alloc(size_t len)
{
	void *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return NULL;
#ifdef MADV_DONTDUMP
	(void)madvise(p, len, MADV_DONTDUMP);
#endif
	/* RLIMIT_MEMLOCK may refuse: the pages are then only kept out of
	 * core files (main.c turns those off anyway) */
	(void)mlock(p, len);
	return p;
}

/* secmem_free - see secmem.h */
void
secmem_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	(void)munlock(p, len);
	(void)munmap(p, len);
}
