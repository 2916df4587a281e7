#!/usr/bin/env bash
# ratios.sh - the three speed ratios of issue 9, section 4, each measured
# side by side with gpg in one run:
#
#   encrypt 2 KB         mailseal encrypt -r ADDR MSG  vs  gpg -a -e -r FPR < MSG
#                        target: at most 2 x
#   decrypt 100 MB       mailseal decrypt MSG          vs  gpg -d < the armored block
#                        target: at most 1.3 x, and flat memory (peak RSS of
#                        mailseal + gpg at 10 MB and at 100 MB)
#   encrypt 100 MB pipe  cat MSG | mailseal encrypt    vs  cat MSG | gpg -a -e -z 0
#                        target: at most 1.15 x
#
# usage: bench/ratios.sh [SIZE_MB]
#
# Environment: SIZE_MB (default 100), SMALL_MB (the memory check's small
# size, default 10), ROUNDS_SMALL (rounds of the 2 KB case, default 50),
# ROUNDS (rounds of the large cases, default 5), MAILSEAL (default
# src/mailseal of this tree), BASELINE (another mailseal, say a build of
# main, measured in the same rounds for a before/after), PYTHON, KEEP=1
# (keep the temp directory).
#
# Cases run in interleaved rounds (each round runs every case once), so a
# slow spell of the shared machine hits all alike; the ratio is of the
# medians (best times beside).  Exit status 0 whenever everything could be
# measured, whatever the figures; 1 when a command failed or mailseal's
# output is wrong.  bench/README.md explains the figures.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")

SIZE_MB=${1:-${SIZE_MB:-100}}
SMALL_MB=${SMALL_MB:-10}
ROUNDS_SMALL=${ROUNDS_SMALL:-50}
ROUNDS=${ROUNDS:-5}
MAILSEAL=${MAILSEAL:-$top/src/mailseal}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)

for v in "$SIZE_MB" "$SMALL_MB" "$ROUNDS_SMALL" "$ROUNDS"; do
	case $v in
	''|*[!0-9]*|0) echo "usage: $0 [SIZE_MB] (whole numbers above 0)" >&2
		exit 2 ;;
	esac
done
for t in gpg gpgconf awk sed cmp; do
	command -v "$t" >/dev/null || { echo "$0: $t not found" >&2; exit 1; }
done
[ -x "$MAILSEAL" ] || { echo "$0: no $MAILSEAL (run make)" >&2; exit 1; }
SUP=$(dirname "$MAILSEAL")/mailseal-gpg

D=$(mktemp -d /tmp/msr.XXXXXX)
G=$D/g
cleanup() {
	gpgconf --homedir "$G" --kill all >/dev/null 2>&1 || true
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $D" >&2; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export TMPDIR=$D GNUPGHOME=$G
mkdir -m 700 "$G"

# a copy of the binaries: a rebuild during the run changes nothing
mkdir "$D/bin"
cp "$MAILSEAL" "$D/bin/mailseal"
[ -x "$SUP" ] && cp "$SUP" "$D/bin/mailseal-gpg"
MS=$D/bin/mailseal
BASE=
if [ -n "${BASELINE:-}" ]; then
	mkdir "$D/base"
	cp "$BASELINE" "$D/base/mailseal"
	[ -x "$(dirname "$BASELINE")/mailseal-gpg" ] &&
	    cp "$(dirname "$BASELINE")/mailseal-gpg" "$D/base/mailseal-gpg"
	BASE=$D/base/mailseal
fi

echo "== mailseal ratios: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "host: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "mailseal: $MAILSEAL${BASELINE:+ (baseline: $BASELINE)} ($(cd "$top" && git log -1 --format='%h %cs' 2>/dev/null || echo '?'))"
echo "gpg: $(gpg --version | head -n 1)"
echo "rounds: $ROUNDS_SMALL (2 KB), $ROUNDS (${SIZE_MB} MiB); ratio = median / median"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

gpg --batch --passphrase '' --quick-gen-key 'Bob <bob@example.org>' \
    future-default default never >/dev/null 2>&1
FPR=$(gpg --with-colons --list-keys bob@example.org 2>/dev/null |
    awk -F: '/^fpr:/ { print $10; exit }')
[ -n "$FPR" ] || { echo "$0: key generation failed" >&2; exit 1; }
gpg --batch --check-trustdb >/dev/null 2>&1 || true
gpg --batch --list-keys >/dev/null 2>&1 || true
gpgconf --launch gpg-agent >/dev/null 2>&1 || true

# the messages: text as prose; 2 KB is 2048 bytes to within a line
"$PYTHON" "$here/genmsg.py" text 0.001953125 >"$D/small.eml"
"$PYTHON" "$here/genmsg.py" text "$SIZE_MB" >"$D/big.eml"
"$PYTHON" "$here/genmsg.py" text "$SMALL_MB" >"$D/mid.eml"
for m in big mid; do
	"$MS" encrypt -r bob@example.org "$D/$m.eml" >"$D/$m.enc"
	sed -n '/^-----BEGIN PGP MESSAGE-----/,/^-----END PGP MESSAGE-----/p' \
	    "$D/$m.enc" >"$D/$m.asc"
done
echo "messages: $(stat -c %s "$D/small.eml") bytes; $SIZE_MB MiB" \
    "($(stat -c %s "$D/big.enc") bytes encrypted); $SMALL_MB MiB"

TAB=$(printf '\t')
# the floor of any design on GPGME 1.18 that matches recipients itself:
# the gpg runs one such process needs for one message (GPGME's version
# probe, the key listing, the encryption of binary packets), with
# nothing of mailseal's (no start, no supervisor, no parsing; one sh,
# about 0.7 ms, runs them)
cat >"$D/floor.sh" <<EOF
gpg --version >/dev/null
gpg --batch --with-colons --list-keys bob@example.org >/dev/null
exec gpg --batch --yes --trust-model always -e -z 0 -r $FPR
EOF
GPGE="gpg${TAB}--batch${TAB}--yes${TAB}--trust-model${TAB}always${TAB}-a${TAB}-e${TAB}-r${TAB}$FPR"
{
	echo "ms-enc-small${TAB}$D/small.eml${TAB}$D/o1${TAB}$MS${TAB}encrypt${TAB}-r${TAB}bob@example.org${TAB}$D/small.eml"
	echo "gpg-enc-small${TAB}$D/small.eml${TAB}$D/o2${TAB}$GPGE"
	[ -z "$BASE" ] || echo "base-enc-small${TAB}$D/small.eml${TAB}$D/o1${TAB}$BASE${TAB}encrypt${TAB}-r${TAB}bob@example.org${TAB}$D/small.eml"
	echo "floor-enc-small${TAB}$D/small.eml${TAB}$D/o10${TAB}sh${TAB}$D/floor.sh"
} >"$D/small.cases"
{
	echo "ms-dec-big${TAB}$D/big.enc${TAB}$D/o3${TAB}$MS${TAB}decrypt"
	echo "gpg-dec-big${TAB}$D/big.asc${TAB}$D/o4${TAB}gpg${TAB}--batch${TAB}-q${TAB}-d"
	echo "ms-enc-pipe${TAB}|$D/big.eml${TAB}$D/o5${TAB}$MS${TAB}encrypt${TAB}-r${TAB}bob@example.org"
	echo "gpg-enc-pipe${TAB}|$D/big.eml${TAB}$D/o6${TAB}$GPGE${TAB}-z${TAB}0"
	[ -z "$BASE" ] || echo "base-dec-big${TAB}$D/big.enc${TAB}$D/o8${TAB}$BASE${TAB}decrypt"
	[ -z "$BASE" ] || echo "base-enc-pipe${TAB}|$D/big.eml${TAB}$D/o9${TAB}$BASE${TAB}encrypt${TAB}-r${TAB}bob@example.org"
} >"$D/big.cases"

echo "== timing"
fail=0
"$PYTHON" "$here/rounds.py" "$ROUNDS_SMALL" "$D/small.cases" >"$D/t.small" || fail=1
"$PYTHON" "$here/rounds.py" "$ROUNDS" "$D/big.cases" >"$D/t.big" || fail=1
cat "$D/t.small" "$D/t.big" >"$D/t"

# the output checks: decrypt gives the message body back
body() { "$PYTHON" -c 'import sys; d=open(sys.argv[1],"rb").read().replace(b"\r\n",b"\n"); sys.stdout.buffer.write(d.split(b"\n\n",1)[1])' "$1"; }
if ! cmp -s <(body "$D/big.eml") <(body "$D/o3"); then
	echo "FAILED: mailseal decrypt did not give the message back" >&2
	fail=1
fi
"$MS" decrypt <"$D/o5" >"$D/o5.dec" || fail=1
if ! cmp -s <(body "$D/big.eml") <(body "$D/o5.dec"); then
	echo "FAILED: mailseal encrypt (pipe) did not decrypt to the message" >&2
	fail=1
fi

echo "== memory (peak RSS of mailseal and its gpg processes, decrypt)"
for m in mid big; do
	"$PYTHON" "$here/peakrss.py" --stdin "$D/$m.enc" --stdout "$D/o7" \
	    --report "$D/rss.$m" -- "$MS" decrypt || fail=1
done
rss() { tail -n 1 "$1" | tr ' ' '\n' | sed -n 's/^peak_rss_mib=//p'; }
rss_mid=$(rss "$D/rss.mid")
rss_big=$(rss "$D/rss.big")

# ratio NAME_MS NAME_GPG TARGET LABEL - wall times (best, median), the
# ratio of the medians against the target, and the ratio of the median
# CPU times (mailseal and its gpg processes against gpg alone)
ratio() {
	awk -v a="$1" -v b="$2" -v t="$3" -v l="$4" '
	$1 == a { mb = $2; mm = $3; mc = $7 } $1 == b { gb = $2; gm = $3; gc = $7 }
	END {
		if (mm == "" || gm == "" || mm == "-" || gm == "-") {
			printf "%-20s not measured\n", l; exit
		}
		r = mm / gm
		printf "%-20s %8.4f %8.4f %8.4f %8.4f %6.2f x %6.2f x %6.2f x  <= %-4s %s\n",
		    l, mb, mm, gb, gm, r, mb / gb, (gc > 0 ? mc / gc : 0), t,
		    r <= t ? "target met" : "target missed"
	}' "$D/t"
}
echo "== results (wall seconds; ratio of the medians, of the best, of median CPU)"
printf '%-20s %8s %8s %8s %8s %8s %8s %8s  %s\n' case ms_best ms_med \
    gpg_best gpg_med ratio best cpu target
ratio ms-enc-small gpg-enc-small 2 "encrypt 2 KB"
ratio floor-enc-small gpg-enc-small 2 "  floor: 3 gpg runs" |
    sed 's/target met$/(GPGME alone)/; s/target missed$/(GPGME alone: the 2 x target is below it)/'
ratio ms-dec-big gpg-dec-big 1.3 "decrypt ${SIZE_MB} MiB"
ratio ms-enc-pipe gpg-enc-pipe 1.15 "encrypt ${SIZE_MB} MiB pipe"
if [ -n "$BASE" ]; then
	echo "baseline $BASELINE, same rounds:"
	ratio base-enc-small gpg-enc-small 2 "encrypt 2 KB"
	ratio base-dec-big gpg-dec-big 1.3 "decrypt ${SIZE_MB} MiB"
	ratio base-enc-pipe gpg-enc-pipe 1.15 "encrypt ${SIZE_MB} MiB pipe"
fi
awk -v a="$rss_mid" -v b="$rss_big" -v s="$SMALL_MB" -v l="$SIZE_MB" 'BEGIN {
	printf "memory: decrypt peak RSS %s MiB at %s MiB, %s MiB at %s MiB: %s\n",
	    a, s, b, l, (b <= a * 1.1 + 1) ? "flat (target met)" : "grows (target missed)"
}'
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $fail
