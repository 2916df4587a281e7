#!/usr/bin/python3
"""smtpd_client.py COMMAND ... - the client side of tests/smtpd-serve.sh.

  port                     a free TCP port on 127.0.0.1 (printed)
  greet PORT [SECONDS]     the first line of the server's greeting, then
                           QUIT; exit 1 when none comes in time
  waitport PORT SECONDS    greet, tried again until the server answers
  ehlo PORT                the greeting's first line, then the first
                           line of the reply to EHLO (the server's name)
  queue PORT               two clients hold both workers (smtpd_workers
                           = 2); a third must get no greeting until one
                           of the two leaves: prints one line each
  hold PORT FILE           greet, EHLO, write FILE, then print every
                           line the server sends until it closes
  txn PORT FILE            a transaction (MAIL, RCPT, DATA); in the
                           middle of the message write FILE and wait for
                           FILE.go; then the end of the message: print
                           the reply to it and every line after it

Everything is on loopback (127.0.0.1, or $SMTPD_HOST), every wait has a
deadline (30 s at most).
"""

import os
import select
import socket
import sys
import time

HOST = os.environ.get("SMTPD_HOST", "127.0.0.1")


def connect(port, timeout=10):
    s = socket.create_connection((HOST, int(port)), timeout=timeout)
    s.settimeout(timeout)
    return s, s.makefile("rb")


def line(f):
    """One reply line, without its line end ("" at the end)."""
    return f.readline().decode("latin-1").rstrip("\r\n")


def reply(f):
    """A whole (multi-line) reply: its lines."""
    lines = []
    while True:
        ln = line(f)
        lines.append(ln)
        if len(ln) < 4 or ln[3] != "-":
            return lines


def send(s, text):
    s.sendall((text + "\r\n").encode("latin-1"))


def cmd_port():
    s = socket.socket(socket.AF_INET6 if ":" in HOST else socket.AF_INET)
    s.bind((HOST, 0))
    print(s.getsockname()[1])
    s.close()


def cmd_greet(port, seconds="10"):
    try:
        s, f = connect(port, float(seconds))
        print(reply(f)[0])
        try:
            send(s, "QUIT")
            reply(f)
        except OSError:
            pass
        s.close()
    except (OSError, IndexError) as e:
        print("greet: %s" % e, file=sys.stderr)
        sys.exit(1)


def cmd_waitport(port, seconds):
    end = time.monotonic() + float(seconds)
    while True:
        try:
            s, f = connect(port, 5)
            first = reply(f)[0]
            if first:
                print(first)
                s.close()
                return
            s.close()
        except OSError:
            pass
        if time.monotonic() > end:
            sys.exit(1)
        time.sleep(0.1)


def cmd_ehlo(port):
    s, f = connect(port)
    print(reply(f)[0])
    send(s, "EHLO client.test")
    print(reply(f)[0])
    send(s, "QUIT")
    s.close()


def early(s, f, seconds):
    """The first line within seconds, or "none" (a file object that
    timed out cannot be read again: wait with select first)."""
    if not select.select([s], [], [], seconds)[0]:
        return "none"
    ln = line(f)
    return ln if ln else "closed"


def cmd_queue(port):
    a, fa = connect(port)
    print("A: " + reply(fa)[0])
    b, fb = connect(port)
    print("B: " + reply(fb)[0])
    c, fc = connect(port)
    print("C before: " + early(c, fc, 1.5))
    send(a, "QUIT")
    reply(fa)
    a.close()
    print("C after: " + early(c, fc, 10))
    for s in (b, c):
        s.close()


def cmd_hold(port, path):
    s, f = connect(port, 30)
    print(reply(f)[0])
    send(s, "EHLO client.test")
    reply(f)
    with open(path, "w") as w:
        w.write("ready\n")
    try:
        while True:
            ln = line(f)
            if not ln:
                break
            print(ln)
    except OSError as e:
        print("error: %s" % e)
    print("closed")


def expect(f, code, what):
    r = reply(f)
    if not r[-1].startswith(code):
        print("%s: %s" % (what, r[-1]))
        sys.exit(1)


def cmd_txn(port, path):
    s, f = connect(port, 30)
    expect(f, "220", "greeting")
    send(s, "EHLO client.test")
    expect(f, "250", "EHLO")
    send(s, "MAIL FROM:<alice@example.org>")
    expect(f, "250", "MAIL")
    send(s, "RCPT TO:<nokey@example.org>")
    expect(f, "250", "RCPT")
    send(s, "DATA")
    expect(f, "354", "DATA")
    send(s, "From: alice@example.org\r\nTo: nokey@example.org\r\n"
         "Subject: in flight\r\n\r\nthe first half,")
    with open(path, "w") as w:
        w.write("in-data\n")
    end = time.monotonic() + 30
    while not os.path.exists(path + ".go") and time.monotonic() < end:
        time.sleep(0.05)
    send(s, "the second half.\r\n.")
    print("data: " + reply(f)[-1])
    try:
        send(s, "NOOP")
        while True:
            ln = line(f)
            if not ln:
                break
            print(ln)
    except OSError as e:
        print("error: %s" % e)
    print("closed")


def main():
    cmds = {"port": cmd_port, "greet": cmd_greet, "waitport": cmd_waitport,
            "ehlo": cmd_ehlo, "queue": cmd_queue, "hold": cmd_hold,
            "txn": cmd_txn}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    sys.stdout.reconfigure(line_buffering=True)
    cmds[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
