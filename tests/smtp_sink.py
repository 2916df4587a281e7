#!/usr/bin/python3
"""smtp_sink.py DIR - a tiny SMTP server on 127.0.0.1 for the MTA tests.

It listens on a port the kernel picks and writes that number to
DIR/port, then takes mail until it is killed or LIFETIME seconds (the
second argument, default 120) have passed.  Each message accepted is
DIR/N.eml (the DATA as it came, dot-unstuffed, CRLF made LF) with
DIR/N.env beside it: "from ADDR" and one "to ADDR" line per recipient.
A transaction that ends without the closing dot (the client gave up)
leaves DIR/N.partial instead, so a test can see that nothing was
delivered.  It announces no ESMTP extension (no PIPELINING, STARTTLS,
SIZE or CHUNKING), answers every command at once and serves one client
at a time: enough for one MTA delivering in the foreground.  It listens
on loopback only and never connects anywhere.
"""

import os
import socket
import sys
import time


def reply(conn, text):
    conn.sendall((text + "\r\n").encode("ascii"))


def session(conn, outdir, counter):
    """One SMTP connection; returns the updated message counter."""
    f = conn.makefile("rb")
    reply(conn, "220 sink.test ESMTP test sink")
    sender, rcpts = None, []
    while True:
        line = f.readline()
        if not line:
            return counter
        cmd = line.decode("latin-1").rstrip("\r\n")
        verb = cmd[:4].upper()
        if verb in ("EHLO", "HELO"):
            reply(conn, "250 sink.test")
        elif verb == "MAIL":
            sender = cmd.split(":", 1)[1].strip()
            rcpts = []
            reply(conn, "250 2.1.0 ok")
        elif verb == "RCPT":
            rcpts.append(cmd.split(":", 1)[1].strip())
            reply(conn, "250 2.1.5 ok")
        elif verb == "DATA":
            reply(conn, "354 go ahead")
            data, whole = [], False
            while True:
                d = f.readline()
                if not d:
                    break
                if d in (b".\r\n", b".\n"):
                    whole = True
                    break
                if d.startswith(b"."):
                    d = d[1:]
                if d.endswith(b"\r\n"):
                    d = d[:-2] + b"\n"
                data.append(d)
            counter += 1
            base = os.path.join(outdir, str(counter))
            with open(base + ".env", "w") as e:
                e.write("from %s\n" % sender)
                for r in rcpts:
                    e.write("to %s\n" % r)
            with open(base + (".eml" if whole else ".partial"), "wb") as m:
                m.write(b"".join(data))
            if not whole:
                return counter
            reply(conn, "250 2.0.0 queued as %d" % counter)
        elif verb == "RSET":
            sender, rcpts = None, []
            reply(conn, "250 2.0.0 ok")
        elif verb == "NOOP":
            reply(conn, "250 2.0.0 ok")
        elif verb == "QUIT":
            reply(conn, "221 2.0.0 bye")
            return counter
        else:
            reply(conn, "502 5.5.2 not implemented")


def main():
    outdir = sys.argv[1]
    lifetime = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
    end = time.monotonic() + lifetime
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    tmp = os.path.join(outdir, "port.tmp")
    with open(tmp, "w") as p:
        p.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, os.path.join(outdir, "port"))
    counter = 0
    while time.monotonic() < end:
        srv.settimeout(max(0.1, end - time.monotonic()))
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            break
        conn.settimeout(30)
        try:
            counter = session(conn, outdir, counter)
        except (OSError, IndexError):
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
