"""The transports build their POSTs without httpx's header merging and encode forms
without ``urlencode``: the requests must be exactly those httpx and ``urlencode`` give."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given, strategies as st

from flickrwire import Call, Credentials, Signer, transports
from flickrwire.transports.base import form_encode, post_request

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
ODD = {"group_id": "34427469792@N01", "text": "a b+c&d=e/f~g%h", "title": "caf\u00e9 \u2603"}


def signer() -> Signer:
    return Signer(CREDS, "oauth", nonce=lambda: "fixed-nonce", clock=lambda: 1700000000)


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
@pytest.mark.parametrize(
    "base_url", ["https://api.flickr.com/services/", "http://127.0.0.1:8123/x/"]
)
def test_a_built_post_is_the_request_httpx_builds(
    transport: str, codec: str, base_url: str
) -> None:
    wire = transports.get(transport)
    built = wire.build_request(Call("flickr.groups.leave", ODD), codec, signer(), base_url)
    given_headers = [(k, v) for k, v in built.headers.raw if k not in (b"Host", b"Content-Length")]
    plain = httpx.Request("POST", str(built.url), content=built.content, headers=given_headers)
    assert built.headers.raw == plain.headers.raw
    assert built.url == plain.url
    assert built.content == plain.content
    assert built.read() == plain.read()


def test_an_empty_body_gets_httpx_own_headers() -> None:
    url = "https://api.flickr.com/services/rest/"
    built = post_request(url, b"", [(b"Content-Type", b"text/plain")])
    assert (
        built.headers.raw
        == httpx.Request("POST", url, content=b"", headers=built.headers).headers.raw
    )
    assert built.headers["content-length"] == "0"


@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=6))
def test_form_encode_is_urlencode(params: dict[str, str]) -> None:
    try:
        expected = urlencode(params).encode()
    except UnicodeEncodeError:  # lone surrogates: neither can encode them
        with pytest.raises(UnicodeEncodeError):
            form_encode(params)
        return
    assert form_encode(params) == expected


def test_form_encode_takes_values_that_are_not_strings() -> None:
    assert form_encode({"n": 3, "b": b"x y"}) == urlencode({"n": 3, "b": b"x y"}).encode()  # type: ignore[dict-item]
