"""``Client`` and ``AsyncClient``: pick a transport and codec, sign, send, decode.

Both are thin shells around the same sans-IO pieces and differ by one ``await``. Nothing
a server or the network does raises: every outcome is a :class:`Result`.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Mapping
from typing import Any, cast
from urllib.parse import urlsplit

import anyio
import httpx

from . import transports
from .asynchttp import ShortPath, default_async_http, plain_sender
from .auth import Credentials, Signer, SigningMode, new_nonce, now
from .call import Call
from .codecs import CODECS
from .decoding import MAX_BODY_BYTES
from .dotted import AsyncMethods, SyncMethods
from .exchange import (
    Body,
    Deadline,
    DeadlineExceeded,
    bound_by_deadlines,
    deadline_fault,
    deadline_transport,
    read_already,
    send_direct,
    total_seconds,
)
from .printable import printable
from .result import Fault, Result, TypedResult, failure, typed
from .retry import RetryPolicy
from .transports.base import DecodingTransport, Outgoing
from .watchdog import Watchdog, watchdog

#: A result and the response's headers (for Retry-After), None when no response arrived.
Answer = tuple[Result, Mapping[str, str] | None]

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
    if isinstance(exc, DeadlineExceeded):
        return deadline_fault(exc)
    said = printable(str(exc))  # h11 quotes a garbage status line as bytearray(b'...')
    if isinstance(exc, httpx.TimeoutException):
        return Fault(None, f"timed out ({type(exc).__name__})", "network", True, exc)
    if isinstance(exc, httpx.ConnectError):
        return Fault(None, f"could not connect: {said}", "network", True, exc)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)):
        return Fault(None, f"connection broken: {said}", "network", True, exc)
    return Fault(None, f"{type(exc).__name__}: {said}", "network", False, exc)


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


def _oversize(response: httpx.Response, max_body: int) -> bool:
    """Whether the Content-Length alone is over the limit. Every body is read through the
    limit anyway: a compressed body's Content-Length says nothing of the size it unpacks
    to, and a chunked one has none."""
    length = response.headers.get("content-length")
    return length is not None and length.isdigit() and int(length) > max_body


def undecodable(exc: httpx.DecodingError) -> Fault:
    """A response arrived but its body could not be decompressed."""
    return Fault(None, f"body could not be decoded: {printable(str(exc))}", "decode", False, exc)


def _httpx_codings() -> frozenset[str]:
    try:  # what this httpx can undo: br and zstd only with their optional packages
        from httpx._decoders import SUPPORTED_DECODERS
    except ImportError:  # pragma: no cover - a future httpx; the three it always had
        return frozenset({"identity", "gzip", "deflate"})
    return frozenset(SUPPORTED_DECODERS)


#: Content codings the HTTP layer undoes.
SUPPORTED_CODINGS = _httpx_codings()


def unsupported_coding(headers: httpx.Headers) -> Fault | None:
    """A decode fault when a Content-Encoding cannot be undone here.

    httpx passes a coding it does not know through untouched (``br`` without brotli,
    anything unknown), so compressed bytes would be read as the answer itself.
    """
    for value in headers.get_list("content-encoding", split_commas=True):
        coding = value.strip().lower()
        if coding and coding not in SUPPORTED_CODINGS:
            message = f"body has Content-Encoding {coding[:40]!r}, which cannot be undone here"
            return Fault(None, message, "decode", False)
    return None


class _Base:
    """What both clients share: configuration, building requests, reading answers."""

    def __init__(  # the clients pass every option: the defaults are theirs
        self,
        transport: str,
        codec: str,
        credentials: Credentials | None,
        *,
        base_url: str,
        signing: SigningMode,
        max_body: int,
        nonce: Callable[[], str],
        clock: Callable[[], int],
        retry: RetryPolicy | None,
    ) -> None:
        if codec not in CODECS:
            raise ValueError(f"unknown codec {codec!r}; known: {', '.join(CODECS)}")
        self.transport = transports.get(transport)
        self.codec = codec
        self.base_url = check_base_url(base_url)
        self.signer = Signer(credentials, signing, nonce=nonce, clock=clock)
        self.max_body = max_body
        self.retry = retry
        #: The total deadline of a call, retries included (seconds; None: none).
        self.deadline: float | None = None

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(transport={self.transport.name!r}, codec={self.codec!r}, "
            f"base_url={self.base_url!r}, signing={self.signer.mode!r})"
        )

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

    def _closed(self, call: Call) -> Result:
        # httpx would raise RuntimeError; a call on a closed client is an outcome too.
        message = "not sent: the HTTP client is closed (close() was called on it)"
        return self._fail(call, Fault(None, message, "network", False), None)

    def _oversize(self, call: Call, response: httpx.Response, raw: bytes = b"") -> Result:
        message = f"response body exceeds the {self.max_body}-byte limit; not read"
        return self._fail(call, Fault(None, message, "decode", False), response.status_code, raw)

    def _refused(self, call: Call, response: httpx.Response) -> Answer | None:
        """An answer refused before its body is read: too long, or encoded past undoing."""
        if _oversize(response, self.max_body):
            return self._oversize(call, response), None
        fault = unsupported_coding(response.headers)
        if fault is not None:
            return self._fail(call, fault, response.status_code), None
        return None

    def _finish(self, call: Call, response: httpx.Response, body: bytes) -> Answer:
        """Decode the body read from ``response``. Our transports decode the bytes with
        the response's status and headers (only its Content-Type is read); any other
        transport gets a response holding the body as read (see :func:`unframed`)."""
        headers = response.headers
        transport = self.transport
        if isinstance(transport, DecodingTransport) and transport.decodes_plainly:
            return transport.decode_body(
                body, response.status_code, headers, call, self.codec
            ), headers
        reread = unframed(response, body)
        return transport.parse_response(reread, call, self.codec), reread.headers

    def _wait(self, call: Call, answer: Answer, tries: int, deadline: Deadline) -> float | None:
        """Seconds to wait before the next try, or None: no retry policy, no retry due, or
        the wait would end past the call's deadline (which covers the retries too)."""
        result, headers = answer
        if self.retry is None or result.ok:
            return None
        retry_after = headers.get("retry-after") if headers is not None else None
        wait = self.retry.delay(call, result, tries, retry_after)
        return wait if wait is not None and deadline.allows(wait) else None


class Client(_Base, SyncMethods):
    """A synchronous Flickr client: ``Client(transport="soap", codec="json", ...)``.

    Every catalogue method is a dotted call: ``client.groups.leave(group_id="...")``.

    ``transport``: ``"rest"``, ``"xmlrpc"``, ``"soap"`` or a plugin's name; ``codec``:
    ``"json"`` or ``"xml"``; ``credentials``: a :class:`Credentials`, or None for unsigned
    calls. Keyword options: ``http_client`` (an injected ``httpx.Client``; without one the
    client makes its own with ``timeout`` and closes it), ``base_url`` (HTTPS, or HTTP on
    loopback only), ``signing`` (``"auto"``, ``"oauth"``, ``"legacy"``, ``"key"``,
    ``"none"``), ``max_body`` (the most bytes of a body read), ``nonce`` and ``clock``
    (for repeatable signatures), ``retry`` (a :class:`RetryPolicy`; None, the default,
    never retries). To hear of each retry, give the policy a hook,
    ``RetryPolicy(on_retry=...)``: ``on_retry`` is not a client option. An unknown option
    is a ``TypeError``.
    """

    def __init__(
        self,
        transport: str = "rest",
        codec: str = "json",
        credentials: Credentials | None = None,
        *,
        http_client: httpx.Client | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        base_url: str = DEFAULT_BASE_URL,
        signing: SigningMode = "auto",
        max_body: int = MAX_BODY_BYTES,
        nonce: Callable[[], str] = new_nonce,
        clock: Callable[[], int] = now,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(
            transport,
            codec,
            credentials,
            base_url=base_url,
            signing=signing,
            max_body=max_body,
            nonce=nonce,
            clock=clock,
            retry=retry,
        )
        self._owns_http = http_client is None
        self.deadline = total_seconds(timeout)
        if http_client is None:
            http_client = httpx.Client(timeout=timeout, transport=deadline_transport())
        else:
            bound_by_deadlines(http_client)
        self.http = http_client

    def call(self, method: str, **params: Any) -> TypedResult:
        """Call ``method`` with ``params`` (checked against the catalogue)."""
        return typed(self.send(Call.build(method, params)))

    def send(self, call: Call) -> Result:
        """Send a prepared (unchecked) call, retrying as the retry policy allows."""
        if self.http.is_closed:
            return self._closed(call)
        deadline = Deadline(self.deadline)
        tries = 1
        answer = self._send_once(call, deadline)
        while (wait := self._wait(call, answer, tries, deadline)) is not None:
            time.sleep(wait)
            tries += 1
            answer = self._send_once(call, deadline)
        return answer[0]

    def _send_once(self, call: Call, deadline: Deadline) -> Answer:
        request = self.build_request(call)
        status: int | None = None
        token = deadline.enter()
        try:
            timeouts = deadline.bound(request, self.http.timeout)
            # Flickr's API does not redirect; a 3xx comes back as an "http" fault rather
            # than a signed request re-sent to wherever it points (perhaps plain HTTP).
            response = send_direct(self.http, request)
            status = response.status_code
            try:
                refused = self._refused(call, response)
                if refused is not None:
                    return refused
                body = Body(self.max_body, deadline, request, timeouts)
                ready = read_already(response)
                if not body.read(response.iter_bytes() if ready is None else (ready,)):
                    return self._oversize(call, response), None
            finally:
                response.close()
        except httpx.DecodingError as exc:  # a body whose Content-Encoding lies
            return self._fail(call, undecodable(exc), status), None
        except httpx.HTTPError as exc:
            return self._fail(call, network_fault(exc), None), None
        finally:
            deadline.leave(token)
        return self._finish(call, response, body.take())

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClient(_Base, AsyncMethods):
    """The asynchronous twin of :class:`Client`: the same calls, awaited.

    The options are :class:`Client`'s, with an ``httpx.AsyncClient`` as ``http_client``;
    ``on_retry`` belongs to the :class:`RetryPolicy` given as ``retry``.
    """

    def __init__(
        self,
        transport: str = "rest",
        codec: str = "json",
        credentials: Credentials | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        base_url: str = DEFAULT_BASE_URL,
        signing: SigningMode = "auto",
        max_body: int = MAX_BODY_BYTES,
        nonce: Callable[[], str] = new_nonce,
        clock: Callable[[], int] = now,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(
            transport,
            codec,
            credentials,
            base_url=base_url,
            signing=signing,
            max_body=max_body,
            nonce=nonce,
            clock=clock,
            retry=retry,
        )
        self._owns_http = http_client is None
        self.deadline = total_seconds(timeout)
        self.http = http_client if http_client is not None else default_async_http(timeout)
        self._plain = plain_sender(self.http, http_client is None, self.transport)
        self._watchdog: Watchdog | None = None
        if type(self).build_request is not _Base.build_request:  # a subclass builds its own
            self._plain = None

    async def call(self, method: str, **params: Any) -> TypedResult:
        """Call ``method`` with ``params`` (checked against the catalogue)."""
        return typed(await self.send(Call.build(method, params)))

    async def send(self, call: Call) -> Result:
        """Send a prepared (unchecked) call, retrying as the retry policy allows."""
        if self.http.is_closed:
            return self._closed(call)
        deadline = Deadline(self.deadline)
        tries = 1
        answer = await self._send_once(call, deadline)
        while (wait := self._wait(call, answer, tries, deadline)) is not None:
            await anyio.sleep(wait)
            tries += 1
            answer = await self._send_once(call, deadline)
        return answer[0]

    def _outgoing(self, call: Call) -> httpx.Request | Outgoing:
        """The request for ``call``: only its parts when the short path of the client's own
        HTTP client sends them (no ``httpx.Request`` built), else the ``httpx.Request``."""
        plain = self._plain
        if plain is not None and plain.http is self.http and plain.transport is self.transport:
            post = plain.build(call, self.codec, self.signer, self.base_url)
            if post is not None:
                return post
        return self.build_request(call)

    async def _send_once(self, call: Call, deadline: Deadline) -> Answer:
        request = self._outgoing(call)
        try:
            # Cancellation ends any await at the deadline, a dribbled header included.
            left = deadline.left()
            dog = self._watchdog = watchdog(self._watchdog)
            if dog is None:  # not on asyncio (trio, say): anyio's cancel scope
                with anyio.fail_after(left):
                    return await self._exchange(call, request, deadline)
            if left is None:
                return await self._exchange(call, request, deadline)
            with dog.guard(left):  # one timer per loop, not one per call as asyncio.timeout
                return await self._exchange(call, request, deadline)
        except TimeoutError:
            late = DeadlineExceeded(f"no complete answer within {deadline.seconds:g} s")
            return self._fail(call, deadline_fault(late), None), None

    async def _exchange(
        self, call: Call, outgoing: httpx.Request | Outgoing, deadline: Deadline
    ) -> Answer:
        status: int | None = None
        try:
            # Flickr's API does not redirect; a 3xx comes back as an "http" fault rather
            # than a signed request re-sent to wherever it points (perhaps plain HTTP).
            if isinstance(outgoing, Outgoing):  # the short path (see _outgoing)
                plain = cast(ShortPath, self._plain)
                sent = await plain.send(outgoing, deadline, self.max_body)
                if isinstance(sent, tuple):  # read whole, within max_body
                    status, headers, raw = sent
                    reader = cast(DecodingTransport, self.transport)
                    return reader.decode_body(raw, status, headers, call, self.codec), headers
                response = sent
                request = response.request
                timeouts: dict[str, Any] = request.extensions["timeout"]
            else:
                request = outgoing
                timeouts = deadline.bound(request, self.http.timeout)
                response = await self.http.send(request, stream=True, follow_redirects=False)
            status = response.status_code
            try:
                refused = self._refused(call, response)
                if refused is not None:
                    return refused
                body = Body(self.max_body, deadline, request, timeouts)
                ready = read_already(response)
                if ready is not None:
                    if not body.add(ready):
                        return self._oversize(call, response), None
                else:
                    async for chunk in response.aiter_bytes():
                        if not body.add(chunk):
                            return self._oversize(call, response), None
            finally:
                await response.aclose()
        except httpx.DecodingError as exc:  # a body whose Content-Encoding lies
            return self._fail(call, undecodable(exc), status), None
        except httpx.HTTPError as exc:
            return self._fail(call, network_fault(exc), None), None
        return self._finish(call, response, body.take())

    async def aclose(self) -> None:
        if self._owns_http:
            await self.http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
