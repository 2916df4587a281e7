#!/bin/sh
# run.sh - run the libFuzzer harnesses that make fuzz built.
#
#   tests/fuzz/run.sh [HARNESS|all] [SECONDS] [libFuzzer options...]
#
# Run from a configured build tree after "make fuzz".  Each harness runs
# for SECONDS (default 60) at nice 19, on a corpus kept across runs in
# $FUZZ_DIR/HARNESS/corpus (default /tmp/mailseal-fuzz) and on seeds made
# afresh each run from tests/data and ../shared/corpus (copied or
# extracted into $FUZZ_DIR, never into the source tree).  A crash, leak
# or slow input is written to $FUZZ_DIR/HARNESS/artifacts/; keep it as a
# regression input in tests/fuzz/regress/HARNESS/ (tests/fuzz-regress.sh).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${FUZZ_BIN:-tests/fuzz/bin}
out=${FUZZ_DIR:-/tmp/mailseal-fuzz}
corpus=${MAILSEAL_CORPUS:-$top/../shared/corpus}
which=${1:-all}
secs=${2:-60}
[ $# -gt 2 ] && shift 2 || set --
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# messages - message files of the tests and the corpus, smallest first
messages() {
	{
		find "$top/tests/data" -type f -name '*.eml'
		[ -d "$corpus" ] && find "$corpus" -type f -size -64k \
		    \( -name '*.eml' -o -name '*.mbox' -o -name '*.msg' \
		    -o -name '*.txt' \)
	} 2>/dev/null | head -600
}

# fields - write the unfolded values of header fields named $2.. of
# every message into seed files in $1 (one value per file)
fields() {
	dir=$1
	shift
	messages | "$py" -c '
import sys, email, email.policy, hashlib, os
dir, names = sys.argv[1], [n.lower() for n in sys.argv[2:]]
for path in sys.stdin.read().split("\n"):
    if not path:
        continue
    try:
        msg = email.message_from_binary_file(open(path, "rb"),
            policy=email.policy.compat32)
        parts = list(msg.walk())
    except Exception:
        continue
    for part in parts:
        for k, v in part.items():
            if k.lower() not in names or not isinstance(v, str):
                continue
            v = " ".join(v.split("\n")).encode("utf-8", "surrogateescape")
            h = hashlib.sha1(v).hexdigest()[:16]
            open(os.path.join(dir, h), "wb").write(v)
' "$dir" "$@"
}

# seeds - fill $2 with seed inputs for harness $1
seeds() {
	case $1 in
	rfc5322|classify|scrub)
		messages | while read -r f; do
			cp "$f" "$2/$(printf '%s' "$f" | md5sum | cut -c1-16)"
		done
		;;
	armor)
		{ messages; [ -d "$corpus" ] && find "$corpus" -type f \
		    -size -64k -name '*.asc'; } | while read -r f; do
			n=$(printf '%s' "$f" | md5sum | cut -c1-16)
			{ printf '\000'; cat "$f"; } >"$2/$n.0"
		done
		;;
	openpgp)
		# binary packets, the first byte picks the split
		[ -d "$corpus" ] && find "$corpus" -type f -size -64k \
		    \( -name '*.pgp' -o -name '*.gpg' -o -name '*.bin' \
		    -o -name '*.sig' \) | while read -r f; do
			n=$(printf '%s' "$f" | md5sum | cut -c1-16)
			{ printf '\007'; cat "$f"; } >"$2/$n"
		done
		;;
	addr)
		fields "$2" from to cc bcc reply-to sender
		;;
	mime)
		fields "$2" content-type content-transfer-encoding
		;;
	conf)
		printf 'homedir = /var/lib/mailseal/gnupg\ndefault_policy = opportunistic\npolicy_map = /etc/mailseal/policy\ndecrypt = no\nsendmail = /usr/sbin/sendmail\nsign = yes\nsigner = gw@example.org\nlog = stderr\nsyslog_facility = local3\ngateway_id = gw1\ntimeout = 300\nlisten = 127.0.0.1:10025\nreinject = [::1]:10026\n' >"$2/full"
		printf '# comment\n\ndefault_policy = require\n  # indented\nsendmail = /usr/sbin/sendmail\n  -oi\n' >"$2/cont"
		;;
	policy)
		printf 'alice@example.org require\nexample.com opportunistic\n.example.net none # c\n# x\nbob+tag@example.org require\n' >"$2/map"
		;;
	smtpd)
		# conversations: a pipelined transaction, the leading byte
		# also picks the DATA automaton's step
		printf 'EHLO c.example\r\nXFORWARD NAME=h.example ADDR=192.0.2.1 IDENT=ABC+2B1\r\nMAIL FROM:<a@b.example> SIZE=20 BODY=8BITMIME SMTPUTF8\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<x@example.org>\r\nRCPT TO:<@r.example:y@example.org>\r\nDATA\r\nSubject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n' >"$2/txn"
		printf 'HELO c\nMAIL FROM:<>\nRCPT TO:<"q x"@[192.0.2.1]>\nDATA\n.\r\r\n.x\n.\r\nRSET\nVRFY x\nHELP\nNOOP\nBOGUS\n\000\r\n' >"$2/lf"
		;;
	*)	: ;;
	esac
}

# run1 - fuzz one harness for $secs seconds
run1() {
	h=$1
	shift
	[ -x "$bin/fuzz_$h" ] || { echo "run.sh: no $bin/fuzz_$h: make fuzz" >&2; return 1; }
	mkdir -p "$out/$h/corpus" "$out/$h/artifacts"
	rm -rf "$out/$h/seeds"
	mkdir -p "$out/$h/seeds"
	seeds "$h" "$out/$h/seeds"
	[ -d "$top/tests/fuzz/regress/$h" ] &&
	    cp "$top/tests/fuzz/regress/$h"/* "$out/$h/seeds/" 2>/dev/null || :
	dict=
	[ -f "$here/$h.dict" ] && dict="-dict=$here/$h.dict"
	case $h in
	rfc5322|classify|armor|openpgp|scrub|smtpd) max=65536 ;;
	*) max=8192 ;;
	esac
	echo "run.sh: fuzz_$h for ${secs}s ($(ls "$out/$h/seeds" | wc -l) seeds)"
	# shellcheck disable=SC2086
	nice -n 19 "$bin/fuzz_$h" -max_total_time="$secs" -max_len="$max" \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$out/$h/artifacts/" $dict "$@" \
	    "$out/$h/corpus" "$out/$h/seeds"
}

if [ "$which" = all ]; then
	rc=0
	for f in "$bin"/fuzz_*; do
		run1 "${f##*/fuzz_}" "$@" || rc=1
	done
	exit $rc
fi
run1 "$which" "$@"
