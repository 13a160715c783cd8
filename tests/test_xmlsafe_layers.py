"""The hardened XML parser's inner layers, each on its own.

``xmlsafe.parse`` refuses a DTD by a byte scan before lxml sees the document; behind that
scan the parser itself resolves no entity and reads no file a document names, and the
tree is checked again for a DTD. Each layer is tested here directly, so that none of them
can quietly go while the one in front still holds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from flickrwire import xmlsafe


def test_the_parser_itself_resolves_no_entity() -> None:
    document = b'<!DOCTYPE x [<!ENTITY a "EXPANDED">]><x>&a;</x>'
    root = etree.fromstring(document, xmlsafe._parser())
    assert "EXPANDED" not in "".join(root.itertext())


def test_the_parser_itself_reads_no_dtd_a_document_names(tmp_path: Path) -> None:
    dtd = tmp_path / "outside.dtd"
    dtd.write_text('<!ENTITY e "FROM-THE-FILE">', encoding="ascii")
    document = f'<!DOCTYPE x SYSTEM "{dtd.as_uri()}"><x>&e;</x>'.encode()
    root = etree.fromstring(document, xmlsafe._parser())
    assert root.getroottree().docinfo.externalDTD is None
    assert "FROM-THE-FILE" not in "".join(root.itertext())


def test_the_tree_check_refuses_a_tree_with_a_dtd() -> None:
    # The second line behind the byte scan: a tree that came with an internal DTD.
    root = etree.fromstring(b"<!DOCTYPE x [<!ELEMENT x ANY>]><x/>")
    with pytest.raises(xmlsafe.UnsafeXMLError, match="DTD"):
        xmlsafe._check_tree(root, namespaced=False)
    xmlsafe._check_tree(etree.fromstring(b"<x/>"), namespaced=False)


@pytest.mark.parametrize(
    ("encoding", "keeps"),
    [
        ("utf-8", True),
        ("UTF8", True),
        ("ascii", True),
        ("us-ascii", True),
        ("ISO-8859-1", True),
        ("latin-1", True),
        ("iso-8859-15", True),
        ("windows-1252", True),
        ("utf-7", False),
        ("utf-16", False),
        ("cp500", False),  # EBCDIC: "<" is 0x4C
        ("x-no-such-encoding", False),
    ],
)
def test_only_encodings_where_ascii_bytes_are_ascii_are_scanned_as_they_are(
    encoding: str, keeps: bool
) -> None:
    # The byte scan sees every DTD only in these; a document in any other is re-encoded
    # first, and one in an encoding nobody knows is not trusted to keep ASCII.
    assert xmlsafe._keeps_ascii(encoding) is keeps
