#!/bin/sh
# smime-sign.sh - mailseal sign --smime (RFC 8551 3.5): a multipart/signed
# with protocol application/pkcs7-signature and micalg from the signature
# made, which openssl cms -verify and gpgsm --verify (each on its own)
# accept; the signed part is, to a reader that turns LF into CRLF, the
# message's Content-* fields and body in canonical form; the signer from
# From or --signer; no certificate to sign with: refused; gpgsm failing:
# 75 with nothing written; LF and CRLF input, the From_ line.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools openssl
ms_both_home
PARTS="$MAILSEAL_SRCDIR/tests/smime_parts.py"

printf '%s\n' 'From: Alice <alice@example.org>' 'To: bob@example.org' \
    'Subject: signed' 'Date: Mon, 7 Dec 2026 10:00:00 +0000' \
    'Content-Type: text/plain; charset=utf-8' \
    'Content-Transfer-Encoding: 8bit' '' 'line one' 'caf\303\251' \
    '' 'From the start of a line' 'last line' >"$T/m.eml"
printf '%s\r\n' 'Content-Type: text/plain; charset=utf-8' \
    'Content-Transfer-Encoding: 8bit' '' 'line one' 'caf\303\251' '' \
    'From the start of a line' 'last line' >"$T/want.part"

# parts OUT - OUT's signed part (as a CRLF reader sees it) and signature
parts() {
	"$PYTHON" "$PARTS" signed "$1" "$1.part" "$1.sig" 2>"$1.perr"
}
# ossl OUT SIGNER - openssl verifies OUT's detached signature over the
# part against the test CA, and the signer is certificate SIGNER
ossl() {
	openssl cms -verify -binary -inform DER -in "$1.sig" \
	    -content "$1.part" -CAfile "$CERTS/ca.crt" -purpose any \
	    -signer "$1.signer.pem" -out /dev/null 2>"$1.oerr" &&
	    [ "$(openssl x509 -in "$1.signer.pem" -noout -fingerprint -sha1 |
	    sed 's/.*=//; s/://g')" = "$(cfpr "$2")" ]
}
ms_certs_home
SEP=$GNUPGHOME
ms_both_home
# sep_verify OUT SIGNER - gpgsm on a home of its own: a good signature
# by certificate SIGNER
sep_verify() {
	gpgsm --homedir "$SEP" --batch --no-tty --status-fd 1 \
	    --verify "$1.sig" "$1.part" >"$1.vst" 2>"$1.verr" &&
	    grep -q "^\[GNUPG:\] GOODSIG" "$1.vst" &&
	    grep -q "^\[GNUPG:\] VALIDSIG $(cfpr "$2")" "$1.vst"
}

ms "$T/o1" "$T/e1" sign --smime "$T/m.eml"
is "sign --smime: exit 0" "$rc" 0 "$T/e1"
ct=$(field "$T/o1" Content-Type)
is "multipart/signed, pkcs7-signature, micalg sha-256" \
    "$(echo "$ct" | sed 's/boundary="[^"]*"/B/')" \
    'multipart/signed; micalg=sha-256; protocol="application/pkcs7-signature"; B'
is "outer fields kept, Content-* gone from the outer header" \
    "$(sed '/^$/q' "$T/o1" | sed -n 's/^\([A-Za-z-]*\):.*/\1/p' |
    tr '\n' ' ')" "From To Subject Date MIME-Version Content-Type "
check "the two parts, base64 in 76-column lines" parts "$T/o1"
check "the signed part is the canonical Content-* and body" \
    cmp "$T/o1.part" "$T/want.part"
check "openssl cms -verify accepts it: alice's certificate" ossl "$T/o1" alice
check "gpgsm on a home of its own: good, alice's certificate" \
    sep_verify "$T/o1" alice
is "signature part fields" "$(sed -n '/^Content-Type: application\/pkcs7-signature/,/^$/p' \
    "$T/o1" | tr '\n' '|')" 'Content-Type: application/pkcs7-signature; name="smime.p7s"|Content-Transfer-Encoding: base64|Content-Disposition: attachment; filename="smime.p7s"||'
# the whole message, as openssl's S/MIME reader takes it (CRLF)
sed 's/$/\r/' "$T/o1" >"$T/o1.crlf"
check "openssl cms -verify of the whole message (S/MIME format)" \
    openssl cms -verify -in "$T/o1.crlf" -CAfile "$CERTS/ca.crt" \
    -purpose any -out /dev/null

# --- --signer: bob's fingerprint signs a message from alice
ms "$T/o2" "$T/e2" sign --smime --signer "$(cfpr bob)" "$T/m.eml"
is "--signer FPR: exit 0" "$rc" 0 "$T/e2"
parts "$T/o2"
check "--signer FPR: bob's certificate signed" ossl "$T/o2" bob
ms "$T/o2b" "$T/e2b" sign --smime --signer victor@example.org "$T/m.eml"
parts "$T/o2b"
check "--signer ADDR: victor's certificate signed" sep_verify "$T/o2b" victor

# --- CRLF input with a From_ line
{ printf 'From alice@example.org Mon Dec  7 10:00:00 2026\n'
  sed 's/$/\r/' "$T/m.eml"; } >"$T/crlf.eml"
ms "$T/o3" "$T/e3" sign --smime "$T/crlf.eml"
is "CRLF: exit 0" "$rc" 0 "$T/e3"
is "From_ line first, as it was" "$(head -n 1 "$T/o3")" \
    "From alice@example.org Mon Dec  7 10:00:00 2026"
is "CRLF: every line after it ends in CRLF" \
    "$(sed 1d "$T/o3" | grep -vc "$(printf '\r')\$")" 0
parts "$T/o3"
check "CRLF: the same signed part" cmp "$T/o3.part" "$T/want.part"
check "CRLF: openssl accepts it" ossl "$T/o3" alice
check "CRLF: gpgsm accepts it" sep_verify "$T/o3" alice

# --- already signed at the root (S/MIME, multipart or opaque): unchanged
ms "$T/again" "$T/ae" sign --smime "$T/o1"
check "sign --smime of an S/MIME-signed message: unchanged" \
    cmp "$T/again" "$T/o1"
ms "$T/again2" "$T/ae2" sign "$T/o1"
check "sign (OpenPGP) of an S/MIME-signed message: unchanged" \
    cmp "$T/again2" "$T/o1"
{ printf '%s\n' 'From: alice@example.org' 'To: bob@example.org' \
    'Subject: opaque' 'MIME-Version: 1.0' \
    'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"' \
    'Content-Transfer-Encoding: base64' ''
  printf 'Content-Type: text/plain\r\n\r\nhi\r\n' |
    openssl cms -sign -nodetach -binary -outform DER \
    -signer "$CERTS/alice.crt" -inkey "$CERTS/alice.key" 2>/dev/null |
    base64; } >"$T/opaque.eml"
ms "$T/again3" "$T/ae3" sign --smime "$T/opaque.eml"
check "sign --smime of an opaque signed-data message: unchanged" \
    cmp "$T/again3" "$T/opaque.eml"

# --- no certificate to sign with
printf '%s\n' 'From: xbob@example.org' 'To: bob@example.org' 'Subject: s' \
    '' 'hi' >"$T/x.eml"
ms "$T/o4" "$T/e4" sign --smime "$T/x.eml"
if [ "$rc" -eq 78 ] && [ ! -s "$T/o4" ] && one_line "$T/e4" &&
    grep -q 'xbob@example.org' "$T/e4"; then
	ok "From without a certificate: refused (78), nothing written"
else
	not_ok "From without a certificate: refused (78) (exit $rc)" "$T/e4"
fi
printf '%s\n' 'From: carol@example.org' 'To: bob@example.org' 'Subject: s' \
    '' 'hi' >"$T/c.eml"
ms "$T/o5" "$T/e5" sign --smime "$T/c.eml"
if [ "$rc" -ne 0 ] && [ ! -s "$T/o5" ]; then
	ok "expired certificate: not signed (exit $rc)"
else
	not_ok "expired certificate: not signed (exit $rc)" "$T/e5" "$T/o5"
fi

# --- --passphrase-file: GPGME 1.18's gpgsm engine answers gpgsm's
# passphrase inquiry with an empty END, so a passphrase cannot reach
# gpg-agent's loopback pinentry: refused at once (64), said, nothing
# written, gpgsm never asked to sign
head -n 1 "$CERTS/alice.pass" >"$T/pass"
chmod 600 "$T/pass"
ms "$T/o6" "$T/e6" sign --smime --passphrase-file "$T/pass" "$T/m.eml"
if [ "$rc" -eq 64 ] && [ ! -s "$T/o6" ] && one_line "$T/e6" &&
    grep -q 'passphrase' "$T/e6"; then
	ok "sign --smime --passphrase-file: 64, said, nothing written"
else
	not_ok "sign --smime --passphrase-file: 64 (exit $rc)" "$T/e6"
fi
ms "$T/o7" "$T/e7" encrypt --smime --sign --passphrase-file "$T/pass" \
    -r bob@example.org "$T/m.eml"
if [ "$rc" -eq 64 ] && [ ! -s "$T/o7" ] && one_line "$T/e7"; then
	ok "encrypt --smime --sign --passphrase-file: 64, nothing written"
else
	not_ok "encrypt --smime --sign --passphrase-file: 64 (exit $rc)" \
	    "$T/e7"
fi

# --- gpgsm failing: 75, nothing written (tests/gpgsm_proxy.py at SIGN)
real=$(command -v gpgsm)
mkdir "$T/bin"
bad() {
	cat >"$T/bin/gpgsm" <<WRAP
#!/bin/sh
case " \$* " in *" --server "*) ;; *) exec "$real" "\$@" ;; esac
exec "$PYTHON" "$MAILSEAL_SRCDIR/tests/gpgsm_proxy.py" $2 SIGN "$real" "\$@"
WRAP
	chmod 755 "$T/bin/gpgsm"
	rm -f "$T/b.out"
	PATH=$T/bin:$PATH "$MAILSEAL" sign --smime -o "$T/b.out" "$T/m.eml" \
	    2>"$T/b.err"
	rc=$?
	if [ "$rc" -eq 75 ] && [ ! -e "$T/b.out" ] && one_line "$T/b.err"; then
		ok "gpgsm $1 when signing: 75, no output file"
	else
		not_ok "gpgsm $1 when signing: 75, no output file (exit $rc)" \
		    "$T/b.err"
	fi
}
bad "killed" kill
bad "gone at SIGN" eof
bad "claims success, writes nothing" ok
done_testing
