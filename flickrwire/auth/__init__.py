"""Authentication: request signing (OAuth 1.0a and the legacy ``api_sig``) in
:mod:`flickrwire.auth.signing`, the three-legged OAuth flow in :mod:`flickrwire.auth.oauth`
and the private credentials file in :mod:`flickrwire.auth.credfile`.

This package re-exports the signing names only, so that the transports and the client can
import them without pulling in the flow (which sits above the client).
"""

from __future__ import annotations

from .signing import (
    SECRET_PARAMS,
    SIGNING_MODES,
    VOLATILE_PARAMS,
    Credentials,
    Signer,
    SigningMode,
    authorization_header,
    base_string,
    base_string_uri,
    escape,
    hmac_sha1,
    legacy_signature,
    new_nonce,
    now,
    oauth_params,
    signing_mode,
)

__all__ = [
    "SECRET_PARAMS",
    "SIGNING_MODES",
    "VOLATILE_PARAMS",
    "Credentials",
    "Signer",
    "SigningMode",
    "authorization_header",
    "base_string",
    "base_string_uri",
    "escape",
    "hmac_sha1",
    "legacy_signature",
    "new_nonce",
    "now",
    "oauth_params",
    "signing_mode",
]
