#!/bin/sh
# certs.sh - the S/MIME test fixture (tests/mkcerts.sh) is what its names
# promise, so a broken fixture shows here and not as a puzzling failure
# elsewhere: gpgsm's validation of each certificate in a private copy of
# the home (the CRL cache travels with it; no network), the fingerprint
# files, secret keys usable with no passphrase, the PKCS#12 files readable
# by gpgsm 2.2, and gpgsm and openssl reading each other's CMS.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_certs_home

sm() {
	gpgsm --batch --no-tty "$@"
}

# verdict NAME - gpgsm's bracketed validation lines for NAME, joined by |
verdict() {
	sm --with-validation --list-keys "0x$(cfpr "$1")" 2>&1 |
	    sed -n 's/^  \[\(.*\)\]$/\1/p' | tr '\n' '|'
}

for n in alice bob victor erin frank; do
	is "$n: certificate is good" "$(verdict "$n")" "certificate is good|"
done
is "carol: expired" "$(verdict carol)" \
    "certificate has expired|certificate is bad: Certificate expired|"
is "dave: revoked, as the CA's CRL in dirmngr's cache says" \
    "$(verdict dave)" \
    "certificate has been revoked|certificate is bad: Certificate revoked|"
is "mallory: its root is not trusted" "$(verdict mallory)" \
    "root certificate is not marked trusted|certificate is bad: Not trusted|"

# colons NAME - gpgsm's colon listing of NAME's certificate
colons() {
	sm --with-colons --list-keys "0x$(cfpr "$1")" 2>/dev/null
}
want=
got=
for n in alice bob victor carol dave erin frank mallory; do
	want="$want $n=$(cfpr "$n")"
	got="$got $n=$(colons "$n" | awk -F: '$1 == "fpr" { print $10; exit }')"
done
is "NAME.fpr is gpgsm's fingerprint of each" "$got" "$want"

emails() {
	colons "$1" | sed -n 's/^uid:[^:]*::::::::<\(.*\)>::.*/\1/p' |
	    tr '\n' ' '
}
is "alice's address is in her certificate" "$(emails alice)" \
    "alice@example.org "
is "frank's certificate has no address" "$(emails frank)" ""
is "erin's key usage is signing alone" \
    "$(colons erin | awk -F: '$1 == "crt" { print $12 }')" "sS"

got=
for n in alice bob victor carol dave erin frank mallory; do
	sm --list-secret-keys "0x$(cfpr "$n")" >/dev/null 2>&1 || got="$got $n"
done
is "every secret key is in the home" "$got" ""

# openssl encrypts to bob, gpgsm decrypts with no passphrase
printf 'Content-Type: text/plain\r\n\r\nfor bob\r\n' >"$T/in"
openssl cms -encrypt -binary -aes256 -outform DER -in "$T/in" \
    -out "$T/env.der" "$CERTS/bob.crt" 2>"$T/e"
sm --pinentry-mode loopback --passphrase '' --decrypt \
    --output "$T/dec" "$T/env.der" 2>"$T/e" </dev/null
if cmp -s "$T/in" "$T/dec"; then
	ok "gpgsm decrypts openssl's enveloped-data to bob, no passphrase"
else
	not_ok "gpgsm decrypts openssl's enveloped-data to bob" "$T/e"
fi

# gpgsm encrypts to victor (intermediate CA), openssl decrypts
sm --encrypt --recipient "0x$(cfpr victor)" --output "$T/v.der" \
    "$T/in" 2>"$T/e"
if cms_dec victor "$T/v.der" "$T/vdec" && cmp -s "$T/in" "$T/vdec"; then
	ok "openssl decrypts gpgsm's enveloped-data to victor (intermediate)"
else
	not_ok "openssl decrypts gpgsm's enveloped-data to victor" "$T/e" \
	    "$T/vdec.err"
fi

# gpgsm signs as alice, openssl verifies against the test root
sm --detach-sign --local-user "0x$(cfpr alice)" --output "$T/sig" \
    "$T/in" 2>"$T/e"
if openssl cms -verify -binary -inform DER -in "$T/sig" -content "$T/in" \
    -CAfile "$CERTS/ca.crt" -purpose any -out /dev/null 2>"$T/e2"; then
	ok "openssl verifies alice's gpgsm signature to the test root"
else
	not_ok "openssl verifies alice's gpgsm signature" "$T/e" "$T/e2"
fi

# the protected PKCS#12 files import into gpgsm 2.2 with their passphrase
for n in alice victor; do
	h=$T/p12-$n
	mkdir -m 700 "$h"
	_ms_homes="$_ms_homes $h"
	gpgsm --homedir "$h" --batch --no-tty --pinentry-mode loopback \
	    --passphrase-fd 0 --import "$CERTS/$n.p12" \
	    <"$CERTS/$n.pass" >"$T/e" 2>&1
	if gpgsm --homedir "$h" --batch --list-secret-keys \
	    "0x$(cfpr "$n")" >/dev/null 2>&1; then
		ok "$n.p12 imports into gpgsm with $n.pass"
	else
		not_ok "$n.p12 imports into gpgsm with $n.pass" "$T/e"
	fi
done

# ms_both_home: one home, both formats
ms_both_home
gpg --batch --list-keys "$(fpr bob)" >"$T/e" 2>&1 || echo "no OpenPGP key" >>"$T/e"
is "ms_both_home: bob's OpenPGP key and his valid certificate" \
    "$(verdict bob)$(grep -c "$(fpr bob)" "$T/e")" "certificate is good|1" "$T/e"
is "ms_both_home: dave's certificate is revoked (the CRL cache is there)" \
    "$(verdict dave)" \
    "certificate has been revoked|certificate is bad: Certificate revoked|"
printf 'x\n' | gpgsm --batch --encrypt -r "0x$(cfpr victor)" >"$T/v2.der" 2>"$T/e"
gpgsm --batch --pinentry-mode loopback --passphrase '' --decrypt \
    "$T/v2.der" >"$T/v2" 2>>"$T/e" </dev/null
is "ms_both_home: victor's secret key decrypts" "$(cat "$T/v2")" x "$T/e"

done_testing
