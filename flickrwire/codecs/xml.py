"""Flickr's XML payload format: the REST ``<rsp>`` document and the payload fragments
that XML-RPC and SOAP carry escaped inside their envelopes.

Payloads take Flickr's JSON shape on every path: attributes become keys, text becomes
``_content``, repeated children become lists (plus the catalogue's list hints).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from .. import xmlsafe
from ..call import list_paths
from ..result import Fault, Payload, Result
from . import BodyError, Outcome, apply_list_hints, shown

NAME = "xml"
PROLOG = '<?xml version="1.0" encoding="utf-8" ?>\n'
CONTENT_TYPE = "text/xml; charset=utf-8"


# -- decoding -------------------------------------------------------------------------


def element_payload(root: etree._Element, method: str) -> dict[str, Any]:
    """The children of ``root`` (``<rsp>`` or a wrapper) as a Flickr-JSON payload."""
    payload = _children(root)
    paths = list_paths(method)
    return apply_list_hints(payload, paths) if paths else payload


def _children(element: etree._Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in element:
        tag = item.tag
        if not isinstance(tag, str):
            continue
        name = tag.rpartition("}")[2] if "}" in tag else tag
        value = _convert(item)
        if name in out:
            prior = out[name]
            if isinstance(prior, list):
                prior.append(value)
            else:
                out[name] = [prior, value]
        else:
            out[name] = value
    return out


def _convert(element: etree._Element) -> dict[str, Any]:
    node = _attributes(element)
    if len(element):
        node.update(_children(element))
    text = element.text
    if text and not text.isspace():
        node["_content"] = text
    return node


#: Up to this many attributes, lxml's ``items()`` is the fastest reading.
_FEW_ATTRIBUTES = 64


def _attributes(element: etree._Element) -> dict[str, Any]:
    """An element's attributes, in time linear in their number.

    lxml's ``items()`` looks each value up again by name (libxml2's ``xmlGetNsProp`` walks
    the attribute list), so it is quadratic: 40,000 attributes took 12 s. XPath's attribute
    axis walks the list once; it costs more per element, so it serves only long lists.
    """
    if len(element.attrib) <= _FEW_ATTRIBUTES:
        return dict(element.items())  # type: ignore[arg-type]
    found: list[Any] = element.xpath("@*")  # type: ignore[assignment]
    return {item.attrname: str(item) for item in found}


def fragment_payload(fragment: str, method: str) -> dict[str, Any]:
    """An escaped payload fragment (possibly empty, possibly several top-level elements)."""
    if not fragment or fragment.isspace():
        return {}
    text = fragment.lstrip()
    if text.startswith("<?xml"):
        text = text[text.find("?>") + 2 :]
    try:
        # The fragment came out of an envelope that already passed the size limit.
        root = xmlsafe.parse_wrapped(text, "rsp", max_bytes=max(len(text), xmlsafe.MAX_XML_BYTES))
    except ValueError as exc:
        raise BodyError(f"payload fragment is not XML: {exc}") from exc
    loose = [root.text or ""] + [item.tail or "" for item in root]
    if any(piece.strip() for piece in loose):
        raise BodyError("payload fragment holds text outside any element")
    return element_payload(root, method)


def read_rsp(root: etree._Element, method: str) -> Outcome:
    """A REST ``<rsp stat=...>`` document."""
    stat = root.get("stat")
    if stat == "ok":
        return element_payload(root, method), None
    if stat == "fail":
        err = xmlsafe.child(root, "err")
        if err is None:
            raise BodyError('<rsp stat="fail"> without an <err> element')
        return {}, Fault.from_code(_code(err.get("code")), (err.get("msg") or "").strip())
    raise BodyError(f"<rsp> with unknown stat {shown(stat)}")


def _code(value: str | None) -> int:
    try:
        return int((value or "").strip())
    except ValueError as exc:
        raise BodyError(f"error code {shown(value)} is not a number") from exc


# -- encoding -------------------------------------------------------------------------


def payload_fragment(payload: Payload) -> str:
    """A payload as the XML that Flickr puts inside ``<rsp>`` (no wrapper)."""
    return "".join(_element(name, value) for name, value in payload.items())


def _element(name: str, value: Any) -> str:
    if isinstance(value, list):
        return "".join(_element(name, item) for item in value)
    if not isinstance(value, Mapping):
        return f"<{name}>{text(_scalar(value))}</{name}>"
    attrs = "".join(
        f' {key}="{_attr(_scalar(val))}"'
        for key, val in value.items()
        if key != "_content" and not isinstance(val, (Mapping, list))
    )
    inner = "".join(
        _element(key, val) for key, val in value.items() if isinstance(val, (Mapping, list))
    )
    if "_content" in value:
        inner = text(_scalar(value["_content"])) + inner
    if not inner:
        return f"<{name}{attrs} />"
    return f"<{name}{attrs}>{inner}</{name}>"


_ATTR = {'"': "&quot;", "\n": "&#10;", "\t": "&#9;", "\r": "&#13;"}
# A raw CR would reach the reader as LF (XML 1.0 section 2.11, end-of-line handling), and a
# signed parameter value would then no longer match its signature: send it as &#13;.
_TEXT = {"\r": "&#13;"}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: str) -> str:
    """Escape character data; refuse characters XML 1.0 cannot carry at all."""
    if not _SPECIAL.search(value):
        return value
    if _ILLEGAL.search(value):
        raise ValueError(f"{value!r} holds a character that XML 1.0 cannot carry")
    return escape(value, _TEXT)


def _attr(value: str) -> str:
    """Escape an attribute value for double quotes, as Flickr does (``&quot;``)."""
    if _ILLEGAL.search(value):
        raise ValueError(f"{value!r} holds a character that XML 1.0 cannot carry")
    return escape(value, _ATTR)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def encode(result: Result) -> bytes:
    """A result as a REST ``<rsp>`` document, laid out as Flickr lays it out.

    Layout from the recorded samples: prolog with a space before ``?>``, a newline, the
    ``<rsp>`` element, a tab before ``<err .../>``, and a trailing newline.
    """
    if result.fault is None:
        body = payload_fragment(result.payload)
        inner = f"\n{body}\n" if body else "\n"
        return f'{PROLOG}<rsp stat="ok">{inner}</rsp>\n'.encode()
    fault = result.fault
    code = fault.code if fault.code is not None else 0
    return (
        f'{PROLOG}<rsp stat="fail">\n\t<err code="{code}" msg="{_attr(fault.message)}" />\n</rsp>\n'
    ).encode()
