"""``flickrwire auth``: the three-legged OAuth flow, ending in a stored access token.

Interactive: get a request token, print the authorize URL, read the verifier from the
prompt, trade it for an access token and store it in the credentials file (0600).
For scripts and remote shells the flow splits in two runs: ``--start-only`` keeps the
request token in the profile and stops after printing the URL; ``--verifier CODE``
finishes it. The output names the user (username, NSID), never a token or secret.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from ..auth import Credentials
from ..auth.oauth import (
    DEFAULT_PROFILE,
    FLICKR_OAUTH_BASE,
    AccessToken,
    ConfigError,
    OAuthFlow,
    Profile,
    RequestToken,
    config_path,
    read_profiles,
    save_profile,
)
from ..client import InsecureURLError, check_base_url
from ..errors import FlickrwireError
from . import ENV_KEY, ENV_SECRET, EXIT_FAULT, ConfigOption, TimeoutOption, fail, runtime

Perms = Literal["read", "write", "delete"]


def api_base_for(oauth_base: str, explicit: str | None) -> str | None:
    """The API base URL to store with the token: ``explicit``; None (Flickr's API host)
    when the OAuth endpoints are Flickr's; else the same ``/services`` root, as the
    emulator serves both (our guess for other Flickr-compatible servers)."""
    if explicit:
        return explicit
    root = oauth_base.rstrip("/")
    return None if root == FLICKR_OAUTH_BASE else root + "/"


def consumer_for(key: str | None, secret: str | None, stored: Profile | None) -> Credentials:
    """The app's key and secret: options or environment, else the profile, else prompts."""
    if key and secret:
        return Credentials(key, secret)
    if stored is not None and (not key or key == stored.api_key):
        return Credentials(stored.api_key, secret or stored.api_secret)
    key = key or typer.prompt("API key")
    secret = secret or typer.prompt("API secret", hide_input=True)
    return Credentials(key, secret)


def _with_request_token(
    consumer: Credentials, pending: RequestToken, api_base: str | None, before: Profile | None
) -> Profile:
    """The profile while a request token waits: an earlier token for the same app stays."""
    fields = {"request_token": pending.token, "request_token_secret": pending.secret}
    if before is not None and before.api_key == consumer.api_key:
        return replace(before, api_secret=consumer.api_secret, **fields)
    return Profile(consumer.api_key, consumer.api_secret, base_url=api_base, **fields)


def _with_access_token(consumer: Credentials, access: AccessToken, api_base: str | None) -> Profile:
    return Profile(
        consumer.api_key,
        consumer.api_secret,
        access.token,
        access.secret,
        user_nsid=access.user_nsid,
        username=access.username,
        base_url=api_base,
    )


def _save(name: str, profile: Profile, path: Path) -> None:
    try:
        save_profile(name, profile, path)
    except (ConfigError, OSError) as exc:
        fail(f"could not write {path}: {exc}")


#: The options the second run (``--verifier``) needs again when the first run gave them.
RESUME_OPTIONS = (
    ("base_url", "--base-url"),
    ("api_base_url", "--api-base-url"),
    ("profile", "--profile"),
    ("config", "--config"),
)


def resume_command(ctx: typer.Context) -> str:
    """The command that finishes a ``--start-only`` run: every option that the second step
    reads and that this run set on its command line (not from a default or the
    environment, which the next run sees too)."""
    words = ["flickrwire", "auth"]
    for name, option in RESUME_OPTIONS:
        source = ctx.get_parameter_source(name)  # click's enum, or typer's own copy of it
        if source is not None and source.name == "COMMANDLINE":
            words += [option, str(ctx.params[name])]
    return shlex.join(words) + " --verifier CODE"


def _authorize(
    flow: OAuthFlow, perms: str, console: Console, save: Callable[[RequestToken], None] | None
) -> RequestToken:
    """Steps 1 and 2: a request token and the page to approve it; ``save`` keeps it."""
    pending = flow.request_token()
    console.print("Open this page, sign in and approve flickrwire:", markup=False)
    console.print(flow.authorize_url(pending, perms), markup=False)
    if save is not None:
        save(pending)
    return pending


def auth(
    ctx: typer.Context,
    base_url: Annotated[
        str, typer.Option("--base-url", help="Root of the OAuth endpoints ({base}/oauth/...).")
    ] = FLICKR_OAUTH_BASE,
    api_base_url: Annotated[
        str | None,
        typer.Option("--api-base-url", help="API base URL stored with the token."),
    ] = None,
    perms: Annotated[Perms, typer.Option("--perms", help="Permission to ask for.")] = "delete",
    profile: Annotated[
        str, typer.Option("--profile", help="Profile to store the token in.")
    ] = DEFAULT_PROFILE,
    config: ConfigOption = None,
    api_key: Annotated[
        str | None, typer.Option("--api-key", envvar=ENV_KEY, help="The app's key.")
    ] = None,
    api_secret: Annotated[
        str | None, typer.Option("--api-secret", envvar=ENV_SECRET, help="The app's secret.")
    ] = None,
    verifier: Annotated[
        str | None,
        typer.Option(
            "--verifier",
            help="Finish a --start-only run (give the same --base-url) with this code.",
        ),
    ] = None,
    start_only: Annotated[
        bool,
        typer.Option(
            "--start-only", help="Print the authorize URL, keep the request token, and stop."
        ),
    ] = False,
    timeout: TimeoutOption = None,
) -> None:
    """Authorize flickrwire for a Flickr account (OAuth 1.0a) and store the access token."""
    if start_only and verifier:
        raise typer.BadParameter(
            "give --start-only or --verifier, not both", param_hint="'--verifier'"
        )
    for option, url in (("--base-url", base_url), ("--api-base-url", api_base_url)):
        try:
            check_base_url(url or base_url)
        except InsecureURLError as exc:
            raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from exc
    path = config_path(config)
    try:
        before = read_profiles(path, repair=True).get(profile)
    except ConfigError as exc:
        fail(str(exc))
    pending = before.pending if before is not None else None
    if verifier and pending is None:
        message = f"no authorization in progress for profile {profile!r}"
        fail(message + "; run: flickrwire auth --start-only")
    consumer = consumer_for(api_key, api_secret, before)
    api_base = api_base_for(base_url, api_base_url)
    console = Console(highlight=False, soft_wrap=True)

    def keep(token: RequestToken) -> None:
        _save(profile, _with_request_token(consumer, token, api_base, before), path)

    with runtime(ctx).http_client(timeout) as http:
        flow = OAuthFlow(http, consumer, base_url=base_url)
        try:
            if pending is None or not verifier:
                pending = _authorize(flow, perms, console, keep if start_only else None)
                if start_only:
                    console.print(f"Then run: {resume_command(ctx)}", markup=False)
                    return
                verifier = typer.prompt("Verifier code")
            access = flow.access_token(pending, verifier)
        except FlickrwireError as exc:
            fail(f"authorization failed: {exc}", EXIT_FAULT)
    _save(profile, _with_access_token(consumer, access, api_base), path)
    who = f"{access.username} ({access.user_nsid})" if access.username else access.user_nsid
    console.print(f"Authorized {who}; token saved to profile {profile!r} in {path}", markup=False)
