#!/bin/sh
# encrypt-gpgfail.sh - when gpg fails under mailseal (cut off, killed,
# crashed) or the keyring cannot be read, mailseal exits 75 and writes
# nothing: never a truncated message with exit 0, never a 67 that would
# bounce the mail; and (decrypt) a dead gpg is no verdict on the message.
# gpg is replaced by a wrapper inside a private mount
# namespace, so this needs root and unshare(1); elsewhere it is skipped.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
printf 'From: alice@example.org\nTo: bob@example.org\nSubject: t\n\nhello\n' \
    >"$T/small.eml"

# a keyring that cannot be read is not "no key" (needs no namespace)
mv "$GNUPGHOME/pubring.kbx" "$T/pubring.kbx"
mkdir "$GNUPGHOME/pubring.kbx"
ms "$T/o" "$T/e" encrypt "$T/small.eml"
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && grep -q 'keyring' "$T/e"; then
	ok "unreadable keyring: exit 75, nothing written"
else
	not_ok "unreadable keyring: exit 75, nothing written (exit $rc)" "$T/e"
fi
rmdir "$GNUPGHOME/pubring.kbx"
mv "$T/pubring.kbx" "$GNUPGHOME/pubring.kbx"

gpg=$(command -v gpg)
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1 ||
    ! unshare -m --propagation private true 2>/dev/null; then
	skip "gpg cut off, killed, crashed" "needs root and unshare -m"
	done_testing
fi
cp "$gpg" "$T/gpg.real"

# wrap MODE [OPTION] - a gpg that misbehaves in MODE when asked to
# encrypt (or to do OPTION: --decrypt, --verify).  cut: its output stops
# after 100 bytes, inside the packets of even a one-line message (gpg
# writes binary packets, about 170 bytes for small.eml; mailseal armors)
wrap() {
	cat >"$T/gpg.wrap" <<WRAP
#!/bin/sh
case " \$* " in
*" ${2:---encrypt} "*) ;;
*) exec "$T/gpg.real" "\$@" ;;
esac
case "$1" in
cut)	"$T/gpg.real" "\$@" | head -c 100; exit 0 ;;
kill)	"$T/gpg.real" "\$@" & pid=\$!; sleep 0.1; kill -9 \$pid; exit 2 ;;
segv)	kill -SEGV \$\$ ;;
esac
WRAP
	chmod +x "$T/gpg.wrap"
}

# under_wrap OUT ERR ARG... - run mailseal with the wrapper as gpg
under_wrap() {
	_o=$1 _e=$2
	shift 2
	unshare -m --propagation private sh -c \
	    'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
	    "$T/gpg.wrap" "$gpg" "$MAILSEAL" "$@" >"$_o" 2>"$_e"
	rc=$?
}

# a message big enough that gpg is still working when it is killed
head -c 12000000 /dev/urandom | base64 |
    sed '1i From: alice@example.org\nTo: bob@example.org\nSubject: big\n' \
    >"$T/big.eml"

wrap cut
under_wrap "$T/o" "$T/e" encrypt --timeout 20 "$T/small.eml"
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && [ "$(wc -l <"$T/e")" -eq 1 ]; then
	ok "gpg's output cut short: exit 75, nothing written, one line"
else
	not_ok "gpg's output cut short: exit 75, nothing written (exit $rc)" "$T/e" "$T/o"
fi

wrap kill
start=$(date +%s)
under_wrap "$T/o" "$T/e" encrypt --timeout 4 -o "$T/out.eml" "$T/big.eml"
took=$(($(date +%s) - start))
left=$(ls "$T"/out.eml* 2>/dev/null | wc -l)
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && [ "$left" -eq 0 ] && [ "$took" -le 15 ]; then
	ok "gpg killed while encrypting: exit 75 in ${took}s, no -o file left"
else
	not_ok "gpg killed while encrypting: exit 75, no -o file left (exit $rc, ${took}s, $left files)" "$T/e"
fi

wrap segv
under_wrap "$T/o" "$T/e" encrypt --timeout 4 "$T/small.eml"
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ]; then
	ok "gpg crashes at once: exit 75, nothing written"
else
	not_ok "gpg crashes at once: exit 75, nothing written (exit $rc)" "$T/e" "$T/o"
fi

# verify: a gpg that dies says nothing (no NODATA, no signature), which
# is a retry (75), never a "bad" verdict on a message that may be fine
"$MAILSEAL" encrypt -r bob@example.org --sign "$T/small.eml" >"$T/sealed.eml"
printf 'Content-Type: text/plain\r\n\r\nhi\r\n' >"$T/part"
gpg --batch --quiet --armor --detach-sign -u alice@example.org \
    -o "$T/part.asc" "$T/part"
{
	printf 'From: alice@example.org\nMIME-Version: 1.0\n'
	printf 'Content-Type: multipart/signed; micalg=pgp-sha512;\n'
	printf ' protocol="application/pgp-signature"; boundary="S"\n\n--S\r\n'
	cat "$T/part"
	printf '\r\n--S\r\nContent-Type: application/pgp-signature\r\n\r\n'
	sed 's/$/\r/' "$T/part.asc"	# line ends like the delimiter's
	printf -- '--S--\r\n'
} >"$T/signed.eml"
wrap segv --verify
under_wrap "$T/o" "$T/e" decrypt --timeout 10 "$T/signed.eml"
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ]; then
	ok "verify, gpg crashes: exit 75, nothing written"
else
	not_ok "verify, gpg crashes: exit 75, nothing written (exit $rc)" \
	    "$T/e" "$T/o"
fi

# decrypt: gpg crashing before a word once looked, to GPGME (which
# ignores gpg's exit status), like damaged data.  The supervisor
# (src/gpgsup.c) reports the signal: 75, never a verdict.
wrap segv --decrypt
under_wrap "$T/o" "$T/e" decrypt --timeout 10 "$T/sealed.eml"
if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ]; then
	ok "decrypt, gpg crashes: exit 75, nothing written"
else
	not_ok "decrypt, gpg crashes: exit 75, nothing written (exit $rc)" \
	    "$T/e" "$T/o"
fi

done_testing
