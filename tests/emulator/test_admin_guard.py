"""Who may use the admin API (issue 10, finding 4): loopback Host and Origin only, the
start's bearer token, JSON writes, and no secrets unless asked for."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from flickrwire.emulator import DEFAULT_SEED, create_app
from flickrwire.emulator.adminguard import loopback_host
from flickrwire.emulator.inprocess import EmulatorTransport

TOKEN = "test-admin-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SECRETS = [k["secret"] for k in DEFAULT_SEED["api_keys"]] + [
    t["secret"] for t in DEFAULT_SEED["tokens"]
]


@pytest.fixture
def app() -> Iterator[Starlette]:
    app = create_app(admin=True, admin_token=TOKEN)
    yield app
    app.state.emulator.close()


@pytest.fixture
def http(app: Starlette) -> Iterator[httpx.Client]:
    with httpx.Client(transport=EmulatorTransport(app), base_url="http://127.0.0.1:8080") as c:
        yield c


def leave_faults_alone(app: Starlette) -> None:
    app.state.emulator.plan.add({"id": "kept", "action": "error", "params": {"code": 105}})


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.0.0.1:8080", "127.9.8.7:1", "localhost", "LocalHost:65535", "[::1]:80",
     "[::1]"],
)  # fmt: skip
def test_loopback_hosts_are_admitted(http: httpx.Client, host: str) -> None:
    answer = http.get("/_admin/health", headers={**AUTH, "Host": host})
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:8080", "127.0.0.1.evil.example", "localhost.evil.example",
     "10.0.0.1", "0.0.0.0", "[::2]", "::1", "127.0.0.1:80x", "[::1]x", "127.1"],
)  # fmt: skip
def test_a_foreign_host_is_refused_even_with_the_token(http: httpx.Client, host: str) -> None:
    # DNS rebinding: evil.example re-pointed at 127.0.0.1 still sends its own name.
    answer = http.get("/_admin/state", params={"secrets": "1"}, headers={**AUTH, "Host": host})
    assert answer.status_code == 403
    assert "loopback" in answer.json()["error"]
    assert not any(secret in answer.text for secret in SECRETS)
    assert not loopback_host(host)


def test_no_token_or_a_wrong_one_is_401(http: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}):  # fmt: skip
        answer = http.get("/_admin/state", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert "token" in answer.json()["error"]
        assert not any(secret in answer.text for secret in SECRETS)


def test_a_cross_site_text_post_is_refused(app: Starlette, http: httpx.Client) -> None:
    leave_faults_alone(app)
    cross_site = {"Origin": "https://evil.example", "Content-Type": "text/plain"}
    for headers in (cross_site, {**cross_site, **AUTH}):
        answer = http.post("/_admin/reset", content=b"{}", headers=headers)
        assert answer.status_code == 403
    assert [rule.id for rule in app.state.emulator.plan.rules()] == ["kept"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
def test_writes_must_be_json(app: Starlette, http: httpx.Client, content_type: str | None) -> None:
    leave_faults_alone(app)
    same_site = {**AUTH, "Origin": "http://localhost:8080"}
    typed = same_site if content_type is None else {**same_site, "Content-Type": content_type}
    answer = http.post("/_admin/reset", content=b'{"log": false}', headers=typed)
    assert answer.status_code == 415
    assert [rule.id for rule in app.state.emulator.plan.rules()] == ["kept"]
    # JSON, or no body at all, is taken.
    assert http.post("/_admin/reset", json={"log": False}, headers=same_site).status_code == 200
    assert http.delete("/_admin/requests", headers=same_site).status_code == 200


def test_two_origins_or_a_null_origin_are_foreign(http: httpx.Client) -> None:
    for origin in ("null", "file://", "http://127.0.0.1.evil.example"):
        assert http.get("/_admin/health", headers={**AUTH, "Origin": origin}).status_code == 403


def test_state_hides_secrets_unless_asked(http: httpx.Client) -> None:
    state = http.get("/_admin/state", headers=AUTH)
    assert state.status_code == 200
    assert not any(secret in state.text for secret in SECRETS)
    assert all("secret" not in entry for entry in state.json()["api_keys"])
    assert all("secret" not in entry for entry in state.json()["tokens"])
    # Photo secrets are part of Flickr's image URLs, not credentials: kept.
    assert state.json()["photos"] == DEFAULT_SEED["photos"]
    # Put back as it is, it is refused rather than loaded with missing secrets.
    refused = http.put("/_admin/state", json=state.json(), headers=AUTH)
    assert refused.status_code == 400 and "secret" in refused.json()["error"]
    full = http.get("/_admin/state", params={"secrets": "1"}, headers=AUTH)
    assert full.json() == DEFAULT_SEED
    assert http.get("/_admin/state", params={"x": "1"}, headers=AUTH).status_code == 400


def test_each_start_has_its_own_token() -> None:
    first, second = create_app(admin=True), create_app(admin=True)
    tokens = {first.state.emulator.admin_token, second.state.emulator.admin_token}
    assert len(tokens) == 2 and all(len(t) >= 32 for t in tokens)
    assert TOKEN not in repr(first.state.emulator)
    for app in (first, second):
        app.state.emulator.close()
    with pytest.raises(ValueError, match="empty"):
        create_app(admin=True, admin_token="")
    assert create_app().state.emulator.admin_token is None
