"""What every transport shares: the :class:`Transport` protocol, the server-side
:class:`RequestError`, the shared response reader, and endpoint and parameter helpers.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple, Protocol, runtime_checkable
from urllib.parse import urlencode

import httpx

from ..auth import Signer
from ..auth.signing import VOLATILE_PARAMS, escape
from ..call import Call
from ..decoding import MAX_BODY_BYTES, decode
from ..result import Result


class RequestError(ValueError):
    """A request the server side cannot take: carries the Flickr code to answer with, and
    the parameters read before the refusal (which choose the answer's format)."""

    def __init__(self, code: int, message: str, params: Mapping[str, str] | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.params: Mapping[str, str] = params or {}


@runtime_checkable
class Transport(Protocol):
    """One request protocol. ``path`` is the endpoint below the base URL (``rest/``)."""

    name: str
    path: str

    def build_request(
        self, call: Call, codec: str, signer: Signer, base_url: str
    ) -> httpx.Request: ...

    def parse_request(self, request: httpx.Request) -> Call: ...

    def render_response(self, result: Result, codec: str) -> bytes: ...

    def media_type(self, result: Result, codec: str) -> str: ...

    def parse_response(self, response: httpx.Response, call: Call, codec: str) -> Result: ...


class DecodingTransport:
    """Shared ``parse_response`` for our transports: every answer goes through the sniffer."""

    name: str
    path: str

    def parse_response(self, response: httpx.Response, call: Call, codec: str) -> Result:
        return self.decode_body(
            response.content, response.status_code, response.headers, call, codec
        )

    def decode_body(
        self, body: bytes, status: int, headers: Mapping[str, str], call: Call, codec: str
    ) -> Result:
        """What ``parse_response`` does, from the body, status and headers of an answer."""
        # Whoever read the response applied its own size limit (Client's max_body).
        return decode(
            body,
            max_bytes=max(MAX_BODY_BYTES, len(body)),
            transport=self.name,
            codec=codec,
            status=status,
            headers=headers,
            method=call.method,
        )

    @property
    def decodes_plainly(self) -> bool:
        """Whether ``parse_response`` is this class's own, so that :meth:`decode_body`
        gives the same ``Result`` (the clients then need not build a response for it)."""
        return type(self).parse_response is DecodingTransport.parse_response


def response_format(transport: str, codec: str) -> str:
    """The ``format`` parameter for a transport and codec: ``json`` or the native one."""
    if codec == "json":
        return "json"
    if codec != "xml":
        raise ValueError(f"unknown codec {codec!r}; known: json, xml")
    return transport


def flickr_params(call: Call, transport: str, codec: str) -> dict[str, str]:
    """Every Flickr parameter of a call, before credentials: method, args, format."""
    params = {"method": call.method, **call.params}
    fmt = params.setdefault("format", response_format(transport, codec))
    if fmt == "json" and "jsoncallback" not in params:
        params.setdefault("nojsoncallback", "1")
    return params


@lru_cache(maxsize=64)
def endpoint_url(url: str) -> httpx.URL:
    """The parsed endpoint URL, kept: parsing a URL string costs more than a signature."""
    return httpx.URL(url)


def endpoint(base_url: str, transport: Transport) -> str:
    return base_url.rstrip("/") + "/" + transport.path


def form_encode(params: Mapping[str, str]) -> bytes:
    """``urlencode(params).encode()`` for string values, at a fraction of the CPU; the
    forms of the last few sets of params are kept (a REST form carries no nonce: the
    same call gives the same form)."""
    try:
        key = tuple(params.items())
        found = _FORMS.get(key)
        if found is None:
            found = "&".join([_form_pair(k, v) for k, v in key]).encode("ascii")
            if len(found) <= _FORM_KEPT_BYTES and not VOLATILE_PARAMS.intersection(params):
                if len(_FORMS) >= _FORMS_KEPT:
                    _FORMS.clear()
                _FORMS[key] = found
    except TypeError:  # a value that is not a string, in a Call built by hand
        return urlencode(params).encode()
    return found


#: Forms kept by :func:`form_encode`, by their params' items; emptied when full. A long
#: form (a description, say) is not kept, nor one carrying a signature, nonce or timestamp.
_FORMS: dict[tuple[tuple[str, str], ...], bytes] = {}
_FORMS_KEPT = 256
_FORM_KEPT_BYTES = 2048


@lru_cache(maxsize=256)
def _form_pair(name: str, value: str) -> str:
    """One ``name=value`` of a form, kept: most of a call's pairs (method, format,
    nojsoncallback) come back call after call. RFC 3986 escaping done by
    :func:`~flickrwire.auth.signing.escape` is ``quote_plus`` but for the space, which a
    form writes as ``+``; ``%20`` in an escaped string can only be an escaped space
    (every ``%`` there starts an escape)."""
    return f"{escape(name).replace('%20', '+')}={escape(value).replace('%20', '+')}"


@lru_cache(maxsize=64)
def _host_header(url: str) -> bytes:
    return endpoint_url(url).netloc


class Outgoing(NamedTuple):
    """A POST as :func:`post_request` takes it: the URL, the body, and the headers that go
    between ``Host`` and ``Content-Length``."""

    url: str
    body: bytes
    headers: list[tuple[bytes, bytes]]

    def __repr__(self) -> str:
        # The body and the Authorization header carry the key and the signature.
        return f"Outgoing(url={self.url!r}, body=<{len(self.body)} bytes>, headers=<hidden>)"


def post_headers(
    url: str, body: bytes, headers: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]] | None:
    """Every header of the request :func:`post_request` builds, in order: ``Host``, the
    given ones, ``Content-Length``; None when httpx places its own (an empty body, a URL
    without a host)."""
    if not body or not endpoint_url(url).host:
        return None
    return [(b"Host", _host_header(url)), *headers, (b"Content-Length", b"%d" % len(body))]


def post_request(url: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> httpx.Request:
    """``httpx.Request("POST", url, content=body, headers=headers)``, the same request
    (the same headers in the same order, :func:`post_headers`) for a third of the CPU:
    httpx's merging of default headers walks the list once per header it might add, and
    here all of them are known. ``headers`` must hold neither ``Host`` nor
    ``Content-Length``."""
    parsed = endpoint_url(url)
    every = post_headers(url, body, headers)
    if every is None:  # httpx adds other headers then, in other places
        return httpx.Request("POST", parsed, content=body, headers=headers)
    request = httpx.Request("POST", parsed, headers=every, stream=httpx.ByteStream(body))
    request.read()  # as httpx does for a body given as bytes: request.content is set
    return request
