"""Conformance scenarios as data: reading them from JSON files, and choosing some.

The built-in scenarios live in ``scenarios.json`` next to this module; users add their own
in the same format (``flickrwire conformance --scenario-file FILE``), no Python needed.
The format is documented in ``docs/conformance.md`` ("Scenario files"); every error names the file
and the path of the bad field.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .model import (
    AUTH_KINDS,
    CODECS,
    REQUIREMENTS,
    TRANSPORTS,
    CallSpec,
    Check,
    Expect,
    Member,
    RawBody,
    Scenario,
    ScenarioError,
    Setup,
    derived_requirements,
)
from .reading import Reader, read_call, read_check, read_expect, read_setup

__all__ = [
    "AUTH_KINDS",
    "BUILTIN_FILE",
    "CODECS",
    "FORMAT",
    "REQUIREMENTS",
    "TRANSPORTS",
    "CallSpec",
    "Check",
    "Expect",
    "Member",
    "RawBody",
    "Scenario",
    "ScenarioError",
    "Setup",
    "builtin",
    "load_all",
    "load_file",
    "parse",
    "select",
]

FORMAT = "flickrwire-scenarios/1"
BUILTIN_FILE = Path(__file__).with_name("scenarios.json")
_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,79}$")
_PATH = re.compile(r"^[A-Za-z_]\w*(\.[\w@-]+)*$")


def read_scenario(data: Any, where: str, source: str) -> Scenario:
    known = (
        "id",
        "title",
        "tags",
        "transports",
        "codecs",
        "requires",
        "writes",
        "setup",
        "call",
        "retry",
        "expect",
        "checks",
        "ignore",
    )
    reader = Reader(data, where, known)
    scenario_id = reader.text("id")
    if not _ID.match(scenario_id):
        raise ScenarioError(
            f"{reader.at('id')}: {scenario_id!r} is not a valid id (letters, "
            "digits, '.', '_', '-'; at most 80)"
        )
    tags = reader.get("tags", list, [])
    if not all(isinstance(t, str) and t and "," not in t for t in tags):
        raise ScenarioError(f"{reader.at('tags')}: tags are non-empty strings without commas")
    retry = reader.get("retry", (dict, type(None)), None)
    attempts = None
    if retry is not None:
        attempts = Reader(retry, reader.at("retry"), ("attempts",)).get("attempts", int)
        if attempts < 1:
            raise ScenarioError(f"{reader.at('retry')}.attempts: must be at least 1")
    checks = reader.get("checks", list, [])
    ignore = reader.get("ignore", list, [])
    for index, path in enumerate(ignore):
        if not isinstance(path, str) or not _PATH.match(path):
            raise ScenarioError(
                f"{reader.at('ignore')}[{index}]: expected a dotted path such as "
                f"'payload.format', got {path!r}"
            )
    scenario = Scenario(
        id=scenario_id,
        title=reader.text("title", scenario_id),
        call=read_call(reader.get("call", dict), reader.at("call")),
        expect=read_expect(reader.get("expect", dict), reader.at("expect"), main=True),
        tags=tuple(tags),
        transports=reader.choices("transports", TRANSPORTS, TRANSPORTS),
        codecs=reader.choices("codecs", CODECS, CODECS),
        setup=read_setup(reader.data.get("setup", {}), reader.at("setup")),
        checks=tuple(read_check(c, f"{reader.at('checks')}[{i}]") for i, c in enumerate(checks)),
        retry_attempts=attempts,
        requires=frozenset(reader.choices("requires", REQUIREMENTS, ())),
        ignore=tuple(ignore),
        source=source,
    )
    writes = reader.get("writes", (bool, type(None)), None)
    return _with_requirements(scenario, derived_requirements(scenario, writes))


def _with_requirements(scenario: Scenario, needs: frozenset[str]) -> Scenario:
    return dataclasses.replace(scenario, requires=needs)


def parse(data: Any, source: str) -> list[Scenario]:
    """Scenarios from a decoded JSON document (an object with ``scenarios``, or a list)."""
    if isinstance(data, Mapping):
        reader = Reader(data, source, ("format", "scenarios"))
        fmt = reader.get("format", str, FORMAT)
        if fmt != FORMAT:
            raise ScenarioError(f"{source}.format: {fmt!r} is not {FORMAT!r}")
        items = reader.get("scenarios", list)
    elif isinstance(data, list):
        items = data
    else:
        raise ScenarioError(f"{source}: expected an object with 'scenarios' or a list")
    found = [
        read_scenario(item, f"{source}: scenarios[{i}]", source) for i, item in enumerate(items)
    ]
    _unique(found, source)
    return found


def _unique(found: Sequence[Scenario], source: str) -> None:
    seen: dict[str, str] = {}
    for scenario in found:
        if scenario.id in seen:
            raise ScenarioError(
                f"{source}: scenario id {scenario.id!r} is used twice ({seen[scenario.id]} "
                f"and {scenario.source}); ids must be unique"
            )
        seen[scenario.id] = scenario.source


def load_file(path: str | Path) -> list[Scenario]:
    """Read and check a scenario file; :class:`ScenarioError` names the bad field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ScenarioError(f"{path}: not valid JSON ({exc})") from None
    return parse(data, str(path))


def builtin() -> list[Scenario]:
    """The scenarios shipped with flickrwire."""
    return load_file(BUILTIN_FILE)


def load_all(files: Iterable[str | Path] = (), *, include_builtin: bool = True) -> list[Scenario]:
    """The built-in scenarios (unless told otherwise) followed by those of ``files``."""
    found = builtin() if include_builtin else []
    for path in files:
        found.extend(load_file(path))
    _unique(found, "scenarios")
    return found


def select(
    scenarios: Iterable[Scenario],
    ids: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> list[Scenario]:
    """Scenarios whose id matches one of ``ids`` (globs allowed) and which carry one of
    ``tags`` (a tag written ``-name`` excludes); empty filters keep everything. A pattern
    that matches nothing is an error, so that a typo does not pass as an empty run."""
    chosen = list(scenarios)
    for pattern in ids:
        if not any(fnmatch.fnmatchcase(s.id, pattern) for s in chosen):
            raise ScenarioError(f"--scenarios: no scenario matches {pattern!r}")
    if ids:
        chosen = [s for s in chosen if any(fnmatch.fnmatchcase(s.id, p) for p in ids)]
    wanted = {t for t in tags if not t.startswith("-")}
    unwanted = {t[1:] for t in tags if t.startswith("-")}
    if wanted:
        chosen = [s for s in chosen if wanted & set(s.tags)]
    if unwanted:
        chosen = [s for s in chosen if not unwanted & set(s.tags)]
    return chosen
