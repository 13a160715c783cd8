"""The JSON report's documented schema (docs/conformance.md, "Reports"), as a test checker."""

from __future__ import annotations

from typing import Any

STATUSES = {"passed", "failed", "error", "skipped"}
NORMALISED = {"method", "ok", "payload", "code", "origin", "retryable"}


def _is(value: Any, *kinds: type) -> bool:
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, kinds)


def _keys(data: Any, keys: set[str], where: str) -> None:
    assert isinstance(data, dict), f"{where}: not an object"
    assert set(data) == keys, f"{where}: keys {sorted(data)} != {sorted(keys)}"


def _message(data: Any, head: set[str], where: str) -> None:
    body = {"body"} if "body" in data else {"body_base64"}
    _keys(data, head | {"headers"} | body, where)
    assert all(_is(k, str) and _is(v, str) for k, v in data["headers"].items()), where
    assert _is(data[next(iter(body))], str), where


def _result(data: Any, where: str) -> None:
    _keys(data, NORMALISED, where)
    assert _is(data["method"], str) and _is(data["ok"], bool), where
    assert _is(data["payload"], dict), where
    assert data["code"] is None or _is(data["code"], int), where
    assert data["origin"] is None or _is(data["origin"], str), where
    assert data["retryable"] is None or _is(data["retryable"], bool), where


def _cell(cell: Any, pairs: list[str], where: str) -> None:
    _keys(
        cell,
        {
            "pair", "transport", "codec", "status", "label", "reason", "failures", "result",
            "message", "http_status", "retries", "requests", "checks", "exchanges",
            "duration_s",
        },
        where,
    )  # fmt: skip
    assert cell["pair"] in pairs and cell["pair"] == f"{cell['transport']}/{cell['codec']}"
    assert cell["status"] in STATUSES and _is(cell["label"], str), where
    assert cell["reason"] is None or _is(cell["reason"], str), where
    assert all(_is(f, str) for f in cell["failures"]), where
    if cell["result"] is not None:
        _result(cell["result"], f"{where}.result")
    assert cell["message"] is None or _is(cell["message"], str), where
    for name in ("http_status", "retries", "requests"):
        assert cell[name] is None or _is(cell[name], int), f"{where}.{name}"
    for i, check in enumerate(cell["checks"]):
        _keys(check, {"title", "method", "passed", "failures", "result", "message",
                      "http_status"}, f"{where}.checks[{i}]")  # fmt: skip
        _result(check["result"], f"{where}.checks[{i}].result")
        assert _is(check["passed"], bool) and check["passed"] == (not check["failures"])
    for i, exchange in enumerate(cell["exchanges"]):
        _keys(exchange, {"request", "response", "error"}, f"{where}.exchanges[{i}]")
        _message(exchange["request"], {"method", "url"}, f"{where}.exchanges[{i}].request")
        if exchange["response"] is not None:
            _message(exchange["response"], {"status"}, f"{where}.exchanges[{i}].response")
            assert _is(exchange["response"]["status"], int)
        assert exchange["error"] is None or _is(exchange["error"], str)
    assert _is(cell["duration_s"], int, float), where
    if cell["status"] == "skipped":
        assert cell["reason"], f"{where}: a skipped cell gives its reason"


def validate_report(data: Any) -> None:
    """Assert that ``data`` follows ``flickrwire-conformance-report/1``."""
    _keys(
        data,
        {"format", "flickrwire", "python", "started", "duration_s", "target", "pairs", "ok",
         "bailed", "summary", "scenarios"},
        "report",
    )  # fmt: skip
    assert data["format"] == "flickrwire-conformance-report/1"
    assert _is(data["started"], str) and data["started"].endswith("Z")
    assert _is(data["duration_s"], int, float)
    _keys(data["target"], {"kind", "base_url"}, "target")
    assert data["target"]["kind"] in {"embedded", "emulator", "server"}
    assert all(_is(p, str) for p in data["pairs"])
    assert _is(data["ok"], bool) and _is(data["bailed"], bool)
    summary = data["summary"]
    _keys(summary, {"scenarios", "cells", *STATUSES, "disagreements"}, "summary")
    cells = [c for s in data["scenarios"] for c in s["cells"]]
    assert summary["cells"] == len(cells) and summary["scenarios"] == len(data["scenarios"])
    for status in STATUSES:
        assert summary[status] == sum(c["status"] == status for c in cells), status
    assert data["ok"] == (summary["failed"] == 0 and summary["error"] == 0)
    for i, scenario in enumerate(data["scenarios"]):
        where = f"scenarios[{i}]"
        _keys(scenario, {"id", "title", "tags", "requires", "source", "status", "agreed",
                         "cells"}, where)  # fmt: skip
        assert scenario["status"] in STATUSES
        assert scenario["agreed"] in (True, False, None)
        for j, cell in enumerate(scenario["cells"]):
            _cell(cell, data["pairs"], f"{where}.cells[{j}]")
