"""The registry of equivalent mutants: survivors no behaviour can tell from the original.

``tools/equivalent.toml`` holds one ``[[mutant]]`` table per equivalent mutant:

    [[mutant]]
    module = "flickrwire/xmlsafe.py"   # the configured path
    code = "if len(body) > _SLICE:"    # the unmutated source line, stripped
    change = "> -> >="                 # the runner's description of the change
    why = "Only decides how large a slice is fed to the parser; same tree either way."

An entry names its line by text, not by number, so it survives edits elsewhere in the
module, and goes *stale* (reported, and failed by ``tests/test_mutation_tools.py``) when
the line or the change no longer exists. The runner's reports count a survivor that
matches an entry as equivalent and give the kill rate both with and without them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutants import Mutant

REPO = Path(__file__).resolve().parents[1]
REGISTRY = REPO / "tools" / "equivalent.toml"


@dataclass(frozen=True, slots=True)
class Entry:
    module: str
    code: str
    change: str
    why: str

    @property
    def key(self) -> tuple[str, str, str]:
        return self.module, self.code, self.change


def load(path: Path = REGISTRY) -> list[Entry]:
    """The registry's entries; a missing file is an empty registry."""
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = []
    for table in data.get("mutant", []):
        missing = {"module", "code", "change", "why"} - set(table)
        if missing:
            raise SystemExit(f"{path.name}: an entry lacks {', '.join(sorted(missing))}")
        entries.append(Entry(table["module"], table["code"], table["change"], table["why"]))
    return entries


def key_of(label: str, lines: list[str]) -> tuple[str, str, str]:
    """(module, stripped source line, change) of a ``path:line: change`` label."""
    path, number, change = label.split(":", 2)
    index = int(number) - 1
    code = lines[index].strip() if 0 <= index < len(lines) else ""
    return path, code, change.strip()


def source_lines(path: str) -> list[str]:
    file = REPO / path
    return file.read_text(encoding="utf-8").splitlines() if file.exists() else []


def split(summary: dict[str, Any], entries: list[Entry]) -> dict[str, dict[str, list[str]]]:
    """Per module, its survivors split into ``equivalent`` and ``open``."""
    known = {entry.key for entry in entries}
    found = {}
    for path, entry in summary["modules"].items():
        lines = source_lines(path)
        parts: dict[str, list[str]] = {"equivalent": [], "open": []}
        for label in entry["survivors"]:
            parts["equivalent" if key_of(label, lines) in known else "open"].append(label)
        found[path] = parts
    return found


def stale(entries: list[Entry], mutants_of: dict[str, list[Mutant]]) -> list[Entry]:
    """Entries of the given modules that match none of their mutants today."""
    current = set()
    for path, found in mutants_of.items():
        lines = source_lines(path)
        current |= {key_of(mutant.label, lines) for mutant in found}
    return [e for e in entries if e.module in mutants_of and e.key not in current]


def rates(entry: dict[str, Any], equivalent: int) -> tuple[float | None, float | None]:
    """The kill rate counting every survivor, and without the registered equivalents."""
    killed = entry["killed"] + entry["timeout"]
    ran = killed + entry["survived"]
    raw = killed / ran if ran else None
    rest = ran - equivalent
    return raw, (killed / rest if rest else None)


def table(summary: dict[str, Any], entries: list[Entry]) -> str:
    """The result as a Markdown table, equivalents counted from the registry."""
    parts = split(summary, entries)
    lines = [
        "| module | mutants | run | killed | survived | equivalent | kill rate "
        "| without equivalent |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for path, entry in summary["modules"].items():
        equivalent = len(parts[path]["equivalent"])
        raw, net = rates(entry, equivalent)
        killed = entry["killed"] + entry["timeout"]
        lines.append(
            f"| `{path.removeprefix('flickrwire/').removesuffix('.py')}` | {entry['mutants']} "
            f"| {killed + entry['survived']} | {killed} | {entry['survived']} | {equivalent} "
            f"| {_percent(raw)} | {_percent(net)} |"
        )
    return "\n".join(lines)


def explain(summary: dict[str, Any], entries: list[Entry]) -> None:
    """Print each module's rates and the survivors the registry does not explain."""
    print("\nwith tools/equivalent.toml:")
    for path, parts in split(summary, entries).items():
        entry = summary["modules"][path]
        raw, net = rates(entry, len(parts["equivalent"]))
        name = path.removeprefix("flickrwire/").removesuffix(".py")
        print(
            f"{name:<22} kill rate {_percent(raw):>6}, without {len(parts['equivalent'])} "
            f"equivalent {_percent(net):>6}, {len(parts['open'])} open"
        )
        for label in parts["open"]:
            print(f"  open: {label}")


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"
