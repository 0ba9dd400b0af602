"""A TCP proxy between Django and the test's PostgreSQL that can lose a COMMIT on the way.

pg_terminate_backend can kill a connection between two statements, but not in the middle of
a COMMIT: the moment when the client cannot know whether its change was saved. This proxy
forwards the PostgreSQL protocol byte for byte and, when armed, acts on the next COMMIT
(psycopg2 sends it as a simple query, `Q` + length + "COMMIT\\0"):

- `lose_commit()`: the COMMIT is not forwarded and both sides are closed; PostgreSQL rolls the
  transaction back, the client sees its connection drop during the COMMIT;
- `lose_commit_reply()`: the COMMIT is forwarded, PostgreSQL commits and answers, the answer is
  thrown away and both sides are closed: saved, but the client sees its connection drop;
- `refuse_new_connections`: every new connection is closed at once (the database out of reach),
  set by the test or by `lose_commit_reply(then_refuse=True)` once the reply is lost.

Loopback only, one listening socket, stopped by `close()`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"


class PostgresProxy:
    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode: str | None = None
        self.refuse_new_connections = False
        self.then_refuse = False
        self.fired = threading.Event()
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def lose_commit(self) -> None:
        self.fired.clear()
        self.mode = "lose_commit"

    def lose_commit_reply(self, *, then_refuse: bool = False) -> None:
        """`then_refuse`: from that moment on, refuse new connections too (the database is
        out of reach when the client tries to learn what became of its COMMIT)."""
        self.fired.clear()
        self.then_refuse = then_refuse
        self.mode = "lose_reply"

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                _close(sock)

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if self.refuse_new_connections:
                _close(client)
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                _close(client)
                continue
            with self.lock:
                self.sockets += [client, server]
            state: dict[str, Any] = {"swallow": False}
            threading.Thread(
                target=self._client_to_server, args=(client, server, state), daemon=True
            ).start()
            threading.Thread(
                target=self._server_to_client, args=(client, server, state), daemon=True
            ).start()

    def _client_to_server(self, client: socket.socket, server: socket.socket, state: dict) -> None:
        try:
            while data := client.recv(65536):
                mode = self.mode
                if mode is not None and COMMIT in data:
                    self.mode = None
                    if mode == "lose_commit":
                        _close(client)
                        _close(server)
                        self.fired.set()
                        return
                    state["swallow"] = True  # the reply is read and dropped below
                server.sendall(data)
        except OSError:
            pass
        _close(server)

    def _server_to_client(self, client: socket.socket, server: socket.socket, state: dict) -> None:
        try:
            while data := server.recv(65536):
                if state["swallow"]:
                    # PostgreSQL has answered the COMMIT: it committed. The client never hears.
                    if self.then_refuse:
                        self.refuse_new_connections = True
                    _close(client)
                    _close(server)
                    self.fired.set()
                    return
                client.sendall(data)
        except OSError:
            pass
        _close(client)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
