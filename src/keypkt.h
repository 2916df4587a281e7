/*
 * keypkt.h - what gpg's key listing does not say about a key, read from
 * its exported packets.
 */
#ifndef MAILSEAL_KEYPKT_H
#define MAILSEAL_KEYPKT_H

#include <stddef.h>

#include "addr.h"

/* keypkt_ecdh_bad - the fingerprints (40 upper-case hex digits) of the
 * v4 ECDH key and subkey packets in buf (binary, as gpg exports keys)
 * that gpg cannot encrypt to (KDF parameters, a Curve25519 point of
 * another length), added to bad */
void	 keypkt_ecdh_bad(const unsigned char *, size_t, struct addrlist *);

#endif
