"""The hardened XML parser's refusals, pinned where a mutation run found them loose: deep
trees, DTDs in an escaped payload, and documents that are not markup once decoded."""

from __future__ import annotations

import pytest
from lxml import etree

from flickrwire import decode, xmlsafe

#: libxml2's nesting limit without XML_PARSE_HUGE (the parser keeps ``huge_tree`` off).
DEPTH = 256


def _nested(levels: int) -> str:
    return "<a>" * levels + "</a>" * levels


def test_a_tree_256_deep_is_read_and_one_deeper_refused() -> None:
    assert xmlsafe.parse(_nested(DEPTH).encode()).tag == "a"
    with pytest.raises(xmlsafe.XMLSyntaxError, match="depth"):
        xmlsafe.parse(_nested(DEPTH + 1).encode())


def test_an_escaped_payload_counts_its_wrapper_toward_the_depth_limit() -> None:
    assert len(xmlsafe.parse_wrapped(_nested(DEPTH - 1), "payload")) == 1
    with pytest.raises(xmlsafe.XMLSyntaxError, match="depth"):
        xmlsafe.parse_wrapped(_nested(DEPTH), "payload")


def test_a_deep_answer_is_a_fault_not_a_traceback() -> None:
    body = f'<rsp stat="ok">{_nested(DEPTH)}</rsp>'.encode()
    result = decode(body, transport="rest", codec="xml")
    assert not result.ok and result.fault is not None


@pytest.mark.parametrize(
    "fragment",
    [
        '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        '<!ENTITY a SYSTEM "file:///etc/passwd"><x/>',
        "<!doctype x><x/>",
    ],
)
def test_an_escaped_payload_declaring_a_dtd_is_refused_as_unsafe(fragment: str) -> None:
    with pytest.raises(xmlsafe.UnsafeXMLError, match="DTD"):
        xmlsafe.parse_wrapped(fragment, "payload")


def test_an_escaped_payload_too_large_is_refused_unparsed() -> None:
    fits = "<x>" + "y" * 10 + "</x>"
    assert xmlsafe.parse_wrapped(fits, "w", max_bytes=len(fits))[0].text == "y" * 10
    with pytest.raises(xmlsafe.UnsafeXMLError, match="exceeds"):
        xmlsafe.parse_wrapped(fits + " ", "w", max_bytes=len(fits))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_wide_document_with_a_character_before_its_root_is_refused(encoding: str) -> None:
    # U+FEFF after the declaration is a character, not a byte order mark: not well-formed.
    text = f'<?xml version="1.0" encoding="{encoding}"?>\ufeff<x/>'
    with pytest.raises(xmlsafe.XMLSyntaxError):
        xmlsafe.parse(text.encode(encoding))
    good = f'<?xml version="1.0" encoding="{encoding}"?>\n<x>\u00e9</x>'
    assert xmlsafe.parse(good.encode(encoding)).text == "\u00e9"


def test_a_broken_payload_leaves_the_parser_ready_for_the_next() -> None:
    with pytest.raises(xmlsafe.XMLSyntaxError):
        xmlsafe.parse_wrapped("<x>", "w")
    assert xmlsafe.parse_wrapped("<y>1</y>", "w")[0].text == "1"


@pytest.mark.parametrize(
    "document",
    [
        b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;',  # and malformed: refused before parsing
        b'<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://example.com/x.dtd"><x>',
        b'<!ENTITY lol "lol"><x/>',
    ],
)
def test_a_document_declaring_a_dtd_is_refused_before_it_is_parsed(document: bytes) -> None:
    with pytest.raises(xmlsafe.UnsafeXMLError, match="DTD"):
        xmlsafe.parse(document)


def test_the_local_name_of_a_node_that_is_not_an_element_is_empty() -> None:
    assert xmlsafe.local_name(etree.Comment("c")) == ""
    assert xmlsafe.local_name(etree.ProcessingInstruction("pi", "x")) == ""
    assert xmlsafe.local_name(etree.Element("{urn:x}photo")) == "photo"
