"""Flickr's request protocols. Each one is sans-IO and symmetric: the client builds
requests and parses responses, the emulator parses requests and renders responses.

A third party adds a protocol by registering an object that satisfies :class:`Transport`,
either with :func:`register` or through the entry-point group ``flickrwire.transports``.
"""

from __future__ import annotations

from importlib import metadata

from .base import (
    DecodingTransport,
    RequestError,
    Transport,
    endpoint,
    endpoint_url,
    flickr_params,
    response_format,
)
from .request import ParsedRequest, RequestParams, ServerTransport, read_params

ENTRY_POINT_GROUP = "flickrwire.transports"
BUILTIN = ("rest", "xmlrpc", "soap")


_registry: dict[str, Transport] = {}


def register(transport: Transport, *, replace: bool = False) -> None:
    """Make ``transport`` available by its name."""
    if not isinstance(transport, Transport):
        raise TypeError(f"{transport!r} does not implement the Transport protocol")
    if transport.name in _registry and not replace:
        raise ValueError(f"a transport named {transport.name!r} is already registered")
    _registry[transport.name] = transport


def _load_builtins() -> None:
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
            loaded = entry.load()  # its module may register it itself: replace=True
            if getattr(loaded, "name", name) != name:
                raise ValueError(f"entry point {name!r} loads a transport named {loaded.name!r}")
            register(loaded, replace=True)
            return _registry[name]
    raise ValueError(f"unknown transport {name!r}; known: {', '.join(names())}")


def names() -> list[str]:
    _load_builtins()
    found = set(_registry)
    found.update(entry.name for entry in metadata.entry_points(group=ENTRY_POINT_GROUP))
    builtin = [n for n in BUILTIN if n in found]
    return builtin + sorted(found - set(BUILTIN))


# The built-in transports are imported eagerly: importing one registers its envelope
# reader with flickrwire.decoding, which must know them before the first decode.
from . import rest, soap, xmlrpc  # noqa: E402

__all__ = [
    "BUILTIN",
    "ENTRY_POINT_GROUP",
    "DecodingTransport",
    "ParsedRequest",
    "RequestError",
    "RequestParams",
    "ServerTransport",
    "Transport",
    "endpoint",
    "endpoint_url",
    "flickr_params",
    "get",
    "names",
    "read_params",
    "register",
    "response_format",
]
