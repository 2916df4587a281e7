#!/bin/sh
# attack-smime-gw.sh - attacks on the gateway's S/MIME part (issue 12).
# smtpd's certificate cache and a certificate not yet valid when it was
# listed (notBefore a few seconds ahead, as a CA that does not backdate
# issues it): once its notBefore passes the recipient has a usable
# certificate, so a require recipient is taken and encrypted to, not
# refused (nor, for opportunistic, sent clear text) until the cache's
# maximum age; its refusal says "not valid before", not "expired".  A
# root taken out of trustlist.txt while smtpd runs: its certificates
# are refused at once (gpg-agent, which gpgsm asks, is made to read the
# file again).  The certificates are tests/mkcerts.sh's.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools openssl
ms_certs_home
/usr/bin/python3 -c 'import cryptography' 2>/dev/null ||
    skip_all "python3-cryptography is not installed"
H=$GNUPGHOME

# young NAME SECONDS - NAME@example.org's certificate from the test root,
# valid from SECONDS from now for a year, and its key, in $T
young() {
	/usr/bin/python3 - "$CERTS/ca.crt" "$CERTS/ca.key" "$1" "$2" "$T" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID
cacrt = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
cakey = serialization.load_pem_private_key(open(sys.argv[2], "rb").read(), None)
name, secs, out = sys.argv[3], int(sys.argv[4]), sys.argv[5]
addr = name + "@example.org"
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
now = datetime.datetime.utcnow().replace(microsecond=0)
start = now + datetime.timedelta(seconds=secs)
b = (x509.CertificateBuilder()
    .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(NameOID.EMAIL_ADDRESS, addr)]))
    .issuer_name(cacrt.subject).public_key(key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(start)
    .not_valid_after(start + datetime.timedelta(days=365))
    .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
    .add_extension(x509.KeyUsage(True, False, True, False, False, False,
        False, False, False), True)
    .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
    .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(addr)]), False)
    .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(cakey.public_key()), False)
    .add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
        [x509.UniformResourceIdentifier("http://127.0.0.1:9/ca.crl")],
        None, None, None)]), False))
crt = b.sign(cakey, hashes.SHA256())
open(out + "/" + name + ".crt", "wb").write(crt.public_bytes(serialization.Encoding.PEM))
open(out + "/" + name + ".key", "wb").write(key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption()))
print(int(start.replace(tzinfo=datetime.timezone.utc).timestamp()))
PY
}

# ---------------------------------------------------------------- smtpd
S=$T/srv
mkdir -p "$S/sink" "$S/tmp"
port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
"$PYTHON" "$MAILSEAL_SRCDIR/tests/smtp_sink.py" "$S/sink" 300 &
sinkpid=$!
srvpid=
cleanup() {
	if [ -n "$srvpid" ]; then
		for _p in $(awk -v p="$srvpid" '/^PPid:/ && $2 == p {
		    split(FILENAME, a, "/"); print a[3] }' \
		    /proc/[0-9]*/status 2>/dev/null); do
			kill "$_p" 2>/dev/null
		done
		kill "$srvpid" 2>/dev/null
		wait "$srvpid" 2>/dev/null
	fi
	kill "$sinkpid" 2>/dev/null
	_lib_cleanup
}
trap cleanup EXIT
i=0
while [ ! -s "$S/sink/port" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -s "$S/sink/port" ]; then
	skip "smtpd" "the SMTP sink did not start"
	done_testing
	exit 0
fi

# zoe's certificate is valid from 20 seconds from now
zstart=$(young zoe 20)
gpgsm --batch --no-tty --import "$T/zoe.crt" >/dev/null 2>&1
gpgconf --kill all >/dev/null 2>&1 || :

lport=$(port)
user=
if [ "$(id -u)" -eq 0 ]; then
	user=nobody
	chmod 755 "$T"
	chown -R "$user" "$H" "$S"
fi
# the home's files settle: a listing made within a second of a change
# is made again anyway (keycache.c, racy), which would hide the case
sleep 2
cat >"$T/smtpd.conf" <<CONF
homedir = $H
gateway_id = gw1.test
default_policy = require
protect_headers = no
listen = 127.0.0.1:$lport
reinject = 127.0.0.1:$(cat "$S/sink/port")
smtpd_workers = 1
timeout = 20
log = stderr
${user:+smtpd_user = $user}
CONF
cat >"$S/client.py" <<'PY'
import smtplib, sys
port, rcpts = int(sys.argv[1]), sys.argv[3:]
s = smtplib.SMTP("127.0.0.1", port, timeout=60)
s.ehlo("client.test")
s.mail("sender@example.net")
ok = []
for a in rcpts:
    r = s.rcpt(a)
    print("RCPT %d %s" % (r[0], r[1].decode("utf-8", "replace")), flush=True)
    if r[0] == 250:
        ok.append(a)
if ok:
    r = s.data(open(sys.argv[2], "rb").read().replace(b"\n", b"\r\n"))
    print("DATA %d %s" % (r[0], r[1].decode("utf-8", "replace")), flush=True)
s.quit()
PY
TMPDIR=$S/tmp "$MAILSEAL" smtpd -c "$T/smtpd.conf" 2>"$S/log" &
srvpid=$!
i=0
while ! "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $lport), 1)" 2>/dev/null &&
    [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
client() {
	_o=$1
	shift
	"$PYTHON" "$S/client.py" "$lport" "$@" >"$_o" 2>&1
}
printf '%s\n' 'From: sender@example.net' 'To: zoe@example.org' \
    'Subject: young' 'Message-ID: <y1@example.net>' '' 'hello' >"$T/z.eml"

# --- before its notBefore: not usable, the require recipient refused
client "$T/c1" "$T/z.eml" zoe@example.org
is "smtpd, zoe's certificate not yet valid: RCPT 550" \
    "$(grep -c '^RCPT 550' "$T/c1")" 1
is "smtpd, zoe's certificate not yet valid: the reason says so, not expired" \
    "$(grep -c "^RCPT 550 .*certificate [0-9A-F]* is not valid before [0-9-]* [0-9:]* UTC" "$T/c1")" 1 "$T/c1"
# --- after it: taken and encrypted (the cache lists again)
while [ "$(date +%s)" -le "$zstart" ]; do
	sleep 1
done
client "$T/c2" "$T/z.eml" zoe@example.org
is "smtpd, zoe's certificate valid now: RCPT 250" \
    "$(grep -c '^RCPT 250' "$T/c2")" 1
is "smtpd, zoe's certificate valid now: DATA 250" \
    "$(grep -c '^DATA 250' "$T/c2")" 1
f=$(ls "$S/sink"/*.eml 2>/dev/null | head -1)
is "smtpd, zoe's copy is S/MIME" \
    "$(grep -ci '^Content-Type: application/pkcs7-mime' "${f:-/dev/null}")" 1
# --- a root no longer trusted (its line gone from trustlist.txt) while
# smtpd runs: its certificates are not used any more; gpg-agent, which
# answers gpgsm's question about the root, read the file when it started
sleep 1
cp "$H/trustlist.txt" "$T/trustlist.keep"
: >"$H/trustlist.txt"
client "$T/c3" "$T/z.eml" zoe@example.org
is "smtpd, zoe's root distrusted while it runs: RCPT 550" \
    "$(grep -c '^RCPT 550' "$T/c3")" 1 "$T/c3" "$S/log"
is "smtpd, zoe's root distrusted: the reason says no valid chain" \
    "$(grep -c 'no valid chain to a trusted root' "$T/c3")" 1
n=$(ls "$S/sink" | grep -c '\.eml$')
is "smtpd, zoe's root distrusted: nothing more handed over" "$n" 1
done_testing
