"""httpx transports that run the emulator in-process, no socket involved.

``AsyncEmulatorTransport`` wraps ``httpx.ASGITransport``; ``EmulatorTransport`` is its
synchronous twin (the app runs on an event loop in a helper thread). Both make the
in-process mode fail the way a socket would:

- a socket fault signalled by the fault middleware becomes the exception httpx raises for
  it over a real connection: ``reset`` -> ``ReadError``; ``empty``, ``garbage``, ``random``
  and ``truncate`` -> ``RemoteProtocolError``; ``hang`` -> ``ReadTimeout`` once the
  request's read timeout has passed (at once when the request has none);
- the request's read timeout holds between the pieces of an answer, so a ``delay`` or
  ``dribble`` longer than it ends in ``ReadTimeout`` as it would on a socket.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import anyio
import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .rules import SOCKET_FAULT_HEADER, SocketFault, parse_socket_fault

_T = TypeVar("_T")


class _Budget:
    """The read timeout of one request, and whether the app overran it."""

    __slots__ = ("read", "timed_out")

    def __init__(self, read: float | None) -> None:
        self.read = read
        self.timed_out = False


class _AppTimedOut(Exception):
    pass


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "flickrwire_emulator_budget", default=None
)


class _ReadDeadline:
    """Cancels the app when it is silent for longer than the request's read timeout."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        budget = _budget.get()
        if budget is None or budget.read is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        read = budget.read
        with anyio.CancelScope(deadline=anyio.current_time() + read) as scope_:

            async def timed_send(message: Message) -> None:
                await send(message)
                scope_.deadline = anyio.current_time() + read

            await self.app(scope, receive, timed_send)
        if scope_.cancelled_caught:
            budget.timed_out = True
            raise _AppTimedOut


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout") or {}
    value = timeout.get("read")
    return None if value is None else float(value)


def _timed_out(request: httpx.Request, read: float | None) -> httpx.ReadTimeout:
    return httpx.ReadTimeout(f"no answer from the emulator within {read} s", request=request)


async def _raise_socket_fault(
    fault: SocketFault, body: bytes, request: httpx.Request, read: float | None
) -> NoReturn:
    """Raise what httpx raises when a real server does this to the connection."""
    action = fault.action
    if action == "hang":
        if read is not None:
            await anyio.sleep(read)
        raise _timed_out(request, read)
    if action == "reset":
        raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
    if action == "empty":
        message = "Server disconnected without sending a response."
    elif action == "truncate":
        received = min(fault.size, len(body))
        message = (
            "peer closed connection without sending complete message body: "
            f"received {received} bytes, expected {len(body)}"
        )
    else:  # garbage, random
        message = "illegal response: the server sent bytes that are not HTTP, then closed"
    raise httpx.RemoteProtocolError(message, request=request)


class AsyncEmulatorTransport(httpx.AsyncBaseTransport):
    """Send requests straight into the emulator app: ``httpx.AsyncClient(transport=...)``."""

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self.app = app
        self._asgi = httpx.ASGITransport(app=_ReadDeadline(app), client=client)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        budget = _Budget(_read_timeout(request))
        token = _budget.set(budget)
        try:
            response = await self._asgi.handle_async_request(request)
        except _AppTimedOut:
            raise _timed_out(request, budget.read) from None
        finally:
            _budget.reset(token)
        fault = parse_socket_fault(response.headers.get(SOCKET_FAULT_HEADER))
        if fault is None:
            return response
        body = await response.aread()
        await _raise_socket_fault(fault, body, request, budget.read)

    async def aclose(self) -> None:
        await self._asgi.aclose()


class _LoopThread:
    """An event loop on a daemon thread (a forgotten one never blocks the interpreter's
    exit, unlike an executor's worker)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self._run, name="flickrwire-emulator-inprocess", daemon=True
        )
        self.thread.start()

    def _run(self) -> None:
        loop = self.loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()

    def call(self, coroutine: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


class EmulatorTransport(httpx.BaseTransport):
    """The synchronous twin: ``httpx.Client(transport=EmulatorTransport(app))``.

    The app runs on an event loop in a helper thread, started on the first request and
    stopped by ``close()`` (which ``httpx.Client.close()`` calls).
    """

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self.app = app
        self._async = AsyncEmulatorTransport(app, client=client)
        self._lock = threading.Lock()
        self._runner: _LoopThread | None = None

    def _loop(self) -> _LoopThread:
        with self._lock:
            if self._runner is None:
                self._runner = _LoopThread()
            return self._runner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        copy = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.read(),
            extensions=request.extensions,
        )
        status, headers, body = self._loop().call(self._send(copy))
        return httpx.Response(status, headers=headers, content=body, request=request)

    async def _send(self, request: httpx.Request) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        response = await self._async.handle_async_request(request)
        body = b"".join([chunk async for chunk in response.aiter_raw()])
        await response.aclose()
        return response.status_code, response.headers.raw, body

    def close(self) -> None:
        with self._lock:
            runner, self._runner = self._runner, None
        if runner is not None:
            runner.close()
