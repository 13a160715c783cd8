"""Answers that must not read as success (issue 10, finding 6): redirects and other non-2xx
statuses, Content-Encodings that cannot be undone, and JSON a strict reader refuses."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from flickrwire import AsyncClient, Client, Credentials, client as client_module, decode

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
OK_JSON = b'{"stat":"ok"}'
OK_XML = b'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok">\n</rsp>\n'


# -- statuses -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [300, 301, 302, 303, 304, 307, 308])
@pytest.mark.parametrize("body", [OK_JSON, OK_XML, b'{"stat":"fail","code":1,"message":"x"}'])
def test_a_redirect_is_an_http_fault_whatever_its_body(status: int, body: bytes) -> None:
    result = decode(body, status=status, codec="json")
    assert not result.ok
    assert result.fault is not None
    assert result.fault.origin == "http"
    assert result.fault.message.startswith(f"HTTP {status}")
    assert result.fault.retryable is False


@pytest.mark.parametrize("status", [201, 204, 299])
def test_other_2xx_success_bodies_stay_successes(status: int) -> None:
    assert decode(OK_JSON, status=status).ok


@pytest.mark.parametrize("status", [400, 404, 500, 502])
def test_a_success_body_under_an_error_status_is_an_http_fault(status: int) -> None:
    result = decode(OK_XML, status=status)
    assert not result.ok
    assert result.fault is not None and result.fault.origin == "http"


def test_a_flickr_failure_under_an_error_status_keeps_its_code() -> None:
    body = b'{"stat":"fail","code":105,"message":"Service currently unavailable"}'
    result = decode(body, status=503, codec="json")
    assert result.fault is not None and result.fault.code == 105


def test_the_client_reports_a_307_with_a_success_body_as_an_http_fault() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Location": "http://elsewhere.example/", "Content-Type": "application/json"}
        return httpx.Response(307, content=OK_JSON, headers=headers)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    result = Client(credentials=CREDS, http_client=http).call("flickr.test.echo")
    assert not result.ok
    assert result.fault is not None and result.fault.origin == "http"
    assert result.http_status == 307


# -- content codings ------------------------------------------------------------------


def _coded_client(coding: str, body: bytes) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/json", "Content-Encoding": coding}
        return httpx.Response(200, content=body, headers=headers)

    return Client(
        credentials=CREDS, http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )


UNDOABLE_NOT = ["x-unknown", "compress", "gzip, x-unknown"] + (
    [] if "br" in getattr(client_module, "SUPPORTED_CODINGS", ()) else ["br"]
)


@pytest.mark.parametrize("coding", UNDOABLE_NOT)
def test_a_coding_that_cannot_be_undone_is_a_decode_fault(coding: str) -> None:
    body = gzip.compress(OK_JSON) if coding.startswith("gzip") else OK_JSON
    result = _coded_client(coding, body).call("flickr.test.echo")
    assert not result.ok
    assert result.fault is not None and result.fault.origin == "decode"
    assert "Content-Encoding" in result.fault.message
    assert result.http_status == 200


@pytest.mark.parametrize("coding", ["gzip", "identity", "GZIP"])
def test_codings_httpx_undoes_still_read(coding: str) -> None:
    body = OK_JSON if coding == "identity" else gzip.compress(OK_JSON)
    assert _coded_client(coding, body).call("flickr.test.echo").ok


async def test_the_async_client_refuses_an_unknown_coding_too() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=OK_JSON, headers={"Content-Encoding": "x-unknown"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with AsyncClient(credentials=CREDS, http_client=http) as client:
        result = await client.call("flickr.test.echo")
    assert result.fault is not None and result.fault.origin == "decode"
    await http.aclose()


# -- strict JSON ----------------------------------------------------------------------

REFUSED_JSON = {
    "NaN": b'{"stat":"ok","a":NaN}',
    "Infinity": b'{"stat":"ok","a":Infinity}',
    "-Infinity": b'{"stat":"ok","a":-Infinity}',
    "1e999": b'{"stat":"ok","a":1e999}',
    "-1e999": b'{"stat":"ok","a":[-1e999]}',
    "duplicate stat": b'{"stat":"fail","code":98,"message":"Invalid auth token","stat":"ok"}',
    "escaped duplicate stat": b'{"stat":"fail","code":98,"st\\u0061t":"ok"}',
    "duplicate code": b'{"stat":"fail","code":1,"code":2,"message":"x"}',
    "duplicate in payload": b'{"stat":"ok","code":{"a":1,"a":2},"x":{"code":1}}',
}


@pytest.mark.parametrize("name", sorted(REFUSED_JSON))
@pytest.mark.parametrize("wrap", ["plain", "jsonp"])
def test_strict_json_refuses(name: str, wrap: str) -> None:
    body = REFUSED_JSON[name]
    if wrap == "jsonp":
        body = b"jsonFlickrApi(" + body + b")"
    result = decode(body, codec="json")
    assert not result.ok, name
    assert result.fault is not None and result.fault.origin == "decode"


@pytest.mark.parametrize("transport", ["xmlrpc", "soap"])
def test_strict_json_inside_an_envelope(transport: str) -> None:
    inner = '{"stat":"fail","code":98,"stat":"ok"}'
    if transport == "xmlrpc":
        body = (
            "<methodResponse><params><param><value><string>"
            f"{inner}</string></value></param></params></methodResponse>"
        )
    else:
        body = (
            '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
            f'<x:FlickrResponse xmlns:x="urn:flickr">{inner}</x:FlickrResponse>'
            "</s:Body></s:Envelope>"
        )
    result = decode(body.encode(), transport=transport, codec="json")
    assert result.fault is not None and result.fault.origin == "decode"


def test_ordinary_numbers_and_escapes_still_read() -> None:
    body = {"stat": "ok", "a": 1e308, "b": -2.5e-300, "c": 12345678901234567890, "t": "é\u2603"}
    result = decode(json.dumps(body).encode(), codec="json")
    assert result.ok
    assert result.payload == {k: v for k, v in body.items() if k != "stat"}


def test_the_same_key_in_different_objects_is_no_duplicate() -> None:
    body = b'{"stat":"ok","a":{"code":1,"stat":"x"},"b":{"code":2,"stat":"y"}}'
    assert decode(body, codec="json").ok
