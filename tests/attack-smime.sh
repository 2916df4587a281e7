#!/bin/sh
# attack-smime.sh - hostile S/MIME against decrypt's reading path
# (issue 12, the attacker's pass): each case is an input built here with
# openssl and the test certificates (tests/mkcerts.sh) that broke a
# promise of mailseal's: content gets a verdict, never 75; no CBC
# plaintext without a signature over all of it; no message data left in
# a named file.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools openssl gpgsm
ms_certs_home
C=$CERTS
A=$(cfpr alice)
IS_DIAG=$T/err

# good FILE - a signed entity (CRLF, as signed), and evil, what an
# attacker would have shown instead
printf 'Content-Type: text/plain\r\n\r\nsigned content\r\n' >"$T/good"
printf 'Content-Type: text/plain\r\n\r\nEVIL content\r\n' >"$T/evil"

# p7s DER - DER as the base64 body of a pkcs7 part
p7s() {
	base64 -w 76 "$1"
}

# msigned PART DER - a multipart/signed message from alice: PART (LF)
# and the S/MIME signature part holding DER
msigned() {
	printf '%s\n' 'From: alice@example.org' 'To: bob@example.org' \
	    'Subject: signed' 'MIME-Version: 1.0' \
	    'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="BB"' \
	    '' '--BB'
	tr -d '\r' <"$1"
	printf '%s\n' '' '--BB' \
	    'Content-Type: application/pkcs7-signature; name=smime.p7s' \
	    'Content-Transfer-Encoding: base64' ''
	p7s "$2"
	printf '%s\n' '' '--BB--'
}

# envelope IN OUT - IN enveloped (AES-256-CBC) to bob
envelope() {
	openssl cms -encrypt -aes256 -in "$1" -from alice@example.org \
	    -to bob@example.org -subject enveloped -out "$2" \
	    "$C/bob.crt" 2>"$2.err"
}

# kept DESC OUT IN - the output is IN with our two verdict lines on top
kept() {
	check "$1" sh -c "sed 1,2d '$2' | cmp - '$3'"
}

# not_shown DESC OUT TEXT - TEXT is nowhere in OUT
not_shown() {
	check "$1" sh -c "! grep -q '$3' '$2'"
}

# ---- a pkcs7-signature part whose SignedData carries content of its
# own (not detached): gpgsm refuses data given for it ("Conflicting
# use"), which was 75 for ever; it is a bad signature
openssl cms -sign -binary -nodetach -outform DER -in "$T/good" \
    -signer "$C/alice.crt" -inkey "$C/alice.key" -out "$T/nd.der"
msigned "$T/evil" "$T/nd.der" >"$T/nd.eml"
ms "$T/o" "$T/err" decrypt "$T/nd.eml"
expect "signature part with content of its own: bad, not 75" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad|"
msigned "$T/good" "$T/nd.der" >"$T/nd2.eml"
ms "$T/o" "$T/err" decrypt "$T/nd2.eml"
expect "... the same over its own content: bad" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad|"
envelope "$T/nd.eml" "$T/nd-env.eml"
ms "$T/o" "$T/err" decrypt "$T/nd-env.eml"
expect "... inside CBC enveloped data: refused, not 75" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=no-integrity-protection; format=smime|X-Mailseal-Signature: none|"
not_shown "... no plaintext shown" "$T/o" EVIL

# ---- CBC: alice's genuine multipart/signed, enveloped, with what CBC
# lets anyone change without breaking her signature: the multipart's own
# header (a Content-Base or Content-Location a reader resolves the
# signed HTML's links against), its preamble and epilogue.  Only what
# the signature covers is shown: the signed part, her signature, the
# Content-Type that says how they go together
printf 'Content-Type: text/html\r\n\r\n<p><img src="pic.png"></p>\r\n' \
    >"$T/html"
openssl cms -sign -binary -outform DER -in "$T/html" \
    -signer "$C/alice.crt" -inkey "$C/alice.key" -out "$T/html.der"
{
	printf '%s\n' 'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="BB"' \
	    'Content-Base: "http://evil.example/CB/"' \
	    'Content-Location: http://evil.example/CL/' '' \
	    '<img src="http://evil.example/PRE">' '--BB'
	tr -d '\r' <"$T/html"
	printf '%s\n' '' '--BB' \
	    'Content-Type: application/pkcs7-signature; name=smime.p7s' \
	    'Content-Transfer-Encoding: base64' ''
	p7s "$T/html.der"
	printf '%s\n' '' '--BB--' '<img src="http://evil.example/EPI">'
} | sed 's/$/\r/' >"$T/cbc.inner"
envelope "$T/cbc.inner" "$T/cbc.eml"
ms "$T/o" "$T/err" decrypt "$T/cbc.eml"
expect "CBC, a changed multipart/signed around alice's signed part" "$T/o" \
    "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"
not_shown "... none of what her signature does not cover is shown" \
    "$T/o" evil.example
check "... the signed part is still hers (openssl cms -verify)" \
    openssl cms -verify -in "$T/o" -CAfile "$C/ca.crt" -purpose any \
    -out "$T/o.part"
check "... and it is what she signed" cmp "$T/o.part" "$T/html"

# ---- certificates carried: gpgsm stores and looks up each, in time
# that grows faster than their number; 20000 (7 MB) kept it past its
# deadline, a 75 at every retry.  Over LIMIT_CMS_CERTS (64) the
# signature is bad and gpgsm does not see it.
# bundle N FILE - N self-signed certificates (one key), PEM
bundle() {
	"$PYTHON" - "$1" "$2" <<'PY'
import sys, datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = ec.generate_private_key(ec.SECP256R1())
t = datetime.datetime(2026, 1, 1)
with open(sys.argv[2], "wb") as out:
    for i in range(int(sys.argv[1])):
        n = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "c%d" % i)])
        c = (x509.CertificateBuilder().subject_name(n).issuer_name(n)
             .public_key(key.public_key()).serial_number(i + 1)
             .not_valid_before(t)
             .not_valid_after(t + datetime.timedelta(days=3650))
             .sign(key, hashes.SHA256()))
        out.write(c.public_bytes(serialization.Encoding.PEM))
PY
}
if "$PYTHON" -c 'import cryptography' 2>/dev/null; then
	# carrying N: alice's certificate and N - 1 others
	for n in 64 65 20000; do
		bundle $((n - 1)) "$T/b$n.pem"
		for how in -nodetach ""; do
			openssl cms -sign $how -in "$T/good" \
			    -signer "$C/alice.crt" -inkey "$C/alice.key" \
			    -certfile "$T/b$n.pem" -from alice@example.org \
			    -to bob@example.org -out "$T/c$n$how.eml"
		done
	done
	for how in -nodetach ""; do
		d=${how:+opaque}
		d=${d:-detached}
		ms "$T/o" "$T/err" decrypt "$T/c64$how.eml"
		expect "$d, 64 certificates carried: good" "$T/o" \
		    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
		ms "$T/o" "$T/err" decrypt "$T/c65$how.eml"
		expect "$d, 65 certificates carried: bad" "$T/o" \
		    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad|"
	done
	ms "$T/o" "$T/err" decrypt "$T/c20000-nodetach.eml"
	expect "opaque, 20000 certificates carried: bad, not 75" "$T/o" \
	    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad|"
	envelope "$T/c65-nodetach.eml" "$T/c65-env.eml"
	ms "$T/o" "$T/err" decrypt "$T/c65-env.eml"
	expect "... 65 inside CBC enveloped data: refused" "$T/o" \
	    "X-Mailseal-Decryption: failed; reason=no-integrity-protection; format=smime|X-Mailseal-Signature: none|"
else
	skip "certificates carried" "no python3-cryptography"
fi

# ---- SignerInfos: over LIMIT_SIGNATURES (16) bad before gpgsm reads
# them (it was bad after gpgsm had checked each)
for n in 16 17; do
	set --
	i=0
	while [ $i -lt $n ]; do
		set -- "$@" -signer "$C/alice.crt" -inkey "$C/alice.key"
		i=$((i + 1))
	done
	openssl cms -sign -nodetach -nocerts -in "$T/good" "$@" \
	    -from alice@example.org -to bob@example.org -out "$T/s$n.eml"
done
ms "$T/o" "$T/err" decrypt "$T/s16.eml"
expect "opaque, 16 SignerInfos: good" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
ms "$T/o" "$T/err" decrypt "$T/s17.eml"
expect "opaque, 17 SignerInfos: bad" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad|"

# ---- RSASSA-PSS: gpgsm 2.2.40 frees memory twice and dies on a PSS
# signature it rejects (OpenSSL's default salt, as long as the key
# allows): 75 at every retry.  Such a signature is bad without gpgsm;
# PSS as gpgsm verifies it (the salt as long as the hash) still is good
for salt in max digest; do
	openssl cms -sign -in "$T/good" -signer "$C/alice.crt" \
	    -inkey "$C/alice.key" -keyopt rsa_padding_mode:pss \
	    -keyopt "rsa_pss_saltlen:$salt" -from alice@example.org \
	    -to bob@example.org -out "$T/pss-$salt.eml"
	openssl cms -sign -nodetach -in "$T/good" -signer "$C/alice.crt" \
	    -inkey "$C/alice.key" -keyopt rsa_padding_mode:pss \
	    -keyopt "rsa_pss_saltlen:$salt" -from alice@example.org \
	    -to bob@example.org -out "$T/pss-$salt-op.eml"
done
ms "$T/o" "$T/err" decrypt "$T/pss-max.eml"
expect "RSA-PSS, salt as long as the key allows: bad, not 75" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad|"
envelope "$T/pss-max-op.eml" "$T/pss-max-env.eml"
ms "$T/o" "$T/err" decrypt "$T/pss-max-env.eml"
expect "... opaque, inside CBC enveloped data: refused, not 75" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=no-integrity-protection; format=smime|X-Mailseal-Signature: none|"
ms "$T/o" "$T/err" decrypt "$T/pss-digest.eml"
expect "RSA-PSS, salt as long as the hash: good" "$T/o" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
envelope "$T/pss-digest-op.eml" "$T/pss-digest-env.eml"
ms "$T/o" "$T/err" decrypt "$T/pss-digest-env.eml"
expect "... opaque, inside CBC enveloped data: decrypted, good" "$T/o" \
    "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"

# ---- RecipientInfos: gpgsm asks gpg-agent to decrypt every one made
# out to a key of ours (some 4 ms each): 35000 copies of bob's with a
# wrong key kept it past its deadline (75, at every retry).  Over
# LIMIT_SESSION_KEYS (2000) the decryption fails, too-many-recipients.
# recips DER N MODE - DER (EnvelopedData to bob) as a message with N
# more RecipientInfos before bob's: copies of his with another serial
# (MODE other) or with a wrong encrypted key (MODE ours)
recips() {
	"$PYTHON" - "$1" "$2" "$3" <<'PY'
import sys, base64
def tlv(b, i):
    t = b[i]; l = b[i + 1]; i += 2
    if l & 0x80:
        n = l & 0x7f; l = int.from_bytes(b[i:i + n], "big"); i += n
    return t, i, l
def enc(t, c):
    l = len(c)
    if l < 128:
        return bytes([t, l]) + c
    lb = l.to_bytes((l.bit_length() + 7) // 8, "big")
    return bytes([t, 0x80 | len(lb)]) + lb + c
der = open(sys.argv[1], "rb").read()
_, s, _ = tlv(der, 0)
_, s2, l2 = tlv(der, s)
oid = der[s:s2 + l2]
_, s3, _ = tlv(der, s2 + l2)
_, s4, l4 = tlv(der, s3)
_, a, la = tlv(der, s4)
version = der[s4:a + la]
t, a2, la2 = tlv(der, a + la)
ris = der[a2:a2 + la2]
rest = der[a2 + la2:s4 + l4]
_, b0, lb = tlv(ris, 0)
ktri = ris[0:b0 + lb]
fakes = []
for i in range(int(sys.argv[2])):
    k = bytearray(ktri)
    if sys.argv[3] == "ours":
        at = len(k) - 1
    else:   # the serial: ktri { version, { issuer, serial } }
        _, c0, _ = tlv(k, 0); _, c1, l1 = tlv(k, c0)
        _, c2, _ = tlv(k, c1 + l1); _, c3, l3 = tlv(k, c2)
        _, c4, l4 = tlv(k, c3 + l3); at = c4 + l4 - 1
    k[at] = (k[at] + 1 + i) % 256
    k[at - 1] = (k[at - 1] + 1 + i // 256) % 256
    fakes.append(bytes(k))
ed = enc(0x30, version + enc(0x31, b"".join(fakes) + ris) + rest)
ci = enc(0x30, oid + enc(0xa0, ed))
sys.stdout.write("From: alice@example.org\nTo: bob@example.org\n"
    "Subject: recipients\nMIME-Version: 1.0\nContent-Type: "
    "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\n"
    "Content-Transfer-Encoding: base64\n\n" +
    base64.encodebytes(ci).decode())
PY
}
openssl cms -sign -nodetach -in "$T/good" -signer "$C/alice.crt" \
    -inkey "$C/alice.key" -from alice@example.org -to bob@example.org \
    -out "$T/r-op.eml"
openssl cms -encrypt -aes256 -outform DER -in "$T/r-op.eml" \
    -out "$T/r-env.der" "$C/bob.crt"
recips "$T/r-env.der" 1999 other >"$T/r2000.eml"
ms "$T/o" "$T/err" decrypt "$T/r2000.eml"
expect "2000 RecipientInfos: decrypted" "$T/o" \
    "X-Mailseal-Decryption: decrypted; format=smime; integrity=signature|X-Mailseal-Signature: good; signer=$A|"
recips "$T/r-env.der" 2000 other >"$T/r2001.eml"
ms "$T/o" "$T/err" decrypt "$T/r2001.eml"
expect "2001 RecipientInfos: too many" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=too-many-recipients; format=smime|X-Mailseal-Signature: none|"
kept "... the ciphertext kept" "$T/o" "$T/r2001.eml"
recips "$T/r-env.der" 35000 ours >"$T/r35k.eml"
ms "$T/o" "$T/err" decrypt "$T/r35k.eml"
expect "35000 made out to bob's key, wrongly: too many, not 75" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=too-many-recipients; format=smime|X-Mailseal-Signature: none|"

# ---- killed with its process group (as Postfix kills a command that
# timed out) while gpgsm verifies: the scratch keybox directory, with
# the certificates the message carried, was left in $TMPDIR for ever;
# the next run removes it (and never one whose supervisor lives)
mkdir -p "$T/tmp" "$T/bin"
# a dirmngr that kills mailseal's process group: gpgsm asks it about
# the signer's chain after it has stored the certificates the message
# carried
printf '%s\n' '#!/bin/sh' "kill -9 -\$(cat '$T/pg')" >"$T/bin/dirmngr"
chmod +x "$T/bin/dirmngr"
gpgconf --homedir "$GNUPGHOME" --kill dirmngr >/dev/null 2>&1
echo "dirmngr-program $T/bin/dirmngr" >>"$GNUPGHOME/gpgsm.conf"
# alice's signature carrying eve's certificate (not in the home)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/eve.key" \
    -out "$T/eve.crt" -subj "/CN=eve/emailAddress=eve@example.net" \
    -days 30 2>/dev/null
openssl cms -sign -in "$T/good" -signer "$C/alice.crt" \
    -inkey "$C/alice.key" -certfile "$T/eve.crt" \
    -from alice@example.org -to bob@example.org -out "$T/det.eml"
(TMPDIR=$T/tmp setsid sh -c 'echo $$ >"$1/pg"; exec "$2" decrypt \
    "$1/det.eml" >"$1/o" 2>"$1/err"' sh "$T" "$MAILSEAL") 2>/dev/null
sed -i '/^dirmngr-program /d' "$GNUPGHOME/gpgsm.conf"
left=$(find "$T/tmp" -name scratch.kbx -size +32c | wc -l)
if [ "$left" -eq 1 ]; then
	ok "killed mid-verification: its certificates left in a scratch keybox"
	dead=$(ls -d "$T/tmp"/mailseal-gpgsm.*)
	mkdir "$T/tmp/mailseal-gpgsm.$$.live"	# this shell's: alive
	TMPDIR=$T/tmp ms "$T/o" "$T/err" decrypt "$T/det.eml"
	expect "... the next verification" "$T/o" \
	    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
	check "... removes the directory left" test ! -e "$dead"
	check "... not one whose process lives" \
	    test -d "$T/tmp/mailseal-gpgsm.$$.live"
	check "... and nothing else" \
	    sh -c "[ \"\$(ls -A '$T/tmp')\" = 'mailseal-gpgsm.$$.live' ]"
else
	skip "killed mid-verification" "no scratch keybox seen before the kill"
fi

done_testing
