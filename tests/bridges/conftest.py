"""Shared pieces of the bridge tests: the seeded group ids, a transport that proves no
request was sent, and the real clients set up against the ``flickr_emulator`` fixture
(the plugin's, loaded through the ``pytest11`` entry point)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

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


@pytest.fixture
def no_server() -> NoServer:
    return NoServer()


@pytest.fixture
def emulator(flickr_emulator: EmulatorHandle) -> Iterator[EmulatorHandle]:
    yield flickr_emulator
