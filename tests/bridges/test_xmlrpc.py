"""The xmlrpc.client bridge: the stdlib's ServerProxy addressing Flickr's XML-RPC
endpoint, re-targeted to the emulator over each protocol, recorded and replayed."""

from __future__ import annotations

import json
import xmlrpc.client
from pathlib import Path
from typing import Any

import pytest

from flickrwire import Credentials, Result
from flickrwire.auth import legacy_signature, new_nonce, now, oauth_params
from flickrwire.bridges.emulated import EmulatorHandle
from flickrwire.bridges.xmlrpc import SafeTransport, Transport

from .conftest import FLICKR, GROUP, MISSING, VIAS, NoServer, assert_redacted

ENDPOINT = FLICKR + "xmlrpc/"
EXPECTED = [("echo", "x"), ("leave", "ok"), ("leave", 3), ("leave", 2), ("bad key", 100)]
BAD_KEY = "0123456789abcdef0123456789abcdef"


def legacy(creds: Credentials, method: str, **params: str) -> dict[str, str]:
    """What an old XML-RPC client sends: api_key, auth_token, api_sig (covers method)."""
    signed = {"api_key": creds.api_key, "auth_token": creds.oauth_token or "", **params}
    signed["api_sig"] = legacy_signature(creds.api_secret, {"method": method, **signed})
    return signed


def outcome(name: str, call: Any) -> tuple[str, Any]:
    try:
        answer = call()
    except xmlrpc.client.Fault as fault:  # the stdlib's own exception
        return name, fault.faultCode
    if name == "echo":
        return name, "x" if "<name>x</name>" in answer else answer
    return name, "ok" if answer == "" else answer


def run(creds: Credentials, **bridge: Any) -> list[tuple[str, Any]]:
    transport = SafeTransport(credentials=creds, **bridge)
    with xmlrpc.client.ServerProxy(ENDPOINT, transport=transport) as proxy:
        flickr: Any = proxy.flickr
        leave = legacy(creds, "flickr.groups.leave", group_id=GROUP)
        missing = legacy(creds, "flickr.groups.leave", group_id=MISSING)
        return [
            outcome("echo", lambda: flickr.test.echo({"api_key": creds.api_key, "name": "x"})),
            outcome("leave", lambda: flickr.groups.leave(leave)),
            outcome("leave", lambda: flickr.groups.leave(leave)),
            outcome("leave", lambda: flickr.groups.leave(missing)),
            outcome("bad key", lambda: flickr.test.echo({"api_key": BAD_KEY, "name": "bad"})),
        ]


@pytest.mark.parametrize("via", VIAS)
def test_server_proxy_over_each_protocol(emulator: EmulatorHandle, via: str | None) -> None:
    seen: list[Result] = []
    found = run(
        emulator.credentials("bob"), target=emulator.base_url, via=via, on_result=seen.append
    )
    assert found == EXPECTED
    assert [e.transport for e in emulator.requests()] == [via or "xmlrpc"] * 5
    assert [r.fault.code if r.fault else None for r in seen] == [None, None, 3, 2, 100]


@pytest.mark.parametrize("via", VIAS)
def test_a_json_answer_reaches_the_stdlib_as_a_string(
    emulator: EmulatorHandle, via: str | None
) -> None:
    transport = SafeTransport(target=emulator.base_url, via=via)
    params = {"api_key": emulator.api_key, "name": "j", "format": "json", "nojsoncallback": "1"}
    with xmlrpc.client.ServerProxy(ENDPOINT, transport=transport) as proxy:
        text = proxy.flickr.test.echo(params)
        with pytest.raises(xmlrpc.client.Fault) as raised:
            proxy.flickr.groups.leave({**params, "group_id": MISSING})
    assert isinstance(text, str)
    assert json.loads(text)["name"] == {"_content": "j"}
    # Leaving needs a signed call: the emulator answers 99 (or 97), as a Fault.
    assert raised.value.faultCode in (97, 99)


def test_oauth_signed_call_is_re_signed_for_the_target(emulator: EmulatorHandle) -> None:
    bob = emulator.credentials("bob")
    params = {"method": "flickr.groups.leave", "group_id": GROUP}
    params |= oauth_params(bob, "POST", ENDPOINT, params, nonce=new_nonce(), timestamp=now())
    del params["method"]
    plain = Transport(target=emulator.base_url)
    unsigned = xmlrpc.client.ServerProxy(ENDPOINT.replace("https", "http"), transport=plain)
    with unsigned, pytest.raises(ValueError, match="pass credentials= to re-sign"):
        unsigned.flickr.groups.leave(params)
    transport = SafeTransport(target=emulator.base_url, credentials=bob)
    with xmlrpc.client.ServerProxy(ENDPOINT, transport=transport) as proxy:
        assert proxy.flickr.groups.leave(params) == ""
    assert [e.transport for e in emulator.requests()] == ["xmlrpc"]


def test_proxy_addressing_the_emulator_directly(emulator: EmulatorHandle) -> None:
    proxy = xmlrpc.client.ServerProxy(emulator.base_url + "xmlrpc/", transport=Transport())
    with proxy, pytest.raises(xmlrpc.client.Fault) as raised:
        proxy.flickr.test.echo({"api_key": BAD_KEY})
    assert raised.value.faultCode == 100
    assert raised.value.faultString.startswith("Invalid API Key")


def test_network_failure_is_an_os_error() -> None:
    transport = SafeTransport(target="http://127.0.0.1:9/services/")
    proxy = xmlrpc.client.ServerProxy(ENDPOINT, transport=transport)
    with proxy, pytest.raises(ConnectionRefusedError):
        proxy.flickr.test.echo({"api_key": BAD_KEY})


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


def test_timeouts_apply(emulator: EmulatorHandle) -> None:
    emulator.add_faults(
        {"method": "flickr.test.echo", "action": "delay", "params": {"seconds": 2.0}}
    )
    transport = SafeTransport(target=emulator.base_url, timeout=0.2)
    proxy = xmlrpc.client.ServerProxy(ENDPOINT, transport=transport)
    with proxy, pytest.raises(TimeoutError, match="ReadTimeout"):
        proxy.flickr.test.echo({"api_key": emulator.api_key})


def test_the_size_limit_applies(emulator: EmulatorHandle) -> None:
    seen: list[Result] = []
    transport = SafeTransport(target=emulator.base_url, max_body=64, on_result=seen.append)
    proxy = xmlrpc.client.ServerProxy(ENDPOINT, transport=transport)
    with proxy, pytest.raises(ConnectionError, match="exceeds the bridge's 64-byte limit"):
        proxy.flickr.test.echo({"api_key": emulator.api_key, "name": "x" * 100})
    assert [r.fault.origin for r in seen if r.fault] == ["network"]
