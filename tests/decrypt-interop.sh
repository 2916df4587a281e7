#!/bin/sh
# decrypt-interop.sh - mailseal decrypt on messages that other OpenPGP
# implementations make while the test runs: sqop (Sequoia) and rnp, inline
# PGP, clear-signed text and PGP/MIME, plus mailseal's own encrypt --sign.
# Alice signs, Bob is the recipient and holds the secret key.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
alice=$(fpr alice)

# ---------------------------------------------------------- helpers

# mail.py - small MIME jobs the shell does badly
cat >"$T/mail.py" <<'PY'
import sys, re, email, quopri, base64
from email import policy

def lf(b):
    return re.sub(rb"\r+\n", b"\n", b)

cmd, arg = sys.argv[1], sys.argv[2]
if cmd == "encode":
    # encode CTE: standard input under that transfer encoding
    data = sys.stdin.buffer.read()
    if arg == "quoted-printable":
        data = quopri.encodestring(data)
    elif arg == "base64":
        data = base64.encodebytes(data)
    sys.stdout.buffer.write(data)
elif cmd == "text":
    # text MSG WANT: the first leaf part that is not OpenPGP data,
    # decoded, is WANT's content (line ends aside)
    m = email.message_from_binary_file(open(arg, "rb"),
                                       policy=policy.compat32)
    want = lf(open(sys.argv[3], "rb").read())
    for p in m.walk():
        if p.is_multipart() or p.get_content_type() in (
                "application/pgp-signature", "application/pgp-encrypted"):
            continue
        got = lf(p.get_payload(decode=True) or b"")
        if got != want:
            sys.exit("decoded text differs:\n%r\nwanted:\n%r" % (got, want))
        sys.exit(0)
    sys.exit("no text part")
elif cmd == "body":
    # body MSG: the raw body, line ends made LF
    raw = lf(open(arg, "rb").read())
    sys.stdout.buffer.write(raw.partition(b"\n\n")[2])
PY
mailpy() {
	"$PYTHON" "$T/mail.py" "$@"
}

# nfields FILE NAME - how many header fields of FILE are called NAME
nfields() {
	awk '{ sub(/\r$/, "") } $0 == "" { exit } { print }' "$1" |
	    grep -ci "^$2:"
}

# hdr FROM SUBJECT - the outer header fields of a test message (LF)
hdr() {
	printf 'From: %s\nTo: Bob <bob@example.org>\nSubject: %s\n' "$1" "$2"
	printf 'Date: Sun, 22 Nov 2026 08:00:00 +0000\nMIME-Version: 1.0\n'
}

# inline OUT CTE ARMOR [FROM] - a text/plain message whose whole body is
# the file ARMOR under transfer encoding CTE (7bit, quoted-printable,
# base64)
inline() {
	{ hdr "${4:-Alice <alice@example.org>}" "inline $2"
	  printf 'Content-Type: text/plain; charset=utf-8\n'
	  printf 'Content-Transfer-Encoding: %s\n\n' "$2"
	  mailpy encode "$2" <"$3"; } >"$1"
}

# pgpmime_enc OUT ARMOR [FROM] - multipart/encrypted (RFC 3156 section 4)
# around the armored ciphertext ARMOR
pgpmime_enc() {
	{ hdr "${3:-Alice <alice@example.org>}" 'PGP/MIME encrypted'
	  printf 'Content-Type: multipart/encrypted;\n'
	  printf ' protocol="application/pgp-encrypted"; boundary="enc-b"\n\n'
	  printf 'This is an OpenPGP/MIME encrypted message.\n--enc-b\n'
	  printf 'Content-Type: application/pgp-encrypted\n\nVersion: 1\n\n'
	  printf -- '--enc-b\nContent-Type: application/octet-stream; name="encrypted.asc"\n\n'
	  cat "$2"
	  printf '\n--enc-b--\n'; } >"$1"
}

# signed_entity PART SIG MICALG - multipart/signed (RFC 3156 section 5) of
# the entity PART and the armored detached signature SIG, in CRLF form
signed_entity() {
	{ printf 'Content-Type: multipart/signed; micalg=%s;\n' "$3"
	  printf ' protocol="application/pgp-signature"; boundary="sig-b"\n\n'
	  printf 'This is an OpenPGP/MIME signed message.\n--sig-b\n'
	  cat "$1"
	  printf '\n--sig-b\nContent-Type: application/pgp-signature; name="signature.asc"\n\n'
	  cat "$2"
	  printf '\n--sig-b--\n'; } | tr -d '\r' | sed 's/$/\r/'
}

# pgpmime_sig OUT PART SIG MICALG [FROM] - a whole multipart/signed
# message (CRLF)
pgpmime_sig() {
	{ hdr "${5:-Alice <alice@example.org>}" 'PGP/MIME signed' | sed 's/$/\r/'
	  signed_entity "$2" "$3" "$4"; } >"$1"
}

# try DESC MSG DEC SIG [WANT] - decrypt MSG as a user would and check
# what the user checks: exit 0; the first two lines (after a From_ line)
# are the verdicts DEC and SIG (shell patterns); each verdict
# field is there once and nothing forged is left; then, with WANT
#   same   the message is unchanged apart from the verdicts
#   FILE   the decoded text is FILE's (line ends aside) and no
#          ciphertext is left
try() {
	_desc=$1 _msg=$2 _dec=$3 _sig=$4 _want=${5:-}
	_out=$_msg.out
	: >"$T/why"
	"$MAILSEAL" decrypt "$_msg" >"$_out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 0 ] || echo "exit $rc" >>"$T/why"
	_v=$(verdicts "$_out")
	case "$_v" in
	"X-Mailseal-Decryption: "$_dec"|X-Mailseal-Signature: "$_sig"|") ;;
	*) echo "verdicts: $_v" >>"$T/why" ;;
	esac
	for _f in X-Mailseal-Decryption X-Mailseal-Signature; do
		[ "$(nfields "$_out" "$_f")" -eq 1 ] ||
		    echo "$_f: not exactly once" >>"$T/why"
	done
	! grep -q FORGED "$_out" || echo "forged field kept" >>"$T/why"
	case "$_want" in
	'') ;;
	same)
		sed '1{/^From /d;}' "$_out" | tail -n +3 >"$T/rest"
		grep -vi '^x-mailseal-' "$_msg" | cmp -s - "$T/rest" ||
		    echo "message changed" >>"$T/why"
		;;
	*)
		mailpy text "$_out" "$_want" >>"$T/why" 2>&1 ||
		    echo "(decoded text)" >>"$T/why"
		! grep -q -- '-----BEGIN PGP MESSAGE' "$_out" ||
		    echo "ciphertext left" >>"$T/why"
		;;
	esac
	if [ -s "$T/why" ]; then
		not_ok "$_desc" "$T/why" "$_out" "$T/err"
	else
		ok "$_desc"
	fi
}

# field FILE NAME - the value of FILE's header field NAME (one line),
# lower case, or "none"
field() {
	awk '{ sub(/\r$/, "") } $0 == "" { exit } { print }' "$1" |
	    tr 'A-Z' 'a-z' | sed -n "s/^$2:[[:space:]]*//p" | grep . ||
	    echo none
}

# cte FILE - FILE's Content-Transfer-Encoding, or "none"
cte() {
	field "$1" content-transfer-encoding
}

# plain_cte FILE - FILE's body is sent as it is: no transfer encoding
# (or the 7bit that means the same)
plain_cte() {
	case $(cte "$1") in none | 7bit) ;; *) cte "$1"; return 1 ;; esac
}

# forge FILE FIELD - put a forged header field on top of FILE
forge() {
	{ printf '%s\n' "$2"; cat "$1"; } >"$1.f" && mv "$1.f" "$1"
}

# primary CERT - the primary key fingerprint of the certificate file CERT
primary() {
	gpg --batch --with-colons --show-keys "$1" 2>/dev/null |
	    awk -F: '$1 == "fpr" { print $10; exit }'
}

# signer_is FILE FPR - the signer= of FILE's signature verdict is FPR, or
# there is none
signer_is() {
	_s=$(awk '{ sub(/\r$/, "") } $0 == "" { exit } { print }' "$1" |
	    sed -n 's/^X-Mailseal-Signature:.*signer=\([0-9A-Za-z]*\).*/\1/p')
	[ -z "$_s" ] || [ "$_s" = "$2" ] ||
	    { echo "signer=$_s, but the primary key is $2"; return 1; }
}

# the plaintexts: one line of ASCII, and UTF-8 over several lines
printf 'Hello Bob,\nthe meeting is at noon.\n' >"$T/plain"
printf 'Hallo Bob,\nGr\303\274\303\237e aus K\303\266ln.\n-- \nAlice\n' \
    >"$T/utf8"
# the inner entity of the PGP/MIME messages, canonical CRLF
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bob,\r\nthe meeting is at noon.\r\n' \
    >"$T/entity"

# ------------------------------------------------------ sqop, inline

# the user reads an inline PGP message made by Sequoia: decrypted text in
# place of the armor, whatever the transfer encoding
if have sqop; then
	sqop encrypt "$KEYS/bob.pub.asc" <"$T/plain" >"$T/sq-enc.asc"
	sqop encrypt --sign-with "$KEYS/alice.sec.asc" "$KEYS/bob.pub.asc" \
	    <"$T/plain" >"$T/sq-encsig.asc"
	inline "$T/sq-inl.eml" 7bit "$T/sq-enc.asc"
	try "sqop inline encrypted: decrypted, none, the text" \
	    "$T/sq-inl.eml" decrypted none "$T/plain"
	for c in 7bit quoted-printable base64; do
		inline "$T/sq-inls-$c.eml" $c "$T/sq-encsig.asc"
		try "sqop inline encrypted+signed ($c): decrypted, good" \
		    "$T/sq-inls-$c.eml" decrypted "good; signer=$alice" "$T/plain"
	done
	# 7-bit text is sent as it is: the old encoding must not stay
	for c in quoted-printable base64; do
		check "sqop inline $c decrypted: 7-bit text, no transfer encoding" \
		    plain_cte "$T/sq-inls-$c.eml.out"
	done

	# UTF-8 comes back byte for byte, labelled 8bit.  (Not --as text:
	# gpg 2.2 finds Sequoia's text signature inside encryption bad on
	# LF text.)
	sqop encrypt --sign-with "$KEYS/alice.sec.asc" \
	    "$KEYS/bob.pub.asc" <"$T/utf8" >"$T/sq-utf8.asc"
	inline "$T/sq-utf8.eml" quoted-printable "$T/sq-utf8.asc"
	try "sqop inline UTF-8 text: decrypted, good, byte-exact" \
	    "$T/sq-utf8.eml" decrypted "good; signer=$alice" "$T/utf8"
	check "sqop inline UTF-8 text: Content-Transfer-Encoding 8bit" \
	    test "$(cte "$T/sq-utf8.eml.out")" = 8bit
	check "sqop inline UTF-8 text: outer Content-Type (charset) kept" \
	    test "$(field "$T/sq-utf8.eml.out" content-type)" = \
	    "text/plain; charset=utf-8"

	# not for Bob: the original is kept
	sqop encrypt "$KEYS/peggy.pub.asc" <"$T/plain" >"$T/sq-peggy.asc"
	inline "$T/sq-peggy.eml" 7bit "$T/sq-peggy.asc"
	try "sqop inline to someone else: failed; reason=no-secret-key, kept" \
	    "$T/sq-peggy.eml" "failed; reason=no-secret-key" none same

	# ciphertext damaged in transit: failed, the original kept
	# (every letter of one line inside the encrypted data shifted)
	sed '6y/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/BCDEFGHIJKLMNOPQRSTUVWXYZAbcdefghijklmnopqrstuvwxyza/' \
	    "$T/sq-encsig.asc" >"$T/sq-damaged.asc"
	inline "$T/sq-damaged.eml" 7bit "$T/sq-damaged.asc"
	try "sqop inline ciphertext damaged: failed, original kept" \
	    "$T/sq-damaged.eml" "failed; reason=*" none same

	# text around the armor: not one armored block, not decrypted
	{ printf 'Read this first.\n\n'; cat "$T/sq-encsig.asc"; } >"$T/sq-around"
	inline "$T/sq-around.eml" 7bit "$T/sq-around"
	try "sqop armor with text before it: not-encrypted, none, unchanged" \
	    "$T/sq-around.eml" not-encrypted none same
else
	skip "sqop inline rows" "sqop is not installed"
fi

# ------------------------------------------------ sqop, clear-signed

# the user reads a clear-signed message: the verdict says who signed it,
# and the text is left as it is
if have sqop; then
	sqop inline-sign --as clearsigned "$KEYS/alice.sec.asc" <"$T/plain" \
	    >"$T/sq-clear.asc"
	inline "$T/sq-clear.eml" 7bit "$T/sq-clear.asc"
	try "sqop clear-signed: not-encrypted, good, unchanged" \
	    "$T/sq-clear.eml" not-encrypted "good; signer=$alice" same

	# changed text, with a forged verdict on top
	sed 's/at noon/at ten/' "$T/sq-clear.asc" >"$T/sq-clear-bad.asc"
	inline "$T/sq-clear-bad.eml" 7bit "$T/sq-clear-bad.asc"
	forge "$T/sq-clear-bad.eml" 'X-Mailseal-Signature: good; signer=FORGED'
	try "sqop clear-signed, text changed, forged verdict: bad" \
	    "$T/sq-clear-bad.eml" not-encrypted "bad; signer=$alice" same

	# a mailing list adds a footer after the signed block: the footer
	# is not signed, so the message as a whole is not
	{ cat "$T/sq-clear.asc"; printf -- '-- \nlist footer: unsubscribe here\n'; } \
	    >"$T/sq-clear-foot"
	inline "$T/sq-clear-foot.eml" 7bit "$T/sq-clear-foot"
	try "sqop clear-signed with an unsigned footer: none, unchanged" \
	    "$T/sq-clear-foot.eml" not-encrypted none same

	inline "$T/sq-clear-mal.eml" 7bit "$T/sq-clear.asc" mallory@example.org
	try "sqop clear-signed by alice, From mallory: mismatch" \
	    "$T/sq-clear-mal.eml" not-encrypted "mismatch; signer=$alice" same

	# a key bob has never seen, even with alice's address.  Sequoia's
	# keys sign with a subkey, unlike the gpg test keys.
	sqop generate-key 'Alice <alice@example.org>' >"$T/stranger.sec.asc"
	sqop extract-cert <"$T/stranger.sec.asc" >"$T/stranger.pub.asc"
	stranger=$(primary "$T/stranger.pub.asc")
	sqop inline-sign --as clearsigned "$T/stranger.sec.asc" <"$T/plain" \
	    >"$T/sq-clear-unk.asc"
	inline "$T/sq-clear-unk.eml" 7bit "$T/sq-clear-unk.asc"
	try "sqop clear-signed by an unknown key: unknown-key" \
	    "$T/sq-clear-unk.eml" not-encrypted "unknown-key*" same

	# UTF-8 text, sent quoted-printable
	sqop inline-sign --as clearsigned "$KEYS/alice.sec.asc" <"$T/utf8" \
	    >"$T/sq-clear8.asc"
	inline "$T/sq-clear8.eml" quoted-printable "$T/sq-clear8.asc"
	try "sqop clear-signed UTF-8, quoted-printable: good, unchanged" \
	    "$T/sq-clear8.eml" not-encrypted "good; signer=$alice" same
else
	skip "sqop clear-signed rows" "sqop is not installed"
fi

# ---------------------------------------------------- sqop, PGP/MIME

# the user reads PGP/MIME from Sequoia: encrypted, signed and encrypted
# in one (RFC 3156 6.2), signed (5), and signed then encrypted (6.1)
if have sqop; then
	sqop encrypt "$KEYS/bob.pub.asc" <"$T/entity" >"$T/sq-ent.asc"
	pgpmime_enc "$T/sq-mime.eml" "$T/sq-ent.asc"
	try "sqop PGP/MIME encrypted: decrypted, none, the text" \
	    "$T/sq-mime.eml" decrypted none "$T/plain"

	sqop encrypt --sign-with "$KEYS/alice.sec.asc" "$KEYS/bob.pub.asc" \
	    <"$T/entity" >"$T/sq-ents.asc"
	pgpmime_enc "$T/sq-mimes.eml" "$T/sq-ents.asc"
	forge "$T/sq-mimes.eml" 'x-mailseal-decryption: not-encrypted; FORGED'
	try "sqop PGP/MIME signed+encrypted (6.2), forged verdict: good" \
	    "$T/sq-mimes.eml" decrypted "good; signer=$alice" "$T/plain"

	sqop sign --micalg-out "$T/sq-micalg" "$KEYS/alice.sec.asc" \
	    <"$T/entity" >"$T/sq-ent.sig"
	pgpmime_sig "$T/sq-signed.eml" "$T/entity" "$T/sq-ent.sig" \
	    "$(cat "$T/sq-micalg")"
	try "sqop multipart/signed: not-encrypted, good, unchanged" \
	    "$T/sq-signed.eml" not-encrypted "good; signer=$alice" same
	sed 's/at noon/at ten/' "$T/sq-signed.eml" >"$T/sq-signed-bad.eml"
	try "sqop multipart/signed, text changed: bad" \
	    "$T/sq-signed-bad.eml" not-encrypted "bad; signer=$alice" same

	signed_entity "$T/entity" "$T/sq-ent.sig" "$(cat "$T/sq-micalg")" |
	    sqop encrypt "$KEYS/bob.pub.asc" >"$T/sq-nest.asc"
	pgpmime_enc "$T/sq-nest.eml" "$T/sq-nest.asc"
	try "sqop signed, then encrypted (6.1): decrypted, good" \
	    "$T/sq-nest.eml" decrypted "good; signer=$alice" "$T/plain"

	# protected header fields (RFC 9788) from Sequoia, with forged
	# verdicts among them: the Subject from inside, no forged verdict
	{ printf 'Content-Type: text/plain; charset=utf-8; protected-headers="v1"\r\n'
	  printf 'X-Mailseal-Signature: good; signer=FORGED\r\n'
	  printf 'From: Alice <alice@example.org>\r\nSubject: the real subject\r\n\r\n'
	  tr -d '\r' <"$T/plain" | sed 's/$/\r/'; } |
	    sqop encrypt --sign-with "$KEYS/alice.sec.asc" "$KEYS/bob.pub.asc" \
	    >"$T/sq-ph.asc"
	pgpmime_enc "$T/sq-ph.eml" "$T/sq-ph.asc"
	try "sqop protected headers, forged verdicts inside: good" \
	    "$T/sq-ph.eml" decrypted "good; signer=$alice" "$T/plain"
	check "sqop protected headers: the Subject from inside is shown" \
	    test "$(field "$T/sq-ph.eml.out" subject)" = "the real subject"
	# shown, the protection is consumed: the mark is off the
	# Content-Type (the output is no longer encrypted), the rest stays
	is "... its Content-Type without the protected-headers mark" \
	    "$(field "$T/sq-ph.eml.out" content-type)" 'text/plain; charset=utf-8'

	# signed by the stranger: no key; signer=, if given, must still be
	# a primary key's fingerprint, not the signing subkey's
	sqop sign "$T/stranger.sec.asc" <"$T/entity" >"$T/sq-unk.sig"
	pgpmime_sig "$T/sq-unk.eml" "$T/entity" "$T/sq-unk.sig" \
	    "$(cat "$T/sq-micalg")"
	try "sqop multipart/signed by an unknown key: unknown-key" \
	    "$T/sq-unk.eml" not-encrypted "unknown-key*" same
	check "unknown key: signer= is absent or the primary fingerprint" \
	    signer_is "$T/sq-unk.eml.out" "$stranger"

	# zoe's Sequoia key, imported but not certified: good-untrusted,
	# signer= the primary key although a subkey signed
	sqop generate-key 'Zoe <zoe@example.org>' >"$T/zoe.sec.asc"
	sqop extract-cert <"$T/zoe.sec.asc" >"$T/zoe.pub.asc"
	zoe=$(primary "$T/zoe.pub.asc")
	gpg --batch --quiet --import "$T/zoe.pub.asc" 2>/dev/null
	sqop encrypt --sign-with "$T/zoe.sec.asc" "$KEYS/bob.pub.asc" \
	    <"$T/entity" >"$T/sq-zoe.asc"
	pgpmime_enc "$T/sq-zoe.eml" "$T/sq-zoe.asc" 'Zoe <zoe@example.org>'
	try "sqop signing subkey, key not certified (6.2): good-untrusted" \
	    "$T/sq-zoe.eml" decrypted "good-untrusted; signer=$zoe" "$T/plain"
	sqop inline-sign --as clearsigned "$T/zoe.sec.asc" <"$T/plain" \
	    >"$T/sq-clear-zoe.asc"
	inline "$T/sq-clear-zoe.eml" 7bit "$T/sq-clear-zoe.asc" zoe@example.org
	try "sqop clear-signed with a signing subkey: good-untrusted" \
	    "$T/sq-clear-zoe.eml" not-encrypted "good-untrusted; signer=$zoe" same
else
	skip "sqop PGP/MIME rows" "sqop is not installed"
fi

# --------------------------------------------------------------- rnp

# the same kinds from rnp, with a keyring holding alice's secret key and
# bob's public one
if have rnp && have rnpkeys; then
	R=$T/rnp
	mkdir -m 700 "$R"
	rnpkeys --homedir "$R" --import "$KEYS/alice.sec.asc" >/dev/null 2>&1
	rnpkeys --homedir "$R" --import "$KEYS/bob.pub.asc" >/dev/null 2>&1
	# rn OUT IN ARG... - rnp as alice, armored, into OUT
	rn() {
		_o=$1 _i=$2
		shift 2
		rnp --homedir "$R" --notty --armor -u alice@example.org \
		    --password '' --overwrite --output "$_o" "$@" "$_i" \
		    >"$T/rnp.log" 2>&1 || { cat "$T/rnp.log" >&2; return 1; }
	}

	rn "$T/rn-enc.asc" "$T/plain" -e -r bob@example.org
	inline "$T/rn-inl.eml" 7bit "$T/rn-enc.asc"
	try "rnp inline encrypted: decrypted, none, the text" \
	    "$T/rn-inl.eml" decrypted none "$T/plain"

	rn "$T/rn-encsig.asc" "$T/utf8" -e -s -r bob@example.org
	inline "$T/rn-inls.eml" base64 "$T/rn-encsig.asc"
	try "rnp inline UTF-8 encrypted+signed (base64): decrypted, good" \
	    "$T/rn-inls.eml" decrypted "good; signer=$alice" "$T/utf8"

	# a plain RFC 5322 message without any MIME field (rnp | mail)
	{ printf 'From: Alice <alice@example.org>\nTo: bob@example.org\n'
	  printf 'Subject: no MIME\n\n'; cat "$T/rn-encsig.asc"; } >"$T/rn-nomime.eml"
	try "rnp inline encrypted+signed, no MIME fields: decrypted, good" \
	    "$T/rn-nomime.eml" decrypted "good; signer=$alice" "$T/utf8"

	# the same from a CRLF mail system
	sed 's/$/\r/' "$T/rn-inls.eml" >"$T/rn-inls-crlf.eml"
	try "rnp inline encrypted+signed, CRLF message: decrypted, good" \
	    "$T/rn-inls-crlf.eml" decrypted "good; signer=$alice" "$T/utf8"

	rn "$T/rn-clear.asc" "$T/plain" --clearsign
	inline "$T/rn-clear.eml" 7bit "$T/rn-clear.asc"
	try "rnp clear-signed: not-encrypted, good, unchanged" \
	    "$T/rn-clear.eml" not-encrypted "good; signer=$alice" same

	rn "$T/rn-ent.asc" "$T/entity" -e -r bob@example.org
	pgpmime_enc "$T/rn-mime.eml" "$T/rn-ent.asc"
	try "rnp PGP/MIME encrypted: decrypted, none, the text" \
	    "$T/rn-mime.eml" decrypted none "$T/plain"

	rn "$T/rn-ents.asc" "$T/entity" -e -s -r bob@example.org
	pgpmime_enc "$T/rn-mimes.eml" "$T/rn-ents.asc"
	try "rnp PGP/MIME signed+encrypted (6.2): decrypted, good" \
	    "$T/rn-mimes.eml" decrypted "good; signer=$alice" "$T/plain"

	rn "$T/rn-ent.sig" "$T/entity" -s --detach --hash SHA256
	pgpmime_sig "$T/rn-signed.eml" "$T/entity" "$T/rn-ent.sig" pgp-sha256
	try "rnp multipart/signed: not-encrypted, good, unchanged" \
	    "$T/rn-signed.eml" not-encrypted "good; signer=$alice" same

	signed_entity "$T/entity" "$T/rn-ent.sig" pgp-sha256 >"$T/rn-nest"
	rn "$T/rn-nest.asc" "$T/rn-nest" -e -r bob@example.org
	pgpmime_enc "$T/rn-nest.eml" "$T/rn-nest.asc"
	try "rnp signed, then encrypted (6.1): decrypted, good" \
	    "$T/rn-nest.eml" decrypted "good; signer=$alice" "$T/plain"
else
	skip "rnp rows" "rnp is not installed"
fi

# ------------------------------------------------ mailseal round trip

# alice's own mailseal encrypts and signs, bob's decrypts: the same body,
# byte for byte, and the mbox From_ line stays first
{ printf 'From alice@example.org Sun Nov 22 08:00:00 2026\n'
  hdr 'Alice <alice@example.org>' 'round trip'
  printf 'Content-Type: text/plain; charset=utf-8\n'
  printf 'Content-Transfer-Encoding: 8bit\n\n'
  cat "$T/utf8"
  printf '>From the start\n  indented, trailing space \n'; } >"$T/ms.eml"
"$MAILSEAL" encrypt -r bob@example.org --sign "$T/ms.eml" >"$T/ms.enc" \
    2>"$T/err" || not_ok "mailseal encrypt --sign" "$T/err"
mailpy body "$T/ms.eml" >"$T/ms.body"
try "mailseal encrypt --sign, then decrypt: decrypted, good" \
    "$T/ms.enc" decrypted "good; signer=$alice" "$T/ms.body"
mailpy body "$T/ms.enc.out" >"$T/ms.got"
check "mailseal round trip: body byte-exact" cmp "$T/ms.body" "$T/ms.got"
check "mailseal round trip: From_ line first" \
    test "$(head -n 1 "$T/ms.enc.out")" = \
    "From alice@example.org Sun Nov 22 08:00:00 2026"

done_testing
