#!/usr/bin/python3
"""subreaper.py CMD [ARG...] - run CMD as a child and stay its child
subreaper: every process below it that is orphaned (the gpg processes
GPGME starts detached) is reaped here, so that this process's children
CPU time (/proc/PID/stat cutime, cstime) counts all of them.  SIGTERM,
SIGINT and SIGHUP are passed on to CMD; it exits with CMD's status once
no child is left.  bench/smtpd.sh runs mailseal smtpd under it."""

import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    pid = os.fork()
    if pid == 0:
        os.execvp(sys.argv[1], sys.argv[1:])

    def forward(sig, _):
        try:
            os.kill(pid, sig)
        except OSError:
            pass

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, forward)
    status = 0
    while True:
        try:
            p, st = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if p == pid:
            status = os.waitstatus_to_exitcode(st)
    sys.exit(status if status >= 0 else 128 - status)


if __name__ == "__main__":
    main()
