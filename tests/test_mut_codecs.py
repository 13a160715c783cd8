"""What the codecs' shared helpers promise a caller, pinned where a mutation run found them
loose: a fault message quotes a hostile value cut short (and a short one whole), and list
hints reach lists however deep their path."""

from __future__ import annotations

import gc
import time
from typing import Any
from xml.sax.saxutils import escape

import pytest
from lxml import etree

from flickrwire import decode, xmlsafe
from flickrwire.codecs import BodyError, apply_list_hints, shown, xml as xmlcodec


def test_a_long_xml_name_in_a_fault_is_cut_to_eighty_characters() -> None:
    result = decode(("<" + "a" * 100 + "/>").encode(), transport="rest", codec="xml")
    assert result.fault is not None
    assert result.fault.message == f"unexpected XML document element {'a' * 80!r}..."


@pytest.mark.parametrize(("digits", "whole"), [(160, True), (161, False)])
def test_a_value_whose_repr_passes_160_characters_is_cut(digits: int, whole: bool) -> None:
    number = "7" * digits
    result = decode(f'{{"stat": {number}}}'.encode(), transport="rest", codec="json")
    assert result.fault is not None
    quoted = number if whole else number[:80] + "..."
    assert result.fault.message == f"JSON body with unknown stat {quoted}"


def test_a_text_of_eighty_characters_is_quoted_whole() -> None:
    assert shown("b" * 80) == repr("b" * 80)
    assert shown("b" * 81) == repr("b" * 80) + "..."


def test_a_short_text_with_many_escapes_is_cut_by_its_repr() -> None:
    assert shown("\x00" * 50) == repr("\x00" * 50)[:80] + "..."
    assert shown("\x00" * 39) == repr("\x00" * 39)  # 158 characters


@pytest.mark.parametrize(
    ("payload", "path", "expected"),
    [
        ({"a": {"b": {}}}, "a.b.c", {"a": {"b": {"c": []}}}),
        ({"a": {"b": {"c": {"id": "1"}}}}, "a.b.c", {"a": {"b": {"c": [{"id": "1"}]}}}),
        ({"a": [{"b": {"id": "1"}}, {}]}, "a.b", {"a": [{"b": [{"id": "1"}]}, {"b": []}]}),
        ({"a": {"b": "text"}}, "a.b.c", {"a": {"b": "text"}}),
    ],
)
def test_a_hint_deeper_than_one_level_wraps_what_its_path_reaches(
    payload: dict[str, Any], path: str, expected: dict[str, Any]
) -> None:
    assert apply_list_hints(payload, (path,)) == expected


@pytest.mark.parametrize("count", [64, 65, 300])
@pytest.mark.parametrize("quote", ['"', "'"])
def test_an_element_with_many_attributes_reads_every_one_on_both_readers(
    count: int, quote: str
) -> None:
    # stat='ok' in single quotes is read from a tree, in double quotes without one.
    attributes = "".join(f' a{i}="{i}"' for i in range(count))
    body = f"<rsp stat={quote}ok{quote}><photo{attributes}/></rsp>".encode()
    result = decode(body, transport="rest", codec="xml")
    assert result.payload == {"photo": {f"a{i}": str(i) for i in range(count)}}


@pytest.mark.parametrize(
    "document", [b"<!DOCTYPE a><a/>", b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>']
)
def test_the_tree_less_reader_itself_refuses_a_dtd(document: bytes) -> None:
    # A second line behind the byte scan of xmlsafe, which refuses these first.
    parser = xmlsafe.hardened_parser(xmlcodec._Builder())
    with pytest.raises(xmlsafe.UnsafeXMLError, match="DTD"):
        etree.fromstring(document, parser)
    assert xmlsafe.parse_into(parser, b'<a b="1"/>').attributes == {"b": "1"}


@pytest.mark.parametrize(
    ("fragment", "named"),
    [
        ("<a></b>", "Opening and ending tag mismatch"),
        ("<a/><b", "error parsing attribute"),
        ("<p/>" * 1100 + "<a></b>", "Opening and ending tag mismatch"),  # parsed whole
    ],
)
def test_a_malformed_escaped_payload_names_what_is_wrong_as_the_tree_reader_does(
    fragment: str, named: str
) -> None:
    with pytest.raises(xmlsafe.XMLSyntaxError, match=named):
        xmlsafe.parse_wrapped(fragment, "rsp")
    body = (
        "<?xml version='1.0'?><methodResponse><params><param><value><string>"
        + escape(fragment)
        + "</string></value></param></params></methodResponse>"
    ).encode()
    result = decode(body, transport="xmlrpc", codec="xml")
    assert result.fault is not None and result.fault.origin == "decode"
    assert result.fault.message.startswith(f"payload fragment is not XML: {named}")


@pytest.mark.parametrize("fragment", ["<a/> x <b/>", "<a/><b/>x", "x<a/>", "<a/>\n&#120;<b/>"])
def test_an_escaped_payload_with_text_between_its_elements_is_refused(fragment: str) -> None:
    with pytest.raises(BodyError, match="outside any element"):
        xmlcodec.fragment_payload(fragment, "")
    assert xmlcodec.fragment_payload("<a/> \n\t<b/>", "") == {"a": {}, "b": {}}


def _tree_read_cost(count: int, reps: int) -> float:
    """CPU seconds per decode of a REST success the tree reader reads (stat in single
    quotes), one element holding ``count`` attributes: the best of three batches."""
    attributes = " ".join(f'a{i}="x"' for i in range(count))
    body = f"<rsp stat='ok'><x {attributes}/></rsp>".encode()
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            start = time.process_time()
            for _ in range(reps):
                decode(body)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best / reps


def test_the_tree_reader_reads_many_attributes_in_linear_time() -> None:
    # As tests/test_linear.py measures: 8x the attributes must cost well under 20x the
    # time (linear work is about 8x; reading each by name again is quadratic, 64x).
    def growth() -> float:
        return _tree_read_cost(10_000, 1) / max(_tree_read_cost(1_250, 8), 1e-6)

    ratio = growth()
    if ratio >= 20:
        ratio = min(ratio, growth())  # once more, before a slow spell fails it
    assert ratio < 20, f"8x the attributes cost {ratio:.1f}x the time"
