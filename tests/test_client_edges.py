"""Client edges a mutation audit found loose, for both ``Client`` and ``AsyncClient``:
redirects are never followed, the body limit is exact (``max_body`` bytes are read,
one more is refused) whether the length is declared, streamed or compressed."""

from __future__ import annotations

import gzip
import http.server
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from flickrwire import (
    AsyncClient,
    Client,
    Credentials,
    Fault,
    InsecureURLError,
    Result,
    RetryPolicy,
)
from flickrwire.client import unframed

CREDS = Credentials("key-x", "secret-x", "token-x", "token-secret-x")
LIMIT = 1000


def ok_body(size: int) -> bytes:
    """A valid JSON success of exactly ``size`` bytes."""
    head, tail = b'{"stat":"ok","a":{"_content":"', b'"}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def answer(how: str, body: bytes, *, is_async: bool = False) -> httpx.Response:
    """``body`` with a declared length, as chunks without one, or gzipped."""
    if how == "declared":
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
    if how == "gzip":
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/json"}
        return httpx.Response(200, content=gzip.compress(body), headers=headers)
    pieces = [body[i : i + 97] for i in range(0, len(body), 97)]
    if is_async:

        async def chunks() -> AsyncIterator[bytes]:
            for piece in pieces:
                yield piece

        return httpx.Response(200, content=chunks())

    def sync_chunks() -> Iterator[bytes]:
        yield from pieces

    return httpx.Response(200, content=sync_chunks())


def check_limit(result: Result, size: int, body: bytes) -> None:
    if size <= LIMIT:
        assert result.ok, result.fault
        assert result.raw == body
        assert result.payload["a"]["_content"] == "x" * (size - 33)
    else:
        assert result.fault is not None
        assert (result.fault.origin, result.fault.retryable) == ("decode", False)
        assert f"exceeds the {LIMIT}-byte limit" in result.fault.message
        assert result.http_status == 200


@pytest.mark.parametrize("how", ["declared", "streamed", "gzip"])
@pytest.mark.parametrize("size", [LIMIT - 1, LIMIT, LIMIT + 1])
def test_the_body_limit_is_exact(how: str, size: int) -> None:
    body = ok_body(size)
    assert len(body) == size
    http = httpx.Client(transport=httpx.MockTransport(lambda request: answer(how, body)))
    client = Client("rest", "json", CREDS, http_client=http, max_body=LIMIT)
    check_limit(client.call("flickr.test.echo"), size, body)


@pytest.mark.parametrize("how", ["declared", "streamed", "gzip"])
@pytest.mark.parametrize("size", [LIMIT - 1, LIMIT, LIMIT + 1])
async def test_the_async_body_limit_is_exact(how: str, size: int) -> None:
    body = ok_body(size)

    async def handler(request: httpx.Request) -> httpx.Response:
        return answer(how, body, is_async=True)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    client = AsyncClient("rest", "json", CREDS, http_client=http, max_body=LIMIT)
    check_limit(await client.call("flickr.test.echo"), size, body)


# -- redirects ---------------------------------------------------------------------------------

REDIRECTS = [301, 302, 303, 307, 308]


def redirecting(seen: list[str], status: int) -> httpx.Response:
    # The second hop, if any, would answer ok: a followed redirect would look like success.
    if len(seen) == 1:
        return httpx.Response(status, headers={"Location": "https://elsewhere.example/rest/"})
    return httpx.Response(200, content=b'{"stat":"ok"}')


def check_refused(result: Result, seen: list[str], status: int, transport: str) -> None:
    assert seen == [f"https://api.flickr.com/services/{transport}/"]
    assert result.fault is not None
    assert (result.ok, result.fault.origin, result.http_status) == (False, "http", status)


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
@pytest.mark.parametrize("status", REDIRECTS)
def test_client_does_not_follow_a_redirect(status: int, transport: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return redirecting(seen, status)

    http = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=True)
    result = Client(transport, "json", CREDS, http_client=http).groups.leave(group_id="1@N01")
    check_refused(result, seen, status, transport)


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
@pytest.mark.parametrize("status", REDIRECTS)
async def test_async_client_does_not_follow_a_redirect(status: int, transport: str) -> None:
    seen: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return redirecting(seen, status)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=True)
    client = AsyncClient(transport, "json", CREDS, http_client=http)
    check_refused(await client.groups.leave(group_id="1@N01"), seen, status, transport)


# -- what reaches the client from a real socket, and failures at the seam ---------------------


class _Answer(http.server.BaseHTTPRequestHandler):
    """A loopback server answering every POST with a JSON success of a known length."""

    body = b'{"stat":"ok","a":{"_content":"from a socket"}}'

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/services/"
    server.shutdown()
    server.server_close()


def test_a_body_of_known_length_is_read_from_a_socket(loopback: str) -> None:
    with Client("rest", "json", CREDS, base_url=loopback) as client:
        result = client.call("flickr.test.echo")
    assert (result.ok, result.payload) == (True, {"a": {"_content": "from a socket"}})
    assert result.raw == _Answer.body


async def test_a_body_of_known_length_is_read_from_a_socket_async(loopback: str) -> None:
    async with AsyncClient("rest", "json", CREDS, base_url=loopback) as client:
        result = await client.call("flickr.test.echo")
    assert (result.ok, result.payload) == (True, {"a": {"_content": "from a socket"}})


@pytest.mark.parametrize(
    "error",
    [httpx.UnsupportedProtocol("no such scheme"), httpx.TooManyRedirects("loop")],
    ids=["unsupported-protocol", "too-many-redirects"],
)
def test_other_http_errors_are_network_faults_not_retried(error: httpx.HTTPError) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    http_client = httpx.Client(transport=httpx.MockTransport(handler))
    result = Client("rest", "json", CREDS, http_client=http_client).call("flickr.test.echo")
    name = type(error).__name__
    assert result.fault == Fault(None, f"{name}: {error}", "network", False)
    assert result.http_status is None


def test_an_unframed_response_keeps_its_http_version_and_reason() -> None:
    extensions = {"http_version": b"HTTP/1.1", "reason_phrase": b"OK", "other": object()}
    response = httpx.Response(200, content=b"x", extensions=extensions)
    request = httpx.Request("POST", "https://api.flickr.com/")
    again = unframed(response, b"body", request)
    assert again.request is request
    assert again.extensions == {"http_version": b"HTTP/1.1", "reason_phrase": b"OK"}
    response.request = request
    assert unframed(response, b"body").request is request  # the response's own by default
    assert (again.http_version, again.reason_phrase, again.content) == ("HTTP/1.1", "OK", b"body")


@pytest.mark.parametrize("timeout", [0.3, httpx.Timeout(5.0, connect=1.0)])
async def test_a_timeout_given_is_the_one_used_by_both_clients(timeout: object) -> None:
    expected = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(0.3)
    with Client(timeout=timeout) as client:  # type: ignore[arg-type]
        assert client.http.timeout == expected
    async with AsyncClient(timeout=timeout) as aclient:  # type: ignore[arg-type]
        assert aclient.http.timeout == expected


@pytest.mark.parametrize(
    "base_url",
    ["ftp://127.0.0.1/services/", "file://localhost/services/", "ws://localhost/services/"],
)
def test_a_base_url_that_is_neither_https_nor_http_is_refused(base_url: str) -> None:
    with pytest.raises(InsecureURLError, match="must be https://"):
        Client(base_url=base_url)
    with pytest.raises(InsecureURLError, match="must be https://"):
        AsyncClient(base_url=base_url)


def test_the_reprs_name_the_call_and_the_client_not_the_secrets() -> None:
    client = Client("soap", "xml", CREDS, base_url="https://api.flickr.com/services/")
    assert repr(client.groups.leave) == "<flickr method flickr.groups.leave>"
    assert repr(client) == (
        "Client(transport='soap', codec='xml', "
        "base_url='https://api.flickr.com/services/', signing='oauth')"
    )
    assert repr(AsyncClient("rest", "json")).startswith("AsyncClient(transport='rest'")


async def test_async_retries_stop_after_the_attempts_allowed() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b'{"stat":"fail","code":105,"message":"busy"}')

    http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    policy = RetryPolicy(attempts=3, base=0.0, cap=0.0, jitter=False)
    client = AsyncClient("rest", "json", CREDS, http_client=http_client, retry=policy)
    result = await client.call("flickr.test.echo")
    assert (result.code, len(seen)) == (105, 3)


def test_an_unframed_response_drops_the_framing_headers() -> None:
    headers = {
        "Content-Encoding": "gzip",
        "Content-Length": "60",
        "Transfer-Encoding": "chunked",
        "Content-Type": "application/json",
    }
    response = httpx.Response(200, headers=headers, content=gzip.compress(b'{"stat":"ok"}'))
    again = unframed(response, b'{"stat":"ok"}', httpx.Request("POST", "https://x.example/"))
    assert dict(again.headers) == {"content-type": "application/json", "content-length": "13"}


async def test_async_retries_wait_as_the_policy_says(monkeypatch: pytest.MonkeyPatch) -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr("flickrwire.client.anyio.sleep", sleep)

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"stat":"fail","code":105,"message":"busy"}')

    http_client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    policy = RetryPolicy(attempts=3, base=0.5, cap=30.0, jitter=False)
    client = AsyncClient("rest", "json", CREDS, http_client=http_client, retry=policy)
    assert (await client.call("flickr.test.echo")).code == 105
    assert waited == [0.5, 1.0]
