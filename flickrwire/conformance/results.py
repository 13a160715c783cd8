"""What a conformance run found: per scenario x pair cells, per scenario agreement, and
the run as a whole. Plain data, JSON-ready; ``reports.py`` writes it out."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .model import Scenario

STATUSES = ("passed", "failed", "error", "skipped")


@dataclass(frozen=True, slots=True, order=True)
class Pair:
    transport: str
    codec: str

    @property
    def name(self) -> str:
        return f"{self.transport}/{self.codec}"

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP exchange, redacted: ``request`` and ``response`` as ``method``/``url``/
    ``status``, ``headers`` and ``body`` (text) or ``body_base64``; ``error`` when no
    response came."""

    request: Mapping[str, Any]
    response: Mapping[str, Any] | None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "request": dict(self.request),
            "response": None if self.response is None else dict(self.response),
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class Observation:
    """One call's outcome: ``Result.normalised()``, the fault message, the HTTP status."""

    result: Mapping[str, Any]
    message: str | None
    http_status: int | None

    @property
    def label(self) -> str:
        """``ok``, ``E<code>``, the HTTP status, or the fault's origin."""
        if self.result.get("ok"):
            return "ok"
        code = self.result.get("code")
        if code is not None:
            return f"E{code}"
        if self.result.get("origin") == "http" and self.http_status is not None:
            return str(self.http_status)
        return str(self.result.get("origin"))

    def to_json(self) -> dict[str, Any]:
        return {
            "result": dict(self.result),
            "message": self.message,
            "http_status": self.http_status,
        }


@dataclass(frozen=True, slots=True)
class CheckResult:
    title: str
    method: str
    observation: Observation
    failures: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "method": self.method,
            "passed": not self.failures,
            "failures": list(self.failures),
            **self.observation.to_json(),
        }


@dataclass(slots=True)
class Cell:
    """One scenario on one transport x codec pair."""

    scenario: str
    pair: Pair
    status: str
    reason: str | None = None
    failures: list[str] = field(default_factory=list)
    observation: Observation | None = None
    retries: int | None = None
    requests: int | None = None
    checks: list[CheckResult] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    duration: float = 0.0

    @property
    def label(self) -> str:
        if self.status == "skipped":
            return "skip"
        if self.observation is None:
            return "error"
        return self.observation.label

    @property
    def ran(self) -> bool:
        return self.observation is not None

    def signature(self, ignore: Iterable[str] = ()) -> str:
        """What must be the same on every pair: the normalised results (less the
        ``ignore`` paths) and the counts."""
        paths = [path.split(".") for path in ignore]
        obs = self.observation
        data = {
            "result": None if obs is None else _without(obs.result, paths),
            "checks": [_without(c.observation.result, paths) for c in self.checks],
            "retries": self.retries,
            "requests": self.requests,
        }
        return json.dumps(data, sort_keys=True)

    def to_json(self) -> dict[str, Any]:
        obs = self.observation
        return {
            "pair": self.pair.name,
            "transport": self.pair.transport,
            "codec": self.pair.codec,
            "status": self.status,
            "label": self.label,
            "reason": self.reason,
            "failures": list(self.failures),
            "result": None if obs is None else dict(obs.result),
            "message": None if obs is None else obs.message,
            "http_status": None if obs is None else obs.http_status,
            "retries": self.retries,
            "requests": self.requests,
            "checks": [c.to_json() for c in self.checks],
            "exchanges": [e.to_json() for e in self.exchanges],
            "duration_s": round(self.duration, 6),
        }


def _without(result: Mapping[str, Any], paths: list[list[str]]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(result))
    for parts in paths:
        node: Any = copy
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return copy


@dataclass(slots=True)
class ScenarioRun:
    scenario: Scenario
    cells: list[Cell] = field(default_factory=list)
    #: None when fewer than two pairs ran.
    agreed: bool | None = None

    @property
    def status(self) -> str:
        found = {cell.status for cell in self.cells}
        for status in ("error", "failed", "passed"):
            if status in found:
                return status
        return "skipped"


@dataclass(slots=True)
class RunResult:
    target: str
    base_url: str
    pairs: list[Pair]
    scenarios: list[ScenarioRun] = field(default_factory=list)
    started: float = 0.0
    duration: float = 0.0
    bailed: bool = False

    @property
    def cells(self) -> list[Cell]:
        return [cell for run in self.scenarios for cell in run.cells]

    def counts(self) -> dict[str, int]:
        found = Counter(cell.status for cell in self.cells)
        return {status: found.get(status, 0) for status in STATUSES}

    @property
    def ok(self) -> bool:
        """Nothing failed, nothing broke, and every scenario's pairs agreed."""
        counts = self.counts()
        return not counts["failed"] and not counts["error"]


def iso(seconds: float, *, zone: bool = True) -> str:
    """A Unix time as ISO 8601 UTC, to the second (``Z`` suffix unless ``zone=False``)."""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc).replace(microsecond=0)
    text = moment.isoformat().replace("+00:00", "")
    return text + "Z" if zone else text


def summary(result: RunResult) -> dict[str, Any]:
    counts = result.counts()
    return {
        "scenarios": len(result.scenarios),
        "cells": len(result.cells),
        **counts,
        "disagreements": sum(1 for run in result.scenarios if run.agreed is False),
    }
