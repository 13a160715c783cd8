"""A signature a server can check: whatever the params already hold, what the signer adds
verifies with oauthlib's server-side functions (what the emulator and Flickr-like servers
run), over the params the request then carries."""

from __future__ import annotations

import pytest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

from flickrwire import Credentials, Signer

CREDS = Credentials("ck-0001", "cs-0002", "tok-0003", "ts-0004")
URL = "https://api.flickr.com/services/xmlrpc/"
OAUTH_NAMES = [
    "oauth_consumer_key",
    "oauth_nonce",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_version",
    "oauth_token",
    "oauth_signature",
]


class _Secrets:
    client_secret = "cs-0002"
    resource_owner_secret = "ts-0004"


def _verifies(params: dict[str, str]) -> bool:
    pairs = [(k, v) for k, v in params.items() if k != "oauth_signature"]
    normalized = oauth_signature.normalize_parameters(pairs)
    uri = oauth_signature.base_string_uri(URL)
    base = oauth_signature.signature_base_string("POST", uri, normalized)
    expected: str = oauth_signature.sign_hmac_sha1_with_client(base, _Secrets())
    return expected == params["oauth_signature"]


def _signer(nonce: str = "n0nce-1") -> Signer:
    return Signer(CREDS, "oauth", nonce=lambda: nonce, clock=lambda: 1700000000)


@pytest.mark.parametrize("name", OAUTH_NAMES)
def test_a_callers_own_oauth_parameter_is_replaced_and_the_signature_verifies(
    name: str,
) -> None:
    params = {"method": "flickr.test.echo", name: "theirs"}
    assert _signer().sign("POST", URL, params, in_header=False) is None
    assert params[name] != "theirs"
    assert params["oauth_signature_method"] == "HMAC-SHA1"
    assert params["oauth_token"] == "tok-0003"
    assert _verifies(params)


def test_params_signed_again_verify() -> None:
    # Params that already went through a signer (XML-RPC and SOAP carry the oauth_*
    # parameters among them) and are signed again, with a new nonce: still valid.
    params = {"method": "flickr.test.echo", "name": "value"}
    _signer("n0nce-1").sign("POST", URL, params, in_header=False)
    first = params["oauth_signature"]
    assert _verifies(params)
    _signer("n0nce-2").sign("POST", URL, params, in_header=False)
    assert params["oauth_nonce"] == "n0nce-2" and params["oauth_signature"] != first
    assert _verifies(params)


def test_credentials_cannot_change_behind_a_signers_back() -> None:
    # A signer keeps what it derived from its credentials (the escaped constant parts):
    # credentials are values, so a change means new credentials, which it notices.
    creds = Credentials("ck-0001", "cs-0002")
    with pytest.raises(AttributeError):
        creds.api_key = "other"  # type: ignore[misc]
    assert creds == Credentials("ck-0001", "cs-0002")
    assert hash(creds) == hash(Credentials("ck-0001", "cs-0002"))
