"""The zeep bridge: zeep on the shipped WSDL (``wsdl.zeep_client``), whose service
address is Flickr's, re-targeted to the emulator over each protocol; Flickr's faults reach
zeep as ``Fault(code="flickr.error.N")``; recorded and replayed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import zeep
import zeep.exceptions
from lxml import etree

from flickrwire import Credentials, Result
from flickrwire.auth import legacy_signature
from flickrwire.bridges.emulated import EmulatorHandle
from flickrwire.bridges.zeep import FlickrFaults
from flickrwire.transports import wsdl

from .conftest import GROUP, MISSING, VIAS, NoServer, assert_redacted

EXPECTED = [
    ("echo", "x"),
    ("leave", "ok"),
    ("leave", "flickr.error.3"),
    ("leave", "flickr.error.2"),
    ("bad key", "flickr.error.100"),
]
BAD_KEY = "0123456789abcdef0123456789abcdef"


def call(client: Any, method: str, **params: str) -> Any:
    children = []
    for name, value in params.items():
        child = etree.Element(name)
        child.text = value
        children.append(child)
    return client.service.FlickrRequest(method=method, _value_1=children)


def legacy(creds: Credentials, method: str, **params: str) -> dict[str, str]:
    signed = {"api_key": creds.api_key, "auth_token": creds.oauth_token or "", **params}
    signed["api_sig"] = legacy_signature(creds.api_secret, {"method": method, **signed})
    return signed


def outcome(label: str, client: Any, method: str, **params: str) -> tuple[str, Any]:
    try:
        answer = call(client, method, **params)
    except zeep.exceptions.Fault as fault:  # zeep's own exception
        return label, fault.code
    if label == "echo":
        return label, "x" if "<name>x</name>" in answer else answer
    return label, answer or "ok"


def run(creds: Credentials, **bridge: Any) -> list[tuple[str, Any]]:
    client = wsdl.zeep_client(credentials=creds, **bridge)
    leave = "flickr.groups.leave"
    try:
        return [
            outcome("echo", client, "flickr.test.echo", api_key=creds.api_key, name="x"),
            outcome("leave", client, leave, **legacy(creds, leave, group_id=GROUP)),
            outcome("leave", client, leave, **legacy(creds, leave, group_id=GROUP)),
            outcome("leave", client, leave, **legacy(creds, leave, group_id=MISSING)),
            outcome("bad key", client, "flickr.test.echo", api_key=BAD_KEY, name="bad"),
        ]
    finally:
        client.transport.close()


@pytest.mark.parametrize("via", VIAS)
def test_zeep_over_each_protocol(emulator: EmulatorHandle, via: str | None) -> None:
    seen: list[Result] = []
    found = run(
        emulator.credentials("bob"), target=emulator.base_url, via=via, on_result=seen.append
    )
    assert found == EXPECTED
    assert [e.transport for e in emulator.requests()] == [via or "soap"] * 5
    assert [r.fault.code if r.fault else None for r in seen] == [None, None, 3, 2, 100]


def test_fault_message_and_detail(emulator: EmulatorHandle) -> None:
    client = wsdl.zeep_client(target=emulator.base_url)
    with pytest.raises(zeep.exceptions.Fault) as raised:
        call(client, "flickr.test.echo", api_key=BAD_KEY)
    client.transport.close()
    assert raised.value.code == "flickr.error.100"
    assert raised.value.message.startswith("Invalid API Key")
    detail = raised.value.detail
    assert [etree.QName(e).localname for e in detail] == [
        "faultcode",
        "faultstring",
        "faultactor",
        "details",
    ]


def test_without_the_plugin_zeep_sees_no_code(emulator: EmulatorHandle) -> None:
    """What the issue met: zeep alone reads Fault(code=None, message=None)."""
    from flickrwire.bridges.zeep import Transport

    with wsdl.wsdl_path() as path:
        bare = zeep.Client(
            str(path),
            settings=wsdl.hardened_settings(),
            transport=Transport(target=emulator.base_url),
        )
    with pytest.raises(zeep.exceptions.Fault) as raised:
        call(bare, "flickr.test.echo", api_key=BAD_KEY)
    bare.transport.close()
    assert (raised.value.code, raised.value.message) == (None, None)


def test_plugin_leaves_answers_and_soap12_faults_alone() -> None:
    plugin = FlickrFaults()
    ok = etree.fromstring(
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        b'<x:FlickrResponse xmlns:x="urn:flickr">&lt;a/&gt;</x:FlickrResponse></s:Body>'
        b"</s:Envelope>"
    )
    before = etree.tostring(ok)
    assert etree.tostring(plugin.ingress(ok, {}, None)[0]) == before
    soap12 = etree.fromstring(
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault>'
        b"<s:Code><s:Value>s:Receiver</s:Value></s:Code>"
        b"<s:Reason><s:Text>busy</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"
    )
    before = etree.tostring(soap12)
    assert etree.tostring(plugin.ingress(soap12, {}, None)[0]) == before


@pytest.mark.parametrize("via", VIAS)
def test_recorded_then_replayed_offline(
    emulator: EmulatorHandle, via: str | None, tmp_path: Path, no_server: NoServer
) -> None:
    bob = emulator.credentials("bob")
    folder = tmp_path / "cassette"
    recorded = run(bob, target=emulator.base_url, via=via, record=folder, mode="once")
    assert recorded == EXPECTED
    assert_redacted(folder, bob)
    emulator.reset()
    closed = "http://127.0.0.1:9/services/"
    replayed = run(bob, target=closed, via=via, record=folder, mode="none", inner=no_server)
    assert replayed == EXPECTED
    assert no_server.sent == []
    assert emulator.request_count() == 0
