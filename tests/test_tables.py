"""The ``replay``, ``record`` and ``diff`` tables keep every name whole and readable: at
80 columns (a pipe, a CI log) a long name breaks only after one of its separators, and
at 110 columns none of today's names breaks at all."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from flickrwire.cli import app
from flickrwire.commands.tables import MIN_NAME_WIDTH, Column, break_name, fitted
from flickrwire.recording import replay as store

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIR = ROOT / "fixtures"
CASES = sorted({fixture.case for fixture in store.load_dir(FIXTURE_DIR)})
SEPARATORS = "-/.@=,&() "
SUMMARY = re.compile(r"^\d+ (passed|recorded|same)")
GROUP = "30000001@N01"
CALL = f"flickr.groups.leave(group_id={GROUP})"
runner = CliRunner()


def _invoke(args: list[str], width: int) -> str:
    """The command's output through CliRunner: stdout is not a terminal, so rich takes
    its width from COLUMNS, as in a CI log."""
    result = runner.invoke(app, args, env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert result.exit_code in (0, 1), result.output
    return result.output


def column_cells(output: str, header: str, key: str) -> list[list[str]]:
    """The lines of each row's cell in the column headed ``header``; a row starts on
    the line where the (one-line) column ``key`` has text."""
    lines = output.splitlines()
    at = next(i for i, line in enumerate(lines) if re.search(rf"(^| ){key}( |$)", line))
    head = lines[at]
    starts = [0, *(m.start() for m in re.finditer(r"(?<=  )\S", head)), len(head) + 999]

    def span(name: str) -> tuple[int, int]:
        begin = head.index(name)
        return begin, next(p for p in starts if p > begin)

    (start, end), (key_start, key_end) = span(header), span(key)
    rows: list[list[str]] = []
    for line in lines[at + 2 :]:
        if not line.strip() or SUMMARY.match(line):
            break
        text = line[start:end].strip()
        if line[key_start:key_end].strip():
            rows.append([text])
        elif text:
            rows[-1].append(text)
    return rows


def assert_whole(rows: list[list[str]], width: int) -> list[str]:
    """Each row's lines join into its name, broken only after a separator; the names."""
    for lines in rows:
        for line in lines[:-1]:
            joined = "".join(lines)
            assert line[-1] in SEPARATORS or joined[len(line)] == " ", (lines, "mid-word")
    assert all(cell_len(line) <= width for lines in rows for line in lines)
    return [" ".join(lines) if lines[0].endswith(",") else "".join(lines) for lines in rows]


def test_replay_piped_at_80_columns_keeps_every_case_name() -> None:
    output = _invoke(["replay", str(FIXTURE_DIR)], 80)
    assert all(cell_len(line) <= 80 for line in output.splitlines())
    rows = column_cells(output, "case", "kind")
    assert sorted(assert_whole(rows, 80)) == CASES
    assert any(len(lines) > 1 for lines in rows)  # the long sample names did break
    outcomes = [line.split()[-6:] for line in output.splitlines() if line.startswith("groups.")]
    assert outcomes and all(len(cells) == 6 for cells in outcomes)


def test_replay_at_110_columns_breaks_no_name() -> None:
    output = _invoke(["replay", str(FIXTURE_DIR)], 110)
    rows = column_cells(output, "case", "kind")
    assert [lines for lines in rows if len(lines) > 1] == []
    assert sorted(lines[0] for lines in rows) == CASES


@pytest.mark.parametrize("width", [80, 110])
def test_record_keeps_the_call_and_the_fixture_name(tmp_path: Path, width: int) -> None:
    args = ["record", "--emulator", "flickr.groups.leave", f"group_id={GROUP}", "-t", "all"]
    output = _invoke([*args, "-c", "all", "-o", str(tmp_path)], width)
    calls = assert_whole(column_cells(output, "call", "pair"), width)
    fixtures = assert_whole(column_cells(output, "fixture", "pair"), width)
    assert calls == [CALL] * 6
    names = sorted(path.relative_to(tmp_path).parts[-2] for path in tmp_path.rglob("*.json"))
    assert sorted(name.rpartition("@")[2] for name in fixtures) == names
    assert all(name.startswith("recorded groups.leave/") for name in fixtures)
    if width == 110:
        assert all(CALL in line for line in output.splitlines() if "/json " in line)


@pytest.mark.parametrize("width", [80, 110])
def test_diff_keeps_the_call(tmp_path: Path, width: int) -> None:
    args = ["record", "--emulator", "flickr.groups.leave", f"group_id={GROUP}", "-t", "all"]
    _invoke([*args, "-o", str(tmp_path)], 200)
    output = _invoke(["diff", str(tmp_path), "--across", "transport"], width)
    assert all(cell_len(line) <= width for line in output.splitlines()[1:])  # title aside
    assert assert_whole(column_cells(output, "call", "pair"), width) == [CALL]
    assert "changed" in output  # the first leave is ok, the next ones E3


def test_a_table_wider_than_the_console_cuts_secondary_columns_never_the_name() -> None:
    name = "rest-xml-fail-code99-insufficient-permissions-none-granted"
    columns = [
        Column("case", name=True, cells=[name]),
        Column("notes", cells=["a secondary column far too wide to fit beside the name " * 2]),
        Column("outcome", cells=["E99"]),
    ]
    out = io.StringIO()
    Console(file=out, width=80, no_color=True).print(fitted("t", columns, Console(width=80)))
    lines = out.getvalue().splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    body = [line for line in lines[3:] if line.strip()]
    case_lines = [line[:MIN_NAME_WIDTH].strip() for line in body]
    assert "".join(case_lines) == name
    assert "…" in body[0] and body[0].rstrip().endswith("E99")


def test_break_name_breaks_after_separators_and_at_spaces_first() -> None:
    assert break_name("groups.leave/error-3", 40) == ["groups.leave/error-3"]
    assert break_name("rest-xml-fail-code99-insufficient", 22) == [
        "rest-xml-fail-code99-",
        "insufficient",
    ]
    assert break_name("ok rest/json", 9) == ["ok", "rest/json"]
    assert break_name(CALL, 28) == ["flickr.groups.leave(", f"group_id={GROUP})"]
