"""``timeout=`` bounds the whole call (issue 10, finding 3).

A loopback server dribbles its answer, one byte every 50 ms: each byte restarts httpx's
read timeout, so only a total deadline ends the call. The server gives up after 8 s; a call
that lasts that long has no deadline. The bound asserted (half the give-up time) is loose on
purpose: it separates "ended at the deadline" from "ended when the server gave up", with
room for a machine under heavy load (halfway between the two).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from flickrwire import AsyncClient, Call, Client, Credentials, Fault, RetryPolicy
from flickrwire.exchange import Deadline, total_seconds

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
GIVE_UP = 8.0
TIMEOUT = 0.6
LATE = GIVE_UP / 2
ANSWER = b'{"stat":"ok"}'


@dataclass
class Dribbler:
    base_url: str
    requests: list[float]


def _serve(
    listener: socket.socket, mode: str, requests: list[float], stop: threading.Event
) -> None:
    listener.settimeout(0.2)
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        requests.append(time.monotonic())
        threading.Thread(target=_dribble, args=(conn, mode, stop), daemon=True).start()


def _dribble(conn: socket.socket, mode: str, stop: threading.Event) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    if mode == "body":
        conn.sendall(head + b"Content-Length: 100000\r\n\r\n" + ANSWER[:1])
        rest = b" " * 100000
    else:  # the headers themselves never end
        rest = head + b"X-Slow: " + b"a" * 100000
    end = time.monotonic() + GIVE_UP
    try:
        conn.recv(65536)
        for byte in rest:
            if stop.is_set() or time.monotonic() > end:
                break
            conn.sendall(bytes([byte]))
            time.sleep(0.05)
    except OSError:
        pass  # the client hung up: what a deadline does
    finally:
        conn.close()


@pytest.fixture(params=["body", "headers"])
def dribbler(request: pytest.FixtureRequest) -> Iterator[Dribbler]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()
    requests: list[float] = []
    thread = threading.Thread(target=_serve, args=(listener, request.param, requests, stop))
    thread.start()
    port = listener.getsockname()[1]
    yield Dribbler(f"http://127.0.0.1:{port}/services/", requests)
    stop.set()
    thread.join()
    listener.close()


def _check(result_fault: Fault | None, elapsed: float) -> None:
    assert isinstance(result_fault, Fault)
    assert result_fault.origin == "network"
    assert result_fault.retryable is True
    assert "timed out" in result_fault.message
    assert elapsed < LATE, f"the call lasted {elapsed:.1f} s with timeout={TIMEOUT}"


def test_a_dribbling_server_is_cut_off_at_the_deadline(dribbler: Dribbler) -> None:
    with Client(credentials=CREDS, base_url=dribbler.base_url, timeout=TIMEOUT) as client:
        start = time.monotonic()
        result = client.call("flickr.test.echo")
        elapsed = time.monotonic() - start
    assert not result.ok and result.http_status is None
    _check(result.fault, elapsed)


async def test_a_dribbling_server_is_cut_off_at_the_deadline_async(dribbler: Dribbler) -> None:
    async with AsyncClient(
        credentials=CREDS, base_url=dribbler.base_url, timeout=TIMEOUT
    ) as client:
        start = time.monotonic()
        result = await client.call("flickr.test.echo")
        elapsed = time.monotonic() - start
    assert not result.ok
    _check(result.fault, elapsed)


def _check_injected(http: httpx.Client, dribbler: Dribbler) -> None:
    client = Client(
        credentials=CREDS, base_url=dribbler.base_url, http_client=http, timeout=TIMEOUT
    )
    start = time.monotonic()
    result = client.call("flickr.test.echo")
    _check(result.fault, time.monotonic() - start)


def test_an_injected_http_client_is_held_to_the_deadline(dribbler: Dribbler) -> None:
    """An injected ``httpx.Client`` with httpx's own transport reads through the deadline
    too, a dribbled header block included (its read timeout would restart with every byte)."""
    with httpx.Client(timeout=30) as http:
        _check_injected(http, dribbler)


def test_an_injected_clients_mounted_transport_is_held_to_the_deadline(
    dribbler: Dribbler,
) -> None:
    mounts = {"http://127.0.0.1": httpx.HTTPTransport()}
    with httpx.Client(timeout=30, mounts=mounts) as http:
        _check_injected(http, dribbler)


@pytest.mark.parametrize("dribbler", ["body"], indirect=True)
def test_a_custom_transport_is_held_to_the_deadline_between_chunks(dribbler: Dribbler) -> None:
    """A transport that is not httpx's own cannot be reached per read, but the time left
    still bounds every phase and is checked after every body chunk."""

    class Relay(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.HTTPTransport()

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            return self.inner.handle_request(request)

    with httpx.Client(timeout=30, transport=Relay()) as http:
        _check_injected(http, dribbler)


def _slow_server(delay: float) -> tuple[socket.socket, str]:
    """A loopback server answering every request after ``delay`` seconds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def answer(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            time.sleep(delay)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(ANSWER), ANSWER))

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}/services/"


def test_the_applications_own_requests_on_an_injected_client_keep_their_timeouts() -> None:
    """Injecting a client into flickrwire changes nothing for what the application sends
    through it itself: an answer slower than flickrwire's deadline still arrives."""
    listener, url = _slow_server(TIMEOUT + 0.4)
    try:
        with httpx.Client(timeout=10) as http:
            client = Client(base_url=url, http_client=http, signing="none", timeout=TIMEOUT)
            late = client.call("flickr.test.echo")
            assert late.fault is not None and "timed out" in late.fault.message
            own = http.get(url)  # a new connection, opened after the injection
            assert own.status_code == 200 and own.content == ANSWER
    finally:
        listener.close()


def test_retries_stay_within_the_deadline(dribbler: Dribbler) -> None:
    """The deadline covers retries: a read call is retried, but not past the deadline."""
    policy = RetryPolicy(attempts=10, base=0.0, jitter=False)
    with Client(
        credentials=CREDS, base_url=dribbler.base_url, timeout=TIMEOUT, retry=policy
    ) as client:
        start = time.monotonic()
        result = client.send(Call("flickr.test.echo", {}, "POST"))
        elapsed = time.monotonic() - start
    _check(result.fault, elapsed)
    assert len(dribbler.requests) == 1


def test_total_seconds_reads_the_timeout_option() -> None:
    assert total_seconds(3) == 3.0
    assert total_seconds(None) is None
    assert total_seconds(httpx.Timeout(30.0, connect=10.0)) == 30.0
    assert total_seconds(httpx.Timeout(None)) is None


def test_a_deadline_refuses_a_wait_that_would_end_past_it() -> None:
    deadline = Deadline(5.0)
    assert deadline.allows(1.0)
    assert not deadline.allows(6.0)
    assert Deadline(None).allows(1e9)


def test_the_call_command_is_held_to_its_timeout_too(dribbler: Dribbler) -> None:
    # `flickrwire call` builds its own httpx client and injects it: its reads must honour
    # the deadline as a Client's own do, headers included.
    from typer.testing import CliRunner

    from flickrwire.cli import app

    started = time.monotonic()
    result = CliRunner().invoke(
        app,
        ["call", "flickr.test.null", "--base-url", dribbler.base_url, "--timeout", str(TIMEOUT)],
        env={"FLICKR_API_KEY": "fake-consumer-key", "FLICKR_API_SECRET": "fake-secret"},
    )
    assert time.monotonic() - started < LATE
    assert result.exit_code == 1, result.output
    assert "timed out" in result.output
