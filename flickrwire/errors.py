"""Flickr's error codes and the exception tree behind ``Result.raise_for_fault()``.

The tree has one root and three branches, as in CPython's ``xmlrpc.client``:
could not talk (:class:`TransportError`), could not understand (:class:`DecodeError`)
and Flickr said no (:class:`APIError`). Codes map to classes through one explicit table.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .result import Fault, Result

# Global error codes, messages as documented on every method page
# (see shared seed page for flickr.groups.leave). 0 and 201 were seen live, undocumented.
GLOBAL_ERRORS: dict[int, str] = {
    0: "Sorry, the Flickr API service is not currently available.",
    95: "SSL is required",
    96: "Invalid signature",
    97: "Missing signature",
    98: "Invalid auth token",
    99: "Insufficient permissions",
    100: "Invalid API Key",
    105: "Service currently unavailable",
    106: "Write operation failed",
    111: 'Format "xxx" not found',
    112: 'Method "xxx" not found',
    114: "Invalid SOAP envelope",
    115: "Invalid XML-RPC Method Call",
    116: "Bad URL found",
    201: "Sorry, the Flickr API service is not currently available.",
    212: 'Method "xxx" not found',
}

#: Codes that say the request was not carried out and may be sent again.
RETRYABLE_CODES = frozenset({0, 105, 106, 201})
#: Codes about the request's credentials.
AUTH_CODES = frozenset({96, 97, 98, 99, 100})
#: Codes about the request's form rather than its content.
PROTOCOL_CODES = frozenset({95, 111, 112, 114, 115, 212})


def origin_for_code(code: int | None) -> str:
    """The ``Fault.origin`` for a Flickr error code."""
    if code in AUTH_CODES:
        return "auth"
    if code in PROTOCOL_CODES:
        return "protocol"
    return "api"


# A parameter name in a body, at the start of a word (so that the scan stays linear), and
# the separator before its value: form ``=``, attribute ``="``, JSON ``":"`` (or Flickr's
# ``":{"_content":"`` for text), element ``>``.
_NAMED_VALUE = re.compile(
    rb"""(?<![\w%])([A-Za-z_]\w*)"""
    rb"""(=["']?|%3[dD]|"\s*:\s*(?:\{\s*"_content"\s*:\s*)?"|>)([^&\s"'<>]*)"""
)
# The same pair percent-encoded inside another value (``cb=https%3A...%26api_key%3D...``):
# after an escaped "&", "?" or space, up to the next escaped "&". A pass of its own: the
# pass above reads the outer value whole and does not look inside it.
_ENCODED_PAIR = re.compile(
    rb"""(?<=%26|%3[fF]|%20)([A-Za-z_]\w*)(%3[dD])((?:[^%&\s"'<>]|%(?!26))*)"""
)
# Flickr's 401 base string holds raw "&" between its three parts: to the end of the line.
_DEBUG_SBS = re.compile(rb"(debug_sbs=)[^\r\n]*")
_KEPT_OAUTH = frozenset({b"oauth_problem", b"oauth_parameters_absent", b"oauth_callback_confirmed"})


def _credential_name(name: bytes) -> bool:
    name = name.lower()
    if name in _KEPT_OAUTH:
        return False
    return (
        name.startswith(b"oauth_")
        or name in (b"debug_sbs", b"api_key", b"api_sig", b"auth_token", b"secret")
        or name.endswith(b"_secret")
    )


def scrub_credentials(raw: bytes) -> bytes:
    """``raw`` with the value of every credential-named parameter it holds replaced:
    ``oauth_*`` (but the problem names), ``debug_sbs``, ``api_key``, ``api_sig``,
    ``auth_token``, ``secret``, ``*_secret``; as form pairs, attributes, JSON or elements,
    and as percent-encoded pairs inside another value."""

    def replace(match: re.Match[bytes]) -> bytes:
        name, sep, value = match.groups()
        if not value or not _credential_name(name):
            return match.group(0)
        return name + sep + b"REDACTED"

    scrubbed = _NAMED_VALUE.sub(replace, _DEBUG_SBS.sub(rb"\1REDACTED", raw))
    return _ENCODED_PAIR.sub(replace, scrubbed)


def is_retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


class FlickrwireError(Exception):
    """Root of every exception flickrwire raises for a fault."""

    def __init__(self, message: str, fault: Fault | None = None, result: Result | None = None):
        super().__init__(message)
        self.message = message
        self.fault = fault
        self.result = result

    def __reduce__(self) -> tuple[Any, ...]:
        # A pickle travels (logs, task queues, crash reports): the body goes without the
        # values of credentials it may echo (a 401's debug_sbs holds the key and token).
        result = self.result
        if result is not None and result.raw:
            result = dataclasses.replace(result, raw=scrub_credentials(result.raw))
        return (type(self), (self.message, self.fault, result))

    @property
    def code(self) -> int | None:
        return self.fault.code if self.fault is not None else None


class TransportError(FlickrwireError):
    """Could not talk: the network failed or the HTTP exchange did not carry an answer."""


class NetworkError(TransportError):
    """No response arrived: connection refused or reset, timeout."""


class HTTPStatusError(TransportError):
    """A response arrived but it is an HTTP error, not a Flickr answer (an HTML 502, say)."""


class DecodeError(FlickrwireError):
    """Could not understand: the body is not a Flickr answer we can read."""


class APIError(FlickrwireError):
    """Flickr said no: a Flickr error code (method-specific codes use this class)."""


class AuthError(APIError):
    """The request's credentials were refused (96..100, or an OAuth 401)."""


class SSLRequired(APIError):
    """95: SSL is required (a plain-HTTP request)."""


class InvalidSignature(AuthError):
    """96: Invalid signature (also an OAuth 401 ``signature_invalid``)."""


class MissingSignature(AuthError):
    """97: Missing signature."""


class InvalidAuthToken(AuthError):
    """98: Login failed / Invalid auth token (unknown, expired or revoked token)."""


class InsufficientPermissions(AuthError):
    """99: User not logged in / Insufficient permissions for the method."""


class InvalidAPIKey(AuthError):
    """100: Invalid API Key."""


class ServiceUnavailable(APIError):
    """105 Service currently unavailable, and 0 and 201 seen live; retryable."""


class WriteFailed(APIError):
    """106: Write operation failed (nothing was written); retryable."""


class ProtocolError(APIError):
    """Flickr could not take the request's form (111, 112, 114, 115, 212)."""


class FormatNotFound(ProtocolError):
    """111: Format "xxx" not found."""


class MethodNotFound(ProtocolError):
    """112 (212 since 2024): Method "xxx" not found."""


class InvalidSOAPEnvelope(ProtocolError):
    """114: Invalid SOAP envelope (the request could not be parsed)."""


class InvalidXMLRPCCall(ProtocolError):
    """115: Invalid XML-RPC Method Call (the request could not be parsed)."""


class BadURL(APIError):
    """116: Bad URL found (an argument holds a blocked URL, or a setter sent with GET)."""


#: The explicit code -> class table for Flickr's global codes.
EXCEPTION_BY_CODE: dict[int, type[APIError]] = {
    0: ServiceUnavailable,
    95: SSLRequired,
    96: InvalidSignature,
    97: MissingSignature,
    98: InvalidAuthToken,
    99: InsufficientPermissions,
    100: InvalidAPIKey,
    105: ServiceUnavailable,
    106: WriteFailed,
    111: FormatNotFound,
    112: MethodNotFound,
    114: InvalidSOAPEnvelope,
    115: InvalidXMLRPCCall,
    116: BadURL,
    201: ServiceUnavailable,
    212: MethodNotFound,
}


def exception_class(fault: Fault) -> type[FlickrwireError]:
    """Which exception class ``raise_for_fault`` uses for ``fault``."""
    if fault.origin == "network":
        return NetworkError
    if fault.origin == "http":
        return HTTPStatusError
    if fault.origin == "decode":
        return DecodeError
    if fault.code is not None and fault.code in EXCEPTION_BY_CODE:
        return EXCEPTION_BY_CODE[fault.code]
    if fault.origin == "auth":
        return AuthError
    if fault.origin == "protocol":
        return ProtocolError
    return APIError
