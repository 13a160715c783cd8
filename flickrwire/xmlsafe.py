"""The one hardened XML parser for everything a server or client sends us.

No entity resolution, no DTD loading, no network, no huge trees, and a size limit. A
document that declares a DTD at all is refused before lxml sees it: Flickr never sends one,
and refusing early is what keeps entity-expansion ("billion laughs") and external-entity
attacks cheap to turn away.
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from lxml import etree

#: Default limit on any XML document we parse (bytes).
MAX_XML_BYTES = 10 * 1024 * 1024
#: The deepest nesting of elements libxml2 builds a tree of (without huge_tree).
MAX_DEPTH = 256

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_TEXT = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_SLICE = 1 << 16  # pragma: no mutate (the size of the slices fed: speed only)
# Documents below this many bytes are fed to the parser in one piece, larger ones parsed
# from memory: lxml sets a parse from memory up at more cost, and then parses faster.
_FEED_MAX = 1 << 12  # pragma: no mutate (which of two paths with one answer: speed only)
# Fragments up to this many characters are wrapped in one copy; longer ones are fed in
# slices (the copy of the text would cost memory).
_WHOLE_MAX = 1 << 20
#: XInclude's namespaces, as they open a tag in lxml's notation; its elements are refused.
XINCLUDE_NAMESPACES = ("{http://www.w3.org/2001/XInclude}", "{http://www.w3.org/2003/XInclude}")
_XINCLUDE_TAGS = tuple(f"{ns}*" for ns in XINCLUDE_NAMESPACES)
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_UTF8_PROLOGS = (b'<?xml version="1.0" encoding="utf-8"', b'<?xml version="1.0" encoding="UTF-8"')
_ASCII_SAFE = frozenset({"utf-8", "ascii"})  # codecs.lookup names Latin-1 "iso8859-1"
_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>")
# Byte-order marks and the first bytes of "<?" in encodings that are not ASCII-compatible
# (XML 1.0 appendix F, autodetection of character encodings).
_SIGNATURES = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)
_SIGNATURE_BYTES = tuple(sig for sig, _ in _SIGNATURES)
_local = threading.local()


def wide_encoding(data: bytes) -> str | None:
    """The codec a body's first bytes name when they are not ASCII-compatible: a UTF-16 or
    UTF-32 byte order mark, or "<" / "<?" in one of them without a mark."""
    if not data.startswith(_SIGNATURE_BYTES):  # one C call for the usual answer
        return None
    return next((name for sig, name in _SIGNATURES if data.startswith(sig)), None)


class UnsafeXMLError(ValueError):
    """The document is hostile (DTD, entities) or too large; nothing was parsed."""


class XMLSyntaxError(ValueError):
    """The document is not well-formed XML."""


def hardened_parser(target: Any = None) -> etree.XMLParser:
    """A new parser with every refusal set: no entities, DTD or network, no huge trees.

    With a ``target`` (lxml's parser-target interface: ``start``, ``end``, ``data``,
    ``close``) no tree is built; the target then owns the refusals that need the tree
    (see :data:`XINCLUDE_NAMESPACES`), and should refuse a ``doctype`` call."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        strip_cdata=True,
        target=target,
    )


def _parser(kind: str = "parser") -> etree.XMLParser:
    parser: etree.XMLParser | None = getattr(_local, kind, None)
    if parser is None:
        parser = hardened_parser()
        setattr(_local, kind, parser)
    return parser


def _checked(data: bytes, max_bytes: int) -> bytes:
    """The document as the parser is to read it, after the refusals a byte scan makes."""
    if len(data) > max_bytes:
        raise UnsafeXMLError(f"XML document of {len(data)} bytes exceeds the {max_bytes} limit")
    # After _ascii_compatible every byte of markup is ASCII, so this scan sees every DTD
    # and entity declaration the parser would.
    data = _ascii_compatible(data)
    # Every match starts with "<!": where no "!" is (one C scan, far quicker than the
    # pattern's), there is none.
    if b"!" in data and _DTD.search(data):
        raise UnsafeXMLError("XML document declares a DTD or entities; refused")
    return data


def _read(parser: etree.XMLParser, data: bytes) -> Any:
    """What ``parser`` makes of a whole document (its root, or its target's ``close``):
    fed when small, which costs lxml less set-up than a parse from memory. A document
    the feeding finds malformed is parsed from memory after all, so that the error is
    the one a parse from memory gives (fed to a tree, an undefined entity comes out as
    "no element found")."""
    if len(data) < _FEED_MAX:
        try:
            return _fed(parser, (data,))
        except etree.XMLSyntaxError:
            pass  # parsed again below, for its error
    return etree.fromstring(data, parser)


def _fed(parser: etree.XMLParser, pieces: Iterable[str | bytes]) -> Any:
    """Feed ``pieces`` to ``parser`` and close it; a parser left mid-document (an error, a
    refusal by its target, anything that stopped the feeding) is closed all the same."""
    try:
        for piece in pieces:
            parser.feed(piece)
    except BaseException:
        with contextlib.suppress(Exception):
            parser.close()
        raise
    return parser.close()


def parse_into(parser: etree.XMLParser, data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> Any:
    """Parse untrusted bytes with a :func:`hardened_parser` holding a target; what the
    target's ``close`` returns. The same refusals as :func:`parse`, those needing a tree
    made by the target."""
    data = _checked(data, max_bytes)
    try:
        return _read(parser, data)
    except etree.XMLSyntaxError as exc:
        raise XMLSyntaxError(str(exc)) from exc


def parse(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse untrusted bytes; raise :class:`UnsafeXMLError` or :class:`XMLSyntaxError`."""
    data = _checked(data, max_bytes)
    try:
        root: etree._Element = _read(_parser(), data)  # a document without a root is an error
    except etree.XMLSyntaxError as exc:
        raise XMLSyntaxError(str(exc)) from exc
    # An XInclude element needs a namespace declaration naming XInclude, literally or
    # through character references (entities were refused above).
    maybe_xinclude = b"xmlns" in data and (b"XInclude" in data or b"&#" in data)
    _check_tree(root, namespaced=maybe_xinclude)
    return root


def parse_wrapped(text: str, wrapper: str, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse ``<wrapper>text</wrapper>``: a payload fragment that an envelope carried
    escaped. The same refusals as :func:`parse`; the text is fed in slices, so no copy of
    it is made whole (a 10 MiB payload would otherwise be encoded and wrapped: two more)."""
    root: etree._Element = parse_wrapped_into(_parser("feeder"), text, wrapper, max_bytes=max_bytes)
    # No byte test before the walk, as parse makes: the codecs read payloads with a target.
    _check_tree(root, namespaced=True)
    return root


def parse_wrapped_into(
    parser: etree.XMLParser, text: str, wrapper: str, *, max_bytes: int = MAX_XML_BYTES
) -> Any:
    """:func:`parse_wrapped` with a given parser (one holding a target, or the tree
    builder); what its ``close`` returns."""
    if len(text) > max_bytes:
        raise UnsafeXMLError(
            f"XML document of {len(text)} characters exceeds the {max_bytes} limit"
        )
    if "!" in text and _DTD_TEXT.search(text):  # every match starts with "<!"
        raise UnsafeXMLError("XML document declares a DTD or entities; refused")
    try:
        if len(text) > _WHOLE_MAX:
            # No copy of a large text: fed in slices.
            slices = (text[start : start + _SLICE] for start in range(0, len(text), _SLICE))
            return _fed(parser, itertools.chain((f"<{wrapper}>",), slices, (f"</{wrapper}>",)))
        # Smaller fragments parse faster in one piece (bench_decode.py), at the cost of
        # one copy of the text.
        data = f"<{wrapper}>{text}</{wrapper}>".encode("utf-8", "surrogatepass")
        return _read(parser, data)
    except etree.XMLSyntaxError as exc:
        raise XMLSyntaxError(str(exc)) from exc


@lru_cache(maxsize=32)  # pragma: no mutate (the size of a cache: speed only)
def _keeps_ascii(encoding: str) -> bool:
    """Whether ``encoding`` is one where ASCII bytes are exactly ASCII characters and no
    other byte sequence decodes to one, so the byte scan sees all markup. An allowlist:
    UTF-7, for one, writes "<" as "+ADw-" and is re-encoded instead."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name in _ASCII_SAFE or name.startswith(("iso8859-", "cp125"))


def _ascii_compatible(data: bytes) -> bytes:
    """The document re-encoded as UTF-8 when its own encoding would hide markup from the
    byte scan (UTF-16, UTF-32, UTF-7, EBCDIC...); as it is otherwise."""
    if data.startswith(_UTF8_PROLOGS):  # what Flickr sends: nothing to look at
        return data
    # A UTF-16 or UTF-32 byte order mark or pattern names the encoding; without one
    # (wide_encoding answers that in one C call), the document is ASCII-compatible so
    # far, and only a declared encoding can say otherwise.
    encoding = wide_encoding(data)
    if encoding is None:
        declared = _DECLARED.match(data)
        if declared is None:
            return data
        encoding = declared.group(1).decode("ascii").lower()
        if _keeps_ascii(encoding):
            return data
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeError) as exc:
        raise XMLSyntaxError(f"document cannot be read as {encoding}: {exc}") from exc
    text = _PROLOG.sub("", text)  # the codec took the byte order mark; a second is text
    if not text.lstrip().startswith("<"):
        raise XMLSyntaxError(f"document read as {encoding} does not start with markup")
    return text.encode("utf-8")


def _check_tree(root: etree._Element, *, namespaced: bool) -> None:
    """Refusals that need the tree. A DTD the scan missed (it should miss none: this is
    a second line), and XInclude elements, found by namespace: a character reference can
    hide the word from a byte scan, never from the tree."""
    if root.getroottree().docinfo.internalDTD is not None:
        raise UnsafeXMLError("XML document declares a DTD or entities; refused")
    if namespaced and next(root.iter(*_XINCLUDE_TAGS), None) is not None:
        raise UnsafeXMLError("XML document uses XInclude; refused")


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def child(element: etree._Element, name: str) -> etree._Element | None:
    """The first child element with local name ``name``, any namespace."""
    for item in element:
        tag = item.tag
        if type(tag) is str and tag.rpartition("}")[2] == name:  # local_name, inlined
            return item
    return None
