"""Fault rules and the plan that picks at most one of them per request: parsing and
validation of the JSON form, counters, and seeded random decisions.

The JSON shape and the meaning of every action are documented in ``faults.py``.
"""

from __future__ import annotations

import fnmatch
import itertools
import json
import math
import random
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

SOCKET_ACTIONS = frozenset({"empty", "garbage", "random", "reset", "truncate", "hang"})
RESPONSE_ACTIONS = frozenset({"error", "oauth_problem", "http_error", "raw"})
WRAP_ACTIONS = frozenset({"content_type", "delay", "dribble"})
ACTIONS = SOCKET_ACTIONS | RESPONSE_ACTIONS | WRAP_ACTIONS
DISTRIBUTIONS = ("fixed", "uniform", "lognormal")

#: The private response header that tells a front end to enact a socket fault.
SOCKET_FAULT_HEADER = "x-flickrwire-socket-fault"
#: The status of a socket-fault response; front ends look for this status line.
SOCKET_FAULT_STATUS = 599
#: Proves that a socket-fault header came from this process's middleware, so that a body
#: that happens to contain the marker text is never taken for one.
SOCKET_FAULT_TOKEN = secrets.token_hex(8)

_REQUIRED = object()
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_NUMBER = (int, float)
_PROCESS: dict[str, tuple[type | tuple[type, ...], Any]] = {"process": (bool, False)}
_NOISE = {**_PROCESS, "bytes": (int, 64)}
_PARAMS: dict[str, dict[str, tuple[type | tuple[type, ...], Any]]] = {
    "error": {"code": (int, _REQUIRED), "message": (str, None), "status": (int, 200)},
    "oauth_problem": {
        "problem": (str, "signature_invalid"),
        "status": (int, 401),
        "debug_sbs": (bool, True),
    },
    "http_error": {"status": (int, 502), "title": (str, None)},
    "raw": {
        "body": (str, _REQUIRED),
        "content_type": (str, "text/xml; charset=utf-8"),
        "status": (int, 200),
    },
    "content_type": {"content_type": (str, "text/html; charset=utf-8")},
    "delay": {
        "distribution": (str, "fixed"),
        "seconds": (_NUMBER, 1.0),
        "low": (_NUMBER, 0.0),
        "high": (_NUMBER, 1.0),
        "median": (_NUMBER, 0.5),
        "sigma": (_NUMBER, 0.5),
        "cap": (_NUMBER, 30.0),
    },
    "dribble": {"chunks": (int, 4), "seconds": (_NUMBER, 1.0)},
    "truncate": {"bytes": (int, 10)},
    **{action: _PROCESS for action in ("empty", "reset", "hang")},
    **{action: _NOISE for action in ("garbage", "random")},
}
_RULE_FIELDS = frozenset(
    {"id", "method", "transport", "action", "params", "probability", "count", "after"}
)


def _check(name: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    # bool is an int in Python but not in JSON: keep the two apart.
    if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
        raise ValueError(f"fault rule field {name!r} has the wrong type: {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class FaultRule:
    """One fault and when it applies. ``params`` holds every action parameter."""

    action: str
    method: str = "*"
    transport: str = "*"
    params: Mapping[str, Any] = field(default_factory=dict)
    probability: float = 1.0
    count: int | None = None
    after: int = 0
    id: str = ""

    def __post_init__(self) -> None:
        for name in ("action", "method", "transport", "id"):
            _check(name, getattr(self, name), str)
        if self.action not in ACTIONS:
            raise ValueError(f"unknown fault action {self.action!r}; known: {sorted(ACTIONS)}")
        if self.id and not _ID.match(self.id):
            raise ValueError(f"fault rule field 'id' must match {_ID.pattern}: {self.id!r}")
        _check("probability", self.probability, _NUMBER)
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"fault rule field 'probability' must be in 0..1: {self.probability}")
        if self.count is not None and _check("count", self.count, int) < 0:
            raise ValueError(f"fault rule field 'count' must be >= 0: {self.count}")
        if _check("after", self.after, int) < 0:
            raise ValueError(f"fault rule field 'after' must be >= 0: {self.after}")
        params = MappingProxyType(_full_params(self.action, self.params))
        object.__setattr__(self, "params", params)

    def __hash__(self) -> int:
        return hash((self.id, self.action, self.method, tuple(sorted(self.params.items()))))

    @classmethod
    def from_json(cls, obj: Any) -> FaultRule:
        """A rule from its JSON object; ``ValueError`` names the bad field."""
        if not isinstance(obj, Mapping):
            raise ValueError(f"a fault rule must be a JSON object, not {type(obj).__name__}")
        unknown = set(obj) - _RULE_FIELDS
        if unknown:
            raise ValueError(f"unknown fault rule field(s): {', '.join(sorted(unknown))}")
        if "action" not in obj:
            raise ValueError("fault rule field 'action' is required")
        params = obj.get("params", {})
        if not isinstance(params, Mapping):
            raise ValueError("fault rule field 'params' must be an object")
        values = {k: v for k, v in obj.items() if k != "params"}
        return cls(params=dict(params), **values)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "transport": self.transport,
            "action": self.action,
            "params": dict(self.params),
            "probability": self.probability,
            "count": self.count,
            "after": self.after,
        }

    def matches(self, method: str, transport: str) -> bool:
        """Whether the rule applies to a request (``transport`` ``""``: not an endpoint)."""
        if not _transport_matches(self, transport):
            return False
        return self.method == "*" or fnmatch.fnmatchcase(method, self.method)


def _full_params(action: str, given: Mapping[str, Any]) -> dict[str, Any]:
    table = _PARAMS[action]
    unknown = set(given) - set(table)
    if unknown:
        raise ValueError(f"unknown parameter(s) for action {action!r}: {sorted(unknown)}")
    out: dict[str, Any] = {}
    for name, (kind, default) in table.items():
        if name in given and given[name] is not None:
            out[name] = _check(f"params.{name}", given[name], kind)
        elif default is _REQUIRED:
            raise ValueError(f"action {action!r} requires parameter {name!r}")
        else:
            out[name] = default
    if action == "delay" and out["distribution"] not in DISTRIBUTIONS:
        raise ValueError(f"params.distribution must be one of {DISTRIBUTIONS}")
    if action == "raw" and not 100 <= out["status"] <= 599:
        raise ValueError("params.status must be an HTTP status (100..599)")
    if action == "dribble" and out["chunks"] < 1:
        raise ValueError("params.chunks must be at least 1")
    for name in ("seconds", "low", "high", "median", "sigma", "cap", "bytes"):
        if name in out and out[name] < 0:
            raise ValueError(f"params.{name} must not be negative")
    return out


class _Slot:
    """A rule with its counters and its own random stream."""

    __slots__ = ("fired", "rng", "rule", "seen")

    def __init__(self, rule: FaultRule, seed: int | str | None) -> None:
        self.rule = rule
        self.seen = 0
        self.fired = 0
        self.rng = random.Random(f"{seed}:{rule.id}") if seed is not None else random.Random()


class FaultPlan:
    """The rules in force; thread-safe. ``seed`` makes random decisions repeat."""

    def __init__(self, seed: int | str | None = None, rules: Iterable[Any] = ()) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._slots: list[_Slot] = []
        self._ids = itertools.count(1)
        self.extend(rules)

    @classmethod
    def from_json(cls, obj: Any) -> FaultPlan:
        """A plan from a JSON list of rules or ``{"seed": ..., "rules": [...]}``."""
        if isinstance(obj, list):
            return cls(None, obj)
        if not isinstance(obj, Mapping) or set(obj) - {"seed", "rules"}:
            raise ValueError('a fault plan is a list of rules or {"seed": ..., "rules": [...]}')
        seed = obj.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, str))):
            raise ValueError(f"fault plan 'seed' must be an integer or a string: {seed!r}")
        rules = obj.get("rules", [])
        if not isinstance(rules, list):
            raise ValueError("fault plan 'rules' must be a list")
        return cls(seed, rules)

    @classmethod
    def from_file(cls, path: str | Path) -> FaultPlan:
        text = Path(path).read_text(encoding="utf-8")
        try:
            obj = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from exc
        return cls.from_json(obj)

    def to_json(self) -> dict[str, Any]:
        return {"seed": self.seed, "rules": self.describe()}

    @property
    def empty(self) -> bool:
        return not self._slots

    def add(self, rule: FaultRule | Mapping[str, Any]) -> FaultRule:
        """Append a rule (a :class:`FaultRule` or its JSON); returns it with its id."""
        return self.extend([rule])[0]

    def extend(self, rules: Iterable[Any]) -> list[FaultRule]:
        """Append several rules at once: all are added, or none if one is invalid."""
        with self._lock:
            taken = {slot.rule.id for slot in self._slots}
            added: list[FaultRule] = []
            for item in rules:
                rule = item if isinstance(item, FaultRule) else FaultRule.from_json(item)
                if not rule.id:
                    rule = _with_id(rule, self._fresh_id(taken))
                if rule.id in taken:
                    raise ValueError(f"a fault rule with id {rule.id!r} already exists")
                taken.add(rule.id)
                added.append(rule)
            self._slots = self._slots + [_Slot(rule, self.seed) for rule in added]
        return added

    def _fresh_id(self, taken: set[str]) -> str:
        while True:
            candidate = f"r{next(self._ids)}"
            if candidate not in taken:
                return candidate

    def replace(self, rules: Iterable[Any], seed: int | str | None = None) -> list[FaultRule]:
        """Set the rules (and the seed, when given), dropping the old ones and counters."""
        staged = FaultPlan(seed if seed is not None else self.seed, rules)
        with self._lock:
            self.seed = staged.seed
            self._slots = staged._slots
        return self.rules()

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            kept = [slot for slot in self._slots if slot.rule.id != rule_id]
            found = len(kept) != len(self._slots)
            self._slots = kept
        return found

    def clear(self) -> None:
        with self._lock:
            self._slots = []

    def rules(self) -> list[FaultRule]:
        return [slot.rule for slot in self._slots]

    def describe(self) -> list[dict[str, Any]]:
        """Every rule as JSON, with how often it matched (``seen``) and ``fired``."""
        with self._lock:
            return [
                {**slot.rule.to_json(), "seen": slot.seen, "fired": slot.fired}
                for slot in self._slots
            ]

    def targets(self, transport: str) -> bool:
        """Whether any rule could apply to a request on ``transport``."""
        return any(_transport_matches(slot.rule, transport) for slot in self._slots)

    def needs_method(self, transport: str) -> bool:
        """Whether choosing a rule for ``transport`` needs the request's method name."""
        return any(
            slot.rule.method != "*" and _transport_matches(slot.rule, transport)
            for slot in self._slots
        )

    def decide(self, method: str, transport: str) -> FaultRule | None:
        """The rule that fires for this request, if any; updates the counters."""
        with self._lock:
            for slot in self._slots:
                rule = slot.rule
                if not rule.matches(method, transport):
                    continue
                if rule.count is not None and slot.fired >= rule.count:
                    continue
                slot.seen += 1
                if slot.seen <= rule.after:
                    continue
                if rule.probability < 1.0 and slot.rng.random() >= rule.probability:
                    continue
                slot.fired += 1
                return rule
        return None

    def delay_for(self, rule: FaultRule) -> float:
        """A delay in seconds drawn from the rule's distribution and random stream."""
        p = rule.params
        with self._lock:
            rng = self._rng(rule)
            if p["distribution"] == "uniform":
                return float(rng.uniform(p["low"], p["high"]))
            if p["distribution"] == "lognormal":
                if p["median"] <= 0:
                    return 0.0
                return float(min(p["cap"], rng.lognormvariate(math.log(p["median"]), p["sigma"])))
        return float(p["seconds"])

    def noise_for(self, rule: FaultRule, size: int) -> bytes:
        """``size`` random bytes from the rule's stream (garbage and random faults)."""
        with self._lock:
            return self._rng(rule).randbytes(size)

    def _rng(self, rule: FaultRule) -> random.Random:
        slot = next((s for s in self._slots if s.rule is rule), None)
        return slot.rng if slot is not None else random.Random(f"{self.seed}:{rule.id}")


def _transport_matches(rule: FaultRule, transport: str) -> bool:
    # "*" is any API endpoint: neither the OAuth endpoints nor paths the emulator lacks.
    if rule.transport == "*":
        return transport not in ("", "oauth")
    return rule.transport == transport


def _with_id(rule: FaultRule, rule_id: str) -> FaultRule:
    return FaultRule(
        rule.action,
        rule.method,
        rule.transport,
        rule.params,
        rule.probability,
        rule.count,
        rule.after,
        rule_id,
    )


# -- the socket-fault signal between the middleware and the front ends --------------------


class SocketFault(NamedTuple):
    """A socket fault as a front end reads it from the private header."""

    action: str
    status: int  # the method's status (truncate), else 200
    size: int  # truncate: body bytes to send


def socket_fault_value(action: str, status: int = 200, size: int = 0) -> bytes:
    return f"{SOCKET_FAULT_TOKEN} {action} {status} {size}".encode("ascii")


def parse_socket_fault(value: bytes | str | None) -> SocketFault | None:
    """The fault named by a header value, or None if the value is not ours."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    parts = text.split()
    if len(parts) != 4 or parts[0] != SOCKET_FAULT_TOKEN or parts[1] not in SOCKET_ACTIONS:
        return None
    if not (parts[2].isdigit() and parts[3].isdigit()):
        return None
    return SocketFault(parts[1], int(parts[2]), int(parts[3]))
