"""Redaction: keep credentials, signatures and nonces out of everything flickrwire writes.

Requests are redacted parameter by parameter wherever a protocol carries them (query, form
body, ``Authorization: OAuth`` header, XML-RPC struct members, SOAP ``FlickrRequest``
children), and the result is checked: a credential value that can still be found makes
:func:`redact_request` raise. Response bodies, headers, messages and payloads are redacted
where they echo credentials. :func:`scrub` replaces known secret values anywhere, the last
line of defence for a recorder that knows the credentials it signed with.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote_plus
from xml.sax.saxutils import escape

import httpx

from .. import xmlsafe
from ..auth import SECRET_PARAMS, VOLATILE_PARAMS

REDACTED = "REDACTED"
#: Parameters whose values never reach a fixture or a report.
REDACT_PARAMS = SECRET_PARAMS | VOLATILE_PARAMS
#: Headers that httpx derives from the URL and body; not stored.
DERIVED_HEADERS = ("host", "content-length")
#: Headers whose whole value is a credential or a session (browsers send cookies to Flickr).
SESSION_HEADERS = frozenset({"cookie", "set-cookie", "proxy-authorization"})

_NAMES = "|".join(re.escape(n) for n in sorted(REDACT_PARAMS, key=len, reverse=True))
_SECRET_NAMES = "|".join(re.escape(n) for n in sorted(SECRET_PARAMS, key=len, reverse=True))
# XML-RPC struct member and SOAP FlickrRequest child; a value's text never holds "<".
_MEMBER = re.compile(rf"(<name>\s*(?:{_NAMES})\s*</name>\s*<value>\s*(?:<string>)?)[^<]*")
_CHILD = re.compile(rf"(<(?:[\w.-]+:)?({_NAMES})(?:\s[^>]*)?>)[^<]*(?=</(?:[\w.-]+:)?\2\s*>)")
_AUTH_PARAM = re.compile(rf'(\b(?:{_NAMES})=")[^"]*(")')
_AUTH_PAIR = re.compile(r'([\w.~-]+)="([^"]*)"')
# Inside response bodies: form pairs, also percent-encoded once or twice (Flickr's 401
# debug_sbs, see fixture samples/oauth-401-signature-invalid-debug-sbs), and elements,
# also escaped (flickr.test.echo echoes api_key, see samples/soap-echo-*).
# Every other oauth_* value too, but the names of what went wrong (the 401's problem).
_OTHER_OAUTH = r"oauth_(?!problem\b|parameters_absent\b|callback_confirmed\b)[a-z_]+"
_BODY_PAIR = re.compile(
    rf"((?:^|[&?\s]|%26|%2526|%3F)(?:{_NAMES}|{_OTHER_OAUTH})(?:=|%3D|%253D))"
    r"(?:[^&%\s]|%(?!26|2526)[0-9A-Fa-f]{2})*"
)
_BODY_ELEMENT = re.compile(rf"((?:<|&lt;|&amp;lt;)(?:{_SECRET_NAMES})(?:>|&gt;|&amp;gt;))[^<&]*")
# flickr.test.echo over JSON: {"api_key":{"_content":"..."}} (Flickr's JSON shape for text).
_BODY_JSON = re.compile(
    rf'("(?:{_SECRET_NAMES})"\s*:\s*(?:\{{\s*"_content"\s*:\s*)?")(?:[^"\\]|\\.)*'
)
_OAUTH_CONSTANTS = frozenset({"oauth_signature_method", "oauth_version"})
#: Values shorter than this are not looked for: they turn up elsewhere by chance, and no
#: real key, token or signature is that short.
MIN_SECRET_LENGTH = 4


class RedactionError(ValueError):
    """A secret survived redaction (names the parameter or place, never the value)."""


def redact_pairs(text: str) -> str:
    """Form or query text with the value of every credential or nonce pair replaced."""
    parts = text.split("&")
    for index, part in enumerate(parts):
        name, sep, _ = part.partition("=")
        if sep and unquote_plus(name) in REDACT_PARAMS:
            parts[index] = f"{name}={REDACTED}"
    return "&".join(parts)


def redact_header(name: str, value: str) -> str:
    """One header value: OAuth parameters one by one, sessions and other schemes whole."""
    name = name.lower()
    if name in SESSION_HEADERS:
        return REDACTED
    if name != "authorization":
        return value
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "oauth":
        return _AUTH_PARAM.sub(rf"\g<1>{REDACTED}\g<2>", value)
    return f"{scheme} {REDACTED}" if rest else REDACTED


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers as a dict, lower-case names, derived headers left out, secrets redacted."""
    return {
        name.lower(): redact_header(name, value)
        for name, value in headers
        if name.lower() not in DERIVED_HEADERS
    }


def redact_url(url: str) -> str:
    """A URL with credential query values and any user:password part redacted."""
    parsed = httpx.URL(url)
    if parsed.userinfo:
        parsed = parsed.copy_with(userinfo=b"")
    if parsed.query:
        query = redact_pairs(parsed.query.decode("utf-8", "surrogateescape"))
        parsed = parsed.copy_with(query=query.encode("utf-8", "surrogateescape"))
    return str(parsed)


def is_xml(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("<")


def _redact_xml(text: str) -> str:
    text = _MEMBER.sub(rf"\g<1>{REDACTED}", text)
    return _CHILD.sub(rf"\g<1>{REDACTED}", text)


def redact_request_body(body: bytes) -> bytes:
    """A request body (form, XML-RPC or SOAP) with every credential or nonce value replaced."""
    text = body.decode("utf-8", "surrogateescape")
    text = _redact_xml(text) if is_xml(text) else redact_pairs(text)
    return text.encode("utf-8", "surrogateescape")


def redact_request(request: httpx.Request) -> httpx.Request:
    """A copy of ``request`` with every credential, signature and nonce value redacted.

    Works for all three transports: query and form fields (REST), the ``Authorization:
    OAuth`` header, XML-RPC struct members and SOAP ``FlickrRequest`` children; cookies go
    whole. It fails closed: if a secret's value can still be found, :class:`RedactionError`.
    """
    body = request.read()
    headers = list(redact_headers(request.headers.items()).items())
    redacted = httpx.Request(
        request.method,
        redact_url(str(request.url)),
        headers=headers,
        content=redact_request_body(body),
    )
    _check_redacted(request, redacted)
    return redacted


def redact_text(text: str) -> str:
    """Text from a response (a body, a message) with echoed credential values replaced."""
    text = _BODY_PAIR.sub(rf"\g<1>{REDACTED}", text)
    text = _BODY_ELEMENT.sub(rf"\g<1>{REDACTED}", text)
    return _BODY_JSON.sub(rf"\g<1>{REDACTED}", text)


def redact_body(body: bytes) -> bytes:
    """A response body with the values of credential parameters it echoes redacted."""
    return redact_text(body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


def redact_payload(value: Any) -> Any:
    """A decoded payload (Flickr's JSON shape) with every credential-named entry redacted."""
    if isinstance(value, Mapping):
        return {
            k: (_redacted_leaf(v) if k in SECRET_PARAMS else redact_payload(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_payload(v) for v in value]
    return redact_text(value) if isinstance(value, str) else value


def _redacted_leaf(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: REDACTED for k in value}
    return REDACTED


def _forms(value: str) -> set[str]:
    """The ways a value shows up in requests, URLs, XML and JSON."""
    return {value, quote(value, safe=""), quote_plus(value), escape(value), quote(quote(value))}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret value (in any common encoding) replaced."""
    for secret in sorted(_usable(secrets), key=len, reverse=True):
        for form in sorted(_forms(secret), key=len, reverse=True):
            text = text.replace(form, REDACTED)
    return text


def check_clean(text: str, secrets: Iterable[str], where: str) -> None:
    """Raise :class:`RedactionError` if any known secret value can be found in ``text``."""
    for secret in _usable(secrets):
        if any(form in text for form in _forms(secret)):
            raise RedactionError(f"a credential value survived redaction in {where}")


def _usable(secrets: Iterable[str]) -> set[str]:
    return {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH and s != REDACTED}


def is_secret_name(name: str) -> bool:
    """Whether a parameter of this name carries a secret: the credential and signature
    names, and by rule ``secret``, ``*_secret`` and every ``oauth_*`` parameter but the two
    protocol constants (``HMAC-SHA1``, ``1.0``: scrubbing them would only blur fixtures)."""
    if name in _OAUTH_CONSTANTS:
        return False
    return (
        name in REDACT_PARAMS
        or name == "secret"
        or name.endswith("_secret")
        or name.startswith("oauth_")
    )


def named_secrets(request: httpx.Request) -> list[str]:
    """The values of every parameter with a secret name (:func:`is_secret_name`) wherever
    the request carries it: query, form, ``Authorization`` header, XML-RPC struct, SOAP
    children. For :func:`scrub`, which then finds them anywhere (a response echoing one,
    the same value under an ordinary name)."""
    return sorted(_usable(v for k, v in _params_of(request) if is_secret_name(k)))


def _secret_values(request: httpx.Request) -> list[tuple[str, str]]:
    """(name, value) of every credential the request carries, wherever it carries it."""
    found = _params_of(request)
    usable = _usable(v for _, v in found)
    return [(k, v) for k, v in found if k in SECRET_PARAMS and v in usable]


def _params_of(request: httpx.Request) -> list[tuple[str, str]]:
    """(name, value) of every parameter the request carries, wherever it carries it."""
    text = request.read().decode("utf-8", "replace")
    found = parse_qsl(request.url.query.decode("utf-8", "replace"), keep_blank_values=True)
    found += [
        (k, unquote_plus(v))
        for k, v in _AUTH_PAIR.findall(request.headers.get("authorization", ""))
    ]
    if not is_xml(text):
        found += parse_qsl(text, keep_blank_values=True)
    else:
        with contextlib.suppress(ValueError):
            for element in xmlsafe.parse(request.read()).iter():
                name = xmlsafe.local_name(element)
                if name == "name" and (value := element.getnext()) is not None:
                    found.append(((element.text or "").strip(), _text_of(value)))
                elif len(element) == 0:  # SOAP children, and anything else named
                    found.append((name, _text_of(element)))
    return found


def _text_of(element: Any) -> str:
    return "".join(t for t in element.itertext() if isinstance(t, str))


def _check_redacted(original: httpx.Request, redacted: httpx.Request) -> None:
    body = redacted.read().decode("utf-8", "replace")
    text = "\n".join([str(redacted.url), *redacted.headers.values(), body])
    for name, value in _secret_values(original):
        if any(form in text for form in _forms(value)):
            raise RedactionError(f"the value of {name} survived redaction")
