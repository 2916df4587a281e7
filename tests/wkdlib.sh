# wkdlib.sh - the set-up shared by tests/wkd.sh and tests/attack-wkd.sh;
# sourced after tests/lib.sh, not run.
#
# wkd_unshare ARGS...    outside: skip unless root and able to make
#                        private namespaces, then run the script again
#                        in them (unshare --net --mount); inside: make
#                        / private, bring lo up
# wkd_net SERVED DOWN    the test CA and a server certificate for the
#                        hosts in SERVED (and openpgpkey.HOST), a
#                        directory $W/root/HOST for each, and bind mounts
#                        of a private /etc/hosts (SERVED are 127.0.0.1,
#                        DOWN 127.0.0.2, where nothing listens), an
#                        /etc/resolv.conf naming no server that answers,
#                        and the CA as /etc/ssl/certs/ca-certificates.crt
# wkd_owners             $S, the keys' owners' home (secret keys)
# sg ARGS...             gpg in $S, its output in $T/keys.log
# wkdhash LOCAL          the WKD hash of a local part
# serve LOCAL FILE       FILE is LOCAL@wkd.test's key in the directory
# wkd_newkey LOCAL [SERVED-AS]  a new key LOCAL@wkd.test in $S, exported
#                        to $T/LOCAL.key and served (as SERVED-AS@)
# wkd_oddkey KIND LOCAL NAME  tests/oddkey.py's KIND key for
#                        "NAME <LOCAL@wkd.test>" in $T/LOCAL.key, served
# wkd_server             tests/wkd_server.py on 443, $SRV, killed at exit
# wkd_gwhome             ms_home whose dirmngr uses the system resolver,
#                        and gw_env
# is_clear | decrypts_for LOCAL   what $T/out is

# wkd_unshare ARGS... - into private namespaces (see above)
wkd_unshare() {
	if [ "${WKD_INNER:-}" != 1 ]; then
		[ "$(id -u)" -eq 0 ] ||
		    skip_all "not root (needs private namespaces)"
		require_tools unshare mount ip openssl
		"$PYTHON" -c 'import cryptography, ssl' 2>/dev/null ||
		    skip_all "python3-cryptography is not installed"
		[ -f /etc/ssl/certs/ca-certificates.crt ] ||
		    skip_all "no /etc/ssl/certs/ca-certificates.crt to mount over"
		unshare --net --mount true 2>/dev/null ||
		    skip_all "unshare --net --mount is refused here"
		rm -rf "$T"
		trap - EXIT
		WKD_INNER=1 exec unshare --net --mount sh "$0" "$@"
	fi
	require_tools dirmngr
	mount --make-rprivate / && ip link set lo up || {
		echo "Bail out! namespace set-up failed"
		exit 1
	}
}

# wkd_names PREFIX SEP HOSTS - each host and its openpgpkey. subdomain
wkd_names() {
	_wn=
	for _h in $3; do
		_wn="$_wn${_wn:+$2}$1$_h$2${1}openpgpkey.$_h"
	done
	printf '%s' "$_wn"
}

# wkd_net SERVED DOWN - the CA, the certificate, the bind mounts
wkd_net() {
	W=$T/wkd
	for _h in $1; do
		mkdir -p "$W/root/$_h"
	done
	_san=$(wkd_names DNS: , "$1")
	(
		cd "$W" &&
		openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key \
		    -out ca.crt -days 2 -subj '/CN=mailseal test CA' \
		    -addext 'basicConstraints=critical,CA:TRUE' \
		    -addext 'keyUsage=critical,keyCertSign,cRLSign' &&
		openssl req -newkey rsa:2048 -nodes -keyout srv.key \
		    -out srv.csr -subj "/CN=${1%% *}" &&
		printf '%s\n' "subjectAltName=$_san" \
		    'basicConstraints=CA:FALSE' 'extendedKeyUsage=serverAuth' >ext &&
		openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key \
		    -CAcreateserial -out srv.crt -days 2 -extfile ext
	) >"$T/openssl.log" 2>&1 || {
		echo "Bail out! openssl could not make the test CA"
		cat "$T/openssl.log" | sed 's/^/# /'
		exit 1
	}
	{
		printf '127.0.0.1 localhost\n127.0.0.1 %s\n' \
		    "$(wkd_names '' ' ' "$1")"
		[ -z "$2" ] || printf '127.0.0.2 %s\n' "$(wkd_names '' ' ' "$2")"
	} >"$W/hosts"
	printf 'nameserver 127.0.0.1\n' >"$W/resolv.conf"
	mount --bind "$W/hosts" /etc/hosts &&
	mount --bind "$W/resolv.conf" /etc/resolv.conf &&
	mount --bind "$W/ca.crt" /etc/ssl/certs/ca-certificates.crt || {
		echo "Bail out! bind mounts failed"
		exit 1
	}
}

# wkdhash LOCAL - the WKD hash of a local part (z-base-32 of its SHA-1)
wkdhash() {
	"$PYTHON" -c '
import hashlib, sys
a = "ybndrfg8ejkmcpqxot1uwisza345h769"
d = hashlib.sha1(sys.argv[1].lower().encode()).digest()
n = int.from_bytes(d, "big")
print("".join(a[(n >> (155 - 5 * i)) & 31] for i in range(32)))' "$1"
}

# wkd_owners - the keys' owners: their secret keys, in a home of their own
wkd_owners() {
	S=$T/s
	mkdir -m 700 "$S"
	_ms_homes="$_ms_homes $S"
}

# sg ARGS... - gpg in the owners' home
sg() {
	gpg --homedir "$S" --batch --no-tty --yes --passphrase '' \
	    --pinentry-mode loopback "$@" >>"$T/keys.log" 2>&1
}

# serve LOCAL FILE - FILE is LOCAL@wkd.test's key in the directory
serve() {
	cp "$2" "$W/root/wkd.test/$(wkdhash "$1")"
}

# wkd_newkey LOCAL [SERVED-AS] - a new key of LOCAL@wkd.test, served
wkd_newkey() {
	sg --quick-gen-key "$1 <$1@wkd.test>" future-default default never
	sg --export --output "$T/$1.key" "$1@wkd.test"
	serve "${2:-$1}" "$T/$1.key"
}

# wkd_oddkey KIND LOCAL NAME - a key tests/oddkey.py makes, served
wkd_oddkey() {
	"$PYTHON" "$MAILSEAL_SRCDIR/tests/oddkey.py" "$1" "$3 <$2@wkd.test>" \
	    >"$T/$2.key" && serve "$2" "$T/$2.key"
}

# wkd_server - the HTTPS directory for every served host, $SRV
wkd_server() {
	"$PYTHON" "$MAILSEAL_SRCDIR/tests/wkd_server.py" "$W/srv.crt" \
	    "$W/srv.key" "$W/root" 443 "$W/ready" 2>"$W/server.log" &
	SRV=$!
	_i=0
	while [ ! -f "$W/ready" ] && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -f "$W/ready" ] || {
		echo "Bail out! the WKD server did not start"
		sed 's/^/# /' "$W/server.log"
		exit 1
	}
	trap 'kill $SRV 2>/dev/null; _lib_cleanup' EXIT
}

# wkd_gwhome - the gateway's home ($GNUPGHOME) and environment
wkd_gwhome() {
	ms_home
	printf 'standard-resolver\n' >"$GNUPGHOME/dirmngr.conf"
	gw_env
}

# is_clear - $T/out is the message as it came (behind the marker)
is_clear() {
	grep -q '^a body' "$T/out" && ! grep -q 'BEGIN PGP MESSAGE' "$T/out"
}

# decrypts_for LOCAL - $T/out decrypts with LOCAL@wkd.test's secret key
# (gpg reports DECRYPTION_OKAY: an envelope recipient not in To is a
# hidden one, and gpg, trying the other secret keys first, exits 2)
decrypts_for() {
	rm -f "$T/dec"
	gpg --homedir "$S" --batch --no-tty --quiet --status-file "$T/dec.st" \
	    --output "$T/dec" --decrypt "$T/out" 2>"$T/dec.err"
	grep -q "^\[GNUPG:\] DECRYPTION_OKAY" "$T/dec.st" &&
	grep -q '^a body' "$T/dec"
}
