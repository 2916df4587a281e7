#!/usr/bin/python3
"""wkd_server.py - a Web Key Directory over HTTPS for tests/wkd.sh.

    wkd_server.py CERT KEY ROOT PORT READY

Serves ROOT/DOMAIN/HASH (binary keys, one file per WKD hash) at both
method paths:

    direct:   https://DOMAIN/.well-known/openpgpkey/hu/HASH
    advanced: https://openpgpkey.DOMAIN/.well-known/openpgpkey/DOMAIN/hu/HASH

DOMAIN comes from the Host field (the advanced host loses its
"openpgpkey." prefix).  A missing file is a 404.  A domain with a file
ROOT/DOMAIN/HANG accepts the request and never answers (the connection is
held until the server ends).  Every request is logged to stderr as
"HOST PATH STATUS".  READY is written (the port) once the server listens.
Meant to run on loopback inside tests/wkd.sh's private network namespace.
"""
import http.server
import os
import ssl
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        domain = host
        if domain.startswith("openpgpkey."):
            domain = domain[len("openpgpkey."):]
        path = self.path.split("?")[0]
        root = self.server.root
        ddir = os.path.join(root, domain)
        if os.path.exists(os.path.join(ddir, "HANG")):
            sys.stderr.write("%s %s hang\n" % (host, path))
            sys.stderr.flush()
            threading.Event().wait()
            return
        parts = path.split("/")
        body, status = None, 404
        if path.endswith("/policy"):
            body, status = b"", 200
        elif len(parts) >= 2 and parts[-2] == "hu" and \
                "/" not in parts[-1] and parts[-1] not in ("", ".", ".."):
            f = os.path.join(ddir, parts[-1])
            if os.path.isfile(f):
                with open(f, "rb") as fp:
                    body, status = fp.read(), 200
        sys.stderr.write("%s %s %d\n" % (host, path, status))
        sys.stderr.flush()
        if body is None:
            body = b"not found\n"
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    cert, key, root, port, ready = sys.argv[1:6]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    srv.daemon_threads = True
    srv.root = root
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(ready + ".tmp", "w") as fp:
        fp.write(port + "\n")
    os.rename(ready + ".tmp", ready)
    srv.serve_forever()


if __name__ == "__main__":
    main()
