"""Credentials and request signing: OAuth 1.0a HMAC-SHA1 and Flickr's legacy ``api_sig``.

Signing is pure: every function takes the credentials, the HTTP method, the URL, the
params, and an injected nonce and timestamp. Secrets never appear in a ``repr``.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from oauthlib.oauth1.rfc5849 import signature as _sig
from oauthlib.oauth1.rfc5849.utils import escape as _escape

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
    return secrets.token_hex(16)


def now() -> int:
    return int(time.time())


def base_string(http_method: str, url: str, params: Mapping[str, str]) -> str:
    """The OAuth 1.0a signature base string (RFC 5849 section 3.4.1)."""
    normalized = _sig.normalize_parameters(list(params.items()))
    uri = _sig.base_string_uri(url)
    base: str = _sig.signature_base_string(http_method.upper(), uri, normalized)
    return base


class _SigningKey:
    """The two secrets in the shape oauthlib's ``sign_hmac_sha1_with_client`` reads."""

    __slots__ = ("client_secret", "resource_owner_secret")

    def __init__(self, client_secret: str, resource_owner_secret: str) -> None:
        self.client_secret = client_secret
        self.resource_owner_secret = resource_owner_secret


def hmac_sha1(base: str, consumer_secret: str, token_secret: str | None) -> str:
    """HMAC-SHA1 of ``base`` keyed by the escaped secrets (RFC 5849 section 3.4.2)."""
    key = _SigningKey(consumer_secret, token_secret or "")
    signature: str = _sig.sign_hmac_sha1_with_client(base, key)
    return signature


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
    base = base_string(http_method, url, {**params, **oauth})
    secret, token_secret = credentials.api_secret, credentials.oauth_token_secret
    oauth["oauth_signature"] = hmac_sha1(base, secret, token_secret)
    return oauth


def authorization_header(oauth: Mapping[str, str]) -> str:
    """``oauth_*`` parameters as an ``Authorization: OAuth ...`` header value."""
    return "OAuth " + ", ".join(f'{_escape(k)}="{_escape(v)}"' for k, v in oauth.items())


def legacy_signature(secret: str, params: Mapping[str, str]) -> str:
    """Flickr's old ``api_sig``: md5 of the secret then every name and value, sorted by name."""
    text = secret + "".join(name + params[name] for name in sorted(params))
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class Signer:
    """Adds credentials to a request's params, in the mode the credentials allow.

    ``auto`` signs with OAuth when there is an access token, else sends the key alone.
    ``nonce`` and ``clock`` are injectable so that tests get repeatable bytes.
    """

    __slots__ = ("clock", "credentials", "mode", "nonce")

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
