"""Decoding edges a mutation run found loose: an unknown HTTP status, a Flickr fault under
a redirect, error page titles at the edges of the page and of their length, defaults."""

from __future__ import annotations

import pytest

from flickrwire import decode
from flickrwire.decoding import MAX_TITLE_CHARS, html_title

OK = b'<rsp stat="ok"><user id="1"/></rsp>'
FAIL = b'<rsp stat="fail"><err code="1" msg="Group not found"/></rsp>'


def test_an_answer_whose_status_is_unknown_is_read_from_its_body() -> None:
    # A recording or a caller that has only the body passes status=None.
    ok = decode(OK, status=None, method="flickr.test.login")
    assert ok.ok and ok.http_status is None and ok.payload == {"user": {"id": "1"}}
    fail = decode(FAIL, status=None)
    assert not fail.ok and fail.fault is not None and fail.fault.code == 1


@pytest.mark.parametrize("status", [300, 301, 302, 399])
def test_a_flickr_fault_under_a_redirect_is_an_http_fault(status: int) -> None:
    result = decode(FAIL, status=status)
    assert result.fault is not None
    assert (result.fault.origin, result.fault.code) == ("http", None)
    assert result.fault.message == f"HTTP {status}"


def test_a_flickr_fault_under_a_2xx_is_flickrs() -> None:
    for status in (200, 299):
        fault = decode(FAIL, status=status).fault
        assert fault is not None and (fault.origin, fault.code) == ("api", 1)


def test_decode_defaults_to_rest_and_xml() -> None:
    result = decode(OK)
    assert (result.transport, result.codec, result.http_status) == ("rest", "xml", 200)


def test_a_page_that_starts_with_its_title_is_named() -> None:
    assert html_title("<title>Gateway Timeout</title>") == "Gateway Timeout"
    result = decode(b"<title>Gateway Timeout</title><p>later</p>", status=504)
    assert result.fault is not None and result.fault.message == "HTTP 504: Gateway Timeout"


def test_a_title_is_kept_whole_up_to_its_limit_and_shortened_beyond() -> None:
    assert MAX_TITLE_CHARS == 200
    whole = "x" * MAX_TITLE_CHARS
    assert html_title(f"<html><title>{whole}</title>") == whole
    longer = html_title(f"<html><title>{whole}y</title>")
    assert longer == "x" * (MAX_TITLE_CHARS - 3) + "..."


@pytest.mark.parametrize("page", ["<html><title>no end", "<html><title", "<html>none</html>"])
def test_a_page_without_a_whole_title_is_named_by_its_status_only(page: str) -> None:
    assert html_title(page) is None
    fault = decode(page.encode(), status=502).fault
    assert fault is not None and fault.message == "HTTP 502"


@pytest.mark.parametrize("status", [400, 401, 500])
def test_a_flickr_fault_under_an_http_error_keeps_flickrs_code(status: int) -> None:
    fault = decode(FAIL, status=status).fault
    assert fault is not None and (fault.origin, fault.code) == ("api", 1)


def test_the_default_body_limit_is_ten_mebibytes() -> None:
    limit = 10 * 1024 * 1024
    at_limit = decode(b" " * limit).fault
    assert at_limit is not None and at_limit.message == "empty response body"
    over = decode(b" " * (limit + 1)).fault
    assert (
        over is not None and over.message == f"response body of {limit + 1} bytes exceeds {limit}"
    )


@pytest.mark.parametrize("status", [300, 302, 404, 502])
def test_a_non_2xx_answer_with_a_body_in_an_unknown_charset_is_an_http_fault(status: int) -> None:
    headers = {"Content-Type": "text/html; charset=no-such-charset"}
    fault = decode("<p>caf\u00e9</p>".encode("latin-1"), status=status, headers=headers).fault
    assert fault is not None and (fault.origin, fault.message) == ("http", f"HTTP {status}")


def test_a_malformed_page_under_an_http_error_is_named_by_its_title() -> None:
    page = b'<?xml version="1.0"?><html><head><title>Bad Gateway</title></head><body>'
    fault = decode(page, status=502).fault
    assert fault is not None and fault.message == "HTTP 502: Bad Gateway"
    assert fault.retryable
    malformed = decode(b'<rsp stat="ok"><user></rsp>', status=503).fault
    assert malformed is not None and malformed.message == "HTTP 503"


def _html_at(offset: int) -> bytes:
    comment = "<!--" + "x" * (offset - 7) + "-->"  # "<html" starts at ``offset``
    assert len(comment) == offset
    return (comment + "<html><body>unclosed").encode()


def test_an_html_page_is_recognised_from_its_first_512_characters() -> None:
    within = decode(_html_at(512 - 5)).fault
    assert within is not None and (within.origin, within.message) == ("http", "HTTP 200")
    beyond = decode(_html_at(512 - 4)).fault
    assert beyond is not None and beyond.origin == "decode" and "malformed XML" in beyond.message


def test_a_title_is_read_from_at_most_four_times_its_limit_in_characters() -> None:
    spaced = "a" + " " * (MAX_TITLE_CHARS * 4 - 2) + "b"
    assert html_title(f"<title>{spaced}</title>") == "a b"
    assert html_title(f"<title>{spaced} c</title>") == "a b"
    assert html_title(f"<title>{spaced}  c</title>") == "a b"


def test_a_well_formed_xhtml_page_with_a_prolog_is_an_http_fault_named_by_its_title() -> None:
    page = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Sign in</title></head>'
        b"<body/></html>"
    )
    fault = decode(page).fault
    assert fault is not None and (fault.origin, fault.message) == ("http", "HTTP 200: Sign in")


@pytest.mark.parametrize("content_type", [None, "text/xml", "text/xml; charset=utf-8"])
def test_a_utf8_answer_without_a_prolog_reads_its_accents(content_type: str | None) -> None:
    body = '<rsp stat="ok"><user name="Zo\u00eb"/></rsp>'.encode()
    headers = {"Content-Type": content_type} if content_type else None
    result = decode(body, headers=headers)
    assert result.ok and result.payload == {"user": {"name": "Zo\u00eb"}}


def test_an_empty_title_is_empty_and_leaves_the_message_alone() -> None:
    assert html_title("<html><title></title></html>") == ""
    fault = decode(b"<html><title></title></html>", status=502).fault
    assert fault is not None and fault.message == "HTTP 502"


def test_text_instead_of_bytes_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match=r"decode\(\) takes bytes"):
        decode('<rsp stat="ok"/>')  # type: ignore[arg-type]
    assert decode(bytearray(OK)).ok and decode(memoryview(OK)).ok
