"""The two payload codecs: XML <-> Flickr-JSON shape, list hints, JSON/JSONP reading and
the exact bytes both encoders write (checked against Flickr's recorded layout)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sampledir import SAMPLES, needs_samples

from flickrwire.codecs import BodyError, apply_list_hints, json as jsoncodec, xml as xmlcodec
from flickrwire.result import Fault, Result, failure, success

# -- XML payload -> Flickr-JSON shape ------------------------------------------------

CONVERSIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("empty", "", {}),
    ("whitespace-only", " \n\t ", {}),
    ("attributes-become-keys", '<user id="1@N01" ispro="0" />',
     {"user": {"id": "1@N01", "ispro": "0"}}),
    ("text-becomes-content", "<username>The British Library</username>",
     {"username": {"_content": "The British Library"}}),
    ("attributes-and-text", '<title lang="en">Bees</title>',
     {"title": {"lang": "en", "_content": "Bees"}}),
    ("text-kept-verbatim", "<description>\n Two  lines\n</description>",
     {"description": {"_content": "\n Two  lines\n"}}),
    ("whitespace-only-text-ignored", '<members total="0">\n\t\n</members>',
     {"members": {"total": "0"}}),
    ("empty-element", "<group />", {"group": {}}),
    ("repeated-children-become-list", '<photos><photo id="1" /><photo id="2" /></photos>',
     {"photos": {"photo": [{"id": "1"}, {"id": "2"}]}}),
    ("three-repeats", "<a><b>1</b><b>2</b><b>3</b></a>",
     {"a": {"b": [{"_content": "1"}, {"_content": "2"}, {"_content": "3"}]}}),
    ("one-child-stays-object", '<photos><photo id="1" /></photos>',
     {"photos": {"photo": {"id": "1"}}}),
    ("several-top-level", "<method>flickr.test.echo</method><name>value</name>",
     {"method": {"_content": "flickr.test.echo"}, "name": {"_content": "value"}}),
    ("repeated-top-level", '<photo id="1" /><photo id="2" />',
     {"photo": [{"id": "1"}, {"id": "2"}]}),
    ("nested-objects", '<user id="1"><username>u</username><location>L</location></user>',
     {"user": {"id": "1", "username": {"_content": "u"}, "location": {"_content": "L"}}}),
    ("interleaved-repeats-collected", "<a><b>1</b><c>x</c><b>2</b></a>",
     {"a": {"b": [{"_content": "1"}, {"_content": "2"}], "c": {"_content": "x"}}}),
    ("namespaced-by-local-name", '<f:user xmlns:f="/ns/api#" id="1"><f:name>n</f:name></f:user>',
     {"user": {"id": "1", "name": {"_content": "n"}}}),
    ("default-namespace-by-local-name", '<user xmlns="/ns/api#"><name>n</name></user>',
     {"user": {"name": {"_content": "n"}}}),
    ("entities-unescaped", '<t a="&quot;q&quot; &amp; &lt;">&lt;b&gt; &amp; &#233;</t>',
     {"t": {"a": '"q" & <', "_content": "<b> & \xe9"}}),
    ("cdata-is-text", "<t><![CDATA[<b>bold</b>]]></t>", {"t": {"_content": "<b>bold</b>"}}),
    ("comments-dropped", "<!-- x --><t><!-- y -->v</t>", {"t": {"_content": "v"}}),
    ("xml-declaration-skipped", '<?xml version="1.0" encoding="utf-8" ?>\n<t>v</t>',
     {"t": {"_content": "v"}}),
    ("unicode", "<t name=\"\u5199\u771f\">\U0001f41d</t>",
     {"t": {"name": "\u5199\u771f", "_content": "\U0001f41d"}}),
]  # fmt: skip


@pytest.mark.parametrize(("fragment", "payload"), [c[1:] for c in CONVERSIONS],
                         ids=[c[0] for c in CONVERSIONS])  # fmt: skip
def test_fragment_payload_follows_flickr_json_rules(fragment: str, payload: dict[str, Any]) -> None:
    assert xmlcodec.fragment_payload(fragment, "flickr.test.echo") == payload


@pytest.mark.parametrize(
    "fragment",
    ["<a>", "<a></b>", "text only", "<a x=1/>", "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>"],
    ids=["unclosed", "mismatched", "bare-text", "unquoted-attribute", "doctype"],
)
def test_fragment_payload_refuses_bad_fragment(fragment: str) -> None:
    with pytest.raises(BodyError):
        xmlcodec.fragment_payload(fragment, "")


def test_fragment_payload_applies_the_method_list_hints() -> None:
    fragment = '<members page="1" total="1"><member nsid="1@N01" /></members>'
    plain = xmlcodec.fragment_payload(fragment, "flickr.test.echo")
    hinted = xmlcodec.fragment_payload(fragment, "flickr.groups.members.getList")
    assert plain["members"]["member"] == {"nsid": "1@N01"}
    assert hinted["members"]["member"] == [{"nsid": "1@N01"}]


# -- list hints ----------------------------------------------------------------------

HINTS: list[tuple[str, dict[str, Any], tuple[str, ...], dict[str, Any]]] = [
    ("one-object-wrapped", {"photos": {"photo": {"id": "1"}}}, ("photos.photo",),
     {"photos": {"photo": [{"id": "1"}]}}),
    ("list-left-alone", {"photos": {"photo": [{"id": "1"}, {"id": "2"}]}}, ("photos.photo",),
     {"photos": {"photo": [{"id": "1"}, {"id": "2"}]}}),
    ("missing-list-becomes-empty", {"photos": {"total": "0"}}, ("photos.photo",),
     {"photos": {"total": "0", "photo": []}}),
    ("missing-parent-no-op", {}, ("photos.photo",), {}),
    ("scalar-left-alone", {"photos": {"photo": "1"}}, ("photos.photo",),
     {"photos": {"photo": "1"}}),
    ("top-level-path", {"photo": {"id": "1"}}, ("photo",), {"photo": [{"id": "1"}]}),
    ("through-a-list", {"sets": [{"photo": {"id": "1"}}, {"photo": {"id": "2"}}]},
     ("sets.photo",), {"sets": [{"photo": [{"id": "1"}]}, {"photo": [{"id": "2"}]}]}),
    ("several-paths", {"errors": {"error": {"code": "1"}}, "arguments": {"argument": {}}},
     ("errors.error", "arguments.argument"),
     {"errors": {"error": [{"code": "1"}]}, "arguments": {"argument": [{}]}}),
    ("no-paths", {"photos": {"photo": {"id": "1"}}}, (), {"photos": {"photo": {"id": "1"}}}),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "paths", "expected"), [h[1:] for h in HINTS],
                         ids=[h[0] for h in HINTS])  # fmt: skip
def test_apply_list_hints(
    payload: dict[str, Any], paths: tuple[str, ...], expected: dict[str, Any]
) -> None:
    assert apply_list_hints(payload, paths) == expected


def test_apply_list_hints_works_in_place_and_is_idempotent() -> None:
    payload: dict[str, Any] = {"photos": {"photo": {"id": "1"}}}
    returned = apply_list_hints(payload, ("photos.photo",))
    assert returned is payload
    assert apply_list_hints(payload, ("photos.photo",)) == {"photos": {"photo": [{"id": "1"}]}}


# -- JSON load -----------------------------------------------------------------------

LOADS: list[tuple[str, str, dict[str, Any]]] = [
    ("plain", '{"stat":"ok"}', {"stat": "ok"}),
    ("surrounding-whitespace", ' \n{"stat":"ok"}\n ', {"stat": "ok"}),
    ("jsonp-default", 'jsonFlickrApi({"stat":"ok"})', {"stat": "ok"}),
    ("jsonp-semicolon", 'jsonFlickrApi({"stat":"ok"});', {"stat": "ok"}),
    ("jsonp-spaces", ' jsonFlickrApi ( {"stat":"ok"} ) ;\n', {"stat": "ok"}),
    ("jsonp-custom", 'my_cb2({"stat":"ok"})', {"stat": "ok"}),
    ("jsonp-dollar-dotted", '$.app.cb({"stat":"ok"})', {"stat": "ok"}),
    ("jsonp-paren-in-string", 'jsonFlickrApi({"message":"a) b("})', {"message": "a) b("}),
    ("trailing-comma", '{"stat":"fail","code":201},', {"stat": "fail", "code": 201}),
    ("trailing-semicolon", '{"stat":"ok"};', {"stat": "ok"}),
    ("unicode-escapes", '{"m":"Caf\\u00e9 \\ud83d\\udc1d"}', {"m": "Caf\xe9 \U0001f41d"}),
    ("nested", '{"a":{"b":[1,"2",{"_content":"c"}]}}', {"a": {"b": [1, "2", {"_content": "c"}]}}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "obj"), [c[1:] for c in LOADS], ids=[c[0] for c in LOADS])
def test_json_load(text: str, obj: dict[str, Any]) -> None:
    assert jsoncodec.load(text) == obj


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        '{"stat":"ok"',
        "[]",
        '"ok"',
        "null",
        '{"stat":"ok"} {"stat":"ok"}',
        '{"stat":"ok"} trailing',
        'jsonFlickrApi({"stat":"ok"}',
        'jsonFlickrApi([{"stat":"ok"}])',
        "jsonFlickrApi()",
        "{'stat':'ok'}",
    ],
    ids=[
        "empty",
        "open-brace",
        "unclosed-object",
        "array",
        "string",
        "null",
        "two-objects",
        "trailing-word",
        "jsonp-unclosed",
        "jsonp-array",
        "jsonp-empty",
        "single-quotes",
    ],
)
def test_json_load_refuses(text: str) -> None:
    with pytest.raises(BodyError):
        jsoncodec.load(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"stat":"ok"}', True),
        ('  \n{"stat":"ok"}', True),
        ('jsonFlickrApi({"stat":"ok"})', True),
        ('cb ({"stat":"ok"})', True),
        ("<rsp/>", False),
        ("oauth_problem=x", False),
        ("[1]", False),
        ("", False),
    ],
)
def test_looks_like_json(text: str, expected: bool) -> None:
    assert jsoncodec.looks_like_json(text) is expected


def test_json_read_ok_drops_stat_and_applies_hints() -> None:
    obj = {"members": {"member": {"nsid": "1@N01"}, "total": 1}, "stat": "ok"}
    payload, fault = jsoncodec.read(obj, "flickr.groups.members.getList")
    assert fault is None
    assert payload == {"members": {"member": [{"nsid": "1@N01"}], "total": 1}}


@pytest.mark.parametrize("code", [3, "3", " 3 "], ids=["number", "string", "padded-string"])
def test_json_read_fail_code_forms(code: object) -> None:
    obj = {"stat": "fail", "code": code, "message": " Account is not in that group "}
    payload, fault = jsoncodec.read(obj, "flickr.groups.leave")
    assert payload == {}
    assert fault == Fault(3, "Account is not in that group", "api", False)


# -- XML encode: Flickr's layout byte for byte ---------------------------------------


def rest(result_fault: Fault | None, payload: dict[str, Any] | None = None) -> Result:
    if result_fault is None:
        return success("m", payload or {}, transport="rest", codec="xml", status=200, raw=b"")
    return failure("m", result_fault, transport="rest", codec="xml", status=200, raw=b"")


ENCODED_SAMPLES: list[tuple[str, Result]] = [
    ("rest-xml-ok-empty.xml", rest(None)),
    (
        "rest-xml-fail-code1-photo-not-found-invalid-id.xml",
        rest(Fault.from_code(1, 'Photo "1" not found (invalid ID)')),
    ),
    (
        "rest-xml-fail-code100-invalid-api-key.xml",
        rest(Fault.from_code(100, "Invalid API Key (Key has invalid format)")),
    ),
    (
        "rest-xml-fail-code201-service-not-available.xml",
        rest(Fault.from_code(201, "Sorry, the Flickr API service is not currently available.")),
    ),
    ("upload-xml-ok-photoid.xml", rest(None, {"photoid": {"_content": "41234567890"}})),
]


@needs_samples
@pytest.mark.parametrize(("name", "result"), ENCODED_SAMPLES, ids=[n for n, _ in ENCODED_SAMPLES])
def test_xml_encode_matches_flickr_bytes(name: str, result: Result) -> None:
    assert xmlcodec.encode(result) == (SAMPLES / name).read_bytes()


def test_xml_encode_escapes_attribute_and_text_content() -> None:
    payload = {"t": {"a": '"q" & <\'>\n\t', "_content": "x < y & z > w \"'"}}
    body = xmlcodec.encode(rest(None, payload))
    assert body == (
        b'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok">\n'
        b'<t a="&quot;q&quot; &amp; &lt;\'&gt;&#10;&#9;">x &lt; y &amp; z &gt; w "\'</t>\n'
        b"</rsp>\n"
    )


def test_xml_encode_fault_message_escaped_like_flickr() -> None:
    body = xmlcodec.encode(rest(Fault.from_code(1, 'Tag "a&b" <bad>')))
    assert b'msg="Tag &quot;a&amp;b&quot; &lt;bad&gt;"' in body


def test_payload_fragment_lists_repeat_the_element() -> None:
    payload = {"photo": [{"id": "1"}, {"id": "2"}], "total": {"_content": "2"}}
    assert xmlcodec.payload_fragment(payload) == (
        '<photo id="1" /><photo id="2" /><total>2</total>'
    )


def test_payload_fragment_scalars_as_flickr_json_mixes_them() -> None:
    payload = {"method": {"needslogin": 1, "needssigning": True, "name": "n"}}
    assert xmlcodec.payload_fragment(payload) == (
        '<method needslogin="1" needssigning="1" name="n" />'
    )


# -- JSON encode ---------------------------------------------------------------------


def test_json_encode_fault_shape() -> None:
    result = failure(
        "flickr.groups.leave",
        Fault.from_code(3, "Account is not in that group"),
        transport="rest",
        codec="json",
        status=200,
        raw=b"",
    )
    assert jsoncodec.encode(result) == (
        b'{"stat":"fail","code":3,"message":"Account is not in that group"}'
    )


def test_json_encode_success_puts_stat_last_as_flickr_does() -> None:
    result = success(
        "m", {"user": {"id": "1"}}, transport="soap", codec="json", status=200, raw=b""
    )
    assert jsoncodec.encode(result) == b'{"user":{"id":"1"},"stat":"ok"}'
    assert jsoncodec.encode(rest(None)) == b'{"stat":"ok"}'


def test_json_encode_non_ascii_is_utf8_json() -> None:
    result = failure("m", Fault.from_code(1, 'Caf\xe9 "\u5199"'), transport="rest",
                     codec="json", status=200, raw=b"")  # fmt: skip
    body = jsoncodec.encode(result)
    assert json.loads(body.decode("utf-8")) == {
        "stat": "fail",
        "code": 1,
        "message": 'Caf\xe9 "\u5199"',
    }


@pytest.mark.parametrize("callback", ["jsonFlickrApi", "myHandler_2", "$.cb"])
def test_json_encode_jsonp(callback: str) -> None:
    result = failure("m", Fault.from_code(105, "Service currently unavailable"),
                     transport="rest", codec="json", status=200, raw=b"")  # fmt: skip
    body = jsoncodec.encode(result, callback=callback).decode()
    assert body == (
        f'{callback}({{"stat":"fail","code":105,"message":"Service currently unavailable"}})'
    )
    payload, fault = jsoncodec.decode(body, "m")
    assert (payload, fault) == ({}, result.fault)
