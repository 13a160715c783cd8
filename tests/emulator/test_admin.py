"""The admin API under /_admin/: off by default; faults, request log, state, reset."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from flickrwire import Client, Credentials, __version__
from flickrwire.emulator import DEFAULT_SEED, create_app
from flickrwire.emulator.inprocess import EmulatorTransport
from flickrwire.emulator.server import start_in_thread

ROOT = "http://127.0.0.1"
BASE = ROOT + "/services/"
GROUP = "30000001@N01"
BOB = "10000002@N01"
KEY = DEFAULT_SEED["api_keys"][0]
TOKEN = next(t for t in DEFAULT_SEED["tokens"] if t["user"] == BOB and not t["revoked"])
CREDENTIALS = Credentials(KEY["key"], KEY["secret"], TOKEN["token"], TOKEN["secret"])


@pytest.fixture
def app() -> Iterator[Starlette]:
    app = create_app(admin=True)
    yield app
    app.state.emulator.close()


def bearer(app: Starlette) -> dict[str, str]:
    return {"Authorization": f"Bearer {app.state.emulator.admin_token}"}


@pytest.fixture
def http(app: Starlette) -> Iterator[httpx.Client]:
    transport = EmulatorTransport(app)
    with httpx.Client(transport=transport, base_url=ROOT, headers=bearer(app)) as client:
        yield client


def flickr(http: httpx.Client, transport: str = "rest", codec: str = "json") -> Client:
    return Client(transport, codec, CREDENTIALS, base_url=BASE, http_client=http)


def members(http: httpx.Client) -> set[str]:
    state = http.get("/_admin/state").json()
    return {m["user"] for m in state["memberships"] if m["group"] == GROUP}


def test_admin_is_off_unless_asked_for() -> None:
    app = create_app()
    with httpx.Client(transport=EmulatorTransport(app), base_url=ROOT) as http:
        assert http.get("/_admin/health").status_code == 404
        assert http.get("/_admin/state").status_code == 404
    app.state.emulator.close()


def test_health_and_version(http: httpx.Client) -> None:
    assert http.get("/_admin/health").json() == {"status": "ok", "requests": 0, "rules": 0}
    version = http.get("/_admin/version").json()
    assert (version["name"], version["version"]) == ("flickrwire-emulator", __version__)


def test_fault_rules_set_list_and_clear(http: httpx.Client) -> None:
    added = http.post("/_admin/faults", json={"action": "error", "params": {"code": 105}})
    assert added.status_code == 201
    assert added.json()["added"][0]["id"] == "r1"
    assert flickr(http).call("flickr.test.echo").code == 105
    listed = http.get("/_admin/faults").json()
    assert listed["rules"][0] | {"seen": 1, "fired": 1} == listed["rules"][0]
    more = [{"action": "reset", "id": "a"}, {"action": "hang", "id": "b"}]
    assert [r["id"] for r in http.post("/_admin/faults", json=more).json()["added"]] == ["a", "b"]
    assert http.delete("/_admin/faults/a").json() == {"removed": "a"}
    assert http.delete("/_admin/faults/a").status_code == 404
    assert [r["id"] for r in http.get("/_admin/faults").json()["rules"]] == ["r1", "b"]
    replaced = http.put("/_admin/faults", json={"seed": 9, "rules": [{"action": "empty"}]})
    assert replaced.json()["seed"] == 9
    assert [r["action"] for r in replaced.json()["rules"]] == ["empty"]
    assert http.delete("/_admin/faults").json() == {"cleared": 1}
    assert flickr(http).call("flickr.test.echo").ok  # no rule left: the real answer


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b'{"action": "error"}', "requires parameter 'code'"),
        (b'{"action": "nap"}', "unknown fault action"),
        (b"[{", "not valid JSON"),
        (b"", "a JSON body is required"),
    ],
)
def test_bad_fault_rules_get_400_naming_the_problem(
    http: httpx.Client, body: bytes, named: str
) -> None:
    answer = http.post("/_admin/faults", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert named in answer.json()["error"]
    assert http.get("/_admin/faults").json()["rules"] == []


def test_request_log_search_and_count(http: httpx.Client) -> None:
    http.post("/_admin/faults", json={"action": "error", "params": {"code": 106}, "count": 1})
    flickr(http, "soap", "xml").call("flickr.groups.leave", group_id=GROUP)  # faulted
    flickr(http, "soap", "xml").call("flickr.groups.leave", group_id=GROUP)  # done
    flickr(http, "rest").call("flickr.test.login")
    http.post("/services/xmlrpc/", content=b"<methodCall")  # unparsable
    every = http.get("/_admin/requests").json()
    assert every["count"] == 4
    assert [(r["transport"], r["method"]) for r in every["requests"]] == [
        ("soap", "flickr.groups.leave"),
        ("soap", "flickr.groups.leave"),
        ("rest", "flickr.test.login"),
        ("xmlrpc", ""),
    ]
    first = every["requests"][0]
    assert first["fault"] == {"rule": "r1", "action": "error"}
    assert first["params"] == {"group_id": GROUP, "format": "soap"}
    assert first["status"] == 200 and first["duration_ms"] >= 0

    def count(**query: Any) -> int:
        counted: int = http.get("/_admin/requests/count", params=query).json()["count"]
        return counted

    assert count(method="flickr.groups.leave") == 2
    assert count(transport="rest") == 1
    assert count(faulted="true") == 1 and count(faulted="false") == 3
    assert count(rule="r1") == 1
    assert count(status=200) == 4
    assert count(since=every["requests"][1]["seq"]) == 2
    latest = http.get("/_admin/requests", params={"limit": 1}).json()["requests"]
    assert [r["transport"] for r in latest] == ["xmlrpc"]
    assert http.delete("/_admin/requests").json() == {"cleared": 4}
    assert count() == 0


def test_the_log_never_shows_credentials(http: httpx.Client) -> None:
    for transport in ("rest", "xmlrpc", "soap"):
        flickr(http, transport).call("flickr.groups.leave", group_id=GROUP)
    text = http.get("/_admin/requests").text
    for secret in (KEY["key"], KEY["secret"], TOKEN["token"], TOKEN["secret"]):
        assert secret not in text
    assert "oauth_" not in text and "api_sig" not in text


@pytest.mark.parametrize(
    "query", [{"colour": "red"}, {"status": "ok"}, {"faulted": "maybe"}, {"limit": "x"}]
)
def test_bad_log_filters_get_400(http: httpx.Client, query: dict[str, str]) -> None:
    assert http.get("/_admin/requests", params=query).status_code == 400


def test_state_save_and_restore(http: httpx.Client) -> None:
    saved = http.get("/_admin/state", params={"secrets": "1"}).json()
    assert saved == DEFAULT_SEED
    assert flickr(http).call("flickr.groups.leave", group_id=GROUP, delete_photos=True).ok
    assert BOB not in members(http)
    assert http.put("/_admin/state", json=saved).json() == {"restored": True}
    assert BOB in members(http)
    assert http.get("/_admin/state", params={"secrets": "1"}).json() == saved


def test_restoring_a_bad_seed_is_refused_and_changes_nothing(http: httpx.Client) -> None:
    saved = http.get("/_admin/state", params={"secrets": "1"}).json()
    broken = json.loads(json.dumps(saved))
    broken["memberships"][0]["role"] = "emperor"
    answer = http.put("/_admin/state", json=broken)
    assert answer.status_code == 400
    assert "role" in answer.json()["error"]
    assert http.get("/_admin/state", params={"secrets": "1"}).json() == saved


def test_reset_restores_the_seed_and_clears_log_and_rules(http: httpx.Client) -> None:
    assert flickr(http).call("flickr.groups.leave", group_id=GROUP).ok
    http.post("/_admin/faults", json={"action": "reset", "method": "nothing.real"})
    assert http.post("/_admin/reset", json={"log": False}).json() == {
        "reset": ["state", "faults", "stubs"]
    }
    assert BOB in members(http)
    assert http.get("/_admin/health").json() == {"status": "ok", "requests": 1, "rules": 0}
    assert http.post("/_admin/reset").json() == {"reset": ["state", "log", "faults", "stubs"]}
    assert http.get("/_admin/requests/count").json() == {"count": 0}
    assert http.post("/_admin/reset", json={"everything": True}).status_code == 400


def test_admin_over_a_socket_steers_faults() -> None:
    app = create_app(admin=True)
    with (
        start_in_thread(app) as running,
        httpx.Client(base_url=running.base_url, headers=bearer(app)) as http,
    ):
        admin = running.base_url.replace("/services/", "/_admin/")
        http.post(admin + "faults", json={"action": "empty", "count": 1})
        with pytest.raises(httpx.RemoteProtocolError):
            http.post("rest/", data={"method": "flickr.test.echo"})
        assert http.get(admin + "requests/count", params={"faulted": "true"}).json() == {"count": 1}
    app.state.emulator.close()
