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

# ------------------------------------------- mailseal smtpd behind Postfix
#
# What tests/smtpd-postfix.sh and tests/smtpd-load.sh share (postfix.sh
# keeps its own helpers).  $PFR is the run's random tag: user ROLE is
# ms<PFR><ROLE>, home under $T/home.
#
#   pf_mkusers ROLE...  make the users (skip_all when one exists);
#                       pf_rmusers removes them (and their agents)
#   pf_user ROLE | pf_home ROLE | pf_as ROLE CMD...
#   pf_gwring USER DIR KEY...   DIR: USER's GnuPG home with the public
#                       test KEYs, ownertrust ultimate
#   pf_aq_listen PORT FILTERPORT REPORT  after-queue: a listener whose mail
#                       goes to the content filter on FILTERPORT through
#                       the smtp(8) service "mailseal-smtp", and the
#                       re-injection listener REPORT (mailseal-setup(7))
#   pf_bq_listen PORT FILTERPORT [PROCS]  before-queue: a listener that
#                       proxies each transaction through FILTERPORT
#   pf_smtpd_start CONF LOG [ENV...]  mailseal smtpd -c CONF (as root: it
#                       drops to smtpd_user) in a session of its own,
#                       stderr to LOG; $SMTPD_PID; waits until its
#                       listen port accepts (10 s)
#   pf_smtpd_kill [SIG]  SIG (default TERM) to its whole process group,
#                       wait until it is gone (10 s, then KILL)
#   pf_find_mail WHO MSGID | pf_wait_mail WHO MSGID ($M) |
#   pf_count_mail WHO MSGID | pf_queue_state QID | pf_wait_deferred QID |
#   pf_queue_ids | pf_log_of QID | pf_wait_empty SECONDS

PFR=${PFR:-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}
PF_USERS=

pf_user() {
	echo "ms$PFR$1"
}

pf_home() {
	getent passwd "$(pf_user "$1")" | cut -d: -f6
}

pf_as() {
	_u=$(pf_user "$1")
	shift
	runuser -u "$_u" -- env -u GNUPGHOME "$@"
}

# pf_mkusers ROLE... - the users, each with a home under $T/home (the
# role gw: a system user without a home)
pf_mkusers() {
	for _r in "$@"; do
		getent passwd "$(pf_user "$_r")" >/dev/null &&
		    skip_all "user $(pf_user "$_r") exists already"
	done
	[ -d "$T/home" ] || mkdir -m 755 "$T/home"
	for _r in "$@"; do
		if [ "$_r" = gw ]; then
			useradd --system -M -d /nonexistent \
			    -s /usr/sbin/nologin "$(pf_user gw)" \
			    2>>"$T/setup.err"
		else
			useradd -m -d "$T/home/$_r" -s /usr/sbin/nologin \
			    "$(pf_user "$_r")" 2>>"$T/setup.err"
		fi || skip_all "useradd $(pf_user "$_r") failed"
		PF_USERS="$PF_USERS $_r"
	done
}

# pf_rmusers - remove the users pf_mkusers made (after their agents)
pf_rmusers() {
	for _r in $PF_USERS; do
		for _g in "$(pf_home "$_r")/.gnupg" ${PF_GWRING:-}; do
			[ -d "$_g" ] && pf_as "$_r" gpgconf --homedir "$_g" \
			    --kill all >/dev/null 2>&1
		done
		# a stopped agent may linger a moment (as a zombie)
		_i=0
		until userdel -r "$(pf_user "$_r")" >/dev/null 2>&1 ||
		    [ $_i -ge 50 ]; do
			sleep 0.2
			_i=$((_i + 1))
		done
	done
	PF_USERS=
}

# pf_gwring USER DIR KEY... - USER's GnuPG home DIR with the test KEYs
pf_gwring() {
	_gu=$1 _gd=$2
	shift 2
	PF_GWRING=$_gd
	install -d -o "$(pf_user "$_gu")" -g "$(id -gn "$(pf_user "$_gu")")" \
	    -m 700 "$_gd"
	for _k in "$@"; do
		pf_as "$_gu" gpg --homedir "$_gd" --batch --quiet --import \
		    <"$KEYS/$_k.pub.asc" 2>>"$T/setup.err"
		echo "$(cat "$KEYS/$_k.fpr"):6:"
	done >"$T/gwtrust"
	pf_as "$_gu" gpg --homedir "$_gd" --batch --quiet --import-ownertrust \
	    <"$T/gwtrust" 2>>"$T/setup.err"
}

# pf_aq_listen PORT FILTERPORT REPORT - the after-queue placement, as
# mailseal-setup(7) gives it: mail received on PORT is queued and then
# handed by the smtp(8) service mailseal-smtp (at most 10 at a time,
# XFORWARD, no MIME conversion, no generic maps, 1000 s for the reply to
# the message) to the filter on FILTERPORT; the filter re-injects on
# REPORT, which filters nothing
pf_aq_listen() {
	postconf -c "$PFC" -M \
	    "127.0.0.1:$1/inet=127.0.0.1:$1 inet n - n - - smtpd"
	postconf -c "$PFC" -P \
	    "127.0.0.1:$1/inet/content_filter=mailseal-smtp:[127.0.0.1]:$2"
	postconf -c "$PFC" -M \
	    "mailseal-smtp/unix=mailseal-smtp unix - - n - 10 smtp"
	postconf -c "$PFC" -P \
	    "mailseal-smtp/unix/smtp_send_xforward_command=yes" \
	    "mailseal-smtp/unix/disable_mime_output_conversion=yes" \
	    "mailseal-smtp/unix/smtp_generic_maps=" \
	    "mailseal-smtp/unix/smtp_data_done_timeout=1000s"
	pf_reinject_listen "$3"
}

# pf_reinject_listen PORT - the re-injection listener (once): no content
# filter, no address, header or milter checks again, mail from loopback
# only, XFORWARD believed
pf_reinject_listen() {
	postconf -c "$PFC" -M "127.0.0.1:$1/inet" 2>/dev/null |
	    grep -q . && return 0
	postconf -c "$PFC" -M \
	    "127.0.0.1:$1/inet=127.0.0.1:$1 inet n - n - 20 smtpd"
	postconf -c "$PFC" -P "127.0.0.1:$1/inet/content_filter=" \
	    "127.0.0.1:$1/inet/receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters" \
	    "127.0.0.1:$1/inet/smtpd_helo_restrictions=" \
	    "127.0.0.1:$1/inet/smtpd_client_restrictions=" \
	    "127.0.0.1:$1/inet/smtpd_sender_restrictions=" \
	    "127.0.0.1:$1/inet/smtpd_relay_restrictions=" \
	    "127.0.0.1:$1/inet/smtpd_recipient_restrictions=permit_mynetworks,reject" \
	    "127.0.0.1:$1/inet/mynetworks=127.0.0.0/8" \
	    "127.0.0.1:$1/inet/smtpd_authorized_xforward_hosts=127.0.0.0/8"
}

# pf_bq_listen PORT FILTERPORT [PROCS] - the before-queue placement:
# Postfix's smtpd on PORT (at most PROCS processes, default 20: no more
# than the filter's workers) passes each command of its client to the
# filter on FILTERPORT and the filter's replies back (300 s for each);
# the filter's re-injection listener queues the mail
pf_bq_listen() {
	postconf -c "$PFC" -M \
	    "127.0.0.1:$1/inet=127.0.0.1:$1 inet n - n - ${3:-20} smtpd"
	postconf -c "$PFC" -P \
	    "127.0.0.1:$1/inet/smtpd_proxy_filter=127.0.0.1:$2" \
	    "127.0.0.1:$1/inet/smtpd_proxy_timeout=300s"
}

# pf_smtpd_start CONF LOG [NAME=VALUE...] - mailseal smtpd -c CONF in a
# session (and process group) of its own, with the NAME=VALUEs in its
# environment, standard error to LOG; 0 once its listen port accepts
# (10 s), else 1.  $PF_SMTPD_WRAP, when set, is a command put before it.
pf_smtpd_start() {
	_c=$1 _l=$2
	shift 2
	# its "listening" line, not only the port: the port is bound before
	# the keys are listed and the workers start, and a test that makes
	# gpg hang right after the start must not catch that listing
	_n=$(grep -c 'smtpd: listening on' "$_l" 2>/dev/null)
	# shellcheck disable=SC2086
	env "$@" setsid ${PF_SMTPD_WRAP:-} "$MAILSEAL" smtpd -c "$_c" \
	    </dev/null >>"$_l" 2>&1 &
	SMTPD_PID=$!
	_p=$(sed -n 's/^listen *= *[0-9.]*:\([0-9]*\).*/\1/p' "$_c" | tail -n 1)
	_i=0
	until pf_listening "$_p" && [ "$(grep -c 'smtpd: listening on' \
	    "$_l" 2>/dev/null)" -gt "${_n:-0}" ]; do
		_i=$((_i + 1))
		if [ $_i -ge 100 ] || ! kill -0 "$SMTPD_PID" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
}

# pf_smtpd_alive - a process of smtpd's process group is alive (not a
# zombie)
pf_smtpd_alive() {
	[ -n "${SMTPD_PID:-}" ] &&
	    ps -e -o pgid=,stat= | awk -v g="$SMTPD_PID" '
	    $1 == g && $2 !~ /^Z/ { n++ } END { exit !n }'
}

# pf_smtpd_kill [SIG] - SIG to smtpd's process group; wait until every
# process of it is gone (after 10 s: SIGKILL); 1 when that did not help
pf_smtpd_kill() {
	[ -n "${SMTPD_PID:-}" ] || return 0
	kill "-${1:-TERM}" "-$SMTPD_PID" 2>/dev/null
	_i=0
	while pf_smtpd_alive; do
		_i=$((_i + 1))
		[ $_i -eq 100 ] && kill -KILL "-$SMTPD_PID" 2>/dev/null
		[ $_i -ge 150 ] && return 1
		sleep 0.1
	done
	wait "$SMTPD_PID" 2>/dev/null
	SMTPD_PID=
}

# pf_find_mail WHO MSGID - the files in WHO's Maildir/new holding MSGID
pf_find_mail() {
	grep -lsF "Message-ID: <$2>" "$(pf_home "$1")/Maildir/new/"* \
	    2>/dev/null
}

# pf_wait_mail WHO MSGID - wait (at most 10 s) for MSGID in WHO's
# Maildir; $M is the file (or /dev/null)
pf_wait_mail() {
	_i=0
	while [ $_i -lt 100 ]; do
		M=$(pf_find_mail "$1" "$2" | head -n 1)
		[ -n "$M" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	M=/dev/null
	return 1
}

pf_count_mail() {
	pf_find_mail "$1" "$2" | wc -l | tr -d ' '
}

# pf_queue_ids - the queue IDs in the instance's queue, one a line
pf_queue_ids() {
	pfq -j 2>/dev/null |
	    sed -n 's/.*"queue_id": *"\([0-9A-Za-z]*\)".*/\1/p'
}

# pf_queue_state QID - deferred, active, incoming, hold, or empty
pf_queue_state() {
	pfq -j 2>/dev/null | grep "\"queue_id\": *\"$1\"" |
	    sed -n 's/.*"queue_name": *"\([a-z]*\)".*/\1/p'
}

# pf_wait_deferred QID - wait (at most 10 s) until QID is deferred
pf_wait_deferred() {
	_i=0
	while [ $_i -lt 100 ]; do
		[ "$(pf_queue_state "$1")" = deferred ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# pf_log_of QID - the lines of the instance's log about QID
pf_log_of() {
	[ -n "$1" ] || return 1
	grep -F " $1: " "$PFLOG" 2>/dev/null
}

# pf_wait_empty SECONDS - wait until the queue is empty; "postqueue -f"
# again every 15 s meanwhile
pf_wait_empty() {
	_end=$(($(date +%s) + $1))
	_next=$(($(date +%s) + 15))
	while [ -n "$(pf_queue_ids | head -n 1)" ]; do
		[ "$(date +%s)" -ge "$_end" ] && return 1
		if [ "$(date +%s)" -ge "$_next" ]; then
			pfq -f >/dev/null 2>&1
			_next=$(($(date +%s) + 15))
		fi
		sleep 0.2
	done
}
