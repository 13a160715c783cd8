"""mypy --strict on user scripts: dotted calls are typed from the catalogue.

One mypy run checks both scripts in ``tests/typing/``: ``ok_calls.py`` must pass with its
dotted calls revealed as ``Result``; ``bad_calls.py`` must fail on exactly its mistakes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

api = pytest.importorskip("mypy.api", reason="mypy comes with the dev extra")

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "typing"


@pytest.fixture(scope="module")
def report() -> list[str]:
    stdout, stderr, _ = api.run(
        [
            "--strict",
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "--no-error-summary",
            "--show-column-numbers",
            str(SCRIPTS / "ok_calls.py"),
            str(SCRIPTS / "bad_calls.py"),
        ]
    )
    assert not stderr, stderr
    # mypy names a file as given or relative to the working directory: keep the file name.
    return [
        Path(line.split(":", 1)[0]).name + ":" + line.split(":", 1)[1]
        for line in stdout.splitlines()
        if ":" in line
    ]


def test_a_correct_script_passes_and_calls_are_revealed_as_result(report: list[str]) -> None:
    ok = [line for line in report if line.startswith("ok_calls.py")]
    assert [line for line in ok if ": error:" in line] == []
    revealed = [line.split("note: ", 1)[1] for line in ok if "Revealed type" in line]
    assert revealed == ['Revealed type is "flickrwire.result.Result"'] * 2


def test_a_misspelt_method_or_argument_is_an_error(report: list[str]) -> None:
    errors = [line for line in report if line.startswith("bad_calls.py") and ": error:" in line]
    expected = [
        ("bad_calls.py:9:", '"Client" has no attribute "grops"'),
        ("bad_calls.py:10:", 'Unexpected keyword argument "group_idd" for "leave"'),
        ("bad_calls.py:11:", 'Missing named argument "group_id" for "leave"'),
        ("bad_calls.py:12:", 'has no attribute "serch"'),
    ]
    assert len(errors) == len(expected), errors
    for line, (where, what) in zip(errors, expected, strict=True):
        assert line.startswith(where) and what in line, line
