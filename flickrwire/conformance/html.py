"""The conformance report as one self-contained HTML page: no scripts, no external assets.

The page shows the colour matrix (scenarios x pairs); each cell is a ``<details>`` that
opens to what was expected and found, the follow-up checks, and the bytes of every
request and response (already redacted by the runner).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from typing import Any

from .. import __version__
from .results import Cell, Exchange, RunResult, ScenarioRun, iso, summary

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
.verdict { font-weight: 600; padding: .4em .8em; display: inline-block; border-radius: 4px; }
.verdict.pass { background: #d3f5dc; color: #0b5d1e; }
.verdict.fail { background: #fbd5d5; color: #8a1010; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .1em 1em; }
dl.meta dt { color: #666; }
table.matrix { border-collapse: collapse; margin-top: 1em; }
.matrix th, .matrix td { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; }
.matrix thead th { background: #f2f2f2; position: sticky; top: 0; }
.matrix th[scope=row] { text-align: left; font-weight: normal; min-width: 18em; }
.matrix .id { font-family: ui-monospace, monospace; font-weight: 600; }
.matrix .tags, .matrix .agree { color: #666; font-size: .85em; }
.matrix .agree.no { color: #8a1010; font-weight: 600; }
td.passed { background: #d3f5dc; }
td.failed { background: #fbd5d5; }
td.error { background: #ffe0b2; }
td.skipped { background: #eeeeee; color: #555; }
td.na { color: #aaa; text-align: center; }
summary { cursor: pointer; font-family: ui-monospace, monospace; font-weight: 600; }
.detail { max-width: 70ch; }
.detail pre { background: #fff; border: 1px solid #ddd; padding: .4em; overflow: auto;
  max-height: 24em; white-space: pre-wrap; word-break: break-all; font-size: 12px; }
.detail h4 { margin: .6em 0 .2em; font-size: 1em; }
.detail ul { margin: .2em 0; padding-left: 1.2em; }
.failures li { color: #8a1010; }
"""


def _pre(text: str) -> str:
    return f"<pre>{escape(text)}</pre>"


def _headers(headers: Mapping[str, Any]) -> str:
    return "".join(f"{name}: {value}\n" for name, value in headers.items())


def _body(message: Mapping[str, Any]) -> str:
    if "body_base64" in message:
        return f"(binary body, base64)\n{message['body_base64']}"
    return str(message.get("body", ""))


def _exchange(index: int, exchange: Exchange) -> str:
    req = exchange.request
    head = f"{req.get('method', '')} {req.get('url', '')}\n"
    parts = [
        f"<h4>request {index}</h4>",
        _pre(head + _headers(req.get("headers", {})) + "\n" + _body(req)),
    ]
    res = exchange.response
    if res is not None:
        status = f"HTTP {res.get('status')}\n"
        parts += [
            f"<h4>response {index}</h4>",
            _pre(status + _headers(res.get("headers", {})) + "\n" + _body(res)),
        ]
    if exchange.error:
        parts += [f"<h4>no response {index}</h4>", _pre(exchange.error)]
    return "".join(parts)


def _list(items: list[str], cls: str) -> str:
    if not items:
        return ""
    return f'<ul class="{cls}">' + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"


def _detail(cell: Cell) -> str:
    parts = [f"<p>{escape(cell.status)} in {cell.duration * 1000:.1f} ms</p>"]
    if cell.reason:
        parts.append(f"<p>{escape(cell.reason)}</p>")
    parts.append(_list(cell.failures, "failures"))
    obs = cell.observation
    if obs is not None:
        found = {**obs.to_json(), "retries": cell.retries, "requests": cell.requests}
        parts += ["<h4>result</h4>", _pre(json.dumps(found, indent=2, ensure_ascii=False))]
    for check in cell.checks:
        verdict = "passed" if not check.failures else "failed"
        parts.append(
            f"<h4>check: {escape(check.title)} ({escape(check.observation.label)}, {verdict})</h4>"
        )
        parts.append(_list(list(check.failures), "failures"))
        parts.append(_pre(json.dumps(dict(check.observation.result), indent=2, ensure_ascii=False)))
    parts += [_exchange(i, e) for i, e in enumerate(cell.exchanges, 1)]
    return '<div class="detail">' + "".join(parts) + "</div>"


def _cell(cell: Cell | None) -> str:
    if cell is None:
        return '<td class="na" title="this scenario does not apply to this pair">—</td>'
    data = f'data-scenario="{escape(cell.scenario)}" data-pair="{escape(cell.pair.name)}"'
    summary = f"<summary>{escape(cell.label)}</summary>"
    return f'<td class="cell {cell.status}" {data}><details>{summary}{_detail(cell)}</details></td>'


def _row(run: ScenarioRun, pairs: list[str]) -> str:
    scenario = run.scenario
    by_pair = {cell.pair.name: cell for cell in run.cells}
    agree = {True: ("pairs agree", ""), False: ("pairs disagree", " no"), None: ("", "")}
    text, cls = agree[run.agreed]
    head = (
        f'<th scope="row"><span class="id">{escape(scenario.id)}</span>'
        f"<div>{escape(scenario.title)}</div>"
        f'<div class="tags">{escape(" ".join(scenario.tags))}</div>'
        f'<div class="agree{cls}">{text}</div></th>'
    )
    cells = "".join(_cell(by_pair.get(pair)) for pair in pairs)
    return f'<tr id="scenario-{escape(scenario.id)}">{head}{cells}</tr>'


def render_html(result: RunResult) -> str:
    """The whole page."""
    counts = summary(result)
    pairs = [pair.name for pair in result.pairs]
    verdict = (
        f'<p class="verdict pass">all {counts["cells"] - counts["skipped"]} cells run passed</p>'
        if result.ok
        else f'<p class="verdict fail">{counts["failed"]} failed, {counts["error"]} errors</p>'
    )
    meta = {
        "target": f"{result.target} ({result.base_url})",
        "started": iso(result.started),
        "duration": f"{result.duration:.2f} s",
        "cells": ", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "error", "skipped")),
        "disagreements": str(counts["disagreements"]),
        "flickrwire": __version__,
    }
    if result.bailed:
        meta["bailed"] = "yes: --bail stopped the run at the first failure"
    rows = "".join(_row(run, pairs) for run in result.scenarios)
    columns = "".join(f"<th>{escape(p)}</th>" for p in pairs)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>flickrwire conformance</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n<h1>flickrwire conformance</h1>\n"
        f'{verdict}\n<dl class="meta">'
        + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in meta.items())
        + "</dl>\n"
        f'<table class="matrix">\n<thead><tr><th>scenario</th>{columns}</tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody>\n</table>\n</body>\n</html>\n"
    )
