#!/bin/sh
# smime-gateway.sh - the gateway's S/MIME recipients (issue 12): through
# `mailseal filter` (--stdout, and a fake sendmail recording each copy)
# and `mailseal smtpd` (tests/smtp_sink.py as the next hop).  A recipient
# with a certificate only gets S/MIME that openssl cms -decrypt reads to
# the exact inner entity; one with a key and a certificate PGP/MIME, or
# S/MIME with format_preference = smime; a mixed list two copies, each
# readable by its recipient alone, a hidden one a copy of its own in its
# format; require with neither is 67 / 550 naming both reasons; an
# expired, revoked or untrusted certificate is not used; gpgsm failing
# (listing or encrypting) is 75 / 451 with nothing delivered; no gpgsm
# run when every recipient has a key; smtpd lists certificates once and
# sees one imported while it runs.  The certificates are
# tests/mkcerts.sh's.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools openssl
_certs_ready
IS_DIAG=$T/err
PARTS="$MAILSEAL_SRCDIR/tests/smime_parts.py"

# the gateway's home: OpenPGP keys of alice, bob and xbob; every test
# certificate (alice and bob have both; victor a certificate only; carol
# expired, dave revoked, erin sign-only, mallory from an untrusted root)
# but frank's, which comes later; the root in trustlist.txt, the CRLs
GNUPGHOME=$(mktemp -d /tmp/msg.XXXXXX) || skip_all "mktemp failed"
_ms_homes="$_ms_homes $GNUPGHOME"
export GNUPGHOME
chmod 700 "$GNUPGHOME"
for k in alice bob xbob; do
	gpg --batch --quiet --import "$KEYS/$k.pub.asc" 2>/dev/null
done
gpg --batch --check-trustdb >/dev/null 2>&1
for c in alice bob victor carol dave erin mallory; do
	gpgsm --batch --no-tty --import "$CERTS/$c.crt" >/dev/null 2>&1
done
cp -R "$CERTS/home/crls.d" "$CERTS/home/trustlist.txt" "$GNUPGHOME/"
# gpgsm imports the root and the intermediate with the chain it needs
gpgsm --batch --no-tty --import "$CERTS/all.pem" >/dev/null 2>&1
gpgconf --kill all >/dev/null 2>&1 || :
H=$GNUPGHOME
# no frank yet: the smtpd case imports him while the server runs
gpgsm --batch --no-tty --delete-keys "$(cfpr frank)" >/dev/null 2>&1 || :

gw_env
# a gpgsm and a gpg that count their runs
real=$(command -v gpgsm)
mkdir "$T/bin"
RUNS=$T
wrap() {
	cat >"$T/bin/gpgsm" <<WRAP
#!/bin/sh
printf '%s\n' "\$*" >>"$RUNS/gpgsm.runs"
case " \$* " in *" --version "*) exec "$real" "\$@" ;; esac
$1
WRAP
	chmod 755 "$T/bin/gpgsm"
}
wrap "exec \"$real\" \"\$@\""
PATH=$T/bin:$PATH
export PATH

conf gw "protect_headers = no"
conf pref "protect_headers = no" "format_preference = smime"
conf req "protect_headers = no" "default_policy = require"

# m FILE TO [CC] - a message to TO (and CC)
m() {
	printf '%s\n' 'From: sender@example.net' "To: $2" ${3:+"Cc: $3"} \
	    'Subject: the plan' 'Message-ID: <p1@example.net>' \
	    'MIME-Version: 1.0' 'Content-Type: text/plain; charset=utf-8' \
	    'Content-Transfer-Encoding: 8bit' '' 'line one' 'caf\303\251' '' \
	    'last line' >"$1"
}
# the inner entity: the Content-* fields and the body, CRLF
printf '%s\r\n' 'Content-Type: text/plain; charset=utf-8' \
    'Content-Transfer-Encoding: 8bit' '' 'line one' 'caf\303\251' '' \
    'last line' >"$T/want.inner"

# der FILE - FILE's S/MIME body as DER into FILE.der
der() {
	"$PYTHON" "$PARTS" enveloped "$1" "$1.der" 2>"$1.parts"
}
# reads NAME FILE - NAME's key alone (openssl) decrypts FILE to the
# exact inner entity
reads() {
	der "$2" && cms_dec "$1" "$2.der" "$2.$1" &&
	    cmp -s "$2.$1" "$T/want.inner"
}
# runs - gpgsm runs of the last filter, but --version
runs() {
	cat "$T/gpgsm.runs" 2>/dev/null | grep -vc -- '--version'
}
# f CONF ARGS... - filter with fresh run counts
f() {
	rm -f "$T/gpgsm.runs"
	_f=$1
	shift
	fm "$T/$_f.conf" "$@"
}
# kind FILE - "smime", "pgp" or "clear", from the top Content-Type
kind() {
	case $(field "$1" Content-Type) in
	application/pkcs7-mime*) echo smime ;;
	multipart/encrypted*) echo pgp ;;
	*) echo clear ;;
	esac
}
# calls - the sendmail calls of the last run
calls() {
	ls "$T/sm" | grep -c '\.args$'
}
# call_for RCPT - the sendmail call that names RCPT
call_for() {
	grep -lxF "[$1]" "$T"/sm/*.args 2>/dev/null | head -n 1 |
	    sed 's|.*/||; s|\.args$||'
}

# --- a certificate only: S/MIME, read by openssl to the exact entity
m "$T/v.eml" victor@example.org
f gw --stdout -f sender@example.net -- victor@example.org <"$T/v.eml"
is "victor (certificate only), --stdout: exit 0" "$rc" 0
is "victor: S/MIME" "$(kind "$T/out")" smime "$T/out"
check "victor: openssl cms -decrypt gives the exact inner entity" \
    reads victor "$T/out"
is "victor: one certificate listing, one encryption" \
    "$(grep -c -- '--server' "$T/gpgsm.runs")" 2 "$T/gpgsm.runs"
is "victor: the log line says cert= and format=smime" \
    "$(logline | grep -c "^action=encrypt policy=opportunistic to=<victor@example.org> cert=[0-9A-F]\{16\} format=smime ")" 1
is "victor: our marker in the outer header" \
    "$(field "$T/out" X-Mailseal-Gateway | grep -c '^gw1.test')" 1 "$T/out"

# --- no gpgsm installed (a gpg-only machine): certificates are not
# looked up, as with smime = no, and one line says so; the mail to a
# recipient without a key goes as policy says, not 75 until it bounces
mkdir "$T/nogpgsm"
for p in gpg gpgconf gpg-agent dirmngr; do
	ln -s "$(command -v $p)" "$T/nogpgsm/$p"
done
_path=$PATH
PATH=$T/nogpgsm
f gw --stdout -f sender@example.net -- victor@example.org <"$T/v.eml"
PATH=$_path
is "no gpgsm installed, victor opportunistic: delivered as it came (exit 0)" \
    "$rc $(kind "$T/out")" "0 clear" "$T/err"
is "... the log line says no-key, and one line says certificates are not looked up" \
    "$(logline | grep -c 'to=<victor@example.org> why=no-key') $(grep -c 'no gpgsm on PATH: certificates are not looked up' "$T/err")" \
    "1 1" "$T/err"
PATH=$T/nogpgsm
f req --stdout -f sender@example.net -- victor@example.org <"$T/v.eml"
PATH=$_path
is "no gpgsm installed, victor require: 67, nothing written" \
    "$rc $(wc -c <"$T/out" | tr -d ' ')" "67 0" "$T/err"

# --- a key and a certificate: PGP/MIME, and no gpgsm at all
m "$T/a.eml" alice@example.org bob@example.org
f gw --stdout -f sender@example.net -- alice@example.org bob@example.org \
    <"$T/a.eml"
is "alice and bob (key and certificate): PGP/MIME" "$rc $(kind "$T/out")" \
    "0 pgp"
is "every recipient has a key: no gpgsm run" "$(runs)" 0 "$T/gpgsm.runs"
is "no format=smime in the log line" "$(logline | grep -c 'format=smime')" 0
# format_preference = smime: the certificates win
f pref --stdout -f sender@example.net -- alice@example.org bob@example.org \
    <"$T/a.eml"
is "format_preference = smime: S/MIME" "$rc $(kind "$T/out")" "0 smime"
check "format_preference = smime: alice reads it" reads alice "$T/out"
check "format_preference = smime: bob reads it" reads bob "$T/out"
# xbob has a key only: PGP/MIME even so
m "$T/x.eml" xbob@example.org
f pref --stdout -f sender@example.net -- xbob@example.org <"$T/x.eml"
is "format_preference = smime, xbob (key only): PGP/MIME" \
    "$rc $(kind "$T/out")" "0 pgp"

# --- a mixed list: two copies, one per format, each for its reader
m "$T/mx.eml" xbob@example.org victor@example.org
f gw -f sender@example.net -- xbob@example.org victor@example.org \
    <"$T/mx.eml"
is "mixed: exit 0, two copies" "$rc $(calls)" "0 2"
cx=$(call_for xbob@example.org)
cv=$(call_for victor@example.org)
is "mixed: one copy each" "$(grep -c '^\[.*@example.org\]$' \
    "$T/sm/$cx.args") $(grep -c '^\[.*@example.org\]$' "$T/sm/$cv.args")" \
    "1 1"
is "mixed: xbob's copy is PGP/MIME, victor's S/MIME" \
    "$(kind "$T/sm/$cx.msg") $(kind "$T/sm/$cv.msg")" "pgp smime"
check "mixed: victor reads his copy" reads victor "$T/sm/$cv.msg"
sed -n '/^-----BEGIN PGP MESSAGE-----/,/^-----END PGP MESSAGE-----/p' \
    "$T/sm/$cx.msg" >"$T/mx.asc"
check "mixed: xbob reads his copy" gpg_dec_only xbob "$T/mx.asc" "$T/mx.dec"
if der "$T/sm/$cv.msg" && cms_dec alice "$T/sm/$cv.msg.der" "$T/mx.alice"
then
	not_ok "mixed: alice's key does not read victor's copy"
else
	ok "mixed: alice's key does not read victor's copy"
fi
is "mixed: the log line: xbob key=, victor format=smime" \
    "$(logline | grep -c 'to=<xbob@example.org> key=.*to=<victor@example.org> cert=[0-9A-F]* format=smime')" 1
f gw --stdout -f sender@example.net -- xbob@example.org victor@example.org \
    <"$T/mx.eml"
is "mixed, --stdout: 69, two messages said" \
    "$rc $(grep -c 'OpenPGP and others as S/MIME' "$T/err")" "69 1"

# --- hidden recipients: a copy of its own each, in its format
m "$T/h.eml" xbob@example.org
f gw -f sender@example.net -- xbob@example.org victor@example.org \
    alice@example.org <"$T/h.eml"
is "hidden victor and alice: three copies" "$rc $(calls)" "0 3"
cv=$(call_for victor@example.org)
ca=$(call_for alice@example.org)
is "hidden: victor's own copy S/MIME, alice's PGP/MIME" \
    "$(kind "$T/sm/$cv.msg") $(kind "$T/sm/$ca.msg")" "smime pgp"
check "hidden: victor reads his own copy" reads victor "$T/sm/$cv.msg"
is "hidden: victor's copy is his alone" "$(grep -c '@example.org\]$' \
    "$T/sm/$cv.args")" 1
is "hidden: copy=own for victor in the log line" \
    "$(logline | grep -c 'to=<victor@example.org> cert=[0-9A-F]* format=smime copy=own')" 1

# --- certificates that do not serve: opportunistic gets clear text
for c in carol:expired dave:revoked mallory:untrusted erin:key-usage; do
	n=${c%%:*} why=${c#*:}
	m "$T/$n.eml" "$n@example.org"
	f gw --stdout -f sender@example.net -- "$n@example.org" <"$T/$n.eml"
	is "$n ($why certificate), opportunistic: clear text" \
	    "$rc $(kind "$T/out")" "0 clear"
	is "$n: the log line says cert_why=$why" "$(logline |
	    grep -c "to=<$n@example.org> why=no-key cert_why=$why cert=[0-9A-F]")" 1
done
# ... and require is refused, naming both reasons
f req -f sender@example.net -- carol@example.org <"$T/carol.eml"
is "carol, require: 67, nothing handed over" "$rc $(calls)" "67 0"
is "carol, require: the reason names the key and the certificate" \
    "$(grep -c "carol@example.org: no usable OpenPGP key (no key for the address) or certificate (certificate $(cfpr carol) expired on [0-9-]*), and policy requires encryption" "$T/err")" 1
f req -f sender@example.net -- nobody@example.org <"$T/v.eml"
is "nobody, require: 67, no key and no certificate said" \
    "$rc $(grep -c 'no usable OpenPGP key (no key for the address) or certificate (no certificate for the address)' "$T/err")" "67 1"
f req -f sender@example.net -- victor@example.org <"$T/v.eml"
is "victor, require: a certificate satisfies it" "$rc $(calls)" "0 1"
check "victor, require: he reads it" reads victor "$T/sm/1.msg"
# smime = no: certificates are not looked at
conf nosmime "protect_headers = no" "smime = no"
f nosmime --stdout -f sender@example.net -- victor@example.org <"$T/v.eml"
is "smime = no: victor gets clear text, no gpgsm run" \
    "$rc $(kind "$T/out") $(runs)" "0 clear 0"

# --- sign = yes: S/MIME copies signed by smime_signer, else unsigned
conf sig "protect_headers = no" "sign = yes" "signer = $(fpr alice)" \
    "smime_signer = $(cfpr alice)"
# the secret keys the signers need
cp -R "$CERTS/home/private-keys-v1.d/." "$H/private-keys-v1.d/" 2>/dev/null ||
    cp -R "$CERTS/home/private-keys-v1.d" "$H/"
gpg --batch --quiet --import "$KEYS/alice.sec.asc" 2>/dev/null
f sig --stdout -f sender@example.net -- victor@example.org <"$T/v.eml"
is "sign = yes, smime_signer: S/MIME" "$rc $(kind "$T/out")" "0 smime" \
    "$T/err"
if der "$T/out" && cms_dec victor "$T/out.der" "$T/sig.inner" &&
    [ "$(field "$T/sig.inner" Content-Type | grep -c 'multipart/signed')" = 1 ] &&
    [ "$(field "$T/sig.inner" Content-Type | grep -c 'application/pkcs7-signature')" = 1 ]
then
	ok "sign = yes: victor's copy holds a pkcs7-signature"
else
	not_ok "sign = yes: victor's copy holds a pkcs7-signature" \
	    "$T/sig.inner" "$T/err"
fi
conf sig2 "protect_headers = no" "sign = yes" "signer = $(fpr alice)"
f sig2 --stdout -f sender@example.net -- victor@example.org <"$T/v.eml"
check "sign = yes without smime_signer: S/MIME, unsigned" \
    reads victor "$T/out"

# --- gpgsm failing: 75, nothing handed over, never clear text
wrap "exit 2"
f req -f sender@example.net -- victor@example.org <"$T/v.eml"
is "gpgsm failing at the listing, require: 75, nothing handed over" \
    "$rc $(calls)" "75 0" "$T/err"
f gw -f sender@example.net -- victor@example.org <"$T/v.eml"
is "gpgsm failing at the listing, opportunistic: 75, no clear text" \
    "$rc $(calls)" "75 0" "$T/err"
f gw -f sender@example.net -- alice@example.org <"$T/a.eml"
is "gpgsm failing, a recipient with a key: not needed, exit 0" \
    "$rc $(calls) $(kind "$T/sm/1.msg")" "0 1 pgp" "$T/err"
# the first run (the listing) works, the second (the encryption) fails
wrap "[ \$(grep -c -- --server \"$RUNS/gpgsm.runs\") -ge 2 ] && exit 2
exec \"$real\" \"\$@\""
f gw -f sender@example.net -- xbob@example.org victor@example.org \
    <"$T/mx.eml"
is "gpgsm failing at the encryption (mixed): 75, no copy handed over" \
    "$rc $(calls)" "75 0" "$T/err"
wrap "exec \"$real\" \"\$@\""
is "no file left in TMPDIR" "$(ls -A "$TMPDIR" | wc -l)" 0

# --- no message (a header we cannot read): a recipient with a
# certificate is encrypted to, so it is refused, never passed in clear
printf 'no header at all, just text\n' >"$T/nohdr.eml"
f gw -f sender@example.net -- victor@example.org <"$T/nohdr.eml"
is "not a message, victor (certificate): 65, nothing handed over, said" \
    "$rc $(calls) $(grep -c 'a recipient has an OpenPGP key or a certificate' "$T/err")" "65 0 1" "$T/err"

# --- the roots gpgsm trusts are the gateway's to change, nobody else's
chmod 666 "$H/trustlist.txt"
f gw --check victor@example.org </dev/null
is "trustlist.txt writable by everybody: 78, said" \
    "$rc $(grep -c 'trustlist.txt.*writable by everybody' "$T/err")" "78 1"
chmod 644 "$H/trustlist.txt"
f gw --check victor@example.org </dev/null
is "--check: victor gets his certificate" \
    "$rc $(grep -c "^victor@example.org: policy=opportunistic (default_policy) cert=$(cfpr victor) action=encrypt$" "$T/out")" \
    "0 1" "$T/out"

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
lport=$(port)
user=
if [ "$(id -u)" -eq 0 ]; then
	# smtpd serves as smtpd_user, whose files these must be
	user=nobody
	chmod 755 "$T"
	chown -R "$user" "$H" "$S"
fi
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
# the runs are counted where the server's user can write
RUNS=$S
wrap "exec \"$real\" \"\$@\""
[ -z "$user" ] || chown "$user" "$S"
TMPDIR=$S/tmp "$MAILSEAL" smtpd -c "$T/smtpd.conf" 2>"$S/log" &
srvpid=$!
i=0
while ! "$PYTHON" -c "import socket; socket.create_connection(('127.0.0.1', $lport), 1)" 2>/dev/null &&
    [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
# client OUT MSG RCPT... - one transaction
client() {
	_o=$1
	shift
	"$PYTHON" "$S/client.py" "$lport" "$@" >"$_o" 2>&1
}
# sink_msgs - how many messages the sink holds
sink_msgs() {
	ls "$S/sink" | grep -c '\.eml$'
}

client "$T/s1" "$T/mx.eml" xbob@example.org victor@example.org
is "smtpd, mixed: 250 naming two queue IDs" \
    "$(grep -c '^DATA 250 2.0.0 Ok: queued as [^ ]* [^ ]*$' "$T/s1")" 1 \
    "$T/s1" "$S/log"
is "smtpd, mixed: two messages at the next hop" "$(sink_msgs)" 2
is "smtpd, mixed: queued_encrypted= in the log line names both" \
    "$(grep -c 'format=smime.* queued_encrypted=[^ ,]*,[^ ,]* ' "$S/log")" 1 \
    "$S/log"
for e in "$S"/sink/*.eml; do
	case $(kind "$e") in
	smime) check "smtpd: victor reads the S/MIME copy" reads victor "$e" ;;
	pgp) ok "smtpd: the other copy is PGP/MIME" ;;
	*) not_ok "smtpd: a clear copy at the next hop" "$e" ;;
	esac
done
client "$T/s2" "$T/carol.eml" carol@example.org
is "smtpd, carol (expired certificate), require: 550 with both reasons" \
    "$(grep -c "^RCPT 550 5.7.1 <carol@example.org>: no usable OpenPGP key (no key for the address) or certificate (certificate $(cfpr carol) expired on [0-9-]*), and policy requires encryption$" "$T/s2")" \
    1 "$T/s2"
n1=$(grep -c 'LISTKEYS\|--server' "$S/gpgsm.runs" 2>/dev/null)
client "$T/s3" "$T/v.eml" victor@example.org
is "smtpd, victor again: 250" "$(grep -c '^DATA 250' "$T/s3")" 1 "$T/s3"
is "smtpd: the certificates were listed once (cached): one more gpgsm run, the encryption" \
    "$(grep -c 'LISTKEYS\|--server' "$S/gpgsm.runs" 2>/dev/null)" \
    "$((n1 + 1))" "$S/gpgsm.runs"
# frank has no address: use a certificate imported while it runs; the
# one certificate without an OpenPGP key and with an address not yet in
# the keybox is none, so victor's is deleted and imported again
m "$T/fr.eml" victor@example.org
if [ -n "$user" ]; then
	su -s /bin/sh "$user" -c "gpgsm --homedir '$H' --batch --no-tty \
	    --delete-keys $(cfpr victor)" >/dev/null 2>&1
else
	gpgsm --homedir "$H" --batch --no-tty --delete-keys "$(cfpr victor)" \
	    >/dev/null 2>&1
fi
client "$T/s4" "$T/fr.eml" victor@example.org
is "smtpd: victor's certificate deleted while it runs: 550 at RCPT" \
    "$(grep -c '^RCPT 550' "$T/s4")" 1 "$T/s4"
if [ -n "$user" ]; then
	su -s /bin/sh "$user" -c "gpgsm --homedir '$H' --batch --no-tty \
	    --import '$CERTS/victor.crt'" >/dev/null 2>&1
else
	gpgsm --homedir "$H" --batch --no-tty --import "$CERTS/victor.crt" \
	    >/dev/null 2>&1
fi
client "$T/s5" "$T/fr.eml" victor@example.org
is "smtpd: imported again while it runs: 250, no restart" \
    "$(grep -c '^DATA 250' "$T/s5")" 1 "$T/s5" "$S/log"
# gpgsm failing: 451, nothing delivered
before=$(sink_msgs)
wrap "exit 2"
[ -n "$user" ] && chown "$user" "$T/bin/gpgsm"
if [ -n "$user" ]; then
	su -s /bin/sh "$user" -c "gpgsm --homedir '$H' --batch --no-tty \
	    --import '$CERTS/frank.crt'" >/dev/null 2>&1
else
	"$real" --homedir "$H" --batch --no-tty --import "$CERTS/frank.crt" \
	    >/dev/null 2>&1
fi
client "$T/s6" "$T/fr.eml" victor@example.org
is "smtpd: gpgsm failing (a changed keybox listed again): 451" \
    "$(grep -c '^RCPT 451\|^DATA 451' "$T/s6")" 1 "$T/s6"
is "smtpd: gpgsm failing: nothing delivered" "$(sink_msgs)" "$before"
wrap "exec \"$real\" \"\$@\""

done_testing
