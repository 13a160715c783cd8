"""Conformance reports: JSON (a stable schema, ``docs/conformance.md``), JUnit XML for CI systems,
and a self-contained HTML page (``html.py``).

Every report is built from a :class:`~.results.RunResult` only, and a run result holds
nothing secret: the runner redacted each exchange, message and payload as it came.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from .. import __version__
from .html import render_html
from .results import Cell, RunResult, ScenarioRun, iso, summary

FORMAT = "flickrwire-conformance-report/1"

__all__ = ["FORMAT", "render_html", "to_json", "to_junit", "write"]


def _scenario(run: ScenarioRun) -> dict[str, Any]:
    scenario = run.scenario
    return {
        "id": scenario.id,
        "title": scenario.title,
        "tags": list(scenario.tags),
        "requires": sorted(scenario.requires),
        "source": scenario.source,
        "status": run.status,
        "agreed": run.agreed,
        "cells": [cell.to_json() for cell in run.cells],
    }


def to_json(result: RunResult) -> dict[str, Any]:
    """The report as a JSON-ready object (schema ``flickrwire-conformance-report/1``)."""
    return {
        "format": FORMAT,
        "flickrwire": __version__,
        "python": platform.python_version(),
        "started": iso(result.started),
        "duration_s": round(result.duration, 3),
        "target": {"kind": result.target, "base_url": result.base_url},
        "pairs": [pair.name for pair in result.pairs],
        "ok": result.ok,
        "bailed": result.bailed,
        "summary": summary(result),
        "scenarios": [_scenario(run) for run in result.scenarios],
    }


# -- JUnit XML ----------------------------------------------------------------------------


def _failure_text(cell: Cell) -> str:
    lines = list(cell.failures)
    if cell.observation is not None:
        lines.append("result: " + json.dumps(dict(cell.observation.result), sort_keys=True))
        if cell.observation.message:
            lines.append(f"message: {cell.observation.message}")
    return "\n".join(lines)


def _testcase(parent: ElementTree.Element, cell: Cell) -> None:
    case = ElementTree.SubElement(
        parent,
        "testcase",
        name=cell.pair.name,
        classname=f"flickrwire.conformance.{cell.scenario}",
        time=f"{cell.duration:.6f}",
    )
    if cell.status == "failed":
        first = cell.failures[0] if cell.failures else "failed"
        node = ElementTree.SubElement(case, "failure", message=first, type="ConformanceFailure")
        node.text = _failure_text(cell)
    elif cell.status == "error":
        node = ElementTree.SubElement(
            case, "error", message=cell.reason or "error", type="ConformanceError"
        )
        node.text = cell.reason or ""
    elif cell.status == "skipped":
        ElementTree.SubElement(case, "skipped", message=cell.reason or "skipped")
    if cell.observation is not None:
        out = ElementTree.SubElement(case, "system-out")
        out.text = f"outcome: {cell.label}"


def _counts(cells: list[Cell], duration: float) -> dict[str, str]:
    return {
        "tests": str(len(cells)),
        "failures": str(sum(c.status == "failed" for c in cells)),
        "errors": str(sum(c.status == "error" for c in cells)),
        "skipped": str(sum(c.status == "skipped" for c in cells)),
        "time": f"{duration:.6f}",
    }


def to_junit(result: RunResult) -> bytes:
    """JUnit XML: ``<testsuites>`` with one ``<testsuite>`` per scenario and one
    ``<testcase>`` per scenario x pair (``failure``, ``error`` or ``skipped`` children)."""
    root = ElementTree.Element(
        "testsuites",
        {"name": "flickrwire conformance", **_counts(result.cells, result.duration)},
    )
    for run in result.scenarios:
        cells = run.cells
        attributes = {
            "name": f"flickrwire.conformance.{run.scenario.id}",
            **_counts(cells, sum(c.duration for c in cells)),
            "timestamp": iso(result.started, zone=False),
            "hostname": "localhost",
        }
        suite = ElementTree.SubElement(root, "testsuite", attributes)
        props = ElementTree.SubElement(suite, "properties")
        for name, value in (
            ("title", run.scenario.title),
            ("tags", ",".join(run.scenario.tags)),
            ("target", result.target),
            ("base_url", result.base_url),
            ("agreed", "n/a" if run.agreed is None else str(run.agreed).lower()),
        ):
            ElementTree.SubElement(props, "property", name=name, value=value)
        for cell in cells:
            _testcase(suite, cell)
    ElementTree.indent(root)
    text: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return text + b"\n"


def write(
    result: RunResult,
    *,
    json_file: Path | None = None,
    junit_file: Path | None = None,
    html_file: Path | None = None,
) -> list[tuple[str, Path]]:
    """Write the reports asked for (folders are created); return (kind, path) of each."""
    writers: list[tuple[str, Path | None, Callable[[RunResult], bytes]]] = [
        ("JSON", json_file, json_bytes),
        ("JUnit", junit_file, to_junit),
        ("HTML", html_file, lambda run: render_html(run).encode("utf-8")),
    ]
    written = []
    for kind, path, render in writers:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(render(result))
            written.append((kind, path))
    return written


def json_bytes(result: RunResult) -> bytes:
    return (json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
