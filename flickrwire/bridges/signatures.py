"""The client's own signature, checked before the bridge replaces it.

A bridge that re-signs must not hide a client's signing bug: a call whose signature does
not verify with ``credentials=`` for the URL the client addressed is not re-signed, and
the server answers it as Flickr would (96, or OAuth's 401). The check uses the same pure
signing functions as the client (``flickrwire.auth``): the OAuth 1.0a base string over
every parameter (query, form or struct/children, the ``Authorization`` header's
``oauth_*``), or the legacy ``api_sig`` over every parameter, ``method`` included.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

import httpx

from ..auth import Credentials, base_string, hmac_sha1, legacy_signature
from ..transports.request import RequestParams

__all__ = ["keep", "signature_ok", "signed_with", "signing_of"]


def _signed(read: RequestParams) -> dict[str, str]:
    """Every parameter the client's signature covers, as the transport read them once
    (``method`` included; the ``Authorization`` header's ``oauth_*`` too)."""
    return dict(read.signed)


def signature_ok(
    request: httpx.Request, read: RequestParams, signing: str, creds: Credentials
) -> bool:
    """Whether the client's signature verifies with ``creds`` for the request's URL."""
    params = _signed(read)
    if signing == "legacy":
        signature = params.pop("api_sig", "")
        return hmac.compare_digest(legacy_signature(creds.api_secret, params), signature)
    signature = params.pop("oauth_signature", "")
    url = str(request.url.copy_with(query=None, fragment=None))
    base = base_string(request.method, url, params)
    token_secret = creds.oauth_token_secret if params.get("oauth_token") else None
    return hmac.compare_digest(hmac_sha1(base, creds.api_secret, token_secret), signature)


def keep(params: Mapping[str, str], read: RequestParams) -> dict[str, str]:
    """The call's parameters with every signed ``oauth_*`` (the header's included) joined
    in, for a call sent on with the client's own (failing) signature."""
    return {**params, **{k: v for k, v in read.signed if k.startswith("oauth_")}}


def signing_of(request: httpx.Request, read: RequestParams) -> str:
    """How the client signed: ``oauth``, ``legacy`` (``api_sig``), ``key`` or ``none``."""
    params = _signed(read)
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "oauth " or "oauth_signature" in params:
        return "oauth"
    if "api_sig" in params:
        return "legacy"
    return "key" if "api_key" in params else "none"


def signed_with(read: RequestParams) -> dict[str, str]:
    """The key and token the client signed with (from its params or OAuth header)."""
    found = _signed(read)
    key = found.get("oauth_consumer_key") or found.get("api_key")
    token = found.get("oauth_token") or found.get("auth_token")
    return {k: v for k, v in (("key", key), ("token", token)) if v}
