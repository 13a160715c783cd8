"""Reading the parts of a scenario from JSON: calls, expectations, set-up, checks.

Every error is a :class:`~.model.ScenarioError` naming the file and the path of the bad
field (``scenarios[3].call.auth``), so that a user can fix a scenario file without Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..result import ORIGINS
from .model import (
    AUTH_KINDS,
    DEFAULT_USER,
    EXPECT_KEYS,
    KNOWN_PLACEHOLDER,
    OAUTH_PLACES,
    PLACEHOLDER,
    ROLES,
    CallSpec,
    Check,
    Expect,
    Member,
    RawBody,
    ScenarioError,
    Setup,
)


class Reader:
    """Typed access to one JSON object, errors naming ``where`` and the field."""

    def __init__(self, data: Any, where: str, known: Iterable[str]) -> None:
        if not isinstance(data, Mapping):
            raise ScenarioError(f"{where}: expected an object, got {_kind(data)}")
        unknown = [k for k in data if k not in known and not str(k).startswith("_")]
        if unknown:
            raise ScenarioError(f"{where}.{unknown[0]}: unknown field (known: {', '.join(known)})")
        self.data, self.where = data, where

    def at(self, name: str) -> str:
        return f"{self.where}.{name}"

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if name not in self.data:
            if default is ...:
                raise ScenarioError(f"{self.at(name)}: required field missing")
            return default
        value = self.data[name]
        if isinstance(value, bool) and bool not in _tuple(kind):
            raise ScenarioError(f"{self.at(name)}: expected {_names(kind)}, got {value!r}")
        if not isinstance(value, kind):
            raise ScenarioError(f"{self.at(name)}: expected {_names(kind)}, got {_kind(value)}")
        return value

    def text(self, name: str, default: Any = ...) -> Any:
        value = self.get(name, str, default)
        if isinstance(value, str) and not value:
            raise ScenarioError(f"{self.at(name)}: must not be empty")
        return value

    def choices(self, name: str, allowed: Sequence[str], default: Any = ...) -> Any:
        value = self.get(name, list, default)
        if value is default:
            return value
        for index, item in enumerate(value):
            if item not in allowed:
                wanted = ", ".join(allowed)
                raise ScenarioError(f"{self.at(name)}[{index}]: {item!r} is not one of {wanted}")
        if not value:
            raise ScenarioError(f"{self.at(name)}: must not be empty")
        return tuple(value)


def _tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _names(kind: type | tuple[type, ...]) -> str:
    table = {str: "a string", int: "an integer", bool: "true or false", list: "a list"}
    table.update({dict: "an object", Mapping: "an object", type(None): "null"})
    return " or ".join(table.get(k, k.__name__) for k in _tuple(kind))


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _check_placeholders(text: str, where: str) -> None:
    for name in PLACEHOLDER.findall(text):
        if not KNOWN_PLACEHOLDER.match(name):
            raise ScenarioError(
                f"{where}: unknown placeholder {{{name}}} (known: {{group}}, {{me}}, "
                "{nsid:USERNAME})"
            )


def _wire(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float, str)):
        text = str(value)
        _check_placeholders(text, where)
        return text
    raise ScenarioError(f"{where}: a parameter is a string, number or boolean, not {_kind(value)}")


def _raw(data: Any, where: str) -> RawBody:
    reader = Reader(data, where, ("body", "content_type"))
    return RawBody(reader.text("body"), reader.text("content_type", "text/xml; charset=utf-8"))


def read_call(data: Any, where: str) -> CallSpec:
    known = ("method", "params", "auth", "as", "http_method", "raw", "oauth_in")
    reader = Reader(data, where, known)
    params = reader.get("params", dict, {})
    wire = {str(k): _wire(v, f"{reader.at('params')}.{k}") for k, v in params.items()}
    auth = reader.text("auth", "delete")
    if auth not in AUTH_KINDS:
        raise ScenarioError(f"{reader.at('auth')}: {auth!r} is not one of {', '.join(AUTH_KINDS)}")
    verb = reader.get("http_method", (str, type(None)), None)
    if verb is not None and verb not in ("GET", "POST"):
        raise ScenarioError(f"{reader.at('http_method')}: must be GET or POST")
    oauth_in = reader.text("oauth_in", "header")
    if oauth_in not in OAUTH_PLACES:
        raise ScenarioError(f"{reader.at('oauth_in')}: must be one of {', '.join(OAUTH_PLACES)}")
    raw = reader.data.get("raw")
    return CallSpec(
        method=reader.text("method"),
        params=wire,
        auth=auth,
        user=reader.text("as", DEFAULT_USER),
        http_method=verb,
        raw=None if raw is None else _raw(raw, reader.at("raw")),
        oauth_in=oauth_in,
    )


_EXPECT_TYPES: dict[str, type | tuple[type, ...]] = {
    "method": str,
    "ok": bool,
    "code": (int, type(None)),
    "origin": (str, type(None)),
    "retryable": (bool, type(None)),
    "payload": dict,
    "payload_contains": dict,
    "payload_lacks": dict,
    "retries": int,
    "requests": int,
}


def _strings_checked(value: Any, where: str) -> None:
    if isinstance(value, str):
        _check_placeholders(value, where)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _strings_checked(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _strings_checked(item, f"{where}[{index}]")


def read_expect(data: Any, where: str, *, main: bool, nested: bool = False) -> Expect:
    keys = [k for k in EXPECT_KEYS if (main or k not in ("retries", "requests"))]
    if nested:
        keys.remove("any_of")
    reader = Reader(data, where, keys)
    fields: dict[str, Any] = {}
    for name, kind in _EXPECT_TYPES.items():
        if name in keys and name in reader.data:
            value = reader.get(name, kind)
            if name == "origin" and value is not None and value not in ORIGINS:
                raise ScenarioError(f"{reader.at(name)}: {value!r} is not one of {ORIGINS}")
            if name in ("retries", "requests") and value < 0:
                raise ScenarioError(f"{reader.at(name)}: must not be negative")
            _strings_checked(value, reader.at(name))
            fields[name] = value
    options = reader.get("any_of", list, []) if "any_of" in keys else []
    if "any_of" in reader.data and not options:
        raise ScenarioError(f"{reader.at('any_of')}: must not be empty")
    alternatives = tuple(
        read_expect(item, f"{reader.at('any_of')}[{i}]", main=main, nested=True)
        for i, item in enumerate(options)
    )
    if not fields and not alternatives:
        raise ScenarioError(f"{where}: expects nothing; name at least one field")
    return Expect(fields, alternatives)


def _member(data: Any, where: str) -> Member:
    if isinstance(data, str) and data:
        return Member(data)
    reader = Reader(data, where, ("user", "role"))
    role = reader.text("role", "member")
    if role not in ROLES:
        raise ScenarioError(f"{reader.at('role')}: {role!r} is not one of {', '.join(ROLES)}")
    return Member(reader.text("user"), role)


def _by_group(data: Any, where: str) -> dict[str, list[Any]]:
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{where}: expected an object (group id -> list), got {_kind(data)}")
    for group, items in data.items():
        if not isinstance(items, list):
            raise ScenarioError(f"{where}.{group}: expected a list, got {_kind(items)}")
    return {str(k): v for k, v in data.items()}


def _faults(data: Any, where: str) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(data, list):
        raise ScenarioError(f"{where}: expected a list of fault rules, got {_kind(data)}")
    check = _rule_checker()
    for index, rule in enumerate(data):
        if not isinstance(rule, dict):
            raise ScenarioError(f"{where}[{index}]: a fault rule is an object")
        try:
            check(rule)
        except (TypeError, ValueError) as exc:
            raise ScenarioError(f"{where}[{index}]: {exc}") from None
    return tuple(data)


def _rule_checker() -> Callable[[Mapping[str, Any]], object]:
    """The emulator's own rule parser (server extra); without it, rules are checked when
    they reach an emulator."""
    try:
        from ..emulator.rules import FaultRule
    except ImportError:
        return lambda rule: rule
    return FaultRule.from_json


def read_setup(data: Any, where: str) -> Setup:
    reader = Reader(data, where, ("members", "pool", "faults", "seed"))
    members = {
        group: tuple(_member(m, f"{where}.members.{group}[{i}]") for i, m in enumerate(items))
        for group, items in _by_group(reader.data.get("members", {}), reader.at("members")).items()
    }
    pool: dict[str, tuple[str, ...]] = {}
    for group, items in _by_group(reader.data.get("pool", {}), reader.at("pool")).items():
        if not all(isinstance(i, str) and i for i in items):
            raise ScenarioError(f"{where}.pool.{group}: expected a list of photo ids")
        pool[group] = tuple(items)
    faults = _faults(reader.data.get("faults", []), reader.at("faults"))
    seed = reader.get("seed", (dict, type(None)), None)
    return Setup(members, pool, faults, seed)


def read_check(data: Any, where: str) -> Check:
    reader = Reader(data, where, ("title", "call", "expect"))
    call = read_call(reader.get("call", dict), reader.at("call"))
    expect = read_expect(reader.get("expect", dict), reader.at("expect"), main=False)
    if call.raw is not None:
        raise ScenarioError(f"{reader.at('call')}.raw: checks make ordinary calls")
    return Check(reader.text("title", call.method), call, expect)
