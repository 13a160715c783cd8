"""The pytest plugin (entry point ``pytest11``): the emulator and fixture folders as fixtures.

- ``flickr_emulator``: the reference emulator serving on a loopback port in a thread, the
  default seed, its state, request log and fault rules put back before each test.
- ``flickr_emulator_session``: the same server for the whole session, never reset.
- ``flickr_cassette``: a fixture folder for the test,
  ``<test dir>/cassettes/<module>/<test>/``, in the record mode given by
  ``--flickr-record-mode`` (default ``none``: replay only, as pytest-recording's
  ``--record-mode``).

The emulator is started through its public entry points only (``create_app`` and
``server.start_in_thread``); fault rules and the request log are reached through the
emulator's in-process state, the same objects its admin API drives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..auth import Credentials
from ..recording.record import MODES

if TYPE_CHECKING:
    from ..emulator.server import RunningServer

__all__ = ["EmulatorHandle", "FlickrCassette"]

_UNSAFE = re.compile(r"[^\w.-]")


class EmulatorHandle:
    """A running emulator: ``base_url``, seeded credentials, reset and fault injection."""

    def __init__(self, app: Any, server: RunningServer) -> None:
        self._app = app
        self._server = server
        self._state = app.state.emulator
        self.base_url: str = server.base_url
        self.seed: dict[str, Any] = self._state.store.dump()

    def __repr__(self) -> str:
        return f"<flickr emulator {self.base_url}>"

    # -- credentials ----------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        return str(self.seed["api_keys"][0]["key"])

    def key_only(self) -> Credentials:
        """The seeded application's key and secret, no token."""
        key = self.seed["api_keys"][0]
        return Credentials(key["key"], key["secret"])

    def nsid(self, username: str) -> str:
        for user in self.seed["users"]:
            if username in (user["username"], user["nsid"]):
                return str(user["nsid"])
        raise KeyError(f"no seeded user {username!r}")

    def credentials(self, username: str, perms: str | None = None) -> Credentials:
        """A seeded user's live token (``perms``: pick read, write or delete)."""
        nsid = self.nsid(username)
        for token in self.seed["tokens"]:
            if token["user"] != nsid or token["revoked"]:
                continue
            if perms is None or token["perms"] == perms:
                key = next(k for k in self.seed["api_keys"] if k["key"] == token["api_key"])
                return Credentials(key["key"], key["secret"], token["token"], token["secret"])
        raise KeyError(f"no live token for {username!r}" + (f" with {perms}" if perms else ""))

    # -- what the admin API offers --------------------------------------------------------

    def reset(self, *, state: bool = True, log: bool = True, faults: bool = True) -> None:
        """State, request log and fault rules back to the start (as ``POST /_admin/reset``)."""
        if state:
            self._state.store.reset()
        if log:
            self._state.log.clear()
        if faults:
            self._state.plan.clear()

    def add_faults(self, rules: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[Any]:
        """Add fault rules (the JSON of ``flickrwire.emulator.faults``), as
        ``POST /_admin/faults``: ``{"match": {...}, "action": {...}}``."""
        items = [rules] if isinstance(rules, Mapping) else list(rules)
        return list(self._state.plan.extend(items))

    def clear_faults(self) -> None:
        self._state.plan.clear()

    def requests(self, **filters: Any) -> list[Any]:
        """The request log (as ``GET /_admin/requests``), oldest first."""
        return list(self._state.log.search(**filters))

    def request_count(self, **filters: Any) -> int:
        return int(self._state.log.count(**filters))

    def stop(self) -> None:
        self._server.stop()
        self._state.close()


def start_emulator() -> EmulatorHandle:
    """A fresh emulator (default seed, in-memory state) on 127.0.0.1 and a free port."""
    from ..emulator import create_app
    from ..emulator.server import start_in_thread

    app = create_app()
    server = start_in_thread(app, "127.0.0.1", 0)
    return EmulatorHandle(app, server)


@dataclass(frozen=True)
class FlickrCassette:
    """A test's fixture folder and record mode; ``options`` go to any bridge."""

    path: Path
    mode: str

    @property
    def options(self) -> dict[str, Any]:
        return {"record": self.path, "mode": self.mode}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flickrwire")
    group.addoption(
        "--flickr-record-mode",
        action="store",
        default="none",
        choices=MODES,
        help="record mode of the flickr_cassette fixture (default: none, replay only)",
    )


@pytest.fixture(scope="session")
def flickr_emulator_session() -> Iterator[EmulatorHandle]:
    """One emulator for the whole session (state carries over between tests)."""
    handle = start_emulator()
    yield handle
    handle.stop()


@pytest.fixture
def flickr_emulator(flickr_emulator_session: EmulatorHandle) -> EmulatorHandle:
    """The emulator with the default seed, an empty log and no fault rules."""
    flickr_emulator_session.reset()
    return flickr_emulator_session


@pytest.fixture
def flickr_cassette(request: pytest.FixtureRequest) -> FlickrCassette:
    """``<test dir>/cassettes/<module>/<test>/`` in the ``--flickr-record-mode`` mode."""
    mode = str(request.config.getoption("--flickr-record-mode"))
    module = Path(str(request.node.path))
    name = _UNSAFE.sub("_", request.node.name)
    return FlickrCassette(module.parent / "cassettes" / module.stem / name, mode)
