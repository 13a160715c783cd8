"""``flickrwire diff``: compare two fixture sets (or one across transports or codecs) by
normalised result, print the rows, and exit 1 when they differ."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..recording import diff as differ
from ..recording.redact import check_clean, scrub
from . import EXIT_FAULT, fail
from .record import env_secrets, load_fixtures
from .tables import Column, fitted


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _side(sides: tuple[differ.Side, ...]) -> Text:
    text = Text()
    for index, side in enumerate(sides):
        text.append(("\n" if index else "") + f"{side.outcome} {side.pair}")
    return text if sides else Text("·", style="dim")


STATUS_STYLE = {"same": "green", "changed": "bold red", "only_a": "yellow", "only_b": "yellow"}


def diff(
    a: Annotated[Path, typer.Argument(help="First fixture folder.")],
    b: Annotated[
        Path | None, typer.Argument(help="Second fixture folder (default: A, with --across).")
    ] = None,
    across: Annotated[
        str | None, typer.Option("--across", help="Compare across: transport or codec.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Also compare messages and HTTP status.")
    ] = False,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Also write the diff as JSON to this file.")
    ] = None,
) -> None:
    """Compare two fixture sets by normalised result; exit 1 when they differ."""
    if across is not None and across not in differ.ACROSS:
        fail(f"--across takes one of {', '.join(differ.ACROSS)}")
    if b is None and across is None:
        fail("give two folders, or one folder with --across")
    other = a if b is None else b
    result = differ.compare(load_fixtures(a), load_fixtures(other), across=across, strict=strict)
    console = _console()
    console.print(
        _diff_table(result, f"diff {a} {other}" + (f" across {across}" if across else ""), console)
    )
    console.print(", ".join(f"{n} {status}" for status, n in result.counts().items()))
    if json_file is not None:
        secrets = env_secrets()
        text = json.dumps(result.to_json(str(a), str(other)), indent=2, ensure_ascii=False)
        text = scrub(text, secrets)
        check_clean(text, secrets, "the diff report")
        json_file.write_text(text + "\n", encoding="utf-8")
        console.print(f"JSON report written to {json_file}", markup=False)
    raise typer.Exit(EXIT_FAULT if result.differs else 0)


def _diff_table(result: differ.Diff, title: str, console: Console) -> Table:
    """One row per call x pair x occurrence: the call in full, the sides and status
    beside it, the differing fields last."""
    call, differs = Column("call", name=True), Column("differs in", floor=10)
    pair, number, status = Column("pair"), Column("#", justify="right"), Column("status")
    side_a, side_b = Column("A", floor=9), Column("B", floor=9)
    for row in result.rows:
        call.cells.append(row.call)
        pair.cells.append(row.pair)
        number.cells.append(str(row.occurrence))
        side_a.cells.append(_side(row.a))
        side_b.cells.append(_side(row.b))
        status.cells.append(Text(row.status, style=STATUS_STYLE[row.status]))
        differs.cells.append(", ".join(row.fields))
    return fitted(title, [call, pair, number, side_a, side_b, status, differs], console)
