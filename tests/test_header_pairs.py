"""The ``Authorization: OAuth`` header is read alike whether every part is plain (read
with string methods) or not (read part by part by the pattern): the same pairs, the same
verdict."""

from __future__ import annotations

import httpx
import pytest

from flickrwire.transports import request as reading

CASES = [
    (
        'OAuth oauth_consumer_key="k", oauth_nonce="n%20x"',
        [("oauth_consumer_key", "k"), ("oauth_nonce", "n x")],
        False,
    ),
    ('OAuth realm="Flickr",oauth_token="t"', [("oauth_token", "t")], False),
    ('OAuth  a = "1" ,b="2"  ', [("a", "1"), ("b", "2")], False),
    ('OAuth a="1",,b="2"', [("a", "1"), ("b", "2")], False),
    ('OAuth a="x,y"', [], True),
    ('OAuth a="1", b=2', [("a", "1")], True),
    ('OAuth a%5Fb="%3D"', [("a_b", "=")], False),
    ('oauth a=""', [("a", "")], False),
]


@pytest.mark.parametrize(("header", "pairs", "malformed"), CASES)
def test_the_header_reads_the_same_either_way(
    header: str, pairs: list[tuple[str, str]], malformed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = httpx.Request(
        "POST", "http://127.0.0.1/services/rest/", headers={"Authorization": header}
    )
    assert reading.header_pairs(request) == (pairs, malformed)
    # Without the plain reading, part by part: the same answer.
    monkeypatch.setattr(reading, "_plain_pairs", _never)
    assert reading.header_pairs(request) == (pairs, malformed)


def _never(authorization: str) -> None:
    return None
