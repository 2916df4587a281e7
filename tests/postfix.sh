#!/bin/sh
# postfix.sh - mailseal filter behind a real Postfix, and the procmail
# recipes run by Postfix's local(8): what arrives in the Maildirs, what
# bounces, what waits in the queue.  TAP.
#
# It runs only as root, with postfix, swaks and procmail installed.  The
# Postfix it uses is a private instance of its own (tests/pflib.sh), and
# the machine's Postfix is neither stopped nor reconfigured:
#  - "postfix -c $T/pf/etc": its own main.cf and master.cf, queue,
#    data directory and log file ($T/pf/postfix.log), nothing chrooted,
#    started and stopped by this script (at exit, whatever happens)
#  - two listeners on 127.0.0.1, on ports chosen free at run time (never
#    25, so a system Postfix or a second run does not collide): one
#    unfiltered ($P_PLAIN), one ($P_FILTER) with
#    "-o content_filter=mailseal:dummy", a pipe(8) service that runs
#    "$MAILSEAL filter" (a copy in $T/bin) as the test's filter user; its
#    re-injection (/usr/sbin/sendmail) reaches this instance through the
#    MAIL_CONFIG that pipe(8) passes on
#  - the one change to the system's files: $T/pf/etc is added to
#    alternate_config_directories in the system's main.cf (sendmail run
#    by an unprivileged user refuses another instance without it) and
#    taken out again at the end
#  - the test checks that the system's main.cf (but for that line),
#    master.cf, /etc/mailname, /etc/aliases and the PID of a running
#    system Postfix master (or that none runs) are the same while its
#    instance runs and after it stopped
# The test's users are made for this run only (ms<R><role>, R random,
# homes under $T; removed at exit):
#      alice  sender of the test mail, gets the bounces
#      bob    key bob, policy opportunistic (the default)
#      carol  keys carol1 and carol2, policy require
#      oscar  no key, opportunistic
#      trent  no key, require
#      victor no key, a certificate only (issue 12, row 11): S/MIME
#      gw     the filter user; its GnuPG home ($T/gw) holds the public
#             keys of bob, carol1 and carol2, with ultimate ownertrust so
#             that their user IDs are valid
#  - ROLE@example.org is an alias ($T/pf/etc/aliases) of user ms<R>ROLE
#  - ms<R>enc and ms<R>dec get their mail through ~/.forward and procmail
#    with contrib/procmailrc.encrypt and contrib/procmailrc.decrypt as
#    shipped (procmailrc.encrypt encrypts to $LOGNAME@example.org)
#  - the pipe service keeps Postfix's default recipient limit, so one
#    call of mailseal gets every recipient of a message (rows 4)
#
# Mail is sent with swaks --data; every wait is a poll of at most 10 s.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

PATH=$PATH:/usr/sbin:/sbin
export PATH
[ "$(id -u)" -eq 0 ] || skip_all "needs root: it runs a Postfix instance"
require_tools postfix postconf postqueue postsuper postalias swaks procmail \
    useradd userdel runuser sha256sum flock
. "$MAILSEAL_SRCDIR/tests/pflib.sh"
getent passwd "$PF_OWNER" >/dev/null && getent group "$PF_GROUP" >/dev/null ||
    skip_all "no user $PF_OWNER or group $PF_GROUP (Postfix's mail_owner)"
umask 022

A=$(fpr alice)
# R names this run's users: random, so that two runs never share one
R=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
ID=$R.$$
ROLES="alice bob carol oscar trent victor enc dec"
ENC=ms${R}enc
DEC=ms${R}dec
MADE=

# the system's Postfix before anything else happens
pf_sys_state "$T/sys.before"
ACD_BEFORE=$(postconf -c "$SYS_PFC" -h alternate_config_directories 2>/dev/null)

# ------------------------------------------------------------ helpers

# user ROLE - the name of this run's user ROLE
user() {
	echo "ms$R$1"
}

# home ROLE - the home directory of ROLE's user
home() {
	getent passwd "$(user "$1")" | cut -d: -f6
}

# as ROLE CMD [ARG...] - run CMD as ROLE's user
as() {
	_u=$(user "$1")
	shift
	runuser -u "$_u" -- env -u GNUPGHOME "$@"
}

# our_queue - the queue IDs of the instance's queue
our_queue() {
	pfq -j 2>/dev/null |
	    sed -n 's/.*"queue_id": *"\([0-9A-Za-z]*\)".*/\1/p'
}

# sys_same DESC - the system's Postfix is as it was before the test
sys_same() {
	pf_sys_state "$T/sys.now"
	if cmp -s "$T/sys.before" "$T/sys.now"; then
		ok "$1"
	else
		diff "$T/sys.before" "$T/sys.now" >"$T/why"
		not_ok "$1" "$T/why"
	fi
}

cleanup() {
	pf_stop
	pf_disallow
	for r in $ROLES gw; do
		case " $MADE " in *" $r "*) ;; *) continue ;; esac
		for g in "$(home "$r")/.gnupg" "$T/gw"; do
			[ -d "$g" ] && as "$r" gpgconf --homedir "$g" \
			    --kill all >/dev/null 2>&1
		done
		# a stopped agent may linger a moment (as a zombie): userdel
		# refuses a user that still has a process
		_i=0
		until userdel -r "$(user "$r")" >/dev/null 2>&1 ||
		    [ $_i -ge 50 ]; do
			sleep 0.2
			_i=$((_i + 1))
		done
	done
	_lib_cleanup
}
trap cleanup EXIT

# send PORT FROM TO FILE - hand FILE to Postfix with swaks; $QID is the
# queue ID it got, or empty.  swaks ends the data with CRLF "." CRLF
# after the file's last line end, which adds an empty line, unless the
# file ends with a "." line of its own: so one is added here.
send() {
	_port=$1 _from=$2 _to=$3
	{ cat "$4"; echo .; } >"$T/swaks.data"
	swaks --server 127.0.0.1:"$_port" --from "$_from" --to "$_to" \
	    --data "$T/swaks.data" >"$T/swaks.out" 2>&1
	QID=$(sed -n 's/.*250 2.0.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' \
	    "$T/swaks.out" | tail -n 1)
	[ -n "$QID" ] || diag "swaks to $_to: $(tail -n 3 "$T/swaks.out")"
}

# find_mail WHO MSGID - the files in WHO's Maildir/new holding MSGID
find_mail() {
	grep -lsF "Message-ID: <$2>" "$(home "$1")/Maildir/new/"* 2>/dev/null
}

# wait_mail WHO MSGID - wait (at most 10 s) for MSGID in WHO's Maildir;
# $M is the file (or /dev/null)
wait_mail() {
	_i=0
	while [ $_i -lt 100 ]; do
		M=$(find_mail "$1" "$2" | head -n 1)
		[ -n "$M" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	M=/dev/null
	return 1
}

# count_mail WHO MSGID - how many files in WHO's Maildir hold MSGID
count_mail() {
	find_mail "$1" "$2" | wc -l
}

# header_without FILE NAME... - the header of FILE without the fields
# NAME (and their continuation lines)
header_without() {
	_f=$1
	shift
	sed '/^$/q' "$_f" | awk -v drop=" $(echo "$*" | tr 'A-Z' 'a-z') " '
	    /^$/ { exit }
	    /^[ \t]/ { if (!skip) print; next }
	    { k = tolower($0); sub(/:.*/, "", k)
	      skip = index(drop, " " k " ") > 0; if (!skip) print }'
}

# ctype FILE - the media type of FILE
ctype() {
	field "$1" Content-Type | sed -n '1{s/;.*//;p;}' | tr 'A-Z' 'a-z'
}

# decrypts_to KEY FILE ORIG - FILE is PGP/MIME, and gpg with KEY's
# secret key alone decrypts it to the entity mailseal encrypts for ORIG
decrypts_to() {
	"$PYTHON" "$CHECK_PGPMIME" armor "$2" >"$T/dec.asc" 2>"$T/why" &&
	    "$PYTHON" "$CHECK_PGPMIME" inner "$3" >"$T/dec.want" &&
	    gpg_dec_only "$1" "$T/dec.asc" "$T/dec.got" &&
	    cmp "$T/dec.want" "$T/dec.got" >>"$T/why" 2>&1
}

# clear_ok DESC FILE ORIG - FILE holds ORIG as it was sent: its header
# fields in their order (after the fields Postfix and mailseal add) and
# its body, byte for byte; the marker field is there
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

# encrypted_ok DESC FILE ORIG KEY... - FILE is multipart/encrypted with
# the marker, without ORIG's body in clear, and each KEY decrypts it
encrypted_ok() {
	_d=$1 _f=$2 _o=$3
	shift 3
	: >"$T/why"
	_ok=yes
	[ "$(ctype "$_f")" = multipart/encrypted ] ||
	    { echo "not multipart/encrypted" >>"$T/why"; _ok=no; }
	[ "$(field "$_f" X-Mailseal-Gateway | sed "s/;.*//")" = "$GW" ] ||
	    { echo "no marker field '$GW'" >>"$T/why"; _ok=no; }
	if grep -qF "$SECRET" "$_f"; then
		echo "the body is in clear" >>"$T/why"
		_ok=no
	fi
	for _k in "$@"; do
		decrypts_to "$_k" "$_f" "$_o" ||
		    { echo "$_k's key does not decrypt it to the original" \
		    >>"$T/why"; _ok=no; }
	done
	if [ $_ok = yes ]; then
		ok "$_d"
	else
		not_ok "$_d" "$T/why" "$T/dec.got.err" "$_f"
	fi
}

# mkmsg FILE TO MSGID SUBJECT - a plain UTF-8 test message from alice
SECRET="The launch code is 0000."
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

# ------------------------------------------------------------ set-up


# ------------------------------------------------------------ set-up

# $T holds the binary, the configuration, the gateway's keyring and the
# users' homes: they must reach them
chmod 755 "$T"
mkdir -m 755 "$T/bin" "$T/etc" "$T/home"
cp "$MAILSEAL" "$T/bin/mailseal"
chmod 755 "$T/bin/mailseal"
GW=mailseal-test

for r in $ROLES gw; do
	if getent passwd "$(user "$r")" >/dev/null; then
		skip_all "user $(user "$r") exists already"
	fi
done
for r in $ROLES; do
	useradd -m -d "$T/home/$r" -s /usr/sbin/nologin "$(user "$r")" \
	    2>>"$T/setup.err" || skip_all "useradd $(user "$r") failed"
	MADE="$MADE $r"
done
useradd --system -M -d /nonexistent -s /usr/sbin/nologin "$(user gw)" \
    2>>"$T/setup.err" || skip_all "useradd $(user gw) failed"
MADE="$MADE gw"

# root's copy of the test keyring ($GNUPGHOME), for mailseal encrypt
ms_home

# the gateway's keyring
install -d -o "$(user gw)" -g "$(id -gn "$(user gw)")" -m 700 "$T/gw"
for k in bob carol1 carol2; do
	as gw gpg --homedir "$T/gw" --batch --quiet --import \
	    <"$KEYS/$k.pub.asc" 2>>"$T/setup.err"
	echo "$(fpr $k):6:"
done >"$T/trust"
as gw gpg --homedir "$T/gw" --batch --quiet --import-ownertrust \
    <"$T/trust" 2>>"$T/setup.err"
# S/MIME (issue 12): victor has a certificate and no OpenPGP key; the
# gateway's gpgsm home (the same homedir) gets it with the test root in
# trustlist.txt and the CRLs (tests/mkcerts.sh); without openssl or
# gpgsm, row 11 is skipped
HAVE_CERTS=no
if have openssl && have gpgsm && have dirmngr; then
	[ -d "$CERTS/home" ] ||
	    sh "$MAILSEAL_SRCDIR/tests/mkcerts.sh" "$CERTS" >>"$T/setup.err" 2>&1
	if [ -d "$CERTS/home" ]; then
		as gw gpgsm --homedir "$T/gw" --batch --no-tty --import \
		    <"$CERTS/all.pem" >>"$T/setup.err" 2>&1
		cp -R "$CERTS/home/crls.d" "$CERTS/home/trustlist.txt" "$T/gw/"
		chown -R "$(user gw)" "$T/gw/crls.d" "$T/gw/trustlist.txt"
		HAVE_CERTS=yes
	fi
fi

cat >"$T/etc/mailseal.conf" <<EOC
# tests/postfix.sh: the gateway behind the filtered port
homedir = $T/gw
default_policy = opportunistic
policy_map = $T/etc/policy
gateway_id = $GW
EOC
cat >"$T/etc/policy" <<EOC
carol@example.org	require
trent@example.org	require
EOC
chmod 644 "$T/etc/mailseal.conf" "$T/etc/policy"

# procmail users: enc keeps its mail encrypted to its own key (made
# here), dec decrypts with bob's secret key and trusts alice's key
EH=$T/enckey
mkdir -m 700 "$EH"
_ms_homes="$_ms_homes $EH"
gpg --homedir "$EH" --batch --quiet --passphrase '' --quick-gen-key \
    "Enc <$ENC@example.org>" future-default default never 2>>"$T/setup.err"
gpg --homedir "$EH" --batch --armor --export "$ENC@example.org" >"$T/enc.pub"
E=$(gpg --homedir "$EH" --batch --with-colons --fingerprint "$ENC@example.org" |
    awk -F: '/^fpr/ { print $10; exit }')
for r in enc dec; do
	h=$(home $r)
	install -d -o "$(user $r)" -m 700 "$h/.gnupg" "$h/bin"
	ln -s "$T/bin/mailseal" "$h/bin/mailseal"
	echo '"|/usr/bin/procmail"' >"$h/.forward"
	chown -h "$(user $r)" "$h/bin/mailseal" "$h/.forward"
done
cp "$MAILSEAL_SRCDIR/contrib/procmailrc.encrypt" "$(home enc)/.procmailrc"
cp "$MAILSEAL_SRCDIR/contrib/procmailrc.decrypt" "$(home dec)/.procmailrc"
chown "$ENC" "$(home enc)/.procmailrc"
chown "$DEC" "$(home dec)/.procmailrc"
as enc gpg --batch --quiet --import <"$T/enc.pub" 2>>"$T/setup.err"
echo "$E:6:" | as enc gpg --batch --quiet --import-ownertrust \
    2>>"$T/setup.err"
as dec gpg --batch --quiet --import <"$KEYS/bob.sec.asc" 2>>"$T/setup.err"
as dec gpg --batch --quiet --import <"$KEYS/alice.pub.asc" 2>>"$T/setup.err"
echo "$A:6:" | as dec gpg --batch --quiet --import-ownertrust \
    2>>"$T/setup.err"

# the private Postfix: pflib.sh's main.cf (as shared/docs/MTA-RECIPES.md
# 1.2: example.org is local, home_mailbox = Maildir/), its aliases, and
# the listeners and the pipe service as mailseal-setup(7) has them
# shellcheck disable=SC2046
set -- $(pf_ports 2)
P_PLAIN=$1 P_FILTER=$2
pf_new "$T/pf" 2>>"$T/setup.err" ||
    skip_all "cannot make the instance in $T/pf"
for r in alice bob carol oscar trent victor; do
	echo "$r: $(user $r)"
done >"$PFC/aliases"
postalias -c "$PFC" "$PFC/aliases"
for p in $P_PLAIN $P_FILTER; do
	postconf -c "$PFC" -M \
	    "127.0.0.1:$p/inet=127.0.0.1:$p inet n - n - - smtpd"
done
postconf -c "$PFC" -P \
    "127.0.0.1:$P_FILTER/inet/content_filter=mailseal:dummy"
postconf -c "$PFC" -M "mailseal/unix=mailseal unix - n n - 10 pipe flags=Rq \
user=$(user gw) null_sender= argv=$T/bin/mailseal filter \
-c $T/etc/mailseal.conf -q \${queue_id} -f \${sender} -- \${recipient}"
# the rule mailseal-setup(7) gives to join the filter's two transactions
echo '/^X-Mailseal-Gateway:/ INFO' >"$PFC/mailseal_header_checks"
postconf -c "$PFC" -e "header_checks = regexp:$PFC/mailseal_header_checks"
pf_allow

if ! pf_start "$P_PLAIN" "$P_FILTER"; then
	not_ok "the test's Postfix listens on 127.0.0.1:$P_PLAIN and :$P_FILTER" \
	    "$PFD/start.out" "$T/setup.err"
	done_testing
fi
ok "the test's Postfix listens on 127.0.0.1:$P_PLAIN and :$P_FILTER"
sys_same "while it runs, the system's Postfix is as it was (main.cf but \
alternate_config_directories, master.cf, its master process)"

# ------------------------------------------------------------ plain port

mkmsg "$T/p25.eml" "Bob <bob@example.org>" "p25.$ID@example.org" \
    "plain port"
send "$P_PLAIN" alice@example.org bob@example.org "$T/p25.eml"
wait_mail bob "p25.$ID@example.org"
is "plain port (no filter): delivered in clear to ~bob, without the marker" \
    "$(ctype "$M")|$(field "$M" X-Mailseal-Gateway)" "text/plain|" "$M"

# ------------------------------------------------------------ 1
ROW1=r1.$ID@example.org
mkmsg "$T/r1.eml" "Bob <bob@example.org>" "$ROW1" "row 1"
send "$P_FILTER" alice@example.org bob@example.org "$T/r1.eml"
wait_mail bob "$ROW1"
encrypted_ok "1. to bob (opportunistic, has a key): PGP/MIME with the marker, bob's key decrypts it to the original" \
    "$M" "$T/r1.eml" bob
Q1=$QID
# cleanup logs the copy's marker, with the original queue ID, under the
# copy's own queue ID, which is the one that delivered to bob
Q1NEW=$(grep -F "info: header X-Mailseal-Gateway: " "$PFLOG" 2>/dev/null |
    grep -F "queue-id=$Q1 " | sed -n 's/.*\]: \([0-9A-Za-z]*\): info: header.*/\1/p' |
    head -n 1)
if [ -n "$Q1" ] && [ -n "$Q1NEW" ] && [ "$Q1NEW" != "$Q1" ] &&
    pf_log_of "$Q1NEW" | grep -q 'to=<bob@example.org>.*status=sent'; then
	ok "1. the header_checks INFO rule joins the two transactions: $Q1 -> $Q1NEW (delivered to bob)"
else
	not_ok "1. the header_checks INFO rule joins the two transactions ($Q1 -> '$Q1NEW')" "$PFLOG"
fi

ROW1C=r1c.$ID@example.org
mkmsg "$T/r1c.eml" "Carol <carol@example.org>" "$ROW1C" "row 1 carol"
send "$P_FILTER" alice@example.org carol@example.org "$T/r1c.eml"
wait_mail carol "$ROW1C"
encrypted_ok "1. to carol (require, two keys): PGP/MIME, each of her keys decrypts it" \
    "$M" "$T/r1c.eml" carol1 carol2

# ------------------------------------------------------------ 2
ROW2=r2.$ID@example.org
mkmsg "$T/r2.eml" "Oscar <oscar@example.org>" "$ROW2" "row 2"
send "$P_FILTER" alice@example.org oscar@example.org "$T/r2.eml"
wait_mail oscar "$ROW2"
clear_ok "2. to oscar (opportunistic, no key): header and body as sent, plus the marker" \
    "$M" "$T/r2.eml"

# ------------------------------------------------------------ 3
ROW3=r3.$ID@example.org
mkmsg "$T/r3.eml" "Trent <trent@example.org>" "$ROW3" "row 3"
send "$P_FILTER" alice@example.org trent@example.org "$T/r3.eml"
Q3=$QID
if wait_mail alice "$ROW3"; then
	if [ "$(field "$M" From | grep -ci mailer-daemon)" -ge 1 ] &&
	    grep -q '5\.7\.1' "$M"; then
		ok "3. to trent (require, no key): alice gets a bounce that says 5.7.1"
	else
		not_ok "3. to trent (require, no key): alice gets a bounce that says 5.7.1" "$M"
	fi
else
	pf_log_of "$Q3" >"$T/why"
	not_ok "3. to trent (require, no key): alice gets a bounce that says 5.7.1" \
	    "$T/why"
fi
is "3. ... nothing for trent in his Maildir" "$(count_mail trent "$ROW3")" 0
pf_log_of "$Q3" >"$T/r3.log"
if grep -q 'status=bounced .*no usable OpenPGP key' "$T/r3.log" &&
    grep -q 'dsn=5\.7\.1' "$T/r3.log"; then
	ok "3. ... the log: dsn=5.7.1, status=bounced, no usable OpenPGP key"
else
	not_ok "3. ... the log: dsn=5.7.1, status=bounced, no usable OpenPGP key" \
	    "$T/r3.log"
fi

# the policy map's "trent@example.org require" holds for trent+TAG@ and
# in any case: envelope addresses are not folded on the way to mailseal
ROW3B=r3b.$ID@example.org
mkmsg "$T/r3b.eml" "Trent <trent@example.org>" "$ROW3B" "row 3b"
send "$P_FILTER" alice@example.org trent+news@example.org "$T/r3b.eml"
Q3B=$QID
send "$P_FILTER" alice@example.org TRENT@Example.ORG "$T/r3b.eml"
Q3C=$QID
_i=0
while [ $_i -lt 100 ]; do
	{ pf_log_of "$Q3B"; pf_log_of "$Q3C"; } >"$T/r3b.log"
	[ "$(grep -c 'status=' "$T/r3b.log")" -ge 2 ] && break
	sleep 0.1
	_i=$((_i + 1))
done
if [ "$(grep -c 'dsn=5\.7\.1, status=bounced' "$T/r3b.log")" -eq 2 ] &&
    [ "$(count_mail trent "$ROW3B")" -eq 0 ]; then
	ok "3. trent+news@example.org and TRENT@Example.ORG: refused (5.7.1) as well, nothing for trent"
else
	echo "copies in ~trent: $(count_mail trent "$ROW3B")" >"$T/why"
	not_ok "3. trent+news@example.org and TRENT@Example.ORG: refused (5.7.1) as well, nothing for trent" \
	    "$T/why" "$T/r3b.log"
fi

# ------------------------------------------------------------ 4
ROW4=r4.$ID@example.org
mkmsg "$T/r4.eml" "Bob <bob@example.org>, Oscar <oscar@example.org>" \
    "$ROW4" "row 4"
send "$P_FILTER" alice@example.org bob@example.org,oscar@example.org "$T/r4.eml"
wait_mail bob "$ROW4"
encrypted_ok "4. to bob and oscar at once: bob's copy is encrypted to him" \
    "$M" "$T/r4.eml" bob
wait_mail oscar "$ROW4"
clear_ok "4. ... oscar's copy is as sent" "$M" "$T/r4.eml"
sleep 0.3
is "4. ... one copy each" \
    "$(count_mail bob "$ROW4") $(count_mail oscar "$ROW4")" "1 1"

# carol is a hidden (Bcc) recipient: a copy of her own, encrypted to
# both of her keys alone; bob's copy does not name carol's keys
ROW4B=r4b.$ID@example.org
mkmsg "$T/r4b.eml" "Bob <bob@example.org>" "$ROW4B" "row 4b"
send "$P_FILTER" alice@example.org bob@example.org,carol@example.org "$T/r4b.eml"
wait_mail carol "$ROW4B"
encrypted_ok "4. to bob, and carol as Bcc: carol's copy is encrypted, each of her keys decrypts it" \
    "$M" "$T/r4b.eml" carol1 carol2
"$PYTHON" "$CHECK_PGPMIME" armor "$M" >"$T/r4c.asc" 2>/dev/null
if [ -s "$T/r4c.asc" ] &&
    ! pkesk_keyids "$T/r4c.asc" | grep -qi "$(subkey_ids bob)"; then
	ok "4. ... her copy of her own names no key of bob's"
else
	not_ok "4. ... her copy of her own names no key of bob's" "$T/r4c.asc"
fi
wait_mail bob "$ROW4B"
encrypted_ok "4. ... and so is bob's" "$M" "$T/r4b.eml" bob
"$PYTHON" "$CHECK_PGPMIME" armor "$M" >"$T/r4b.asc" 2>/dev/null
pkesk_keyids "$T/r4b.asc" | sort >"$T/r4b.ids"
for k in carol1 carol2; do
	subkey_ids $k
done >"$T/r4b.carol"
if [ -s "$T/r4b.carol" ] && [ -s "$T/r4b.ids" ] &&
    ! grep -qiFf "$T/r4b.carol" "$T/r4b.ids" &&
    grep -qi "$(subkey_ids bob)" "$T/r4b.ids"; then
	ok "4. ... the message names bob's key, not carol's"
else
	not_ok "4. ... the message names bob's key, not carol's" "$T/r4b.ids" \
	    "$T/r4b.carol"
fi

# ------------------------------------------------------------ 5
ROW5=r5.$ID@example.org
mkmsg "$T/r5.plain" "Bob <bob@example.org>" "$ROW5" "row 5"
"$MAILSEAL" encrypt -r bob@example.org "$T/r5.plain" >"$T/r5.eml" \
    2>"$T/err" || diag "mailseal encrypt failed: $(cat "$T/err")"
send "$P_FILTER" alice@example.org bob@example.org "$T/r5.eml"
wait_mail bob "$ROW5"
body "$M" >"$T/got.body"
body "$T/r5.eml" >"$T/want.body"
if [ -s "$T/want.body" ] && cmp "$T/want.body" "$T/got.body" >"$T/why" 2>&1
then
	ok "5. already encrypted mail to bob: the body arrives byte for byte"
else
	not_ok "5. already encrypted mail to bob: the body arrives byte for byte" \
	    "$T/why" "$M"
fi
is "5. ... one copy, multipart/encrypted" \
    "$(count_mail bob "$ROW5") $(ctype "$M")" "1 multipart/encrypted" "$M"

# ------------------------------------------------------------ 6
ROW6=r6.$ID@example.org
mkmsg "$T/r6.eml" "Bob <bob@example.org>" "$ROW6" "row 6"
send "$P_FILTER" '<>' bob@example.org "$T/r6.eml"
wait_mail bob "$ROW6"
encrypted_ok "6. null sender to bob: encrypted" "$M" "$T/r6.eml" bob
is "6. ... Return-Path: <>" "$(field "$M" Return-Path)" "<>" "$M"

# ------------------------------------------------------------ 7
# the gateway's keyring unreadable: a key lookup that fails is no
# "no key", even for an opportunistic recipient
ROW7=r7.$ID@example.org
mkmsg "$T/r7.eml" "Bob <bob@example.org>" "$ROW7" "row 7"
chmod 000 "$T/gw"
send "$P_FILTER" alice@example.org bob@example.org "$T/r7.eml"
Q7=$QID
if pf_wait_deferred "$Q7"; then
	ok "7. gateway keyring unreadable: the message to bob is deferred"
else
	pf_log_of "$Q7" >"$T/why"
	echo "queue state: $(pf_queue_state "$Q7")" >>"$T/why"
	not_ok "7. gateway keyring unreadable: the message to bob is deferred" \
	    "$T/why"
fi
is "7. ... not delivered, no bounce" \
    "$(count_mail bob "$ROW7") $(count_mail alice "$ROW7")" "0 0"
pf_log_of "$Q7" >"$T/r7.log"
if grep -q 'dsn=4\.[0-9.]*, status=deferred' "$T/r7.log"; then
	ok "7. ... the log: dsn=4.x.x, status=deferred"
else
	not_ok "7. ... the log: dsn=4.x.x, status=deferred" "$T/r7.log"
fi
chmod 700 "$T/gw"
pfq -i "$Q7" 2>/dev/null || pfq -f
wait_mail bob "$ROW7"
encrypted_ok "7. ... keyring readable again, postqueue -i: delivered, encrypted" \
    "$M" "$T/r7.eml" bob

# ------------------------------------------------------------ 8
ROW8=r8.$ID@example.org
mkmsg "$T/r8.eml" "$ENC@example.org" "$ROW8" "row 8"
send "$P_PLAIN" alice@example.org "$ENC@example.org" "$T/r8.eml"
wait_mail enc "$ROW8"
_why=
[ "$(ctype "$M")" = multipart/encrypted ] || _why="not multipart/encrypted"
grep -qF "$SECRET" "$M" && _why="$_why; the body is in clear"
"$PYTHON" "$CHECK_PGPMIME" armor "$M" >"$T/r8.asc" 2>"$T/why"
gpg --homedir "$EH" --batch --no-tty --quiet --decrypt "$T/r8.asc" \
    >"$T/r8.got" 2>>"$T/why" || _why="$_why; gpg cannot decrypt it"
grep -qF "$SECRET" "$T/r8.got" || _why="$_why; the plaintext lacks the body"
if [ -z "$_why" ]; then
	ok "8. procmail (procmailrc.encrypt via ~/.forward): enc's mail is stored encrypted to his key"
else
	echo "$_why" >>"$T/why"
	not_ok "8. procmail (procmailrc.encrypt via ~/.forward): enc's mail is stored encrypted to his key" \
	    "$T/why" "$M" "$(home enc)/procmail.log"
fi

# a message of its own (its Message-ID is inside the encryption too:
# header protection)
mkmsg "$T/r8d.src" "$DEC@example.org" "r8d.$ID@example.org" "row 8d"
"$MAILSEAL" encrypt -r bob@example.org --sign --signer alice@example.org \
    "$T/r8d.src" >"$T/r8d.eml" 2>"$T/err" ||
    diag "mailseal encrypt --sign failed: $(cat "$T/err")"
send "$P_PLAIN" alice@example.org "$DEC@example.org" "$T/r8d.eml"
wait_mail dec "r8d.$ID@example.org"
is "8. procmail (procmailrc.decrypt): dec gets alice's message decrypted, signature good" \
    "$(field "$M" X-Mailseal-Decryption)|$(field "$M" X-Mailseal-Signature)|$(ctype "$M")" \
    "decrypted|good; signer=$A|text/plain" "$M" "$(home dec)/procmail.log"
if grep -qF "$SECRET" "$M"; then
	ok "8. ... with its body"
else
	not_ok "8. ... with its body" "$M"
fi

# mailseal fails (no ~/.gnupg): procmail exits 75, the mail waits
ROW8F=r8f.$ID@example.org
mkmsg "$T/r8f.eml" "$ENC@example.org" "$ROW8F" "row 8 fail"
EHOME=$(home enc)
as enc gpgconf --homedir "$EHOME/.gnupg" --kill all >/dev/null 2>&1
mv "$EHOME/.gnupg" "$EHOME/.gnupg.off"
send "$P_PLAIN" alice@example.org "$ENC@example.org" "$T/r8f.eml"
Q8=$QID
if pf_wait_deferred "$Q8"; then
	ok "8. procmail, ~enc/.gnupg missing: the message is deferred"
else
	pf_log_of "$Q8" >"$T/why"
	not_ok "8. procmail, ~enc/.gnupg missing: the message is deferred" \
	    "$T/why" "$EHOME/procmail.log"
fi
is "8. ... not delivered, no bounce" \
    "$(count_mail enc "$ROW8F") $(count_mail alice "$ROW8F")" "0 0"
# mailseal (gpg) may have made a new, empty ~/.gnupg
as enc gpgconf --homedir "$EHOME/.gnupg" --kill all >/dev/null 2>&1
rm -rf "$EHOME/.gnupg"
mv "$EHOME/.gnupg.off" "$EHOME/.gnupg"
pfq -i "$Q8" 2>/dev/null || pfq -f
wait_mail enc "$ROW8F"
if [ "$(ctype "$M")" = multipart/encrypted ] && ! grep -qF "$SECRET" "$M"
then
	ok "8. ... ~/.gnupg back, postqueue -i: delivered, encrypted"
else
	not_ok "8. ... ~/.gnupg back, postqueue -i: delivered, encrypted" \
	    "$M" "$EHOME/procmail.log"
fi

# ------------------------------------------------------------ 9
# a mistake in mailseal.conf: mailseal exits 78 with a first stderr line
# "4.3.5 ...", so Postfix defers the mail (it would bounce a bare 78 as
# 5.3.5); once the file is fixed the queued message goes out encrypted
ROW9=r9.$ID@example.org
mkmsg "$T/r9.eml" "Bob <bob@example.org>" "$ROW9" "row 9"
cp "$T/etc/mailseal.conf" "$T/conf.good"
echo "default_policy = requier" >>"$T/etc/mailseal.conf"
send "$P_FILTER" alice@example.org bob@example.org "$T/r9.eml"
Q9=$QID
_i=0
while [ $_i -lt 100 ] && ! pf_log_of "$Q9" | grep -q 'status='; do
	sleep 0.1
	_i=$((_i + 1))
done
cp "$T/conf.good" "$T/etc/mailseal.conf"
if [ -n "$(pf_queue_state "$Q9")" ]; then
	pfq -i "$Q9"
	wait_mail bob "$ROW9"
fi
pf_log_of "$Q9" >"$T/r9.log"
_clear=no
for f in $(find_mail bob "$ROW9"); do
	grep -qF "$SECRET" "$f" && _clear=yes
done
_enc=no
for f in $(find_mail bob "$ROW9"); do
	grep -q 'multipart/encrypted' "$f" && _enc=yes
done
if grep -q "dsn=4\.3\.5, status=deferred.*$T/etc/mailseal.conf:[0-9]*: default_policy" \
    "$T/r9.log" && [ $_clear = no ] && [ $_enc = yes ]; then
	ok "9. mailseal.conf with a bad value: deferred (4.3.5) naming FILE:LINE; delivered encrypted once fixed"
else
	not_ok "9. mailseal.conf with a bad value: deferred (4.3.5) naming FILE:LINE; delivered encrypted once fixed" \
	    "$T/r9.log"
fi
diag "9. mailseal exit 78 became: $(sed -n 's/.*\(dsn=[^ ]* status=[a-z]*\).*/\1/p' "$T/r9.log" | head -n 1)"

# ------------------------------------------------------------ 10
# a message that already passed this gateway five times is a mail loop:
# it waits in the queue (4.4.6) and is not delivered again
ROW10=r10.$ID@example.org
mkmsg "$T/r10.plain" "Bob <bob@example.org>" "$ROW10" "row 10"
{
	for i in 1 2 3 4 5; do
		echo "X-Mailseal-Gateway: $GW"
	done
	cat "$T/r10.plain"
} >"$T/r10.eml"
send "$P_FILTER" alice@example.org bob@example.org "$T/r10.eml"
Q10=$QID
if pf_wait_deferred "$Q10" && pf_log_of "$Q10" | grep -q 'dsn=4\.4\.6, status=deferred' &&
    [ "$(count_mail bob "$ROW10")" -eq 0 ]; then
	ok "10. five markers of this gateway: mail loop, deferred with 4.4.6, not delivered"
else
	pf_log_of "$Q10" >"$T/why"
	not_ok "10. five markers of this gateway: mail loop, deferred with 4.4.6, not delivered" \
	    "$T/why"
fi
[ -n "$Q10" ] && pfs -d "$Q10" >/dev/null 2>&1

# ------------------------------------------------------------ 11
# issue 12: a recipient with a certificate only gets S/MIME, which
# openssl decrypts with his key to the entity mailseal encrypts
ROW11=r11.$ID@example.org
if [ "$HAVE_CERTS" = yes ]; then
	mkmsg "$T/r11.eml" "Victor <victor@example.org>" "$ROW11" "row 11"
	send "$P_FILTER" alice@example.org victor@example.org "$T/r11.eml"
	wait_mail victor "$ROW11"
	: >"$T/why"
	_ok=yes
	[ "$(ctype "$M")" = application/pkcs7-mime ] ||
	    { echo "not application/pkcs7-mime" >>"$T/why"; _ok=no; }
	[ "$(field "$M" X-Mailseal-Gateway | sed "s/;.*//")" = "$GW" ] ||
	    { echo "no marker field '$GW'" >>"$T/why"; _ok=no; }
	! grep -qF "$SECRET" "$M" ||
	    { echo "the body is in clear" >>"$T/why"; _ok=no; }
	"$PYTHON" "$MAILSEAL_SRCDIR/tests/smime_parts.py" enveloped "$M" \
	    "$T/r11.der" 2>>"$T/why" &&
	    cms_dec victor "$T/r11.der" "$T/r11.got" &&
	    "$PYTHON" "$CHECK_PGPMIME" inner "$T/r11.eml" >"$T/r11.want" &&
	    cmp "$T/r11.want" "$T/r11.got" >>"$T/why" 2>&1 ||
	    { echo "victor's key does not decrypt it to the original" \
	    >>"$T/why"; _ok=no; }
	if [ $_ok = yes ]; then
		ok "11. to victor (a certificate only): S/MIME with the marker, his key decrypts it to the original"
	else
		not_ok "11. to victor (a certificate only): S/MIME with the marker, his key decrypts it to the original" \
		    "$T/why" "$T/r11.got.err" "$M"
	fi
else
	skip "11. to victor (a certificate only): S/MIME" "no openssl, gpgsm or dirmngr"
fi

# ------------------------------------------------------------ the end
sleep 0.2
our_queue >"$T/left"
is "the queue holds no test mail at the end" "$(wc -l <"$T/left")" 0 \
    "$T/left"
# a re-injection that missed the instance would sit in the system's
# maildrop, as a file of the filter user
SYSQ=$(postconf -c "$SYS_PFC" -h queue_directory 2>/dev/null)
is "nothing of the test in the system's maildrop" \
    "$(find "${SYSQ:-/var/spool/postfix}/maildrop" -user "$(user gw)" \
    2>/dev/null | wc -l | tr -d ' ')" 0
for r in $ROLES; do
	as "$r" gpgconf --homedir "$(home "$r")/.gnupg" --kill all \
	    >/dev/null 2>&1
done
as gw gpgconf --homedir "$T/gw" --kill all >/dev/null 2>&1
pf_stop
if [ -n "$(pf_master)" ]; then
	not_ok "postfix -c $PFC stop: the test's Postfix is down"
else
	ok "postfix -c $PFC stop: the test's Postfix is down"
fi
pf_disallow
sys_same "after it, the system's Postfix is as it was"
# the entries of other runs side by side (/tmp/mst.*/pf/etc) come and
# go; ours must be gone and every other one kept
postconf -c "$SYS_PFC" -h alternate_config_directories 2>/dev/null |
    tr ', \t' '\n\n\n' | grep -v '^$' >"$T/acd.after"
_lost=$(echo "$ACD_BEFORE" | tr ', \t' '\n\n\n' | grep -v '^$' |
    grep -v '^/tmp/mst\.[^/]*/pf/etc$' | grep -cvxFf "$T/acd.after")
if [ "$_lost" -eq 0 ] && ! grep -qxF "$PFC" "$T/acd.after"; then
	ok "... alternate_config_directories: this run's entry gone, the others kept"
else
	echo "before: $ACD_BEFORE" >"$T/why"
	not_ok "... alternate_config_directories: this run's entry gone, the others kept" \
	    "$T/why" "$T/acd.after"
fi
done_testing
