"""The watchdog that ends ``AsyncClient`` calls at their deadlines on asyncio: one timer per
loop, ending calls as ``asyncio.timeout`` ends them (each case is run under both)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import Any

import pytest

from flickrwire import watchdog as watchdog_module
from flickrwire.watchdog import Watchdog, watchdog

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="the watchdog needs Task.uncancel (Python 3.11)"
)

Guard = Callable[[float], AbstractAsyncContextManager[Any]]


@asynccontextmanager
async def guarded(seconds: float) -> Any:
    dog = watchdog(None)
    assert dog is not None
    with dog.guard(seconds):
        yield


def under_asyncio_timeout(seconds: float) -> AbstractAsyncContextManager[Any]:
    return asyncio.timeout(seconds)  # type: ignore[attr-defined,no-any-return]


GUARDS = pytest.mark.parametrize("guard", [guarded, under_asyncio_timeout])


@GUARDS
async def test_a_block_past_its_deadline_raises_timeout_error(guard: Guard) -> None:
    with pytest.raises(TimeoutError):
        async with guard(0.01):
            await asyncio.sleep(5)
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


@GUARDS
async def test_a_block_within_its_deadline_is_left_alone(guard: Guard) -> None:
    async with guard(5):
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.02)  # nothing cancels the task afterwards
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


@GUARDS
async def test_a_cancellation_from_elsewhere_goes_on(guard: Guard) -> None:
    async def body() -> None:
        async with guard(5):
            await asyncio.sleep(5)

    task = asyncio.ensure_future(body())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@GUARDS
async def test_a_cancellation_from_elsewhere_at_the_deadline_goes_on(guard: Guard) -> None:
    """Both cancelled the task: the outer one wins, as under asyncio.timeout."""
    started = asyncio.Event()

    async def body() -> None:
        async with guard(0.01):
            started.set()
            try:
                await asyncio.sleep(5)
            finally:
                await asyncio.sleep(0.05)  # the deadline passes in here, then we cancel

    task = asyncio.ensure_future(body())
    await started.wait()
    await asyncio.sleep(0.03)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@GUARDS
async def test_a_block_that_swallows_the_cancellation_ends_normally(guard: Guard) -> None:
    async with guard(0.01):
        with suppress(asyncio.CancelledError):
            await asyncio.sleep(5)
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


@GUARDS
async def test_another_exception_at_the_deadline_is_kept(guard: Guard) -> None:
    with pytest.raises(ValueError, match="mine"):
        async with guard(0.01):
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                raise ValueError("mine") from None


@GUARDS
async def test_a_deadline_already_past_ends_the_block_at_its_first_wait(guard: Guard) -> None:
    reached = []
    with pytest.raises(TimeoutError):
        async with guard(-1):
            reached.append(1)
            await asyncio.sleep(5)
    assert reached == [1]


async def test_calls_of_different_lengths_end_each_at_its_own_deadline() -> None:
    """A retried call joins with an earlier deadline than calls started before it: the
    timer is moved forward for it, and the later ones still end at theirs."""
    dog = watchdog(None)
    assert dog is not None
    loop = asyncio.get_running_loop()
    ended: dict[str, float] = {}
    start = loop.time()

    async def call(name: str, seconds: float, sleeps: float) -> str:
        try:
            with dog.guard(seconds):
                await asyncio.sleep(sleeps)
        except TimeoutError:
            ended[name] = loop.time() - start
            return "timeout"
        return "done"

    outcomes = await asyncio.gather(
        call("long", 0.3, 5),
        call("short", 0.05, 5),
        call("quick", 0.3, 0.01),
        call("middle", 0.15, 5),
    )
    assert outcomes == ["timeout", "timeout", "done", "timeout"]
    assert ended["short"] < ended["middle"] < ended["long"]
    assert ended["short"] >= 0.05 and ended["middle"] >= 0.15 and ended["long"] >= 0.3
    assert dog.waiting == {} and dog.handle is None


async def test_one_timer_serves_every_call_of_the_same_length() -> None:
    dog = watchdog(None)
    assert dog is not None
    armed: list[float] = []

    async def call() -> None:
        with dog.guard(30):
            armed.append(dog.armed)
            await asyncio.sleep(0.001)

    await asyncio.gather(*(call() for _ in range(20)))
    assert len(set(armed)) == 1  # armed once, by the first call, for its deadline
    assert dog.waiting == {}


async def test_the_timer_fires_for_the_deadline_it_was_armed_for_even_a_little_early() -> None:
    """The loop runs a timer up to its clock resolution early: the call it was armed for
    still ends (as the handle of asyncio.timeout would end it)."""
    dog = watchdog(None)
    assert dog is not None
    with pytest.raises(TimeoutError), dog.guard(30):
        dog.armed = dog.loop.time() + 30
        dog._fire()  # as if the loop ran it now, for a deadline armed at `armed`
        await asyncio.sleep(5)


def test_a_guard_needs_a_task_of_the_loop() -> None:
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError, match="running asyncio task"):
            Watchdog(loop).guard(1)
    finally:
        loop.close()


def test_no_watchdog_outside_a_running_loop() -> None:
    assert watchdog(None) is None


async def test_a_watchdog_serves_its_own_loop_only() -> None:
    first = watchdog(None)
    assert first is not None
    assert watchdog(first) is first
    other = Watchdog(asyncio.new_event_loop())
    try:
        made = watchdog(other)
        assert made is not None and made is not other
        assert made.loop is asyncio.get_running_loop()
    finally:
        other.loop.close()


async def test_no_watchdog_before_python_3_11(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watchdog_module, "_COUNTS_CANCELS", False)
    assert watchdog(None) is None


async def test_no_watchdog_outside_a_task() -> None:
    found: list[Watchdog | None] = []
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def callback() -> None:  # runs on the loop, but in no task
        found.append(watchdog(None))
        done.set_result(None)

    loop.call_soon(callback)
    await done
    assert found == [None]
