/*
 * secmem.h - libgcrypt: initialisation (without secure memory: see
 * secmem.c) and unpredictable bytes.
 */
#ifndef MAILSEAL_SECMEM_H
#define MAILSEAL_SECMEM_H

#include <stddef.h>

/* secmem_init - initialise libgcrypt once; returns 0 or -1 */
int	secmem_init(void);

/* secmem_nonce - fill buf with unpredictable bytes (not key material) */
void	secmem_nonce(void *, size_t);

/* secmem_alloc - len bytes of zeroed memory for a secret: pages of its
 * own, locked where RLIMIT_MEMLOCK allows, never in a core dump; NULL
 * (errno set) when there is none.  Give it back with secmem_free. */
void	*secmem_alloc(size_t);

/* secmem_free - wipe and release what secmem_alloc gave (NULL: none) */
void	 secmem_free(void *, size_t);

#endif
