"""The emulator's ASGI request as an ``httpx.Request`` (``app.scope_request``): the same
method, URL, headers, body and stream as ``httpx.Request(..., stream=ByteStream(body))``
read, which is what every transport's ``read_request`` was given before."""

from __future__ import annotations

import httpx
import pytest

from flickrwire import transports
from flickrwire.emulator import verify
from flickrwire.emulator.app import Received, scope_request

HEADERS = [
    (b"host", b"127.0.0.1:8000"),
    (b"authorization", b'OAuth oauth_nonce="n", oauth_token="t%2Bx"'),
    (b"content-type", b"application/x-www-form-urlencoded"),
    (b"x-caf\xc3\xa9", b"\xe9t\xe9"),
    (b"host", b"second.example"),
]


def scope(method: str = "POST", query: bytes = b"", headers: list[tuple[bytes, bytes]] = HEADERS):
    return {
        "type": "http",
        "method": method,
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "path": "/services/rest/",
        "query_string": query,
        "headers": headers,
    }


@pytest.mark.parametrize("method", ["POST", "post", "GET"])
@pytest.mark.parametrize("query", [b"", b"format=json&a=%20b"])
@pytest.mark.parametrize("body", [b"", b"method=flickr.test.echo&a=1"])
def test_the_same_request_as_httpx_builds(method: str, query: bytes, body: bytes) -> None:
    got = scope_request(scope(method, query), body)
    url = "http://127.0.0.1:8000/services/rest/" + (f"?{query.decode()}" if query else "")
    expected = httpx.Request(method, url, headers=HEADERS, stream=httpx.ByteStream(body))
    expected.read()
    assert isinstance(got, httpx.Request) and isinstance(got, Received)
    assert got.method == expected.method
    assert got.url == expected.url and str(got.url) == str(expected.url)
    assert got.headers.raw == expected.headers.raw
    assert got.headers.get_list("host") == expected.headers.get_list("host")
    assert got.content == expected.content == body
    assert got.read() == body and b"".join(got.stream) == body
    assert got.extensions == {}
    assert got.endpoint == verify.endpoint_url(expected) == url.split("?")[0]


def test_the_url_falls_back_to_the_server_without_a_host() -> None:
    got = scope_request(scope(headers=[(b"content-type", b"text/plain")]), b"")
    assert str(got.url) == "http://127.0.0.1:8000/services/rest/" == got.endpoint


def test_each_request_has_its_own_headers_and_extensions() -> None:
    first, second = scope_request(scope(), b"a=1"), scope_request(scope(), b"a=2")
    first.headers["x-one"] = "1"
    first.extensions["k"] = "v"
    assert "x-one" not in second.headers and second.extensions == {}
    assert second.content == b"a=2"


def test_the_transports_read_it_as_they_read_httpx_requests() -> None:
    body = b"method=flickr.test.echo&a=1"
    got = scope_request(scope(), body)
    expected = httpx.Request(
        "POST", "http://127.0.0.1:8000/services/rest/", headers=HEADERS, content=body
    )
    rest = transports.get("rest")
    assert isinstance(rest, transports.ServerTransport)
    assert rest.read_request(got) == rest.read_request(expected)
