"""Flickr's method catalogue: every method of the public API, read from ``methods.json``.

For each method: its arguments (required or optional, with Flickr's descriptions), the
permission it needs (none/read/write/delete), whether Flickr wants it POSTed, whether it
needs a login and a signature, its own error codes, its documented example response, and
for every field the source it came from (see :func:`sources`). ``tools/make_catalogue.py``
writes the file; ``docs/catalogue.md`` tells where each field comes from.

The file is read on first use, not at import::

    from flickrwire import catalogue
    catalogue.method("flickr.groups.leave").perms      # 'delete'
    [m.name for m in catalogue.methods() if m.post_required]
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

__all__ = [
    "PERMS",
    "Argument",
    "ErrorCode",
    "Method",
    "Source",
    "lookup",
    "method",
    "methods",
    "names",
    "namespaces",
    "sources",
]

#: Flickr's permission levels, weakest first (reflection's ``requiredperms`` 0..3).
PERMS = ("none", "read", "write", "delete")
DATA_FILE = "methods.json"


@dataclass(frozen=True, slots=True)
class Argument:
    """One argument of a method, as Flickr documents it (``api_key`` is never listed)."""

    name: str
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One of a method's own errors (the global ones, 95..116, are left out)."""

    code: int
    message: str
    description: str


@dataclass(frozen=True, slots=True)
class Source:
    """Where catalogue fields come from: a published package, its version and date."""

    key: str
    name: str
    registry: str | None
    version: str | None
    date: str | None
    date_basis: str | None
    digest: str | None
    files: str | None


@dataclass(frozen=True, slots=True)
class Method:
    """One Flickr API method."""

    name: str
    description: str
    perms: str
    post_required: bool
    needs_login: bool | None
    needs_signing: bool | None
    arguments: tuple[Argument, ...]
    errors: tuple[ErrorCode, ...]
    #: The documented example response (the XML inside ``<rsp>``), None when none is known.
    example: str | None
    #: Field name (description, arguments, perms, post, auth, errors, example) -> source key.
    field_sources: Mapping[str, str]

    @property
    def perm_level(self) -> int:
        """The permission as reflection's ``requiredperms``: 0 none, 1 read, 2 write, 3 delete."""
        return PERMS.index(self.perms)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.arguments if a.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.arguments if not a.required)

    @property
    def argument_names(self) -> frozenset[str]:
        return frozenset(a.name for a in self.arguments)

    def source(self, field: str) -> Source:
        """The source of one field (``"arguments"``, ``"errors"``, ``"example"``, ...)."""
        return sources()[self.field_sources[field]]


def lookup(name: str) -> Method | None:
    """The method called ``name``, or None when the catalogue does not know it."""
    return _methods().get(name)


def method(name: str) -> Method:
    """The method called ``name``; ``KeyError`` when the catalogue does not know it."""
    found = _methods().get(name)
    if found is None:
        raise KeyError(f"{name!r} is not a method in Flickr's catalogue")
    return found


def methods() -> tuple[Method, ...]:
    """Every method, sorted by name."""
    return tuple(_methods().values())


def names() -> tuple[str, ...]:
    """Every method name, sorted."""
    return tuple(_methods())


@cache
def namespaces() -> frozenset[str]:
    """Every dotted prefix that has methods below it: ``flickr``, ``flickr.groups``, ..."""
    found: set[str] = set()
    for name in _methods():
        parts = name.split(".")
        found.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return frozenset(found)


def sources() -> Mapping[str, Source]:
    """The catalogue's sources by key (``flickr-sdk``, ``flickrapi``, ``flickr-api``,
    ``none`` for a field that no source has for that method)."""
    return _load()[1]


def _methods() -> Mapping[str, Method]:
    return _load()[0]


@cache
def _load() -> tuple[Mapping[str, Method], Mapping[str, Source]]:
    from importlib import resources  # on first use only, like the file itself

    raw = json.loads(resources.files(__package__).joinpath(DATA_FILE).read_bytes())
    table = {key: _source(key, value) for key, value in raw["sources"].items()}
    found = {name: _method(entry) for name, entry in sorted(raw["methods"].items())}
    return MappingProxyType(found), MappingProxyType(table)


def _source(key: str, raw: Mapping[str, Any]) -> Source:
    return Source(
        key=key,
        name=raw["name"],
        registry=raw.get("registry"),
        version=raw.get("version"),
        date=raw.get("date"),
        date_basis=raw.get("date_basis"),
        digest=raw.get("integrity") or raw.get("sha256"),
        files=raw.get("files"),
    )


def _method(raw: Mapping[str, Any]) -> Method:
    return Method(
        name=raw["name"],
        description=raw["description"],
        perms=raw["perms"],
        post_required=raw["post"],
        needs_login=raw["needs_login"],
        needs_signing=raw["needs_signing"],
        arguments=tuple(
            Argument(a["name"], a["required"], a["description"]) for a in raw["arguments"]
        ),
        errors=tuple(ErrorCode(e["code"], e["message"], e["description"]) for e in raw["errors"]),
        example=raw["example"],
        field_sources=MappingProxyType(dict(raw["sources"])),
    )
