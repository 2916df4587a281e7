#!/usr/bin/python3
"""gpgsm_proxy.py MODE COMMAND GPGSM ARG... - a gpgsm that misbehaves at
one Assuan command, for the S/MIME failure tests.

GPGME runs `gpgsm --server` and speaks Assuan over its standard input and
output; the data travel over other descriptors, which gpgsm inherits
from this proxy.  The proxy runs the real GPGSM with ARGs and passes
every line on, until the client sends COMMAND (ENCRYPT, SIGN, ...):
  kill  pass it on, let gpgsm start, then kill it (SIGKILL) and go
  ok    answer "OK" in gpgsm's place, doing nothing (a gpgsm that claims
        success and wrote no data)
  eof   close the channel and go, as a gpgsm that crashed at once
"""
import os
import select
import subprocess
import sys
import time

mode, command, real = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
child = subprocess.Popen([real] + sys.argv[4:], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, close_fds=False)
cin, cout = child.stdin.fileno(), child.stdout.fileno()
pending = b""
while True:
    ready = select.select([0, cout], [], [])[0]
    if cout in ready:
        data = os.read(cout, 65536)
        if not data:
            sys.exit(child.wait())
        os.write(1, data)
    if 0 not in ready:
        continue
    data = os.read(0, 65536)
    if not data:
        child.stdin.close()
        sys.exit(child.wait())
    pending += data
    while b"\n" in pending:
        line, pending = pending.split(b"\n", 1)
        if line == command or line.startswith(command + b" "):
            if mode == "ok":
                os.write(1, b"OK\n")
                continue
            if mode == "eof":
                child.kill()
                os._exit(2)
            os.write(cin, line + b"\n")
            time.sleep(0.05)
            child.kill()
            os._exit(2)
        os.write(cin, line + b"\n")
