"""A file store beside another connection that writes (another emulator process on the
same file, as SQLite sees it): reads never wait for the other's write, and each of the
store's writing transactions waits for the other's write lock (within the store's
timeout) instead of failing at once; the rows the store remembers cannot be changed."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from flickrwire.emulator.seed import DEFAULT_SEED
from flickrwire.emulator.store import LeaveOutcome, Store

TOKEN = DEFAULT_SEED["tokens"][0]["token"]
GROUP = DEFAULT_SEED["groups"][0]["id"]
MEMBER = next(m["user"] for m in DEFAULT_SEED["memberships"] if m["group"] == GROUP)


@pytest.fixture
def path(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "state.sqlite")
    store = Store(path)
    store.load_seed(DEFAULT_SEED)
    store.close()
    yield path


def _writing(path: str) -> sqlite3.Connection:
    """Another connection in the middle of a write (it holds the file's write lock)."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE IF NOT EXISTS elsewhere (x)")
    other.execute("INSERT INTO elsewhere VALUES (1)")
    return other


def test_reads_do_not_wait_for_another_connections_write(path: str) -> None:
    store = Store(path, timeout=0.2)
    other = _writing(path)
    try:
        # WAL: a read sees the last commit at once. Were it to take the write lock too,
        # it would wait out the timeout and fail with "database is locked".
        assert not store.is_empty()
        assert store.dump()["users"]
    finally:
        other.execute("ROLLBACK")
        other.close()
        store.close()


def _while_another_writes(path: str, work: Callable[[], Any]) -> Any:
    """``work()`` started while another connection holds the write lock; that connection
    commits 0.3 s later. A transaction that took its write lock at ``BEGIN`` waits for
    it; one that began as a reader and tried to become a writer fails at once."""
    other = _writing(path)
    released = threading.Event()

    def release() -> None:
        released.wait(0.3)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=release)
    thread.start()
    try:
        return work()
    finally:
        released.set()
        thread.join()


def test_a_leave_waits_for_another_connections_write(path: str) -> None:
    store = Store(path, timeout=10)
    try:
        outcome = _while_another_writes(path, lambda: store.leave(MEMBER, GROUP, False))
        assert outcome.status == "ok"
        assert MEMBER not in {m["user"] for m in store.dump()["memberships"]}
    finally:
        store.close()


def test_a_seed_loads_after_another_connections_write(path: str) -> None:
    store = Store(path, timeout=10)
    try:
        _while_another_writes(path, lambda: store.load_seed({}))
        assert store.is_empty()
    finally:
        store.close()


def test_a_new_store_makes_its_schema_after_another_connections_write(tmp_path: Path) -> None:
    path = str(tmp_path / "new.sqlite")
    with sqlite3.connect(path, isolation_level=None) as first:  # a file in WAL, no schema
        first.execute("PRAGMA journal_mode = WAL")
        first.execute("CREATE TABLE elsewhere (x)")
    first.close()
    store = _while_another_writes(path, lambda: Store(path, timeout=10))
    try:
        assert store.is_empty()
    finally:
        store.close()


def test_the_rows_the_store_remembers_cannot_be_changed() -> None:
    # One TokenRow is handed to every request that names the token (the store keeps it):
    # a request must not be able to change what the next one reads.
    store = Store()
    store.load_seed(DEFAULT_SEED)
    with store.transaction() as tx:
        row = tx.token(TOKEN)
    assert row is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.revoked = True  # type: ignore[misc]
    outcome = store.leave(MEMBER, GROUP)
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.status = "not_member"  # type: ignore[misc]
    assert outcome == LeaveOutcome("ok", promoted=outcome.promoted)
