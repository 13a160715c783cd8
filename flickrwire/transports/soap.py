"""SOAP: a SOAP 1.2 envelope POSTed to ``/services/soap/``.

Request (Flickr's request.soap page): ``<x:FlickrRequest xmlns:x="urn:flickr">`` is the
first element of the body, one unqualified child per parameter, ``<method>`` included.
Success is ``<x:FlickrResponse>`` holding the payload as escaped XML (``format=soap2``:
unescaped, in ``FlickrResponse xmlns="/ns/api#"``). A fault is ``<s:Fault>`` with
SOAP-1.1-style unqualified ``faultcode`` (``flickr.error.N``), ``faultstring``,
``faultactor`` and ``details`` inside the 1.2 envelope (response.soap page), so faults are
read by local name; a generic SOAP 1.2 ``Code/Value`` + ``Reason/Text`` fault is read too.
"""

from __future__ import annotations

import re

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

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/1999/XMLSchema-instance"
XSD = "http://www.w3.org/1999/XMLSchema"
URN = "urn:flickr"
#: SOAP 1.2's media type (RFC 3902); Flickr's page names none. Our choice.
CONTENT_TYPE = "application/soap+xml; charset=utf-8"
_HEADERS = [(b"Content-Type", CONTENT_TYPE.encode())]
RESPONSE_CONTENT_TYPE = "text/xml; charset=utf-8"
PROLOG = '<?xml version="1.0" encoding="utf-8" ?>\n'
_ENVELOPE_OPEN = f'<s:Envelope xmlns:s="{SOAP12}" xmlns:xsi="{XSI}" xmlns:xsd="{XSD}"><s:Body>'
#: The codec name for ``format=soap2`` answers (server side only; the reader sniffs them).
SOAP2 = "soap2"
_FLICKR_CODE = re.compile(r"flickr\.error\.(\d{1,18})\b")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def flickr_request(params: dict[str, str]) -> bytes:
    for name in params:
        if not _NAME.fullmatch(name):
            raise ValueError(f"parameter name {name!r} cannot be a SOAP element name")
    children = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in params.items())
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{_ENVELOPE_OPEN}'
        f'<x:FlickrRequest xmlns:x="{URN}">{children}</x:FlickrRequest></s:Body></s:Envelope>'
    ).encode()


def _body(root: etree._Element) -> etree._Element:
    body = xmlsafe.child(root, "Body")
    if body is None:
        raise BodyError("SOAP envelope without a Body")
    return body


def _first(element: etree._Element) -> etree._Element | None:
    for item in element:
        if isinstance(item.tag, str):
            return item
    return None


def read_envelope(root: etree._Element, method: str) -> Outcome:
    """A SOAP response envelope: FlickrResponse (escaped or soap2) or a Fault."""
    content = _first(_body(root))
    if content is None:
        raise BodyError("SOAP Body is empty")
    name = xmlsafe.local_name(content)
    if name == "Fault":
        return {}, _fault(content)
    if name != "FlickrResponse":
        raise BodyError(f"SOAP Body holds {shown(name)}, not FlickrResponse")
    if _first(content) is not None:  # format=soap2: the payload is not escaped
        return xmlcodec.element_payload(content, method), None
    text = content.text or ""
    if jsoncodec.looks_like_json(text):
        return jsoncodec.decode(text, method)
    return xmlcodec.fragment_payload(text, method), None


def _text(element: etree._Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _fault(fault: etree._Element) -> Fault:
    code_text = _text(xmlsafe.child(fault, "faultcode"))
    string = xmlsafe.child(fault, "faultstring")
    message = (string.text or "").strip() if string is not None else ""
    code_el = xmlsafe.child(fault, "Code")
    if not code_text and code_el is not None:
        # Generic SOAP 1.2 fault: Code/Value (maybe Subcode/Value) and Reason/Text.
        values = [_text(v) for v in code_el.iter() if xmlsafe.local_name(v) == "Value"]
        code_text = " ".join(values)
        reason = xmlsafe.child(fault, "Reason")
        text = xmlsafe.child(reason, "Text") if reason is not None else None
        message = (text.text or "").strip() if text is not None else ""
    match = _FLICKR_CODE.search(code_text)
    if match:
        return Fault.from_code(int(match.group(1)), message)
    # No Flickr code: a SOAP stack's own fault. Receiver/Server means "try again later".
    retryable = any(word in code_text for word in ("Receiver", "Server"))
    return Fault(None, message or code_text[:200] or "SOAP fault", "protocol", retryable)


def read_flickr_request(request: httpx.Request) -> Pairs:
    """The children of the envelope's ``FlickrRequest``, one parameter each (by local
    name, ``method`` included); 114 when the envelope cannot be read."""
    try:
        root = xmlsafe.parse(request.content)
        if xmlsafe.local_name(root) != "Envelope":
            raise BodyError("document element is not a SOAP Envelope")
        content = _first(_body(root))
        if content is None or xmlsafe.local_name(content) != "FlickrRequest":
            raise BodyError("the Body's first element is not FlickrRequest")
    except ValueError as exc:
        raise RequestError(114, "Invalid SOAP envelope") from exc
    return [
        (xmlsafe.local_name(item), item.text or "") for item in content if isinstance(item.tag, str)
    ]


class SOAPTransport(DecodingTransport):
    name = "soap"
    path = "soap/"

    def build_request(self, call: Call, codec: str, signer: Signer, base_url: str) -> httpx.Request:
        return post_request(*self.build_post(call, codec, signer, base_url))

    def build_post(self, call: Call, codec: str, signer: Signer, base_url: str) -> Outgoing:
        """The parts of the request :meth:`build_request` builds."""
        url = endpoint(base_url, self)
        params = flickr_params(call, self.name, codec)
        signer.sign("POST", url, params, in_header=False)
        return Outgoing(url, flickr_request(params), list(_HEADERS))

    def read_request(self, request: httpx.Request) -> ParsedRequest:
        """The query and the ``FlickrRequest`` children, read once."""
        return parsed_call(read_params(request, read_flickr_request), "POST")

    def parse_request(self, request: httpx.Request) -> Call:
        return self.read_request(request).call

    def render_response(self, result: Result, codec: str) -> bytes:
        fault = result.fault
        if fault is not None and (codec != "json" or fault.code in (111, 114)):
            code = fault.code if fault.code is not None else 0
            inner = (
                f"<s:Fault><faultcode>flickr.error.{code}</faultcode>"
                f"<faultstring>{escape(fault.message)}</faultstring>"
                "<faultactor>http://www.flickr.com/services/soap/</faultactor>"
                "<details>Please see http://www.flickr.com/services/docs/ for more details"
                "</details></s:Fault>"
            )
        elif codec == "json":
            return jsoncodec.encode(result)
        elif codec == SOAP2:
            # format=soap2 (response.soap page, "Alternate SOAP Response Format"): the
            # payload is not escaped, in FlickrResponse of namespace "/ns/api#".
            payload = xmlcodec.payload_fragment(result.payload)
            inner = f'<FlickrResponse xmlns="/ns/api#">{payload}</FlickrResponse>'
        else:
            payload = escape(xmlcodec.payload_fragment(result.payload))
            inner = f'<x:FlickrResponse xmlns:x="{URN}">{payload}</x:FlickrResponse>'
        return f"{PROLOG}{_ENVELOPE_OPEN}{inner}</s:Body></s:Envelope>\n".encode()

    def media_type(self, result: Result, codec: str) -> str:
        if codec == "json" and (result.fault is None or result.fault.code not in (111, 114)):
            return jsoncodec.CONTENT_TYPE
        return RESPONSE_CONTENT_TYPE


TRANSPORT = SOAPTransport()

register_envelope("Envelope", read_envelope)
