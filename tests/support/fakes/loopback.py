"""A TCP server on loopback for one test: it accepts on its own thread until `stop()`, which the test
calls (and then checks the thread has ended), and hands each connection to `handle`."""

from __future__ import annotations

import socket
import threading


class LoopbackServer:
    """Listens on 127.0.0.1 at a free port (`port`); a subclass answers each connection in `handle`."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)  # so the loop sees `stop()` promptly
        self.port = self.server.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def handle(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            with connection:
                self.handle(connection)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        self.server.close()
