"""``Client``: calls through an injected ``httpx.MockTransport``, the dotted convenience,
HTTPS-only base URLs, network failures as faults (mocked and on real loopback sockets),
body size limits, and who closes the HTTP client."""

from __future__ import annotations

import gzip
import socket
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl

import httpx
import pytest

from flickrwire import (
    APIError,
    Call,
    Client,
    Credentials,
    Fault,
    InsecureURLError,
    NetworkError,
    Result,
    TransportError,
    transports,
)
from flickrwire.result import failure, success

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
Handler = Callable[[httpx.Request], httpx.Response]
OK_JSON = b'{"stat":"ok"}'


def mock_client(
    handler: Handler, transport: str = "rest", codec: str = "json", **kw: object
) -> Client:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return Client(transport, codec, CREDS, http_client=http, **kw)  # type: ignore[arg-type]


def form(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode(), keep_blank_values=True))


def flickr_server(transport: str, answer: Callable[[Call], Result]) -> Handler:
    """A handler that reads the request and answers with the transport's own server side."""
    wire = transports.get(transport)

    def handler(request: httpx.Request) -> httpx.Response:
        call = wire.parse_request(request)
        codec = "json" if call.params.get("format") == "json" else "xml"
        result = answer(call)
        return httpx.Response(
            200,
            content=wire.render_response(result, codec),
            headers={"Content-Type": wire.media_type(result, codec)},
        )

    return handler


# -- calls ------------------------------------------------------------------------------


def test_call_sends_the_request_and_returns_the_result() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=OK_JSON, headers={"Content-Type": "application/json"})

    result = mock_client(handler).call(
        "flickr.groups.leave", group_id="12345@N01", delete_photos=True
    )
    assert result == Result("flickr.groups.leave", True, {}, None, "rest", "json", 200)
    assert result.raw == OK_JSON
    assert result.raise_for_fault() is result
    (request,) = seen
    assert request.method == "POST"
    assert str(request.url) == "https://api.flickr.com/services/rest/"
    assert form(request) == {
        "method": "flickr.groups.leave",
        "group_id": "12345@N01",
        "delete_photos": "1",
        "format": "json",
        "nojsoncallback": "1",
    }
    assert request.headers["authorization"].startswith("OAuth ")


def test_send_passes_an_unchecked_call_to_the_server() -> None:
    def answer(call: Call) -> Result:
        assert call.method == "flickr.groups.leave"
        assert "group_id" not in call.params
        fault = Fault.from_code(1, "Required arguments missing")
        return failure(call.method, fault, transport="rest", codec="xml", status=200, raw=b"")

    client = mock_client(flickr_server("rest", answer), codec="xml")
    result = client.send(Call("flickr.groups.leave", {}))
    assert not result.ok
    assert result.fault == Fault(1, "Required arguments missing", "api", False)
    assert (result.transport, result.codec, result.http_status) == ("rest", "xml", 200)
    with pytest.raises(APIError) as info:
        result.raise_for_fault()
    assert info.value.code == 1


def test_a_missing_required_argument_raises_before_anything_is_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    client = mock_client(handler)
    with pytest.raises(TypeError, match="group_id"):
        client.groups.leave()
    with pytest.raises(TypeError, match="group_id"):
        client.call("flickr.groups.leave", delete_photos=True)
    with pytest.raises(TypeError, match="group_id"):
        client.groups.leave(group_id=None)


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_dotted_groups_leave(transport: str) -> None:
    calls: list[Call] = []

    def answer(call: Call) -> Result:
        calls.append(call)
        return success(call.method, {}, transport=transport, codec="json", status=200, raw=b"")

    client = mock_client(flickr_server(transport, answer), transport)
    result = client.groups.leave(group_id="12345@N01", delete_photos=False)
    assert result == Result("flickr.groups.leave", True, {}, None, transport, "json", 200)
    assert calls[0].method == "flickr.groups.leave"
    assert calls[0].params["group_id"] == "12345@N01"
    assert calls[0].params["delete_photos"] == "0"


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_dotted_members_get_list_keeps_a_one_member_list(transport: str) -> None:
    payload = {"members": {"page": "1", "total": "1", "member": [{"nsid": "1@N01"}]}}

    def answer(call: Call) -> Result:
        assert call.method == "flickr.groups.members.getList"
        assert call.params["per_page"] == "1"
        return success(call.method, payload, transport=transport, codec="xml", status=200, raw=b"")

    client = mock_client(flickr_server(transport, answer), transport, "xml")
    result = client.groups.members.getList(group_id="12345@N01", per_page=1)
    assert result.ok
    assert result.method == "flickr.groups.members.getList"
    assert result.payload == payload


def test_private_names_are_not_flickr_namespaces() -> None:
    client = mock_client(lambda request: httpx.Response(200, content=OK_JSON))
    with pytest.raises(AttributeError):
        _ = client._nothing
    with pytest.raises(AttributeError):
        _ = client.groups._nothing


def test_unknown_codec_is_refused() -> None:
    with pytest.raises(ValueError, match="yaml"):
        Client(codec="yaml")


def test_an_html_gateway_error_is_an_http_fault() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>oops</body></html>"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, content=page, headers={"Content-Type": "text/html"})

    result = mock_client(handler).call("flickr.groups.leave", group_id="1@N01")
    assert not result.ok
    assert result.http_status == 502
    assert result.fault is not None
    assert (result.fault.origin, result.fault.retryable, result.fault.code) == ("http", True, None)
    assert "Bad Gateway" in result.fault.message


# -- HTTPS only --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.flickr.com/services/",
        "http://localhost.example.com/services/",
        "http://10.0.0.1/services/",
        "ftp://api.flickr.com/services/",
    ],
)
def test_plain_http_to_a_remote_host_is_refused(base_url: str) -> None:
    with pytest.raises(InsecureURLError, match="https"):
        Client(base_url=base_url)
    assert issubclass(InsecureURLError, ValueError)


@pytest.mark.parametrize(
    ("base_url", "endpoint"),
    [
        ("http://127.0.0.1:8000/services/", "http://127.0.0.1:8000/services/rest/"),
        ("http://[::1]:8000/services/", "http://[::1]:8000/services/rest/"),
        ("http://localhost:8000/services/", "http://localhost:8000/services/rest/"),
        ("https://flickr.example.org/api", "https://flickr.example.org/api/rest/"),
    ],
)
def test_loopback_http_and_any_https_are_allowed(base_url: str, endpoint: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=OK_JSON)

    client = mock_client(handler, base_url=base_url)
    assert client.call("flickr.test.echo").ok
    assert seen == [endpoint]


# -- network failures ---------------------------------------------------------------------

NETWORK_ERRORS = [
    httpx.ConnectError("[Errno 111] Connection refused"),
    httpx.ConnectTimeout("timed out while connecting"),
    httpx.ReadTimeout("timed out while reading"),
    httpx.ReadError("connection reset by peer"),
    httpx.RemoteProtocolError("server disconnected without sending a response"),
]


def assert_network_fault(result: Result, transport: str = "rest", codec: str = "json") -> None:
    assert not result.ok
    assert result.method == "flickr.groups.leave"
    assert (result.transport, result.codec) == (transport, codec)
    assert result.http_status is None
    assert result.payload == {}
    assert result.raw == b""
    assert result.fault is not None
    assert result.fault.origin == "network"
    assert result.fault.code is None
    assert result.fault.retryable is True


@pytest.mark.parametrize("error", NETWORK_ERRORS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_network_errors_become_network_faults(error: httpx.HTTPError, transport: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    result = mock_client(handler, transport).call("flickr.groups.leave", group_id="1@N01")
    assert_network_fault(result, transport)
    with pytest.raises(NetworkError) as info:
        result.raise_for_fault()
    assert isinstance(info.value, TransportError)
    assert info.value.__cause__ is error
    assert info.value.fault is result.fault


def test_a_refused_loopback_connection_is_a_network_fault() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with Client(credentials=CREDS, base_url=f"http://127.0.0.1:{port}/services/") as client:
        result = client.call("flickr.groups.leave", group_id="1@N01")
    assert_network_fault(result)
    with pytest.raises(NetworkError) as info:
        result.raise_for_fault()
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_a_server_that_never_answers_times_out_as_a_network_fault() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # the kernel accepts the connection; nobody ever answers
        port = listener.getsockname()[1]
        base_url = f"http://127.0.0.1:{port}/services/"
        with Client(credentials=CREDS, base_url=base_url, timeout=0.3) as client:
            result = client.call("flickr.groups.leave", group_id="1@N01")
    assert_network_fault(result)
    assert result.fault is not None and "timed out" in result.fault.message
    with pytest.raises(NetworkError) as info:
        result.raise_for_fault()
    assert isinstance(info.value.__cause__, httpx.TimeoutException)


# -- body size limits ----------------------------------------------------------------------


class CountingStream(httpx.SyncByteStream):
    """``count`` chunks of ``size`` bytes of valid-JSON padding, counting what was pulled."""

    def __init__(self, count: int, size: int = 100) -> None:
        self.count = count
        self.size = size
        self.pulled = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for index in range(self.count):
            self.pulled += 1
            yield (b'{"stat":"ok"' if index == 0 else b"") + b" " * self.size

    def close(self) -> None:
        self.closed = True


def assert_oversize_fault(result: Result) -> None:
    assert not result.ok
    assert result.fault is not None
    assert result.fault.origin == "decode"
    assert result.fault.retryable is False
    assert "1000" in result.fault.message
    assert result.http_status == 200


def test_a_declared_oversize_body_is_not_read() -> None:
    stream = CountingStream(50)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "5000"}, stream=stream)

    result = mock_client(handler, max_body=1000).call("flickr.groups.leave", group_id="1@N01")
    assert_oversize_fault(result)
    assert stream.pulled == 0
    assert stream.closed


def test_an_undeclared_oversize_stream_is_cut_short() -> None:
    stream = CountingStream(50)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=stream)

    result = mock_client(handler, max_body=1000).call("flickr.groups.leave", group_id="1@N01")
    assert_oversize_fault(result)
    assert stream.pulled <= 11, "reading stops at the first chunk past the limit"
    assert stream.closed


def test_an_undeclared_stream_within_the_limit_is_decoded() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        chunks = iter([b'{"stat":', b'"ok","a":', b'{"_content":"b"}}'])
        response = httpx.Response(200, content=chunks)
        assert "content-length" not in response.headers
        return response

    result = mock_client(handler, max_body=1000).call("flickr.test.echo")
    assert result.ok
    assert result.payload == {"a": {"_content": "b"}}
    assert result.raw == b'{"stat":"ok","a":{"_content":"b"}}'


def test_a_compressed_body_is_limited_by_its_decoded_size() -> None:
    # Content-Length counts the gzip bytes (about 60 here); the limit is on what we decode.
    body = b'{"stat":"ok"' + b" " * 5000 + b"}"
    packed = gzip.compress(body)
    assert len(packed) < 1000

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        return httpx.Response(200, headers=headers, content=packed)

    result = mock_client(handler, max_body=1000).call("flickr.groups.leave", group_id="1@N01")
    assert_oversize_fault(result)


def test_a_chunked_gzip_answer_is_decoded() -> None:
    # httpx asks for gzip by default; an answer without Content-Length streams compressed.
    packed = gzip.compress(b'{"stat":"ok","a":{"_content":"b"}}')

    def handler(request: httpx.Request) -> httpx.Response:
        chunks = iter([packed[:10], packed[10:]])
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=chunks)

    result = mock_client(handler).call("flickr.test.echo")
    assert result.ok
    assert result.payload == {"a": {"_content": "b"}}
    assert result.raw == b'{"stat":"ok","a":{"_content":"b"}}'


# -- who owns the HTTP client -----------------------------------------------------------------


def test_an_injected_http_client_is_left_open() -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    with Client(credentials=CREDS, http_client=http) as client:
        assert client.http is http
    assert not http.is_closed
    client.close()
    assert not http.is_closed
    http.close()


def test_an_owned_http_client_is_closed() -> None:
    client = Client(credentials=CREDS)
    assert not client.http.is_closed
    client.close()
    assert client.http.is_closed
    with Client() as other:
        pass
    assert other.http.is_closed


def test_a_default_timeout_is_set_and_can_be_changed() -> None:
    # As documented: 30 s, 10 s to connect (by value: comparing with the constant the
    # client reads would pass whatever the constant said).
    with Client() as client:
        timeout = client.http.timeout
        assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (10, 30, 30, 30)
    with Client(timeout=0.3) as quick:
        assert quick.http.timeout == httpx.Timeout(0.3)


# -- found in review: redirects, look-alike loopback names, lying Content-Encoding -----------


def test_a_redirect_is_not_followed_even_when_the_http_client_would() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.scheme == "https":
            return httpx.Response(307, headers={"location": "http://evil.example/services/soap/"})
        return httpx.Response(200, content=b'{"stat":"ok"}')

    http = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    creds = Credentials("key-x", "secret-x", "token-x", "token-secret-x")
    result = Client("soap", "json", creds, http_client=http).groups.leave(group_id="1@N01")
    assert seen == ["https://api.flickr.com/services/soap/"]
    assert result.fault is not None and (result.fault.origin, result.http_status) == ("http", 307)


def test_a_name_under_localhost_is_not_taken_for_loopback() -> None:
    with pytest.raises(InsecureURLError):
        Client(base_url="http://evil.localhost/services/")


def test_a_body_that_lies_about_its_compression_is_a_decode_fault() -> None:
    class Lying(httpx.SyncByteStream):  # read off the wire, as a real transport's body is
        def __iter__(self) -> Iterator[bytes]:
            yield b"notgzip"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Lying(), headers={"content-encoding": "gzip"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    result = Client("rest", "json", http_client=http).call("flickr.test.echo")
    fault = result.fault
    assert fault is not None
    assert (fault.origin, result.http_status, fault.retryable) == ("decode", 200, False)
