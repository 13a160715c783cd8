"""``Signer.sign`` escapes the constant OAuth parts once per credentials: what it adds must
be byte for byte what the pure functions ``oauth_params`` and ``authorization_header`` give
(the vectors in test_auth.py pin those)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from flickrwire import Credentials, Signer
from flickrwire.auth.signing import authorization_header, oauth_params

URLS = ["https://api.flickr.com/services/rest/", "http://127.0.0.1:8123/x y/soap/"]
NONCE, STAMP = "n0 nce/+", 1700000000
WITH_TOKEN = Credentials("key =&", "s\u00e9cret&", "tok+en/", "t secret")
NO_TOKEN = Credentials("ck", "cs")
# Text a signer may meet: reserved characters, spaces, non-ASCII; no lone surrogates.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
PARAMS = st.dictionaries(TEXT.filter(lambda k: not k.startswith("oauth_")), TEXT, max_size=5)


def signer(creds: Credentials) -> Signer:
    return Signer(creds, "oauth", nonce=lambda: NONCE, clock=lambda: STAMP)


def expected(creds: Credentials, url: str, params: dict[str, str]) -> dict[str, str]:
    return oauth_params(creds, "POST", url, params, nonce=NONCE, timestamp=STAMP)


@given(params=PARAMS, url=st.sampled_from(URLS), creds=st.sampled_from([WITH_TOKEN, NO_TOKEN]))
def test_the_header_is_the_pure_functions_header(
    params: dict[str, str], url: str, creds: Credentials
) -> None:
    header = signer(creds).sign("POST", url, dict(params), in_header=True)
    assert header == authorization_header(expected(creds, url, params))


@given(params=PARAMS, url=st.sampled_from(URLS), creds=st.sampled_from([WITH_TOKEN, NO_TOKEN]))
def test_params_get_the_pure_functions_oauth_params_in_order(
    params: dict[str, str], url: str, creds: Credentials
) -> None:
    signed = dict(params)
    assert signer(creds).sign("POST", url, signed, in_header=False) is None
    assert list(signed.items()) == list({**params, **expected(creds, url, params)}.items())


def test_new_credentials_on_a_signer_are_used() -> None:
    one = signer(WITH_TOKEN)
    one.sign("POST", URLS[0], {"a": "1"}, in_header=True)
    one.credentials = NO_TOKEN
    header = one.sign("POST", URLS[0], {"a": "1"}, in_header=True)
    assert header == authorization_header(expected(NO_TOKEN, URLS[0], {"a": "1"}))


@pytest.mark.parametrize("in_header", [True, False])
def test_params_naming_an_oauth_param_are_signed_as_oauth_params_does(in_header: bool) -> None:
    params = {"a": "1", "oauth_nonce": "theirs"}
    signed = dict(params)
    header = signer(WITH_TOKEN).sign("POST", URLS[0], signed, in_header=in_header)
    oauth = expected(WITH_TOKEN, URLS[0], params)
    if in_header:
        assert header == authorization_header(oauth)
    else:
        assert signed == {**params, **oauth}
