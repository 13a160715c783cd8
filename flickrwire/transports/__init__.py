"""Flickr's request protocols. Each one is sans-IO and symmetric: the client builds
requests and parses responses, the emulator parses requests and renders responses.

A third party adds a protocol by registering an object that satisfies :class:`Transport`,
either with :func:`register` or through the entry-point group ``flickrwire.transports``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata
from typing import Protocol, runtime_checkable

import httpx

from ..auth import Signer
from ..call import Call
from ..decoding import MAX_BODY_BYTES, decode
from ..result import Result

ENTRY_POINT_GROUP = "flickrwire.transports"
BUILTIN = ("rest", "xmlrpc", "soap")


class RequestError(ValueError):
    """A request the server side cannot take: carries the Flickr code to answer with."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


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
        content = response.content
        # Whoever read the response applied its own size limit (Client's max_body).
        return decode(
            content,
            max_bytes=max(MAX_BODY_BYTES, len(content)),
            transport=self.name,
            codec=codec,
            status=response.status_code,
            headers=response.headers,
            method=call.method,
        )


_registry: dict[str, Transport] = {}


def register(transport: Transport, *, replace: bool = False) -> None:
    """Make ``transport`` available by its name."""
    if not isinstance(transport, Transport):
        raise TypeError(f"{transport!r} does not implement the Transport protocol")
    if transport.name in _registry and not replace:
        raise ValueError(f"a transport named {transport.name!r} is already registered")
    _registry[transport.name] = transport


def _load_builtins() -> None:
    from . import rest, soap, xmlrpc

    for module in (rest, xmlrpc, soap):
        _registry.setdefault(module.TRANSPORT.name, module.TRANSPORT)


def get(name: str) -> Transport:
    """The transport registered as ``name``; raises ``ValueError`` for an unknown name."""
    transport = _registry.get(name)
    if transport is not None:
        return transport
    if name in BUILTIN:
        _load_builtins()
        return _registry[name]
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == name:
            loaded = entry.load()
            register(loaded, replace=True)
            return _registry[name]
    raise ValueError(f"unknown transport {name!r}; known: {', '.join(names())}")


def names() -> list[str]:
    _load_builtins()
    found = set(_registry)
    found.update(entry.name for entry in metadata.entry_points(group=ENTRY_POINT_GROUP))
    builtin = [n for n in BUILTIN if n in found]
    return builtin + sorted(found - set(BUILTIN))


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
