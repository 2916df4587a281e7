#!/bin/sh
# smtpd-serve.sh - `mailseal smtpd`'s process model, as a postmaster
# sees it: the command line; as root, refused without smtpd_user, else
# the workers run as that user (not dumpable, HOME theirs); a greeting
# on a port chosen free at run time; one gpg --version per load, not per
# worker; a worker killed is replaced, a crash loop waits (1 s, 2 s);
# SIGHUP with a broken configuration keeps serving with one log line,
# with a changed one replaces the workers (and a changed listen says
# "restart"); SIGTERM ends idle clients with 421 and a transaction in
# flight is answered first, then exit 0; smtpd_workers = 2 and three
# clients: the third waits; --detach and --pidfile (the PID, a second
# server refused, the file removed); errors still reach the terminal
# with --detach; a port in use; the main process killed: its workers
# let go of the port; --check.  Servers, sinks and clients started
# here are killed at exit, and the test user (root only) removed.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

CLI="$PYTHON $MAILSEAL_SRCDIR/tests/smtpd_client.py"
SINK=$MAILSEAL_SRCDIR/tests/smtp_sink.py
require_tools ps
ms_home

_pids=
U=

# children PID - the live processes whose parent is PID (zombies not
# reaped yet are not counted), one a line, sorted
children() {
	ps -o pid=,stat= --ppid "$1" 2>/dev/null |
	    awk '$2 !~ /^Z/ { print $1 }' | sort
}

# nworkers PID N - PID has N live children
nworkers() {
	[ "$(children "$1" | grep -c .)" -eq "$2" ]
}

# nworkers_new PID N OLD - N live children, none of them in OLD
nworkers_new() {
	nworkers "$1" "$2" || return 1
	for _w in $(children "$1"); do
		echo "$3" | grep -qx "$_w" && return 1
	done
	return 0
}

# nchildren PID - how many
nchildren() {
	children "$1" | grep -c .
}

_serve_cleanup() {
	for _p in $_pids; do
		for _c in $(children "$_p"); do
			kill -KILL "$_c" 2>/dev/null
		done
		kill -KILL "$_p" 2>/dev/null
	done
	[ -n "$U" ] && userdel "$U" >/dev/null 2>&1
	_lib_cleanup
}
trap _serve_cleanup EXIT

# The user the server becomes when the test runs as root.
if [ "$(id -u)" -eq 0 ]; then
	U=ms$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	mkdir "$T/uhome"
	if ! useradd -r -M -d "$T/uhome" -s /usr/sbin/nologin "$U" \
	    >/dev/null 2>&1; then
		U=
		skip_all "running as root, and useradd failed"
	fi
	chmod 755 "$T"
	chown "$U" "$T/uhome"
	chown -R "$U" "$GNUPGHOME"
	if ! su -s /bin/sh -c "test -x '$MAILSEAL'" "$U"; then
		skip_all "$MAILSEAL cannot be run by another user"
	fi
fi

# gpg: a wrapper first on PATH that counts the runs (tests/gpg-runs.sh)
real=$(command -v gpg)
mkdir "$T/bin"
: >"$T/runs"
chmod 666 "$T/runs"
cat >"$T/bin/gpg" <<WRAP
#!/bin/sh
printf '%s HOME=%s\n' "\$*" "\$HOME" >>"$T/runs"
exec "$real" "\$@"
WRAP
chmod 755 "$T/bin/gpg"
PATH=$T/bin:$PATH
export PATH

# a re-injection sink (it writes its port)
mkdir "$T/sink"
[ -n "$U" ] && chown "$U" "$T/sink"
"$PYTHON" "$SINK" "$T/sink" 300 &
_pids="$_pids $!"
i=0
while [ ! -s "$T/sink/port" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
SINKPORT=$(cat "$T/sink/port" 2>/dev/null)
[ -n "$SINKPORT" ] || skip_all "tests/smtp_sink.py did not start"

PORT=$($CLI port)

# sconf NAME [LINE...] - $T/NAME.conf: a server on $PORT (3 workers,
# log on standard error) re-injecting into the sink, then the LINEs
sconf() {
	_f=$T/$1.conf
	shift
	{
		printf '%s\n' "homedir = $GNUPGHOME" "log = stderr" \
		    "gateway_id = gw1.test" "listen = 127.0.0.1:$PORT" \
		    "reinject = 127.0.0.1:$SINKPORT" "smtpd_workers = 3"
		[ -n "$U" ] && echo "smtpd_user = $U"
		[ $# -eq 0 ] || printf '%s\n' "$@"
	} >"$_f"
	chmod 644 "$_f"
}

# start NAME CONF [ARG...] - mailseal smtpd in the background ($SRV),
# output in $T/NAME.out and .err; waits (10 s at most) for its greeting,
# which is in $T/NAME.greet
start() {
	_n=$1 _c=$2
	shift 2
	"$MAILSEAL" smtpd -c "$_c" "$@" >"$T/$_n.out" 2>"$T/$_n.err" &
	SRV=$!
	_pids="$_pids $SRV"
	$CLI waitport "$PORT" 10 >"$T/$_n.greet" 2>&1
}

# waitexit PID SECONDS - wait for our child PID to end (SIGKILL after
# SECONDS): $rc is its status
waitexit() {
	_i=0
	while [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ] &&
	    kill -0 "$1" 2>/dev/null && [ $_i -lt $(($2 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ $_i -lt $(($2 * 10)) ] || kill -KILL "$1" 2>/dev/null
	wait "$1"
	rc=$?
}

# gone PID... - none of them runs any more (waiting 10 s at most)
gone() {
	_i=0
	while [ $_i -lt 100 ]; do
		_left=
		for _p in "$@"; do
			kill -0 "$_p" 2>/dev/null && _left=1
		done
		[ -z "$_left" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# until_true SECONDS CMD... - CMD succeeds within SECONDS
until_true() {
	_s=$1
	shift
	_i=0
	until "$@"; do
		[ $_i -ge $((_s * 10)) ] && return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

# ------------------------------------------------------- command line

sconf base
ms "$T/o" "$T/e" smtpd -c "$T/base.conf" extra
check "an argument after the options: 64, one line" \
    sh -c "[ $rc -eq 64 ] && grep -q 'unexpected argument extra' '$T/e'"
ms "$T/o" "$T/e" smtpd -c "$T/base.conf" --check --detach
check "--check with --detach: 64" sh -c "[ $rc -eq 64 ]"
sconf bad "no_such_parameter = 1"
ms "$T/o" "$T/e" smtpd -c "$T/bad.conf"
BADLINE=$(grep -n no_such_parameter "$T/bad.conf" | cut -d: -f1)
check "a bad configuration: 78 and one line naming the file" \
    sh -c "[ $rc -eq 78 ] && [ \$(wc -l <'$T/e') -eq 1 ] && grep -q '^mailseal: smtpd: $T/bad.conf:$BADLINE: ' '$T/e'"

if [ -n "$U" ]; then
	grep -v '^smtpd_user' "$T/base.conf" >"$T/root.conf"
	ms "$T/o" "$T/e" smtpd -c "$T/root.conf"
	check "as root without smtpd_user: 78, one line, nothing bound" \
	    sh -c "[ $rc -eq 78 ] && [ \$(wc -l <'$T/e') -eq 1 ] && grep -q '^mailseal: smtpd: refusing to run as root: set smtpd_user' '$T/e' && ! $CLI greet $PORT 1"
	ms "$T/o" "$T/e" smtpd -c "$T/root.conf" --user root
	check "as root with --user root: 78" \
	    sh -c "[ $rc -eq 78 ] && grep -q 'refusing to run as root' '$T/e'"
	su -s /bin/sh -c "'$MAILSEAL' smtpd -c '$T/base.conf' --user nobody" \
	    "$U" >"$T/o" 2>"$T/e"
	rc=$?
	check "not root, --user another user: 78, one line" \
	    sh -c "[ $rc -eq 78 ] && [ \$(wc -l <'$T/e') -eq 1 ] && grep -q 'only root can become another user' '$T/e'"
else
	skip "as root without smtpd_user: 78" "not root"
	skip "as root with --user root: 78" "not root"
	skip "not root, --user another user: 78" "not root"
fi

# ------------------------------------------------------------ serving

start s1 "$T/base.conf"
G=$(cat "$T/s1.greet")
STUB=
case $G in
"421 4.3.2 Not yet")
	STUB=1
	diag "the SMTP session is a stub on this tree: the tests of" \
	    "transactions skip" ;;
esac
if [ -n "$STUB" ] || expr "$G" : '220 gw1\.test' >/dev/null; then
	ok "a greeting on the port chosen at run time: $G"
else
	not_ok "a greeting on the port chosen at run time" "$T/s1.greet" \
	    "$T/s1.err"
fi
until_true 5 nworkers "$SRV" 3
W=$(children "$SRV")
is "smtpd_workers = 3: three workers" "$(echo "$W" | grep -c .)" 3 \
    "$T/s1.err"
W1=$(echo "$W" | head -n 1)
if [ -n "$U" ]; then
	is "the main process runs as smtpd_user" \
	    "$(ps -o user= -p "$SRV" | tr -d ' ')" "$U"
	is "every worker runs as smtpd_user" \
	    "$(for w in $W; do ps -o user= -p "$w"; done | tr -d ' ' |
	    sort -u)" "$U"
	is "gpg runs with smtpd_user's HOME" \
	    "$(sed -n 's/.*--version.* HOME=//p' "$T/runs")" "$T/uhome" \
	    "$T/runs"
else
	skip "the main process runs as smtpd_user" "not root"
	skip "every worker runs as smtpd_user" "not root"
	skip "gpg runs with smtpd_user's HOME" "not root"
fi
# a process that is not dumpable has its /proc files owned by root
is "main process and workers not dumpable (no core, no ptrace)" \
    "$(for p in "$SRV" $W; do stat -c %U "/proc/$p/status"; done |
    sort -u)" root
for i in 1 2 3 4; do
	$CLI greet "$PORT" >/dev/null 2>&1
done
is "one gpg --version for the server, whatever its workers and clients" \
    "$(grep -c -- '--version' "$T/runs")" 1 "$T/runs"

# ------------------------------------------------------ a worker dies

kill -KILL "$W1"
until_true 5 nworkers_new "$SRV" 3 "$W1"
W2=$(children "$SRV")
check "a worker killed: a new one takes its place" \
    sh -c "[ \$(echo '$W2' | grep -c .) -eq 3 ] && ! echo '$W2' | grep -qx '$W1'"
is "... one line says so" \
    "$(grep -c "worker $W1 killed by signal 9" "$T/s1.err")" 1 "$T/s1.err"
check "... and the server still serves" $CLI greet "$PORT"

# A crash loop: workers that die within a second of their start make
# the next start wait 1 s, then 2 s.  A shell loop of ps(1) reacts too
# slowly on a loaded machine (CI: a worker over a second old when killed
# is restarted at once, and the wait starts again from nothing), so a
# small Python loop kills every new worker within ~10 ms of its start,
# until one comes after a pause of 1.8 s or more, and prints each pause
# between a kill and the next start (ms; the workers of one round start
# a few ms apart).
# Workers over a second old first: their deaths start nothing, so the
# pauses are ~0, ~1 s, ~2 s.
until_true 5 nworkers "$SRV" 3
sleep 1.2
/usr/bin/python3 - "$SRV" "$T/s1.err" >"$T/gaps" 2>&1 <<'PYEOF'
import os, sys, time
srv, log = int(sys.argv[1]), sys.argv[2]
def kids():
    out = []
    for p in os.listdir('/proc'):
        if not p.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % p) as f:
                s = f.read()
        except OSError:
            continue
        f = s[s.rindex(')') + 2:].split()
        if f[0] != 'Z' and int(f[1]) == srv:
            out.append(int(p))
    return out
seen, last, end = set(), None, time.time() + 30
while time.time() < end:
    new = [k for k in kids() if k not in seen]
    if new:
        now = time.time()
        if last is not None:
            print(int((now - last) * 1000), flush=True)
        if last is not None and now - last >= 1.8:
            sys.exit(0)
        for k in new:
            seen.add(k)
            try:
                os.kill(k, 9)
            except OSError:
                pass
        last = now
    time.sleep(0.01)
sys.exit(1)
PYEOF
check "a worker dead within a second of its start: the next start waits 1 s" \
    sh -c "grep -q 'killed by signal 9 (Killed); next start in 1 s' '$T/s1.err' && awk '\$1 >= 800 && \$1 < 1800' '$T/gaps' | grep -q ."
check "... and again: 2 s" \
    sh -c "grep -q 'killed by signal 9 (Killed); next start in 2 s' '$T/s1.err' && awk '\$1 >= 1800' '$T/gaps' | grep -q ."
[ -s "$T/gaps" ] && diag "pauses before a new worker (ms): $(tr '\n' ' ' <"$T/gaps")"
until_true 5 nworkers "$SRV" 3
check "... then it serves again" $CLI greet "$PORT"

# ------------------------------------------------------------- SIGHUP

W=$(children "$SRV")
cp "$T/base.conf" "$T/base.keep"
echo "no_such_parameter = 1" >>"$T/base.conf"
n0=$(grep -c . "$T/s1.err")
kill -HUP "$SRV"
until_true 5 grep -q 'SIGHUP' "$T/s1.err"
sleep 0.3
is "SIGHUP, a broken configuration: one line" \
    "$(sed "1,${n0}d" "$T/s1.err" | grep -c .)" 1 "$T/s1.err"
check "... saying why and that the one in use stays" \
    grep -q "smtpd: SIGHUP: $T/base.conf:$BADLINE: .*(the configuration in use stays)" "$T/s1.err"
is "... the same workers" "$(children "$SRV" | tr '\n' ' ')" \
    "$(echo "$W" | tr '\n' ' ')"
check "... still serving" $CLI greet "$PORT"

sconf base "smtpd_workers = 2" "gateway_id = gw2.test"
kill -HUP "$SRV"
until_true 5 nworkers_new "$SRV" 2 "$W"
W3=$(children "$SRV")
is "SIGHUP, smtpd_workers = 2: two new workers" \
    "$(echo "$W3" | grep -c .) $(echo "$W3" | grep -cxF "$W")" "2 0"
check "... the log says the configuration was loaded again" \
    grep -q "smtpd: $T/base.conf loaded again: 2 workers" "$T/s1.err"
is "... and still one gpg --version (GPGME knows gpg)" \
    "$(grep -c -- '--version' "$T/runs")" 1 "$T/runs"
if [ -z "$STUB" ]; then
	$CLI ehlo "$PORT" >"$T/ehlo" 2>&1
	check "... a new connection sees the new gateway_id" \
	    grep -q '^250.gw2\.test' "$T/ehlo"
else
	skip "... a new connection sees the new gateway_id" "stub session"
fi

PORT2=$($CLI port)
sed "s/^listen = .*/listen = 127.0.0.1:$PORT2/" "$T/base.conf" >"$T/l2"
cat "$T/l2" >"$T/base.conf"
kill -HUP "$SRV"
until_true 5 grep -q 'listen changed' "$T/s1.err"
check "SIGHUP, listen changed: 'restart to apply'" \
    grep -q "SIGHUP: listen changed to 127.0.0.1:$PORT2: restart to apply (listening on 127.0.0.1:$PORT)" "$T/s1.err"
check "... still serving on the old port" $CLI greet "$PORT"

# ------------------------------------------------------------ SIGTERM

W=$(children "$SRV")
if [ -z "$STUB" ]; then
	$CLI hold "$PORT" "$T/held" >"$T/hold.out" 2>&1 &
	HOLD=$!
	_pids="$_pids $HOLD"
	until_true 10 test -e "$T/held"
fi
kill -TERM "$SRV"
waitexit "$SRV" 15
is "SIGTERM: exit 0" "$rc" 0 "$T/s1.err"
check "... every worker is gone" gone $W
check "... and the port is free" sh -c "! $CLI greet $PORT 1"
if [ -z "$STUB" ]; then
	waitexit "$HOLD" 5
	check "... an idle client got 421" grep -q '^421' "$T/hold.out"
else
	skip "... an idle client got 421" "stub session"
fi

# A transaction in flight when SIGTERM comes is answered first.
sconf txn
start s2 "$T/txn.conf"
$CLI txn "$PORT" "$T/intxn" >"$T/txn.out" 2>&1 &
TXN=$!
_pids="$_pids $TXN"
if until_true 10 test -e "$T/intxn"; then
	kill -TERM "$SRV"
	sleep 1
	check "SIGTERM during DATA: the server waits for the message" \
	    kill -0 "$SRV"
	touch "$T/intxn.go"
	waitexit "$TXN" 15
	waitexit "$SRV" 15
	is "... then exits 0" "$rc" 0 "$T/s2.err"
	check "... after the message was answered (250), then 421" \
	    sh -c "grep -q '^data: 250' '$T/txn.out' && grep -q '^421' '$T/txn.out'"
else
	skip "SIGTERM during DATA: the message is answered first" \
	    "no transaction: $(head -n 1 "$T/txn.out")"
	kill -TERM "$SRV"
	waitexit "$SRV" 15
fi

# smtpd_workers = 2, three clients: the third waits for a worker.
if [ -z "$STUB" ]; then
	sconf two "smtpd_workers = 2"
	start s3 "$T/two.conf"
	$CLI queue "$PORT" >"$T/queue" 2>&1
	is "two workers, three clients: the third gets no greeting meanwhile" \
	    "$(sed -n 's/^C before: //p' "$T/queue")" none "$T/queue"
	check "... and is served when one leaves" \
	    grep -q '^C after: 220' "$T/queue"
	kill -TERM "$SRV"
	waitexit "$SRV" 15
else
	skip "two workers, three clients: the third waits" "stub session"
	skip "... and is served when one leaves" "stub session"
fi

# ------------------------------------------------ --detach, --pidfile

mkdir "$T/run"
[ -n "$U" ] && chown "$U" "$T/run"
ms "$T/d.out" "$T/d.err" smtpd -c "$T/txn.conf" --detach \
    --pidfile "$T/run/smtpd.pid"
DPID=$(cat "$T/run/smtpd.pid" 2>/dev/null)
is "--detach: the parent exits 0" "$rc" 0 "$T/d.err"
check "--pidfile holds the PID of the server, which serves" \
    sh -c "[ -n '$DPID' ] && ps -o comm= -p '$DPID' | grep -q mailseal && $CLI greet $PORT"
is "... in a session of its own" "$(ps -o sid= -p "$DPID" | tr -d ' ')" \
    "$DPID"
_pids="$_pids $DPID"
ms "$T/o" "$T/e" smtpd -c "$T/txn.conf" --pidfile "$T/run/smtpd.pid"
check "a second server with that pid file: 75, 'already running as PID'" \
    sh -c "[ $rc -eq 75 ] && [ \$(wc -l <'$T/e') -eq 1 ] && grep -q 'already running as PID $DPID ' '$T/e'"
ms "$T/o" "$T/e" smtpd -c "$T/txn.conf"
check "a second server on the port: 75, one line (address in use)" \
    sh -c "[ $rc -eq 75 ] && [ \$(wc -l <'$T/e') -eq 1 ] && grep -q 'listen = 127.0.0.1:$PORT: Address already in use' '$T/e'"
DW=$(children "$DPID")
kill -TERM "$DPID"
check "SIGTERM: the detached server and its workers end" gone "$DPID" $DW
check "... and the pid file is removed" test ! -e "$T/run/smtpd.pid"
ln -s "$T/victim" "$T/run/link.pid"
ln "$T/base.keep" "$T/run/hard.pid"
ms "$T/o" "$T/e" smtpd -c "$T/txn.conf" --pidfile "$T/run/link.pid"
check "a pid file that is a symbolic link: refused, 78, nothing created" \
    sh -c "[ $rc -eq 78 ] && [ ! -e '$T/victim' ] && [ \$(wc -l <'$T/e') -eq 1 ]"
ms "$T/o" "$T/e" smtpd -c "$T/txn.conf" --pidfile "$T/run/hard.pid"
# (as root, smtpd_user opens it, to whom root's file is not writable)
check "a pid file with another hard link: refused, 78 (75 as root), the file intact" \
    sh -c "cmp -s '$T/base.keep' '$T/run/hard.pid' && { [ $rc -eq 78 ] && grep -q 'not a regular file of its own' '$T/e' || [ -n '$U' ] && [ $rc -eq 75 ] && grep -q 'Permission denied' '$T/e'; }"
ms "$T/o" "$T/e" smtpd -c "$T/bad.conf" --detach
check "--detach, a bad configuration: 78 and its line on the terminal" \
    sh -c "[ $rc -eq 78 ] && grep -q 'bad.conf:$BADLINE:' '$T/e'"

# The main process killed: its workers let go of the port at once, so
# a new server starts (the integrator's crash test does this).
start s4 "$T/txn.conf"
W=$(children "$SRV")
kill -KILL "$SRV"
waitexit "$SRV" 5
check "SIGKILL to the main process: its workers end" gone $W
start s5 "$T/txn.conf"
check "... and a new server serves on the port" test -s "$T/s5.greet"
kill -TERM "$SRV"
waitexit "$SRV" 15

# IPv6: [ADDRESS]:PORT
if SMTPD_HOST=::1 $CLI port >"$T/p6" 2>/dev/null; then
	P6=$(cat "$T/p6")
	sconf v6 "listen = [::1]:$P6"
	"$MAILSEAL" smtpd -c "$T/v6.conf" >"$T/v6.out" 2>"$T/v6.err" &
	SRV=$!
	_pids="$_pids $SRV"
	check "listen = [::1]:PORT: served over IPv6" \
	    env SMTPD_HOST=::1 $CLI waitport "$P6" 10
	W=$(children "$SRV")
	kill -INT "$SRV"
	waitexit "$SRV" 15
	is "SIGINT (^C in the foreground) stops it as SIGTERM does: exit 0" \
	    "$rc" 0 "$T/v6.err"
	check "... and its workers" gone $W
else
	skip "listen = [::1]:PORT: served over IPv6" "no IPv6 loopback"
	skip "SIGINT stops it as SIGTERM does" "no IPv6 loopback"
	skip "... and its workers" "no IPv6 loopback"
fi

# ------------------------------------------------------------- --check

ms "$T/o" "$T/e" smtpd -c "$T/txn.conf" --check
check "--check: 0, the configuration, listen can be bound, reinject answers" \
    sh -c "[ $rc -eq 0 ] && grep -q '^smtpd_workers = 3' '$T/o' && grep -q '^listen = 127.0.0.1:$PORT: can be bound' '$T/o' && grep -q '^reinject = 127.0.0.1:$SINKPORT: 220 sink.test' '$T/o'"
FREE=$($CLI port)
sconf noreinject "reinject = 127.0.0.1:$FREE"
ms "$T/o" "$T/e" smtpd -c "$T/noreinject.conf" --check
check "--check, nothing at reinject: 75, one line" \
    sh -c "[ $rc -eq 75 ] && [ \$(wc -l <'$T/e') -eq 1 ] && grep -q 'reinject = 127.0.0.1:$FREE: cannot connect: Connection refused' '$T/e'"
sconf inuse "listen = 127.0.0.1:$SINKPORT"
ms "$T/o" "$T/e" smtpd -c "$T/inuse.conf" --check
check "--check, listen in use: 75, one line naming what answers there" \
    sh -c "[ $rc -eq 75 ] && [ \$(wc -l <'$T/e') -eq 1 ] && grep -q 'Address already in use (a server answers there: 220 sink.test' '$T/e' && grep -q '^reinject = ' '$T/o'"

done_testing
