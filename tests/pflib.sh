# pflib.sh - a private Postfix instance for the tests; sourced after
# lib.sh, not run.  It never stops, reloads or reconfigures the machine's
# own Postfix: the instance has its own configuration, queue, data
# directory, log file and loopback ports, all under $T, and runs as
# "postfix -c DIR".  The one change to the system's files is DIR in
# alternate_config_directories of the default main.cf, which an
# unprivileged sendmail(1) needs before it will submit to another
# instance (a filter's re-injection); pf_disallow takes it out again.
#
#   pf_ports N          N free loopback ports, chosen now (not 25 or any
#                       fixed port), one a line
#   pf_new DIR          a fresh instance in DIR: $PFC (config_directory),
#                       $PFQ (queue), $PFLOG (maillog_file); main.cf and a
#                       master.cf without listeners, chroot off everywhere
#   pf_allow            add $PFC to alternate_config_directories
#   pf_disallow         take it out again (no-op when it is not there)
#   pf_start PORT...    postfix -c $PFC start, wait until PORTs listen
#   pf_stop             postfix -c $PFC stop (abort if it hangs)
#   pf_sys_state FILE   the system's Postfix as it is: checksums of
#                       main.cf (without alternate_config_directories),
#                       master.cf, /etc/mailname, /etc/aliases(.db), and
#                       the PID of a running default master or "none"
#   pfq ARG...          postqueue -c $PFC ARG...   (pfs: postsuper)
#
# Needs root and postfix; the instance's mail_owner and setgid_group are
# the system's (Debian's package makes "postfix" and "postdrop").

SYS_PFC=$(env -u MAIL_CONFIG postconf -d -h config_directory 2>/dev/null)
: "${SYS_PFC:=/etc/postfix}"
PF_OWNER=$(postconf -c "$SYS_PFC" -h mail_owner 2>/dev/null)
PF_GROUP=$(postconf -c "$SYS_PFC" -h setgid_group 2>/dev/null)
: "${PF_OWNER:=postfix}" "${PF_GROUP:=postdrop}"

# pf_ports N - N distinct ports that are free on 127.0.0.1 now, outside
# the kernel's ephemeral range (a client's port cannot take one before
# Postfix binds it)
pf_ports() {
	"$PYTHON" - "$1" <<'EOF'
import random, socket, sys
n, got, held = int(sys.argv[1]), [], []
while len(got) < n:
    p = random.randrange(20000, 32000)
    if p in got:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        s.close()
        continue
    held.append(s)
    got.append(p)
for s in held:
    s.close()
print("\n".join(map(str, got)))
EOF
}

# pf_new DIR - a fresh private instance in DIR (which must not exist)
pf_new() {
	PFD=$1
	PFC=$PFD/etc
	PFQ=$PFD/spool
	PFLOG=$PFD/postfix.log
	mkdir -m 755 "$PFD" "$PFC" "$PFQ" || return 1
	install -d -o "$PF_OWNER" -g "$PF_GROUP" -m 700 "$PFD/data" ||
	    return 1
	cat >"$PFC/main.cf" <<EOF
# a private instance of the mailseal tests (tests/pflib.sh)
compatibility_level = 3.6
queue_directory = $PFQ
data_directory = $PFD/data
mail_owner = $PF_OWNER
setgid_group = $PF_GROUP
maillog_file = $PFLOG
maillog_file_prefixes = $PFD
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
myhostname = mail.example.org
mydomain = example.org
myorigin = \$mydomain
mydestination = mail.example.org, example.org, localhost
default_transport = error
relay_transport = error
alias_maps = hash:$PFC/aliases
alias_database = hash:$PFC/aliases
recipient_delimiter = +
home_mailbox = Maildir/
mailbox_command =
mailbox_size_limit = 0
smtpd_banner = \$myhostname ESMTP
biff = no
append_dot_mydomain = no
readme_directory = no
EOF
	# the services Postfix itself needs, none chrooted (nothing is
	# copied into a chroot here); listeners are the caller's
	cat >"$PFC/master.cf" <<'EOF'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
	: >"$PFC/aliases"
	postalias -c "$PFC" "$PFC/aliases"
}

# _pf_acd_set VALUE - set alternate_config_directories in the system's
# main.cf, or remove the line when VALUE is empty
_pf_acd_set() {
	if [ -n "$1" ]; then
		postconf -c "$SYS_PFC" -e "alternate_config_directories = $1"
	else
		postconf -c "$SYS_PFC" -X alternate_config_directories
	fi
}

# _pf_acd_without DIR - the system's alternate_config_directories
# without DIR, comma-separated; without the entries of earlier runs
# killed before they could remove theirs (a /tmp/mst.*/pf/etc that is
# gone) too
_pf_acd_without() {
	postconf -c "$SYS_PFC" -h alternate_config_directories 2>/dev/null |
	    tr ', \t' '\n\n\n' | grep -v '^$' | grep -vxF "$1" |
	    while read -r _d; do
		case $_d in
		/tmp/mst.*/pf/etc) [ -d "$_d" ] || continue ;;
		esac
		echo "$_d"
	    done | awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $0 }'
}

# pf_allow - let unprivileged Postfix commands use $PFC (sendmail and
# postdrop refuse an instance the default main.cf does not name).  The
# read and the write of the value happen under a lock on the system's
# configuration directory, so that runs side by side keep each other's
# entry.
pf_allow() {
	{
		flock 9 || return 1
		# postconf -e edits only an existing main.cf: Debian's "No
		# configuration" install has none, so one is made (and
		# removed by pf_disallow if it is empty then)
		if [ ! -e "$SYS_PFC/main.cf" ]; then
			: >"$SYS_PFC/main.cf" || return 1
			chmod 644 "$SYS_PFC/main.cf"
			PF_MADE_MAINCF=yes
		fi
		_v=$(_pf_acd_without "$PFC")
		_pf_acd_set "${_v:+$_v, }$PFC"
	} 9<"$SYS_PFC"
}

# pf_disallow - take $PFC out of alternate_config_directories again
pf_disallow() {
	[ -n "${PFC:-}" ] || return 0
	{
		flock 9 || return 1
		postconf -c "$SYS_PFC" -h alternate_config_directories \
		    2>/dev/null | tr ', \t' '\n\n\n' | grep -qxF "$PFC" ||
		    return 0
		_pf_acd_set "$(_pf_acd_without "$PFC")"
		if [ "${PF_MADE_MAINCF:-no}" = yes ] &&
		    [ ! -s "$SYS_PFC/main.cf" ]; then
			rm -f "$SYS_PFC/main.cf"
		fi
	} 9<"$SYS_PFC"
}

# pf_listening PORT... - every PORT accepts a connection on 127.0.0.1
pf_listening() {
	"$PYTHON" - "$@" <<'EOF'
import socket, sys
for p in sys.argv[1:]:
    try:
        socket.create_connection(("127.0.0.1", int(p)), 1).close()
    except OSError:
        sys.exit(1)
EOF
}

# pf_start PORT... - start the instance; 0 once every PORT listens (at
# most 10 s), else 1 with the reason in $PFD/start.out
pf_start() {
	PF_STARTED=yes
	postfix -c "$PFC" check >"$PFD/start.out" 2>&1 &&
	    postfix -c "$PFC" start >>"$PFD/start.out" 2>&1 || {
		[ -f "$PFLOG" ] && tail -n 5 "$PFLOG" >>"$PFD/start.out"
		return 1
	}
	_i=0
	until pf_listening "$@"; do
		_i=$((_i + 1))
		if [ $_i -ge 50 ]; then
			[ -f "$PFLOG" ] && tail -n 5 "$PFLOG" >>"$PFD/start.out"
			return 1
		fi
		sleep 0.2
	done
}

# pf_master - the PID of this instance's running master, or nothing
pf_master() {
	_p=$(cat "$PFQ/pid/master.pid" 2>/dev/null | tr -d ' ')
	[ -n "$_p" ] && kill -0 "$_p" 2>/dev/null && echo "$_p"
}

# pf_stop - stop the instance and wait until its master is gone: "postfix
# stop", after 10 s "postfix abort", after 5 s more SIGKILL to its master
pf_stop() {
	[ "${PF_STARTED:-no}" = yes ] || return 0
	_p=$(pf_master)
	[ -n "$_p" ] || return 0
	postfix -c "$PFC" stop >/dev/null 2>&1
	_i=0
	while kill -0 "$_p" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -eq 100 ] && postfix -c "$PFC" abort >/dev/null 2>&1
		[ $_i -eq 150 ] && kill -KILL "$_p" 2>/dev/null
		[ $_i -ge 200 ] && return 1
		sleep 0.1
	done
	PF_STARTED=no
}

# pf_sys_state FILE - what the test promises not to change of the
# system's Postfix, one line each
pf_sys_state() {
	{
		# main.cf without alternate_config_directories and the
		# continuation lines of that parameter; one that has nothing
		# else counts as none (pf_allow makes one where none is)
		awk '
		    /^[ \t]/ { if (!skip) print; next }
		    { skip = $0 ~ /^alternate_config_directories[ \t]*=/ }
		    !skip' "$SYS_PFC/main.cf" >"$1.main" 2>/dev/null
		if [ -s "$1.main" ]; then
			echo "main.cf $(sha256sum <"$1.main" | cut -c1-16)"
		else
			echo "main.cf: none, or nothing in it"
		fi
		rm -f "$1.main"
		for _f in "$SYS_PFC/master.cf" /etc/mailname /etc/aliases \
		    /etc/aliases.db; do
			if [ -f "$_f" ]; then
				printf '%s %s\n' "$_f" \
				    "$(sha256sum <"$_f" | cut -c1-16)"
			else
				echo "$_f absent"
			fi
		done
		_q=$(postconf -c "$SYS_PFC" -h queue_directory 2>/dev/null)
		: "${_q:=/var/spool/postfix}"
		_p=$(cat "$_q/pid/master.pid" 2>/dev/null | tr -d ' ')
		# a stale master.pid (a system instance stopped long ago)
		# names whatever process has that number now: only a
		# running Postfix master counts
		if [ -n "$_p" ] && kill -0 "$_p" 2>/dev/null &&
		    [ "$(cat "/proc/$_p/comm" 2>/dev/null)" = master ]; then
			echo "system master: running, PID $_p"
		else
			echo "system master: none"
		fi
	} >"$1"
}

pfq() {
	postqueue -c "$PFC" "$@"
}

pfs() {
	postsuper -c "$PFC" "$@"
}
