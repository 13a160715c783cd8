"""The mutation runner's pieces: the mutants it makes and the registry of equivalents."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[1] / "tools"
sys.path.insert(0, str(TOOLS))

import equivalents  # noqa: E402
import mutation  # noqa: E402
from mutants import mutants  # noqa: E402

SOURCE = (
    "def small(n):\n    if n < 3:\n        return True\n    return n == 4  # pragma: no mutate\n"
)


def test_a_comparison_is_turned_and_a_pragma_line_is_left_alone() -> None:
    found = {(m.line, m.description) for m in mutants("demo.py", SOURCE)}
    assert (2, "< -> <=") in found
    assert (3, "True -> False") in found
    assert not [line for line, _ in found if line == 4]


def test_every_registered_equivalent_still_names_a_mutant_of_a_configured_module() -> None:
    entries = equivalents.load()
    configured = mutation.configured()
    assert all(entry.module in configured for entry in entries)
    assert all(entry.why.strip() for entry in entries)
    modules = {entry.module for entry in entries}
    found = {
        path: mutants(path, (equivalents.REPO / path).read_text(encoding="utf-8"))
        for path in modules
    }
    assert equivalents.stale(entries, found) == []


def test_registered_survivors_count_as_equivalent_and_the_rest_stay_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "demo.py").write_text(SOURCE, encoding="utf-8")
    monkeypatch.setattr(equivalents, "REPO", tmp_path)
    registry = tmp_path / "equivalent.toml"
    registry.write_text(
        '[[mutant]]\nmodule = "demo.py"\ncode = "if n < 3:"\nchange = "< -> <="\n'
        'why = "n is never 3."\n',
        encoding="utf-8",
    )
    entries = equivalents.load(registry)
    summary = {
        "modules": {
            "demo.py": {
                "mutants": 10, "killed": 7, "timeout": 1, "survived": 2,
                "survivors": ["demo.py:2: < -> <=", "demo.py:3: True -> False"],
            }
        }
    }  # fmt: skip
    parts = equivalents.split(summary, entries)["demo.py"]
    assert parts == {"equivalent": ["demo.py:2: < -> <="], "open": ["demo.py:3: True -> False"]}
    assert equivalents.rates(summary["modules"]["demo.py"], 1) == (0.8, 8 / 9)
    assert "| `demo` | 10 | 10 | 8 | 2 | 1 | 80.0% | 88.9% |" in equivalents.table(summary, entries)
    (tmp_path / "demo.py").write_text(SOURCE.replace("n < 3", "n < 5"), encoding="utf-8")
    now = {"demo.py": mutants("demo.py", (tmp_path / "demo.py").read_text(encoding="utf-8"))}
    assert equivalents.stale(entries, now) == entries


def test_an_entry_without_a_reason_is_refused(tmp_path: Path) -> None:
    registry = tmp_path / "equivalent.toml"
    registry.write_text('[[mutant]]\nmodule = "a.py"\ncode = "x"\nchange = "y"\n', "utf-8")
    with pytest.raises(SystemExit, match="why"):
        equivalents.load(registry)
