#!/bin/sh
# demo.sh - README's first quick-start command ends in contrib/demo.sh:
# a throwaway keyring, contrib/sample.eml encrypted, decrypted back and
# compared with the original.  It must keep working.  TAP.
. "$(dirname "$0")/lib.sh"

demo=$MAILSEAL_SRCDIR/contrib/demo.sh
[ -r "$demo" ] && [ -r "$MAILSEAL_SRCDIR/contrib/sample.eml" ] ||
    skip_all "contrib/demo.sh or contrib/sample.eml is not here"
command -v gpg >/dev/null 2>&1 || skip_all "no gpg"

T=$(mktemp -d /tmp/msdm.XXXXXX)
trap 'rm -rf "$T"' EXIT
sh "$demo" "$MAILSEAL" >"$T/out" 2>&1
rc=$?
is "contrib/demo.sh: exit 0" "$rc" 0 "$T/out"
if grep -q '^   OK: mailseal decrypt gives back contrib/sample.eml, byte for byte' \
    "$T/out" && ! grep -q 'FAILED' "$T/out"; then
	ok "contrib/demo.sh: decrypt gives back the sample byte for byte"
else
	not_ok "contrib/demo.sh: decrypt gives back the sample byte for byte" \
	    "$T/out"
fi
done_testing
