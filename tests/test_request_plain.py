"""The request reader's short ways read exactly what its general ways read: the
``Authorization: OAuth`` header whose names are identifiers (``_plain_pairs``) as the
well-formed pattern reads it, and a percent-decoded text (``percent_decoded``) as
``urllib.parse.unquote`` decodes it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from flickrwire.transports import request as reading

PART = re.compile(r'\s*([^\s=",]+)\s*=\s*"([^",]*)"\s*')
WELL_FORMED = re.compile(f"(?:{PART.pattern})(?:,(?:{PART.pattern}))*")
SPACE = st.sampled_from(["", " ", "  ", "\t", " \t ", "\u00a0", "\u2003"])
NAME = st.one_of(
    st.sampled_from(["oauth_nonce", "oauth_token", "realm", "Realm", "_x", "a1", "\u00e9t\u00e9"]),
    st.text(st.sampled_from("ab_1-.%~\u00e9"), min_size=1, max_size=6),
)
VALUE = st.one_of(
    st.text(max_size=10).map(lambda v: quote(v, safe="")),
    st.text(st.sampled_from('ab1%2B3D="= '), max_size=8),
)


def pattern_reading(header: str) -> list[tuple[str, str]] | None:
    """What the well-formed pattern reads from ``header``; None if it is not well formed."""
    if not WELL_FORMED.fullmatch(header, 6):
        return None
    pairs = [(unquote(name), unquote(value)) for name, value in PART.findall(header, 6)]
    return [(name, value) for name, value in pairs if name != "realm"]


@st.composite
def headers(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        name, value = draw(NAME), draw(VALUE)
        before, after = draw(SPACE), draw(SPACE)
        quote_mark = draw(st.sampled_from(['"', '"', '"', "", "'"]))
        parts.append(f'{before}{name}{draw(SPACE)}={draw(SPACE)}"{value}{quote_mark}{after}')
    return draw(st.sampled_from(["OAuth ", "oauth ", "OAUTH "])) + ",".join(parts)


@settings(max_examples=500)
@given(headers())
def test_the_plain_reading_is_the_patterns_reading(header: str) -> None:
    plain = reading._plain_pairs(header)
    if plain is not None:
        assert plain == pattern_reading(header)


@settings(max_examples=300)
@given(headers())
def test_the_header_reads_the_same_without_the_plain_reading(header: str) -> None:
    raw = header.encode("utf-8")  # read back as UTF-8 by httpx
    request = httpx.Request("POST", "http://127.0.0.1/", headers={"Authorization": raw})
    assert request.headers["authorization"] == header
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "_plain_pairs", lambda text: None)
        general = reading.header_pairs(request)
    assert reading.header_pairs(request) == general


SIGNED = (
    'OAuth oauth_consumer_key="0123456789abcdef", oauth_nonce="3f2a1b0c",'
    ' oauth_signature="ab%2Bcd%2Fef%3D", oauth_signature_method="HMAC-SHA1",'
    ' oauth_timestamp="1764500000", oauth_token="72157000000000003-0123", oauth_version="1.0"'
)


@pytest.mark.parametrize(
    ("header", "pairs"),
    [
        (
            SIGNED,
            [
                ("oauth_consumer_key", "0123456789abcdef"),
                ("oauth_nonce", "3f2a1b0c"),
                ("oauth_signature", "ab+cd/ef="),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "1764500000"),
                ("oauth_token", "72157000000000003-0123"),
                ("oauth_version", "1.0"),
            ],
        ),
        ('OAuth realm="Flickr", a="1"', [("a", "1")]),
        ('OAuth  a = "" ,\tb="x=y"  ', [("a", ""), ("b", "x=y")]),
        ('OAuth Realm="r"', [("Realm", "r")]),
    ],
)
def test_plain_headers(header: str, pairs: list[tuple[str, str]]) -> None:
    assert reading._plain_pairs(header) == pairs
    assert pattern_reading(header) == pairs


@pytest.mark.parametrize(
    "header",
    [
        'OAuth a%5Fb="1"',  # a name that is no identifier: the patterns read it
        'OAuth oauth-x="1"',
        'OAuth 1a="1"',
        'OAuth a="1",,b="2"',  # an empty part
        'OAuth a="1",',
        "OAuth ",
        'OAuth a="x"y"',  # a quote inside the value
        'OAuth a="',  # one quote only
        'OAuth a=1"',
        'OAuth a="1',
        'OAuth a"="1"',
        'OAuth a b="1"',
        'OAuth a:"1"',
    ],
)
def test_headers_left_to_the_patterns(header: str) -> None:
    assert reading._plain_pairs(header) is None


ESCAPES = ["%", "%2", "%20", "%2B", "%2b", "%40", "%7F", "%7f", "%80", "%C3%A9", "%E9", "%zz"]
PIECES = st.sampled_from(
    [*ESCAPES, "%g0", "%0", "%%", "a", "+", "\u00e9", "\u20ac", "\U0001f600", "%\u00e9", "9"]
)


@settings(max_examples=500)
@given(st.lists(PIECES | st.text(max_size=3), max_size=12).map("".join))
def test_percent_decoded_is_unquote(text: str) -> None:
    assert reading.percent_decoded(text) == unquote(text)


@pytest.mark.parametrize(
    "text",
    ["", "%", "abc", "40000000%40N01", "%2B%2b%3D", "%7F", "%80", "%C3%A9", "a%4", "\u00e9%41"],
)
def test_percent_decoded_edges(text: str) -> None:
    assert reading.percent_decoded(text) == unquote(text)


def test_every_ascii_escape_in_either_case() -> None:
    for byte in range(128):
        for escape in (f"%{byte:02x}", f"%{byte:02X}"):
            assert reading.percent_decoded(f"x{escape}y") == f"x{chr(byte)}y"
    assert len(reading._ASCII_ESCAPES) == 8 * 22


def test_a_remembered_form_reads_alike_and_apart() -> None:
    text = "method=flickr.groups.leave&group_id=40000000%40N01&format=json&a+b=c+d"
    first = reading.form_pairs(text)
    first.append(("changed", "by the caller"))
    again = reading.form_pairs(text)
    assert again == parse_qsl(text, keep_blank_values=True)
    assert again is not first and ("changed", "by the caller") not in again


def test_forms_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "_FORMS", {})
    monkeypatch.setattr(reading, "_FORMS_KEPT", 3)
    for n in range(10):
        text = f"a={n}&b=%41{n}"
        assert reading.form_pairs(text) == reading.form_pairs(text) == parse_qsl(text)
        assert 1 <= len(reading._FORMS) <= 3
    long = "a=" + "x%20" * 200
    assert len(long) > reading._FORM_KEPT_LENGTH
    assert reading.form_pairs(long) == parse_qsl(long)
    assert long not in reading._FORMS
    edge = "a=" + "y" * (reading._FORM_KEPT_LENGTH - 2)
    assert reading.form_pairs(edge) == parse_qsl(edge) and edge in reading._FORMS


@pytest.mark.parametrize("name", ["api_sig", "oauth_signature", "oauth_nonce", "oauth_timestamp"])
def test_a_form_carrying_a_signature_or_nonce_is_read_but_not_kept(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reading, "_FORMS", {})
    text = f"method=flickr.groups.leave&group_id=1%40N01&{name}=c2lnbmF0dXJl%3D"
    assert reading.form_pairs(text) == reading.form_pairs(text) == parse_qsl(text)
    assert reading._FORMS == {}
    plain = "method=flickr.groups.leave&group_id=1%40N01&api_key=k"
    assert reading.form_pairs(plain) == parse_qsl(plain) and plain in reading._FORMS


def test_remembered_parts_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "_PARTS", {})
    first = reading._plain_pairs(SIGNED)
    assert first is not None and reading._plain_pairs(SIGNED) == first == pattern_reading(SIGNED)
    kept = {pair[0] for pair in reading._PARTS.values()}
    assert "oauth_consumer_key" in kept and "oauth_version" in kept
    assert not kept & {"oauth_nonce", "oauth_signature"}  # new on every request
    # A part remembered from one header reads the same in another, realm too.
    other = 'OAuth realm="x", oauth_version="1.0",oauth_nonce="m"'
    assert reading._plain_pairs(other) == pattern_reading(other)
    assert reading._plain_pairs(other) == [("oauth_version", "1.0"), ("oauth_nonce", "m")]


def test_parts_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "_PARTS", {})
    monkeypatch.setattr(reading, "_PARTS_KEPT", 3)
    for n in range(10):
        header = f'OAuth a{n}="{n}%41", b="x"'
        assert reading._plain_pairs(header) == [(f"a{n}", f"{n}A"), ("b", "x")]
        assert 1 <= len(reading._PARTS) <= 3
    value = "v" * (reading._PART_KEPT_LENGTH - 4)
    edge, long = f'a="{value}"', f'a="{value}v"'
    assert len(edge) == reading._PART_KEPT_LENGTH
    assert reading._plain_pairs("OAuth " + edge + "," + long) == [("a", value), ("a", value + "v")]
    assert edge in reading._PARTS and long not in reading._PARTS
    assert reading._plain_pairs('OAuth a="1", b c="2"') is None
    assert ' b c="2"' not in reading._PARTS
