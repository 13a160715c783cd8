"""The fast paths of the XML decoders (issue 11) give exactly the answers of the slow ones.

- ``codecs.xml._Builder`` puts each node into its parent as it starts: the payload, key
  order included, is the tree reader's (``element_payload``), also where a child is named
  like an attribute or ``_content`` and where text and children mix.
- ``xmlsafe`` feeds documents under 4 KiB to the parser in one piece and parses larger
  ones from memory: the same tree or payload, and a malformed document gets the error a
  parse from memory gives.
- ``transports.xmlrpc`` finds a success's value by index when each element on the way has
  one child; any other envelope takes the walk by local names, with the same outcome.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree

from flickrwire import decode, xmlsafe
from flickrwire.codecs import BodyError, xml as xmlcodec
from flickrwire.transports import xmlrpc


def ordered(payload: dict[str, Any]) -> str:
    """The payload with its key order: dict equality ignores the order, a user's loop not."""
    return json.dumps(payload)


def tree_payload(data: bytes) -> dict[str, Any]:
    return xmlcodec.element_payload(xmlsafe.parse(data), "")


SHAPES = {
    "child replaces an attribute": '<a id="1" x="2"><id v="3"/></a>',
    "two children replace an attribute": '<a id="1" x="2"><id v="3"/><y/><id v="4"/></a>',
    "three of a name": '<a><b n="1"/><c/><b n="2"/><b n="3"/></a>',
    "attribute named _content": '<a _content="attr">text</a>',
    "child named _content, then text": '<a>t<_content k="1"/></a>',
    "child named _content, no text": '<a><_content k="1"/>tail</a>',
    "text before children": '<a z="1">lead<b/>tail<c/></a>',
    "blank text before children": '<a z="1">\n\t<b/>\n\t<c>in</c>\n</a>',
    "text in pieces": "<a>x&amp;y<![CDATA[<z>]]>&#65;<!-- c -->w</a>",
    "nested text and children": '<a>1<b>2<c>3</c>4</b>5<d k="&amp;">6</d></a>',
    "namespaced": '<p:a xmlns:p="urn:p" p:k="1"><p:b/><b/><q:b xmlns:q="urn:q"/></p:a>',
    "empty elements": "<a/><b></b><c> </c>",
    "deep": "<a>" * 40 + "x" + "</a>" * 40,
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_an_rsp_document_reads_as_the_tree_reader_reads_it_keys_in_order(name: str) -> None:
    data = f'<rsp stat="ok">{SHAPES[name]}</rsp>'.encode()
    built = xmlcodec.rsp_payload(data, "", max_bytes=len(data))
    assert built is not None
    assert ordered(built) == ordered(tree_payload(data))


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_an_escaped_payload_reads_as_the_tree_reader_reads_it_keys_in_order(name: str) -> None:
    fragment = SHAPES[name]
    tree = xmlcodec.element_payload(xmlsafe.parse_wrapped(fragment, "rsp"), "")
    assert ordered(xmlcodec.fragment_payload(fragment, "")) == ordered(tree)


def test_a_child_replacing_an_attribute_keeps_the_attributes_place() -> None:
    data = b'<rsp stat="ok"><a id="1" x="2"><id v="3"/><y/><id v="4"/></a></rsp>'
    built = xmlcodec.rsp_payload(data, "", max_bytes=len(data))
    assert built == {"a": {"id": [{"v": "3"}, {"v": "4"}], "x": "2", "y": {}}}
    assert built is not None and list(built["a"]) == ["id", "x", "y"]


def test_text_before_the_first_child_is_the_content_and_comes_last() -> None:
    data = b'<rsp stat="ok"><a k="1"> lead <b/> tail </a></rsp>'
    built = xmlcodec.rsp_payload(data, "", max_bytes=len(data))
    assert built is not None and list(built["a"].items()) == [
        ("k", "1"),
        ("b", {}),
        ("_content", " lead "),
    ]


def test_loose_text_in_a_fragment_is_refused_before_after_and_between() -> None:
    for fragment in ("x<a/>", "<a/>x", "<a/>x<b/>", "<a/><![CDATA[y]]>"):
        with pytest.raises(BodyError, match="outside any element"):
            xmlcodec.fragment_payload(fragment, "")
    assert xmlcodec.fragment_payload(" <a/>\n<b/> ", "") == {"a": {}, "b": {}}


def feed_and_memory(data: bytes) -> tuple[Any, Any]:
    """What a fed parse and a parse from memory make of ``data``, each as a value or as
    the error's type and message."""

    def outcome(read: Any) -> Any:
        try:
            root = read()
        except etree.XMLSyntaxError as exc:
            return ("error", str(exc))
        return etree.tostring(root)

    def fed() -> Any:
        parser = xmlsafe.hardened_parser()
        parser.feed(data)
        return parser.close()

    return outcome(fed), outcome(lambda: etree.fromstring(data, xmlsafe.hardened_parser()))


SMALL = [
    b'<rsp stat="ok"><a b="1">x</a></rsp>',
    b'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok">\n</rsp>\n',
    b"<?xml version='1.0' encoding='iso-8859-1'?><a>\xe9</a>",
    b"\xef\xbb\xbf<a/>",
    b"<a>",
    b"<a></b>",
    b"<a/><b/>",
    b"<a x='1' x='2'/>",
    b"<a>&foo;</a>",
    b"<a b='&foo;'/>",
    b"<a>\xff</a>",
]


@pytest.mark.parametrize("data", SMALL)
def test_a_small_document_parses_as_from_memory(data: bytes) -> None:
    fed, memory = feed_and_memory(data)
    try:
        ours: Any = etree.tostring(xmlsafe.parse(data))
    except xmlsafe.XMLSyntaxError as exc:
        ours = ("error", str(exc))
    assert ours == memory
    if fed == memory:  # the fed tree loses some errors; parse gives the memory one
        return
    assert ours[0] == "error" and "not defined" in ours[1]


@pytest.mark.parametrize("body", [b"<a>&foo;</a>", b"<rsp stat='ok'><a b='&foo;'/></rsp>"])
def test_an_undefined_entity_is_named_in_the_fault_at_any_size(body: bytes) -> None:
    for pad in (0, xmlsafe._FEED_MAX):
        data = body.replace(b"<a", b"<a" + b" " * pad, 1)
        result = decode(data)
        assert result.fault is not None
        assert "Entity 'foo' not defined" in result.fault.message


@pytest.mark.parametrize("size", [xmlsafe._FEED_MAX - 1, xmlsafe._FEED_MAX, xmlsafe._FEED_MAX + 1])
def test_documents_either_side_of_the_feeding_limit_read_alike(size: int) -> None:
    head = b'<rsp stat="ok"><a b="1">'
    data = head + b"x" * (size - len(head) - len(b"</a></rsp>")) + b"</a></rsp>"
    assert len(data) == size
    assert xmlcodec.rsp_payload(data, "", max_bytes=size) == tree_payload(data)
    assert tree_payload(data) == {"a": {"b": "1", "_content": "x" * (size - 34)}}
    broken = data[:-1]
    with pytest.raises(xmlsafe.XMLSyntaxError, match="expected '>'"):
        xmlsafe.parse(broken)
    assert xmlcodec.rsp_payload(broken, "", max_bytes=size) is None


@pytest.mark.parametrize(
    "declaration", [b"<!DOCTYPE a>", b"<!doctype a>", b"<! ENTITY e 'x'>", b"<!\nDocType a>"]
)
def test_a_dtd_is_refused_by_the_scan_however_written(declaration: bytes) -> None:
    data = declaration + b"<a/>"
    with pytest.raises(xmlsafe.UnsafeXMLError, match="DTD"):
        xmlsafe.parse(data)
    with pytest.raises(xmlsafe.UnsafeXMLError, match="DTD"):
        xmlsafe.parse_wrapped(declaration.decode() + "<a/>", "rsp")


def test_a_bang_elsewhere_is_no_dtd() -> None:
    data = b'<a t="hi!"><!-- ! --><![CDATA[!]]>!</a>'
    assert xmlsafe.parse(data).text == "!!"
    assert xmlcodec.fragment_payload(data.decode(), "") == {"a": {"t": "hi!", "_content": "!!"}}


def test_child_finds_the_first_of_a_local_name_in_any_namespace() -> None:
    root = xmlsafe.parse(b'<r xmlns:p="urn:p"><!-- c --><x/><p:b n="1"/><b n="2"/></r>')
    found = xmlsafe.child(root, "b")
    assert found is not None and found.get("n") == "1"
    assert xmlsafe.child(root, "p:b") is None
    assert xmlsafe.child(root, "missing") is None
    assert xmlsafe.child(etree.fromstring(b"<r><!-- c --></r>"), "r") is None


RESPONSE = '<?xml version="1.0" encoding="utf-8" ?>\n<methodResponse>{}</methodResponse>\n'
PAYLOAD = "&lt;group id=&quot;7&quot; /&gt;"
USUAL = f"<params><param><value><string>{PAYLOAD}</string></value></param></params>"
FAULT = (
    "<fault><value><struct><member><name>faultCode</name><value><int>3</int></value>"
    "</member><member><name>faultString</name><value><string>no</string></value></member>"
    "</struct></value></fault>"
)
NAMESPACED = (
    '<x:params xmlns:x="urn:x"><x:param><x:value><x:string>'
    f"{PAYLOAD}</x:string></x:value></x:param></x:params>"
)
ENVELOPES = {
    "usual": USUAL,
    "untyped": f"<params><param><value>{PAYLOAD}</value></param></params>",
    "blank around": "\n" + USUAL.replace("><", ">\n<") + "\n",
    "comment first": "<!-- c -->" + USUAL,
    "namespaced": NAMESPACED,
    "two params": USUAL.replace("</params>", "<param/></params>"),
    "fault after params": USUAL + FAULT,
    "fault alone": FAULT,
    "other element first": "<x/>" + USUAL,
    "no value": "<params><param><other/></param></params>",
    "struct value": "<params><param><value><struct/></value></param></params>",
    "empty params": "<params/>",
}


def walked(body: str) -> Any:
    """The outcome by the walk by local names (what any envelope but the usual takes)."""
    root = xmlsafe.parse(body.encode())
    try:
        return xmlrpc._fault_or_value(root, "flickr.groups.getInfo")
    except BodyError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("name", sorted(ENVELOPES))
def test_an_xmlrpc_answer_reads_as_the_walk_by_local_names_reads_it(name: str) -> None:
    body = RESPONSE.format(ENVELOPES[name])
    root = xmlsafe.parse(body.encode())
    try:
        ours: Any = xmlrpc.read_envelope(root, "flickr.groups.getInfo")
    except BodyError as exc:
        ours = ("error", str(exc))
    assert ours == walked(body)
    fast = xmlrpc._lone(root, xmlrpc._VALUE)
    # The parser drops comments; only these have one element child at every step.
    one_child = ("usual", "untyped", "blank around", "comment first", "struct value")
    assert (fast is not None) is (name in one_child)


def test_the_usual_xmlrpc_success_and_a_fault_after_params() -> None:
    usual = decode(RESPONSE.format(ENVELOPES["usual"]).encode(), transport="xmlrpc")
    assert usual.ok and usual.payload == {"group": {"id": "7"}}
    fault = decode(RESPONSE.format(ENVELOPES["fault after params"]).encode(), transport="xmlrpc")
    assert fault.fault is not None and fault.fault.code == 3


class _Stop(BaseException):
    """Stands for a KeyboardInterrupt arriving between two slices of a large payload."""


class _Stopping(str):
    """Text whose second slice is never taken: the parse stops between two feeds."""

    def __getitem__(self, index: object) -> str:
        if isinstance(index, slice) and index.start:
            raise _Stop
        return str.__getitem__(self, index)  # type: ignore[index]


def test_a_large_payload_after_an_interrupted_one_reads_whole() -> None:
    # The parser left mid-document is closed: the next large payload (fed in slices too)
    # starts a document of its own, on the tree reader and on the builder alike.
    big = "<x>" + "y" * (1 << 20) + "</x>"
    with pytest.raises(_Stop):
        xmlsafe.parse_wrapped(_Stopping(big), "w")
    root = xmlsafe.parse_wrapped(big, "w")
    assert [(item.tag, len(item.text or "")) for item in root] == [("x", 1 << 20)]
    _, parser = xmlcodec._builder("feeder", False)  # the builder's parser, as fragments use it
    with pytest.raises(_Stop):
        xmlsafe.parse_wrapped_into(parser, _Stopping(big), "rsp")
    assert xmlcodec.fragment_payload(big, "") == {"x": {"_content": "y" * (1 << 20)}}
