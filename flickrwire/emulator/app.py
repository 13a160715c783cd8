"""The emulator's core ASGI app: Flickr's three API endpoints and its OAuth endpoints.

Requests are parsed and answers rendered only by the client's own transports and codecs
(``read_request``, ``render_response``, ``media_type``, ``codecs.json.encode``), so the
client and the emulator cannot drift apart. Each request is answered in one SQLite
transaction on the store's worker thread (``worker.py``), never on the event loop: a
database locked by another process then delays only the requests that need it (answered
105 or 106 after the store's busy timeout), while every other endpoint keeps answering.

The checks run in this order (docs/emulator-methods.md): the request parses (112, 114,
115), the format exists (111, answered in the endpoint's own format), TLS (95), the method
exists in Flickr's catalogue (112), the credentials (100, 96, 97, 98, or an OAuth 401),
then ``dispatch.admit``: the permission (99), POST (116), required arguments (1), blocked
URLs (116); the nonce; then a stub, the method's semantics or its example response.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx
from starlette.applications import Starlette
from starlette.datastructures import URL
from starlette.requests import Request
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from .. import transports
from ..codecs import json as jsoncodec
from ..result import Fault, Result, failure, success
from ..transports import RequestError, Transport, soap
from ..transports.request import ParsedRequest, ServerTransport
from . import catalog, dispatch, oauthflow, verify
from .direct import EmulatorApp
from .store import LOCK_MARGIN, Store, Tx
from .stubs import Raw, StubSet
from .verify import Failure, NonceClaim, OAuthProblem
from .worker import StoreWorker

#: What an endpoint answers: status, body, content type.
Reply = tuple[int, bytes, str]
#: Flickr's content type for an ``oauth_problem`` answer (shared sample
#: oauth-401-signature-invalid-debug-sbs.txt.source).
OAUTH_TEXT = "text/plain;charset=UTF-8"
SETTER_NEEDS_POST = dispatch.SETTER_NEEDS_POST
NATIVE_FORMATS = ("rest", "xmlrpc", "soap")
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,127}$")
#: Empty successes kept rendered, at most (``Emulator.empty_success``).
_EMPTY_KEPT = 1024


@dataclass(frozen=True)
class EmulatorConfig:
    """How the emulator behaves beyond its state.

    ``strict_tls`` answers 95 to plain-HTTP requests (off by default, so loopback HTTP
    works); ``blocked_urls`` are substrings that make any argument a 116; OAuth
    timestamps further than ``timestamp_window`` seconds from ``clock()`` are refused;
    ``public_urls`` are the base URLs (``https://api.flickr.com/services/``) the emulator
    answers for: an OAuth signature computed for one of them verifies.
    """

    def __post_init__(self) -> None:
        bases = tuple(verify.public_base(url) for url in self.public_urls)
        object.__setattr__(self, "public_urls", bases)

    strict_tls: bool = False
    blocked_urls: tuple[str, ...] = ()
    #: base URLs clients may sign for besides the one they reach (``--public-url``)
    public_urls: tuple[str, ...] = ()
    timestamp_window: int = 300
    clock: Callable[[], float] = field(default=time.time)


@dataclass(frozen=True, slots=True)
class Format:
    """The answer's format: which transport renders it, in which codec, JSONP callback."""

    transport: Transport
    codec: str
    callback: str | None = None


def response_format(transport: Transport, params: Mapping[str, str]) -> Format | None:
    """The format a request asks for (its own protocol's by default); None if unknown.

    ``format=json`` is JSONP (``jsonFlickrApi(...)`` or ``jsoncallback``) unless
    ``nojsoncallback=1`` (Flickr's response.json page).
    """
    name = params.get("format") or transport.name
    if name == "json":
        if params.get("nojsoncallback", "").strip() in ("1", "true"):
            return _format(transport, "json")
        callback = params.get("jsoncallback", "").strip()
        if not _CALLBACK.match(callback):
            callback = jsoncodec.DEFAULT_CALLBACK
        return Format(transport, "json", callback)
    if name in NATIVE_FORMATS:
        return _format(transports.get(name), "xml")
    if name == soap.SOAP2:
        return _format(transports.get("soap"), soap.SOAP2)
    return None


def _format(transport: Transport, codec: str) -> Format:
    """The one Format of a transport and codec: a Format is immutable and transports are
    few. Keyed by the transport's id, which its Format kept here keeps from being reused
    (a plugin transport need not be hashable)."""
    key = (id(transport), codec)
    found = _FORMATS.get(key)
    if found is None:
        if len(_FORMATS) >= _FORMATS_KEPT:
            _FORMATS.clear()
        found = _FORMATS[key] = Format(transport, codec)
    return found


_FORMATS: dict[tuple[int, str], Format] = {}
_FORMATS_KEPT = 64


def render(fmt: Format, result: Result) -> Reply:
    if fmt.callback is not None:
        return 200, jsoncodec.encode(result, callback=fmt.callback), jsoncodec.JSONP_CONTENT_TYPE
    return (
        200,
        fmt.transport.render_response(result, fmt.codec),
        fmt.transport.media_type(result, fmt.codec),
    )


def fault_result(method: str, transport: Transport, codec: str, code: int, message: str) -> Result:
    fault = Fault.from_code(code, message)
    return failure(method, fault, transport=transport.name, codec=codec, status=200, raw=b"")


@functools.lru_cache(maxsize=256)
def _url(
    scheme: str, server: tuple[str, int] | None, path: str, query: bytes, host: bytes | None
) -> tuple[httpx.URL, str]:
    # Building and parsing a URL is the dearest part of building an httpx.Request, and
    # endpoints repeat: the URL is remembered by what Starlette builds it from, with the
    # verifier's reading of it (``verify.endpoint_url``: writing a URL out costs too).
    headers = [] if host is None else [(b"host", host)]
    scope = {"scheme": scheme, "server": server, "path": path, "query_string": query}
    url = httpx.URL(str(URL(scope={**scope, "headers": headers})))
    return url, verify.url_endpoint(url)


def http_request(request: Request, body: bytes) -> httpx.Request:
    """A Starlette request as the ``httpx.Request`` that ``parse_request`` takes."""
    return scope_request(request.scope, body)


def scope_request(scope: Scope, body: bytes) -> httpx.Request:
    """An ASGI request (scope and body) as an ``httpx.Request``."""
    headers = scope["headers"]
    host = None
    for key, value in headers:
        if key == b"host":
            host = value
            break
    server = scope.get("server")
    url, endpoint = _url(
        scope.get("scheme", "http"),
        tuple(server) if server is not None else None,
        scope["path"],
        scope.get("query_string", b""),
        host,
    )
    return Received(scope["method"], url, headers, body, endpoint)


class Received(httpx.Request):
    """A request as the server received it, body read: what ``httpx.Request(method, url,
    headers=headers, stream=httpx.ByteStream(body))`` gives once ``read()``, made without
    the steps that do nothing here (copying the remembered URL, which httpx never changes
    in place, and streaming the body into itself). ``endpoint``: the URL without its query,
    as ``verify.url_endpoint`` writes it."""

    def __init__(
        self,
        method: str,
        url: httpx.URL,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        endpoint: str,
    ) -> None:
        self.method = method.upper()
        self.url = url
        self.headers = httpx.Headers(headers)
        self.extensions = {}
        self.stream = httpx.ByteStream(body)
        self._content = body
        self.endpoint = endpoint


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class APIEndpoint:
    """One API endpoint as a bare ASGI app: Starlette's Request and Response objects cost
    more than the request's whole SQLite transaction, so the endpoint speaks ASGI itself."""

    __slots__ = ("emulator", "transport")

    def __init__(self, emulator: Emulator, transport: ServerTransport) -> None:
        self.emulator = emulator
        self.transport = transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = scope_request(scope, await read_body(receive))
        secure = scope.get("scheme") == "https"
        emulator = self.emulator
        status, content, media_type = await emulator.worker.run(
            emulator.handle, self.transport, request, secure, time.monotonic()
        )
        headers = [
            (b"content-type", media_type.encode("latin-1")),
            (b"content-length", str(len(content)).encode("latin-1")),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


class Emulator:
    """The request pipeline, shared by the three API endpoints."""

    def __init__(self, store: Store, config: EmulatorConfig, stubs: StubSet | None = None) -> None:
        self.store = store
        self.config = config
        self.stubs = stubs if stubs is not None else StubSet()
        self.blocked = tuple(url.lower() for url in config.blocked_urls if url)
        self.worker = StoreWorker()
        self._empty: dict[tuple[str, str, str | None, str], Reply] = {}

    def endpoint(self, name: str) -> APIEndpoint:
        transport = transports.get(name)
        if not isinstance(transport, ServerTransport):
            raise TypeError(f"transport {name!r} has no read_request: the emulator cannot serve it")
        return APIEndpoint(self, transport)

    def handle(
        self,
        transport: ServerTransport,
        request: httpx.Request,
        secure: bool,
        queued: float | None = None,
    ) -> Reply:
        """Answer one API request; ``queued``: when it was put in line for the store
        (``time.monotonic()``), to answer 105/106 after waiting as long as a lock would."""
        try:
            parsed = transport.read_request(request)
        except RequestError as exc:
            unparsed = _unparsed_format(transport, exc.params)
            return render(
                unparsed, fault_result("", transport, unparsed.codec, exc.code, exc.message)
            )
        call = parsed.call
        fmt = response_format(transport, call.params)
        if fmt is None:
            message = f'Format "{call.params.get("format", "")}" not found'
            return render(
                Format(transport, "xml"), fault_result(call.method, transport, "xml", 111, message)
            )
        try:
            answer = self.answer(request, parsed, secure, transport.name, queued)
        except OAuthProblem as problem:
            return 401, problem.body(), OAUTH_TEXT
        if isinstance(answer, Raw):
            return answer.status, answer.body, answer.content_type
        if isinstance(answer, Failure):
            result = fault_result(call.method, transport, fmt.codec, answer.code, answer.message)
            return render(fmt, result)
        if not answer:
            return self.empty_success(fmt, call.method)
        result = success(
            call.method, answer, transport=transport.name, codec=fmt.codec, status=200, raw=b""
        )
        return render(fmt, result)

    def empty_success(self, fmt: Format, method: str) -> Reply:
        """The answer of a method that answers an empty success (a leave, a join): the
        same bytes each time for a format and method, so rendered once."""
        key = (fmt.transport.name, fmt.codec, fmt.callback, method)
        reply = self._empty.get(key)
        if reply is None:
            result = success(
                method, {}, transport=fmt.transport.name, codec=fmt.codec, status=200, raw=b""
            )
            reply = render(fmt, result)
            if len(self._empty) < _EMPTY_KEPT:  # JSONP callbacks are the caller's choice
                self._empty[key] = reply
        return reply

    def answer(
        self,
        request: httpx.Request,
        parsed: ParsedRequest,
        secure: bool,
        transport: str = "rest",
        queued: float | None = None,
    ) -> dispatch.Answer:
        """The method's payload, the Flickr error or a raw answer; raises
        :class:`OAuthProblem`."""
        config = self.config
        call = parsed.call
        if config.strict_tls and not secure:
            return Failure(95, "SSL is required")
        spec = catalog.info(call.method)
        if spec is None:
            return Failure(112, f'Method "{call.method}" not found')
        uri = request.endpoint if isinstance(request, Received) else None
        auth = verify.collect(request, parsed.read, call, uri)
        auth.also = verify.public_uris(request, config.public_urls)
        args = verify.arguments(call.params)
        try:
            if queued is not None and time.monotonic() - queued > self._patience:
                # In line behind transactions that waited for a database locked elsewhere.
                raise sqlite3.OperationalError("database is locked (waited for the store)")
            return self._transact(spec, auth, args, request.method, transport)
        except Failure as refused:
            return refused
        except sqlite3.OperationalError as exc:
            # The database stayed locked past the store's timeout (another process holds
            # it): answered as Flickr's temporary failures, which clients may retry.
            if not _busy(exc):
                raise
            if spec.post:
                return Failure(106, "Write operation failed")
            return Failure(105, "Service currently unavailable")

    def _transact(
        self,
        spec: catalog.MethodInfo,
        auth: verify.AuthInput,
        args: dict[str, str],
        http_method: str,
        transport: str,
    ) -> dispatch.Answer:
        """Authenticate, admit and run the call in one transaction (a write when the
        method writes or an OAuth nonce is claimed)."""
        config = self.config
        with self.store.transaction(write=spec.post or auth.is_oauth) as tx:
            now = config.clock()
            who, claim = verify.authenticate(tx, auth, now=now, window=config.timestamp_window)
            dispatch.admit(spec, who, args, http_method, self.blocked)
            if claim is not None:
                self.claim(tx, claim, now)
            return dispatch.run(spec, tx, who, args, transport, self.stubs)

    @property
    def _patience(self) -> float:
        return self.store.timeout + LOCK_MARGIN

    def claim(self, tx: Tx, claim: NonceClaim, now: float) -> None:
        """Record an OAuth nonce; a replay is refused with ``oauth_problem=nonce_used``."""
        if not tx.claim_nonce(claim.consumer_key, claim.token, claim.nonce, claim.timestamp):
            raise OAuthProblem("nonce_used")
        if self.store.note_claim():
            tx.sweep_nonces(int(now) - self.config.timestamp_window - 1)


def _busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc)


def _unparsed_format(transport: Transport, params: Mapping[str, str]) -> Format:
    """The format for a request its transport could not parse: REST still has the
    ``format`` parameter it read before refusing; XML-RPC and SOAP answer in their own
    format (Flickr's response pages)."""
    if transport.name == "rest":
        fmt = response_format(transport, params)
        if fmt is not None:
            return fmt
    return Format(transport, "xml")


def create_core_app(
    store: Store, config: EmulatorConfig | None = None, stubs: StubSet | None = None
) -> Starlette:
    """The emulator without fault injection or admin API (``create_app`` adds those)."""
    config = config or EmulatorConfig()
    emulator = Emulator(store, config, stubs)
    routes: list[BaseRoute] = []
    endpoints = []
    for name, verbs in (("rest", ["GET", "POST"]), ("xmlrpc", ["POST"]), ("soap", ["POST"])):
        serve = emulator.endpoint(name)
        endpoints.append(serve)
        # Clients spell the endpoints with and without the slash (our guess: Flickr serves
        # both); answered alike rather than redirected, since a redirect drops a POST body.
        routes.append(Route(f"/services/{name}/", serve, methods=verbs))
        routes.append(Route(f"/services/{name}", serve, methods=verbs))
    routes.extend(oauthflow.routes(emulator))
    app = EmulatorApp(routes, direct=endpoints)
    app.state.store = store
    app.state.config = config
    app.state.core = emulator
    return app
