#!/bin/sh
# mkkeys.sh OUTDIR - make the hermetic OpenPGP keys the shell tests use.
#
# One GnuPG home holds every key, secret parts included (OUTDIR/home);
# each key is also exported as OUTDIR/NAME.pub.asc, OUTDIR/NAME.sec.asc
# and OUTDIR/NAME.fpr (primary fingerprint) for sqop and rnp.  All keys
# are ed25519/cv25519, all but pat without a passphrase.
#
#   alice    alice@example.org    sender, signer
#   bob      bob@example.org      the usual recipient
#   carol1   carol@example.org    two distinct valid keys with the
#   carol2   carol@example.org    same user ID
#   xbob     xbob@example.org     substring trap (no key for ob@, bob@example.net)
#   dave     dave@example.org     expired
#   erin     erin@example.org     revoked
#   frank    frank@example.org    disabled (ownertrust flag)
#   grace    grace@example.org    sign-only primary key, no encryption subkey
#   heidi    heidi@example.org    user ID revoked; heidi2@example.org valid
#   ivan     ivan+work@example.org  a +tag address with a key of its own
#   judy     JUDY@Example.ORG     upper-case user ID
#   peggy    peggy@example.org    public key only (secret part deleted)
#   pat      pat@example.org      secret key protected by the passphrase
#                                 in OUTDIR/pat.pass (public key exported)
#
# The home is made in a short temporary directory (gpg-agent's socket
# path limit) and copied to OUTDIR/home once its agent is stopped.
# Prints nothing on success; exits non-zero on any failure.
set -eu

[ $# -eq 1 ] || { echo "usage: mkkeys.sh OUTDIR" >&2; exit 64; }
out=$1

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

GNUPGHOME=$(mktemp -d /tmp/msk.XXXXXX)
export GNUPGHOME
chmod 700 "$GNUPGHOME"
cleanup() {
	gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || :
	rm -rf "$GNUPGHOME"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
log=$GNUPGHOME/mkkeys.log

g() {
	gpg --batch --no-tty --yes --passphrase '' --pinentry-mode loopback \
	    "$@" >>"$log" 2>&1 || {
		echo "mkkeys.sh: gpg $* failed:" >&2
		cat "$log" >&2
		exit 1
	}
}

# fpr_of UID - primary fingerprint of the newest key with exactly this uid
fpr_of() {
	gpg --batch --with-colons --fingerprint -- "=$1" 2>>"$log" | awk -F: '
	    /^pub/ { want = 1; next }
	    /^fpr/ && want { f = $10; want = 0 }
	    END { if (f == "") exit 1; print f }'
}

# mk NAME UID [ALGO USAGE EXPIRE [extra gpg options]]
mk() {
	name=$1 uid=$2
	shift 2
	algo=${1:-future-default} usage=${2:-default} expire=${3:-never}
	[ $# -ge 3 ] && shift 3 || shift $#
	g "$@" --quick-gen-key "$uid" "$algo" "$usage" "$expire"
	f=$(fpr_of "$uid") || { echo "mkkeys.sh: no key for $uid" >&2; exit 1; }
	echo "$f" >"$out/$name.fpr"
}

mk alice 'Alice <alice@example.org>'
mk bob   'Bob <bob@example.org>'
mk carol1 'Carol <carol@example.org>'
mk carol2 'Carol <carol@example.org>'	# --yes: "creating anyway"
mk xbob  'Xbob <xbob@example.org>'
mk dave  'Dave <dave@example.org>' future-default default 1d \
    --faked-system-time 20200101T000000
mk erin  'Erin <erin@example.org>'
mk frank 'Frank <frank@example.org>'
mk grace 'Grace <grace@example.org>' ed25519 sign never
mk heidi 'Heidi <heidi@example.org>'
mk ivan  'Ivan <ivan+work@example.org>'
mk judy  'Judy <JUDY@Example.ORG>'
mk peggy 'Peggy <peggy@example.org>'

[ "$(cat "$out/carol1.fpr")" != "$(cat "$out/carol2.fpr")" ] || {
	echo "mkkeys.sh: carol1 and carol2 are the same key" >&2; exit 1; }

# erin: import the revocation certificate gpg wrote at generation
erin=$(cat "$out/erin.fpr")
sed 's/^:-----/-----/' "$GNUPGHOME/openpgp-revocs.d/$erin.rev" \
    >"$GNUPGHOME/erin.rev"
g --import "$GNUPGHOME/erin.rev"

# frank: disabled
frank=$(cat "$out/frank.fpr")
printf 'disable\nsave\n' | g --command-fd 0 --edit-key "$frank"

# heidi: a second user ID, then the first one revoked
heidi=$(cat "$out/heidi.fpr")
g --quick-add-uid "$heidi" 'Heidi <heidi2@example.org>'
g --quick-revoke-uid "$heidi" 'Heidi <heidi@example.org>'

# export everything, while every secret key still exists
for f in "$out"/*.fpr; do
	name=$(basename "$f" .fpr)
	fpr=$(cat "$f")
	g --armor --output "$out/$name.pub.asc" --export "$fpr"
	g --armor --output "$out/$name.sec.asc" --export-secret-keys "$fpr"
done

# pat: made after the export, whose loopback passphrase is empty
printf '%s\n' 'pat: correct horse 42' >"$out/pat.pass"
mk pat 'Pat <pat@example.org>' future-default default never \
    --passphrase "$(head -n 1 "$out/pat.pass")"
g --armor --output "$out/pat.pub.asc" --export "$(cat "$out/pat.fpr")"

# peggy: public key only in the home
g --delete-secret-keys "$(cat "$out/peggy.fpr")"

# check that every key is what its name promises
colons() { gpg --batch --with-colons --list-keys "$1" 2>>"$log"; }
want() {
	colons "$1" | grep -Eq -- "$2" ||
	    { echo "mkkeys.sh: key $1 is not as expected ($2)" >&2; exit 1; }
}
want "$(cat "$out/dave.fpr")" '^pub:e:'
want "$erin" '^pub:r:'
want "$frank" '^pub:[^:]*:([^:]*:){9}[^:]*D'
want "$heidi" '^uid:r:.*<heidi@example.org>'
want "$heidi" '^uid:u:.*<heidi2@example.org>'
want "$(cat "$out/grace.fpr")" '^pub:u:([^:]*:){9}[^eE:]*:'
colons "$(cat "$out/grace.fpr")" | grep -q '^sub:' &&
    { echo "mkkeys.sh: grace has a subkey" >&2; exit 1; }
gpg --batch --list-secret-keys "$(cat "$out/peggy.fpr")" >/dev/null 2>&1 &&
    { echo "mkkeys.sh: peggy still has a secret key" >&2; exit 1; }

gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || :
rm -f "$GNUPGHOME"/S.* "$GNUPGHOME/erin.rev" "$log"
cp -R "$GNUPGHOME" "$out/home"
chmod 700 "$out/home"
exit 0
