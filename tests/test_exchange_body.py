"""A body read under a deadline: each chunk taken leaves the read timeout the HTTP layer
uses for the next one no longer than the time left (the dict is the request's own
``timeout`` extension, which httpcore reads before every read)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from flickrwire.exchange import Body, Deadline

REQUEST = httpx.Request("GET", "https://api.flickr.com/services/rest/")


def _body(seconds: float | None, read: float | None) -> tuple[Body, dict[str, Any]]:
    timeouts: dict[str, Any] = {"connect": 10.0, "read": read, "write": None, "pool": None}
    return Body(1000, Deadline(seconds), REQUEST, timeouts), timeouts


@pytest.mark.parametrize("read", [None, 30.0])
def test_a_read_timeout_longer_than_the_time_left_is_cut_to_it(read: float | None) -> None:
    body, timeouts = _body(5.0, read)
    assert body.read([b"{", b"}"])
    assert timeouts["read"] is not None and 4.0 < timeouts["read"] <= 5.0
    assert body.take() == b"{}"


def test_a_read_timeout_shorter_than_the_time_left_is_kept() -> None:
    body, timeouts = _body(60.0, 1.5)
    assert body.read([b"{}"])
    assert timeouts["read"] == 1.5


@pytest.mark.parametrize("read", [None, 30.0])
def test_without_a_deadline_the_read_timeout_is_left_alone(read: float | None) -> None:
    body, timeouts = _body(None, read)
    assert body.read([b"{", b"}"])
    assert timeouts["read"] == read


def test_chunks_past_the_size_limit_are_refused() -> None:
    timeouts: dict[str, Any] = {"read": None}
    body = Body(3, Deadline(None), REQUEST, timeouts)
    assert body.read([b"ab", b"c"]) and body.take() == b"abc"
    body = Body(3, Deadline(None), REQUEST, timeouts)
    assert not body.read([b"ab", b"cd"])
