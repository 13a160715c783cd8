"""A body in a content coding this client cannot undo is a decode fault, named, on both
clients; a coding it can undo is read."""

from __future__ import annotations

import gzip

import httpx
import pytest

from flickrwire import AsyncClient, Client

BODY = b'{"stat":"ok","user":{"id":"1"}}'


def answer(coding: str) -> httpx.Response:
    body = gzip.compress(BODY) if coding == "gzip" else BODY
    headers = {"Content-Type": "application/json", "Content-Encoding": coding}
    return httpx.Response(200, headers=headers, content=body)


@pytest.mark.parametrize("coding", ["x-squash", "compress, x-squash"])
def test_an_unknown_content_coding_is_a_decode_fault(coding: str) -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: answer(coding)))
    with Client(http_client=http) as client:
        result = client.call("flickr.test.echo")
    fault = result.fault
    assert fault is not None and (fault.origin, fault.code, fault.retryable) == (
        "decode",
        None,
        False,
    )
    assert "Content-Encoding" in fault.message and result.http_status == 200


async def test_an_unknown_content_coding_is_a_decode_fault_async() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: answer("x-squash")))
    async with AsyncClient(http_client=http) as client:
        result = await client.call("flickr.test.echo")
    assert result.fault is not None and result.fault.origin == "decode"


def test_a_gzip_body_is_read() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: answer("gzip")))
    with Client(http_client=http) as client:
        result = client.call("flickr.test.echo")
    assert result.ok and result.payload == {"user": {"id": "1"}}
