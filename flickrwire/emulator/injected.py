"""The answers fault rules send in place of the method's: a Flickr error in the requested
format, Flickr's OAuth 401 text, an HTML error page such as a proxy sends, and a raw
body given verbatim.

Errors are rendered by the emulator's own rendering (``app.render``, built on the client's
transports and JSON codec), so an injected error looks exactly like a real one.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from xml.sax.saxutils import escape

from .. import transports
from ..call import spec_for
from ..errors import GLOBAL_ERRORS
from ..transports import RequestError
from ..transports.request import ServerTransport, read_params
from . import app as core, verify
from .requestlog import LogEntry

Headers = list[tuple[bytes, bytes]]
Answer = tuple[int, Headers, bytes]

#: Codes Flickr answers in the endpoint's own XML whatever ``format`` asked for: the
#: request could not be read (114, 115) or the format is unknown (111). DESIGN.md 2.
NATIVE_CODES = frozenset({111, 114, 115})
#: Flickr's content type for the OAuth problem answer, as the emulator sends it.
OAUTH_CONTENT_TYPE = core.OAUTH_TEXT.encode("latin-1")
HTML_CONTENT_TYPE = b"text/html; charset=utf-8"
_NOT_API = frozenset({"", "oauth"})


def answer(action: str, params: Mapping[str, Any], entry: LogEntry) -> Answer:
    """Status, headers and body for a response action (error, oauth_problem, http_error)."""
    if action == "error":
        return flickr_error(entry, params["code"], params["message"], params["status"])
    if action == "oauth_problem":
        return oauth_problem(entry, params["problem"], params["status"], params["debug_sbs"])
    if action == "http_error":
        return html_error(params["status"], params["title"])
    if action == "raw":
        # A recorded body sent verbatim (Flickr's 105 with "code":"105" as a string).
        content_type = params["content_type"].encode("latin-1")
        return params["status"], [(b"content-type", content_type)], params["body"].encode()
    raise ValueError(f"{action!r} is not a response action")


def default_message(code: int, method: str, fmt: str) -> str:
    """Flickr's message for ``code``: the method's own table first, then the global one."""
    spec = spec_for(method)
    if spec is not None and code in spec.errors:
        return spec.errors[code]
    text = GLOBAL_ERRORS.get(code)
    if text is None:
        return f"Injected error {code}"
    if code == 111:
        return text.replace("xxx", fmt)
    if code in (112, 212):
        return text.replace("xxx", method)
    return text


def flickr_error(entry: LogEntry, code: int, message: str | None, status: int) -> Answer:
    """The error as the emulator itself renders errors (``app.response_format``)."""
    call = entry.call
    method = call.method if call is not None else ""
    params = call.params if call is not None else {}
    transport = transports.get(entry.transport if entry.transport not in _NOT_API else "rest")
    fmt = None if code in NATIVE_CODES else core.response_format(transport, params)
    if fmt is None:
        fmt = core.Format(transport, "xml")
    text = message or default_message(code, method, params.get("format", ""))
    _, body, content_type = core.render(
        fmt, core.fault_result(method, fmt.transport, fmt.codec, code, text)
    )
    return status, [(b"content-type", content_type.encode("latin-1"))], body


def oauth_problem(entry: LogEntry, problem: str, status: int, debug_sbs: bool) -> Answer:
    """``oauth_problem=...&debug_sbs=<the base string of this request>``, as Flickr sends."""
    extra = {"debug_sbs": signature_base(entry)} if debug_sbs else {}
    body = verify.OAuthProblem(problem, **extra).body()
    return status, [(b"content-type", OAUTH_CONTENT_TYPE)], body


def signature_base(entry: LogEntry) -> str:
    """The OAuth base string of the request as received, computed as the emulator's own
    signature check computes it."""
    request = entry.request()
    transport = transports.get(entry.transport) if entry.transport not in _NOT_API else None
    try:
        if isinstance(transport, ServerTransport):
            parsed = transport.read_request(request)
            read, call = parsed.read, parsed.call
        else:
            read, call = read_params(request), None
        auth = verify.collect(request, read, call)
    except (RequestError, verify.OAuthProblem):  # unreadable: sign what is left
        auth = verify.AuthInput(request.method, verify.endpoint_url(request), [], {})
    return verify.base_string(auth)


def html_error(status: int, title: str | None) -> Answer:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    heading = escape(title or f"{status} {phrase}")
    body = (
        f"<!DOCTYPE html>\n<html><head><title>{heading}</title></head>"
        f"<body><h1>{heading}</h1></body></html>\n"
    )
    return status, [(b"content-type", HTML_CONTENT_TYPE)], body.encode("utf-8")
