#!/usr/bin/python3
"""gpgsm_proxy.py MODE COMMAND GPGSM ARG... - a gpgsm that misbehaves at
one Assuan command, for the S/MIME failure tests.

GPGME runs `gpgsm --server` and speaks Assuan with it over a Unix socket
named by the environment (_assuan_connection_fd), passing the data's
descriptors over it (SCM_RIGHTS); without that variable, over standard
input and output.  The proxy runs the real GPGSM with ARGs on a socket
pair of its own and relays every message, descriptors included, until
the client sends COMMAND (ENCRYPT, SIGN, ...):
  kill  pass it on, let gpgsm start, then kill it (SIGKILL) and go
  ok    answer "OK" in gpgsm's place, doing nothing (a gpgsm that claims
        success and wrote no data; gpgsm is RESET, so it lets go of the
        data's descriptors)
  eof   close the channel and go, as a gpgsm that crashed at once
"""
import array
import os
import select
import socket
import subprocess
import sys
import time

mode, command, real = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
FDS = socket.CMSG_SPACE(64 * 4)


def hit(data):
    return any(line == command or line.startswith(command + b" ")
               for line in data.split(b"\n"))


def act(child, send_on, reset=None):
    """COMMAND seen: misbehave as MODE says"""
    if mode == "ok":
        if reset is not None:
            reset()     # gpgsm lets go of the data's descriptors
        return b"OK\n"
    if mode == "kill":
        send_on()
        time.sleep(0.05)
    child.kill()
    os._exit(2)


def over_socket(fd):
    up = socket.socket(fileno=fd)
    mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    env = dict(os.environ, _assuan_connection_fd=str(theirs.fileno()))
    os.set_inheritable(theirs.fileno(), True)   # and gpgsm's --logger-fd
    child = subprocess.Popen([real] + sys.argv[4:], env=env, close_fds=False)
    theirs.close()
    while True:
        for s in select.select([up, mine], [], [])[0]:
            data, anc, _, _ = s.recvmsg(65536, FDS)
            if not data:
                sys.exit(child.wait() if s is mine else 0)
            to = mine if s is up else up
            if s is up and hit(data):
                answer = act(child, lambda: to.sendmsg([data], anc),
                             lambda: reset(mine))
                drop(anc)
                up.sendall(answer)
                continue
            to.sendmsg([data], anc)
            drop(anc)


def reset(sock):
    """gpgsm's RESET, its answer swallowed"""
    sock.sendall(b"RESET\n")
    got = b""
    while not got.endswith(b"\n"):
        more = sock.recv(4096)
        if not more:
            break
        got += more


def drop(anc):
    """close our copies of the descriptors passed on: gpgsm's output
    reaches its reader's end of file only when no one else holds it"""
    for level, kind, raw in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(raw[:len(raw) - len(raw) % fds.itemsize])
            for fd in fds:
                os.close(fd)


def over_stdio():
    child = subprocess.Popen([real] + sys.argv[4:], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, close_fds=False)
    cin, cout = child.stdin.fileno(), child.stdout.fileno()
    while True:
        for fd in select.select([0, cout], [], [])[0]:
            data = os.read(fd, 65536)
            if not data:
                sys.exit(child.wait())
            if fd == cout:
                os.write(1, data)
            elif hit(data):
                os.write(1, act(child, lambda: os.write(cin, data)))
            else:
                os.write(cin, data)


if os.environ.get("_assuan_connection_fd"):
    over_socket(int(os.environ["_assuan_connection_fd"]))
else:
    over_stdio()
