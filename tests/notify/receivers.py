"""Local stand-ins for the outside world on 127.0.0.1: an SMTP sink and an HTTP receiver, each in a thread."""

from __future__ import annotations

import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SmtpSink(socketserver.ThreadingTCPServer):
    """Speaks just enough SMTP for smtplib; keeps each mail as (sender, recipients, raw data)."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        self.mails: list[tuple[str, list[str], bytes]] = []
        super().__init__(("127.0.0.1", 0), _SmtpHandler)

    @property
    def port(self) -> int:
        return self.server_address[1]


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 sink ready")
        sender, rcpts = "", []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                sender, rcpts = command.partition(":")[2].strip(" <>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(command.partition(":")[2].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with .")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                self.server.mails.append((sender, rcpts, data[:-5]))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


class HttpReceiver(ThreadingHTTPServer):
    """Answers POSTs with ``self.answers`` in turn (status, body), then 200 {"errcode": 0}; keeps every request."""

    daemon_threads = True

    def __init__(self):
        self.requests: list[tuple[str, dict, bytes]] = []
        self.answers: list[tuple[int, bytes]] = []
        super().__init__(("127.0.0.1", 0), _HttpHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/robot/send?key=secret-key"


class _HttpHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.requests.append((self.path, dict(self.headers), body))
        status, answer = self.server.answers.pop(0) if self.server.answers else (200, b'{"errcode": 0, "errmsg": "ok"}')
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def serve(server):
    """Start ``server`` in a daemon thread; returns a function that stops it."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(5)

    return stop
