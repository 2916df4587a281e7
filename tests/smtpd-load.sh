#!/bin/sh
# smtpd-load.sh - mailseal smtpd after the queue of a real Postfix, under
# load and killed: LOAD_COUNT messages (default 400) from LOAD_CLIENTS
# concurrent SMTP clients (default 20, tests/smtp_load.py) into the
# after-queue listener; once about a third has arrived, SIGKILL to smtpd's
# whole process group (main process and workers), a new smtpd,
# "postqueue -f", and a bounded wait (120 s) for the queue to empty.
# Then: every message delivered, duplicates no more than the workers
# that could have been in flight at the kill (smtpd_workers), every copy
# encrypted and decrypting (gpg with bob's secret key) to its original.
# TAP.  Root only, with postfix; the Postfix is a private instance
# (tests/pflib.sh), as in tests/smtpd-postfix.sh, whose set-up this
# shares; no system file changes.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

PATH=$PATH:/usr/sbin:/sbin
export PATH
[ "$(id -u)" -eq 0 ] || skip_all "needs root: it runs a Postfix instance"
require_tools postfix postconf postqueue postsuper postalias useradd userdel \
    runuser sha256sum setsid ps
. "$MAILSEAL_SRCDIR/tests/pflib.sh"
getent passwd "$PF_OWNER" >/dev/null && getent group "$PF_GROUP" >/dev/null ||
    skip_all "no user $PF_OWNER or group $PF_GROUP (Postfix's mail_owner)"
umask 022

N=${LOAD_COUNT:-400}
CLIENTS=${LOAD_CLIENTS:-20}
WORKERS=10
LOAD=$MAILSEAL_SRCDIR/tests/smtp_load.py

pf_sys_state "$T/sys.before"

cleanup() {
	[ -n "${GEN_PID:-}" ] && kill "$GEN_PID" 2>/dev/null
	pf_smtpd_kill KILL
	pf_stop
	pf_rmusers
	_lib_cleanup
}
trap cleanup EXIT

# delivered - how many distinct test messages are in bob's Maildir
delivered() {
	"$PYTHON" "$LOAD" count --dir "$T/load" --maildir "$(pf_home bob)/Maildir"
}

# ------------------------------------------------------------ set-up
chmod 755 "$T"
pf_mkusers alice bob gw
pf_gwring gw "$T/gw" bob
# bob's secret key, to read what he gets
mkdir -m 700 "$T/only-bob"
gpg --homedir "$T/only-bob" --batch --quiet --import "$KEYS/bob.sec.asc" \
    2>>"$T/setup.err"

# shellcheck disable=SC2046
set -- $(pf_ports 3)
P_AQ=$1 P_MS=$2 P_RE=$3
mkdir -m 755 "$T/etc"
cat >"$T/etc/mailseal.conf" <<EOC
# tests/smtpd-load.sh
listen = 127.0.0.1:$P_MS
reinject = 127.0.0.1:$P_RE
homedir = $T/gw
default_policy = require
gateway_id = mailseal-load-test
smtpd_user = $(pf_user gw)
smtpd_workers = $WORKERS
timeout = 60
log = stderr
EOC
chmod 644 "$T/etc/mailseal.conf"

pf_new "$T/pf" 2>>"$T/setup.err" ||
    skip_all "cannot make the instance in $T/pf"
for r in alice bob; do
	echo "$r: $(pf_user "$r")"
done >"$PFC/aliases"
postalias -c "$PFC" "$PFC/aliases"
pf_aq_listen "$P_AQ" "$P_MS" "$P_RE"
# as many deliveries to the filter at once as it has workers
postconf -c "$PFC" -F "mailseal-smtp/unix/process_limit=$WORKERS"
postconf -c "$PFC" -e "in_flow_delay = 0"

if ! pf_start "$P_AQ" "$P_RE"; then
	not_ok "the test's Postfix listens on 127.0.0.1:$P_AQ and :$P_RE" \
	    "$PFD/start.out" "$T/setup.err"
	done_testing
fi
ok "the test's Postfix listens on 127.0.0.1:$P_AQ and :$P_RE"
if pf_smtpd_start "$T/etc/mailseal.conf" "$T/smtpd.log"; then
	ok "mailseal smtpd ($WORKERS workers) listens on 127.0.0.1:$P_MS"
else
	not_ok "mailseal smtpd ($WORKERS workers) listens on 127.0.0.1:$P_MS" \
	    "$T/smtpd.log"
	done_testing
fi

# ------------------------------------------------------------ load
mkdir -m 755 "$T/load"
START=$(date +%s)
"$PYTHON" "$LOAD" send --port "$P_AQ" --count "$N" --clients "$CLIENTS" \
    --dir "$T/load" --tag "$PFR" --to bob@example.org >"$T/send.out" 2>&1 &
GEN_PID=$!

# about a third through: kill smtpd and all of its workers at once
_i=0
while [ "$(delivered)" -lt $((N / 3)) ] && [ $_i -lt 600 ]; do
	sleep 0.2
	_i=$((_i + 1))
done
AT_KILL=$(delivered)
pf_smtpd_kill KILL
AFTER_KILL=$(delivered)
KILL_AT=$(date +%s)
if [ "$AT_KILL" -ge $((N / 3)) ] && [ "$AT_KILL" -lt "$N" ]; then
	ok "SIGKILL to smtpd's process group with $AT_KILL of $N delivered"
else
	not_ok "SIGKILL to smtpd's process group partway: $AT_KILL of $N delivered" \
	    "$T/smtpd.log"
fi

wait "$GEN_PID"
GEN_RC=$?
GEN_PID=
SENT=$(sed -n 's/^sent //p' "$T/send.out")
if [ "$GEN_RC" -eq 0 ] && [ "$SENT" = "$N" ]; then
	ok "Postfix took all $N messages from $CLIENTS clients ($(sed -n 's/^rate //p' "$T/send.out") messages/s)"
else
	not_ok "Postfix took all $N messages from $CLIENTS clients" "$T/send.out"
fi

sleep 2
_waiting=$(pf_queue_ids | wc -l | tr -d ' ')
if [ "$_waiting" -gt 0 ] && [ "$(delivered)" -lt "$N" ]; then
	ok "with smtpd down, $_waiting messages wait in Postfix's queue"
else
	not_ok "with smtpd down, messages wait in Postfix's queue ($_waiting)"
fi

if pf_smtpd_start "$T/etc/mailseal.conf" "$T/smtpd.log"; then
	ok "mailseal smtpd started again"
else
	not_ok "mailseal smtpd started again" "$T/smtpd.log"
fi
pfq -f
if pf_wait_empty 120; then
	ok "postqueue -f: the queue is empty after $(($(date +%s) - KILL_AT)) s"
else
	pfq -p | tail -n 20 >"$T/why"
	not_ok "postqueue -f: the queue is empty within 120 s" "$T/why"
fi
END=$(date +%s)
sleep 0.5

# ------------------------------------------------------------ results
"$PYTHON" "$LOAD" check --dir "$T/load" --maildir "$(pf_home bob)/Maildir" \
    --gnupghome "$T/only-bob" >"$T/check.out" 2>&1 || true
val() {
	sed -n "s/^$1 //p" "$T/check.out"
}
is "every message delivered ($(val delivered) of $N)" \
    "$(val delivered) $(val missing)" "$N 0" "$T/check.out"
DUP=$(val duplicates)
if [ -n "$DUP" ] && [ "$DUP" -le "$WORKERS" ]; then
	ok "duplicates: $DUP, no more than the $WORKERS workers that could be in flight at the kill"
else
	not_ok "duplicates: '$DUP', no more than the $WORKERS workers that could be in flight at the kill" \
	    "$T/check.out"
fi
is "every copy ($(val copies)) encrypted and decrypting to its original" \
    "$(val clear) $(val bad)" "0 0" "$T/check.out"
diag "$N messages, $CLIENTS clients, $WORKERS workers: killed at $AT_KILL" \
    "delivered ($AFTER_KILL just after), all delivered $((END - START)) s" \
    "after the start; copies $(val copies), duplicates $DUP"

pf_smtpd_kill TERM
pf_stop
pf_sys_state "$T/sys.after"
if cmp -s "$T/sys.before" "$T/sys.after"; then
	ok "the system's Postfix is as it was"
else
	diff "$T/sys.before" "$T/sys.after" >"$T/why"
	not_ok "the system's Postfix is as it was" "$T/why"
fi
done_testing
