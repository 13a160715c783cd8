"""The tree-less XML reader (a parser target building the payload as lxml reads, issue 11)
gives exactly what the tree reader gives, and refuses what it refuses.

REST ``<rsp stat="ok">`` documents and the escaped payloads of XML-RPC and SOAP are read by
``codecs.xml._Builder``; the tree reader (``element_payload`` of ``xmlsafe.parse``) stays for
every other document and is the oracle here.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import given, settings, strategies as st

from flickrwire import decode, xmlsafe
from flickrwire.codecs import BodyError, xml as xmlcodec

NAMES = st.sampled_from(["photo", "member", "a", "b", "title", "stat", "_content", "p:x"])
TEXT = st.text(alphabet="ab &<>\"'\n\t\r\u00e9#;", max_size=8)


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    name = draw(NAMES)
    attrs = draw(st.dictionaries(st.sampled_from(["id", "a", "b", "photo", "p:q"]), TEXT))
    written = "".join(f" {key}={quoteattr(value)}" for key, value in attrs.items())
    parts = [escape(draw(TEXT))]
    if depth < 3:
        for _ in range(draw(st.integers(0, 3))):
            parts.append(draw(elements(depth + 1)))
            parts.append(draw(st.sampled_from(["", "\n\t", "tail", "<!-- c -->", "&#38;"])))
    if draw(st.booleans()):
        parts.insert(1, "<![CDATA[x&amp;]]>")
    return f"<{name}{written}>{''.join(parts)}</{name}>"


NS = ' xmlns:p="urn:p"'


def tree_payload(data: bytes) -> dict[str, Any]:
    return xmlcodec.element_payload(xmlsafe.parse(data), "")


@settings(max_examples=120)
@given(st.lists(elements(), max_size=4), st.sampled_from(["", "\n", "\n\t"]))
def test_an_rsp_document_reads_as_the_tree_reader_reads_it(children: list[str], gap: str) -> None:
    body = f'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok"{NS}>{gap}'
    data = (body + gap.join(children) + f"{gap}</rsp>\n").encode()
    assert xmlcodec.rsp_payload(data, "", max_bytes=len(data)) == tree_payload(data)


@settings(max_examples=120)
@given(st.lists(elements(), max_size=4), st.sampled_from(["", "\n", " x "]))
def test_an_escaped_payload_reads_as_the_tree_reader_reads_it(
    children: list[str], gap: str
) -> None:
    # The tree reader of a fragment, as it was: wrap, parse, refuse loose text, convert.
    # Several top-level elements, each declaring the prefix it may use, text between them.
    declared = [child.replace(">", NS + ">", 1) for child in children]
    fragment = gap + gap.join(declared) + gap
    root = xmlsafe.parse_wrapped(fragment, "rsp")
    loose = [root.text or ""] + [item.tail or "" for item in root]
    if any(piece.strip() for piece in loose):
        with pytest.raises(BodyError, match="outside any element"):
            xmlcodec.fragment_payload(fragment, "")
    else:
        assert xmlcodec.fragment_payload(fragment, "") == xmlcodec.element_payload(root, "")


def test_ampersands_in_attributes_come_back_as_written() -> None:
    data = b'<rsp stat="ok"><a b="x&amp;y &#38; &amp;#38; &#x26;amp;" c="&lt;&#10;"/></rsp>'
    payload = xmlcodec.rsp_payload(data, "", max_bytes=len(data))
    assert payload == {"a": {"b": "x&y & &#38; &amp;", "c": "<\n"}}
    assert payload == tree_payload(data)


@pytest.mark.parametrize("depth", [254, 255, 256])
def test_the_depth_limit_is_the_tree_readers(depth: int) -> None:
    inner = "<a>" * depth + "</a>" * depth
    rsp = f'<rsp stat="ok">{inner}</rsp>'.encode()
    fits = depth + 1 <= xmlsafe.MAX_DEPTH
    assert (xmlcodec.rsp_payload(rsp, "", max_bytes=len(rsp)) is not None) is fits
    assert decode(rsp).ok is fits
    if fits:
        assert xmlcodec.fragment_payload(inner, "") == xmlcodec.element_payload(
            xmlsafe.parse_wrapped(inner, "rsp"), ""
        )
    else:
        with pytest.raises(BodyError):
            xmlcodec.fragment_payload(inner, "")


HOSTILE = {
    "xinclude": '<x:include xmlns:x="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
    "xinclude 2003": '<i xmlns="http://www.w3.org/2003/XInclude"/>',
    "xinclude by reference": '<i xmlns="http://www.w3.org/2001/&#88;Include"/>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_what_the_tree_reader_refuses_is_refused(name: str) -> None:
    rsp = f'<rsp stat="ok">{HOSTILE[name]}</rsp>'.encode()
    assert xmlcodec.rsp_payload(rsp, "", max_bytes=len(rsp)) is None
    result = decode(rsp)
    assert result.fault is not None and "XInclude" in result.fault.message
    with pytest.raises(BodyError, match="XInclude"):
        xmlcodec.fragment_payload(HOSTILE[name], "")


def test_a_dtd_is_refused_on_both_paths() -> None:
    rsp = b'<!DOCTYPE rsp [<!ENTITY e "x">]><rsp stat="ok"><a>&e;</a></rsp>'
    assert xmlcodec.rsp_payload(rsp, "", max_bytes=len(rsp)) is None
    assert decode(rsp).fault is not None
    with pytest.raises(BodyError, match="DTD"):
        xmlcodec.fragment_payload('<!DOCTYPE a><a b="1"/>', "")


def test_a_refused_document_leaves_the_reader_ready_for_the_next() -> None:
    with pytest.raises(BodyError):
        xmlcodec.fragment_payload(HOSTILE["xinclude"] + "<a b='1'/>", "")
    with pytest.raises(BodyError):
        xmlcodec.fragment_payload("<a><b></a>", "")
    assert xmlcodec.fragment_payload('<a b="1"/>', "") == {"a": {"b": "1"}}
    data = b'<rsp stat="ok"><a b="2"/></rsp>'
    assert xmlcodec.rsp_payload(b'<rsp stat="ok"><a></rsp>', "", max_bytes=99) is None
    assert xmlcodec.rsp_payload(data, "", max_bytes=len(data)) == {"a": {"b": "2"}}


def test_a_failure_and_other_roots_go_to_the_tree_reader() -> None:
    fail = b'<rsp stat="fail"><err code="3" msg="Not in group"/></rsp>'
    assert xmlcodec.rsp_payload(fail, "", max_bytes=len(fail)) is None
    result = decode(fail)
    assert result.fault is not None and result.fault.code == 3
    other = b'<x:rsp xmlns:x="urn:x" stat="ok"><a/></x:rsp>'
    assert decode(other).payload == {"a": {}}


def test_a_failed_document_is_not_kept_by_the_reader() -> None:
    # A 10 MiB answer cut short must not stay alive in the thread's builder until the next.
    broken = b'<rsp stat="ok">' + b'<photo id="1"/>' * 2000 + b"<photo>"
    assert xmlcodec.rsp_payload(broken, "", max_bytes=len(broken)) is None
    with pytest.raises(BodyError):
        xmlcodec.fragment_payload(broken.decode()[15:], "")
    for kind in ("whole", "feeder"):
        builder = getattr(xmlcodec._local, kind)[0]
        assert builder._frames == [] and builder._built is None
