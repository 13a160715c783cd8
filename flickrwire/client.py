"""``Client`` and ``AsyncClient``: pick a transport and codec, sign, send, decode.

Both are thin shells around the same sans-IO pieces and differ by one ``await``. Nothing
a server or the network does raises: every outcome is a :class:`Result`.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies

import anyio
import httpx

from . import transports
from .auth import Credentials, Signer, SigningMode, new_nonce, now
from .call import Call
from .codecs import CODECS
from .decoding import MAX_BODY_BYTES
from .result import Fault, Result, failure
from .retry import RetryPolicy

#: A result and the response's headers (for Retry-After), None when no response arrived.
Answer = tuple[Result, httpx.Headers | None]

DEFAULT_BASE_URL = "https://api.flickr.com/services/"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class InsecureURLError(ValueError):
    """A plain-HTTP base URL for a host that is not loopback (Flickr requires HTTPS)."""


def check_base_url(base_url: str) -> str:
    """Return ``base_url`` if it is HTTPS, or HTTP on a loopback host; raise otherwise."""
    parts = urlsplit(base_url)
    if parts.scheme == "https":
        return base_url
    if parts.scheme != "http":
        raise InsecureURLError(f"base URL must be https:// (got scheme {parts.scheme!r})")
    host = (parts.hostname or "").lower()
    if host == "localhost" or _is_loopback(host):
        return base_url
    raise InsecureURLError(
        f"plain HTTP is allowed only for loopback hosts, not {host!r}; use https://"
    )


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def network_fault(exc: httpx.HTTPError) -> Fault:
    """Translate an httpx failure at the seam; the exception is kept for chaining."""
    if isinstance(exc, httpx.TimeoutException):
        return Fault(None, f"timed out ({type(exc).__name__})", "network", True, exc)
    if isinstance(exc, httpx.ConnectError):
        return Fault(None, f"could not connect: {exc}", "network", True, exc)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return Fault(None, f"connection broken: {exc}", "network", True, exc)
    return Fault(None, f"{type(exc).__name__}: {exc}", "network", False, exc)


#: Headers about how a body travelled, wrong once the body has been read and decoded.
FRAMING_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def unframed(
    response: httpx.Response, body: bytes, request: httpx.Request | None = None
) -> httpx.Response:
    """A response holding ``body`` as read (decompressed, de-chunked), framing headers gone."""
    headers = [
        (k, v) for k, v in response.headers.multi_items() if k.lower() not in FRAMING_HEADERS
    ]
    extensions = {
        k: v for k, v in response.extensions.items() if k in ("http_version", "reason_phrase")
    }
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=request if request is not None else response.request,
        extensions=extensions,
    )


def _reading(response: httpx.Response, max_body: int) -> str:
    """How to read a body: ``"oversize"`` (its Content-Length is over the limit),
    ``"read"`` (an uncompressed body of known length, checked: read it at once) or
    ``"stream"`` (through the limit: a compressed body's Content-Length says nothing of the
    size it unpacks to, and a chunked one has none)."""
    headers = response.headers
    length = headers.get("content-length")
    if length is None:
        return "stream"
    if length.isdigit() and int(length) > max_body:
        return "oversize"
    return "read" if headers.get("content-encoding", "identity") in ("identity", "") else "stream"


def undecodable(exc: httpx.DecodingError) -> Fault:
    """A response arrived but its body could not be decompressed."""
    return Fault(None, f"body could not be decoded: {exc}", "decode", False, exc)


class _Limit:
    """Collects body chunks and says when they pass the size limit."""

    __slots__ = ("max", "parts", "size")

    def __init__(self, maximum: int) -> None:
        self.max = maximum
        self.parts: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> bool:
        self.size += len(chunk)
        self.parts.append(chunk)
        return self.size <= self.max

    def body(self) -> bytes:
        return b"".join(self.parts)


class _Namespace:
    """``client.groups.leave(...)``: attribute access builds the dotted method name."""

    __slots__ = ("_client", "_name")

    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self._name = name

    def __getattr__(self, part: str) -> _Namespace:
        if part.startswith("_"):
            raise AttributeError(part)
        return _Namespace(self._client, f"{self._name}.{part}")

    def __call__(self, **params: Any) -> Any:
        return self._client.call(self._name, **params)

    def __repr__(self) -> str:
        return f"<flickr method namespace {self._name}>"


class _Base:
    """What both clients share: configuration, building requests, reading answers."""

    def __init__(
        self,
        transport: str = "rest",
        codec: str = "json",
        credentials: Credentials | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        signing: SigningMode = "auto",
        max_body: int = MAX_BODY_BYTES,
        nonce: Any = new_nonce,
        clock: Any = now,
        retry: RetryPolicy | None = None,
    ) -> None:
        if codec not in CODECS:
            raise ValueError(f"unknown codec {codec!r}; known: {', '.join(CODECS)}")
        self.transport = transports.get(transport)
        self.codec = codec
        self.base_url = check_base_url(base_url)
        self.signer = Signer(credentials, signing, nonce=nonce, clock=clock)
        self.max_body = max_body
        self.retry = retry

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(transport={self.transport.name!r}, codec={self.codec!r}, "
            f"base_url={self.base_url!r}, signing={self.signer.mode!r})"
        )

    def __getattr__(self, name: str) -> _Namespace:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Namespace(self, f"flickr.{name}")

    def build_request(self, call: Call) -> httpx.Request:
        return self.transport.build_request(call, self.codec, self.signer, self.base_url)

    def _fail(self, call: Call, fault: Fault, status: int | None, raw: bytes = b"") -> Result:
        return failure(
            call.method,
            fault,
            transport=self.transport.name,
            codec=self.codec,
            status=status,
            raw=raw,
        )

    def _oversize(self, call: Call, response: httpx.Response, raw: bytes = b"") -> Result:
        message = f"response body exceeds the {self.max_body}-byte limit; not read"
        return self._fail(call, Fault(None, message, "decode", False), response.status_code, raw)

    def _finish(self, call: Call, response: httpx.Response) -> Answer:
        return self.transport.parse_response(response, call, self.codec), response.headers

    def _wait(self, call: Call, answer: Answer, tries: int) -> float | None:
        result, headers = answer
        if self.retry is None or result.ok:
            return None
        retry_after = headers.get("retry-after") if headers is not None else None
        return self.retry.delay(call, result, tries, retry_after)


class Client(_Base):
    """A synchronous Flickr client: ``Client(transport="soap", codec="json", ...)``."""

    def __init__(
        self,
        transport: str = "rest",
        codec: str = "json",
        credentials: Credentials | None = None,
        *,
        http_client: httpx.Client | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        **options: Any,
    ) -> None:
        super().__init__(transport, codec, credentials, **options)
        self._owns_http = http_client is None
        self.http = http_client if http_client is not None else httpx.Client(timeout=timeout)

    def call(self, method: str, **params: Any) -> Result:
        """Call ``method`` with ``params`` (checked against the catalogue)."""
        return self.send(Call.build(method, params))

    def send(self, call: Call) -> Result:
        """Send a prepared (unchecked) call, retrying as the retry policy allows."""
        tries = 1
        answer = self._send_once(call)
        while (wait := self._wait(call, answer, tries)) is not None:
            time.sleep(wait)
            tries += 1
            answer = self._send_once(call)
        return answer[0]

    def _send_once(self, call: Call) -> Answer:
        request = self.build_request(call)
        status: int | None = None
        try:
            # Flickr's API does not redirect; a 3xx comes back as an "http" fault rather
            # than a signed request re-sent to wherever it points (perhaps plain HTTP).
            response = self.http.send(request, stream=True, follow_redirects=False)
            status = response.status_code
            try:
                how = _reading(response, self.max_body)
                if how == "oversize":
                    return self._oversize(call, response), None
                if how == "read":
                    response.read()
                else:
                    limit = _Limit(self.max_body)
                    for chunk in response.iter_bytes():
                        if not limit.add(chunk):
                            return self._oversize(call, response), None
                    response = unframed(response, limit.body())
            finally:
                response.close()
        except httpx.DecodingError as exc:  # a body whose Content-Encoding lies
            return self._fail(call, undecodable(exc), status), None
        except httpx.HTTPError as exc:
            return self._fail(call, network_fault(exc), None), None
        return self._finish(call, response)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def default_async_http(timeout: httpx.Timeout | float) -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` an ``AsyncClient`` makes for itself: sending through aiohttp
    when it is installed (``flickrwire[fast]``; httpx's own pool loses throughput as calls
    in flight grow, see ``flickrwire.aio``), through httpx's pool otherwise, and also when
    proxy environment variables are set (httpx honours them; the aiohttp transport does not).
    """
    if not {"http", "https", "all"} & getproxies().keys():  # NO_PROXY alone changes nothing
        try:
            from .aio import AiohttpClient
        except ImportError:  # aiohttp is not installed
            pass
        else:
            return AiohttpClient(timeout=timeout)
    return httpx.AsyncClient(timeout=timeout)


class AsyncClient(_Base):
    """The asynchronous twin of :class:`Client`: the same calls, awaited."""

    def __init__(
        self,
        transport: str = "rest",
        codec: str = "json",
        credentials: Credentials | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        **options: Any,
    ) -> None:
        super().__init__(transport, codec, credentials, **options)
        self._owns_http = http_client is None
        self.http = http_client if http_client is not None else default_async_http(timeout)

    async def call(self, method: str, **params: Any) -> Result:
        return await self.send(Call.build(method, params))

    async def send(self, call: Call) -> Result:
        """Send a prepared (unchecked) call, retrying as the retry policy allows."""
        tries = 1
        answer = await self._send_once(call)
        while (wait := self._wait(call, answer, tries)) is not None:
            await anyio.sleep(wait)
            tries += 1
            answer = await self._send_once(call)
        return answer[0]

    async def _send_once(self, call: Call) -> Answer:
        request = self.build_request(call)
        status: int | None = None
        try:
            # Flickr's API does not redirect; a 3xx comes back as an "http" fault rather
            # than a signed request re-sent to wherever it points (perhaps plain HTTP).
            response = await self.http.send(request, stream=True, follow_redirects=False)
            status = response.status_code
            try:
                how = _reading(response, self.max_body)
                if how == "oversize":
                    return self._oversize(call, response), None
                if how == "read":
                    await response.aread()
                else:
                    limit = _Limit(self.max_body)
                    async for chunk in response.aiter_bytes():
                        if not limit.add(chunk):
                            return self._oversize(call, response), None
                    response = unframed(response, limit.body())
            finally:
                await response.aclose()
        except httpx.DecodingError as exc:  # a body whose Content-Encoding lies
            return self._fail(call, undecodable(exc), status), None
        except httpx.HTTPError as exc:
            return self._fail(call, network_fault(exc), None), None
        return self._finish(call, response)

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
