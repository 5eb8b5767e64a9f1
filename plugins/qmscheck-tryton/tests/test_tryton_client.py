"""Servers that misbehave: every wait is bounded and every failure is a ConnectorError.

These need no Tryton server: a socket that never answers and a web server that is not Tryton.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from qmscheck.api import ConnectorError
from qmscheck_tryton.client import TrytonClient


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield int(listener.getsockname()[1])


class _NotTryton(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = b"<html><body>Welcome to our intranet</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def web_server() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _NotTryton)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_server_that_never_answers_times_out(silent_port: int) -> None:
    client = TrytonClient(f"http://127.0.0.1:{silent_port}/", "qms", "admin", "pw", timeout=1)
    started = time.monotonic()
    with pytest.raises(ConnectorError, match=r"did not answer within 1 s \(logging in\); raise 'timeout'"):
        client.login()
    assert time.monotonic() - started < 10


def test_a_web_server_that_is_not_tryton(web_server: int) -> None:
    client = TrytonClient(f"http://127.0.0.1:{web_server}/", "qms", "admin", "pw", timeout=5)
    with pytest.raises(ConnectorError, match=r"the answer is not XML-RPC \(logging in\); is 'url' the Tryton server"):
        client.login()
