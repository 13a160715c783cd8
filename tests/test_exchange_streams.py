"""The network streams of the clients' own connections: every read and write waits at
most for the time left of the call in progress, a call with no time left reads nothing,
and everything else (TLS, connection details, Unix sockets, a backend's sleep) is the
wrapped stream's or backend's own."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpcore
import pytest

from flickrwire import exchange
from flickrwire.exchange import Deadline, DeadlineExceeded, _Backend, _Stream


class FakeStream(httpcore.NetworkStream):
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        self.calls.append(("read", timeout))
        return b"data"

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.calls.append(("write", timeout))

    def close(self) -> None:
        self.calls.append(("close", None))

    def start_tls(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        self.calls.append(("start_tls", kwargs.get("server_hostname")))
        return FakeStream()

    def get_extra_info(self, info: str) -> Any:
        return {"is_readable": True, "server_addr": ("127.0.0.1", 8)}.get(info)


class FakeBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        self.calls.append(("tcp", args))
        return FakeStream()

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        self.calls.append(("unix", args))
        return FakeStream()

    def sleep(self, seconds: float) -> None:
        self.calls.append(("sleep", seconds))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """A clock that stands still at 100 s, for the exchange module only."""
    fixed = SimpleNamespace(monotonic=lambda: 100.0)
    monkeypatch.setattr(exchange, "time", fixed)
    return fixed


def test_outside_a_call_the_timeouts_are_the_callers() -> None:
    inner = FakeStream()
    stream = _Stream(inner)
    assert stream.read(10, 5.0) == b"data"
    stream.write(b"x", None)
    assert inner.calls == [("read", 5.0), ("write", None)]


def test_inside_a_call_they_are_cut_to_the_time_left(clock: SimpleNamespace) -> None:
    inner = FakeStream()
    stream = _Stream(inner)
    token = Deadline(3.0).enter()
    try:
        stream.read(10, 5.0)
        stream.read(10, 1.0)
        stream.write(b"x", None)
    finally:
        Deadline.leave(token)
    assert inner.calls == [("read", 3.0), ("read", 1.0), ("write", 3.0)]


@pytest.mark.parametrize("seconds", [0.0, -1.0])
def test_with_no_time_left_nothing_is_read_or_written(
    clock: SimpleNamespace, seconds: float
) -> None:
    # Not a zero timeout (a socket without one would not wait at all): a timeout error.
    inner = FakeStream()
    stream = _Stream(inner)
    token = Deadline(seconds).enter()
    try:
        with pytest.raises(httpcore.ReadTimeout):
            stream.read(10, 5.0)
        with pytest.raises(httpcore.WriteTimeout):
            stream.write(b"x", 5.0)
    finally:
        Deadline.leave(token)
    assert inner.calls == []


@pytest.mark.parametrize("seconds", [0.0, -1.0])
def test_a_deadline_with_no_time_left_is_passed(clock: SimpleNamespace, seconds: float) -> None:
    request = SimpleNamespace()
    with pytest.raises(DeadlineExceeded):
        Deadline(seconds).check(request)  # type: ignore[arg-type]
    assert Deadline(0.5).check(request) == 0.5  # type: ignore[arg-type]


def test_tls_and_connection_details_are_the_wrapped_streams() -> None:
    inner = FakeStream()
    stream = _Stream(inner)
    secure = stream.start_tls(None, server_hostname="api.flickr.com")
    assert isinstance(secure, _Stream)  # reads after the handshake are bounded too
    assert stream.get_extra_info("is_readable") is True
    assert stream.get_extra_info("server_addr") == ("127.0.0.1", 8)
    stream.close()
    assert inner.calls == [("start_tls", "api.flickr.com"), ("close", None)]


def test_the_backend_wraps_every_connection_and_keeps_its_own_sleep() -> None:
    inner = FakeBackend()
    backend = _Backend(inner)
    assert isinstance(backend.connect_tcp("127.0.0.1", 80), _Stream)
    assert isinstance(backend.connect_unix_socket("/run/flickr.sock"), _Stream)
    backend.sleep(0.25)  # httpcore's pause between connection retries
    assert inner.calls == [
        ("tcp", ("127.0.0.1", 80)),
        ("unix", ("/run/flickr.sock",)),
        ("sleep", 0.25),
    ]


def test_a_wait_ending_exactly_at_the_deadline_leaves_no_time_to_try_again(
    clock: SimpleNamespace,
) -> None:
    deadline = Deadline(5.0)
    assert deadline.allows(4.5)
    assert not deadline.allows(5.0)
