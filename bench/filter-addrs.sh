#!/bin/sh
# filter-addrs.sh - what a header full of addresses costs `mailseal
# filter` (issue 8 item 16): one run per size with To fields holding N
# distinct addresses (bench/genaddrs.py) and bob@example.org last, one
# envelope recipient with a key, so the encrypted copy is made and every
# To/Cc address is looked at (is bob a hidden recipient?).  Prints wall
# and CPU seconds per size.  Sizes: the arguments, default 5000 80000
# 155700 (the last is a header of just under 1 MiB).
#
#     make && bench/filter-addrs.sh
#     MAILSEAL=/path/to/mailseal bench/filter-addrs.sh 1000 10000
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
MAILSEAL=${MAILSEAL:-$top/src/mailseal}
PYTHON=${PYTHON:-/usr/bin/python3}
[ $# -gt 0 ] || set -- 5000 80000 155700
d=$(mktemp -d /tmp/msfa.XXXXXX)
trap 'gpgconf --homedir "$d/g" --kill all 2>/dev/null; rm -rf "$d"' EXIT
mkdir -m 700 "$d/g"
gpg --homedir "$d/g" --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'Bob <bob@example.org>' ed25519 default never 2>/dev/null
fpr=$(gpg --homedir "$d/g" --with-colons --list-keys bob@example.org 2>/dev/null |
    awk -F: '/^fpr/ { print $10; exit }')
gpg --homedir "$d/g" --batch --quiet --pinentry-mode loopback --passphrase '' --quick-add-key "$fpr" cv25519 encr \
    never 2>/dev/null
printf '#!/bin/sh\ncat >/dev/null\n' >"$d/sendmail"
chmod 755 "$d/sendmail"
printf 'homedir = %s\nsendmail = %s\nlog = stderr\n' "$d/g" "$d/sendmail" \
    >"$d/mailseal.conf"
echo "mailseal: $MAILSEAL ($(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo '?'))"
echo "host: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%9s %10s %8s %8s %6s %s\n' addresses header_B wall_s cpu_s exit result
for n in "$@"; do
	"$PYTHON" "$top/bench/genaddrs.py" "$n" bob@example.org >"$d/m.eml"
	/usr/bin/time -f '%e %U %S' -o "$d/time" "$MAILSEAL" filter \
	    -c "$d/mailseal.conf" bob@example.org <"$d/m.eml" >/dev/null \
	    2>"$d/err" && rc=0 || rc=$?
	set -- $(cat "$d/time")
	printf '%9s %10s %8s %8s %6s %s\n' "$n" \
	    "$(sed '/^$/q' "$d/m.eml" | wc -c)" "$1" \
	    "$(echo "$2 $3" | awk '{ printf "%.2f", $1 + $2 }')" "$rc" \
	    "$(sed -n 's/.* result=//p' "$d/err" | tail -n 1)"
done
