"""What the ``call`` and ``auth`` commands share: the HTTP client they send with, where
their credentials come from, and how they stop on a usage error.

The commands are plain typer functions (``flickrwire.commands.call.call``,
``flickrwire.commands.auth.auth``) that ``flickrwire.cli`` registers. They take their
surroundings from a :class:`Runtime` in click's context object, so a test passes
``CliRunner().invoke(app, args, obj=Runtime(http_client=...))`` to put an
``httpx.MockTransport`` or the in-process emulator under them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import httpx
import typer
from rich.console import Console

from ..auth import Credentials
from ..auth.oauth import DEFAULT_PROFILE, ConfigError, config_path, load_profile, read_profiles
from ..client import DEFAULT_TIMEOUT
from ..exchange import deadline_transport

#: Environment variables that hold credentials, as for ``flickrwire conformance``.
ENV_KEY, ENV_SECRET = "FLICKR_API_KEY", "FLICKR_API_SECRET"
ENV_TOKEN, ENV_TOKEN_SECRET = "FLICKR_OAUTH_TOKEN", "FLICKR_OAUTH_TOKEN_SECRET"

#: Exit codes: 0 ok, 1 the server or network said no, 2 the command line or set-up is wrong.
EXIT_FAULT, EXIT_USAGE = 1, 2


def default_http_client(timeout: float | None) -> httpx.Client:
    """The commands' own client: its socket reads honour each call's total deadline, as a
    :class:`~flickrwire.Client` that builds its own does."""
    return httpx.Client(
        transport=deadline_transport(), timeout=DEFAULT_TIMEOUT if timeout is None else timeout
    )


@dataclass(frozen=True, slots=True)
class Runtime:
    """The commands' surroundings; tests pass their own as click's ``obj``."""

    http_client: Callable[[float | None], httpx.Client] = default_http_client


def runtime(ctx: typer.Context) -> Runtime:
    found = ctx.find_object(Runtime)
    return found if found is not None else Runtime()


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``Error: message`` on stderr and exit with ``code``."""
    stderr().print(f"Error: {message}", markup=False)
    raise typer.Exit(code)


ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile", help="Credentials profile in the credentials file (default: 'default')."
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="FLICKRWIRE_CONFIG",
        help="Credentials file (default: $XDG_CONFIG_HOME/flickrwire/credentials.json).",
    ),
]
TimeoutOption = Annotated[
    float | None, typer.Option("--timeout", help="Seconds to wait for the server.")
]


@dataclass(frozen=True, slots=True)
class Found:
    """Credentials for a call, the profile's base URL, and where they came from."""

    credentials: Credentials | None
    base_url: str | None
    source: str


def env_credentials(environ: Mapping[str, str]) -> Credentials | None:
    """Credentials from ``FLICKR_API_KEY`` and friends; None when the key is not set."""
    key = environ.get(ENV_KEY, "")
    secret = environ.get(ENV_SECRET, "")
    token = environ.get(ENV_TOKEN, "")
    token_secret = environ.get(ENV_TOKEN_SECRET, "")
    if not key:
        if secret or token or token_secret:
            raise ConfigError(f"{ENV_KEY} is not set but other FLICKR_* credentials are")
        return None
    if bool(token) != bool(token_secret):
        raise ConfigError(f"{ENV_TOKEN} and {ENV_TOKEN_SECRET} go together")
    if token and not secret:
        raise ConfigError(f"an OAuth token needs {ENV_SECRET} too")
    return Credentials(key, secret, token or None, token_secret or None)


def find_credentials(profile: str | None, config: Path | None, environ: Mapping[str, str]) -> Found:
    """An explicit ``--profile``; else the ``FLICKR_*`` variables; else the default
    profile if the credentials file has one; else none (unsigned calls)."""
    path = config_path(config, environ)
    if profile is not None:
        entry = load_profile(profile, path)
        return Found(entry.credentials, entry.base_url, f"profile {profile!r}")
    from_env = env_credentials(environ)
    if from_env is not None:
        return Found(from_env, None, "environment")
    entry_or_none = read_profiles(path).get(DEFAULT_PROFILE)
    if entry_or_none is None:
        return Found(None, None, "none")
    return Found(entry_or_none.credentials, entry_or_none.base_url, "profile 'default'")
