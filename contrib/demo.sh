#!/bin/sh
# demo.sh - mailseal's main job on a built-in example, with a throwaway
# keyring: encrypt contrib/sample.eml, show the result, decrypt it back
# and show that what comes out is what went in.
#
# usage: contrib/demo.sh [path/to/mailseal]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mailseal=${1:-$top/src/mailseal}
sample=$top/contrib/sample.eml

# A short path: gpg-agent's socket lives in the home (FACTS.md).
home=$(mktemp -d /tmp/msdemo.XXXXXX)
work=$home/work
cleanup() {
	gpgconf --homedir "$home" --kill all >/dev/null 2>&1 || true
	rm -rf "$home"
}
trap cleanup EXIT INT TERM
mkdir "$work"
chmod 700 "$home"

if [ -t 1 ]; then
	say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
	say() { printf '\n== %s\n' "$*"; }
fi

say "1. A throwaway keyring with one recipient: demo@example.org"
gpg --homedir "$home" -q --batch --passphrase '' \
    --quick-gen-key 'Demo Recipient <demo@example.org>' future-default default never 2>/dev/null
gpg --homedir "$home" --list-keys --keyid-format long demo@example.org | sed 's/^/   /'

say "2. The message (contrib/sample.eml)"
sed 's/^/   /' "$sample"

say "3. mailseal encrypt --homedir $home contrib/sample.eml"
"$mailseal" encrypt --homedir "$home" -v "$sample" > "$work/encrypted.eml"
sed 's/^/   /' "$work/encrypted.eml"

say "4. Decrypted back with gpg: the inner entity"
sed -n '/^-----BEGIN PGP MESSAGE-----/,/^-----END PGP MESSAGE-----/p' \
    "$work/encrypted.eml" > "$work/part.asc"
gpg --homedir "$home" -q --batch -d "$work/part.asc" > "$work/inner.eml" 2>/dev/null
tr -d '\r' < "$work/inner.eml" | sed 's/^/   /'

say "5. mailseal decrypt --homedir $home: verdicts, then the message"
"$mailseal" decrypt --homedir "$home" "$work/encrypted.eml" > "$work/decrypted.eml"
sed 's/^/   /' "$work/decrypted.eml"
if grep -v '^X-Mailseal-' "$work/decrypted.eml" | cmp -s - "$sample"; then
	echo "   OK: mailseal decrypt gives back contrib/sample.eml, byte for byte, plus its verdicts"
else
	echo "   FAILED: mailseal decrypt did not give back the sample" >&2
	exit 1
fi

say "6. Round trip"
# What went in: the original's header (header protection, the default:
# the author's fields inside, the Content-Type marked hp="cipher" and
# protected-headers="v1" on a line of its own, then one HP-Outer field
# per field saying what the outside shows) and its body.  Taking the
# marks and the HP-Outer fields off must give back the original.
tr -d '\r' < "$work/inner.eml" |
    awk -v marks='\thp="cipher"; protected-headers="v1"' '
	hdr == 0 && /^$/ { hdr = 1 }
	hdr == 0 && /^HP-Outer: / { next }
	have && $0 == marks && hdr == 0 { sub(/;$/, "", prev); print prev
	    have = 0; next }
	have { print prev }
	{ prev = $0; have = 1 }
	END { if (have) print prev }' > "$work/unmarked.eml"
if cmp -s "$work/unmarked.eml" "$sample"; then
	echo "   OK: the decrypted entity is the original, byte for byte, its Content-Type marked and HP-Outer fields added"
else
	echo "   FAILED: the decrypted entity differs from the original" >&2
	diff "$sample" "$work/unmarked.eml" >&2 || true
	exit 1
fi
# Outside: the Subject hidden, From, To, Date and Message-ID unchanged.
sed '/^$/q' "$sample" | grep -E '^(From|To|Date|Message-ID):' > "$work/kept"
if grep -qx 'Subject: \[\.\.\.\]' "$work/encrypted.eml" &&
    ! grep -q 'Quarterly' "$work/encrypted.eml" &&
    grep -Fxf "$work/kept" "$work/encrypted.eml" | cmp -s - "$work/kept"; then
	echo "   OK: outside, the Subject reads [...]; From, To, Date and Message-ID are unchanged"
else
	echo "   FAILED: the outer header is not what header protection makes" >&2
	exit 1
fi
