#!/bin/sh
# attack-smime-out.sh - attacks on what mailseal writes in S/MIME
# (encrypt --smime, the automatic choice, --sign, sign --smime): each
# case is a promise of mailseal(1) that a crafted input, a fault or a
# reader once broke (or that held when tried: certificate choice, gpgsm
# failing under --sign).  The certificates are
# tests/mkcerts.sh's; the readers openssl cms and gpgsm.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools openssl base64
ms_both_home
PARTS="$MAILSEAL_SRCDIR/tests/smime_parts.py"

printf '%s\n' 'From: alice@example.org' 'To: victor@example.org' \
    'Subject: the plan' 'Message-ID: <a1@example.org>' '' \
    'Dear Victor, the secret plan is to meet at noon.' >"$T/m.eml"
ms "$T/real" "$T/real.err" encrypt --smime "$T/m.eml"
"$PYTHON" "$PARTS" enveloped "$T/real" "$T/real.der" 2>/dev/null ||
    skip_all "cannot make a real S/MIME message (exit $rc)"

# fake FILE - an application/pkcs7-mime enveloped-data message whose
# base64 body (stdin) we are to take for encrypted
fake() {
	{
		printf '%s\n' 'From: alice@example.org' \
		    'To: victor@example.org' 'Subject: the plan' \
		    'MIME-Version: 1.0' \
		    'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"' \
		    'Content-Transfer-Encoding: base64' ''
		cat
	} >"$1"
}

# sealed DESC FILE - encrypt FILE: exit 0, not copied as it is, and no
# "secret plan" in clear in what is written
sealed() {
	ms "$T/s.out" "$T/s.err" encrypt "$2"
	if [ "$rc" -eq 0 ] && ! cmp -s "$T/s.out" "$2" &&
	    ! grep -q 'secret plan' "$T/s.out" &&
	    [ "$(field "$T/s.out" Subject)" = "[...]" ]; then
		ok "$1: encrypted, not passed on"
	else
		not_ok "$1: encrypted, not passed on (exit $rc)" "$T/s.err" \
		    "$T/s.out"
	fi
}

# --- "already encrypted" must be the whole body, not its first bytes
# (mailseal(1): the base64 body decodes to CMS EnvelopedData)
{ head -c 60 "$T/real.der" | base64 -w 76; echo
  echo 'Dear Victor, the secret plan is to meet at noon.'; } | fake "$T/f1"
sealed "EnvelopedData's first bytes, then plain text" "$T/f1"
{ base64 -w 76 "$T/real.der"
  echo 'Dear Victor, the secret plan is to meet at noon.'; } | fake "$T/f2"
sealed "a whole EnvelopedData, then plain text" "$T/f2"
{ base64 -w 76 "$T/real.der"; echo '--'
  echo 'the secret plan: noon'; } | fake "$T/f3"
sealed "a whole EnvelopedData, then a line of other text" "$T/f3"
{ head -c 60 "$T/real.der"; printf 'the secret plan is noon'; } |
    base64 -w 76 | fake "$T/f4"
sealed "EnvelopedData's first bytes, then base64 plain text" "$T/f4"

# what is really encrypted still passes: ours (BER, indefinite lengths)
# and openssl's (DER, definite)
base64 -w 76 "$T/real.der" | fake "$T/g1"
ms "$T/g1.out" "$T/g1.err" encrypt "$T/g1"
check "gpgsm's EnvelopedData passes on unchanged" cmp "$T/g1.out" "$T/g1"
printf 'Content-Type: text/plain\r\n\r\nhello\r\n' >"$T/pt"
openssl cms -encrypt -binary -aes256 -outform DER -in "$T/pt" \
    -out "$T/ossl.der" "$CERTS/victor.crt" 2>"$T/ossl.err"
base64 -w 64 "$T/ossl.der" | fake "$T/g2"
ms "$T/g2.out" "$T/g2.err" encrypt "$T/g2"
check "openssl's EnvelopedData passes on unchanged" cmp "$T/g2.out" "$T/g2"

# real clients' EnvelopedData (the corpus, read in place) still passes
for f in "$MAILSEAL_CORPUS"/protected-headers-draft/smime-enc+legacy-disp.eml \
    "$MAILSEAL_CORPUS"/protected-headers-draft/smime-sign+enc.eml; do
	if [ ! -f "$f" ]; then
		skip "corpus $(basename "$f") passes on unchanged" "no corpus"
		continue
	fi
	ms "$T/c.out" "$T/c.err" encrypt -r victor@example.org "$f"
	check "corpus $(basename "$f") passes on unchanged" cmp "$T/c.out" "$f"
done

# LIMIT_SMIME_BER_DEPTH: constructed elements nested as deep as that
# pass (ContentInfo, [0], then indefinite SEQUENCEs), one deeper is
# encrypted (again); nest N - N levels of BER in base64
nest() {
	"$PYTHON" -c '
import base64, sys
n = int(sys.argv[1])
oid = bytes.fromhex("06092a864886f70d010703")
ber = b"\x30\x80" + oid + b"\xa0\x80" + b"\x30\x80" * (n - 2) + \
    b"\x04\x01\x00" + b"\x00\x00" * n
sys.stdout.write(base64.encodebytes(ber).decode())' "$1"
}
lim=$(sed -n 's/^#define LIMIT_SMIME_BER_DEPTH[^0-9]*\([0-9]*\).*/\1/p' \
    "$MAILSEAL_SRCDIR/src/limit.h")
nest "$lim" | fake "$T/d1"
ms "$T/d1.out" "$T/d1.err" encrypt "$T/d1"
check "BER $lim deep (the limit): passes on unchanged" cmp "$T/d1.out" "$T/d1"
nest $((lim + 1)) | fake "$T/d2"
ms "$T/d2.out" "$T/d2.err" encrypt "$T/d2"
if [ "$rc" -eq 0 ] && ! cmp -s "$T/d2.out" "$T/d2"; then
	ok "BER $((lim + 1)) deep: encrypted"
else
	not_ok "BER $((lim + 1)) deep: encrypted (exit $rc)" "$T/d2.err"
fi
# an end-of-contents too few, or a definite length past its parent's
nest 4 | base64 -d | head -c -2 | base64 | fake "$T/d3"
sealed "BER with an end-of-contents missing" "$T/d3"

# sign passes on what is signed or encrypted already: an S/MIME root only
# when it is that all through, else the text after its first bytes goes
# out unsigned.  signedfake FILE TYPE - TYPE's first bytes, then text
openssl cms -sign -nodetach -binary -outform DER -in "$T/pt" \
    -signer "$CERTS/alice.crt" -inkey "$CERTS/alice.key" \
    -out "$T/sd.der" 2>"$T/sd.err"
{ head -c 60 "$T/sd.der" | base64 -w 76; echo
  echo 'Victor, pay the bearer 1000 EUR.'; } | fake "$T/h1"
sed -i 's/smime-type=enveloped-data/smime-type=signed-data/' "$T/h1"
{ head -c 60 "$T/real.der" | base64 -w 76; echo
  echo 'Victor, pay the bearer 1000 EUR.'; } | fake "$T/h2"
for f in h1 h2; do
	ms "$T/$f.out" "$T/$f.err" sign --smime "$T/$f"
	if [ "$rc" -eq 0 ] && [ "$(field "$T/$f.out" Content-Type |
	    grep -c 'multipart/signed')" = 1 ]; then
		ok "sign --smime, $f (a fake $(sed -n 's/.*smime-type=\([a-z-]*\).*/\1/p' "$T/$f")): signed"
	else
		not_ok "sign --smime, $f: signed (exit $rc)" "$T/$f.err" \
		    "$T/$f.out"
	fi
done
base64 -w 76 "$T/sd.der" | fake "$T/h3"
sed -i 's/smime-type=enveloped-data/smime-type=signed-data/' "$T/h3"
ms "$T/h3.out" "$T/h3.err" sign --smime "$T/h3"
check "sign --smime: a whole opaque SignedData passes on unchanged" \
    cmp "$T/h3.out" "$T/h3"

# the gateway (filter) passes on what is encrypted already to everybody,
# whatever their policy: the same fake must be encrypted for a recipient
# whose policy requires it, not delivered in clear
gw_env
conf req "default_policy = require"
fm "$T/req.conf" --stdout victor@example.org <"$T/f1"
if [ "$rc" -eq 0 ] && ! grep -q 'secret plan' "$T/out" &&
    ! cmp -s "$T/out" "$T/f1"; then
	ok "filter, policy require: the fake is encrypted, not delivered"
else
	not_ok "filter, policy require: the fake is encrypted (exit $rc)" \
	    "$T/err" "$T/out"
fi
fm "$T/req.conf" --stdout victor@example.org <"$T/g1"
sed '/^X-Mailseal-Gateway: /d' "$T/out" >"$T/out.g1"
check "filter: a whole EnvelopedData still passes on unchanged" \
    cmp "$T/out.g1" "$T/g1"

# --- which certificate serves an address (held: each as mailseal(1)
# says).  Throw-away certificates of the test CA, no CRL distribution
# point (gpgsm checks no CRL): an address only in the subject DN, only
# in the subjectAltName, two in one certificate, one containing
# another's (xvictor), one in mixed case, and for w@: a valid older, an
# expired newer and a not yet valid one.
serial=20480
# mkc NAME SUBJECT SAN START END - NAME.crt in $T/c
mkc() {
	serial=$((serial + 1))
	{
		echo "keyUsage = critical,digitalSignature,keyEncipherment"
		echo "basicConstraints = critical,CA:FALSE"
		echo "extendedKeyUsage = emailProtection"
		[ -z "$3" ] || echo "subjectAltName = $3"
	} >"$T/c/$1.ext"
	printf '%s\n' '[ca]' 'default_ca = c' '[c]' \
	    "database = $T/c/$1.db" "new_certs_dir = $T/c" \
	    "serial = $T/c/$1.srl" 'default_md = sha256' 'policy = p' \
	    'unique_subject = no' '[p]' 'commonName = supplied' \
	    'emailAddress = optional' >"$T/c/$1.cnf"
	: >"$T/c/$1.db"
	printf '%X\n' "$serial" >"$T/c/$1.srl"
	openssl req -new -newkey rsa:2048 -nodes -subj "$2" \
	    -keyout "$T/c/$1.key" -out "$T/c/$1.csr" 2>/dev/null &&
	openssl ca -batch -notext -config "$T/c/$1.cnf" \
	    -cert "$CERTS/ca.crt" -keyfile "$CERTS/ca.key" \
	    -extfile "$T/c/$1.ext" -in "$T/c/$1.csr" -out "$T/c/$1.crt" \
	    -startdate "$4" -enddate "$5" >/dev/null 2>&1 &&
	gpgsm --batch --no-tty --import "$T/c/$1.crt" >/dev/null 2>&1
}
mkdir "$T/c"
mkc xv /CN=XV email:xvictor@example.org 20250101000000Z 20950101000000Z &&
mkc dnonly /CN=Dn/emailAddress=dn@example.org '' \
    20250101000000Z 20950101000000Z &&
mkc sanonly /CN=San email:san@example.org 20250101000000Z 20950101000000Z &&
mkc two /CN=Two email:two1@example.org,email:two2@example.org \
    20250101000000Z 20950101000000Z &&
mkc up /CN=Up email:Upper.Case@EXAMPLE.org 20250101000000Z 20950101000000Z &&
mkc wold /CN=Wold email:w@example.org 20200101000000Z 20950101000000Z &&
mkc wnew /CN=Wnew email:w@example.org 20250101000000Z 20250601000000Z &&
mkc wfut /CN=Wfut email:w@example.org 20900101000000Z 20950101000000Z ||
    diag "a throw-away certificate could not be made"
printf '%s\n' 'From: alice@example.org' 'Subject: s' '' 'body' >"$T/b.eml"
# serials ADDR - encrypt --smime -r ADDR: the recipients' serial numbers
# in the CMS (openssl cms -cmsout -print), or "exit N"
serials() {
	ms "$T/w.out" "$T/w.err" encrypt --smime -r "$1" "$T/b.eml"
	if [ "$rc" -ne 0 ]; then
		echo "exit $rc"
		return
	fi
	"$PYTHON" "$PARTS" enveloped "$T/w.out" "$T/w.der" 2>/dev/null
	openssl cms -cmsout -print -inform DER -in "$T/w.der" |
	    sed -n 's/^ *serialNumber: *//p' | sort | tr '\n' ' '
}
sn() {
	openssl x509 -in "$T/c/$1.crt" -noout -serial |
	    sed 's/serial=//' | "$PYTHON" -c 'import sys; print(int(sys.stdin.read(), 16))'
}
is "victor@: victor's certificate alone, not xvictor's" \
    "$(serials victor@example.org)" \
    "$(openssl x509 -in "$CERTS/victor.crt" -noout -serial |
    sed 's/serial=//' | "$PYTHON" -c 'import sys; print(int(sys.stdin.read(), 16))') "
is "xvictor@: its own" "$(serials xvictor@example.org)" "$(sn xv) "
is "ictor@ (a substring of two): no certificate" \
    "$(serials ictor@example.org)" "exit 67"
is "address only in the subject DN" "$(serials dn@example.org)" "$(sn dnonly) "
is "address only in the subjectAltName" "$(serials san@example.org)" \
    "$(sn sanonly) "
is "the second of two addresses" "$(serials two2@example.org)" "$(sn two) "
is "a certificate in mixed case, asked in another" \
    "$(serials UPPER.case@example.ORG)" "$(sn up) "
is "w@: the valid older certificate, not the expired newer nor the one not yet valid" \
    "$(serials w@example.org)" "$(sn wold) "

# --- encrypt --smime --sign with gpgsm failing at either step (held):
# 75, one line, nothing on standard output or in -o's file
real=$(command -v gpgsm)
mkdir "$T/bin"
for cmd in SIGN ENCRYPT; do
	for mode in kill eof ok; do
		cat >"$T/bin/gpgsm" <<WRAP
#!/bin/sh
case " \$* " in *" --server "*) ;; *) exec "$real" "\$@" ;; esac
exec "$PYTHON" "$MAILSEAL_SRCDIR/tests/gpgsm_proxy.py" $mode $cmd "$real" "\$@"
WRAP
		chmod 755 "$T/bin/gpgsm"
		rm -f "$T/k.o"
		PATH=$T/bin:$PATH "$MAILSEAL" encrypt --smime --sign \
		    -r victor@example.org "$T/m.eml" >"$T/k.out" 2>"$T/k.err"
		rc=$?
		PATH=$T/bin:$PATH "$MAILSEAL" encrypt --smime --sign \
		    -r victor@example.org -o "$T/k.o" "$T/m.eml" 2>/dev/null
		if [ "$rc" -eq 75 ] && [ ! -s "$T/k.out" ] &&
		    [ ! -e "$T/k.o" ] && one_line "$T/k.err"; then
			ok "--smime --sign, gpgsm $mode at $cmd: 75, nothing written"
		else
			not_ok "--smime --sign, gpgsm $mode at $cmd: 75 (exit $rc)" \
			    "$T/k.err"
		fi
	done
done

done_testing
