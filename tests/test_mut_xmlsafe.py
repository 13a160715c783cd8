"""The hardened XML parser's entry points, pinned where a mutation run found them loose:
what a malformed document or escaped payload comes to on each path (fed in slices, parsed
whole, read by a parser target), XInclude in an escaped payload, and a parse interrupted
between slices."""

from __future__ import annotations

import tracemalloc
from xml.sax.saxutils import escape

import pytest

from flickrwire import decode, xmlsafe

#: Escaped payloads between these sizes are parsed whole; the others are fed in slices.
SIZES = {"fed": 0, "whole": 5_000}


def _xmlrpc(fragment: str) -> bytes:
    return (
        "<?xml version='1.0'?><methodResponse><params><param><value><string>"
        + escape(fragment)
        + "</string></value></param></params></methodResponse>"
    ).encode()


def _padded(fragment: str, size: int) -> str:
    return "<p/>" * (size // 4) + fragment


def test_a_rest_answer_with_content_after_its_rsp_is_a_decode_fault() -> None:
    # Long enough to be read by the tree-less reader first.
    body = b'<rsp stat="ok">' + b'<photo id="1"/>' * 30 + b"</rsp><rsp/>"
    result = decode(body, transport="rest", codec="xml")
    assert result.fault is not None
    assert result.fault.origin == "decode" and "malformed XML" in result.fault.message


@pytest.mark.parametrize("path", sorted(SIZES))
def test_an_escaped_payload_that_closes_its_wrapper_is_a_decode_fault(path: str) -> None:
    fragment = _padded('<photo id="1"/></rsp><rsp>', SIZES[path])
    result = decode(_xmlrpc(fragment), transport="xmlrpc", codec="xml")
    assert result.fault is not None and result.fault.origin == "decode"
    assert "payload fragment is not XML" in result.fault.message
    with pytest.raises(xmlsafe.XMLSyntaxError, match="Extra content"):
        xmlsafe.parse_wrapped(fragment, "rsp")


XINCLUDE = {
    "2001": '<x:include xmlns:x="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
    "2003": '<i xmlns="http://www.w3.org/2003/XInclude"/>',
    "by reference": '<i xmlns="http://www.w3.org/2001/&#88;Include"/>',
}


@pytest.mark.parametrize("path", sorted(SIZES))
@pytest.mark.parametrize("name", sorted(XINCLUDE))
def test_an_escaped_payload_with_xinclude_is_refused_by_the_tree_parser(
    name: str, path: str
) -> None:
    fragment = _padded(XINCLUDE[name], SIZES[path])
    with pytest.raises(xmlsafe.UnsafeXMLError, match="XInclude"):
        xmlsafe.parse_wrapped(fragment, "rsp")
    # The same namespace words elsewhere, with no XInclude element, are read.
    harmless = _padded('<a xmlns:x="urn:x">XInclude &#38;#88;</a>', SIZES[path])
    assert xmlsafe.parse_wrapped(harmless, "rsp")[-1].text == "XInclude &#88;"


@pytest.mark.parametrize("path", sorted(SIZES))
def test_an_escaped_payload_with_a_lone_surrogate_is_a_value_error(path: str) -> None:
    # Text handed over by a caller (lxml never yields a lone surrogate): a refusal a
    # caller can catch as bad input, on either path.
    fragment = _padded("<a>\ud800</a>", SIZES[path])
    with pytest.raises(ValueError):
        xmlsafe.parse_wrapped(fragment, "rsp")
    assert xmlsafe.parse_wrapped("<y>1</y>", "w")[0].text == "1"


class _Interrupted(BaseException):
    """Stands for a KeyboardInterrupt arriving between two slices."""


class _Interrupting(str):
    """Text whose second slice is never taken: the parse stops between two feeds."""

    def __getitem__(self, index: object) -> str:
        if isinstance(index, slice) and index.start:
            raise _Interrupted
        return str.__getitem__(self, index)  # type: ignore[index]


def test_a_parse_interrupted_between_slices_leaves_the_parser_ready_for_the_next() -> None:
    text = _Interrupting("<x>" + "y" * (1 << 20) + "</x>")  # fed in slices: above whole size
    with pytest.raises(_Interrupted):
        xmlsafe.parse_wrapped(text, "w")
    root = xmlsafe.parse_wrapped("<y>1</y>", "w")
    assert [(item.tag, item.text) for item in root] == [("y", "1")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_wide_document_with_two_byte_order_marks_is_refused(encoding: str) -> None:
    # The codec takes the first mark; the second is a character before the root, which
    # lxml refuses in a document it reads itself.
    once = f'<?xml version="1.0" encoding="{encoding}"?><x>1</x>'.encode(encoding)
    assert xmlsafe.parse(once).text == "1"
    twice = ("\ufeff" + '<?xml version="1.0"?><x>1</x>').encode(encoding)
    with pytest.raises(xmlsafe.XMLSyntaxError, match="does not start with markup"):
        xmlsafe.parse(twice)


@pytest.mark.parametrize("size", [(1 << 20) + 1, 3 << 19, 4 << 20])
def test_an_escaped_payload_over_a_mebibyte_is_never_copied_whole(size: int) -> None:
    # Past 1 MiB the text is fed in slices: what Python allocates meanwhile stays a small
    # part of it (lxml's own memory aside), where one whole copy would be all of it.
    text = "<a>" + "y" * (size - 7) + "</a>"
    tracemalloc.start()
    try:
        root = xmlsafe.parse_wrapped(text, "w")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(root[0].text or "") == size - 7
    assert peak < size // 4
