#!/bin/sh
# keys.sh - mailseal keys (issue 9 section 2): for each address, the key
# that would be used or why none would, when it expires, --expiring for
# a cron job, and every exit status.  The hermetic keys of tests/mkkeys.sh
# hold each trap; keys that expire soon are made here in the copy.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
H=$GNUPGHOME
IS_DIAG="$T/e $T/o"

# line ADDR - the lines for ADDR in $T/o
line() {
	grep -F "$1  " "$T/o" | grep "^$1  "
}

# usage_err DESC - the last run exited 64, wrote nothing, said one line
usage_err() {
	if [ "$rc" -eq 64 ] && [ ! -s "$T/o" ] && one_line "$T/e"; then
		ok "$1"
	else
		not_ok "$1 (exit $rc, want 64 and one line)" "$T/e" "$T/o"
	fi
}

# ------------------------------------------------ one line per address

ms "$T/o" "$T/e" keys --homedir "$H" bob@example.org
is "usable key: its line, exit 0" "$rc|$(cat "$T/o")" \
    "0|bob@example.org  key=$(fpr bob)  encrypt=yes  expires=never"

ms "$T/o" "$T/e" keys --homedir "$H" dave@example.org
is "expired key: the date it expired (2020-01-02), exit 67" \
    "$rc|$(cat "$T/o")" "67|dave@example.org  key=-  encrypt=no  \
reason=expired  why=\"key $(fpr dave) expired on 2020-01-02\""

ms "$T/o" "$T/e" keys --homedir "$H" erin@example.org
is "revoked key: said so, exit 67" "$rc|$(cat "$T/o")" \
    "67|erin@example.org  key=-  encrypt=no  reason=revoked  \
why=\"key $(fpr erin) is revoked\""

ms "$T/o" "$T/e" keys --homedir "$H" frank@example.org
is "disabled key: said so" "$(cat "$T/o")" \
    "frank@example.org  key=-  encrypt=no  reason=disabled  \
why=\"key $(fpr frank) is disabled\""

ms "$T/o" "$T/e" keys --homedir "$H" grace@example.org
is "sign-only key: no encryption subkey" "$(cat "$T/o")" \
    "grace@example.org  key=-  encrypt=no  reason=no-encryption-subkey  \
why=\"key $(fpr grace) has no encryption subkey\""

ms "$T/o" "$T/e" keys --homedir "$H" heidi@example.org heidi2@example.org
is "revoked user ID: no key for it; the valid one has its key" \
    "$rc|$(line heidi@example.org)|$(line heidi2@example.org)" \
    "67|heidi@example.org  key=-  encrypt=no  reason=no-key  why=\"no key \
for the address\"|heidi2@example.org  key=$(fpr heidi)  encrypt=yes  \
expires=never"

ms "$T/o" "$T/e" keys --homedir "$H" ob@example.org
is "look-alike (only xbob@ exists): no key" "$rc|$(cat "$T/o")" \
    "67|ob@example.org  key=-  encrypt=no  reason=no-key  why=\"no key for \
the address\""

ms "$T/o" "$T/e" keys --homedir "$H" carol@example.org
is "two keys for one address: both, one line each" \
    "$rc|$(sort "$T/o" | tr '\n' '|')" \
    "0|$( (echo "carol@example.org  key=$(fpr carol1)  encrypt=yes  \
expires=never"; echo "carol@example.org  key=$(fpr carol2)  encrypt=yes  \
expires=never") | sort | tr '\n' '|')"

ms "$T/o" "$T/e" keys --homedir "$H" bob+lists@example.org \
    ivan+work@example.org 'Judy <judy@EXAMPLE.org.>'
is "+tag: the base address's key, or its own; any spelling, canonical" \
    "$rc|$(cat "$T/o" | tr '\n' '|')" \
    "0|bob+lists@example.org  key=$(fpr bob)  encrypt=yes  expires=never|\
ivan+work@example.org  key=$(fpr ivan)  encrypt=yes  expires=never|\
judy@example.org  key=$(fpr judy)  encrypt=yes  expires=never|"

ms "$T/o" "$T/e" keys --homedir "$H" bob@example.org dave@example.org \
    peggy@example.org
is "one address without a key among good ones: 67, every line" \
    "$rc|$(wc -l <"$T/o" | tr -d ' ')" "67|3"

# ------------------------------------------------ every user ID

ms "$T/o" "$T/e" keys --homedir "$H"
is "no address: every user ID of the home, sorted, exit 0" \
    "$rc|$(cut -d' ' -f1 "$T/o" | tr '\n' ' ')" \
    "0|alice@example.org bob@example.org carol@example.org \
carol@example.org dave@example.org erin@example.org frank@example.org \
grace@example.org heidi2@example.org ivan+work@example.org \
judy@example.org pat@example.org peggy@example.org xbob@example.org "
is "no address: the same lines as when named" "$(line dave@example.org)" \
    "dave@example.org  key=-  encrypt=no  reason=expired  why=\"key \
$(fpr dave) expired on 2020-01-02\""

mkdir -m 700 "$T/bad" && _ms_homes="$_ms_homes $T/bad"
gpg --homedir "$T/bad" --batch --quiet --import "$KEYS/dave.pub.asc" \
    "$KEYS/erin.pub.asc" 2>/dev/null
ms "$T/o" "$T/e" keys --homedir "$T/bad"
is "a home without one usable key: its lines, exit 67" \
    "$rc|$(cut -d' ' -f1 "$T/o" | tr '\n' ' ')" \
    "67|dave@example.org erin@example.org "
mkdir -m 700 "$T/empty"
ms "$T/o" "$T/e" keys --homedir "$T/empty"
is "an empty home: nothing, exit 67" "$rc|$(cat "$T/o")" "67|"

# ------------------------------------------------ --expiring

# soon@: a key that expires in 3 days; sub@: a key that never expires
# with an encryption subkey that expires in 2 days
now=$(date +%s)
g --passphrase '' --pinentry-mode loopback \
    --quick-gen-key 'Soon <soon@example.org>' future-default default 3d
g --passphrase '' --pinentry-mode loopback \
    --quick-gen-key 'Sub <sub@example.org>' ed25519 sign never
subf=$(g --with-colons --list-keys sub@example.org | awk -F: '/^fpr/ { print $10; exit }')
g --passphrase '' --pinentry-mode loopback --quick-add-key "$subf" cv25519 encr 2d
later=$(date +%s)
# day N - the date N days after now (and after later: gpg's clock)
day() {
	echo "$(date -u -d "@$((now + $1 * 86400))" +%F)|$(date -u -d "@$((later + $1 * 86400))" +%F)"
}
ms "$T/o" "$T/e" keys --homedir "$H" soon@example.org sub@example.org
got=$(line soon@example.org | sed 's/.*expires=//')
case "|$(day 3)|" in
*"|$got|"*) ok "a key that expires in 3 days: its date ($got)" ;;
*) not_ok "a key that expires in 3 days: got $got, want $(day 3)" "$T/o" ;;
esac
got=$(line sub@example.org | sed 's/.*expires=//')
case "|$(day 2)|" in
*"|$got|"*) ok "the encryption subkey expires first: its date ($got)" ;;
*) not_ok "subkey expiry: got $got, want $(day 2)" "$T/o" ;;
esac

ms "$T/o" "$T/e" keys --homedir "$H" --expiring 7
is "--expiring 7, whole home: only the two soon keys, exit 1" \
    "$rc|$(cut -d' ' -f1 "$T/o" | tr '\n' ' ')" \
    "1|soon@example.org sub@example.org "
ms "$T/o" "$T/e" keys --homedir "$H" --expiring 2
is "--expiring 2: only the subkey that expires in 2 days, exit 1" \
    "$rc|$(cut -d' ' -f1 "$T/o" | tr '\n' ' ')" "1|sub@example.org "
ms "$T/o" "$T/e" keys --homedir "$H" --expiring 1
is "--expiring 1: none, exit 0, nothing listed" "$rc|$(cat "$T/o")" "0|"
ms "$T/o" "$T/e" keys --homedir "$H" --expiring 30 bob@example.org \
    dave@example.org
is "--expiring, named addresses without soon keys: 0 (expired and \
no-expiry keys are no news)" "$rc|$(cat "$T/o")" "0|"
ms "$T/o" "$T/e" keys --homedir "$H" --expiring 30 bob@example.org \
    soon@example.org
is "--expiring, named addresses: the soon one, exit 1" \
    "$rc|$(cut -d' ' -f1 "$T/o")" "1|soon@example.org"
ms "$T/o" "$T/e" keys --homedir "$H" --expiring 36500 bob@example.org
is "--expiring 36500 (LIMIT_EXPIRING_DAYS): accepted" "$rc" 0
ms "$T/o" "$T/e" keys --homedir "$H" --expiring 36501 bob@example.org
usage_err "--expiring 36501 (over LIMIT_EXPIRING_DAYS): 64"
for bad in -1 x 7d ''; do
	ms "$T/o" "$T/e" keys --homedir "$H" --expiring "$bad" bob@example.org
	usage_err "--expiring '$bad': 64, one line"
done

# ------------------------------------------------ the configuration

cat >"$T/ms.conf" <<EOF
homedir = $H
recipient_delimiter = -
EOF
ms "$T/o" "$T/e" keys -c "$T/ms.conf" bob-x@example.org
is "-c FILE: its home and its recipient delimiter" "$rc|$(cat "$T/o")" \
    "0|bob-x@example.org  key=$(fpr bob)  encrypt=yes  expires=never"
ms "$T/o" "$T/e" keys --homedir "$H" bob-x@example.org
is "without it: + is the delimiter" "$rc|$(line bob-x@example.org | \
    cut -d' ' -f3)" "67|key=-"
echo "no such thing = 1" >"$T/bad.conf"
ms "$T/o" "$T/e" keys -c "$T/bad.conf" bob@example.org
if [ "$rc" -eq 78 ] && [ ! -s "$T/o" ] && one_line "$T/e"; then
	ok "a bad configuration: 78, one line"
else
	not_ok "a bad configuration: 78 (exit $rc)" "$T/e" "$T/o"
fi
ms "$T/o" "$T/e" keys -c "$T/none.conf" bob@example.org
is "a missing configuration named with -c: 78" "$rc" 78

# ------------------------------------------------ gpg did not answer

cp -R "$H" "$T/dmg" && rm -f "$T/dmg"/S.* && _ms_homes="$_ms_homes $T/dmg"
head -c 2000 /dev/urandom >"$T/dmg/trustdb.gpg"
for a in bob@example.org ''; do
	# shellcheck disable=SC2086
	ms "$T/o" "$T/e" keys --homedir "$T/dmg" $a
	if [ "$rc" -eq 75 ] && [ ! -s "$T/o" ] && one_line "$T/e" &&
	    grep -q trustdb "$T/e"; then
		ok "damaged trustdb.gpg (${a:-every user ID}): 75, nothing listed"
	else
		not_ok "damaged trustdb.gpg: 75 (exit $rc)" "$T/e" "$T/o"
	fi
done
ms "$T/o" "$T/e" keys --homedir "$T/nonexistent" bob@example.org
is "a home that does not exist: 75, not 'no key'" "$rc|$(cat "$T/o")" "75|"
"$MAILSEAL" keys --homedir "$H" bob@example.org >&- 2>"$T/e"
is "standard output closed: 75" "$?" 75

# ------------------------------------------------ hostile addresses

long=$(head -c 600 /dev/zero | tr '\0' a)@example.org
for bad in 'a@b, c@d' '' 'nobody' '@example.org' "$long" \
    "$(printf 'bob\001@example.org')" '"unterminated@example.org' \
    'Bob <bob@example.org' '(((((((((((((((((((((((((((((((((((((x'; do
	ms "$T/o" "$T/e" keys --homedir "$H" bob@example.org "$bad"
	usage_err "hostile address '$(printf '%.30s' "$bad" | tr -c '[:print:]' '?')': 64, one line"
done
ms "$T/o" "$T/e" keys --homedir "$H" --bogus
usage_err "unknown option: 64"
ms "$T/o" "$T/e" keys --homedir "$H" -o "$T/x" bob@example.org
usage_err "-o: 64 (the listing goes to standard output)"
seq 1 1001 | sed 's/$/@example.org/' >"$T/many"
# shellcheck disable=SC2046
ms "$T/o" "$T/e" keys --homedir "$H" $(cat "$T/many")
usage_err "1001 addresses (over LIMIT_RECIPIENTS): 64"
# shellcheck disable=SC2046
ms "$T/o" "$T/e" keys --homedir "$H" $(head -n 1000 "$T/many")
is "1000 addresses (LIMIT_RECIPIENTS): listed, 67" \
    "$rc|$(wc -l <"$T/o" | tr -d ' ')" "67|1000"

ms "$T/o" "$T/e" keys --help
is "--help: usage on standard output, exit 0" \
    "$rc|$(grep -c 'mailseal keys' "$T/o")" "0|1"

done_testing
