"""A real webhook receiver for the tests: an HTTP server on a free loopback port, in a thread,
that checks each POST's signature as docs/notifications.md tells a unit to."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Receiver:
    secret: str
    # Answer 500 to this many requests first, then 200.
    fail_first: int = 0
    received: list[dict] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    url: str = ""


def verified(secret: str, body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


@contextmanager
def running(receiver: Receiver) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if not verified(receiver.secret, body, self.headers.get("X-Zjai-Signature", "")):
                receiver.refused.append("bad signature")
                self.send_response(401)
                self.end_headers()
                return
            if receiver.fail_first > 0:
                receiver.fail_first -= 1
                receiver.refused.append("failing on purpose")
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"try later")
                return
            receiver.received.append(
                {
                    "payload": json.loads(body),
                    "timestamp": self.headers.get("X-Zjai-Timestamp"),
                }
            )
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
