"""The request reader's form and query reading (``transports.request.form_pairs``) gives
exactly ``urllib.parse.parse_qsl(text, keep_blank_values=True)`` on any text: empty
fields, fields without "=", several "=", "+", broken and non-ASCII percent escapes."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from flickrwire.transports.request import form_body, form_pairs, query_pairs

PIECES = st.sampled_from(
    ["&", "=", "+", "%", "%2", "%20", "%2B", "%26", "%3D", "%C3%A9", "%E9", "%zz", "a", "b", " "]
)
FORMS = st.lists(PIECES | st.text(max_size=3), max_size=14).map("".join)


@settings(max_examples=400)
@given(FORMS)
def test_any_text_reads_as_parse_qsl_reads_it(text: str) -> None:
    assert form_pairs(text) == parse_qsl(text, keep_blank_values=True)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "&",
        "&&a=1&&",
        "a",
        "a=",
        "=b",
        "=",
        "a=b=c",
        "a+b=c+d",
        "a%2Bb=c%2bd",
        "k=%",
        "k=%4",
        "k=%C3%A9%E9",
        "method=flickr.groups.leave&group_id=40000000%40N01&format=json&nojsoncallback=1",
    ],
)
def test_edge_forms(text: str) -> None:
    assert form_pairs(text) == parse_qsl(text, keep_blank_values=True)


@given(FORMS)
def test_a_body_and_a_query_read_the_same_fields(text: str) -> None:
    body = httpx.Request(
        "POST",
        "http://127.0.0.1/services/rest/",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        content=text.encode(),
    )
    expected = parse_qsl(text, keep_blank_values=True)
    assert form_body(body) == expected
    ascii_query = quote(text, safe="&=+%").encode()
    query = httpx.Request("GET", httpx.URL("http://127.0.0.1/services/rest/", query=ascii_query))
    assert query_pairs(query) == parse_qsl(
        query.url.query.decode("utf-8", "replace"), keep_blank_values=True
    )
