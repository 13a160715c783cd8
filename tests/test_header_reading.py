"""The ``Authorization: OAuth`` header reads as its grammar says, whatever the spacing:
every ``name="value"`` pair of a well-formed header, percent-decoded, ``realm`` aside."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

import httpx
from hypothesis import given, strategies as st

from flickrwire.transports.request import header_pairs

PART = re.compile(r'\s*([^\s=",]+)\s*=\s*"([^",]*)"\s*')
SPACE = st.sampled_from(["", " ", "  ", "\t", " \t "])
NAME_CHARS = sorted(set(map(chr, range(33, 127))) - set('=",%'))
NAME = st.text(st.sampled_from(NAME_CHARS), min_size=1, max_size=8)
VALUE = st.text(max_size=12).map(lambda v: quote(v, safe=""))


@st.composite
def headers(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.one_of(NAME, st.just("realm"), st.just("oauth_signature")))
        parts.append(f'{draw(SPACE)}{name}{draw(SPACE)}={draw(SPACE)}"{draw(VALUE)}"{draw(SPACE)}')
    return "OAuth " + ",".join(parts)


@given(headers())
def test_a_well_formed_header_reads_as_its_pattern_reads(header: str) -> None:
    request = httpx.Request("POST", "http://127.0.0.1/", headers={"Authorization": header})
    expected = [
        (unquote(name), unquote(value))
        for name, value in PART.findall(header, 6)
        if unquote(name) != "realm"
    ]
    assert header_pairs(request) == (expected, False)


def test_spacing_realm_and_escapes() -> None:
    header = 'OAuth realm="x" ,  oauth_token = "a%2Bb%3D" ,oauth_nonce="n"'
    request = httpx.Request("POST", "http://127.0.0.1/", headers={"Authorization": header})
    assert header_pairs(request) == ([("oauth_token", "a+b="), ("oauth_nonce", "n")], False)
