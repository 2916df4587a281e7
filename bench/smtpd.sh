#!/bin/sh
# smtpd.sh - what mailseal smtpd costs, side by side in one run:
#
#  (a) messages per second through a private Postfix (tests/pflib.sh),
#      COUNT 2 KB messages to bob (who has a key) from CLIENTS concurrent
#      SMTP clients, timed from the first connection until the last copy
#      is in bob's Maildir, for three listeners of the same instance:
#        plain   no filter
#        pipe    content_filter to pipe(8) running "mailseal filter" (as
#                tests/postfix.sh wires it; re-injection by sendmail)
#        smtpd   content_filter to mailseal smtpd over SMTP (as
#                tests/smtpd-postfix.sh wires it; re-injection to a
#                second listener)
#      The pipe service and smtpd's workers both get WORKERS processes.
#  (b) smtpd's cost per message: one client, SEQ messages in turn over
#      one connection straight to smtpd (no Postfix in front), its
#      re-injection to tests/smtp_sink.py; beside SEQ runs of
#      "gpg --batch -a -e -r FPR --trust-model always" on the same 2 KB
#      message, and SEQ runs of "mailseal filter --stdout" (the pipe
#      filter's per-message work without Postfix).  ROUNDS rounds, the
#      median of each; the ratio smtpd / gpg is the issue's figure (aim:
#      at most 1.2).
#
# usage: bench/smtpd.sh     (as root for (a); otherwise (b) alone)
# Environment: COUNT (200), CLIENTS (10), WORKERS (10), SEQ (100),
# ROUNDS (3), PARTS (ab: which parts), MAILSEAL (src/mailseal of this
# tree).  Prints figures only;
# exit 0 when everything could be measured.  bench/README.md has results.
here=$(cd "$(dirname "$0")" && pwd)
MAILSEAL_SRCDIR=$(dirname "$here")
export MAILSEAL_SRCDIR
COUNT=${COUNT:-200}
CLIENTS=${CLIENTS:-10}
WORKERS=${WORKERS:-10}
SEQ=${SEQ:-100}
ROUNDS=${ROUNDS:-3}
PARTS=${PARTS:-ab}
# lib.sh: $T, $KEYS, $PYTHON, the test keys; pflib.sh: the instance
. "$MAILSEAL_SRCDIR/tests/lib.sh"
PATH=$PATH:/usr/sbin:/sbin
export PATH
LOAD=$MAILSEAL_SRCDIR/tests/smtp_load.py
ROOT=no
[ "$(id -u)" -eq 0 ] && command -v postfix >/dev/null && ROOT=yes
DO_A=no
case $PARTS in *a*) [ $ROOT = yes ] && DO_A=yes ;; esac
. "$MAILSEAL_SRCDIR/tests/pflib.sh"

SINK_PID=
cleanup() {
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null
	pf_smtpd_kill KILL
	if [ $ROOT = yes ]; then
		pf_stop
		pf_disallow
		pf_rmusers
	fi
	_lib_cleanup
}
trap cleanup EXIT

# now - seconds since the epoch, with nanoseconds
now() {
	date +%s.%N
}

# rate N SECONDS - N / SECONDS, one decimal
rate() {
	awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }'
}

# median X... - the median of the numbers
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# groupcpu PGID - CPU seconds (user + system, with reaped children) of
# the processes of process group PGID
groupcpu() {
	"$PYTHON" - "$1" <<'PY'
import os, sys
g, hz, t = int(sys.argv[1]), os.sysconf("SC_CLK_TCK"), 0
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        with open("/proc/%s/stat" % p) as f:
            v = f.read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if int(v[2]) == g:
        t += sum(int(x) for x in v[11:15])
print("%.3f" % (t / hz))
PY
}

# runloop N IN CMD... - run CMD N times, standard input IN, output
# discarded; prints the wall and the CPU seconds (user + system) of all,
# and of every process below them
runloop() {
	"$PYTHON" - "$@" <<'PY'
import ctypes, os, resource, subprocess, sys, time
n, inp, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
# a child subreaper: the gpg processes GPGME starts detached count too
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
t0 = time.monotonic()
for _ in range(n):
    with open(inp, "rb") as f:
        subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
t1 = time.monotonic()
r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f" % (t1 - t0, r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime))
PY
}

chmod 755 "$T"
echo "== mailseal smtpd bench: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "host: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "mailseal: $MAILSEAL ($(cd "$MAILSEAL_SRCDIR" && git log -1 --format='%h %cs' 2>/dev/null || echo '?'))"

# the keyring: bob's public key, ownertrust ultimate; $G for root's
# gpg and filter runs, $T/gw (the gw user's, or ours) for smtpd
G=$T/g
mkdir -m 700 "$G"
_ms_homes="$_ms_homes $G"
gpg --homedir "$G" --batch --quiet --import "$KEYS/bob.pub.asc" 2>/dev/null
echo "$(fpr bob):6:" | gpg --homedir "$G" --batch --quiet \
    --import-ownertrust 2>/dev/null
FPR=$(fpr bob)
if [ $ROOT = yes ]; then
	pf_mkusers alice bob gw
	pf_gwring gw "$T/gw" bob
	SMTPD_USER="smtpd_user = $(pf_user gw)"
else
	cp -R "$G" "$T/gw"
	_ms_homes="$_ms_homes $T/gw"
	SMTPD_USER=
fi

# smtpd_conf FILE LISTEN REINJECT - smtpd's configuration
smtpd_conf() {
	cat >"$1" <<EOC
listen = 127.0.0.1:$2
reinject = 127.0.0.1:$3
homedir = $T/gw
default_policy = opportunistic
gateway_id = mailseal-bench
smtpd_workers = $WORKERS
log = stderr
$SMTPD_USER
EOC
	chmod 644 "$1"
}

# ------------------------------------------------------------------ (a)
if [ $DO_A = yes ]; then
	# shellcheck disable=SC2046
	set -- $(pf_ports 5)
	P_PLAIN=$1 P_PIPE=$2 P_AQ=$3 P_MS=$4 P_RE=$5
	mkdir -m 755 "$T/etc"
	smtpd_conf "$T/etc/smtpd.conf" "$P_MS" "$P_RE"
	cat >"$T/etc/filter.conf" <<EOC
homedir = $T/gw
default_policy = opportunistic
gateway_id = mailseal-bench
EOC
	chmod 644 "$T/etc/filter.conf"
	pf_new "$T/pf" 2>>"$T/setup.err" || { echo "cannot make $T/pf" >&2
		exit 1; }
	for r in alice bob; do
		echo "$r: $(pf_user "$r")"
	done >"$PFC/aliases"
	postalias -c "$PFC" "$PFC/aliases"
	postconf -c "$PFC" -e "in_flow_delay = 0"
	postconf -c "$PFC" -M \
	    "127.0.0.1:$P_PLAIN/inet=127.0.0.1:$P_PLAIN inet n - n - - smtpd"
	postconf -c "$PFC" -M \
	    "127.0.0.1:$P_PIPE/inet=127.0.0.1:$P_PIPE inet n - n - - smtpd"
	postconf -c "$PFC" -P \
	    "127.0.0.1:$P_PIPE/inet/content_filter=mspipe:dummy"
	postconf -c "$PFC" -M "mspipe/unix=mspipe unix - n n - $WORKERS pipe \
flags=Rq user=$(pf_user gw) null_sender= argv=$MAILSEAL filter \
-c $T/etc/filter.conf -q \${queue_id} -f \${sender} -- \${recipient}"
	pf_aq_listen "$P_AQ" "$P_MS" "$P_RE"
	postconf -c "$PFC" -F "mailseal-smtp/unix/process_limit=$WORKERS"
	pf_allow
	pf_start "$P_PLAIN" "$P_PIPE" "$P_AQ" "$P_RE" ||
	    { cat "$PFD/start.out" >&2; exit 1; }
	pf_smtpd_start "$T/etc/smtpd.conf" "$T/smtpd.log" ||
	    { cat "$T/smtpd.log" >&2; exit 1; }
	echo "== (a) $COUNT messages of 2 KB to bob (key), $CLIENTS clients," \
	    "$WORKERS filter processes; from the first connection to the last copy in the Maildir"
	printf '%-8s %8s %10s %10s\n' mode seconds "msg/s" "x plain"
	PLAIN_S=
	for mode in plain pipe smtpd; do
		case $mode in
		plain) port=$P_PLAIN ;;
		pipe) port=$P_PIPE ;;
		smtpd) port=$P_AQ ;;
		esac
		mkdir -m 755 "$T/a-$mode"
		t0=$(now)
		"$PYTHON" "$LOAD" send --port "$port" --count "$COUNT" \
		    --clients "$CLIENTS" --dir "$T/a-$mode" \
		    --tag "$mode$PFR" >"$T/a-$mode.out" 2>&1 ||
		    { cat "$T/a-$mode.out" >&2; exit 1; }
		_i=0
		until [ "$("$PYTHON" "$LOAD" count --dir "$T/a-$mode" \
		    --maildir "$(pf_home bob)/Maildir")" -ge "$COUNT" ]; do
			_i=$((_i + 1))
			[ $_i -ge 3000 ] && { echo "$mode: not all delivered in 600 s" >&2
				exit 1; }
			sleep 0.2
		done
		s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
		[ -n "$PLAIN_S" ] || PLAIN_S=$s
		printf '%-8s %8s %10s %10s\n' "$mode" "$s" "$(rate "$COUNT" "$s")" \
		    "$(awk -v a="$s" -v b="$PLAIN_S" 'BEGIN { printf "%.2f", a / b }')"
		eval "A_$mode=$s"
	done
	# shellcheck disable=SC2154
	echo "smtpd vs pipe: $(awk -v a="$A_pipe" -v b="$A_smtpd" \
	    'BEGIN { printf "%.2f", a / b }') x the messages per second"
	pf_smtpd_kill TERM
	pf_stop
	pf_disallow
fi

# ------------------------------------------------------------------ (b)
mkdir -m 755 "$T/sink" "$T/b"
"$PYTHON" "$MAILSEAL_SRCDIR/tests/smtp_sink.py" "$T/sink" 3600 &
SINK_PID=$!
_i=0
until [ -s "$T/sink/port" ] || [ $_i -ge 50 ]; do
	sleep 0.1
	_i=$((_i + 1))
done
P_SINK=$(cat "$T/sink/port")
# shellcheck disable=SC2046
set -- $(pf_ports 1)
P_B=$1
smtpd_conf "$T/b.conf" "$P_B" "$P_SINK"
# under a subreaper: its CPU counts the detached gpg processes
PF_SMTPD_WRAP="$PYTHON $here/subreaper.py" pf_smtpd_start "$T/b.conf" \
    "$T/smtpd-b.log" || { cat "$T/smtpd-b.log" >&2; exit 1; }
cat >"$T/filter-b.conf" <<EOC
homedir = $G
default_policy = opportunistic
gateway_id = mailseal-bench
log = stderr
EOC
"$PYTHON" "$LOAD" send --port "$P_B" --count 1 --clients 1 --dir "$T/b" \
    --tag warm >/dev/null 2>&1
MSG=$T/b/1.eml
echo "== (b) per message, $SEQ in turn, $ROUNDS rounds (median): one client" \
    "straight to smtpd, re-injection to a sink (and the client straight to" \
    "the sink: the harness alone); gpg -a -e; mailseal filter --stdout"
SM= SMC= HA= GP= GPC= FI= FIC=
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	for to in "$P_SINK" "$P_B"; do
		rm -rf "$T/b"
		mkdir -m 755 "$T/b"
		c0=$(groupcpu "$SMTPD_PID")
		"$PYTHON" "$LOAD" send --port "$to" --count "$SEQ" --clients 1 \
		    --dir "$T/b" --tag "b$r" >"$T/b.out" 2>&1 ||
		    { cat "$T/b.out" >&2; exit 1; }
		w=$(sed -n 's/^seconds //p' "$T/b.out")
		if [ "$to" = "$P_SINK" ]; then
			HA="$HA $w"
		else
			SM="$SM $w"
			SMC="$SMC $(awk -v a="$c0" -v b="$(groupcpu "$SMTPD_PID")" \
			    'BEGIN { printf "%.3f", b - a }')"
		fi
	done
	set -- $(runloop "$SEQ" "$MSG" gpg --homedir "$G" --batch -a -e \
	    -r "$FPR" --trust-model always)
	GP="$GP $1" GPC="$GPC $2"
	set -- $(runloop "$SEQ" "$MSG" "$MAILSEAL" filter -c "$T/filter-b.conf" \
	    --stdout -- bob@example.org)
	FI="$FI $1" FIC="$FIC $2"
done
# shellcheck disable=SC2086
sm=$(median $SM) smc=$(median $SMC) ha=$(median $HA) gp=$(median $GP) \
    gpc=$(median $GPC) fi=$(median $FI) fic=$(median $FIC)
enc=$(grep -l 'multipart/encrypted' "$T/sink"/*.eml 2>/dev/null | wc -l)
# per - milliseconds per message of SECONDS
per() {
	awk -v s="$1" -v k="$SEQ" 'BEGIN { printf "%.2f", 1000 * s / k }'
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}
printf '%-28s %9s %9s %9s %9s\n' case "wall ms" "x gpg" "cpu ms" "x gpg"
printf '%-28s %9s %9s %9s %9s\n' "client -> sink (harness)" "$(per "$ha")" \
    "$(ratio "$ha" "$gp")" - -
printf '%-28s %9s %9s %9s %9s\n' "smtpd (client, sink)" "$(per "$sm")" \
    "$(ratio "$sm" "$gp")" "$(per "$smc")" "$(ratio "$smc" "$gpc")"
printf '%-28s %9s %9s %9s %9s\n' "gpg -a -e" "$(per "$gp")" 1.00 \
    "$(per "$gpc")" 1.00
printf '%-28s %9s %9s %9s %9s\n' "mailseal filter --stdout" "$(per "$fi")" \
    "$(ratio "$fi" "$gp")" "$(per "$fic")" "$(ratio "$fic" "$gpc")"
echo "smtpd less the harness: $(per "$(awk -v a="$sm" -v b="$ha" \
    'BEGIN { print a - b }')") ms, $(ratio "$(awk -v a="$sm" -v b="$ha" \
    'BEGIN { print a - b }')" "$gp") x gpg; smtpd's CPU: the server, its workers and their gpg runs"
echo "sink: $enc multipart/encrypted, of $((1 + ROUNDS * SEQ)) from smtpd"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
