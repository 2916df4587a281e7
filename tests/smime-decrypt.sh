#!/bin/sh
# smime-decrypt.sh - mailseal decrypt on S/MIME (RFC 8551, issue 12):
# what `openssl cms` writes (an independent writer) decrypted and
# verified with the test certificates (tests/mkcerts.sh): enveloped
# only (CBC without a signature: refused, the ciphertext kept), signed
# then enveloped, detached and opaque signatures, the signers that must
# not be good (expired, revoked, untrusted CA, another address), a
# tampered signed part; the real-client vectors of the protected-headers
# corpus (bob.p12, sample-ca.pem: read in place); hostile input (garbage
# and truncated DER, over LIMIT_CMS, S/MIME below the root, the x-pkcs7
# labels, no smime-type) and gpgsm missing or dying (75, nothing
# written).  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools openssl gpgsm
ms_certs_home
A=$(cfpr alice)

# inner FILE - the entity the tests sign and encrypt
printf '%s\n' 'Content-Type: text/plain; charset=us-ascii' '' \
    'Hello Bob,' 'the key is under the mat.' >"$T/inner"
sed '1,/^$/d' "$T/inner" >"$T/inner.body"

# sign NAME OUT [OPENSSL-ARGS...] - $T/inner signed by NAME's
# certificate as a message from NAME (detached unless -nodetach)
sign() {
	_n=$1 _o=$2
	shift 2
	openssl cms -sign -in "$T/inner" -signer "$CERTS/$_n.crt" \
	    -inkey "$CERTS/$_n.key" -from "$_n@example.org" \
	    -to bob@example.org -subject "signed by $_n" "$@" \
	    -out "$_o" 2>"$_o.err"
}

# envelope IN OUT CRT [OPENSSL-ARGS...] - IN enveloped (AES-256-CBC) to
# CRT, a message from alice
envelope() {
	_i=$1 _o=$2 _c=$3
	shift 3
	openssl cms -encrypt -aes256 -in "$_i" -from alice@example.org \
	    -to bob@example.org -subject enveloped "$@" -out "$_o" \
	    "$_c" 2>"$_o.err"
}

# same_body DESC OUT WANT - the output's body is WANT's, byte for byte
same_body() {
	body "$2" | tr -d '\r' >"$T/got.body"
	tr -d '\r' <"$3" >"$T/want.body"
	check "$1" cmp "$T/want.body" "$T/got.body"
}

# msp PATH OUT ERR ARG... - ms with PATH set for mailseal alone
msp() {
	_p=$1 _out=$2 _err=$3
	shift 3
	PATH=$_p "$MAILSEAL" "$@" >"$_out" 2>"$_err"
	rc=$?
}

# kept DESC OUT IN - the output is IN with our two verdict lines on top
kept() {
	check "$1" sh -c "sed 1,2d '$2' | cmp - '$3'"
}

# ---- enveloped only: CBC without integrity protection
envelope "$T/inner" "$T/env.eml" "$CERTS/bob.crt"
ms "$T/o" "$T/err" decrypt "$T/env.eml"
expect "enveloped only (CBC, no signature): refused" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=no-integrity-protection; format=smime|X-Mailseal-Signature: none|"
kept "... the ciphertext kept, no plaintext" "$T/o" "$T/env.eml"
check "... not a word of the plaintext in the output" \
    sh -c "! grep -q 'under the mat' '$T/o'"

# ---- signed (opaque, detached), then enveloped
sign alice "$T/op.eml" -nodetach
envelope "$T/op.eml" "$T/op-env.eml" "$CERTS/bob.crt"
ms "$T/o" "$T/err" decrypt "$T/op-env.eml"
expect "opaque-signed then enveloped: decrypted, good" "$T/o" \
    "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"
same_body "... the body is the signed content's" "$T/o" "$T/inner.body"
is "... its Content-Type shown" "$(field "$T/o" Content-Type)" \
    "text/plain; charset=us-ascii"

sign alice "$T/det.eml"
envelope "$T/det.eml" "$T/det-env.eml" "$CERTS/bob.crt"
ms "$T/o" "$T/err" decrypt "$T/det-env.eml"
expect "detached-signed then enveloped: decrypted, good" "$T/o" \
    "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"
check "... the signed text in the output" grep -q 'under the mat' "$T/o"

# a signature that does not verify protects nothing
sed 's/under the mat/under the rug/' "$T/det.eml" >"$T/det-bad.eml"
envelope "$T/det-bad.eml" "$T/det-bad-env.eml" "$CERTS/bob.crt"
ms "$T/o" "$T/err" decrypt "$T/det-bad-env.eml"
expect "a tampered signed part, enveloped: refused, no signer" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=no-integrity-protection; format=smime|X-Mailseal-Signature: none|"
kept "... the ciphertext kept" "$T/o" "$T/det-bad-env.eml"

# a valid signature from the wrong address still proves the content
sign mallory "$T/mal.eml" -nodetach
envelope "$T/mal.eml" "$T/mal-env.eml" "$CERTS/bob.crt"
ms "$T/o" "$T/err" decrypt "$T/mal-env.eml"
is "signed by an untrusted CA's certificate, enveloped: decrypted" \
    "$rc $(field "$T/o" X-Mailseal-Decryption)" \
    "0 decrypted; format=smime; integrity=signature"

# AuthEnvelopedData (AES-GCM): gpgsm 2.2.40 cannot read OpenSSL's ("error
# getting IV"); that is the message's doing, so a verdict, never 75
if openssl cms -encrypt -aes-256-gcm -in "$T/op.eml" \
    -from alice@example.org -to bob@example.org -subject gcm \
    -out "$T/gcm.eml" "$CERTS/bob.crt" 2>/dev/null; then
	ms "$T/o" "$T/err" decrypt "$T/gcm.eml"
	expect "AuthEnvelopedData gpgsm cannot read: failed, bad-data" "$T/o" \
	    "X-Mailseal-Decryption: failed; reason=bad-data; format=smime|X-Mailseal-Signature: none|"
	kept "... the ciphertext kept" "$T/o" "$T/gcm.eml"
else
	skip "AuthEnvelopedData" "openssl cannot write AES-GCM CMS"
fi

# ---- signed only: detached and opaque at the root
ms "$T/o" "$T/err" decrypt "$T/det.eml"
expect "detached signature at the root: good" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
kept "... the message as it came" "$T/o" "$T/det.eml"
ms "$T/o" "$T/err" decrypt "$T/op.eml"
expect "opaque signed-data at the root: good" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
same_body "... the body is the signed content's" "$T/o" "$T/inner.body"
ms "$T/o" "$T/err" decrypt "$T/det-bad.eml"
expect "a tampered signed part: bad" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad; signer=$A|"

# CRLF line ends and a leading mbox From_ line change nothing
for f in det op-env; do
	{
		echo 'From alice@example.org Sun Dec  6 12:00:00 2026'
		sed 's/\r$//; s/$/\r/' "$T/$f.eml"
	} >"$T/$f-crlf.eml"
	ms "$T/o" "$T/err" decrypt "$T/$f-crlf.eml"
	is "$f, CRLF with a From_ line: the same verdicts, From_ first" \
	    "$rc|$(head -n 1 "$T/o")|$(verdicts "$T/o")" \
	    "0|From alice@example.org Sun Dec  6 12:00:00 2026|$(
	    [ $f = det ] && echo "X-Mailseal-Decryption: not-encrypted" ||
	    echo "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature")|X-Mailseal-Signature: good; signer=$A|" \
	    "$T/err"
	check "... every line of the output ends in CRLF" sh -c \
	    "! sed 1d '$T/o' | grep -qv \"\$(printf '\\r')\$\""
done

# the signers that are never good
for who in carol:expired dave:revoked mallory:untrusted-ca; do
	n=${who%%:*}
	sign "$n" "$T/s-$n.eml" || { not_ok "openssl signs as $n" "$T/s-$n.eml.err"; continue; }
	ms "$T/o" "$T/err" decrypt "$T/s-$n.eml"
	v=$(field "$T/o" X-Mailseal-Signature)
	case $n:$v in
	mallory:good-untrusted\;*) ok "signer $who: good-untrusted" ;;
	mallory:*) not_ok "signer $who: $v (want good-untrusted)" "$T/err" ;;
	*:good\;*|*:good) not_ok "signer $who: good" "$T/err" ;;
	*) ok "signer $who: not good ($v)" ;;
	esac
done
# alice's valid signature under another From
sed 's/^From: alice@example.org/From: bob@example.org/' "$T/det.eml" \
    >"$T/det-from.eml"
ms "$T/o" "$T/err" decrypt "$T/det-from.eml"
expect "alice's signature under From: bob: mismatch" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: mismatch; signer=$A|"

# ---- certificates that travel only in the message (what readers
# receive: nobody imports a sender's certificate first).  A home without
# the signers' certificates: gpgsm checks each signature with the one it
# carries, in a scratch keybox, and the engine reads its addresses and
# chain there; the home's keybox stays as it was
HC=$(mktemp -d /tmp/msc.XXXXXX)
_ms_homes="$_ms_homes $HC"
cp -R "$GNUPGHOME/." "$HC/"
rm -f "$HC"/S.*
for n in alice carol dave mallory victor; do
	gpgsm --homedir "$HC" --batch --delete-keys "$(cfpr "$n")" \
	    >/dev/null 2>&1
done
# listed - the home's certificates, as gpgsm lists them
listed() {
	gpgsm --homedir "$1" --with-colons --list-keys 2>/dev/null |
	    grep '^fpr' | sort
}
listed "$HC" >"$T/hc.before"
cp "$HC/pubring.kbx" "$T/hc.kbx"
check "the carried signers are not in that home" \
    sh -c "! grep -q -e '$A' -e '$(cfpr mallory)' '$T/hc.before'"
for who in alice:good victor:good mallory:good-untrusted dave:bad \
    carol:good-untrusted; do
	n=${who%%:*} want=${who#*:}
	sign "$n" "$T/c-$n.eml" ||
	    { not_ok "openssl signs as $n" "$T/c-$n.eml.err"; continue; }
	ms "$T/o" "$T/err" decrypt --homedir "$HC" "$T/c-$n.eml"
	expect "carried certificate of $n (from $n@example.org): $want" \
	    "$T/o" "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: $want; signer=$(cfpr "$n")|"
done
sign alice "$T/c-op.eml" -nodetach
envelope "$T/c-op.eml" "$T/c-op-env.eml" "$CERTS/bob.crt"
ms "$T/o" "$T/err" decrypt --homedir "$HC" "$T/c-op-env.eml"
expect "carried certificate, opaque-signed then enveloped: decrypted, good" \
    "$T/o" "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"
sed 's/^From: alice@example.org/From: bob@example.org/' "$T/c-alice.eml" \
    >"$T/c-from.eml"
ms "$T/o" "$T/err" decrypt --homedir "$HC" "$T/c-from.eml"
expect "carried certificate of alice under From: bob: mismatch" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: mismatch; signer=$A|"
listed "$HC" >"$T/hc.after"
check "... the home's keybox lists the same certificates after" \
    cmp "$T/hc.before" "$T/hc.after"
check "... and is the same file" cmp "$T/hc.kbx" "$HC/pubring.kbx"
# the Test CA's CRL cannot be had (no CRL cache, nothing listens at its
# distribution point): the signature still verifies, but its chain is
# unchecked: good-untrusted, said so, and not 75 (which would be
# retried for ever: the sender chose the distribution point)
HN=$(mktemp -d /tmp/msc.XXXXXX)
_ms_homes="$_ms_homes $HN"
cp -R "$HC/." "$HN/"
rm -rf "$HN"/S.* "$HN/crls.d"
ms "$T/o" "$T/err" decrypt --homedir "$HN" "$T/c-alice.eml"
expect "carried certificate, no CRL to be had: good-untrusted, chain=unchecked, not 75" \
    "$T/o" "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good-untrusted; signer=$A; chain=unchecked|"
check "... and logged so" grep -q 'could not be checked' "$T/err"
ms "$T/o" "$T/err" decrypt --homedir "$HN" "$T/c-op-env.eml"
expect "... opaque-signed then enveloped there: decrypted, good-untrusted" \
    "$T/o" "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good-untrusted; signer=$A; chain=unchecked|"
# a signature by a certificate of another address there is mismatch,
# nothing said of the chain
ms "$T/o" "$T/err" decrypt --homedir "$HN" "$T/c-from.eml"
expect "... alice's under From: bob there: mismatch" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: mismatch; signer=$A|"
# the signer's certificate is listed by the gpgsm that verified (its
# LISTKEYS after VERIFY): a gpgsm that fails there, or answers OK and
# lists nothing, is 75 with nothing written, never a verdict
# (tests/gpgsm_proxy.py at LISTKEYS)
mkdir "$T/lbin"
badlist() {
	cat >"$T/lbin/gpgsm" <<WRAP
#!/bin/sh
case " \$* " in *" --server "*) ;; *) exec "$(command -v gpgsm)" "\$@" ;; esac
exec "$PYTHON" "$MAILSEAL_SRCDIR/tests/gpgsm_proxy.py" $2 LISTKEYS \
    "$(command -v gpgsm)" "\$@"
WRAP
	chmod 755 "$T/lbin/gpgsm"
	rm -f "$T/bl.out"
	msp "$T/lbin:$PATH" "$T/o" "$T/err" decrypt --homedir "$HC" \
	    -o "$T/bl.out" "$T/c-alice.eml"
	if [ "$rc" -eq 75 ] && [ ! -e "$T/bl.out" ] && [ ! -s "$T/o" ] &&
	    one_line "$T/err" && grep -q "$3" "$T/err"; then
		ok "gpgsm $1 listing the signer's certificate: 75, nothing written"
	else
		not_ok "gpgsm $1 listing the signer's certificate: 75 (exit $rc)" \
		    "$T/err"
	fi
}
badlist killed kill 'did not finish'
badlist "gone at LISTKEYS" eof 'did not finish'
badlist "answering OK, listing nothing," ok 'did not list the certificate'
unset -f badlist

# ---- labels: x-pkcs7 (RFC 2633's, as openssl smime -oldmime and older
# Outlook write them), and no smime-type (name=smime.p7m)
sed 's,application/pkcs7-,application/x-pkcs7-,' "$T/det.eml" >"$T/old.eml"
sed 's,application/pkcs7-,application/x-pkcs7-,' "$T/op.eml" >"$T/old-op.eml"
envelope "$T/old-op.eml" "$T/old-env1.eml" "$CERTS/bob.crt"
sed 's,application/pkcs7-,application/x-pkcs7-,' "$T/old-env1.eml" \
    >"$T/old-env.eml"
check "x-pkcs7 labels, none of the others" sh -c \
    "grep -q 'application/x-pkcs7-mime' '$T/old-env.eml' &&
    grep -q 'protocol=\"application/x-pkcs7-signature' '$T/old.eml' &&
    ! grep -q 'application/pkcs7' '$T/old.eml' '$T/old-env.eml'"
ms "$T/o" "$T/err" decrypt "$T/old.eml"
expect "x-pkcs7-signature: good" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
ms "$T/o" "$T/err" decrypt "$T/old-env.eml"
expect "x-pkcs7-mime enveloped-data: decrypted" "$T/o" \
    "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"
sed 's/ smime-type=enveloped-data;//; s/smime-type=enveloped-data; //' \
    "$T/op-env.eml" >"$T/notype.eml"
check "the smime-type is gone" sh -c "! grep -q smime-type '$T/notype.eml'"
ms "$T/o" "$T/err" decrypt "$T/notype.eml"
expect "pkcs7-mime without smime-type (name=smime.p7m): decrypted" "$T/o" \
    "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"

# ---- not for us, garbage, truncated
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/zed.key" \
    -out "$T/zed.crt" -subj "/CN=Zed/emailAddress=zed@example.org" \
    -days 30 >/dev/null 2>&1
envelope "$T/op.eml" "$T/zed-env.eml" "$T/zed.crt"
ms "$T/o" "$T/err" decrypt "$T/zed-env.eml"
expect "enveloped to a certificate we have no key of: failed" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=no-secret-key; format=smime|X-Mailseal-Signature: none|"
kept "... the ciphertext kept" "$T/o" "$T/zed-env.eml"

# the head of a real EnvelopedData, then junk; and half of one
"$PYTHON" - "$T/op-env.eml" "$T/junk.eml" "$T/trunc.eml" <<'EOF'
import base64, os, sys
raw = open(sys.argv[1], 'rb').read()
head, _, b64 = raw.partition(b'\n\n')
der = base64.b64decode(b64)
junk = der[:48] + os.urandom(2000)
open(sys.argv[2], 'wb').write(head + b'\n\n' + base64.encodebytes(junk))
open(sys.argv[3], 'wb').write(head + b'\n\n' +
    base64.encodebytes(der[:len(der) // 2]))
EOF
for f in junk trunc; do
	ms "$T/o" "$T/err" decrypt "$T/$f.eml"
	expect "EnvelopedData's head then $f: failed, bad-data" "$T/o" \
	    "X-Mailseal-Decryption: failed; reason=bad-data; format=smime|X-Mailseal-Signature: none|"
	kept "... the message kept" "$T/o" "$T/$f.eml"
done
# BER with indefinite lengths, as OpenSSL streams it: whole, and cut off
openssl cms -encrypt -aes256 -stream -in "$T/op.eml" -from alice@example.org \
    -to bob@example.org -subject streamed -out "$T/ber.eml" \
    "$CERTS/bob.crt" 2>/dev/null
"$PYTHON" - "$T/ber.eml" "$T/bertrunc.eml" <<'EOF'
import base64, sys
raw = open(sys.argv[1], 'rb').read()
head, _, b64 = raw.partition(b'\n\n')
der = base64.b64decode(b64)
assert der[:2] == b'\x30\x80', "not indefinite-length BER"
open(sys.argv[2], 'wb').write(head + b'\n\n' +
    base64.encodebytes(der[:len(der) // 2]))
EOF
ms "$T/o" "$T/err" decrypt "$T/ber.eml"
expect "indefinite-length BER (openssl -stream): decrypted, good" "$T/o" \
    "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"
ms "$T/o" "$T/err" decrypt "$T/bertrunc.eml"
expect "... cut in half: failed, bad-data" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=bad-data; format=smime|X-Mailseal-Signature: none|"
kept "... the message kept" "$T/o" "$T/bertrunc.eml"
# a label with no CMS under it is not S/MIME at all
printf 'From: a@example.org\nMIME-Version: 1.0\nContent-Type: application/pkcs7-mime; smime-type=enveloped-data\nContent-Transfer-Encoding: base64\n\nSGVsbG8sIHdvcmxkIQ==\n' \
    >"$T/label.eml"
ms "$T/o" "$T/err" decrypt "$T/label.eml"
expect "a pkcs7-mime label over text: not-encrypted" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none|"
# an opaque signed-data whose signature part is junk
"$PYTHON" - "$T/op.eml" "$T/opjunk.eml" <<'EOF'
import base64, os, sys
raw = open(sys.argv[1], 'rb').read()
head, _, b64 = raw.partition(b'\n\n')
der = base64.b64decode(b64)
open(sys.argv[2], 'wb').write(head + b'\n\n' +
    base64.encodebytes(der[:48] + os.urandom(500)))
EOF
ms "$T/o" "$T/err" decrypt "$T/opjunk.eml"
expect "opaque signed-data's head then junk: bad" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad|"
kept "... the message kept" "$T/o" "$T/opjunk.eml"

# ---- the gateway (filter, decrypt = yes) decrypts through the same code
printf '%s\n' "homedir = $GNUPGHOME" "decrypt = yes" "default_policy = none" \
    "gateway_id = gw1.test" "log = stderr" >"$T/gw.conf"
"$MAILSEAL" filter -c "$T/gw.conf" --stdout -f alice@example.org \
    bob@example.org <"$T/op-env.eml" >"$T/o" 2>"$T/err"
rc=$?
is "filter, decrypt = yes: signed then enveloped: decrypted, good" \
    "$rc|$(field "$T/o" X-Mailseal-Decryption)|$(field "$T/o" X-Mailseal-Signature)" \
    "0|decrypted; format=smime; integrity=signature|good; signer=$A" "$T/err"
"$MAILSEAL" filter -c "$T/gw.conf" --stdout -f alice@example.org \
    bob@example.org <"$T/env.eml" >"$T/o" 2>"$T/err"
rc=$?
is "filter, decrypt = yes: enveloped only: refused, ciphertext kept" \
    "$rc|$(field "$T/o" X-Mailseal-Decryption)|$(grep -c 'under the mat' "$T/o")" \
    "0|failed; reason=no-integrity-protection; format=smime|0" "$T/err"

# ---- mailseal's own S/MIME (encrypt --smime, sign --smime), read back;
# skipped where this build does not write S/MIME yet
printf '%s\n' 'From: alice@example.org' 'To: bob@example.org' \
    'Subject: round trip' 'Content-Type: text/plain; charset=us-ascii' '' \
    'Hello Bob,' 'the key is under the mat.' >"$T/rt.eml"
if "$MAILSEAL" encrypt --smime --sign --signer alice@example.org \
    -r bob@example.org -o "$T/rt-se.eml" "$T/rt.eml" 2>"$T/err"; then
	ms "$T/o" "$T/err" decrypt "$T/rt-se.eml"
	expect "our encrypt --smime --sign: decrypted, good" "$T/o" \
	    "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"
	is "... the protected Subject shown" "$(field "$T/o" Subject)" \
	    "round trip"
	check "... the text there" grep -q 'under the mat' "$T/o"
	"$MAILSEAL" encrypt --smime -r bob@example.org -o "$T/rt-e.eml" \
	    "$T/rt.eml" 2>"$T/err"
	ms "$T/o" "$T/err" decrypt "$T/rt-e.eml"
	expect "our encrypt --smime, unsigned: refused like any CBC" "$T/o" \
	    "X-Mailseal-Decryption: failed; reason=no-integrity-protection; format=smime|X-Mailseal-Signature: none|"
	"$MAILSEAL" sign --smime --signer alice@example.org -o "$T/rt-s.eml" \
	    "$T/rt.eml" 2>"$T/err"
	ms "$T/o" "$T/err" decrypt "$T/rt-s.eml"
	expect "our sign --smime: good" "$T/o" \
	    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
	kept "... the message as it came" "$T/o" "$T/rt-s.eml"
else
	skip "our encrypt --smime --sign, read back" "this build does not write S/MIME"
fi

# ---- S/MIME below the root is never decrypted or verified
{
	printf 'From: alice@example.org\nTo: bob@example.org\nSubject: nested\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n'
	printf -- '--b\nContent-Type: text/plain\n\nsee attached\n--b\n'
	sed -n '/^MIME-Version/,$p' "$T/op-env.eml" | sed 1d
	printf -- '--b--\n'
} >"$T/nested.eml"
ms "$T/o" "$T/err" decrypt "$T/nested.eml"
expect "enveloped data in a multipart/mixed part: not-encrypted" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none|"
kept "... the message as it came" "$T/o" "$T/nested.eml"

# ---- LIMIT_CMS (limit.h: 256 MiB of CMS data), counted before gpgsm
# runs (a fake gpgsm first on PATH leaves a mark when it is run): one
# byte over is too-large; exactly the limit is not, and, its DER head
# saying there is more, it is cut off: bad-data, still without gpgsm
mkdir "$T/bin"
printf '#!/bin/sh\ntouch "%s/ran"\nexit 2\n' "$T" >"$T/bin/gpgsm"
chmod 755 "$T/bin/gpgsm"
# big N OUT - an enveloped-data message of N bytes of DER: a SEQUENCE
# head saying it is 1000 bytes longer, the EnvelopedData OID, zeros
big() {
	"$PYTHON" - "$1" "$2" <<'EOF'
import base64, sys
n = int(sys.argv[1])
head = bytes([0x30, 0x84]) + (n + 1000 - 6).to_bytes(4, 'big') + \
    bytes([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03])
first = head + bytes(57 - len(head))
k, r = divmod(n - 57, 57)
with open(sys.argv[2], 'wb') as f:
    f.write(b'From: alice@example.org\nMIME-Version: 1.0\n'
            b'Content-Type: application/pkcs7-mime; smime-type=enveloped-data\n'
            b'Content-Transfer-Encoding: base64\n\n')
    f.write(base64.b64encode(first) + b'\n')
    line = b'A' * 76 + b'\n'
    for i in range(k // 4096):
        f.write(line * 4096)
    f.write(line * (k % 4096))
    if r:
        f.write(base64.b64encode(bytes(r)) + b'\n')
EOF
}
for c in 268435457:too-large 268435456:bad-data; do
	n=${c%%:*} want=${c#*:}
	big "$n" "$T/big.eml"
	rm -f "$T/ran"
	msp "$T/bin:$PATH" "$T/o" "$T/err" decrypt "$T/big.eml"
	expect "$n bytes of DER (LIMIT_CMS is 268435456): $want" "$T/o" \
	    "X-Mailseal-Decryption: failed; reason=$want; format=smime|X-Mailseal-Signature: none|"
	check "... and gpgsm was not run" test ! -e "$T/ran"
	rm -f "$T/big.eml" "$T/o"
done

# an S/MIME signature part over LIMIT_SIGNATURE (1 MiB) is bad without
# gpgsm; one of exactly that size, shaped as SignedData (cmsscan.c makes
# one that is not bad without gpgsm), goes to gpgsm (a wrapper that marks
# its runs), which finds it bad too
real=$(command -v gpgsm)
printf '#!/bin/sh\ntouch "%s/ran"\nexec "%s" "$@"\n' "$T" "$real" \
    >"$T/bin/gpgsm"
chmod 755 "$T/bin/gpgsm"
for c in 1048577:no 1048576:yes; do
	n=${c%%:*} runs=${c#*:}
	"$PYTHON" - "$n" "$T/bigsig.eml" <<'EOF'
import base64, sys
n = int(sys.argv[1])
def enc(t, c):
    lb = len(c).to_bytes(4, "big")
    return bytes([t, 0x84]) + lb + c
def der(pad):
    # SignedData { 1, {}, { id-data }, { SignerInfo { 1, {}, {}, {},
    # zeros } } }: read as SignedData by cmsscan.c (one signer, no
    # certificates), bad to gpgsm
    sd = (b"\x02\x01\x01\x31\x00\x30\x0b\x06\x09\x2a\x86\x48\x86\xf7"
          b"\x0d\x01\x07\x01" + enc(0x31, enc(0x30, b"\x02\x01\x01"
          b"\x30\x00\x30\x00\x30\x00" + enc(0x04, b"\0" * pad))))
    return enc(0x30, b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02" +
               enc(0xa0, enc(0x30, sd)))
# base64 in 76-column lines, then blank lines to make up n bytes
pad = 3 * (n // 77 * 76) // 4 - len(der(0))
while True:
    b = base64.encodebytes(der(pad))
    if len(b) <= n:
        break
    pad -= 1
body = b + b"\n" * (n - len(b))
assert len(body) == n
with open(sys.argv[2], "wb") as f:
    f.write(b"From: alice@example.org\nMIME-Version: 1.0\n"
            b"Content-Type: multipart/signed; boundary=\"s\";\n"
            b" protocol=\"application/pkcs7-signature\"; micalg=sha-256\n\n"
            b"--s\nContent-Type: text/plain\n\nhello\n--s\n"
            b"Content-Type: application/pkcs7-signature\n"
            b"Content-Transfer-Encoding: base64\n\n" + body + b"--s--\n")
EOF
	rm -f "$T/ran"
	msp "$T/bin:$PATH" "$T/o" "$T/err" decrypt "$T/bigsig.eml"
	expect "a signature part of $n bytes (LIMIT_SIGNATURE 1048576): bad" \
	    "$T/o" "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad|"
	is "... gpgsm run: $runs" "$([ -e "$T/ran" ] && echo yes || echo no)" \
	    "$runs"
done

# ---- gpgsm missing or dying: 75, nothing written, no -o file
printf '#!/bin/sh\nkill -9 $$\n' >"$T/bin/gpgsm"
mkdir "$T/nobin"
for how in dying missing; do
	p=$T/bin:$PATH
	[ $how = missing ] && p=$T/nobin
	msp "$p" "$T/o" "$T/err" decrypt "$T/op-env.eml"
	is "gpgsm $how: exit 75, nothing on standard output" \
	    "$rc $(wc -c <"$T/o")" "75 0" "$T/err"
	msp "$p" "$T/o" "$T/err" decrypt -o "$T/out.eml" "$T/det.eml"
	is "gpgsm $how, a signed root, -o: 75 and no file" \
	    "$rc $([ -e "$T/out.eml" ] && echo file)" "75 " "$T/err"
done

# ---- no gpgsm for other mail: a fake that leaves a mark
rm -f "$T/ran"
printf '#!/bin/sh\ntouch "%s/ran"\nexit 2\n' "$T" >"$T/bin/gpgsm"
chmod 755 "$T/bin/gpgsm"
printf 'From: a@example.org\nSubject: plain\n\nhello\n' >"$T/plain.eml"
msp "$T/bin:$PATH" "$T/o" "$T/err" decrypt "$T/plain.eml"
expect "a plain message with a broken gpgsm on PATH: fine" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none|"
check "... and gpgsm was not run" test ! -e "$T/ran"

# ---- the protected-headers corpus (real-client S/MIME): bob.p12, whose
# passphrase is "bob" (the corpus does not say; found by trying), and
# sample-ca.pem, read in place into a home of their own
C=$MAILSEAL_CORPUS/protected-headers-draft
if [ ! -f "$C/bob.p12" ] || [ ! -f "$C/sample-ca.pem" ]; then
	skip "the protected-headers corpus" "no $C"
	done_testing
fi
H=$(mktemp -d /tmp/msc.XXXXXX)
_ms_homes="$_ms_homes $H"
# a PKCS#12 passphrase becomes the agent's protection of the key, which
# then asks for it: the key goes in through a copy with an empty one
# (PBE-SHA1-3DES, which gpgsm 2.2 reads; OpenSSL writes a copy it cannot
# read now and then: tests/mkcerts.sh, so a few tries)
sed '1d;$d' "$C/bob.p12" | base64 -d >"$T/bob.p12"
openssl pkcs12 -legacy -in "$T/bob.p12" -passin pass:bob -nodes \
    -out "$T/bob.pem" 2>/dev/null ||
    openssl pkcs12 -in "$T/bob.p12" -passin pass:bob -nodes \
    -out "$T/bob.pem" 2>/dev/null
gpgsm --homedir "$H" --batch --import "$C/sample-ca.pem" >/dev/null 2>&1
for i in 1 2 3 4 5 6; do
	openssl pkcs12 -export -in "$T/bob.pem" -keypbe PBE-SHA1-3DES \
	    -certpbe PBE-SHA1-3DES -macalg sha1 -passout pass: \
	    -out "$T/bob0.p12" 2>/dev/null
	echo | gpgsm --homedir "$H" --batch --pinentry-mode loopback \
	    --passphrase-fd 0 --import "$T/bob0.p12" >/dev/null 2>&1 && break
done
ca=$(openssl x509 -in "$C/sample-ca.pem" -noout -fingerprint -sha1 |
    sed 's/.*=//; s/://g')
echo "$ca S relax" >"$H/trustlist.txt"
# alice's certificate travels in the messages, and gpgsm checks the
# signature with it (its chain to the trusted sample CA) in a scratch
# keybox of that run alone, where the engine reads its addresses and
# chain: good, and the home's keybox is as it was; with the sample CA
# out of trustlist.txt, good-untrusted; once the operator imports the
# certificate into the home, good all the same
AL=702BA4B157F1E2B7D16B0C6A5FFC8A7DE2057DEB
openssl cms -verify -noverify -in "$C/smime-onepart-signed.eml" \
    -signer "$T/alice-ph.pem" -out /dev/null 2>/dev/null
listed() {
	gpgsm --homedir "$H" --with-colons --list-keys 2>/dev/null |
	    grep '^fpr' | sort
}
listed >"$T/ph.before"
cp "$H/pubring.kbx" "$T/ph.kbx"
for sv in carried:good untrusted:good-untrusted imported:good; do
	how=${sv%%:*} sv=${sv#*:}
	case $how in
	untrusted)
		mv "$H/trustlist.txt" "$H/trustlist.off"
		gpgconf --homedir "$H" --kill all >/dev/null 2>&1 ;;
	imported)
		mv "$H/trustlist.off" "$H/trustlist.txt"
		gpgconf --homedir "$H" --kill all >/dev/null 2>&1
		gpgsm --homedir "$H" --batch --import "$T/alice-ph.pem" \
		    >/dev/null 2>&1 ;;
	esac
	for v in smime-onepart-signed:not-encrypted \
	    smime-multipart-signed:not-encrypted smime-sign+enc:decrypted \
	    smime-sign+enc+legacy-disp:decrypted; do
		n=${v%%:*} d=${v#*:}
		[ $d = decrypted ] &&
		    d="decrypted; format=smime; integrity=signature"
		ms "$T/o" "$T/err" decrypt --homedir "$H" "$C/$n.eml"
		expect "corpus $n (certificate $how): $d, $sv" "$T/o" \
		    "X-Mailseal-Decryption: $d|X-Mailseal-Signature: $sv; signer=$AL|"
		w=$C/$n.inner.inner
		[ -f "$w" ] || w=$C/$n.inner
		if [ -f "$w" ]; then
			body "$w" >"$T/w.body"
			same_body "... the body is the signed content's" \
			    "$T/o" "$T/w.body"
		fi
	done
	if [ $how = carried ]; then
		listed >"$T/ph.after"
		check "... the home's keybox lists the same certificates after" \
		    cmp "$T/ph.before" "$T/ph.after"
		check "... and is the same file" cmp "$T/ph.kbx" \
		    "$H/pubring.kbx"
	fi
done
ms "$T/o" "$T/err" decrypt --homedir "$H" "$C/smime-enc+legacy-disp.eml"
expect "corpus smime-enc+legacy-disp (3DES-CBC, unsigned): refused" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=no-integrity-protection; format=smime|X-Mailseal-Signature: none|"
kept "... the ciphertext kept" "$T/o" "$C/smime-enc+legacy-disp.eml"

# ---- a home with no keybox at all (OpenPGP's alone, or nothing yet):
# gpgsm refuses a --keyring that is not there, so the verification's
# scratch run must not name it (before: 75 for every signed message)
mkdir -m 700 "$T/nokbx"
sign alice "$T/nokbx.eml"
ms "$T/o" "$T/err" decrypt --homedir "$T/nokbx" "$T/nokbx.eml"
check "a home without pubring.kbx: a signed message gets a verdict, exit 0, not 75" \
    sh -c "[ $rc -eq 0 ] && grep -q '^X-Mailseal-Signature: good-untrusted' '$T/o'"
check "... and the home still has no keybox" test ! -e "$T/nokbx/pubring.kbx"
gpgconf --homedir "$T/nokbx" --kill all >/dev/null 2>&1

done_testing
