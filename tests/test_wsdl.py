"""The shipped ``flickr.wsdl``: zeep loads it hardened and offline, and what zeep builds from
it has the shape of what ``SOAPTransport`` puts on the wire."""

from __future__ import annotations

import importlib.resources
from collections.abc import Iterator
from pathlib import Path

import pytest
import zeep
import zeep.exceptions
from lxml import etree

from flickrwire import transports
from flickrwire.auth import Credentials, Signer, SigningMode
from flickrwire.call import Call
from flickrwire.codecs import xml as xmlcodec
from flickrwire.result import success
from flickrwire.transports import soap, wsdl

BASE_URL = "https://api.flickr.com/services/"
XSD = "http://www.w3.org/2001/XMLSchema"
LEAVE_ARGS = {"group_id": "34427469792@N01", "delete_photos": True}


@pytest.fixture(scope="module")
def wsdl_path() -> Iterator[Path]:
    with wsdl.wsdl_path() as path:
        yield path


@pytest.fixture(scope="module")
def client(wsdl_path: Path) -> zeep.Client:
    return wsdl.zeep_client()


def our_envelope(signer: Signer) -> etree._Element:
    call = Call.build("flickr.groups.leave", LEAVE_ARGS)
    request = transports.get("soap").build_request(call, "xml", signer, BASE_URL)
    return etree.fromstring(request.content)


def zeep_envelope(client: zeep.Client, params: list[tuple[str, str]]) -> etree._Element:
    """The envelope zeep sends for a call: ``method`` by name, the rest via ``xsd:any``."""
    (method_name, method), *rest = params
    assert method_name == "method"
    children = []
    for name, value in rest:
        child = etree.Element(name)
        child.text = value
        children.append(child)
    message = client.create_message(
        client.service, "FlickrRequest", method=method, _value_1=children
    )
    # Compare what goes on the wire: zeep's tree serialised, then parsed back.
    return etree.fromstring(etree.tostring(message, xml_declaration=True, encoding="utf-8"))


def body_child(envelope: etree._Element) -> etree._Element:
    body = envelope.find(f"{{{etree.QName(envelope).namespace}}}Body")
    assert body is not None
    return body[0]


def children(request: etree._Element) -> list[tuple[str, str]]:
    return [(str(item.tag), item.text or "") for item in request]


def embedded_schema(wsdl_path: Path) -> etree.XMLSchema:
    root = etree.parse(str(wsdl_path)).getroot()
    schema = root.find(f".//{{{XSD}}}schema")
    assert schema is not None
    return etree.XMLSchema(schema)


def test_wsdl_is_reachable_as_package_data() -> None:
    resource = importlib.resources.files("flickrwire.transports") / "flickr.wsdl"
    assert resource.is_file()
    assert b'targetNamespace="urn:flickr"' in resource.read_bytes()


def test_zeep_loads_the_wsdl_offline_with_hardened_settings(client: zeep.Client) -> None:
    binding = client.service._binding
    assert type(binding).__name__ == "Soap12Binding"
    assert binding.name == etree.QName("urn:flickr", "FlickrSOAP12Binding")
    assert client.service._binding_options["address"] == "https://api.flickr.com/services/soap/"
    operation = binding.get("FlickrRequest")
    assert operation.input.body.qname == etree.QName("urn:flickr", "FlickrRequest")
    assert operation.output.body.qname == etree.QName("urn:flickr", "FlickrResponse")


def test_zeep_envelope_has_the_shape_of_ours(client: zeep.Client) -> None:
    ours = our_envelope(Signer(None, "none"))
    params = children(body_child(ours))
    assert [name for name, _ in params] == ["method", "group_id", "delete_photos", "format"]
    theirs = zeep_envelope(client, params)
    assert etree.QName(theirs).namespace == etree.QName(ours).namespace == soap.SOAP12
    assert etree.QName(theirs).localname == etree.QName(ours).localname == "Envelope"
    assert body_child(theirs).tag == body_child(ours).tag == "{urn:flickr}FlickrRequest"
    assert children(body_child(theirs)) == params
    assert params[:3] == [
        ("method", "flickr.groups.leave"),
        ("group_id", "34427469792@N01"),
        ("delete_photos", "1"),
    ]


@pytest.mark.parametrize(
    ("mode", "credential_children"),
    [
        ("oauth", {"oauth_consumer_key", "oauth_token", "oauth_nonce", "oauth_signature"}),
        ("legacy", {"api_key", "auth_token", "api_sig"}),
    ],
)
def test_zeep_envelope_matches_a_signed_request(
    client: zeep.Client, mode: SigningMode, credential_children: set[str]
) -> None:
    credentials = Credentials("key", "secret", "token", "token-secret")
    signer = Signer(credentials, mode, nonce=lambda: "0" * 32, clock=lambda: 1700000000)
    params = children(body_child(our_envelope(signer)))
    assert {name for name, _ in params} >= credential_children
    assert children(body_child(zeep_envelope(client, params))) == params


def test_our_request_validates_against_the_wsdl_schema(wsdl_path: Path) -> None:
    schema = embedded_schema(wsdl_path)
    request = body_child(our_envelope(Signer(None, "none")))
    schema.assertValid(request)


@pytest.mark.parametrize(
    ("fragment", "why"),
    [
        ("<group_id>1</group_id>", "method missing"),
        ("<group_id>1</group_id><method>flickr.groups.leave</method>", "method not first"),
        ('<method>flickr.groups.leave</method><y:group_id xmlns:y="urn:y">1</y:group_id>', "ns"),
        ('<x:method xmlns:x="urn:flickr">flickr.groups.leave</x:method>', "method qualified"),
    ],
)
def test_schema_rejects_requests_flickr_would_not_read(
    wsdl_path: Path, fragment: str, why: str
) -> None:
    schema = embedded_schema(wsdl_path)
    request = etree.fromstring(
        f'<x:FlickrRequest xmlns:x="urn:flickr">{fragment}</x:FlickrRequest>'
    )
    assert not schema.validate(request), why


def test_zeep_reads_the_escaped_payload_we_render(client: zeep.Client) -> None:
    payload = {"method": {"_content": "flickr.test.echo"}, "name": {"_content": "a & <b>"}}
    result = success(
        "flickr.test.echo", payload, transport="soap", codec="xml", status=200, raw=b""
    )
    body = transports.get("soap").render_response(result, "xml")
    operation = client.service._binding.get("FlickrRequest")
    text = operation.output.deserialize(etree.fromstring(body))
    assert text == "<method>flickr.test.echo</method><name>a &amp; &lt;b&gt;</name>"
    assert xmlcodec.fragment_payload(text, "flickr.test.echo") == payload


def _variant(wsdl_path: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = wsdl_path.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "variant.wsdl"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_zeep_refuses_a_wsdl_with_a_dtd(wsdl_path: Path, tmp_path: Path) -> None:
    doctype = '<!DOCTYPE wsdl:definitions [<!ENTITY x "expanded">]>\n<wsdl:definitions'
    path = _variant(wsdl_path, tmp_path, "<wsdl:definitions", doctype)
    with pytest.raises(zeep.exceptions.DTDForbidden):
        wsdl.zeep_client(path)


def test_zeep_refuses_an_external_schema_import(wsdl_path: Path, tmp_path: Path) -> None:
    schema_open = '<xsd:schema targetNamespace="urn:flickr" elementFormDefault="unqualified">'
    remote = (
        f'{schema_open}<xsd:import namespace="urn:elsewhere" '
        'schemaLocation="https://schemas.example.invalid/elsewhere.xsd"/>'
    )
    path = _variant(wsdl_path, tmp_path, schema_open, remote)
    with pytest.raises(zeep.exceptions.ExternalReferenceForbidden):
        wsdl.zeep_client(path)
