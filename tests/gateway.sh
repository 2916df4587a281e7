#!/bin/sh
# gateway.sh - every decision of the gateway explained, as a postmaster
# reads it: why a recipient whose policy is not none gets clear text (no
# key, expired with its date, revoked, no encryption subkey, disabled)
# in the log line, in --check and in a require refusal; the first 100
# characters of the log line (all that Postfix's pipe(8) keeps); --check
# of the sendmail program, the signer and an empty GnuPG home; the
# queue ID that joins our transaction to the re-injected one; a full
# $TMPDIR; --version after a sub-command.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
IS_DIAG=$T/err
B=$(fpr bob)
BID=$(fpr bob | cut -c 25-40)
D=$(fpr dave)
DID=$(fpr dave | cut -c 25-40)
E=$(fpr erin)
F=$(fpr frank)
G=$(fpr grace)
gw_env
# conf, fm and logline: tests/lib.sh

# expiry NAME - the day (UTC) test key NAME expired, from gpg itself
expiry() {
	_ts=$(g --with-colons --list-keys "$(fpr "$1")" |
	    awk -F: '$1 == "pub" { print $7; exit }')
	date -u -d "@$_ts" +%Y-%m-%d
}

cat >"$T/m1.eml" <<'EOF'
From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: the quarterly figures
Message-ID: <m1@example.org>

Hello.
EOF

conf opp
conf req 'default_policy = require'
DAY=$(expiry dave)

# ------------------------------------------------- each reason explained

# reason NAME ADDR TOKEN TEXT - the log line (opportunistic: clear text),
# --check and the 5.7.1 refusal (require) each say why ADDR has no key
reason() {
	fm "$T/opp.conf" -q Q1 -f alice@example.org "$2" <"$T/m1.eml"
	case $(logline) in
	"action=deliver policy=opportunistic to=<$2> why=$3"*)
		ok "$1: the log line says why=$3" ;;
	*)	not_ok "$1: the log line says why=$3" "$T/err" ;;
	esac
	fm "$T/opp.conf" --check "$2" </dev/null
	check "$1: --check says why, in words" \
	    grep -qF "$2: policy=opportunistic (default_policy) key=none action=deliver why=$3 ($4)" "$T/out"
	fm "$T/req.conf" -f alice@example.org "$2" <"$T/m1.eml"
	check "$1: the require refusal is 67 and its 5.7.1 line says why" \
	    sh -c "[ $rc -eq 67 ] && head -n 1 '$T/err' | grep -qF \
	    '5.7.1 mailseal: $2: no usable OpenPGP key ($4) or certificate (no certificate for the address), and policy requires encryption'"
}

reason "no key" nokey@example.org no-key "no key for the address"
reason "expired" dave@example.org expired "key $D expired on $DAY"
is "the log line gives the key and the day it expired" \
    "$(fm "$T/opp.conf" dave@example.org <"$T/m1.eml"; logline |
    sed 's/ from=.*//')" \
    "action=deliver policy=opportunistic to=<dave@example.org> why=expired key=$DID expired=$DAY"
reason "revoked" erin@example.org revoked "key $E is revoked"
reason "no encryption subkey" grace@example.org no-encryption-subkey \
    "key $G has no encryption subkey"
reason "disabled" frank@example.org disabled "key $F is disabled"

# policy none needs no reason; an encrypted copy has its key
conf none 'default_policy = none'
fm "$T/none.conf" -f alice@example.org nokey@example.org <"$T/m1.eml"
is "policy none: no why" "$(logline | sed 's/ from=.*//')" \
    "action=deliver policy=none to=<nokey@example.org>"

# already encrypted, and not a message: said for everybody
"$MAILSEAL" encrypt --homedir "$GNUPGHOME" -r bob@example.org \
    "$T/m1.eml" >"$T/enc.eml" 2>/dev/null
fm "$T/opp.conf" -f alice@example.org bob@example.org <"$T/enc.eml"
is "an encrypted message: why=already-encrypted" \
    "$(logline | sed 's/ from=.*//')" \
    "action=deliver policy=opportunistic to=<bob@example.org> key=$BID why=already-encrypted"
printf 'not a header line\n\nbody\n' >"$T/junk.eml"
fm "$T/opp.conf" -f alice@example.org nokey@example.org <"$T/junk.eml"
is "not a message: why=not-a-message" "$(logline | sed 's/ from=.*//')" \
    "action=deliver policy=opportunistic to=<nokey@example.org> why=not-a-message"

# decrypt = yes and a header with no room for our fields (2000 fields
# with the marker and two verdicts): passed on as it came, with verdicts
"$PYTHON" -c 'import sys
sys.stdout.write("From: alice@example.org\nTo: nokey@example.org\n" +
    "".join("X-F%d: v\n" % i for i in range(1998)) + "\nbody\n")' >"$T/full.eml"
conf dec 'decrypt = yes'
fm "$T/dec.conf" -f alice@example.org nokey@example.org <"$T/full.eml"
check "decrypt = yes, a header without room for our fields: delivered with verdicts" \
    sh -c "[ $rc -eq 0 ] && head -n 1 '$T/sm/1.msg' | grep -q '^X-Mailseal-Decryption: not-encrypted' &&
    tail -n +3 '$T/sm/1.msg' | cmp -s - '$T/full.eml'"
is "... and the log line says why: not a message" "$(logline | sed 's/ from=.*//')" \
    "action=deliver policy=opportunistic to=<nokey@example.org> why=not-a-message"

# ------------------------------------------------- the first 100 characters

# what pipe(8) keeps of a typical one-recipient run (log = stderr, our
# "mailseal: " included), encrypted or not
fm "$T/opp.conf" -q 4Xyz1 -f alice@example.org bob@example.org <"$T/m1.eml"
first=$(grep '^mailseal: action=' "$T/err" | cut -c 1-100)
check "encrypted: action, policy, to and the key (ID) in 100 characters" \
    sh -c "echo '$first' | grep -qF 'mailseal: action=encrypt policy=opportunistic to=<bob@example.org> key=$BID '"
check "... the key ID is the fingerprint's, so grep finds one from the other" \
    sh -c "echo '$B' | grep -q '$BID\$'"
fm "$T/opp.conf" -q 4Xyz1 -f alice@example.org dave@example.org <"$T/m1.eml"
first=$(grep '^mailseal: action=' "$T/err" | cut -c 1-100)
check "clear text: action, policy, to and why in 100 characters" \
    sh -c "echo '$first' | grep -qF 'mailseal: action=deliver policy=opportunistic to=<dave@example.org> why=expired key='"

# ------------------------------------------------- the queue-id join

fm "$T/opp.conf" -q 4Xyz1 -f alice@example.org bob@example.org nokey@example.org \
    <"$T/m1.eml"
check "the log line names the MTA's queue ID" \
    sh -c "grep -q ' queue_id=4Xyz1 result=sent\$' '$T/err'"
check "... and the marker of each copy carries it (header_checks INFO logs it)" \
    sh -c "[ \$(grep -lx 'X-Mailseal-Gateway: gw1.test; queue-id=4Xyz1' '$T'/sm/*.msg | wc -l) -eq 2 ]"
fm "$T/opp.conf" -q "4X;y z" -f alice@example.org nokey@example.org <"$T/m1.eml"
is "a queue ID that is no clean token stays out of the marker" \
    "$(grep '^X-Mailseal-Gateway' "$T/sm/1.msg")" "X-Mailseal-Gateway: gw1.test"
Q64=$(printf '%064d' 0 | tr 0 Q)
fm "$T/opp.conf" -q "$Q64" -f alice@example.org nokey@example.org <"$T/m1.eml"
is "a queue ID of LIMIT_QUEUE_ID (64) bytes is in the marker" \
    "$(grep '^X-Mailseal-Gateway' "$T/sm/1.msg")" \
    "X-Mailseal-Gateway: gw1.test; queue-id=$Q64"
fm "$T/opp.conf" -q "${Q64}Q" -f alice@example.org nokey@example.org <"$T/m1.eml"
check "... one of 65 is not, but the log line names it" \
    sh -c "[ \"\$(grep '^X-Mailseal-Gateway' '$T/sm/1.msg')\" = 'X-Mailseal-Gateway: gw1.test' ] &&
    grep -q ' queue_id=${Q64}Q ' '$T/err'"

# ------------------------------------------------- --check

chmod 644 "$T/sendmail"
fm "$T/opp.conf" --check bob@example.org </dev/null
check "--check: a sendmail that cannot run is 78, and said" \
    sh -c "[ $rc -eq 78 ] && grep -q '^sendmail = $T/sendmail: cannot be run' '$T/out'"
fm "$T/opp.conf" --check --stdout bob@example.org </dev/null
is "--check --stdout: sendmail is not needed, not checked" "$rc" 0
chmod 755 "$T/sendmail"
fm "$T/opp.conf" --check bob@example.org </dev/null
is "--check: everything fine is 0" "$rc" 0
conf peggy 'sign = yes' 'signer = peggy@example.org'
fm "$T/peggy.conf" --check bob@example.org </dev/null
check "--check: a signer without its secret key is 78, and said" \
    sh -c "[ $rc -eq 78 ] && grep -q '^signer = peggy@example.org: cannot sign: ' '$T/out'"
conf dave 'sign = yes' 'signer = dave@example.org'
fm "$T/dave.conf" --check bob@example.org </dev/null
check "--check: an expired signer is 78, and said" \
    sh -c "[ $rc -eq 78 ] && grep -q '^signer = dave@example.org: cannot sign: ' '$T/out'"
conf alice 'sign = yes' 'signer = alice@example.org'
fm "$T/alice.conf" --check bob@example.org </dev/null
is "--check: a signer that signs is 0" "$rc" 0

EMPTY=$(mktemp -d /tmp/mse.XXXXXX)
_ms_homes="$_ms_homes $EMPTY"	# lib.sh kills its agent and removes it
chmod 700 "$EMPTY"
printf '%s\n' "homedir = $EMPTY" "sendmail = $T/sendmail" \
    "gateway_id = gw1.test" "log = stderr" >"$T/empty.conf"
fm "$T/empty.conf" --check bob@example.org </dev/null
check "--check: a GnuPG home without a usable encryption key is a warning" \
    grep -q '^warning: the GnuPG home has no usable encryption key' "$T/out"
fm "$T/empty.conf" -f alice@example.org bob@example.org <"$T/m1.eml"
check "... and every message's log line says the home has no keyring" \
    sh -c "logline() { grep '^mailseal: action=' '$T/err'; };
    logline | grep -q ' warning=no-keyring '"

# ------------------------------------------------- a full $TMPDIR

# a file-size limit makes every write of the spool fail (EFBIG) as a full
# file system would (ENOSPC); the message must name the directory
big=$T/big.eml
{ cat "$T/m1.eml"; head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 70; } \
    >"$big"
(ulimit -f 64; "$MAILSEAL" filter -c "$T/opp.conf" -f alice@example.org \
    nokey@example.org <"$big" >"$T/out" 2>"$T/err"); rc=$?
check "filter, full \$TMPDIR: 75, and it says the temporary file cannot be written" \
    sh -c "[ $rc -eq 75 ] && grep -q '^mailseal: cannot write a temporary file in $TMPDIR: File too large' '$T/err'"
(ulimit -f 64; cat "$big" | "$MAILSEAL" encrypt --homedir "$GNUPGHOME" \
    -r bob@example.org >"$T/out" 2>"$T/err"); rc=$?
check "encrypt from a pipe, full \$TMPDIR: 75, and it says so" \
    sh -c "[ $rc -eq 75 ] && [ ! -s '$T/out' ] && grep -q '^mailseal: cannot write a temporary file in $TMPDIR' '$T/err'"

# ------------------------------------------------- --version anywhere

for c in encrypt decrypt filter; do
	v=$("$MAILSEAL" $c --version 2>"$T/err"); rc=$?
	check "mailseal $c --version: the version, exit 0" \
	    sh -c "[ $rc -eq 0 ] && echo '$v' | grep -q '^mailseal [0-9]' && [ ! -s '$T/err' ]"
done

done_testing
