"""Stubs: canned answers for Flickr methods, WireMock-style, that override a method's
documented example response (and the emulator's own semantics).

A stub is one JSON object; seed files carry a ``"stubs"`` list and the admin API
(``/_admin/stubs``) adds, lists and removes them at run time::

    {"id": "photo-1", "method": "flickr.photos.getInfo",
     "args": {"photo_id": "1", "extras": {"matches": "date_.*"}, "page": {"absent": true}},
     "transport": "rest",
     "payload": {"photo": {"id": "1"}}}

- ``method`` (required): a Flickr method name.
- ``args``: argument matchers, all of which must hold. A string must equal the argument;
  an object holds one of ``equals`` (a string), ``matches`` (a regular expression the
  whole value must match), ``contains`` (a substring), ``absent`` (true: not sent) or
  ``present`` (true: sent, any value).
- ``transport``: ``rest``, ``xmlrpc``, ``soap`` or ``*`` (the default).
- exactly one answer: ``payload`` (an object in Flickr's JSON shape, rendered into the
  protocol and format the request asked for), ``error`` (``{"code": int, "message"?:
  str}``; the message defaults to the method's documented one, then Flickr's global one),
  or ``raw`` (``{"body": str, "content_type"?: str, "status"?: int}``: sent verbatim).
- ``id``: a name for listing and removal (``s1``, ``s2``, ... when absent).

Stubs are consulted after every check Flickr makes before a method's own work (key,
signature, token, permission, POST, required arguments); among the stubs that match, the
one added last wins.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

ANSWERS = ("payload", "error", "raw")
TRANSPORTS = ("*", "rest", "xmlrpc", "soap")
_FIELDS = frozenset({"id", "method", "args", "transport", *ANSWERS})
_MATCHERS = ("equals", "matches", "contains", "absent", "present")
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_RAW_FIELDS = {"body": str, "content_type": str, "status": int}
DEFAULT_RAW_TYPE = "text/xml; charset=utf-8"


class StubError(ValueError):
    """A stub that does not validate; the message names the bad field."""


@dataclass(frozen=True, slots=True)
class Raw:
    """A verbatim answer: status, body, content type."""

    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class Error:
    """A Flickr error: its code and message (empty: the documented one)."""

    code: int
    message: str


@dataclass(frozen=True, slots=True)
class Matcher:
    kind: str
    value: Any

    def holds(self, sent: str | None) -> bool:
        if self.kind == "absent":
            return (sent is None) == bool(self.value)
        if self.kind == "present":
            return (sent is not None) == bool(self.value)
        if sent is None:
            return False
        if self.kind == "equals":
            return bool(sent == self.value)
        if self.kind == "contains":
            return bool(self.value in sent)
        return re.fullmatch(self.value, sent) is not None


@dataclass(frozen=True, slots=True)
class Stub:
    """One validated stub (``source`` is its JSON, as given, with its id)."""

    id: str
    method: str
    transport: str
    args: tuple[tuple[str, Matcher], ...]
    answer: str
    source: Mapping[str, Any] = field(repr=False, compare=False)

    def matches(self, method: str, transport: str, args: Mapping[str, str]) -> bool:
        if method != self.method or self.transport not in ("*", transport):
            return False
        return all(matcher.holds(args.get(name)) for name, matcher in self.args)

    def outcome(self) -> dict[str, Any] | Error | Raw:
        """What the stub answers: a payload, a Flickr error, or a verbatim body."""
        value = self.source[self.answer]
        if self.answer == "payload":
            return dict(value)
        if self.answer == "error":
            return Error(value["code"], value.get("message") or "")
        return Raw(
            value.get("status", 200),
            value["body"].encode("utf-8"),
            value.get("content_type", DEFAULT_RAW_TYPE),
        )


def _matcher(where: str, spec: Any) -> Matcher:
    if isinstance(spec, str):
        return Matcher("equals", spec)
    if not isinstance(spec, Mapping) or len(spec) != 1:
        raise StubError(f"{where}: expected a string or an object with one of {_MATCHERS}")
    kind, value = next(iter(spec.items()))
    if kind not in _MATCHERS:
        raise StubError(f"{where}.{kind}: unknown matcher (known: {', '.join(_MATCHERS)})")
    if kind in ("absent", "present"):
        if not isinstance(value, bool):
            raise StubError(f"{where}.{kind}: expected true or false, got {value!r}")
    elif not isinstance(value, str):
        raise StubError(f"{where}.{kind}: expected a string, got {value!r}")
    if kind == "matches":
        try:
            re.compile(value)
        except re.error as exc:
            raise StubError(f"{where}.matches: not a regular expression: {exc}") from exc
    return Matcher(kind, value)


def _check_payload(where: str, value: Any, depth: int = 0) -> None:
    """Flickr's JSON shape, as it must be to render as XML too: element and attribute
    names are XML names (``_content`` is the text), values are strings, numbers,
    booleans, objects or lists of them."""
    if depth > 32:
        raise StubError(f"{where}: nested too deeply")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key != "_content" and not (isinstance(key, str) and _XML_NAME.match(key)):
                raise StubError(f"{where}.{key}: not an XML element or attribute name")
            _check_payload(f"{where}.{key}", item, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_payload(f"{where}[{index}]", item, depth + 1)
    elif not isinstance(value, (str, int, float)):
        raise StubError(f"{where}: expected a string, number, object or list, got {value!r}")


def _check_answer(where: str, name: str, value: Any) -> None:
    if name == "payload":
        if not isinstance(value, Mapping):
            raise StubError(f"{where}.payload: expected an object, got {value!r}")
        _check_payload(f"{where}.payload", value)
        return
    if not isinstance(value, Mapping):
        raise StubError(f"{where}.{name}: expected an object, got {value!r}")
    if name == "error":
        code = value.get("code")
        if isinstance(code, bool) or not isinstance(code, int):
            raise StubError(f"{where}.error.code: expected an integer, got {code!r}")
        unknown = set(value) - {"code", "message"}
        if unknown:
            raise StubError(f"{where}.error.{sorted(unknown)[0]}: unknown field")
        if not isinstance(value.get("message", ""), str):
            raise StubError(f"{where}.error.message: expected a string")
        return
    for key, item in value.items():
        kind = _RAW_FIELDS.get(key)
        if kind is None:
            raise StubError(f"{where}.raw.{key}: unknown field (known: body, content_type, status)")
        if isinstance(item, bool) or not isinstance(item, kind):
            raise StubError(f"{where}.raw.{key}: expected a {kind.__name__}, got {item!r}")
    if "body" not in value:
        raise StubError(f"{where}.raw.body: required field missing")
    if not 100 <= value.get("status", 200) <= 599:
        raise StubError(f"{where}.raw.status: expected an HTTP status (100..599)")


def parse(obj: Any, where: str = "stub", stub_id: str = "") -> Stub:
    """A stub from its JSON; :class:`StubError` names the bad field."""
    if not isinstance(obj, Mapping):
        raise StubError(f"{where}: expected an object, got {type(obj).__name__}")
    unknown = sorted(k for k in obj if k not in _FIELDS and not str(k).startswith("_"))
    if unknown:
        known = ", ".join(sorted(_FIELDS))
        raise StubError(f"{where}.{unknown[0]}: unknown field (known: {known})")
    method = obj.get("method")
    if not isinstance(method, str) or not method:
        raise StubError(f"{where}.method: expected a method name, got {method!r}")
    transport = obj.get("transport", "*")
    if transport not in TRANSPORTS:
        raise StubError(f"{where}.transport: expected one of {', '.join(TRANSPORTS)}")
    chosen = [name for name in ANSWERS if name in obj]
    if len(chosen) != 1:
        got = ", ".join(chosen) or "none"
        raise StubError(f"{where}: give exactly one of payload, error, raw (got {got})")
    _check_answer(where, chosen[0], obj[chosen[0]])
    args = obj.get("args", {})
    if not isinstance(args, Mapping):
        raise StubError(f"{where}.args: expected an object, got {args!r}")
    matchers = tuple((str(k), _matcher(f"{where}.args.{k}", v)) for k, v in args.items())
    given_id = obj.get("id", stub_id)
    if not isinstance(given_id, str) or (given_id and not _ID.match(given_id)):
        raise StubError(f"{where}.id: expected letters, digits, _ . - (1..64), got {given_id!r}")
    source = {k: v for k, v in obj.items() if not str(k).startswith("_")}
    return Stub(given_id, method, transport, matchers, chosen[0], {**source, "id": given_id})


def validate_all(items: Any, where: str = "stubs") -> list[dict[str, Any]]:
    """Check a list of stubs; return their JSON (comment keys dropped)."""
    if not isinstance(items, list):
        raise StubError(f"{where}: expected a list, got {type(items).__name__}")
    return [dict(parse(item, f"{where}[{i}]").source) for i, item in enumerate(items)]


class StubSet:
    """The stubs in force; thread-safe. ``initial`` is what :meth:`reset` goes back to."""

    def __init__(self, initial: Iterable[Any] = ()) -> None:
        self._lock = threading.Lock()
        self._stubs: list[Stub] = []
        self._ids = itertools.count(1)
        self.initial = list(initial)
        self.add(self.initial)

    def add(self, items: Iterable[Any]) -> list[Stub]:
        """Add several stubs: all, or none if one is invalid."""
        with self._lock:
            taken = {stub.id for stub in self._stubs}
            added: list[Stub] = []
            for index, item in enumerate(items):
                stub = parse(item, f"stubs[{index}]")
                if not stub.id:
                    stub = parse(item, f"stubs[{index}]", self._fresh(taken))
                if stub.id in taken:
                    raise StubError(f"stubs[{index}].id: a stub with id {stub.id!r} exists")
                taken.add(stub.id)
                added.append(stub)
            self._stubs = self._stubs + added
        return added

    def _fresh(self, taken: set[str]) -> str:
        while True:
            candidate = f"s{next(self._ids)}"
            if candidate not in taken:
                return candidate

    def replace(self, items: Iterable[Any]) -> list[Stub]:
        staged = StubSet(items)
        with self._lock:
            self._stubs = staged._stubs
        return self.stubs()

    def remove(self, stub_id: str) -> bool:
        with self._lock:
            kept = [stub for stub in self._stubs if stub.id != stub_id]
            found = len(kept) != len(self._stubs)
            self._stubs = kept
        return found

    def clear(self) -> int:
        with self._lock:
            cleared, self._stubs = len(self._stubs), []
        return cleared

    def reset(self) -> None:
        self.replace(self.initial)

    def stubs(self) -> list[Stub]:
        return list(self._stubs)

    def to_json(self) -> list[dict[str, Any]]:
        return [dict(stub.source) for stub in self._stubs]

    def find(self, method: str, transport: str, args: Mapping[str, str]) -> Stub | None:
        """The last-added stub that matches the request, if any."""
        for stub in reversed(self._stubs):
            if stub.matches(method, transport, args):
                return stub
        return None
