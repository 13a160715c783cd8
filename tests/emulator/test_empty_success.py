"""An empty success (a leave, a join) is rendered once per format and method: the bytes
kept are those a fresh rendering gives, for every transport, codec and JSONP callback."""

from __future__ import annotations

import pytest

from flickrwire import transports
from flickrwire.emulator.app import Emulator, EmulatorConfig, Format, render
from flickrwire.emulator.store import Store
from flickrwire.result import success


@pytest.mark.parametrize("name", ["rest", "xmlrpc", "soap"])
@pytest.mark.parametrize(("codec", "callback"), [("xml", None), ("json", None), ("json", "cb")])
def test_the_kept_answer_is_the_fresh_one(name: str, codec: str, callback: str | None) -> None:
    emulator = Emulator(Store(), EmulatorConfig())
    fmt = Format(transports.get(name), codec, callback)
    fresh = render(
        fmt,
        success("flickr.groups.leave", {}, transport=name, codec=codec, status=200, raw=b""),
    )
    assert emulator.empty_success(fmt, "flickr.groups.leave") == fresh
    assert emulator.empty_success(fmt, "flickr.groups.leave") == fresh
    other = emulator.empty_success(fmt, "flickr.groups.join")
    assert other == render(
        fmt, success("flickr.groups.join", {}, transport=name, codec=codec, status=200, raw=b"")
    )
