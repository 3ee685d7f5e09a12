#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# An HTTP(S) receiver for vigil-alert's webhook tests. It listens on 127.0.0.1 on a free
# port, writes the port to DIR/port once it accepts connections, answers every POST with
# the given status and body, and saves each request as DIR/requests/N.json: method, path,
# headers (names in lower case) and body.
#
#   http_sink.py DIR [--status 200] [--answer TEXT] [--tls] [--port N]
#
# With --tls it makes a self-signed certificate for localhost and 127.0.0.1 (DIR/cert.pem).
import argparse
import http.server
import json
import os
import ssl
import subprocess


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--answer", default="ok")
    parser.add_argument("--tls", action="store_true")
    parser.add_argument("--port", type=int, default=0)  # 0: a free one
    args = parser.parse_args()
    requests = os.path.join(args.dir, "requests")
    os.makedirs(requests, exist_ok=True)
    count = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            count[0] += 1
            record = {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
            write_atomically(os.path.join(requests, "%d.json" % count[0]), json.dumps(record).encode())
            answer = args.answer.encode()
            self.send_response(args.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *unused):
            pass

    http.server.HTTPServer.allow_reuse_address = True
    server = http.server.HTTPServer(("127.0.0.1", args.port), Handler)
    if args.tls:
        cert = os.path.join(args.dir, "cert.pem")
        key = os.path.join(args.dir, "key.pem")
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            check=True, capture_output=True)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    write_atomically(os.path.join(args.dir, "port"), str(server.server_address[1]).encode())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
