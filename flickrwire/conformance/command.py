"""``flickrwire conformance``: run the scenarios over every transport x codec pair and
print the matrix; exit 0 only when every cell that ran passed and the pairs agreed.

With no arguments it serves the embedded emulator on a free loopback port and runs
everything there. ``--base-url`` (or a profile's, ``--env NAME``) runs against another
server: a flickrwire emulator with its admin API gets the full run; any other server runs
what needs neither seeded state nor fault injection, and writes only with ``--group-id``
and ``--allow-writes``. Exit codes: 0 all passed, 1 a failure or disagreement, 2 usage or
a server that cannot be reached.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ..auth import Credentials
from ..auth.credfile import DEFAULT_PROFILE, ConfigError
from ..client import DEFAULT_BASE_URL, InsecureURLError, check_base_url
from ..commands import fail, find_credentials
from ..printable import printable
from . import reports
from .model import CODECS, TRANSPORTS, Scenario, ScenarioError
from .results import Cell, Pair, RunResult
from .runner import DEFAULT_TIMEOUT, Runner, planned
from .scenarios import load_all, select
from .targets import (
    ADMIN_TOKEN_ENV,
    AdminTarget,
    AdminTokenError,
    EmbeddedTarget,
    ServerTarget,
    Target,
    probe_admin,
)

STYLES = {"passed": "green", "failed": "bold red", "error": "bold yellow", "skipped": "dim"}


def _split(value: str | None, option: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    items = [part.strip() for part in (value or "").split(",") if part.strip()]
    for item in items:
        if allowed is not None and item not in allowed:
            fail(f"{option}: {item!r} is not one of {', '.join(allowed)}")
    return items


def choose_pairs(transport_names: str | None, codec_names: str | None) -> list[Pair]:
    chosen_t = _split(transport_names, "--transports", TRANSPORTS) or list(TRANSPORTS)
    chosen_c = _split(codec_names, "--codecs", CODECS) or list(CODECS)
    return [Pair(t, c) for t in TRANSPORTS for c in CODECS if t in chosen_t and c in chosen_c]


def resolve(
    base_url: str | None, env: str | None, credentials_file: Path | None
) -> tuple[str | None, Credentials | None]:
    """The server (None: the embedded emulator) and the credentials for it.

    Only ``--base-url`` and ``--env`` choose a server: without them the embedded emulator
    runs with its seed's credentials, and no credentials are read. ``--env NAME`` takes
    the profile's credentials and server (Flickr's when the profile names none);
    ``--credentials FILE`` alone takes its default profile's credentials; otherwise the
    ``FLICKR_*`` variables (then the default profile, as ``flickrwire call`` does).
    """
    if base_url is None and env is None:
        return None, None
    profile = env or (DEFAULT_PROFILE if credentials_file is not None else None)
    try:
        found = find_credentials(profile, credentials_file, os.environ)
    except ConfigError as exc:
        fail(str(exc))
    server = base_url or found.base_url or DEFAULT_BASE_URL
    return server, found.credentials


def unreachable_reason(exc: httpx.HTTPError) -> str:
    """Why a server could not be reached, as the OS says it (``connection refused``)
    when the exception chain holds an OS error, else httpx's own words."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror[:1].lower() + seen.strerror[1:]
        seen = seen.__cause__ or seen.__context__
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer in time ({type(exc).__name__})"
    return str(exc) or type(exc).__name__


def preflight(server: str, http: httpx.Client) -> None:
    """Stop at once, in one line, when ``server`` does not answer at all: every cell
    would otherwise fail alike with a network fault. Any HTTP answer will do."""
    try:
        http.get(server, follow_redirects=False).close()
    except httpx.HTTPError as exc:
        fail(f"cannot reach {server}: {unreachable_reason(exc)}")


def open_target(
    server: str | None,
    credentials: Credentials | None,
    http: httpx.Client,
    group_id: str | None,
    allow_writes: bool,
    admin_token: str | None = None,
) -> Target:
    if server is None:
        try:
            return EmbeddedTarget()
        except ImportError as exc:
            fail(
                f"the embedded emulator needs the server extra ({exc.name} is missing): "
                "pip install 'flickrwire[all]'"
            )
    try:
        check_base_url(server)
    except InsecureURLError as exc:
        fail(f"--base-url: {exc}")
    preflight(server, http)
    try:
        admin = probe_admin(server, http, admin_token)
    except AdminTokenError as exc:
        fail(str(exc))
    if admin is not None:
        return AdminTarget(server, http, admin, admin_token or "")
    return ServerTarget(server, credentials, http, group_id=group_id, allow_writes=allow_writes)


def matrix(result: RunResult) -> Table:
    table = Table(
        title=f"flickrwire conformance: {result.target} {result.base_url}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("scenario", no_wrap=True, overflow="ellipsis", min_width=12)
    for pair in result.pairs:
        # "rest" over "json": six narrow columns leave room for the scenario ids.
        table.add_column(f"{pair.transport}\n{pair.codec}", justify="center", no_wrap=True)
    for run in result.scenarios:
        cells = {cell.pair: cell for cell in run.cells}
        row = [Text(run.scenario.id, style="red" if run.agreed is False else "")]
        for pair in result.pairs:
            cell = cells.get(pair)
            if cell is None:
                row.append(Text("·", style="dim"))
            else:
                row.append(Text(cell.label, style=STYLES[cell.status]))
        table.add_row(*row)
    return table


def explain(console: Console, result: RunResult) -> None:
    """The failures one by one, then skip reasons grouped, then the verdict."""
    for cell in result.cells:
        if cell.status in ("failed", "error"):
            problems = cell.failures or [cell.reason or cell.status]
            for problem in problems:
                line = f"{cell.status.upper()} {cell.scenario} {cell.pair}: {printable(problem)}"
                console.print(Text(line, style=STYLES[cell.status]))
    reasons = Counter((c.scenario, c.reason or "") for c in result.cells if c.status == "skipped")
    for (scenario, reason), count in reasons.items():
        console.print(Text(f"skipped {scenario} ({count} pairs): {reason}", style="dim"))
    counts = result.counts()
    text = ", ".join(f"{counts[k]} {k}" for k in ("passed", "failed", "error", "skipped"))
    verdict = "all pairs agree" if result.ok else "NOT CONFORMING"
    style = "bold green" if result.ok else "bold red"
    console.print(Text(f"{verdict}: {text} in {result.duration:.2f} s", style=style))


def list_scenarios(console: Console, scenarios: list[Scenario]) -> None:
    table = Table(title="conformance scenarios")
    for column in ("id", "tags", "requires", "pairs", "title"):
        table.add_column(column, overflow="fold")
    for s in scenarios:
        pairs = (
            "all"
            if len(s.transports) == 3 and len(s.codecs) == 2
            else (",".join(s.transports) + " x " + ",".join(s.codecs))
        )
        table.add_row(s.id, " ".join(s.tags), " ".join(sorted(s.requires)), pairs, s.title)
    console.print(table)


def run_with_progress(
    runner: Runner, scenarios: list[Scenario], pairs: list[Pair], bail: bool
) -> RunResult:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with progress:
        task = progress.add_task("conformance", total=planned(scenarios, pairs))

        def advance(cell: Cell) -> None:
            progress.update(task, advance=1, description=f"{cell.scenario} {cell.pair}")

        runner.on_cell = advance
        return runner.run(scenarios, pairs, bail=bail)


def conformance(
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="Run against this server (.../services/) instead of the embedded emulator.",
        ),
    ] = None,
    env: Annotated[
        str | None,
        typer.Option(
            "--env",
            help="Named profile of the credentials file: its server and credentials together.",
        ),
    ] = None,
    credentials_file: Annotated[
        Path | None,
        typer.Option(
            "--credentials",
            help="Credentials file (flickrwire-credentials/1, as `flickrwire auth` writes); "
            "default: $FLICKRWIRE_CONFIG or ~/.config/flickrwire/credentials.json.",
        ),
    ] = None,
    transports: Annotated[
        str | None, typer.Option("--transports", help="Comma-separated: rest,xmlrpc,soap.")
    ] = None,
    codecs: Annotated[
        str | None, typer.Option("--codecs", help="Comma-separated: json,xml.")
    ] = None,
    scenario_ids: Annotated[
        str | None,
        typer.Option("--scenarios", help="Comma-separated scenario ids (globs: 'leave-*')."),
    ] = None,
    tags: Annotated[
        str | None,
        typer.Option("--tags", help="Run scenarios with any of these tags; '-tag' excludes."),
    ] = None,
    scenario_files: Annotated[
        list[Path] | None,
        typer.Option("--scenario-file", help="Add the scenarios of this JSON file (repeatable)."),
    ] = None,
    no_builtin: Annotated[
        bool, typer.Option("--no-builtin", help="Leave out the built-in scenarios.")
    ] = False,
    group_id: Annotated[
        str | None, typer.Option("--group-id", help="The group for {group} on another server.")
    ] = None,
    allow_writes: Annotated[
        bool,
        typer.Option("--allow-writes", help="Let state-changing scenarios run on another server."),
    ] = False,
    admin_token: Annotated[
        str | None,
        typer.Option(
            "--admin-token",
            envvar=ADMIN_TOKEN_ENV,
            show_envvar=True,
            help="Token of the emulator's admin API at --base-url (`serve --admin` prints it).",
        ),
    ] = None,
    bail: Annotated[bool, typer.Option("--bail", help="Stop at the first failure.")] = False,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON report here.")
    ] = None,
    junit_file: Annotated[
        Path | None, typer.Option("--junit", help="Write a JUnit XML report here.")
    ] = None,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="Write a self-contained HTML report here.")
    ] = None,
    record: Annotated[
        Path | None,
        typer.Option("--record", help="Save every exchange as a fixture under this folder."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds to wait for each answer.")
    ] = DEFAULT_TIMEOUT,
    list_only: Annotated[
        bool, typer.Option("--list", help="List the chosen scenarios and exit.")
    ] = False,
) -> None:
    """Run the conformance scenarios over every transport x codec pair and print the matrix."""
    console = Console(highlight=False)
    try:
        found = load_all(scenario_files or (), include_builtin=not no_builtin)
        scenarios = select(found, _split(scenario_ids, "--scenarios"), _split(tags, "--tags"))
    except ScenarioError as exc:
        fail(str(exc))
    pairs = choose_pairs(transports, codecs)
    scenarios = [s for s in scenarios if any(s.applies_to(p.transport, p.codec) for p in pairs)]
    if list_only:
        list_scenarios(console, scenarios)
        raise typer.Exit(0)
    if not scenarios:
        fail("no scenario applies to the chosen filters")
    server, credentials = resolve(base_url, env, credentials_file)
    with httpx.Client(timeout=timeout) as http:
        target = open_target(server, credentials, http, group_id, allow_writes, admin_token)
        if target.state_note:
            console.print(Text(target.state_note), soft_wrap=True)
        try:
            with Runner(target, record=record, timeout=timeout) as runner:
                result = run_with_progress(runner, scenarios, pairs, bail)
        finally:
            target.close()
    console.print(matrix(result))
    explain(console, result)
    written = reports.write(result, json_file=json_file, junit_file=junit_file, html_file=html_file)
    for kind, path in written:
        console.print(Text(f"{kind} report written to {path}"), soft_wrap=True)
    raise typer.Exit(0 if result.ok else 1)
