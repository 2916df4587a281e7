#!/bin/sh
# mkcerts.sh OUTDIR - make the hermetic X.509 certificates the S/MIME
# tests use: a test CA, an intermediate, the users' certificates and a
# gpgsm home (OUTDIR/home) that holds them all, secret keys included.
#
# Every user certificate is RSA 2048, SHA-256, extendedKeyUsage
# emailProtection, its address (when it has one) both in the subject's
# emailAddress and in a subjectAltName rfc822Name, and (but mallory's)
# a CRL distribution point on a closed loopback port (see "CRL" below).
#
#   alice    alice@example.org    valid; also has an OpenPGP key (mkkeys.sh)
#   bob      bob@example.org      valid; also has an OpenPGP key
#   victor   victor@example.org   valid, issued by the intermediate
#                                 (sub.crt); a certificate only, no
#                                 OpenPGP key
#   carol    carol@example.org    expired (2020-01-01 to 2021-01-01)
#   dave     dave@example.org     revoked (in ca.crl)
#   erin     erin@example.org     keyUsage digitalSignature only: can
#                                 sign, cannot encrypt
#   frank    (no address)         subject CN=Frank alone, no subjectAltName
#   mallory  mallory@example.org  issued by ca2 ("Untrusted CA"), whose
#                                 root is in the keybox but not trusted
#
# The CAs: ca (root, in home/trustlist.txt), sub (intermediate, issued by
# ca) and ca2 (root, NOT trusted).  For each user NAME:
#
#   NAME.crt   the certificate (PEM)      NAME.key   its key (PEM, clear)
#   NAME.fpr   SHA-1 fingerprint, 40 upper-case hex digits, as gpgsm
#              and GPGME name the certificate
#   NAME.p12   certificate, key and chain as PKCS#12, protected by the
#              passphrase in NAME.pass (first line).  OpenSSL 3 writes
#              PBES2 by default, which gpgsm 2.2 cannot read: the files
#              use PBE-SHA1-3DES and a SHA-1 MAC.
#
# and ca.crt, ca.key, ca.fpr, ca.crl (DER) and ca.crl.pem, the same for
# sub (sub.crt, sub.key, sub.fpr, sub.crl, sub.crl.pem), ca2.crt,
# ca2.key, ca2.fpr, and all.pem: every certificate above, one file to
# import (gpg and gpgsm share pubring.kbx: a home with OpenPGP keys gets
# the certificates by import, not by copying the keybox).
#
# The home: every certificate imported (the CAs included), every secret
# key imported WITHOUT a passphrase (from a throw-away PKCS#12 with an
# empty password: a PKCS#12 passphrase becomes the agent's protection),
# trustlist.txt naming ca's fingerprint ("FPR S relax"), gpg-agent.conf
# with no-allow-mark-trusted (so no validation ever asks to trust a root),
# and dirmngr's CRL cache (crls.d) holding ca.crl and sub.crl.
#
# CRL: gpgsm 2.2 asks dirmngr about a certificate's revocation only when
# the certificate has a CRL distribution point (or with
# --enable-issuer-based-crl-check).  dirmngr caches CRLs by issuer in
# HOME/crls.d; `gpgsm --call-dirmngr loadcrl FILE` (a DER CRL, absolute
# path) has dirmngr check the CRL's signature (asking gpgsm for the
# issuer's certificate and whether its root is trusted) and put it in
# that cache, with no network.  The CRLs are good for 10 years, so
# dirmngr never tries the distribution point (http://127.0.0.1:9/, the
# discard port: nothing listens, a fetch fails at once).  The cache is
# plain files: a copy of the home (ms_certs_home in lib.sh) keeps it,
# and `gpgsm --with-validation` then says "certificate has been revoked"
# for dave and "certificate is good" for alice.  `dirmngr-client
# --load-crl FILE` does NOT work (dirmngr 2.2.40: "No inquire callback in
# IPC": only gpgsm answers dirmngr's questions about the issuer).
# Without the cache gpgsm says "checking the CRL failed: Connection
# refused" and the certificate is bad.  A real gateway's CRLs come from
# the distribution points (dirmngr fetches them over HTTP or LDAP) or are
# loaded the same way from files.
#
# The home is made in a short temporary directory (socket path limits)
# and copied to OUTDIR/home once gpg-agent and dirmngr are stopped.
# Without openssl or gpgsm it makes OUTDIR with no home and says why on
# standard error (the tests that need certificates skip); otherwise it
# prints nothing on success and exits non-zero on any failure.
set -eu

[ $# -eq 1 ] || { echo "usage: mkcerts.sh OUTDIR" >&2; exit 64; }
out=$1

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

for t in openssl gpgsm dirmngr gpgconf; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "mkcerts.sh: $t is not installed: no test certificates" >&2
		exit 0
	}
done

W=$(mktemp -d /tmp/msc.XXXXXX)
GNUPGHOME=$W/h
mkdir -m 700 "$GNUPGHOME"
export GNUPGHOME
cleanup() {
	gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || :
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
log=$W/mkcerts.log

# run CMD... - run quietly; on failure show its output and stop
run() {
	"$@" >"$log" 2>&1 || {
		echo "mkcerts.sh: $* failed:" >&2
		cat "$log" >&2
		exit 1
	}
}

# ca_conf CA - the openssl ca configuration and database of CA
ca_conf() {
	mkdir -p "$W/$1"
	: >"$W/$1/index.txt"
	echo 1000 >"$W/$1/serial"
	echo 01 >"$W/$1/crlnumber"
	cat >"$W/$1/ca.cnf" <<EOF
[ca]
default_ca = cadef
[cadef]
database = $W/$1/index.txt
new_certs_dir = $W/$1
serial = $W/$1/serial
crlnumber = $W/$1/crlnumber
default_md = sha256
default_crl_days = 3650
policy = anything
copy_extensions = none
unique_subject = no
[anything]
commonName = supplied
organizationName = optional
emailAddress = optional
[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
EOF
}

# fpr_of NAME - NAME.crt's SHA-1 fingerprint into NAME.fpr
fpr_of() {
	openssl x509 -in "$out/$1.crt" -noout -fingerprint -sha1 |
	    sed 's/.*=//; s/://g' | tr a-f A-F >"$out/$1.fpr"
}

# root CA SUBJECT - a self-signed root
root() {
	ca_conf "$1"
	run openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 7300 \
	    -config "$W/$1/ca.cnf" -extensions root -subj "$2" \
	    -keyout "$out/$1.key" -out "$out/$1.crt"
	fpr_of "$1"
}

# issue CA NAME SUBJECT KEYUSAGE ADDR [openssl ca options] - a certificate
# NAME.crt and key NAME.key, issued by CA; ADDR "" for none
issue() {
	ca=$1 name=$2 subj=$3 ku=$4 addr=$5
	shift 5
	{
		echo "keyUsage = critical,$ku"
		echo "subjectKeyIdentifier = hash"
		echo "authorityKeyIdentifier = keyid"
		case $name in
		sub)
			echo "basicConstraints = critical,CA:TRUE,pathlen:0"
			;;
		*)
			echo "basicConstraints = critical,CA:FALSE"
			echo "extendedKeyUsage = emailProtection"
			;;
		esac
		[ -z "$addr" ] || echo "subjectAltName = email:$addr"
		[ "$ca" = ca2 ] ||
		    echo "crlDistributionPoints = URI:http://127.0.0.1:9/$ca.crl"
	} >"$W/$name.ext"
	run openssl req -new -newkey rsa:2048 -nodes -config "$W/$ca/ca.cnf" \
	    -subj "$subj" -keyout "$out/$name.key" -out "$W/$name.csr"
	run openssl ca -batch -notext -config "$W/$ca/ca.cnf" \
	    -cert "$out/$ca.crt" -keyfile "$out/$ca.key" \
	    -extfile "$W/$name.ext" -in "$W/$name.csr" -out "$out/$name.crt" \
	    "$@"
	fpr_of "$name"
	echo "$ca" >"$W/$name.issuer"
}

# user CA NAME ADDR [KEYUSAGE [openssl ca options]] - a user's certificate
user() {
	ca=$1 name=$2 addr=$3 ku=${4:-digitalSignature,keyEncipherment}
	[ $# -ge 4 ] && shift 4 || shift $#
	cn=$(echo "$name" | awk '{ print toupper(substr($0, 1, 1)) substr($0, 2) }')
	subj="/CN=$cn"
	[ -z "$addr" ] || subj="$subj/emailAddress=$addr"
	issue "$ca" "$name" "$subj" "$ku" "$addr" -days 3650 "$@"
}

# crl CA - CA's CRL, PEM and DER
crl() {
	run openssl ca -gencrl -config "$W/$1/ca.cnf" -cert "$out/$1.crt" \
	    -keyfile "$out/$1.key" -out "$out/$1.crl.pem"
	run openssl crl -in "$out/$1.crl.pem" -outform DER -out "$out/$1.crl"
}

# chain NAME - the CA certificates above NAME, PEM, on standard output
chain() {
	c=$(cat "$W/$1.issuer")
	while :; do
		cat "$out/$c.crt"
		[ -f "$W/$c.issuer" ] || break
		c=$(cat "$W/$c.issuer")
	done
}

root ca '/O=mailseal test/CN=mailseal Test CA'
issue ca sub '/O=mailseal test/CN=mailseal Test Sub CA' \
    'keyCertSign,cRLSign' '' -days 7000
ca_conf sub
root ca2 '/O=elsewhere/CN=Untrusted CA'

user ca alice alice@example.org
user ca bob bob@example.org
user sub victor victor@example.org
user ca carol carol@example.org digitalSignature,keyEncipherment \
    -startdate 20200101000000Z -enddate 20210101000000Z
user ca dave dave@example.org
user ca erin erin@example.org digitalSignature
user ca frank ''
user ca2 mallory mallory@example.org

run openssl ca -revoke "$out/dave.crt" -crl_reason keyCompromise \
    -config "$W/ca/ca.cnf" -cert "$out/ca.crt" -keyfile "$out/ca.key"
crl ca
crl sub

# p12 NAME PASSFILE OUT HOME [CHAIN] - NAME's key and certificate (and
# the CA certificates in CHAIN) as PKCS#12 in OUT, protected by the first
# line of PASSFILE, imported into gpgsm's HOME.  gpgsm 2.2.40 cannot read
# about one file in 60 that OpenSSL writes ("encryptedData error ...
# possibly bad passphrase": it depends on the random salt, not on the key;
# the same file fails every time, a new one of the same key is read): so
# the file is written again until gpgsm reads it, and every .p12 here is
# one gpgsm has read.
p12() {
	i=0
	while :; do
		i=$((i + 1))
		openssl pkcs12 -export -name "$1" -in "$out/$1.crt" \
		    -inkey "$out/$1.key" ${5:+-certfile "$5"} \
		    -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 \
		    -passout "file:$2" -out "$3" >"$log" 2>&1 || break
		gpgsm --homedir "$4" --batch --no-tty --pinentry-mode loopback \
		    --passphrase-fd 0 --import "$3" <"$2" >"$log" 2>&1 &&
		    return 0
		[ "$i" -lt 8 ] || break
	done
	echo "mkcerts.sh: cannot make $3 that gpgsm reads:" >&2
	cat "$log" >&2
	exit 1
}

users="alice bob victor carol dave erin frank mallory"
echo no-allow-mark-trusted >"$GNUPGHOME/gpg-agent.conf"
run gpgsm --batch --import "$out/ca.crt" "$out/sub.crt" "$out/ca2.crt"
mkdir -m 700 "$W/p"
echo no-allow-mark-trusted >"$W/p/gpg-agent.conf"
echo >"$W/empty.pass"
for n in $users; do
	# the protected PKCS#12 for the tests (checked in a scratch home),
	# and an open one for the home: its keys have no passphrase
	printf '%s\n' "$n: p12 passphrase 42" >"$out/$n.pass"
	chain "$n" >"$W/$n.chain"
	p12 "$n" "$out/$n.pass" "$out/$n.p12" "$W/p" "$W/$n.chain"
	p12 "$n" "$W/empty.pass" "$W/$n.open.p12" "$GNUPGHOME"
done
gpgconf --homedir "$W/p" --kill all >/dev/null 2>&1 || :
for n in ca sub ca2 $users; do
	cat "$out/$n.crt"
done >"$out/all.pem"
echo "$(cat "$out/ca.fpr") S relax" >"$GNUPGHOME/trustlist.txt"
run gpgsm --batch --call-dirmngr loadcrl "$out/ca.crl"
run gpgsm --batch --call-dirmngr loadcrl "$out/sub.crl"

# check that every certificate is what its name promises
# valid NAME WANT - gpgsm's verdict on NAME's certificate contains WANT
valid() {
	v=$(gpgsm --batch --with-validation --list-keys "0x$(cat "$out/$1.fpr")" \
	    2>&1 | grep '^  \[') || :
	case $v in
	*"$2"*) ;;
	*)
		echo "mkcerts.sh: $1: expected \"$2\", gpgsm says: $v" >&2
		exit 1
		;;
	esac
}
for n in alice bob victor erin frank; do
	valid "$n" 'certificate is good'
done
valid carol 'expired'
valid dave 'certificate has been revoked'
valid mallory 'not marked trusted'
for n in $users; do
	gpgsm --batch --list-secret-keys "0x$(cat "$out/$n.fpr")" \
	    >/dev/null 2>&1 || { echo "mkcerts.sh: no secret key for $n" >&2
		exit 1; }
done

gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || :
rm -f "$GNUPGHOME"/S.* "$GNUPGHOME"/*~
cp -R "$GNUPGHOME" "$out/home"
chmod 700 "$out/home"
exit 0
