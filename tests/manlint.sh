#!/bin/sh
# manlint.sh - the man pages must be clean under mandoc -Tlint (TAP).
#
# Any message fails the test, except two kinds that depend on the
# machine, not on the page: "referenced manual not found" for an .Xr to a
# page not installed here (procmail(1) on a machine without procmail) is
# shown as a note, and "outdated mandoc.db lacks ...", printed for every
# .Xr when no makewhatis database exists, is dropped.
#
# Environment: MANDOC (default: mandoc on PATH), MAILSEAL_SRCDIR (default:
# the directory above this script).

mandoc=${MANDOC:-}
if [ -z "$mandoc" ]; then
	mandoc=$(command -v mandoc 2>/dev/null) || mandoc=
fi
if [ -z "$mandoc" ] || ! command -v "$mandoc" >/dev/null 2>&1; then
	echo "1..0 # SKIP mandoc not installed"
	exit 0
fi

case $0 in
*/*)	here=${0%/*} ;;
*)	here=. ;;
esac
srcdir=${MAILSEAL_SRCDIR:-$here/..}

echo "1..1"
set -- "$srcdir"/man/*.[1-8]
if [ ! -f "$1" ]; then
	echo "not ok 1 - mandoc -Tlint: no man pages in $srcdir/man"
	exit 1
fi

out=$("$mandoc" -Tlint "$@" 2>&1 | grep -v 'outdated mandoc\.db lacks')
xr_re='STYLE: referenced manual not found: '
bad=$(printf '%s\n' "$out" | grep -v "$xr_re" | grep -v '^$')
notes=$(printf '%s\n' "$out" | grep "$xr_re")

names=$(for f in "$@"; do printf ' %s' "${f##*/}"; done)
if [ -z "$bad" ]; then
	echo "ok 1 - mandoc -Tlint:$names"
	status=0
else
	echo "not ok 1 - mandoc -Tlint:$names"
	printf '%s\n' "$bad" | sed 's/^/# /'
	status=1
fi
if [ -n "$notes" ]; then
	printf '%s\n' "$notes" | sed 's/^/# note (not installed here): /'
fi
exit $status
