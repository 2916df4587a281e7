#!/bin/sh
# style.sh - the rules of STYLE.md that a grep can check, over src/.
# TAP output.
src=${MAILSEAL_SRCDIR:-.}/src
n=0
fail=0
check() {
	n=$((n + 1))
	desc=$1
	shift
	hits=$("$@" 2>/dev/null)
	if [ -z "$hits" ]; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		printf '%s\n' "$hits" | sed 's/^/# /'
		fail=1
	fi
}
echo "1..5"
check "no strcpy, strcat, sprintf, strncpy, gets, atoi in src/" \
	grep -nE '\b(strcpy|strcat|sprintf|vsprintf|strncpy|gets|atoi|atol)\(' "$src"/*.c
check "only gpg.c, gpgop.c, gpgcms.c and gpgcmsop.c (and gpgint.h) include gpgme.h" \
	sh -c "grep -lE '^#[[:space:]]*include[[:space:]]*<gpgme.h>' '$src'/*.c '$src'/*.h | grep -vE '/(gpg\\.c|gpgop\\.c|gpgcms\\.c|gpgcmsop\\.c|gpgint\\.h)$'"
check "only main.c calls exit()" \
	sh -c "grep -nE '\\bexit\\(' '$src'/*.c | grep -v '^$src/main.c:'"
check "every limit in limit.h is named LIMIT_*" \
	sh -c "grep -E '^#define ' '$src/limit.h' | grep -vE '^#define (LIMIT_[A-Z_]+|MAILSEAL_LIMIT_H)'"
check "every .c file starts with a comment that says what it is" \
	sh -c "for f in '$src'/*.c; do head -1 \"\$f\" | grep -q '^/\\*' || echo \"\$f\"; done"
exit 0
