"""Shared pieces of the bridge tests: the seeded group ids, a transport that proves no
request was sent, and the real clients set up against the ``flickr_emulator`` fixture
(the plugin's, loaded through the ``pytest11`` entry point)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from flickrwire import Credentials
from flickrwire.bridges.emulated import EmulatorHandle

#: Bob is a plain member of GROUP; MISSING does not exist (the default seed).
GROUP = "30000001@N01"
MISSING = "39999999@N01"
VIAS = [None, "rest", "xmlrpc", "soap"]
FLICKR = "https://api.flickr.com/services/"


class NoServer(httpx.BaseTransport):
    """An inner transport that fails any request it is given, and remembers it."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        raise httpx.ConnectError("no server in this test", request=request)


def assert_redacted(folder: Path, creds: Credentials) -> None:
    """No credential value is left in any fixture the bridge wrote."""
    files = list(folder.rglob("*.json"))
    assert files
    text = "".join(path.read_text(encoding="utf-8") for path in files)
    for secret in (creds.api_key, creds.api_secret, creds.oauth_token, creds.oauth_token_secret):
        assert secret and secret not in text


@pytest.fixture
def no_server() -> NoServer:
    return NoServer()


@pytest.fixture
def emulator(flickr_emulator: EmulatorHandle) -> Iterator[EmulatorHandle]:
    yield flickr_emulator
