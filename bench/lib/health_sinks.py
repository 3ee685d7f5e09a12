#!/usr/bin/python3
"""Receivers of the `health` benchmark's alert part (bench/scenarios/health.sh): the same
kind of sinks as vigil's own tests (src/alert/testdata/), but each takes its own receive
time. Run with Debian's /usr/bin/python3 (the SMTP sink needs python3-aiosmtpd).

  health_sinks.py smtp DIR     SMTP server on 127.0.0.1 (aiosmtpd, no TLS)
  health_sinks.py http DIR     HTTP server on 127.0.0.1 answering every POST with 200

Each writes its port to DIR/port once it accepts connections and, for every message,
appends one line to DIR/received.tsv:

  recv_ns  kind  notification_id  time_ms  recovery  subject

recv_ns is time.time_ns() (CLOCK_REALTIME, the clock vigild's time_ms comes from) taken
when the whole message is in: for SMTP when the DATA has been received, just before the
server answers 250 (accepted); for HTTP when the request body has been read, before the
200 answer. time_ms, id, recovery and subject are the notification's own (the webhook's
JSON fields; the email's "Time:" and "Notification:" lines of its signature block and its
X-Vigil-Recovery header). The raw message is kept as DIR/N.eml or DIR/N.json.
"""
import datetime
import json
import os
import sys
import time


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def append(directory, fields):
    with open(os.path.join(directory, "received.tsv"), "a") as f:
        f.write("\t".join(str(x) for x in fields) + "\n")


def iso_ms(text):
    # "2026-11-30T00:53:20.123Z"
    d = datetime.datetime.strptime(text.strip(), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(round(d.timestamp() * 1000))


def smtp(directory):
    import asyncio
    import email
    import email.policy
    import socket
    from aiosmtpd.smtp import SMTP

    count = [0]

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            recv = time.time_ns()
            raw = envelope.original_content
            count[0] += 1
            write_atomically(os.path.join(directory, "%d.eml" % count[0]), raw)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            body = msg.get_content()
            fields = {}
            for line in body.splitlines():
                k, _, v = line.partition(": ")
                if k in ("Time", "Notification", "Subject"):
                    fields[k] = v
            append(directory, [recv, "email", fields.get("Notification", "?"),
                               iso_ms(fields["Time"]) if "Time" in fields else "?",
                               1 if str(msg.get("X-Vigil-Recovery", "")).strip() == "yes" else 0,
                               fields.get("Subject", "?")])
            return "250 Message accepted for delivery"

    async def main():
        loop = asyncio.get_running_loop()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        server = await loop.create_server(lambda: SMTP(Handler(), hostname="sink.bench", loop=loop), sock=sock)
        write_atomically(os.path.join(directory, "port"), str(sock.getsockname()[1]).encode())
        await server.serve_forever()

    asyncio.run(main())


def http(directory):
    import http.server

    count = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            recv = time.time_ns()
            count[0] += 1
            write_atomically(os.path.join(directory, "%d.json" % count[0]), body)
            try:
                n = json.loads(body)
                append(directory, [recv, "webhook", n.get("id"), n.get("time_ms"),
                                   1 if n.get("recovery") else 0, n.get("subject")])
            except ValueError:
                append(directory, [recv, "webhook", "?", "?", "?", "?"])
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *unused):
            pass

    http.server.HTTPServer.allow_reuse_address = True
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    write_atomically(os.path.join(directory, "port"), str(server.server_address[1]).encode())
    server.serve_forever()


if __name__ == "__main__":
    os.makedirs(sys.argv[2], exist_ok=True)
    {"smtp": smtp, "http": http}[sys.argv[1]](sys.argv[2])
