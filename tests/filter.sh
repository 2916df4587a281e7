#!/bin/sh
# filter.sh - mailseal filter (gateway mode) as a postmaster sees it: the
# configuration and the policy map (exit 78 with FILE:LINE), --check,
# what is handed to a FAKE sendmail (its arguments and each copy, one
# record per call), the refusals (67 with 5.7.1, 65, 69, 75 with 4.4.6),
# decrypt = yes, sign = yes, the log line and the temporary files.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
IS_DIAG=$T/err
A=$(fpr alice)
B=$(fpr bob)
C1=$(fpr carol1)
C2=$(fpr carol2)
I=$(fpr ivan)
# key IDs, as the log line names keys
BID=$(echo "$B" | cut -c 25-40)
C1ID=$(echo "$C1" | cut -c 25-40)
C2ID=$(echo "$C2" | cut -c 25-40)

# the filter's private directories go to $T/tmp; none may be left behind
gw_env

# ------------------------------------------------------------ helpers
# conf: tests/lib.sh; fm below is lib.sh's, counting runs and leftovers

runs=0
leftover=
# fm CONF [ARG...] - mailseal filter -c CONF ARGS (standard input as
# given) with a fresh record of sendmail calls; $rc, $T/out, $T/err.
# Notes any mailseal.* left in $TMPDIR.
fm() {
	_c=$1
	shift
	rm -rf "$T/sm"
	mkdir "$T/sm"
	"$MAILSEAL" filter -c "$_c" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	runs=$((runs + 1))
	if ls -A "$TMPDIR" | grep -q '^mailseal\.'; then
		leftover="$leftover $runs($*)"
		rm -rf "$TMPDIR"/mailseal.*
	fi
}

# calls - the number of sendmail calls of the last run
calls() {
	ls "$T/sm" | grep -c '\.args$'
}

# args N - the arguments of call N, on one line
args() {
	tr '\n' ' ' <"$T/sm/$1.args" | sed 's/ $//'
}

# call_for RCPT - the number of the call whose arguments name RCPT
call_for() {
	grep -lxF "[$1]" "$T"/sm/*.args 2>/dev/null | head -n 1 |
	    sed 's|.*/||; s|\.args$||'
}

# exits DESC CODE CALLS - the last run exited CODE after CALLS sendmail
# calls
exits() {
	_n=$(calls)
	if [ "$rc" -eq "$2" ] && [ "$_n" -eq "$3" ]; then
		ok "$1"
	else
		echo "exit $rc (want $2), $_n sendmail calls (want $3)" >"$T/why"
		not_ok "$1" "$T/why" "$T/err"
	fi
}

# first_err PREFIX - the first line of stderr starts with PREFIX
first_err() {
	head -n 1 "$T/err" | grep -q "^$1"
}

# marked IN OUT [ID] - what the gateway hands on when IN passes as it
# came: the marker field first
marked() {
	{ echo "X-Mailseal-Gateway: ${3:-gw1.test}"; cat "$1"; } >"$2"
}

# pgpmime N ORIG NAME - copy N is RFC 3156 made from ORIG (marked);
# saves $T/NAME.asc and $T/NAME.inner
pgpmime() {
	marked "$2" "$T/$3.orig"
	"$PYTHON" "$CHECK_PGPMIME" structure "$T/sm/$1.msg" "$T/$3.orig" \
	    --save "$T/$3"
}

# decrypts_to KEY NAME - gpg holding only KEY's secret key decrypts
# $T/NAME.asc to exactly $T/NAME.inner
decrypts_to() {
	gpg_dec_only "$1" "$T/$2.asc" "$T/$2.$1" &&
	    cmp "$T/$2.$1" "$T/$2.inner"
}

# keyids NAME - the key IDs of $T/NAME.asc, sorted, on one line
keyids() {
	pkesk_keyids "$T/$1.asc" | tr 'a-f' 'A-F' | sort | tr '\n' ' ' |
	    sed 's/ $//'
}
subkey() {
	subkey_ids "$1" | tr 'a-f' 'A-F'
}

# ------------------------------------------------------------ messages

printf 'Hello Bob,\nthe key is under the mat.\n' |
    msg "$T/m1.eml" 'From: Alice <alice@example.org>' \
    'To: Bob <bob@example.org>' 'Subject: the key' 'MIME-Version: 1.0' \
    'Content-Type: text/plain; charset=us-ascii'
marked "$T/m1.eml" "$T/m1.marked"
printf 'Hello Carol.\n' | msg "$T/mc.eml" 'From: alice@example.org' \
    'To: carol@example.org' 'Subject: to carol'
"$MAILSEAL" encrypt --homedir "$GNUPGHOME" -r bob@example.org \
    -o "$T/enc.eml" "$T/m1.eml" 2>"$T/err" ||
    { cat "$T/err" >&2; skip_all "mailseal encrypt cannot make a message"; }
gpg --batch --no-tty --yes --quiet --trust-model always -a -e \
    -r bob@example.org -o - "$T/m1.eml" |
    msg "$T/inline.eml" 'From: alice@example.org' 'To: bob@example.org' \
    'Subject: inline'

conf base

# ------------------------------------------------------------ config errors

# bad DESC CONF WHERE WHAT - exit 78, nothing sent, and one line on
# stderr, "4.3.5 mailseal: WHERE: ..." (WHERE is FILE:LINE, or FILE when
# the file as a whole is wrong; 4.3.5 makes Postfix defer) that says WHAT
bad() {
	fm "$2" bob@example.org <"$T/m1.eml"
	if [ "$rc" -eq 78 ] && [ "$(calls)" -eq 0 ] &&
	    [ "$(wc -l <"$T/err")" -eq 1 ] &&
	    head -n 1 "$T/err" | grep -qF -- "4.3.5 mailseal: $3: " &&
	    grep -qF -- "$4" "$T/err"; then
		ok "$1"
	else
		echo "exit $rc, $(calls) calls; want 78 and one line" \
		    "\"4.3.5 mailseal: $3: ...$4\"" >"$T/why"
		not_ok "$1" "$T/why" "$T/err"
	fi
}

conf e1 '# comment' 'colour = blue'
bad "unknown parameter: 78, FILE:LINE" "$T/e1.conf" "$T/e1.conf:6" 'unknown parameter "colour"'
conf e2 'default_policy = sometimes'
bad "bad default_policy: 78" "$T/e2.conf" "$T/e2.conf:5" 'is not require, opportunistic or none'
conf e3 'decrypt = true'
bad "decrypt = true (not yes/no): 78" "$T/e3.conf" "$T/e3.conf:5" 'is not yes or no'
conf e4 'sign = Yes'
bad "sign = Yes (yes/no are lower case): 78" "$T/e4.conf" "$T/e4.conf:5" 'is not yes or no'
conf e5 'sendmail = sendmail'
bad "relative sendmail path: 78" "$T/e5.conf" "$T/e5.conf:5" 'is not an absolute path'
conf e6 'homedir = .gnupg'
bad "relative homedir: 78" "$T/e6.conf" "$T/e6.conf:5" 'is not an absolute path'
conf e7 'policy_map = maps/policy'
bad "relative policy_map: 78" "$T/e7.conf" "$T/e7.conf:5" 'is not an absolute path'
conf e8 'gateway_id = gw 1'
bad "gateway_id with a space: 78" "$T/e8.conf" "$T/e8.conf:5" 'is not a name'
conf e9 'gateway_id = gw1;evil'
bad "gateway_id with ';': 78" "$T/e9.conf" "$T/e9.conf:5" 'is not a name'
conf e10 'gateway_id ='
bad "empty gateway_id: 78" "$T/e10.conf" "$T/e10.conf:5" 'is not a name'
for v in 0 10s 86401; do
	conf e11 "timeout = $v"
	bad "timeout = \"$v\": 78" "$T/e11.conf" "$T/e11.conf:5" 'is not a number of seconds'
done
conf e12 'log = file'
bad "log = file: 78" "$T/e12.conf" "$T/e12.conf:5" 'is not syslog or stderr'
conf e13 'syslog_facility = local8'
bad "syslog_facility = local8: 78" "$T/e13.conf" "$T/e13.conf:5" 'is not mail or local0 to local7'
conf e14 'listen = 127.0.0.1'
bad "listen without a port: 78" "$T/e14.conf" "$T/e14.conf:5" 'is not ADDRESS:PORT'
conf e15 'just words'
bad "a line that is no assignment: 78" "$T/e15.conf" "$T/e15.conf:5" 'not "name = value"'
printf '  homedir = /x\n' >"$T/e16.conf"
bad "continuation line first in the file: 78" "$T/e16.conf" "$T/e16.conf:1" \
    'continuation line without a parameter'
conf e17 '' '	default_policy = none'
bad "continuation line after an empty line: 78" "$T/e17.conf" "$T/e17.conf:6" \
    'continuation line without a parameter'
conf e18 'default_policy = none' '  require'
bad "a continued value that is no policy: 78 at the line it starts" \
    "$T/e18.conf" "$T/e18.conf:5" 'is not require, opportunistic or none'
# an empty value: "sendmail =" leaves no program to re-inject with
conf e26 'sendmail ='
bad "sendmail = (empty): 78, not a crash at re-injection" "$T/e26.conf" \
    "$T/e26.conf" 'sendmail needs a path'
bad "configuration file missing: 78" "$T/missing.conf" "$T/missing.conf" \
    'No such file or directory'
conf e19 'sign = yes'
bad "sign = yes without a signer: 78" "$T/e19.conf" "$T/e19.conf" 'needs a signer'
# The map is read before anything is logged, so these errors, like those
# of the file itself, are the only line on stderr (log = syslog, the
# default: stderr is what pipe(8) puts in the bounce).
conf e20 'log = syslog' "policy_map = $T/no-such-map"
bad "policy_map that does not exist: 78" "$T/e20.conf" "$T/no-such-map" \
    'No such file or directory'
mkdir "$T/mapdir"
conf e21 'log = syslog' "policy_map = $T/mapdir"
bad "policy_map that cannot be read (a directory): 78" "$T/e21.conf" \
    "$T/mapdir" \
    'Is a directory'
printf '# map\n\nbob@example.org sometimes\n' >"$T/bad1.map"
conf e22 'log = syslog' "policy_map = $T/bad1.map"
bad "policy map: unknown policy: 78, MAP:LINE" "$T/e22.conf" \
    "$T/bad1.map:3" 'needs a policy'
printf 'example.org require\nbob@example.org\n' >"$T/bad2.map"
conf e23 'log = syslog' "policy_map = $T/bad2.map"
bad "policy map: key without a policy: 78, MAP:LINE" "$T/e23.conf" \
    "$T/bad2.map:2" \
    'needs a policy'
printf 'example.org require\n\nexample.net none extra\n' >"$T/bad3.map"
conf e24 'log = syslog' "policy_map = $T/bad3.map"
bad "policy map: a third word: 78, MAP:LINE" "$T/e24.conf" \
    "$T/bad3.map:3" \
    'more than "KEY POLICY"'
printf '@example.org require\n' >"$T/bad4.map"
conf e25 'log = syslog' "policy_map = $T/bad4.map"
bad "policy map: \"@example.org\" is no key: 78, MAP:LINE" "$T/e25.conf" \
    "$T/bad4.map:1" \
    'is not an address, a domain or a .domain'

# a valid file: comments, blank lines, continuation lines, a repeated name
cat >"$T/ok.conf" <<EOF
# mailseal.conf for filter.sh

homedir = $GNUPGHOME
sendmail = $T/sendmail
default_policy =
    require
gateway_id = first.test
# later assignments win
gateway_id = gw2.test
timeout =
	60
log = stderr
syslog_facility = local3
listen = [::1]:2525
EOF
fm "$T/ok.conf" --check bob@example.org </dev/null
exits "valid file (comments, blank lines, continuations): --check exit 0" 0 0
cat >"$T/ok.want" <<EOF
homedir = $GNUPGHOME
default_policy = require
policy_map = 
recipient_delimiter = +
decrypt = no
sendmail = $T/sendmail
sign = no
signer = 
signer_map = 
passphrase_file = 
protect_headers = yes
autocrypt = no
autocrypt_prefer_encrypt = nopreference
autocrypt_learn = no
autocrypt_homedir = 
log = stderr
syslog_facility = local3
gateway_id = gw2.test
timeout = 60
listen = [::1]:2525
reinject = 127.0.0.1:10026
smtpd_user = 
smtpd_workers = 20
smtpd_timeout = 300
message_size_limit = 104857600
wkd = no
wkd_timeout = 10
smime = yes
format_preference = openpgp
smime_cipher = aes256-cbc
smime_signer = 
bob@example.org: policy=require (default_policy) key=$B action=encrypt
EOF
if cmp -s "$T/out" "$T/ok.want"; then
	ok "--check: every parameter (values, defaults, last assignment) and the decision"
else
	diff "$T/ok.want" "$T/out" >"$T/why"
	not_ok "--check: every parameter (values, defaults, last assignment) and the decision" "$T/why"
fi
is "--check writes nothing on stderr" "$(cat "$T/err")" ""

# ------------------------------------------------------------ --check and the map

cat >"$T/p.map" <<'EOF'
# policy map for filter.sh
example.org		none
.example.org		require
.org			opportunistic
bob@example.org		require
ivan@example.org	none
ivan+work@example.org	opportunistic
sub.example.org		opportunistic
dup.example		none

dup.example		require
Carol@EXAMPLE.org	require	# a comment after the entry
EOF
conf map "policy_map = $T/p.map"
P=$T/p.map
fm "$T/map.conf" --check bob@example.org BOB@Example.ORG ivan+work@example.org \
    ivan+other@example.org x@example.org x@a.sub.example.org \
    x@sub.example.org x@foo.org x@example.net y@dup.example \
    carol@example.org </dev/null
exits "--check with a recipient that would be refused: 67, nothing sent" 67 0
sed -n 's/^\([^ ]*@[^ ]*\): /\1: /p' "$T/out" >"$T/dec"
line() {
	grep -F "$1: " "$T/dec" | head -n 1
}
is "the address itself decides (MAP:LINE shown)" "$(line bob@example.org)" \
    "bob@example.org: policy=require ($P:5) key=$B action=encrypt"
is "the address, ignoring case" "$(line BOB@Example.ORG)" \
    "BOB@Example.ORG: policy=require ($P:5) key=$B action=encrypt"
is "address with +tag beats the address without it" \
    "$(line ivan+work@example.org)" \
    "ivan+work@example.org: policy=opportunistic ($P:7) key=$I action=encrypt"
is "the address without its +tag beats the domain" \
    "$(line ivan+other@example.org)" \
    "ivan+other@example.org: policy=none ($P:6) key=none action=deliver"
is "the domain beats .parent" "$(line x@example.org)" \
    "x@example.org: policy=none ($P:2) key=none action=deliver"
is "the nearest .parent beats a farther one; require without a key: refuse" \
    "$(line x@a.sub.example.org)" \
    "x@a.sub.example.org: policy=require ($P:3) key=none action=refuse why=no-key (no key for the address)"
is "a subdomain's own domain entry beats .parent" "$(line x@sub.example.org)" \
    "x@sub.example.org: policy=opportunistic ($P:8) key=none action=deliver why=no-key (no key for the address)"
is ".org covers x@foo.org" "$(line x@foo.org)" \
    "x@foo.org: policy=opportunistic ($P:4) key=none action=deliver why=no-key (no key for the address)"
is "no entry: default_policy" "$(line x@example.net)" \
    "x@example.net: policy=opportunistic (default_policy) key=none action=deliver why=no-key (no key for the address)"
is "a key listed twice: the last entry wins" "$(line y@dup.example)" \
    "y@dup.example: policy=require ($P:11) key=none action=refuse why=no-key (no key for the address)"
case $(line carol@example.org) in
"carol@example.org: policy=require ($P:12) key=$C1,$C2 action=encrypt" | \
"carol@example.org: policy=require ($P:12) key=$C2,$C1 action=encrypt")
	ok "an upper-case map key matches; both of carol's keys listed" ;;
*)	not_ok "an upper-case map key matches; both of carol's keys listed" \
	    "$T/dec" ;;
esac
is "one decision line per recipient" "$(wc -l <"$T/dec" | tr -d ' ')" 11
fm "$T/map.conf" --check bob@example.org x@example.org </dev/null
exits "--check, nobody refused: exit 0" 0 0
conf dnone 'default_policy = none'
fm "$T/dnone.conf" --check bob@example.org </dev/null
is "policy none: no key looked up, action deliver" "$(tail -n 1 "$T/out")" \
    "bob@example.org: policy=none (default_policy) key=none action=deliver"

# Every spelling of an address meets its entry and its key (issue 8
# item 13): IDNA both ways, case (non-ASCII too), a trailing root dot,
# an address literal, quotes the local part does not need, and the
# recipient delimiters of recipient_delimiter.
# A key whose user ID has U-labels, and one with A-labels:
gpg_new() {
	gpg --batch --no-tty --quiet --pinentry-mode loopback --passphrase '' \
	    --quick-gen-key "$1" ed25519 sign never 2>/dev/null &&
	_f=$(gpg --with-colons --list-keys "=$1" 2>/dev/null |
	    awk -F: '/^fpr/ { print $10; exit }') &&
	gpg --batch --no-tty --quiet --pinentry-mode loopback --passphrase '' \
	    --quick-add-key "$_f" cv25519 encr never 2>/dev/null && echo "$_f"
}
UJ=$(gpg_new "J$(printf '\303\266')rg <j$(printf '\303\266')rg@b$(printf '\303\274')cher.example>")
AR=$(gpg_new 'Rolf <rolf@xn--mnchen-3ya.example>')
UE=$(printf 'b\303\274cher.example')
cat >"$T/idn.map" <<EOF
$UE			require
xn--mnchen-3ya.example	require
example.com		require
bob@example.net		require
EOF
printf '[192.0.2.1] require\n' >"$T/lit.map"
conf lit "policy_map = $T/lit.map"
conf idn "policy_map = $T/idn.map"
conf idn2 "policy_map = $T/idn.map" 'recipient_delimiter = +-'
IJ=$(printf 'J\303\226RG@XN--BCHER-KVA.EXAMPLE.')
IR=$(printf 'rolf@M\303\234NCHEN.example')
fm "$T/idn.conf" --check "$IJ" "$IR" x@xn--bcher-kva.example \
    x@example.com. '"bob"@example.net' bob-x@example.net </dev/null
sed -n 's/^\([^ ]*@[^ ]*\): /\1: /p' "$T/out" >"$T/dec"
pol() {
	grep -F "$1: " "$T/dec" | head -n 1 |
	    sed 's/.*policy=\([a-z]*\).*action=\([a-z]*\).*/\1 \2/'
}
# --check escapes bytes outside printable ASCII
EJ='J\303\226RG@XN--BCHER-KVA.EXAMPLE.'
ER='rolf@M\303\234NCHEN.example'
is "A-label, upper case, root dot: the U-label entry and the U-label user ID" \
    "$(grep -F "$EJ: " "$T/dec")" \
    "$EJ: policy=require ($T/idn.map:1) key=$UJ action=encrypt"
is "U-label, non-ASCII upper case: the A-label entry and the A-label user ID" \
    "$(grep -F "$ER: " "$T/dec")" \
    "$ER: policy=require ($T/idn.map:2) key=$AR action=encrypt"
is "an A-label recipient, no key: refused by the U-label entry" \
    "$(pol x@xn--bcher-kva.example)" "require refuse"
is "a trailing root dot: the domain's entry" "$(pol x@example.com.)" \
    "require refuse"
is "a quoted local part that needs no quotes: the address's entry" \
    "$(pol '"bob"@example.net')" "require refuse"
is "'-' is no delimiter by default" "$(pol bob-x@example.net)" \
    "opportunistic deliver"
fm "$T/lit.conf" --check 'x@[192.0.2.1]' </dev/null
sed -n 's/^\([^ ]*@[^ ]*\): /\1: /p' "$T/out" >"$T/dec"
is "an address literal: its entry" "$(pol 'x@[192.0.2.1]')" "require refuse"
fm "$T/idn2.conf" --check bob-x@example.net </dev/null
is "recipient_delimiter = +-: bob-x@ is bob@'s entry" \
    "$(sed -n 's/.*policy=\([a-z]*\) (.*:\([0-9]*\)).*/\1 \2/p' "$T/out")" \
    "require 4"
conf ebad 'recipient_delimiter = +@'
bad "recipient_delimiter with '@': 78" "$T/ebad.conf" "$T/ebad.conf:5" \
    'is not a set of at most 32 characters'
# and a real run: the A-label recipient gets it encrypted to the key
# whose user ID has U-labels
fm "$T/idn.conf" -f alice@example.org "$IJ" <"$T/m1.eml"
exits "require, A-label recipient, U-label user ID: encrypted, one call" 0 1
check "... the copy is RFC 3156 PGP/MIME" pgpmime 1 "$T/m1.eml" oi

# ------------------------------------------------------------ one recipient

fm "$T/base.conf" -f alice@example.org bob@example.org <"$T/m1.eml"
exits "opportunistic, with a key: exit 0, one sendmail call" 0 1
is "... sendmail -G -i -f SENDER -- RCPT" "$(args 1)" \
    "[-G] [-i] [-f] [alice@example.org] [--] [bob@example.org]"
is "... the marker is the first header line" "$(head -n 1 "$T/sm/1.msg")" \
    "X-Mailseal-Gateway: gw1.test"
check "... the copy is RFC 3156 PGP/MIME" pgpmime 1 "$T/m1.eml" o1
check "... bob's key alone decrypts it to the original entity" \
    decrypts_to bob o1

conf req 'default_policy = require'
fm "$T/req.conf" -f alice@example.org bob@example.org <"$T/m1.eml"
exits "require, with a key: exit 0, one call" 0 1
check "... the copy is RFC 3156 PGP/MIME" pgpmime 1 "$T/m1.eml" o2
check "... bob's key decrypts it" decrypts_to bob o2

fm "$T/base.conf" -f alice@example.org nokey@example.org <"$T/m1.eml"
exits "opportunistic, no key: exit 0, one call" 0 1
check "... the copy is the message as it came, with the marker line" \
    cmp "$T/m1.marked" "$T/sm/1.msg"

fm "$T/dnone.conf" -f alice@example.org bob@example.org <"$T/m1.eml"
exits "policy none, though bob has a key: one call" 0 1
check "... the message as it came, with the marker line" \
    cmp "$T/m1.marked" "$T/sm/1.msg"

# CRLF mail gets a CRLF marker
sed 's/$/\r/' "$T/m1.eml" >"$T/m1crlf.eml"
fm "$T/base.conf" nokey@example.org <"$T/m1crlf.eml"
{ printf 'X-Mailseal-Gateway: gw1.test\r\n'; cat "$T/m1crlf.eml"; } \
    >"$T/m1crlf.marked"
check "CRLF message: the marker ends in CRLF, the rest as it came" \
    cmp "$T/m1crlf.marked" "$T/sm/1.msg"

# a From_ line stays first
{ echo 'From alice@example.org Mon Jan  1 00:00:00 2024'; cat "$T/m1.eml"; } \
    >"$T/mbox.eml"
fm "$T/base.conf" nokey@example.org <"$T/mbox.eml"
is "a From_ line stays first, the marker right after it" \
    "$(head -n 2 "$T/sm/1.msg" | tr '\n' '|')" \
    "From alice@example.org Mon Jan  1 00:00:00 2024|X-Mailseal-Gateway: gw1.test|"

# ------------------------------------------------------------ mixed recipients

fm "$T/base.conf" -f alice@example.org bob@example.org nokey@example.org \
    carol@example.org <"$T/m1.eml"
# (carol is not in To: a copy of her own, tests/bcc.sh)
exits "bob, nokey, carol: three sendmail calls" 0 3
e=$(call_for bob@example.org)
p=$(call_for nokey@example.org)
ec=$(call_for carol@example.org)
is "... the encrypted copies go to bob, and to carol" \
    "$(args "${e:-0}" 2>&1)|$(args "${ec:-0}" 2>&1)" \
    "[-G] [-i] [-f] [alice@example.org] [--] [bob@example.org]|[-G] [-i] [-f] [alice@example.org] [--] [carol@example.org]"
is "... the other copy to nokey only" "$(args "${p:-0}" 2>&1)" \
    "[-G] [-i] [-f] [alice@example.org] [--] [nokey@example.org]"
check "... nokey's copy is the message as it came" \
    cmp "$T/m1.marked" "$T/sm/${p:-0}.msg"
check "... bob's copy is PGP/MIME" pgpmime "${e:-0}" "$T/m1.eml" o3
check "... bob's key alone decrypts it to the original" decrypts_to bob o3
pgpmime "${ec:-0}" "$T/m1.eml" o3c >/dev/null 2>&1
check "... carol1's key alone decrypts hers" decrypts_to carol1 o3c
check "... and carol2's" decrypts_to carol2 o3c

# ------------------------------------------------------------ refusals

fm "$T/req.conf" -f alice@example.org nokey@example.org <"$T/m1.eml"
exits "require, no key: 67, no sendmail call" 67 0
check "... stderr's first line: 5.7.1 and the recipient" \
    first_err '5\.7\.1 mailseal: nokey@example\.org: no usable OpenPGP key'
fm "$T/req.conf" -f alice@example.org bob@example.org nokey@example.org \
    carol@example.org <"$T/m1.eml"
exits "require: bob and carol have keys, nokey has none: 67, nobody gets it" 67 0
check "... stderr's first line starts with 5.7.1" first_err '5\.7\.1 '
printf 'x@a.sub.example.org require\n' >>"$T/p.map"
fm "$T/map.conf" -f alice@example.org x@example.net x@a.sub.example.org \
    <"$T/m1.eml"
exits "require by the policy map, another recipient plain: 67, no call" 67 0
check "... 5.7.1 first" first_err '5\.7\.1 mailseal: x@a\.sub\.example\.org: '
# dave's key is expired, peggy's is public only (that is enough to encrypt)
fm "$T/req.conf" dave@example.org <"$T/m1.eml"
exits "require, only an expired key: 67" 67 0

# ------------------------------------------------------------ already encrypted

fm "$T/base.conf" -f alice@example.org bob@example.org nokey@example.org \
    <"$T/enc.eml"
exits "PGP/MIME input, bob and nokey: one call" 0 1
is "... for both recipients" "$(args 1)" \
    "[-G] [-i] [-f] [alice@example.org] [--] [bob@example.org] [nokey@example.org]"
marked "$T/enc.eml" "$T/enc.marked"
check "... unchanged but for the marker" cmp "$T/enc.marked" "$T/sm/1.msg"
fm "$T/req.conf" -f alice@example.org nokey@example.org <"$T/enc.eml"
exits "PGP/MIME input, require recipient without a key: passed, one call" 0 1
check "... unchanged but for the marker" cmp "$T/enc.marked" "$T/sm/1.msg"
fm "$T/req.conf" bob@example.org nokey@example.org <"$T/inline.eml"
exits "inline PGP input, require: one call for both" 0 1
marked "$T/inline.eml" "$T/inline.marked"
check "... unchanged but for the marker" cmp "$T/inline.marked" "$T/sm/1.msg"
# S/MIME: the DER of CMS EnvelopedData starts so (RFC 5652 3); a
# look-alike labelled enveloped-data whose body is text is not encrypted
"$PYTHON" - "$T" <<'EOF'
import base64, sys
d = sys.argv[1]
hdr = (b"From: alice@example.org\nTo: nokey@example.org\nMIME-Version: 1.0\n"
       b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; "
       b"name=smime.p7m\nContent-Transfer-Encoding: base64\n\n")
# whole, as smime_sealed wants it to pass it on
cms = bytes.fromhex("3080" "06092a864886f70d010703" "a080" "04820100") + \
    bytes(range(256)) + bytes(4)
open(d + "/smime.eml", "wb").write(hdr + base64.encodebytes(cms))
open(d + "/smime-fake.eml", "wb").write(
    hdr + base64.encodebytes(b"The merger closes Friday.\n" * 20))
EOF
fm "$T/req.conf" nokey@example.org <"$T/smime.eml"
exits "S/MIME input, require recipient without a key: passed, one call" 0 1
marked "$T/smime.eml" "$T/smime.marked"
check "... unchanged but for the marker" cmp "$T/smime.marked" "$T/sm/1.msg"
fm "$T/req.conf" nokey@example.org <"$T/smime-fake.eml"
exits "text labelled S/MIME, require recipient without a key: 67, no call" 67 0

# ------------------------------------------------------------ hidden recipients

# bob is in To, carol only in the envelope (a Bcc): a copy of her own
# (tests/bcc.sh has the rest)
fm "$T/base.conf" bob@example.org carol@example.org <"$T/m1.eml"
exits "To bob, envelope bob and carol: two calls" 0 2
pgpmime "$(call_for bob@example.org)" "$T/m1.eml" o4 >/dev/null 2>&1
is "... bob's copy: bob's key ID alone" "$(keyids o4)" "$(subkey bob)"
pgpmime "$(call_for carol@example.org)" "$T/m1.eml" o4c >/dev/null 2>&1
check "... carol1's key alone decrypts hers" decrypts_to carol1 o4c
check "... carol2's key alone decrypts hers" decrypts_to carol2 o4c
fm "$T/base.conf" carol@example.org <"$T/mc.eml"
exits "To carol, envelope carol: one call" 0 1
pgpmime 1 "$T/mc.eml" o5 >/dev/null 2>&1
want=$( { subkey carol1; subkey carol2; } | sort | tr '\n' ' ' | sed 's/ $//')
is "... encrypted to both of carol's keys, neither hidden" "$(keyids o5)" \
    "$want"
fm "$T/base.conf" nobody@example.net bob@example.org <"$T/mc.eml"
pgpmime "$(call_for bob@example.org)" "$T/mc.eml" o6 >/dev/null 2>&1
is "To carol, envelope bob only: bob's copy shows his key ID" \
    "$(keyids o6)" "$(subkey bob)"

printf 'Hello.\n' | msg "$T/cc.eml" 'From: alice@example.org' \
    'To: bob@example.org' 'Cc: Carol <carol@example.org>'
fm "$T/base.conf" bob@example.org carol@example.org <"$T/cc.eml"
pgpmime 1 "$T/cc.eml" o7 >/dev/null 2>&1
want=$( { subkey bob; subkey carol1; subkey carol2; } | sort | tr '\n' ' ' |
    sed 's/ $//')
is "To bob, Cc carol: every key ID shown" "$(keyids o7)" "$want"

# the gateway's gpg.conf adds no recipient (encrypt-to)
cp "$GNUPGHOME/gpg.conf" "$T/gpg.conf.saved" 2>/dev/null || : >"$T/gpg.conf.saved"
echo "encrypt-to $A" >>"$GNUPGHOME/gpg.conf"
fm "$T/base.conf" bob@example.org <"$T/m1.eml"
cp "$T/gpg.conf.saved" "$GNUPGHOME/gpg.conf"
pgpmime 1 "$T/m1.eml" o8 >/dev/null 2>&1
is "encrypt-to in gpg.conf: the copy is still for bob's key alone" \
    "$(keyids o8)" "$(subkey bob)"

# ------------------------------------------------------------ decrypt = yes

# mailseal.conf(5), "Decrypting first": the policy applies to the
# decrypted message; a gateway that decrypts for its own users gives them
# the policy none; the Content-Type decrypt writes is the author's
# (header protection marked it inside; decrypt consumed the marks)
"$MAILSEAL" encrypt --homedir "$GNUPGHOME" --sign --signer alice@example.org \
    -r bob@example.org -o "$T/se.eml" "$T/m1.eml" 2>"$T/err"
printf 'bob@example.org none\n' >"$T/dec.map"
conf dec 'decrypt = yes' "policy_map = $T/dec.map"
fm "$T/dec.conf" -f alice@example.org bob@example.org <"$T/se.eml"
exits "decrypt = yes, signed and encrypted to bob (policy none): one call" 0 1
is "... delivered decrypted, signature good" \
    "$(field "$T/sm/1.msg" X-Mailseal-Decryption)|$(field "$T/sm/1.msg" X-Mailseal-Signature)|$(field "$T/sm/1.msg" Content-Type)" \
    "decrypted|good; signer=$A|text/plain; charset=us-ascii"
check "... the plaintext is there" grep -q 'the key is under the mat' \
    "$T/sm/1.msg"
is "... the marker first" "$(head -n 1 "$T/sm/1.msg")" \
    "X-Mailseal-Gateway: gw1.test"
fm "$T/dec.conf" -f alice@example.org nokey@example.org carol@example.org \
    <"$T/se.eml"
exits "decrypt = yes, to nokey and carol: two calls" 0 2
p=$(call_for nokey@example.org)
e=$(call_for carol@example.org)
is "... nokey (no key, opportunistic) gets the decrypted message" \
    "$(field "$T/sm/${p:-0}.msg" X-Mailseal-Decryption)|$(field "$T/sm/${p:-0}.msg" Content-Type)" \
    "decrypted|text/plain; charset=us-ascii"
"$PYTHON" "$CHECK_PGPMIME" armor "$T/sm/${e:-0}.msg" >"$T/de.asc" 2>&1
check "... carol (a key) gets it encrypted anew: carol1's key alone decrypts it" \
    gpg_dec_only carol1 "$T/de.asc" "$T/de.out"
check "... to the plaintext" grep -q 'the key is under the mat' "$T/de.out"
conf decreq 'decrypt = yes' 'default_policy = require'
fm "$T/decreq.conf" nokey@example.org <"$T/se.eml"
exits "decrypt = yes, decrypted for a require recipient without a key: 67" 67 0
gpg --batch --no-tty --yes --quiet --trust-model always -a -e \
    -r peggy@example.org -o - "$T/m1.eml" |
    msg "$T/peggy.eml" 'From: alice@example.org' 'To: peggy@example.org'
fm "$T/dec.conf" peggy@example.org nokey@example.org <"$T/peggy.eml"
exits "decrypt = yes, no secret key: one call for everybody" 0 1
is "... as it was, with its failed verdict" \
    "$(field "$T/sm/1.msg" X-Mailseal-Decryption)" \
    "failed; reason=no-secret-key"
check "... unchanged apart from the marker and the verdict fields" \
    sh -c "grep -v '^X-Mailseal-' '$T/sm/1.msg' | cmp - '$T/peggy.eml'"
printf 'Trust me.\n' | msg "$T/forged.eml" 'From: alice@example.org' \
    'X-Mailseal-Signature: good; signer=0000' 'To: nokey@example.org' \
    'Subject: forged'
fm "$T/dec.conf" nokey@example.org <"$T/forged.eml"
exits "decrypt = yes, a plain message with a forged verdict: one call" 0 1
is "... the verdicts are not-encrypted and none, the forged one is gone" \
    "$(field "$T/sm/1.msg" X-Mailseal-Decryption)|$(field "$T/sm/1.msg" X-Mailseal-Signature | tr '\n' '|')" \
    "not-encrypted|none|"
# one decrypt cannot parse (a lone CR in the header) went on as it came,
# the forged verdicts with it
printf 'From: alice@example.org\nSubject: hi\rX-Mailseal-Decryption: decrypted\nX-Mailseal-Signature: good\nTo: nokey@example.org\n\nTrust me.\n' \
    >"$T/forged-cr.eml"
fm "$T/dec.conf" nokey@example.org <"$T/forged-cr.eml"
exits "decrypt = yes, unparseable, forged verdicts: one call" 0 1
is "... the verdicts are not-encrypted and none, the forged ones are gone" \
    "$(field "$T/sm/1.msg" X-Mailseal-Decryption)|$(tr '\r' '\n' <"$T/sm/1.msg" | grep -ic '^x-mailseal-[ds]')" \
    "not-encrypted|2"
fm "$T/base.conf" bob@example.org <"$T/se.eml"
exits "decrypt = no: the encrypted message passes, one call" 0 1
marked "$T/se.eml" "$T/se.marked"
check "... not decrypted: unchanged but for the marker" \
    cmp "$T/se.marked" "$T/sm/1.msg"

# ------------------------------------------------------------ sign = yes

conf sign 'sign = yes' 'signer = alice@example.org'
fm "$T/sign.conf" -f alice@example.org bob@example.org <"$T/m1.eml"
exits "sign = yes, signer alice: one call" 0 1
"$MAILSEAL" decrypt --homedir "$GNUPGHOME" -o "$T/signed.dec" \
    "$T/sm/1.msg" 2>"$T/err"
is "... the encrypted copy is signed by alice (mailseal decrypt: good)" \
    "$(field "$T/signed.dec" X-Mailseal-Decryption)|$(field "$T/signed.dec" X-Mailseal-Signature)" \
    "decrypted|good; signer=$A"
conf sign2 'sign = yes' 'signer = peggy@example.org'
fm "$T/sign2.conf" bob@example.org <"$T/m1.eml"
exits "sign = yes, a signer without a secret key: 75 (kept queued), nothing sent" 75 0

# ------------------------------------------------------------ envelope sender

fm "$T/base.conf" -f '' nokey@example.org <"$T/m1.eml"
is "null sender -f \"\": sendmail gets -f and an empty argument" "$(args 1)" \
    "[-G] [-i] [-f] [] [--] [nokey@example.org]"
fm "$T/base.conf" -f '<>' nokey@example.org <"$T/m1.eml"
is "null sender -f \"<>\": sendmail gets -f \"\"" "$(args 1)" \
    "[-G] [-i] [-f] [] [--] [nokey@example.org]"
fm "$T/base.conf" nokey@example.org <"$T/m1.eml"
is "no -f: no -f for sendmail" "$(args 1)" "[-G] [-i] [--] [nokey@example.org]"

# ------------------------------------------------------------ re-injection failures

SM_FAIL=1 fm "$T/base.conf" nokey@example.org <"$T/m1.eml"
exits "sendmail exits 1: 75" 75 1
check "... stderr says the re-injection failed" \
    grep -q 're-injection failed' "$T/err"
SM_KILL=1 fm "$T/base.conf" nokey@example.org <"$T/m1.eml"
exits "sendmail killed by a signal: 75" 75 1
# out of time while sendmail runs: 75, and the private directory goes
SM_SLEEP=1 fm "$T/base.conf" --timeout 1 nokey@example.org <"$T/m1.eml"
check "--timeout 1, sendmail still busy: 75, \"timed out\"" \
    sh -c "[ $rc -eq 75 ] && grep -q 'timed out' '$T/err'"
conf nosm "sendmail = $T/no-such-sendmail"
fm "$T/nosm.conf" nokey@example.org <"$T/m1.eml"
exits "sendmail missing: 75" 75 0
check "... stderr says the re-injection failed" \
    grep -q 're-injection failed' "$T/err"
# Two copies: the first is taken, the second fails.  75, and the MTA
# will retry the whole message, so the first copy's recipient gets it
# twice: the documented behaviour (a duplicate, never a loss; one
# recipient per call avoids it).
SM_FAIL=2 fm "$T/base.conf" bob@example.org nokey@example.org <"$T/m1.eml"
exits "two copies, the second call fails: 75 (the first copy was taken)" 75 2

# ------------------------------------------------------------ mail loops

# loop FILE N ID - m1 with N marker fields of ID in front
loop() {
	_i=0
	: >"$1"
	while [ "$_i" -lt "$2" ]; do
		echo "X-Mailseal-Gateway: $3" >>"$1"
		_i=$((_i + 1))
	done
	cat "$T/m1.eml" >>"$1"
}
loop "$T/l5.eml" 5 gw1.test
fm "$T/base.conf" nokey@example.org <"$T/l5.eml"
exits "5 marker fields of this gateway: a mail loop, 75, no call" 75 0
check "... stderr's first line: 4.4.6" first_err '4\.4\.6 mailseal: mail loop'
loop "$T/l4.eml" 4 gw1.test
fm "$T/base.conf" nokey@example.org <"$T/l4.eml"
exits "4 marker fields of this gateway: processed" 0 1
is "... now with 5" "$(grep -c '^X-Mailseal-Gateway: gw1.test$' "$T/sm/1.msg")" 5
loop "$T/lx.eml" 5 gw9.test
fm "$T/base.conf" nokey@example.org <"$T/lx.eml"
exits "5 marker fields of another gateway: processed" 0 1
fm "$T/base.conf" bob@example.org <"$T/l5.eml"
exits "a loop is caught before encryption too" 75 0

# ------------------------------------------------------------ --stdout

fm "$T/base.conf" --stdout nokey@example.org <"$T/m1.eml"
exits "--stdout, plain copy: exit 0, no sendmail call" 0 0
check "... the message on standard output (marker first)" \
    cmp "$T/m1.marked" "$T/out"
fm "$T/base.conf" --stdout bob@example.org carol@example.org <"$T/cc.eml"
exits "--stdout, bob and carol (Cc): exit 0, no call" 0 0
marked "$T/cc.eml" "$T/cc.marked"
check "... one PGP/MIME message on standard output" \
    "$PYTHON" "$CHECK_PGPMIME" structure "$T/out" "$T/cc.marked"
fm "$T/base.conf" --stdout bob@example.org nokey@example.org <"$T/m1.eml"
exits "--stdout, recipients that need two copies: 69, no call" 69 0
is "... nothing on standard output" "$(wc -c <"$T/out" | tr -d ' ')" 0

# ------------------------------------------------------------ not a message

: >"$T/empty.eml"
printf 'no header here\n\njust text\n' >"$T/nohdr.eml"
for m in empty nohdr; do
	fm "$T/req.conf" bob@example.org <"$T/$m.eml"
	exits "$m input, require: 65, no call" 65 0
	fm "$T/base.conf" nokey@example.org x@example.net <"$T/$m.eml"
	exits "$m input, opportunistic, nobody has a key: delivered, one call" 0 1
	check "... as it came" cmp "$T/$m.eml" "$T/sm/1.msg"
	fm "$T/base.conf" bob@example.org nokey@example.org <"$T/$m.eml"
	exits "$m input, opportunistic, bob has a key: 65, no call" 65 0
	check "... 5.6.0 first" first_err '5\.6\.0 mailseal: not a message'
done

# a header line over LIMIT_HEADER_LINE (65536 bytes) is no message either
{ printf 'From: alice@example.org\nX-Long: '; head -c 70000 /dev/zero |
    tr '\0' a; printf '\n\nbody\n'; } >"$T/long.eml"
fm "$T/req.conf" bob@example.org <"$T/long.eml"
exits "header line over the limit, require: 65, no call" 65 0
fm "$T/base.conf" nokey@example.org <"$T/long.eml"
exits "header line over the limit, opportunistic without a key: delivered, one call" 0 1
check "... as it came" cmp "$T/long.eml" "$T/sm/1.msg"
fm "$T/base.conf" bob@example.org <"$T/long.eml"
exits "header line over the limit, opportunistic with a key: 65, no call" 65 0

# ------------------------------------------------------------ usage

# usage64 DESC - exit 64, nothing sent, stderr starts with 4.3.5 (a bad
# command line in master.cf: Postfix defers; mailseal-setup(7))
usage64() {
	if [ "$rc" -eq 64 ] && [ "$(calls)" -eq 0 ] && first_err '4\.3\.5 '; then
		ok "$1"
	else
		echo "exit $rc, $(calls) calls; want 64 and 4.3.5 first" >"$T/why"
		not_ok "$1" "$T/why" "$T/err"
	fi
}
fm "$T/base.conf" <"$T/m1.eml"
usage64 "no recipient: 64, 4.3.5"
fm "$T/base.conf" bob <"$T/m1.eml"
usage64 "a recipient that is no address (\"bob\"): 64, 4.3.5"
fm "$T/base.conf" bob@example.org '@example.org' <"$T/m1.eml"
usage64 "one recipient of two is no address: 64, 4.3.5"
fm "$T/base.conf" --frobnicate bob@example.org <"$T/m1.eml"
usage64 "unknown option: 64, 4.3.5"
fm "$T/base.conf" --timeout 0 bob@example.org <"$T/m1.eml"
usage64 "--timeout 0: 64, 4.3.5"
fm "$T/base.conf" -q <"$T/m1.eml"
usage64 "-q without its argument: 64, 4.3.5"

# ------------------------------------------------------------ the log line

conf sys 'log = syslog'
fm "$T/sys.conf" -v -q 4Xyz1 -f alice@example.org bob@example.org \
    nokey@example.org <"$T/m1.eml"
exits "-v: processed" 0 2
is "-v: the log line on stderr: decisions first, sender, queue id, result" \
    "$(grep '^mailseal: action=' "$T/err")" \
    "mailseal: action=encrypt policy=opportunistic to=<bob@example.org> key=$BID from=<alice@example.org> action=deliver policy=opportunistic to=<nokey@example.org> why=no-key queue_id=4Xyz1 result=sent"
fm "$T/base.conf" -q Q2 carol@example.org <"$T/m1.eml"
case $(cat "$T/err") in
"mailseal: action=encrypt policy=opportunistic to=<carol@example.org> key=$C1ID,$C2ID copy=own from=(no -f) queue_id=Q2 result=sent" | \
"mailseal: action=encrypt policy=opportunistic to=<carol@example.org> key=$C2ID,$C1ID copy=own from=(no -f) queue_id=Q2 result=sent")
	ok "log = stderr: carol's two keys in the line; no -f is from=(no -f)" ;;
*)	not_ok "log = stderr: carol's two keys in the line; no -f is from=(no -f)" "$T/err" ;;
esac
fm "$T/base.conf" -q Q4 -f '' nokey@example.org <"$T/m1.eml"
is "the null sender is from=<>" "$(cat "$T/err")" \
    "mailseal: action=deliver policy=opportunistic to=<nokey@example.org> why=no-key from=<> queue_id=Q4 result=sent"
fm "$T/req.conf" -q Q3 -f alice@example.org nokey@example.org <"$T/m1.eml"
check "a refusal: the 5.7.1 line, then the log line with action=refuse" \
    sh -c "[ \$(wc -l <'$T/err') -eq 2 ] &&
    sed -n 2p '$T/err' | grep -q '^mailseal: action=refuse policy=require to=<nokey@example.org> why=no-key from=<alice@example.org> queue_id=Q3 result=refused'"
fm "$T/base.conf" -q "$(printf 'Q\033x')" \
    -f "$(printf 'ev\001il\033[31m\177@example.org')" nokey@example.org \
    <"$T/m1.eml"
check "control characters in sender and queue id are escaped" \
    sh -c "[ \$(wc -l <'$T/err') -eq 1 ] &&
    ! LC_ALL=C grep -q '[[:cntrl:]]' '$T/err' &&
    grep -qF 'from=<ev\\001il\\033[31m\\177@example.org>' '$T/err'"

# ------------------------------------------------------------ GnuPG home

conf nohome 'homedir = /nonexistent'
fm "$T/nohome.conf" bob@example.org <"$T/m1.eml"
exits "homedir missing, a recipient whose policy needs keys: 75" 75 0
conf nohome2 'homedir = /nonexistent' 'default_policy = none'
fm "$T/nohome2.conf" bob@example.org <"$T/m1.eml"
exits "homedir missing, policy none only: no keys needed, delivered" 0 1

# ------------------------------------------------------------ found in review

# a sendmail that exits 0 without reading the copy, or reads part of it,
# has not taken the message: 75, not a loss
printf '#!/bin/sh\nexit 0\n' >"$T/noread"
printf '#!/bin/sh\nhead -c 100 >/dev/null\n' >"$T/partread"
chmod 755 "$T/noread" "$T/partread"
for sm in noread partread; do
	conf $sm "sendmail = $T/$sm"
	fm "$T/$sm.conf" nokey@example.org <"$T/m1.eml"
	is "sendmail ($sm) exits 0 before the end of the copy: 75" "$rc" 75
done

# mailseal stopped (--timeout) while sendmail reads: sendmail still gets
# the whole copy (its standard input is the copy's file, not a pipe)
printf '#!/bin/sh\nsleep 2\ncat >"%s"\n' "$T/slow.msg" >"$T/slowread"
chmod 755 "$T/slowread"
conf slow "sendmail = $T/slowread"
rm -f "$T/slow.msg"
fm "$T/slow.conf" --timeout 1 nokey@example.org <"$T/m1.eml"
_i=0
while [ ! -s "$T/slow.msg" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
sleep 0.2
check "stopped by --timeout while sendmail reads: 75, and sendmail got the whole copy" \
    sh -c "[ $rc -eq 75 ] && cmp -s '$T/slow.msg' '$T/m1.marked'"

# a header with no room for the marker (at LIMIT_HEADER_FIELDS): as good
# as over the limit: delivered as it came where nobody has a key and
# nobody requires encryption, else 65 with 5.6.0 (issue 8 item 9: adding
# fields must not force clear text to a recipient with a key)
"$PYTHON" -c 'import sys
sys.stdout.write("From: alice@example.org\nTo: bob@example.org\n" +
    "".join("X-F%d: v\n" % i for i in range(1998)) + "\nbody\n")' >"$T/full.eml"
"$PYTHON" -c 'import sys
sys.stdout.write("From: alice@example.org\nTo: bob@example.org\n" +
    "".join("X-F%d: v\n" % i for i in range(2500)) +
    "\nthe key is under the mat\n")' >"$T/over.eml"
for m in full over; do
	fm "$T/base.conf" bob@example.org <"$T/$m.eml"
	check "$m header fields, opportunistic recipient with a key: 65 with 5.6.0, nothing sent" \
	    sh -c "[ $rc -eq 65 ] && [ ! -e '$T/sm/1.args' ] && head -n 1 '$T/err' | grep -q '^5.6.0 '"
	fm "$T/base.conf" nokey@example.org bob@example.org <"$T/$m.eml"
	check "$m header fields, bob (a key) and nokey: 65, nothing sent to either" \
	    sh -c "[ $rc -eq 65 ] && [ ! -e '$T/sm/1.args' ]"
	fm "$T/base.conf" nokey@example.org x@example.net <"$T/$m.eml"
	check "$m header fields, opportunistic recipients without a key: delivered as it came" \
	    sh -c "[ $rc -eq 0 ] && cmp -s '$T/sm/1.msg' '$T/$m.eml'"
	fm "$T/dnone.conf" bob@example.org <"$T/$m.eml"
	check "$m header fields, policy none (bob has a key): delivered as it came" \
	    sh -c "[ $rc -eq 0 ] && cmp -s '$T/sm/1.msg' '$T/$m.eml'"
done
conf req 'default_policy = require'
fm "$T/req.conf" bob@example.org <"$T/full.eml"
check "2000 header fields, require: 65 with 5.6.0, nothing sent" \
    sh -c "[ $rc -eq 65 ] && [ ! -e '$T/sm/1.args' ] && head -n 1 '$T/err' | grep -q '^5.6.0 '"

# policy map keys that could never match are configuration errors
for key in '<bob@example.org>' 'example.org.' 'a..b' 'bob@' 'x@@y'; do
	printf '%s require\n' "$key" >"$T/typo.map"
	conf typo "policy_map = $T/typo.map"
	fm "$T/typo.conf" --check nokey@example.org </dev/null
	check "policy map key '$key': 78 with 4.3.5 MAP:1" \
	    sh -c "[ $rc -eq 78 ] && head -n 1 '$T/err' | grep -q '^4.3.5 mailseal: $T/typo.map:1: '"
done

# more recipients than LIMIT_RECIPIENTS: a command-line error, deferred
"$MAILSEAL" filter -c "$T/base.conf" $(seq -f 'u%g@example.org' 1 1001) \
    <"$T/m1.eml" >"$T/out" 2>"$T/err"
rc=$?
check "1001 recipients: 64, first line 4.3.5" \
    sh -c "[ $rc -eq 64 ] && head -n 1 '$T/err' | grep -q '^4.3.5 '"

# A header of 155,700 To addresses (just under 1 MiB) with bob last:
# bob's key ID is shown (he is in To), and it takes well under the
# --timeout (issue 8 item 16: a linear search per address took 44 s of
# CPU; bench/filter-addrs.sh has the figures)
"$PYTHON" "$MAILSEAL_SRCDIR/bench/genaddrs.py" 155700 bob@example.org \
    >"$T/many.eml"
fm "$T/base.conf" --timeout 20 bob@example.org <"$T/many.eml"
exits "155,700 To addresses, envelope bob: done within --timeout 20, one call" 0 1
pgpmime 1 "$T/many.eml" o9 >/dev/null 2>&1
is "... bob (the last of them) is visible: his key ID is shown" \
    "$(keyids o9)" "$(subkey bob)"

# ------------------------------------------------------------ files and their owners

# issue 8 item 15: what the filter reads and runs (configuration, policy
# map, GnuPG home, sendmail program, and every directory above each) can
# be changed by nobody but root and the user it runs as, or it is a
# configuration error (78, 4.3.5 first).  Needs root (chown, useradd).
if [ "$(id -u)" -ne 0 ]; then
	skip "files and their owners" "not root"
else
	conf w1
	chmod 666 "$T/w1.conf"
	bad "configuration writable by everybody: 78" "$T/w1.conf" "$T/w1.conf" \
	    'the configuration is writable by everybody'
	conf w2
	chmod 620 "$T/w2.conf"
	bad "configuration writable by its group: 78" "$T/w2.conf" "$T/w2.conf" \
	    'the configuration is writable by its group'
	mkdir "$T/open" "$T/sticky"
	chmod 777 "$T/open"
	chmod 1777 "$T/sticky"
	conf w3
	mv "$T/w3.conf" "$T/open/w3.conf"
	bad "a directory above the configuration writable by everybody: 78" \
	    "$T/open/w3.conf" "$T/open" \
	    'a directory above the configuration is writable by everybody'
	ln -s "$T/open/w3.conf" "$T/w3link.conf"
	bad "a symbolic link to a configuration in such a directory: 78" \
	    "$T/w3link.conf" "$T/open" \
	    'a directory above the configuration is writable by everybody'
	conf w4
	mv "$T/w4.conf" "$T/sticky/w4.conf"
	fm "$T/sticky/w4.conf" --check bob@example.org </dev/null
	exits "a sticky directory above the configuration (as /tmp): fine" 0 0
	printf 'example.org require\n' >"$T/w.map"
	chmod 646 "$T/w.map"
	conf w5 "policy_map = $T/w.map"
	bad "policy map writable by everybody: 78" "$T/w5.conf" "$T/w.map" \
	    'the policy map is writable by everybody'
	cp "$T/sendmail" "$T/open-sendmail"
	chmod 777 "$T/open-sendmail"
	conf w6 "sendmail = $T/open-sendmail"
	bad "sendmail program writable by everybody: 78" "$T/w6.conf" \
	    "$T/open-sendmail" 'the sendmail program is writable by everybody'
	W7=$(mktemp -d /tmp/msh.XXXXXX)
	_ms_homes="$_ms_homes $W7"
	cp -R "$GNUPGHOME/." "$W7/"
	rm -f "$W7"/S.*
	chmod 777 "$W7"
	conf w7 "homedir = $W7"
	bad "GnuPG home writable by everybody: 78" "$T/w7.conf" "$W7" \
	    'the GnuPG home is writable by everybody'
	chmod 700 "$W7"
	chmod 666 "$W7/pubring.kbx"
	bad "a keyring in the GnuPG home writable by everybody: 78" \
	    "$T/w7.conf" "$W7/pubring.kbx" \
	    'a file of the GnuPG home is writable by everybody'
	chmod 600 "$W7/pubring.kbx"
	# gpg 2.2 reads gpg.conf-2.2 or gpg.conf-2 instead of gpg.conf
	for v in 2 2.2; do
		printf 'no-greeting\n' >"$W7/gpg.conf-$v"
		chmod 666 "$W7/gpg.conf-$v"
		bad "gpg.conf-$v writable by everybody: 78" "$T/w7.conf" \
		    "$W7/gpg.conf-$v" \
		    'a file of the GnuPG home is writable by everybody'
		rm -f "$W7/gpg.conf-$v"
	done
	chmod 777 "$W7"
	# no homedir: $GNUPGHOME is the home
	printf '%s\n' "sendmail = $T/sendmail" "log = stderr" >"$T/w8.conf"
	GNUPGHOME=$W7 fm "$T/w8.conf" bob@example.org <"$T/m1.eml"
	check "\$GNUPGHOME writable by everybody (no homedir): 78, 4.3.5" \
	    sh -c "[ $rc -eq 78 ] && [ ! -e '$T/sm/1.args' ] && head -n 1 '$T/err' | grep -qF '4.3.5 mailseal: $W7: the GnuPG home is writable'"
	# another user's files
	GWU=mstgw$$
	if useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$GWU" \
	    >/dev/null 2>&1; then
		trap 'userdel "$GWU" >/dev/null 2>&1; _lib_cleanup' EXIT
		conf w9
		chown "$GWU" "$T/w9.conf"
		bad "configuration that belongs to another user: 78" \
		    "$T/w9.conf" "$T/w9.conf" \
		    "the configuration belongs to $GWU, not to root"
		# an operator's --check as root on the filter user's new
		# keyring (no trustdb.gpg yet): refused before any gpg runs,
		# so no root-owned trustdb.gpg or socket is left there
		rm -f "$W7/trustdb.gpg"
		chmod 700 "$W7"
		chown -R "$GWU" "$W7"
		find "$W7" -exec ls -ldn {} + | sort >"$T/w10.before"
		conf w10 "homedir = $W7"
		fm "$T/w10.conf" --check bob@example.org </dev/null
		check "as root, --check on another user's GnuPG home: 78, 4.3.5 naming its owner" \
		    sh -c "[ $rc -eq 78 ] && head -n 1 '$T/err' | grep -qF '4.3.5 mailseal: $W7: the GnuPG home belongs to $GWU'"
		find "$W7" -exec ls -ldn {} + | sort >"$T/w10.after"
		check "... and nothing in that home changed or was added" \
		    cmp "$T/w10.before" "$T/w10.after"
		is "... nothing in it belongs to root" \
		    "$(find "$W7" -uid 0 | wc -l | tr -d ' ')" 0
		userdel "$GWU" >/dev/null 2>&1
		trap _lib_cleanup EXIT
	else
		skip "another user's files" "useradd failed"
	fi
fi

# ------------------------------------------------------------ temporary files

if [ -z "$leftover" ]; then
	ok "no mailseal.* left in \$TMPDIR after any of $runs runs"
else
	echo "left after run(s):$leftover" >"$T/why"
	not_ok "no mailseal.* left in \$TMPDIR after any of $runs runs" "$T/why"
fi

done_testing
