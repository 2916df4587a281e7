#!/bin/sh
# build.sh - build one libFuzzer binary per harness (make fuzz runs it).
#
#   tests/fuzz/build.sh SRCDIR OUTDIR HARNESS...
#
# Every source of libmailseal.a (and the compat/ sources configure chose)
# is compiled once with clang for coverage, ASan and UBSan, then each
# tests/fuzz/fuzz_HARNESS.c is linked with them and libFuzzer's main
# into OUTDIR/fuzz_HARNESS.  The environment carries what configure
# found: FUZZ_CC (clang), FUZZ_CFLAGS, FUZZ_CPPFLAGS, FUZZ_LIBS,
# FUZZ_SOURCES (the library's sources) and FUZZ_COMPAT (LIBOBJS).
set -eu
[ $# -ge 3 ] || { echo "usage: build.sh SRCDIR OUTDIR HARNESS..." >&2; exit 64; }
top=$1
out=$2
shift 2
cc=${FUZZ_CC:-clang}
cflags=${FUZZ_CFLAGS:--g -O1 -fno-omit-frame-pointer}
san='-fsanitize=address,undefined -fno-sanitize-recover=all'
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "build.sh: $cc not found: make fuzz needs clang (FUZZ_CC=...)" >&2
	exit 1
fi
mkdir -p "$out/obj"
objs=
compile() {
	o="$out/obj/$(basename "$1" .c).o"
	# shellcheck disable=SC2086
	$cc $cflags $san -fsanitize=fuzzer-no-link ${FUZZ_CPPFLAGS:-} \
	    -c -o "$o" "$1"
	objs="$objs $o"
}
# the sources of libmailseal.a (FUZZ_SOURCES, from Makefile.am), else
# every src/*.c but the programs' own
if [ -n "${FUZZ_SOURCES:-}" ]; then
	for f in $FUZZ_SOURCES; do
		case $f in *.c) compile "$top/$f" ;; esac
	done
else
	for f in "$top"/src/*.c; do
		case ${f##*/} in
		main.c|cmd.c|mailseal-gpg.c|gpgsup.c) ;;
		*) compile "$f" ;;
		esac
	done
fi
for o in ${FUZZ_COMPAT:-}; do
	compile "$top/compat/$(basename "$o" .o).c"
done
compile "$top/tests/fuzz/fuzz.c"
for h in "$@"; do
	echo "  FUZZ     $out/fuzz_$h"
	# shellcheck disable=SC2086
	$cc $cflags $san -fsanitize=fuzzer ${FUZZ_CPPFLAGS:-} \
	    -o "$out/fuzz_$h" "$top/tests/fuzz/fuzz_$h.c" $objs \
	    ${FUZZ_LIBS:-}
done
