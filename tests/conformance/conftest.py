"""Shared set-up for the conformance tests: the command in a typer app, the emulator
served on loopback (with or without its admin API), and every secret a run may hold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from flickrwire.conformance import identities
from flickrwire.conformance.command import conformance
from flickrwire.emulator import DEFAULT_SEED, create_app
from flickrwire.emulator.server import RunningServer, start_in_thread

app = typer.Typer()
app.command("conformance")(conformance)


@app.callback()
def _root() -> None:
    """The command as the lead registers it: ``app.command("conformance")(conformance)``."""


#: Environment variables a test run must not inherit (credentials, config file).
_ENV = (
    "FLICKR_API_KEY",
    "FLICKR_API_SECRET",
    "FLICKR_OAUTH_TOKEN",
    "FLICKR_OAUTH_TOKEN_SECRET",
    "FLICKRWIRE_CONFIG",
    "FLICKRWIRE_ADMIN_TOKEN",
)


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    """``flickrwire conformance ARGS`` in-process; no FLICKR_* variable leaks in."""
    clean: dict[str, str | None] = {name: None for name in _ENV}
    clean.update(env or {})
    return CliRunner().invoke(app, ["conformance", *args], env=clean, catch_exceptions=False)


def seed_secrets() -> list[str]:
    """Every credential value of the default seed, the tokens a run may add, and the
    made-up ones the wrong-credential scenarios send."""
    found: list[str] = []
    for entry in DEFAULT_SEED["api_keys"]:
        found += [entry["key"], entry["secret"]]
    for entry in DEFAULT_SEED["tokens"]:
        found += [entry["token"], entry["secret"]]
    for user in DEFAULT_SEED["users"]:
        for perms in ("read", "write", "delete"):
            found += list(identities.synthetic_token(user["nsid"], perms))
    return [
        *found,
        identities.UNKNOWN_KEY,
        identities.UNKNOWN_SECRET,
        identities.UNKNOWN_TOKEN,
        identities.WRONG_SECRET,
    ]


def assert_no_secret(text: str, where: str) -> None:
    for secret in seed_secrets():
        assert secret not in text, f"a credential value appears in {where}"


def token(username: str, perms: str = "delete") -> dict[str, Any]:
    nsid = next(u["nsid"] for u in DEFAULT_SEED["users"] if u["username"] == username)
    return next(
        t
        for t in DEFAULT_SEED["tokens"]
        if t["user"] == nsid and t["perms"] == perms and not t["revoked"]
    )


def bob_env() -> dict[str, str]:
    """Bob's delete token as FLICKR_* variables (for runs against a plain server)."""
    key = DEFAULT_SEED["api_keys"][0]
    bob = token("bob")
    return {
        "FLICKR_API_KEY": key["key"],
        "FLICKR_API_SECRET": key["secret"],
        "FLICKR_OAUTH_TOKEN": bob["token"],
        "FLICKR_OAUTH_TOKEN_SECRET": bob["secret"],
    }


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_scenarios(path: Path, scenarios: list[dict[str, Any]]) -> Path:
    doc = {"format": "flickrwire-scenarios/1", "scenarios": scenarios}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def plain_server() -> Iterator[tuple[RunningServer, Any]]:
    """The emulator on loopback without its admin API: to the runner, "another server"."""
    emulator = create_app()
    server = start_in_thread(emulator)
    try:
        yield server, emulator
    finally:
        server.stop()
        emulator.state.emulator.close()


@pytest.fixture
def admin_server() -> Iterator[tuple[RunningServer, Any]]:
    """The emulator on loopback with its admin API (``create_app(admin=True)``)."""
    emulator = create_app(admin=True)
    server = start_in_thread(emulator)
    try:
        yield server, emulator
    finally:
        server.stop()
        emulator.state.emulator.close()
