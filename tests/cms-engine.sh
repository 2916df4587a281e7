#!/bin/sh
# cms-engine.sh - the CMS engine (gpg.h's gpg_open_cms, src/gpgcms.c)
# against a real gpgsm home, driven by tests/cms_drive, judged by
# openssl cms: certificates listed with the right flags (good, expired,
# revoked, untrusted, sign-only, no email, a CRL that cannot be had),
# encryption that openssl decrypts (AES-256-CBC), decryption of what
# openssl encrypts, signatures both ways, and gpgsm missing, dying or
# hanging (a fake gpgsm first on PATH).  TAP.
#
# The certificates are tests/mkcerts.sh's (ms_certs_home), but zed's,
# made here and known to no home.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

DRIVE=$(dirname "$MAILSEAL")/../tests/cms_drive
[ -x "$DRIVE" ] || DRIVE=$MAILSEAL_SRCDIR/tests/cms_drive
[ -x "$DRIVE" ] || skip_all "no tests/cms_drive (make check builds it)"

ms_certs_home
H=$GNUPGHOME
# zed: a certificate the home does not hold, nor its key
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/zed.key" \
    -out "$T/zed.crt" -subj "/CN=zed/emailAddress=zed@example.org" \
    -days 30 2>/dev/null
crt() {	# crt NAME - NAME's certificate (PEM)
	if [ "$1" = zed ]; then echo "$T/zed.crt"; else echo "$CERTS/$1.crt"; fi
}
key() {	# key NAME - its key (PEM)
	if [ "$1" = zed ]; then echo "$T/zed.key"; else echo "$CERTS/$1.key"; fi
}
fp() {
	cfpr "$1"
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
drive "$T/l" list BOB@Example.ORG
is "listing ignores the address's case" "$rc $(cut -d' ' -f1 "$T/l")" \
    "0 $(fp bob)"
drive "$T/l" list victor@example.org
is "a chain through an intermediate CA: usable, valid chain" \
    "$rc $(cut -d' ' -f3,5 "$T/l") $(sed 's/.* uid=//' "$T/l")" \
    "0 enc=1 usable=1 victor@example.org:full"
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
drive "$T/l" list "$(fp alice)"
is "listing by fingerprint: that certificate" "$rc $(cut -d' ' -f1 "$T/l")" \
    "0 $(fp alice)"
# libassuan cuts a command line at 1000 bytes: 60 recipients before
# bob's address must not hide his certificate
set --
for i in $(seq 1 60); do
	set -- "$@" "someone.rather.long.name$i@example.org"
done
drive "$T/l" list "$@" bob@example.org alice@example.org bob@example.org
is "60 addresses before bob's and alice's: both found, each once" \
    "$rc $(cut -d' ' -f1 "$T/l" | sort | tr '\n' ' ')" \
    "0 $(printf '%s\n' "$(fp alice)" "$(fp bob)" | sort | tr '\n' ' ')"
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
H2=$(mktemp -d /tmp/msc.XXXXXX)
_ms_homes="$_ms_homes $H2"
cp -R "$H/." "$H2/"
rm -rf "$H2"/S.* "$H2/crls.d"
"$DRIVE" "$H2" list bob@example.org >"$T/l" 2>"$T/err"
rc=$?
if [ "$rc" -eq 75 ] && [ ! -s "$T/l" ] && grep -q 'did not finish' "$T/err"
then
	ok "no CRL to be had: 75, never no certificate, never a usable one"
else
	not_ok "no CRL to be had: 75 (exit $rc)" "$T/l" "$T/err"
fi
# a damaged keybox: gpgsm lists nothing and says nothing
H3=$(mktemp -d /tmp/msc.XXXXXX)
_ms_homes="$_ms_homes $H3"
cp -R "$H/." "$H3/"
rm -f "$H3"/S.*
head -c 3000 /dev/urandom >"$H3/pubring.kbx"
"$DRIVE" "$H3" list bob@example.org >"$T/l" 2>"$T/err"
rc=$?
if [ "$rc" -eq 75 ] && [ ! -s "$T/l" ] && grep -q 'no keybox' "$T/err"; then
	ok "a damaged keybox: 75, never no certificate"
else
	not_ok "a damaged keybox: 75 (exit $rc)" "$T/l" "$T/err"
fi
# ... and a message for someone else is still "no secret key" there:
# checking that gpgsm can list our secret keys needs no CRL
openssl cms -encrypt -aes256 -binary -outform DER -in "$T/m" \
    -out "$T/z0.der" "$(crt zed)"
"$DRIVE" "$H2" decrypt "$T/z0.der" "$T/d" >"$T/o" 2>"$T/err"
is "no CRL to be had, a message for someone else: no secret key, not 75" \
    "$? $(cat "$T/o")" "0 dec=1 noint=0"
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
	    -recip "$(crt $n)" -inkey "$(key $n)" -out "$T/d.$n" 2>"$T/err"
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
    -out "$T/o.der" "$(crt bob)"
drive "$T/o" decrypt "$T/o.der" "$T/d"
is "decrypt openssl's aes256 to bob: ok, no integrity protection" \
    "$rc $(cat "$T/o") $(cmp -s "$T/d" "$T/m" && echo same)" \
    "0 dec=0 noint=1 same"
drive "$T/o" decrypt "$T/e.der" "$T/d"
is "decrypt our own" "$rc $(cat "$T/o") $(cmp -s "$T/d" "$T/m" && echo same)" \
    "0 dec=0 noint=1 same"
openssl cms -encrypt -aes256 -binary -outform DER -in "$T/m" \
    -out "$T/z.der" "$(crt zed)"
drive "$T/o" decrypt "$T/z.der" "$T/d"
is "encrypted to a certificate without its key here: no secret key" \
    "$rc $(cat "$T/o")" "0 dec=1 noint=0"
head -c 300 "$T/o.der" >"$T/cut.der"
drive "$T/o" decrypt "$T/cut.der" "$T/d"
is "a cut EnvelopedData: a verdict (bad data), not 75" \
    "$rc $(cat "$T/o")" "0 dec=3 noint=0"

# ---------------------------------------------------- signatures

drive "$T/o" sign "$(fp bob)" "$T/m" "$T/s.der"
is "sign as bob (by fingerprint): micalg sha-256" "$rc $(cat "$T/o")" \
    "0 micalg=sha-256"
if openssl cms -verify -binary -inform DER -in "$T/s.der" \
    -content "$T/m" -CAfile "$CERTS/ca.crt" -purpose any \
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
	    -signer "$(crt "$_n")" -inkey "$(key "$_n")" -out "$_o" "$@"
}
osign alice "$T/a.der"
drive "$T/o" verify "$T/a.der" "$T/m"
is "openssl's detached signature by alice: VALID, her fingerprint, trusted chain, her address" \
    "$rc $(cat "$T/o")" \
    "0 sig=VALID fpr=$(fp alice) chain=trusted emails=alice@example.org"
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
is "an expired signer: not VALID (EXPIRED), its chain expired" \
    "$rc $(cut -d' ' -f1,3 "$T/o")" "0 sig=EXPIRED chain=expired"
osign mallory "$T/ml.der"
drive "$T/o" verify "$T/ml.der" "$T/m"
# VALID: the signature verifies; the certificate's validated listing
# (untrusted, no full uid) makes decrypt's verdict good-untrusted, never
# good (verdict.c; tests/smime-decrypt.sh)
is "a signer of an untrusted root: VALID, its chain untrusted" \
    "$rc $(cut -d' ' -f1,3,4 "$T/o")" \
    "0 sig=VALID chain=untrusted emails=mallory@example.org"
osign alice "$T/op.der" -nodetach
drive "$T/o" opaque "$T/op.der" "$T/d"
is "opaque signed-data by alice: VALID, the content out" \
    "$rc $(cat "$T/o") $(cmp -s "$T/d" "$T/m" && echo same)" \
    "0 sig=VALID fpr=$(fp alice) chain=trusted emails=alice@example.org same"
# gpgsm stores a signature's certificates in its keybox: not the home's
cp "$H/pubring.kbx" "$T/kbx.before"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/q.key" \
    -out "$T/q.crt" -subj "/CN=q/emailAddress=q@example.org" -days 30 \
    2>/dev/null
openssl cms -sign -binary -outform DER -in "$T/m" -signer "$T/q.crt" \
    -inkey "$T/q.key" -out "$T/q.der"
drive "$T/o" verify "$T/q.der" "$T/m"
drive "$T/l" list q@example.org
# listed on the verifying gpgsm, where the scratch keybox holds it
is "a signature's own certificate (self-signed): VALID, untrusted, its address; not kept in the home" \
    "$(cut -d' ' -f1,3,4 "$T/o") $(cmp -s "$H/pubring.kbx" "$T/kbx.before" &&
    echo same) $(wc -c <"$T/l")" \
    "sig=VALID chain=untrusted emails=q@example.org same 0"
gpgsm --homedir "$H" --batch --delete-keys "$(fp victor)" >/dev/null 2>&1
osign victor "$T/v.der"
# (its scratch keybox in a TMPDIR of this test's own: other runs on the
# machine make theirs in /tmp meanwhile)
mkdir "$T/scr"
TMPDIR=$T/scr drive "$T/o" verify "$T/v.der" "$T/m"
drive "$T/l" list victor@example.org
is "a certificate the signature carries (victor's, not in the home): VALID, trusted chain, his address; not kept" \
    "$(cat "$T/o") $(wc -c <"$T/l") $(ls -A "$T/scr" | wc -l)" \
    "sig=VALID fpr=$(fp victor) chain=trusted emails=victor@example.org 0 0"
# the same where the Test CA's CRL cannot be had (H2: no CRL cache): the
# signature verifies, its chain is unchecked (never trusted), not 75
rm -f "$H2/gpgsm.conf"	# crl checks on again
gpgconf --homedir "$H2" --kill all >/dev/null 2>&1
gpgsm --homedir "$H2" --batch --delete-keys "$(fp victor)" >/dev/null 2>&1
cp "$H2/pubring.kbx" "$T/kbx2.before"
"$DRIVE" "$H2" verify "$T/v.der" "$T/m" >"$T/o" 2>"$T/err"; rc=$?
is "a carried certificate whose CRL cannot be had: VALID, chain unchecked, not 75; not kept" \
    "$rc $(cat "$T/o") $(cmp -s "$H2/pubring.kbx" "$T/kbx2.before" && echo same)" \
    "0 sig=VALID fpr=$(fp victor) chain=unchecked emails=victor@example.org same"
# a carried certificate of the untrusted root, mallory's (not in the home)
gpgsm --homedir "$H" --batch --delete-keys "$(fp mallory)" >/dev/null 2>&1
drive "$T/o" verify "$T/ml.der" "$T/m"
is "a carried certificate of an untrusted root: VALID, chain untrusted" \
    "$rc $(cut -d' ' -f1,3,4 "$T/o")" \
    "0 sig=VALID chain=untrusted emails=mallory@example.org"
printf 'not DER at all\n' >"$T/junk"
drive "$T/o" verify "$T/junk" "$T/m"
is "a signature part that is no CMS: BAD, not 75" \
    "$rc $(cut -d' ' -f1 "$T/o")" "0 sig=BAD"

# ------------------------------------------ real clients' messages

# the protected-headers draft's S/MIME vectors (read in place): bob.p12
# (passphrase "bob", PBES2: re-exported for gpgsm 2.2), Sample LAMPS CA
V=$MAILSEAL_CORPUS/protected-headers-draft
# body FILE - the base64 body of a message or entity, decoded
body64() {
	tr -d '\r' <"$1" | sed '1,/^$/d' | base64 -d
}
# same A B - A and B are the same text but for CR before LF
same() {
	tr -d '\r' <"$1" >"$T/same.a"
	tr -d '\r' <"$2" >"$T/same.b"
	cmp -s "$T/same.a" "$T/same.b" && echo same
}
if [ -f "$V/bob.p12" ] && [ -f "$V/sample-ca.pem" ] &&
    sed '1d;$d' "$V/bob.p12" | base64 -d >"$T/v.p12" &&
    openssl pkcs12 -in "$T/v.p12" -passin pass:bob -nodes -legacy \
    -out "$T/v.pem" 2>/dev/null &&
    openssl pkcs12 -export -in "$T/v.pem" -passout pass: -out "$T/v2.p12" \
    -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1; then
	HV=$(mktemp -d /tmp/msc.XXXXXX)
	_ms_homes="$_ms_homes $HV"
	gpgsm --homedir "$HV" --batch --import "$V/sample-ca.pem" >/dev/null 2>&1
	echo | gpgsm --homedir "$HV" --batch --pinentry-mode loopback \
	    --passphrase-fd 0 --import "$T/v2.p12" >/dev/null 2>&1
	echo "$(gpgsm --homedir "$HV" --with-colons --list-keys "Sample LAMPS" |
	    awk -F: '/^fpr/ { print $10; exit }') S relax" >"$HV/trustlist.txt"
	# its certificates name no CRL distribution point either way
	echo disable-crl-checks >"$HV/gpgsm.conf"
	body64 "$V/smime-enc+legacy-disp.eml" >"$T/v.der"
	"$DRIVE" "$HV" decrypt "$T/v.der" "$T/v.out" >"$T/o" 2>"$T/err"
	is "real client: smime-enc+legacy-disp (3DES) decrypts to its .inner" \
	    "$? $(cat "$T/o") $(same "$T/v.out" "$V/smime-enc+legacy-disp.inner")" \
	    "0 dec=0 noint=1 same"
	body64 "$V/smime-onepart-signed.eml" >"$T/v.der"
	"$DRIVE" "$HV" opaque "$T/v.der" "$T/v.out" >"$T/o" 2>"$T/err"
	is "real client: smime-onepart-signed: VALID, the content its .inner" \
	    "$? $(cut -d' ' -f1 "$T/o") $(same "$T/v.out" "$V/smime-onepart-signed.inner")" \
	    "0 sig=VALID same"
	body64 "$V/smime-sign+enc.eml" >"$T/v.der"
	"$DRIVE" "$HV" decrypt "$T/v.der" "$T/v.out" >"$T/o" 2>"$T/err" &&
	    body64 "$T/v.out" >"$T/v2.der" &&
	    "$DRIVE" "$HV" opaque "$T/v2.der" "$T/v2.out" >>"$T/o" 2>"$T/err"
	is "real client: smime-sign+enc: decrypted, signed-data inside VALID" \
	    "$(tr '\n' ' ' <"$T/o" | cut -d' ' -f1-3) $(same "$T/v2.out" "$V/smime-sign+enc.inner.inner")" \
	    "dec=0 noint=1 sig=VALID same"
else
	skip "real client's S/MIME vectors" "no $V/bob.p12 (or openssl cannot read it)"
	skip "real client's S/MIME vectors" "no $V"
	skip "real client's S/MIME vectors" "no $V"
fi

# ------------------------------------------------------------ faults

mkdir "$T/bin"
for p in gpg gpgconf gpg-agent dirmngr; do
	ln -s "$(command -v $p)" "$T/bin/$p"
done
PATH=$T/bin "$DRIVE" "$H" list bob@example.org >"$T/o" 2>"$T/err"
rc=$?
if [ "$rc" -eq 69 ] && grep -q 'no gpgsm' "$T/err"; then
	ok "no gpgsm on PATH: GPG_NOENGINE (not installed, not a retry), said so"
else
	not_ok "no gpgsm on PATH: GPG_NOENGINE (exit $rc)" "$T/err"
fi
# a fake gpgsm: the real one for --version; as the server it greets,
# answers OK, and at the operation's command dies (FAKE=die) or hangs
# (FAKE=hang, its PID in $T/fake.pid)
real=$(command -v gpgsm)
cat >"$T/bin/gpgsm" <<EOF
#!/bin/sh
case " \$* " in *" --server "*) ;; *) exec "$real" "\$@" ;; esac
# slow: the real gpgsm, 2 s late
[ "\$FAKE" = slow ] && { sleep 2; exec "$real" "\$@"; }
fd=\${_assuan_connection_fd:-}
[ -n "\$fd" ] && eval "exec <&\$fd >&\$fd"
echo "OK fake"
while read -r line; do
	case \$line in
	LISTSECRETKEYS*)	# FAKE=ok: the real listing, for sign
		if [ "\$FAKE" = ok ]; then
			"$real" --homedir "$H" --with-colons -K \
			    "\${line#LISTSECRETKEYS }" 2>/dev/null |
			    sed 's/%/%25/g; s/\$/%0A/; s/^/D /'
			echo OK
			continue
		fi
		;;
	esac
	case \$line in
	ENCRYPT*|DECRYPT*|LIST*|SIGN*|VERIFY*)
		echo \$\$ >"$T/fake.pid"
		ulimit -t >"$T/fake.cpu"
		[ "\$FAKE" = die ] && exit 1
		[ "\$FAKE" = ok ] && { echo OK; continue; }
		[ "\$FAKE" = spin ] && while :; do :; done
		exec sleep 30 ;;
	BYE*)	echo OK; exit 0 ;;
	"#"*)	;;	# Assuan's comment: "# descriptor N is in flight"
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
	rm -f "$T/fake.pid"
	FAKE=die PATH=$T/bin:$PATH "$DRIVE" "$H" "$@" >"$T/o" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && [ -s "$T/fake.pid" ]; then
		ok "gpgsm dies at $1: 75, no result"
	else
		not_ok "gpgsm dies at $1: 75, no result (exit $rc)" "$T/o" \
		    "$T/err"
	fi
done
# a gpgsm that answers OK and writes nothing: gpgsm says no status when
# it encrypts, so the output must be one whole CMS element
for op in encrypt sign; do
	case $op in
	encrypt) set -- encrypt "$T/m" "$T/x" "$(fp bob)" ;;
	sign) set -- sign bob@example.org "$T/m" "$T/x" ;;
	esac
	rm -f "$T/fake.pid"
	FAKE=ok PATH=$T/bin:$PATH "$DRIVE" "$H" "$@" >"$T/o" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && [ -s "$T/fake.pid" ]; then
		ok "gpgsm says OK to $op and writes nothing: 75"
	else
		not_ok "gpgsm says OK to $op and writes nothing: 75 (exit $rc)" \
		    "$T/o" "$T/err"
	fi
done
t0=$(date +%s)
FAKE=hang CMS_DEADLINE=2 PATH=$T/bin:$PATH "$DRIVE" "$H" decrypt \
    "$T/o.der" "$T/x" >"$T/o" 2>"$T/err"
rc=$?
t=$(($(date +%s) - t0))
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && [ "$t" -le 6 ] &&
    [ -s "$T/fake.pid" ] && ! kill -0 "$(cat "$T/fake.pid")" 2>/dev/null
then
	ok "gpgsm hangs: killed at the deadline (2 s): 75 after ${t}s"
else
	not_ok "gpgsm hangs: 75 within the deadline (exit $rc, ${t}s)" \
	    "$T/err"
fi
# LIMIT_GPGSM_SECONDS is the deadline gpg_deadline() changes: a gpgsm 2 s
# late finishes within 4 s, not within 1 s
FAKE=slow CMS_DEADLINE=4 PATH=$T/bin:$PATH "$DRIVE" "$H" decrypt \
    "$T/o.der" "$T/x" >"$T/o" 2>"$T/err"
rc=$?
FAKE=slow CMS_DEADLINE=1 PATH=$T/bin:$PATH "$DRIVE" "$H" decrypt \
    "$T/o.der" "$T/x2" >"$T/o2" 2>"$T/err2"
is "deadline: a gpgsm 2 s late is in time for 4 s, killed at 1 s (75)" \
    "$rc $(cat "$T/o") / $? $(cat "$T/o2")" "0 dec=0 noint=1 / 75 "
cpu=$(sed -n 's/^#define LIMIT_GPG_CPU[^0-9]*\([0-9]*\).*/\1/p' \
    "$MAILSEAL_SRCDIR/src/limit.h")
is "gpgsm runs with LIMIT_GPG_CPU ($cpu) seconds of CPU" \
    "$(cat "$T/fake.cpu")" "$cpu"
# LIMIT_GPG_CPU, or less when mailseal's own limit is lower (here 1 s):
# a gpgsm that spins is stopped by its CPU limit, long before the deadline
t0=$(date +%s)
(ulimit -t 1 && FAKE=spin CMS_DEADLINE=30 PATH=$T/bin:$PATH \
    exec "$DRIVE" "$H" decrypt "$T/o.der" "$T/x" >"$T/o" 2>"$T/err")
rc=$?
t=$(($(date +%s) - t0))
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && [ "$t" -le 10 ]; then
	ok "gpgsm spinning: stopped by its CPU limit: 75 after ${t}s"
else
	not_ok "gpgsm spinning: 75 by its CPU limit (exit $rc, ${t}s)" \
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
