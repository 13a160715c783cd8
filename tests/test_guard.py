"""The loopback guard itself: a test that tries the internet fails loudly."""

from __future__ import annotations

import socket

import pytest


def test_connect_beyond_loopback_is_refused() -> None:
    with socket.socket() as sock, pytest.raises(OSError, match="beyond loopback"):
        sock.connect(("192.0.2.1", 443))


def test_loopback_is_allowed() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket() as client:
            client.connect(server.getsockname())
