"""The emulator's seed format: the JSON that describes its starting state.

A seed is one object with seven lists, each optional::

    api_keys     {"key", "secret", "name"?}
    users        {"nsid", "username", "fullname"?}
    tokens       {"token", "secret", "api_key", "user", "perms", "revoked"?}
    groups       {"id", "name", "description"?, "privacy"?}
    memberships  {"group", "user", "role"?, "joined"}
    photos       {"id", "owner", "title"?, "secret"?, "server"?}
    pool         {"group", "photo", "added"}

``perms`` is ``read``, ``write`` or ``delete`` (Flickr's OAuth levels); ``role`` is
``member`` (the default), ``moderator`` or ``admin``; ``joined`` and ``added`` are Unix
times; ``privacy`` is Flickr's group privacy (1 private, 2 invite only, 3 public).
A seed may also hold ``stubs``, a list of canned method answers (``stubs.py``); they
live in memory beside the state. Keys starting with ``_`` are comments and are dropped.
:func:`validate` returns the seed with every default filled in, the same shape
``Store.dump()`` produces.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from . import stubs

PERMS = ("read", "write", "delete")
ROLES = ("member", "moderator", "admin")


class SeedError(ValueError):
    """A seed that cannot be loaded; the message names the bad field."""


def _text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _any_text(value: Any) -> bool:
    return isinstance(value, str)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bool(value: Any) -> bool:
    return isinstance(value, bool)


Check = Callable[[Any], bool]
# field -> (check, what the check wants, default; ... means required)
Fields = dict[str, tuple[Check, str, Any]]

SECTIONS: dict[str, Fields] = {
    "api_keys": {
        "key": (_text, "a non-empty string", ...),
        "secret": (_text, "a non-empty string", ...),
        "name": (_any_text, "a string", ""),
    },
    "users": {
        "nsid": (_text, "a non-empty string", ...),
        "username": (_text, "a non-empty string", ...),
        "fullname": (_any_text, "a string", ""),
    },
    "tokens": {
        "token": (_text, "a non-empty string", ...),
        "secret": (_text, "a non-empty string", ...),
        "api_key": (_text, "a non-empty string", ...),
        "user": (_text, "a non-empty string", ...),
        "perms": (lambda v: v in PERMS, "one of read, write, delete", ...),
        "revoked": (_bool, "true or false", False),
    },
    "groups": {
        "id": (_text, "a non-empty string", ...),
        "name": (_text, "a non-empty string", ...),
        "description": (_any_text, "a string", ""),
        "privacy": (lambda v: v in (1, 2, 3), "1, 2 or 3", 3),
    },
    "memberships": {
        "group": (_text, "a non-empty string", ...),
        "user": (_text, "a non-empty string", ...),
        "role": (lambda v: v in ROLES, "one of member, moderator, admin", "member"),
        "joined": (_int, "an integer (Unix time)", ...),
    },
    "photos": {
        "id": (_text, "a non-empty string", ...),
        "owner": (_text, "a non-empty string", ...),
        "title": (_any_text, "a string", ""),
        "secret": (_any_text, "a string", ""),
        "server": (_any_text, "a string", ""),
    },
    "pool": {
        "group": (_text, "a non-empty string", ...),
        "photo": (_text, "a non-empty string", ...),
        "added": (_int, "an integer (Unix time)", ...),
    },
}

# section -> (field, referenced section, referenced field)
REFERENCES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "tokens": (("api_key", "api_keys", "key"), ("user", "users", "nsid")),
    "memberships": (("group", "groups", "id"), ("user", "users", "nsid")),
    "photos": (("owner", "users", "nsid"),),
    "pool": (("group", "groups", "id"), ("photo", "photos", "id")),
}

# section -> the fields that must be unique together
UNIQUE: dict[str, tuple[str, ...]] = {
    "api_keys": ("key",),
    "users": ("nsid",),
    "tokens": ("token",),
    "groups": ("id",),
    "memberships": ("group", "user"),
    "photos": ("id",),
    "pool": ("group", "photo"),
}


def _entry(section: str, index: int, entry: Any) -> dict[str, Any]:
    where = f"{section}[{index}]"
    if not isinstance(entry, Mapping):
        raise SeedError(f"{where}: expected an object, got {type(entry).__name__}")
    fields = SECTIONS[section]
    unknown = [k for k in entry if k not in fields and not str(k).startswith("_")]
    if unknown:
        raise SeedError(f"{where}.{unknown[0]}: unknown field (known: {', '.join(fields)})")
    out: dict[str, Any] = {}
    for name, (check, wanted, default) in fields.items():
        if name not in entry:
            if default is ...:
                raise SeedError(f"{where}.{name}: required field missing")
            out[name] = default
            continue
        value = entry[name]
        if not check(value):
            raise SeedError(f"{where}.{name}: expected {wanted}, got {value!r}")
        out[name] = value
    return out


def _check_unique(section: str, entries: list[dict[str, Any]]) -> None:
    fields = UNIQUE[section]
    seen: set[tuple[Any, ...]] = set()
    for index, entry in enumerate(entries):
        key = tuple(entry[f] for f in fields)
        if key in seen:
            raise SeedError(f"{section}[{index}].{fields[-1]}: duplicate {key!r}")
        seen.add(key)


def _check_references(out: dict[str, list[dict[str, Any]]]) -> None:
    for section, refs in REFERENCES.items():
        for field, target, target_field in refs:
            known = {entry[target_field] for entry in out[target]}
            for index, entry in enumerate(out[section]):
                if entry[field] not in known:
                    raise SeedError(
                        f"{section}[{index}].{field}: {entry[field]!r} is not in {target}"
                    )


def validate(seed: Any) -> dict[str, list[dict[str, Any]]]:
    """Check ``seed`` and return it normalised (defaults filled, comments dropped)."""
    if not isinstance(seed, Mapping):
        raise SeedError(f"seed: expected an object, got {type(seed).__name__}")
    known = (*SECTIONS, "stubs")
    unknown = [k for k in seed if k not in known and not str(k).startswith("_")]
    if unknown:
        raise SeedError(f"{unknown[0]}: unknown section (known: {', '.join(known)})")
    out: dict[str, list[dict[str, Any]]] = {}
    if "stubs" in seed:
        try:
            out["stubs"] = stubs.validate_all(seed["stubs"])
        except stubs.StubError as exc:
            raise SeedError(str(exc)) from exc
    for section in SECTIONS:
        entries = seed.get(section, [])
        if not isinstance(entries, list):
            raise SeedError(f"{section}: expected a list, got {type(entries).__name__}")
        out[section] = [_entry(section, i, e) for i, e in enumerate(entries)]
        _check_unique(section, out[section])
    _check_references(out)
    return out


def load_seed_file(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """Read and validate a seed JSON file; raises :class:`SeedError` naming the bad field."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read seed file {str(path)!r}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SeedError(f"seed file {str(path)!r} is not JSON: {exc}") from exc
    return validate(data)


# The documented default seed (the same data as examples/seed.json, which a test keeps in
# step). Keys, tokens and secrets are made-up test credentials in Flickr's formats:
# 32-hex API key, 16-hex secrets, "72157...-<16 hex>" tokens, "NNN@N01" NSIDs.
_KEY = "4f1b0c2d9e8a7b6c5d4e3f2a1b0c9d8e"
#: The default seed's groups: four members (Alice the only admin), and Carol alone.
TEST_GROUP = "30000001@N01"
SOLO_GROUP = "30000002@N01"
ALICE, BOB, CAROL, DAVE, ERIN = (f"1000000{n}@N01" for n in range(1, 6))


def _token(n: int, user: str, perms: str, *, revoked: bool = False) -> dict[str, Any]:
    return {
        "token": f"7215700000000000{n}-" + "".join(f"{n}{c}" for c in "edcba987"),
        "secret": "".join(f"{c}{n}" for c in "0f1e2d3c"),
        "api_key": _KEY,
        "user": user,
        "perms": perms,
        "revoked": revoked,
    }


def _photo(photo_id: str, owner: str, title: str, secret: str) -> dict[str, Any]:
    return {"id": photo_id, "owner": owner, "title": title, "secret": secret, "server": "65535"}


_DEFAULT: dict[str, Any] = {
    "api_keys": [{"key": _KEY, "secret": "9a8b7c6d5e4f3a2b", "name": "flickrwire test app"}],
    "users": [
        {"nsid": ALICE, "username": "alice", "fullname": "Alice Admin"},
        {"nsid": BOB, "username": "bob", "fullname": "Bob Member"},
        {"nsid": CAROL, "username": "carol", "fullname": "Carol Moderator"},
        {"nsid": DAVE, "username": "dave", "fullname": "Dave Writer"},
        {"nsid": ERIN, "username": "erin", "fullname": "Erin Reader"},
    ],
    "tokens": [
        _token(1, ALICE, "delete"),
        _token(2, BOB, "delete"),
        _token(3, CAROL, "delete"),
        _token(4, DAVE, "write"),
        _token(5, ERIN, "read"),
        _token(6, BOB, "delete", revoked=True),
    ],
    "groups": [
        {"id": TEST_GROUP, "name": "flickrwire testers", "description": "Leave me.", "privacy": 3},
        {"id": SOLO_GROUP, "name": "carol alone", "description": "One member.", "privacy": 3},
    ],
    "memberships": [
        # Dave joined before Bob and Carol: when Alice (the only admin) leaves, Dave is
        # the oldest remaining member and becomes admin, although his NSID sorts last.
        {"group": TEST_GROUP, "user": ALICE, "role": "admin", "joined": 1262304000},
        {"group": TEST_GROUP, "user": DAVE, "role": "member", "joined": 1293840000},
        {"group": TEST_GROUP, "user": BOB, "role": "member", "joined": 1325376000},
        {"group": TEST_GROUP, "user": CAROL, "role": "moderator", "joined": 1356998400},
        {"group": SOLO_GROUP, "user": CAROL, "role": "admin", "joined": 1388534400},
    ],
    "photos": [
        _photo("50000001", ALICE, "sunrise", "a1b2c3d4e5"),
        _photo("50000002", BOB, "harbour", "b2c3d4e5f6"),
        _photo("50000003", BOB, "market", "c3d4e5f6a7"),
        _photo("50000004", CAROL, "bridge", "d4e5f6a7b8"),
    ],
    "pool": [
        {"group": TEST_GROUP, "photo": "50000001", "added": 1400000000},
        {"group": TEST_GROUP, "photo": "50000002", "added": 1400000100},
        {"group": TEST_GROUP, "photo": "50000003", "added": 1400000200},
        {"group": TEST_GROUP, "photo": "50000004", "added": 1400000300},
        {"group": SOLO_GROUP, "photo": "50000004", "added": 1400000400},
    ],
}

#: The seed used when none is given (``python -m flickrwire.emulator`` without ``--seed``).
DEFAULT_SEED: dict[str, Any] = validate(_DEFAULT)


def default_seed() -> dict[str, Any]:
    """A fresh deep copy of :data:`DEFAULT_SEED`, safe to modify."""
    return copy.deepcopy(DEFAULT_SEED)
