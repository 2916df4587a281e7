#!/bin/sh
# bcc.sh - hidden recipients in the gateway (issue 11): an envelope
# recipient the header does not name (To, Cc; a resent message's newest
# Resent-To, Resent-Cc) gets a copy of its own, encrypted to its keys
# alone, and the copy for the named recipients carries no key ID of it,
# hidden or not.  Through `mailseal filter` with a fake sendmail (each
# call's recipients and message); every copy decrypts with its reader's
# key alone in gpg, sqop and rnp; two hidden recipients: three copies;
# opportunistic and require without a key; no Bcc field in any copy;
# --stdout; the log line (copy=own, every queue ID); smtpd's 250 names
# every downstream queue ID (tests/smtp_sink.py as the next hop); and
# `mailseal encrypt`'s hidden recipients, which gpg decrypts and which
# rnp 0.16.3 and sqop 0.27.3 do not (mailseal(1)).  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
IS_DIAG=$T/err
gw_env

# calls - the number of sendmail calls of the last run
calls() {
	ls "$T/sm" | grep -c '\.args$'
}

# rcpts N - the recipients of call N (after "--"), on one line
rcpts() {
	sed '1,/^\[--\]$/d; s/^\[//; s/\]$//' "$T/sm/$1.args" | tr '\n' ' ' |
	    sed 's/ $//'
}

# call_for RCPT - the number of the call whose arguments name RCPT
call_for() {
	grep -lxF "[$1]" "$T"/sm/*.args 2>/dev/null | head -n 1 |
	    sed 's|.*/||; s|\.args$||'
}

# asc N NAME - the armored message of call N into $T/NAME.asc
asc() {
	sed -n '/^-----BEGIN PGP MESSAGE-----/,/^-----END PGP MESSAGE-----/p' \
	    "$T/sm/$1.msg" | tr -d '\r' >"$T/$2.asc"
}

# keyids NAME - the key IDs $T/NAME.asc is encrypted to, sorted, one line
keyids() {
	pkesk_keyids "$T/$1.asc" | tr 'a-f' 'A-F' | sort | tr '\n' ' ' |
	    sed 's/ $//'
}

# subkeys NAME... - their encryption subkeys' IDs, as keyids prints them
subkeys() {
	for _k in "$@"; do
		subkey_ids "$_k"
	done | tr 'a-f' 'A-F' | sort | tr '\n' ' ' | sed 's/ $//'
}

# exits DESC CODE CALLS - the last run exited CODE after CALLS calls
exits() {
	_n=$(calls)
	if [ "$rc" -eq "$2" ] && [ "$_n" -eq "$3" ]; then
		ok "$1"
	else
		echo "exit $rc (want $2), $_n sendmail calls (want $3)" >"$T/why"
		not_ok "$1" "$T/why" "$T/err" "$T"/sm/*.args
	fi
}

# reads TOOL KEY NAME - TOOL (gpg, sqop, rnp) holding KEY's secret key
# alone decrypts $T/NAME.asc, and the text is the message's body
reads() {
	_o=$T/$3.$1.$2
	case $1 in
	gpg)	gpg_dec_only "$2" "$T/$3.asc" "$_o" || return 1;;
	sqop)	sqop decrypt "$KEYS/$2.sec.asc" <"$T/$3.asc" >"$_o" \
		    2>"$_o.err" || return 1;;
	rnp)	rnp --keyfile "$KEYS/$2.sec.asc" --decrypt --output - \
		    "$T/$3.asc" >"$_o" 2>"$_o.err" || return 1;;
	esac
	grep -q 'under the mat' "$_o"
}

# readers NAME KEY DESC - gpg, sqop and rnp each decrypt NAME with KEY
readers() {
	for _t in gpg sqop rnp; do
		if [ "$_t" != gpg ] && ! have "$_t"; then
			skip "$3: $_t" "$_t is not installed"
			continue
		fi
		if reads "$_t" "$2" "$1"; then
			ok "$3: $_t"
		else
			not_ok "$3: $_t" "$T/$1.$_t.$2.err"
		fi
	done
}

# ------------------------------------------------------------ messages

conf base "default_policy = opportunistic"
conf req "default_policy = require"
printf 'Hello Bob,\nthe key is under the mat.\n' |
    msg "$T/m1.eml" 'From: Alice <alice@example.org>' \
    'To: Bob <bob@example.org>' 'Bcc: carol@example.org' \
    'Subject: the key' 'MIME-Version: 1.0' \
    'Content-Type: text/plain; charset=us-ascii'
B=$(subkeys bob)
C=$(subkeys carol1 carol2)
I=$(subkeys ivan)

# ------------------------------------------------------------ one hidden

fm "$T/base.conf" bob@example.org carol@example.org <"$T/m1.eml"
exits "To bob, envelope bob and carol: two copies" 0 2
nb=$(call_for bob@example.org)
nc=$(call_for carol@example.org)
is "... bob's copy is for bob alone" "$(rcpts "${nb:-0}")" bob@example.org
is "... carol's copy is for carol alone" "$(rcpts "${nc:-0}")" \
    carol@example.org
asc "${nb:-0}" b1
asc "${nc:-0}" c1
is "... bob's copy: bob's key ID only (none of carol's, no zero)" \
    "$(keyids b1)" "$B"
is "... carol's copy: carol's two key IDs only, shown" "$(keyids c1)" "$C"
readers b1 bob "... bob's copy decrypts with bob's key alone"
readers c1 carol1 "... carol's copy decrypts with carol1's key alone"
readers c1 carol2 "... carol's copy decrypts with carol2's key alone"
if reads gpg bob c1 || reads gpg carol1 b1; then
	not_ok "... neither reads the other's copy"
else
	ok "... neither reads the other's copy"
fi
if grep -qi '^bcc:' "$T/sm/${nb:-0}.msg" "$T/sm/${nc:-0}.msg" ||
    grep -qi '^bcc:' "$T/b1.gpg.bob" "$T/c1.gpg.carol1"; then
	not_ok "... no Bcc field in either copy, outside or inside" \
	    "$T/sm/${nb:-0}.msg"
else
	ok "... no Bcc field in either copy, outside or inside"
fi
if logline | grep -q 'to=<carol@example.org> key=[0-9A-F,]* copy=own' &&
    ! logline | grep -q 'to=<bob@example.org>[^ ]* key=[0-9A-F,]* copy=own'
then
	ok "... the log line: copy=own for carol, not for bob"
else
	not_ok "... the log line: copy=own for carol, not for bob" "$T/err"
fi

# a Cc is named: one copy, every key ID shown
printf 'the key is under the mat.\n' | msg "$T/cc.eml" \
    'From: alice@example.org' 'To: bob@example.org' \
    'Cc: Carol <CAROL@Example.ORG>'
fm "$T/base.conf" bob@example.org carol@example.org <"$T/cc.eml"
exits "To bob, Cc carol (other case): one copy" 0 1
asc 1 cc
is "... every key ID shown" "$(keyids cc)" "$(subkeys bob carol1 carol2)"
if logline | grep -q copy=own; then
	not_ok "... no copy=own in the log line" "$T/err"
else
	ok "... no copy=own in the log line"
fi

# ------------------------------------------------------------ two hidden

fm "$T/base.conf" bob@example.org carol@example.org \
    ivan+work@example.org <"$T/m1.eml"
exits "two hidden recipients (carol, ivan): three copies" 0 3
nb=$(call_for bob@example.org)
nc=$(call_for carol@example.org)
ni=$(call_for ivan+work@example.org)
is "... one call each" "$(rcpts "${nb:-0}")|$(rcpts "${nc:-0}")|$(rcpts "${ni:-0}")" \
    "bob@example.org|carol@example.org|ivan+work@example.org"
asc "${nb:-0}" b2
asc "${nc:-0}" c2
asc "${ni:-0}" i2
is "... bob's, carol's and ivan's key IDs in their copies alone" \
    "$(keyids b2)|$(keyids c2)|$(keyids i2)" "$B|$C|$I"
readers i2 ivan "... ivan's copy decrypts with ivan's key alone"

# the same hidden recipient twice in the envelope: one copy for it
fm "$T/base.conf" bob@example.org carol@example.org Carol@example.org \
    <"$T/m1.eml"
exits "a hidden recipient given twice (case differs): two copies" 0 2

# a hidden recipient without a key: opportunistic gets the clear copy
fm "$T/base.conf" bob@example.org nokey@example.org <"$T/m1.eml"
exits "hidden recipient without a key, opportunistic: encrypted + clear" 0 2
nn=$(call_for nokey@example.org)
if [ -n "$nn" ] && ! grep -q 'BEGIN PGP MESSAGE' "$T/sm/$nn.msg" &&
    grep -q 'under the mat' "$T/sm/$nn.msg"; then
	ok "... nokey's copy is the clear one"
else
	not_ok "... nokey's copy is the clear one" "$T/err"
fi
# the clear copy must not tell nokey who else got it hidden; all else
# stays as it came
if [ -n "$nn" ] && ! grep -qi '^bcc:' "$T/sm/$nn.msg" &&
    grep -q '^Subject: the key$' "$T/sm/$nn.msg" &&
    grep -q '^To: Bob <bob@example.org>$' "$T/sm/$nn.msg" &&
    [ "$(sed '1,/^$/d' "$T/sm/$nn.msg")" = "$(sed '1,/^$/d' "$T/m1.eml")" ]
then
	ok "... the clear copy has no Bcc field, the rest as it came"
else
	not_ok "... the clear copy has no Bcc field, the rest as it came" \
	    "$T/sm/$nn.msg"
fi
fm "$T/req.conf" bob@example.org nokey@example.org <"$T/m1.eml"
exits "hidden recipient without a key, require: refused (67), no copy" 67 0

# hidden and clear and named: bob named, carol hidden, nokey clear
fm "$T/base.conf" bob@example.org carol@example.org nokey@example.org \
    <"$T/m1.eml"
exits "named, hidden and clear recipients: three copies" 0 3

# ------------------------------------------------------------ resent

# a resent message: its newest Resent-To and Resent-Cc name the readers
printf 'the key is under the mat.\n' | msg "$T/rs.eml" \
    'Resent-From: dan@example.org' 'Resent-To: carol@example.org' \
    'Resent-Date: Sat, 5 Dec 2026 10:00:00 +0000' \
    'Resent-From: erin@example.org' 'Resent-To: ivan+work@example.org' \
    'Resent-Date: Fri, 4 Dec 2026 10:00:00 +0000' \
    'From: alice@example.org' 'To: bob@example.org'
fm "$T/base.conf" carol@example.org bob@example.org <"$T/rs.eml"
exits "resent to carol (Resent-To), bob in the original To: two copies" 0 2
nc=$(call_for carol@example.org)
asc "${nc:-0}" rc
is "... carol's copy has her keys alone" "$(keyids rc)" "$C"
if logline | grep -q 'to=<bob@example.org> key=[0-9A-F,]* copy=own'; then
	ok "... bob, named only in the original To, has a copy of his own"
else
	not_ok "... bob, named only in the original To, has a copy of his own" \
	    "$T/err"
fi
fm "$T/base.conf" carol@example.org ivan+work@example.org <"$T/rs.eml"
exits "an older resent block names nobody of this transmission" 0 2

# ------------------------------------------------------------ many

# 40 hidden recipients (bob's +tags, his key by the tag fallback): 41
# copies, kept open together; a soft open-file limit of 32 is raised,
# a hard one of 32 is a retry with one line saying why
conf tag "default_policy = opportunistic" "recipient_delimiter = +"
R=$(seq 1 40 | sed 's/^/bob+/; s/$/@example.org/' | tr '\n' ' ')
# shellcheck disable=SC2086
(ulimit -Sn 32 && fm "$T/tag.conf" bob@example.org $R <"$T/m1.eml";
    echo "$rc" >"$T/rc")
rc=$(cat "$T/rc")
exits "40 hidden recipients, ulimit -Sn 32: 41 copies" 0 41
n7=$(call_for bob+7@example.org)
asc "${n7:-0}" b7
is "... bob+7's copy: for him alone, his key ID shown" \
    "$(rcpts "${n7:-0}")|$(keyids b7)" "bob+7@example.org|$B"
# shellcheck disable=SC2086
(ulimit -n 32 && fm "$T/tag.conf" bob@example.org $R <"$T/m1.eml";
    echo "$rc" >"$T/rc")
rc=$(cat "$T/rc")
if [ "$rc" -eq 75 ] && [ "$(calls)" -eq 0 ] &&
    grep -q 'need more open files than the limit' "$T/err"; then
	ok "... a hard limit of 32: 75, nothing handed over, says why"
else
	not_ok "... a hard limit of 32: exit $rc (want 75), $(calls) calls" \
	    "$T/err"
fi

# ------------------------------------------------------------ --stdout

printf 'the key is under the mat.\n' | msg "$T/bcc1.eml" \
    'From: alice@example.org' 'To: list@example.net'
fm "$T/base.conf" --stdout carol@example.org <"$T/bcc1.eml"
if [ "$rc" -eq 0 ] && grep -q 'BEGIN PGP MESSAGE' "$T/out"; then
	sed -n '/^-----BEGIN PGP MESSAGE-----/,/^-----END PGP MESSAGE-----/p' \
	    "$T/out" >"$T/so.asc"
	is "--stdout, one hidden recipient only: one message, her keys shown" \
	    "$(keyids so)" "$C"
else
	not_ok "--stdout, one hidden recipient only: one message" "$T/err"
fi
fm "$T/base.conf" --stdout bob@example.org carol@example.org <"$T/m1.eml"
if [ "$rc" -eq 69 ] && [ ! -s "$T/out" ] &&
    grep -q 'copy of its own; that is 2 messages' "$T/err"; then
	ok "--stdout, named and hidden: 69, nothing written, says why"
else
	not_ok "--stdout, named and hidden: exit $rc (want 69)" "$T/err"
fi

# ------------------------------------------------------------ hand-off

# the third copy's hand-off fails: a retry, the result says so
SM_FAIL=3 fm "$T/base.conf" bob@example.org carol@example.org \
    ivan+work@example.org <"$T/m1.eml"
if [ "$rc" -eq 75 ] &&
    logline | grep -q 'result=deferred (2 of 3 copies were handed over; the retry sends them again)'
then
	ok "a failed third hand-off: 75, the log says 2 of 3 were handed over"
else
	not_ok "a failed third hand-off: exit $rc (want 75)" "$T/err"
fi

# ------------------------------------------------------------ encrypt

# mailseal encrypt writes one message: carol (Bcc) is a hidden recipient
ms "$T/e.eml" "$T/err" encrypt --homedir "$GNUPGHOME" "$T/m1.eml"
sed -n '/^-----BEGIN PGP MESSAGE-----/,/^-----END PGP MESSAGE-----/p' \
    "$T/e.eml" >"$T/e.asc"
is "encrypt, To bob, Bcc carol: bob's key ID shown, carol's two hidden" \
    "$(keyids e)" "0000000000000000 0000000000000000 $B"
if reads gpg carol2 e; then
	ok "... gpg decrypts it as a hidden recipient (tries each secret key)"
else
	not_ok "... gpg decrypts it as a hidden recipient" "$T/e.gpg.carol2.err"
fi
if have rnp; then
	if reads rnp carol1 e; then
		not_ok "... rnp decrypts hidden recipients: mailseal(1) says it cannot"
	else
		ok "... rnp cannot decrypt a hidden recipient (as mailseal(1) says)"
	fi
else
	skip "... rnp and hidden recipients" "rnp is not installed"
fi
if have sqop; then
	# carol1 and carol2 are the two hidden ones: sqop tries the first
	# zero key ID only, so one of the two keys fails
	_a=0 _b=0
	reads sqop carol1 e && _a=1
	reads sqop carol2 e && _b=1
	if [ $((_a + _b)) -eq 1 ]; then
		ok "... sqop decrypts only the first of two hidden ones (as mailseal(1) says)"
	else
		not_ok "... sqop and two hidden recipients: carol1 $_a carol2 $_b (want one)"
	fi
else
	skip "... sqop and hidden recipients" "sqop is not installed"
fi

# ------------------------------------------------------------ smtpd

smtpd_part() {
	S=$T/srv
	mkdir -p "$S/sink" "$S/tmp"
	H=$S/g
	mkdir -m 700 "$H"
	for _k in bob carol1 carol2 ivan; do
		gpg --homedir "$H" --batch --quiet --import \
		    "$KEYS/$_k.pub.asc" 2>/dev/null
	done
	gpg --homedir "$H" --batch --check-trustdb >/dev/null 2>&1
	"$PYTHON" "$MAILSEAL_SRCDIR/tests/smtp_sink.py" "$S/sink" 120 &
	sinkpid=$!
	i=0
	while [ ! -s "$S/sink/port" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ ! -s "$S/sink/port" ]; then
		skip "smtpd: 250 names every queue ID" "the SMTP sink did not start"
		return
	fi
	lport=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	user=
	if [ "$(id -u)" -eq 0 ]; then
		user=nobody
		chmod 755 "$T"
		chown -R "$user" "$S"
	fi
	cat >"$T/smtpd.conf" <<CONF
homedir = $H
gateway_id = gw1.test
default_policy = opportunistic
listen = 127.0.0.1:$lport
reinject = 127.0.0.1:$(cat "$S/sink/port")
smtpd_workers = 1
timeout = 30
log = stderr
${user:+smtpd_user = $user}
CONF
	TMPDIR=$S/tmp "$MAILSEAL" smtpd -c "$T/smtpd.conf" 2>"$T/slog" &
	srvpid=$!
	i=0
	while ! "$PYTHON" -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' \
	    "$lport" 2>/dev/null; do
		if ! kill -0 "$srvpid" 2>/dev/null || [ $i -ge 100 ]; then
			not_ok "smtpd starts" "$T/slog"
			return
		fi
		sleep 0.1
		i=$((i + 1))
	done
	"$PYTHON" - "$lport" "$T/m1.eml" >"$T/sout" 2>"$T/serr" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60)
s.ehlo("client.test")
s.mail("alice@example.org")
for a in ("bob@example.org", "carol@example.org", "ivan+work@example.org",
          "nokey@example.org"):
    s.rcpt(a)
data = open(sys.argv[2], "rb").read().replace(b"\n", b"\r\n")
r = s.data(data)
print("%d %s" % (r[0], r[1].decode()))
s.quit()
PY
	# the sink's queue IDs are the numbers 1, 2, ...: four copies
	if grep -q '^250 2.0.0 Ok: queued as [0-9]* [0-9]* [0-9]* [0-9]*$' \
	    "$T/sout"; then
		ok "smtpd: the 250 names the four copies' queue IDs"
	else
		not_ok "smtpd: the 250 names the four copies' queue IDs" \
		    "$T/sout" "$T/serr" "$T/slog"
	fi
	q=$(sed -n 's/^250 2.0.0 Ok: queued as //p' "$T/sout")
	e=$(echo "$q" | cut -d' ' -f1-3 | tr ' ' ',')
	p=$(echo "$q" | cut -d' ' -f4)
	if grep -q " queued_encrypted=$e queued=$p " "$T/slog"; then
		ok "smtpd: the log line names them too (queued_encrypted=$e queued=$p)"
	else
		not_ok "smtpd: the log line names them too" "$T/slog"
	fi
	n=$(ls "$S/sink" | grep -c '\.eml$')
	is "smtpd: the next hop got four messages" "$n" 4
	kill "$srvpid" 2>/dev/null
	wait "$srvpid" 2>/dev/null
	srvpid=
	kill "$sinkpid" 2>/dev/null
	sinkpid=
	gpgconf --homedir "$H" --kill all >/dev/null 2>&1
}
srvpid=
sinkpid=
_bcc_cleanup() {
	[ -n "$srvpid" ] && kill "$srvpid" 2>/dev/null
	[ -n "$sinkpid" ] && kill "$sinkpid" 2>/dev/null
	_lib_cleanup
}
trap _bcc_cleanup EXIT
smtpd_part

done_testing
