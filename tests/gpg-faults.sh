#!/bin/sh
# gpg-faults.sh - trouble with gpg is never "no key", never a verdict,
# and what a message holds is never a retry (issue 8, items 5-7 and the
# fault injection of section F).
#
# Without root: a damaged trustdb.gpg, a gpg-agent that cannot start,
# signatures gpg cannot check.  With root and unshare(1): a root-owned
# trustdb.gpg (run as nobody), a read-only GnuPG home, and gpg or
# gpg-agent killed right after each status line of every operation
# (gpg replaced by tests/gpg-kill.py in a private mount namespace).
# Each run must end in 75 with nothing on the output, or in the result
# of an undisturbed run.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
IS_DIAG=$T/e
HOME0=$GNUPGHOME
printf 'From: alice@example.org\nTo: bob@example.org\nSubject: t\n\nhello\n' \
    >"$T/small.eml"

# home NAME - $T/NAME: a copy of the test home, now $GNUPGHOME
home() {
	gpgconf --homedir "$T/$1" --kill all >/dev/null 2>&1 || :
	rm -rf "$T/$1"
	cp -R "$HOME0" "$T/$1"
	rm -f "$T/$1"/S.*
	GNUPGHOME=$T/$1
	export GNUPGHOME
	_ms_homes="$_ms_homes $T/$1"
}

# tempfail DESC - the last run exited 75, wrote nothing, and said one
# line on stderr that matches $want (a regular expression)
tempfail() {
	if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] &&
	    [ "$(wc -l <"$T/e")" -eq 1 ] && grep -Eq "$want" "$T/e"; then
		ok "$1"
	else
		not_ok "$1 (exit $rc, want 75 and /$want/)" "$T/e" "$T/o"
	fi
}

# signed FILE SIG - a multipart/signed message of alice's with SIG as its
# signature part (the signed part is $T/part)
signed() {
	{
		printf 'From: alice@example.org\nMIME-Version: 1.0\n'
		printf 'Content-Type: multipart/signed; micalg=pgp-sha512;\n'
		printf ' protocol="application/pgp-signature"; boundary="S"\n\n'
		printf -- '--S\r\n'
		cat "$T/part"
		printf '\r\n--S\r\nContent-Type: application/pgp-signature\r\n\r\n'
		# CRLF like the delimiter after it (mixed line ends there
		# are no structure every reader splits alike)
		sed 's/\r*$/\r/' "$2"
		printf -- '--S--\r\n'
	} >"$1"
}

# ------------------------------------------- messages, made undisturbed

"$MAILSEAL" encrypt -r bob@example.org --sign "$T/small.eml" >"$T/sealed.eml"
printf 'Content-Type: text/plain\r\n\r\nhi\r\n' >"$T/part"
g -a --detach-sign -u alice@example.org -o "$T/part.asc" "$T/part"
signed "$T/signed.eml" "$T/part.asc"
printf 'attacker text\n' | g -a -s -u alice@example.org >"$T/whole.asc"
printf 'attacker text\n' | g -a --clearsign -u alice@example.org \
    >"$T/clear.asc"
g -a --export alice@example.org >"$T/key.asc"
# alice's signature with its hash algorithm changed to 12 (RFC 9580's
# SHA3-256), which GnuPG 2.2 does not know
g --dearmor <"$T/part.asc" | "$PYTHON" -c '
import sys
b = bytearray(sys.stdin.buffer.read())
if b[0] & 0x40:
    off = 2 if b[1] < 192 else 3
else:
    off = 1 + (1, 2, 4)[b[0] & 3]
assert b[off] == 4
b[off + 3] = 12
sys.stdout.buffer.write(bytes(b))' | g --enarmor |
    sed 's/ARMORED FILE/SIGNATURE/; /^Comment:/d' >"$T/sha3.asc"
for s in whole clear key sha3; do
	signed "$T/sig-$s.eml" "$T/$s.asc"
done

# ------------------------------------ the supervisor on its own (gpgsup.c)

# sup NAME BYTES [EXIT|kill] - mailseal-gpg running a fake gpg that
# writes BYTES bytes of status lines to its --status-fd (3) and ends so;
# what reached the status channel lands in $T/NAME
SUP=$(dirname "$MAILSEAL")/mailseal-gpg
cat >"$T/fakegpg" <<'EOF'
#!/bin/sh
yes '[GNUPG:] PROG x' | head -c "$FAKE_BYTES" >&3
case $FAKE_END in
kill)	kill -KILL $$ ;;
sleep)	exec sleep 30 ;;
*)	exit "$FAKE_END" ;;
esac
EOF
chmod 755 "$T/fakegpg"
sup() {
	MAILSEAL_GPG_SUPERVISE=$T/fakegpg FAKE_BYTES=$2 FAKE_END=${3:-0} \
	    "$SUP" --status-fd 3 3>"$T/$1" </dev/null >/dev/null 2>&1
}
if [ -x "$SUP" ]; then
	sup s.ok 100 0
	sup s.two 100 2
	sup s.kill 100 kill
	is "supervisor: the exit line comes first (exit 0, exit 2, SIGKILL)" \
	    "$(head -n1 "$T/s.ok" | cut -d' ' -f2-) / $(head -n1 "$T/s.two" |
	    cut -d' ' -f2-) / $(head -n1 "$T/s.kill" | cut -d' ' -f2-)" \
	    "MAILSEAL_GPG_EXIT 0 / MAILSEAL_GPG_EXIT 2 / MAILSEAL_GPG_EXIT signal 9"
	# LIMIT_GPG_STATUS (16 MiB: 2^20 lines of 16 bytes) held back; one
	# line more passed on as it comes, and the exit line last
	sup s.under 16777216
	sup s.over 16777232
	is "supervisor: LIMIT_GPG_STATUS bytes held, exit line first; one more: last" \
	    "$(head -n1 "$T/s.under" | cut -c1-26) $(wc -c <"$T/s.under") $(tail -n1 "$T/s.over" | cut -c1-26) $(wc -c <"$T/s.over")" \
	    "[GNUPG:] MAILSEAL_GPG_EXIT 16777245 [GNUPG:] MAILSEAL_GPG_EXIT 16777261"
	# MAILSEAL_GPG_DEADLINE (a WKD lookup's wkd_timeout): a gpg that
	# hangs is killed after that many seconds, one that ends in time
	# is not
	t0=$(date +%s)
	MAILSEAL_GPG_DEADLINE=1 sup s.late 100 sleep
	t=$(($(date +%s) - t0))
	MAILSEAL_GPG_DEADLINE=5 sup s.intime 100 0
	is "supervisor: MAILSEAL_GPG_DEADLINE=1 stops a hanging gpg (${t}s); in time: exit 0" \
	    "$(head -n1 "$T/s.late" | cut -d' ' -f2-) $([ "$t" -le 5 ] && echo soon) / $(head -n1 "$T/s.intime" | cut -d' ' -f2-)" \
	    "MAILSEAL_GPG_EXIT deadline 1 soon / MAILSEAL_GPG_EXIT 0"
else
	skip "supervisor on its own" "no mailseal-gpg beside $MAILSEAL"
fi

# --------------------------------------- item 5: a damaged trustdb.gpg

home trustdb
head -c 2000 /dev/urandom >"$GNUPGHOME/trustdb.gpg"
want='trustdb\.gpg'
ms "$T/o" "$T/e" encrypt "$T/small.eml"
tempfail "damaged trustdb, encrypt: 75 naming trustdb.gpg (was 67: no key)"
ms "$T/o" "$T/e" encrypt --sign "$T/small.eml"
tempfail "damaged trustdb, encrypt --sign: 75 naming trustdb.gpg"
{
	printf '%s\n' "homedir = $GNUPGHOME" "sendmail = $T/sendmail" \
	    "gateway_id = gw1.test" "log = stderr" \
	    "default_policy = opportunistic"
} >"$T/f.conf"
cp "$T/f.conf" "$T/f.conf.0"
printf '#!/bin/sh\ncat >>"%s/sent"\n' "$T" >"$T/sendmail"
chmod 755 "$T/sendmail"
rm -f "$T/sent"
"$MAILSEAL" filter -c "$T/f.conf" bob@example.org <"$T/small.eml" \
    >"$T/o" 2>"$T/e"
rc=$?
if [ "$rc" -eq 75 ] && [ ! -e "$T/sent" ] && grep -q 'trustdb\.gpg' "$T/e"; then
	ok "damaged trustdb, filter (opportunistic, key in the keyring): 75, nothing sent"
else
	not_ok "damaged trustdb, filter: 75, nothing sent (exit $rc)" "$T/e" \
	    "$T/sent"
fi
want='trustdb\.gpg'
ms "$T/o" "$T/e" decrypt "$T/sealed.eml"
tempfail "damaged trustdb, decrypt: 75 naming trustdb.gpg (was failed; bad-data)"
ms "$T/o" "$T/e" decrypt "$T/signed.eml"
tempfail "damaged trustdb, verify: 75 naming trustdb.gpg"

# ----------------------------- item 6: gpg-agent cannot start

home noagent
echo "agent-program /bin/false" >>"$GNUPGHOME/gpg.conf"
want='secret key'
ms "$T/o" "$T/e" decrypt "$T/sealed.eml"
tempfail "gpg-agent cannot start: decrypt 75 (was failed; no-secret-key)"
g -a -e --hidden-recipient bob@example.org <"$T/small.eml" >"$T/hidden.asc"
{ printf 'From: a@example.org\nSubject: h\n\n'; cat "$T/hidden.asc"; } \
    >"$T/hidden.eml"
ms "$T/o" "$T/e" decrypt "$T/hidden.eml"
tempfail "gpg-agent cannot start, hidden recipient: decrypt 75"

# ... while a message that is not for us still gets its verdict
home nosec
g --delete-secret-keys "$(fpr bob)" 2>/dev/null
for m in sealed hidden; do
	ms "$T/o" "$T/e" decrypt "$T/$m.eml"
	is "no secret key ($m): failed; reason=no-secret-key, exit $rc" \
	    "$(field "$T/o" X-Mailseal-Decryption) $rc" \
	    "failed; reason=no-secret-key 0"
done
# ... and so does one whose primary key's secret is here but not that
# of the encryption subkeys (the listing shows them as stubs)
home stub
gpg --with-keygrip --with-colons -K bob@example.org 2>/dev/null |
    awk -F: '/^ssb/ { s = 1; next } /^(sec|uid|uat)/ { s = 0 }
	s && /^grp/ { print $10; s = 0 }' |
    while read -r grip; do
		rm -f "$GNUPGHOME/private-keys-v1.d/$grip.key"
	done
ms "$T/o" "$T/e" decrypt "$T/sealed.eml"
is "secret subkeys missing (stubs): failed; reason=no-secret-key, exit $rc" \
    "$(field "$T/o" X-Mailseal-Decryption) $rc" "failed; reason=no-secret-key 0"

# ------------------------ item 7: signatures gpg cannot check are "bad"

GNUPGHOME=$HOME0
for s in whole clear key sha3; do
	ms "$T/o" "$T/e" decrypt "$T/sig-$s.eml"
	is "signature part holds $s: bad, exit 0 (was 75 forever)" \
	    "$(field "$T/o" X-Mailseal-Signature) $rc" "bad 0"
done
ms "$T/o" "$T/e" decrypt "$T/signed.eml"
is "the genuine signature: good" \
    "$(field "$T/o" X-Mailseal-Signature | cut -d';' -f1) $rc" "good 0"

# ------------------------------------------------ the rest needs root

if [ "$(id -u)" -ne 0 ] || ! have unshare || ! have setpriv ||
    ! unshare -m --propagation private true 2>/dev/null; then
	skip "root-owned trustdb, read-only home, gpg killed at each status line" \
	    "needs root, setpriv and unshare -m"
	done_testing
fi

# item 5: root ran gpg on the user's home (the operator's --check) and
# left a trustdb.gpg the user cannot write
home rootdb
chmod 755 "$T"
chown -R nobody "$GNUPGHOME"
chown root "$GNUPGHOME/trustdb.gpg"
chmod 600 "$GNUPGHOME/trustdb.gpg"
chmod 644 "$T/small.eml"
setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/nonexistent \
    GNUPGHOME="$GNUPGHOME" "$MAILSEAL" encrypt "$T/small.eml" \
    >"$T/o" 2>"$T/e"
rc=$?
want='trustdb\.gpg.*chown'
tempfail "root-owned trustdb, encrypt as its user: 75 saying chown (was 67)"
gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1
chown -R root "$GNUPGHOME"

# item 6: the GnuPG home on a read-only file system
home rohome
unshare -m --propagation private sh -c \
    'mount --bind -o ro "$1" "$1" && shift && exec "$@"' sh \
    "$GNUPGHOME" "$MAILSEAL" decrypt "$T/sealed.eml" >"$T/o" 2>"$T/e"
rc=$?
want='.'
tempfail "read-only GnuPG home: decrypt 75 (was failed; no-secret-key)"

# ------------------------- fault injection: a kill after each status line

# gpg is replaced (bind mount, private namespace) by this wrapper: for
# the operation $GK_OP it runs the real gpg with its own status pipe,
# copies each line on to GPGME, and right after line $GK_AT (0: before
# the first) kills gpg and then itself by SIGKILL ($GK_WHAT=gpg), or
# kills gpg-agent while gpg waits (agent).  $GK_LOG gets the number of
# lines of a run it did not disturb.
cp "$(command -v gpg)" "$T/gpg.real"
printf '#!%s\nreal = "%s"\n' "$PYTHON" "$T/gpg.real" >"$T/gpg.kill"
cat >>"$T/gpg.kill" <<'PY'
import os, signal, subprocess, sys
argv = sys.argv[1:]
op = os.environ.get("GK_OP", "")
if op not in argv or "--status-fd" not in argv:
    os.execv(real, [real] + argv)
at = int(os.environ.get("GK_AT", "-1"))
what = os.environ.get("GK_WHAT", "gpg")
i = argv.index("--status-fd")
sfd = int(argv[i + 1])
r, w = os.pipe()
os.set_inheritable(w, True)
argv[i + 1] = str(w)
p = subprocess.Popen([real] + argv, close_fds=False)
os.close(w)
for fd in range(0, 1024):
    if fd not in (r, sfd, 2):
        try:
            os.close(fd)
        except OSError:
            pass

def strike():
    if what == "gpg":
        p.kill()
        p.wait()
        os.kill(os.getpid(), signal.SIGKILL)
    p.send_signal(signal.SIGSTOP)
    q = subprocess.run(["gpg-connect-agent", "--no-autostart",
                        "getinfo pid", "/bye"], capture_output=True,
                       stdin=subprocess.DEVNULL)
    for line in q.stdout.split(b"\n"):
        if line.startswith(b"D "):
            os.kill(int(line[2:]), signal.SIGKILL)
    p.send_signal(signal.SIGCONT)

n = 0
if at == 0:
    strike()
for line in os.fdopen(r, "rb"):
    os.write(sfd, line)
    n += 1
    if n == at:
        strike()
p.wait()
if os.environ.get("GK_LOG"):
    with open(os.environ["GK_LOG"], "w") as f:
        f.write("%d\n" % n)
if p.returncode < 0:
    os.kill(os.getpid(), -p.returncode)
sys.exit(p.returncode)
PY
chmod 755 "$T/gpg.kill"

# gk OUT ERR ARG... - mailseal ARGS (input $T/in) with the wrapper as gpg
gk() {
	_o=$1 _e=$2
	shift 2
	unshare -m --propagation private sh -c \
	    'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
	    "$T/gpg.kill" "$(command -v gpg)" "$MAILSEAL" "$@" \
	    >"$_o" 2>"$_e" <"$T/in"
	rc=$?
}

# plain FILE - what the armored message in FILE decrypts to (or "-")
plain() {
	sed -n '/^-----BEGIN PGP MESSAGE/,/^-----END PGP MESSAGE/p' "$1" |
	    GNUPGHOME=$HOME0 g -d 2>/dev/null || echo -
}

# same KIND - the last run gave the result of the undisturbed one:
# decrypt byte for byte; encrypt the same plaintext; filter what it sent;
# sign a good signature
same() {
	[ "$rc" -eq "$ref_rc" ] || return 1
	case $1 in
	decrypt) cmp -s "$T/o" "$T/ref.o" ;;
	sign)	"$MAILSEAL" decrypt "$T/o" 2>/dev/null |
		    grep -q '^X-Mailseal-Signature: good;' ;;
	encrypt) [ "$(plain "$T/o")" = "$(plain "$T/ref.o")" ] ;;
	filter)	[ -e "$T/sent" ] &&
		    [ "$(plain "$T/sent")" = "$(plain "$T/ref.sent")" ] ;;
	esac
}

# faults DESC KIND OP WHAT ARG... - run mailseal ARGS undisturbed, then
# once for each kill point of OP; every run ends in 75 with nothing
# written (and, for filter, nothing sent) or in the undisturbed result
faults() {
	_desc=$1 _kind=$2
	GK_OP=$3 GK_WHAT=$4
	shift 4
	export GK_OP GK_WHAT
	home faults
	sed "s|^homedir = .*|homedir = $GNUPGHOME|" "$T/f.conf.0" >"$T/f.conf"
	rm -f "$T/sent" "$T/ref.sent" "$T/lines"
	GK_AT=-1 GK_LOG=$T/lines gk "$T/ref.o" "$T/ref.e" "$@"
	ref_rc=$rc
	[ ! -e "$T/sent" ] || mv "$T/sent" "$T/ref.sent"
	_lines=$(cat "$T/lines" 2>/dev/null || echo 0)
	if [ "$ref_rc" -ne 0 ] || [ "$_lines" -eq 0 ]; then
		not_ok "$_desc: undisturbed run (exit $ref_rc, $_lines lines)" \
		    "$T/ref.e"
		return
	fi
	_bad= _n=0 _kept=0
	while [ "$_n" -le "$_lines" ]; do
		rm -f "$T/sent"
		GK_AT=$_n GK_LOG= gk "$T/o" "$T/e" "$@"
		if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && [ ! -e "$T/sent" ]; then
			:
		elif same "$_kind"; then
			_kept=$((_kept + 1))
		else
			_bad="$_bad $_n(exit $rc)"
			cp "$T/e" "$T/bad.e"
			cp "$T/o" "$T/bad.o"
		fi
		_n=$((_n + 1))
	done
	if [ -z "$_bad" ]; then
		ok "$_desc: $((_lines + 1)) kills, each 75 or the right result ($_kept)"
	else
		not_ok "$_desc: wrong result after line(s)$_bad of $_lines" \
		    "$T/bad.e" "$T/bad.o"
	fi
}

: >"$T/in"
faults "key listing (encrypt), gpg killed" encrypt --list-keys gpg \
    encrypt "$T/small.eml"
faults "encrypt, gpg killed" encrypt --encrypt gpg encrypt "$T/small.eml"
faults "encrypt --sign, gpg killed" encrypt --encrypt gpg \
    encrypt --sign "$T/small.eml"
faults "encrypt --sign, gpg-agent killed" encrypt --encrypt agent \
    encrypt --sign "$T/small.eml"
faults "decrypt, gpg killed" decrypt --decrypt gpg decrypt "$T/sealed.eml"
faults "decrypt, gpg-agent killed" decrypt --decrypt agent \
    decrypt "$T/sealed.eml"
faults "verify, gpg killed" decrypt --verify gpg decrypt "$T/signed.eml"
faults "sign, gpg killed" sign --sign gpg sign "$T/small.eml"
faults "sign, gpg-agent killed" sign --sign agent sign "$T/small.eml"
faults "signature lookup (decrypt), gpg killed" decrypt --list-keys gpg \
    decrypt "$T/sealed.eml"
cp "$T/small.eml" "$T/in"
faults "filter's key listing, gpg killed: never clear text" filter \
    --list-keys gpg filter -c "$T/f.conf" bob@example.org
faults "filter's encryption, gpg killed: never clear text" filter \
    --encrypt gpg filter -c "$T/f.conf" bob@example.org

done_testing
