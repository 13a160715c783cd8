"""An httpx transport that sends through aiohttp: ``AsyncClient``'s default when installed.

httpx's own async pool (httpcore) loses throughput as calls in flight grow: on a loopback
server, 50 and 200 concurrent calls went slower than 10 (issue 11, measured by
``bench/bench_async.py``), while ``aiohttp.ClientSession`` on the same server kept its
rate. This module keeps the public shape httpx's (an ``httpx.AsyncBaseTransport`` under an
``httpx.AsyncClient``) and hands the socket work to aiohttp:

- redirects are never followed here (httpx decides, and flickrwire asks it not to);
- bodies are not decompressed here: httpx decodes ``Content-Encoding`` itself, so the
  client's size limit still counts decoded bytes;
- httpx's per-request timeouts (``connect``, ``read``, ``pool``) become aiohttp's;
- TLS certificates are verified (aiohttp's default context);
- aiohttp failures become the matching ``httpx`` exceptions, raised ``from`` the original,
  so ``Client``'s network faults read the same whichever transport sent the call.

Install with ``pip install 'flickrwire[fast]'``. An ``http_client=`` passed to
``AsyncClient`` is used as given, whatever its transport.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx
from httpx import USE_CLIENT_DEFAULT
from yarl import URL

from .exchange import Deadline, DeadlineExceeded, log_request
from .headerlines import post_header_pairs
from .transports.base import Outgoing, endpoint_url, post_request

if TYPE_CHECKING:  # asynchttp picks this module lazily: no import at run time
    from .asynchttp import Sent

_log = logging.getLogger("httpx")  # httpx's own request log line, kept on the short path

#: Connections kept per transport, as httpx's default ``Limits(max_connections=100)``.
DEFAULT_LIMIT = 100
_CHUNK = 64 * 1024
#: Bodies up to this size, uncompressed and of declared length, are read at once.
_EAGER = 64 * 1024


class _translated:
    """aiohttp's failures as httpx's, chained, so callers need know only httpx.

    A class rather than a generator context manager: it runs twice per call, and a
    generator's setup costs several times a class's ``__enter__``/``__exit__``.
    """

    __slots__ = ("request",)

    def __init__(self, request: httpx.Request) -> None:
        self.request = request

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _: Any) -> None:
        if exc is None or not isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError)):
            return
        raise _as_httpx(exc, self.request) from exc


def _as_httpx(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception standing for an aiohttp failure (or a timeout)."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(f"connect timed out: {exc}", request=request)
    if isinstance(
        exc, (aiohttp.SocketTimeoutError, aiohttp.ServerTimeoutError, asyncio.TimeoutError)
    ):
        return httpx.ReadTimeout(f"read timed out: {exc}", request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc), request=request)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)):
        return httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request)
    if isinstance(exc, aiohttp.ClientOSError):
        return httpx.ReadError(str(exc), request=request)
    return httpx.TransportError(f"{type(exc).__name__}: {exc}", request=request)


class _Body(httpx.AsyncByteStream):
    """An aiohttp response body, read in chunks as httpx asks; closing releases it."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _translated(self._request):
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk

    async def aclose(self) -> None:
        self._response.release()


def _small_and_plain(response: aiohttp.ClientResponse, limit: int = _EAGER) -> bool:
    """An uncompressed body whose declared length is at most ``_EAGER`` bytes (and at
    most ``limit``)."""
    length = response.content_length
    encoding = response.headers.get("Content-Encoding", "identity")
    return (
        length is not None and length <= _EAGER and length <= limit and encoding in ("identity", "")
    )


def _http_version(response: aiohttp.ClientResponse) -> str:
    version = response.version or aiohttp.HttpVersion11
    return f"HTTP/{version.major}.{version.minor}"


async def _read_whole(response: aiohttp.ClientResponse, request: httpx.Request) -> bytes:
    """The body, read at once (its declared length bounds it), the connection released."""
    with _translated(request):
        try:
            return await response.read()
        finally:
            response.release()


def _within_deadline(request: httpx.Request, given: httpx.Timeout) -> aiohttp.ClientTimeout:
    """The phase timeouts that can end a call before its deadline does.

    ``Deadline.bound`` cut every phase of ``request`` to the time left; a phase it cut
    ends when the deadline ends, which the caller enforces: aiohttp need not arm a timer
    for it (one per read and one per connection taken from the pool).
    """
    found: dict[str, float | None] = request.extensions["timeout"]
    pool, connect, read = found["pool"], found["connect"], found["read"]
    return _phases(
        pool if pool == given.pool else None,
        connect if connect == given.connect else None,
        read if read == given.read else None,
    )


@lru_cache(maxsize=64)
def _phases(pool: float | None, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(total=None, connect=pool, sock_connect=connect, sock_read=read)


def _left_phases(given: httpx.Timeout, left: float | None) -> aiohttp.ClientTimeout:
    """:func:`_within_deadline` of a request that ``Deadline.bound`` gave ``left`` seconds:
    a phase is kept when it is set and no longer than the time left."""
    pool, connect, read = given.pool, given.connect, given.read
    if left is None:
        return _phases(pool, connect, read)
    return _phases(
        pool if pool is not None and pool <= left else None,
        connect if connect is not None and connect <= left else None,
        read if read is not None and read <= left else None,
    )


@lru_cache(maxsize=64)
def _yarl_of(url: str) -> URL:
    """An endpoint URL as aiohttp takes it, encoded as httpx encodes it."""
    return URL(str(endpoint_url(url)), encoded=True)


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout:
    found: dict[str, float | None] = request.extensions.get("timeout", {})
    return aiohttp.ClientTimeout(
        total=None,
        connect=found.get("pool"),
        sock_connect=found.get("connect"),
        sock_read=found.get("read"),
    )


def _under_asyncio() -> bool:
    """Whether an asyncio event loop runs this code (aiohttp needs one; trio is not one)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send httpx requests through one ``aiohttp.ClientSession``, made on first use.

    Outside an asyncio event loop (under trio, through anyio), where aiohttp cannot run,
    requests go through httpx's own transport instead, with the same connection limit.
    """

    def __init__(self, *, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None
        self._native: httpx.AsyncHTTPTransport | None = None
        #: The last URL sent to and its yarl form: a client sends to one endpoint, whose
        #: ``httpx.URL`` is one object (``transports.endpoint_url``), converted once.
        self._url: tuple[httpx.URL, URL] | None = None

    def _yarl(self, url: httpx.URL) -> URL:
        last = self._url
        if last is None or last[0] is not url:
            last = self._url = (url, URL(str(url), encoded=True))  # as httpx encoded it
        return last[1]

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limit)
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                trust_env=False,
                # Send the headers the httpx request carries, and no others: no cookie
                # either (httpx's own client keeps them, and adds them when it builds).
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
            )
        return self._session

    async def open(
        self, request: httpx.Request, timeout: aiohttp.ClientTimeout | None = None
    ) -> aiohttp.ClientResponse:
        """Send ``request``; the answer with its headers read and its body not yet. The
        timeouts are ``timeout``, or else those the request carries."""
        session = self._open()
        try:
            body = request.content  # built requests carry their body as bytes
        except httpx.RequestNotRead:
            body = await request.aread()
        headers = request.headers.multi_items()
        with _translated(request):
            return await session.request(
                request.method,
                self._yarl(request.url),
                data=body or None,
                headers=headers,
                allow_redirects=False,
                timeout=_timeout(request) if timeout is None else timeout,
            )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not _under_asyncio():
            if self._native is None:
                limits = httpx.Limits(max_connections=self._limit or None)
                self._native = httpx.AsyncHTTPTransport(limits=limits)
            return await self._native.handle_async_request(request)
        return await self.wrap(await self.open(request), request)

    async def wrap(
        self, response: aiohttp.ClientResponse, request: httpx.Request
    ) -> httpx.Response:
        """An opened answer as an ``httpx.Response``: its body read at once when small
        and plain, streamed otherwise."""
        extensions: dict[str, Any] = {
            "http_version": _http_version(response).encode(),
            "reason_phrase": (response.reason or "").encode("ascii", "replace"),
        }
        raw = list(response.raw_headers)
        if _small_and_plain(response):
            # Most Flickr answers: read at once, saving a stream per call. An uncompressed
            # body of at most _EAGER bytes cannot outgrow that once httpx reads it.
            content = await _read_whole(response, request)
            return httpx.Response(
                response.status, headers=raw, content=content, extensions=extensions
            )
        return httpx.Response(
            response.status,
            headers=raw,
            stream=_Body(response, request),
            extensions=extensions,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._native is not None:
            await self._native.aclose()
            self._native = None


class _Timed(httpx.AsyncByteStream):
    """A response stream that sets ``response.elapsed`` when closed, as httpx's does."""

    def __init__(self, stream: httpx.AsyncByteStream, response: httpx.Response, start: float):
        self._stream = stream
        self._response = response
        self._start = start

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        self._response.elapsed = timedelta(seconds=time.perf_counter() - self._start)
        await self._stream.aclose()


class AiohttpClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` over :class:`AiohttpTransport` whose ``send`` takes a short
    path when httpx's per-request layers have nothing to do: no redirects to follow, no
    auth, no event hooks. It then does what httpx's ``send`` does for such a request (the
    default timeout, the response's request and elapsed time, cookies when a
    ``Set-Cookie`` came, the log line, reading unless streaming) without the layers
    around it, which cost more CPU per call than the aiohttp send itself. Anything else
    goes through httpx's ``send`` unchanged.
    """

    def __init__(self, *, timeout: httpx.Timeout | float, limit: int = DEFAULT_LIMIT) -> None:
        self._aiohttp = AiohttpTransport(limit=limit)
        super().__init__(timeout=timeout, transport=self._aiohttp)

    def _short(self, auth: Any, follow_redirects: Any) -> bool:
        follows = (
            self.follow_redirects if follow_redirects is USE_CLIENT_DEFAULT else follow_redirects
        )
        hooks = self.event_hooks
        return (
            not follows
            and auth is USE_CLIENT_DEFAULT
            and self.auth is None
            and not hooks["request"]
            and not hooks["response"]
            and not self.is_closed
        )

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = USE_CLIENT_DEFAULT,
        follow_redirects: Any = USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        if not self._short(auth, follow_redirects):
            return await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        if "timeout" not in request.extensions:
            request.extensions = {**request.extensions, "timeout": self.timeout.as_dict()}
        start = time.perf_counter()
        response = await self._aiohttp.handle_async_request(request)
        return await self._sent(request, response, start, stream)

    async def _sent(
        self, request: httpx.Request, response: httpx.Response, start: float, stream: bool
    ) -> httpx.Response:
        """What httpx's ``send`` does with a response its transport gave."""
        response.request = request
        if response.is_stream_consumed:  # read at once by the transport
            response.elapsed = timedelta(seconds=time.perf_counter() - start)
        else:
            response.stream = _Timed(response.stream, response, start)  # type: ignore[arg-type]
        if "set-cookie" in response.headers:
            self.cookies.extract_cookies(response)
        log_request(request, response.http_version, response.status_code, response.reason_phrase)
        if not stream:
            try:
                await response.aread()
            finally:
                await response.aclose()
        return response

    async def send_plain(self, request: httpx.Request, max_body: int) -> Sent:
        """``send(request, stream=True, follow_redirects=False)``, or for most Flickr
        answers the answer itself, without an ``httpx.Response``: its status, headers and
        body, when the body is uncompressed, of declared length within both ``max_body``
        and ``_EAGER``, and no cookie came (read whole, as :class:`AiohttpTransport`
        reads it). Anything else, and a client whose hooks or auth ask for httpx's
        layers, gives the ``httpx.Response`` ``send`` gives.

        ``request`` must carry this client's timeouts cut to the time left by
        ``Deadline.bound``, and the caller must end the call at its deadline.
        """
        if not self._short(USE_CLIENT_DEFAULT, False) or not _under_asyncio():
            return await super().send(request, stream=True, follow_redirects=False)
        start = time.perf_counter()
        transport = self._aiohttp
        response = await transport.open(request, _within_deadline(request, self.timeout))
        headers = response.headers
        if _small_and_plain(response, max_body) and "Set-Cookie" not in headers:
            body = await _read_whole(response, request)
            if _log.isEnabledFor(logging.INFO):
                log_request(
                    request, _http_version(response), response.status, response.reason or ""
                )
            return response.status, headers, body
        wrapped = await transport.wrap(response, request)
        return await self._sent(request, wrapped, start, True)

    async def send_post(self, post: Outgoing, deadline: Deadline, max_body: int) -> Sent:
        """:meth:`send_plain` of ``post_request(*post)`` bound by ``deadline``, without
        building the ``httpx.Request`` when the answer is read whole: the same method, URL,
        headers and body go on the wire (:func:`post_headers`, lower-cased names as
        :meth:`AiohttpTransport.open` sends them). A request is built, as rarely as that,
        for a failure to raise, the log line, an answer to stream, and a POST that httpx
        would give headers of its own (an empty body).

        The caller must end the call at its deadline.
        """
        every = post_header_pairs(post)
        left = deadline.left()
        if (
            every is None
            or (left is not None and left <= 0)
            or not self._short(USE_CLIENT_DEFAULT, False)
            or not _under_asyncio()
        ):
            request = post_request(*post)
            deadline.bound(request, self.timeout)  # DeadlineExceeded when no time is left
            return await self.send_plain(request, max_body)
        start = time.perf_counter()
        try:
            response = await self._aiohttp._open().request(
                "POST",
                _yarl_of(post.url),
                data=post.body,
                headers=every,
                allow_redirects=False,
                timeout=_left_phases(self.timeout, left),
            )
            headers = response.headers
            if _small_and_plain(response, max_body) and "Set-Cookie" not in headers:
                try:
                    body = await response.read()
                finally:
                    response.release()
                if _log.isEnabledFor(logging.INFO):
                    log_request(
                        post_request(*post),
                        _http_version(response),
                        response.status,
                        response.reason or "",
                    )
                return response.status, headers, body
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise _as_httpx(exc, post_request(*post)) from exc
        return await self._streamed(post_request(*post), response, deadline, start)

    async def _streamed(
        self,
        request: httpx.Request,
        response: aiohttp.ClientResponse,
        deadline: Deadline,
        start: float,
    ) -> httpx.Response:
        """An answer not read whole by :meth:`send_post`, as :meth:`send_plain` gives it."""
        try:
            deadline.bound(request, self.timeout)
        except DeadlineExceeded:
            response.release()
            raise
        wrapped = await self._aiohttp.wrap(response, request)
        return await self._sent(request, wrapped, start, True)
