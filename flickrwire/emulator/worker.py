"""The emulator's store thread: one worker thread that runs the API endpoints' work (each
request's SQLite transaction) off the event loop, taking whatever requests are waiting in
one batch and handing their answers back to the loop in one wake-up.

The store answers one transaction at a time anyway (one connection, one lock), so one
thread loses no parallelism; what it saves is a thread hand-off and a loop wake-up per
request, and the threads contending for the store's lock and the GIL. A database locked
by another process still blocks only this thread: the event loop keeps answering
everything that does not need the store (the admin API's health check, for one). The
thread ends after :data:`IDLE_SECONDS` without work and starts again on the next request.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
#: Seconds the thread waits for work before it ends.
IDLE_SECONDS = 10.0

_Job = tuple[asyncio.AbstractEventLoop, asyncio.Future[Any], Callable[..., Any], tuple[Any, ...]]
_Done = tuple[asyncio.Future[Any], Any, BaseException | None]


class StoreWorker:
    """``await worker.run(fn, *args)``: ``fn(*args)`` on the worker thread, in order."""

    def __init__(self, name: str = "flickrwire-store") -> None:
        self.name = name
        self._guard = threading.Lock()
        # A C-implemented queue: putting a job and waking the thread cost no Python-level
        # condition variable (``threading.Event`` is one).
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._guard:
            self._jobs.put((loop, future, fn, args))
            if self._thread is None:
                self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
                self._thread.start()
        # A cancelled request's future is cancelled, not its job: the thread still runs
        # the transaction to the end and drops the answer (``_deliver``). No shield needed,
        # which would cost each request another future and another turn of the loop.
        return await future

    def _main(self) -> None:
        jobs = self._jobs
        while True:
            try:
                batch = [jobs.get(timeout=IDLE_SECONDS)]
            except queue.Empty:
                with self._guard:  # ``run`` puts and looks at the thread under the guard
                    if jobs.empty():
                        self._thread = None
                        return
                continue
            with contextlib.suppress(queue.Empty):
                while True:
                    batch.append(jobs.get_nowait())
            _deliver_all(_run_all(batch))


def _run_all(batch: list[_Job]) -> dict[asyncio.AbstractEventLoop, list[_Done]]:
    done: dict[asyncio.AbstractEventLoop, list[_Done]] = {}
    for loop, future, fn, args in batch:
        try:
            outcome: _Done = (future, fn(*args), None)
        except BaseException as exc:  # handed to the awaiting request, not lost here
            outcome = (future, None, exc)
        done.setdefault(loop, []).append(outcome)
    return done


class _Mailbox:
    """Answers on their way to one event loop: a batch finished while the loop has not
    yet taken the previous one joins it instead of waking the loop again."""

    __slots__ = ("guard", "outcomes", "waking")

    def __init__(self) -> None:
        self.guard = threading.Lock()
        self.outcomes: list[_Done] = []
        self.waking = False

    def post(self, loop: asyncio.AbstractEventLoop, outcomes: list[_Done]) -> None:
        with self.guard:
            self.outcomes.extend(outcomes)
            if self.waking:
                return
            self.waking = True
        # RuntimeError: the loop closed meanwhile, and nobody waits for these answers.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self.deliver)

    def deliver(self) -> None:
        with self.guard:
            outcomes, self.outcomes = self.outcomes, []
            self.waking = False
        _deliver(outcomes)


_MAILBOXES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Mailbox] = (
    weakref.WeakKeyDictionary()
)
_MAILBOXES_GUARD = threading.Lock()


def _mailbox(loop: asyncio.AbstractEventLoop) -> _Mailbox:
    with _MAILBOXES_GUARD:
        box = _MAILBOXES.get(loop)
        if box is None:
            box = _MAILBOXES[loop] = _Mailbox()
        return box


def _deliver_all(done: dict[asyncio.AbstractEventLoop, list[_Done]]) -> None:
    for loop, outcomes in done.items():
        _mailbox(loop).post(loop, outcomes)


def _deliver(outcomes: list[_Done]) -> None:
    for future, value, error in outcomes:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)
