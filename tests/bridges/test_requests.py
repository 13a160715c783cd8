"""The requests bridge with the real clients: flickrapi 2.4.0 (its class-level session)
and flickr-api 0.8.1 (bare ``requests.post``), URL constants untouched, against the
emulator over each protocol, then recorded and replayed with no server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flickr_api
import flickrapi
import httpx
import pytest
import requests
from flickr_api import keys as flickr_api_keys
from flickr_api.auth import AuthHandler
from flickr_api.flickrerrors import FlickrAPIError

from flickrwire import Credentials, Result
from flickrwire.bridges.core import BridgeError
from flickrwire.bridges.emulated import EmulatorHandle
from flickrwire.bridges.requests import FlickrAdapter, intercept
from flickrwire.recording.replay import UnmatchedRequestError, load_dir

from .conftest import GROUP, MISSING, VIAS, NoServer

#: What every client's five calls give: echo, leave ok, leave again (3), a missing group
#: (2), and a key the server does not know (100).
EXPECTED = [("echo", "x"), ("leave", "ok"), ("leave", 3), ("leave", 2), ("bad key", 100)]
BAD_KEY = Credentials("0123456789abcdef0123456789abcdef", "feedfacecafebeef")


def flickrapi_client(creds: Credentials, fmt: str = "parsed-json") -> flickrapi.FlickrAPI:
    token = None
    if creds.oauth_token and creds.oauth_token_secret:
        token = flickrapi.auth.FlickrAccessToken(
            creds.oauth_token, creds.oauth_token_secret, "delete"
        )
    return flickrapi.FlickrAPI(
        creds.api_key, creds.api_secret, token=token, store_token=False, format=fmt
    )


def outcome(name: str, call: Callable[[], Any], errors: type[Exception]) -> tuple[str, Any]:
    try:
        answer = call()
    except errors as exc:
        code = exc.code  # type: ignore[attr-defined]
        return name, int(code)
    if name == "echo":
        return name, answer["name"]["_content"] if "_content" in str(answer) else answer["name"]
    return name, "ok"


def run_flickrapi(creds: Credentials, **bridge: Any) -> list[tuple[str, Any]]:
    """The five calls through flickrapi, inside ``intercept(**bridge)``."""
    with intercept(credentials=creds, **bridge):
        client = flickrapi_client(creds)
        found = [
            outcome("echo", lambda: client.test.echo(name="x"), flickrapi.FlickrError),
            outcome("leave", lambda: client.groups.leave(group_id=GROUP), flickrapi.FlickrError),
            outcome("leave", lambda: client.groups.leave(group_id=GROUP), flickrapi.FlickrError),
            outcome("leave", lambda: client.groups.leave(group_id=MISSING), flickrapi.FlickrError),
        ]
    with intercept(credentials=BAD_KEY, **bridge):
        bad = flickrapi_client(BAD_KEY)
        found.append(outcome("bad key", lambda: bad.test.echo(name="bad"), flickrapi.FlickrError))
    return found


@pytest.fixture
def flickr_api_keys_restored() -> Iterator[None]:
    saved = flickr_api_keys.API_KEY, flickr_api_keys.API_SECRET
    handler = flickr_api.auth.AUTH_HANDLER
    yield
    flickr_api_keys.API_KEY, flickr_api_keys.API_SECRET = saved
    flickr_api.auth.AUTH_HANDLER = handler


def run_flickr_api(creds: Credentials, **bridge: Any) -> list[tuple[str, Any]]:
    """The five calls through flickr-api: OAuth for bob, the key alone for the bad key."""
    flickr_api.set_keys(api_key=creds.api_key, api_secret=creds.api_secret)
    flickr_api.set_auth_handler(
        AuthHandler(
            key=creds.api_key,
            secret=creds.api_secret,
            callback="oob",
            access_token_key=creds.oauth_token,
            access_token_secret=creds.oauth_token_secret,
        )
    )
    group, missing = flickr_api.Group(id=GROUP), flickr_api.Group(id=MISSING)
    with intercept(credentials=creds, **bridge):
        found = [
            outcome("echo", lambda: flickr_api.test.echo(name="x"), FlickrAPIError),
            outcome("leave", group.leave, FlickrAPIError),
            outcome("leave", group.leave, FlickrAPIError),
            outcome("leave", missing.leave, FlickrAPIError),
        ]
        flickr_api.auth.AUTH_HANDLER = None
        flickr_api.set_keys(api_key=BAD_KEY.api_key, api_secret=BAD_KEY.api_secret)
        found.append(outcome("bad key", lambda: flickr_api.test.echo(name="bad"), FlickrAPIError))
    return found


@pytest.mark.parametrize("via", VIAS)
def test_flickrapi_over_each_protocol(emulator: EmulatorHandle, via: str | None) -> None:
    seen: list[Result] = []
    found = run_flickrapi(
        emulator.credentials("bob"), target=emulator.base_url, via=via, on_result=seen.append
    )
    assert found == EXPECTED
    assert [r.transport for r in seen] == [via or "rest"] * 5
    assert [r.fault.code if r.fault else None for r in seen] == [None, None, 3, 2, 100]
    # The server saw each call over the protocol asked for.
    logged = emulator.requests()
    assert [entry.transport for entry in logged] == [via or "rest"] * 5


@pytest.mark.parametrize("via", VIAS)
def test_flickr_api_over_each_protocol(
    emulator: EmulatorHandle, via: str | None, flickr_api_keys_restored: None
) -> None:
    found = run_flickr_api(emulator.credentials("bob"), target=emulator.base_url, via=via)
    assert found == EXPECTED
    assert [entry.transport for entry in emulator.requests()] == [via or "rest"] * 5


def test_the_exceptions_are_the_clients_own(emulator: EmulatorHandle) -> None:
    bob = emulator.credentials("bob")
    bridge = intercept(target=emulator.base_url, credentials=bob, via="soap")
    with bridge, pytest.raises(flickrapi.FlickrError) as raised:
        flickrapi_client(bob, "etree").groups.leave(group_id=MISSING)
    assert raised.value.code == 2
    assert "Group does not exist" in str(raised.value)


def test_intercept_leaves_other_traffic_alone(emulator: EmulatorHandle) -> None:
    other = requests.Session()
    with intercept(target=emulator.base_url):
        assert isinstance(other.get_adapter("https://example.org/x"), requests.adapters.HTTPAdapter)
        assert isinstance(other.get_adapter("https://api.flickr.com/services/rest/"), FlickrAdapter)
        assert isinstance(other.get_adapter(emulator.base_url + "rest/"), FlickrAdapter)
    assert not isinstance(other.get_adapter("https://api.flickr.com/services/rest/"), FlickrAdapter)


def test_intercept_as_a_decorator(emulator: EmulatorHandle) -> None:
    bob = emulator.credentials("bob")

    @intercept(target=emulator.base_url, credentials=bob)
    def echo() -> Any:
        return flickrapi_client(bob).test.echo(name="decorated")

    assert echo()["name"]["_content"] == "decorated"
    assert requests.Session.get_adapter is requests.Session.__dict__["get_adapter"]


def test_mounted_adapter_answers_jsonp_and_rsp_over_soap(emulator: EmulatorHandle) -> None:
    """A REST client asking JSONP or <rsp> XML gets exactly that shape over SOAP."""
    url = "https://api.flickr.com/services/rest/"
    form = {"method": "flickr.test.echo", "api_key": emulator.api_key, "name": "j"}
    with requests.Session() as session:
        session.mount("https://", FlickrAdapter(target=emulator.base_url, via="soap"))
        jsonp = session.post(url, data={**form, "format": "json", "jsoncallback": "cb"})
        rsp = session.post(url, data=form)
        leave = {**form, "method": "flickr.groups.leave", "group_id": "1"}
        missing = session.post(url, data=leave)
    assert jsonp.headers["content-type"] == "text/javascript"
    assert jsonp.text.startswith('cb({"method":{"_content":"flickr.test.echo"}')
    assert rsp.text.startswith('<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok">')
    assert '<err code="99"' in missing.text or '<err code="98"' in missing.text
    assert [e.transport for e in emulator.requests()] == ["soap"] * 3


def test_network_failure_is_the_requests_exception(emulator: EmulatorHandle) -> None:
    seen: list[Result] = []
    key = emulator.key_only()
    closed = "http://127.0.0.1:9/services/"
    bridge = intercept(target=closed, credentials=key, on_result=seen.append)
    with bridge, pytest.raises(requests.ConnectionError) as raised:
        flickrapi_client(key).test.echo()
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert [(r.ok, r.fault.origin if r.fault else None) for r in seen] == [(False, "network")]


# -- record, then replay with no server ------------------------------------------------


@pytest.mark.parametrize("via", VIAS)
def test_flickrapi_recorded_then_replayed_offline(
    emulator: EmulatorHandle, via: str | None, tmp_path: Path, no_server: NoServer
) -> None:
    bob = emulator.credentials("bob")
    folder = tmp_path / "cassette"
    # Two intercept blocks (bob, then the bad key) share the folder: new_episodes adds.
    recorded = run_flickrapi(
        bob, target=emulator.base_url, via=via, record=folder, mode="new_episodes"
    )
    assert recorded == EXPECTED
    fixtures = load_dir(folder)
    assert len(fixtures) == 5
    text = "".join(p.read_text() for p in folder.rglob("*.json"))
    for secret in (bob.api_secret, bob.oauth_token, bob.oauth_token_secret, bob.api_key):
        assert secret not in text
    emulator.reset()
    replayed = run_flickrapi(
        bob,
        target="http://127.0.0.1:9/services/",
        via=via,
        record=folder,
        mode="none",
        inner=no_server,
    )
    assert replayed == EXPECTED
    assert no_server.sent == []
    assert emulator.request_count() == 0


@pytest.mark.parametrize("via", VIAS)
def test_flickr_api_recorded_then_replayed_offline(
    emulator: EmulatorHandle,
    via: str | None,
    tmp_path: Path,
    no_server: NoServer,
    flickr_api_keys_restored: None,
) -> None:
    bob = emulator.credentials("bob")
    folder = tmp_path / "cassette"
    recorded = run_flickr_api(bob, target=emulator.base_url, via=via, record=folder, mode="all")
    assert recorded == EXPECTED
    emulator.reset()
    replayed = run_flickr_api(bob, via=via, record=folder, mode="none", inner=no_server)
    assert replayed == EXPECTED
    assert no_server.sent == []
    assert emulator.request_count() == 0


def test_replay_miss_raises_unmatched_through_the_client(
    tmp_path: Path, no_server: NoServer
) -> None:
    bridge = intercept(record=tmp_path / "empty", mode="none", inner=no_server)
    with bridge, pytest.raises(UnmatchedRequestError, match=r"flickr\.test\.echo"):
        flickrapi_client(BAD_KEY).test.echo(name="x")
    assert no_server.sent == []


def test_resigning_is_refused_without_credentials(no_server: NoServer) -> None:
    bridge = intercept(target="http://127.0.0.1:9/services/", inner=no_server)
    with bridge, pytest.raises(BridgeError, match="pass credentials= to re-sign"):
        flickrapi_client(BAD_KEY).test.echo(name="x")
    assert no_server.sent == []


def test_a_key_only_call_needs_no_credentials(emulator: EmulatorHandle) -> None:
    """Unsigned calls are moved and re-routed as they are: api_key is a plain parameter."""
    form = {"method": "flickr.test.echo", "api_key": emulator.api_key, "name": "k"}
    with requests.Session() as session:
        session.mount("https://", FlickrAdapter(target=emulator.base_url, via="xmlrpc"))
        answer = session.post(
            "https://api.flickr.com/services/rest/",
            data={**form, "format": "json", "nojsoncallback": "1"},
        )
    assert answer.json()["name"] == {"_content": "k"}
    assert httpx.URL(emulator.requests()[0].url).path == "/services/xmlrpc/"


def test_resigning_keeps_the_clients_identity(emulator: EmulatorHandle) -> None:
    """A key-only call re-signed with a user's credentials does not become that user's."""
    bob = emulator.credentials("bob")
    with intercept(target=emulator.base_url, credentials=bob):
        assert flickrapi_client(bob).test.login()["user"]["id"] == emulator.nsid("bob")
        with pytest.raises(flickrapi.FlickrError) as raised:
            flickrapi_client(emulator.key_only()).test.login()
    assert raised.value.code in (98, 99)


@pytest.mark.parametrize("via", VIAS)
def test_a_wrong_client_signature_is_not_re_signed(
    emulator: EmulatorHandle, via: str | None
) -> None:
    """The bridge re-signs only what verifies: a client signing with a wrong secret is
    refused by the server, as Flickr would refuse it, not rescued by the bridge."""
    bob = emulator.credentials("bob")
    wrong = Credentials(bob.api_key, "not-the-secret", bob.oauth_token, bob.oauth_token_secret)
    seen: list[Result] = []
    bridge = intercept(target=emulator.base_url, via=via, credentials=bob, on_result=seen.append)
    with bridge, pytest.raises(flickrapi.FlickrError):
        flickrapi_client(wrong).groups.leave(group_id=GROUP)
    assert [(r.ok, r.fault.origin if r.fault else None) for r in seen] == [(False, "auth")]
    assert emulator.request_count(status=200) + emulator.request_count(status=401) == 1
    # Bob is still in the group: nothing was done in his name.
    with intercept(target=emulator.base_url, via=via, credentials=bob):
        assert flickrapi_client(bob).groups.leave(group_id=GROUP)["stat"] == "ok"
