"""What the clients do that their other tests leave open (found by mutation testing)."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from loopback import serve

from flickrwire import AsyncClient, client as clientmod, transports
from flickrwire.aio import AiohttpClient

ANSWER = b'{"stat":"ok","user":{"id":"1"}}'
BASE = "https://api.flickr.com/services/"


def test_without_httpxs_decoder_table_the_codings_httpx_always_had_are_undone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpx keeps the codings it can undo in a private table; an httpx without it must
    # still count gzip and deflate as undone (and refuse the rest, br included), so that
    # a compressed answer is read, not refused, and no other is read as the answer itself.
    monkeypatch.setitem(sys.modules, "httpx._decoders", None)  # its import now fails
    assert clientmod._httpx_codings() == frozenset({"identity", "gzip", "deflate"})


async def test_an_http_client_set_after_construction_sends_the_call() -> None:
    # The client's own HTTP client has a short path of its own; once another client is
    # set in its place, that one sends (the short path belongs to the one replaced).
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=ANSWER)

    client = AsyncClient(base_url=BASE, signing="none")
    own = client.http
    client.http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    result = await client.call("flickr.test.login")
    await client.http.aclose()
    await own.aclose()
    assert result.ok and result.payload == {"user": {"id": "1"}}
    assert len(seen) == 1


async def test_an_injected_client_sends_through_its_own_send() -> None:
    # "An injected httpx.AsyncClient, whatever it is, goes through its own send": also
    # flickrwire's own aiohttp client, subclassed by an application to add to its send.
    sent: list[httpx.Request] = []

    class Recording(AiohttpClient):
        async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
            sent.append(request)
            return httpx.Response(200, content=ANSWER, request=request)

    async with Recording(timeout=5) as http:
        client = AsyncClient(base_url=BASE, signing="none", http_client=http)
        result = await client.call("flickr.test.login")
    assert result.ok and result.payload == {"user": {"id": "1"}}
    assert len(sent) == 1 and sent[0].url == BASE + "rest/"


def _empty(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture
def empty_answers() -> Iterator[tuple[str, list[bytes]]]:
    yield from serve(_empty)


async def test_a_transport_set_after_construction_builds_the_call(
    empty_answers: tuple[str, list[bytes]],
) -> None:
    # The short path of the client's own HTTP client builds with the transport it was
    # made for; once another transport is set in its place, that one builds the request.
    base, seen = empty_answers
    async with AsyncClient(base_url=base, signing="none") as client:
        assert isinstance(client.http, AiohttpClient)  # the client's own, with a short path
        client.transport = transports.get("xmlrpc")
        result = await client.call("flickr.test.login")
    assert result.transport == "xmlrpc"
    assert len(seen) == 1 and seen[0].startswith(b"POST /services/xmlrpc/ HTTP/1.1\r\n")
    assert b"<methodCall><methodName>flickr.test.login</methodName>" in seen[0]


def _answer(conn: socket.socket, stop: threading.Event) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    conn.sendall(head % len(ANSWER) + ANSWER)


@pytest.fixture
def answers() -> Iterator[tuple[str, list[bytes]]]:
    yield from serve(_answer)


@pytest.mark.usefixtures("no_proxy_env")
async def test_a_call_without_a_deadline_is_answered_on_the_short_path(
    answers: tuple[str, list[bytes]],
) -> None:
    # timeout=None: no total deadline, so no guard; the call still goes out (the short
    # path of the client's own aiohttp client) and its answer comes back.
    base, seen = answers
    async with AsyncClient(base_url=base, signing="none", timeout=None) as client:
        assert client.deadline is None and isinstance(client.http, AiohttpClient)
        result = await client.call("flickr.test.login")
    assert result.ok and result.payload == {"user": {"id": "1"}}
    assert len(seen) == 1 and seen[0].startswith(b"POST /services/rest/ ")


async def test_a_call_without_a_deadline_is_answered_through_an_injected_client() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=ANSWER)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with http, AsyncClient(base_url=BASE, timeout=None, http_client=http) as client:
        result = await client.call("flickr.test.login")
    assert result.ok and result.payload == {"user": {"id": "1"}}
