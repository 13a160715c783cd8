"""A plugin transport built on one of ours but reading answers its own way: both clients
hand its ``parse_response`` the answer as read (the body decompressed, the framing
headers gone), and its result is the call's result."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest

from flickrwire import AsyncClient, Client, Result, transports
from flickrwire.call import Call
from flickrwire.transports.rest import RESTTransport

ANSWER = b'{"stat":"ok","user":{"id":"1@N01"}}'


class TracingREST(RESTTransport):
    """REST, plus the server's trace id in every result's payload."""

    name = "tracing-rest"
    path = "rest/"

    def __init__(self) -> None:
        self.seen: list[httpx.Response] = []

    def parse_response(self, response: httpx.Response, call: Call, codec: str) -> Result:
        self.seen.append(response)
        result = super().parse_response(response, call, codec)
        payload = {**result.payload, "trace": response.headers.get("x-trace", "")}
        return Result(
            result.method, result.ok, payload, result.fault, self.name, codec,
            result.http_status, result.raw,
        )  # fmt: skip


def _answer(request: httpx.Request) -> httpx.Response:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", "X-Trace": "t-42"}
    return httpx.Response(200, content=gzip.compress(ANSWER), headers=headers)


@pytest.fixture
def tracing(monkeypatch: pytest.MonkeyPatch) -> Iterator[TracingREST]:
    monkeypatch.setattr(transports, "_registry", dict(transports._registry))
    plugin = TracingREST()
    transports.register(plugin)
    yield plugin


def _check(result: Result, plugin: TracingREST) -> None:
    assert result.ok, result.fault
    assert result.payload["trace"] == "t-42"
    assert result.payload["user"] == {"id": "1@N01"}
    (response,) = plugin.seen
    assert response.content == ANSWER
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(ANSWER))  # the body as read


def test_the_client_reads_answers_with_the_plugins_parse_response(tracing: TracingREST) -> None:
    http = httpx.Client(transport=httpx.MockTransport(_answer))
    client = Client(transport=tracing.name, http_client=http, signing="none")
    _check(client.call("flickr.test.login"), tracing)


async def test_the_async_client_reads_answers_with_the_plugins_parse_response(
    tracing: TracingREST,
) -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(_answer))
    client = AsyncClient(transport=tracing.name, http_client=http, signing="none")
    _check(await client.call("flickr.test.login"), tracing)
