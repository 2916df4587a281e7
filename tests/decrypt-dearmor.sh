#!/bin/sh
# decrypt-dearmor.sh - decrypt hands gpg the packets of an armored span
# (armor.c's sink): whatever classify.c took for one armored message
# block must reach gpg as those packets, whatever its first byte.  A
# no-break space (UTF-8 C2 A0, Latin-1 A0) is white space to the armor
# scan, so a body that starts with one is an inline message; its first
# byte has bit 7 set like a binary packet's.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home

printf 'Hello Bob,\nthe key is under the mat.\n' >"$T/plain"
g -a -e -r bob@example.org -o "$T/inl.asc" "$T/plain"

# one NAME CHARSET PREFIX-PRINTF - an inline message whose body is
# PREFIX then the armored block: decrypted, the plaintext byte for byte
one() {
	{ printf "$3"; cat "$T/inl.asc"; } | msg "$T/$1.eml" \
	    'From: alice@example.org' 'To: bob@example.org' 'Subject: nbsp' \
	    'MIME-Version: 1.0' "Content-Type: text/plain; charset=$2" \
	    'Content-Transfer-Encoding: 8bit'
	ms "$T/o" "$T/err" decrypt "$T/$1.eml"
	expect "$1: a no-break space before BEGIN, decrypted (not 75)" "$T/o" \
	    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|"
	body "$T/o" >"$T/b"
	check "$1: the plaintext, byte for byte" cmp "$T/plain" "$T/b"
}

one utf8-nbsp utf-8 '\302\240\n'
one latin1-nbsp iso-8859-1 '\240\n'
one latin1-nbsp-crlf iso-8859-1 '\240\r\n'

# the same in a PGP/MIME data part
{
	printf -- '--b\nContent-Type: application/pgp-encrypted\n\n'
	printf 'Version: 1\n\n--b\nContent-Type: application/octet-stream\n\n'
	printf '\302\240\n'
	cat "$T/inl.asc"
	printf -- '--b--\n'
} | msg "$T/mime.eml" 'From: alice@example.org' 'To: bob@example.org' \
    'Subject: nbsp' 'MIME-Version: 1.0' \
    'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"'
ms "$T/o" "$T/err" decrypt "$T/mime.eml"
expect "PGP/MIME: a no-break space before BEGIN, decrypted" "$T/o" \
    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|"

done_testing
