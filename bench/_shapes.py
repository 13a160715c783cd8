"""Hostile answer shapes for the decoder, each built at any size.

Used by ``bench_adversarial.py`` (10 KB to 1 MB) and by ``tests/test_linear.py`` (a
bounded version). Each shape is a function of a target size in bytes returning the body
and the ``decode`` keywords that go with it; bodies come within a few bytes of the size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Shape = Callable[[int], tuple[bytes, dict[str, Any]]]
RSP = b'<rsp stat="ok">'
END = b"</rsp>"
XMLRPC_OPEN = b"<methodResponse><params><param><value><string>"
XMLRPC_END = b"</string></value></param></params></methodResponse>"
SOAP_OPEN = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
    b'<x:FlickrResponse xmlns:x="urn:flickr">'
)
SOAP_END = b"</x:FlickrResponse></s:Body></s:Envelope>"


def _times(unit: bytes, size: int) -> bytes:
    return unit * max(1, size // len(unit))


def _numbered(pattern: bytes, size: int, sep: bytes = b"") -> bytes:
    parts: list[bytes] = []
    total = 0
    i = 0
    while total < size:
        part = pattern % i
        parts.append(part)
        total += len(part) + len(sep)
        i += 1
    return sep.join(parts)


def _xml(inner: bytes) -> tuple[bytes, dict[str, Any]]:
    return RSP + inner + END, {}


SHAPES: dict[str, Shape] = {
    # HTML error pages: the <title> reader.
    "html: many <title>": lambda n: (b"<html>" + _times(b"<title>", n), {"status": 502}),
    "html: long title": lambda n: (
        b"<html><title>" + _times(b"a ", n) + b"</title>",
        {"status": 502},
    ),
    "html: many <": lambda n: (b"<html>" + _times(b"<", n), {"status": 502}),
    "text: many <": lambda n: (_times(b"<", n), {}),
    # <rsp> documents: attributes, text, names, nesting, namespaces.
    "xml: many attributes": lambda n: _xml(b"<x " + _numbered(b'a%d="x"', n, b" ") + b"/>"),
    "xml: many attributes on rsp": lambda n: (
        b'<rsp stat="ok" ' + _numbered(b'a%d="x"', n, b" ") + b"/>",
        {},
    ),
    "xml: many ns attributes": lambda n: _xml(
        b'<x xmlns:p="urn:p" ' + _numbered(b'p:a%d="x"', n, b" ") + b"/>"
    ),
    "xml: many namespaces": lambda n: _xml(
        b"<x " + _numbered(b'xmlns:p%d="urn:p"', n, b" ") + b"/>"
    ),
    "xml: long attribute": lambda n: _xml(b'<x a="' + _times(b"a", n) + b'"/>'),
    "xml: long stat": lambda n: (b'<rsp stat="' + _times(b"x", n) + b'"/>', {}),
    "xml: long err msg": lambda n: (
        b'<rsp stat="fail"><err code="1" msg="' + _times(b"m", n) + b'"/></rsp>',
        {},
    ),
    "xml: many siblings": lambda n: _xml(_times(b'<photo id="1"/>', n)),
    "xml: many names": lambda n: _xml(_numbered(b"<x%d/>", n)),
    "xml: deep nesting": lambda n: _xml(_times(b"<a>" * 250 + b"</a>" * 250, n)),
    "xml: many tails": lambda n: _xml(_times(b"<x/>t", n)),
    "xml: long text": lambda n: _xml(b"<x>" + _times(b"a", n) + b"</x>"),
    "xml: text and comments": lambda n: _xml(b"<x>" + _times(b"a<!---->", n) + b"</x>"),
    "xml: text and entities": lambda n: _xml(b"<x>" + _times(b"a&amp;&#65;", n) + b"</x>"),
    "xml: text and cdata": lambda n: _xml(b"<x>" + _times(b"a<![CDATA[b]]>", n) + b"</x>"),
    "xml: long prolog": lambda n: (
        b'<?xml version="1.0" ' + _times(b"encoding ", n) + b"?>" + RSP + END,
        {},
    ),
    # XML-RPC and SOAP envelopes: escaped payloads, structs.
    "xmlrpc: escaped elements": lambda n: (
        XMLRPC_OPEN + _times(b'&lt;photo id="1" a="b"/&gt;', n) + XMLRPC_END,
        {"transport": "xmlrpc"},
    ),
    "xmlrpc: fault members": lambda n: (
        b"<methodResponse><fault><value><struct>"
        + _times(b"<member><name>faultCode</name><value><int>1</int></value></member>", n)
        + b"</struct></value></fault></methodResponse>",
        {"transport": "xmlrpc"},
    ),
    "soap: escaped attributes": lambda n: (
        SOAP_OPEN + b"&lt;x " + _numbered(b'a%d="x"', n, b" ") + b"/&gt;" + SOAP_END,
        {"transport": "soap"},
    ),
    "soap: fault code values": lambda n: (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault>'
        b"<s:Code>" + _times(b"<s:Value>Receiver</s:Value>", n) + b"</s:Code></s:Fault>"
        b"</s:Body></s:Envelope>",
        {"transport": "soap"},
    ),
    # JSON and JSONP.
    "jsonp: long callback": lambda n: (_times(b"a", n) + b'({"stat":"ok"})', {"codec": "json"}),
    "jsonp: unclosed callbacks": lambda n: (_times(b"a(", n), {"codec": "json"}),
    "jsonp: many parentheses": lambda n: (
        b'jsonFlickrApi({"stat":"ok"}' + _times(b")", n),
        {"codec": "json"},
    ),
    "json: many keys": lambda n: (
        b'{"stat":"ok",' + _numbered(b'"k%d":1', n, b",") + b"}",
        {"codec": "json"},
    ),
    "json: deep nesting": lambda n: (b'{"stat":"ok","a":' + _times(b"[", n), {"codec": "json"}),
    "json: long string": lambda n: (
        b'{"stat":"ok","a":"' + _times(b"\\u00e9", n) + b'"}',
        {"codec": "json"},
    ),
    "json: many floats": lambda n: (
        b'{"stat":"ok","a":[' + _times(b"1.5e3,", n) + b"1]}",
        {"codec": "json"},
    ),
    "json: long numbers": lambda n: (
        b'{"stat":"ok","a":[' + _times(b"1" * 4000 + b",", n) + b"1]}",
        {"codec": "json"},
    ),
    # The strict checks (issue 10): strings holding colons, brackets and escaped quotes
    # (the exact counts), duplicate keys (the naming parse), many small containers (the walk).
    "json: colons in strings": lambda n: (
        b'{"stat":"ok","a":[' + _times(b'":a:",', n) + b'""]}',
        {"codec": "json"},
    ),
    "json: brackets in strings": lambda n: (
        b'{"stat":"ok","a":[' + _times(b'{"k":"[{"},', n) + b"{}]}",
        {"codec": "json"},
    ),
    "json: escaped quotes": lambda n: (
        b'{"stat":"ok","a":[' + _times(b'"\\\\\\":\\\\",', n) + b'""]}',
        {"codec": "json"},
    ),
    "json: duplicate keys": lambda n: (
        b'{"stat":"ok","a":{' + _times(b'"k":1,', n) + b'"k":2}}',
        {"codec": "json"},
    ),
    "json: many containers": lambda n: (
        b'{"stat":"ok","a":[' + _times(b"[{},[]],", n) + b"1]}",
        {"codec": "json"},
    ),
    "json: leading space": lambda n: (_times(b" ", n) + b'{"stat":"ok"}', {"codec": "json"}),
    # OAuth problem forms.
    "oauth: many fields": lambda n: (
        b"oauth_problem=signature_invalid&" + _times(b"a=b&", n),
        {"status": 401},
    ),
}
