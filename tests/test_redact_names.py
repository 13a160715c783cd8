"""Which values redaction looks for by name, and how completely :func:`scrub` removes one.

A HAR import scrubs the value of every secret-named parameter wherever it recurs in the
exchange (``named_secrets``): those values must all be found, and nothing else, or an
imported fixture would lose its method name, photo ids and dates to ``REDACTED``.
"""

from __future__ import annotations

from urllib.parse import quote
from xml.sax.saxutils import escape

import httpx

from flickrwire.recording.redact import (
    REDACTED,
    is_secret_name,
    named_secrets,
    redact_body,
    scrub,
)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
URL = "https://api.flickr.com/services/rest/"


def test_named_secrets_are_the_secret_named_values_and_nothing_else() -> None:
    body = (
        "method=flickr.photos.getInfo&photo_id=51234567890&extras=date_taken"
        "&api_key=k3y-value-0001&secret=ph0to-secret-0002&upload_secret=up-secret-0003"
        "&oauth_nonce=n0nce-0004&oauth_signature_method=HMAC-SHA1&oauth_version=1.0"
        "&oauth_callback=https%3A%2F%2Fexample.org%2Fcb"
    )
    request = httpx.Request("POST", URL, content=body.encode(), headers=FORM)
    assert named_secrets(request) == sorted(
        [
            "k3y-value-0001",
            "ph0to-secret-0002",
            "up-secret-0003",
            "n0nce-0004",
            "https://example.org/cb",
        ]
    )


def test_named_secrets_read_the_query_and_the_oauth_header() -> None:
    header = 'OAuth oauth_consumer_key="ck-0001", oauth_token="tok%2B0002", oauth_version="1.0"'
    request = httpx.Request(
        "GET",
        URL + "?method=flickr.test.login&format=json&auth_token=at-0003",
        headers={"Authorization": header},
    )
    assert named_secrets(request) == sorted(["ck-0001", "tok+0002", "at-0003"])


def test_secret_names_by_rule() -> None:
    secret = ["api_key", "api_sig", "secret", "photo_secret", "oauth_anything", "oauth_nonce"]
    plain = ["method", "photo_id", "secretary", "oauth_version", "oauth_signature_method"]
    assert [n for n in secret + plain if is_secret_name(n)] == secret


def test_a_scrubbed_value_leaves_nothing_of_its_encoded_forms() -> None:
    # A value ending in a character that encodes to a longer text: each encoded form goes
    # whole, not the plain value inside it with the rest of its encoding left behind.
    for value in ("s3cret-ends-with&", "s3cret-ends-with%"):
        for form in (value, escape(value), quote(value, safe=""), quote(quote(value))):
            assert scrub(f"<v>{form}</v>", [value]) == f"<v>{REDACTED}</v>"


def test_a_response_body_that_is_not_utf8_is_redacted_byte_for_byte() -> None:
    # A Latin-1 answer (a proxy's, an old error page) echoing the key: redacted, and every
    # other byte kept as it came, the ones UTF-8 cannot read included.
    body = b"name=caf\xe9 \xff&api_key=abcdef0123456789abcdef0123456789&x=1"
    assert redact_body(body) == b"name=caf\xe9 \xff&api_key=REDACTED&x=1"
