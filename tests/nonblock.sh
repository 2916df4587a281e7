#!/bin/sh
# nonblock.sh - a standard input or output that is a non-blocking pipe
# (O_NONBLOCK belongs to the open file, so whoever shares the pipe can
# set it: a wrapper, an MTA written around an event loop) is waited
# for, never "Resource temporarily unavailable": that was 75 for every
# message on such an input, and 75 after part of the message was
# already out on such an output.  encrypt and filter (pass-through),
# with a writer and a reader that pause.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
yes 'the key is under the mat, and this line is filler text.' |
    head -n 40000 | msg "$T/big.eml" 'From: Alice <alice@example.org>' \
    'To: Bob <bob@example.org>' 'Subject: big'

# run IN OUT ARG... - mailseal ARG... with standard input a non-blocking
# pipe fed from the file IN in pauses, standard output a pipe read in
# pauses (non-blocking when OUT is "nb"); prints the exit status, then
# the output's size and sha256 (filter's: after its marker field)
run() {
	export T
	"$PYTHON" - "$MAILSEAL" "$@" <<'PY'
import fcntl, hashlib, os, subprocess, sys, threading, time
ms, src, nbout = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:]
data = open(src, 'rb').read()
ri, wi = os.pipe()
ro, wo = os.pipe()
fcntl.fcntl(ri, fcntl.F_SETFL, os.O_NONBLOCK)
if nbout == 'nb':
    fcntl.fcntl(wo, fcntl.F_SETFL, os.O_NONBLOCK)
p = subprocess.Popen([ms] + args, stdin=ri, stdout=wo,
    stderr=open(os.environ["T"] + "/err", "wb"))
os.close(ri)
os.close(wo)
def feed():
    try:
        for i in range(0, len(data), 65536):
            os.write(wi, data[i:i + 65536])
            time.sleep(0.02)
    except BrokenPipeError:
        pass
    os.close(wi)
t = threading.Thread(target=feed)
t.start()
out = b''
while True:
    time.sleep(0.02)
    b = os.read(ro, 65536)
    if not b:
        break
    out += b
t.join()
if len(sys.argv) > 4 and args[0] == 'filter' and out.startswith(b'X-'):
    out = out[out.index(b'\n') + 1:]	# filter's marker field
print(p.wait(), len(out), hashlib.sha256(out).hexdigest())
PY
}

set -- $(run "$T/big.eml" - encrypt -r bob@example.org)
check "encrypt, a non-blocking input pipe: exit 0" [ "$1" = 0 ]
check "... a whole message out" [ "$2" -gt 2000000 ]
set -- $(run "$T/big.eml" nb encrypt -r bob@example.org)
check "encrypt, non-blocking input and output pipes: exit 0" [ "$1" = 0 ]
check "... a whole message out" [ "$2" -gt 2000000 ]

# filter: a recipient without a policy gets the message as it came,
# after the gateway's marker field
cat >"$T/conf" <<EOF
homedir = $GNUPGHOME
default_policy = none
EOF
set -- $(run "$T/big.eml" nb filter -c "$T/conf" --stdout \
    -f alice@example.org -- bob@example.org)
want="$(wc -c <"$T/big.eml") $(sha256sum <"$T/big.eml" | cut -d' ' -f1)"
check "filter, non-blocking pipes: exit 0" [ "$1" = 0 ]
IS_DIAG=$T/err
is "... the message byte for byte" "$2 $3" "$want"

done_testing
