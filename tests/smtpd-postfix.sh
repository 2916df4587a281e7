#!/bin/sh
# smtpd-postfix.sh - mailseal smtpd inside a real Postfix, in both
# places Postfix offers a content filter: after the queue
# (content_filter, the "advanced content filter") and before it
# (smtpd_proxy_filter); and failing closed (the mail waits in Postfix's
# queue or the client gets a 4xx, never clear text, never a loss) when
# the filter is down (8), gpg fails (9), the re-injection listener is
# down (10) or gpg hangs past the per-message deadline (11).  TAP.
#
# It runs only as root, with postfix and swaks installed.  The Postfix is
# a private instance (tests/pflib.sh: "postfix -c $T/pf/etc", its own
# queue and log $T/pf/postfix.log, nothing chrooted); the machine's
# Postfix is neither stopped nor reconfigured, and no system file
# changes (the filter re-injects over SMTP, not with sendmail(1)).
# Ports on 127.0.0.1, chosen free at run time:
#   $P_AQ  after-queue listener: -o content_filter=mailseal-smtp:[127.0.0.1]:$P_MS
#          through the smtp(8) service "mailseal-smtp" (XFORWARD on, no MIME
#          conversion, no generic maps)
#   $P_BQ  before-queue listener: -o smtpd_proxy_filter=127.0.0.1:$P_MS
#   $P_MS  mailseal smtpd (started as root, it runs as the gw user)
#   $P_RE  the re-injection listener (content_filter= and the
#          receive_override_options of MTA-RECIPES.md 1.2 (b))
# The run's users are ms<R><role> (R random; removed at exit):
#      alice  sender, gets the bounces
#      bob    key bob, opportunistic (the default)
#      carol  keys carol1 and carol2, require
#      oscar  no key, opportunistic
#      trent  no key, require
#      victor no key, a certificate only (issue 12, row 12): S/MIME
#      gw     smtpd_user; its GnuPG home $T/gw holds bob's, carol1's and
#             carol2's public keys, ownertrust ultimate
# ROLE@example.org is an alias of the user.  Every wait is a poll with a
# bound (10 s unless said).
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

PATH=$PATH:/usr/sbin:/sbin
export PATH
[ "$(id -u)" -eq 0 ] || skip_all "needs root: it runs a Postfix instance"
require_tools postfix postconf postqueue postsuper postalias swaks useradd \
    userdel runuser sha256sum setsid ps
. "$MAILSEAL_SRCDIR/tests/pflib.sh"
getent passwd "$PF_OWNER" >/dev/null && getent group "$PF_GROUP" >/dev/null ||
    skip_all "no user $PF_OWNER or group $PF_GROUP (Postfix's mail_owner)"
umask 022

ID=$PFR.$$
ROLES="alice bob carol oscar trent victor"
GW=mailseal-smtpd-test
SECRET="The launch code is 0000."

pf_sys_state "$T/sys.before"

cleanup() {
	pf_smtpd_kill KILL
	# the gpg of row 11 that hung (it runs as the gw user)
	[ -s "$T/hung" ] && kill $(cat "$T/hung") 2>/dev/null
	pf_stop
	pf_rmusers
	_lib_cleanup
}
trap cleanup EXIT

# ------------------------------------------------------------ helpers

# send PORT FROM TO FILE - swaks; $QID is the queue ID Postfix gave, or
# empty; $T/swaks.out the dialogue.  A "." line is added so that swaks
# adds no empty line of its own.
send() {
	{ cat "$4"; echo .; } >"$T/swaks.data"
	swaks --server 127.0.0.1:"$1" --from "$2" --to "$3" \
	    --data "$T/swaks.data" >"$T/swaks.out" 2>&1
	SWAKS_RC=$?
	QID=$(sed -n 's/.*250 2.0.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' \
	    "$T/swaks.out" | tail -n 1)
}

# smtpd_line QID - smtpd's log line about the message Postfix queued as
# QID (XFORWARD IDENT: queue_id=QID)
smtpd_line() {
	grep -F "queue_id=$1 " "$T/smtpd.log" 2>/dev/null | tail -n 1
}

# ctype FILE - the media type of FILE
ctype() {
	field "$1" Content-Type | sed -n '1{s/;.*//;p;}' | tr 'A-Z' 'a-z'
}

# header_without FILE NAME... - FILE's header without the fields NAME
header_without() {
	_f=$1
	shift
	sed '/^$/q' "$_f" | awk -v drop=" $(echo "$*" | tr 'A-Z' 'a-z') " '
	    /^$/ { exit }
	    /^[ \t]/ { if (!skip) print; next }
	    { k = tolower($0); sub(/:.*/, "", k)
	      skip = index(drop, " " k " ") > 0; if (!skip) print }'
}

# decrypts_to KEY FILE ORIG - gpg with KEY's secret key alone decrypts
# FILE to the entity mailseal encrypts for ORIG
decrypts_to() {
	"$PYTHON" "$CHECK_PGPMIME" armor "$2" >"$T/dec.asc" 2>"$T/why" &&
	    "$PYTHON" "$CHECK_PGPMIME" inner "$3" >"$T/dec.want" &&
	    gpg_dec_only "$1" "$T/dec.asc" "$T/dec.got" &&
	    cmp "$T/dec.want" "$T/dec.got" >>"$T/why" 2>&1
}

# encrypted_ok DESC FILE ORIG KEY... - FILE is multipart/encrypted with
# the marker, without the secret in clear, and each KEY decrypts it to
# the original
encrypted_ok() {
	_d=$1 _f=$2 _o=$3
	shift 3
	: >"$T/why.e"
	[ "$(ctype "$_f")" = multipart/encrypted ] ||
	    echo "not multipart/encrypted" >>"$T/why.e"
	[ "$(field "$_f" X-Mailseal-Gateway | sed "s/;.*//")" = "$GW" ] ||
	    echo "no marker field '$GW'" >>"$T/why.e"
	grep -qF "$SECRET" "$_f" && echo "the body is in clear" >>"$T/why.e"
	for _k in "$@"; do
		decrypts_to "$_k" "$_f" "$_o" || { cat "$T/why"; echo \
		    "$_k's key does not decrypt it to the original"; } \
		    >>"$T/why.e"
	done
	if [ -s "$T/why.e" ]; then
		not_ok "$_d" "$T/why.e" "$_f"
	else
		ok "$_d"
	fi
}

# clear_ok DESC FILE ORIG - FILE holds ORIG's header fields in order
# (after those Postfix and mailseal add) and its body byte for byte,
# with the marker
clear_ok() {
	header_without "$2" Return-Path X-Original-To Delivered-To Received \
	    X-Mailseal-Gateway >"$T/got.hdr"
	sed '/^$/q' "$3" | sed '/^$/d' >"$T/want.hdr"
	body "$2" >"$T/got.body"
	body "$3" >"$T/want.body"
	if cmp "$T/want.hdr" "$T/got.hdr" >"$T/why" 2>&1 &&
	    cmp "$T/want.body" "$T/got.body" >>"$T/why" 2>&1 &&
	    [ "$(field "$2" X-Mailseal-Gateway | sed "s/;.*//")" = "$GW" ]; then
		ok "$1"
	else
		echo "marker: $(field "$2" X-Mailseal-Gateway)" >>"$T/why"
		not_ok "$1" "$T/why" "$2"
	fi
}

# mkmsg FILE TO MSGID SUBJECT - a plain UTF-8 test message from alice
mkmsg() {
	{
		echo "From: Alice <alice@example.org>"
		echo "To: $2"
		echo "Subject: $4"
		echo "Date: Sun, 22 Nov 2026 10:00:00 +0000"
		echo "Message-ID: <$3>"
		echo "MIME-Version: 1.0"
		echo "Content-Type: text/plain; charset=utf-8"
		echo "Content-Transfer-Encoding: 8bit"
		echo
		echo "Hello,"
		echo
		echo "$SECRET"
		echo ".a line that starts with a dot"
		echo "From the start of a line, with trailing spaces   "
		echo "Grüße, ünïcödé."
	} >"$1"
}

# qids_joined DESC QID WHO... - smtpd's line for QID names it and the
# queue ID of each copy it re-injected (queued_encrypted=, queued=), and
# Postfix's log shows QID handed to the filter and each copy delivered
# to one of WHO
qids_joined() {
	_d=$1 _q=$2
	shift 2
	_l=$(smtpd_line "$_q")
	_new=$(echo "$_l" | tr ' ' '\n' |
	    sed -n 's/^queued\(_encrypted\)\{0,1\}=\([0-9A-Za-z]*\)$/\2/p')
	{
		echo "smtpd: $_l"
		echo "copies: $_new"
	} >"$T/why.q"
	_bad=
	[ -n "$_q" ] && [ -n "$_l" ] && [ -n "$_new" ] || _bad=yes
	pf_log_of "$_q" | grep -q "relay=127\.0\.0\.1\[127\.0\.0\.1\]:$P_MS.*status=sent" ||
	    { _bad=yes; echo "no status=sent via :$P_MS for $_q" >>"$T/why.q"; }
	for _n in $_new; do
		[ "$_n" != "$_q" ] || _bad=yes
		_to=
		for _w in "$@"; do
			pf_log_of "$_n" | grep -q "to=<$_w@example.org>.*status=sent" &&
			    _to=yes
		done
		[ -n "$_to" ] || { _bad=yes; echo "copy $_n: not delivered" \
		    >>"$T/why.q"; }
	done
	if [ -z "$_bad" ]; then
		ok "$_d: $_q -> $(echo $_new)"
	else
		pf_log_of "$_q" >>"$T/why.q"
		not_ok "$_d" "$T/why.q"
	fi
}

# no_bounce DESC MSGID - no mail about MSGID for alice (the sender)
no_bounce() {
	sleep 0.5
	is "$1" "$(pf_count_mail alice "$2")" 0
}

# ------------------------------------------------------------ set-up

chmod 755 "$T"
pf_mkusers $ROLES gw
pf_gwring gw "$T/gw" bob carol1 carol2
# S/MIME (issue 12): the certificates of tests/mkcerts.sh in the same
# home, the test root in trustlist.txt, the CRLs; victor has a
# certificate and no key (row 12, skipped without openssl or gpgsm)
HAVE_CERTS=no
if have openssl && have gpgsm && have dirmngr; then
	[ -d "$CERTS/home" ] ||
	    sh "$MAILSEAL_SRCDIR/tests/mkcerts.sh" "$CERTS" >>"$T/setup.err" 2>&1
	if [ -d "$CERTS/home" ]; then
		pf_as gw gpgsm --homedir "$T/gw" --batch --no-tty --import \
		    <"$CERTS/all.pem" >>"$T/setup.err" 2>&1
		cp -R "$CERTS/home/crls.d" "$CERTS/home/trustlist.txt" "$T/gw/"
		chown -R "$(pf_user gw)" "$T/gw/crls.d" "$T/gw/trustlist.txt"
		HAVE_CERTS=yes
	fi
fi
# root's copy of the test keyring, for mailseal encrypt (row 5)
ms_home

# a gpg for smtpd that fails while $T/gpg-broken exists (row 9), and
# that hangs, its PID in $T/hung, while $T/gpg-hangs exists (row 11)
REALGPG=$(command -v gpg)
mkdir -m 755 "$T/fakegpg"
cat >"$T/fakegpg/gpg" <<EOF
#!/bin/sh
if [ -e "$T/gpg-broken" ]; then
	echo "gpg: broken on purpose (tests/smtpd-postfix.sh)" >&2
	exit 2
fi
if [ -e "$T/gpg-hangs" ] && [ "\$1" != --version ]; then
	echo \$\$ >>"$T/hung"
	exec sleep 120
fi
exec "$REALGPG" "\$@"
EOF
chmod 755 "$T/fakegpg/gpg"

# shellcheck disable=SC2046
set -- $(pf_ports 4)
P_AQ=$1 P_BQ=$2 P_MS=$3 P_RE=$4

mkdir -m 755 "$T/etc"
touch "$T/hung"
chmod 666 "$T/hung"
cat >"$T/etc/mailseal.conf" <<EOC
# tests/smtpd-postfix.sh
listen = 127.0.0.1:$P_MS
reinject = 127.0.0.1:$P_RE
homedir = $T/gw
default_policy = opportunistic
policy_map = $T/etc/policy
gateway_id = $GW
smtpd_user = $(pf_user gw)
smtpd_workers = 10
timeout = 60
log = stderr
EOC
printf 'carol@example.org\trequire\ntrent@example.org\trequire\n' \
    >"$T/etc/policy"
chmod 644 "$T/etc/mailseal.conf" "$T/etc/policy"

pf_new "$T/pf" 2>>"$T/setup.err" ||
    skip_all "cannot make the instance in $T/pf"
for r in $ROLES; do
	echo "$r: $(pf_user "$r")"
done >"$PFC/aliases"
postalias -c "$PFC" "$PFC/aliases"
pf_aq_listen "$P_AQ" "$P_MS" "$P_RE"
pf_bq_listen "$P_BQ" "$P_MS" 10

if ! pf_start "$P_AQ" "$P_BQ" "$P_RE"; then
	not_ok "the test's Postfix listens on 127.0.0.1:$P_AQ, :$P_BQ, :$P_RE" \
	    "$PFD/start.out" "$T/setup.err"
	done_testing
fi
ok "the test's Postfix listens on 127.0.0.1:$P_AQ, :$P_BQ, :$P_RE"
postconf -c "$PFC" -M >"$T/master.cf.used"

if pf_smtpd_start "$T/etc/mailseal.conf" "$T/smtpd.log" \
    PATH="$T/fakegpg:$PATH"; then
	ok "mailseal smtpd listens on 127.0.0.1:$P_MS"
else
	not_ok "mailseal smtpd listens on 127.0.0.1:$P_MS" "$T/smtpd.log"
	done_testing
fi
_u=$(ps -o user= -p "$(ps -e -o pid=,pgid= | awk -v g="$SMTPD_PID" \
    '$2 == g && $1 != g { print $1; exit }')" 2>/dev/null | tr -d ' ')
[ -n "$_u" ] || _u=$(ps -o user= -p "$SMTPD_PID" | tr -d ' ')
is "... and runs as smtpd_user" "$_u" "$(pf_user gw)"

# ------------------------------------------------- 1. after the queue
R1=r1.$ID@example.org
mkmsg "$T/r1.eml" "Bob <bob@example.org>" "$R1" "row 1"
send "$P_AQ" alice@example.org bob@example.org "$T/r1.eml"
Q1=$QID
pf_wait_mail bob "$R1"
encrypted_ok "1. after-queue, to bob (has a key): PGP/MIME, bob's key decrypts it to the original" \
    "$M" "$T/r1.eml" bob
qids_joined "1. ... smtpd's log line names Postfix's queue ID (XFORWARD) and the copy's, and Postfix's log has both" \
    "$Q1" bob

R1C=r1c.$ID@example.org
mkmsg "$T/r1c.eml" "Carol <carol@example.org>" "$R1C" "row 1 carol"
send "$P_AQ" alice@example.org carol@example.org "$T/r1c.eml"
pf_wait_mail carol "$R1C"
encrypted_ok "1. after-queue, to carol (require, two keys): each of her keys decrypts it" \
    "$M" "$T/r1c.eml" carol1 carol2

# ------------------------------------------------- 2
R2=r2.$ID@example.org
mkmsg "$T/r2.eml" "Oscar <oscar@example.org>" "$R2" "row 2"
send "$P_AQ" alice@example.org oscar@example.org "$T/r2.eml"
Q2=$QID
pf_wait_mail oscar "$R2"
clear_ok "2. after-queue, to oscar (opportunistic, no key): as sent, plus the marker" \
    "$M" "$T/r2.eml"
if smtpd_line "$Q2" | grep -q 'action=deliver policy=opportunistic to=<oscar@example.org> why=no-key'; then
	ok "2. ... smtpd's log says why: why=no-key"
else
	smtpd_line "$Q2" >"$T/why"
	not_ok "2. ... smtpd's log says why: why=no-key" "$T/why" "$T/smtpd.log"
fi

# ------------------------------------------------- 3
# trent (require, no key) and bob in one transaction: the filter's 550
# to trent's RCPT makes Postfix bounce trent alone
R3=r3.$ID@example.org
mkmsg "$T/r3.eml" "Trent <trent@example.org>, Bob <bob@example.org>" "$R3" \
    "row 3"
send "$P_AQ" alice@example.org trent@example.org,bob@example.org "$T/r3.eml"
Q3=$QID
pf_wait_mail bob "$R3"
encrypted_ok "3. after-queue, to trent (require, no key) and bob: bob gets his copy, encrypted" \
    "$M" "$T/r3.eml" bob
if pf_wait_mail alice "$R3" && [ "$(field "$M" From | grep -ci mailer-daemon)" -ge 1 ] &&
    grep -q '5\.7\.1' "$M" && grep -qi "trent@example.org" "$M" &&
    ! grep -qi "bob@example.org.*5\.7\.1" "$M"; then
	ok "3. ... alice gets a bounce for trent alone, saying 5.7.1"
else
	pf_log_of "$Q3" >"$T/why"
	not_ok "3. ... alice gets a bounce for trent alone, saying 5.7.1" \
	    "$T/why" "$M"
fi
pf_log_of "$Q3" >"$T/r3.log"
if grep -q "to=<trent@example.org>.*relay=127\.0\.0\.1\[127\.0\.0\.1\]:$P_MS.*dsn=5\.7\.1, status=bounced" "$T/r3.log" &&
    grep -q "to=<bob@example.org>.*status=sent" "$T/r3.log"; then
	ok "3. ... Postfix's log: trent dsn=5.7.1 status=bounced (by the filter's RCPT reply), bob status=sent"
else
	not_ok "3. ... Postfix's log: trent dsn=5.7.1 status=bounced (by the filter's RCPT reply), bob status=sent" \
	    "$T/r3.log"
fi
is "3. ... nothing for trent" "$(pf_count_mail trent "$R3")" 0

# ------------------------------------------------- 4
R4=r4.$ID@example.org
mkmsg "$T/r4.eml" "Bob <bob@example.org>, Oscar <oscar@example.org>" "$R4" \
    "row 4"
send "$P_AQ" alice@example.org bob@example.org,oscar@example.org "$T/r4.eml"
Q4=$QID
pf_wait_mail bob "$R4"
encrypted_ok "4. after-queue, to bob and oscar at once: bob's copy is encrypted to him" \
    "$M" "$T/r4.eml" bob
pf_wait_mail oscar "$R4"
clear_ok "4. ... oscar's copy is as sent" "$M" "$T/r4.eml"
sleep 0.3
is "4. ... one copy each" \
    "$(pf_count_mail bob "$R4") $(pf_count_mail oscar "$R4")" "1 1"
qids_joined "4. ... smtpd's line names the original and both copies" \
    "$Q4" bob oscar

# ------------------------------------------------- 5
R5=r5.$ID@example.org
mkmsg "$T/r5.plain" "Bob <bob@example.org>" "$R5" "row 5"
"$MAILSEAL" encrypt -r bob@example.org "$T/r5.plain" >"$T/r5.eml" \
    2>"$T/err" || diag "mailseal encrypt failed: $(cat "$T/err")"
send "$P_AQ" alice@example.org bob@example.org "$T/r5.eml"
pf_wait_mail bob "$R5"
body "$M" >"$T/got.body"
body "$T/r5.eml" >"$T/want.body"
if [ -s "$T/want.body" ] && cmp "$T/want.body" "$T/got.body" >"$T/why" 2>&1
then
	ok "5. after-queue, already encrypted: the body arrives byte for byte"
else
	not_ok "5. after-queue, already encrypted: the body arrives byte for byte" \
	    "$T/why" "$M"
fi
is "5. ... one copy, multipart/encrypted" \
    "$(pf_count_mail bob "$R5") $(ctype "$M")" "1 multipart/encrypted" "$M"

# ------------------------------------------------- 6. before the queue
# the client sees the filter's replies: trent's RCPT is refused with
# 550 5.7.1 and why, the message goes to bob and oscar, no bounce
R6=r6.$ID@example.org
mkmsg "$T/r6.eml" "Bob <bob@example.org>, Trent <trent@example.org>" "$R6" \
    "row 6"
L6=$(wc -l <"$PFLOG")
send "$P_BQ" alice@example.org bob@example.org,trent@example.org,oscar@example.org \
    "$T/r6.eml"
cp "$T/swaks.out" "$T/r6.swaks"
# the reply to trent's RCPT, and the last reply (to the end of DATA)
_rej=$(grep -A1 'RCPT TO:<trent@example.org>' "$T/r6.swaks" |
    grep -E '^ *<(\*\*|-) ' | head -n 1 | sed 's/^ *<[-*]* *//')
_end=$(sed -n '/^ *-> \.$/,$p' "$T/r6.swaks" | grep -E '^ *<(\*\*|-) ' |
    head -n 1 | sed 's/^ *<[-*]* *//')
if echo "$_rej" | grep -q '^550 5\.7\.1 [^ ]' &&
    echo "$_end" | grep -q '^250 '; then
	ok "6. before-queue, to bob, trent (require, no key), oscar: the client sees trent's RCPT refused ($_rej), and 250 to the message ($_end)"
else
	not_ok "6. before-queue, to bob, trent (require, no key), oscar: the client sees trent's RCPT refused with 550 5.7.1 and why, and 250 to the message" \
	    "$T/r6.swaks" "$T/smtpd.log"
fi
pf_wait_mail bob "$R6"
encrypted_ok "6. ... bob gets his copy, encrypted" "$M" "$T/r6.eml" bob
pf_wait_mail oscar "$R6"
clear_ok "6. ... oscar gets his, as sent" "$M" "$T/r6.eml"
no_bounce "6. ... no bounce to alice" "$R6"
tail -n +"$((L6 + 1))" "$PFLOG" >"$T/r6.log"
is "6. ... nothing for trent; Postfix's log: no bounce, no notification" \
    "$(pf_count_mail trent "$R6") $(grep -c 'status=bounced\|notification' "$T/r6.log")" \
    "0 0" "$T/r6.log"

R7=r7.$ID@example.org
mkmsg "$T/r7.eml" "Trent <trent@example.org>" "$R7" "row 7"
send "$P_BQ" alice@example.org trent@example.org "$T/r7.eml"
if grep -Eq '^ *<(\*\*|-) 550 5\.7\.1 ' "$T/swaks.out" && [ -z "$QID" ] &&
    [ "$SWAKS_RC" -ne 0 ]; then
	ok "7. before-queue, to trent alone: 550 5.7.1 at RCPT, nothing queued"
else
	not_ok "7. before-queue, to trent alone: 550 5.7.1 at RCPT, nothing queued" \
	    "$T/swaks.out"
fi
no_bounce "7. ... no bounce to alice" "$R7"
is "7. ... the queue is empty" "$(pf_queue_ids | wc -l | tr -d ' ')" 0

# ------------------------------------------------- 8. fail closed: smtpd down
pf_smtpd_kill KILL
if pf_listening "$P_MS"; then
	not_ok "8. smtpd killed (SIGKILL to its process group): its port is closed"
else
	ok "8. smtpd killed (SIGKILL to its process group): its port is closed"
fi
R8=r8.$ID@example.org
mkmsg "$T/r8.eml" "Bob <bob@example.org>" "$R8" "row 8"
send "$P_AQ" alice@example.org bob@example.org "$T/r8.eml"
Q8=$QID
if pf_wait_deferred "$Q8" &&
    pf_log_of "$Q8" | grep -q "127\.0\.0\.1\[127\.0\.0\.1\]:$P_MS.*[Cc]onnection refused"; then
	ok "8. after-queue with smtpd down: deferred (connection refused)"
else
	pf_log_of "$Q8" >"$T/why"
	not_ok "8. after-queue with smtpd down: deferred (connection refused)" \
	    "$T/why"
fi
R8B=r8b.$ID@example.org
mkmsg "$T/r8b.eml" "Bob <bob@example.org>" "$R8B" "row 8b"
send "$P_BQ" alice@example.org bob@example.org "$T/r8b.eml"
if [ -z "$QID" ] && grep -Eq '^ *<(\*\*|-) 4[0-9][0-9] ' "$T/swaks.out"; then
	ok "8. before-queue with smtpd down: the client gets a 4xx, nothing queued ($(grep -Em1 '^ *<(\*\*|-) 4' "$T/swaks.out" | sed 's/^ *<[-*]* //'))"
else
	not_ok "8. before-queue with smtpd down: the client gets a 4xx, nothing queued" \
	    "$T/swaks.out"
fi
is "8. ... nothing delivered, no bounce" \
    "$(pf_count_mail bob "$R8") $(pf_count_mail alice "$R8") $(pf_count_mail bob "$R8B")" \
    "0 0 0"
if pf_smtpd_start "$T/etc/mailseal.conf" "$T/smtpd.log" \
    PATH="$T/fakegpg:$PATH"; then
	pfq -f
	pf_wait_mail bob "$R8"
	encrypted_ok "8. ... smtpd started again, postqueue -f: delivered, encrypted" \
	    "$M" "$T/r8.eml" bob
	sleep 0.3
	is "8. ... once" "$(pf_count_mail bob "$R8")" 1
else
	not_ok "8. ... smtpd started again" "$T/smtpd.log"
fi

# ------------------------------------------------- 9. fail closed: gpg fails
: >"$T/gpg-broken"
R9=r9.$ID@example.org
mkmsg "$T/r9.eml" "Bob <bob@example.org>, Oscar <oscar@example.org>" "$R9" \
    "row 9"
send "$P_AQ" alice@example.org bob@example.org,oscar@example.org "$T/r9.eml"
Q9=$QID
if pf_wait_deferred "$Q9" &&
    pf_log_of "$Q9" | grep -q "to=<bob@example.org>.*dsn=4\.[0-9.]*, status=deferred"; then
	ok "9. after-queue, gpg fails: bob's mail is deferred (4.x.x)"
else
	pf_log_of "$Q9" >"$T/why"
	not_ok "9. after-queue, gpg fails: bob's mail is deferred (4.x.x)" \
	    "$T/why" "$T/smtpd.log"
fi
R9B=r9b.$ID@example.org
mkmsg "$T/r9b.eml" "Bob <bob@example.org>" "$R9B" "row 9b"
send "$P_BQ" alice@example.org bob@example.org "$T/r9b.eml"
if [ -z "$QID" ] && grep -Eq '^ *<(\*\*|-) 4[0-9][0-9] ' "$T/swaks.out"; then
	ok "9. before-queue, gpg fails: the client gets a 4xx, nothing queued"
else
	not_ok "9. before-queue, gpg fails: the client gets a 4xx, nothing queued" \
	    "$T/swaks.out"
fi
sleep 0.5
_clear=$(grep -lsF "$SECRET" "$T"/home/*/Maildir/new/* 2>/dev/null |
    xargs grep -lsF -e "<$R9>" -e "<$R9B>" 2>/dev/null | wc -l | tr -d ' ')
is "9. ... nothing delivered (not even oscar's clear copy), no bounce, no clear text anywhere" \
    "$(pf_count_mail bob "$R9") $(pf_count_mail oscar "$R9") $(pf_count_mail bob "$R9B") $(pf_count_mail alice "$R9") $_clear" \
    "0 0 0 0 0"
rm -f "$T/gpg-broken"
pfq -f
pf_wait_mail bob "$R9"
encrypted_ok "9. ... gpg works again, postqueue -f: bob's copy encrypted" \
    "$M" "$T/r9.eml" bob
pf_wait_mail oscar "$R9"
clear_ok "9. ... and oscar's as sent" "$M" "$T/r9.eml"

# ------------------------------------------------- 10. fail closed: reinject down
# the server up, its re-injection listener gone (a port nobody has)
pf_smtpd_kill TERM
# shellcheck disable=SC2046
set -- $(pf_ports 1)
sed "s/^reinject = .*/reinject = 127.0.0.1:$1/" "$T/etc/mailseal.conf" \
    >"$T/etc/noreinject.conf"
chmod 644 "$T/etc/noreinject.conf"
pf_smtpd_start "$T/etc/noreinject.conf" "$T/smtpd.log" \
    PATH="$T/fakegpg:$PATH" || diag "smtpd did not start: $(tail -n 3 "$T/smtpd.log")"
R10=r10.$ID@example.org
mkmsg "$T/r10.eml" "Bob <bob@example.org>, Oscar <oscar@example.org>" "$R10" \
    "row 10"
send "$P_AQ" alice@example.org bob@example.org,oscar@example.org "$T/r10.eml"
Q10=$QID
if pf_wait_deferred "$Q10" &&
    pf_log_of "$Q10" | grep -q "relay=127\.0\.0\.1\[127\.0\.0\.1\]:$P_MS.*dsn=4\.[0-9.]*, status=deferred.*451"; then
	ok "10. after-queue, re-injection listener down: smtpd answers 451, Postfix defers"
else
	pf_log_of "$Q10" >"$T/why"
	not_ok "10. after-queue, re-injection listener down: smtpd answers 451, Postfix defers" \
	    "$T/why" "$T/smtpd.log"
fi
R10B=r10b.$ID@example.org
mkmsg "$T/r10b.eml" "Bob <bob@example.org>" "$R10B" "row 10b"
send "$P_BQ" alice@example.org bob@example.org "$T/r10b.eml"
if [ -z "$QID" ] && grep -Eq '^ *<(\*\*|-) 4[0-9][0-9] ' "$T/swaks.out"; then
	ok "10. before-queue, re-injection listener down: the client gets a 4xx ($(grep -Em1 '^ *<(\*\*|-) 4' "$T/swaks.out" | sed 's/^ *<[-*]* //'))"
else
	not_ok "10. before-queue, re-injection listener down: the client gets a 4xx" \
	    "$T/swaks.out"
fi
sleep 0.3
is "10. ... nothing delivered, no bounce" \
    "$(pf_count_mail bob "$R10") $(pf_count_mail oscar "$R10") $(pf_count_mail bob "$R10B") $(pf_count_mail alice "$R10")" \
    "0 0 0 0"

# ------------------------------------------------- 11. fail closed: gpg hangs
# the per-message deadline (timeout = 5 here) ends the worker stuck in
# GPGME: 451, and the server serves on
pf_smtpd_kill TERM
sed "s/^timeout = .*/timeout = 5/" "$T/etc/mailseal.conf" >"$T/etc/t5.conf"
chmod 644 "$T/etc/t5.conf"
pf_smtpd_start "$T/etc/t5.conf" "$T/smtpd.log" PATH="$T/fakegpg:$PATH" ||
    diag "smtpd did not start: $(tail -n 3 "$T/smtpd.log")"
: >"$T/gpg-hangs"
R11=r11.$ID@example.org
mkmsg "$T/r11.eml" "Bob <bob@example.org>" "$R11" "row 11"
pfq -f
send "$P_AQ" alice@example.org bob@example.org "$T/r11.eml"
Q11=$QID
# the flush above hands the deferred R8, R9 and R10 to the hanging gpg
# too, and Postfix may have lowered the filter's concurrency to 1 after
# rows 9 and 10: R11 can wait for three deadlines before its own (20 s
# and more, slower still in the sanitizer build), hence 90 s
_t0=$(date +%s)
while [ $(($(date +%s) - _t0)) -lt 90 ] &&
    ! pf_log_of "$Q11" | grep -q 'status='; do
	sleep 0.2
done
_t1=$(($(date +%s) - _t0))
if pf_log_of "$Q11" | grep -q "dsn=4\.[0-9.]*, status=deferred"; then
	ok "11. gpg hangs: after the per-message deadline, 451 and deferred after ${_t1} s ($(pf_log_of "$Q11" | sed -n 's/.*status=deferred (\(.*\))$/\1/p' | cut -c1-120))"
else
	{ echo "waited ${_t1} s; the queue, then the log of the filter's transport:"
	  pfq -p 2>&1 | head -n 20
	  grep -F 'mailseal-smtp' "$PFLOG" | tail -n 20
	  echo "Q11:"
	  pf_log_of "$Q11"
	  echo "smtpd.log, the end:"
	  tail -n 15 "$T/smtpd.log"; } >"$T/why"
	not_ok "11. gpg hangs: after the per-message deadline, 451 and deferred" \
	    "$T/why"
fi
rm -f "$T/gpg-hangs"
# A message still in a worker stuck on the hanging gpg when a flush runs
# is deferred after it (R10 ended its deadline a second after R11 did),
# and then waits for Postfix's back-off: flush until each is delivered.
_t0=$(date +%s)
while [ $(($(date +%s) - _t0)) -lt 60 ]; do
	_left=
	for _m in "$R8" "$R9" "$R10" "$R11"; do
		[ "$(pf_count_mail bob "$_m")" -ge 1 ] || _left=1
	done
	[ "$(pf_count_mail oscar "$R10")" -ge 1 ] || _left=1
	[ -z "$_left" ] && break
	pfq -f
	sleep 1
done
_n=
for _m in "$R10" "$R11"; do
	_n="$_n $(pf_count_mail bob "$_m")"
done
is "10., 11. ... all well again, postqueue -f: delivered once each" \
    "$_n $(pf_count_mail oscar "$R10")" " 1 1 1"
pf_wait_mail bob "$R11"
encrypted_ok "11. ... encrypted" "$M" "$T/r11.eml" bob

# ------------------------------------------------- 12. S/MIME
# a recipient with a certificate only (issue 12): after the queue, smtpd
# sends S/MIME, which openssl decrypts with victor's key to the entity
# mailseal encrypts; bob in the same transaction gets PGP/MIME (two
# copies, one per format, both named in smtpd's log line)
R12=r12.$ID@example.org
if [ "$HAVE_CERTS" = yes ]; then
	mkmsg "$T/r12.eml" "Victor <victor@example.org>, Bob <bob@example.org>" \
	    "$R12" "row 12"
	send "$P_AQ" alice@example.org victor@example.org,bob@example.org \
	    "$T/r12.eml"
	Q12=$QID
	pf_wait_mail victor "$R12"
	: >"$T/why"
	_ok=yes
	[ "$(ctype "$M")" = application/pkcs7-mime ] ||
	    { echo "not application/pkcs7-mime" >>"$T/why"; _ok=no; }
	! grep -qF "$SECRET" "$M" ||
	    { echo "the body is in clear" >>"$T/why"; _ok=no; }
	"$PYTHON" "$MAILSEAL_SRCDIR/tests/smime_parts.py" enveloped "$M" \
	    "$T/r12.der" 2>>"$T/why" &&
	    cms_dec victor "$T/r12.der" "$T/r12.got" &&
	    "$PYTHON" "$CHECK_PGPMIME" inner "$T/r12.eml" >"$T/r12.want" &&
	    cmp "$T/r12.want" "$T/r12.got" >>"$T/why" 2>&1 ||
	    { echo "victor's key does not decrypt it to the original" \
	    >>"$T/why"; _ok=no; }
	if [ $_ok = yes ]; then
		ok "12. after-queue, to victor (a certificate only): S/MIME, his key decrypts it to the original"
	else
		not_ok "12. after-queue, to victor (a certificate only): S/MIME, his key decrypts it to the original" \
		    "$T/why" "$T/r12.got.err" "$M"
	fi
	pf_wait_mail bob "$R12"
	encrypted_ok "12. ... bob's copy is PGP/MIME, his key decrypts it" \
	    "$M" "$T/r12.eml" bob
	if smtpd_line "$Q12" | grep -q 'to=<victor@example.org> cert=[0-9A-F]* format=smime.* queued_encrypted=[^ ,]*,[^ ,]* '; then
		ok "12. ... smtpd's log line: format=smime, two encrypted copies"
	else
		smtpd_line "$Q12" >"$T/why"
		not_ok "12. ... smtpd's log line: format=smime, two encrypted copies" \
		    "$T/why" "$T/smtpd.log"
	fi
else
	skip "12. to victor (a certificate only): S/MIME" \
	    "no openssl, gpgsm or dirmngr"
fi

# ------------------------------------------------------------ the end
pf_wait_empty 10
is "the queue holds no test mail at the end" \
    "$(pf_queue_ids | wc -l | tr -d ' ')" 0
_pid=$SMTPD_PID
if pf_smtpd_kill TERM; then
	ok "SIGTERM: smtpd and its workers are gone within 10 s"
else
	not_ok "SIGTERM: smtpd and its workers are gone within 10 s"
fi
pf_stop
pf_sys_state "$T/sys.after"
if cmp -s "$T/sys.before" "$T/sys.after"; then
	ok "the system's Postfix is as it was"
else
	diff "$T/sys.before" "$T/sys.after" >"$T/why"
	not_ok "the system's Postfix is as it was" "$T/why"
fi
done_testing
