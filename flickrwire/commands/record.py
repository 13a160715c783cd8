"""``flickrwire record`` and ``har export|import``: plain typer functions that
``flickrwire.cli`` registers (``diff`` lives in :mod:`flickrwire.commands.diff`).

``record`` sends calls through a :class:`~flickrwire.record.RecordingTransport` in a record
mode and prints what was recorded or replayed; ``diff`` compares two fixture sets and exits
1 when they differ; ``har`` converts between fixtures and HAR 1.2. Tests put their own base
transport under ``record`` with ``CliRunner().invoke(app, args, obj=RecordRuntime(...))``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from .. import transports
from ..auth import Credentials, signing_mode
from ..auth.oauth import ConfigError
from ..call import Call
from ..client import DEFAULT_BASE_URL, Client, InsecureURLError
from ..codecs import CODECS
from ..recording import diff as differ, har
from ..recording.diff import CallIdentity, call_params, identity
from ..recording.record import MODES, Cassette, RecordingTransport
from ..recording.redact import RedactionError
from ..recording.replay import FixtureError, UnmatchedRequestError, load_dir
from . import (
    EXIT_FAULT,
    ConfigOption,
    ProfileOption,
    TimeoutOption,
    fail,
    find_credentials,
)
from .tables import Column, fitted

#: The emulator's address when it runs in-process (``--emulator``); any loopback URL works.
EMULATOR_URL = "http://127.0.0.1/services/"


def _http_transport() -> httpx.BaseTransport:
    return httpx.HTTPTransport()


@dataclass(frozen=True, slots=True)
class RecordRuntime:
    """What ``record`` sends through; tests pass their own as click's ``obj``."""

    base_transport: Callable[[], httpx.BaseTransport] = _http_transport


@dataclass(frozen=True, slots=True)
class Planned:
    """One call to record: the call, its pair, and the label its fixtures get."""

    call: Call
    transport: str
    codec: str
    name: str | None = None


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _params(items: Iterable[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            fail(f"{item!r} is not key=value (example: group_id=12345678@N00)")
        params[name] = value
    return params


def _expand(values: list[str], known: Iterable[str], what: str) -> list[str]:
    """``all`` means every known value; anything unknown is a usage error."""
    known = list(known)
    out = known if "all" in values else values
    for value in out:
        if value not in known:
            fail(f"unknown {what} {value!r}; known: {', '.join(known)}, all")
    return out


def _from_file(path: Path, pairs: list[tuple[str, str]]) -> list[Planned]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"cannot read calls file {path}: {exc}")
    if not isinstance(data, list):
        fail(f"{path}: a calls file is a JSON list of {{method, params, name?}} objects")
    planned = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("method"), str):
            fail(f"{path}: call {index} needs a 'method' string")
        params = {str(k): str(v) for k, v in (item.get("params") or {}).items()}
        own = [(str(item.get("transport")), str(item.get("codec", pairs[0][1])))]
        for transport, codec in own if "transport" in item else pairs:
            planned.append(
                Planned(_build(item["method"], params), transport, codec, item.get("name"))
            )
    return planned


def _build(method: str, params: dict[str, str]) -> Call:
    try:
        return Call.build(method, params)
    except TypeError as exc:
        fail(str(exc))


def _credentials(
    profile: str | None, config: Path | None, emulator: bool
) -> tuple[Credentials | None, str | None]:
    try:
        found = find_credentials(profile, config, os.environ)
    except ConfigError as exc:
        fail(str(exc))
    if found.credentials is None and emulator:
        from ..emulator import DEFAULT_SEED  # the seed's made-up test app and first token

        app, token = DEFAULT_SEED["api_keys"][0], DEFAULT_SEED["tokens"][0]
        return Credentials(app["key"], app["secret"], token["token"], token["secret"]), None
    return found.credentials, found.base_url


def _secrets(credentials: Credentials | None) -> list[str]:
    if credentials is None:
        return []
    values = [credentials.api_key, credentials.api_secret]
    values += [credentials.oauth_token or "", credentials.oauth_token_secret or ""]
    return [v for v in values if v]


def _names(planned: list[Planned]) -> dict[CallIdentity, str]:
    names = {}
    for item in planned:
        if item.name:
            own = call_params(item.call.params, item.transport, item.codec)
            names[identity(item.call.method, own)] = item.name
    return names


def record(
    ctx: typer.Context,
    method: Annotated[str | None, typer.Argument(help="Flickr method to call.")] = None,
    params: Annotated[list[str] | None, typer.Argument(help="Arguments as key=value.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Fixture folder.")] = Path("recorded"),
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Server to record from (default: Flickr).")
    ] = None,
    transport: Annotated[
        list[str], typer.Option("--transport", "-t", help="rest, xmlrpc, soap or all (repeat).")
    ] = ["rest"],  # noqa: B006 -- typer reads list defaults; never mutated
    codec: Annotated[
        list[str], typer.Option("--codec", "-c", help="json, xml or all (repeat).")
    ] = ["json"],  # noqa: B006
    calls: Annotated[
        Path | None, typer.Option("--calls", help="JSON list of {method, params, name?}.")
    ] = None,
    mode: Annotated[str, typer.Option("--mode", help="once, new_episodes, none or all.")] = "once",
    name: Annotated[
        str | None, typer.Option("--name", help="Label for the call's fixtures.")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Provenance: real, emulator or server.")
    ] = None,
    signing: Annotated[
        str, typer.Option("--signing", help="auto, oauth, legacy, key, none.")
    ] = "auto",
    emulator: Annotated[
        bool, typer.Option("--emulator", help="Record from the emulator, run in-process.")
    ] = False,
    profile: ProfileOption = None,
    config: ConfigOption = None,
    timeout: TimeoutOption = None,
) -> None:
    """Send calls and save every exchange as a redacted fixture (or replay, by mode)."""
    if mode not in MODES:
        fail(f"unknown mode {mode!r}; known: {', '.join(MODES)}")
    pairs = [
        (t, c)
        for t in _expand(transport, transports.names(), "transport")
        for c in _expand(codec, CODECS, "codec")
    ]
    if (calls is None) == (method is None):
        fail("give either METHOD [key=value ...] or --calls FILE")
    if calls is not None:
        planned = _from_file(calls, pairs)
    else:
        call = _build(str(method), _params(params or []))
        planned = [Planned(call, t, c, name) for t, c in pairs]
    credentials, profile_url = _credentials(profile, config, emulator)
    url = EMULATOR_URL if emulator else base_url or profile_url or DEFAULT_BASE_URL
    try:
        cassette = Cassette(
            out, mode, kind=kind, secrets=_secrets(credentials), names=_names(planned)
        )
    except ValueError as exc:  # an unknown kind, or a fixture in OUT that cannot be read
        fail(str(exc))
    base = _emulator_transport() if emulator else _runtime(ctx).base_transport()
    console = _console()
    table = _run(planned, cassette, base, credentials, url, signing, timeout)
    console.print(table.table(console))
    console.print(f"{len(cassette.recorded)} recorded, {len(cassette.replayed)} replayed")


def _runtime(ctx: typer.Context) -> RecordRuntime:
    found = ctx.find_object(RecordRuntime)
    return found if found is not None else RecordRuntime()


def _emulator_transport() -> httpx.BaseTransport:
    from ..emulator import create_app
    from ..emulator.inprocess import EmulatorTransport

    return EmulatorTransport(create_app())


@dataclass
class Recorded:
    """The rows of the ``record`` table, laid out for the console once complete."""

    title: str
    columns: list[Column]

    def add_row(self, *cells: str) -> None:
        for column, cell in zip(self.columns, cells, strict=True):
            column.cells.append(cell)

    def table(self, console: Console) -> Table:
        return fitted(self.title, self.columns, console)


def _run(
    planned: list[Planned],
    cassette: Cassette,
    base: httpx.BaseTransport,
    credentials: Credentials | None,
    url: str,
    signing: str,
    timeout: float | None,
) -> Recorded:
    columns = [
        Column("call", name=True),
        Column("pair"),
        Column("outcome"),
        Column("fixture", name=True),
    ]
    table = Recorded(f"record ({cassette.mode}) into {cassette.directory}", columns)
    recorder = RecordingTransport(base, cassette)
    with httpx.Client(transport=recorder, timeout=timeout or 30.0) as http:
        for item in planned:
            before = len(cassette.recorded), len(cassette.replayed)
            try:
                client = Client(
                    item.transport,
                    item.codec,
                    credentials,
                    http_client=http,
                    base_url=url,
                    signing=signing_mode(signing),
                )
                result = client.send(item.call)
            except (InsecureURLError, ValueError) as exc:
                if isinstance(exc, RedactionError):
                    fail(f"refused to write a fixture: {exc}", EXIT_FAULT)
                fail(str(exc))
            except UnmatchedRequestError as exc:
                _console().print(table.table(_console()))
                fail(str(exc), EXIT_FAULT)
            done = _what_happened(cassette, before)
            args = ", ".join(f"{k}={v}" for k, v in item.call.params.items())
            call_text = f"{item.call.method}({args})"
            table.add_row(call_text, f"{item.transport}/{item.codec}", differ.outcome(result), done)
    return table


def _what_happened(cassette: Cassette, before: tuple[int, int]) -> str:
    if len(cassette.recorded) > before[0]:
        return f"recorded {cassette.recorded[-1].name}"
    if len(cassette.replayed) > before[1]:
        return f"replayed {cassette.replayed[-1].name}"
    return ""


# -- shared with diff and har ---------------------------------------------------------


def load_fixtures(directory: Path) -> list[Any]:
    if not directory.is_dir():
        fail(f"not a folder: {directory}")
    try:
        fixtures = load_dir(directory)
    except FixtureError as exc:
        fail(str(exc))
    if not fixtures:
        fail(f"no fixtures found in {directory}")
    return fixtures


def env_secrets() -> list[str]:
    names = (
        "FLICKR_API_KEY",
        "FLICKR_API_SECRET",
        "FLICKR_OAUTH_TOKEN",
        "FLICKR_OAUTH_TOKEN_SECRET",
    )
    return [os.environ.get(n, "") for n in names if os.environ.get(n)]


# -- har -----------------------------------------------------------------------------------


def har_export(
    directory: Annotated[Path, typer.Argument(help="Fixture folder.")],
    file: Annotated[Path, typer.Argument(help="HAR file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite FILE if it exists.")] = False,
) -> None:
    """Write a fixture folder as one HAR 1.2 file (browser devtools, mitmproxy)."""
    if file.exists() and not force:
        fail(f"{file} exists; give --force to overwrite it")
    load_fixtures(directory)
    try:
        count = har.export_file(directory, file, secrets=env_secrets(), overwrite=force)
    except RedactionError as exc:
        fail(f"refused to write {file}: {exc}", EXIT_FAULT)
    except FileExistsError:  # created by someone else meanwhile
        fail(f"{file} exists; give --force to overwrite it")
    _console().print(f"{count} entries written to {file}", markup=False)


def har_import(
    file: Annotated[Path, typer.Argument(help="HAR file from a browser or proxy.")],
    directory: Annotated[Path, typer.Argument(help="Fixture folder to write into.")],
    kind: Annotated[
        str | None, typer.Option("--kind", help="Provenance: real, emulator or server.")
    ] = None,
    secret: Annotated[
        list[str] | None,
        typer.Option("--secret", help="A secret value to redact wherever it appears (repeatable)."),
    ] = None,
    profile: ProfileOption = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--credentials",
            "--config",
            envvar="FLICKRWIRE_CONFIG",
            help="Credentials file whose profile's secrets are redacted by value.",
        ),
    ] = None,
) -> None:
    """Turn the Flickr API entries of a HAR file into redacted fixtures.

    Secrets are redacted by name (credentials, signatures, ``secret``, ``*_secret``,
    ``oauth_*``) and by value: every ``--secret``, the profile's credentials, and the
    ``FLICKR_*`` variables, wherever the values appear. Exchanges that the folder already
    holds are skipped.
    """
    credentials, _ = _credentials(profile, config, emulator=False)
    secrets = [*env_secrets(), *(secret or []), *_secrets(credentials)]
    try:
        imported = har.import_into(file, directory, kind=kind, secrets=secrets)
    except (har.HARError, RedactionError, FixtureError) as exc:
        fail(str(exc), EXIT_FAULT)
    except ValueError as exc:  # an unknown --kind
        fail(str(exc))
    console = _console()
    for fixture in imported.written:
        console.print(f"{fixture.name}: {differ.outcome(fixture.decode())}", markup=False)
    summary = f"{len(imported.written)} fixtures written to {directory}"
    if imported.skipped:
        summary += f"; {len(imported.skipped)} skipped (already there)"
    console.print(summary, markup=False)
