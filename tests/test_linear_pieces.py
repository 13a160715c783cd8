"""Text that the XML parser hands over in many pieces is read in linear time at full size.

libxml2 gives character data to a reader in pieces, split at every entity, character
reference, comment or CDATA section. A reader that grows the text by concatenation copies
it once per piece: invisible at 100 KB, seconds at 1 MB. So these shapes are decoded at
128 KB and at 1 MB (8x apart), on every path that reads an ``<rsp>`` payload: REST, and the
escaped payloads of XML-RPC and SOAP. Linear work costs about 8x; the limit is 20x. Times
are CPU time, the best of three, re-measured once before failing (see test_linear.py).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest

from flickrwire import decode

SMALL = 128 * 1024
LARGE = 8 * SMALL
LIMIT = 20.0

PIECES = {
    "entities": (b"a&amp;", b"a&amp;amp;"),
    "character references": (b"a&#65;", b"a&amp;#65;"),
    "comments": (b"a<!---->", b"a&lt;!----&gt;"),
    "cdata": (b"a<![CDATA[b]]>", b"a&lt;![CDATA[b]]&gt;"),
}


def _rest(unit: bytes, size: int) -> tuple[bytes, dict[str, str]]:
    text = unit * (size // len(unit))
    return b'<rsp stat="ok"><x>' + text + b"</x></rsp>", {"transport": "rest", "codec": "xml"}


def _xmlrpc(unit: bytes, size: int) -> tuple[bytes, dict[str, str]]:
    text = unit * (size // len(unit))
    body = (
        b"<?xml version='1.0'?><methodResponse><params><param><value><string>"
        b"&lt;x&gt;" + text + b"&lt;/x&gt;</string></value></param></params></methodResponse>"
    )
    return body, {"transport": "xmlrpc", "codec": "xml"}


def _soap(unit: bytes, size: int) -> tuple[bytes, dict[str, str]]:
    text = unit * (size // len(unit))
    body = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<x:FlickrResponse xmlns:x="urn:flickr">&lt;x&gt;' + text + b"&lt;/x&gt;"
        b"</x:FlickrResponse></s:Body></s:Envelope>"
    )
    return body, {"transport": "soap", "codec": "xml"}


Build = Callable[[bytes, int], tuple[bytes, dict[str, str]]]
PATHS: dict[str, tuple[Build, int]] = {
    "rest": (_rest, 0),
    "xmlrpc": (_xmlrpc, 1),
    "soap": (_soap, 1),
}


def _cost(build: Build, unit: bytes, size: int) -> float:
    body, kwargs = build(unit, size)
    result = decode(body, method="flickr.test.echo", **kwargs)
    assert result.ok, result.fault
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            start = time.process_time()
            decode(body, method="flickr.test.echo", **kwargs)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


def _growth(path: str, piece: str) -> float:
    build, which = PATHS[path]
    unit = PIECES[piece][which]
    return _cost(build, unit, LARGE) / max(_cost(build, unit, SMALL), 1e-6)


@pytest.mark.parametrize("piece", sorted(PIECES))
@pytest.mark.parametrize("path", sorted(PATHS))
def test_text_in_many_pieces_is_read_in_linear_time(path: str, piece: str) -> None:
    ratio = _growth(path, piece)
    if ratio >= LIMIT:
        ratio = min(ratio, _growth(path, piece))
    assert ratio < LIMIT, f"{path}, text split by {piece}: 8x the body cost {ratio:.1f}x the time"


def test_the_text_is_read_whole() -> None:
    body, kwargs = _rest(b"a&amp;", 600)
    result = decode(body, method="flickr.test.echo", **kwargs)
    assert result.payload == {"x": {"_content": "a&" * 100}}
