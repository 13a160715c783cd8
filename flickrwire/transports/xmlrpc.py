"""XML-RPC: a ``methodCall`` POSTed to ``/services/xmlrpc/``.

Request (Flickr's request.xmlrpc page): ``methodName`` is the Flickr method and exactly one
``<param>`` holds a ``<struct>`` of ``<string>`` members: every argument, ``format`` and
the credentials. Success is one ``<string>`` holding the payload as escaped XML without
``<rsp>``; a fault is a ``faultCode`` / ``faultString`` struct (response.xmlrpc page).
"""

from __future__ import annotations

import httpx
from lxml import etree

from .. import xmlsafe
from ..auth import Signer
from ..call import Call
from ..codecs import BodyError, Outcome, json as jsoncodec, shown, xml as xmlcodec
from ..codecs.xml import text as escape
from ..decoding import register_envelope
from ..result import Fault, Result
from .base import (
    DecodingTransport,
    Outgoing,
    RequestError,
    endpoint,
    flickr_params,
    post_request,
)
from .request import Pairs, ParsedRequest, parsed_call, read_params

CONTENT_TYPE = "text/xml; charset=utf-8"
PROLOG = '<?xml version="1.0" encoding="utf-8" ?>\n'
_HEADERS = [(b"Content-Type", CONTENT_TYPE.encode())]


def method_call(method: str, params: dict[str, str]) -> bytes:
    members = "".join(
        f"<member><name>{escape(k)}</name><value><string>{escape(v)}</string></value></member>"
        for k, v in params.items()
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<methodCall><methodName>{escape(method)}'
        f"</methodName><params><param><value><struct>{members}</struct></value></param>"
        "</params></methodCall>"
    ).encode()


def _scalar(value: etree._Element) -> str:
    """A ``<value>``'s content: typed (``<string>``, ``<int>``, ``<i4>``, ...) or untyped."""
    for typed in value:
        if isinstance(typed.tag, str):
            break
    else:
        return value.text or ""  # an untyped <value> is a string (XML-RPC spec)
    if xmlsafe.local_name(typed) in ("struct", "array"):
        raise BodyError(f"expected a scalar, found <{xmlsafe.local_name(typed)}>")
    return typed.text or ""


def _members(struct: etree._Element) -> Pairs:
    out: Pairs = []
    for member in struct:
        if xmlsafe.local_name(member) != "member":
            continue
        name = xmlsafe.child(member, "name")
        value = xmlsafe.child(member, "value")
        if name is None or value is None:
            raise BodyError("struct member without <name> and <value>")
        out.append(((name.text or "").strip(), _scalar(value)))
    return out


def _struct(struct: etree._Element) -> dict[str, str]:
    return dict(_members(struct))


def _path(element: etree._Element, names: tuple[str, ...]) -> etree._Element | None:
    """Walk down by first children of the given local names (cheaper than ``find``)."""
    node: etree._Element | None = element
    for name in names:
        if node is None:
            return None
        node = xmlsafe.child(node, name)
    return node


#: Where a success holds its value: ``methodResponse/params/param/value``.
_VALUE = ("params", "param", "value")


def _lone(element: etree._Element, names: tuple[str, ...]) -> etree._Element | None:
    """The element down ``names`` when each element on the way has one child, of that
    tag without a namespace: what :func:`_path` finds there, found for less (the usual
    success); None otherwise."""
    node = element
    for name in names:
        if len(node) != 1:
            return None
        node = node[0]
        if node.tag != name:
            return None
    return node


def read_envelope(root: etree._Element, method: str) -> Outcome:
    """A ``methodResponse``: the payload string, or the fault struct."""
    value = _lone(root, _VALUE)  # the root's one child is <params>: no <fault>
    if value is None:
        return _fault_or_value(root, method)
    return _payload(_scalar(value), method)


def _fault_or_value(root: etree._Element, method: str) -> Outcome:
    fault = xmlsafe.child(root, "fault")
    if fault is not None:
        struct = _path(fault, ("value", "struct"))
        if struct is None:
            raise BodyError("XML-RPC <fault> without a struct")
        members = _struct(struct)
        try:
            code = int(members.get("faultCode", "").strip())
        except ValueError as exc:
            bad = members.get("faultCode")
            raise BodyError(f"XML-RPC faultCode {shown(bad)} is not a number") from exc
        return {}, Fault.from_code(code, members.get("faultString", "").strip())
    value = _path(root, _VALUE)
    if value is None:
        raise BodyError("XML-RPC methodResponse without params/param/value")
    return _payload(_scalar(value), method)


def _payload(text: str, method: str) -> Outcome:
    if jsoncodec.looks_like_json(text):
        return jsoncodec.decode(text, method)
    return xmlcodec.fragment_payload(text, method), None


def read_method_call(request: httpx.Request) -> Pairs:
    """A ``methodCall``'s parameters: ``method`` (its ``methodName``), then the members of
    its struct; 115 when it cannot be read."""
    try:
        root = xmlsafe.parse(request.content)
        if xmlsafe.local_name(root) != "methodCall":
            raise BodyError("document element is not <methodCall>")
        name = xmlsafe.child(root, "methodName")
        if name is None or not (name.text or "").strip():
            raise BodyError("no <methodName>")
        structs = root.findall("params/param/value/struct")
        members = _members(structs[0]) if structs else []
    except ValueError as exc:
        raise RequestError(115, "Invalid XML-RPC Method Call") from exc
    return [("method", (name.text or "").strip()), *members]


class XMLRPCTransport(DecodingTransport):
    name = "xmlrpc"
    path = "xmlrpc/"

    def build_request(self, call: Call, codec: str, signer: Signer, base_url: str) -> httpx.Request:
        return post_request(*self.build_post(call, codec, signer, base_url))

    def build_post(self, call: Call, codec: str, signer: Signer, base_url: str) -> Outgoing:
        """The parts of the request :meth:`build_request` builds."""
        url = endpoint(base_url, self)
        params = flickr_params(call, self.name, codec)
        signer.sign("POST", url, params, in_header=False)
        method = params.pop("method")
        return Outgoing(url, method_call(method, params), list(_HEADERS))

    def read_request(self, request: httpx.Request) -> ParsedRequest:
        """The query and the ``methodCall`` (its ``methodName`` as ``method``), read once."""
        return parsed_call(read_params(request, read_method_call), "POST")

    def parse_request(self, request: httpx.Request) -> Call:
        return self.read_request(request).call

    def render_response(self, result: Result, codec: str) -> bytes:
        fault = result.fault
        if fault is not None and (codec != "json" or fault.code in (111, 115)):
            code = fault.code if fault.code is not None else 0
            return (
                f"{PROLOG}<methodResponse><fault><value><struct><member><name>faultCode</name>"
                f"<value><int>{code}</int></value></member><member><name>faultString</name>"
                f"<value><string>{escape(fault.message)}</string></value></member></struct>"
                "</value></fault></methodResponse>\n"
            ).encode()
        if codec == "json":
            return jsoncodec.encode(result)
        payload = escape(xmlcodec.payload_fragment(result.payload))
        return (
            f"{PROLOG}<methodResponse><params><param><value><string>{payload}</string>"
            "</value></param></params></methodResponse>\n"
        ).encode()

    def media_type(self, result: Result, codec: str) -> str:
        if codec == "json" and (result.fault is None or result.fault.code not in (111, 115)):
            return jsoncodec.CONTENT_TYPE
        return CONTENT_TYPE


TRANSPORT = XMLRPCTransport()

register_envelope("methodResponse", read_envelope)
