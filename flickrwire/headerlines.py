"""The header lines of a POST sent from its parts (``AsyncClient``'s short path), as
aiohttp takes them: a ``dict`` of lower-cased text names, in the order ``post_headers``
gives the lines that ``httpx.Request`` would carry.
"""

from __future__ import annotations

import httpx

from .transports.base import Outgoing, endpoint_url, post_headers


def header_pairs(every: list[tuple[bytes, bytes]]) -> dict[str, str] | list[tuple[str, str]]:
    """``httpx.Headers(every).multi_items()``: names lower-cased, as text; a ``dict`` when
    no name comes twice (the same header lines, and aiohttp takes a ``dict`` for less
    CPU than a list of pairs)."""
    try:
        found = {name.lower().decode("ascii"): value.decode("ascii") for name, value in every}
    except UnicodeDecodeError:  # httpx then reads every header as UTF-8 or Latin-1
        return httpx.Headers(every).multi_items()
    if len(found) < len(every):
        return [(name.lower().decode("ascii"), value.decode("ascii")) for name, value in every]
    return found


#: Kept by :func:`_host_text` and :func:`_name_text` (plain dicts: a lookup costs a
#: fraction of an ``lru_cache`` call); emptied when full.
_HOSTS: dict[str, str | None] = {}
_NAMES: dict[bytes, str] = {}
_KEPT = 64


def _host_text(url: str) -> str | None:
    """The ``Host`` header :func:`post_headers` gives a POST to ``url``, as text; None for
    a URL without a host (httpx places its own headers then)."""
    try:
        return _HOSTS[url]
    except KeyError:
        pass
    parsed = endpoint_url(url)
    host = None
    if parsed.host:
        try:
            host = parsed.netloc.decode("ascii")
        except UnicodeDecodeError:  # httpx gives hosts IDNA-encoded: not expected
            host = None
    if len(_HOSTS) >= _KEPT:
        _HOSTS.clear()
    _HOSTS[url] = host
    return host


def _name_text(name: bytes) -> str:
    """A header name as aiohttp takes it: lower-cased text (``UnicodeDecodeError`` for
    one not ASCII)."""
    try:
        return _NAMES[name]
    except KeyError:
        pass
    text = name.lower().decode("ascii")
    if len(_NAMES) >= _KEPT:
        _NAMES.clear()
    _NAMES[name] = text
    return text


def post_header_pairs(post: Outgoing) -> dict[str, str] | list[tuple[str, str]] | None:
    """``header_pairs(post_headers(*post))``, with the usual headers (ASCII, no name
    twice, neither ``Host`` nor ``Content-Length`` among them) made straight into the
    ``dict`` aiohttp takes; anything else the long way, which gives the same answer."""
    url, body, headers = post
    host = None
    if body:
        try:  # read here rather than through _host_text: a call saved
            host = _HOSTS[url]
        except KeyError:
            host = _host_text(url)
    if host is None:
        every = post_headers(url, body, headers)
        return None if every is None else header_pairs(every)
    found = {"host": host}
    names = _NAMES  # read here rather than through _name_text: a call per line saved
    try:
        for name, value in headers:
            found[names.get(name) or _name_text(name)] = value.decode("ascii")
    except UnicodeDecodeError:
        found = {}
    found["content-length"] = str(len(body))
    if len(found) == len(headers) + 2:
        return found
    every = post_headers(url, body, headers)
    return None if every is None else header_pairs(every)
