"""``flickrwire serve``: the reference emulator on a socket, 127.0.0.1 by default."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..emulator.defaults import DEFAULT_MAX_BODY, TOKEN_ENV
from ..extras import EXIT_MISSING_EXTRA, extra_for, missing_extra_message
from . import fail


def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind; 0 picks a free one.")] = 8080,
    db: Annotated[
        str, typer.Option(help="SQLite file for the state (kept across runs), or :memory:.")
    ] = ":memory:",
    seed: Annotated[
        Path | None,
        typer.Option(help="Seed JSON file (format: docs/emulator.md); default: the built-in seed."),
    ] = None,
    admin: Annotated[bool, typer.Option(help="Serve the admin API under /_admin/.")] = False,
    admin_token: Annotated[
        str | None,
        typer.Option(
            envvar=TOKEN_ENV,
            show_envvar=True,
            help="The admin API's bearer token (default: random, printed at start).",
        ),
    ] = None,
    faults: Annotated[
        Path | None, typer.Option(help="Fault rules JSON file (format: docs/fault-rules.md).")
    ] = None,
    strict_tls: Annotated[
        bool, typer.Option(help="Answer 95 (SSL is required) to plain-HTTP requests.")
    ] = False,
    max_body: Annotated[
        int,
        typer.Option(min=0, help="Longest request body taken, in bytes; longer ones get 413."),
    ] = DEFAULT_MAX_BODY,
    blocked_url: Annotated[
        list[str] | None,
        typer.Option(help="A URL substring that makes any argument a 116 (repeatable)."),
    ] = None,
    public_url: Annotated[
        list[str] | None,
        typer.Option(
            help="A base URL clients believe they call, e.g. https://api.flickr.com/services/;"
            " OAuth signatures computed for it verify (repeatable)."
        ),
    ] = None,
) -> None:
    """Run the Flickr emulator; print its base URL and the seeded test credentials."""
    try:
        from ..emulator.launch import Options, run
    except ImportError as exc:
        extra = extra_for(exc)
        if extra is None:
            raise
        fail(missing_extra_message("flickrwire serve", extra, exc), EXIT_MISSING_EXTRA)
    options = Options(
        host=host,
        port=port,
        db=db,
        seed_file=str(seed) if seed else None,
        admin=admin,
        faults_file=str(faults) if faults else None,
        strict_tls=strict_tls,
        blocked_urls=tuple(blocked_url or ()),
        public_urls=tuple(public_url or ()),
        admin_token=admin_token or None,
        max_body=max_body,
    )
    try:
        run(options, typer.echo)
    except (ValueError, OSError) as exc:
        fail(str(exc))
