#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# A real SMTP server for vigil-alert's tests (aiosmtpd, Debian's python3-aiosmtpd). It
# listens on 127.0.0.1 on a free port, writes the port to DIR/port once it accepts
# connections, and saves every message it accepts as DIR/mail/N.eml (the bytes received,
# dot-stuffing undone) and DIR/mail/N.json (the envelope, and the message as Python's
# email parser reads it: decoded headers and body, and any defects found).
#
#   smtp_sink.py DIR [--tls none|starttls|implicit] [--login USER:PASSWORD]
#
# With --tls starttls or implicit it makes a self-signed certificate for localhost and
# 127.0.0.1 (DIR/cert.pem, the file to trust) with openssl. Recipients starting with
# "nobody@" are refused with 550.
import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import ssl
import subprocess

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler:
    def __init__(self, directory):
        self.directory = os.path.join(directory, "mail")
        os.makedirs(self.directory, exist_ok=True)
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "headers": {name: str(value) for name, value in message.items()},
            "body": message.get_content(),
            "defects": [repr(d) for d in message.defects],
        }
        self.count += 1
        base = os.path.join(self.directory, str(self.count))
        write_atomically(base + ".eml", raw)
        write_atomically(base + ".json", json.dumps(record).encode())
        return "250 Message accepted for delivery"


def make_certificate(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--tls", default="none", choices=["none", "starttls", "implicit"])
    parser.add_argument("--login", default="")
    args = parser.parse_args()

    context = make_certificate(args.dir) if args.tls != "none" else None
    user, _, password = args.login.partition(":")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        # handled=False: aiosmtpd then answers 535 itself.
        return AuthResult(success=ok, handled=False)

    handler = Handler(args.dir)
    loop = asyncio.get_running_loop()

    def factory():
        return SMTP(handler, hostname="sink.test", loop=loop,
                    tls_context=context if args.tls == "starttls" else None,
                    require_starttls=args.tls == "starttls",
                    authenticator=authenticator if args.login else None,
                    auth_required=bool(args.login),
                    # Implicit TLS is TLS too, but aiosmtpd only counts STARTTLS.
                    auth_require_tls=args.tls == "starttls")

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = await loop.create_server(factory, sock=sock, ssl=context if args.tls == "implicit" else None)
    write_atomically(os.path.join(args.dir, "port"), str(sock.getsockname()[1]).encode())
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
