# lib.sh - shared helpers of the TAP shell tests; sourced, not run.
#
#   . "$MAILSEAL_SRCDIR/tests/lib.sh"   (or relative to the script)
#
# TAP:      ok DESC | not_ok DESC [DIAG-FILE...] | check DESC CMD... |
#           skip DESC REASON | diag TEXT... | done_testing
# Set-up:   require_tools TOOL... (skips the whole script when one is
#           missing) | have TOOL | ms_home (a private copy of the test
#           keyring in $GNUPGHOME) | $T (scratch directory)
# S/MIME:   ms_certs_home (a private copy of the test certificates' gpgsm
#           home in $GNUPGHOME) | ms_both_home (OpenPGP keyring and
#           certificates in one home, as a gateway's) | cfpr NAME |
#           $CERTS/NAME.crt .key .p12 .pass (tests/mkcerts.sh) |
#           cms_dec NAME DER OUT (openssl cms decrypts with NAME's key)
# Running:  ms OUT ERR ARGS... (runs $MAILSEAL ARGS, sets $rc)
# Messages: is DESC GOT WANT [FILE...] | msg FILE HEADER... (body on stdin) |
#           verdicts FILE | field FILE NAME | body FILE
#
# Without the make check environment, defaults are derived from the
# location of this file, and the keys are made on first use.

set -u

if [ -z "${MAILSEAL_SRCDIR:-}" ]; then
	MAILSEAL_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
fi
: "${MAILSEAL:=$MAILSEAL_SRCDIR/src/mailseal}"
: "${MAILSEAL_TEST_KEYS:=$MAILSEAL_SRCDIR/tests/keys}"
: "${MAILSEAL_TEST_CERTS:=$MAILSEAL_SRCDIR/tests/certs}"
: "${MAILSEAL_CORPUS:=$MAILSEAL_SRCDIR/../shared/corpus}"
# the interpreter itself: a pyenv shim costs most of a second a call
if [ -z "${PYTHON:-}" ]; then
	PYTHON=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) ||
	    PYTHON=python3
fi
export MAILSEAL MAILSEAL_SRCDIR MAILSEAL_TEST_KEYS MAILSEAL_TEST_CERTS \
    MAILSEAL_CORPUS
LC_ALL=${LC_ALL:-C.UTF-8}
export LC_ALL

CHECK_PGPMIME="$MAILSEAL_SRCDIR/tests/check_pgpmime.py"
DATA="$MAILSEAL_SRCDIR/tests/data"
KEYS=$MAILSEAL_TEST_KEYS
CERTS=$MAILSEAL_TEST_CERTS

_tap_n=0
_tap_failed=0
_tap_skipped=0
_ms_homes=

# ---------------------------------------------------------------- TAP

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# _diag_files FILE... - show the start of each non-empty file as diagnostics
_diag_files() {
	for _f in "$@"; do
		[ -s "$_f" ] || continue
		printf '# --- %s\n' "$(basename "$_f")"
		head -c 2000 "$_f" | head -n 20 | sed 's/^/#   /'
		echo
	done
}

ok() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s\n' "$_tap_n" "$1"
}

# not_ok DESC [FILE...] - a failure, with the files as diagnostics
not_ok() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s\n' "$_tap_n" "$1"
	shift
	_diag_files "$@"
}

# check DESC CMD [ARG...] - ok when CMD exits 0; its output is the diagnostic
check() {
	_desc=$1
	shift
	if "$@" >"$T/.check.out" 2>&1; then
		ok "$_desc"
	else
		not_ok "$_desc" "$T/.check.out"
	fi
}

skip() {
	_tap_n=$((_tap_n + 1))
	_tap_skipped=$((_tap_skipped + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$1" "$2"
}

done_testing() {
	printf '1..%d\n' "$_tap_n"
	diag "$(basename "$0"): $_tap_n tests, $_tap_failed failed," \
	    "$_tap_skipped skipped"
	exit 0
}

# skip_all REASON - the whole script is skipped
skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

have() {
	command -v "$1" >/dev/null 2>&1
}

require_tools() {
	for _t in "$@"; do
		have "$_t" || skip_all "$_t is not installed"
	done
}

# ------------------------------------------------------------ set-up

_lib_cleanup() {
	for _h in $_ms_homes ${T:+"$T"/only-* "$T"/nokeys}; do
		[ -d "$_h" ] || continue
		gpgconf --homedir "$_h" --kill all >/dev/null 2>&1 || :
		rm -rf "$_h"
	done
	[ -n "${T:-}" ] && rm -rf "$T"
}
trap _lib_cleanup EXIT
trap 'exit 1' HUP INT TERM

[ -x "$MAILSEAL" ] || skip_all "no mailseal binary at $MAILSEAL (run make)"
require_tools gpg gpgconf "$PYTHON"

if [ ! -d "$KEYS/home" ]; then
	sh "$MAILSEAL_SRCDIR/tests/mkkeys.sh" "$KEYS" >&2 ||
	    skip_all "cannot make the test keys (tests/mkkeys.sh failed)"
fi

# in /tmp, not $TMPDIR: GnuPG homes inside it need short paths
T=$(mktemp -d /tmp/mst.XXXXXX) || skip_all "mktemp failed"

# ms_home - a fresh private copy of the test keyring in $GNUPGHOME.  The
# path is short on purpose (gpg-agent's socket path limit); the agent is
# killed and the copy removed on exit.
ms_home() {
	GNUPGHOME=$(mktemp -d /tmp/msh.XXXXXX) || {
		echo "mktemp failed" >&2
		exit 1
	}
	_ms_homes="$_ms_homes $GNUPGHOME"
	cp -R "$KEYS/home/." "$GNUPGHOME/"
	rm -f "$GNUPGHOME"/S.*
	chmod 700 "$GNUPGHOME"
	export GNUPGHOME
}

# fpr NAME - the primary fingerprint of test key NAME
fpr() {
	cat "$KEYS/$1.fpr"
}

# _certs_ready - the test certificates exist (made on first use, as the
# keys are); skips the whole script when they cannot be made (openssl,
# gpgsm or dirmngr missing), so call it before the first test
_certs_ready() {
	require_tools openssl gpgsm dirmngr
	if [ ! -d "$CERTS/home" ]; then
		sh "$MAILSEAL_SRCDIR/tests/mkcerts.sh" "$CERTS" >&2 || :
	fi
	[ -d "$CERTS/home" ] ||
	    skip_all "no test certificates (tests/mkcerts.sh failed)"
}

# ms_certs_home - a fresh private copy of the test certificates' gpgsm
# home (tests/mkcerts.sh: keybox, secret keys, trustlist.txt, dirmngr's
# CRL cache) in $GNUPGHOME; gpg-agent and dirmngr are killed and the
# copy removed on exit.  Skips the whole script without certificates.
ms_certs_home() {
	_certs_ready
	GNUPGHOME=$(mktemp -d /tmp/msc.XXXXXX) || {
		echo "mktemp failed" >&2
		exit 1
	}
	_ms_homes="$_ms_homes $GNUPGHOME"
	cp -R "$CERTS/home/." "$GNUPGHOME/"
	rm -f "$GNUPGHOME"/S.*
	chmod 700 "$GNUPGHOME"
	export GNUPGHOME
}

# ms_both_home - one private home with the OpenPGP test keyring and the
# test certificates, as a gateway's homedir holds both: alice and bob
# have a key and a certificate, victor a certificate only, xbob a key
# only.  Skips the whole script without certificates.
ms_both_home() {
	_certs_ready
	ms_home
	# gpg's and gpgsm's keys share pubring.kbx: import, do not copy it
	gpgsm --batch --no-tty --import "$CERTS/all.pem" >/dev/null 2>&1 || {
		echo "gpgsm --import $CERTS/all.pem failed" >&2
		exit 1
	}
	cp -R "$CERTS/home/private-keys-v1.d" "$CERTS/home/crls.d" \
	    "$CERTS/home/trustlist.txt" "$CERTS/home/gpg-agent.conf" \
	    "$GNUPGHOME/"
	gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || :
}

# cfpr NAME - the SHA-1 fingerprint of test certificate NAME
cfpr() {
	cat "$CERTS/$1.fpr"
}

# cms_dec NAME DER OUT - openssl, an independent reader, decrypts the
# DER CMS EnvelopedData in DER with NAME's key into OUT
cms_dec() {
	openssl cms -decrypt -binary -inform DER -in "$2" \
	    -recip "$CERTS/$1.crt" -inkey "$CERTS/$1.key" -out "$3" \
	    2>"$3.err"
}

# ---------------------------------------------------------- running

# ms OUT ERR [ARG...] - run mailseal (stdin as given); $rc is its status
ms() {
	_out=$1 _err=$2
	shift 2
	"$MAILSEAL" "$@" >"$_out" 2>"$_err"
	rc=$?
}

# gpg_dec ARMOR OUT [STATUS] - decrypt with gpg in $GNUPGHOME
gpg_dec() {
	gpg --batch --no-tty --yes --quiet --pinentry-mode loopback \
	    --passphrase '' ${3:+--status-file "$3"} --output "$2" \
	    --decrypt "$1" 2>"$2.err"
}

# gpg_dec_only KEY ARMOR OUT - decrypt with gpg holding only KEY's secret
# key; succeeds when gpg reports DECRYPTION_OKAY.  (gpg exits 2 when it
# tried another anonymous recipient's packet first, so its exit status
# alone says too little.)
gpg_dec_only() {
	_h=$T/only-$1
	if [ ! -d "$_h" ]; then
		mkdir -m 700 "$_h"
		_ms_homes="$_ms_homes $_h"
		gpg --homedir "$_h" --batch --quiet --import \
		    "$KEYS/$1.sec.asc" >/dev/null 2>&1
	fi
	rm -f "$3" "$3.status"
	gpg --homedir "$_h" --batch --no-tty --quiet --pinentry-mode loopback \
	    --passphrase '' --status-file "$3.status" --output "$3" \
	    --decrypt "$2" 2>"$3.err"
	grep -q '^\[GNUPG:\] DECRYPTION_OKAY' "$3.status"
}

# pkesk_keyids ARMOR - the key IDs the message is encrypted to, one a
# line, as gpg --list-packets reports them (in an empty keyring: nothing
# is decrypted and no agent starts)
pkesk_keyids() {
	if [ ! -d "$T/nokeys" ]; then
		mkdir -m 700 "$T/nokeys"
		_ms_homes="$_ms_homes $T/nokeys"
	fi
	gpg --homedir "$T/nokeys" --batch --no-tty --list-packets "$1" \
	    2>/dev/null |
	    sed -n 's/^:pubkey enc packet:.* keyid \([0-9A-Fa-f]*\).*/\1/p'
}

# subkey_ids NAME - the key IDs of NAME's encryption subkeys
subkey_ids() {
	gpg --batch --with-colons --list-keys "$(fpr "$1")" 2>/dev/null |
	    awk -F: '$1 == "sub" && $12 ~ /e/ { print $5 }'
}

# one_line FILE - FILE holds exactly one line that starts with "mailseal:"
one_line() {
	[ "$(wc -l <"$1")" -eq 1 ] && head -n 1 "$1" | grep -q '^mailseal: '
}

# --------------------------------------------------------- messages

# is DESC GOT WANT [FILE...] - ok when GOT equals WANT; else the two, and
# the FILEs (and those in $IS_DIAG) as diagnostics
is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		printf 'got:      %s\nexpected: %s\n' "$2" "$3" >"$T/why"
		_d=$1
		shift 3
		# shellcheck disable=SC2086
		not_ok "$_d" "$T/why" ${IS_DIAG:-} "$@"
	fi
}

# msg FILE HEADER-LINES... - a message: the header lines, an empty line,
# then standard input as the body
msg() {
	_f=$1
	shift
	printf '%s\n' "$@" >"$_f"
	echo >>"$_f"
	cat >>"$_f"
}

# verdicts FILE - mailseal's two verdict lines (after any mbox From_
# line), joined by "|"
verdicts() {
	sed '1{/^From /d;}' "$1" | head -n 2 | tr -d '\r' | tr '\n' '|'
}

# field FILE NAME - the values of the header fields NAME, unfolded, one
# a line
field() {
	sed '/^\r\{0,1\}$/q' "$1" | tr -d '\r' |
	    awk '/^[ \t]/ && NR > 1 { sub(/^[ \t]+/, " "); line = line $0; next }
	    NR > 1 { print line } { line = $0 } END { print line }' |
	    awk -v n="$2" 'BEGIN { n = tolower(n) }
	    { k = tolower($0); sub(/:.*/, "", k) }
	    k == n { sub(/^[^:]*: ?/, ""); print }'
}

# body FILE - everything after the first empty line
body() {
	sed '1,/^\r\{0,1\}$/d' "$1"
}

# g ARGS - gpg in the test home, quietly
g() {
	gpg --batch --no-tty --yes --quiet --trust-model always "$@"
}

# expect DESC FILE VERDICTS - exit 0 and the verdict lines
expect() {
	if [ "$rc" -eq 0 ] && [ "$(verdicts "$2")" = "$3" ]; then
		ok "$1"
	else
		echo "exit $rc; verdicts: $(verdicts "$2")" >"$T/why"
		echo "expected: $3" >>"$T/why"
		not_ok "$1" "$T/why" "$T/err" "$2"
	fi
}

# fake_sendmail - $T/sendmail, a fake sendmail: call N leaves
# $T/sm/N.args (one "[ARG]" a line, so an empty argument shows as "[]")
# and $T/sm/N.msg (its standard input).  SM_FAIL=N makes call N exit 1
# after reading its input; SM_KILL=N makes call N die by SIGTERM;
# SM_SLEEP=N makes call N take 3 seconds.
fake_sendmail() {
	cat >"$T/sendmail" <<EOF
#!/bin/sh
d='$T/sm'
n=1
while [ -e "\$d/\$n.args" ]; do n=\$((n + 1)); done
: >"\$d/\$n.args"
for a in "\$@"; do printf '[%s]\n' "\$a" >>"\$d/\$n.args"; done
cat >"\$d/\$n.msg"
[ "\${SM_KILL:-0}" = "\$n" ] && kill -TERM \$\$
[ "\${SM_SLEEP:-0}" = "\$n" ] && sleep 3
[ "\${SM_FAIL:-0}" != "\$n" ]
EOF
	chmod 755 "$T/sendmail"
}

# ---------------------------------------------- the gateway's tests

# gw_env - what a filter test runs in: TMPDIR=$T/tmp (the filter's
# nameless files go there; none may be left behind) and the fake
# sendmail at $T/sendmail
gw_env() {
	TMPDIR=$T/tmp
	mkdir "$TMPDIR"
	export TMPDIR
	fake_sendmail
}

# conf NAME [LINE...] - $T/NAME.conf: the base configuration, then the
# LINEs (the last assignment wins)
conf() {
	_f=$T/$1.conf
	shift
	{
		printf '%s\n' "homedir = $GNUPGHOME" "sendmail = $T/sendmail" \
		    "gateway_id = gw1.test" "log = stderr"
		[ $# -eq 0 ] || printf '%s\n' "$@"
	} >"$_f"
}

# fm CONF [ARG...] - mailseal filter -c CONF ARGS with a fresh record of
# sendmail calls; $rc, $T/out, $T/err
fm() {
	_c=$1
	shift
	rm -rf "$T/sm"
	mkdir "$T/sm"
	"$MAILSEAL" filter -c "$_c" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# logline - the gateway's log line of the last run (log = stderr)
logline() {
	grep '^mailseal: action=' "$T/err" | sed 's/^mailseal: //'
}
