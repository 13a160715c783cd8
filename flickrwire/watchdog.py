"""Calls' total deadlines on asyncio with one timer per client and loop, not one per call.

``asyncio.timeout`` arms a timer for each call it guards: a ``TimerHandle`` pushed on
the loop's heap (compared by a Python ``__lt__``), cancelled when the call ends and left
on the heap until the loop sweeps it. With 50 calls in flight that was about a tenth of
an ``AsyncClient`` call's instructions (issue 11: 723,000 a call with it, 649,000 with
this). A :class:`Watchdog` (``AsyncClient`` keeps one per event loop it runs on) keeps
the guarded calls in the order they started and arms one timer, for the earliest
deadline among them; when it fires, every call past its deadline is cancelled and the
timer is armed for the next.
Calls of one client share one deadline length, so in the usual case a call only joins a
dict and leaves it, and the timer fires once per deadline length.

A guarded call ends as under ``asyncio.timeout``: a call past its deadline is cancelled,
and the ``CancelledError`` becomes ``TimeoutError`` when it leaves the guard, unless the
task was also cancelled by someone else (that cancellation goes on).
"""

from __future__ import annotations

import asyncio
import math
import time
from types import TracebackType

__all__ = ["Watchdog", "watchdog"]

#: ``Task.cancelling`` and ``Task.uncancel`` (Python 3.11), which tell our cancellation
#: from anyone else's; without them the caller keeps anyio's cancel scope.
_COUNTS_CANCELS = hasattr(asyncio.Task, "uncancel")
#: What asyncio's own event loops read as their time: ``time.monotonic()``.
_LOOP_TIME = asyncio.BaseEventLoop.time


class _Guard:
    """One call under a :class:`Watchdog` (a ``with`` block, entered once)."""

    __slots__ = ("cancelling", "dog", "fired", "task", "when")

    def __init__(self, dog: Watchdog, task: asyncio.Task[object], when: float) -> None:
        self.dog = dog
        self.task = task
        self.when = when
        self.fired = False
        self.cancelling = 0

    def __enter__(self) -> None:
        self.cancelling = self.task.cancelling()
        dog = self.dog
        dog.waiting[self] = None
        if self.when < dog.armed:
            dog._arm(self.when)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.dog.waiting.pop(self, None)
        if not self.fired:
            return
        # Ours undone; a cancellation from anyone else still counts and goes on.
        others = self.task.uncancel()
        if kind is asyncio.CancelledError and others <= self.cancelling:
            raise TimeoutError from exc


class Watchdog:
    """Ends guarded calls on one event loop at their deadlines, with one timer."""

    __slots__ = ("armed", "clock", "handle", "loop", "waiting")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        #: ``loop.time``, or the very clock it reads (``time.monotonic`` for asyncio's own
        #: loops) without the Python call around it.
        self.clock = time.monotonic if type(loop).time is _LOOP_TIME else loop.time
        #: The guarded calls still running, in the order they started.
        self.waiting: dict[_Guard, None] = {}
        self.handle: asyncio.TimerHandle | None = None
        #: When the timer fires (infinity: no timer).
        self.armed = math.inf

    def guard(self, seconds: float) -> _Guard:
        """A guard ending the current task's block after ``seconds`` (a ``TimeoutError``
        leaves the block). Must be entered in a task of this watchdog's loop."""
        task = asyncio.current_task(self.loop)
        if task is None:
            raise RuntimeError("a deadline guard needs a running asyncio task")
        return _Guard(self, task, self.clock() + seconds)

    def _arm(self, when: float) -> None:
        if self.handle is not None:
            self.handle.cancel()
        self.armed = when
        self.handle = self.loop.call_at(when, self._fire) if when < math.inf else None

    def _fire(self) -> None:
        """Cancel every call whose deadline has come (the one armed for included, even if
        the loop runs this a little early), then arm for the earliest left."""
        now = max(self.clock(), self.armed)
        self.handle = None
        self.armed = math.inf
        earliest = math.inf
        for guard in list(self.waiting):
            if guard.when <= now:
                del self.waiting[guard]
                guard.fired = True
                guard.task.cancel()
            elif guard.when < earliest:
                earliest = guard.when
        self._arm(earliest)


def watchdog(last: Watchdog | None) -> Watchdog | None:
    """The running asyncio loop's watchdog: ``last`` when it serves that loop, else a new
    one; None outside a running asyncio task (under trio, say) and before Python 3.11."""
    if not _COUNTS_CANCELS:
        return None
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    if last is not None and last.loop is loop:
        return last
    if asyncio.current_task(loop) is None:
        return None
    return Watchdog(loop)
