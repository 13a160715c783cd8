"""The emulator's state in SQLite: keys, tokens, users, groups, memberships, pools, nonces.

One connection per :class:`Store`, guarded by a lock, so request threads take turns; every
unit of work is one transaction (``BEGIN IMMEDIATE`` when it writes), so a second process
on the same file (or a crash half-way) never sees half a leave. The app runs the API's
transactions on its store thread (``worker.py``) and the rest on worker threads, with a 1 s
``timeout``: a database locked by another process fails a transaction ("database is
locked", answered 105 or 106) after that long, or after ``timeout`` + 2 s in line for the
store. The schema and the seed's mapping onto it are in ``schema.py``.
File databases use WAL with ``synchronous=NORMAL``: a commit survives the process being
killed (not a power cut).

API keys and tokens are read on every request and change rarely, so the store keeps the
rows it has read in memory. Any change to those tables through this connection empties
that memory (temporary triggers call back into Python, so no write path can forget), as
does a rolled-back transaction; for a file database, a commit by another process is seen
through ``PRAGMA data_version`` when a transaction begins.

OAuth nonces already seen live in the ``nonces`` table of a file database (kept across
runs, seen by every process on the file); an in-memory database, which no other process
can see and which ends with the process, keeps them in a Python set instead, with the same
transactional behaviour (a claim counts only if its transaction commits).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from . import seed as seedmod
from .schema import (
    MEMBERTYPES as MEMBERTYPES,
    PERM_LEVELS as PERM_LEVELS,
    PERM_NAMES as PERM_NAMES,
    ROLE_NAMES as ROLE_NAMES,
    SCHEMA as SCHEMA,
    TABLES,
    create_schema,
    dump_state,
    insert_seed,
)

ADMIN = 4
#: Seconds the app's transactions wait for a lock held by another process before failing.
DEFAULT_BUSY_TIMEOUT = 1.0
#: Extra seconds in line for the store's own lock: room for ordinary thread contention.
LOCK_MARGIN = 2.0
#: Claims between two sweeps of nonces too old to be accepted again.
NONCE_SWEEP_EVERY = 512

#: An OAuth nonce as claimed: consumer key, token, nonce, timestamp.
Nonce = tuple[str, str, str, int]


@dataclass(frozen=True, slots=True)
class TokenRow:
    secret: str = field(repr=False)
    api_key: str = field(repr=False)
    user: str
    perms: int
    revoked: bool


@dataclass(frozen=True, slots=True)
class LeaveOutcome:
    """What a leave did. ``status`` is ``ok``, ``no_group`` or ``not_member``."""

    status: str
    promoted: str | None = None
    group_deleted: bool = False
    photos_removed: int = 0


class Tx:
    """The operations of one transaction; only valid inside ``with store.transaction()``."""

    __slots__ = ("_db", "_store", "claimed")

    def __init__(self, store: Store, db: sqlite3.Connection) -> None:
        self._store = store
        self._db = db
        #: nonces claimed in this transaction, for a store that keeps them in memory
        self.claimed: set[Nonce] = set()

    def one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        return self._db.execute(sql, args).fetchone()

    def all(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        return self._db.execute(sql, args).fetchall()

    def run(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        return self._db.execute(sql, args).rowcount

    # -- credentials ------------------------------------------------------------------

    def api_secret(self, key: str) -> str | None:
        known = self._store.secrets
        secret = known.get(key)
        if secret is None:
            row = self.one("SELECT secret FROM api_keys WHERE key = ?", (key,))
            if row is None:
                return None  # unknown keys are not remembered: anyone can send one
            secret = known[key] = row[0]
        return secret

    def token(self, token: str) -> TokenRow | None:
        known = self._store.tokens
        found = known.get(token)
        if found is None:
            row = self.one(
                "SELECT secret, api_key, user_nsid, perms, revoked FROM tokens WHERE token = ?",
                (token,),
            )
            if row is None:
                return None
            found = known[token] = TokenRow(row[0], row[1], row[2], row[3], bool(row[4]))
        return found

    def claim_nonce(self, consumer_key: str, token: str, nonce: str, timestamp: int) -> bool:
        """Record a nonce; False when the same one was seen (a replay)."""
        key = (consumer_key, token, nonce, timestamp)
        seen = self._store.nonces
        if seen is None:
            return self.run("INSERT OR IGNORE INTO nonces VALUES (?, ?, ?, ?)", key) == 1
        if key in seen or key in self.claimed:
            return False
        self.claimed.add(key)
        return True

    def sweep_nonces(self, older_than: int) -> None:
        """Forget nonces whose timestamps can no longer pass the timestamp check."""
        seen = self._store.nonces
        if seen is None:
            self.run("DELETE FROM nonces WHERE timestamp < ?", (older_than,))
        else:
            for keys in (seen, self.claimed):
                keys.difference_update([key for key in keys if key[3] < older_than])

    # -- users, groups, pools ---------------------------------------------------------

    def user(self, nsid_or_name: str) -> tuple[str, str, str] | None:
        """``(nsid, username, fullname)`` for an NSID, else for a username."""
        sql = "SELECT nsid, username, fullname FROM users WHERE "
        row = self.one(sql + "nsid = ?", (nsid_or_name,)) or self.one(
            sql + "username = ? ORDER BY nsid LIMIT 1", (nsid_or_name,)
        )
        return (row[0], row[1], row[2]) if row else None

    def first_user(self) -> str | None:
        row = self.one("SELECT nsid FROM users ORDER BY nsid LIMIT 1")
        return row[0] if row else None

    def group(self, group_id: str) -> tuple[str, str, str, int] | None:
        """``(id, name, description, privacy)`` or None."""
        row = self.one(
            "SELECT id, name, description, privacy FROM groups WHERE id = ?", (group_id,)
        )
        return (row[0], row[1], row[2], row[3]) if row else None

    def count_members(self, group_id: str, types: tuple[int, ...] = (2, 3, 4)) -> int:
        marks = ",".join("?" * len(types))
        sql = f"SELECT COUNT(*) FROM memberships WHERE group_id = ? AND membertype IN ({marks})"
        row = self.one(sql, (group_id, *types))
        return int(row[0])

    def members(
        self, group_id: str, types: tuple[int, ...], offset: int, limit: int
    ) -> list[tuple[str, str, int]]:
        """``(nsid, username, membertype)``, oldest member first."""
        marks = ",".join("?" * len(types))
        return self.all(
            "SELECT m.user_nsid, u.username, m.membertype FROM memberships m"
            " JOIN users u ON u.nsid = m.user_nsid"
            f" WHERE m.group_id = ? AND m.membertype IN ({marks})"
            " ORDER BY m.joined, m.user_nsid LIMIT ? OFFSET ?",
            (group_id, *types, limit, offset),
        )

    def count_pool(self, group_id: str, owner: str | None = None) -> int:
        if owner is None:
            row = self.one("SELECT COUNT(*) FROM pool WHERE group_id = ?", (group_id,))
        else:
            row = self.one(
                "SELECT COUNT(*) FROM pool p JOIN photos f ON f.id = p.photo_id"
                " WHERE p.group_id = ? AND f.owner = ?",
                (group_id, owner),
            )
        return int(row[0])

    def pool(self, group_id: str, owner: str | None, offset: int, limit: int) -> list[Any]:
        """``(id, owner, username, title, secret, server, added)``, newest addition first."""
        return self.all(
            "SELECT f.id, f.owner, u.username, f.title, f.secret, f.server, p.added"
            " FROM pool p JOIN photos f ON f.id = p.photo_id JOIN users u ON u.nsid = f.owner"
            " WHERE p.group_id = ? AND (? IS NULL OR f.owner = ?)"
            " ORDER BY p.added DESC, f.id LIMIT ? OFFSET ?",
            (group_id, owner, owner, limit, offset),
        )

    # -- flickr.groups.leave ----------------------------------------------------------

    def leave(self, user: str, group_id: str, delete_photos: bool) -> LeaveOutcome:
        """Flickr's documented leave: promote the oldest member when the only admin
        leaves, delete the group when the last member leaves, optionally pull the
        leaver's photos from the pool (flickr.groups.leave page)."""
        gone = self.all(
            "DELETE FROM memberships WHERE group_id = ? AND user_nsid = ? RETURNING membertype",
            (group_id, user),
        )
        if not gone:
            if self.one("SELECT 1 FROM groups WHERE id = ?", (group_id,)) is None:
                return LeaveOutcome("no_group")
            return LeaveOutcome("not_member")
        removed = 0
        if delete_photos:
            removed = self.run(
                "DELETE FROM pool WHERE group_id = ?"
                " AND photo_id IN (SELECT id FROM photos WHERE owner = ?)",
                (group_id, user),
            )
        oldest = self.one(
            "SELECT user_nsid FROM memberships WHERE group_id = ?"
            " ORDER BY joined, user_nsid LIMIT 1",
            (group_id,),
        )
        if oldest is None:
            self.run("DELETE FROM pool WHERE group_id = ?", (group_id,))
            self.run("DELETE FROM groups WHERE id = ?", (group_id,))
            return LeaveOutcome("ok", group_deleted=True, photos_removed=removed)
        promoted = None
        if gone[0][0] == ADMIN and self.one(_ANY_ADMIN, (group_id,)) is None:
            self.run(
                "UPDATE memberships SET membertype = 4 WHERE group_id = ? AND user_nsid = ?",
                (group_id, oldest[0]),
            )
            promoted = oldest[0]
        return LeaveOutcome("ok", promoted=promoted, photos_removed=removed)


_FORGET = "flickrwire_forget_credentials"
_ANY_ADMIN = "SELECT 1 FROM memberships WHERE group_id = ? AND membertype = 4 LIMIT 1"


class Transaction:
    """``with store.transaction(write=True) as tx``: one SQLite transaction under the lock."""

    __slots__ = ("_begin", "_store")

    def __init__(self, store: Store, write: bool) -> None:
        self._store = store
        self._begin = "BEGIN IMMEDIATE" if write else "BEGIN"

    def __enter__(self) -> Tx:
        store = self._store
        if not store.lock.acquire(timeout=store.timeout + LOCK_MARGIN):
            # Another thread's transaction waits on a database locked elsewhere.
            raise sqlite3.OperationalError("database is locked (waited for the store)")
        store.tx.claimed.clear()
        try:
            store.db.execute(self._begin)
            if store.shared and store.db.execute("PRAGMA data_version").fetchone()[0] != (
                store.data_version
            ):
                store.forget_credentials()
        except BaseException:
            store.lock.release()
            raise
        return store.tx

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        store = self._store
        db = store.db
        try:
            if exc_type is None:
                try:
                    db.execute("COMMIT")
                except BaseException:
                    store.forget_credentials()
                    db.execute("ROLLBACK")
                    raise
                if store.nonces is not None:  # in memory (a file store claims in SQL)
                    store.nonces |= store.tx.claimed
            else:
                # Rows read after a change this transaction made are not the database's.
                store.forget_credentials()
                db.execute("ROLLBACK")
        finally:
            store.lock.release()


class Store:
    """The emulator's database: a file path or ``:memory:``; the schema is made on start."""

    def __init__(self, path: str = ":memory:", *, timeout: float = 30.0) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.path = path
        self.timeout = timeout
        self.lock = threading.Lock()
        self.db = sqlite3.connect(
            path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        self.db.execute("PRAGMA foreign_keys = ON")
        #: other connections may change the database (a file): watch ``data_version``
        self.shared = path != ":memory:" and not path.startswith("file::memory:")
        if self.shared:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        self.tx = Tx(self, self.db)
        #: API key -> secret, token -> row, as read from the database (see the docstring)
        self.secrets: dict[str, str] = {}
        self.tokens: dict[str, TokenRow] = {}
        self.data_version: int | None = None  # none read yet: the first transaction reads it
        #: the nonces seen, in memory when no other process can see the database
        self.nonces: set[Nonce] | None = None if self.shared else set()
        self.initial_seed: dict[str, Any] | None = None
        self._claims = 0
        with self.transaction(write=True):
            create_schema(self.db)
        self.db.create_function(_FORGET, 0, self._changed)
        for table in ("api_keys", "tokens"):
            for event in ("INSERT", "UPDATE", "DELETE"):
                self.db.execute(
                    f"CREATE TEMP TRIGGER {table}_{event.lower()}_forget AFTER {event}"
                    f" ON main.{table} BEGIN SELECT {_FORGET}(); END"
                )

    def _changed(self) -> None:
        self.secrets.clear()
        self.tokens.clear()

    def forget_credentials(self) -> None:
        """Drop the remembered keys and tokens (read again on next use)."""
        self._changed()
        if self.shared:
            self.data_version = self.db.execute("PRAGMA data_version").fetchone()[0]

    def __repr__(self) -> str:
        return f"Store(path={self.path!r})"

    def transaction(self, write: bool = False) -> Transaction:
        return Transaction(self, write)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def is_empty(self) -> bool:
        with self.transaction() as tx:
            return tx.one("SELECT 1 FROM api_keys LIMIT 1") is None

    def note_claim(self) -> bool:
        """Count a nonce claim; True once every :data:`NONCE_SWEEP_EVERY` claims."""
        self._claims += 1
        return self._claims % NONCE_SWEEP_EVERY == 0

    # -- whole-state operations (the admin API's save / restore / reset) --------------

    def load_seed(self, seed: Any) -> None:
        """Replace the whole state with ``seed`` (validated first). The first seed loaded
        is the one :meth:`reset` goes back to."""
        data = seedmod.validate(seed)
        with self.transaction(write=True) as tx:
            for table in TABLES:
                tx.run(f"DELETE FROM {table}")
            insert_seed(self.db, data)
        if self.nonces is not None:
            self.nonces.clear()
        if self.initial_seed is None:
            self.initial_seed = data

    def reset(self) -> None:
        """Back to the first seed loaded (an empty state if none was)."""
        self.load_seed(self.initial_seed if self.initial_seed is not None else {})

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        """The whole state (request tokens and nonces aside) in the seed format."""
        with self.transaction():
            return dump_state(self.db)

    def leave(self, user: str, group_id: str, delete_photos: bool = False) -> LeaveOutcome:
        """``flickr.groups.leave`` in its own write transaction."""
        with self.transaction(write=True) as tx:
            return tx.leave(user, group_id, delete_photos)
