#!/bin/sh
# fuzz-regress.sh - every input a fuzzer found (a crash, a sanitizer
# report, a leak or a slow input) stays a regression test: replay each
# file of tests/fuzz/regress/HARNESS/ through the harness, linked without
# libFuzzer into tests/fuzz/replay_HARNESS (the normal build, or the
# sanitized one in CI's second pass).  The harnesses that read whole
# messages also replay tests/data's messages, so each harness is known
# to run.  TAP; one test per harness.
. "${MAILSEAL_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

build=$(cd "$(dirname "$MAILSEAL")/.." && pwd)
regress=$MAILSEAL_SRCDIR/tests/fuzz/regress
# seconds one input may take: a slow input found by the fuzzer (its
# -timeout is 10 s) must finish well inside this, sanitizers included
limit=60

# replay H FILE... - run replay_H on each file on its own; the first
# that fails is the diagnostic
replay() {
	_h=$1
	shift
	for _f in "$@"; do
		[ -f "$_f" ] || continue
		_rc=0
		timeout "$limit" "$build/tests/fuzz/replay_$_h" "$_f" \
		    >"$T/out" 2>&1 || _rc=$?
		if [ "$_rc" -ne 0 ]; then
			# 124: over the time limit; 128+N: signal N
			echo "replay_$_h $_f: exit $_rc" >"$T/why"
			not_ok "replay_$_h on $# inputs: $(basename "$_f") fails" \
			    "$T/why" "$T/out"
			return
		fi
	done
	ok "replay_$_h on $# inputs"
}

for src in "$MAILSEAL_SRCDIR"/tests/fuzz/fuzz_*.c; do
	h=${src##*/fuzz_}
	h=${h%.c}
	if [ ! -x "$build/tests/fuzz/replay_$h" ]; then
		skip "replay_$h" "not built (Makefile.am FUZZ_REPLAY)"
		continue
	fi
	set --
	[ -d "$regress/$h" ] && set -- "$regress/$h"/*
	case $h in
	rfc5322|classify|armor|scrub)
		set -- "$@" "$DATA"/encrypt/*.eml ;;
	esac
	replay "$h" "$@"
done
done_testing
