"""Credentials and request signing: OAuth 1.0a HMAC-SHA1 and Flickr's legacy ``api_sig``.

Signing is pure: every function takes the credentials, the HTTP method, the URL, the
params, and an injected nonce and timestamp. Secrets never appear in a ``repr``.

The signature is computed here with the standard library: oauthlib's signature functions
give the same bytes (the tests check them against each other and against public vectors) but
cost about 110 us a call against about 25 us here (bench/bench_client.py), most of the
budget of a call. oauthlib remains the emulator's verifier.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time
from binascii import b2a_base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import quote, urlsplit

SigningMode = Literal["auto", "oauth", "legacy", "key", "none"]

#: Request parameters that carry credentials; redacted everywhere we show a request.
SECRET_PARAMS = frozenset(
    {
        "api_key",
        "api_sig",
        "auth_token",
        "oauth_consumer_key",
        "oauth_token",
        "oauth_signature",
        "oauth_verifier",
        "oauth_token_secret",
    }
)
#: Parameters that change on every signed request and take no part in comparisons.
VOLATILE_PARAMS = frozenset({"oauth_nonce", "oauth_timestamp", "oauth_signature", "api_sig"})


@dataclass(frozen=True, slots=True)
class Credentials:
    """An application's key and secret, and optionally a user's OAuth access token."""

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    oauth_token: str | None = field(default=None, repr=False)
    oauth_token_secret: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        token = "set" if self.oauth_token else "none"
        return f"Credentials(api_key=<hidden>, api_secret=<hidden>, oauth_token=<{token}>)"

    @property
    def has_token(self) -> bool:
        return bool(self.oauth_token)


SIGNING_MODES: tuple[SigningMode, ...] = ("auto", "oauth", "legacy", "key", "none")


def signing_mode(value: str) -> SigningMode:
    """Validate a signing mode read from a file or a command line."""
    for mode in SIGNING_MODES:
        if value == mode:
            return mode
    raise ValueError(f"unknown signing mode {value!r}; known: {', '.join(SIGNING_MODES)}")


def new_nonce() -> str:
    """128 random bits in hex: ``secrets.token_hex(16)``, which is this, less a call."""
    return os.urandom(16).hex()


def now() -> int:
    return int(time.time())


_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")
_DEFAULT_PORTS = {"http": 80, "https": 443}


#: Every ASCII character that is not unreserved, as its %XX (RFC 5849 section 3.6:
#: upper-case hexadecimal).
_ASCII_ESCAPES = {
    chr(code): f"%{code:02X}" for code in range(128) if not _UNRESERVED.fullmatch(chr(code))
}
_RESERVED = re.compile(r"[^A-Za-z0-9._~-]")
_unreserved = _UNRESERVED.fullmatch


def _escaped(match: re.Match[str]) -> str:
    return _ASCII_ESCAPES[match[0]]


def escape(text: str) -> str:
    """Percent-encode as RFC 5849 section 3.6 says: everything but unreserved characters.

    ASCII text is scanned in C (``str.isalnum``, then the unreserved pattern), and only
    the characters to escape reach Python code; ``quote`` walks the rest.
    """
    if str.isascii(text):
        if str.isalnum(text) or _unreserved(text):
            return text
        return _RESERVED.sub(_escaped, text)
    return quote(text.encode("utf-8"), safe="")  # quote keeps the unreserved ones, "~" too


@lru_cache(maxsize=1024)
def _piece(name: str, value: str) -> tuple[str, str]:
    """A parameter's escaped name, and its pair as the base string holds it: escaped,
    joined by ``=``, escaped again (:func:`_base_of`). Kept, as most of a call's pairs
    (method, format, nojsoncallback) come back call after call."""
    key = escape(name)
    return key, f"{key}={escape(value)}".replace("%", "%25").replace("=", "%3D")


@lru_cache(maxsize=64)
def base_string_uri(url: str) -> str:
    """The base string URI (RFC 5849 section 3.4.1.2): no query, lower-case scheme and host,
    default port dropped, an empty path as ``/``."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path or '/'}"


@lru_cache(maxsize=64)
def _escaped_uri(url: str) -> str:
    return escape(base_string_uri(url))


def base_string(http_method: str, url: str, params: Mapping[str, str]) -> str:
    """The OAuth 1.0a signature base string (RFC 5849 section 3.4.1)."""
    return _base_of(http_method, url, [(escape(k), escape(v)) for k, v in params.items()])


def _base_of(http_method: str, url: str, pairs: list[tuple[str, str]]) -> str:
    """The base string from the escaped pairs (sorted here, in place).

    The escaped pairs hold only unreserved characters and ``%XX``, so encoding the
    normalised string a second time only turns ``%`` into ``%25`` and the joining ``=``
    and ``&`` into ``%3D`` and ``%26``: three ``str.replace`` passes, ``%`` first.
    """
    pairs.sort()
    normalized = "&".join([f"{k}={v}" for k, v in pairs])
    twice = normalized.replace("%", "%25").replace("=", "%3D").replace("&", "%26")
    return f"{http_method.upper()}&{_escaped_uri(url)}&{twice}"


def hmac_sha1(base: str, consumer_secret: str, token_secret: str | None) -> str:
    """HMAC-SHA1 of ``base`` keyed by the escaped secrets (RFC 5849 section 3.4.2)."""
    digest = _mac(_keyed(consumer_secret, token_secret or ""), base.encode("utf-8"))
    return base64.b64encode(digest).decode("ascii")


#: The key XOR-ed with HMAC's inner and outer pads, a byte at a time (RFC 2104 section 2).
_INNER_PAD = bytes(byte ^ 0x36 for byte in range(256))
_OUTER_PAD = bytes(byte ^ 0x5C for byte in range(256))
_SHA1_BLOCK = 64

Keyed = tuple["hashlib._Hash", "hashlib._Hash"]


@lru_cache(maxsize=16)
def _keyed(consumer_secret: str, token_secret: str) -> Keyed:
    """HMAC-SHA1's two SHA-1 states after the padded key (RFC 2104: ``H(K ^ opad,
    H(K ^ ipad, text))``), kept per key pair and copied for each signature: two C copies,
    where ``hmac.HMAC`` adds Python layers around the same work. The tests pin the
    result to ``hmac`` for keys shorter than, as long as and longer than a block."""
    key = f"{escape(consumer_secret)}&{escape(token_secret)}".encode()
    if len(key) > _SHA1_BLOCK:  # a long key is hashed first
        key = hashlib.sha1(key).digest()
    key = key.ljust(_SHA1_BLOCK, b"\0")
    return hashlib.sha1(key.translate(_INNER_PAD)), hashlib.sha1(key.translate(_OUTER_PAD))


def _mac(keyed: Keyed, message: bytes) -> bytes:
    """HMAC-SHA1 of ``message`` from :func:`_keyed`'s states."""
    inner, outer = keyed[0].copy(), keyed[1].copy()
    inner.update(message)
    outer.update(inner.digest())
    return outer.digest()


def oauth_params(
    credentials: Credentials,
    http_method: str,
    url: str,
    params: Mapping[str, str],
    *,
    nonce: str,
    timestamp: int,
) -> dict[str, str]:
    """The ``oauth_*`` parameters, signature included, for a request carrying ``params``."""
    oauth = {
        "oauth_consumer_key": credentials.api_key,
        "oauth_nonce": nonce,
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(timestamp),
        "oauth_version": "1.0",
    }
    if credentials.oauth_token:
        oauth["oauth_token"] = credentials.oauth_token
    # A signature already in the params (signed before) is not signed (RFC 5849 3.4.1.3.1).
    unsigned = {k: v for k, v in params.items() if k != "oauth_signature"}
    base = base_string(http_method, url, {**unsigned, **oauth})
    secret, token_secret = credentials.api_secret, credentials.oauth_token_secret
    oauth["oauth_signature"] = hmac_sha1(base, secret, token_secret)
    return oauth


def authorization_header(oauth: Mapping[str, str]) -> str:
    """``oauth_*`` parameters as an ``Authorization: OAuth ...`` header value."""
    return "OAuth " + ", ".join(f'{escape(k)}="{escape(v)}"' for k, v in oauth.items())


def legacy_signature(secret: str, params: Mapping[str, str]) -> str:
    """Flickr's old ``api_sig``: md5 of the secret then every name and value, sorted by name."""
    text = secret + "".join(name + params[name] for name in sorted(params))
    return hashlib.md5(text.encode("utf-8")).hexdigest()


#: The ``oauth_*`` parameters a signer adds; params already holding one are signed by
#: :func:`oauth_params` itself (ours replace theirs there).
_OAUTH_NAMES = frozenset(
    {
        "oauth_consumer_key",
        "oauth_nonce",
        "oauth_signature_method",
        "oauth_timestamp",
        "oauth_version",
        "oauth_token",
        "oauth_signature",
    }
)


class _Prepared:
    """What :func:`oauth_params` escapes anew for every call but is the same for every
    call with the same credentials: the constant ``oauth_*`` pairs as the base string
    holds them, the HMAC keyed by the secrets, and the Authorization header's constant
    parts."""

    __slots__ = ("credentials", "head", "keyed", "pieces", "templates", "token")

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        fixed = {
            "oauth_consumer_key": credentials.api_key,
            "oauth_signature_method": "HMAC-SHA1",
            "oauth_version": "1.0",
        }
        if credentials.oauth_token:
            fixed["oauth_token"] = credentials.oauth_token
        self.pieces = dict(_piece(k, v) for k, v in fixed.items())
        self.head = f'OAuth oauth_consumer_key="{escape(credentials.api_key)}", oauth_nonce="'
        token = credentials.oauth_token
        self.token = f', oauth_token="{escape(token)}"' if token else ""
        self.keyed = _keyed(credentials.api_secret, credentials.oauth_token_secret or "")
        #: The base string's parameter part around the nonce and the timestamp, by params.
        self.templates: dict[tuple[tuple[str, str], ...], tuple[str, str, str]] = {}

    def _sign(
        self, http_method: str, url: str, params: Mapping[str, str], nonce: str, timestamp: str
    ) -> str:
        """The signature :func:`oauth_params` computes, byte for byte, from the nonce and
        timestamp escaped."""
        key = tuple(params.items())
        found = self.templates.get(key)
        if found is None:
            found = self._template(params, key)
        head, middle, tail = found
        # The timestamp is digits: escaping it again changes nothing.
        twice = f"{head}{nonce.replace('%', '%25')}{middle}{timestamp}{tail}"
        message = f"{http_method.upper()}&{_escaped_uri(url)}&{twice}".encode()
        return b2a_base64(_mac(self.keyed, message), newline=False).decode("ascii")

    def _template(
        self, params: Mapping[str, str], key: tuple[tuple[str, str], ...]
    ) -> tuple[str, str, str]:
        """The base string's parameter part for ``params``, cut where the nonce and the
        timestamp go (kept: a client sends the same params again and again).

        It is built as :func:`_base_of` builds it, from each pair as it reads there
        (``name=value`` escaped, joined, escaped again: :func:`_piece`) sorted by escaped
        name, which is the sort of ``(name, value)`` as no two names escape alike. An
        escaped piece holds no control character, so NUL and SOH mark the places.
        """
        pieces = self.pieces.copy()
        for name, value in params.items():
            escaped_name, piece = _piece(name, value)
            pieces[escaped_name] = piece
        pieces["oauth_nonce"] = "oauth_nonce%3D\0"
        pieces["oauth_timestamp"] = "oauth_timestamp%3D\1"
        whole = "%26".join([pieces[name] for name in sorted(pieces)])
        head, rest = whole.split("\0")
        middle, tail = rest.split("\1")
        if len(self.templates) >= _TEMPLATES:
            self.templates.clear()
        found = self.templates[key] = (head, middle, tail)
        return found

    def _header(self, nonce: str, timestamp: str, signature: str) -> str:
        """:func:`authorization_header` of :func:`oauth_params`'s dict, in its order, from
        the nonce and timestamp escaped."""
        return (
            f'{self.head}{nonce}", oauth_signature_method="HMAC-SHA1", '
            f'oauth_timestamp="{timestamp}", oauth_version="1.0"{self.token}, '
            f'oauth_signature="{_escaped_base64(signature)}"'
        )


def _escaped_base64(text: str) -> str:
    """:func:`escape` of base64 text, whose only reserved characters are ``+``, ``/``
    and ``=``: three C passes rather than a pattern calling Python per character."""
    return text.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


#: Parameter sets whose base string part a signer keeps (then it starts again).
_TEMPLATES = 256


class Signer:
    """Adds credentials to a request's params, in the mode the credentials allow.

    ``auto`` signs with OAuth when there is an access token, else sends the key alone.
    ``nonce`` and ``clock`` are injectable so that tests get repeatable bytes.
    """

    __slots__ = ("_prepared", "clock", "credentials", "mode", "nonce")

    def __init__(
        self,
        credentials: Credentials | None,
        mode: SigningMode = "auto",
        *,
        nonce: Callable[[], str] = new_nonce,
        clock: Callable[[], int] = now,
    ) -> None:
        if mode == "auto":
            mode = "none" if credentials is None else ("oauth" if credentials.has_token else "key")
        if mode != "none" and credentials is None:
            raise ValueError(f"signing mode {mode!r} needs credentials")
        self.credentials = credentials
        self.mode: SigningMode = mode
        self.nonce = nonce
        self.clock = clock
        self._prepared: _Prepared | None = None

    def __repr__(self) -> str:
        return f"Signer(mode={self.mode!r})"

    def sign(
        self, http_method: str, url: str, params: dict[str, str], *, in_header: bool
    ) -> str | None:
        """Add credentials to ``params`` in place; return an Authorization header or None.

        ``in_header`` asks for OAuth in the header (REST); otherwise every ``oauth_*``
        parameter joins the params (XML-RPC struct members, SOAP children).
        """
        creds = self.credentials
        if creds is None or self.mode == "none":
            return None
        if self.mode == "oauth":
            if _OAUTH_NAMES.isdisjoint(params):
                return self._prepared_sign(creds, http_method, url, params, in_header)
            oauth = oauth_params(
                creds, http_method, url, params, nonce=self.nonce(), timestamp=self.clock()
            )
            if in_header:
                return authorization_header(oauth)
            params.update(oauth)
            return None
        params["api_key"] = creds.api_key
        if self.mode == "legacy":
            if creds.oauth_token:
                params["auth_token"] = creds.oauth_token
            params["api_sig"] = legacy_signature(creds.api_secret, params)
        return None

    def _prepared_sign(
        self,
        creds: Credentials,
        http_method: str,
        url: str,
        params: dict[str, str],
        in_header: bool,
    ) -> str | None:
        """What the generic path of :meth:`sign` does with :func:`oauth_params`, from the
        constant parts escaped once per credentials; params hold no ``oauth_*`` name."""
        prepared = self._prepared
        if prepared is None or prepared.credentials is not creds:
            prepared = self._prepared = _Prepared(creds)
        nonce, timestamp = self.nonce(), str(self.clock())
        nonce_escaped, timestamp_escaped = escape(nonce), escape(timestamp)
        signature = prepared._sign(http_method, url, params, nonce_escaped, timestamp_escaped)
        if in_header:
            return prepared._header(nonce_escaped, timestamp_escaped, signature)
        params["oauth_consumer_key"] = creds.api_key
        params["oauth_nonce"] = nonce
        params["oauth_signature_method"] = "HMAC-SHA1"
        params["oauth_timestamp"] = timestamp
        params["oauth_version"] = "1.0"
        if creds.oauth_token:
            params["oauth_token"] = creds.oauth_token
        params["oauth_signature"] = signature
        return None
