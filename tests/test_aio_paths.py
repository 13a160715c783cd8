"""``AsyncClient`` gives the same ``Result`` whichever way its answer travels.

Without ``http_client=``, an ``AsyncClient`` sends through its own aiohttp client and reads
most answers without building an ``httpx.Response``. Handed the same aiohttp-backed
client (``AiohttpClient``), or httpx's own pool, it goes through httpx's ``send``. Every
case here runs over a real loopback server (aiohttp.web on 127.0.0.1, port 0) through the
three, and the Results must agree: success, Flickr faults, 3xx, HTTP errors, oversize
bodies, gzip, broken gzip, unknown codings, cookies, timeouts, refused and dropped
connections, retries.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import Awaitable, Callable

import httpx
import pytest

pytest.importorskip("aiohttp", reason="the aiohttp transport needs flickrwire[fast]")
from aiohttp import web

from flickrwire import AsyncClient, Credentials, Result, RetryPolicy
from flickrwire.aio import AiohttpClient

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Serve = Callable[[Handler], Awaitable[str]]
#: How each client is made: its own HTTP client, or one handed to it.
PATHS = ("own", "injected aiohttp", "injected httpx")
TIMEOUT = 0.5


pytestmark = pytest.mark.usefixtures("no_proxy_env")


async def call_over(path: str, base_url: str, codec: str = "json", **options: object) -> Result:
    """One ``flickr.groups.leave`` through a client made as ``path`` says."""
    timeout = options.pop("timeout", 5.0)
    http: httpx.AsyncClient | None = None
    if path == "injected aiohttp":
        http = AiohttpClient(timeout=timeout)  # type: ignore[arg-type]
    elif path == "injected httpx":
        http = httpx.AsyncClient(timeout=timeout)  # type: ignore[arg-type]
    try:
        async with AsyncClient(
            "rest",
            codec,
            CREDS,
            base_url=base_url,
            http_client=http,
            timeout=timeout,  # type: ignore[arg-type]
            **options,  # type: ignore[arg-type]
        ) as client:
            if path == "own":
                assert isinstance(client.http, AiohttpClient)
            return await client.groups.leave(group_id="12345@N01")
    finally:
        if http is not None:
            await http.aclose()


async def over_every_path(base_url: str, **options: object) -> dict[str, Result]:
    return {path: await call_over(path, base_url, **options) for path in PATHS}


def assert_alike(results: dict[str, Result], *, messages: tuple[str, ...] = PATHS) -> Result:
    """The Results agree field by field, raw body included; fault messages only across
    ``messages`` (httpx and aiohttp word a broken connection differently)."""
    own = results["own"]
    for path, other in results.items():
        assert (other.method, other.ok, other.payload, other.http_status, other.raw) == (
            own.method,
            own.ok,
            own.payload,
            own.http_status,
            own.raw,
        ), path
        if own.fault is None:
            assert other.fault is None, path
            continue
        assert other.fault is not None, path
        assert (other.fault.code, other.fault.origin, other.fault.retryable) == (
            own.fault.code,
            own.fault.origin,
            own.fault.retryable,
        ), path
        if path in messages:
            assert other.fault.message == own.fault.message, path
    return own


def answering(status: int, body: bytes, **headers: str) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=status, body=body, headers=headers)

    return handler


async def test_a_success(web_server: Serve) -> None:
    body = b'{"stat":"ok","group":{"id":"12345@N01","name":{"_content":"x"}}}'
    results = await over_every_path(await web_server(answering(200, body)))
    own = assert_alike(results)
    assert own.ok and own.payload == {"group": {"id": "12345@N01", "name": {"_content": "x"}}}
    assert own.raw == body


async def test_an_xml_success(web_server: Serve) -> None:
    body = b'<?xml version="1.0"?>\n<rsp stat="ok"><group id="1@N01"/></rsp>'
    base_url = await web_server(answering(200, body, **{"Content-Type": "text/xml"}))
    results = {path: await call_over(path, base_url, codec="xml") for path in PATHS}
    assert assert_alike(results).payload == {"group": {"id": "1@N01"}}


async def test_a_flickr_fault(web_server: Serve) -> None:
    body = b'{"stat":"fail","code":3,"message":"Account is not in that group"}'
    own = assert_alike(await over_every_path(await web_server(answering(200, body))))
    assert own.fault is not None
    assert (own.fault.code, own.fault.origin) == (3, "api")


async def test_a_bad_signature_answer(web_server: Serve) -> None:
    body = b"oauth_problem=signature_invalid"
    base_url = await web_server(answering(401, body, **{"Content-Type": "text/plain"}))
    own = assert_alike(await over_every_path(base_url))
    assert own.fault is not None and own.fault.origin == "auth"


async def test_a_server_error(web_server: Serve) -> None:
    own = assert_alike(await over_every_path(await web_server(answering(503, b"busy"))))
    assert own.fault is not None
    assert (own.fault.origin, own.fault.retryable, own.http_status) == ("http", True, 503)


async def test_a_redirect_is_an_http_fault_and_not_followed(web_server: Serve) -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.path)
        return web.Response(status=302, headers={"Location": "/elsewhere/"})

    own = assert_alike(await over_every_path(await web_server(handler)))
    assert seen == ["/services/rest/"] * len(PATHS)
    assert own.fault is not None
    assert (own.fault.origin, own.http_status) == ("http", 302)


async def test_a_declared_oversize_body(web_server: Serve) -> None:
    body = b'{"stat":"ok"' + b" " * 5000 + b"}"
    own = assert_alike(await over_every_path(await web_server(answering(200, body)), max_body=1000))
    assert own.fault is not None
    assert (own.fault.origin, own.http_status) == ("decode", 200)
    assert "1000-byte limit" in own.fault.message


async def test_a_body_exactly_at_the_limit_is_read(web_server: Serve) -> None:
    body = b'{"stat":"ok"' + b" " * 87 + b"}"
    assert len(body) == 100
    own = assert_alike(await over_every_path(await web_server(answering(200, body)), max_body=100))
    assert own.ok


async def test_a_chunked_oversize_body_is_cut_short(web_server: Serve) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for _ in range(200):
                await response.write(b" " * 1000)
        except (ConnectionResetError, RuntimeError):
            pass  # the client hung up, as it should
        return response

    own = assert_alike(await over_every_path(await web_server(handler), max_body=10_000))
    assert own.fault is not None
    assert (own.fault.origin, own.http_status) == ("decode", 200)


async def test_a_chunked_answer_within_the_limit(web_server: Serve) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'{"stat":"ok",')
        await response.write(b'"a":{"_content":"b"}}')
        return response

    own = assert_alike(await over_every_path(await web_server(handler)))
    assert own.ok and own.payload == {"a": {"_content": "b"}}


async def test_gzip_is_undone_and_its_decoded_size_limited(web_server: Serve) -> None:
    small = gzip.compress(b'{"stat":"ok","a":{"_content":"b"}}')
    base_url = await web_server(answering(200, small, **{"Content-Encoding": "gzip"}))
    own = assert_alike(await over_every_path(base_url))
    assert own.ok and own.payload == {"a": {"_content": "b"}}

    big = gzip.compress(b'{"stat":"ok"' + b" " * 50_000 + b"}")
    base_url = await web_server(answering(200, big, **{"Content-Encoding": "gzip"}))
    own = assert_alike(await over_every_path(base_url, max_body=10_000))
    assert own.fault is not None and own.fault.origin == "decode"


async def test_broken_gzip_is_a_decode_fault_with_the_status(web_server: Serve) -> None:
    base_url = await web_server(answering(200, b"not gzip at all", **{"Content-Encoding": "gzip"}))
    own = assert_alike(await over_every_path(base_url))
    assert own.fault is not None
    assert (own.fault.origin, own.http_status) == ("decode", 200)
    assert own.fault.message.startswith("body could not be decoded")


async def test_an_unknown_coding_is_a_decode_fault(web_server: Serve) -> None:
    base_url = await web_server(answering(200, b"squashed", **{"Content-Encoding": "x-squash"}))
    own = assert_alike(await over_every_path(base_url))
    assert own.fault is not None
    assert own.fault.origin == "decode" and "x-squash" in own.fault.message


async def test_an_answer_setting_a_cookie(web_server: Serve) -> None:
    body = b'{"stat":"ok"}'
    base_url = await web_server(answering(200, body, **{"Set-Cookie": "seen=1; Path=/"}))
    assert assert_alike(await over_every_path(base_url)).ok
    # The cookie lands in the HTTP client's jar, as httpx's send stores it.
    async with AsyncClient("rest", "json", CREDS, base_url=base_url) as client:
        await client.groups.leave(group_id="12345@N01")
        assert client.http.cookies.get("seen") == "1"


async def test_a_server_that_does_not_answer_in_time(web_server: Serve) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(TIMEOUT * 4)
        return web.json_response({"stat": "ok"})

    results = await over_every_path(await web_server(handler), timeout=TIMEOUT)
    # httpx's read timeout and the call's deadline end together there: either may speak.
    own = assert_alike(results, messages=("own",))
    assert own.fault is not None
    assert (own.fault.origin, own.fault.retryable, own.http_status) == ("network", True, None)
    assert isinstance(own.fault.cause, httpx.TimeoutException)


async def test_a_dribbling_body_is_cut_off_at_the_deadline(web_server: Serve) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "1000"})
        await response.prepare(request)
        try:
            for _ in range(1000):
                await response.write(b" ")
                await asyncio.sleep(TIMEOUT / 10)
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    loop = asyncio.get_running_loop()
    began = loop.time()
    results = await over_every_path(await web_server(handler), timeout=TIMEOUT)
    assert loop.time() - began < len(PATHS) * TIMEOUT + 2.0
    own = assert_alike(results, messages=("own",))
    assert own.fault is not None
    assert (own.fault.origin, own.fault.retryable, own.http_status) == ("network", True, None)


async def test_a_refused_connection() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    results = await over_every_path(f"http://127.0.0.1:{port}/services/")
    own = assert_alike(results, messages=("own", "injected aiohttp"))
    assert own.fault is not None
    assert (own.fault.origin, own.fault.retryable, own.http_status) == ("network", True, None)
    assert isinstance(own.fault.cause, httpx.ConnectError)


async def test_a_connection_dropped_mid_body(web_server: Serve) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "1000"})
        await response.prepare(request)
        await response.write(b'{"stat":"ok"')
        assert request.transport is not None
        request.transport.close()
        return response

    own = assert_alike(await over_every_path(await web_server(handler)), messages=("own",))
    assert own.fault is not None
    assert (own.fault.origin, own.fault.retryable) == ("network", True)


async def test_a_retried_call_gives_the_last_answer(web_server: Serve) -> None:
    answers: list[bytes] = []

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        answers.append(b"")
        if len(answers) % 2:  # Flickr's "not done, try again", as a write may be retried
            return web.json_response({"stat": "fail", "code": 105, "message": "unavailable"})
        return web.json_response({"stat": "ok"})

    policy = RetryPolicy(attempts=2, base=0.0, jitter=False)
    own = assert_alike(await over_every_path(await web_server(handler), retry=policy))
    assert own.ok
    assert len(answers) == 2 * len(PATHS)


async def test_a_read_timeout_shorter_than_the_deadline_still_ends_the_call(
    web_server: Serve,
) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(TIMEOUT * 4)
        return web.json_response({"stat": "ok"})

    loop = asyncio.get_running_loop()
    began = loop.time()
    phases = httpx.Timeout(30.0, read=TIMEOUT)
    results = await over_every_path(await web_server(handler), timeout=phases)
    assert loop.time() - began < len(PATHS) * TIMEOUT * 3
    own = assert_alike(results)
    assert own.fault is not None
    assert own.fault.message == "timed out (ReadTimeout)"


async def test_an_http_client_set_after_construction_is_the_one_used(web_server: Serve) -> None:
    base_url = await web_server(answering(200, b'{"stat":"ok"}'))
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b'{"stat":"fail","code":3,"message":"mocked"}')

    async with AsyncClient("rest", "json", CREDS, base_url=base_url) as client:
        own = client.http
        client.http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        result = await client.groups.leave(group_id="12345@N01")
        await client.http.aclose()
        client.http = own
        again = await client.groups.leave(group_id="12345@N01")
    assert (result.code, len(seen)) == (3, 1)
    assert again.ok


async def test_a_cookie_set_by_an_answer_is_not_sent_back(web_server: Serve) -> None:
    """httpx's ``send`` adds no cookie to a request flickrwire built; neither does aiohttp."""
    cookies: list[str | None] = []

    async def handler(request: web.Request) -> web.Response:
        await request.read()
        cookies.append(request.headers.get("Cookie"))
        response = web.json_response({"stat": "ok"})
        response.set_cookie("seen", "1")
        return response

    # A host name: aiohttp's cookie jar keeps no cookie for an IP address.
    base_url = (await web_server(handler)).replace("127.0.0.1", "localhost")
    for path in PATHS:
        http = AiohttpClient(timeout=5.0) if path == "injected aiohttp" else None
        http = httpx.AsyncClient() if path == "injected httpx" else http
        async with AsyncClient("rest", "json", CREDS, base_url=base_url, http_client=http) as c:
            assert (await c.groups.leave(group_id="1@N01")).ok
            assert (await c.groups.leave(group_id="1@N01")).ok
        if http is not None:
            await http.aclose()
    assert cookies == [None] * 2 * len(PATHS)
