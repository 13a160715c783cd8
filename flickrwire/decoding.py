"""Turn any HTTP answer into a :class:`Result`, never an exception.

Decoding sniffs the body and is guided, not ruled, by what was asked: Flickr answers a
request it cannot parse (114, 115) or a bad format (111) in the transport's native
format, its XML endpoint has been seen answering JSON, proxies answer HTML, and OAuth
problems come back as a ``text/plain`` form.
"""

from __future__ import annotations

import codecs as _stdcodecs
import re
import string
from collections.abc import Callable, Mapping
from urllib.parse import unquote_plus

from lxml import etree

from . import errors, xmlsafe
from .codecs import BodyError, Outcome, json as jsoncodec, shown, xml as xmlcodec
from .printable import printable
from .result import Fault, TypedResult, outcome_result

#: Default limit on a response body (bytes); larger bodies become a decode fault.
MAX_BODY_BYTES = 10 * 1024 * 1024

Reader = Callable[[etree._Element, str], Outcome]
_readers: dict[str, Reader] = {}  # root tag -> reader; see register_envelope

# Which Flickr code an OAuth ``oauth_problem`` stands for (our mapping: Flickr documents
# the problems only by example; signature_invalid is the recorded one).
OAUTH_PROBLEM_CODES: dict[str, int] = {
    "signature_invalid": 96,
    "signature_method_rejected": 96,
    "nonce_used": 96,
    "timestamp_refused": 96,
    "parameter_absent": 97,
    "token_rejected": 98,
    "token_expired": 98,
    "token_revoked": 98,
    "token_used": 98,
    "permission_denied": 99,
    "consumer_key_unknown": 100,
    "consumer_key_rejected": 100,
}

_CHARSET = re.compile(r"charset\s*=\s*\"?([\w.:-]+)", re.IGNORECASE)
_PROLOG_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=", re.IGNORECASE)
# A REST success as Flickr writes it: an optional prolog, then <rsp stat="ok". It is read
# without a tree (codecs.xml.rsp_payload) unless it is tiny (a tree costs less to set up
# there); anything else takes the tree reader.
_RSP_OK = re.compile(rb"\s*(?:<\?xml [^>]{0,200}\?>\s*)?<rsp\s+stat=\"ok\"")
_TINY_RSP = 256
#: How much of an HTML page's ``<title>`` goes into a fault message.
MAX_TITLE_CHARS = 200
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_UTF8 = ("utf-8", "utf8")


def register_envelope(root_tag: str, reader: Reader) -> None:
    """Let :func:`decode` read XML answers whose root element is ``root_tag`` (local name).

    Each transport registers the reader of its own envelope when it is imported, so this
    module never reaches up into the transports.
    """
    _readers[root_tag] = reader


register_envelope("rsp", xmlcodec.read_rsp)


def header(headers: Mapping[str, str] | None, name: str) -> str:
    if not headers:
        return ""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), "")
    return value


def decode(
    body: bytes,
    *,
    transport: str = "rest",
    codec: str = "xml",
    status: int | None = 200,
    headers: Mapping[str, str] | None = None,
    method: str = "",
    max_bytes: int = MAX_BODY_BYTES,
) -> TypedResult:
    """Decode one HTTP answer. ``transport`` and ``codec`` say what was asked.

    ``body`` is the body as received, in bytes; text is a ``TypeError`` at once (its
    bytes, and so its charset, are what decoding reads).
    """
    if type(body) is not bytes:
        if not isinstance(body, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"decode() takes bytes (the body as received), not {type(body).__name__}; "
                "for text you hold, pass text.encode('utf-8')"
            )
        body = bytes(body)
    if (
        status == 200
        and body[:1] == b"{"
        and len(body) <= max_bytes
        and body.isascii()
        and b"\x00" not in body
    ):
        # The usual JSON answer, decided at once: what _outcome finds step by step holds
        # for these bytes (no byte order mark, wide encoding or prolog; plain ASCII, so
        # no charset counts; not empty, an OAuth problem, XML or HTML; a success status).
        try:
            payload, fault = jsoncodec.decode(body.decode("ascii"), method)
        except BodyError as exc:
            payload, fault = {}, _decode_fault(str(exc), exc)
        except (ValueError, RecursionError, UnicodeError) as exc:
            payload, fault = {}, _unreadable(exc)
        return outcome_result(method, payload, fault, transport, codec, status, body)
    payload, fault = _general(body, status, headers, method, max_bytes)
    return outcome_result(method, payload, fault, transport, codec, status, body)


def _general(
    body: bytes,
    status: int | None,
    headers: Mapping[str, str] | None,
    method: str,
    max_bytes: int,
) -> Outcome:
    """The outcome of any body under any status: the way every answer can take."""
    try:
        payload, fault = _outcome(body, status, headers, method, max_bytes)
    except (ValueError, RecursionError, UnicodeError) as exc:
        payload, fault = {}, _unreadable(exc)
    if fault is None and status is not None and not 200 <= status < 300:
        # A success body under an HTTP error or a redirect is not a success: Flickr
        # answers with 200 whatever the outcome, so the status came from something else
        # (a proxy, a moved endpoint) and the body cannot be trusted to be the answer.
        payload, fault = {}, _http_fault(status, None)
    return payload, fault


def _outcome(
    body: bytes,
    status: int | None,
    headers: Mapping[str, str] | None,
    method: str,
    max_bytes: int,
) -> Outcome:
    http_ok = status is None or 200 <= status < 300
    if len(body) > max_bytes:
        return {}, _decode_fault(f"response body of {len(body)} bytes exceeds {max_bytes}")
    try:
        text = _text(body, headers)
    except BodyError as exc:
        return {}, _http_fault(status, None) if not http_ok else _decode_fault(str(exc), exc)
    if status is not None and 300 <= status < 400:
        # Flickr's API does not redirect (the client does not follow): whatever the body
        # says, a 3xx is not the answer to the call.
        return {}, _http_fault(status, text)
    stripped = text.lstrip()
    if not stripped:
        if not http_ok:
            return {}, _http_fault(status, None)
        return {}, _decode_fault("empty response body")
    try:
        if stripped.startswith("oauth_problem="):
            return {}, _oauth_fault(stripped)
        if stripped.startswith("<"):
            if _looks_html(stripped):
                return {}, _http_fault(status, text)
            data = _xml_bytes(body, text, headers)
            del text, stripped  # copies of the body: let them go before lxml builds a tree
            return _xml_outcome(data, body, headers, status, method, max_bytes)
        if jsoncodec.looks_like_json(stripped):
            return jsoncodec.decode(stripped, method)
    except BodyError as exc:
        if not http_ok:
            return {}, _http_fault(status, _text_or_none(body, headers))
        return {}, _decode_fault(str(exc), exc)
    if not http_ok:
        return {}, _http_fault(status, text)
    return {}, _decode_fault("body is neither XML nor JSON")


def _charset(headers: Mapping[str, str] | None) -> str | None:
    match = _CHARSET.search(header(headers, "content-type"))
    return match.group(1).lower() if match else None


def _plain_ascii(body: bytes) -> bool:
    """ASCII bytes read the same in every ASCII-compatible charset: no header needed."""
    return body.isascii() and b"\x00" not in body


def _text(body: bytes, headers: Mapping[str, str] | None) -> str:
    """The body as text: BOM first, then the header's charset, then UTF-8."""
    if body.startswith(_stdcodecs.BOM_UTF8):
        return _decode_text(body, "utf-8-sig")
    wide = xmlsafe.wide_encoding(body)  # UTF-16/32, with or without a byte order mark
    if wide is not None:
        return _decode_text(body, wide)
    if _PROLOG_ENCODING.match(body):
        # The XML prolog's own encoding declaration wins; lxml reads the bytes with it,
        # and this text only serves to sniff the body.
        return body.decode("latin-1")
    if _plain_ascii(body):
        return body.decode("ascii")
    return _decode_text(body, _charset(headers) or "utf-8")


def _decode_text(body: bytes, charset: str) -> str:
    try:
        return body.decode(charset)
    except LookupError as exc:
        raise BodyError(f"unknown charset {charset!r}") from exc
    except UnicodeDecodeError as exc:
        raise BodyError(f"body is not valid {charset}: {exc.reason} at byte {exc.start}") from exc


def _text_or_none(body: bytes, headers: Mapping[str, str] | None) -> str | None:
    try:
        return _text(body, headers)
    except BodyError:
        return None


def _xml_outcome(
    data: bytes,
    body: bytes,
    headers: Mapping[str, str] | None,
    status: int | None,
    method: str,
    max_bytes: int,
) -> Outcome:
    limit = max(max_bytes, xmlsafe.MAX_XML_BYTES)
    if len(data) > _TINY_RSP and _RSP_OK.match(data):
        payload = xmlcodec.rsp_payload(data, method, max_bytes=limit)
        if payload is not None:
            return payload, None
    try:
        root = xmlsafe.parse(data, max_bytes=limit)
    except xmlsafe.UnsafeXMLError as exc:
        return {}, _decode_fault(str(exc), exc)
    except xmlsafe.XMLSyntaxError as exc:
        raise BodyError(f"malformed XML: {exc}") from exc
    name = xmlsafe.local_name(root)
    if name.lower() == "html":
        return {}, _http_fault(status, _text_or_none(body, headers))
    reader = _readers.get(name)
    if reader is None:
        raise BodyError(f"unexpected XML document element {shown(name)}")
    return reader(root, method)


def _looks_html(text: str) -> bool:
    """An HTML page (a proxy's error page, a login wall): not a Flickr answer."""
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or (
        not head.startswith("<?xml") and "<html" in head
    )


def _xml_bytes(body: bytes, text: str, headers: Mapping[str, str] | None) -> bytes:
    """Bytes for lxml: as received when they declare their own encoding (a prolog or a
    byte order mark, which libxml2 reads before any prolog) or are UTF-8."""
    if (
        _PROLOG_ENCODING.match(body)
        or body.startswith(_stdcodecs.BOM_UTF8)
        or xmlsafe.wide_encoding(body) is not None
    ):
        return body
    if _plain_ascii(body):
        return body
    charset = _charset(headers)
    if charset and charset not in _UTF8:
        return text.encode("utf-8")
    return body


def _decode_fault(message: str, cause: BaseException | None = None) -> Fault:
    return Fault(None, message, "decode", False, cause)


def _unreadable(exc: BaseException) -> Fault:
    # Every reader turns what it knows of into a BodyError; this is the last line, so that
    # no body, however odd, gets a traceback instead of a Result.
    return _decode_fault(f"unreadable body: {type(exc).__name__}", exc)


def _http_fault(status: int | None, text: str | None) -> Fault:
    message = f"HTTP {status}"
    title = html_title(text) if text else None
    if title:
        message += ": " + printable(title)
    retryable = status is not None and errors.is_retryable_status(status)
    return Fault(None, message, "http", retryable)


def html_title(text: str) -> str | None:
    """The first ``<title ...>...</title>`` of a page, whitespace folded and shortened.

    Three ``find`` calls, so linear in the page: the regex it replaces,
    ``<title[^>]*>(.*?)</title>``, went quadratic on a page of many unclosed ``<title>``.
    """
    lower = text.translate(_ASCII_LOWER)  # keeps every offset, unlike str.lower
    start = lower.find("<title")
    if start < 0:
        return None
    opened = lower.find(">", start)
    if opened < 0:
        return None
    closed = lower.find("</title>", opened + 1)
    if closed < 0:
        return None
    words = text[opened + 1 : closed][: MAX_TITLE_CHARS * 4].split()
    title = " ".join(words)
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 3] + "..."


def _oauth_fault(text: str) -> Fault:
    """Flickr's 401 ``oauth_problem=...&debug_sbs=...`` answer.

    The message keeps only the problem: ``debug_sbs`` carries the consumer key and token.
    """
    # The body starts with oauth_problem= (the caller checked): its first field is all we
    # read, so that a body of a million fields costs no million tuples.
    first = text.strip().partition("&")[0]
    problem = unquote_plus(first.partition("=")[2]).strip()
    message = f"oauth_problem={printable(problem)}"
    return Fault(OAUTH_PROBLEM_CODES.get(problem), message, "auth", False)
