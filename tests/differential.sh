#!/bin/sh
# differential.sh - does mailseal split a signed or encrypted message the
# way mail readers do?  Runs tests/differential.py: every message of the
# corpora ($MAILSEAL_CORPUS, read in place), tests/data, hostile variants
# and seeded mutants made at run time, tests/fuzz/regress and
# $MAILSEAL_FUZZ_CORPUS, each read by mailseal's structure reader
# (tests/classify_dump) and by Python's email package (policies compat32
# and default) and GMime 3 (python3-gi, gir1.2-gmime-3.0).  A test fails
# where mailseal would verify or decrypt something other than what a
# reader displays.  TAP, one test per group of inputs.
#
# MAILSEAL_DIFF_MUTANTS (default 2000) and MAILSEAL_DIFF_SEED (default 8)
# set the mutator; MAILSEAL_DIFF_KEEP=DIR keeps every mismatching input;
# MAILSEAL_DIFF_SHOW caps the diagnostics per group (default 60).
set -u

if [ -z "${MAILSEAL_SRCDIR:-}" ]; then
	MAILSEAL_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
fi
: "${MAILSEAL:=$MAILSEAL_SRCDIR/src/mailseal}"
: "${MAILSEAL_CORPUS:=$MAILSEAL_SRCDIR/../shared/corpus}"
DUMP=${CLASSIFY_DUMP:-$(dirname "$MAILSEAL")/../tests/classify_dump}
# Debian's interpreter: python3-gi lives in its dist-packages
PY=${DIFF_PYTHON:-/usr/bin/python3}

skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

[ -x "$DUMP" ] || skip_all "no $DUMP (make tests/classify_dump)"
[ -x "$PY" ] || skip_all "no $PY"
"$PY" -c 'import gi' 2>/dev/null || skip_all "python3-gi is not installed"
"$PY" -c 'import gi; gi.require_version("GMime", "3.0")' 2>/dev/null ||
    skip_all "GMime 3 typelib is not installed (gir1.2-gmime-3.0)"

exec "$PY" "$MAILSEAL_SRCDIR/tests/differential.py" "$DUMP" \
    "$MAILSEAL_SRCDIR" "$MAILSEAL_CORPUS"
