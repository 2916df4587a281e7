#!/bin/sh
# gpg-path.sh - the gpg mailseal runs is the first usable "gpg" on PATH,
# an absolute path to a file that can be run (gpgsup_find_gpg): an entry
# that is relative or empty (the current directory, where the MTA
# happens to run us), or a "gpg" that is a directory, is passed over,
# not taken and then refused ("no gpg on PATH", 75 for every message)
# nor run.  No PATH at all is /bin:/usr/bin.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
real=$(command -v gpg) || skip_all "no gpg"
realdir=$(dirname "$real")
printf 'From: alice@example.org\nTo: bob@example.org\nSubject: t\n\nhello\n' \
    >"$T/small.eml"
# a "gpg" in the current directory that must never run
mkdir "$T/cwd" "$T/cwd/rel" "$T/dir" "$T/dir/gpg"
cat >"$T/cwd/rel/gpg" <<WRAP
#!/bin/sh
: >"$T/wrong-gpg-ran"
exit 2
WRAP
cp "$T/cwd/rel/gpg" "$T/cwd/gpg"
chmod 755 "$T/cwd/rel/gpg" "$T/cwd/gpg"

# with DESC PATH - encrypt with PATH (unset: "-"), from $T/cwd: exit 0,
# a message out, and the gpg in the current directory never ran
with() {
	rm -f "$T/wrong-gpg-ran"
	if [ "$2" = - ]; then
		(cd "$T/cwd" && env -u PATH "$MAILSEAL" encrypt \
		    -r bob@example.org "$T/small.eml" >"$T/out" 2>"$T/err")
	else
		(cd "$T/cwd" && PATH=$2 "$MAILSEAL" encrypt \
		    -r bob@example.org "$T/small.eml" >"$T/out" 2>"$T/err")
	fi
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q '^-----BEGIN PGP MESSAGE' "$T/out" &&
	    [ ! -e "$T/wrong-gpg-ran" ]; then
		ok "$1: exit 0, encrypted by $real"
	else
		echo "exit $rc; wrong gpg ran: $([ -e "$T/wrong-gpg-ran" ] &&
		    echo yes || echo no)" >"$T/why"
		not_ok "$1" "$T/why" "$T/err"
	fi
}

with "a relative PATH entry first" "rel:$realdir"
with "an empty PATH entry first" ":$realdir"
with "a \".\" PATH entry first" ".:$realdir"
with "a directory named gpg first" "$T/dir:$realdir"
case $realdir in
/bin|/usr/bin) with "no PATH: /bin:/usr/bin" - ;;
*) skip "no PATH: /bin:/usr/bin" "gpg is in $realdir" ;;
esac

done_testing
