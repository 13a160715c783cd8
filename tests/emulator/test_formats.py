"""Every response format for every request protocol, with Flickr's content types, and the
global errors about a request's form: 95, 111, 112, 114, 115 and 116 (a blocked URL, or a
setter sent with GET)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

import flickrwire
from flickrwire.auth.signing import legacy_signature
from flickrwire.emulator.app import EmulatorConfig, create_core_app
from flickrwire.emulator.seed import TEST_GROUP
from flickrwire.emulator.store import Store
from flickrwire.transports import soap, xmlrpc

from .conftest import BASE_URL, Seeded

XML = "text/xml; charset=utf-8"
PROLOG = b'<?xml version="1.0" encoding="utf-8" ?>\n'


def body_for(transport: str, params: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """A request body for ``transport`` carrying ``params`` (``method`` among them)."""
    if transport == "rest":
        return urlencode(params).encode(), {"Content-Type": "application/x-www-form-urlencoded"}
    if transport == "xmlrpc":
        rest = {k: v for k, v in params.items() if k != "method"}
        return xmlrpc.method_call(params["method"], rest), {"Content-Type": XML}
    return soap.flickr_request(params), {"Content-Type": soap.CONTENT_TYPE}


async def post(raw: httpx.AsyncClient, transport: str, params: dict[str, str]) -> httpx.Response:
    content, headers = body_for(transport, params)
    return await raw.post(f"{transport}/", content=content, headers=headers)


def decode(response: httpx.Response, transport: str) -> flickrwire.Result:
    return flickrwire.decode(
        response.content,
        transport=transport,
        status=response.status_code,
        headers=response.headers,
        method="flickr.test.echo",
    )


# format -> (extra params, content type, how the body starts)
FORMATS: dict[str, tuple[dict[str, str], str, bytes]] = {
    "rest": ({"format": "rest"}, XML, PROLOG + b'<rsp stat="ok">\n<method>'),
    "json": ({"format": "json", "nojsoncallback": "1"}, "application/json", b'{"method":'),
    "jsonp": ({"format": "json"}, "text/javascript", b'jsonFlickrApi({"method":'),
    "jsonp-own": ({"format": "json", "jsoncallback": "got.it"}, "text/javascript", b"got.it({"),
    "xmlrpc": ({"format": "xmlrpc"}, XML, PROLOG + b"<methodResponse><params><param>"),
    "soap": ({"format": "soap"}, XML, PROLOG + b'<s:Envelope xmlns:s="http://www.w3.org/2003'),
    "soap2": ({"format": "soap2"}, XML, PROLOG + b'<s:Envelope xmlns:s="http://www.w3.org/2003'),
}


async def test_soap2_carries_the_payload_unescaped(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    params = {"method": "flickr.test.echo", "name": "a <b>", "format": "soap2"}
    response = await post(raw, "soap", {**params, "api_key": seeded.key})
    # response.soap page, "Alternate SOAP Response Format": FlickrResponse xmlns="/ns/api#"
    assert b'<FlickrResponse xmlns="/ns/api#"><method>flickr.test.echo</method>' in response.content
    assert b"<name>a &lt;b&gt;</name>" in response.content
    assert decode(response, "soap").payload["name"] == {"_content": "a <b>"}


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
@pytest.mark.parametrize("fmt", list(FORMATS))
async def test_every_format_from_every_protocol(
    raw: httpx.AsyncClient, seeded: Seeded, transport: str, fmt: str
) -> None:
    extra, content_type, start = FORMATS[fmt]
    params = {"method": "flickr.test.echo", "name": "a <b> & c", **extra, "api_key": seeded.key}
    response = await post(raw, transport, params)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.content.startswith(start)
    result = decode(response, transport)
    assert result.ok and result.payload["name"] == {"_content": "a <b> & c"}
    assert result.payload["format"] == {"_content": extra["format"]}


@pytest.mark.parametrize(
    ("transport", "start"),
    [
        ("rest", PROLOG + b'<rsp stat="ok">'),
        ("xmlrpc", PROLOG + b"<methodResponse>"),
        ("soap", PROLOG + b"<s:Envelope"),
    ],
)
async def test_a_protocols_own_format_is_its_default(
    raw: httpx.AsyncClient, seeded: Seeded, transport: str, start: bytes
) -> None:
    response = await post(raw, transport, {"method": "flickr.test.echo", "api_key": seeded.key})
    assert response.content.startswith(start)
    assert response.headers["content-type"] == XML


async def test_an_unusable_callback_name_falls_back_to_jsonflickrapi(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    params = {"method": "flickr.test.echo", "format": "json", "jsoncallback": "alert(1);x"}
    response = await post(raw, "rest", {**params, "api_key": seeded.key})
    assert response.content.startswith(b"jsonFlickrApi(")


async def test_rest_answers_without_the_trailing_slash_and_to_get(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    params = {"method": "flickr.groups.getInfo", "group_id": TEST_GROUP, "api_key": seeded.key}
    response = await raw.get("rest", params={**params, "format": "json", "nojsoncallback": "1"})
    assert json.loads(response.content)["group"]["id"] == TEST_GROUP


# -- 111, 112, 114, 115: answered in the protocol's own format ----------------------------


@pytest.mark.parametrize(
    ("transport", "shape"),
    [
        ("rest", b'<rsp stat="fail">\n\t<err code="111" msg="Format &quot;php_serial&quot;'),
        ("xmlrpc", b"<methodResponse><fault><value><struct><member><name>faultCode</name>"),
        ("soap", b"<s:Fault><faultcode>flickr.error.111</faultcode>"),
    ],
)
async def test_an_unknown_format_is_111_in_the_native_format(
    raw: httpx.AsyncClient, seeded: Seeded, transport: str, shape: bytes
) -> None:
    params = {"method": "flickr.test.echo", "format": "php_serial", "api_key": seeded.key}
    response = await post(raw, transport, params)
    assert shape in response.content and response.headers["content-type"] == XML
    result = decode(response, transport)
    assert (result.code, result.fault and result.fault.message) == (
        111,
        'Format "php_serial" not found',
    )


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
@pytest.mark.parametrize("fmt", ["json", "rest", "xmlrpc", "soap"])
async def test_an_unknown_method_is_112_in_the_requested_format(
    raw: httpx.AsyncClient, seeded: Seeded, transport: str, fmt: str
) -> None:
    params = {"method": "flickr.photos.doesNotExist", "format": fmt, "nojsoncallback": "1"}
    response = await post(raw, transport, {**params, "api_key": seeded.key})
    assert response.headers["content-type"] == ("application/json" if fmt == "json" else XML)
    result = decode(response, transport)
    assert result.code == 112 and result.fault is not None
    assert result.fault.message == 'Method "flickr.photos.doesNotExist" not found'
    assert result.fault.origin == "protocol"


async def test_a_rest_call_without_method_is_112_in_json(raw: httpx.AsyncClient) -> None:
    response = await raw.post("rest/", data={"format": "json", "nojsoncallback": "1"})
    assert json.loads(response.content) == {
        "stat": "fail",
        "code": 112,
        "message": 'Method "" not found',
    }


@pytest.mark.parametrize(
    ("transport", "body", "code", "message"),
    [
        ("soap", b"<not-soap/>", 114, "Invalid SOAP envelope"),
        ("soap", b"\x00garbage", 114, "Invalid SOAP envelope"),
        ("xmlrpc", b"<methodCall><params/></methodCall>", 115, "Invalid XML-RPC Method Call"),
        ("xmlrpc", b"<methodCall", 115, "Invalid XML-RPC Method Call"),
    ],
)
async def test_unparsable_envelopes(
    raw: httpx.AsyncClient, transport: str, body: bytes, code: int, message: str
) -> None:
    response = await raw.post(f"{transport}/", content=body, headers={"Content-Type": XML})
    assert response.status_code == 200 and response.headers["content-type"] == XML
    result = decode(response, transport)
    assert (result.code, result.fault and result.fault.message) == (code, message)


# -- 116 and 95: configured refusals ---------------------------------------------------


def app_with(store: Store, **config: Any) -> httpx.AsyncClient:
    app = create_core_app(store, EmulatorConfig(**config))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app))


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
async def test_a_blocked_url_in_any_argument_is_116(
    store: Store, seeded: Seeded, transport: str
) -> None:
    async with app_with(store, blocked_urls=("spam.example",)) as http:
        client = flickrwire.AsyncClient(
            transport, "xml", seeded.creds("erin"), http_client=http, base_url=BASE_URL
        )
        blocked = await client.call("flickr.test.echo", note="see http://SPAM.example/x")
        clean = await client.call("flickr.test.echo", note="see http://flickr.com/")
    assert (blocked.code, blocked.fault and blocked.fault.message) == (116, "Bad URL found")
    assert clean.ok


async def test_a_setter_sent_with_get_is_116(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    # Signed by a user with delete permission: POST is checked after the permission.
    params = {"method": "flickr.groups.leave", "group_id": TEST_GROUP, "api_key": seeded.key}
    params["auth_token"] = seeded.token("alice")["token"]
    params["api_sig"] = legacy_signature(seeded.secret, params)
    response = await raw.get("rest/", params=params)
    result = decode(response, "rest")
    assert result.code == 116 and result.fault is not None
    assert result.fault.message == "The POST method is now required for all setters"


async def test_strict_tls_refuses_plain_http_with_95(store: Store, seeded: Seeded) -> None:
    async with app_with(store, strict_tls=True) as http:
        plain = flickrwire.AsyncClient(
            "soap",
            "json",
            seeded.creds("alice"),
            http_client=http,
            base_url="http://127.0.0.1/services/",
        )
        secure = flickrwire.AsyncClient(
            "soap", "json", seeded.creds("alice"), http_client=http, base_url=BASE_URL
        )
        refused = await plain.call("flickr.test.login")
        allowed = await secure.call("flickr.test.login")
    assert (refused.code, refused.fault and refused.fault.message) == (95, "SSL is required")
    assert allowed.ok


async def test_loopback_http_is_allowed_by_default(app: Any, seeded: Seeded) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        client = flickrwire.AsyncClient(
            "rest",
            "json",
            seeded.creds("alice"),
            http_client=http,
            base_url="http://127.0.0.1/services/",
        )
        assert (await client.call("flickr.test.login")).ok


async def test_a_database_locked_by_another_process_answers_105_or_106(
    tmp_path: Path, seeded: Seeded, seed: dict[str, Any]
) -> None:
    path = str(tmp_path / "locked.db")
    store = Store(path, timeout=0.05)
    store.load_seed(seed)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        app = create_core_app(store, EmulatorConfig())
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
            bob = flickrwire.AsyncClient(
                "rest", "xml", seeded.creds("bob"), http_client=http, base_url=BASE_URL
            )
            leave = await bob.groups.leave(group_id=TEST_GROUP)
            login = await bob.call("flickr.test.login")  # signed: claims a nonce, a write
            other.execute("ROLLBACK")
            again = await bob.groups.leave(group_id=TEST_GROUP)
    finally:
        other.close()
        store.close()
    assert (leave.code, leave.fault and leave.fault.retryable) == (106, True)
    assert (login.code, login.fault and login.fault.retryable) == (105, True)
    assert again.ok
