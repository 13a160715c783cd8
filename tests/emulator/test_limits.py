"""Bounded server resources (issue 10, finding 5): request bodies over the limit are refused
unread, and a database locked by another process delays only the requests that need it,
answered 105/106 after the busy timeout, while the rest of the emulator keeps answering."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from oauthlib import oauth1

import flickrwire
from flickrwire.emulator import DEFAULT_MAX_BODY, create_app
from flickrwire.emulator.seed import DEFAULT_SEED, TEST_GROUP
from flickrwire.emulator.server import start_in_thread

BASE = "http://127.0.0.1/services/"
HUNDRED_MB = 100 * 1024 * 1024
CHUNK = b"a" * 65536
TOKEN = "limits-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Pulled:
    """A streamed request body of ``size`` bytes that counts how much was pulled."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.count = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.count < self.size:
            self.count += len(CHUNK)
            yield CHUNK


@pytest.fixture
def app() -> Iterator[Any]:
    app = create_app(admin=True, admin_token=TOKEN)
    yield app
    app.state.emulator.close()


async def post(app: Any, path: str, body: Pulled, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        return await http.post(path, content=body, headers=headers)  # type: ignore[arg-type]


async def test_a_declared_100_mb_body_is_refused_before_any_of_it_is_read(app: Any) -> None:
    body = Pulled(HUNDRED_MB)
    headers = {"Content-Length": str(HUNDRED_MB), "Content-Type": "text/plain"}
    answer = await post(app, "rest/?format=json&nojsoncallback=1", body, headers)
    assert answer.status_code == 413
    assert body.count == 0
    result = flickrwire.decode(answer.content, transport="rest", codec="json", status=413)
    assert result.fault is not None and result.fault.code == 413
    assert str(DEFAULT_MAX_BODY) in result.fault.message


async def test_a_streamed_100_mb_body_is_refused_after_the_limit(app: Any) -> None:
    body = Pulled(HUNDRED_MB)
    tracemalloc.start()
    try:
        answer = await post(app, "rest/", body, {"Content-Type": "multipart/form-data; boundary=b"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert answer.status_code == 413
    assert body.count <= DEFAULT_MAX_BODY + 2 * len(CHUNK)  # not buffered past the limit
    assert peak < 16 * 1024 * 1024  # a few copies of 1 MiB at most, never 100 MB
    result = flickrwire.decode(answer.content, transport="rest", codec="xml", status=413)
    assert result.fault is not None and result.fault.code == 413
    assert app.state.emulator.store.dump()["memberships"] == DEFAULT_SEED["memberships"]


@pytest.mark.parametrize(
    ("path", "media"),
    [("xmlrpc/", "text/xml"), ("soap/", "text/xml"), ("oauth/request_token", "text/xml"),
     ("http://127.0.0.1/_admin/reset", "application/json")],
)  # fmt: skip
async def test_every_endpoint_refuses_in_its_own_format(app: Any, path: str, media: str) -> None:
    body = Pulled(2 * DEFAULT_MAX_BODY)
    answer = await post(app, path, body, {**AUTH, "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith(media)
    assert "too large" in answer.text


async def test_the_limit_holds_when_fault_rules_read_the_body_first() -> None:
    # With a rule to match, the fault middleware reads the body to find the method.
    app = create_app(faults=[{"method": "flickr.test.echo", "action": "delay"}])
    body = Pulled(HUNDRED_MB)
    answer = await post(app, "rest/", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413
    assert body.count <= DEFAULT_MAX_BODY + 2 * len(CHUNK)
    app.state.emulator.close()


async def test_a_body_at_the_limit_is_taken() -> None:
    app = create_app(max_body=64)
    form = b"method=flickr.test.echo&a="
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        for size in (64, 65):
            padded = form + b"x" * (size - len(form))
            answer = await http.post("rest/", content=padded, headers={"Content-Type": "text/x"})
            # 64 bytes are read (and refused for their type: 96); 65 are not read at all.
            assert answer.status_code == (200 if size == 64 else 413)
            assert f'code="{96 if size == 64 else 413}"' in answer.text
    app.state.emulator.close()
    with pytest.raises(ValueError, match="max_body"):
        create_app(max_body=-1)


def test_over_a_socket_a_declared_length_is_refused_at_once() -> None:
    app = create_app()
    with start_in_thread(app) as server, socket.create_connection((server.host, server.port)) as s:
        s.sendall(
            b"POST /services/rest/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            + f"Content-Length: {HUNDRED_MB}\r\n\r\n".encode()
            + CHUNK
        )
        s.settimeout(30)
        head = s.recv(4096)
    app.state.emulator.close()
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"connection: close" in head.lower()


# -- a database locked by another process -------------------------------------------

LOCKER = (
    "import sqlite3, sys\n"
    "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "db.execute('BEGIN IMMEDIATE')\n"
    "print('locked', flush=True)\n"
    "sys.stdin.read()\n"
)


@contextlib.contextmanager
def locked(db: Path) -> Iterator[None]:
    """Another process holding the write lock on ``db`` until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCKER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield
    finally:
        proc.stdin.close()
        proc.wait(15)
        proc.stdout.close()


def bob() -> flickrwire.Credentials:
    key = DEFAULT_SEED["api_keys"][0]
    token = next(t for t in DEFAULT_SEED["tokens"] if t["user"] == "10000002@N01")
    return flickrwire.Credentials(key["key"], key["secret"], token["token"], token["secret"])


def leave(base_url: str) -> tuple[flickrwire.Result, float]:
    started = time.monotonic()
    with flickrwire.Client("rest", "json", bob(), base_url=base_url, timeout=30) as client:
        result = client.groups.leave(group_id=TEST_GROUP)
    return result, time.monotonic() - started


def request_token(base_url: str) -> httpx.Response:
    key = DEFAULT_SEED["api_keys"][0]
    client = oauth1.Client(key["key"], client_secret=key["secret"], callback_uri="oob")
    uri, headers, _ = client.sign(base_url + "oauth/request_token", "POST")
    return httpx.post(uri, headers=headers, timeout=30)


def wait_for_request(app: Any) -> None:
    deadline = time.monotonic() + 30
    while not len(app.state.emulator.log):
        assert time.monotonic() < deadline, "the leave never reached the emulator"
        time.sleep(0.01)


@pytest.mark.parametrize("busy_timeout", [None, 3.0], ids=["default", "3s"])
def test_a_locked_database_answers_106_while_the_rest_answers(
    tmp_path: Path, busy_timeout: float | None
) -> None:
    db = tmp_path / "state.sqlite"
    options: dict[str, Any] = {} if busy_timeout is None else {"busy_timeout": busy_timeout}
    app = create_app(db=str(db), admin=True, admin_token=TOKEN, **options)
    with start_in_thread(app) as server, ThreadPoolExecutor(1) as pool:
        health = server.base_url.replace("/services/", "/_admin/health")
        with locked(db):
            pending = pool.submit(leave, server.base_url)
            wait_for_request(app)
            answer = httpx.get(health, headers=AUTH, timeout=10)
            assert answer.json()["status"] == "ok"
            if busy_timeout is not None:
                # Three seconds of lock wait: health answered while the leave still waits.
                assert not pending.done()
            result, elapsed = pending.result(timeout=60)
            assert request_token(server.base_url).status_code == 503
        assert (result.code, result.fault and result.fault.retryable) == (106, True)
        # About the busy timeout (1 s by default), not SQLite's 30 s of old; generous bound.
        assert elapsed < 10 + (busy_timeout or 0)
        assert leave(server.base_url)[0].ok  # the lock gone, the same call goes through
    app.state.emulator.close()
