"""A body whose ``Content-Encoding`` lies (says gzip, is not) is a decode fault on both
clients; never a traceback."""

from __future__ import annotations

import httpx

from flickrwire import AsyncClient, Client, Result

NOT_GZIP = b'{"stat":"ok"} but not gzip at all'
HEADERS = {"Content-Type": "application/json", "Content-Encoding": "gzip"}


def _check(result: Result) -> None:
    assert not result.ok
    assert result.fault is not None
    assert (result.fault.origin, result.fault.retryable) == ("decode", False)
    assert "could not be decoded" in result.fault.message


def test_a_lying_content_encoding_is_a_decode_fault() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=NOT_GZIP, headers=HEADERS)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    _check(Client(http_client=http, signing="none").call("flickr.test.echo"))


async def test_a_lying_content_encoding_is_a_decode_fault_async() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=NOT_GZIP, headers=HEADERS)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    _check(await AsyncClient(http_client=http, signing="none").call("flickr.test.echo"))
