"""The httpx bridge: an httpx-based client (flickrwire's own Client, and plain httpx)
addressing Flickr, re-targeted to the emulator over each protocol, recorded, replayed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from flickrwire import AsyncClient, Client, Credentials, Result
from flickrwire.bridges.core import BridgeError
from flickrwire.bridges.emulated import EmulatorHandle
from flickrwire.bridges.httpx import AsyncFlickrTransport, FlickrTransport
from flickrwire.errors import APIError, AuthError
from flickrwire.transports import xmlrpc

from .conftest import FLICKR, GROUP, MISSING, VIAS, NoServer

EXPECTED = [("echo", "x"), ("leave", "ok"), ("leave", 3), ("leave", 2), ("bad key", 100)]
BAD_KEY = Credentials("0123456789abcdef0123456789abcdef", "feedfacecafebeef")


def outcome(name: str, result: Result) -> tuple[str, Any]:
    try:
        result.raise_for_fault()
    except APIError as exc:  # the client's own exception tree
        return name, exc.code
    return name, result.payload["name"]["_content"] if name == "echo" else "ok"


def run(
    creds: Credentials, transport: str, inner: httpx.BaseTransport | None = None, **bridge: Any
) -> list[tuple[str, Any]]:
    found = []
    for who, calls in ((creds, ("echo", "leave", "leave", "missing")), (BAD_KEY, ("bad",))):
        wire = FlickrTransport(inner, credentials=who, **bridge)
        with Client(transport, "json", who, http_client=httpx.Client(transport=wire)) as client:
            for name in calls:
                if name == "echo":
                    found.append(outcome("echo", client.test.echo(name="x")))
                elif name == "bad":
                    found.append(outcome("bad key", client.test.echo(name="bad")))
                else:
                    group = MISSING if name == "missing" else GROUP
                    found.append(outcome("leave", client.groups.leave(group_id=group)))
            client.http.close()
    return found


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("transport", ["rest", "soap"])
def test_client_over_each_protocol(
    emulator: EmulatorHandle, transport: str, via: str | None
) -> None:
    seen: list[Result] = []
    found = run(
        emulator.credentials("bob"),
        transport,
        target=emulator.base_url,
        via=via,
        on_result=seen.append,
    )
    assert found == EXPECTED
    assert [e.transport for e in emulator.requests()] == [via or transport] * 5
    assert [r.transport for r in seen] == [via or transport] * 5


def test_the_bad_key_is_an_auth_error(emulator: EmulatorHandle) -> None:
    wire = FlickrTransport(target=emulator.base_url, via="xmlrpc", credentials=BAD_KEY)
    with (
        httpx.Client(transport=wire) as http,
        Client("soap", "xml", BAD_KEY, http_client=http) as c,
    ):
        result = c.test.echo()
    with pytest.raises(AuthError) as raised:
        result.raise_for_fault()
    assert raised.value.code == 100


async def test_async_transport(emulator: EmulatorHandle) -> None:
    bob = emulator.credentials("bob")
    wire = AsyncFlickrTransport(target=emulator.base_url, via="soap", credentials=bob)
    async with httpx.AsyncClient(transport=wire) as http:
        client = AsyncClient("rest", "xml", bob, http_client=http)
        first = await client.groups.leave(group_id=GROUP)
        second = await client.groups.leave(group_id=GROUP)
    assert first.ok and first.payload == {}
    assert second.fault is not None and second.fault.code == 3
    assert [e.transport for e in emulator.requests()] == ["soap", "soap"]


def test_plain_httpx_xmlrpc_call_over_rest(emulator: EmulatorHandle) -> None:
    """An XML-RPC request re-sent over REST gets an XML-RPC methodResponse back."""
    body = xmlrpc.method_call("flickr.test.echo", {"api_key": emulator.api_key, "name": "p"})
    wire = FlickrTransport(target=emulator.base_url, via="rest")
    with httpx.Client(transport=wire) as http:
        answer = http.post(FLICKR + "xmlrpc/", content=body)
    assert answer.headers["content-type"] == xmlrpc.CONTENT_TYPE
    assert answer.text.startswith('<?xml version="1.0" encoding="utf-8" ?>\n<methodResponse>')
    assert "&lt;name&gt;p&lt;/name&gt;" in answer.text
    assert [e.transport for e in emulator.requests()] == ["rest"]


def test_other_hosts_go_to_the_inner_transport_untouched() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    wire = FlickrTransport(httpx.MockTransport(handler), target="http://127.0.0.1:9/services/")
    with httpx.Client(transport=wire) as http:
        assert http.get("https://example.org/services/rest/").status_code == 204
    assert [str(r.url) for r in seen] == ["https://example.org/services/rest/"]


@pytest.mark.parametrize("via", VIAS)
def test_recorded_then_replayed_offline(
    emulator: EmulatorHandle, via: str | None, tmp_path: Path, no_server: NoServer
) -> None:
    bob = emulator.credentials("bob")
    folder = tmp_path / "cassette"
    recorded = run(
        bob, "rest", target=emulator.base_url, via=via, record=folder, mode="new_episodes"
    )
    assert recorded == EXPECTED
    emulator.reset()
    replayed = run(
        bob,
        "rest",
        no_server,
        target="http://127.0.0.1:9/services/",
        via=via,
        record=folder,
        mode="none",
    )
    assert replayed == EXPECTED
    assert no_server.sent == []
    assert emulator.request_count() == 0


def test_a_broken_envelope_reaches_the_server_as_it_is(emulator: EmulatorHandle) -> None:
    """The server, not the bridge, answers a request its protocol cannot read (114)."""
    wire = FlickrTransport(target=emulator.base_url)
    with httpx.Client(transport=wire) as http:
        answer = http.post(FLICKR + "soap/", content=b"<s:Envelope>not soap")
    assert "flickr.error.114" in answer.text
    rerouting = FlickrTransport(target=emulator.base_url, via="rest")
    with httpx.Client(transport=rerouting) as http, pytest.raises(BridgeError) as raised:
        http.post(FLICKR + "soap/", content=b"<s:Envelope>not soap")
    assert str(raised.value) == (
        "cannot re-route a request that is not valid soap (Invalid SOAP envelope)"
    )
