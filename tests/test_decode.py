"""``flickrwire.decode``: bytes from the wire in, one ``Result`` out (that it never raises,
whatever the bytes, is fuzzed in test_hostile.py).

The real samples (``../shared/flickr-samples/``, each with a ``.source`` file) are checked
against values written here by hand from reading them; every other body is a situation
Flickr, a proxy or a broken network has been seen (or is documented) to produce.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest
from sampledir import SAMPLES, needs_samples

from flickrwire import Result, decode
from flickrwire.decoding import MAX_BODY_BYTES

TRANSPORTS = ("rest", "xmlrpc", "soap")

PROLOG = '<?xml version="1.0" encoding="utf-8" ?>\n'
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
TEXT_XML = {"Content-Type": "text/xml; charset=utf-8"}
NOT_AVAILABLE = "Sorry, the Flickr API service is not currently available."


# -- bodies in the layouts of Flickr's response pages (see the doc-* samples) ---------


def rsp_fail(code: str, msg: str) -> bytes:
    return f'{PROLOG}<rsp stat="fail">\n\t<err code="{code}" msg="{msg}" />\n</rsp>\n'.encode()


def rsp_ok(inner: str) -> bytes:
    return f'{PROLOG}<rsp stat="ok">\n{inner}\n</rsp>\n'.encode()


def xmlrpc_fault(code_value: str, string_value: str) -> bytes:
    """``code_value``/``string_value`` are the insides of the two ``<value>`` elements."""
    return (
        f"{PROLOG}<methodResponse>\n\t<fault>\n\t\t<value>\n\t\t\t<struct>\n"
        f"\t\t\t\t<member>\n\t\t\t\t\t<name>faultCode</name>\n"
        f"\t\t\t\t\t<value>{code_value}</value>\n\t\t\t\t</member>\n"
        f"\t\t\t\t<member>\n\t\t\t\t\t<name>faultString</name>\n"
        f"\t\t\t\t\t<value>{string_value}</value>\n\t\t\t\t</member>\n"
        "\t\t\t</struct>\n\t\t</value>\n\t</fault>\n</methodResponse>\n"
    ).encode()


def xmlrpc_ok(value: str) -> bytes:
    """``value`` is the inside of the one ``<value>`` (normally ``<string>...</string>``)."""
    return (
        f"{PROLOG}<methodResponse>\n\t<params>\n\t\t<param>\n"
        f"\t\t\t<value>{value}</value>\n\t\t</param>\n\t</params>\n</methodResponse>\n"
    ).encode()


def soap_envelope(body: str, ns: str = SOAP12) -> bytes:
    return (
        f'{PROLOG}<s:Envelope\n\txmlns:s="{ns}"\n'
        '\txmlns:xsi="http://www.w3.org/1999/XMLSchema-instance"\n'
        '\txmlns:xsd="http://www.w3.org/1999/XMLSchema"\n>\n'
        f"\t<s:Body>\n\t\t{body}\n\t</s:Body>\n</s:Envelope>\n"
    ).encode()


def soap_fault(code: str, message: str, ns: str = SOAP12) -> bytes:
    return soap_envelope(
        f"<s:Fault>\n\t\t\t<faultcode>{code}</faultcode>\n"
        f"\t\t\t<faultstring>{message}</faultstring>\n"
        "\t\t\t<faultactor>\n\t\t\t\thttp://www.flickr.com/services/soap/\n\t\t\t</faultactor>\n"
        "\t\t\t<details>\n\t\t\t\tPlease see \n\t\t\t\thttp://www.flickr.com/services/docs/ \n"
        "\t\t\t\tfor more details\n\t\t\t</details>\n\t\t</s:Fault>",
        ns,
    )


def soap_ok(escaped_payload: str, ns: str = SOAP12) -> bytes:
    return soap_envelope(
        f'<x:FlickrResponse xmlns:x="urn:flickr">\n\t\t\t{escaped_payload}\n'
        "\t\t</x:FlickrResponse>",
        ns,
    )


# -- checking a Result ---------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What decoding must give. ``message=None`` means: our own text, not checked exactly."""

    ok: bool = False
    code: int | None = None
    message: str | None = None
    origin: str | None = None
    retryable: bool = False
    payload: Mapping[str, Any] | None = None
    contains: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()


def check(result: Result, expect: Expect) -> None:
    assert isinstance(result, Result)
    assert result.ok is expect.ok
    assert result.ok == (result.fault is None)
    if expect.ok:
        assert expect.payload is not None, "an ok expectation names its payload"
        assert dict(result.payload) == expect.payload
        return
    fault = result.fault
    assert fault is not None
    assert dict(result.payload) == {}
    assert (fault.code, fault.origin, fault.retryable) == (
        expect.code,
        expect.origin,
        expect.retryable,
    )
    assert result.code == expect.code
    if expect.message is not None:
        assert fault.message == expect.message
    for text in expect.contains:
        assert text in fault.message
    for text in expect.absent:
        assert text not in fault.message


def decode_fault(**kw: Any) -> Expect:
    return Expect(origin="decode", **kw)


def http_fault(retryable: bool, **kw: Any) -> Expect:
    return Expect(origin="http", retryable=retryable, **kw)


# -- the real samples ----------------------------------------------------------------

# (file) -> (transport, codec, status, content type, method, expectation). Status and
# content type are the ones each .source file records; "rest"/"xml" where the recorded
# request named no format (Flickr's default answer is REST XML).
_XML = "text/xml; charset=utf-8"
SAMPLE_CASES: dict[str, tuple[str, str, int, str, str, Expect]] = {
    "json-fail-code100-invalid-api-key.json": (
        "rest", "json", 200, "application/json", "",
        Expect(code=100, message="Invalid API Key (Key has invalid format)", origin="auth"),
    ),
    "json-fail-code105-site-disabled.json": (
        "rest", "json", 200, "application/json", "",
        Expect(code=105, message="Service currently unavailable (Site Disabled)",
               origin="api", retryable=True),
    ),
    "json-fail-code112-method-not-found.json": (
        "rest", "json", 200, "application/json", "flickr.photos.doesNotExist",
        Expect(code=112, message='Method "flickr.photos.doesNotExist" not found',
               origin="protocol"),
    ),
    # The REST XML endpoint answering a JSON body, with a trailing comma.
    "json-fail-code201-service-not-available-trailing-comma.txt": (
        "rest", "xml", 200, _XML, "flickr.photos.getInfo",
        Expect(code=201, message=NOT_AVAILABLE, origin="api", retryable=True),
    ),
    "jsonp-fail-code105-site-disabled.js": (
        "rest", "json", 200, "text/javascript", "",
        Expect(code=105, message="Service currently unavailable (Site Disabled)",
               origin="api", retryable=True),
    ),
    "oauth-401-signature-invalid-debug-sbs.txt": (
        "rest", "xml", 401, "text/plain;charset=UTF-8", "flickr.photos.comments.addComment",
        Expect(code=96, origin="auth", contains=("signature_invalid",),
               absent=("debug_sbs", "oauth_nonce", "photo_id")),
    ),
    "rest-xml-fail-code1-invalid-nsid.xml": (
        "rest", "xml", 200, _XML, "flickr.profile.getProfile",
        Expect(code=1, message="Invalid NSID provided", origin="api"),
    ),
    "rest-xml-fail-code1-photo-not-found-invalid-id.xml": (
        "rest", "xml", 200, _XML, "flickr.photos.getInfo",
        Expect(code=1, message='Photo "1" not found (invalid ID)', origin="api"),
    ),
    "rest-xml-fail-code1-photo-not-found.xml": (
        "rest", "xml", 200, _XML, "flickr.photos.getExif",
        Expect(code=1, message="Photo not found", origin="api"),
    ),
    "rest-xml-fail-code1-required-parameter-missing.xml": (
        "rest", "xml", 200, _XML, "flickr.galleries.getListForPhoto",
        Expect(code=1, message="Required parameter missing", origin="api"),
    ),
    "rest-xml-fail-code100-flickr-sdk-fixture.xml": (
        "rest", "xml", 200, _XML, "",
        Expect(code=100, message="Invalid API Key (Key has invalid format)", origin="auth"),
    ),
    "rest-xml-fail-code100-invalid-api-key.xml": (
        "rest", "xml", 200, _XML, "flickr.urls.lookupUser",
        Expect(code=100, message="Invalid API Key (Key has invalid format)", origin="auth"),
    ),
    "rest-xml-fail-code2-permission-denied.xml": (
        "rest", "xml", 200, _XML, "flickr.photos.getExif",
        Expect(code=2, message="Permission denied", origin="api"),
    ),
    "rest-xml-fail-code201-service-not-available.xml": (
        "rest", "xml", 200, _XML, "flickr.photos.getInfo",
        Expect(code=201, message=NOT_AVAILABLE, origin="api", retryable=True),
    ),
    "rest-xml-fail-code5-user-deleted.xml": (
        "rest", "xml", 200, _XML, "flickr.people.getInfo",
        Expect(code=5, message="User deleted", origin="api"),
    ),
    "rest-xml-fail-code98-invalid-auth-token.xml": (
        "rest", "xml", 200, _XML, "",
        Expect(code=98, message="Invalid auth token", origin="auth"),
    ),
    "rest-xml-fail-code99-insufficient-permission-to-comment.xml": (
        "rest", "xml", 200, _XML, "flickr.photos.comments.addComment",
        Expect(code=99, message="Insufficient permission to comment", origin="auth"),
    ),
    "rest-xml-fail-code99-insufficient-permissions-none-granted.xml": (
        "rest", "xml", 200, _XML, "flickr.test.null",
        Expect(code=99, origin="auth",
               message="Insufficient permissions. Method requires read privileges; none granted."),
    ),
    "rest-xml-ok-empty.xml": (
        "rest", "xml", 200, _XML, "flickr.photos.getAllContexts",
        Expect(ok=True, payload={}),
    ),
    "rest-xml-ok-urls-lookupUser.xml": (
        "rest", "xml", 200, _XML, "flickr.urls.lookupUser",
        Expect(ok=True, payload={
            "user": {"id": "12403504@N02", "username": {"_content": "The British Library"}},
        }),
    ),
    "upload-xml-fail-code8-filesize-too-large.xml": (
        "rest", "xml", 200, _XML, "",
        Expect(code=8, message="Filesize was too large", origin="api"),
    ),
    "upload-xml-ok-photoid.xml": (
        "rest", "xml", 200, _XML, "",
        Expect(ok=True, payload={"photoid": {"_content": "41234567890"}}),
    ),
}  # fmt: skip


def response_samples() -> list[str]:
    """Every recorded response: not the documentation templates, not OAuth token bodies."""
    return sorted(
        path.name
        for path in SAMPLES.iterdir()
        if path.suffix != ".source"
        and not path.name.startswith("doc-")
        and not re.fullmatch(r"oauth-.*-token-response\.txt", path.name)
    )


@needs_samples
def test_every_response_sample_has_a_hand_written_expectation() -> None:
    wsfphp = "soap-echo-x-FlickrResponse-wsfphp-expected-output.txt"
    reflection = "json-ok-reflection-getMethodInfo-groups.leave.json"
    assert set(response_samples()) == {*SAMPLE_CASES, wsfphp, reflection}


@needs_samples
@pytest.mark.parametrize("name", sorted(SAMPLE_CASES))
def test_real_sample_decodes_to_the_expected_result(name: str) -> None:
    transport, codec, status, content_type, method, expect = SAMPLE_CASES[name]
    body = (SAMPLES / name).read_bytes()
    result = decode(
        body,
        transport=transport,
        codec=codec,
        status=status,
        headers={"Content-Type": content_type},
        method=method,
    )
    check(result, expect)
    assert (result.transport, result.codec, result.http_status) == (transport, codec, status)
    assert result.method == method
    assert result.raw == body


@needs_samples
def test_oauth_401_message_keeps_no_credentials_from_debug_sbs() -> None:
    body = (SAMPLES / "oauth-401-signature-invalid-debug-sbs.txt").read_bytes()
    # debug_sbs is the raw base string (its own '&'s unescaped): it runs to the end.
    sbs = body.decode().split("&debug_sbs=", 1)[1]
    signed = dict(parse_qsl(unquote(sbs.split("&", 2)[2])))
    result = decode(body, status=401, headers={"Content-Type": "text/plain;charset=UTF-8"})
    assert result.fault is not None
    for secret in (signed["oauth_consumer_key"], signed["oauth_token"], sbs):
        assert secret not in result.fault.message
        assert secret not in repr(result)


@needs_samples
def test_reflection_sample_keeps_flickr_json_shape_and_mixed_scalars() -> None:
    body = (SAMPLES / "json-ok-reflection-getMethodInfo-groups.leave.json").read_bytes()
    result = decode(body, codec="json", method="flickr.reflection.getMethodInfo")
    assert result.ok
    payload = result.payload
    assert payload["method"]["name"] == "flickr.groups.leave"
    assert payload["method"]["needssigning"] == 1
    assert payload["method"]["requiredperms"] == "3"
    codes = [error["code"] for error in payload["errors"]["error"]]
    assert codes == ["1", "2", "3", 95, 96, 97, 98, 99, 100, 105, 106, 111, 112, 114, 115, 116]
    names = [arg["name"] for arg in payload["arguments"]["argument"]]
    assert names == ["api_key", "group_id", "delete_photos"]
    assert result.normalised()["payload"]["errors"]["error"][3]["code"] == "95"


@needs_samples
def test_wsfphp_soap_echo_decodes_as_escaped_payload() -> None:
    # The sample is the SOAP Body child printed through htmlspecialchars() once (see its
    # .source): undo that one level and put it back into the documented envelope.
    text = (SAMPLES / "soap-echo-x-FlickrResponse-wsfphp-expected-output.txt").read_text()
    element = html.unescape(text.removeprefix("Response = ").removesuffix(" <br>"))
    body = soap_envelope(element)
    result = decode(body, transport="soap", codec="xml", method="flickr.test.echo")
    assert result.ok
    assert set(result.payload) == {"method", "api_key", "name"}
    assert result.payload["method"] == {"_content": "flickr.test.echo"}
    assert result.payload["name"] == {"_content": "cars"}
    assert re.fullmatch(r"[0-9a-f]{32}", result.payload["api_key"]["_content"])


# -- situations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    body: bytes
    expect: Expect
    transport: str = "rest"
    codec: str = "xml"
    status: int | None = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "flickr.groups.leave"


SIG_INVALID = (
    "oauth_problem=signature_invalid&debug_sbs=POST&https%3A%2F%2Fapi.flickr.com%2Fservices"
    "%2Frest%2F&group_id%3D34427469792%2540N01%26method%3Dflickr.groups.leave%26"
    "oauth_consumer_key%3Dkey0123456789abcdef%26oauth_nonce%3Dn0nce%26oauth_signature_method"
    "%3DHMAC-SHA1%26oauth_timestamp%3D1700000000%26oauth_token%3D7215-tokenvalue%26"
    "oauth_version%3D1.0"
)
OAUTH_ABSENT = ("debug_sbs", "key0123456789abcdef", "7215-tokenvalue", "n0nce")
TEXT_PLAIN = {"Content-Type": "text/plain;charset=UTF-8"}
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
APACHE_502 = (
    b'<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
    b"<title>502 Proxy Error</title>\n</head><body>\n<h1>Proxy Error</h1>\n"
    b"<p>The proxy server received an invalid response from an upstream server.</p>\n"
    b"</body></html>\n"
)
HTML5_503 = (
    b"<!DOCTYPE html>\n<html lang=en>\n<meta charset=utf-8>\n"
    b"<title>Error 503 (Service Unavailable)!!1</title>\n<p>Try again later.</p>\n"
)
CAPTIVE_PORTAL = (
    b"<html><head><title>Hotel WiFi - Log in</title></head>"
    b"<body><p>Please log in<br><a href=/login>here</a></body></html>"
)
MEMBER = (
    '<member nsid="12037949754@N01" username="Bees" iconserver="1" iconfarm="1" membertype="2" />'
)
MEMBERS_XML = f'<members page="1" pages="1" perpage="100" total="1">\n\t{MEMBER}\n</members>'
MEMBER_DICT = {
    "nsid": "12037949754@N01",
    "username": "Bees",
    "iconserver": "1",
    "iconfarm": "1",
    "membertype": "2",
}
MEMBERS_PAYLOAD = {
    "members": {"page": "1", "pages": "1", "perpage": "100", "total": "1", "member": [MEMBER_DICT]}
}
MEMBERS_JSON = (
    '{"members":{"page":"1","pages":"1","perpage":"100","total":"1","member":'
    '{"nsid":"12037949754@N01","username":"Bees","iconserver":"1","iconfarm":"1",'
    '"membertype":"2"}},"stat":"ok"}'
)
GET_LIST = "flickr.groups.members.getList"
USER = {"user": {"id": "12403504@N02", "username": {"_content": "The British Library"}}}
USER_XML = '<user id="12403504@N02">\n\t<username>The British Library</username>\n</user>'
ECHO = {"method": {"_content": "flickr.test.echo"}, "name": {"_content": "value"}}
ECHO_ESCAPED = "&lt;method&gt;flickr.test.echo&lt;/method&gt;\n&lt;name&gt;value&lt;/name&gt;"
LEAVE_3 = Expect(code=3, message="Account is not in that group", origin="api")
API_KEY_100 = Expect(code=100, message="Invalid API Key", origin="auth")
UNAVAILABLE_105 = Expect(
    code=105, message="Service currently unavailable", origin="api", retryable=True
)
CAFE = Expect(code=1, message="Caf\xe9", origin="api")
JAPANESE = "\u5199\u771f\u304c\u898b\u3064\u304b\u308a\u307e\u305b\u3093"

CASES = [
    # What was asked is not what came back.
    Case("rest-xml-asked-json-answered", b'{"stat":"fail","code":105,"message":'
         b'"Service currently unavailable"}', UNAVAILABLE_105, headers=TEXT_XML),
    Case("rest-xml-asked-json-ok-answered", b'{"user":{"id":"12403504@N02","username":'
         b'{"_content":"The British Library"}},"stat":"ok"}', Expect(ok=True, payload=USER)),
    Case("xmlrpc-json-asked-xmlrpc-fault-115", xmlrpc_fault(
         "<int>115</int>", "<string>Invalid XML-RPC Method Call</string>"),
         Expect(code=115, message="Invalid XML-RPC Method Call", origin="protocol"),
         transport="xmlrpc", codec="json"),
    Case("soap-json-asked-soap-fault-114", soap_fault(
         "flickr.error.114", "Invalid SOAP envelope"),
         Expect(code=114, message="Invalid SOAP envelope", origin="protocol"),
         transport="soap", codec="json"),
    Case("rest-111-native-rsp", rsp_fail("111", "Format &quot;jsn&quot; not found"),
         Expect(code=111, message='Format "jsn" not found', origin="protocol"), codec="json"),
    Case("xmlrpc-111-native-fault", xmlrpc_fault(
         "<int>111</int>", "<string>Format &quot;jsn&quot; not found</string>"),
         Expect(code=111, message='Format "jsn" not found', origin="protocol"),
         transport="xmlrpc", codec="json"),
    Case("soap-111-native-fault", soap_fault(
         "flickr.error.111", "Format &quot;jsn&quot; not found"),
         Expect(code=111, message='Format "jsn" not found', origin="protocol"),
         transport="soap", codec="json"),
    # OAuth answers in text/plain.
    Case("rest-oauth-signature-invalid-401", SIG_INVALID.encode(),
         Expect(code=96, origin="auth", contains=("signature_invalid",), absent=OAUTH_ABSENT),
         status=401, headers=TEXT_PLAIN),
    Case("soap-oauth-signature-invalid-401", SIG_INVALID.encode(),
         Expect(code=96, origin="auth", contains=("signature_invalid",), absent=OAUTH_ABSENT),
         transport="soap", codec="json", status=401, headers=TEXT_PLAIN),
    Case("rest-oauth-token-rejected-401", b"oauth_problem=token_rejected",
         Expect(code=98, origin="auth", contains=("token_rejected",)),
         status=401, headers=TEXT_PLAIN),
    # Proxies and captive portals answer HTML.
    *(Case(f"{t}-html-502-nginx", NGINX_502,
           http_fault(True, contains=("502 Bad Gateway",)), transport=t, status=502)
      for t in TRANSPORTS),
    Case("rest-html-502-apache-doctype", APACHE_502,
         http_fault(True, contains=("502 Proxy Error",)), status=502),
    Case("soap-html5-503-doctype", HTML5_503,
         http_fault(True, contains=("Error 503 (Service Unavailable)!!1",)),
         transport="soap", codec="json", status=503),
    Case("rest-html-200-captive-portal", CAPTIVE_PORTAL,
         http_fault(False, contains=("Hotel WiFi - Log in",)), codec="json"),
    # Empty, cut short.
    Case("rest-empty-200", b"", decode_fault(), codec="json"),
    Case("xmlrpc-whitespace-200", b" \r\n", decode_fault(), transport="xmlrpc"),
    Case("rest-empty-503", b"", http_fault(True), status=503),
    Case("soap-empty-503", b"", http_fault(True), transport="soap", codec="json", status=503),
    Case("rest-truncated-rsp", rsp_fail("1", "Photo not found")[:70], decode_fault()),
    Case("rest-truncated-rsp-ok", rsp_ok(USER_XML)[:-20], decode_fault()),
    Case("rest-truncated-json", b'{"stat":"fail","code":1,"mess', decode_fault(), codec="json"),
    Case("rest-truncated-jsonp", b'jsonFlickrApi({"stat":"ok"}', decode_fault(), codec="json"),
    # SOAP payloads and faults.
    Case("soap2-unescaped-payload", soap_envelope(
         f'<FlickrResponse xmlns="/ns/api#">\n\t\t\t{USER_XML}\n\t\t</FlickrResponse>'),
         Expect(ok=True, payload=USER), transport="soap", method="flickr.urls.lookupUser"),
    Case("soap-escaped-several-top-level", soap_ok(ECHO_ESCAPED),
         Expect(ok=True, payload=ECHO), transport="soap", method="flickr.test.echo"),
    Case("soap-escaped-empty", soap_ok(""), Expect(ok=True, payload={}), transport="soap"),
    Case("soap-1.2-generic-receiver-fault", soap_envelope(
         "<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason>"
         '<s:Text xml:lang="en">Backend  timed out</s:Text></s:Reason></s:Fault>'),
         Expect(message="Backend  timed out", origin="protocol", retryable=True),
         transport="soap"),
    Case("soap-1.2-generic-sender-fault", soap_envelope(
         "<s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason>"
         '<s:Text xml:lang="en">Bad request</s:Text></s:Reason></s:Fault>'),
         Expect(message="Bad request", origin="protocol"), transport="soap"),
    Case("soap-1.2-fault-value-flickr-code", soap_envelope(
         "<s:Fault><s:Code><s:Value>flickr.error.105</s:Value></s:Code><s:Reason>"
         '<s:Text xml:lang="en">Service currently unavailable</s:Text></s:Reason></s:Fault>'),
         UNAVAILABLE_105, transport="soap"),
    Case("soap-1.2-fault-subcode-flickr-code", soap_envelope(
         "<s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>flickr.error.3"
         "</s:Value></s:Subcode></s:Code><s:Reason><s:Text>Account is not in that group"
         "</s:Text></s:Reason></s:Fault>"), LEAVE_3, transport="soap"),
    Case("soap-1.1-namespace-fault", soap_fault("flickr.error.100", "Invalid API Key", SOAP11),
         API_KEY_100, transport="soap"),
    Case("soap-1.1-namespace-ok", soap_ok(ECHO_ESCAPED, SOAP11),
         Expect(ok=True, payload=ECHO), transport="soap"),
    Case("soap-fault-template-whitespace", soap_fault(
         "\n\t\t\t\tflickr.error.3\n\t\t\t", "\n\t\t\t\tAccount is not in that group\n\t\t\t"),
         LEAVE_3, transport="soap"),
    Case("soap-fault-entities", soap_fault(
         "flickr.error.1", "Photo &quot;1&quot; &amp; friends"),
         Expect(code=1, message='Photo "1" & friends', origin="api"), transport="soap"),
    Case("soap-body-not-flickr-response", soap_envelope("<x:Other xmlns:x='urn:x'/>"),
         decode_fault(), transport="soap"),
    Case("soap-empty-body", soap_envelope(""), decode_fault(), transport="soap"),
    # XML-RPC payloads and faults.
    Case("xmlrpc-empty-string", xmlrpc_ok("<string></string>"),
         Expect(ok=True, payload={}), transport="xmlrpc"),
    Case("xmlrpc-self-closed-string", xmlrpc_ok("<string/>"),
         Expect(ok=True, payload={}), transport="xmlrpc"),
    Case("xmlrpc-whitespace-string", xmlrpc_ok("<string>\n\t\t\t\t\t\n\t\t\t\t</string>"),
         Expect(ok=True, payload={}), transport="xmlrpc"),
    Case("xmlrpc-several-top-level", xmlrpc_ok(f"<string>{ECHO_ESCAPED}</string>"),
         Expect(ok=True, payload=ECHO), transport="xmlrpc", method="flickr.test.echo"),
    Case("xmlrpc-escaped-with-prolog", xmlrpc_ok(
         f"<string>&lt;?xml version=&quot;1.0&quot;?&gt;{ECHO_ESCAPED}</string>"),
         Expect(ok=True, payload=ECHO), transport="xmlrpc"),
    Case("xmlrpc-untyped-payload-value", xmlrpc_ok(
         "&lt;user id=&quot;12403504@N02&quot;&gt;&lt;username&gt;The British Library"
         "&lt;/username&gt;&lt;/user&gt;"), Expect(ok=True, payload=USER), transport="xmlrpc"),
    Case("xmlrpc-fault-int", xmlrpc_fault(
         "<int>3</int>", "<string>Account is not in that group</string>"), LEAVE_3,
         transport="xmlrpc"),
    Case("xmlrpc-fault-i4", xmlrpc_fault(
         "<i4>3</i4>", "<string>Account is not in that group</string>"), LEAVE_3,
         transport="xmlrpc"),
    Case("xmlrpc-fault-string-code", xmlrpc_fault(
         "<string>105</string>", "<string>Service currently unavailable</string>"),
         UNAVAILABLE_105, transport="xmlrpc"),
    Case("xmlrpc-fault-untyped-string", xmlrpc_fault(
         "<int>100</int>", "Invalid API Key"), API_KEY_100, transport="xmlrpc"),
    Case("xmlrpc-fault-untyped-code", xmlrpc_fault(
         " 100 ", "<string>Invalid API Key</string>"), API_KEY_100, transport="xmlrpc"),
    Case("xmlrpc-fault-non-numeric-code", xmlrpc_fault(
         "<string>flickr.error.x</string>", "<string>Oops</string>"), decode_fault(),
         transport="xmlrpc"),
    Case("xmlrpc-fault-entities-and-whitespace", xmlrpc_fault(
         "<int>1</int>", "<string>\n\t\tPhoto &quot;1&quot; &amp; friends  \n\t</string>"),
         Expect(code=1, message='Photo "1" & friends', origin="api"), transport="xmlrpc"),
    Case("xmlrpc-string-payload-bare-text", xmlrpc_ok("<string>Internal error</string>"),
         decode_fault(), transport="xmlrpc"),
    Case("soap-escaped-payload-bare-text", soap_ok("Internal error"), decode_fault(),
         transport="soap"),
    Case("xmlrpc-fault-without-struct", b"<methodResponse><fault/></methodResponse>",
         decode_fault(), transport="xmlrpc"),
    Case("xmlrpc-no-params", b"<methodResponse></methodResponse>", decode_fault(),
         transport="xmlrpc"),
    # JSON variants.
    Case("json-code-as-string", b'{"stat":"fail","code":"2","message":"Group does not exist"}',
         Expect(code=2, message="Group does not exist", origin="api"),
         transport="soap", codec="json"),
    Case("json-code-not-a-number", b'{"stat":"fail","code":"two","message":"x"}',
         decode_fault(), codec="json"),
    Case("json-message-null", b'{"stat":"fail","code":3,"message":null}',
         Expect(code=3, message="", origin="api"), codec="json"),
    Case("jsonp-default-callback", b'jsonFlickrApi({"stat":"fail","code":3,'
         b'"message":"Account is not in that group"})', LEAVE_3, codec="json"),
    Case("jsonp-default-callback-semicolon", b'jsonFlickrApi({"stat":"fail","code":3,'
         b'"message":"Account is not in that group"});\n', LEAVE_3, codec="json"),
    Case("jsonp-custom-callback", b'  myHandler_2 ( {"stat":"ok","user":{"id":"12403504@N02",'
         b'"username":{"_content":"The British Library"}}} );',
         Expect(ok=True, payload=USER), transport="xmlrpc", codec="json"),
    Case("json-array-body", b'[{"stat":"ok"}]', decode_fault(), codec="json"),
    Case("json-unknown-stat", b'{"stat":"maybe"}', decode_fault(), codec="json"),
    Case("json-no-stat", b'{"code":3,"message":"x"}', decode_fault(), codec="json"),
    Case("json-ok-with-payload-keys", MEMBERS_JSON.replace('"stat":"ok"', '"stat":"ok",'
         '"extra":{"_content":"x"}').encode(), Expect(ok=True, payload={
         **MEMBERS_PAYLOAD, "extra": {"_content": "x"}}), codec="json", method=GET_LIST),
    Case("json-labelled-text-html", b'{"stat":"fail","code":3,"message":'
         b'"Account is not in that group"}', LEAVE_3, codec="json",
         headers={"Content-Type": "text/html; charset=utf-8"}),
    Case("json-trailing-garbage", b'{"stat":"ok"} <!-- cached -->', decode_fault(),
         codec="json"),
    # Byte order marks and charsets.
    Case("xml-utf8-bom", b"\xef\xbb\xbf" + rsp_fail("3", "Account is not in that group"),
         LEAVE_3),
    Case("json-utf8-bom", b'\xef\xbb\xbf{"stat":"fail","code":3,'
         b'"message":"Account is not in that group"}', LEAVE_3, codec="json"),
    Case("xml-utf16-bom", rsp_fail("1", "Caf\xe9").decode().replace("utf-8", "utf-16")
         .encode("utf-16"), CAFE),
    Case("json-utf16-bom", '{"stat":"fail","code":1,"message":"Caf\xe9"}'.encode("utf-16"),
         CAFE, codec="json"),
    Case("xml-latin1-in-prolog", rsp_fail("1", "Caf\xe9").decode()
         .replace("utf-8", "ISO-8859-1").encode("latin-1"), CAFE),
    Case("xmlrpc-latin1-in-prolog", xmlrpc_fault("<int>1</int>", "<string>Caf\xe9</string>")
         .decode().replace("utf-8", "ISO-8859-1").encode("latin-1"), CAFE, transport="xmlrpc"),
    Case("xml-latin1-in-header", '<rsp stat="fail"><err code="1" msg="Caf\xe9" /></rsp>'
         .encode("latin-1"), CAFE, headers={"Content-Type": "text/xml; charset=ISO-8859-1"}),
    Case("xml-latin1-in-header-prolog-without-encoding", '<?xml version="1.0"?>\n<rsp '
         'stat="fail"><err code="1" msg="Caf\xe9" /></rsp>'.encode("latin-1"), CAFE,
         headers={"content-type": "text/xml;charset=iso-8859-1"}),
    Case("json-latin1-in-header", '{"stat":"fail","code":1,"message":"Caf\xe9"}'
         .encode("latin-1"), CAFE, codec="json",
         headers={"Content-Type": 'application/json; charset="ISO-8859-1"'}),
    Case("xml-shift-jis-in-header", f'<rsp stat="fail"><err code="1" msg="{JAPANESE}" />'
         "</rsp>".encode("shift_jis"), Expect(code=1, message=JAPANESE, origin="api"),
         headers={"Content-Type": "text/xml; charset=Shift_JIS"}),
    Case("json-shift-jis-in-header", f'{{"stat":"fail","code":1,"message":"{JAPANESE}"}}'
         .encode("shift_jis"), Expect(code=1, message=JAPANESE, origin="api"), codec="json",
         headers={"Content-Type": "application/json; charset=Shift_JIS"}),
    # An unknown charset name cannot matter to ASCII bytes; it does to anything else.
    Case("invalid-charset-name-ascii-body", b'<rsp stat="fail"><err code="3" msg="Account is '
         b'not in that group" /></rsp>', LEAVE_3,
         headers={"Content-Type": "text/xml; charset=no-such-charset"}),
    Case("invalid-charset-name-ascii-json", b'{"stat":"ok"}', Expect(ok=True, payload={}),
         codec="json", headers={"Content-Type": "application/json; charset=no-such-charset"}),
    Case("invalid-charset-name-non-ascii-body", '<rsp stat="fail"><err code="1" msg="Caf\xe9"'
         " /></rsp>".encode("latin-1"), decode_fault(contains=("no-such-charset",)),
         headers={"Content-Type": "text/xml; charset=no-such-charset"}),
    Case("invalid-charset-name-non-ascii-json", '{"stat":"fail","code":1,"message":"Caf\xe9"}'
         .encode("latin-1"), decode_fault(contains=("no-such-charset",)), codec="json",
         headers={"Content-Type": "application/json; charset=no-such-charset"}),
    # The prolog's own declaration is what an XML parser goes by (XML 1.0 section 4.3.3).
    Case("invalid-charset-in-header-prolog-declares-utf8", rsp_fail(
         "3", "Account is not in that group"), LEAVE_3,
         headers={"Content-Type": "text/xml; charset=no-such-charset"}),
    Case("invalid-charset-name-in-prolog", rsp_fail("3", "x").replace(b"utf-8", b"no-such"),
         decode_fault()),
    Case("invalid-utf8-xml", b'<rsp stat="fail"><err code="1" msg="Caf\xe9" /></rsp>',
         decode_fault()),
    Case("invalid-utf8-json", b'{"stat":"fail","code":1,"message":"Caf\xe9"}',
         decode_fault(), codec="json"),
    Case("invalid-utf8-502", b"Bad gateway \xff\xfe\xfd", http_fault(True), status=502),
    # <rsp> oddities.
    Case("rsp-fail-without-err", f'{PROLOG}<rsp stat="fail">\n</rsp>\n'.encode(),
         decode_fault()),
    Case("rsp-unknown-stat", f'{PROLOG}<rsp stat="meh">\n</rsp>\n'.encode(), decode_fault()),
    Case("rsp-no-stat", b"<rsp><err code='1' msg='x'/></rsp>", decode_fault()),
    Case("unexpected-root-element", f"{PROLOG}<response status='ok'/>".encode(),
         decode_fault()),
    Case("rsp-err-code-not-a-number", rsp_fail("one", "x"), decode_fault()),
    Case("rsp-msg-entities", rsp_fail("1", "Photo &quot;1&quot; &amp; friends &lt;3"),
         Expect(code=1, message='Photo "1" & friends <3', origin="api")),
    Case("rsp-msg-whitespace-trimmed", rsp_fail("3", "  Account is not in that group \t"),
         LEAVE_3),
    Case("rsp-msg-inner-spaces-kept", rsp_fail("1", " Photo  not  found "),
         Expect(code=1, message="Photo  not  found", origin="api")),
    Case("rsp-err-single-quotes", b"<rsp stat='fail'><err code='3' msg='Account is not in "
         b"that group'/></rsp>", LEAVE_3),
    Case("rsp-with-comment-and-pi", f"{PROLOG}<!-- cache hit --><rsp stat='ok'><?php x ?>"
         f"{USER_XML}</rsp>".encode(), Expect(ok=True, payload=USER)),
    # Words that hostile documents use are fine as content (escaped, they are only text).
    Case("rest-payload-mentions-xinclude-and-doctype", rsp_ok(
         '<group id="1@N01" name="XInclude &amp; &lt;!DOCTYPE&gt; fans" />'),
         Expect(ok=True, payload={"group": {"id": "1@N01", "name": "XInclude & <!DOCTYPE> fans"}})),
    Case("xmlrpc-payload-mentions-xinclude", xmlrpc_ok(
         "<string>&lt;group name=&quot;xinclude&quot; /&gt;</string>"),
         Expect(ok=True, payload={"group": {"name": "xinclude"}}), transport="xmlrpc"),
    Case("soap-fault-mentions-xinclude", soap_fault("flickr.error.1", "No XInclude here"),
         Expect(code=1, message="No XInclude here", origin="api"), transport="soap"),
    # Catalogue list hints: one <member> is still a list.
    Case("list-hint-rest-xml", rsp_ok(MEMBERS_XML), Expect(ok=True, payload=MEMBERS_PAYLOAD),
         method=GET_LIST),
    Case("list-hint-rest-json", MEMBERS_JSON.encode(), Expect(ok=True, payload=MEMBERS_PAYLOAD),
         codec="json", method=GET_LIST),
    Case("list-hint-xmlrpc-xml", xmlrpc_ok("<string>" + html.escape(MEMBERS_XML, False)
         + "</string>"), Expect(ok=True, payload=MEMBERS_PAYLOAD), transport="xmlrpc",
         method=GET_LIST),
    Case("list-hint-soap-xml", soap_ok(html.escape(MEMBERS_XML, False)),
         Expect(ok=True, payload=MEMBERS_PAYLOAD), transport="soap", method=GET_LIST),
    Case("list-hint-soap-json", MEMBERS_JSON.encode(), Expect(ok=True, payload=MEMBERS_PAYLOAD),
         transport="soap", codec="json", method=GET_LIST),
    # Not Flickr at all.
    Case("plain-text-200", b"Hello", decode_fault()),
    Case("plain-text-500", b"Internal Server Error", http_fault(True), status=500),
    Case("plain-text-429", b"Too Many Requests", http_fault(True), codec="json", status=429),
    Case("plain-text-404", b"Not Found", http_fault(False), status=404),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_situation_decodes_to_the_expected_result(case: Case) -> None:
    result = decode(
        case.body,
        transport=case.transport,
        codec=case.codec,
        status=case.status,
        headers=case.headers,
        method=case.method,
    )
    check(result, case.expect)
    assert (result.transport, result.codec, result.http_status) == (
        case.transport,
        case.codec,
        case.status,
    )
    assert result.method == case.method
    assert result.raw == case.body


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_body_over_max_bytes_is_a_decode_fault_without_parsing(transport: str) -> None:
    body = rsp_ok("<photos>" + '<photo id="1" />' * 100 + "</photos>")
    result = decode(body, transport=transport, max_bytes=len(body) - 1)
    check(result, decode_fault(contains=(str(len(body) - 1),)))
    assert decode(body, transport=transport, max_bytes=len(body)).ok


def test_default_max_bytes_refuses_a_body_one_byte_over() -> None:
    body = b" " * MAX_BODY_BYTES + b'{"stat":"ok"}'
    check(decode(body, codec="json"), decode_fault())


def test_headers_are_matched_case_insensitively() -> None:
    body = '{"stat":"fail","code":1,"message":"Caf\xe9"}'.encode("latin-1")
    for name in ("content-type", "Content-Type", "CONTENT-TYPE"):
        result = decode(body, codec="json", headers={name: "application/json; charset=latin-1"})
        check(result, CAFE)
