#!/bin/sh
# cms-engine.sh - the CMS engine (gpg.h's gpg_open_cms, src/gpgcms.c)
# against a real gpgsm home, driven by tests/cms_drive, judged by
# openssl cms: certificates listed with the right flags (good, expired,
# revoked, untrusted, sign-only, no email, a CRL that cannot be had),
# encryption that openssl decrypts (AES-256-CBC), decryption of what
# openssl encrypts, signatures both ways, and gpgsm missing, dying or
# hanging (a fake gpgsm first on PATH).  TAP.
#
# The certificates come from a throw-away CA made here with openssl
# (tests/mkcerts.sh of the certificates' branch will replace it).
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools gpgsm openssl dirmngr
DRIVE=$(dirname "$MAILSEAL")/../tests/cms_drive
[ -x "$DRIVE" ] || DRIVE=$MAILSEAL_SRCDIR/tests/cms_drive
[ -x "$DRIVE" ] || skip_all "no tests/cms_drive (make check builds it)"

C=$T/ca
mkdir "$C"
cat >"$C/ca.cnf" <<'EOF'
[ca]
default_ca = c
[c]
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 365
default_crl_days = 30
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
emailAddress = optional
[req]
distinguished_name = dn
prompt = no
[dn]
CN = Test CA
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ee]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:9/ca.crl
[signonly]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:9/ca.crl
[nodp]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# ca DIR CN - a root CA in DIR
ca() {
	mkdir -p "$1"
	cp "$C/ca.cnf" "$1/"
	: >"$1/index.txt"
	echo 1000 >"$1/serial"
	echo 01 >"$1/crlnumber"
	(cd "$1" && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key \
	    -out ca.pem -days 3650 -config ca.cnf -extensions root \
	    -subj "/CN=$2" 2>/dev/null)
}

# cert CADIR NAME EXT EMAIL [START END] - NAME.pem/.key/.p12 in $C
cert() {
	_subj="/CN=$2"
	[ -n "$4" ] && _subj="$_subj/emailAddress=$4"
	openssl req -newkey rsa:2048 -nodes -keyout "$C/$2.key" \
	    -out "$C/$2.csr" -subj "$_subj" 2>/dev/null
	{
		echo '[x]'
		[ -n "$4" ] && echo "subjectAltName = email:$4"
		sed -n "/^\[$3\]/,/^\[/p" "$C/ca.cnf" | sed '1d;/^\[/d'
	} >"$C/$2.ext"
	(cd "$1" && openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
	    -in "$C/$2.csr" -out "$C/$2.pem" -extfile "$C/$2.ext" \
	    -extensions x -notext ${5:+-startdate "$5" -enddate "$6"} \
	    2>/dev/null) || return 1
	openssl pkcs12 -export -inkey "$C/$2.key" -in "$C/$2.pem" \
	    -out "$C/$2.p12" -passout pass: -keypbe PBE-SHA1-3DES \
	    -certpbe PBE-SHA1-3DES -macalg sha1
}

ca "$C/root" "Test CA"
ca "$C/evil" "Evil CA"
cert "$C/root" alice ee alice@example.org
cert "$C/root" bob ee Bob@Example.ORG
cert "$C/root" xbob ee xbob@example.org
cert "$C/root" carol ee carol@example.org 20200101000000Z 20210101000000Z
cert "$C/root" dave ee dave@example.org
cert "$C/root" erin signonly erin@example.org
cert "$C/root" frank ee ""
cert "$C/root" zed ee zed@example.org
cert "$C/evil" mallory nodp mallory@example.org
(cd "$C/root" && openssl ca -config ca.cnf -cert ca.pem -keyfile ca.key \
    -revoke "$C/dave.pem" 2>/dev/null &&
    openssl ca -config ca.cnf -cert ca.pem -keyfile ca.key -gencrl \
    -out crl.pem 2>/dev/null &&
    openssl crl -in crl.pem -outform DER -out crl.der)

# home DIR [CRL] - a gpgsm home: the roots, every certificate but zed's
# with its key, the Test CA trusted; with CRL, the Test CA's CRL loaded
home() {
	mkdir -m 700 "$1"
	_ms_homes="$_ms_homes $1"
	gpgsm --homedir "$1" --batch --import "$C/root/ca.pem" \
	    "$C/evil/ca.pem" >/dev/null 2>&1
	for _n in alice bob xbob carol dave erin frank mallory; do
		echo | gpgsm --homedir "$1" --batch --pinentry-mode loopback \
		    --passphrase-fd 0 --import "$C/$_n.p12" >/dev/null 2>&1
	done
	_ca=$(gpgsm --homedir "$1" --with-colons --list-keys "/CN=Test CA" |
	    awk -F: '/^fpr/ { print $10; exit }')
	echo "$_ca S relax" >"$1/trustlist.txt"
	[ -z "${2:-}" ] || gpgsm --homedir "$1" --call-dirmngr loadcrl "$2" \
	    >/dev/null 2>&1
}
H=$T/h
home "$H" "$C/root/crl.der"
fp() {
	openssl x509 -in "$C/$1.pem" -noout -fingerprint -sha1 |
	    sed 's/.*=//; s/://g'
}
printf 'Content-Type: text/plain\r\n\r\nhello, S/MIME\r\n' >"$T/m"

# drive OUT ARG... - cms_drive on $H; $rc
drive() {
	_o=$1
	shift
	"$DRIVE" "$H" "$@" >"$_o" 2>"$T/err"
	rc=$?
}

# ----------------------------------------------------------- listing

drive "$T/l" list bob@example.org
is "listing bob@example.org: bob's certificate alone, usable, valid chain" \
    "$rc $(cat "$T/l")" \
    "0 $(fp bob) x509=1 enc=1 sign=1 usable=1 expired=0 revoked=0 invalid=0 untrusted=0 secret=1 uid=bob@example.org:full"
drive "$T/l" list BOB@EXAMPLE.ORG
is "listing ignores the address's case" "$rc $(cut -d' ' -f1 "$T/l")" \
    "0 $(fp bob)"
drive "$T/l" list carol@example.org
is "expired certificate: expired, cannot encrypt" \
    "$rc $(cut -d' ' -f3,5,6 "$T/l")" "0 enc=0 usable=0 expired=1"
drive "$T/l" list dave@example.org
is "revoked certificate (CRL loaded): revoked, cannot encrypt" \
    "$rc $(cut -d' ' -f3,5,7 "$T/l")" "0 enc=0 usable=0 revoked=1"
drive "$T/l" list erin@example.org
is "sign-only certificate: cannot encrypt, can sign" \
    "$rc $(cut -d' ' -f3,4,5 "$T/l")" "0 enc=0 sign=1 usable=1"
drive "$T/l" list mallory@example.org
is "certificate of an untrusted root: untrusted, invalid, cannot encrypt" \
    "$rc $(cut -d' ' -f3,5,8,9 "$T/l")" \
    "0 enc=0 usable=0 invalid=1 untrusted=1"
drive "$T/l" list nobody@example.org
is "no certificate: an empty answer" "$rc $(wc -c <"$T/l")" "0 0"
drive "$T/l" list
if [ "$rc" -eq 0 ] && grep -q "^$(fp frank) .* usable=1 .*secret=1\$" "$T/l"
then
	ok "listing every certificate: frank's, without an email, has no uid"
else
	not_ok "listing every certificate (exit $rc)" "$T/l" "$T/err"
fi

# the Test CA's CRL cannot be had (nothing loaded, nothing listens at
# its distribution point): the listing did not finish
H2=$T/h2
home "$H2"
"$DRIVE" "$H2" list bob@example.org >"$T/l" 2>"$T/err"
rc=$?
if [ "$rc" -eq 75 ] && [ ! -s "$T/l" ] && grep -q 'did not finish' "$T/err"
then
	ok "no CRL to be had: 75, never no certificate, never a usable one"
else
	not_ok "no CRL to be had: 75 (exit $rc)" "$T/l" "$T/err"
fi
echo disable-crl-checks >"$H2/gpgsm.conf"
gpgconf --homedir "$H2" --kill all >/dev/null 2>&1
"$DRIVE" "$H2" list bob@example.org >"$T/l" 2>"$T/err"
is "gpgsm.conf disable-crl-checks (the operator's choice): usable" \
    "$? $(cut -d' ' -f3,5 "$T/l")" "0 enc=1 usable=1"

# -------------------------------------------------------- encryption

drive "$T/o" encrypt "$T/m" "$T/e.der" "$(fp bob)" "$(fp alice)"
is "encrypt to bob and alice: exit 0, nothing said" "$rc $(cat "$T/o")" "0 "
alg=$(openssl cms -cmsout -print -inform DER -in "$T/e.der" |
    sed -n '/contentEncryptionAlgorithm/{n;s/.*algorithm: *//;s/ .*//;p;}')
is "content encryption: aes-256-cbc" "$alg" "aes-256-cbc"
for n in bob alice; do
	openssl cms -decrypt -binary -inform DER -in "$T/e.der" \
	    -recip "$C/$n.pem" -inkey "$C/$n.key" -out "$T/d.$n" 2>"$T/err"
	if cmp -s "$T/d.$n" "$T/m"; then
		ok "openssl cms -decrypt as $n: the exact bytes"
	else
		not_ok "openssl cms -decrypt as $n: the exact bytes" "$T/err"
	fi
done
drive "$T/o" encrypt "$T/m" "$T/e2.der" "$(fp carol)"
is "encrypt to an expired certificate: refused (GPG_BADKEY)" "$rc" 65

# -------------------------------------------------------- decryption

openssl cms -encrypt -aes256 -binary -outform DER -in "$T/m" \
    -out "$T/o.der" "$C/bob.pem"
drive "$T/o" decrypt "$T/o.der" "$T/d"
is "decrypt openssl's aes256 to bob: ok, no integrity protection" \
    "$rc $(cat "$T/o") $(cmp -s "$T/d" "$T/m" && echo same)" \
    "0 dec=0 noint=1 same"
drive "$T/o" decrypt "$T/e.der" "$T/d"
is "decrypt our own" "$rc $(cat "$T/o") $(cmp -s "$T/d" "$T/m" && echo same)" \
    "0 dec=0 noint=1 same"
openssl cms -encrypt -aes256 -binary -outform DER -in "$T/m" \
    -out "$T/z.der" "$C/zed.pem"
drive "$T/o" decrypt "$T/z.der" "$T/d"
is "encrypted to a certificate without its key here: no secret key" \
    "$rc $(cat "$T/o")" "0 dec=1 noint=0"
head -c 300 "$T/o.der" >"$T/cut.der"
drive "$T/o" decrypt "$T/cut.der" "$T/d"
is "a cut EnvelopedData: a verdict (bad data), not 75" \
    "$rc $(cat "$T/o")" "0 dec=3 noint=0"

# ---------------------------------------------------- signatures

drive "$T/o" sign bob@example.org "$T/m" "$T/s.der"
is "sign as bob: micalg sha-256" "$rc $(cat "$T/o")" "0 micalg=sha-256"
if openssl cms -verify -binary -inform DER -in "$T/s.der" \
    -content "$T/m" -CAfile "$C/root/ca.pem" -purpose any \
    >/dev/null 2>"$T/err"; then
	ok "openssl cms -verify -binary reads our detached signature"
else
	not_ok "openssl cms -verify -binary reads our detached signature" \
	    "$T/err"
fi
osign() {	# osign NAME OUT [OPTION...] - openssl's signature over $T/m
	_n=$1 _o=$2
	shift 2
	openssl cms -sign -binary -outform DER -in "$T/m" \
	    -signer "$C/$_n.pem" -inkey "$C/$_n.key" -out "$_o" "$@"
}
osign alice "$T/a.der"
drive "$T/o" verify "$T/a.der" "$T/m"
is "openssl's detached signature by alice: VALID, her fingerprint" \
    "$rc $(cat "$T/o")" "0 sig=VALID fpr=$(fp alice)"
printf 'Content-Type: text/plain\r\n\r\nhello, S/MIMF\r\n' >"$T/m2"
drive "$T/o" verify "$T/a.der" "$T/m2"
is "the same over tampered text: BAD" "$rc $(cut -d' ' -f1 "$T/o")" \
    "0 sig=BAD"
osign zed "$T/z.der" -nocerts
drive "$T/o" verify "$T/z.der" "$T/m"
is "a signer gpgsm has no certificate of: NOKEY" \
    "$rc $(cut -d' ' -f1 "$T/o")" "0 sig=NOKEY"
osign dave "$T/dv.der"
drive "$T/o" verify "$T/dv.der" "$T/m"
is "a revoked signer: BAD" "$rc $(cut -d' ' -f1 "$T/o")" "0 sig=BAD"
osign carol "$T/c.der"
drive "$T/o" verify "$T/c.der" "$T/m"
is "an expired signer: not VALID (EXPIRED)" "$rc $(cut -d' ' -f1 "$T/o")" \
    "0 sig=EXPIRED"
osign mallory "$T/ml.der"
drive "$T/o" verify "$T/ml.der" "$T/m"
is "a signer of an untrusted root: BAD" "$rc $(cut -d' ' -f1 "$T/o")" \
    "0 sig=BAD"
osign alice "$T/op.der" -nodetach
drive "$T/o" opaque "$T/op.der" "$T/d"
is "opaque signed-data by alice: VALID, the content out" \
    "$rc $(cat "$T/o") $(cmp -s "$T/d" "$T/m" && echo same)" \
    "0 sig=VALID fpr=$(fp alice) same"
printf 'not DER at all\n' >"$T/junk"
drive "$T/o" verify "$T/junk" "$T/m"
is "a signature part that is no CMS: BAD, not 75" \
    "$rc $(cut -d' ' -f1 "$T/o")" "0 sig=BAD"

# ------------------------------------------------------------ faults

mkdir "$T/bin"
for p in gpg gpgconf gpg-agent dirmngr; do
	ln -s "$(command -v $p)" "$T/bin/$p"
done
PATH=$T/bin "$DRIVE" "$H" list bob@example.org >"$T/o" 2>"$T/err"
rc=$?
if [ "$rc" -eq 75 ] && grep -q 'no gpgsm' "$T/err"; then
	ok "no gpgsm on PATH: 75, said so"
else
	not_ok "no gpgsm on PATH: 75 (exit $rc)" "$T/err"
fi
# a fake gpgsm: the real one for --version; as the server it greets,
# answers OK, and at the operation's command dies (FAKE=die) or hangs
# (FAKE=hang, its PID in $T/fake.pid)
real=$(command -v gpgsm)
cat >"$T/bin/gpgsm" <<EOF
#!/bin/sh
case " \$* " in *" --server "*) ;; *) exec "$real" "\$@" ;; esac
fd=\${_assuan_connection_fd:-}
[ -n "\$fd" ] && eval "exec <&\$fd >&\$fd"
echo "OK fake"
while read -r line; do
	case \$line in
	ENCRYPT*|DECRYPT*|LIST*|SIGN*|VERIFY*)
		[ "\$FAKE" = die ] && exit 1
		echo \$\$ >"$T/fake.pid"
		exec sleep 30 ;;
	BYE*)	echo OK; exit 0 ;;
	*)	echo OK ;;
	esac
done
EOF
chmod 755 "$T/bin/gpgsm"
for op in "list bob@example.org" "encrypt $T/m $T/x $(fp bob)" \
    "decrypt $T/o.der $T/x" "sign-fpr" "verify $T/a.der $T/m"; do
	# shellcheck disable=SC2086
	case $op in
	sign-fpr) set -- sign bob@example.org "$T/m" "$T/x" ;;
	*) set -- $op ;;
	esac
	FAKE=die PATH=$T/bin:$PATH "$DRIVE" "$H" "$@" >"$T/o" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ]; then
		ok "gpgsm dies at $1: 75, no result"
	else
		not_ok "gpgsm dies at $1: 75, no result (exit $rc)" "$T/o" \
		    "$T/err"
	fi
done
t0=$(date +%s)
FAKE=hang CMS_DEADLINE=2 PATH=$T/bin:$PATH "$DRIVE" "$H" decrypt \
    "$T/o.der" "$T/x" >"$T/o" 2>"$T/err"
rc=$?
t=$(($(date +%s) - t0))
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && [ "$t" -le 6 ] &&
    ! kill -0 "$(cat "$T/fake.pid")" 2>/dev/null; then
	ok "gpgsm hangs: killed at the deadline (2 s): 75 after ${t}s"
else
	not_ok "gpgsm hangs: 75 within the deadline (exit $rc, ${t}s)" \
	    "$T/err"
fi
rm -f "$T/fake.pid"
FAKE=hang PATH=$T/bin:$PATH "$DRIVE" "$H" decrypt "$T/o.der" "$T/x" \
    >"$T/o" 2>"$T/err" &
pid=$!
n=0
while [ ! -s "$T/fake.pid" ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
sleep 0.5
if [ -s "$T/fake.pid" ] && ! kill -0 "$(cat "$T/fake.pid")" 2>/dev/null; then
	ok "mailseal's side killed: the hanging gpgsm is killed too"
else
	not_ok "mailseal's side killed: the hanging gpgsm is killed too"
	[ -s "$T/fake.pid" ] && kill -KILL "$(cat "$T/fake.pid")" 2>/dev/null
fi

done_testing
