"""The store's worker thread: work runs off the event loop, in the order it was given,
answers and errors reach the right request, and the thread ends when idle."""

from __future__ import annotations

import asyncio
import threading
import time

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
