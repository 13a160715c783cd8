"""What every bridge shares: its options, and the one exchange they all make.

A bridge receives a request a foreign client made (as an ``httpx.Request``), decides
where it goes (``target=``), over which protocol (``via=``), re-signs it when the
client's signature no longer fits (``credentials=``), sends it through an httpx
transport (recorded or replayed with ``record=``/``mode=``), tells ``on_result`` what
flickrwire read, and hands back an answer in exactly the shape the client asked for.

Requests are read with the transports' server side (``parse_request``), re-sent with
their client side (``build_request``), answers read with ``parse_response`` and written
back with ``render_response``: the bridges hold no parser of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.request import parse_http_list, parse_keqv_list

import httpx

from .. import transports
from ..auth import Credentials, Signer, signing_mode
from ..call import Call
from ..client import check_base_url, network_fault, unframed
from ..codecs import json as jsoncodec
from ..decoding import MAX_BODY_BYTES
from ..recording.matching import ignored_param
from ..recording.record import MODES, AsyncRecordingTransport, Cassette, RecordingTransport
from ..result import Result, failure
from ..transports import RequestError, Transport, soap

VIAS = ("rest", "xmlrpc", "soap")
#: The hosts Flickr's clients address (API, OAuth pages, uploads).
FLICKR_HOSTS = frozenset(
    {"flickr.com", "api.flickr.com", "www.flickr.com", "up.flickr.com", "secure.flickr.com"}
)
_SERVICES = "/services/"
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,127}$")

OnResult = Callable[[Result], None]
#: The key of ``httpx.Response.extensions`` that holds the ``Result`` the bridge read.
RESULT = "flickrwire.result"


class BridgeError(ValueError):
    """A call the bridge refuses before sending anything; the message is one line."""


@dataclass(frozen=True)
class Options:
    """The options every bridge takes (checked by :func:`options`)."""

    target: str | None = None
    via: str | None = None
    credentials: Credentials | None = field(default=None, repr=False)
    record: Path | None = None
    mode: str | None = None
    on_result: OnResult | None = None


def options(
    *,
    target: str | None = None,
    via: str | None = None,
    credentials: Credentials | None = None,
    record: str | Path | None = None,
    mode: str | None = None,
    on_result: OnResult | None = None,
) -> Options:
    """Check the options; each bad one raises a one-line ``ValueError`` naming it."""
    if via is not None and via not in VIAS:
        raise BridgeError(f"via={via!r} is not a Flickr protocol; use one of {', '.join(VIAS)}")
    if target is not None:
        try:
            check_base_url(target)
        except ValueError as exc:
            raise type(exc)(f"target={target!r}: {exc}") from None
        if _SERVICES not in httpx.URL(target).path + "/":
            raise BridgeError(f"target={target!r} must be a base URL ending in /services/")
    if mode is not None and mode not in MODES:
        raise BridgeError(f"mode={mode!r} is not a record mode; use one of {', '.join(MODES)}")
    if mode is not None and record is None:
        raise BridgeError("mode= needs record= (the fixture folder)")
    if credentials is not None and not isinstance(credentials, Credentials):
        raise BridgeError("credentials= must be a flickrwire.Credentials")
    folder = Path(record) if record is not None else None
    if folder is not None and folder.exists() and not folder.is_dir():
        raise BridgeError(f"record={str(folder)!r} is not a folder")
    return Options(target, via, credentials, folder, mode, on_result)


@dataclass(frozen=True, slots=True)
class Exchange:
    """One call on its way: the client's request, what is sent, how to answer."""

    original: httpx.Request
    outgoing: httpx.Request
    source: Transport | None  # None: not an API call (OAuth pages, uploads, ...)
    dest: Transport | None
    call: Call | None
    out_codec: str
    rerouted: bool
    answer_codec: str = "xml"
    callback: str | None = None


def _services_split(url: httpx.URL) -> tuple[str, str] | None:
    """``(base URL, path below /services/)``, or None for a URL outside ``/services/``."""
    path = url.path
    index = path.find(_SERVICES)
    if index < 0:
        return None
    end = index + len(_SERVICES)
    netloc = url.netloc.decode("ascii")
    return f"{url.scheme}://{netloc}{path[:end]}", path[end:]


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, (url.host or "").lower(), url.port


def _codecs(source: Transport, params: Mapping[str, str]) -> tuple[str, str, str | None]:
    """What the client asked: (codec to send, codec to answer in, JSONP callback)."""
    fmt = params.get("format") or source.name
    if fmt != "json":
        answer = soap.SOAP2 if fmt == soap.SOAP2 and source.name == "soap" else "xml"
        return "xml", answer, None
    if params.get("nojsoncallback", "").strip() in ("1", "true"):
        return "json", "json", None
    callback = params.get("jsoncallback", "").strip()
    return "json", "json", callback if _CALLBACK.match(callback) else jsoncodec.DEFAULT_CALLBACK


def signing_of(request: httpx.Request, params: Mapping[str, str]) -> str:
    """How the client signed: ``oauth``, ``legacy`` (``api_sig``), ``key`` or ``none``."""
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "oauth " or "oauth_signature" in params:
        return "oauth"
    if "api_sig" in params:
        return "legacy"
    return "key" if "api_key" in params else "none"


def _signed_with(request: httpx.Request, params: Mapping[str, str]) -> dict[str, str]:
    """The key and token the client signed with (from its params or OAuth header)."""
    found = dict(params)
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "oauth ":
        found.update(parse_keqv_list(parse_http_list(header[6:])))
    key = found.get("oauth_consumer_key") or found.get("api_key")
    token = found.get("oauth_token") or found.get("auth_token")
    return {k: v for k, v in (("key", key), ("token", token)) if v}


class Bridge:
    """The shared engine: ``prepare`` a request, send ``outgoing``, ``finish`` the answer."""

    def __init__(
        self, opts: Options, *, max_body: int = MAX_BODY_BYTES, wants_result: bool = False
    ) -> None:
        self.options = opts
        self.max_body = max_body
        self.wants_result = wants_result
        self.target = opts.target.rstrip("/") + "/" if opts.target else None
        self._target_origin = _origin(httpx.URL(self.target)) if self.target else None
        self.cassette: Cassette | None = None
        if opts.record is not None:
            creds = opts.credentials
            secrets = (
                [creds.api_key, creds.api_secret, creds.oauth_token, creds.oauth_token_secret]
                if creds is not None
                else []
            )
            # A corrupt fixture raises FixtureError here, before anything is sent.
            self.cassette = Cassette(
                opts.record, opts.mode or "once", secrets=[s for s in secrets if s]
            )

    def __repr__(self) -> str:
        o = self.options
        return f"<flickrwire bridge target={o.target!r} via={o.via!r} record={o.record!r}>"

    # -- the HTTP stack -------------------------------------------------------------------

    def stack(self, inner: httpx.BaseTransport) -> httpx.BaseTransport:
        """``inner`` behind the cassette when recording or replaying."""
        return inner if self.cassette is None else RecordingTransport(inner, self.cassette)

    def async_stack(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        return inner if self.cassette is None else AsyncRecordingTransport(inner, self.cassette)

    def owns(self, url: httpx.URL) -> bool:
        """Flickr traffic: below ``/services/`` on a Flickr host or on the target."""
        if _SERVICES not in url.path:
            return False
        host = (url.host or "").lower()
        return host in FLICKR_HOSTS or _origin(url) == self._target_origin

    # -- one exchange ---------------------------------------------------------------------

    def prepare(self, request: httpx.Request) -> Exchange:
        """Decide what to send for ``request``; raises :class:`BridgeError` (nothing sent)."""
        request.read()
        split = _services_split(request.url)
        if split is None:
            return Exchange(request, request, None, None, None, "xml", False)
        base, below = split
        new_base = self.target or base
        endpoint = below.strip("/")
        if endpoint not in VIAS:
            return self._not_api(request, new_base + below, new_base != base)
        source = transports.get(endpoint)
        call = self._parse(request, source)
        if call is None:  # not valid for its protocol: the server answers it (114, 115)
            outgoing = _moved(request, new_base + below) if new_base != base else request
            return Exchange(request, outgoing, source, source, None, "xml", False)
        out_codec, answer_codec, callback = _codecs(source, call.params)
        dest = transports.get(self.options.via or endpoint)
        moved, switched = new_base != base, dest.name != source.name
        signing = signing_of(request, call.params)
        resign = (signing == "oauth" and (moved or switched)) or (signing == "legacy" and switched)
        as_user = False
        if resign:
            why = "target=" if moved else "via="
            as_user = self._check_credentials(request, call, signing, why)
        if not switched and not resign:
            outgoing = _moved(request, new_base + below) if moved else request
            bare = Call(call.method, call.params, call.http_method)
        else:
            bare = self._bare(call, source, signing, switched)
            signer = self._signer(signing, as_user) if resign else Signer(None, "none")
            outgoing = dest.build_request(bare, out_codec, signer, new_base)
            outgoing.extensions.update(request.extensions)
        return Exchange(
            request, outgoing, source, dest, bare, out_codec, switched, answer_codec, callback
        )

    def _parse(self, request: httpx.Request, source: Transport) -> Call | None:
        """The client's call; None for a request its protocol cannot read, which goes on
        as it is (the server answers 114/115) unless ``via=`` would rebuild it: refused."""
        try:
            return source.parse_request(request)
        except RequestError as exc:
            if self.options.via in (None, source.name):
                return None
            raise BridgeError(
                f"cannot re-route a request that is not valid {source.name} ({exc.message})"
            ) from None

    def _signer(self, signing: str, as_user: bool) -> Signer:
        """A signer in the client's scheme, acting as a user only if the client did."""
        creds = self.options.credentials
        if creds is not None and not as_user:
            creds = Credentials(creds.api_key, creds.api_secret)
        return Signer(creds, signing_mode(signing))

    def _not_api(self, request: httpx.Request, url: str, moved: bool) -> Exchange:
        """OAuth pages and uploads: re-targeted as they are, never re-signed or re-routed."""
        if not moved:
            return Exchange(request, request, None, None, None, "xml", False)
        body = request.content.decode("latin-1")
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "oauth " or "oauth_signature" in body or "api_sig" in body:
            raise BridgeError(
                f"{request.url.path} is signed for {request.url.host} and only API calls "
                "(rest/, xmlrpc/, soap/) can be re-signed for target=; nothing was sent"
            )
        return Exchange(request, _moved(request, url), None, None, None, "xml", False)

    def _check_credentials(
        self, request: httpx.Request, call: Call, signing: str, why: str
    ) -> bool:
        """Refuse re-signing without fitting credentials; True if the client signed with
        a user's token (the new signature then carries it too)."""
        creds = self.options.credentials
        what = f"{call.method} is signed ({signing}) and {why} changes what its signature covers"
        if creds is None:
            raise BridgeError(f"{what}: pass credentials= to re-sign it; nothing was sent")
        used = _signed_with(request, call.params)
        if used.get("key") not in (None, creds.api_key):
            raise BridgeError(f"{what}, but credentials= hold another API key; nothing was sent")
        if used.get("token") not in (None, creds.oauth_token):
            raise BridgeError(f"{what}, but credentials= hold another token; nothing was sent")
        return "token" in used

    @staticmethod
    def _bare(call: Call, source: Transport, signing: str, switched: bool) -> Call:
        """The call without the client's signature (and its protocol's native format)."""
        params = dict(call.params)
        if signing in ("oauth", "legacy"):
            params = {k: v for k, v in params.items() if not ignored_param(k)}
        if switched and params.get("format") in (source.name, soap.SOAP2):
            del params["format"]  # the destination's build_request names its own
        return Call(call.method, params, call.http_method)

    def finish(self, exchange: Exchange, response: httpx.Response, body: bytes) -> httpx.Response:
        """The answer for the client from ``response`` and its ``body`` (read); the
        ``Result`` is read only when someone wants it: ``on_result``, a re-routed call, or
        a host library that answers from it (``wants_result``)."""
        answer = _as_read(response, body, exchange.original)
        if exchange.call is None or exchange.dest is None:
            return answer
        wanted = self.wants_result or self.options.on_result is not None
        if not exchange.rerouted and not wanted:
            return answer
        result = exchange.dest.parse_response(answer, exchange.call, exchange.out_codec)
        if self.options.on_result is not None:
            self.options.on_result(result)
        answer = self._answer(exchange, answer, result)
        answer.extensions[RESULT] = result
        return answer

    @staticmethod
    def _answer(exchange: Exchange, answer: httpx.Response, result: Result) -> httpx.Response:
        source, fault = exchange.source, result.fault
        if source is None or not exchange.rerouted or (fault is not None and fault.code is None):
            # Same protocol, or an answer with no Flickr outcome (an OAuth 401, a proxy's
            # 502, garbage): the client gets the bytes as they came.
            return answer
        if exchange.callback is not None:
            body = jsoncodec.encode(result, callback=exchange.callback)
            media = jsoncodec.JSONP_CONTENT_TYPE
        else:
            body = source.render_response(result, exchange.answer_codec)
            media = source.media_type(result, exchange.answer_codec)
        headers = {"content-type": media}
        return httpx.Response(200, headers=headers, content=body, request=exchange.original)

    def failed(self, exchange: Exchange, exc: httpx.HTTPError) -> None:
        """Tell ``on_result`` of a network failure (the caller re-raises it)."""
        if self.options.on_result is None or exchange.call is None or exchange.dest is None:
            return
        fault = network_fault(exc)
        self.options.on_result(
            failure(
                exchange.call.method,
                fault,
                transport=exchange.dest.name,
                codec=exchange.out_codec,
                status=None,
                raw=b"",
            )
        )

    def check_size(self, request: httpx.Request, size: int) -> None:
        """Refuse an answer larger than ``max_body`` (checked while reading)."""
        if size > self.max_body:
            raise httpx.RemoteProtocolError(
                f"response body exceeds the bridge's {self.max_body}-byte limit",
                request=request,
            )


def _as_read(response: httpx.Response, body: bytes, request: httpx.Request) -> httpx.Response:
    """``response`` holding ``body``: itself when it was read already and says nothing of
    how it travelled (a mock's, a replayed or recorded answer), else a copy unframed."""
    headers = response.headers
    if "content-encoding" not in headers and "transfer-encoding" not in headers:
        try:
            if response.content is body:
                return response
        except httpx.ResponseNotRead:
            pass
    return unframed(response, body, request)


def _moved(request: httpx.Request, url: str) -> httpx.Request:
    """``request`` with another URL and the same bytes (query kept)."""
    target = httpx.URL(url).copy_with(query=request.url.query or None)
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
    moved = httpx.Request(request.method, target, headers=headers, content=request.content)
    moved.extensions.update(request.extensions)
    return moved


# -- sending, sync and async (they differ by the awaits) ---------------------------------


def send(bridge: Bridge, stack: httpx.BaseTransport, request: httpx.Request) -> httpx.Response:
    """One exchange through ``stack`` (already wrapped by :meth:`Bridge.stack`)."""
    exchange = bridge.prepare(request)
    try:
        response = stack.handle_request(exchange.outgoing)
        try:
            body = _read(bridge, response, exchange.outgoing)
        finally:
            response.close()
    except httpx.HTTPError as exc:
        bridge.failed(exchange, exc)
        raise
    return bridge.finish(exchange, response, body)


async def asend(
    bridge: Bridge, stack: httpx.AsyncBaseTransport, request: httpx.Request
) -> httpx.Response:
    """The async twin of :func:`send`."""
    await request.aread()
    exchange = bridge.prepare(request)
    try:
        response = await stack.handle_async_request(exchange.outgoing)
        try:
            parts, size = [], 0
            async for chunk in response.aiter_bytes():
                parts.append(chunk)
                size += len(chunk)
                bridge.check_size(exchange.outgoing, size)
            body = b"".join(parts)
        finally:
            await response.aclose()
    except httpx.HTTPError as exc:
        bridge.failed(exchange, exc)
        raise
    return bridge.finish(exchange, response, body)


def _read(bridge: Bridge, response: httpx.Response, request: httpx.Request) -> bytes:
    try:
        body = response.content  # read already (a mock, a replayed or recorded answer)
    except httpx.ResponseNotRead:
        pass
    else:
        bridge.check_size(request, len(body))
        return body
    parts, size = [], 0
    for chunk in response.iter_bytes():
        parts.append(chunk)
        size += len(chunk)
        bridge.check_size(request, size)
    return b"".join(parts)
