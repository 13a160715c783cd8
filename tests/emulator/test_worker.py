"""The store's worker thread: work runs off the event loop, in the order it was given,
answers and errors reach the right request, and the thread ends when idle."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from flickrwire.emulator import worker as workermod
from flickrwire.emulator.worker import StoreWorker


async def test_work_runs_off_the_loop_in_order_and_answers_each_request() -> None:
    worker = StoreWorker()
    loop_thread = threading.get_ident()
    order: list[int] = []

    def job(n: int) -> tuple[int, int]:
        order.append(n)
        return n * n, threading.get_ident()

    answers = await asyncio.gather(*(worker.run(job, n) for n in range(50)))
    assert [square for square, _ in answers] == [n * n for n in range(50)]
    assert loop_thread not in {thread for _, thread in answers}
    assert len({thread for _, thread in answers}) == 1
    assert order == list(range(50))


async def test_an_error_reaches_its_own_request_only() -> None:
    worker = StoreWorker()

    def job(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n

    answers = await asyncio.gather(*(worker.run(job, n) for n in range(6)), return_exceptions=True)
    assert [a if not isinstance(a, ValueError) else "error" for a in answers] == [
        0,
        1,
        2,
        "error",
        4,
        5,
    ]


async def test_blocked_work_leaves_the_loop_free() -> None:
    worker = StoreWorker()
    release = threading.Event()
    pending = asyncio.ensure_future(worker.run(release.wait, 10))
    await asyncio.sleep(0.05)
    assert not pending.done()  # the loop runs while the worker is blocked
    release.set()
    assert await pending is True


async def test_the_thread_ends_when_idle_and_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workermod, "IDLE_SECONDS", 0.05)
    worker = StoreWorker(name="flickrwire-store-idle-test")

    def alive() -> bool:
        return any(t.name == "flickrwire-store-idle-test" for t in threading.enumerate())

    assert await worker.run(lambda: 1) == 1
    deadline = time.monotonic() + 10
    while alive():
        assert time.monotonic() < deadline, "the idle worker thread never ended"
        await asyncio.sleep(0.02)
    assert await worker.run(lambda: 2) == 2


async def test_a_cancelled_request_still_has_its_work_done() -> None:
    worker = StoreWorker()
    release = threading.Event()
    done: list[str] = []
    blocker = asyncio.ensure_future(worker.run(release.wait, 10))
    await asyncio.sleep(0.02)  # the worker is busy with the blocker
    cancelled = asyncio.ensure_future(worker.run(done.append, "cancelled request's work"))
    await asyncio.sleep(0.02)
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    release.set()
    assert await blocker is True
    assert await worker.run(done.append, "next") is None
    assert done == ["cancelled request's work", "next"]


async def test_work_cancelled_while_running_finishes_and_the_worker_goes_on() -> None:
    worker = StoreWorker()
    started, release = threading.Event(), threading.Event()
    done: list[int] = []

    def slow() -> int:
        started.set()
        release.wait(10)
        done.append(1)
        return 1

    running = asyncio.ensure_future(worker.run(slow))
    while not started.is_set():
        await asyncio.sleep(0.01)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    release.set()
    assert await worker.run(lambda: 2) == 2
    assert done == [1]


async def test_a_thread_woken_from_its_sleep_still_ends_when_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The thread sleeps between requests; a request wakes it. After that request it must
    # go back to a real sleep (and end when idle), not spin on the wake-up it already had.
    monkeypatch.setattr(workermod, "IDLE_SECONDS", 1.0)
    worker = StoreWorker(name="flickrwire-store-wake-test")

    def alive() -> bool:
        return any(t.name == "flickrwire-store-wake-test" for t in threading.enumerate())

    assert await worker.run(lambda: 1) == 1
    await asyncio.sleep(0.05)  # the thread has found no more work and waits for some
    assert await worker.run(lambda: 2) == 2  # woken from its sleep
    deadline = time.monotonic() + 10
    while alive():
        assert time.monotonic() < deadline, "the woken worker thread never ended"
        await asyncio.sleep(0.02)
    assert await worker.run(lambda: 3) == 3


async def test_the_thread_is_named_and_never_keeps_the_process_alive() -> None:
    # The emulator's process must exit when its server stops, not wait for the store
    # thread's idle time (10 s) to run out: the thread is a daemon, named for thread dumps.
    worker = StoreWorker()
    assert await worker.run(lambda: 1) == 1
    threads = [t for t in threading.enumerate() if t.name == "flickrwire-store"]
    assert threads and all(t.daemon for t in threads)


def test_answers_finished_before_the_loop_takes_them_share_one_wake_up() -> None:
    # Batches finished while the event loop is busy join the answers already waiting for
    # it: the loop is woken once for all of them, and each request gets its own answer.
    loop = asyncio.new_event_loop()
    try:
        wakeups: list[object] = []
        original = loop.call_soon_threadsafe

        def counted(callback: Any, *args: Any) -> Any:
            wakeups.append(callback)
            return original(callback, *args)

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        futures = [loop.create_future() for _ in range(3)]
        box = workermod._mailbox(loop)
        box.post(loop, [(futures[0], "a", None)])
        box.post(loop, [(futures[1], "b", None), (futures[2], None, ValueError("c"))])
        assert len(wakeups) == 1
        loop.run_until_complete(asyncio.sleep(0))
        assert [f.result() for f in futures[:2]] == ["a", "b"]
        assert isinstance(futures[2].exception(), ValueError)
        box.post(loop, [])  # the next batch wakes the loop again
        assert len(wakeups) == 2
    finally:
        loop.close()
