"""``AsyncClient`` over its default aiohttp transport (``flickrwire.aio``), against a real
loopback server (aiohttp.web on 127.0.0.1, port 0): the same outcomes as over httpx."""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import Awaitable, Callable

import httpx
import pytest

pytest.importorskip("aiohttp", reason="the aiohttp transport needs flickrwire[fast]")
from aiohttp import web

from flickrwire import AsyncClient, Call, Credentials, NetworkError, Result
from flickrwire.aio import AiohttpClient, AiohttpTransport
from flickrwire.client import default_async_http

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


pytestmark = pytest.mark.usefixtures("no_proxy_env")


async def leave(base_url: str, **options: object) -> Result:
    async with AsyncClient(credentials=CREDS, base_url=base_url, **options) as client:  # type: ignore[arg-type]
        assert isinstance(client.http._transport, AiohttpTransport)
        return await client.groups.leave(group_id="12345@N01")


def test_the_default_http_client_sends_through_aiohttp() -> None:
    http = default_async_http(5.0)
    assert isinstance(http, AiohttpClient)
    assert isinstance(http._transport, AiohttpTransport)
    assert http.timeout == httpx.Timeout(5.0)


def test_proxy_settings_keep_httpx_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "localhost")
    assert isinstance(default_async_http(5.0), AiohttpClient)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9/")
    http = default_async_http(5.0)
    assert not isinstance(http, AiohttpClient)
    assert not isinstance(http._transport, AiohttpTransport)


async def test_a_success_is_read_and_the_request_is_sent_whole(
    web_server: Callable[..., Awaitable[str]],
) -> None:
    seen: list[tuple[str, str, bytes, str]] = []

    async def handler(request: web.Request) -> web.Response:
        body = await request.read()
        seen.append((request.method, request.path, body, request.headers["Authorization"]))
        return web.json_response({"stat": "ok"})

    result = await leave(await web_server(handler))
    assert result.ok and result.http_status == 200
    method, path, body, authorization = seen[0]
    assert (method, path) == ("POST", "/services/rest/")
    assert b"method=flickr.groups.leave" in body and b"group_id=12345%40N01" in body
    assert authorization.startswith("OAuth ")


async def test_a_fault_answer_keeps_its_status(web_server: Callable[..., Awaitable[str]]) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(
            status=401, text="oauth_problem=signature_invalid", content_type="text/plain"
        )

    result = await leave(await web_server(handler))
    assert result.fault is not None
    assert (result.fault.origin, result.http_status) == ("auth", 401)


async def test_a_declared_oversize_body_is_a_decode_fault(
    web_server: Callable[..., Awaitable[str]],
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b'{"stat":"ok"' + b" " * 5000 + b"}")

    result = await leave(await web_server(handler), max_body=1000)
    assert result.fault is not None
    assert (result.fault.origin, result.http_status) == ("decode", 200)
    assert "1000-byte limit" in result.fault.message


async def test_a_chunked_oversize_body_is_cut_short(
    web_server: Callable[..., Awaitable[str]],
) -> None:
    sent: list[int] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for _ in range(2000):
                await response.write(b" " * 1000)
                sent.append(1)
        except (ConnectionResetError, RuntimeError):
            pass  # the client hung up, as it should
        return response

    result = await leave(await web_server(handler), max_body=10_000)
    assert result.fault is not None
    assert (result.fault.origin, result.http_status) == ("decode", 200)


async def test_a_gzip_body_is_decoded_and_limited_by_its_decoded_size(
    web_server: Callable[..., Awaitable[str]],
) -> None:
    small = gzip.compress(b'{"stat":"ok","a":{"_content":"b"}}')
    big = gzip.compress(b'{"stat":"ok"' + b" " * 50_000 + b"}")
    bodies = [small, big]

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=bodies.pop(0), headers={"Content-Encoding": "gzip"})

    base_url = await web_server(handler)
    async with AsyncClient(credentials=CREDS, base_url=base_url, max_body=10_000) as client:
        first = await client.call("flickr.test.echo")
        second = await client.call("flickr.test.echo")
    assert first.ok and first.payload == {"a": {"_content": "b"}}
    assert second.fault is not None and second.fault.origin == "decode"


async def test_a_redirect_is_not_followed(web_server: Callable[..., Awaitable[str]]) -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(status=307, headers={"Location": "/elsewhere/"})

    result = await leave(await web_server(handler))
    assert seen == ["/services/rest/"]
    assert result.fault is not None
    assert (result.fault.origin, result.http_status) == ("http", 307)


async def test_a_refused_connection_is_a_retryable_network_fault() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await leave(f"http://127.0.0.1:{port}/services/")
    assert result.fault is not None
    assert (result.fault.origin, result.fault.retryable, result.http_status) == (
        "network",
        True,
        None,
    )
    with pytest.raises(NetworkError) as info:
        result.raise_for_fault()
    assert isinstance(info.value.__cause__, httpx.ConnectError)


async def test_a_connection_dropped_mid_body_is_a_network_fault(
    web_server: Callable[..., Awaitable[str]],
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "100000"})
        await response.prepare(request)
        await response.write(b'{"stat":"ok"')
        assert request.transport is not None
        request.transport.close()
        return response

    result = await leave(await web_server(handler))
    assert result.fault is not None
    assert (result.fault.origin, result.fault.retryable) == ("network", True)


async def test_a_server_that_does_not_answer_in_time_is_a_timeout(
    web_server: Callable[..., Awaitable[str]],
) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"stat": "ok"})

    result = await leave(await web_server(handler), timeout=0.2)
    assert result.fault is not None
    assert (result.fault.origin, result.fault.retryable) == ("network", True)
    with pytest.raises(NetworkError) as info:
        result.raise_for_fault()
    assert isinstance(info.value.__cause__, httpx.TimeoutException)


async def test_the_default_http_client_still_behaves_as_httpx(
    web_server: Callable[..., Awaitable[str]],
) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.path == "/services/moved":
            return web.Response(status=302, headers={"Location": "/services/here"})
        response = web.json_response({"path": request.path})
        response.set_cookie("seen", "1")
        return response

    base_url = await web_server(handler)
    async with default_async_http(5.0) as http:
        direct = await http.get(base_url + "here")
        assert direct.json() == {"path": "/services/here"}
        assert direct.request.url == base_url + "here"
        assert direct.elapsed.total_seconds() >= 0
        assert http.cookies.get("seen") == "1"
        stopped = await http.get(base_url + "moved")
        assert stopped.status_code == 302
        followed = await http.get(base_url + "moved", follow_redirects=True)
        assert followed.json() == {"path": "/services/here"}
        assert [r.status_code for r in followed.history] == [302]


async def test_the_wire_carries_the_requests_headers_and_no_others(
    web_server: Callable[..., Awaitable[str]],
) -> None:
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append({k.lower(): v for k, v in request.headers.items()})
        return web.json_response({"stat": "ok"})

    base_url = await web_server(handler)
    async with AsyncClient("soap", "json", CREDS, base_url=base_url) as client:
        call = Call.build("flickr.groups.leave", {"group_id": "12345@N01"})
        request = client.build_request(call)
        result = await client.send(call)
    assert result.ok
    expected = {k.lower(): v for k, v in request.headers.items()}
    assert set(seen[0]) == set(expected)
    assert seen[0]["content-type"] == expected["content-type"]
    assert seen[0]["content-length"] == expected["content-length"]


async def test_the_url_goes_out_as_httpx_encoded_it(
    web_server: Callable[..., Awaitable[str]],
) -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.raw_path)
        return web.json_response({"stat": "ok"})

    base_url = await web_server(handler)
    params = {"text": "a b~c%2F/@é", "tags": "x,y"}
    async with default_async_http(5.0) as http:
        response = await http.get(base_url + "rest/", params=params)
    assert seen == [response.request.url.raw_path.decode("ascii")]
