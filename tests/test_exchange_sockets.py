"""What the deadline's network streams must leave as httpx had it, on real loopback
sockets: httpx's own read timeout for requests outside a flickrwire call, and a kept-alive
connection the server has since closed is not used again."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from loopback import dribble_header, serve

from flickrwire import Client

ANSWER = b'{"stat":"ok"}'
OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(ANSWER),
    ANSWER,
)


def _stall(conn: socket.socket, stop: threading.Event) -> None:
    """Answer nothing until the test ends (5 s at most)."""
    stop.wait(5)


def _answer_then_hang_up(conn: socket.socket, stop: threading.Event) -> None:
    """Answer one request on a connection that looks kept alive, then close it."""
    conn.sendall(OK)


@pytest.fixture
def stalling() -> Iterator[tuple[str, list[bytes]]]:
    yield from serve(_stall)


@pytest.fixture
def hanging_up() -> Iterator[tuple[str, list[bytes]]]:
    yield from serve(_answer_then_hang_up)


def test_an_injected_clients_own_requests_keep_httpxs_read_timeout(
    stalling: tuple[str, list[bytes]],
) -> None:
    # Outside a flickrwire call there is no deadline: the application's own request
    # through the injected client times out by its own read timeout, as before injection.
    url, _ = stalling
    with httpx.Client(timeout=0.3) as http:
        Client(base_url=url, http_client=http, signing="none")
        with pytest.raises(httpx.ReadTimeout):
            http.get(url)


def test_a_connection_the_server_closed_is_not_used_again(
    hanging_up: tuple[str, list[bytes]],
) -> None:
    # The server answers with a kept-alive connection and then closes it: the next call
    # opens a new connection instead of failing on the dead one.
    url, connections = hanging_up
    with Client(base_url=url, signing="none", timeout=2.0) as client:
        first = client.call("flickr.test.echo")
        assert first.ok, first.fault
        time.sleep(0.1)  # for the server's close to reach the client's socket
        second = client.call("flickr.test.echo")
        assert second.ok, second.fault
    assert len(connections) == 2


@pytest.fixture
def dribbling() -> Iterator[tuple[str, list[bytes]]]:
    yield from serve(dribble_header)


def test_an_injected_clients_reads_end_at_the_calls_deadline(
    dribbling: tuple[str, list[bytes]],
) -> None:
    # Each byte would restart httpx's read timeout: only the call's deadline, reaching the
    # injected client's own connections, ends the call (else the server gives up first,
    # and the call ends with a broken connection instead of a timeout).
    url, _ = dribbling
    with httpx.Client(timeout=30) as http:
        client = Client(base_url=url, http_client=http, signing="none", timeout=0.5)
        result = client.call("flickr.test.echo")
    assert result.fault is not None and result.fault.origin == "network"
    assert "timed out" in result.fault.message
