"""Shared test set-up: no test may reach beyond loopback; hypothesis profiles."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from hypothesis import settings
from sampledir import ON_CI, require_samples

# Property tests explore at random on a developer's machine; on CI (CI=true) they replay a
# fixed sequence, so that a landing never depends on the draw. No deadlines anywhere:
# a busy two-core machine is not a failure.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if ON_CI else "dev")

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_local(address):
        raise OSError(f"tests may not connect beyond loopback (tried {address!r})")
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _is_local(address):
        raise OSError(f"tests may not connect beyond loopback (tried {address!r})")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_internet() -> Any:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


@pytest.fixture
def shared_samples() -> Any:
    """The shared samples folder (``sampledir.needs_samples`` asks for it)."""
    return require_samples()


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy variables: with one set, the client's own HTTP client is httpx's pool
    (httpx honours them; the aiohttp transport does not), not the aiohttp one."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
async def web_server() -> AsyncIterator[Callable[[Any], Awaitable[str]]]:
    """Start an aiohttp.web server on a free loopback port answering every path with the
    handler given (``await web_server(handler)``); gives its base URL. aiohttp is
    imported here, so that only the tests asking for it need ``flickrwire[fast]``."""
    from aiohttp import web

    runners: list[web.AppRunner] = []

    async def start(handler: Any) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/services/"

    yield start
    for runner in runners:
        await runner.cleanup()
