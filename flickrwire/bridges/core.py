"""The one exchange every bridge makes (its options are checked in :mod:`.options`).

A bridge receives a request a foreign client made (as an ``httpx.Request``), decides
where it goes (``target=``), over which protocol (``via=``), re-signs it when the
client's signature no longer fits (``credentials=``), sends it through an httpx
transport (recorded or replayed with ``record=``/``mode=``), tells ``on_result`` what
flickrwire read, and hands back an answer in exactly the shape the client asked for.

Requests are read once with the transports' server side (``read_request``: the call, and
every parameter its signature covers, the emulator's verifier reads the same), re-sent with
their client side (``build_request``), answers read with ``parse_response`` and written
back with ``render_response``: the bridges hold no parser of their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from .. import transports
from ..auth import Credentials, Signer, signing_mode
from ..call import Call
from ..client import network_fault, unframed
from ..codecs import json as jsoncodec
from ..decoding import MAX_BODY_BYTES
from ..recording.matching import ignored_param
from ..recording.record import AsyncRecordingTransport, Cassette, RecordingTransport
from ..result import Result, failure
from ..transports import RequestError, Transport, soap
from ..transports.request import ParsedRequest, RequestParams, ServerTransport
from .options import (
    FLICKR_HOSTS as FLICKR_HOSTS,
    RESULT as RESULT,
    SERVICES,
    VIAS as VIAS,
    BridgeError as BridgeError,
    OnResult as OnResult,
    Options,
    options as options,
)
from .signatures import keep, signature_ok, signed_with, signing_of

_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,127}$")


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
    index = path.find(SERVICES)
    if index < 0:
        return None
    end = index + len(SERVICES)
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
        if SERVICES not in url.path:
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
        parsed = self._parse(request, source)
        if parsed is None:  # not valid for its protocol: the server answers it (114, 115)
            outgoing = _moved(request, new_base + below) if new_base != base else request
            return Exchange(request, outgoing, source, source, None, "xml", False)
        call, read = parsed.call, parsed.read
        out_codec, answer_codec, callback = _codecs(source, call.params)
        dest = transports.get(self.options.via or endpoint)
        moved, switched = new_base != base, dest.name != source.name
        signing = signing_of(request, read)
        how, as_user = self._resigning(request, parsed, signing, moved, switched)
        if not switched and how != "resign":
            outgoing = _moved(request, new_base + below) if moved else request
            bare = Call(call.method, call.params, call.http_method)
        else:
            kept = read if how == "failing" else None
            bare = self._bare(call, source, signing, switched, kept)
            signer = self._signer(signing, as_user) if how == "resign" else Signer(None, "none")
            outgoing = dest.build_request(bare, out_codec, signer, new_base)
            outgoing.extensions.update(request.extensions)
        return Exchange(
            request, outgoing, source, dest, bare, out_codec, switched, answer_codec, callback
        )

    def _resigning(
        self,
        request: httpx.Request,
        parsed: ParsedRequest,
        signing: str,
        moved: bool,
        switched: bool,
    ) -> tuple[str, bool]:
        """``("none", _)``: the signature still fits; ``("resign", as_user)``; or
        ``("failing", False)``: the client's signature does not verify, so it goes on as
        it is and the server refuses it as Flickr would."""
        needed = (signing == "oauth" and (moved or switched)) or (signing == "legacy" and switched)
        if not needed:
            return "none", False
        why = "target=" if moved else "via="
        as_user = self._check_credentials(parsed, signing, why)
        creds = self.options.credentials
        assert creds is not None  # _check_credentials refused otherwise
        if not signature_ok(request, parsed.read, signing, creds):
            return "failing", False
        return "resign", as_user

    def _parse(self, request: httpx.Request, source: Transport) -> ParsedRequest | None:
        """The client's call and what it signed, read once by the transport's own reader;
        None for a request its protocol cannot read, which goes on as it is (the server
        answers 114/115) unless ``via=`` would rebuild it: refused."""
        try:
            if not isinstance(source, ServerTransport):  # only rest/, xmlrpc/ and soap/ (VIAS)
                return None
            return source.read_request(request)
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

    def _check_credentials(self, parsed: ParsedRequest, signing: str, why: str) -> bool:
        """Refuse re-signing without fitting credentials; True if the client signed with
        a user's token (the new signature then carries it too)."""
        creds = self.options.credentials
        call = parsed.call
        what = f"{call.method} is signed ({signing}) and {why} changes what its signature covers"
        if creds is None:
            raise BridgeError(f"{what}: pass credentials= to re-sign it; nothing was sent")
        used = signed_with(parsed.read)
        if used.get("key") not in (None, creds.api_key):
            raise BridgeError(f"{what}, but credentials= hold another API key; nothing was sent")
        if used.get("token") not in (None, creds.oauth_token):
            raise BridgeError(f"{what}, but credentials= hold another token; nothing was sent")
        return "token" in used

    @staticmethod
    def _bare(
        call: Call, source: Transport, signing: str, switched: bool, kept: RequestParams | None
    ) -> Call:
        """The call without the client's signature (and its protocol's native format);
        with it, header ``oauth_*`` included, when ``kept`` (a signature that fails)."""
        params = dict(call.params)
        if kept is not None:
            params = keep(params, kept)
        elif signing in ("oauth", "legacy"):
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
