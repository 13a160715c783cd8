"""``flickrwire serve`` and ``python -m flickrwire.emulator``: a real server process that
prints its base URL and test credentials, loads seeds and fault files, and refuses bad ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import flickrwire
from flickrwire.emulator.__main__ import parse_args
from flickrwire.emulator.inprocess import EmulatorTransport
from flickrwire.emulator.launch import Options, banner, build
from flickrwire.emulator.seed import DEFAULT_SEED, TEST_GROUP, default_seed

SERVE = [sys.executable, "-c", "from flickrwire.cli import main; main()", "serve"]
MODULE = [sys.executable, "-m", "flickrwire.emulator"]


def start(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], list[str]]:
    environ = {k: v for k, v in os.environ.items() if k != "FLICKRWIRE_ADMIN_TOKEN"}
    process = subprocess.Popen(
        [*command, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**environ, **(env or {})},
    )
    assert process.stdout is not None
    lines = [process.stdout.readline().strip()]
    while not lines[-1].startswith("token erin"):
        lines.append(process.stdout.readline().strip())
        assert len(lines) < 20, lines
    return process, lines


@pytest.fixture
def running(request: pytest.FixtureRequest) -> Iterator[tuple[str, list[str]]]:
    process, lines = start(request.param)
    try:
        yield lines[0], lines
    finally:
        process.terminate()
        process.communicate(timeout=15)


def credentials(lines: list[str], user: str) -> flickrwire.Credentials:
    pairs = dict(item.split("=", 1) for line in lines for item in line.split() if "=" in item)
    token_line = next(line for line in lines if line.startswith(f"token {user} "))
    token = dict(item.split("=", 1) for item in token_line.split() if "=" in item)
    return flickrwire.Credentials(
        pairs["FLICKR_API_KEY"],
        pairs["FLICKR_API_SECRET"],
        token["FLICKR_OAUTH_TOKEN"],
        token["FLICKR_OAUTH_TOKEN_SECRET"],
    )


@pytest.mark.parametrize(
    "running", [SERVE, MODULE], ids=["flickrwire-serve", "python-m"], indirect=True
)
def test_the_server_prints_what_a_user_needs_and_answers(running: tuple[str, list[str]]) -> None:
    base_url, lines = running
    assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/services/")
    with flickrwire.Client("soap", "xml", credentials(lines, "bob"), base_url=base_url) as client:
        assert client.groups.leave(group_id=TEST_GROUP).ok
        assert client.groups.leave(group_id=TEST_GROUP).code == 3


def test_a_fault_file_and_the_admin_api_take_effect(tmp_path: Path) -> None:
    rules = [{"method": "flickr.test.echo", "action": "error", "params": {"code": 105}}]
    (tmp_path / "faults.json").write_text(json.dumps(rules))
    process, lines = start([*MODULE, "--admin", "--faults", str(tmp_path / "faults.json")])
    try:
        base_url = lines[0]
        assert lines[1] == f"admin API: {base_url.removesuffix('/services/')}/_admin/"
        name, _, token = lines[2].partition("=")
        assert name == "FLICKRWIRE_ADMIN_TOKEN" and len(token) >= 32
        with flickrwire.Client("rest", "json", credentials(lines, "bob"), base_url=base_url) as c:
            result = c.call("flickr.test.echo", name="x")
        assert (result.code, result.fault and result.fault.retryable) == (105, True)
        admin = base_url.removesuffix("/services/") + "/_admin/health"
        assert httpx.get(admin).status_code == 401
        health = httpx.get(admin, headers={"Authorization": f"Bearer {token}"}).json()
        assert health["status"] == "ok" and health["rules"] == 1
    finally:
        process.terminate()
        process.communicate(timeout=15)


def test_a_seed_file_and_a_database_file_are_used(tmp_path: Path) -> None:
    seed = default_seed()
    seed["users"][1]["username"] = "roberta"
    (tmp_path / "seed.json").write_text(json.dumps(seed))
    db = tmp_path / "state.sqlite"
    process, lines = start([*SERVE, "--seed", str(tmp_path / "seed.json"), "--db", str(db)])
    process.terminate()
    process.communicate(timeout=15)
    assert any(line.startswith("token roberta (delete)") for line in lines)
    assert db.exists() and db.stat().st_size > 0


@pytest.mark.parametrize("command", [SERVE, MODULE], ids=["flickrwire-serve", "python-m"])
def test_a_bad_seed_file_is_a_clear_error(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "seed.json").write_text('{"users": [{"nsid": 5}]}')
    done = subprocess.run(
        [*command, "--seed", str(tmp_path / "seed.json"), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "nsid" in done.stderr and "Traceback" not in done.stderr


def test_the_banner_lists_live_tokens_only() -> None:
    seed = default_seed()
    seed["tokens"][0]["revoked"] = True
    lines = banner("http://127.0.0.1:1/services/", seed, None)
    key = DEFAULT_SEED["api_keys"][0]["key"]
    assert lines[:2] == ["http://127.0.0.1:1/services/", f"FLICKR_API_KEY={key}"]
    assert not any(line.startswith("token alice") for line in lines)
    assert any(line.startswith("token bob (delete)") for line in lines)


def test_serve_takes_the_admin_token_from_the_environment() -> None:
    process, lines = start([*SERVE, "--admin"], env={"FLICKRWIRE_ADMIN_TOKEN": "from-env-0123"})
    try:
        assert lines[2] == "FLICKRWIRE_ADMIN_TOKEN=from-env-0123"
        health = lines[0].removesuffix("/services/") + "/_admin/health"
        auth = {"Authorization": "Bearer from-env-0123"}
        assert httpx.get(health, headers=auth).json()["status"] == "ok"
    finally:
        process.terminate()
        process.communicate(timeout=15)


def test_the_admin_token_option_reaches_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLICKRWIRE_ADMIN_TOKEN", raising=False)
    options = parse_args(["--admin", "--admin-token", "given-token"])
    assert options.admin_token == "given-token" and "given-token" not in repr(options)
    app = build(options)
    assert app.state.emulator.admin_token == "given-token"
    app.state.emulator.close()
    monkeypatch.setenv("FLICKRWIRE_ADMIN_TOKEN", "env-token")
    assert parse_args(["--admin"]).admin_token == "env-token"
    unused = build(Options(admin=False, admin_token="ignored"))
    assert unused.state.emulator.admin_token is None
    unused.state.emulator.close()
    small = build(parse_args(["--max-body", "10"]))
    with httpx.Client(transport=EmulatorTransport(small), base_url="http://127.0.0.1") as http:
        assert http.post("/services/rest/", content=b"x" * 11).status_code == 413
    small.state.emulator.close()
    seed = default_seed()
    lines = banner("http://127.0.0.1:1/services/", seed, "shown-token")
    assert lines[1:3] == [
        "admin API: http://127.0.0.1:1/_admin/",
        "FLICKRWIRE_ADMIN_TOKEN=shown-token",
    ]
