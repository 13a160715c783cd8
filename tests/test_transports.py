"""The wire contract of each transport: exact request bytes, signatures that verify, escaping,
the server-side request parser, and the registry with its entry-point group."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

import flickrwire
from flickrwire import Call, Client, Credentials, Result, Signer, transports

KEY = "fake-consumer-key"
SECRET = "fake-consumer-secret"
TOKEN = "fake-access-token"
TOKEN_SECRET = "fake-token-secret"
NONCE = "fixed-nonce"
TIMESTAMP = 1700000000
SERVICES = "https://api.flickr.com/services/"
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
SOAP_NS = "http://www.w3.org/2003/05/soap-envelope"


def fixed_signer() -> Signer:
    creds = Credentials(KEY, SECRET, TOKEN, TOKEN_SECRET)
    return Signer(creds, "oauth", nonce=lambda: NONCE, clock=lambda: TIMESTAMP)


def leave(delete_photos: bool = True) -> Call:
    return Call.build(
        "flickr.groups.leave", {"group_id": "12345@N01", "delete_photos": delete_photos}
    )


def build(transport: str, codec: str, call: Call | None = None) -> httpx.Request:
    return transports.get(transport).build_request(call or leave(), codec, fixed_signer(), SERVICES)


def header_oauth(request: httpx.Request) -> dict[str, str]:
    value = request.headers.get("authorization")
    if value is None:
        return {}
    return {unquote(k): unquote(v) for k, v in parse_authorization_header(value)}


def wire_pairs(request: httpx.Request) -> list[tuple[str, str]]:
    """What a server reads from the request, parsed with the stdlib, not with flickrwire."""
    pairs = parse_qsl(request.url.query.decode(), keep_blank_values=True)
    path = request.url.path
    if path.endswith("/rest/"):
        pairs += parse_qsl(request.content.decode(), keep_blank_values=True)
    elif path.endswith("/xmlrpc/"):
        root = ET.fromstring(request.content)
        assert root.tag == "methodCall"
        pairs.append(("method", root.findtext("methodName") or ""))
        structs = root.findall("params/param/value/struct")
        assert len(structs) == 1, "exactly one <param> holding one <struct>"
        for member in structs[0]:
            value = member.find("value")
            assert value is not None and len(value) == 1 and value[0].tag == "string"
            pairs.append((member.findtext("name") or "", value[0].text or ""))
    else:
        root = ET.fromstring(request.content)
        assert root.tag == f"{{{SOAP_NS}}}Envelope"
        flickr_request = root.find(f"{{{SOAP_NS}}}Body/{{urn:flickr}}FlickrRequest")
        assert flickr_request is not None
        pairs += [(child.tag, child.text or "") for child in flickr_request]
    return pairs + list(header_oauth(request).items())


def assert_signature_verifies(request: httpx.Request) -> str:
    """Check the OAuth signature with oauthlib's server side; return it."""
    pairs = wire_pairs(request)
    sig = dict(pairs)["oauth_signature"]
    # oauthlib's server collects the params without the signature, then verifies.
    unsigned = [(k, v) for k, v in pairs if k != "oauth_signature"]
    server_view = SimpleNamespace(
        uri=str(request.url), http_method=request.method, params=unsigned, signature=sig
    )
    assert oauth_signature.verify_hmac_sha1(server_view, SECRET, TOKEN_SECRET)
    return sig


# -- exact bytes on the wire ------------------------------------------------------------

OAUTH_HEADER = (
    'OAuth oauth_consumer_key="fake-consumer-key", oauth_nonce="fixed-nonce", '
    'oauth_signature_method="HMAC-SHA1", oauth_timestamp="1700000000", oauth_version="1.0", '
    'oauth_token="fake-access-token", oauth_signature="SIGNATURE"'
)
REST_BODIES = {
    "json": b"method=flickr.groups.leave&group_id=12345%40N01&delete_photos=1"
    b"&format=json&nojsoncallback=1",
    "xml": b"method=flickr.groups.leave&group_id=12345%40N01&delete_photos=1&format=rest",
}


def _member(name: str, value: str) -> str:
    return f"<member><name>{name}</name><value><string>{value}</string></value></member>"


OAUTH_ORDER = (
    ("oauth_consumer_key", "fake-consumer-key"),
    ("oauth_nonce", "fixed-nonce"),
    ("oauth_signature_method", "HMAC-SHA1"),
    ("oauth_timestamp", "1700000000"),
    ("oauth_version", "1.0"),
    ("oauth_token", "fake-access-token"),
    ("oauth_signature", "SIGNATURE"),
)
XMLRPC_BODIES = {
    "json": '<?xml version="1.0" encoding="utf-8"?>\n'
    "<methodCall><methodName>flickr.groups.leave</methodName><params><param><value><struct>"
    "<member><name>group_id</name><value><string>12345@N01</string></value></member>"
    "<member><name>delete_photos</name><value><string>1</string></value></member>"
    "<member><name>format</name><value><string>json</string></value></member>"
    "<member><name>nojsoncallback</name><value><string>1</string></value></member>"
    "<member><name>oauth_consumer_key</name><value><string>fake-consumer-key</string></value>"
    "</member><member><name>oauth_nonce</name><value><string>fixed-nonce</string></value>"
    "</member><member><name>oauth_signature_method</name><value><string>HMAC-SHA1</string>"
    "</value></member><member><name>oauth_timestamp</name><value><string>1700000000</string>"
    "</value></member><member><name>oauth_version</name><value><string>1.0</string></value>"
    "</member><member><name>oauth_token</name><value><string>fake-access-token</string>"
    "</value></member><member><name>oauth_signature</name><value><string>SIGNATURE</string>"
    "</value></member></struct></value></param></params></methodCall>",
    "xml": '<?xml version="1.0" encoding="utf-8"?>\n'
    "<methodCall><methodName>flickr.groups.leave</methodName><params><param><value><struct>"
    + _member("group_id", "12345@N01")
    + _member("delete_photos", "1")
    + _member("format", "xmlrpc")
    + "".join(_member(k, v) for k, v in OAUTH_ORDER)
    + "</struct></value></param></params></methodCall>",
}
SOAP_BODIES = {
    "json": '<?xml version="1.0" encoding="utf-8"?>\n'
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/1999/XMLSchema"><s:Body>'
    '<x:FlickrRequest xmlns:x="urn:flickr"><method>flickr.groups.leave</method>'
    "<group_id>12345@N01</group_id><delete_photos>1</delete_photos><format>json</format>"
    "<nojsoncallback>1</nojsoncallback><oauth_consumer_key>fake-consumer-key"
    "</oauth_consumer_key><oauth_nonce>fixed-nonce</oauth_nonce>"
    "<oauth_signature_method>HMAC-SHA1</oauth_signature_method>"
    "<oauth_timestamp>1700000000</oauth_timestamp><oauth_version>1.0</oauth_version>"
    "<oauth_token>fake-access-token</oauth_token><oauth_signature>SIGNATURE</oauth_signature>"
    "</x:FlickrRequest></s:Body></s:Envelope>",
    "xml": '<?xml version="1.0" encoding="utf-8"?>\n'
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:xsi="http://www.w3.org/1999/XMLSchema-instance" '
    'xmlns:xsd="http://www.w3.org/1999/XMLSchema"><s:Body>'
    '<x:FlickrRequest xmlns:x="urn:flickr"><method>flickr.groups.leave</method>'
    "<group_id>12345@N01</group_id><delete_photos>1</delete_photos><format>soap</format>"
    + "".join(f"<{k}>{v}</{k}>" for k, v in OAUTH_ORDER)
    + "</x:FlickrRequest></s:Body></s:Envelope>",
}


@pytest.mark.parametrize("codec", ["json", "xml"])
def test_rest_wire_bytes(codec: str) -> None:
    request = build("rest", codec)
    sig = assert_signature_verifies(request)
    assert request.method == "POST"
    assert str(request.url) == "https://api.flickr.com/services/rest/"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["authorization"] == OAUTH_HEADER.replace(
        "SIGNATURE", sig.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    )
    assert request.content == REST_BODIES[codec]
    assert request.headers["content-length"] == str(len(REST_BODIES[codec]))


@pytest.mark.parametrize("codec", ["json", "xml"])
def test_xmlrpc_wire_bytes(codec: str) -> None:
    request = build("xmlrpc", codec)
    sig = assert_signature_verifies(request)
    assert request.method == "POST"
    assert str(request.url) == "https://api.flickr.com/services/xmlrpc/"
    assert request.headers["content-type"] == "text/xml; charset=utf-8"
    assert "authorization" not in request.headers
    assert request.content == XMLRPC_BODIES[codec].replace("SIGNATURE", sig).encode()


@pytest.mark.parametrize("codec", ["json", "xml"])
def test_soap_wire_bytes(codec: str) -> None:
    request = build("soap", codec)
    sig = assert_signature_verifies(request)
    assert request.method == "POST"
    assert str(request.url) == "https://api.flickr.com/services/soap/"
    assert request.headers["content-type"] == "application/soap+xml; charset=utf-8"
    assert "authorization" not in request.headers
    assert request.content == SOAP_BODIES[codec].replace("SIGNATURE", sig).encode()


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
@pytest.mark.parametrize("delete_photos", [True, False])
def test_every_pair_carries_the_same_flickr_params(
    transport: str, codec: str, delete_photos: bool
) -> None:
    request = build(transport, codec, leave(delete_photos))
    params = dict(wire_pairs(request))
    assert params["method"] == "flickr.groups.leave"
    assert params["group_id"] == "12345@N01"
    assert params["delete_photos"] == ("1" if delete_photos else "0")
    assert params["format"] == ("json" if codec == "json" else transport)
    assert ("nojsoncallback" in params) == (codec == "json")
    assert params["oauth_token"] == TOKEN
    assert_signature_verifies(request)


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
def test_signature_is_bound_to_the_endpoint_url(transport: str, codec: str) -> None:
    request = build(transport, codec)
    pairs = wire_pairs(request)
    unsigned = [(k, v) for k, v in pairs if k != "oauth_signature"]
    sig = dict(pairs)["oauth_signature"]
    for uri in ("https://api.flickr.com/services/other/", str(request.url)):
        server_view = SimpleNamespace(uri=uri, http_method="POST", params=unsigned, signature=sig)
        valid = oauth_signature.verify_hmac_sha1(server_view, SECRET, TOKEN_SECRET)
        assert valid == (uri == str(request.url))


def test_rest_get_puts_params_in_the_query_and_signs_them() -> None:
    call = Call("flickr.test.echo", {"foo": "bar baz"}, "GET")
    request = build("rest", "json", call)
    assert request.method == "GET"
    assert request.content == b""
    assert str(request.url) == (
        "https://api.flickr.com/services/rest/"
        "?method=flickr.test.echo&foo=bar+baz&format=json&nojsoncallback=1"
    )
    assert_signature_verifies(request)


# -- escaping -------------------------------------------------------------------------

TRICKY = "a&b <c> \"d\" 'e' \u5315\u4e03 \U0001f4f7 tab\tend  "


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
def test_tricky_values_reach_the_server_unchanged(transport: str, codec: str) -> None:
    request = build(transport, codec, Call.build("flickr.test.echo", {"note": TRICKY}))
    assert dict(wire_pairs(request))["note"] == TRICKY
    assert transports.get(transport).parse_request(request).params["note"] == TRICKY
    assert_signature_verifies(request)


def test_tricky_values_are_escaped_on_the_wire() -> None:
    call = Call.build("flickr.test.echo", {"note": TRICKY})
    rest = build("rest", "json", call).content
    assert (
        b"note=a%26b+%3Cc%3E+%22d%22+%27e%27+%E5%8C%95%E4%B8%83+%F0%9F%93%B7+tab%09end++&" in rest
    )
    xml_text = "a&amp;b &lt;c&gt; \"d\" 'e' \u5315\u4e03 \U0001f4f7 tab\tend  "
    xmlrpc = build("xmlrpc", "json", call).content
    assert f"<string>{xml_text}</string>".encode() in xmlrpc
    soap = build("soap", "json", call).content
    assert f"<note>{xml_text}</note>".encode() in soap


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_carriage_returns_survive_and_the_signature_still_verifies(transport: str) -> None:
    # XML parsers turn a literal CR LF into LF (XML 1.0 section 2.11), so a CR must travel
    # as a character reference or the server signs a different value than we did.
    value = "line one\r\nline two\rthree"
    request = build(transport, "json", Call.build("flickr.test.echo", {"note": value}))
    assert dict(wire_pairs(request))["note"] == value
    assert transports.get(transport).parse_request(request).params["note"] == value
    assert_signature_verifies(request)


def test_soap_refuses_a_param_name_that_is_not_an_element_name() -> None:
    with pytest.raises(ValueError, match="element name"):
        build("soap", "json", Call.build("flickr.test.echo", {"bad name": "x"}))


# -- the server side: parse_request ------------------------------------------------------


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
def test_parse_request_reads_back_what_build_request_wrote(transport: str, codec: str) -> None:
    call = transports.get(transport).parse_request(build(transport, codec))
    assert call.method == "flickr.groups.leave"
    assert call.http_method == "POST"
    params = dict(call.params)
    assert "method" not in params
    assert {k: params[k] for k in ("group_id", "delete_photos")} == {
        "group_id": "12345@N01",
        "delete_photos": "1",
    }
    assert params["format"] == ("json" if codec == "json" else transport)
    if transport != "rest":  # REST carries OAuth in the header, not in the params
        assert params["oauth_consumer_key"] == KEY


@pytest.mark.parametrize(
    ("transport", "body", "code"),
    [
        ("xmlrpc", b"<methodCall><methodName>x", 115),
        ("xmlrpc", b"<notACall/>", 115),
        ("soap", b"<s:Envelope xmlns:s='urn:x'><s:Body>", 114),
        ("soap", b"<Envelope><Body><Other/></Body></Envelope>", 114),
        ("rest", b"group_id=12345%40N01", 112),
    ],
)
def test_parse_request_refuses_with_the_protocol_code(
    transport: str, body: bytes, code: int
) -> None:
    request = httpx.Request("POST", SERVICES + transport + "/", content=body)
    with pytest.raises(transports.RequestError) as info:
        transports.get(transport).parse_request(request)
    assert info.value.code == code


# -- the registry ----------------------------------------------------------------------


class ToyTransport:
    """A third-party protocol: a GET with every param in the query, answered in JSON.

    It subclasses nothing: satisfying the Protocol is enough.
    """

    name = "toy"
    path = "toy/"

    def build_request(self, call: Call, codec: str, signer: Signer, base_url: str) -> httpx.Request:
        url = base_url.rstrip("/") + "/" + self.path
        params = {"method": call.method, **call.params, "format": "json", "nojsoncallback": "1"}
        auth = signer.sign("GET", url, params, in_header=True)
        return httpx.Request("GET", url, params=params, headers={"Authorization": auth or ""})

    def parse_request(self, request: httpx.Request) -> Call:
        params = dict(parse_qsl(request.url.query.decode()))
        return Call(params.pop("method"), params, "GET")

    def render_response(self, result: Result, codec: str) -> bytes:
        return b'{"stat":"ok","toy":{"_content":"yes"}}'

    def media_type(self, result: Result, codec: str) -> str:
        return "application/json"

    def parse_response(self, response: httpx.Response, call: Call, codec: str) -> Result:
        return flickrwire.decode(
            response.content,
            transport=self.name,
            codec=codec,
            status=response.status_code,
            headers=response.headers,
            method=call.method,
        )


@pytest.fixture(autouse=True)
def _isolated_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(transports, "_registry", dict(transports._registry))
    yield


def test_unknown_transport_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown transport 'carrier-pigeon'") as info:
        transports.get("carrier-pigeon")
    assert "rest, xmlrpc, soap" in str(info.value)
    with pytest.raises(ValueError, match="carrier-pigeon"):
        Client(transport="carrier-pigeon")


def test_builtin_names_come_first() -> None:
    assert transports.names()[:3] == ["rest", "xmlrpc", "soap"]
    # Even before a third-party name that sorts first.
    toy = ToyTransport()
    toy.name = "amqp"
    transports.register(toy)
    assert transports.names()[:4] == ["rest", "xmlrpc", "soap", "amqp"]
    for name in ("rest", "xmlrpc", "soap"):
        assert transports.get(name).name == name
        assert isinstance(transports.get(name), transports.Transport)


def _toy_client(toy: Any, seen: list[httpx.Request]) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        call = toy.parse_request(request)
        result = flickrwire.result.success(
            call.method, {}, transport=toy.name, codec="json", status=200, raw=b""
        )
        return httpx.Response(
            200,
            content=toy.render_response(result, "json"),
            headers={"Content-Type": toy.media_type(result, "json")},
        )

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return Client(transport=toy.name, http_client=http, credentials=Credentials(KEY, SECRET))


def test_a_registered_third_party_transport_works_through_client() -> None:
    toy = ToyTransport()
    transports.register(toy)
    seen: list[httpx.Request] = []
    result = _toy_client(toy, seen).call("flickr.test.echo", foo="bar")
    assert result.ok
    assert result.transport == "toy"
    assert result.payload == {"toy": {"_content": "yes"}}
    assert seen[0].method == "GET"
    assert seen[0].url.path == "/services/toy/"
    assert dict(parse_qsl(seen[0].url.query.decode()))["foo"] == "bar"
    assert dict(parse_qsl(seen[0].url.query.decode()))["api_key"] == KEY


def test_register_refuses_a_non_transport_and_a_duplicate_name() -> None:
    with pytest.raises(TypeError, match="Transport protocol"):
        transports.register(SimpleNamespace(name="half", path="half/"))  # type: ignore[arg-type]
    transports.register(ToyTransport())
    with pytest.raises(ValueError, match="already registered"):
        transports.register(ToyTransport())
    replacement = ToyTransport()
    transports.register(replacement, replace=True)
    assert transports.get("toy") is replacement


class FakeEntryPoint:
    def __init__(self, name: str, target: Any) -> None:
        self.name = name
        self.group = transports.ENTRY_POINT_GROUP
        self.target = target
        self.loads = 0

    def load(self) -> Any:
        self.loads += 1
        return self.target


def test_entry_point_group_plugs_a_transport_in_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    plugged = ToyTransport()
    plugged.name = "plugged"
    wanted = FakeEntryPoint("plugged", plugged)
    unrelated = FakeEntryPoint("unrelated", object())
    groups: list[str] = []

    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        groups.append(group)
        return [unrelated, wanted]

    monkeypatch.setattr(transports, "metadata", SimpleNamespace(entry_points=entry_points))
    assert transports.get("plugged") is plugged
    assert groups == ["flickrwire.transports"]
    assert wanted.loads == 1
    assert unrelated.loads == 0
    assert transports.get("plugged") is plugged
    assert wanted.loads == 1, "a loaded plugin is kept in the registry"
    assert "plugged" in transports.names()
    seen: list[httpx.Request] = []
    assert _toy_client(plugged, seen).call("flickr.test.echo").transport == "plugged"


def test_a_transport_installed_but_not_yet_loaded_is_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    installed = transports.metadata.entry_points(group=transports.ENTRY_POINT_GROUP)
    pigeon = transports.metadata.EntryPoint(
        name="pigeon", value="pigeons.wire:TRANSPORT", group=transports.ENTRY_POINT_GROUP
    )

    def entry_points(*, group: str) -> list[Any]:
        assert group == transports.ENTRY_POINT_GROUP
        return [*installed, pigeon]

    monkeypatch.setattr(transports.metadata, "entry_points", entry_points)
    assert transports.names() == ["rest", "xmlrpc", "soap", "pigeon"]
