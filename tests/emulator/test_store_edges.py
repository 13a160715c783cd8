"""Store edges a mutation run found loose: a failed commit must not leave a changed token
remembered, and a store needs a positive lock timeout."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from flickrwire.emulator import store as storemod
from flickrwire.emulator.seed import DEFAULT_SEED
from flickrwire.emulator.store import Store

TOKEN = DEFAULT_SEED["tokens"][0]["token"]


class _CommitFails:
    """The store's connection, except that the first COMMIT fails (a disk I/O error)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.failed = False

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT" and not self.failed:
            self.failed = True
            raise sqlite3.OperationalError("disk I/O error")
        return self.db.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


def revoked(store: Store) -> bool | None:
    with store.transaction() as tx:
        row = tx.token(TOKEN)
        return None if row is None else row.revoked


def test_a_token_changed_by_a_commit_that_failed_reads_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store()
    store.load_seed(DEFAULT_SEED)
    assert revoked(store) is False
    monkeypatch.setattr(store, "db", _CommitFails(store.db))
    failing = pytest.raises(sqlite3.OperationalError, match="disk I/O")
    with failing, store.transaction(write=True) as tx:
        tx.run("UPDATE tokens SET revoked = 1 WHERE token = ?", (TOKEN,))
        row = tx.token(TOKEN)  # read (and remembered) inside the doomed transaction
        assert row is not None and row.revoked
    assert revoked(store) is False


@pytest.mark.parametrize("timeout", [0, -1, 0.0])
def test_a_store_needs_a_positive_timeout(timeout: float) -> None:
    with pytest.raises(ValueError, match="timeout must be positive"):
        Store(timeout=timeout)


def test_a_short_positive_timeout_is_taken() -> None:
    store = Store(timeout=0.5)
    assert store.timeout == 0.5 and store.is_empty()
    store.close()


def seeded() -> Store:
    store = Store()
    store.load_seed(DEFAULT_SEED)
    return store


def test_the_first_user_is_the_lowest_nsid_and_none_when_there_are_none() -> None:
    store = seeded()
    with store.transaction() as tx:
        assert tx.first_user() == min(user["nsid"] for user in DEFAULT_SEED["users"])
    with Store().transaction() as tx:
        assert tx.first_user() is None


def test_the_last_member_leaving_is_an_ok_that_deletes_the_group() -> None:
    store = Store()
    store.load_seed(
        {
            "api_keys": [{"key": "k", "secret": "s"}],
            "users": [{"nsid": "1@N01", "username": "solo"}],
            "groups": [{"id": "9@N01", "name": "alone"}],
            "memberships": [{"group": "9@N01", "user": "1@N01", "role": "admin", "joined": 1}],
        }
    )
    outcome = store.leave("1@N01", "9@N01")
    assert (outcome.status, outcome.group_deleted, outcome.promoted) == ("ok", True, None)
    assert store.dump()["groups"] == []


def claim_once(store: Store) -> None:
    with store.transaction(write=True) as tx:
        assert tx.claim_nonce("key", "token", "nonce", 1_700_000_000)


def nonce_rows(store: Store) -> int:
    with store.transaction() as tx:
        return int(tx.one("SELECT COUNT(*) FROM nonces")[0])


def test_an_in_memory_store_keeps_nonces_in_memory_and_a_file_store_in_its_file(
    tmp_path: Path,
) -> None:
    memory = Store(":memory:")
    claim_once(memory)
    assert nonce_rows(memory) == 0 and memory.nonces is not None and len(memory.nonces) == 1
    with memory.transaction(write=True) as tx:  # still a replay
        assert not tx.claim_nonce("key", "token", "nonce", 1_700_000_000)
    on_file = Store(str(tmp_path / "state.db"))
    claim_once(on_file)
    assert nonce_rows(on_file) == 1 and on_file.nonces is None
    on_file.close()


def test_a_closed_store_refuses_further_use() -> None:
    store = seeded()
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        store.dump()


def test_a_key_and_a_token_are_read_from_the_database_once() -> None:
    store = seeded()
    key = DEFAULT_SEED["api_keys"][0]["key"]
    reads: list[str] = []
    store.db.set_trace_callback(reads.append)
    for _ in range(3):
        with store.transaction() as tx:
            assert tx.api_secret(key) == DEFAULT_SEED["api_keys"][0]["secret"]
            assert tx.token(TOKEN) is not None
    store.db.set_trace_callback(None)
    assert sum("FROM api_keys" in sql for sql in reads) == 1
    assert sum("FROM tokens" in sql for sql in reads) == 1


def test_a_token_row_and_a_store_show_no_secret_in_their_repr() -> None:
    store = seeded()
    with store.transaction() as tx:
        row = tx.token(TOKEN)
    assert row is not None
    shown = repr(row)
    assert row.secret not in shown and row.api_key not in shown and row.user in shown
    assert repr(store) == "Store(path=':memory:')"


def test_a_new_store_is_in_memory() -> None:
    store = Store()
    assert store.path == ":memory:" and store.nonces == set()


@pytest.mark.parametrize("in_file", [False, True])
def test_a_sweep_forgets_nonces_older_than_the_cutoff_only(tmp_path: Path, in_file: bool) -> None:
    store = Store(str(tmp_path / "state.db")) if in_file else Store()
    with store.transaction(write=True) as tx:
        for stamp in (99, 100, 101):
            assert tx.claim_nonce("key", "token", "n", stamp)
    with store.transaction(write=True) as tx:
        tx.sweep_nonces(100)
    with store.transaction(write=True) as tx:
        assert tx.claim_nonce("key", "token", "n", 99)  # forgotten: claimable again
        assert not tx.claim_nonce("key", "token", "n", 100)
        assert not tx.claim_nonce("key", "token", "n", 101)
    store.close()


def test_a_file_store_runs_in_wal_with_normal_sync(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "state.db"))
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    store.close()


def test_a_file_store_also_reads_a_key_once_until_someone_changes_it(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    store = Store(path)
    store.load_seed(DEFAULT_SEED)
    key = DEFAULT_SEED["api_keys"][0]["key"]
    reads: list[str] = []
    store.db.set_trace_callback(reads.append)
    for _ in range(3):
        with store.transaction() as tx:
            assert tx.api_secret(key) == DEFAULT_SEED["api_keys"][0]["secret"]
    assert sum("FROM api_keys" in sql for sql in reads) == 1
    other = sqlite3.connect(path)
    other.execute("UPDATE api_keys SET secret = 'rotated' WHERE key = ?", (key,))
    other.commit()
    other.close()
    with store.transaction() as tx:
        assert tx.api_secret(key) == "rotated"
    store.db.set_trace_callback(None)
    store.close()


def test_a_transaction_that_waits_too_long_for_the_store_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(storemod, "LOCK_MARGIN", 0.0)
    store = Store(timeout=0.01)
    waited = pytest.raises(sqlite3.OperationalError, match="waited for the store")
    with store.lock, waited:  # another request holds the store
        store.is_empty()
    assert store.is_empty()  # and it is free again once let go
