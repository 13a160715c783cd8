"""An injected ``httpx.Client`` that has work for httpx's per-request layers (one event
hook, of either kind) gets it done on every call, a redirect is still not followed and a
body is still read no further than the limit; and what an injected client reports about
the deadline's reach."""

from __future__ import annotations

from collections.abc import Iterator

import httpcore
import httpx
import pytest

from flickrwire import Client
from flickrwire.exchange import bound_by_deadlines

OK_JSON = b'{"stat":"ok"}'


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=OK_JSON, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("kind", ["request", "response"])
def test_a_single_event_hook_runs_on_every_call(kind: str) -> None:
    seen: list[str] = []
    hooks = {kind: [lambda r: seen.append(kind)]}
    http = httpx.Client(transport=httpx.MockTransport(ok), event_hooks=hooks)
    client = Client(http_client=http, signing="none")
    assert client.call("flickr.test.echo").ok
    assert client.call("flickr.test.echo").ok
    assert seen == [kind, kind]


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_client_with_hooks_does_not_follow_a_redirect(status: int) -> None:
    sent: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url)
        if request.url.host == "elsewhere.example":
            return ok(request)
        return httpx.Response(status, headers={"Location": "https://elsewhere.example/rest/"})

    hooks = {"request": [lambda r: None]}
    http = httpx.Client(transport=httpx.MockTransport(handler), event_hooks=hooks)
    result = Client(http_client=http, signing="none").call("flickr.test.echo")
    assert not result.ok and result.http_status == status
    assert result.fault is not None and result.fault.origin == "http"
    assert [url.host for url in sent] == ["api.flickr.com"]


def test_what_an_injected_client_says_of_the_deadlines_reach() -> None:
    # httpx's own transports, mounted ones included: every read within the deadline.
    with httpx.Client(mounts={"http://127.0.0.1": httpx.HTTPTransport()}) as http:
        assert bound_by_deadlines(http) is True
        assert bound_by_deadlines(http) is True  # already done: still so
    # A custom transport cannot be reached per read.
    with httpx.Client(transport=httpx.MockTransport(ok)) as http:
        assert bound_by_deadlines(http) is False
    # A pool whose network backend is not where this httpx keeps it: not reached either.
    with httpx.Client() as http:
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool, httpcore.ConnectionPool)
        pool._network_backend = None
        assert bound_by_deadlines(http) is False


def test_a_client_with_hooks_reads_no_further_than_the_body_limit() -> None:
    pulled: list[int] = []

    def endless_enough() -> Iterator[bytes]:
        for index in range(1000):
            pulled.append(index)
            yield b" " * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless_enough())

    hooks = {"request": [lambda r: None]}
    http = httpx.Client(transport=httpx.MockTransport(handler), event_hooks=hooks)
    result = Client(http_client=http, signing="none", max_body=4096).call("flickr.test.echo")
    assert result.fault is not None and "exceeds the 4096-byte limit" in result.fault.message
    assert len(pulled) < 10  # the rest of the body was never read
