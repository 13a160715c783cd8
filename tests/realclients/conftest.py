"""The emulator as a user starts it, for clients nobody here wrote: ``flickrwire serve`` in a
child process on 127.0.0.1 and a free port, with the admin API (to reset the state between
tests) and the public URLs of Flickr's API and OAuth hosts, so that a client that signs for
``https://api.flickr.com/services/rest`` while reaching the emulator is served."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from flickrwire.emulator.seed import SOLO_GROUP, TEST_GROUP

__all__ = ["SOLO_GROUP", "TEST_GROUP", "Served"]

PUBLIC_URLS = ("https://api.flickr.com/services/", "https://www.flickr.com/services/")
SERVE = [sys.executable, "-c", "from flickrwire.cli import main; main()", "serve"]
#: A group the default seed does not have: leaving it is error 2.
NO_GROUP = "99999999@N01"
#: A key the default seed does not have (Flickr's format: 32 hex digits).
BAD_KEY = "0123456789abcdef0123456789abcdef"


@dataclass(frozen=True)
class Token:
    token: str
    secret: str
    perms: str


@dataclass(frozen=True)
class Served:
    """What the banner of ``flickrwire serve`` tells a user."""

    base_url: str
    key: str
    secret: str
    tokens: dict[str, Token]
    admin_token: str = field(repr=False)

    @property
    def origin(self) -> str:
        return self.base_url.removesuffix("/services/")

    def reset(self) -> None:
        response = httpx.post(
            self.origin + "/_admin/reset",
            json={"log": False},
            headers={"authorization": f"Bearer {self.admin_token}"},
            timeout=30,
        )
        response.raise_for_status()


def _banner(lines: list[str]) -> Served:
    values = dict(item.split("=", 1) for line in lines for item in line.split() if "=" in item)
    tokens: dict[str, Token] = {}
    for line in lines:
        if line.startswith("token "):
            words = line.split()
            pairs = dict(item.split("=", 1) for item in words if "=" in item)
            perms = words[2].strip("():")
            tokens[words[1]] = Token(
                pairs["FLICKR_OAUTH_TOKEN"], pairs["FLICKR_OAUTH_TOKEN_SECRET"], perms
            )
    return Served(
        lines[0],
        values["FLICKR_API_KEY"],
        values["FLICKR_API_SECRET"],
        tokens,
        values["FLICKRWIRE_ADMIN_TOKEN"],
    )


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    command = [*SERVE, "--port", "0", "--admin"]
    for url in PUBLIC_URLS:
        command += ["--public-url", url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    lines = [process.stdout.readline().strip()]
    while not lines[-1].startswith("token erin"):
        lines.append(process.stdout.readline().strip())
        assert len(lines) < 20 and process.poll() is None, lines
    try:
        yield _banner(lines)
    finally:
        process.terminate()
        process.communicate(timeout=15)


@pytest.fixture
def emulator(served: Served) -> Served:
    """The served emulator with its state back to the seed."""
    served.reset()
    return served
