"""The store's memory of API keys and tokens: every change to them is seen by the next
lookup, whether made through the store's connection (any SQL, the seed, a rolled-back
transaction) or by another process on the same file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from flickrwire.emulator.seed import DEFAULT_SEED
from flickrwire.emulator.store import Store

KEY = DEFAULT_SEED["api_keys"][0]["key"]
TOKEN = DEFAULT_SEED["tokens"][0]["token"]


@pytest.fixture
def store() -> Store:
    store = Store()
    store.load_seed(DEFAULT_SEED)
    return store


def looked_up(store: Store) -> tuple[str | None, bool | None]:
    with store.transaction() as tx:
        token = tx.token(TOKEN)
        return tx.api_secret(KEY), (token.revoked if token is not None else None)


def test_a_change_through_any_sql_is_seen_by_the_next_lookup(store: Store) -> None:
    assert looked_up(store) == (DEFAULT_SEED["api_keys"][0]["secret"], False)
    with store.transaction(write=True) as tx:
        tx.run("UPDATE tokens SET revoked = 1 WHERE token = ?", (TOKEN,))
        tx.run("UPDATE api_keys SET secret = 'changed' WHERE key = ?", (KEY,))
    assert looked_up(store) == ("changed", True)
    with store.transaction(write=True) as tx:
        tx.run("DELETE FROM tokens WHERE token = ?", (TOKEN,))
    assert looked_up(store) == ("changed", None)
    store.reset()
    assert looked_up(store) == (DEFAULT_SEED["api_keys"][0]["secret"], False)


def test_a_rolled_back_change_is_not_remembered(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction(write=True) as tx:
        tx.run("UPDATE tokens SET revoked = 1 WHERE token = ?", (TOKEN,))
        row = tx.token(TOKEN)
        assert row is not None and row.revoked  # read inside the transaction
        raise RuntimeError("rolled back")
    assert looked_up(store)[1] is False


def test_a_change_by_another_process_on_the_file_is_seen(tmp_path: Path) -> None:
    path = str(tmp_path / "state.sqlite")
    store = Store(path)
    try:
        store.load_seed(DEFAULT_SEED)
        assert looked_up(store)[1] is False
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("UPDATE tokens SET revoked = 1 WHERE token = ?", (TOKEN,))
        other.close()
        assert looked_up(store)[1] is True
    finally:
        store.close()


def test_unknown_keys_are_not_remembered(store: Store) -> None:
    with store.transaction() as tx:
        for n in range(100):
            assert tx.api_secret(f"{n:032x}") is None
            assert tx.token(f"no-such-token-{n}") is None
    assert (len(store.secrets), len(store.tokens)) == (0, 0)


@pytest.mark.parametrize("where", ["memory", "file"])
def test_a_nonce_counts_only_once_its_transaction_commits(tmp_path: Path, where: str) -> None:
    store = Store(":memory:" if where == "memory" else str(tmp_path / "state.sqlite"))
    try:
        with pytest.raises(RuntimeError), store.transaction(write=True) as tx:
            assert tx.claim_nonce("key", "tok", "n1", 1000)
            raise RuntimeError("rolled back")
        with store.transaction(write=True) as tx:
            assert tx.claim_nonce("key", "tok", "n1", 1000)
        with store.transaction(write=True) as tx:
            assert not tx.claim_nonce("key", "tok", "n1", 1000)
            tx.sweep_nonces(older_than=1001)
        with store.transaction(write=True) as tx:
            assert tx.claim_nonce("key", "tok", "n1", 1000)
        store.reset()
        with store.transaction(write=True) as tx:
            assert tx.claim_nonce("key", "tok", "n1", 1000)
    finally:
        store.close()
