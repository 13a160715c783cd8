"""An emulator reached under another name (``--public-url``, a proxy in front): which URL
a client signed for, what a public URL option means, and what the verifier's records
show of the credentials they hold; every absent OAuth parameter named."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from flickrwire.emulator.verify import (
    AuthInput,
    NonceClaim,
    OAuthProblem,
    Principal,
    SigningSecrets,
    base_string,
    public_base,
    public_uris,
    require,
)


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://api.flickr.com", "https://api.flickr.com/services/"),
        ("https://api.flickr.com/", "https://api.flickr.com/services/"),
        ("https://api.flickr.com/services", "https://api.flickr.com/services/"),
        ("https://api.flickr.com/services/", "https://api.flickr.com/services/"),
        ("http://127.0.0.1:8080/flickr?x=1#top", "http://127.0.0.1:8080/flickr/services/"),
    ],
)
def test_a_public_url_becomes_a_services_base(given: str, base: str) -> None:
    assert public_base(given) == base


@pytest.mark.parametrize("given", ["ftp://api.flickr.com/", "https://", "file:///srv/flickr"])
def test_a_public_url_that_is_not_http_with_a_host_is_refused(given: str) -> None:
    with pytest.raises(ValueError, match="must be http"):
        public_base(given)


def test_the_urls_a_client_may_have_signed_for() -> None:
    request = httpx.Request("POST", "http://127.0.0.1:5000/services/rest/")
    publics = ("https://api.flickr.com/services/", "https://proxy.example/flickr/services/")
    assert public_uris(request, publics) == (
        "https://api.flickr.com/services/rest/",
        "https://proxy.example/flickr/services/rest/",
    )
    assert public_uris(request, ()) == ()
    # Only the first "/services/" splits; what the emulator serves without one keeps its path.
    deep = httpx.Request("POST", "http://127.0.0.1:5000/services/upload/services/x")
    assert public_uris(deep, publics[:1]) == ("https://api.flickr.com/services/upload/services/x",)
    bare = httpx.Request("POST", "http://127.0.0.1:5000/rest/")
    assert public_uris(bare, publics[:1]) == ("https://api.flickr.com/services/rest/",)


def test_the_base_string_shown_is_the_first_public_urls() -> None:
    params = [("method", "flickr.test.login"), ("oauth_nonce", "n")]
    auth = AuthInput("POST", "http://127.0.0.1:5000/services/rest/", params, {})
    assert "http%3A%2F%2F127.0.0.1%3A5000%2Fservices%2Frest%2F" in base_string(auth)
    auth.also = ("https://api.flickr.com/services/rest/", "https://proxy.example/rest/")
    assert base_string(auth).startswith("POST&https%3A%2F%2Fapi.flickr.com%2Fservices%2Frest%2F&")


def test_the_verifiers_records_show_no_credential_and_cannot_change() -> None:
    records = [
        Principal("k3y-SECRETLIKE", "1@N01", 3, "t0ken-SECRETLIKE"),
        NonceClaim("k3y-SECRETLIKE", "t0ken-SECRETLIKE", "n0nce", 1700000000),
        SigningSecrets("s3cret-SECRETLIKE", "ts3cret-SECRETLIKE"),
    ]
    for record in records:
        assert "SECRETLIKE" not in repr(record)
        field = dataclasses.fields(record)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, field, "other")
    params = [("oauth_token", "t0ken-SECRETLIKE")]
    auth = AuthInput("POST", "http://127.0.0.1/services/rest/", params, {"api_sig": "SECRETLIKE"})
    assert "SECRETLIKE" not in repr(auth)


def test_every_absent_oauth_parameter_is_named_in_the_refusal() -> None:
    # OAuth Problem Reporting: parameters_absent lists the names, joined by "&".
    fields = {"oauth_consumer_key": "k", "oauth_signature": "", "oauth_version": "1.0"}
    with pytest.raises(OAuthProblem) as caught:
        require(fields, ("oauth_consumer_key", "oauth_signature", "oauth_nonce"))
    problem = caught.value
    assert str(problem) == "parameter_absent"  # what a log line or a traceback shows
    assert problem.body() == (
        b"oauth_problem=parameter_absent&oauth_parameters_absent=oauth_signature%26oauth_nonce"
    )
