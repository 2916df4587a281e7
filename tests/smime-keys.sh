#!/bin/sh
# smime-keys.sh - mailseal keys with X.509 certificates (issue 12): for
# each address the OpenPGP key or the certificate that would be used
# (key= or cert=), why a certificate cannot be (expired, revoked,
# untrusted, key usage, no email), when it expires, --expiring over
# certificates, and the configuration's smime and format_preference;
# smime_cipher = aes256-gcm refused (78).  The home holds the OpenPGP
# test keyring and the certificates of tests/mkcerts.sh (ms_both_home).
# TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_both_home
H=$GNUPGHOME
IS_DIAG="$T/e $T/o"

# cday NAME - the notAfter day (UTC) of test certificate NAME
cday() {
	date -u -d "$(openssl x509 -in "$CERTS/$1.crt" -noout -enddate |
	    sed 's/^notAfter=//')" +%F
}

# lines - $T/o's lines joined by |
lines() {
	tr '\n' '|' <"$T/o"
}

# ------------------------------------------------ one address each

ms "$T/o" "$T/e" keys --homedir "$H" victor@example.org
is "certificate only: its line (cert=), exit 0" "$rc|$(lines)" \
    "0|victor@example.org  cert=$(cfpr victor)  encrypt=yes  \
expires=$(cday victor)|"

ms "$T/o" "$T/e" keys --homedir "$H" 'Victor <VICTOR@Example.ORG.>'
is "any spelling of the address: the same certificate" "$rc|$(lines)" \
    "0|victor@example.org  cert=$(cfpr victor)  encrypt=yes  \
expires=$(cday victor)|"

ms "$T/o" "$T/e" keys --homedir "$H" victor+news@example.org
is "+tag: the certificate of the address without it" "$rc|$(lines)" \
    "0|victor+news@example.org  cert=$(cfpr victor)  encrypt=yes  \
expires=$(cday victor)|"

ms "$T/o" "$T/e" keys --homedir "$H" bob@example.org
is "key and certificate: the OpenPGP key (format_preference = openpgp)" \
    "$rc|$(lines)" "0|bob@example.org  key=$(fpr bob)  encrypt=yes  \
expires=never|"

ms "$T/o" "$T/e" keys --homedir "$H" mallory@example.org
is "untrusted root: why, exit 67" "$rc|$(lines)" \
    "67|mallory@example.org  cert=-  encrypt=no  reason=untrusted  \
why=\"certificate $(cfpr mallory) has no valid chain to a trusted root\"|"

# erin: revoked OpenPGP key, sign-only certificate: both said
ms "$T/o" "$T/e" keys --homedir "$H" erin@example.org
is "revoked key and sign-only certificate: a line for each, 67" \
    "$rc|$(lines)" "67|erin@example.org  key=-  encrypt=no  \
reason=revoked  why=\"key $(fpr erin) is revoked\"|erin@example.org  \
cert=-  encrypt=no  reason=key-usage  why=\"certificate $(cfpr erin): its \
key usage does not allow encryption\"|"

ms "$T/o" "$T/e" keys --homedir "$H" dave@example.org
is "expired key and revoked certificate (the CRL): both, 67" \
    "$rc|$(lines)" "67|dave@example.org  key=-  encrypt=no  \
reason=expired  why=\"key $(fpr dave) expired on 2020-01-02\"|\
dave@example.org  cert=-  encrypt=no  reason=revoked  why=\"certificate \
$(cfpr dave) is revoked\"|"

# carol has two usable OpenPGP keys and an expired certificate: the
# keys are used, nothing is said about the certificate
ms "$T/o" "$T/e" keys --homedir "$H" carol@example.org
is "usable keys and an expired certificate: the keys alone" \
    "$rc|$(cut -d' ' -f3 "$T/o" | sort | tr '\n' '|')" \
    "0|$( (echo "key=$(fpr carol1)"; echo "key=$(fpr carol2)") | sort |
    tr '\n' '|')"

ms "$T/o" "$T/e" keys --homedir "$H" nobody@example.org
is "neither: one no-key line, as before certificates" "$rc|$(lines)" \
    "67|nobody@example.org  key=-  encrypt=no  reason=no-key  \
why=\"no key for the address\"|"

# an expired certificate alone: carol's, in a home without her keys
mkdir -m 700 "$T/c" && _ms_homes="$_ms_homes $T/c"
cp -R "$CERTS/home/." "$T/c/"
ms "$T/o" "$T/e" keys --homedir "$T/c" carol@example.org
is "expired certificate: the day it expired" "$rc|$(lines)" \
    "67|carol@example.org  cert=-  encrypt=no  reason=expired  \
why=\"certificate $(cfpr carol) expired on 2021-01-01\"|"

# ------------------------------------------------ every address

ms "$T/o" "$T/e" keys --homedir "$T/c"
is "no address: every certificate's address, sorted; frank's has none" \
    "$rc|$(cut -d' ' -f1,3 "$T/o" | tr '\n' '|')" \
    "0|- cert=-|alice@example.org cert=$(cfpr alice)|bob@example.org \
cert=$(cfpr bob)|carol@example.org cert=-|dave@example.org cert=-|\
erin@example.org cert=-|mallory@example.org cert=-|victor@example.org \
cert=$(cfpr victor)|"
is "no address: the certificate without an email address said so" \
    "$(grep '^-  ' "$T/o")" "-  cert=-  encrypt=no  reason=no-email  \
why=\"certificate $(cfpr frank) names no email address\""

ms "$T/o" "$T/e" keys --homedir "$H"
got=$(cut -d' ' -f1 "$T/o" | sort -c 2>&1 && echo sorted)
is "no address, keys and certificates: one sorted listing" "$got" sorted
is "... victor (a certificate alone) in it" \
    "$(grep -c "^victor@example.org  cert=$(cfpr victor)  " "$T/o")" 1
is "... bob's key, not his certificate" \
    "$(grep '^bob@' "$T/o" | cut -d' ' -f3)" "key=$(fpr bob)"

# ------------------------------------------------ the configuration

cat >"$T/pref.conf" <<EOF
homedir = $H
format_preference = smime
EOF
ms "$T/o" "$T/e" keys -c "$T/pref.conf" bob@example.org alice@example.org
is "format_preference = smime: the certificates of bob and alice" \
    "$rc|$(cut -d' ' -f1,3 "$T/o" | tr '\n' '|')" \
    "0|bob@example.org cert=$(cfpr bob)|alice@example.org \
cert=$(cfpr alice)|"
ms "$T/o" "$T/e" keys -c "$T/pref.conf" xbob@example.org
is "format_preference = smime, a key alone: the key" \
    "$rc|$(cut -d' ' -f3 "$T/o")" "0|key=$(fpr xbob)"

cat >"$T/no.conf" <<EOF
homedir = $H
smime = no
EOF
ms "$T/o" "$T/e" keys -c "$T/no.conf" victor@example.org mallory@example.org
is "smime = no: certificates never consulted" "$rc|$(lines)" \
    "67|victor@example.org  key=-  encrypt=no  reason=no-key  why=\"no key \
for the address\"|mallory@example.org  key=-  encrypt=no  reason=no-key  \
why=\"no key for the address\"|"

cat >"$T/gcm.conf" <<EOF
homedir = $H
smime_cipher = aes256-gcm
EOF
ms "$T/o" "$T/e" keys -c "$T/gcm.conf" bob@example.org
if [ "$rc" -eq 78 ] && [ ! -s "$T/o" ] && one_line "$T/e" &&
    grep -q 'AuthEnvelopedData, which gpgsm 2.2 cannot write' "$T/e"; then
	ok "smime_cipher = aes256-gcm: 78, one line saying why"
else
	not_ok "smime_cipher = aes256-gcm: 78 (exit $rc)" "$T/e" "$T/o"
fi
gw_env
conf gcm2 'smime_cipher = aes256-gcm'
fm "$T/gcm2.conf" bob@example.org </dev/null
is "the filter too: 78" "$rc|$(grep -c 'AuthEnvelopedData' "$T/err")" "78|1"

# ------------------------------------------------ --expiring

ms "$T/o" "$T/e" keys --homedir "$H" --expiring 3650 victor@example.org \
    bob@example.org
is "--expiring 3650: victor's certificate (notAfter in 10 years), exit 1" \
    "$rc|$(lines)" "1|victor@example.org  cert=$(cfpr victor)  \
encrypt=yes  expires=$(cday victor)|"
ms "$T/o" "$T/e" keys --homedir "$H" --expiring 3000 victor@example.org
is "--expiring 3000: not yet, exit 0" "$rc|$(lines)" "0|"
ms "$T/o" "$T/e" keys --homedir "$T/c" --expiring 36500
is "--expiring, every certificate: the usable ones, no frank, exit 1" \
    "$rc|$(cut -d' ' -f1 "$T/o" | tr '\n' ' ')" \
    "1|alice@example.org bob@example.org victor@example.org "

# ------------------------------------------------ no CRL to be had

# the CRL cache gone: dirmngr tries the distribution point (a closed
# loopback port) and the validation cannot finish: 75, not "no cert"
mkdir -m 700 "$T/nocrl" && _ms_homes="$_ms_homes $T/nocrl"
cp -R "$CERTS/home/." "$T/nocrl/"
rm -rf "$T/nocrl/crls.d"
ms "$T/o" "$T/e" keys --homedir "$T/nocrl" victor@example.org
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && one_line "$T/e" &&
    grep -q 'validation did not finish' "$T/e"; then
	ok "no CRL to be had: 75, one line, nothing listed"
else
	not_ok "no CRL to be had: 75 (exit $rc)" "$T/e" "$T/o"
fi

# ------------------------------------------------ gpgsm failing

mkdir "$T/bin"
printf '#!/bin/sh\nexit 2\n' >"$T/bin/gpgsm"
chmod 755 "$T/bin/gpgsm"
PATH="$T/bin:$PATH" ms "$T/o" "$T/e" keys --homedir "$H" victor@example.org
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && one_line "$T/e"; then
	ok "gpgsm failing: 75, nothing listed, one line"
else
	not_ok "gpgsm failing: 75 (exit $rc)" "$T/e" "$T/o"
fi
PATH="$T/bin:$PATH" ms "$T/o" "$T/e" keys -c "$T/no.conf" bob@example.org
is "gpgsm failing, smime = no: not run, exit 0" "$rc|$(cut -d' ' -f3 "$T/o")" \
    "0|key=$(fpr bob)"

# no gpgsm installed: the keys alone, as with smime = no, and one line
mkdir "$T/nogpgsm"
for p in gpg gpgconf gpg-agent dirmngr; do
	ln -s "$(command -v $p)" "$T/nogpgsm/$p"
done
PATH="$T/nogpgsm" ms "$T/o" "$T/e" keys --homedir "$H" bob@example.org
is "no gpgsm installed: bob's key listed, exit 0, one line says certificates are not listed" \
    "$rc|$(cut -d' ' -f3 "$T/o")|$(grep -c 'no gpgsm on PATH: certificates are not listed' "$T/e")" \
    "0|key=$(fpr bob)|1" "$T/e"

done_testing
