"""Serving the emulator on a socket: uvicorn behind the front end (``frontend.py``)
that enacts socket faults, on one event loop; in the foreground (``serve``) or on a
background thread (``start_in_thread``). Both bind 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from .frontend import FrontEnd


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class _Server(uvicorn.Server):
    """uvicorn's server without its own signal handling: ``serve`` installs handlers that
    stop the front end too, and a Ctrl-C ends ``serve`` normally instead of re-raising."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _Service:
    """uvicorn plus, optionally, the front end; ``run`` on an event loop, ``stop`` anywhere."""

    def __init__(self, app: ASGIApp, host: str, port: int, *, front_end: bool, **options: Any):
        self.public = _bind(host, port)
        self.host = host
        self.port: int = self.public.getsockname()[1]
        self.private: socket.socket | None = None
        self.front: FrontEnd | None = None
        if front_end:
            try:
                self.private = _bind("127.0.0.1", 0)
            except BaseException:
                self.public.close()
                raise
            self.front = FrontEnd(self.private.getsockname()[:2])
            app = self.front.wrap(app)
        options.setdefault("log_level", "warning")
        config = uvicorn.Config(app, access_log=False, proxy_headers=False, **options)
        self.server = _Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._restore: list[tuple[int, Any]] = []

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}/services/"

    async def run(self, on_ready: Callable[[], None], *, handle_signals: bool = False) -> None:
        self.loop = asyncio.get_running_loop()
        if handle_signals:
            self._install_signal_handlers(self.loop)
        upstream = self.private if self.private is not None else self.public
        task = asyncio.create_task(self.server.serve(sockets=[upstream]))
        try:
            while not self.server.started and not task.done():
                await asyncio.sleep(0.005)
            if not task.done() and self.front is not None:
                await self.front.start(self.public)
            if not task.done():
                on_ready()
            await task
        finally:
            self._close_front()
            if not task.done():
                self.server.should_exit = True
                await task
            self.public.close()
            if self.private is not None:
                self.private.close()
            for sig, handler in self._restore:
                signal.signal(sig, handler)

    def stop(self) -> None:
        """Stop serving; safe from any thread, and more than once."""
        loop = self.loop
        if loop is None or loop.is_closed():
            self.server.should_exit = True
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self._shutdown)

    def _shutdown(self) -> None:
        self._close_front()
        self.server.should_exit = True

    def _on_signal(self) -> None:
        if self.server.should_exit:  # a second Ctrl-C: do not wait for open requests
            self.server.force_exit = True
        self._shutdown()

    def _install_signal_handlers(self, loop: asyncio.AbstractEventLoop) -> None:
        """Ctrl-C and SIGTERM stop the server (the loop drops these handlers on close)."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._on_signal)
            except NotImplementedError:  # Windows event loops
                previous = signal.signal(sig, lambda *_: loop.call_soon_threadsafe(self._on_signal))
                self._restore.append((sig, previous))

    def _close_front(self) -> None:
        if self.front is not None:
            self.front.close()


# -- public API -------------------------------------------------------------------------


class RunningServer:
    """A server running on a background thread; ``stop()`` or use it as a context manager."""

    def __init__(self, service: _Service, thread: threading.Thread) -> None:
        self._service = service
        self._thread = thread
        self.host = service.host
        self.port = service.port
        self.base_url = service.base_url

    def __repr__(self) -> str:
        return f"<RunningServer {self.base_url}>"

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving and join the thread (idempotent)."""
        self._service.stop()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"the emulator at {self.base_url} did not stop in {timeout} s")

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    on_ready: Callable[[str], None] | None = None,
    front_end: bool = True,
    **uvicorn_options: Any,
) -> None:
    """Serve ``app`` until interrupted. ``on_ready(base_url)`` runs once it accepts calls.

    ``front_end=False`` serves with uvicorn alone (socket faults then reach clients as
    plain ``599`` answers). Extra keyword arguments go to ``uvicorn.Config``.
    """
    service = _Service(app, host, port, front_end=front_end, **uvicorn_options)

    def ready() -> None:
        if on_ready is not None:
            on_ready(service.base_url)

    asyncio.run(service.run(ready, handle_signals=True))


def start_in_thread(
    app: ASGIApp,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    front_end: bool = True,
    startup_timeout: float = 10.0,
    **uvicorn_options: Any,
) -> RunningServer:
    """Serve ``app`` on a background thread (port 0: a free port) and return once it is up."""
    uvicorn_options.setdefault("log_config", None)  # leave the host program's logging alone
    uvicorn_options.setdefault("timeout_graceful_shutdown", 5)
    service = _Service(app, host, port, front_end=front_end, **uvicorn_options)
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(service.run(ready.set))
        except BaseException as exc:  # SystemExit from uvicorn's failed start-up included
            failure.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=run, name=f"flickrwire-emulator:{service.port}", daemon=True)
    thread.start()
    if not ready.wait(startup_timeout) or failure or not thread.is_alive():
        service.stop()
        thread.join(startup_timeout)
        cause = failure[0] if failure else None
        raise RuntimeError(f"the emulator did not start on {service.base_url}") from cause
    return RunningServer(service, thread)
