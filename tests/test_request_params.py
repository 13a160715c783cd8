"""The one server-side reading of a request (``transports.request``): what the method sees
and what an OAuth signature covers come from the same pairs."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given, strategies as st

from flickrwire import transports
from flickrwire.transports import RequestError
from flickrwire.transports.formdata import FormDataError, read_multipart
from flickrwire.transports.request import form_body, read_params

URL = "https://api.flickr.com/services/rest/"
BOUNDARY = "xYzZY"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def encode(pairs: list[tuple[str, str]], boundary: str = BOUNDARY) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in pairs
    ]
    return ("".join(parts) + f"--{boundary}--\r\n").encode()


def test_signed_pairs_are_the_header_the_query_and_the_body() -> None:
    request = httpx.Request(
        "POST",
        URL + "?format=json",
        headers={
            "Authorization": 'OAuth realm="x", oauth_nonce="n%20n", oauth_token="t"',
            "Content-Type": "application/x-www-form-urlencoded",
        },
        content=b"method=flickr.test.echo&a=1&a=1",
    )
    read = read_params(request)
    assert read.signed == (
        ("oauth_nonce", "n n"),
        ("oauth_token", "t"),
        ("format", "json"),
        ("method", "flickr.test.echo"),
        ("a", "1"),
        ("a", "1"),
    )
    assert dict(read.params) == {"format": "json", "method": "flickr.test.echo", "a": "1"}
    assert read.is_oauth and not read.bad_header


def test_a_malformed_oauth_header_is_flagged_for_the_verifier() -> None:
    request = httpx.Request("GET", URL, headers={"Authorization": "OAuth garbage"})
    assert read_params(request).bad_header


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_parse_request_is_the_reading_s_call(transport: str) -> None:
    wire = transports.get(transport)
    body = {
        "rest": b"method=flickr.test.echo&a=1",
        "xmlrpc": b"<methodCall><methodName>flickr.test.echo</methodName><params><param>"
        b"<value><struct><member><name>a</name><value><string>1</string></value></member>"
        b"</struct></value></param></params></methodCall>",
        "soap": b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<x:FlickrRequest xmlns:x="urn:flickr"><method>flickr.test.echo</method><a>1</a>'
        b"</x:FlickrRequest></s:Body></s:Envelope>",
    }[transport]
    request = httpx.Request("POST", f"{URL[:-5]}{transport}/?q=2", content=body)
    parsed = wire.read_request(request)  # type: ignore[attr-defined]
    assert parsed.call == wire.parse_request(request)
    assert dict(parsed.call.params) == {"q": "2", "a": "1"}
    assert sorted(parsed.read.signed) == [("a", "1"), ("method", "flickr.test.echo"), ("q", "2")]


def test_a_refusal_keeps_the_query_for_the_answer_s_format() -> None:
    request = httpx.Request(
        "POST", URL + "?format=json", headers={"Content-Type": "text/plain"}, content=b"a=1"
    )
    with pytest.raises(RequestError) as info:
        read_params(request)
    assert info.value.code == 96
    assert info.value.params == {"format": "json"}


def test_a_get_body_is_neither_read_nor_signed() -> None:
    request = httpx.Request("GET", URL + "?a=1", content=b"a=2")
    assert form_body(request) == []
    assert read_params(request).signed == (("a", "1"),)


def test_multipart_reads_fields_skips_files_and_ignores_preamble_and_epilogue() -> None:
    body = (
        b'preamble\r\n--B\r\nContent-Disposition: form-data; name="a"\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nline 1\r\nline 2\r\n"
        b'--B  \r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n\r\n'
        b"\xff\xd8binary\r\n"
        b'--B\r\ncontent-disposition: FORM-DATA; name="q\\"x"\r\n\r\n\r\n'
        b"--B--\r\nepilogue"
    )
    assert read_multipart(body, 'multipart/form-data; boundary="B"') == [
        ("a", "line 1\r\nline 2"),
        ('q"x', ""),
    ]


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=" + "b" * 71, 'x; boundary="a b "'],
)
def test_multipart_needs_a_valid_boundary(content_type: str) -> None:
    with pytest.raises(FormDataError, match="boundary"):
        read_multipart(encode([("a", "1")]), content_type)


names = st.text(st.characters(codec="utf-8", exclude_characters='"\\\r\n'), min_size=1)
values = st.text(st.characters(codec="utf-8"))


@given(st.lists(st.tuples(names, values), max_size=8))
def test_multipart_reads_back_any_fields(pairs: list[tuple[str, str]]) -> None:
    assert read_multipart(encode(pairs), MULTIPART) == pairs


@given(st.binary(max_size=300))
def test_multipart_never_raises_anything_but_its_error(noise: bytes) -> None:
    for body in (noise, f"--{BOUNDARY}\r\n".encode() + noise, encode([("a", "1")])[:-9] + noise):
        with contextlib.suppress(FormDataError):
            read_multipart(body, MULTIPART)


pair_names = st.sampled_from(["a", "b", "method", "oauth_nonce", "x y", "é"])
pair_values = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=5)
pairs = st.lists(st.tuples(pair_names, pair_values), max_size=5)


@given(pairs, pairs, st.sampled_from(["form", "multipart"]))
def test_params_and_signed_pairs_come_from_one_reading(
    query: list[tuple[str, str]], body: list[tuple[str, str]], kind: str
) -> None:
    if kind == "form":
        content, content_type = urlencode(body).encode(), "application/x-www-form-urlencoded"
    else:
        content, content_type = encode(body), MULTIPART
    request = httpx.Request(
        "POST", URL + "?" + urlencode(query), headers={"Content-Type": content_type},
        content=content,
    )  # fmt: skip
    values: dict[str, set[str]] = {}
    for name, value in query + body:
        values.setdefault(name, set()).add(value)
    if any(len(seen) > 1 for seen in values.values()):
        with pytest.raises(RequestError) as info:
            read_params(request)
        assert info.value.code == 96
        return
    read = read_params(request)
    assert read.signed == tuple(query + body)
    assert dict(read.params) == {name: seen.pop() for name, seen in values.items()}
