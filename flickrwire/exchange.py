"""One HTTP exchange under a total deadline and a body size limit.

httpx's timeouts are per phase and its read timeout restarts with every byte, so a server
that dribbles one byte a second holds a call for as long as it likes. A :class:`Deadline`
spans the whole call (connect, send, wait, read; retries included): every phase timeout is
cut to the time left, the time left is checked after every body chunk, and the clients'
own connections read with a socket timeout never longer than the time left (see
:func:`deadline_transport`).
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from .result import Fault

_PHASES = ("connect", "read", "write", "pool")
#: The deadline of the exchange running in this context, read by our network streams.
_current: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "flickrwire_deadline", default=None
)


class DeadlineExceeded(httpx.TimeoutException):
    """The call's total deadline passed before a complete answer arrived."""


def total_seconds(timeout: httpx.Timeout | float | None) -> float | None:
    """The total deadline a ``timeout=`` option stands for: a number is the total; for an
    ``httpx.Timeout``, its longest phase (so ``Timeout(30, connect=10)`` gives 30 s)."""
    if timeout is None:
        return None
    if isinstance(timeout, httpx.Timeout):
        phases = [v for v in timeout.as_dict().values() if v is not None]
        return max(phases) if phases else None
    return float(timeout)


class Deadline:
    """The end of a call, on the monotonic clock; ``None`` seconds means no end."""

    __slots__ = ("end", "seconds")

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.end = None if seconds is None else time.monotonic() + seconds

    def left(self) -> float | None:
        return None if self.end is None else self.end - time.monotonic()

    def allows(self, wait: float) -> bool:
        """Whether sleeping ``wait`` seconds still leaves time for another try."""
        left = self.left()
        return left is None or wait < left

    def check(self, request: httpx.Request) -> float | None:
        """The seconds left; raise :class:`DeadlineExceeded` when none are."""
        left = self.left()
        if left is not None and left <= 0:
            raise DeadlineExceeded(f"no complete answer within {self.seconds:g} s", request=request)
        return left

    def bound(self, request: httpx.Request, phases: httpx.Timeout) -> dict[str, Any]:
        """Give ``request`` phase timeouts cut to the time left; return them (the dict the
        HTTP layer reads, so :class:`Body` can shorten the read timeout as time passes)."""
        left = self.check(request)
        timeouts: dict[str, Any] = phases.as_dict()
        if left is not None:
            for name in _PHASES:
                value = timeouts.get(name)
                timeouts[name] = left if value is None else min(value, left)
        request.extensions = {**request.extensions, "timeout": timeouts}
        return timeouts

    def enter(self) -> contextvars.Token[float | None]:
        return _current.set(self.end)

    @staticmethod
    def leave(token: contextvars.Token[float | None]) -> None:
        _current.reset(token)


def deadline_fault(exc: DeadlineExceeded) -> Fault:
    return Fault(None, f"timed out: {exc}", "network", True, exc)


class Body:
    """Collects a body's chunks: says when they pass the size limit, raises when the
    deadline passes, and keeps the read timeout within the time left."""

    __slots__ = ("deadline", "max", "parts", "request", "size", "timeouts")

    def __init__(
        self, maximum: int, deadline: Deadline, request: httpx.Request, timeouts: dict[str, Any]
    ) -> None:
        self.max = maximum
        self.deadline = deadline
        self.request = request
        self.timeouts = timeouts
        self.parts: list[bytes] = []
        self.size = 0

    def read(self, chunks: Iterable[bytes]) -> bool:
        """Take every chunk; False as soon as they pass the size limit."""
        return all(self.add(chunk) for chunk in chunks)

    def add(self, chunk: bytes) -> bool:
        self.size += len(chunk)
        if self.size > self.max:
            return False
        self.parts.append(chunk)
        left = self.deadline.check(self.request)
        if left is not None:
            read = self.timeouts.get("read")
            self.timeouts["read"] = left if read is None else min(read, left)
        return True

    def take(self) -> bytes:
        """The body; the chunks are let go (one copy of the body alive, not two)."""
        parts, self.parts = self.parts, []
        return parts[0] if len(parts) == 1 else b"".join(parts)


def read_already(response: httpx.Response) -> bytes | None:
    """The body, when the transport read it whole (aiohttp's small answers, a mock's):
    reading it again chunk by chunk would only slice the same bytes."""
    if not response.is_stream_consumed:
        return None
    try:
        return response.content
    except httpx.ResponseNotRead:
        return None


# -- the clients' own connections: socket reads never outlast the deadline ------------


class _Stream(httpcore.NetworkStream):
    """A network stream whose reads and writes wait at most until the deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def _timeout(self, timeout: float | None, kind: type[Exception]) -> float | None:
        end = _current.get()
        if end is None:
            return timeout
        left = end - time.monotonic()
        if left <= 0:
            raise kind("the call's deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return _Stream(self._stream.start_tls(*args, **kwargs))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """Opens connections through another backend, wrapping each stream in :class:`_Stream`."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self.inner = inner

    def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_tcp(*args, **kwargs))

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_unix_socket(*args, **kwargs))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def _bound(transport: httpx.BaseTransport) -> bool:
    """Make the connections ``transport`` opens from now on read within the deadline of the
    call in progress; whether it could (httpx's own pool, or already done)."""
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.ConnectionPool):
        return False
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, _Backend):
        return True
    if not isinstance(backend, httpcore.NetworkBackend):
        return False
    pool._network_backend = _Backend(backend)
    return True


def deadline_transport() -> httpx.HTTPTransport:
    """httpx's own transport, reading through streams that honour the call's deadline.

    A dribbling server cannot stretch a read (response headers included) past the
    deadline: every socket read waits at most for the time left. httpx has no public
    option for the network backend; when its pool has moved, the transport is returned as
    it is and the deadline still holds between body chunks.
    """
    transport = httpx.HTTPTransport()
    _bound(transport)
    return transport


def bound_by_deadlines(http: httpx.Client) -> bool:
    """Make an injected ``httpx.Client`` honour flickrwire's deadlines on the connections
    it opens from now on; whether every transport of it could (httpx's own
    ``HTTPTransport``, mounted ones included; not a custom or mock transport).

    Each new connection's socket reads and writes then wait at most for the time left of
    the flickrwire call in progress on that thread, if any: requests the application
    sends itself through the same client see no deadline and behave as before.
    Connections the pool already holds keep plain reads; on those, as on custom
    transports, the deadline is checked between body chunks and caps each phase timeout.
    """
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    results = [_bound(t) for t in transports if isinstance(t, httpx.BaseTransport)]
    return bool(results) and all(results)


# -- sending a built request without httpx's per-request layers -----------------------

_log = logging.getLogger("httpx")
#: httpx.Client's own methods between ``send`` and the transport: a subclass that
#: overrides one of them gets them all (its override may be why it exists).
_LAYERS = ("send", "_send_handling_auth", "_send_handling_redirects", "_send_single_request")


def _plain(http: httpx.Client) -> bool:
    """Whether ``http``'s per-request layers have nothing to do for a built request sent
    with ``follow_redirects=False``: no auth, no event hooks, no overridden layer, open."""
    cls = type(http)
    hooks = http.event_hooks
    return (
        http.auth is None
        and not hooks["request"]
        and not hooks["response"]
        and not http.is_closed
        and all(getattr(cls, name, None) is getattr(httpx.Client, name) for name in _LAYERS)
        and hasattr(http, "_transport_for_url")
    )


def send_direct(http: httpx.Client, request: httpx.Request) -> httpx.Response:
    """``http.send(request, stream=True, follow_redirects=False)``, without the layers
    that have nothing to do for it when :func:`_plain` holds (in httpx 0.28 they cost
    more CPU than a mock transport's answer: an auth flow generator, the redirect loop,
    a cookie jar pass over a response without cookies). What the last layer does is done
    here alike: the transport the client's mounts choose, the request attached to any
    ``RequestError`` and to the response, cookies stored when a ``Set-Cookie`` came, and
    httpx's log line. ``request`` must carry its timeout (``Deadline.bound`` sets it).
    Anything else, and a URL with credentials in it, goes through ``http.send``."""
    url = request.url
    if url.userinfo or not _plain(http):
        return http.send(request, stream=True, follow_redirects=False)
    transport = http._transport_for_url(url)
    try:
        response = transport.handle_request(request)
    except httpx.RequestError as exc:
        exc.request = request
        raise
    response.request = request
    if "set-cookie" in response.headers:
        http.cookies.extract_cookies(response)
    log_request(request, response.http_version, response.status_code, response.reason_phrase)
    return response


def log_request(request: httpx.Request, version: str, status: int, reason: str) -> None:
    """httpx's own log line for a request sent, for the paths that skip httpx's ``send``."""
    if _log.isEnabledFor(logging.INFO):
        _log.info(
            'HTTP Request: %s %s "%s %d %s"', request.method, request.url, version, status, reason
        )
