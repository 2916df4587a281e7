#!/bin/sh
# smtpd-root.sh - `mailseal smtpd` started as root reads and creates
# nothing that smtpd_user controls with root's rights: a configuration
# smtpd_user owns is refused before anything is bound (else that user
# could have root bind it any port, such as one below 1024), a
# configuration reached through a directory of that user's is refused
# without a line of what it links to on the terminal, and a pid file
# whose directory that user can swap for a link to one of root's
# leaves root's file as it was.  Root only (skipped otherwise); the test
# user and every server started are removed at exit.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

CLI="$PYTHON $MAILSEAL_SRCDIR/tests/smtpd_client.py"
[ "$(id -u)" -eq 0 ] || skip_all "not root"
require_tools ps useradd userdel su
ms_home

_pids=
U=
_root_cleanup() {
	for _p in $_pids; do
		pkill -KILL -P "$_p" 2>/dev/null
		kill -KILL "$_p" 2>/dev/null
	done
	[ -n "$U" ] && userdel "$U" >/dev/null 2>&1
	_lib_cleanup
}
trap _root_cleanup EXIT

U=ms$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
mkdir "$T/uhome"
useradd -r -M -d "$T/uhome" -s /usr/sbin/nologin "$U" >/dev/null 2>&1 || {
	U=
	skip_all "useradd failed"
}
chmod 755 "$T"
chown "$U" "$T/uhome"
chown -R "$U" "$GNUPGHOME"
su -s /bin/sh -c "test -x '$MAILSEAL'" "$U" ||
    skip_all "$MAILSEAL cannot be run by another user"

# a free port below 1024 (never 25), and a free one above
LOW=$("$PYTHON" -c '
import socket
for p in range(900, 1000):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break
')
[ -n "$LOW" ] || skip_all "no free port below 1024"
PORT=$($CLI port)

# sconf FILE PORT - a configuration serving on PORT as $U
sconf() {
	printf '%s\n' "homedir = $GNUPGHOME" "log = stderr" \
	    "gateway_id = gw1.test" "listen = 127.0.0.1:$2" \
	    "reinject = 127.0.0.1:9" "smtpd_workers = 1" \
	    "smtpd_user = $U" >"$1"
	chmod 644 "$1"
}

# serve NAME ARG... - mailseal smtpd in the background; waits 5 s at
# most for it to end ($rc, else 0 and it is killed), output $T/NAME.err
serve() {
	_n=$1
	shift
	"$MAILSEAL" smtpd "$@" >"$T/$_n.out" 2>"$T/$_n.err" &
	_srv=$!
	_pids="$_pids $_srv"
	_i=0
	while kill -0 "$_srv" 2>/dev/null &&
	    [ "$(ps -o stat= -p "$_srv" | cut -c1)" != Z ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	rc=0
	if [ $_i -ge 50 ]; then
		pkill -KILL -P "$_srv" 2>/dev/null
		kill -KILL "$_srv" 2>/dev/null
		wait "$_srv" 2>/dev/null
	else
		wait "$_srv"
		rc=$?
	fi
}

# a configuration of smtpd_user's, on a port below 1024
sconf "$T/user.conf" "$LOW"
chown "$U" "$T/user.conf"
"$MAILSEAL" smtpd -c "$T/user.conf" >"$T/u.out" 2>"$T/u.err" &
_srv=$!
_pids="$_pids $_srv"
$CLI waitport "$LOW" 3 >"$T/u.greet" 2>&1
check "a configuration of smtpd_user's: port $LOW never served" \
    test ! -s "$T/u.greet" -o -n "$(grep -v '^220' "$T/u.greet")"
pkill -KILL -P "$_srv" 2>/dev/null
kill -KILL "$_srv" 2>/dev/null
wait "$_srv" 2>/dev/null
check "... refused with one line saying whose it is" \
    sh -c "grep -q 'belongs to $U' '$T/u.err' && [ \$(wc -l <'$T/u.err') -eq 1 ]"

# a configuration reached through smtpd_user's directory: a link to a
# file only root may read
mkdir "$T/udir"
chown "$U" "$T/udir"
printf 'secret_word_%s = 1\n' 4711 >"$T/secret"
chmod 600 "$T/secret"
ln -s "$T/secret" "$T/udir/mailseal.conf"
serve link -c "$T/udir/mailseal.conf"
check "a configuration in smtpd_user's directory: 78" sh -c "[ $rc -eq 78 ]"
check "... and nothing of the file it links to is shown" \
    sh -c "! grep -q secret_word '$T/link.err' '$T/link.out'"

# the pid file: its directory smtpd_user's, a directory in it swapped
# for a link to one of root's, where a file of root's has that name
sconf "$T/ok.conf" "$PORT"
mkdir "$T/rootdir" "$T/run"
chmod 755 "$T/rootdir"
echo precious >"$T/rootdir/smtpd.pid"
chown "$U" "$T/run"
ln -s "$T/rootdir" "$T/run/sub"
serve pid -c "$T/ok.conf" --pidfile "$T/run/sub/smtpd.pid"
check "a pid file through a link in smtpd_user's directory: root's file intact" \
    sh -c "[ \"\$(cat '$T/rootdir/smtpd.pid')\" = precious ]"
diag "exit $rc: $(head -1 "$T/pid.err")"

# the pid file in smtpd_user's own directory still works, and goes
serve pid2 -c "$T/ok.conf" --pidfile "$T/run/smtpd.pid" --detach
DPID=$(cat "$T/run/smtpd.pid" 2>/dev/null)
check "a pid file in smtpd_user's directory: the server's PID" \
    sh -c "[ $rc -eq 0 ] && [ -n '$DPID' ] && $CLI greet $PORT"
[ -n "$DPID" ] && _pids="$_pids $DPID"
[ -n "$DPID" ] && kill -TERM "$DPID"
_i=0
while [ -e "$T/run/smtpd.pid" ] && [ $_i -lt 100 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
check "... removed at SIGTERM" test ! -e "$T/run/smtpd.pid"

done_testing
