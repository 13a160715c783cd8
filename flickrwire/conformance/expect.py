"""Checking an outcome against a scenario's expectation, and filling in placeholders.

Values compare as ``Result.normalised()`` does: Flickr's JSON mixes ``"1"`` and ``1`` and
XML has only strings, so expected scalars are compared as strings (``true`` as ``"1"``).
``payload`` must equal the payload; ``payload_contains`` is a deep subset (an object's
listed keys, a list's listed items each found somewhere in the list); ``payload_lacks``
fails when ``payload_contains`` with the same value would pass.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import PLACEHOLDER, CallSpec, Expect, Scenario


class Unavailable(LookupError):
    """A placeholder the target cannot fill (``{group}`` without ``--group-id``)."""


@dataclass(frozen=True, slots=True)
class Context:
    """The target's values for ``{group}``, ``{me}`` and ``{nsid:USERNAME}``."""

    group: str | None = None
    me: Callable[[str], str | None] = field(default=lambda user: None)
    nsids: Mapping[str, str] = field(default_factory=dict)

    def value(self, name: str, user: str) -> str:
        if name == "group":
            found = self.group
            why = "needs a group id (--group-id)"
        elif name == "me":
            found = self.me(user)
            why = "needs the acting user's NSID for {me} (another server: from flickr.test.login)"
        else:
            found = self.nsids.get(name.partition(":")[2])
            why = f"needs the NSID of user {name.partition(':')[2]!r} (an emulator seed user)"
        if found is None:
            raise Unavailable(why)
        return found

    def fill(self, value: Any, user: str) -> Any:
        """``value`` with every placeholder in its strings replaced."""
        if isinstance(value, str):
            return PLACEHOLDER.sub(lambda m: self.value(m.group(1), user), value)
        if isinstance(value, Mapping):
            return {k: self.fill(v, user) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.fill(v, user) for v in value]
        return value

    def fill_call(self, call: CallSpec) -> dict[str, str]:
        return {k: str(self.fill(v, call.user)) for k, v in call.params.items()}

    def check(self, scenario: Scenario) -> None:
        """Raise :class:`Unavailable` if any placeholder of ``scenario`` cannot be filled."""
        user = scenario.call.user
        self.fill(dict(scenario.call.params), user)
        for expect in (scenario.expect, *(c.expect for c in scenario.checks)):
            self.fill(_all_fields(expect), user)
        for check in scenario.checks:
            self.fill(dict(check.call.params), check.call.user)


def _all_fields(expect: Expect) -> list[Any]:
    return [dict(expect.fields), *(dict(alt.fields) for alt in expect.any_of)]


def as_strings(value: Any) -> Any:
    """Scalars as ``Result.normalised()`` has them: strings (booleans as ``1``/``0``)."""
    if isinstance(value, Mapping):
        return {k: as_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_strings(v) for v in value]
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def differs(actual: Any, expected: Any, path: str = "") -> str | None:
    """Where ``actual`` is not equal to ``expected`` (both as strings), or None."""
    if isinstance(expected, Mapping) and isinstance(actual, Mapping):
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                return f"{_at(path, key)} is missing"
            if key not in expected:
                return f"{_at(path, key)} is not expected (got {_short(actual[key])})"
            found = differs(actual[key], expected[key], _at(path, key))
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            found = differs(a, e, f"{path}[{index}]")
            if found:
                return found
        return None
    if actual == expected:
        return None
    return f"{path or 'payload'}: expected {_short(expected)}, got {_short(actual)}"


def missing(actual: Any, expected: Any, path: str = "") -> str | None:
    """What of ``expected`` is not in ``actual`` (a deep subset match), or None."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return f"{path or 'payload'}: expected an object, got {_short(actual)}"
        for key, value in expected.items():
            if key not in actual:
                return f"{_at(path, key)} is missing"
            found = missing(actual[key], value, _at(path, key))
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path or 'payload'}: expected a list, got {_short(actual)}"
        for item in expected:
            if all(missing(candidate, item) for candidate in actual):
                return f"{path or 'payload'}[]: no item matches {_short(item)}"
        return None
    if actual != expected:
        return f"{path or 'payload'}: expected {_short(expected)}, got {_short(actual)}"
    return None


def _field(name: str, expected: Any, observed: Mapping[str, Any]) -> str | None:
    payload = observed.get("payload")
    if name == "payload":
        found = differs(payload, as_strings(expected))
        return f"payload: {found}" if found else None
    if name == "payload_contains":
        found = missing(payload, as_strings(expected))
        return f"payload_contains: {found}" if found else None
    if name == "payload_lacks":
        if missing(payload, as_strings(expected)) is None:
            return f"payload_lacks: the payload has {_short(expected)}"
        return None
    got = observed.get(name)
    if name == "requests" and got is None:
        return "requests: the server's request log is not available"
    if got != expected or type(got) is not type(expected):
        return f"{name}: expected {_short(expected)}, got {_short(got)}"
    return None


def failures(expect: Expect, observed: Mapping[str, Any]) -> list[str]:
    """Every way ``observed`` misses ``expect`` (empty when it holds); ``expect`` must
    already be filled in (:meth:`Context.fill`)."""
    found = [f for name, value in expect.fields.items() if (f := _field(name, value, observed))]
    if expect.any_of:
        tried = [failures(alt, observed) for alt in expect.any_of]
        if all(tried):
            reasons = " | ".join("; ".join(t) for t in tried)
            found.append(f"none of the alternatives holds: {reasons}")
    return found


def filled(expect: Expect, context: Context, user: str) -> Expect:
    """``expect`` with its placeholders filled in for the acting ``user``."""
    fields = context.fill(dict(expect.fields), user)
    return Expect(fields, tuple(filled(alt, context, user) for alt in expect.any_of))
