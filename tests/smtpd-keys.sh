#!/bin/sh
# smtpd-keys.sh - `mailseal smtpd` and its keys (issue 10): keys are
# listed once per server and per keyring change, never per message
# (20 messages through one worker: 20 gpg runs, all encryptions); a
# require recipient without a usable key is refused at RCPT with 550
# 5.7.1 and the reason while the others get their mail; a key imported
# while the server runs is used without a restart; a gpg that hangs
# ends the message with 451 4.4.5 within the deadline (`timeout`), no
# gpg is left behind, and the next connection is served; a gpg that
# hangs listing a changed keyring at RCPT: 451 within the deadline too.
# gpg is a logging wrapper first on PATH (as in tests/gpg-runs.sh); the
# next hop is tests/smtp_sink.py.  Ports are picked free at run time.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

real=$(command -v gpg) || skip_all "no gpg"
S=$T/srv
mkdir -p "$S/bin" "$S/sink" "$S/tmp"
# the home: bob (usable), dave (expired); carol comes later
H=$S/g
mkdir -m 700 "$H"
gpg --homedir "$H" --batch --quiet --import "$KEYS/bob.pub.asc" \
    "$KEYS/dave.pub.asc" 2>/dev/null
# no trustdb check is due while the server runs (it would write
# trustdb.gpg, which the cache watches)
gpg --homedir "$H" --batch --check-trustdb >/dev/null 2>&1

# the wrapper: every run noted; with $S/hang, an encryption hangs
cat >"$S/bin/gpg" <<WRAP
#!/bin/sh
printf '%s\n' "\$*" >>"$S/runs"
case " \$* " in
*" --encrypt "*)
	if [ -e "$S/hang" ]; then
		echo \$\$ >"$S/gpgpid"
		exec sleep 60
	fi
	if [ -e "$S/kill" ]; then
		(sleep 0.05; kill -9 \$\$) &
	fi;;
*" --list-keys "*)
	if [ -e "$S/hanglist" ]; then
		echo \$\$ >"$S/gpgpid"
		exec sleep 60
	fi;;
esac
exec "$real" "\$@"
WRAP
chmod 755 "$S/bin/gpg"

port() {
	"$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

"$PYTHON" "$MAILSEAL_SRCDIR/tests/smtp_sink.py" "$S/sink" 300 &
sinkpid=$!
srvpid=
cleanup() {
	if [ -n "$srvpid" ]; then
		# the workers too, should the server not take them along
		for _p in $(awk -v p="$srvpid" '/^PPid:/ && $2 == p {
		    split(FILENAME, a, "/"); print a[3] }' \
		    /proc/[0-9]*/status 2>/dev/null); do
			kill "$_p" 2>/dev/null
		done
		kill "$srvpid" 2>/dev/null
		wait "$srvpid" 2>/dev/null
	fi
	kill "$sinkpid" 2>/dev/null
	gpgconf --homedir "$H" --kill all >/dev/null 2>&1
	_lib_cleanup
}
trap cleanup EXIT
i=0
while [ ! -s "$S/sink/port" ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$S/sink/port" ] || skip_all "the SMTP sink did not start"
lport=$(port)

user=
if [ "$(id -u)" -eq 0 ]; then
	# smtpd refuses to serve as root: it becomes smtpd_user, whose
	# files these must be
	user=nobody
	id "$user" >/dev/null 2>&1 || skip_all "no user $user"
	chmod 755 "$T"
	chown -R "$user" "$S"
fi
# root's, in a directory of root's: smtpd started as root reads it first
cat >"$T/smtpd.conf" <<CONF
homedir = $H
gateway_id = gw1.test
default_policy = require
listen = 127.0.0.1:$lport
reinject = 127.0.0.1:$(cat "$S/sink/port")
smtpd_workers = 1
timeout = 3
log = stderr
${user:+smtpd_user = $user}
CONF

# the client: one connection; "rcpt ADDR..." prints each RCPT's reply;
# "send N IDENT ADDR..." sends N messages (XFORWARD IDENT=IDENTn when
# offered) and prints each RCPT's and DATA's reply and DATA's seconds
cat >"$S/client.py" <<'PY'
import smtplib, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
s = smtplib.SMTP("127.0.0.1", port, timeout=30)
s.ehlo("client.test")
def say(what, r):
    print("%s %d %s" % (what, r[0], r[1].decode("utf-8", "replace")
        .replace("\n", " ")), flush=True)
if mode == "rcpt":
    s.mail("alice@example.org")
    for a in sys.argv[3:]:
        say("RCPT", s.rcpt(a))
    s.rset()
else:
    n, ident, rcpts = int(sys.argv[3]), sys.argv[4], sys.argv[5:]
    # "send N big ...": 20 MB of letters gpg cannot compress away
    body = ""
    if ident == "big":
        import random
        rnd = random.Random(1)
        body = "".join("".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            for _ in range(63)) + "\r\n" for _ in range(4096)) * 80
    for i in range(n):
        if s.has_extn("xforward"):
            s.docmd("XFORWARD", "IDENT=%s%d" % (ident, i))
        s.mail("alice@example.org")
        for a in rcpts:
            say("RCPT", s.rcpt(a))
        r = s.docmd("DATA")
        if r[0] != 354:
            say("DATA", r)
            break
        t0 = time.time()
        s.send(("From: alice@example.org\r\nTo: %s\r\nSubject: t%d\r\n\r\n"
            "hello %d\r\n%s.\r\n" % (rcpts[0], i, i, body)).encode())
        r = s.getreply()
        say("DATA", r)
        print("SECONDS %.1f" % (time.time() - t0), flush=True)
        if r[0] >= 400:
            sys.exit(0)
try:
    s.quit()
except Exception:
    pass
PY

client() {
	"$PYTHON" "$S/client.py" "$lport" "$@" >"$T/out" 2>"$T/cerr"
}

# gpg_gone OK NOT_OK - the gpg whose PID is in $S/gpgpid ended within
# 5 s (or is a zombie): ok OK, else not_ok NOT_OK (%s: the PID)
gpg_gone() {
	gp=$(cat "$S/gpgpid" 2>/dev/null)
	i=0
	while [ -n "$gp" ] && kill -0 "$gp" 2>/dev/null &&
	    ! grep -q '^State:.*Z' "/proc/$gp/status" 2>/dev/null &&
	    [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -n "$gp" ] && { ! kill -0 "$gp" 2>/dev/null ||
	    grep -q '^State:.*Z' "/proc/$gp/status" 2>/dev/null; }; then
		ok "$1"
	else
		# shellcheck disable=SC2059
		not_ok "$(printf "$2" "${gp:-?}")"
	fi
}

# served_again TAG - send one message to bob, again every 0.5 s while
# it is not taken (a new worker may be starting), 10 s at most; $T/out
# holds the last try
served_again() {
	i=0
	while :; do
		client send 1 "$1" bob@example.org
		grep -q '^DATA 250' "$T/out" && break
		[ $i -ge 20 ] && break
		sleep 0.5
		i=$((i + 1))
	done
}

# the sink's messages for ADDR that are encrypted
encrypted_to() {
	grep -l "^to <$1>" "$S"/sink/*.env 2>/dev/null | while read -r e; do
		grep -l 'BEGIN PGP MESSAGE' "${e%.env}.eml"
	done | wc -l
}

sleep 2	# no file of the home is "racy" (keycache.h) at the listing
PATH=$S/bin:$PATH TMPDIR=$S/tmp "$MAILSEAL" smtpd -c "$T/smtpd.conf" -v \
    2>"$T/log" &
srvpid=$!
i=0
while ! "$PYTHON" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
    "$lport" 2>/dev/null; do
	if ! kill -0 "$srvpid" 2>/dev/null || [ $i -ge 100 ]; then
		grep -q 'not written yet' "$T/log" &&
		    skip_all "mailseal smtpd is not built yet"
		not_ok "the server starts" "$T/log"
		done_testing
	fi
	sleep 0.1
	i=$((i + 1))
done
ok "the server starts and listens on a free port"
sleep 0.5
n0=$(wc -l <"$S/runs")
lists0=$(grep -c -- '--list-keys' "$S/runs")
if [ "$lists0" -eq 1 ]; then
	ok "one key listing at start-up"
else
	not_ok "one key listing at start-up ($lists0)" "$S/runs"
fi

# RCPT: the decision per recipient, with the reason
client rcpt bob@example.org nobody@example.org dave@example.org
if grep -q '^RCPT 250 2.1.5' "$T/out" &&
    grep -q '^RCPT 550 5.7.1 <nobody@example.org>: no usable OpenPGP key (no key for the address) or certificate (no certificate for the address), and policy requires encryption$' "$T/out" &&
    grep -q '^RCPT 550 5.7.1 <dave@example.org>: no usable OpenPGP key (key [0-9A-F]* expired on [0-9-]*) or certificate (no certificate for the address), and policy requires encryption$' "$T/out"
then
	ok "RCPT: 250 with a key, 550 5.7.1 with the reason without one"
else
	not_ok "RCPT replies" "$T/out" "$T/cerr" "$T/log"
fi

# 20 messages through the one worker: 20 encryptions, no listing
client send 20 UPQ bob@example.org nobody@example.org
n=$(grep -c '^DATA 250 2.0.0 Ok: queued as ' "$T/out")
runs=$(tail -n +$((n0 + 1)) "$S/runs")
enc=$(printf '%s\n' "$runs" | grep -c -- '--encrypt')
other=$(printf '%s\n' "$runs" | grep -vc -- '--encrypt')
if [ "$n" -eq 20 ] && [ "$enc" -eq 20 ] && [ "$other" -eq 0 ]; then
	ok "20 messages: 20 gpg runs (the encryptions), no listing"
else
	not_ok "20 messages: $n got 250, $enc encryptions, $other other gpg runs (want 20, 20, 0)" \
	    "$T/out" "$S/runs"
fi
if [ "$(encrypted_to bob@example.org)" -eq 20 ] &&
    ! grep -q 'nobody@example.org' "$S"/sink/*.env; then
	ok "the mixed transaction: bob's copies encrypted, nobody refused"
else
	not_ok "what the next hop got" "$T/out"
fi
if grep 'queue_id=UPQ0 ' "$T/log" | grep -q 'queued_encrypted=[0-9]'
then
	ok "the log line names both queue IDs"
else
	not_ok "the log line names both queue IDs" "$T/log"
fi

# a key imported while the server runs: used at once, listed once
cp "$KEYS/carol1.pub.asc" "$S/carol1.asc"
client rcpt carol@example.org
refused=$(grep -c '^RCPT 550' "$T/out")
n1=$(wc -l <"$S/runs")
gpg --homedir "$H" --batch --quiet --import "$S/carol1.asc" 2>/dev/null
[ -z "$user" ] || chown -R "$user" "$H"
client send 1 UPC carol@example.org
lists=$(tail -n +$((n1 + 1)) "$S/runs" | grep -c -- '--list-keys')
if [ "$refused" -eq 1 ] && grep -q '^DATA 250' "$T/out" &&
    [ "$(encrypted_to carol@example.org)" -eq 1 ] && [ "$lists" -ge 1 ] &&
    [ "$lists" -le 2 ]; then
	ok "a key imported while serving is used without a restart ($lists listing(s))"
else
	not_ok "import while serving: refused before $refused, listings $lists" \
	    "$T/out" "$S/runs" "$T/log"
fi

# the deadline: a gpg that hangs; 451 4.4.5 in about `timeout` seconds
touch "$S/hang"
client send 1 UPH bob@example.org
s=$(sed -n 's/^SECONDS //p' "$T/out")
if grep -q '^DATA 451 4.4.5 Message processing timed out' "$T/out" &&
    [ "${s%.*}" -ge 2 ] && [ "${s%.*}" -le 6 ]; then
	ok "a hung gpg: 451 4.4.5 after ${s}s (timeout = 3)"
else
	not_ok "a hung gpg: ${s:-?}s" "$T/out" "$T/log"
fi
rm -f "$S/hang"
gpg_gone "no gpg left behind by the worker that timed out" "gpg %s left behind"
served_again UPN
if grep -q '^DATA 250' "$T/out"; then
	ok "the next connection is served (a new worker)"
else
	not_ok "the next connection after the deadline" "$T/out" "$T/log"
fi
# the worker died with the message: its line comes from the main process
if grep -q 'to=<bob@example.org> from=<alice@example.org> queue_id=UPH0 result=deferred (451 4.4.5: timed out after 3 s; worker restarted)' "$T/log"; then
	ok "the message the deadline ended has its log line (queue ID, result)"
else
	grep -e UPH -e worker "$T/log" >"$T/log.uph"
	not_ok "no log line for the message the deadline ended" "$T/log.uph"
fi

# gpg killed while it reads a 20 MB message: 451 (GPGME notices it, or
# the deadline does), then the next message is served
touch "$S/kill"
client send 1 big bob@example.org
rm -f "$S/kill"
s=$(sed -n 's/^SECONDS //p' "$T/out")
if grep -q '^DATA 451 4\.' "$T/out" && [ "${s%.*}" -le 6 ]; then
	ok "gpg killed mid-message: $(sed -n 's/^DATA //p' "$T/out") after ${s}s"
else
	not_ok "gpg killed mid-message (${s:-?}s)" "$T/out" "$T/log"
fi
served_again UPK
if grep -q '^DATA 250' "$T/out"; then
	ok "the next message after gpg was killed is served"
else
	not_ok "the next message after gpg was killed" "$T/out" "$T/log"
fi

# the deadline at RCPT: the keyring changed, and the gpg that lists it
# again hangs; 451 in about `timeout` seconds, not a worker held
rm -f "$S/gpgpid"
touch "$S/hanglist"
touch "$H/pubring.kbx"
t0=$(date +%s)
client rcpt bob@example.org
s=$(($(date +%s) - t0))
rm -f "$S/hanglist"
if grep -q '^RCPT 451 4\.' "$T/out" && [ "$s" -le 8 ]; then
	ok "a gpg that hangs listing keys at RCPT: 451 after ${s}s (timeout = 3)"
else
	not_ok "a gpg that hangs listing keys at RCPT: ${s}s" "$T/out" \
	    "$T/cerr" "$T/log"
fi
i=0
while ! grep -q 'to=<bob@example.org> from=<[^>]*>.* stage=RCPT result=deferred (451 4.4.5' "$T/log" && [ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q 'to=<bob@example.org> from=<[^>]*>.* stage=RCPT result=deferred (451 4.4.5' "$T/log"; then
	ok "... and the RCPT the deadline ended has its log line"
else
	grep -e RCPT -e worker "$T/log" >"$T/log.rcpt"
	not_ok "... no log line for the RCPT the deadline ended" "$T/log.rcpt"
fi
gpg_gone "... and no gpg left behind" "... gpg %s left behind"
served_again UPL
if grep -q '^DATA 250' "$T/out"; then
	ok "the next connection after the RCPT deadline is served"
else
	not_ok "the next connection after the RCPT deadline" "$T/out" "$T/log"
fi
# SIGHUP runs no gpg in the main process: with a keyring changed and a
# gpg that would hang listing it, the reload is done at once (before, the
# main process hung with the listing: no worker restarted, SIGTERM
# ignored), and the new workers list the keys themselves
touch "$S/hanglist"
touch "$H/pubring.kbx"
n0=$(grep -c 'loaded again' "$T/log")
kill -HUP "$srvpid"
i=0
while [ "$(grep -c 'loaded again' "$T/log")" -eq "$n0" ] && [ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ "$(grep -c 'loaded again' "$T/log")" -gt "$n0" ]; then
	ok "SIGHUP with a gpg that hangs: reloaded in $((i / 10)).$((i % 10))s, no gpg in the main process"
else
	not_ok "SIGHUP with a gpg that hangs: no reload within 3 s" "$T/log"
fi
rm -f "$S/hanglist"
served_again UPR
if grep -q '^DATA 250' "$T/out" && [ "$(encrypted_to bob@example.org)" -ge 1 ]; then
	ok "after that SIGHUP, a new worker lists the keys and encrypts"
else
	not_ok "after the SIGHUP with a hung gpg" "$T/out" "$T/log"
fi
# a gpg that hangs listing the keys at start: before, the server kept its
# port bound with no worker (clients waited in the backlog for ever);
# now `timeout` (3 s) ends the start: 75, said, the port free again
lport2=$(port)
sed "s/^listen = .*/listen = 127.0.0.1:$lport2/" "$T/smtpd.conf" \
    >"$T/start.conf"
touch "$S/hanglist"
t0=$(date +%s)
PATH=$S/bin:$PATH TMPDIR=$S/tmp "$MAILSEAL" smtpd -c "$T/start.conf" \
    -v 2>"$T/start.log" &
spid=$!
i=0
while kill -0 "$spid" 2>/dev/null && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$spid" 2>/dev/null; then
	kill -9 "$spid" 2>/dev/null
	src=hung
else
	wait "$spid"
	src=$?
fi
t=$(($(date +%s) - t0))
rm -f "$S/hanglist"
[ -s "$S/gpgpid" ] && kill "$(cat "$S/gpgpid")" 2>/dev/null
if [ "$src" = 75 ] && grep -q 'did not finish listing the keys' \
    "$T/start.log" && ! "$PYTHON" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
    "$lport2" 2>/dev/null; then
	ok "a gpg that hangs listing keys at start: 75 after ${t}s (timeout = 3), said, port free"
else
	echo "exit $src after ${t}s" >"$T/why"
	not_ok "a gpg that hangs listing keys at start: 75" "$T/why" \
	    "$T/start.log"
fi
done_testing
