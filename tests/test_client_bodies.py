"""Content codings on both clients: a body encoded twice (``gzip, gzip``) is read, and a
body whose ``Content-Encoding`` lies (says gzip, is not) is a decode fault, never a
traceback; and a call given no time at all is a timeout fault with nothing sent."""

from __future__ import annotations

import gzip

import httpx

from flickrwire import AsyncClient, Client, Result

ANSWER = b'{"stat":"ok","a":{"_content":"x"}}'
NOT_GZIP = b'{"stat":"ok"} but not gzip at all'
LYING = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
TWICE = {"Content-Type": "application/json", "Content-Encoding": "gzip, gzip"}


def _responses(content: bytes, headers: dict[str, str]) -> tuple[httpx.Client, httpx.AsyncClient]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers=headers)

    async def async_handler(request: httpx.Request) -> httpx.Response:
        return handler(request)

    return (
        httpx.Client(transport=httpx.MockTransport(handler)),
        httpx.AsyncClient(transport=httpx.MockTransport(async_handler)),
    )


def _check_lying(result: Result) -> None:
    assert not result.ok
    assert result.fault is not None
    assert (result.fault.origin, result.fault.retryable) == ("decode", False)
    assert "could not be decoded" in result.fault.message


async def test_a_lying_content_encoding_is_a_decode_fault_on_both_clients() -> None:
    http, async_http = _responses(NOT_GZIP, LYING)
    _check_lying(Client(http_client=http, signing="none").call("flickr.test.echo"))
    client = AsyncClient(http_client=async_http, signing="none")
    _check_lying(await client.call("flickr.test.echo"))


async def test_a_body_encoded_twice_is_read_on_both_clients() -> None:
    http, async_http = _responses(gzip.compress(gzip.compress(ANSWER)), TWICE)
    for result in (
        Client(http_client=http, signing="none").call("flickr.test.echo"),
        await AsyncClient(http_client=async_http, signing="none").call("flickr.test.echo"),
    ):
        assert result.ok, result.fault
        assert result.payload["a"] == {"_content": "x"}


def test_a_call_with_no_time_at_all_is_a_timeout_fault_and_sends_nothing() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=ANSWER, headers={"Content-Type": "application/json"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    result = Client(http_client=http, signing="none", timeout=0).call("flickr.test.echo")
    assert result.fault is not None
    assert (result.fault.origin, result.fault.retryable) == ("network", True)
    assert result.fault.message == "timed out: no complete answer within 0 s"
    assert sent == []
