"""Start the emulator as a server: what ``flickrwire serve`` and ``python -m
flickrwire.emulator`` share (options in, an app on a socket, a banner out)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette

from . import create_app
from .app import EmulatorConfig
from .defaults import DEFAULT_MAX_BODY, TOKEN_ENV
from .rules import FaultPlan
from .seed import load_seed_file
from .server import serve


@dataclass(frozen=True)
class Options:
    """How to run the emulator; the defaults are ``flickrwire serve``'s."""

    host: str = "127.0.0.1"
    port: int = 8080
    db: str = ":memory:"
    seed_file: str | None = None
    admin: bool = False
    faults_file: str | None = None
    strict_tls: bool = False
    blocked_urls: tuple[str, ...] = field(default_factory=tuple)
    #: the admin API's token (random when None); used only with ``admin``
    admin_token: str | None = field(default=None, repr=False)
    #: the longest request body taken, in bytes
    max_body: int = DEFAULT_MAX_BODY
    public_urls: tuple[str, ...] = field(default_factory=tuple)


def build(options: Options) -> Starlette:
    """The app for ``options``; raises ``ValueError``/``OSError`` for a bad seed or fault file."""
    seed = load_seed_file(options.seed_file) if options.seed_file else None
    faults = FaultPlan.from_file(options.faults_file) if options.faults_file else None
    config = EmulatorConfig(
        strict_tls=options.strict_tls,
        blocked_urls=options.blocked_urls,
        public_urls=options.public_urls,
    )
    return create_app(
        db=options.db,
        seed=seed,
        config=config,
        admin=options.admin,
        admin_token=options.admin_token if options.admin else None,
        faults=faults,
        max_body=options.max_body,
    )


def banner(base_url: str, seed: Mapping[str, Any], admin_token: str | None) -> list[str]:
    """The lines printed once the server listens: the base URL, the admin API and its
    token when it is served, then test credentials.

    The seeded keys and tokens are made-up test credentials for this local server only;
    printing them is the point (the issue's ``flickrwire serve`` contract); the admin token
    is printed for whoever started the server, as a variable ``flickrwire conformance`` reads.
    """
    lines = [base_url]
    if admin_token is not None:
        lines.append(f"admin API: {base_url.rsplit('/services/', 1)[0]}/_admin/")
        lines.append(f"{TOKEN_ENV}={admin_token}")
    for key in seed.get("api_keys", [])[:1]:
        lines.append(f"FLICKR_API_KEY={key['key']}")
        lines.append(f"FLICKR_API_SECRET={key['secret']}")
    users = {user["nsid"]: user["username"] for user in seed.get("users", [])}
    for token in seed.get("tokens", []):
        if token.get("revoked"):
            continue
        who = users.get(token["user"], token["user"])
        lines.append(
            f"token {who} ({token['perms']}): FLICKR_OAUTH_TOKEN={token['token']} "
            f"FLICKR_OAUTH_TOKEN_SECRET={token['secret']}"
        )
    return lines


def run(options: Options, out: Callable[[str], None]) -> None:
    """Build the app and serve it until interrupted; ``out`` prints the banner lines."""
    app = build(options)
    state = app.state.emulator
    seed = state.store.dump()  # what the server holds: a reused --db keeps its own state

    def ready(base_url: str) -> None:
        for line in banner(base_url, seed, state.admin_token):
            out(line)

    try:
        serve(app, options.host, options.port, on_ready=ready)
    finally:
        state.close()
