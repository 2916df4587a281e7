#!/bin/sh
# run.sh - build the libFuzzer target with clang and run it for a while
# on seeds from tests/data (and ../shared/corpus when present).
# usage: tests/fuzz/run.sh [seconds]   (needs clang; run from a configured tree)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
out=${FUZZ_DIR:-/tmp/mailseal-fuzz}
mkdir -p "$out/seeds" "$out/corpus"
find "$top/tests/data" -name '*.eml' -exec cp {} "$out/seeds/" \; 2>/dev/null || true
if [ -d "$top/../shared/corpus" ]; then
	find "$top/../shared/corpus" \( -name '*.eml' -o -name '*.mbox' \) -size -64k |
	    head -300 | while read -r f; do cp "$f" "$out/seeds/$(echo "$f" | md5sum | cut -c1-12)"; done
fi
srcs=$(cd "$top/src" && ls *.c | grep -v '^main.c$')
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$top" -I"$top/src" $(pkg-config --cflags gpgme libgcrypt libetpan libidn2) \
    -o "$out/fuzz_message" "$top/tests/fuzz/fuzz_message.c" \
    $(for s in $srcs; do echo "$top/src/$s"; done) \
    $(pkg-config --libs gpgme libgcrypt libidn2) -letpan
exec "$out/fuzz_message" -max_total_time="$secs" -max_len=200000 \
    -timeout=10 -rss_limit_mb=2048 "$out/corpus" "$out/seeds"
