"""The verifier's shortcuts give oauthlib's own answers: the normalized parameters and the
base string are what ``oauthlib.oauth1.rfc5849.signature`` computes for the same request,
on the first request, on a request that repeats remembered escapes, and after the memory
of escapes has been emptied."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings, strategies as st
from oauthlib.oauth1.rfc5849 import signature as oauth_signature, utils as oauth_utils

from flickrwire.emulator import verify
from flickrwire.transports.request import read_params

URL = "http://127.0.0.1:8000/services/rest/"
AWKWARD = [
    ("method", "flickr.groups.leave"),
    ("group_id", "40000001@N01"),
    ("text", "caf\u00e9 & cr\u00e8me = 100% ~tilde~ +plus+ /slash/"),
    ("empty", ""),
    ("same", "b"),
    ("same", "a"),
    ("a b", "space in the name"),
    ("oauth_nonce", "n\u00f6nce/+="),
    ("oauth_timestamp", "1700000000"),
    ("oauth_consumer_key", "0123456789abcdef0123456789abcdef"),
    ("oauth_signature_method", "HMAC-SHA1"),
    ("oauth_signature", "not+part/of=it"),
    ("\u6f22\u5b57", "\U0001f600"),
]


def oauthlib_base_string(params: list[tuple[str, str]], uri: str = URL) -> str:
    kept = [(k, v) for k, v in params if k != "oauth_signature"]
    normalized = oauth_signature.normalize_parameters(kept)
    return str(
        oauth_signature.signature_base_string(
            "POST", oauth_signature.base_string_uri(uri), normalized
        )
    )


def auth_input(params: list[tuple[str, str]]) -> verify.AuthInput:
    return verify.AuthInput("POST", URL, list(params), {})


def test_the_base_string_is_oauthlibs_first_and_again() -> None:
    expected = oauthlib_base_string(AWKWARD)
    assert verify.base_string(auth_input(AWKWARD)) == expected
    assert verify.base_string(auth_input(AWKWARD)) == expected  # remembered escapes


def test_values_new_on_every_request_are_not_remembered() -> None:
    params = [("oauth_nonce", "once-only-nonce-1"), ("oauth_timestamp", "1700000123")]
    verify.base_string(auth_input(params))
    assert "once-only-nonce-1" not in verify._ESCAPED
    assert "1700000123" not in verify._ESCAPED
    assert "oauth_nonce" in verify._ESCAPED
    assert not any(name in ("oauth_nonce", "oauth_timestamp") for name, _ in verify._PAIRS)


def test_a_full_memory_of_escapes_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "_ESCAPED", {})
    monkeypatch.setattr(verify, "_PAIRS", {})
    monkeypatch.setattr(verify, "_ESCAPES_KEPT", 4)
    for round_ in range(3):
        params = [*AWKWARD, ("round", str(round_))]
        assert verify.base_string(auth_input(params)) == oauthlib_base_string(params)
        assert len(verify._ESCAPED) <= 4 and len(verify._PAIRS) <= 4


def test_a_signature_checks_against_oauthlibs_hmac() -> None:
    secrets = verify.SigningSecrets("consumer secret", "token/secret")
    good = oauth_signature.sign_hmac_sha1_with_client(oauthlib_base_string(AWKWARD), secrets)
    auth = auth_input(AWKWARD)
    assert verify.signature_ok(auth, good, "consumer secret", "token/secret")
    assert not verify.signature_ok(auth, good, "consumer secret", "other")
    tampered = [(k, v + "x" if k == "group_id" else v) for k, v in AWKWARD]
    assert not verify.signature_ok(auth_input(tampered), good, "consumer secret", "token/secret")


# Escaping maps each character on its own, so the verifier joins escaped pieces instead of
# escaping the whole normalized text; these compare that with oauthlib on any text.
_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from("&=%+~ /:@?#[]!$'()*,;"),
    max_size=12,
)
_NAMES = st.sampled_from(["oauth_nonce", "oauth_timestamp", "oauth_token", "method"]) | _TEXT


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_NAMES, _TEXT), max_size=8), st.sampled_from(["POST", "GET", "post"]))
def test_the_base_string_is_oauthlibs_for_any_parameters(
    params: list[tuple[str, str]], http_method: str
) -> None:
    kept = [(k, v) for k, v in params if k != "oauth_signature"]
    expected = oauth_signature.signature_base_string(
        http_method,
        oauth_signature.base_string_uri(URL),
        oauth_signature.normalize_parameters(kept),
    )
    auth = verify.AuthInput(http_method, URL, list(params), {})
    assert verify.base_string(auth) == expected
    assert verify.base_string(auth) == expected  # from remembered escapes


@pytest.mark.parametrize(
    "uri",
    [
        URL,
        "https://api.flickr.com/services/rest/",
        "HTTP://Example.COM:80/services/xmlrpc/",
        "http://127.0.0.1:8000/services/a%20b/~x@y",
    ],
)
def test_each_url_a_client_may_sign_for_gives_oauthlibs_base_string(uri: str) -> None:
    auth = verify.AuthInput("POST", "http://127.0.0.1:1/services/rest/", list(AWKWARD), {})
    auth.also = (uri,)
    assert verify.base_string(auth) == oauthlib_base_string(AWKWARD, uri)
    secrets = verify.SigningSecrets("consumer secret", "token/secret")
    good = oauth_signature.sign_hmac_sha1_with_client(oauthlib_base_string(AWKWARD, uri), secrets)
    assert verify.signature_ok(auth, good, "consumer secret", "token/secret")
    auth.also = ()
    assert verify.signature_ok(auth, good, "consumer secret", "token/secret") == (
        oauth_signature.base_string_uri(uri)
        == oauth_signature.base_string_uri("http://127.0.0.1:1/services/rest/")
    )


def test_never_more_escapes_kept_than_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verify, "_ESCAPED", {})
    monkeypatch.setattr(verify, "_PAIRS", {})
    monkeypatch.setattr(verify, "_ESCAPES_KEPT", 3)
    for n in range(10):
        assert verify._escape(f"text {n}") == oauth_utils.escape(f"text {n}")
        assert 1 <= len(verify._ESCAPED) <= 3


@settings(max_examples=300)
@given(st.text(st.sampled_from("aZ09_.-~ %+/\u00e9\u0661\u00b2\u2160"), max_size=10))
def test_an_escape_is_oauthlibs_letters_and_digits_included(text: str) -> None:
    # ASCII letters and digits come back as they are; any other text through oauthlib
    # (Unicode digits and letters too: "\u0661", "\u00b2", "\u00e9" are escaped).
    assert verify._escape(text, keep=False) == oauth_utils.escape(text)
    assert verify._escape(text) == oauth_utils.escape(text)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("0123abcXYZ", "0123abcXYZ"), ("\u0661", "%D9%A1"), ("a\u00e9", "a%C3%A9"), ("", "")],
)
def test_letters_and_digits_escape_alike(text: str, escaped: str) -> None:
    assert verify._escape(text, keep=False) == escaped == oauth_utils.escape(text)


def test_the_endpoint_given_is_the_endpoint_read() -> None:
    request = httpx.Request("POST", URL + "?format=json", content=b"a=1")
    read = read_params(request)
    given_uri = verify.collect(request, read, None, verify.endpoint_url(request))
    assert given_uri == verify.collect(request, read) and given_uri.uri == URL
    assert verify.collect(request, read, None, "http://other/").uri == "http://other/"


@pytest.mark.parametrize(
    ("params", "oauth"),
    [
        ([("method", "m"), ("api_key", "k"), ("api_sig", "s")], False),
        ([], False),
        ([("method", "m"), ("oauth_nonce", "n")], True),
        ([("xoauth_x", "1"), ("OAUTH_X", "1")], False),
    ],
)
def test_an_oauth_request_is_one_with_an_oauth_parameter(
    params: list[tuple[str, str]], oauth: bool
) -> None:
    # What decides whether a request's transaction claims a nonce (a write).
    assert auth_input(params).is_oauth is oauth
    assert bool(verify.oauth_fields(auth_input(params))) is oauth
