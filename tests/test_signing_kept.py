"""What a signer keeps between calls (issue 11): HMAC-SHA1's keyed states, the base string's
parameter part around the nonce and timestamp, and the escaped signature. Each is checked
against what it replaces: ``hmac``, ``oauth_params``/``authorization_header``, ``escape``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import string

import pytest

from flickrwire import Credentials, Signer
from flickrwire.auth import signing
from flickrwire.auth.signing import (
    _escaped_base64,
    _keyed,
    _mac,
    authorization_header,
    escape,
    hmac_sha1,
    oauth_params,
)

URL = "https://api.flickr.com/services/rest/"
CREDS = Credentials("key =&", "s\u00e9cret&", "tok+en/", "t secret")


@pytest.mark.parametrize("length", [0, 1, 31, 62, 63, 64, 65, 100, 200])
def test_the_kept_states_give_hmac_sha1_for_every_key_length(length: int) -> None:
    # The key is escape(secret) + "&" + escape(token secret): length + 1 bytes here.
    secret = ("k\u00e9/" * 70)[:length]
    for message in (b"", b"m", b"x" * 64, b"POST&a&b" * 50):
        key = f"{escape(secret)}&{escape('ts')}".encode()
        assert _mac(_keyed(secret, "ts"), message) == hmac.digest(key, message, "sha1")


@pytest.mark.parametrize("size", [62, 63, 64, 65])
def test_keys_around_one_block_long(size: int) -> None:
    secret = "a" * (size - 1)  # "&" makes it `size` bytes
    key = f"{secret}&".encode()
    assert len(key) == size
    expected = base64.b64encode(hmac.new(key, b"base", hashlib.sha1).digest()).decode()
    assert hmac_sha1("base", secret, None) == expected


def test_the_kept_states_are_not_changed_by_signing() -> None:
    states = _keyed("cs", "ts")
    first = _mac(states, b"one")
    _mac(states, b"two")
    assert _mac(states, b"one") == first == hmac.digest(b"cs&ts", b"one", "sha1")


def test_the_escaped_signature_is_escape_of_any_base64_text() -> None:
    alphabet = string.ascii_letters + string.digits + "+/="
    for text in ["", alphabet, "a+b/c==", *("".join(p) for p in itertools.permutations("+/=a"))]:
        assert _escaped_base64(text) == escape(text)


def header_signer(nonces: list[str], stamps: list[int]) -> Signer:
    return Signer(CREDS, "oauth", nonce=iter(nonces).__next__, clock=iter(stamps).__next__)


def test_a_signer_signing_the_same_params_again_signs_each_call_anew() -> None:
    nonces = ["n1", "n 2/+%", "n1", "\u00e9t\u00e9"]
    stamps = [1700000000, 1700000001, 1700000002, 99]
    one = header_signer(nonces, stamps)
    params = {"method": "flickr.groups.leave", "group_id": "1@N01", "a b": "c+d"}
    for nonce, stamp in zip(nonces, stamps, strict=True):
        header = one.sign("POST", URL, dict(params), in_header=True)
        oauth = oauth_params(CREDS, "POST", URL, params, nonce=nonce, timestamp=stamp)
        assert header == authorization_header(oauth)


def test_params_in_another_order_or_with_another_value_sign_as_themselves() -> None:
    cases = [
        {"a": "1", "b": "2"},
        {"b": "2", "a": "1"},
        {"a": "1", "b": "3"},
        {"a": "1"},
        {},
        {"oauth_callback": "oob", "z": "\u2603"},
    ]
    one = header_signer(["n"] * len(cases), [5] * len(cases))
    for params in cases:
        header = one.sign("GET", URL, dict(params), in_header=True)
        oauth = oauth_params(CREDS, "GET", URL, params, nonce="n", timestamp=5)
        assert header == authorization_header(oauth)


def test_the_kept_parts_start_again_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signing, "_TEMPLATES", 3)
    count = 7
    one = header_signer(["n"] * count, [5] * count)
    sizes = []
    for i in range(count):
        params = {"group_id": str(i)}
        header = one.sign("POST", URL, dict(params), in_header=True)
        oauth = oauth_params(CREDS, "POST", URL, params, nonce="n", timestamp=5)
        assert header == authorization_header(oauth)
        prepared = one._prepared
        assert prepared is not None
        sizes.append(len(prepared.templates))
    assert sizes == [1, 2, 3, 1, 2, 3, 1]  # full at 3, then started again
    assert prepared is not None and list(prepared.templates) == [(("group_id", "6"),)]
