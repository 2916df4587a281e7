#!/bin/sh
# attack-structure.sh - a structure that mail readers split otherwise
# than mailseal is neither signed nor encrypted (issue 8, items 1-3, and
# the differential test's findings N1, N2, N3, N6).
# Each attack message is built here with the test keys: Alice's old
# signed part travels under one reading, the attacker's text under the
# reading of Python's email package, GMime or Mozilla.  decrypt must not
# say "good" for what a reader shows as the attacker's text, and encrypt
# and filter must not pass clear text dressed as encrypted.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
A=$(fpr alice)
IS_DIAG=$T/err

# not_good DESC FILE - exit 0, and no "good" signature verdict
not_good() {
	if [ "$rc" -eq 0 ] && ! verdicts "$2" | grep -q 'Signature: good' &&
	    verdicts "$2" | grep -q '^X-Mailseal-Decryption: '; then
		ok "$1"
	else
		echo "exit $rc; verdicts: $(verdicts "$2")" >"$T/why"
		not_ok "$1" "$T/why" "$T/err" "$2"
	fi
}

# reader_shows FILE TEXT - Python's email package (the default policy)
# shows TEXT in the first part of the root multipart of FILE
reader_shows() {
	"$PYTHON" - "$1" "$2" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
    policy=email.policy.default)
p = m.get_payload()
sys.exit(0 if isinstance(p, list) and
    sys.argv[2].encode() in p[0].as_bytes() else 1)
PY
}

# Alice's signed part, signed once long ago, and her signature
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nSee you at lunch on Friday.\r\n' \
    >"$T/part"
g -u alice@example.org --detach-sign --armor -o "$T/part.asc" "$T/part"
sed 's/$/\r/' "$T/part.asc" >"$T/sig"

# sigpart B - the signature part's header and body
sigpart() {
	printf 'Content-Type: application/pgp-signature\r\n\r\n'
	cat "$T/sig"
}

# signed B - Alice's RFC 3156 structure under boundary B, closed
signed() {
	printf -- '--%s\r\n' "$1"
	cat "$T/part"
	printf '\r\n--%s\r\n' "$1"
	sigpart
	printf -- '--%s--\r\n' "$1"
}

# forged B - the attacker's text and Alice's signature under boundary B
forged() {
	printf -- '--%s\r\nContent-Type: text/plain\r\n\r\n' "$1"
	printf 'Wire 10000 EUR to Mallory today.\r\n--%s\r\n' "$1"
	sigpart
	printf -- '--%s--\r\n' "$1"
}

# head_signed CTYPE-PARAMS - the outer header of a multipart/signed
head_signed() {
	printf 'From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n'
	printf 'Subject: Friday\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
	printf ' protocol="application/pgp-signature"; %s\r\n\r\n' "$1"
}

# encrypted FILE B - FILE (an entity) encrypted to bob as RFC 3156
# PGP/MIME under boundary B, body only
encrypted() {
	printf -- '--%s\r\nContent-Type: application/pgp-encrypted\r\n\r\n' "$2"
	printf 'Version: 1\r\n\r\n--%s\r\n' "$2"
	printf 'Content-Type: application/octet-stream\r\n\r\n'
	g -e -r bob@example.org --armor <"$1" | sed 's/$/\r/'
	printf -- '--%s--\r\n' "$2"
}

# ---- the genuine message reads as before
{ head_signed 'boundary="sig"'; signed sig; } >"$T/ok.eml"
ms "$T/o" "$T/err" decrypt "$T/ok.eml"
expect "Alice's signed message, boundary sig: good" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"

# ---- item 1: boundary values are case-sensitive
{ head_signed 'boundary=AbC-9'; signed AbC-9; } >"$T/mixed.eml"
ms "$T/o" "$T/err" decrypt "$T/mixed.eml"
expect "1: genuine mixed-case unquoted boundary: good" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"

# the attacker's text under --SIG (what readers split on), Alice's
# structure under --sig, in the preamble's and epilogue's place
{
	head_signed 'boundary=SIG'
	printf -- '--SIG\r\nContent-Type: text/plain\r\n\r\n'
	printf 'Wire 10000 EUR to Mallory today.\r\n'
	signed sig
	printf -- '--SIG\r\n'
	sigpart
	printf -- '--SIG--\r\n'
} >"$T/case.eml"
check "1: Python's email package shows the attacker's text as signed" \
    reader_shows "$T/case.eml" Mallory
ms "$T/o" "$T/err" decrypt "$T/case.eml"
not_good "1: boundary=SIG with Alice's part under --sig: not good" "$T/o"
check "... the message is passed unchanged apart from the verdicts" \
    sh -c "sed 1,2d '$T/o' | cmp - '$T/case.eml'"

# the same inside a message encrypted to the victim (no attacker key)
sed '1,/^\r$/d' "$T/case.eml" >"$T/case.body"
{ printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
  printf ' protocol="application/pgp-signature"; boundary=SIG\r\n\r\n'
  cat "$T/case.body"; } >"$T/case.entity"
{
	printf 'From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n'
	printf 'Subject: ...\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/encrypted;\r\n'
	printf ' protocol="application/pgp-encrypted"; boundary="BB"\r\n\r\n'
	encrypted "$T/case.entity" BB
} >"$T/case-enc.eml"
ms "$T/o" "$T/err" decrypt "$T/case-enc.eml"
not_good "1: the same signed then encrypted: not good" "$T/o"
is "... but decrypted" "$(verdicts "$T/o" | cut -d'|' -f1)" \
    "X-Mailseal-Decryption: decrypted"

# genuine PGP/MIME encryption with a mixed-case unquoted boundary
printf 'Content-Type: text/plain\r\n\r\nThe key is under the mat.\r\n' \
    >"$T/secret"
{
	printf 'From: alice@example.org\r\nTo: bob@example.org\r\n'
	printf 'MIME-Version: 1.0\r\nContent-Type: multipart/encrypted;\r\n'
	printf ' protocol="application/pgp-encrypted"; boundary=EnC-7\r\n\r\n'
	encrypted "$T/secret" EnC-7
} >"$T/enc-mixed.eml"
ms "$T/o" "$T/err" decrypt "$T/enc-mixed.eml"
expect "1: PGP/MIME with boundary=EnC-7: decrypted" "$T/o" \
    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|"
ms "$T/o" "$T/err" encrypt -r bob@example.org "$T/enc-mixed.eml"
check "... and encrypt passes it as already encrypted" \
    sh -c "[ $rc -eq 0 ] && cmp -s '$T/o' '$T/enc-mixed.eml'"

# clear text under --ENC dressed as "already encrypted" under --enc
{
	printf 'From: mallory@example.org\r\nTo: nokey@example.org\r\n'
	printf 'MIME-Version: 1.0\r\nContent-Type: multipart/encrypted;\r\n'
	printf ' protocol="application/pgp-encrypted"; boundary=ENC\r\n\r\n'
	printf -- '--ENC\r\nContent-Type: text/plain\r\n\r\n'
	printf 'Card 4111 1111 1111 1111, PIN 1234\r\n'
	encrypted "$T/secret" enc
	printf -- '--ENC--\r\n'
} >"$T/dressed.eml"
ms "$T/o" "$T/err" encrypt -r bob@example.org "$T/dressed.eml"
check "1: clear text dressed as encrypted under another case: encrypt encrypts it" \
    sh -c "[ $rc -eq 0 ] && ! grep -q 4111 '$T/o'"
ms "$T/o" "$T/err" decrypt "$T/dressed.eml"
expect "... and decrypt calls it not encrypted" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none|"

# filter with a require recipient without a key must refuse it
TMPDIR=$T/tmp
mkdir "$TMPDIR"
export TMPDIR
mkdir "$T/sm"
printf '#!/bin/sh\ncat >"%s/sm/msg"\n' "$T" >"$T/sendmail"
chmod 755 "$T/sendmail"
printf '%s\n' "homedir = $GNUPGHOME" "sendmail = $T/sendmail" \
    "gateway_id = gw1.test" "log = stderr" "default_policy = require" \
    >"$T/req.conf"
"$MAILSEAL" filter -c "$T/req.conf" -f mallory@example.org \
    nokey@example.org <"$T/dressed.eml" >"$T/out" 2>"$T/err"
rc=$?
check "1: filter, require recipient without a key: 67, nothing sent" \
    sh -c "[ $rc -eq 67 ] && [ ! -e '$T/sm/msg' ]"

# ---- item 2: other ways to split a multipart otherwise

# expect_none DESC FILE - decrypt says not-encrypted and none
expect_none() {
	ms "$T/o" "$T/err" decrypt "$2"
	expect "$1" "$T/o" \
	    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none|"
}

# a lone CR ends a line for Python and Mozilla, not for GMime or us:
# the attacker's structure hides in one line of the preamble
{
	head_signed 'boundary="sig"'
	printf 'x\r'
	forged sig | tr '\n' '\r' | sed 's/\r\r/\r/g'
	printf '\r\n'
	signed sig
} >"$T/cr.eml"
check "2: Python's email package shows the attacker's text (lone CR)" \
    reader_shows "$T/cr.eml" Mallory
expect_none "2: delimiters ended by a lone CR: none" "$T/cr.eml"

# an encoded word: GMime and Python's default policy decode it
{
	head_signed 'boundary="=?us-ascii?Q?sig?="'
	forged sig
	signed '=?us-ascii?Q?sig?='
} >"$T/ew.eml"
check "2: Python's email package shows the attacker's text (encoded word)" \
    reader_shows "$T/ew.eml" Mallory
expect_none "2: boundary as an RFC 2047 encoded word: none" "$T/ew.eml"

# an unquoted boundary with white space: GMime takes all of it
{
	head_signed 'boundary=sig x'
	forged 'sig x'
	signed sig
} >"$T/ws.eml"
expect_none "2: unquoted boundary with white space: none" "$T/ws.eml"

# two boundary parameters; RFC 2231 forms beside the plain one
for p in 'boundary=sig; boundary=att' 'boundary=att; boundary=sig' \
    "boundary=sig; boundary*=us-ascii''att" 'boundary=sig; boundary*0=att' \
    'boundary=sig; protocol="application/pgp-encrypted"'; do
	{ head_signed "$p"; forged att; signed sig; } >"$T/dup.eml"
	expect_none "2: $p: none" "$T/dup.eml"
done

# a line that starts like the delimiter: GMime ends the multipart at
# "--sig--anything", Python and we would not
{
	head_signed 'boundary="sig"'
	printf -- '--sig\r\n'
	cat "$T/part"
	printf -- '--sig--x\r\n'
	printf '\r\n--sig\r\n'
	sigpart
	printf -- '--sig--\r\n'
} >"$T/prefix.eml"
expect_none "2: a line '--sig--x' inside the structure: none" "$T/prefix.eml"

# the same tricks on multipart/encrypted: clear text under one reading,
# a genuine encrypted structure under ours; encrypt must encrypt it
# dressed PARAMS CLEAR-B - the message, with the clear text under CLEAR-B
# (a lone-CR line in the preamble when CLEAR-B is "CR")
dressed() {
	printf 'From: mallory@example.org\r\nTo: nokey@example.org\r\n'
	printf 'MIME-Version: 1.0\r\nContent-Type: multipart/encrypted;\r\n'
	printf ' protocol="application/pgp-encrypted"; %s\r\n\r\n' "$1"
	if [ "$2" = CR ]; then
		printf 'x\r--enc\rContent-Type: text/plain\r\rCard 4111\r--enc--\r\r\n'
	else
		printf -- '--%s\r\nContent-Type: text/plain\r\n\r\n' "$2"
		printf 'Card 4111 1111 1111 1111\r\n--%s--\r\n' "$2"
	fi
	encrypted "$T/secret" "${3:-enc}"
}
for c in 'boundary=enc|CR' 'boundary=enc; boundary=att|att' \
    "boundary=enc; boundary*=us-ascii''att|att" 'boundary=enc att|enc att' \
    'boundary="=?us-ascii?Q?enc?="|enc|=?us-ascii?Q?enc?='; do
	p=${c%%|*}
	rest=${c#*|}
	b2=
	case $rest in *'|'*) b2=${rest#*|}; rest=${rest%%|*} ;; esac
	dressed "$p" "$rest" $b2 >"$T/dr.eml"
	ms "$T/o" "$T/err" encrypt -r bob@example.org "$T/dr.eml"
	check "2: dressed as encrypted ($p, clear under $rest): encrypted" \
	    sh -c "[ $rc -eq 0 ] && ! grep -q 4111 '$T/o'"
done

# ---- item 3: "From : x" (obs-syntax) is a From field, not mbox From_:
# two From fields, so no signer can match "the" From
{
	printf 'From : Mallory <mallory@example.org>\r\n'
	cat "$T/ok.eml"
} >"$T/from.eml"
ms "$T/o" "$T/err" decrypt "$T/from.eml"
case $(verdicts "$T/o") in
*'Signature: good'*)
	not_ok "3: 'From : mallory' before Alice's From: not good" "$T/o" ;;
*)	ok "3: 'From : mallory' before Alice's From: not good" ;;
esac
is "... and the field is kept as the first header field" \
    "$(sed -n 3p "$T/o" | tr -d '\r')" "From : Mallory <mallory@example.org>"

# ---- readers the differential test found splitting otherwise
# (tests/differential.sh): there is no safe reading, so none

# N1: GMime takes the line end before a delimiter to be as long as the
# delimiter line's own: "Friday.\r\n--sig\n" gives it "...Friday.\r"
{ head_signed 'boundary="sig"'; signed sig; } | awk '
    /^--sig\r$/ && n++ == 1 { sub(/\r$/, "") } { print }' >"$T/eol.eml"
expect_none "N1: a delimiter line ended unlike the line before: none" \
    "$T/eol.eml"
{ head_signed 'boundary="sig"'; signed sig; } | awk '
    /^--sig--\r$/ { sub(/\r$/, "") } { print }' >"$T/eol2.eml"
expect_none "N1: the same at the close delimiter: none" "$T/eol2.eml"

# N2: a header not ended by an empty line: GMime reads part 1's fields
# as the root's, Python and we start the body at "--sig"
{ head_signed 'boundary="sig"' | sed '$d'; signed sig; } >"$T/nosep.eml"
expect_none "N2: no empty line before the body: none" "$T/nosep.eml"
{ head_signed 'boundary="sig"' | sed '$d'; printf '\377\r\n'
  signed sig; } >"$T/nosep2.eml"
expect_none "N2: a line that is no field ends the header: none" \
    "$T/nosep2.eml"
{
	printf 'From: mallory@example.org\r\nTo: nokey@example.org\r\n'
	printf 'MIME-Version: 1.0\r\nContent-Type: multipart/encrypted;\r\n'
	printf ' protocol="application/pgp-encrypted"; boundary=enc\r\n'
	encrypted "$T/secret" enc
} >"$T/nosep-enc.eml"
ms "$T/o" "$T/err" encrypt -r bob@example.org "$T/nosep-enc.eml"
check "N2: PGP/MIME without the empty line: encrypt encrypts it" \
    sh -c "[ $rc -eq 0 ] && ! cmp -s '$T/o' '$T/nosep-enc.eml' &&
    grep -q 'BEGIN PGP MESSAGE' '$T/o'"
{
	printf 'From: mallory@example.org\r\nTo: nokey@example.org\r\n'
	printf 'Content-Type: text/plain\r\n'
	g -e -r bob@example.org --armor <"$T/secret" | sed 's/$/\r/'
} >"$T/nosep-inl.eml"
ms "$T/o" "$T/err" encrypt -r bob@example.org "$T/nosep-inl.eml"
check "N2: inline PGP without the empty line: encrypt encrypts it" \
    sh -c "[ $rc -eq 0 ] && ! cmp -s '$T/o' '$T/nosep-inl.eml'"

# N3: a delimiter right after the opening one made a signed part of
# negative length, verified from its start to the end of the input
# (Python and GMime see one part: the signature)
{
	head_signed 'boundary="sig"'
	printf -- '--sig\r\n--sig\r\n'
	sigpart
	printf -- '--sig--\r\n'
} >"$T/empty.eml"
expect_none "N3: an empty first part: none" "$T/empty.eml"

# N6: "Name :" ends the header block for Python's email package: the
# root is text/plain there
{ printf 'X-Note : y\r\n'; cat "$T/ok.eml"; } >"$T/colon.eml"
expect_none "N6: a field with white space before its colon: none" \
    "$T/colon.eml"
check "... and the field is kept" grep -q '^X-Note : y' "$T/o"
{ printf 'X-Note\t: y\r\n'; cat "$T/enc-mixed.eml"; } >"$T/colon-enc.eml"
ms "$T/o" "$T/err" encrypt -r bob@example.org "$T/colon-enc.eml"
check "N6: PGP/MIME with 'X-Note<tab>: y': encrypt encrypts it, keeps the field" \
    sh -c "[ $rc -eq 0 ] && ! cmp -s '$T/o' '$T/colon-enc.eml' &&
    grep -q '^X-Note	: y' '$T/o'"
# the decrypted entity is read the same way (RFC 3156 6.1)
{ printf 'X-Note : y\r\nContent-Type: multipart/signed; micalg=pgp-sha256;\r\n'
  printf ' protocol="application/pgp-signature"; boundary="sig"\r\n\r\n'
  signed sig; } >"$T/colon.entity"
{
	printf 'From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n'
	printf 'Subject: ...\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/encrypted;\r\n'
	printf ' protocol="application/pgp-encrypted"; boundary="BB"\r\n\r\n'
	encrypted "$T/colon.entity" BB
} >"$T/colon-in.eml"
ms "$T/o" "$T/err" decrypt "$T/colon-in.eml"
expect "N6: inside an encrypted message: decrypted, signature none" "$T/o" \
    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|"
sed 's/^X-Note : y/X-Note: y/' "$T/colon.entity" >"$T/plain.entity"
{
	printf 'From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n'
	printf 'Subject: ...\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/encrypted;\r\n'
	printf ' protocol="application/pgp-encrypted"; boundary="BB"\r\n\r\n'
	encrypted "$T/plain.entity" BB
} >"$T/plain-in.eml"
ms "$T/o" "$T/err" decrypt "$T/plain-in.eml"
expect "... and with 'X-Note: y' there, good" "$T/o" \
    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: good; signer=$A|"

done_testing
