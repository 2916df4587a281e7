#!/bin/sh
# gpg-runs.sh - the gpg processes one message costs (issue 9, section
# 4): every gpg run but one does per-message work (a key listing, the
# encryption, the decryption; for encryption to a key whose encryption
# subkey is ECDH, as bob's, one minimal export that checks what gpg's
# listing does not say, gpg_keylist_enc), and GPGME learns gpg's version once, not
# once for itself, once for the supervisor and once more per context
# with a home.  gpg is a logging wrapper first on PATH (GPGME, with
# gpgconf disabled, takes the first gpg on PATH).  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
real=$(command -v gpg) || skip_all "no gpg"
mkdir "$T/bin"
cat >"$T/bin/gpg" <<WRAP
#!/bin/sh
printf '%s\n' "\$*" >>"$T/runs"
exec "$real" "\$@"
WRAP
chmod 755 "$T/bin/gpg"
printf 'From: alice@example.org\nTo: bob@example.org\nSubject: t\n\nhello\n' \
    >"$T/small.eml"

# runs DESC WANT_WORK ARG... - mailseal ARGS with the wrapper: exit 0,
# at most one --version run, and WANT_WORK runs that do the work
runs() {
	_d=$1 _w=$2
	shift 2
	rm -f "$T/runs"
	PATH=$T/bin:$PATH "$MAILSEAL" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	_v=$(grep -c -- '--version' "$T/runs" 2>/dev/null)
	_n=$(grep -vc -- '--version' "$T/runs" 2>/dev/null)
	if [ "$rc" -eq 0 ] && [ "${_v:-0}" -le 1 ] && [ "${_n:-0}" -eq "$_w" ]
	then
		ok "$_d: $_w gpg runs with work, ${_v:-0} --version"
	else
		not_ok "$_d: exit $rc, ${_v:-0} --version runs (at most 1)," \
		    "${_n:-0} runs with work (want $_w)" "$T/runs" "$T/err"
	fi
}

runs "encrypt" 3 encrypt -r bob@example.org "$T/small.eml"
cp "$T/out" "$T/enc.eml"
runs "encrypt --homedir" 3 encrypt --homedir "$GNUPGHOME" \
    -r bob@example.org "$T/small.eml"
runs "decrypt" 1 decrypt "$T/enc.eml"
runs "decrypt --homedir" 1 decrypt --homedir "$GNUPGHOME" "$T/enc.eml"

# filter: the home from the configuration, the copy to a fake sendmail
fake_sendmail
mkdir "$T/sm"
printf '%s\n' "homedir = $GNUPGHOME" "sendmail = $T/sendmail" \
    "gateway_id = gw1.test" "log = stderr" >"$T/f.conf"
runs "filter" 3 filter -c "$T/f.conf" -f alice@example.org \
    bob@example.org <"$T/small.eml"

# the home given by --homedir is the one gpg uses, not $GNUPGHOME's
rm -f "$T/runs"
GNUPGHOME=/nonexistent PATH=$T/bin:$PATH "$MAILSEAL" decrypt \
    --homedir "$GNUPGHOME" "$T/enc.eml" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^hello' "$T/out"; then
	ok "--homedir wins over GNUPGHOME"
else
	not_ok "--homedir wins over GNUPGHOME (exit $rc)" "$T/err"
fi
done_testing
