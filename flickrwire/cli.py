"""The ``flickrwire`` command line: one typer app, one function per command.

``flickrwire replay [DIR]`` decodes every fixture under ``DIR`` and prints the transport x
codec matrix of outcomes, green where decoding gives the fixture's expected ``Result``;
``--mode client`` sends each fixture's call through a client onto the fixture instead.
``record``, ``diff`` and ``har`` live in ``flickrwire.commands.record``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from . import __version__
from .auth import Credentials, signing_mode
from .client import Client
from .commands.auth import auth
from .commands.call import call
from .commands.diff import diff
from .commands.helptext import ReadableCommand, ReadableGroup, epilog
from .commands.record import har_export, har_import, record
from .commands.serve import serve
from .commands.tables import Column, fitted
from .conformance.command import conformance
from .recording import replay as store
from .recording.diff import natural, outcome
from .result import Result

app = typer.Typer(
    name="flickrwire",
    help="Flickr API calls over REST, XML-RPC and SOAP, decoded into one Result.",
    no_args_is_help=True,
    add_completion=False,
    cls=ReadableGroup,
)

#: The six transport x codec pairs, in matrix order; plugin pairs are appended.
PAIRS = tuple(f"{t}/{c}" for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml"))


def _version(asked: bool) -> None:
    if asked:
        typer.echo(f"flickrwire {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Flickr API calls over REST, XML-RPC and SOAP, decoded into one Result."""


def _command(name: str) -> dict[str, Any]:
    """What every command is registered with: readable value names, an example."""
    return {"cls": ReadableCommand, "epilog": epilog(name)}


app.command("conformance", **_command("conformance"))(conformance)
app.command("serve", **_command("serve"))(serve)
app.command("call", **_command("call"))(call)
app.command("auth", **_command("auth"))(auth)
app.command("record", **_command("record"))(record)
app.command("diff", **_command("diff"))(diff)
har_app = typer.Typer(
    name="har",
    help="Convert between fixtures and HAR 1.2 files.",
    no_args_is_help=True,
    cls=ReadableGroup,
)
har_app.command("export", **_command("har export"))(har_export)
har_app.command("import", **_command("har import"))(har_import)
app.add_typer(har_app, name="har")

#: Stand-in credentials for ``replay --mode client``: stored requests are redacted, and
#: matching leaves credentials, nonces and signatures out.
REPLAY_CREDENTIALS = Credentials("replay-key", "replay-secret", "replay-token", "replay-secret")
REPLAY_MODES = ("decode", "client")


@dataclass(frozen=True)
class Cell:
    """One fixture's outcome in the matrix."""

    outcome: str
    passed: bool
    fixture: str
    kind: str
    detail: str = ""


def _difference(expected: dict[str, Any], got: dict[str, Any]) -> str:
    keys = [k for k in store.EXPECTED_KEYS if expected.get(k) != got.get(k)]
    return "; ".join(f"{k}: expected {expected.get(k)!r}, got {got.get(k)!r}" for k in keys)


def check(path: Path, root: Path, mode: str = "decode") -> tuple[str, str, Cell]:
    """Decode one fixture file (or, in ``client`` mode, call it): (row, column, cell)."""
    label = str(path.relative_to(root))
    try:
        fixture = store.load(path)
    except store.FixtureError as exc:
        return path.stem, "unreadable", Cell("load", False, label, "?", str(exc))
    try:
        result = _client_result(fixture) if mode == "client" else fixture.decode()
    except Exception as exc:  # decode() promises never to raise: show a broken promise
        kind = fixture.provenance.kind
        return fixture.case, fixture.pair, Cell("crash", False, label, kind, repr(exc))
    got, expected = result.expected_view(), dict(fixture.expected)
    passed = got == expected
    detail = "" if passed else _difference(expected, got)
    cell = Cell(outcome(result), passed, label, fixture.provenance.kind, detail)
    return fixture.case, fixture.pair, cell


def _client_result(fixture: store.Fixture) -> Result:
    """The Result a client gets for the fixture's call with only this fixture to answer
    (a fixture without a call can only be decoded)."""
    if fixture.call is None:
        return fixture.decode()
    base_url = "https://api.flickr.com/services/"
    if fixture.request is not None:
        url = fixture.request.url
        base_url = url[: url.index("/services/") + 10] if "/services/" in url else base_url
    replayer = store.ReplayTransport([fixture], once=True)
    with (
        httpx.Client(transport=replayer) as http,
        Client(
            fixture.transport,
            fixture.codec,
            REPLAY_CREDENTIALS,
            http_client=http,
            base_url=base_url,
            signing=signing_mode(fixture.call.signing),
        ) as client,
    ):
        return client.send(fixture.call.to_call())


Matrix = dict[str, dict[str, list[Cell]]]


def build_matrix(
    paths: Iterable[Path], root: Path, mode: str = "decode"
) -> tuple[list[str], Matrix]:
    matrix: Matrix = {}
    pairs = list(PAIRS)
    for path in paths:
        row, pair, cell = check(path, root, mode)
        matrix.setdefault(row, {}).setdefault(pair, []).append(cell)
        if pair not in pairs:
            pairs.append(pair)
    return pairs, {row: matrix[row] for row in sorted(matrix, key=natural)}


def _outcomes(found: list[Cell]) -> Text:
    if not found:
        return Text("·", style="dim")
    text = Text()
    for index, cell in enumerate(found):
        style = "green" if cell.passed else "bold red"
        text.append((" " if index else "") + cell.outcome, style=style)
    return text


def _render(pairs: list[str], matrix: Matrix, console: Console) -> Table:
    """The matrix: the case name in full (broken after a separator when the width is
    short), the kinds cut to ten cells, a narrow column per pair ("rest" over "json")."""
    case = Column("case", name=True)
    kind = Column("kind", style="dim", max_width=10)
    columns = {pair: Column(pair.replace("/", "\n"), justify="center") for pair in pairs}
    for row, cells in matrix.items():
        case.cells.append(row)
        kind.cells.append(",".join(sorted({c.kind for found in cells.values() for c in found})))
        for pair, column in columns.items():
            column.cells.append(_outcomes(cells.get(pair, [])))
    title = "fixture replay: outcome per transport/codec"
    return fitted(title, [case, kind, *columns.values()], console)


def _as_json(pairs: list[str], matrix: Matrix, passed: int, failed: int) -> dict[str, Any]:
    rows = [
        {"case": row, "cells": {p: [asdict(c) for c in cells[p]] for p in pairs if p in cells}}
        for row, cells in matrix.items()
    ]
    return {"pairs": pairs, "rows": rows, "passed": passed, "failed": failed}


@app.command("replay", **_command("replay"))
def replay_command(
    directory: Annotated[
        Path, typer.Argument(help="Folder of fixture files (searched recursively).")
    ] = Path("fixtures"),
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Also write the matrix as JSON to this file.")
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            help="decode: decode each stored response; client: send each fixture's call "
            "through a flickrwire Client onto the fixture (matcher and request included).",
        ),
    ] = "decode",
) -> None:
    """Replay every fixture offline and print the transport x codec matrix of outcomes."""
    console = Console()
    if mode not in REPLAY_MODES:
        console.print(f"unknown mode {mode!r}; known: decode, client", markup=False)
        raise typer.Exit(2)
    if not directory.is_dir():
        console.print(f"not a folder: {directory}", markup=False, highlight=False)
        raise typer.Exit(2)
    paths = store.fixture_paths(directory)
    if not paths:
        console.print(f"no fixtures found in {directory}", markup=False, highlight=False)
        raise typer.Exit(1)
    pairs, matrix = build_matrix(paths, directory, mode)
    console.print(_render(pairs, matrix, console))
    cells = [c for row in matrix.values() for found in row.values() for c in found]
    for cell in cells:
        if not cell.passed:
            console.print(Text(f"FAIL {cell.fixture}: {cell.detail}", style="red"))
    failed = sum(not c.passed for c in cells)
    passed = len(cells) - failed
    if json_file is not None:
        report = _as_json(pairs, matrix, passed, failed)
        json_file.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        console.print(f"JSON report written to {json_file}", markup=False, soft_wrap=True)
    console.print(f"{passed} passed, {failed} failed", markup=False, highlight=False)
    raise typer.Exit(1 if failed else 0)


def main() -> None:
    app()
