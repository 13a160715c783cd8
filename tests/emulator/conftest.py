"""Shared fixtures for the emulator's core tests: a seeded store and the core app, clients
over ``httpx.ASGITransport``, the default seed's credentials by username, uvicorn on a
loopback socket, the emulator as a subprocess, and crowded seeds for the load tests."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import random
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

import flickrwire
from flickrwire.emulator.app import EmulatorConfig, create_core_app
from flickrwire.emulator.seed import default_seed
from flickrwire.emulator.store import Store

#: In-process requests never leave the process; the host only enters the OAuth base string.
BASE_URL = "https://api.flickr.com/services/"
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
REPO = Path(__file__).resolve().parents[2]


class Seeded:
    """The credentials a seed holds: ``seeded.creds("alice")`` is Alice's live token."""

    def __init__(self, seed: dict[str, Any]) -> None:
        self.seed = seed
        self.key = seed["api_keys"][0]["key"]
        self.secret = seed["api_keys"][0]["secret"]
        self.nsid = {u["username"]: u["nsid"] for u in seed["users"]}

    def token(self, username: str, *, revoked: bool = False) -> dict[str, Any]:
        nsid = self.nsid[username]
        return next(t for t in self.seed["tokens"] if t["user"] == nsid and t["revoked"] == revoked)

    def creds(self, username: str, *, revoked: bool = False) -> flickrwire.Credentials:
        token = self.token(username, revoked=revoked)
        return flickrwire.Credentials(self.key, self.secret, token["token"], token["secret"])

    def key_only(self) -> flickrwire.Credentials:
        return flickrwire.Credentials(self.key, self.secret)


@pytest.fixture
def seed() -> dict[str, Any]:
    return default_seed()


@pytest.fixture
def seeded(seed: dict[str, Any]) -> Seeded:
    return Seeded(seed)


@pytest.fixture
def store(seed: dict[str, Any]) -> Iterator[Store]:
    opened = Store()
    opened.load_seed(seed)
    yield opened
    opened.close()


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig()


@pytest.fixture
def app(store: Store, config: EmulatorConfig) -> Any:
    return create_core_app(store, config)


ClientFactory = Callable[..., flickrwire.AsyncClient]


@pytest.fixture
async def client_for(app: Any) -> AsyncIterator[ClientFactory]:
    """``client_for("soap", "xml", creds)``: a flickrwire AsyncClient on the app in-process."""
    opened: list[httpx.AsyncClient] = []

    def make(
        transport: str = "rest",
        codec: str = "json",
        credentials: flickrwire.Credentials | None = None,
        **options: Any,
    ) -> flickrwire.AsyncClient:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
        opened.append(http)
        options.setdefault("base_url", BASE_URL)
        return flickrwire.AsyncClient(transport, codec, credentials, http_client=http, **options)

    yield make
    for http in opened:
        await http.aclose()


@pytest.fixture
async def raw(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A plain httpx client on the app, for hand-made requests."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        yield c


@contextlib.contextmanager
def uvicorn_thread(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    # IPPROTO_TCP so that asyncio turns Nagle off on accepted connections.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/services/"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


@pytest.fixture
def live_url(app: Any) -> Iterator[str]:
    with uvicorn_thread(app) as url:
        yield url


class Spawned:
    """``python -m flickrwire.emulator`` running in a child process."""

    def __init__(self, proc: subprocess.Popen[str], base_url: str) -> None:
        self.proc = proc
        self.base_url = base_url

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(15)


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[[str, dict[str, Any]], Spawned]]:
    """``spawn(db_path, seed)``: start the emulator on 127.0.0.1 and a free port."""
    started: list[Spawned] = []

    def start(db: str, seed: dict[str, Any]) -> Spawned:
        seed_file = tmp_path / f"seed-{len(started)}.json"
        seed_file.write_text(json.dumps(seed), encoding="utf-8")
        command = [sys.executable, "-m", "flickrwire.emulator", "--port", "0"]
        command += ["--db", db, "--seed", str(seed_file)]
        proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline().strip() if ready else ""
        spawned = Spawned(proc, line)
        started.append(spawned)
        assert line.startswith("http://127.0.0.1:"), f"emulator did not start: {line!r}"
        return spawned

    yield start
    for spawned in started:
        spawned.kill()
        if spawned.proc.stdout is not None:
            spawned.proc.stdout.close()


def crowd_seed(members: int, *, seed: int = 7) -> dict[str, Any]:
    """One group of ``members`` users, each with a delete token and one photo in the pool.

    The first user is the only admin and joined first; the others joined in an order
    unrelated to their NSIDs, so "oldest member" and "lowest NSID" disagree.
    """
    base = default_seed()
    key = base["api_keys"][0]
    rng = random.Random(seed)
    joins = list(range(1, members))
    rng.shuffle(joins)
    users, tokens, memberships, photos, pool = [], [], [], [], []
    for n in range(members):
        nsid = f"{20000000 + n}@N02"
        users.append({"nsid": nsid, "username": f"user{n}"})
        tokens.append(
            {"token": f"72157{n:012d}-{n:016x}", "secret": f"{n:016x}", "api_key": key["key"]}
            | {"user": nsid, "perms": "delete"}
        )
        role = "admin" if n == 0 else ("moderator" if n % 10 == 0 else "member")
        joined = 1_000_000_000 + (0 if n == 0 else joins[n - 1]) * 60
        memberships.append({"group": "40000001@N02", "user": nsid, "role": role, "joined": joined})
        photos.append({"id": str(60000000 + n), "owner": nsid})
        pool.append({"group": "40000001@N02", "photo": str(60000000 + n), "added": joined + 1})
    return {
        "api_keys": [copy.deepcopy(key)],
        "users": users,
        "tokens": tokens,
        "groups": [{"id": "40000001@N02", "name": "crowd"}],
        "memberships": memberships,
        "photos": photos,
        "pool": pool,
    }


CROWD_GROUP = "40000001@N02"
