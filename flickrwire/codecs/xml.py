"""Flickr's XML payload format: the REST ``<rsp>`` document and the payload fragments
that XML-RPC and SOAP carry escaped inside their envelopes.

Payloads take Flickr's JSON shape on every path: attributes become keys, text becomes
``_content``, repeated children become lists (plus the catalogue's list hints).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from lxml import etree

from .. import xmlsafe
from ..call import list_paths
from ..result import Fault, Payload, Result
from . import BodyError, Outcome, apply_list_hints, shown

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
    # The fragment came out of an envelope that already passed the size limit.
    limit = max(len(text), xmlsafe.MAX_XML_BYTES)
    builder, parser = _builder("feeder", "&" in text)
    try:
        root: Built = xmlsafe.parse_wrapped_into(parser, text, "rsp", max_bytes=limit)
    except ValueError as exc:
        raise BodyError(f"payload fragment is not XML: {exc}") from exc
    finally:
        builder.reset()  # let go of what it built, whatever the parse came to
    if root.loose:
        raise BodyError("payload fragment holds text outside any element")
    paths = list_paths(method)
    return apply_list_hints(root.children, paths) if paths else root.children


def rsp_payload(data: bytes, method: str, *, max_bytes: int) -> dict[str, Any] | None:
    """The payload of a REST ``<rsp stat="ok">`` document read without building a tree,
    or None when the document is anything else (a failure, another root, not XML): the
    tree reader then reads it, and says what is wrong with it."""
    builder, parser = _builder("whole", b"&" in data)
    try:
        root: Built = xmlsafe.parse_into(parser, data, max_bytes=max_bytes)
    except ValueError:
        return None
    finally:
        builder.reset()  # let go of what it built, whatever the parse came to
    if root.tag.rpartition("}")[2] != "rsp" or root.attributes.get("stat") != "ok":
        return None
    paths = list_paths(method)
    return apply_list_hints(root.children, paths) if paths else root.children


# Set once the parser has been asked (below); False while it is being asked.
_AMPERSAND_KEPT = False


class Built(NamedTuple):
    """What :class:`_Builder` makes of a document: its root element's tag, attributes and
    children (in the payload shape), and whether text lies directly in the root."""

    tag: str
    attributes: dict[str, str]
    children: dict[str, Any]
    loose: bool


class _Builder:
    """An lxml parser target that builds the payload shape as the parser reads, with no
    tree and no per-element proxy objects: the same shape as :func:`_children` and
    :func:`_convert` make of a tree (attributes, then children, then ``_content`` from the
    text before the first child; tails ignored), keys in the same order. Parsed with
    :func:`xmlsafe.hardened_parser`; it refuses what :func:`xmlsafe.parse` refuses from the
    tree (XInclude, a DTD), and documents deeper than libxml2 builds trees.

    Each element's node is its attributes dict, put into its parent's node as soon as it
    starts (after the parent's attributes, in document order: where ``node.update(children)``
    puts it). A child named like one of the parent's attributes replaces the attribute's
    value in place, as the update does; a second one of that name makes a list."""

    __slots__ = (
        "_amp",
        "_built",
        "_frames",
        "_kept",
        "_loose",
        "_open",
        "_refusal",
        "_root",
        "_text",
    )

    def __init__(self) -> None:
        self.reset()

    def reset(self, ampersands: bool = True) -> None:
        """Forget any document; ``ampersands``: whether the next one may hold a "&"."""
        # The nodes of the open elements, outermost first; the root's place holds its
        # children (its attributes are kept apart, in _root).
        self._frames: list[dict[str, Any]] = []
        self._root: tuple[str, dict[str, str]] = ("", {})
        # The element whose text is being read: the innermost open one, until its first
        # child starts; None in tails and in the root (whose text is only checked).
        self._open: dict[str, Any] | None = None
        # Its text so far: a string, or a list of pieces once the parser has given it in
        # several (split at entities, references, comments, CDATA), joined once at the end,
        # since growing one string by every piece copies it each time (quadratic at 1 MB).
        self._text: Any = ""
        # The texts of elements whose first child has started, until the element ends.
        self._kept: list[tuple[dict[str, Any], str]] = []
        self._built: Built | None = None
        self._loose = False
        # Kept, since lxml may call close() before it raises what a callback raised.
        self._refusal: ValueError | None = None
        # Whether attribute values may hold "&#38;" for "&" (see _AMPERSAND_KEPT).
        self._amp = ampersands and _AMPERSAND_KEPT

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag[0] == "{":
            if tag.startswith(xmlsafe.XINCLUDE_NAMESPACES):
                self._refuse(xmlsafe.UnsafeXMLError("XML document uses XInclude; refused"))
            name = tag.rpartition("}")[2]
        else:
            name = tag
        stack = self._frames
        if len(stack) >= xmlsafe.MAX_DEPTH:
            # libxml2 stops a tree at this depth; fed to a target it does not.
            depth = xmlsafe.MAX_DEPTH
            self._refuse(xmlsafe.XMLSyntaxError(f"Excessive depth in document: {depth}"))
        if not attrib:
            node: dict[str, Any] = {}  # lxml passes one shared empty mapping
        else:
            node = attrib  # a new dict for each element (lxml's saxparser.pxi)
            if self._amp:
                for key, value in node.items():
                    if "&" in value:
                        node[key] = value.replace("&#38;", "&")
        if self._text:
            self._keep()  # the parent's text: this is its first child
        if not stack:
            self._root = (tag, node)
            stack.append({})
            return
        parent = stack[-1]
        prior = parent.get(name)
        if prior is None:
            parent[name] = node
        elif type(prior) is dict:
            parent[name] = [prior, node]
        elif type(prior) is list:
            prior.append(node)
        else:
            parent[name] = node  # an attribute's value, which a child replaces
        stack.append(node)
        self._open = node

    def _keep(self) -> None:
        text = self._text
        self._text = ""
        if type(text) is list:
            text = "".join(text)
        if not text.isspace():
            self._kept.append((self._frames[-1], text))

    def data(self, text: str) -> None:
        if self._open is not None:
            held = self._text
            if not held:
                self._text = text
            elif type(held) is list:
                held.append(text)
            else:
                self._text = [held, text]
        elif len(self._frames) == 1 and not text.isspace():
            self._loose = True  # text in the root, outside its children

    def end(self, tag: str) -> None:
        stack = self._frames
        node = stack.pop()
        if node is self._open:  # an element without children: its text is all read
            self._open = None  # what follows in the parent is a tail
            text = self._text
            if text:
                self._text = ""
                if type(text) is list:
                    text = "".join(text)
                if not text.isspace():
                    node["_content"] = text
        elif self._kept and self._kept[-1][0] is node:
            node["_content"] = self._kept.pop()[1]
        if not stack:
            root, attributes = self._root
            self._built = Built(root, attributes, node, self._loose)

    def doctype(self, *_: object) -> None:
        self._refuse(xmlsafe.UnsafeXMLError("XML document declares a DTD or entities; refused"))

    def _refuse(self, error: ValueError) -> None:
        self._refusal = error
        raise error

    def close(self) -> Built | None:
        built, refusal = self._built, self._refusal
        self.reset()
        if refusal is not None:
            raise refusal
        # None only when the document is not well-formed: lxml then raises its own
        # error, which names what is wrong (an error raised here would replace it).
        return built


_local = threading.local()


def _builder(kind: str, ampersands: bool) -> tuple[_Builder, etree.XMLParser]:
    """This thread's parser of that kind (fed or whole) and its :class:`_Builder` target,
    set for a document that may (``ampersands``) hold a "&"."""
    pair: tuple[_Builder, etree.XMLParser] | None = getattr(_local, kind, None)
    if pair is None:
        builder = _Builder()
        pair = (builder, xmlsafe.hardened_parser(builder))
        setattr(_local, kind, pair)
    pair[0].reset(ampersands)
    return pair


def _ampersand_kept() -> bool:
    """Whether this libxml2 hands a parser target "&#38;" for each "&" in an attribute
    value, as it does when it does not replace entities (it leaves the reference for its
    own tree builder to read); then "&#38;" is exactly how every "&" comes, and the
    builder turns it back. Asked of the parser itself, since libxml2 versions differ."""
    builder = _Builder()
    built: Built = xmlsafe.parse_into(xmlsafe.hardened_parser(builder), b'<a b="&amp;#38;"/>')
    return built.attributes["b"] == "&#38;#38;"


_AMPERSAND_KEPT = _ampersand_kept()


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
