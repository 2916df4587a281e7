#!/bin/sh
# exim.sh - contrib/exim/transport.snippet behind Debian 12's Exim 4.96,
# and mailseal filter --stdout run the way Exim runs a transport filter.
# TAP.
#
# Part 1 (any user, no Exim): Exim starts a transport filter with its
# standard error joined to its standard output (2>&1), and delivers
# whatever comes out.  So filter --stdout is run like that here, with
# "log = stderr" and -v, which put the line per message on standard
# error: the output must be the message alone, byte for byte.
#
# Part 2 (root, unshare(1) and the unpacked Exim): Debian's exim4 binary
# (package exim4-daemon-light, which contrib/quickstart unpacks into
# /var/cache/mailseal-test/exim with exim4-config; $MAILSEAL_EXIM names
# another) runs in a private configuration and spool under $T: never
# installed, no daemon, nothing outside $T written.
#  - the snippet as shipped, and Debian's split configuration made by
#    update-exim4.conf with the snippet's parts where mailseal-setup(7)
#    puts them, are configurations Exim accepts (exim -bV)
#  - `exim -C CONF -odi -oi -f SENDER RCPT <MSG` takes the message and
#    delivers it in the foreground
#  - the router is a manualroute to the test's SMTP server on loopback
#    (tests/smtp_sink.py, on a port the kernel picks); the transport is
#    the snippet's mailseal_smtp as shipped, with only the paths of
#    mailseal, mailseal.conf and mailseal-envelope changed and the port
#    and allow_localhost added
#  - the binary wants its user Debian-exim: every exim, and every command
#    run as that user, runs in a mount namespace of its own (unshare -m)
#    where /etc/passwd and /etc/group are the test's copies with
#    Debian-exim added on an unused uid (an overlay on /etc); the
#    machine's files stay as they are
#  - $T/bin/mailseal is a wrapper that records the arguments Exim passed
#    and then runs the build's mailseal
#  - the gateway's keyring ($T/gw, Debian-exim's) holds bob's public key;
#    trent@ requires encryption and has no key, oscar@ has none either
#  - mailseal.conf says "log = stderr": before the fix, Exim delivered
#    the log line inside the message; now it goes to syslog, which in
#    the namespace is the test's (/dev/log, added by a read-only overlay
#    on /dev, is tests/syslog_sink.py's socket)
#  - without mailseal-envelope, the lookups fail and Exim defers
# Every wait is bounded: exim runs under timeout(1), the two servers stop
# by themselves after 300 s and are killed at the end.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

PATH=$PATH:/usr/sbin:/sbin
export PATH
SNIPPET=$MAILSEAL_SRCDIR/contrib/exim/transport.snippet
ENVELOPE=$MAILSEAL_SRCDIR/contrib/exim/mailseal-envelope
EXIM=${MAILSEAL_EXIM:-/var/cache/mailseal-test/exim/usr/sbin/exim4}
GW=exim-test
SECRET="The launch code is 0000."
umask 022

# letter FILE TO MSGID - a plain UTF-8 message from alice; its body has
# a line that is one dot, one that starts with a dot, one that starts
# with "From " and trailing spaces
letter() {
	msg "$1" "From: Alice <alice@example.org>" "To: $2" \
	    "Subject: through Exim" "Date: Sun, 22 Nov 2026 10:00:00 +0000" \
	    "Message-ID: <$3>" "MIME-Version: 1.0" \
	    "Content-Type: text/plain; charset=utf-8" \
	    "Content-Transfer-Encoding: 8bit" <<EOF
Hello,

$SECRET
.
.a line that starts with a dot
From the start of a line, with trailing spaces   
Grüße, ünïcödé.
EOF
}

# conf FILE HOMEDIR - a gateway configuration that logs to stderr
conf() {
	cat >"$1" <<EOF
homedir = $2
default_policy = opportunistic
policy_map = ${1%/*}/policy_map
sendmail = /bin/false
log = stderr
gateway_id = $GW
EOF
	echo "trent@example.org require" >"${1%/*}/policy_map"
}

# as_came DESC FILE ORIG [FED] - FILE is FED (what the filter was given;
# default ORIG) with one header line added, the marker field (our
# gateway_id, maybe with parameters after a ";"), byte for byte
as_came() {
	awk -v m="X-Mailseal-Gateway: $GW" '
	    !done && ($0 == m || index($0, m ";") == 1) { done = 1; next }
	    /^$/ { done = 1 } { print }' "$2" >"$T/got"
	if [ "$(sed '/^$/q' "$2" |
	    grep -cE "^X-Mailseal-Gateway: $GW(;.*)?\$")" -eq 1 ] &&
	    cmp "${4:-$3}" "$T/got" >"$T/why" 2>&1; then
		ok "$1"
	else
		echo "one marker field, then FED byte for byte" >>"$T/why"
		diff "${4:-$3}" "$2" >>"$T/why" 2>&1
		not_ok "$1" "$T/why"
	fi
}

# encrypted DESC FILE ORIG - FILE is multipart/encrypted, without ORIG's
# text in clear or a line of mailseal's, and bob's secret key alone
# decrypts it to the entity mailseal encrypts for ORIG, whose body is
# ORIG's byte for byte (but for CRLF)
encrypted() {
	: >"$T/why"
	_ok=yes
	field "$2" Content-Type | grep -qi '^multipart/encrypted' ||
	    { echo "not multipart/encrypted" >>"$T/why"; _ok=no; }
	grep -qF "$SECRET" "$2" &&
	    { echo "the text is in clear" >>"$T/why"; _ok=no; }
	grep -E 'mailseal(\[[0-9]+\])?: ' "$2" >>"$T/why" &&
	    { echo "a line of mailseal's in the message" >>"$T/why"; _ok=no; }
	if "$PYTHON" "$CHECK_PGPMIME" armor "$2" >"$T/enc.asc" 2>>"$T/why" &&
	    "$PYTHON" "$CHECK_PGPMIME" inner "$3" >"$T/enc.want" &&
	    gpg_dec_only bob "$T/enc.asc" "$T/enc.got"; then
		cmp "$T/enc.want" "$T/enc.got" >>"$T/why" 2>&1 ||
		    { echo "decrypts to another entity" >>"$T/why"; _ok=no; }
		body "$T/enc.got" | tr -d '\r' >"$T/enc.body"
		body "$3" | cmp - "$T/enc.body" >>"$T/why" 2>&1 ||
		    { echo "another body" >>"$T/why"; _ok=no; }
	else
		echo "bob's key does not decrypt it" >>"$T/why"
		_ok=no
	fi
	if [ $_ok = yes ]; then
		ok "$1"
	else
		not_ok "$1" "$T/why" "$T/enc.got.err" "$2"
	fi
}

# ------------------------------------------------ part 1: 2>&1, no Exim

ms_home
mkdir -m 755 "$T/p1"
conf "$T/p1/mailseal.conf" "$GNUPGHOME"
letter "$T/oscar.eml" oscar@example.org oscar.1@example.org
letter "$T/bob.eml" bob@example.org bob.1@example.org
letter "$T/trent.eml" trent@example.org trent.1@example.org

# p1 RCPT MSG OUT - filter --stdout -v as Exim runs it: 2>&1
p1() {
	"$MAILSEAL" filter --stdout -v -c "$T/p1/mailseal.conf" -q Q1 \
	    -f alice@example.org -- "$1" <"$2" >"$3" 2>&1
	rc=$?
}

p1 oscar@example.org "$T/oscar.eml" "$T/p1/oscar.out"
is "2>&1, no key: exit 0" "$rc" 0 "$T/p1/oscar.out"
as_came "2>&1, no key: the message as it came and nothing else" \
    "$T/p1/oscar.out" "$T/oscar.eml"
p1 bob@example.org "$T/bob.eml" "$T/p1/bob.out"
is "2>&1, key: exit 0" "$rc" 0 "$T/p1/bob.out"
encrypted "2>&1, key: encrypted, nothing of mailseal's in it" \
    "$T/p1/bob.out" "$T/bob.eml"
p1 trent@example.org "$T/trent.eml" "$T/p1/trent.out"
is "2>&1, require without a key: exit 67" "$rc" 67 "$T/p1/trent.out"
is "2>&1, require without a key: nothing on the output" \
    "$(wc -c <"$T/p1/trent.out")" 0 "$T/p1/trent.out"
# standard error of its own: the diagnostics stay there
"$MAILSEAL" filter --stdout -c "$T/p1/mailseal.conf" -q Q1 \
    -f alice@example.org -- trent@example.org <"$T/trent.eml" \
    >"$T/p1/out" 2>"$T/p1/err"
rc=$?
grep '^mailseal: .*Q1' "$T/p1/err" | grep -q 'alice@example\.org' &&
    grep -q '5\.7\.1 .*trent@example.org' "$T/p1/err"
is "a standard error of its own gets the refusal and the log line" \
    "$rc/$?" 67/0 "$T/p1/err"

# ----------------------------------------------- part 2: Exim 4.96

part2_skip() {
	skip "delivery through contrib/exim/transport.snippet" "$1"
	done_testing
}
[ "$(id -u)" -eq 0 ] || part2_skip "needs root (exim -C, unshare)"
[ -x "$EXIM" ] || part2_skip "no unpacked Exim at $EXIM (contrib/quickstart)"
have unshare && have runuser && have timeout ||
    part2_skip "needs unshare, runuser and timeout"

X=$T/exim
chmod 755 "$T"
mkdir -m 755 "$X" "$T/bin" "$T/etc"
mkdir -m 777 "$X/argv"

# the test's passwd and group: Debian-exim on a uid and gid nobody has
mkdir -m 755 "$T/etcns" "$T/etcns/up" "$T/etcns/work"
cp /etc/passwd "$T/etcns/up/passwd"
cp /etc/group "$T/etcns/up/group"
if ! getent passwd Debian-exim >/dev/null; then
	xid=64990
	while getent passwd $xid >/dev/null || getent group $xid >/dev/null
	do
		xid=$((xid - 1))
	done
	echo "Debian-exim:x:$xid:$xid::/nonexistent:/usr/sbin/nologin" \
	    >>"$T/etcns/up/passwd"
	getent group Debian-exim >/dev/null ||
	    echo "Debian-exim:x:$xid:" >>"$T/etcns/up/group"
fi

# /dev/log, in the namespace: the test's syslog socket
mkdir -m 755 "$T/etcns/dev"
ln -s "$T/syslog.sock" "$T/etcns/dev/log"

# inns CMD [ARG...] - CMD in a mount namespace of its own, for at most
# 60 s, where /etc is an overlay whose passwd and group are the test's,
# and /dev a read-only overlay that adds /dev/log.  (Bind mounts on the
# two files alone are the fallback: a useradd of another test renames a
# new /etc/passwd into place, and a file mount stays on the old one.)
inns() {
	timeout 60 unshare -m -- sh -c 'mount -t overlay mailseal-etc \
	    -o "lowerdir=/etc,upperdir=$1/up,workdir=$1/work" /etc \
	    2>/dev/null || { mount --bind "$1/up/passwd" /etc/passwd &&
	    mount --bind "$1/up/group" /etc/group; } || exit 111
	    mount -t overlay mailseal-dev -o "lowerdir=$1/dev:/dev" /dev \
	    2>/dev/null
	    shift
	    exec "$@"' inns "$T/etcns" "$@"
}

# as_exim CMD [ARG...] - CMD as Debian-exim
as_exim() {
	inns runuser -u Debian-exim -- env -u GNUPGHOME "$@"
}

SINK_PID= LOG_PID=
cleanup() {
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null
	[ -n "$LOG_PID" ] && kill "$LOG_PID" 2>/dev/null
	[ -d "$T/gw" ] && as_exim gpgconf --homedir "$T/gw" --kill all \
	    >/dev/null 2>&1
	_lib_cleanup
}
trap cleanup EXIT

inns true 2>"$T/ns.err" ||
    part2_skip "no mount namespace: $(head -n 1 "$T/ns.err")"

# what goes to syslog in the namespace lands in $T/syslog; SYSLOG=yes
# when a line sent there arrives (no overlay on /dev: the checks of
# what mailseal logged are skipped)
: >"$T/syslog"
"$PYTHON" "$MAILSEAL_SRCDIR/tests/syslog_sink.py" "$T/syslog.sock" \
    "$T/syslog" 300 &
LOG_PID=$!
i=0
while [ ! -S "$T/syslog.sock" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
inns logger -t exim-test "probe $$" 2>/dev/null
SYSLOG=no
i=0
while [ $i -lt 20 ]; do
	grep -q "exim-test: probe $$" "$T/syslog" && { SYSLOG=yes; break; }
	sleep 0.1
	i=$((i + 1))
done

# the gateway: mailseal (behind the wrapper), its configuration, the
# lookup file, and Debian-exim's keyring with bob's key
cp "$MAILSEAL" "$T/bin/mailseal.real"
[ -x "${MAILSEAL%/*}/mailseal-gpg" ] &&
    cp "${MAILSEAL%/*}/mailseal-gpg" "$T/bin/"
cat >"$T/bin/mailseal" <<EOF
#!/bin/sh
# the arguments Exim gave, one a line, under the user that ran us
{ /usr/bin/id -un; printf '%s\n' "\$@"; } >"$X/argv/\$\$"
exec "$T/bin/mailseal.real" "\$@"
EOF
chmod 755 "$T/bin/mailseal" "$T/bin/mailseal.real"
conf "$T/etc/mailseal.conf" "$T/gw"
cp "$ENVELOPE" "$T/etc/mailseal-envelope"
chmod 644 "$T/etc/"*
install -d -m 700 "$T/gw"
inns chown Debian-exim:Debian-exim "$T/gw"
as_exim gpg --homedir "$T/gw" --batch --quiet --import \
    "$KEYS/bob.pub.asc" 2>"$T/setup.err"
echo "$(fpr bob):6:" | as_exim gpg --homedir "$T/gw" --batch --quiet \
    --import-ownertrust 2>>"$T/setup.err"

# Exim's spool and log, its user's
mkdir -m 750 "$X/spool" "$X/log"
inns chown Debian-exim:Debian-exim "$X/spool" "$X/log"

# the SMTP server the mail goes to
mkdir -m 755 "$X/sink"
"$PYTHON" "$MAILSEAL_SRCDIR/tests/smtp_sink.py" "$X/sink" 300 &
SINK_PID=$!
i=0
while [ ! -f "$X/sink/port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
PORT=$(cat "$X/sink/port" 2>/dev/null)
if [ -z "$PORT" ]; then
	not_ok "the test's SMTP server starts"
	done_testing
fi

# the snippet's transport, the test's paths in place of the shipped ones
sed -n '/^mailseal_smtp:/,$p' "$SNIPPET" | grep -v '^#' |
    sed -e "s|= [^ ]*/mailseal filter |= $T/bin/mailseal filter |" \
    -e "s|/etc/mailseal/mailseal\.conf|$T/etc/mailseal.conf|" \
    -e "s|/etc/exim4/mailseal-envelope|$T/etc/mailseal-envelope|g" \
    >"$T/transport"
n_ms=$(grep -c "$T/bin/mailseal " "$T/transport")
n_conf=$(grep -c "$T/etc/mailseal.conf" "$T/transport")
n_env=$(grep -o "$T/etc/mailseal-envelope" "$T/transport" | wc -l)
is "the snippet's transport: mailseal, its configuration, two lookups" \
    "$n_ms $n_conf $n_env" "1 1 2" "$T/transport"

cat >"$X/exim.conf" <<EOF
# tests/exim.sh: a private Exim; the transport is the snippet's
exim_path = $EXIM
spool_directory = $X/spool
log_file_path = $X/log/%slog
primary_hostname = gw.example.com
qualify_domain = gw.example.com
domainlist local_domains = gw.example.com
keep_environment = ASAN_OPTIONS : UBSAN_OPTIONS : LSAN_OPTIONS

begin routers

mailseal_remote:
  driver = manualroute
  domains = ! +local_domains
  route_list = * 127.0.0.1 byname
  self = send
  transport = mailseal_smtp
  no_more

begin transports

$(cat "$T/transport")
  port = $PORT
  allow_localhost

begin retry

* * F,1d,1d
EOF

# libraries the binary lacks are the machine's (contrib/quickstart's
# EXIM_LIBS); anything else that stops it is the test's failure
missing=$(ldd "$EXIM" 2>/dev/null | awk '/not found/ { printf " %s", $1 }')
[ -z "$missing" ] || part2_skip "the unpacked Exim lacks$missing"
if ! inns "$EXIM" -C "$X/exim.conf" -bV >"$T/bV" 2>&1; then
	not_ok "Exim takes the test's configuration (exim -bV)" "$T/bV"
	done_testing
fi
diag "$(head -n 1 "$T/bV")"

# the whole snippet as shipped, router included, is a configuration
# Exim accepts (-bV reads and checks it)
{
	sed -n '/^begin routers/q;p' "$X/exim.conf"
	echo "begin routers"
	sed -n '/^mailseal_remote:/,/^mailseal_smtp:/p' "$SNIPPET" |
	    sed '$d'
	echo "begin transports"
	sed -n '/^mailseal_smtp:/,$p' "$SNIPPET"
} >"$X/shipped.conf"
check "the snippet as shipped: Exim accepts it" \
    inns "$EXIM" -C "$X/shipped.conf" -bV

# as mailseal-setup(7) says for Debian's split configuration (package
# exim4-config, unpacked beside the binary): the router as
# conf.d/router/150_mailseal, the transport as 30_mailseal, then
# update-exim4.conf; the router must come before dnslookup, and Exim
# must accept the whole
ROOT=${EXIM%/usr/sbin/exim4}
if [ -f "$ROOT/usr/sbin/update-exim4.conf" ] &&
    [ -d "$ROOT/etc/exim4/conf.d" ]; then
	D=$T/debian
	cp -R "$ROOT/etc/exim4" "$D"
	echo gw.example.com >"$T/etcns/up/mailname"
	cat >"$D/update-exim4.conf.conf" <<'EOF2'
dc_eximconfig_configtype='internet'
dc_other_hostnames='gw.example.com'
dc_local_interfaces='127.0.0.1'
dc_use_split_config='true'
dc_localdelivery='mail_spool'
EOF2
	sed -n '/^mailseal_remote:/,/^mailseal_smtp:/p' "$SNIPPET" | sed '$d' \
	    >"$D/conf.d/router/150_mailseal"
	sed -n '/^mailseal_smtp:/,$p' "$SNIPPET" \
	    >"$D/conf.d/transport/30_mailseal"
	inns sh "$ROOT/usr/sbin/update-exim4.conf" -d "$D" \
	    -o "$D/exim4.conf" >"$T/upd" 2>&1
	is "Debian's split configuration: the routers in this order" \
	    "$(grep -E '^(hubbed_hosts|mailseal_remote|dnslookup):' \
	    "$D/exim4.conf" 2>/dev/null | tr '\n' ' ')" \
	    "hubbed_hosts: mailseal_remote: dnslookup: " "$T/upd"
	check "Debian's split configuration: Exim accepts it" \
	    inns "$EXIM" -C "$D/exim4.conf" -bV
else
	skip "Debian's split configuration" "no exim4-config beside $EXIM"
fi

# deliver SENDER RCPT FILE MSGID - Exim takes FILE and delivers it in the
# foreground; $QID is its queue ID, $ARGV the file with mailseal's
# arguments, $M the message the server got (or /dev/null)
deliver() {
	inns "$EXIM" -C "$X/exim.conf" -odi -oi -f "$1" "$2" \
	    <"$3" >"$T/exim.out" 2>&1
	QID=$(grep " <= .* id=$4\$" "$X/log/mainlog" | tail -n 1 |
	    awk '{ print $3 }')
	ARGV=$(grep -lx "${QID:-none}" "$X/argv/"* 2>/dev/null | head -n 1)
	ARGV=${ARGV:-/dev/null}
	M=$(grep -lF "Message-ID: <$4>" "$X/sink/"*.eml 2>/dev/null |
	    head -n 1)
	M=${M:-/dev/null}
	[ -n "$QID" ] || diag "exim: $(head -n 3 "$T/exim.out")"
}

# log_of QID - Exim's mainlog lines about QID
log_of() {
	grep -F " ${1:-none} " "$X/log/mainlog"
}

# syslog_has DESC WORD... - a line mailseal sent to syslog holds every
# WORD (fixed strings); waits at most 2 s for it
syslog_has() {
	_d=$1
	shift
	if [ $SYSLOG = no ]; then
		skip "$_d" "no /dev/log of the test's (overlay on /dev)"
		return
	fi
	_i=0
	while [ $_i -lt 20 ]; do
		grep 'mailseal\[[0-9]*\]: ' "$T/syslog" >"$T/sl"
		for _w in "$@"; do
			grep -F -e "$_w" "$T/sl" >"$T/sl.next"
			mv "$T/sl.next" "$T/sl"
		done
		[ -s "$T/sl" ] && { ok "$_d"; return; }
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "no syslog line of mailseal's with: $*" >"$T/why"
	not_ok "$_d" "$T/why" "$T/syslog"
}

# fed FILE - what Exim gave the filter for FILE: its Received field
# (taken from the delivered message $M), then FILE
fed() {
	sed '/^$/q' "$M" | awk '/^Received:/ { r = 1; print; next }
	    r && /^[ \t]/ { print; next } { r = 0 }' >"$T/fed"
	cat "$1" >>"$T/fed"
}

# envelope_ok DESC SENDER RCPT - the filter ran as Debian-exim with
# -f SENDER and, after "--", RCPT alone
envelope_ok() {
	_got=$(awk 'NR == 1 { u = $0 } /^-f$/ { getline; f = $0 }
	    d { r = r "[" $0 "]" } /^--$/ { d = 1 }
	    END { printf "%s -f [%s] -- %s", u, f, r }' "$ARGV")
	is "$1" "$_got" "Debian-exim -f [$2] -- [$3]" "$ARGV"
}

# delivered DESC RCPT - Exim's log says QID went to RCPT (as Exim writes
# it) and is done
delivered() {
	log_of "$QID" >"$T/log"
	if grep -qF "=> $2 R=mailseal_remote T=mailseal_smtp" "$T/log" &&
	    grep -q " Completed\$" "$T/log" && [ "$M" != /dev/null ]; then
		ok "$1"
	else
		not_ok "$1" "$T/log" "$T/exim.out"
	fi
}

# a recipient with a key
deliver alice@example.org bob@example.org "$T/bob.eml" bob.1@example.org
delivered "key: delivered" bob@example.org
encrypted "key: encrypted, decrypts to the original, nothing of mailseal's" \
    "$M" "$T/bob.eml"
envelope_ok "key: mailseal got the real envelope" \
    alice@example.org bob@example.org
syslog_has "key: mailseal's line went to syslog" "$QID" \
    alice@example.org bob@example.org

# no key, opportunistic
deliver alice@example.org oscar@example.org "$T/oscar.eml" \
    oscar.1@example.org
delivered "no key: delivered" oscar@example.org
fed "$T/oscar.eml"
as_came "no key: as it came, no log line in it (log = stderr)" \
    "$M" "$T/oscar.eml" "$T/fed"
envelope_ok "no key: mailseal got the real envelope" \
    alice@example.org oscar@example.org
syslog_has "no key: mailseal's line went to syslog, not stderr" "$QID" \
    alice@example.org oscar@example.org
is "no key: the server got Exim's envelope" \
    "$(tr '\n' ' ' <"${M%.eml}.env" 2>/dev/null)" \
    "from <alice@example.org> to <oscar@example.org> "

# require without a key: deferred, in the queue, nothing delivered
deliver alice@example.org trent@example.org "$T/trent.eml" \
    trent.1@example.org
log_of "$QID" >"$T/log"
deferred="== trent@example.org R=mailseal_remote T=mailseal_smtp defer"
if grep -q "$deferred .*transport filter process failed (67)" "$T/log" &&
    ! grep -q '\*\*' "$T/log"; then
	ok "require without a key: deferred (exit 67), not bounced"
else
	not_ok "require without a key: deferred (exit 67), not bounced" \
	    "$T/log"
fi
inns "$EXIM" -C "$X/exim.conf" -bp >"$T/queue" 2>&1
check "require without a key: still in Exim's queue" \
    grep -qF "${QID:-none}" "$T/queue"
is "require without a key: nothing reached the server" "$M" /dev/null
envelope_ok "require without a key: mailseal got the real envelope" \
    alice@example.org trent@example.org
syslog_has "require without a key: mailseal's line went to syslog" \
    "$QID" alice@example.org trent@example.org

# without mailseal-envelope the lookups fail: deferred too, not bounced
mv "$T/etc/mailseal-envelope" "$T/etc/mailseal-envelope.off"
letter "$T/nofile.eml" oscar@example.org nofile.1@example.org
deliver alice@example.org oscar@example.org "$T/nofile.eml" \
    nofile.1@example.org
mv "$T/etc/mailseal-envelope.off" "$T/etc/mailseal-envelope"
log_of "$QID" >"$T/log"
if grep -q "== oscar@example.org R=mailseal_remote T=mailseal_smtp defer" \
    "$T/log" && ! grep -q '\*\*' "$T/log" && [ "$M" = /dev/null ]; then
	ok "no mailseal-envelope: deferred, not bounced"
else
	not_ok "no mailseal-envelope: deferred, not bounced" "$T/log"
fi

# the null sender (a bounce), and a local part that needs quotes
letter "$T/null.eml" oscar@example.org null.1@example.org
deliver '<>' oscar@example.org "$T/null.eml" null.1@example.org
delivered "null sender: delivered" oscar@example.org
envelope_ok "null sender: mailseal got an empty -f" "" oscar@example.org
letter "$T/quoted.eml" '"oscar smith"@example.org' quoted.1@example.org
deliver alice@example.org '"oscar smith"@example.org' "$T/quoted.eml" \
    quoted.1@example.org
delivered "quoted local part: delivered" \
    'oscar smith@example.org <"oscar smith"@example.org>'
envelope_ok "quoted local part: mailseal got it quoted" \
    alice@example.org '"oscar smith"@example.org'

done_testing
