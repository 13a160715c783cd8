"""The one reading of a request's parameters, for the server side.

:func:`read_params` takes the query string, the ``Authorization: OAuth`` header and the
body (a form, ``multipart/form-data``, an XML-RPC struct or a SOAP ``FlickrRequest``, read
by the transport's body reader) and returns both what the method sees and what an OAuth
signature covers. Each transport's ``parse_request`` and the emulator's verifier use that
one result, so no parameter can reach a method without being covered by the signature
that the verifier checked (RFC 5849 section 3.4.1.3.1 names the sources).

Refused, with a Flickr error (:class:`RequestError`):

- a parameter given twice with different values, wherever it came from (query and body,
  a repeated field, member or child): a method and a signature could read different ones;
- a REST POST body that is not a form (``application/x-www-form-urlencoded``, or
  ``multipart/form-data``), or whose ``Content-Type`` is given twice: an OAuth signature
  covers only form fields, so such a body could only add unsigned parameters;
- a multipart body that is not well formed.

Flickr documents no code for these (its front end merges the query and the body, the body
winning); ours is 96 "Invalid signature" on every transport, since parameters that
disagree cannot be matched to one signature. The message names what was wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import unquote

import httpx

from ..auth.signing import VOLATILE_PARAMS
from ..call import Call
from .base import RequestError, Transport
from .formdata import FormDataError, read_multipart

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
#: The Flickr code for a request whose parameters cannot be read unambiguously (ours).
AMBIGUOUS = 96
AMBIGUOUS_MESSAGE = "Invalid signature"

Pairs = list[tuple[str, str]]
#: Reads a transport's body into ``(name, value)`` pairs; raises :class:`RequestError`.
BodyReader = Callable[[httpx.Request], Pairs]

_HEADER_PARAM = re.compile(r'^\s*([^\s=",]+)\s*=\s*"([^"]*)"\s*$')


@dataclass(frozen=True, slots=True)
class RequestParams:
    """A request's parameters, read once.

    ``params``: the query and the body, ``method`` included (no name twice).
    ``signed``: every pair an OAuth 1.0a signature covers, as sent: the header's
    ``oauth_*`` parameters (``realm`` aside), the query, the body's fields.
    ``bad_header``: the ``Authorization: OAuth`` header could not be read.
    """

    params: Mapping[str, str] = field(repr=False)
    signed: tuple[tuple[str, str], ...] = field(repr=False)
    bad_header: bool = False

    @property
    def is_oauth(self) -> bool:
        return any(name.startswith("oauth_") for name, _ in self.signed)


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    """What a transport read from a request: the call, and the parameters it came from."""

    call: Call
    read: RequestParams


@runtime_checkable
class ServerTransport(Transport, Protocol):
    """A transport the emulator can serve: it reads a request once, for the method and
    for the signature check (our three transports do; ``parse_request`` is its call)."""

    def read_request(self, request: httpx.Request) -> ParsedRequest: ...


def refuse(message: str, params: Mapping[str, str] | None = None) -> RequestError:
    return RequestError(AMBIGUOUS, f"{AMBIGUOUS_MESSAGE} ({message})", params)


def query_pairs(request: httpx.Request) -> Pairs:
    query = request.url.query
    if not query:  # most POSTs
        return []
    return form_pairs(query.decode("utf-8", "replace"))


def form_pairs(text: str) -> Pairs:
    """The fields of a url-encoded form or query: ``parse_qsl(text, keep_blank_values=True)``
    step by step (split on "&", empty fields dropped, a field without "=" has an empty
    value, "+" is a space, then percent-decoding as UTF-8 with replacement), without its
    checks of arguments this call never gives. Short texts are remembered: a client sends
    the same form again and again when its OAuth parameters travel in a header. A form
    carrying a signature, nonce or timestamp (``VOLATILE_PARAMS``) is not: it does not
    repeat, and a signature is not kept."""
    if len(text) > _FORM_KEPT_LENGTH:
        return _read_form(text)
    kept = _FORMS.get(text)
    if kept is None:
        pairs = _read_form(text)
        if not any(name in VOLATILE_PARAMS for name, _ in pairs):
            if len(_FORMS) >= _FORMS_KEPT:
                _FORMS.clear()
            _FORMS[text] = tuple(pairs)
        return pairs
    return list(kept)


#: Forms remembered (text -> fields), at most this many (then forgotten at once), each
#: at most this long.
_FORMS: dict[str, tuple[tuple[str, str], ...]] = {}
_FORMS_KEPT = 1024
_FORM_KEPT_LENGTH = 512


def _read_form(text: str) -> Pairs:
    pairs: Pairs = []
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            if "%" in part or "+" in part:
                pairs.append((_form_text(name), _form_text(value)))
            else:  # nothing to decode (most fields): the texts as they are
                pairs.append((name, value))
    return pairs


def _form_text(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    # unquote() returns a text without "%" as it is: the call is skipped for those.
    return percent_decoded(text) if "%" in text else text


def percent_decoded(text: str) -> str:
    """``urllib.parse.unquote(text)``, the same text, for less CPU when every escape is a
    well-formed one of an ASCII character (``%40``, ``%2B``, ``%3D``: what signers and
    form encoders send); any other text is decoded by ``unquote`` itself."""
    first, *rest = text.split("%")
    out = [first]
    for item in rest:
        char = _ASCII_ESCAPES.get(item[:2])
        if char is None:  # a non-ASCII byte (part of UTF-8), or "%" not followed by hex
            return unquote(text)
        out.append(char)
        out.append(item[2:])
    # An escape of an ASCII byte decodes as that character on its own, whatever is next
    # to it; the text between escapes (ASCII or not) is kept as it is, as unquote does.
    return "".join(out)


#: The two hex digits (either case) of each ASCII byte's escape, and the character.
_ASCII_ESCAPES = {
    f"{high}{low}": chr(int(f"{high}{low}", 16))
    for high in "01234567"
    for low in "0123456789abcdefABCDEF"
}


def header_pairs(request: httpx.Request) -> tuple[Pairs, bool]:
    """The ``Authorization: OAuth`` parameters: percent-encoded, quoted values (RFC 5849
    section 3.5.1); ``realm`` is not signed. Also whether the header was malformed."""
    authorization = request.headers.get("authorization")
    if not authorization or authorization[:6].lower() != "oauth ":
        return [], False
    plain = _plain_pairs(authorization)
    if plain is not None:
        return plain, False
    out: Pairs = []
    malformed = False
    for part in authorization[6:].split(","):
        match = _HEADER_PARAM.match(part)
        if match is None:
            malformed = malformed or bool(part.strip())
            continue
        name = unquote(match.group(1))
        if name != "realm":
            out.append((name, unquote(match.group(2))))
    return out, malformed


def _plain_pairs(authorization: str) -> Pairs | None:
    """The pairs of a header each part of which is ``name="value"`` with blanks around the
    parts, the name a Python identifier (``oauth_nonce``: what signers send), the value
    holding no '"': exactly what the part-by-part reading (``_HEADER_PARAM``) gives such a
    header, read without a pattern (a character class tried per character costs more than
    the string methods below). None for any other header, read part by part. Parts a client
    sends again and again (its key, token, signature method, version) are remembered."""
    pairs: Pairs = []
    for part in authorization[6:].split(","):
        pair = _PARTS.get(part)
        if pair is None:
            pair = _plain_part(part)
            if pair is None:
                return None
            if pair[0] not in VOLATILE_PARAMS and len(part) <= _PART_KEPT_LENGTH:
                if len(_PARTS) >= _PARTS_KEPT:
                    _PARTS.clear()
                _PARTS[part] = pair
        if pair[0] != "realm":
            pairs.append(pair)
    return pairs


def _plain_part(part: str) -> tuple[str, str] | None:
    name, equals, quoted = part.partition("=")
    # Such a name holds no blank, "=", '"' or ",": the first "=" follows it, and
    # ``strip`` removes what the pattern's ``\s*`` takes (both Unicode whitespace).
    name = name.strip()
    quoted = quoted.strip()
    if not (equals and name.isidentifier() and len(quoted) > 1):
        return None
    value = quoted[1:-1]
    if quoted[0] != '"' or quoted[-1] != '"' or '"' in value:
        return None
    return name, percent_decoded(value) if "%" in value else value


#: Header parts read (part -> name and value), at most this many (then forgotten at
#: once), each at most this long; never those whose value is new on every request.
_PARTS: dict[str, tuple[str, str]] = {}
_PARTS_KEPT = 1024
_PART_KEPT_LENGTH = 256


def media_type(request: httpx.Request) -> str | None:
    """The body's media type, lower-cased (None without a Content-Type); refuses a
    request carrying two Content-Type values, which readers may resolve differently."""
    values = request.headers.get_list("content-type")
    if len(values) > 1 or (values and "," in values[0].partition(";")[0]):
        raise refuse("Content-Type given twice")
    return values[0].partition(";")[0].strip().lower() if values else None


def form_body(request: httpx.Request) -> Pairs:
    """A form POST's fields: url-encoded or multipart. Without a Content-Type the body is
    read as url-encoded (what form clients send); a body of any other type is refused."""
    if request.method != "POST" or not request.content:
        return []
    kind = media_type(request)
    if kind is None or kind == FORM:
        return form_pairs(request.content.decode("utf-8", "replace"))
    if kind == MULTIPART:
        try:
            return read_multipart(request.content, request.headers["content-type"])
        except FormDataError as exc:
            raise refuse(f"unreadable multipart/form-data: {exc}") from exc
    raise refuse(f"a POST body must be {FORM} or {MULTIPART}, not {kind}")


def merge(pairs: Pairs) -> dict[str, str]:
    """The pairs as one mapping; a name given twice with different values is refused."""
    params: dict[str, str] = {}
    for name, value in pairs:
        if params.setdefault(name, value) != value:
            raise refuse(f'parameter "{name}" given twice with different values')
    return params


def read_params(request: httpx.Request, body: BodyReader = form_body) -> RequestParams:
    """Read every parameter of ``request`` once; ``body`` reads the transport's body.

    Raises :class:`RequestError` for a body the transport cannot read and for the
    refusals listed in this module's docstring; ``RequestError.params`` then holds the
    query's parameters (which choose the format of the error answer).
    """
    query = query_pairs(request)
    try:
        fields = body(request)
        params = merge(query + fields)
    except RequestError as exc:
        if not exc.params:
            exc.params = dict(query)
        raise
    header, malformed = header_pairs(request)
    return RequestParams(params, tuple(header + query + fields), malformed)


def parsed_call(read: RequestParams, http_method: str) -> ParsedRequest:
    """The call a request's parameters make; 112 without a ``method``."""
    params = dict(read.params)
    method = params.pop("method", "").strip()
    if not method:
        raise RequestError(112, 'Method "" not found', read.params)
    return ParsedRequest(Call(method, params, http_method), read)
