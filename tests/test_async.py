"""``AsyncClient``: the same key cases as the sync client, awaited, through an async
``httpx.MockTransport`` handler."""

from __future__ import annotations

import gzip
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import parse_qsl

import httpx
import pytest

from flickrwire import (
    AsyncClient,
    Call,
    Credentials,
    Fault,
    InsecureURLError,
    NetworkError,
    Result,
    transports,
)
from flickrwire.result import failure, success

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
AsyncHandler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def mock_client(
    handler: AsyncHandler, transport: str = "rest", codec: str = "json", **kw: object
) -> AsyncClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return AsyncClient(transport, codec, CREDS, http_client=http, **kw)  # type: ignore[arg-type]


def flickr_server(transport: str, answer: Callable[[Call], Result]) -> AsyncHandler:
    wire = transports.get(transport)

    async def handler(request: httpx.Request) -> httpx.Response:
        call = wire.parse_request(request)
        codec = "json" if call.params.get("format") == "json" else "xml"
        result = answer(call)
        return httpx.Response(
            200,
            content=wire.render_response(result, codec),
            headers={"Content-Type": wire.media_type(result, codec)},
        )

    return handler


async def test_call_returns_the_result() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b'{"stat":"ok"}')

    result = await mock_client(handler).call("flickr.groups.leave", group_id="12345@N01")
    assert result == Result("flickr.groups.leave", True, {}, None, "rest", "json", 200)
    form = dict(parse_qsl(seen[0].content.decode()))
    assert form["method"] == "flickr.groups.leave"
    assert form["group_id"] == "12345@N01"


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
async def test_dotted_groups_leave(transport: str) -> None:
    calls: list[Call] = []

    def answer(call: Call) -> Result:
        calls.append(call)
        fault = Fault.from_code(3, "Account is not in that group")
        return failure(call.method, fault, transport=transport, codec="xml", status=200, raw=b"")

    client = mock_client(flickr_server(transport, answer), transport, "xml")
    result = await client.groups.leave(group_id="12345@N01", delete_photos=True)
    assert result.fault == Fault(3, "Account is not in that group", "api", False)
    assert (result.method, result.transport, result.codec) == (
        "flickr.groups.leave",
        transport,
        "xml",
    )
    assert calls[0].params["group_id"] == "12345@N01"
    assert calls[0].params["delete_photos"] == "1"


async def test_dotted_members_get_list() -> None:
    payload = {"members": {"page": "1", "member": [{"nsid": "1@N01", "username": "a"}]}}

    def answer(call: Call) -> Result:
        assert call.method == "flickr.groups.members.getList"
        return success(call.method, payload, transport="soap", codec="xml", status=200, raw=b"")

    client = mock_client(flickr_server("soap", answer), "soap", "xml")
    result = await client.groups.members.getList(group_id="12345@N01")
    assert result.ok
    assert result.payload == payload


async def test_send_passes_an_unchecked_call() -> None:
    def answer(call: Call) -> Result:
        assert "group_id" not in call.params
        fault = Fault.from_code(1, "Required arguments missing")
        return failure(call.method, fault, transport="rest", codec="json", status=200, raw=b"")

    result = await mock_client(flickr_server("rest", answer)).send(Call("flickr.groups.leave"))
    assert result.code == 1


async def test_a_missing_required_argument_raises_at_once() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    with pytest.raises(TypeError, match="group_id"):
        await mock_client(handler).groups.leave()


def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(InsecureURLError):
        AsyncClient(base_url="http://api.flickr.com/services/")


# -- network failures ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("[Errno 111] Connection refused"),
        httpx.ReadTimeout("timed out while reading"),
        httpx.ReadError("connection reset by peer"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_network_errors_become_network_faults(error: httpx.HTTPError) -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        raise error

    result = await mock_client(handler, "soap").call("flickr.groups.leave", group_id="1@N01")
    assert not result.ok
    assert (result.transport, result.codec, result.http_status) == ("soap", "json", None)
    assert result.fault is not None
    assert (result.fault.origin, result.fault.code, result.fault.retryable) == (
        "network",
        None,
        True,
    )
    with pytest.raises(NetworkError) as info:
        result.raise_for_fault()
    assert info.value.__cause__ is error


async def test_a_refused_loopback_connection_is_a_network_fault() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AsyncClient(credentials=CREDS, base_url=f"http://127.0.0.1:{port}/") as client:
        result = await client.call("flickr.groups.leave", group_id="1@N01")
    assert result.fault is not None
    assert (result.fault.origin, result.http_status, result.fault.retryable) == (
        "network",
        None,
        True,
    )


async def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        base_url = f"http://127.0.0.1:{listener.getsockname()[1]}/services/"
        async with AsyncClient(credentials=CREDS, base_url=base_url, timeout=0.3) as client:
            result = await client.call("flickr.groups.leave", group_id="1@N01")
    assert result.fault is not None
    assert result.fault.origin == "network"
    with pytest.raises(NetworkError) as info:
        result.raise_for_fault()
    assert isinstance(info.value.__cause__, httpx.TimeoutException)


# -- body size limits ----------------------------------------------------------------------


class AsyncCountingStream(httpx.AsyncByteStream):
    def __init__(self, count: int, size: int = 100) -> None:
        self.count = count
        self.size = size
        self.pulled = 0
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for index in range(self.count):
            self.pulled += 1
            yield (b'{"stat":"ok"' if index == 0 else b"") + b" " * self.size

    async def aclose(self) -> None:
        self.closed = True


def assert_oversize_fault(result: Result) -> None:
    assert not result.ok
    assert result.fault is not None
    assert (result.fault.origin, result.fault.retryable) == ("decode", False)
    assert result.http_status == 200


async def test_an_undeclared_oversize_stream_is_cut_short() -> None:
    stream = AsyncCountingStream(50)

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream)

    client = mock_client(handler, max_body=1000)
    assert_oversize_fault(await client.call("flickr.groups.leave", group_id="1@N01"))
    assert stream.pulled <= 11
    assert stream.closed


async def test_a_declared_oversize_body_is_not_read() -> None:
    stream = AsyncCountingStream(50)

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "5000"}, stream=stream)

    client = mock_client(handler, max_body=1000)
    assert_oversize_fault(await client.call("flickr.groups.leave", group_id="1@N01"))
    assert stream.pulled == 0


async def test_a_compressed_body_is_limited_by_its_decoded_size() -> None:
    packed = gzip.compress(b'{"stat":"ok"' + b" " * 5000 + b"}")

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=packed)

    client = mock_client(handler, max_body=1000)
    assert_oversize_fault(await client.call("flickr.groups.leave", group_id="1@N01"))


async def test_a_chunked_gzip_answer_is_decoded() -> None:
    packed = gzip.compress(b'{"stat":"ok","a":{"_content":"b"}}')

    async def chunks() -> AsyncIterator[bytes]:
        yield packed[:10]
        yield packed[10:]

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=chunks())

    result = await mock_client(handler).call("flickr.test.echo")
    assert result.ok
    assert result.payload == {"a": {"_content": "b"}}


# -- who owns the HTTP client -----------------------------------------------------------------


async def test_an_injected_http_client_is_left_open() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    async with AsyncClient(credentials=CREDS, http_client=http) as client:
        assert client.http is http
    assert not http.is_closed
    await http.aclose()


async def test_an_owned_http_client_is_closed_and_has_the_default_timeout() -> None:
    async with AsyncClient() as client:
        timeout = client.http.timeout  # as documented: 30 s, 10 s to connect
        assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (10, 30, 30, 30)
        assert not client.http.is_closed
    assert client.http.is_closed
