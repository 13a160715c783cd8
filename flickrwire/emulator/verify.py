"""Who sent a request: OAuth 1.0a HMAC-SHA1 (checked with oauthlib's server-side
signature functions) or Flickr's legacy ``api_sig``, and the errors Flickr gives when
neither holds.

OAuth parameters are taken from wherever a client may put them: the ``Authorization``
header, the query, the form (REST, url-encoded or multipart), or the struct members /
``FlickrRequest`` children (XML-RPC, SOAP). The base string covers every Flickr parameter,
``method`` included, as for a form POST to the endpoint's URL (DESIGN.md section 4). Those
parameters come from the transports' one reading of the request
(``transports.request.read_params``), the same the method's arguments come from.

The signature is checked by oauthlib's own functions, step by step as its
``verify_hmac_sha1`` does (normalize the parameters, the base string URI, the base string,
the HMAC), so oauthlib stays the independent check of the client's signer: every name,
value and URI is escaped by oauthlib's ``escape`` and the HMAC is oauthlib's. The emulator
remembers each endpoint's base string URI and the escapes of repeated names and values,
normalizes the parameters once for all the URLs a client may have signed for, and builds
the base string's last part from each pair escaped twice (oauthlib escapes the whole
normalized text there; escaping maps each character on its own, so the result is the
same string, which tests compare with oauthlib's ``signature_base_string``).

A bad OAuth signature is not a Flickr error document but HTTP 401
``oauth_problem=signature_invalid&debug_sbs=...`` (shared sample
oauth-401-signature-invalid-debug-sbs.txt); the other ``oauth_problem`` names come from
the OAuth Problem Reporting extension, which Flickr follows.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlencode

import httpx
from oauthlib.oauth1.rfc5849 import signature as oauth_signature, utils as oauth_utils

from ..call import Call
from ..transports.request import RequestParams
from .store import TokenRow

#: Request parameters that carry credentials rather than arguments.
CREDENTIAL_PARAMS = frozenset({"api_sig", "auth_token"})
OAUTH_REQUIRED = (
    "oauth_consumer_key",
    "oauth_signature_method",
    "oauth_signature",
    "oauth_timestamp",
    "oauth_nonce",
)
# Flickr's live answer for a malformed key (shared sample
# rest-xml-fail-code100-invalid-api-key.xml); "Key not found" for a well-formed unknown
# key is our guess at Flickr's wording.
_KEY_FORMAT = re.compile(r"^[0-9a-f]{32}$")
#: oauthlib's escapes of the names and values requests repeat (the method, the format,
#: keys, tokens, group ids): escaping is most of the cost of checking a signature, and a
#: remembered escape is the same string. At most this many kept (then forgotten at once).
_ESCAPED: dict[str, str] = {}
#: The same for whole (name, value) pairs: both escapes, and the pair escaped twice.
_PAIRS: dict[tuple[str, str], tuple[str, str, str]] = {}
_ESCAPES_KEPT = 4096
#: Values new on every request: escaped, never remembered.
_UNIQUE_VALUES = frozenset({"oauth_nonce", "oauth_timestamp"})


class Failure(Exception):
    """A Flickr error answer: ``code`` and message, rendered in the requested format."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class OAuthProblem(Exception):
    """An OAuth refusal: HTTP 401, ``text/plain``, ``oauth_problem=...`` (and extras)."""

    def __init__(self, problem: str, **extra: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.extra = extra

    def body(self) -> bytes:
        text = "oauth_problem=" + self.problem
        for name, value in self.extra.items():
            # debug_sbs goes out as the raw base string, as Flickr sends it (sample).
            text += f"&{name}={value}" if name == "debug_sbs" else "&" + urlencode({name: value})
        return text.encode("utf-8")


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: the API key, the user (None without a token) and the token's level."""

    api_key: str = field(repr=False)
    user: str | None
    perms: int
    #: the OAuth access token or legacy ``auth_token`` the call came with
    token: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class NonceClaim:
    consumer_key: str = field(repr=False)
    token: str = field(repr=False)
    nonce: str
    timestamp: int


@dataclass(frozen=True, slots=True)
class SigningSecrets:
    """The secrets oauthlib's ``sign_hmac_sha1_with_client`` reads."""

    client_secret: str = field(repr=False)
    resource_owner_secret: str = field(repr=False)


@dataclass(slots=True)
class AuthInput:
    """Everything authentication needs from one request."""

    http_method: str
    uri: str
    #: every parameter from every source, for the OAuth base string (signature included)
    params: list[tuple[str, str]] = field(repr=False)
    #: the Flickr parameters, ``method`` included, for the legacy ``api_sig``
    flat: dict[str, str] = field(repr=False)
    #: the URLs the client may believe it called (``--public-url``), tried before ``uri``
    also: tuple[str, ...] = ()

    @property
    def is_oauth(self) -> bool:
        return any(name.startswith("oauth_") for name, _ in self.params)


class Lookup(Protocol):
    def api_secret(self, key: str) -> str | None: ...

    def token(self, token: str) -> TokenRow | None: ...


def collect(
    request: httpx.Request, read: RequestParams, call: Call | None = None, uri: str | None = None
) -> AuthInput:
    """What authentication needs, from the transport's one reading of the request
    (``transports.request.read_params``): the OAuth base string covers exactly the pairs
    that reading found, and the legacy ``api_sig`` the parameters the method sees.
    ``uri``: the request's :func:`endpoint_url` when the caller knows it already."""
    if read.bad_header:
        raise OAuthProblem("parameter_rejected")
    flat = {"method": call.method, **call.params} if call is not None else {}
    if uri is None:
        uri = endpoint_url(request)
    return AuthInput(request.method, uri, list(read.signed), flat)


def endpoint_url(request: httpx.Request) -> str:
    return url_endpoint(request.url)


def url_endpoint(url: httpx.URL) -> str:
    """``url`` without its query: where a signature's base string URI comes from."""
    return str(url).split("?", 1)[0]


def public_uris(request: httpx.Request, public_urls: tuple[str, ...]) -> tuple[str, ...]:
    """The request's URL as a client that calls the emulator by one of ``public_urls``
    (base URLs such as ``https://api.flickr.com/services/``) signed it: the path below
    ``/services/`` moved onto each base."""
    if not public_urls:
        return ()
    path = request.url.path
    below = path.split("/services/", 1)[1] if "/services/" in path else path.lstrip("/")
    return tuple(base + below for base in public_urls)


def public_base(url: str) -> str:
    """``url`` as a public base URL ending in ``/services/``; ``ValueError`` if it is not
    an http(s) URL with a host."""
    parsed = httpx.URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"a public URL must be http(s)://host[/services/], not {url!r}")
    text = str(parsed.copy_with(query=None, fragment=None)).rstrip("/")
    if not text.endswith("/services"):
        text += "/services"
    return text + "/"


@functools.lru_cache(maxsize=64)
def _base_string_uri(uri: str) -> str:
    # An endpoint's URL is the same request after request; oauthlib's reading of it too.
    text: str = oauth_signature.base_string_uri(uri)
    return text


def _escape(text: str, keep: bool = True) -> str:
    """oauthlib's escape of ``text`` (RFC 5849 section 3.6), remembered when ``keep``."""
    found = _ESCAPED.get(text)
    if found is None:
        # ASCII letters and digits are unreserved (RFC 5849 section 3.6): oauthlib's escape
        # gives such a text (a hex nonce, a timestamp) back as it is.
        found = text if text.isalnum() and text.isascii() else oauth_utils.escape(text)
        if keep:
            if len(_ESCAPED) >= _ESCAPES_KEPT:
                _ESCAPED.clear()
            _ESCAPED[text] = found
    return found


def _escaped_pairs(auth: AuthInput) -> list[tuple[str, str, str]]:
    """Each signed pair as ``(escaped name, escaped value, the pair escaped again)``,
    sorted as oauthlib's ``normalize_parameters`` sorts (by escaped name, then value);
    the signature itself left out. Repeated names and values come from memory."""
    pairs = []
    for pair in auth.params:
        escaped = _PAIRS.get(pair)
        if escaped is None:
            if pair[0] == "oauth_signature":
                continue
            escaped = _escape_pair(pair)
        pairs.append(escaped)
    pairs.sort()
    return pairs


def _escape_pair(pair: tuple[str, str]) -> tuple[str, str, str]:
    name, value = pair
    keep = name not in _UNIQUE_VALUES
    escaped_name, escaped_value = _escape(name), _escape(value, keep)
    # oauthlib's escape maps each character on its own, so the escape of "name=value"
    # is the escape of the name, "%3D" (the escape of "="), the escape of the value; a
    # value its escape left as it was (a nonce, a timestamp) is left so again.
    twice = _escape(escaped_value, keep) if escaped_value != value else value
    again = f"{_escape(escaped_name)}%3D{twice}"
    escaped = (escaped_name, escaped_value, again)
    if keep:
        if len(_PAIRS) >= _ESCAPES_KEPT:
            _PAIRS.clear()
        _PAIRS[pair] = escaped
    return escaped


def _base_string(http_method: str, uri: str, escaped_params: str) -> str:
    """oauthlib's ``signature_base_string`` (RFC 5849 section 3.4.1.1) of the normalized
    parameters whose escape is ``escaped_params``: the method, the base string URI and
    the parameters, each escaped by oauthlib, joined by "&"."""
    return "&".join((_escape(http_method.upper()), _escape(_base_string_uri(uri)), escaped_params))


def _escaped_normalized(auth: AuthInput) -> str:
    """oauthlib's escape of the normalized parameters: as escaping maps each character on
    its own, it is the pairs escaped twice joined by "%26" (the escape of "&")."""
    return "%26".join([again for _, _, again in _escaped_pairs(auth)])


def base_string(auth: AuthInput) -> str:
    """The OAuth signature base string this request should have been signed with."""
    uri = auth.also[0] if auth.also else auth.uri
    return _base_string(auth.http_method, uri, _escaped_normalized(auth))


def signature_ok(auth: AuthInput, signature: str, consumer_secret: str, token_secret: str) -> bool:
    """Whether ``signature`` is oauthlib's HMAC-SHA1 of the request for one of the URLs
    the client may have signed for (``auth.also``, then the one it reached)."""
    escaped = _escaped_normalized(auth)
    secrets = SigningSecrets(consumer_secret, token_secret)
    for uri in (*auth.also, auth.uri):
        base = _base_string(auth.http_method, uri, escaped)
        expected: str = oauth_signature.sign_hmac_sha1_with_client(base, secrets)
        if hmac.compare_digest(expected.encode(), signature.encode()):
            return True
    return False


def oauth_fields(auth: AuthInput) -> dict[str, str]:
    """The ``oauth_*`` parameters; a parameter given twice is refused."""
    fields: dict[str, str] = {}
    for name, value in auth.params:
        if name.startswith("oauth_"):
            if name in fields:
                raise OAuthProblem("parameter_rejected", oauth_parameters_rejected=name)
            fields[name] = value
    return fields


def check_oauth(
    auth: AuthInput,
    fields: Mapping[str, str],
    consumer_secret: str,
    token_secret: str,
    *,
    now: float,
    window: int,
) -> NonceClaim:
    """Verify the HMAC-SHA1 signature and the timestamp; return the nonce to claim."""
    if fields.get("oauth_signature_method") != "HMAC-SHA1":
        raise OAuthProblem("signature_method_rejected")
    if not signature_ok(auth, fields["oauth_signature"], consumer_secret, token_secret):
        raise OAuthProblem("signature_invalid", debug_sbs=base_string(auth))
    stamp = fields["oauth_timestamp"]
    if not stamp.isdigit() or abs(now - int(stamp)) > window:
        raise OAuthProblem("timestamp_refused")
    return NonceClaim(
        fields["oauth_consumer_key"],
        fields.get("oauth_token", ""),
        fields["oauth_nonce"],
        int(stamp),
    )


def require(fields: Mapping[str, str], names: tuple[str, ...]) -> None:
    absent = [name for name in names if not fields.get(name)]
    if absent:
        raise OAuthProblem("parameter_absent", oauth_parameters_absent="&".join(absent))


def unknown_key(key: str) -> Failure:
    why = "Key not found" if _KEY_FORMAT.match(key) else "Key has invalid format"
    return Failure(100, f"Invalid API Key ({why})")


def _oauth(
    lookup: Lookup, auth: AuthInput, fields: Mapping[str, str], *, now: float, window: int
) -> tuple[Principal, NonceClaim]:
    require(fields, OAUTH_REQUIRED)
    key = fields["oauth_consumer_key"]
    secret = lookup.api_secret(key)
    if secret is None:
        raise unknown_key(key)
    token_name = fields.get("oauth_token")
    token = lookup.token(token_name) if token_name else None
    if token_name and (token is None or token.revoked or token.api_key != key):
        # Flickr's answer to an OAuth call with a bad token (sample
        # rest-xml-fail-code98-invalid-auth-token.xml): a Flickr error, not a 401.
        raise Failure(98, "Invalid auth token")
    claim = check_oauth(auth, fields, secret, token.secret if token else "", now=now, window=window)
    if token is None:
        return Principal(key, None, 0), claim
    return Principal(key, token.user, token.perms, token_name), claim


def legacy_signature_ok(secret: str, flat: Mapping[str, str], signature: str) -> bool:
    """Flickr's old ``api_sig``: md5(secret + name1 + value1 + ...), names sorted."""
    params = {k: v for k, v in flat.items() if k != "api_sig"}
    text = secret + "".join(name + params[name] for name in sorted(params))
    expected = hashlib.md5(text.encode("utf-8")).hexdigest()
    return hmac.compare_digest(expected, signature.lower())


def _legacy(lookup: Lookup, auth: AuthInput) -> Principal:
    flat = auth.flat
    key = flat.get("api_key", "")
    secret = lookup.api_secret(key) if key else None
    if secret is None:
        raise unknown_key(key) if key else Failure(100, "Invalid API Key (Key not found)")
    signature = flat.get("api_sig")
    if signature is not None and not legacy_signature_ok(secret, flat, signature):
        raise Failure(96, "Invalid signature")
    token_name = flat.get("auth_token")
    if not token_name:
        return Principal(key, None, 0)
    if signature is None:
        raise Failure(97, "Missing signature")
    token = lookup.token(token_name)
    if token is None or token.revoked or token.api_key != key:
        raise Failure(98, "Invalid auth token")
    return Principal(key, token.user, token.perms, token_name)


def authenticate(
    lookup: Lookup, auth: AuthInput, *, now: float, window: int
) -> tuple[Principal, NonceClaim | None]:
    """The caller, and for OAuth the nonce still to be claimed; raises :class:`Failure`
    (96..98, 100) or :class:`OAuthProblem` (401)."""
    # Any oauth_* parameter makes an OAuth request (``AuthInput.is_oauth``): read them once.
    fields = oauth_fields(auth)
    if fields:
        return _oauth(lookup, auth, fields, now=now, window=window)
    return _legacy(lookup, auth), None


def arguments(params: Mapping[str, str]) -> dict[str, str]:
    """A call's parameters without the credentials (what a method sees)."""
    return {
        k: v for k, v in params.items() if not k.startswith("oauth_") and k not in CREDENTIAL_PARAMS
    }
