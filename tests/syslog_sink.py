#!/usr/bin/python3
"""syslog_sink.py SOCKET OUT [LIFETIME] - a syslog socket for the tests.

It binds a Unix datagram socket at SOCKET (mode 0666, so a test's other
users can log to it) and appends every datagram to OUT as one line,
until it is killed or LIFETIME seconds (default 120) have passed.  A
test points /dev/log at SOCKET inside a mount namespace of its own, and
reads OUT to see what a program sent to syslog(3).
"""

import os
import socket
import sys
import time


def main():
    path, out = sys.argv[1], sys.argv[2]
    lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 120.0
    end = time.monotonic() + lifetime
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    os.chmod(path, 0o666)
    with open(out, "ab") as f:
        while time.monotonic() < end:
            s.settimeout(max(0.1, end - time.monotonic()))
            try:
                d = s.recv(65536)
            except socket.timeout:
                break
            f.write(d.rstrip(b"\0\n") + b"\n")
            f.flush()


if __name__ == "__main__":
    main()
