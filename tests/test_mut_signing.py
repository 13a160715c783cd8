"""What a signer sends when no nonce or clock is injected: a fresh 128-bit nonce as 32
hexadecimal digits, and the time in whole seconds."""

from __future__ import annotations

import re
import time

from flickrwire import Credentials, Signer

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-secret")
URL = "https://api.flickr.com/services/rest/"


def test_the_default_nonce_is_128_random_bits_in_hex_new_for_every_request() -> None:
    signer = Signer(CREDS, "oauth")
    nonces = []
    for _ in range(3):
        params: dict[str, str] = {"method": "flickr.test.login"}
        before = int(time.time())
        signer.sign("POST", URL, params, in_header=False)
        assert before <= int(params["oauth_timestamp"]) <= int(time.time())
        nonces.append(params["oauth_nonce"])
    for nonce in nonces:
        assert re.fullmatch("[0-9a-f]{32}", nonce), nonce
    assert len(set(nonces)) == 3


def test_credentials_have_no_instance_dictionary_to_dump_secrets_from() -> None:
    """Debug dumps and loggers read ``vars(obj)``: credentials give them nothing."""
    creds = Credentials("k", "the-consumer-secret", "t", "the-token-secret")
    assert not hasattr(creds, "__dict__")
    try:
        dumped = repr(vars(creds))
    except TypeError:
        dumped = ""
    assert "the-consumer-secret" not in dumped and "the-token-secret" not in dumped
