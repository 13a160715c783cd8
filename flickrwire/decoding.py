"""Turn any HTTP answer into a :class:`Result`, never an exception.

Decoding sniffs the body and is guided, not ruled, by what was asked: Flickr answers a
request it cannot parse (114, 115) or a bad format (111) in the transport's native
format, its XML endpoint has been seen answering JSON, proxies answer HTML, and OAuth
problems come back as a ``text/plain`` form.
"""

from __future__ import annotations

import codecs as _stdcodecs
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from lxml import etree

from . import errors, xmlsafe
from .codecs import BodyError, Outcome, json as jsoncodec, xml as xmlcodec
from .result import Fault, Result, failure, success

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
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
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
) -> Result:
    """Decode one HTTP answer. ``transport`` and ``codec`` say what was asked."""

    def done(outcome: Outcome) -> Result:
        payload, fault = outcome
        if fault is None:
            return success(
                method, payload, transport=transport, codec=codec, status=status, raw=body
            )
        return failure(method, fault, transport=transport, codec=codec, status=status, raw=body)

    try:
        outcome = _outcome(body, status, headers, method, max_bytes)
    except (ValueError, RecursionError, UnicodeError) as exc:
        # Every reader turns what it knows of into a BodyError; this is the last line,
        # so that no body, however odd, gets a traceback instead of a Result.
        outcome = {}, _decode_fault(f"unreadable body: {type(exc).__name__}", exc)
    return done(outcome)


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
    stripped = text.lstrip()
    if not stripped:
        if not http_ok:
            return {}, _http_fault(status, None)
        return {}, _decode_fault("empty response body")
    try:
        if stripped.startswith("oauth_problem="):
            return {}, _oauth_fault(stripped)
        if stripped.startswith("<"):
            return _xml_outcome(body, text, headers, status, method, max_bytes)
        if jsoncodec.looks_like_json(stripped):
            return jsoncodec.decode(stripped, method)
    except BodyError as exc:
        if not http_ok:
            return {}, _http_fault(status, text)
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


def _xml_outcome(
    body: bytes,
    text: str,
    headers: Mapping[str, str] | None,
    status: int | None,
    method: str,
    max_bytes: int,
) -> Outcome:
    if _looks_html(text):
        return {}, _http_fault(status, text)
    data = _xml_bytes(body, text, headers)
    try:
        root = xmlsafe.parse(data, max_bytes=max(max_bytes, xmlsafe.MAX_XML_BYTES))
    except xmlsafe.UnsafeXMLError as exc:
        return {}, _decode_fault(str(exc), exc)
    except xmlsafe.XMLSyntaxError as exc:
        raise BodyError(f"malformed XML: {exc}") from exc
    name = xmlsafe.local_name(root)
    if name.lower() == "html":
        return {}, _http_fault(status, text)
    reader = _readers.get(name)
    if reader is None:
        raise BodyError(f"unexpected XML document element <{name}>")
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


def _http_fault(status: int | None, text: str | None) -> Fault:
    message = f"HTTP {status}"
    if text:
        match = _TITLE.search(text)
        if match:
            message += ": " + " ".join(match.group(1).split())
    retryable = status is not None and errors.is_retryable_status(status)
    return Fault(None, message, "http", retryable)


def _oauth_fault(text: str) -> Fault:
    """Flickr's 401 ``oauth_problem=...&debug_sbs=...`` answer.

    The message keeps only the problem: ``debug_sbs`` carries the consumer key and token.
    """
    fields: dict[str, Any] = dict(parse_qsl(text.strip(), keep_blank_values=True))
    problem = str(fields.get("oauth_problem", "")).strip()
    return Fault(OAUTH_PROBLEM_CODES.get(problem), f"oauth_problem={problem}", "auth", False)
