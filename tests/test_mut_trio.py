"""An ``AsyncClient`` under trio (anyio's trio backend), on real loopback sockets.

Outside an asyncio task the client bounds a call with anyio's cancel scope instead of
``asyncio.timeout``: the answer must read the same, a dribbling server must end at the
call's deadline, and a retry must sleep with trio's clock. The client is given an
``httpx.AsyncClient``, which httpcore runs on trio.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
from collections.abc import Iterator

import anyio
import httpx
import pytest
import sniffio
from loopback import dribble_header, serve

from flickrwire import AsyncClient, Result, RetryPolicy


def _answer(body: bytes, status: str = "200 OK") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


OK = _answer(b'{"user":{"id":"12037949754@N01"},"stat":"ok"}')
BUSY = _answer(b'{"stat":"fail","code":105,"message":"Service currently unavailable"}')


def _ok(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(OK)


def _busy_then_ok(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(BUSY if _busy_then_ok.calls == 0 else OK)  # type: ignore[attr-defined]
    _busy_then_ok.calls += 1  # type: ignore[attr-defined]


@pytest.fixture
def answering() -> Iterator[tuple[str, list[bytes]]]:
    yield from serve(_ok)


@pytest.fixture
def busy_once() -> Iterator[tuple[str, list[bytes]]]:
    _busy_then_ok.calls = 0  # type: ignore[attr-defined]
    yield from serve(_busy_then_ok)


@pytest.fixture
def dribbling() -> Iterator[tuple[str, list[bytes]]]:
    yield from serve(dribble_header)


def _under_trio(url: str, timeout: float = 10.0, retry: RetryPolicy | None = None) -> Result:
    async def main() -> Result:
        assert sniffio.current_async_library() == "trio"
        async with httpx.AsyncClient(timeout=30) as http:
            client = AsyncClient(
                base_url=url, http_client=http, signing="none", timeout=timeout, retry=retry
            )
            return await client.call("flickr.test.login")

    return anyio.run(main, backend="trio")


def _own_client_under_trio(url: str, timeout: float = 10.0) -> Result:
    """The client's own HTTP client (aiohttp's when installed, which needs asyncio)."""

    async def main() -> Result:
        assert sniffio.current_async_library() == "trio"
        async with AsyncClient(base_url=url, signing="none", timeout=timeout) as client:
            return await client.call("flickr.test.login")

    return anyio.run(main, backend="trio")


@pytest.mark.parametrize("aiohttp_installed", [True, False])
def test_the_clients_own_http_client_works_under_trio(
    answering: tuple[str, list[bytes]], monkeypatch: pytest.MonkeyPatch, aiohttp_installed: bool
) -> None:
    # With aiohttp installed the client's own HTTP client sends through aiohttp under
    # asyncio; under trio the same client must send through httpx's transport instead.
    if not aiohttp_installed:
        monkeypatch.setitem(sys.modules, "flickrwire.aio", None)
    url, seen = answering
    result = _own_client_under_trio(url)
    assert result.ok and result.payload == {"user": {"id": "12037949754@N01"}}
    assert len(seen) == 1 and seen[0].startswith(b"POST /services/rest/ HTTP/1.1\r\n")


def test_the_clients_own_http_client_still_sends_through_aiohttp_under_asyncio(
    answering: tuple[str, list[bytes]],
) -> None:
    from flickrwire.aio import AiohttpClient

    async def main() -> tuple[Result, object]:
        async with AsyncClient(base_url=answering[0], signing="none") as client:
            result = await client.call("flickr.test.login")
            return result, client.http

    result, http = asyncio.run(main())
    assert result.ok and isinstance(http, AiohttpClient)
    assert http._aiohttp._native is None  # httpx's transport never made


def test_a_call_under_trio_returns_the_result(answering: tuple[str, list[bytes]]) -> None:
    url, seen = answering
    result = _under_trio(url)
    assert result.ok and result.fault is None
    assert result.payload == {"user": {"id": "12037949754@N01"}}
    assert (result.method, result.transport, result.codec) == ("flickr.test.login", "rest", "json")
    assert result.http_status == 200
    assert len(seen) == 1 and seen[0].startswith(b"POST /services/rest/ HTTP/1.1\r\n")


def test_a_dribbling_server_under_trio_ends_at_the_calls_deadline(
    dribbling: tuple[str, list[bytes]],
) -> None:
    # Every byte restarts httpx's read timeout: only the call's deadline (anyio's cancel
    # scope under trio) ends the call, before the server's 3 s of header bytes are out.
    result = _under_trio(dribbling[0], timeout=0.5)
    assert not result.ok and result.fault is not None
    assert result.fault.origin == "network" and result.fault.retryable
    assert result.fault.message == "timed out: no complete answer within 0.5 s"
    assert result.http_status is None


def test_a_retry_under_trio_sleeps_and_sends_again(busy_once: tuple[str, list[bytes]]) -> None:
    url, seen = busy_once
    retries: list[tuple[int | None, int, float]] = []

    def heard(result: Result, tries: int, wait: float) -> None:
        retries.append((result.fault.code if result.fault else None, tries, wait))

    policy = RetryPolicy(attempts=2, base=0.01, jitter=False, on_retry=heard)
    result = _under_trio(url, retry=policy)
    assert result.ok and result.payload == {"user": {"id": "12037949754@N01"}}
    assert len(seen) == 2 and retries == [(105, 1, 0.01)]
