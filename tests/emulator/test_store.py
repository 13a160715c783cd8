"""The SQLite store and the seed format: schema, save/restore/reset, leave semantics at
the database level, transactions, and seed validation that names the bad field."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from flickrwire.emulator.seed import (
    ALICE,
    BOB,
    CAROL,
    DAVE,
    DEFAULT_SEED,
    ERIN,
    SOLO_GROUP,
    TEST_GROUP,
    SeedError,
    default_seed,
    load_seed_file,
    validate,
)
from flickrwire.emulator.store import TABLES, LeaveOutcome, Store

from .conftest import REPO


def roles(store: Store, group: str) -> dict[str, str]:
    return {m["user"]: m["role"] for m in store.dump()["memberships"] if m["group"] == group}


def pool_owners(store: Store, group: str) -> list[str]:
    dump = store.dump()
    owner = {p["id"]: p["owner"] for p in dump["photos"]}
    return sorted(owner[p["photo"]] for p in dump["pool"] if p["group"] == group)


def canonical(state: dict[str, Any]) -> dict[str, list[str]]:
    return {k: sorted(json.dumps(e, sort_keys=True) for e in v) for k, v in state.items()}


# -- schema and whole-state operations ----------------------------------------------------


def test_a_new_store_creates_every_table(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    Store(path).close()
    with sqlite3.connect(path) as db:
        names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert set(TABLES) <= names
    assert mode == "wal"


def test_dump_is_the_seed_in_the_same_format(store: Store) -> None:
    assert canonical(store.dump()) == canonical(DEFAULT_SEED)
    assert validate(store.dump()) == store.dump()


def test_a_dump_loads_into_another_store_unchanged(store: Store) -> None:
    store.leave(ALICE, TEST_GROUP, True)
    saved = store.dump()
    other = Store()
    other.load_seed(json.loads(json.dumps(saved)))
    assert other.dump() == saved


def test_load_seed_replaces_the_whole_state(store: Store) -> None:
    smaller = default_seed()
    smaller["memberships"] = [m for m in smaller["memberships"] if m["group"] == SOLO_GROUP]
    store.load_seed(smaller)
    assert roles(store, TEST_GROUP) == {}
    assert roles(store, SOLO_GROUP) == {CAROL: "admin"}


def test_reset_goes_back_to_the_first_seed(store: Store) -> None:
    first = store.dump()
    store.leave(ALICE, TEST_GROUP, True)
    store.load_seed({"api_keys": DEFAULT_SEED["api_keys"]})
    store.reset()
    assert store.dump() == first


def test_a_bad_seed_leaves_the_state_alone(store: Store) -> None:
    before = store.dump()
    bad = default_seed()
    bad["memberships"][0]["role"] = "owner"
    with pytest.raises(SeedError, match=r"memberships\[0\]\.role"):
        store.load_seed(bad)
    assert store.dump() == before


def test_a_file_database_keeps_its_state_across_reopening(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    first = Store(path)
    first.load_seed(DEFAULT_SEED)
    first.leave(BOB, TEST_GROUP, True)
    first.close()
    again = Store(path)
    assert not again.is_empty()
    assert BOB not in roles(again, TEST_GROUP)
    assert BOB not in pool_owners(again, TEST_GROUP)
    again.close()


def test_a_failed_transaction_writes_nothing(store: Store) -> None:
    before = store.dump()
    with pytest.raises(RuntimeError), store.transaction(write=True) as tx:
        tx.leave(ALICE, TEST_GROUP, True)
        raise RuntimeError("stop half-way")
    assert store.dump() == before


def test_a_nonce_is_claimed_once_and_old_ones_are_swept(store: Store) -> None:
    with store.transaction(write=True) as tx:
        assert tx.claim_nonce("key", "tok", "n1", 1000)
        assert not tx.claim_nonce("key", "tok", "n1", 1000)
        assert tx.claim_nonce("key", "other-token", "n1", 1000)
        tx.sweep_nonces(older_than=1001)
        assert tx.claim_nonce("key", "tok", "n1", 1000)


# -- flickr.groups.leave at the database level -------------------------------------------


def test_the_only_admin_leaving_promotes_the_oldest_member(store: Store) -> None:
    outcome = store.leave(ALICE, TEST_GROUP, False)
    # Dave joined second (2011) though his NSID sorts last: he becomes admin.
    assert outcome.status == "ok" and outcome.promoted == DAVE
    assert roles(store, TEST_GROUP) == {DAVE: "admin", BOB: "member", CAROL: "moderator"}


def test_a_member_leaving_promotes_nobody(store: Store) -> None:
    outcome = store.leave(BOB, TEST_GROUP, False)
    assert outcome.promoted is None
    assert roles(store, TEST_GROUP) == {ALICE: "admin", DAVE: "member", CAROL: "moderator"}


def test_an_admin_leaving_while_another_admin_stays_promotes_nobody(store: Store) -> None:
    seed = default_seed()
    seed["memberships"][3]["role"] = "admin"  # Carol is a second admin
    store.load_seed(seed)
    assert store.leave(ALICE, TEST_GROUP, False).promoted is None
    assert roles(store, TEST_GROUP) == {DAVE: "member", BOB: "member", CAROL: "admin"}


def test_the_last_member_leaving_deletes_the_group_and_its_pool(store: Store) -> None:
    outcome = store.leave(CAROL, SOLO_GROUP, False)
    assert outcome.group_deleted
    dump = store.dump()
    assert SOLO_GROUP not in {g["id"] for g in dump["groups"]}
    assert SOLO_GROUP not in {p["group"] for p in dump["pool"]}
    # The photo itself stays: it is still in the other group's pool.
    assert CAROL in pool_owners(store, TEST_GROUP)
    assert store.leave(CAROL, SOLO_GROUP, False).status == "no_group"


def test_delete_photos_removes_only_the_leavers_photos_from_that_pool(store: Store) -> None:
    assert store.leave(CAROL, TEST_GROUP, True).photos_removed == 1
    assert pool_owners(store, TEST_GROUP) == sorted([ALICE, BOB, BOB])
    assert pool_owners(store, SOLO_GROUP) == [CAROL]


def test_leaving_without_delete_photos_keeps_them(store: Store) -> None:
    store.leave(BOB, TEST_GROUP, False)
    assert pool_owners(store, TEST_GROUP).count(BOB) == 2


def test_leaving_twice_or_a_missing_group(store: Store) -> None:
    assert store.leave(BOB, TEST_GROUP, False).status == "ok"
    assert store.leave(BOB, TEST_GROUP, False).status == "not_member"
    assert store.leave(BOB, "99999@N99", False).status == "no_group"


def test_everyone_leaving_in_turn_keeps_one_admin_then_deletes_the_group(store: Store) -> None:
    for user in (ALICE, DAVE, BOB):
        store.leave(user, TEST_GROUP, False)
        admins = [u for u, role in roles(store, TEST_GROUP).items() if role == "admin"]
        assert len(admins) == 1
    assert roles(store, TEST_GROUP) == {CAROL: "admin"}
    assert store.leave(CAROL, TEST_GROUP, False).group_deleted


# -- the seed format ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s.update(albums=[]), "albums: unknown section"),
        (lambda s: s.update(users={}), "users: expected a list"),
        (lambda s: s["users"][1].pop("username"), r"users\[1\]\.username: required"),
        (lambda s: s["tokens"][0].update(perms="admin"), r"tokens\[0\]\.perms: expected one of"),
        (lambda s: s["tokens"][2].update(user="nobody"), r"tokens\[2\]\.user: 'nobody' is not"),
        (lambda s: s["memberships"][1].update(joined="2011"), r"memberships\[1\]\.joined"),
        (lambda s: s["groups"][0].update(colour="red"), r"groups\[0\]\.colour: unknown field"),
        (lambda s: s["pool"].append(dict(s["pool"][0])), r"pool\[5\]\.photo: duplicate"),
        (lambda s: s["photos"][0].update(owner=7), r"photos\[0\]\.owner: expected a non-empty"),
    ],
)
def test_seed_errors_name_the_bad_field(change: Any, where: str) -> None:
    seed = default_seed()
    change(seed)
    with pytest.raises(SeedError, match=where):
        validate(seed)


def test_defaults_are_filled_and_comments_dropped() -> None:
    seed = validate(
        {
            "_comment": "a note",
            "api_keys": [{"key": "k", "secret": "s"}],
            "users": [{"nsid": "1@N01", "username": "u", "_why": "x"}],
            "groups": [{"id": "g", "name": "G"}],
            "memberships": [{"group": "g", "user": "1@N01", "joined": 5}],
        }
    )
    assert seed["users"] == [{"nsid": "1@N01", "username": "u", "fullname": ""}]
    assert seed["groups"][0]["privacy"] == 3
    assert seed["memberships"][0]["role"] == "member"
    assert seed["tokens"] == [] and seed["pool"] == []


def test_the_example_seed_file_is_the_default_seed() -> None:
    assert load_seed_file(REPO / "examples" / "seed.json") == DEFAULT_SEED


def test_seed_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="cannot read seed file"):
        load_seed_file(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(SeedError, match="is not JSON"):
        load_seed_file(broken)


def test_a_refused_leave_reports_nothing_removed(store: Store) -> None:
    before = store.dump()
    assert store.leave(ERIN, TEST_GROUP, True) == LeaveOutcome("not_member")
    assert store.leave(BOB, "99999999@N99", True) == LeaveOutcome("no_group")
    refused = store.leave(ERIN, TEST_GROUP, True)
    assert (refused.photos_removed, refused.promoted, refused.group_deleted) == (0, None, False)
    assert store.dump() == before


def test_users_groups_and_member_counts_read_back_as_seeded(store: Store) -> None:
    with store.transaction() as tx:
        assert tx.user(ALICE) == (ALICE, "alice", "Alice Admin")
        assert tx.user("bob") == (BOB, "bob", "Bob Member")
        assert tx.user("mallory") is None
        assert tx.group(TEST_GROUP) == (TEST_GROUP, "flickrwire testers", "Leave me.", 3)
        # Every role by default: Alice (admin), Carol (moderator), Bob and Dave (members).
        assert tx.count_members(TEST_GROUP) == 4
        assert [tx.count_members(TEST_GROUP, (t,)) for t in (2, 3, 4)] == [2, 1, 1]


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


def test_a_commit_that_fails_writes_nothing_and_the_store_goes_on(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.dump()
    monkeypatch.setattr(store, "db", _CommitFails(store.db))
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        store.leave(ALICE, TEST_GROUP, True)
    assert store.dump() == before
    assert store.leave(ALICE, TEST_GROUP, True).status == "ok"  # usable again


def test_the_database_refuses_rows_that_point_at_nothing(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute(
            "INSERT INTO memberships (group_id, user_nsid, membertype, joined) "
            "VALUES ('nowhere@N01', ?, 2, 0)",
            (BOB,),
        )


def test_a_leave_keeps_the_leavers_photos_unless_asked(store: Store) -> None:
    assert pool_owners(store, TEST_GROUP).count(BOB) == 2
    store.leave(BOB, TEST_GROUP)
    assert pool_owners(store, TEST_GROUP).count(BOB) == 2


class _BeginFails(_CommitFails):
    def execute(self, sql: str, *args: Any) -> Any:
        if sql.startswith("BEGIN") and not self.failed:
            self.failed = True
            raise sqlite3.OperationalError("database is locked")
        return self.db.execute(sql, *args)


def test_a_transaction_that_cannot_begin_lets_the_next_one_in(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "db", _BeginFails(store.db))
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        store.leave(BOB, TEST_GROUP)
    assert store.lock.acquire(timeout=5)  # not left held by the failed one
    store.lock.release()
    assert store.leave(BOB, TEST_GROUP).status == "ok"


def test_old_nonces_are_swept_every_512_claims(store: Store) -> None:
    sweeps = [n for n in range(1, 1025) if store.note_claim()]
    assert sweeps == [512, 1024]


def test_pool_counts_and_photos_removed(store: Store) -> None:
    with store.transaction() as tx:
        assert (tx.count_pool(TEST_GROUP), tx.count_pool(TEST_GROUP, BOB)) == (4, 2)
    assert store.leave(DAVE, TEST_GROUP).photos_removed == 0
    assert store.leave(BOB, TEST_GROUP, True).photos_removed == 2
