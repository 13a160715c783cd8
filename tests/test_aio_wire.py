"""The short path of ``AsyncClient``'s own aiohttp client sends a POST from its parts,
without an ``httpx.Request``: the wire must carry what the ``httpx.Request`` the
transport builds carries, for every transport and codec, signed and unsigned.

A loopback server (aiohttp.web on 127.0.0.1, port 0) records each request as it arrived:
method, path with query, header lines (names as sent), body. The same call goes out by
the short path (the client's own HTTP client), through httpx's ``send`` over the same
aiohttp transport (an injected ``AiohttpClient``), and through httpx's own pool.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

pytest.importorskip("aiohttp", reason="the aiohttp transport needs flickrwire[fast]")
from aiohttp import web

from flickrwire import AsyncClient, Call, Credentials, Signer, transports
from flickrwire.aio import AiohttpClient
from flickrwire.transports.rest import RESTTransport

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
KEY_ONLY = Credentials("fake-consumer-key", "fake-consumer-secret")
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
SIGNINGS = {"oauth": CREDS, "key": KEY_ONLY, "none": None}
#: Arguments that need escaping in a form, in XML and in a signature.
ARGS = {"group_id": "34427469792@N01", "delete_photos": True}
ODD_ARGS = {"text": "a b+c&d=e/f~g%h <x> caf\u00e9 \u2603", "tags": "x,y"}
PATHS = ("own", "injected aiohttp", "injected httpx")
BASE = "https://api.flickr.com/services/"

#: One request as the server read it: method, path and query, header lines, body.
Seen = tuple[str, str, list[tuple[bytes, bytes]], bytes]


pytestmark = pytest.mark.usefixtures("no_proxy_env")


@pytest.fixture
async def recorder() -> AsyncIterator[tuple[str, list[Seen]]]:
    seen: list[Seen] = []

    async def handler(request: web.Request) -> web.Response:
        body = await request.read()
        seen.append((request.method, request.raw_path, list(request.raw_headers), body))
        return web.json_response({"stat": "ok"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/services/", seen
    finally:
        await runner.cleanup()


async def send_over(
    path: str, base_url: str, transport: str, codec: str, creds: Credentials | None, call: Call
) -> None:
    http: httpx.AsyncClient | None = None
    if path == "injected aiohttp":
        http = AiohttpClient(timeout=5.0)
    elif path == "injected httpx":
        http = httpx.AsyncClient(timeout=5.0)
    options: dict[str, Callable[[], object]] = {
        "nonce": lambda: "fixed0nonce",
        "clock": lambda: 1700000000,
    }
    try:
        async with AsyncClient(
            transport,
            codec,
            creds,
            base_url=base_url,
            http_client=http,
            **options,  # type: ignore[arg-type]
        ) as client:
            if path == "own":
                assert client._plain is not None  # the short path is taken
            result = await client.send(call)
        assert result.ok, result
    finally:
        if http is not None:
            await http.aclose()


def lowered(seen: Seen) -> Seen:
    method, target, headers, body = seen
    return method, target, [(k.lower(), v) for k, v in headers], body


@pytest.mark.parametrize("signing", list(SIGNINGS))
@pytest.mark.parametrize(("transport", "codec"), PAIRS)
@pytest.mark.parametrize("args", [ARGS, ODD_ARGS], ids=["plain", "odd"])
async def test_every_path_puts_the_same_request_on_the_wire(
    recorder: tuple[str, list[Seen]],
    transport: str,
    codec: str,
    signing: str,
    args: dict[str, object],
) -> None:
    base_url, seen = recorder
    method = "flickr.groups.leave" if args is ARGS else "flickr.test.echo"
    call = Call.build(method, args)
    for path in PATHS:
        await send_over(path, base_url, transport, codec, SIGNINGS[signing], call)
    own, aiohttp_sent, httpx_sent = seen
    # The same aiohttp transport: the very same bytes, header names as written.
    assert own == aiohttp_sent
    # httpx's pool writes the names as the transport built them (``Host``); aiohttp writes
    # them as httpx hands them on (lower case). Everything else is the same.
    assert lowered(own) == lowered(httpx_sent)
    assert own[0] == "POST" and own[1] == f"/services/{transport}/"
    names = [k.lower() for k, _ in own[2]]
    assert names[0] == b"host" and names[-1] == b"content-length"
    assert (b"authorization" in names) == (signing == "oauth" and transport == "rest")


async def test_the_short_path_is_not_taken_for_a_get(
    recorder: tuple[str, list[Seen]],
) -> None:
    """A hand-built GET call has no POST parts: it goes through httpx's ``send``."""
    base_url, seen = recorder
    call = Call("flickr.test.echo", {"a": "b c"}, "GET")
    for path in PATHS:
        await send_over(path, base_url, "rest", "json", CREDS, call)
    own, aiohttp_sent, httpx_sent = seen
    assert own == aiohttp_sent
    assert lowered(own) == lowered(httpx_sent)
    assert own[0] == "GET" and own[1].startswith("/services/rest/?")


async def test_a_client_subclass_building_its_own_requests_is_sent_its_way(
    recorder: tuple[str, list[Seen]],
) -> None:
    base_url, seen = recorder

    class Tagged(AsyncClient):
        def build_request(self, call: Call) -> httpx.Request:
            request = super().build_request(call)
            request.headers["X-Tag"] = "mine"
            return request

    async with Tagged("rest", "json", CREDS, base_url=base_url) as client:
        assert (await client.groups.leave(group_id="1@N01")).ok
    assert (b"x-tag", b"mine") in [(k.lower(), v) for k, v in seen[0][2]]


async def test_a_transport_subclass_building_its_own_requests_is_sent_its_way(
    recorder: tuple[str, list[Seen]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transports, "_registry", dict(transports._registry))

    class Tagged(RESTTransport):
        name = "tagged-rest"

        def build_request(
            self, call: Call, codec: str, signer: Signer, base_url: str
        ) -> httpx.Request:
            request = super().build_request(call, codec, signer, base_url)
            request.headers["X-Tag"] = "mine"
            return request

    transports.register(Tagged())
    base_url, seen = recorder
    async with AsyncClient("tagged-rest", "json", CREDS, base_url=base_url) as client:
        assert client._plain is None
        assert (await client.groups.leave(group_id="1@N01")).ok
    assert (b"x-tag", b"mine") in [(k.lower(), v) for k, v in seen[0][2]]


async def test_the_short_path_writes_httpxs_log_line(
    recorder: tuple[str, list[Seen]], caplog: pytest.LogCaptureFixture
) -> None:
    """The request line httpx logs at INFO, written alike whichever way the call went."""
    base_url, _ = recorder
    call = Call.build("flickr.groups.leave", ARGS)
    lines: dict[str, list[str]] = {}
    for path in PATHS:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="httpx"):
            await send_over(path, base_url, "rest", "json", CREDS, call)
        lines[path] = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    expected = f'HTTP Request: POST {base_url}rest/ "HTTP/1.1 200 OK"'
    assert lines == {path: [expected] for path in PATHS}


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_the_parts_of_a_signed_post_show_no_credential(transport: str) -> None:
    """``build_post``'s parts carry the key, token and signature; their repr does not."""
    signer = Signer(CREDS, "oauth", nonce=lambda: "fixed0nonce", clock=lambda: 1700000000)
    build_post = getattr(transports.get(transport), "build_post")  # noqa: B009 - not in Transport
    post = build_post(Call.build("flickr.groups.leave", ARGS), "json", signer, BASE)
    carried = (post.body + b"".join(value for _, value in post.headers)).decode()
    shown = f"{post!r} {post!s} {(post,)!r}"
    for secret in ("fake-consumer-key", "fake-token", "oauth_signature"):
        assert secret in carried
        assert secret not in shown
    assert post.url in shown
