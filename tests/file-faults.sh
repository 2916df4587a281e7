#!/bin/sh
# file-faults.sh - nothing readable is left behind, whatever happens to
# mailseal (issue 8, items 10-12 and the file half of section F):
#   - a core dump holds no plaintext: none is written (RLIMIT_CORE 0,
#     not dumpable);
#   - a file-size limit (RLIMIT_FSIZE) and a full disk are 75 with one
#     line and nothing on the output, never a death by SIGXFSZ;
#   - -o FILE never takes its mode from a file an attacker put there
#     (another user's, a symbolic link, setuid bits);
#   - SIGKILL at points spread over a run of encrypt, decrypt and filter
#     leaves no file in $TMPDIR, nothing but a whole result (or none) in
#     the -o directory, and no message text in the GnuPG home.
# TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
TMPDIR=$T/tmp
OUTDIR=$T/odir
mkdir "$TMPDIR" "$OUTDIR" "$T/in"
export TMPDIR
IS_DIAG=$T/err
# the words to look for in whatever a run leaves behind
TOKEN=fault$$token

# a small tmpfs for the disk-full cases is unmounted before lib.sh
# removes $T
FULL=
trap '[ -n "$FULL" ] && umount "$FULL" 2>/dev/null; _lib_cleanup' EXIT

# ------------------------------------------------------------ messages

printf '%s the key is under the mat.\n' "$TOKEN" |
    msg "$T/in/small.eml" 'From: Alice <alice@example.org>' \
    'To: Bob <bob@example.org>' 'Subject: small'
# big: a few MB, so that a run lasts long enough to be killed inside
yes "$TOKEN the key is under the mat, and this line is filler text." |
    head -n 60000 | msg "$T/in/big.eml" 'From: Alice <alice@example.org>' \
    'To: Bob <bob@example.org>' 'Subject: big'
"$MAILSEAL" encrypt -r bob@example.org -o "$T/in/small.enc" \
    "$T/in/small.eml" 2>"$T/err" &&
    "$MAILSEAL" encrypt -r bob@example.org -o "$T/in/big.enc" \
    "$T/in/big.eml" 2>"$T/err" &&
    "$MAILSEAL" decrypt -o "$T/in/big.ref" "$T/in/big.enc" 2>"$T/err" ||
    { not_ok "set-up: encrypt and decrypt the test messages" "$T/err"
    done_testing; }

# the filter's configuration and its fake sendmail: it keeps each copy,
# and lists what $TMPDIR holds while it reads (SM_WAIT: then waits
# until that file exists)
cat >"$T/sendmail" <<EOF
#!/bin/sh
n=\$\$
ls -A "$TMPDIR" >"$T/sm/\$n.tmpdir"
cat >"$T/sm/\$n.msg"
while [ -n "\${SM_WAIT:-}" ] && [ ! -e "\$SM_WAIT" ]; do sleep 0.05; done
exit 0
EOF
chmod 755 "$T/sendmail"
printf '%s\n' "homedir = $GNUPGHOME" "sendmail = $T/sendmail" \
    "gateway_id = gw1.test" "log = stderr" "decrypt = yes" >"$T/f.conf"
mkdir "$T/sm"

# ------------------------------------------------------------- helpers

# residue - what a run left: any file in $TMPDIR, any file but out.eml
# in $OUTDIR, any file in the GnuPG home that holds the message text
residue() {
	find "$TMPDIR" "$OUTDIR" -mindepth 1 ! -path "$OUTDIR/out.eml"
	grep -rlI -D skip -e "$TOKEN" "$GNUPGHOME" 2>/dev/null
}

# whole KIND - $OUTDIR/out.eml is absent or a whole result: decrypt's
# is the reference, encrypt's a complete RFC 3156 message
whole() {
	[ -e "$OUTDIR/out.eml" ] || return 0
	case $1 in
	decrypt)
		cmp -s "$OUTDIR/out.eml" "$T/in/big.ref" ;;
	encrypt)
		"$PYTHON" "$CHECK_PGPMIME" structure "$OUTDIR/out.eml" \
		    "$T/in/big.eml" >/dev/null 2>&1 ;;
	*)
		return 0 ;;
	esac
}

# now_ms - milliseconds since the epoch
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# one_run KIND - one run of KIND in the background ($pid); filter reads
# the big message encrypted to bob, decrypts it and makes a copy for
# carol (encrypted anew) and one for nokey (as it came, decrypted)
one_run() {
	case $1 in
	decrypt)
		"$MAILSEAL" decrypt -o "$OUTDIR/out.eml" "$T/in/big.enc" \
		    >"$T/out" 2>"$T/err" & ;;
	decrypt-stdout)
		"$MAILSEAL" decrypt "$T/in/big.enc" >"$T/out" 2>"$T/err" & ;;
	encrypt)
		"$MAILSEAL" encrypt -r bob@example.org -o "$OUTDIR/out.eml" \
		    "$T/in/big.eml" >"$T/out" 2>"$T/err" & ;;
	filter)
		"$MAILSEAL" filter -c "$T/f.conf" -f alice@example.org \
		    carol@example.org nokey@example.org <"$T/in/big.enc" \
		    >"$T/out" 2>"$T/err" & ;;
	esac
	pid=$!
}

# kills KIND N [FROM] - N runs of KIND, each killed by SIGKILL at a
# random point of its Nth part of a whole run's time (from FROM, a
# fraction of it, to its end); after each, nothing may be left
kills() {
	rm -rf "$OUTDIR/out.eml" "$T/sm"/*
	t0=$(now_ms)
	one_run "$1"
	wait "$pid"
	rc=$?
	dur=$(($(now_ms) - t0))
	if [ "$rc" -ne 0 ] || [ -n "$(residue)" ] || ! whole "$1"; then
		residue >"$T/why"
		not_ok "$1: a whole run (exit $rc) leaves nothing" "$T/err" "$T/why"
		return
	fi
	bad= killed=0 i=0
	while [ "$i" -lt "$2" ]; do
		rm -rf "$OUTDIR/out.eml" "$T/sm"/*
		delay=$(awk -v i="$i" -v n="$2" -v d="$dur" -v s="$$$i" \
		    -v f="${3:-0}" 'BEGIN { srand(s)
		    printf "%.3f", (f + (1 - f) * (i + rand()) / n) * d / 1000 }')
		one_run "$1"
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
		wait "$pid" 2>/dev/null
		# its gpg goes when its pipes close; give it a moment
		sleep 0.1
		left=$(residue)
		if [ -n "$left" ] || ! whole "$1"; then
			bad="$bad ${delay}s:$(echo $left | sed "s|$T/||g")"
			[ -n "$left" ] && rm -rf $left
			[ -e "$OUTDIR/out.eml" ] && ! whole "$1" &&
			    bad="$bad (out.eml cut off)"
		fi
		i=$((i + 1))
	done
	if [ -z "$bad" ]; then
		ok "$1: SIGKILL at $2 points of a ${dur} ms run ($killed killed): nothing left, output whole or absent"
	else
		echo "left behind after kills at:$bad" >"$T/why"
		not_ok "$1: SIGKILL at $2 points of a ${dur} ms run ($killed killed): nothing left, output whole or absent" "$T/why"
	fi
}

# fails75 DESC - the last run ($rc, $T/out, $T/err) exited 75 with
# nothing on the output, one line on standard error (besides the
# filter's log line) and nothing left
fails75() {
	left=$(residue)
	grep -v ' result=deferred$' "$T/err" >"$T/err1"
	if [ "$rc" -eq 75 ] && [ ! -s "$T/out" ] && one_line "$T/err1" &&
	    [ -z "$left" ] && [ ! -e "$OUTDIR/out.eml" ]; then
		ok "$1"
	else
		echo "exit $rc (want 75); left: $left" >"$T/why"
		not_ok "$1" "$T/why" "$T/err" "$T/out"
	fi
	rm -rf "$OUTDIR/out.eml" $left
}

# ---------------------------------------------- item 11: no core dumps

mkdir "$T/core"
(
	cd "$T/core" || exit 1
	ulimit -c unlimited 2>/dev/null
	# the SIGSEGV is ours: a sanitizer build must not report it
	{ cat "$T/in/small.enc"; sleep 3; } |
	    ASAN_OPTIONS="${ASAN_OPTIONS:-}:handle_segv=0" \
	    "$MAILSEAL" decrypt >/dev/null 2>"$T/err" &
	pid=$!
	sleep 0.5
	grep '^Max core file size' "/proc/$pid/limits" >"$T/core.limit"
	kill -SEGV "$pid"
	wait "$pid"
	echo $? >"$T/core.rc"
) 2>/dev/null
is "a running mailseal has no core file size (RLIMIT_CORE 0)" \
    "$(awk '{ print $5, $6 }' "$T/core.limit")" "0 0" "$T/core.limit"
pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
case $pattern in
core | core.%p)
	is "killed by SIGSEGV under ulimit -c unlimited: no core file" \
	    "$(ls -A "$T/core" | tr '\n' ' ')" "" ;;
*)
	skip "killed by SIGSEGV: no core file" \
	    "kernel.core_pattern is '$pattern', not a file in the cwd" ;;
esac

# -------------------------------------- item 11: RLIMIT_FSIZE, SIGXFSZ

# fsize BLOCKS ARG... - mailseal ARGS under ulimit -f BLOCKS
fsize() {
	_b=$1
	shift
	(ulimit -f "$_b" && exec "$MAILSEAL" "$@") >"$T/out" 2>"$T/err"
	rc=$?
}
fsize 200 decrypt "$T/in/big.enc"
fails75 "ulimit -f: decrypt to standard output exits 75, not SIGXFSZ"
fsize 200 decrypt -o "$OUTDIR/out.eml" "$T/in/big.enc"
fails75 "ulimit -f: decrypt -o exits 75, no file"
fsize 200 encrypt -r bob@example.org "$T/in/big.eml"
fails75 "ulimit -f: encrypt to standard output exits 75"
fsize 200 encrypt -r bob@example.org -o "$OUTDIR/out.eml" <"$T/in/big.eml"
fails75 "ulimit -f: encrypt -o from a pipe-like standard input exits 75"
fsize 200 filter -c "$T/f.conf" carol@example.org nokey@example.org \
    <"$T/in/big.enc"
fails75 "ulimit -f: filter exits 75"
is "... and handed nothing to sendmail" "$(ls "$T/sm" | wc -l)" 0
fsize 200 decrypt "$T/in/small.enc"
is "ulimit -f: a message well under it decrypts (exit 0)" "$rc" 0

# appending to a mailbox that the result would take over the limit:
# what the copy added is cut off again, the mailbox is as it was
bs=$(sh -c 'ulimit -f 1 && head -c 4096 /dev/zero >"$1"' sh "$T/bs" \
    2>/dev/null; stat -c %s "$T/bs")
yes "$TOKEN a medium message." | head -n 2000 |
    msg "$T/in/medium.eml" 'From: alice@example.org' 'To: bob@example.org'
"$MAILSEAL" encrypt -r bob@example.org "$T/in/medium.eml" >"$T/in/medium.enc"
head -c $((2000 * bs - 20000)) /dev/zero >"$T/mbox"
cp "$T/mbox" "$T/mbox.orig"
(ulimit -f 2000 && exec "$MAILSEAL" decrypt "$T/in/medium.enc") \
    >>"$T/mbox" 2>"$T/err"
rc=$?
if [ "$rc" -eq 75 ] && cmp -s "$T/mbox" "$T/mbox.orig"; then
	ok "ulimit -f: decrypt >> a mailbox near the limit: 75, the mailbox as it was"
else
	echo "exit $rc, mailbox $(stat -c %s "$T/mbox") bytes, was $(stat -c %s "$T/mbox.orig")" >"$T/why"
	not_ok "ulimit -f: decrypt >> a mailbox near the limit: 75, the mailbox as it was" "$T/why" "$T/err"
fi
rm -f "$T/mbox" "$T/mbox.orig"

# ---------------------------------------------------- disk full (tmpfs)

if [ "$(id -u)" -eq 0 ] && mkdir "$T/full" &&
    mount -t tmpfs -o size=512k,mode=0777 mailseal-test "$T/full" 2>/dev/null
then
	FULL=$T/full
	TMPDIR=$FULL ms "$T/out" "$T/err" decrypt "$T/in/big.enc"
	fails75 "disk full in \$TMPDIR: decrypt exits 75, nothing out"
	is "... nothing left on that disk" "$(ls -A "$FULL")" ""
	ms "$T/out" "$T/err" decrypt -o "$FULL/out.eml" "$T/in/big.enc"
	fails75 "disk full in the -o directory: decrypt exits 75"
	is "... nothing left on that disk" "$(ls -A "$FULL")" ""
	rm -f "$T/sm"/*
	TMPDIR=$FULL "$MAILSEAL" filter -c "$T/f.conf" carol@example.org \
	    <"$T/in/big.enc" >"$T/out" 2>"$T/err"
	rc=$?
	fails75 "disk full in \$TMPDIR: filter exits 75"
	is "... nothing handed over, nothing left on that disk" \
	    "$(ls "$T/sm" | wc -l) $(ls -A "$FULL")" "0 "
else
	skip "disk full (a small tmpfs)" "needs root and mount -t tmpfs"
fi

# ----------------------------------------------- item 12: -o and modes

# mode FILE - octal mode and owner of FILE (not following a link)
mode() {
	stat -c '%a %u' "$1"
}
me=$(id -u)
umask 022
ms "$T/out" "$T/err" decrypt -o "$OUTDIR/new.eml" "$T/in/small.enc"
is "-o, a new file: mode 600" "$rc $(mode "$OUTDIR/new.eml")" "0 600 $me"
printf 'old\n' >"$OUTDIR/own.eml"
chmod 640 "$OUTDIR/own.eml"
ms "$T/out" "$T/err" decrypt -o "$OUTDIR/own.eml" "$T/in/small.enc"
is "-o over our own 0640 file: its mode is kept" \
    "$rc $(mode "$OUTDIR/own.eml")" "0 640 $me"
chmod 6755 "$OUTDIR/own.eml"
ms "$T/out" "$T/err" decrypt -o "$OUTDIR/own.eml" "$T/in/small.enc"
is "-o over our own setuid/setgid file: no setuid, setgid or sticky bit" \
    "$rc $(mode "$OUTDIR/own.eml")" "0 755 $me"
printf 'bait\n' >"$T/bait"
chmod 666 "$T/bait"
ln -s "$T/bait" "$OUTDIR/link.eml"
ms "$T/out" "$T/err" decrypt -o "$OUTDIR/link.eml" "$T/in/small.enc"
if [ "$rc" -eq 0 ] && [ ! -L "$OUTDIR/link.eml" ] &&
    [ "$(mode "$OUTDIR/link.eml")" = "600 $me" ] &&
    [ "$(cat "$T/bait")" = bait ]; then
	ok "-o at a symbolic link to a 0666 file: the link is replaced by a 0600 file, its target untouched"
else
	ls -l "$OUTDIR/link.eml" "$T/bait" >"$T/why" 2>&1
	not_ok "-o at a symbolic link to a 0666 file: the link is replaced by a 0600 file, its target untouched" "$T/why" "$T/err"
fi
rm -f "$OUTDIR"/*.eml
if [ "$me" -eq 0 ] && nobody=$(id -u nobody 2>/dev/null); then
	# a shared directory; another user got there first
	chmod 1777 "$OUTDIR"
	: >"$OUTDIR/theirs.eml"
	chown nobody "$OUTDIR/theirs.eml"
	chmod 666 "$OUTDIR/theirs.eml"
	ms "$T/out" "$T/err" decrypt -o "$OUTDIR/theirs.eml" "$T/in/small.enc"
	m=$(mode "$OUTDIR/theirs.eml")
	if [ "$m" = "600 0" ] || { [ "$rc" -ne 0 ] && [ "$m" = "666 $nobody" ] &&
	    [ ! -s "$OUTDIR/theirs.eml" ]; }; then
		ok "-o over another user's 0666 file: not readable by them ($m, exit $rc)"
	else
		echo "mode and owner: $m, exit $rc" >"$T/why"
		not_ok "-o over another user's 0666 file: not readable by them" \
		    "$T/why" "$T/err"
	fi
	rm -f "$OUTDIR"/*.eml
	chmod 755 "$OUTDIR"
else
	skip "-o over another user's 0666 file" "needs root and a user nobody"
fi

# an ordinary user in a shared directory, with and without /proc (a
# chroot has none; then linkat(AT_EMPTY_PATH) alone must do, or a copy)
if [ "$me" -eq 0 ] && have setpriv && id nobody >/dev/null 2>&1; then
	chmod 1777 "$OUTDIR"
	chmod 755 "$T"
	chmod 644 "$T/in/small.eml"
	chmod 755 "$T/in"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$MAILSEAL" decrypt -o "$OUTDIR/user.eml" "$T/in/small.eml" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	is "-o as an ordinary user in a shared directory: its own 0600 file, nothing else" \
	    "$rc $(stat -c '%a %U' "$OUTDIR/user.eml" 2>&1) $(ls -A "$OUTDIR" | tr '\n' ' ')" \
	    "0 600 nobody user.eml "
	# a sanitizer build reads its options from /proc/self/environ and
	# its leak check needs /proc/PID/task: it cannot run without /proc
	if ldd "$MAILSEAL" 2>/dev/null | grep -q 'libasan'; then
		skip "... the same without /proc" \
		    "a sanitizer build needs /proc (the normal pass runs it)"
	elif have unshare && unshare -m --propagation private true 2>/dev/null
	then
		unshare -m --propagation private sh -c 'mount -t tmpfs none /proc &&
		    exec setpriv --reuid=nobody --regid="$1" --clear-groups "$2" \
		    decrypt -o "$3/user.eml" "$4"' sh "$(id -g nobody)" \
		    "$MAILSEAL" "$OUTDIR" "$T/in/small.eml" >"$T/out" 2>"$T/err"
		rc=$?
		is "... the same without /proc: replaced whole, nothing else" \
		    "$rc $(stat -c '%a %U' "$OUTDIR/user.eml" 2>&1) $(ls -A "$OUTDIR" | tr '\n' ' ')" \
		    "0 600 nobody user.eml "
	else
		skip "... the same without /proc" "needs unshare -m"
	fi
	rm -f "$OUTDIR"/*.eml
	chmod 755 "$OUTDIR"
else
	skip "-o as an ordinary user in a shared directory" \
	    "needs root, setpriv and a user nobody"
fi

# ------------------------------------ item 10: nameless files, SIGKILL

# while sendmail reads a copy, $TMPDIR holds nothing with a name
rm -f "$T/sm"/*
"$MAILSEAL" filter -c "$T/f.conf" -f alice@example.org carol@example.org \
    nokey@example.org <"$T/in/small.enc" >"$T/out" 2>"$T/err"
rc=$?
is "filter, decrypt = yes, two copies: exit 0, two sendmail calls" \
    "$rc $(ls "$T/sm"/*.msg | wc -l)" "0 2"
is "... while sendmail ran, \$TMPDIR held no file" \
    "$(cat "$T/sm"/*.tmpdir | tr '\n' ' ')" ""

# SIGKILL while sendmail reads the first copy
rm -f "$T/sm"/* "$T/go"
SM_WAIT=$T/go "$MAILSEAL" filter -c "$T/f.conf" -f alice@example.org \
    carol@example.org nokey@example.org <"$T/in/small.enc" \
    >"$T/out" 2>"$T/err" &
pid=$!
n=0
while [ -z "$(ls "$T/sm")" ] && [ "$n" -lt 200 ]; do
	sleep 0.05
	n=$((n + 1))
done
kill -9 "$pid"
wait "$pid" 2>/dev/null
: >"$T/go"
left=$(residue)
is "filter killed (SIGKILL) while handing a copy over: nothing left in \$TMPDIR" \
    "$(echo $left | sed "s|$T/||g")" ""
rm -rf $left

# decrypt writes its result at the end: most kills go there
kills decrypt 20 0.5
kills decrypt-stdout 10
kills encrypt 15
kills filter 20

done_testing
