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
from ..call import Call
from ..transports.request import header_pairs, query_pairs

__all__ = ["header_oauth", "signature_ok", "signed_with", "signing_of"]


def header_oauth(request: httpx.Request) -> dict[str, str]:
    """The ``oauth_*`` parameters of an ``Authorization: OAuth`` header, read by the
    transports' own reader (the one the emulator's verifier uses)."""
    return dict(header_pairs(request)[0])


def _all_params(request: httpx.Request, call: Call, source: str) -> dict[str, str]:
    params = {"method": call.method, **call.params}
    if source == "rest":  # parse_request read the query and the form; the header is apart
        params.update(query_pairs(request))
        params["method"] = call.method
    params.update(header_oauth(request))
    return params


def signature_ok(
    request: httpx.Request, call: Call, source: str, signing: str, creds: Credentials
) -> bool:
    """Whether the client's signature verifies with ``creds`` for the request's URL."""
    params = _all_params(request, call, source)
    if signing == "legacy":
        signature = params.pop("api_sig", "")
        return hmac.compare_digest(legacy_signature(creds.api_secret, params), signature)
    signature = params.pop("oauth_signature", "")
    url = str(request.url.copy_with(query=None, fragment=None))
    base = base_string(request.method, url, params)
    token_secret = creds.oauth_token_secret if params.get("oauth_token") else None
    return hmac.compare_digest(hmac_sha1(base, creds.api_secret, token_secret), signature)


def keep(params: Mapping[str, str], request: httpx.Request) -> dict[str, str]:
    """The call's parameters with the header's ``oauth_*`` joined in, for a call sent on
    with the client's own (failing) signature."""
    return {**params, **header_oauth(request)}


def signing_of(request: httpx.Request, params: Mapping[str, str]) -> str:
    """How the client signed: ``oauth``, ``legacy`` (``api_sig``), ``key`` or ``none``."""
    header = request.headers.get("authorization", "")
    if header[:6].lower() == "oauth " or "oauth_signature" in params:
        return "oauth"
    if "api_sig" in params:
        return "legacy"
    return "key" if "api_key" in params else "none"


def signed_with(request: httpx.Request, params: Mapping[str, str]) -> dict[str, str]:
    """The key and token the client signed with (from its params or OAuth header)."""
    found = {**params, **header_oauth(request)}
    key = found.get("oauth_consumer_key") or found.get("api_key")
    token = found.get("oauth_token") or found.get("auth_token")
    return {k: v for k, v in (("key", key), ("token", token)) if v}
