"""The ``flickrwire`` command: ``replay`` prints the outcome matrix and fails on a mismatch."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flickrwire.cli import app
from flickrwire.recording import replay as store

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIR = ROOT / "fixtures"
PAIRS = ("rest/json", "rest/xml", "xmlrpc/json", "xmlrpc/xml", "soap/json", "soap/xml")
ENV = {"COLUMNS": "220", "NO_COLOR": "1"}
runner = CliRunner()


def _row(output: str, case: str) -> list[str]:
    """The cells of the matrix row for ``case`` (case and kind columns first; the columns
    stand two or more spaces apart, a cell holds at most one space in a row)."""
    line = next(line for line in output.splitlines() if line.startswith(f"{case} "))
    return re.split(r"\s{2,}", line.strip())


def _copy(names: list[str], target: Path) -> list[Path]:
    copies = []
    for name in names:
        source = FIXTURE_DIR / name
        copies.append(target / source.name)
        shutil.copy(source, copies[-1])
    return copies


def test_replay_prints_the_matrix_and_the_summary() -> None:
    result = runner.invoke(app, ["replay", str(FIXTURE_DIR)], env=ENV)
    total = len(list(FIXTURE_DIR.rglob("*.json")))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = next(index for index, line in enumerate(lines) if line.startswith("case "))
    transports_line, codecs_line = lines[at - 1].split(), lines[at].split()[2:]
    assert [f"{t}/{c}" for t, c in zip(transports_line, codecs_line, strict=True)] == list(PAIRS)
    row = _row(result.output, "groups.leave/error-3")
    assert row == ["groups.leave/error-3", "documented", *["E3"] * 6]
    assert _row(result.output, "groups.leave/error-114")[2:] == ["·"] * 4 + ["E114"] * 2
    assert _row(result.output, "groups.leave/ok")[2:] == ["ok"] * 6
    sample = _row(result.output, "oauth-401-signature-invalid-debug-sbs")
    assert sample[1:] == ["real", "·", "E96", "·", "·", "·", "·"]
    assert f"{total} passed, 0 failed" in result.output.splitlines()


def test_replay_exits_1_and_names_the_fixture_whose_expected_was_tampered_with(
    tmp_path: Path,
) -> None:
    names = ["groups.leave/soap-xml/error-2.json", "groups.leave/rest-json/error-3.json"]
    good, bad = _copy(names, tmp_path)
    data = json.loads(bad.read_text(encoding="utf-8"))
    data["expected"]["code"] = 4
    bad.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["replay", str(tmp_path)], env=ENV)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "1 passed, 1 failed" in lines
    assert any(line.startswith(f"FAIL {bad.name}: code: expected 4, got 3") for line in lines), (
        result.output
    )
    assert _row(result.output, "groups.leave/error-3")[2] == "E3"  # what decoding gave
    assert good.exists()


def test_replay_counts_an_unreadable_fixture_as_failed(tmp_path: Path) -> None:
    _copy(["groups.leave/rest-xml/ok.json"], tmp_path)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["replay", str(tmp_path)], env=ENV)
    assert result.exit_code == 1
    assert "1 passed, 1 failed" in result.output.splitlines()
    assert "broken.json" in result.output


def test_replay_writes_the_matrix_as_json(tmp_path: Path) -> None:
    target = tmp_path / "matrix.json"
    result = runner.invoke(app, ["replay", str(FIXTURE_DIR), "--json", str(target)], env=ENV)
    assert result.exit_code == 0, result.output
    assert f"JSON report written to {target}" in result.output.splitlines()
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["pairs"] == list(PAIRS)
    assert (report["passed"], report["failed"]) == (len(list(FIXTURE_DIR.rglob("*.json"))), 0)
    rows = {row["case"]: row["cells"] for row in report["rows"]}
    cell = rows["groups.leave/error-115"]["xmlrpc/json"][0]
    assert (cell["outcome"], cell["passed"], cell["kind"]) == ("E115", True, "documented")
    assert cell["fixture"] == str(Path("groups.leave", "xmlrpc-json", "error-115.json"))
    assert set(rows["groups.leave/error-115"]) == {"xmlrpc/json", "xmlrpc/xml"}


def test_replay_reads_fixtures_from_the_current_folder_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["replay"], env=ENV)
    assert result.exit_code == 0, result.output
    assert "groups.leave/error-116" in result.output


def test_replay_of_an_empty_folder_fails(tmp_path: Path) -> None:
    result = runner.invoke(app, ["replay", str(tmp_path)], env=ENV)
    assert result.exit_code == 1
    assert "no fixtures found" in result.output


def test_replay_is_a_subcommand_of_the_app() -> None:
    result = runner.invoke(app, ["--help"], env=ENV)
    assert result.exit_code == 0
    assert "replay" in result.output


def test_replay_shows_a_decoder_crash_as_a_failed_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy(["groups.leave/rest-xml/error-2.json"], tmp_path)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("decoder bug")

    monkeypatch.setattr(store, "decode", broken)
    result = runner.invoke(app, ["replay", str(tmp_path)], env=ENV)
    assert result.exit_code == 1
    assert _row(result.output, "groups.leave/error-2")[3] == "crash"
    assert "0 passed, 1 failed" in result.output.splitlines()
    assert "decoder bug" in result.output
