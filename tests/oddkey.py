#!/usr/bin/python3
"""oddkey.py - OpenPGP public keys GnuPG 2.2 cannot use, for tests/wkd.sh.

    oddkey.py v6 USERID        a v6 (RFC 9580) Ed25519 key packet and a
                               user ID, no signature (gpg 2.2 refuses any
                               v6 key packet before it looks at one)
    oddkey.py x25519 USERID    a v4 key gpg reads: an EdDSA (legacy,
                               algorithm 22) primary key with its user ID
                               self-signed, and one encryption subkey of
                               RFC 9580's X25519 algorithm (25), which gpg
                               2.2 does not know, bound by a valid
                               signature

The key goes to standard output, binary.  Made at test time from fresh
random keys; needs python3-cryptography.
"""
import hashlib
import os
import struct
import sys
import time

from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives import serialization

ED25519_OID = bytes.fromhex("2b06010401da470f01")
RAW = (serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def packet(tag, body):
    n = len(body)
    if n < 192:
        head = bytes([0xC0 | tag, n])
    elif n < 8384:
        n -= 192
        head = bytes([0xC0 | tag, (n >> 8) + 192, n & 0xFF])
    else:
        head = bytes([0xC0 | tag, 0xFF]) + struct.pack(">I", n)
    return head + body


def mpi(b):
    b = b.lstrip(b"\0")
    bits = (len(b) - 1) * 8 + b[0].bit_length() if b else 0
    return struct.pack(">H", bits) + b


def subpacket(kind, data):
    return bytes([len(data) + 1, kind]) + data


def v6(uid, now):
    pub = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(*RAW)
    body = bytes([6]) + struct.pack(">I", now) + bytes([27]) + \
        struct.pack(">I", len(pub)) + pub
    return packet(6, body) + packet(13, uid)


def signature(sk, fpr, kind, flags, hashed_prefix, now):
    sub = subpacket(2, struct.pack(">I", now)) + \
        subpacket(27, bytes([flags])) + subpacket(33, bytes([4]) + fpr)
    head = bytes([4, kind, 22, 8]) + struct.pack(">H", len(sub)) + sub
    trailer = bytes([4, 0xFF]) + struct.pack(">I", len(head))
    digest = hashlib.sha256(hashed_prefix + head + trailer).digest()
    sig = sk.sign(digest)
    unhashed = subpacket(16, fpr[-8:])
    return packet(2, head + struct.pack(">H", len(unhashed)) + unhashed +
                  digest[:2] + mpi(sig[:32]) + mpi(sig[32:]))


def keyhash(body):
    return bytes([0x99]) + struct.pack(">H", len(body)) + body


def x25519_subkey(uid, now):
    sk = ed25519.Ed25519PrivateKey.generate()
    pub = sk.public_key().public_bytes(*RAW)
    pbody = bytes([4]) + struct.pack(">I", now) + bytes([22]) + \
        bytes([len(ED25519_OID)]) + ED25519_OID + mpi(b"\x40" + pub)
    fpr = hashlib.sha1(keyhash(pbody)).digest()
    enc = x25519.X25519PrivateKey.generate().public_key().public_bytes(*RAW)
    sbody = bytes([4]) + struct.pack(">I", now) + bytes([25]) + enc
    uidsig = signature(sk, fpr, 0x13, 0x03, keyhash(pbody) + bytes([0xB4]) +
                       struct.pack(">I", len(uid)) + uid, now)
    bind = signature(sk, fpr, 0x18, 0x0C, keyhash(pbody) + keyhash(sbody),
                     now)
    return packet(6, pbody) + packet(13, uid) + uidsig + \
        packet(14, sbody) + bind


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("v6", "x25519"):
        sys.stderr.write("usage: oddkey.py v6|x25519 USERID\n")
        return 64
    now = int(time.time()) - 60
    uid = sys.argv[2].encode()
    make = v6 if sys.argv[1] == "v6" else x25519_subkey
    sys.stdout.buffer.write(make(uid, now))
    return 0


if __name__ == "__main__":
    sys.exit(main())
