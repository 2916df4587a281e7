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

#endif
