"""The short path's headers for aiohttp, made straight from a POST's parts, are those the
long way gives (``post_headers``, then ``header_pairs``) for every POST: the usual ones
and the odd ones the long way is kept for."""

from __future__ import annotations

import pytest

from flickrwire import Call, Credentials, Signer, transports
from flickrwire.headerlines import header_pairs, post_header_pairs
from flickrwire.transports.base import Outgoing, post_headers

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
URL = "https://api.flickr.com/services/rest/"


def long_way(post: Outgoing) -> object:
    every = post_headers(*post)
    return None if every is None else header_pairs(every)


def built_posts() -> list[Outgoing]:
    found = []
    for name in ("rest", "xmlrpc", "soap"):
        transport = transports.get(name)
        for codec in ("json", "xml"):
            for creds in (CREDS, Credentials("key", "secret"), None):
                for args in ({"group_id": "1@N01"}, {"text": "caf\u00e9 <&> +%"}):
                    call = Call.build("flickr.test.echo", args)
                    post = transport.build_post(call, codec, Signer(creds), BASE_URLS[0])
                    assert post is not None
                    found.append(post)
    return found


BASE_URLS = ("https://api.flickr.com/services/", "http://127.0.0.1:8080/services/")
FORM = (b"Content-Type", b"application/x-www-form-urlencoded")
ODD = [
    Outgoing(URL, b"a=1", [FORM]),
    Outgoing(URL, b"a=1", []),
    Outgoing(URL, b"", [FORM]),  # an empty body: httpx places headers of its own
    Outgoing("http://127.0.0.1:8080/x/", b"a=1", [FORM]),
    Outgoing("https://xn--caf-dma.example/services/rest/", b"a=1", [FORM]),
    Outgoing("https://caf\u00e9.example/services/rest/", b"a=1", [FORM]),
    Outgoing(URL, b"a=1", [(b"X-Note", "caf\u00e9".encode())]),  # not ASCII
    Outgoing(URL, b"a=1", [("Caf\u00e9".encode(), b"1")]),  # a name not ASCII
    Outgoing(URL, b"a=1", [FORM, (b"content-type", b"text/plain")]),  # a name twice
    Outgoing(URL, b"a=1", [(b"Host", b"elsewhere.example")]),
    Outgoing(URL, b"a=1", [(b"Content-Length", b"99")]),
    Outgoing(URL, b"a=1", [(b"AUTHORIZATION", b"OAuth x"), FORM]),
]


@pytest.mark.parametrize("post", built_posts() + ODD, ids=repr)
def test_the_short_way_gives_the_long_ways_headers(post: Outgoing) -> None:
    assert post_header_pairs(post) == long_way(post)
    found = post_header_pairs(post)
    if isinstance(found, dict):  # the same lines in the same order, as aiohttp sends them
        every = post_headers(*post)
        assert every is not None
        assert list(found.items()) == [(n.lower().decode(), v.decode()) for n, v in every]


def test_odd_headers_take_the_long_way() -> None:
    twice = post_header_pairs(ODD[8])
    assert isinstance(twice, list) and [n for n, _ in twice].count("content-type") == 2
    assert post_header_pairs(ODD[2]) is None
    assert post_header_pairs(ODD[0]) == {
        "host": "api.flickr.com",
        "content-type": "application/x-www-form-urlencoded",
        "content-length": "3",
    }


def test_the_kept_hosts_and_names_start_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    from flickrwire import headerlines

    monkeypatch.setattr(headerlines, "_HOSTS", {})
    monkeypatch.setattr(headerlines, "_NAMES", {})
    monkeypatch.setattr(headerlines, "_KEPT", 2)
    sizes = []
    for port in range(8000, 8006):
        post = Outgoing(f"http://127.0.0.1:{port}/rest/", b"a=1", [(f"X-{port}".encode(), b"v")])
        assert post_header_pairs(post) == long_way(post)
        sizes.append((len(headerlines._HOSTS), len(headerlines._NAMES)))
    assert sizes == [(1, 1), (2, 2), (1, 1), (2, 2), (1, 1), (2, 2)]
    assert list(headerlines._HOSTS) == [
        "http://127.0.0.1:8004/rest/",
        "http://127.0.0.1:8005/rest/",
    ]
    assert headerlines._NAMES == {b"X-8004": "x-8004", b"X-8005": "x-8005"}
    for _ in range(2):  # not a host, kept or not
        assert headerlines._host_text("http:///nohost") is None
    with pytest.raises(UnicodeDecodeError):
        headerlines._name_text("\u00e9".encode())
    assert "\u00e9".encode() not in headerlines._NAMES
