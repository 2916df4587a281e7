#!/bin/sh
# wkd.sh - Web Key Directory lookups (wkd = yes, encrypt --wkd) and keys
# gpg cannot use, against a real gpg and dirmngr and a local HTTPS WKD
# server (tests/wkd_server.py) with a test CA made here.  TAP.
#
# Root only: the script runs itself again in private namespaces
# (unshare --net --mount): loopback alone, and bind mounts, seen only
# there, of a private /etc/hosts (the test domains are 127.0.0.1), an
# /etc/resolv.conf naming no server that answers, and the test CA as
# /etc/ssl/certs/ca-certificates.crt (what dirmngr trusts).  The
# machine's files, network and services are never changed.  The gateway
# home's dirmngr.conf says standard-resolver (the system's resolver, so
# /etc/hosts counts); the dirmngr gpg starts lives in the namespace and
# is killed at the end.
#
# Domains: wkd.test serves keys (wendy, walt: found; lisa: a key whose
# user ID is xlisa@; vic: an OpenPGP v6 key; ursula: a v4 key whose
# encryption subkey is RFC 9580's X25519, tests/oddkey.py) and 404s the
# rest; hang.test accepts and never answers; nothing listens for
# down.test.  The set-up is tests/wkdlib.sh's, shared with
# tests/attack-wkd.sh.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"
. "$MAILSEAL_SRCDIR/tests/wkdlib.sh"
wkd_unshare "$@"

# ------------------------------------------------------------ the CA
wkd_net 'wkd.test hang.test' down.test
touch "$W/root/hang.test/HANG"

# ------------------------------------------------------------ the keys
wkd_owners
wkd_newkey wendy
wkd_newkey walt
wkd_newkey xlisa lisa
wkd_oddkey v6 vic Vic
wkd_oddkey x25519 ursula Ursula
[ -s "$W/root/wkd.test/$(wkdhash ursula)" ] &&
    [ -s "$W/root/wkd.test/$(wkdhash wendy)" ] || {
	echo "Bail out! the test keys could not be made"
	sed 's/^/# /' "$T/keys.log"
	exit 1
}

# ------------------------------------------------------------ the server
wkd_server

# asked LOCAL - the server was asked for LOCAL's hash
asked() {
	grep -q "/$(wkdhash "$1") " "$W/server.log"
}

wkd_gwhome

conf off
conf on "wkd = yes"
conf quick "wkd = yes" "wkd_timeout = 3"
conf req "wkd = yes" "default_policy = require"
conf reqquick "wkd = yes" "wkd_timeout = 3" "default_policy = require"

msg "$T/m.eml" 'From: alice@example.org' 'To: someone@wkd.test' \
    'Subject: wkd' 'Message-ID: <wkd@example.org>' <<'EOF'
a body
EOF

# ------------------------------------------------------------ cases
# 1. found, encrypt --wkd: gpg imports it, the message is encrypted to it
ms "$T/out" "$T/err" encrypt --homedir "$GNUPGHOME" --wkd \
    -r wendy@wkd.test "$T/m.eml"
if [ "$rc" -eq 0 ] && decrypts_for wendy; then
	ok "encrypt --wkd: wendy's key found, the message decrypts with it"
else
	echo "exit $rc" >"$T/why"
	not_ok "encrypt --wkd: wendy's key found" "$T/why" "$T/err" \
	    "$T/dec.err" "$W/server.log"
fi
check "the key found is in the home now" \
    gpg --homedir "$GNUPGHOME" --batch --list-keys '<wendy@wkd.test>'

# 2. wkd = no (the default): no lookup, clear text
fm "$T/off.conf" --stdout walt@wkd.test <"$T/m.eml"
if [ "$rc" -eq 0 ] && is_clear && ! asked walt &&
    logline | grep -q 'why=no-key$\|why=no-key '; then
	ok "wkd = no: no lookup, clear text, why=no-key"
else
	not_ok "wkd = no: no lookup" "$T/err" "$W/server.log"
fi

# 3. the filter finds walt's key and encrypts to it
fm "$T/on.conf" --stdout walt@wkd.test <"$T/m.eml"
if [ "$rc" -eq 0 ] && decrypts_for walt &&
    logline | grep -q 'action=encrypt .*to=<walt@wkd.test> key='; then
	ok "wkd = yes: walt's key found and used by the filter"
else
	echo "exit $rc" >"$T/why"
	not_ok "wkd = yes: walt's key found and used" "$T/why" "$T/err" \
	    "$T/dec.err" "$W/server.log"
fi

# 4. not found (404): opportunistic gets clear text, require is refused
fm "$T/on.conf" --stdout nobody@wkd.test <"$T/m.eml"
if [ "$rc" -eq 0 ] && is_clear && asked nobody &&
    logline | grep -q 'why=no-key wkd=not-found'; then
	ok "404, opportunistic: clear text, why=no-key wkd=not-found"
else
	echo "exit $rc" >"$T/why"
	not_ok "404, opportunistic" "$T/why" "$T/err" "$W/server.log"
fi
fm "$T/req.conf" --stdout nobody@wkd.test <"$T/m.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/out" ] &&
    grep -q 'no key for the address' "$T/err"; then
	ok "404, require: refused (67), nothing on the output"
else
	echo "exit $rc" >"$T/why"
	not_ok "404, require: refused" "$T/why" "$T/err" "$T/out"
fi

# 5. a server that never answers: 75 within wkd_timeout (3 s) + slack,
# nothing on the output, for opportunistic and require alike
for c in quick reqquick; do
	t0=$(date +%s)
	fm "$T/$c.conf" --stdout slow@hang.test <"$T/m.eml"
	t=$(($(date +%s) - t0))
	if [ "$rc" -eq 75 ] && [ ! -s "$T/out" ] && [ "$t" -le 12 ] &&
	    grep -q 'WKD lookup of slow@hang.test: no answer within 3 s' \
	    "$T/err"; then
		ok "$c: no answer from the WKD server: 75 after ${t}s, no output"
	else
		echo "exit $rc after ${t}s" >"$T/why"
		not_ok "$c: no answer from the WKD server: 75" "$T/why" \
		    "$T/err" "$T/out" "$W/server.log"
	fi
done

# a domain where nothing listens has no directory: no key (a deferral
# would keep its mail until it bounces), said in the log
fm "$T/on.conf" --stdout x@down.test <"$T/m.eml"
if [ "$rc" -eq 0 ] && is_clear &&
    logline | grep -q 'to=<x@down.test>.* why=no-key wkd=no-server'; then
	ok "nothing listens for the directory, opportunistic: clear text, why=no-key wkd=no-server"
else
	echo "exit $rc" >"$T/why"
	not_ok "nothing listens for the directory, opportunistic" "$T/why" \
	    "$T/err" "$T/out"
fi
fm "$T/req.conf" --stdout x@down.test <"$T/m.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/out" ]; then
	ok "nothing listens for the directory, require: refused (67), no output"
else
	echo "exit $rc" >"$T/why"
	not_ok "nothing listens for the directory, require: refused (67)" \
	    "$T/why" "$T/err" "$T/out"
fi

# 6. a look-alike key (user ID xlisa@) served for lisa@: not used
fm "$T/on.conf" --stdout lisa@wkd.test <"$T/m.eml"
if [ "$rc" -eq 0 ] && is_clear && asked lisa &&
    logline | grep -q 'why=no-key wkd=no-match' &&
    ! gpg --homedir "$GNUPGHOME" --batch --list-keys xlisa@wkd.test \
    >/dev/null 2>&1; then
	ok "look-alike key for lisa@: not used, not imported (wkd=no-match)"
else
	echo "exit $rc" >"$T/why"
	not_ok "look-alike key for lisa@: not used" "$T/why" "$T/err"
fi
fm "$T/req.conf" --stdout lisa@wkd.test <"$T/m.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/out" ]; then
	ok "look-alike key for lisa@, require: refused (67)"
else
	echo "exit $rc" >"$T/why"
	not_ok "look-alike key for lisa@, require: refused" "$T/why" "$T/err"
fi

# a directory cannot plant a key for another address: mallory's key,
# served for mallory@, also has the user ID sam@example.org; gpg keeps
# only mallory@'s, so sam@ still has no key
sg --quick-gen-key "mallory <mallory@wkd.test>" future-default default never
sg --quick-add-uid mallory@wkd.test "sam <sam@example.org>"
sg --export --output "$T/mallory.key" mallory@wkd.test
serve mallory "$T/mallory.key"
fm "$T/on.conf" --stdout mallory@wkd.test <"$T/m.eml"
ms "$T/o" "$T/e" keys --homedir "$GNUPGHOME" sam@example.org
if logline | grep -q 'action=encrypt .*to=<mallory@wkd.test>' &&
    grep -q '^sam@example.org  key=-  encrypt=no  reason=no-key' "$T/o"
then
	ok "a WKD key's other user IDs are not imported (sam@ has no key)"
else
	not_ok "a WKD key's other user IDs are not imported" "$T/err" "$T/o"
fi

# 7. a v6 key: gpg cannot read it; no usable key, unsupported-key
fm "$T/on.conf" --stdout vic@wkd.test <"$T/m.eml"
if [ "$rc" -eq 0 ] && is_clear &&
    logline | grep -q 'why=unsupported-key wkd=unreadable'; then
	ok "v6 key by WKD, opportunistic: clear text, why=unsupported-key"
else
	echo "exit $rc" >"$T/why"
	not_ok "v6 key by WKD, opportunistic" "$T/why" "$T/err"
fi
fm "$T/req.conf" --stdout vic@wkd.test <"$T/m.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/out" ] &&
    grep -q 'gpg cannot read' "$T/err"; then
	ok "v6 key by WKD, require: refused (67) with the reason"
else
	echo "exit $rc" >"$T/why"
	not_ok "v6 key by WKD, require: refused" "$T/why" "$T/err"
fi

# 8. a key gpg lists but whose encryption subkey's algorithm it cannot
# use (X25519, algorithm 25): imported by WKD, then unsupported-key
fm "$T/req.conf" --stdout ursula@wkd.test <"$T/m.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/out" ] &&
    grep -q 'algorithm gpg cannot use' "$T/err" &&
    logline | grep -q 'why=unsupported-key wkd=found'; then
	ok "X25519 subkey, require: refused (67), why=unsupported-key"
else
	echo "exit $rc" >"$T/why"
	not_ok "X25519 subkey, require: refused" "$T/why" "$T/err"
fi
fm "$T/on.conf" --stdout ursula@wkd.test <"$T/m.eml"
if [ "$rc" -eq 0 ] && is_clear &&
    logline | grep -q 'why=unsupported-key'; then
	ok "X25519 subkey, opportunistic: clear text, why=unsupported-key"
else
	echo "exit $rc" >"$T/why"
	not_ok "X25519 subkey, opportunistic" "$T/why" "$T/err"
fi
ms "$T/o" "$T/e" keys --homedir "$GNUPGHOME" ursula@wkd.test
if grep -q '^ursula@wkd.test  key=-  encrypt=no  reason=unsupported-key' \
    "$T/o"; then
	ok "mailseal keys: ursula reason=unsupported-key"
else
	not_ok "mailseal keys: ursula reason=unsupported-key" "$T/o" "$T/e"
fi
ms "$T/out" "$T/err" encrypt --homedir "$GNUPGHOME" -r ursula@wkd.test \
    "$T/m.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/out" ]; then
	ok "encrypt to ursula: 67, nothing written"
else
	echo "exit $rc" >"$T/why"
	not_ok "encrypt to ursula: 67" "$T/why" "$T/err"
fi

# keys --wkd: looks up, imports, shows the key; a 404 stays no-key
wkd_newkey kim
ms "$T/o" "$T/e" keys --homedir "$GNUPGHOME" --wkd kim@wkd.test \
    nobody@wkd.test
if [ "$rc" -eq 67 ] &&
    grep -q "^kim@wkd.test  key=$(gpg --homedir "$S" --with-colons \
    --list-keys '<kim@wkd.test>' 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')  encrypt=yes" \
    "$T/o" && grep -q '^nobody@wkd.test  key=-  encrypt=no  reason=no-key' \
    "$T/o"; then
	ok "keys --wkd: kim's key found and shown; nobody no-key (67)"
else
	echo "exit $rc" >"$T/why"
	not_ok "keys --wkd: kim found, nobody no-key" "$T/why" "$T/o" "$T/e"
fi
ms "$T/o" "$T/e" keys --homedir "$GNUPGHOME" --wkd vic@wkd.test
if [ "$rc" -eq 67 ] &&
    grep -q '^vic@wkd.test  key=-  encrypt=no  reason=unsupported-key  why="the key its Web Key Directory offers is of a kind gpg cannot read"' \
    "$T/o"; then
	ok "keys --wkd: vic's v6 key: reason=unsupported-key (67)"
else
	echo "exit $rc" >"$T/why"
	not_ok "keys --wkd: vic's v6 key: unsupported-key" "$T/why" "$T/o" \
	    "$T/e"
fi
ms "$T/o" "$T/e" keys --homedir "$GNUPGHOME" --wkd slow@hang.test
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ]; then
	ok "keys --wkd, no answer: 75, nothing listed"
else
	echo "exit $rc" >"$T/why"
	not_ok "keys --wkd, no answer: 75" "$T/why" "$T/o" "$T/e"
fi

# 9. once imported, walt's key needs no lookup: the home has it
n=$(grep -c "/$(wkdhash walt) " "$W/server.log")
fm "$T/on.conf" --stdout walt@wkd.test <"$T/m.eml"
if [ "$rc" -eq 0 ] && decrypts_for walt &&
    [ "$(grep -c "/$(wkdhash walt) " "$W/server.log")" -eq "$n" ]; then
	ok "walt again: encrypted, no second lookup"
else
	not_ok "walt again: no second lookup" "$T/err" "$W/server.log"
fi

gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1

# 10. mailseal smtpd at RCPT time (require): a key found is 250, none
# 550 5.7.1 with the reason, a lookup that does not finish 451.  The
# server becomes nobody, whose home this one is.
wkd_newkey carl
H=$T/smtpd-home
mkdir -m 700 "$H"
cp -R "$KEYS/home/." "$H/"
rm -f "$H"/S.*
printf 'standard-resolver\n' >"$H/dirmngr.conf"
_ms_homes="$_ms_homes $H"
if ! id nobody >/dev/null 2>&1; then
	skip "smtpd RCPT with WKD" "no user nobody for smtpd_user"
	done_testing
fi
chown -R nobody "$H" && chmod 711 "$T"
lport=$("$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/smtpd.conf" <<CONF
homedir = $H
gateway_id = gw1.test
default_policy = require
listen = 127.0.0.1:$lport
smtpd_workers = 1
smtpd_user = nobody
timeout = 30
log = stderr
wkd = yes
wkd_timeout = 3
CONF
"$MAILSEAL" smtpd -c "$T/smtpd.conf" 2>"$T/smtpd.log" &
SMTPD=$!
trap 'kill $SRV $SMTPD 2>/dev/null; _lib_cleanup' EXIT
"$PYTHON" - "$lport" carl@wkd.test nobody@wkd.test slow@hang.test \
    >"$T/rcpt.out" 2>"$T/rcpt.err" <<'PY'
import smtplib, sys, time
for i in range(100):
    try:
        s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
        break
    except OSError:
        time.sleep(0.1)
s.ehlo("client.test")
s.mail("alice@example.org")
for a in sys.argv[2:]:
    t = time.time()
    r = s.rcpt(a)
    print("RCPT %s %d %s (%ds)" % (a, r[0], r[1].decode("utf-8",
        "replace").replace("\n", " "), time.time() - t), flush=True)
s.rset()
s.quit()
PY
if grep -q '^RCPT carl@wkd.test 250 ' "$T/rcpt.out" &&
    grep -q '^RCPT nobody@wkd.test 550 5.7.1 .*no key for the address' \
    "$T/rcpt.out" && grep -q '^RCPT slow@hang.test 451 ' "$T/rcpt.out"
then
	ok "smtpd RCPT: found 250, not found 550 5.7.1, no answer 451"
	diag "$(cat "$T/rcpt.out")"
else
	not_ok "smtpd RCPT: found 250, not found 550, no answer 451" \
	    "$T/rcpt.out" "$T/rcpt.err" "$T/smtpd.log"
fi
kill "$SMTPD" 2>/dev/null
wait "$SMTPD" 2>/dev/null
gpgconf --homedir "$H" --kill all >/dev/null 2>&1
done_testing
