"""The emulator's SQLite schema and how a seed maps onto it (both ways): the tables, their
order for clearing, and the conversions between seed values and columns."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from . import seed as seedmod

#: Flickr's OAuth permission levels, in order.
PERM_LEVELS = {"none": 0, "read": 1, "write": 2, "delete": 3}
PERM_NAMES = ("none", "read", "write", "delete")
#: Flickr's member types (flickr.groups.members.getList): 2 member, 3 moderator, 4 admin.
MEMBERTYPES = {"member": 2, "moderator": 3, "admin": 4}
ROLE_NAMES = {2: "member", 3: "moderator", 4: "admin"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    key TEXT PRIMARY KEY, secret TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
    nsid TEXT PRIMARY KEY, username TEXT NOT NULL, fullname TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, secret TEXT NOT NULL,
    api_key TEXT NOT NULL REFERENCES api_keys(key),
    user_nsid TEXT NOT NULL REFERENCES users(nsid),
    perms INTEGER NOT NULL CHECK (perms BETWEEN 1 AND 3),
    revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS request_tokens (
    token TEXT PRIMARY KEY, secret TEXT NOT NULL,
    api_key TEXT NOT NULL REFERENCES api_keys(key), callback TEXT NOT NULL,
    verifier TEXT, user_nsid TEXT REFERENCES users(nsid), perms INTEGER);
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL,
    privacy INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS memberships (
    group_id TEXT NOT NULL REFERENCES groups(id),
    user_nsid TEXT NOT NULL REFERENCES users(nsid),
    membertype INTEGER NOT NULL CHECK (membertype IN (2, 3, 4)),
    joined INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_nsid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS memberships_by_join ON memberships (group_id, joined, user_nsid);
CREATE TABLE IF NOT EXISTS photos (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES users(nsid),
    title TEXT NOT NULL, secret TEXT NOT NULL, server TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS photos_by_owner ON photos (owner);
CREATE TABLE IF NOT EXISTS pool (
    group_id TEXT NOT NULL REFERENCES groups(id),
    photo_id TEXT NOT NULL REFERENCES photos(id),
    added INTEGER NOT NULL,
    PRIMARY KEY (group_id, photo_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nonces (
    consumer_key TEXT NOT NULL, token TEXT NOT NULL, nonce TEXT NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (consumer_key, token, nonce, timestamp)) WITHOUT ROWID;
"""

# Children before parents, so that clearing never trips a foreign key.
TABLES = (
    "nonces",
    "pool",
    "memberships",
    "photos",
    "request_tokens",
    "tokens",
    "groups",
    "users",
    "api_keys",
)


def create_schema(db: sqlite3.Connection) -> None:
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)


# seed section -> (table, its columns in the seed's field order, dump order)
_TABLE_OF: dict[str, tuple[str, str, str]] = {
    "api_keys": ("api_keys", "key, secret, name", "key"),
    "users": ("users", "nsid, username, fullname", "nsid"),
    "tokens": ("tokens", "token, secret, api_key, user_nsid, perms, revoked", "token"),
    "groups": ("groups", "id, name, description, privacy", "id"),
    "memberships": (
        "memberships",
        "group_id, user_nsid, membertype, joined",
        "group_id, joined, user_nsid",
    ),
    "photos": ("photos", "id, owner, title, secret, server", "id"),
    "pool": ("pool", "group_id, photo_id, added", "group_id, added, photo_id"),
}
# seed field -> (seed value to column, column to seed value)
_CONVERT: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "perms": (PERM_LEVELS.__getitem__, PERM_NAMES.__getitem__),
    "role": (MEMBERTYPES.__getitem__, ROLE_NAMES.__getitem__),
    "revoked": (int, bool),
}
_SAME = (lambda v: v, lambda v: v)


def insert_seed(db: sqlite3.Connection, data: dict[str, list[dict[str, Any]]]) -> None:
    for section, (table, columns, _) in _TABLE_OF.items():
        fields = list(seedmod.SECTIONS[section])
        convert = [_CONVERT.get(f, _SAME)[0] for f in fields]
        marks = ", ".join("?" * len(fields))
        db.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",
            [tuple(c(e[f]) for c, f in zip(convert, fields, strict=True)) for e in data[section]],
        )


def dump_state(db: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for section, (table, columns, order) in _TABLE_OF.items():
        fields = list(seedmod.SECTIONS[section])
        convert = [_CONVERT.get(f, _SAME)[1] for f in fields]
        out[section] = [
            {f: c(v) for f, c, v in zip(fields, convert, row, strict=True)}
            for row in db.execute(f"SELECT {columns} FROM {table} ORDER BY {order}").fetchall()
        ]
    return out
