"""The one hardened XML parser for everything a server or client sends us.

No entity resolution, no DTD loading, no network, no huge trees, and a size limit. A
document that declares a DTD at all is refused before lxml sees it: Flickr never sends one,
and refusing early is what keeps entity-expansion ("billion laughs") and external-entity
attacks cheap to turn away.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

#: Default limit on any XML document we parse (bytes).
MAX_XML_BYTES = 10 * 1024 * 1024

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)|XInclude", re.IGNORECASE)
XINCLUDE = "http://www.w3.org/2001/XInclude"
# Encodings in which the byte scan above sees what the parser will see.
_SCANNABLE = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1"})
_local = threading.local()


class UnsafeXMLError(ValueError):
    """The document is hostile (DTD, entities) or too large; nothing was parsed."""


class XMLSyntaxError(ValueError):
    """The document is not well-formed XML."""


def _parser() -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            load_dtd=False,
            dtd_validation=False,
            no_network=True,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
            strip_cdata=True,
        )
        _local.parser = parser
    return parser


def parse(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse untrusted bytes; raise :class:`UnsafeXMLError` or :class:`XMLSyntaxError`."""
    if len(data) > max_bytes:
        raise UnsafeXMLError(f"XML document of {len(data)} bytes exceeds the {max_bytes} limit")
    if _DTD.search(data):
        raise UnsafeXMLError("XML document declares a DTD, entities or XInclude; refused")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise XMLSyntaxError(str(exc)) from exc
    if root is None:
        raise XMLSyntaxError("empty XML document")
    _check_tree(root)
    return root


def _check_tree(root: etree._Element) -> None:
    """The same refusals for documents the byte scan could not read (UTF-16, UTF-7...).

    With entity resolution and DTD loading off, such a document was parsed without
    expanding or fetching anything; it is refused all the same.
    """
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # type: ignore[attr-defined]
        raise UnsafeXMLError("XML document declares a DTD or entities; refused")
    encoding = (docinfo.encoding or "utf-8").lower()
    if encoding not in _SCANNABLE and next(root.iter(f"{{{XINCLUDE}}}*"), None) is not None:
        raise UnsafeXMLError("XML document uses XInclude; refused")


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child element with local name ``name``, any namespace."""
    for item in element:
        if local_name(item) == name:
            return item
    return None
