"""The pytest plugin (entry point ``pytest11``): the emulator and fixture folders as fixtures.

- ``flickr_emulator``: the reference emulator serving on a loopback port in a thread, the
  default seed, its state, request log and fault rules put back before each test.
- ``flickr_emulator_session``: the same server for the whole session, never reset.
- ``flickr_cassette``: a fixture folder for the test,
  ``<test dir>/cassettes/<module>/<test>/``, in the record mode given by
  ``--flickr-record-mode`` (default ``none``: replay only, as pytest-recording's
  ``--record-mode``).

The emulator is started by :mod:`.emulated` through its public entry points only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..recording.record import MODES
from .emulated import EmulatorHandle, start_emulator

__all__ = ["EmulatorHandle", "FlickrCassette"]

_UNSAFE = re.compile(r"[^\w.-]")


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
