"""``flickrwire call METHOD key=value ...``: send one Flickr call and print its Result.

The Result is printed readably (outcome, fault, HTTP status, payload as a tree) or, with
``--json``, as one JSON object. ``-v`` also shows both raw exchanges on stderr with every
credential, signature and nonce redacted (``flickrwire.redact``: ``redact_request`` for
the request, ``redact_body`` for the answer, then every known secret value scrubbed).
Exit code 0 when ok, 1 on a fault, 2 on a usage error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import httpx
import typer
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .. import transports
from ..auth import Credentials, SigningMode
from ..auth.oauth import ConfigError
from ..call import Call, spec_for
from ..client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, Client, InsecureURLError, check_base_url
from ..printable import printable
from ..recording.redact import (
    RedactionError,
    redact_body,
    redact_header,
    redact_payload,
    redact_request,
    scrub,
)
from ..result import Fault, Result
from . import (
    EXIT_FAULT,
    ConfigOption,
    ProfileOption,
    TimeoutOption,
    fail,
    find_credentials,
    runtime,
    stderr,
)

Codec = Literal["json", "xml"]


def parse_params(items: list[str]) -> dict[str, str]:
    """``key=value`` words as params (split at the first ``=``); a usage error otherwise."""
    params: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise typer.BadParameter(
                f"{item!r} is not key=value (example: group_id=12345678@N00)",
                param_hint="PARAMS",
            )
        if name in params:
            raise typer.BadParameter(f"{name!r} is given twice", param_hint="PARAMS")
        params[name] = value
    return params


def build_call(method: str, params: dict[str, str], *, unchecked: bool) -> Call:
    """The call, checked against the catalogue unless ``unchecked``."""
    if unchecked:
        spec = spec_for(method)
        return Call(method, params, spec.http_method if spec else "POST")
    try:
        return Call.build(method, params)
    except TypeError as exc:
        raise typer.BadParameter(
            f"{exc} (or pass --unchecked to send it anyway)", param_hint="PARAMS"
        ) from exc


# -- showing the exchange (-v) ------------------------------------------------------------


class Tap:
    """httpx event hooks that keep what went out and the head of what came back."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []

    def on_request(self, request: httpx.Request) -> None:
        self.requests.append(request)

    def on_response(self, response: httpx.Response) -> None:
        self.responses.append(response)

    def attach(self, http: httpx.Client) -> None:
        hooks = http.event_hooks
        hooks["request"] = [*hooks.get("request", []), self.on_request]
        hooks["response"] = [*hooks.get("response", []), self.on_response]
        http.event_hooks = hooks


def request_text(request: httpx.Request) -> str:
    """The request as sent, every credential redacted; never the request if that fails."""
    try:
        shown = redact_request(request)
    except RedactionError as exc:
        return f"> (request not shown: {exc})"
    lines = [f"> {shown.method} {shown.url}"]
    lines += [f"> {name}: {value}" for name, value in shown.headers.items()]
    body = shown.read().decode("utf-8", "replace")
    return "\n".join([*lines, ">", body] if body else lines)


def response_text(response: httpx.Response, body: bytes) -> str:
    """The response head and ``body`` with echoed credentials redacted."""
    version = response.extensions.get("http_version", b"HTTP/1.1")
    head = version.decode("ascii", "replace") if isinstance(version, bytes) else str(version)
    lines = [f"< {head} {response.status_code} {response.reason_phrase}".rstrip()]
    lines += [f"< {name}: {redact_header(name, value)}" for name, value in response.headers.items()]
    text = redact_body(body).decode("utf-8", "replace")
    return "\n".join([*lines, "<", text] if text else lines)


def show_exchange(console: Console, tap: Tap, result: Result, secrets: list[str]) -> None:
    """Both exchanges; ``secrets`` (the credentials used) are scrubbed once more."""
    texts = [request_text(request) for request in tap.requests]
    for index, response in enumerate(tap.responses):
        # The body as read is in the Result; an earlier answer (a redirect) is not shown.
        last = index == len(tap.responses) - 1
        texts.append(response_text(response, result.raw if last else b""))
    if not tap.responses:
        texts.append("< (no response)")
    for text in texts:
        console.print(scrub(text, secrets), markup=False)


# -- showing the Result -------------------------------------------------------------------


def _fault_view(fault: Fault) -> dict[str, Any]:
    return {
        "code": fault.code,
        "message": fault.message,
        "origin": fault.origin,
        "retryable": fault.retryable,
    }


def as_json(result: Result, secrets: list[str]) -> dict[str, Any]:
    """The Result as shown: payload entries named like credentials redacted (Flickr's
    flickr.test.echo echoes ``api_key``), and any known secret value scrubbed."""
    fault = result.fault
    view = {
        "method": result.method,
        "ok": result.ok,
        "transport": result.transport,
        "codec": result.codec,
        "http_status": result.http_status,
        "fault": None if fault is None else _fault_view(fault),
        "payload": redact_payload(result.payload),
    }
    shown: dict[str, Any] = json.loads(scrub(json.dumps(view), secrets))
    return shown


def _branch(node: Tree, key: str, value: Any) -> None:
    """Flickr's JSON shape as a tree: ``_content`` shown beside its element's name."""
    if isinstance(value, Mapping):
        content = value.get("_content")
        child = node.add(Text(key if content is None else f"{key}: {content}"))
        for name, item in value.items():
            if name != "_content":
                _branch(child, name, item)
    elif isinstance(value, list):
        child = node.add(Text(f"{key} [{len(value)}]"))
        for index, item in enumerate(value):
            _branch(child, f"[{index}]", item)
    else:
        node.add(Text(f"{key}: {value}"))


def render(view: Mapping[str, Any]) -> RenderableType:
    """The view of :func:`as_json` as a grid of fields and a payload tree."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    outcome = Text("ok", style="bold green") if view["ok"] else Text("fault", style="bold red")
    grid.add_row("result", outcome)
    grid.add_row("method", Text(view["method"]))
    grid.add_row("via", Text(f"{view['transport']}/{view['codec']}"))
    status = view["http_status"]
    grid.add_row("HTTP status", Text("none (no response)" if status is None else str(status)))
    fault = view["fault"]
    if fault is not None:
        grid.add_row("code", Text("none" if fault["code"] is None else str(fault["code"])))
        grid.add_row("message", Text(printable(fault["message"])))
        grid.add_row("origin", Text(fault["origin"]))
        grid.add_row("retryable", Text("yes" if fault["retryable"] else "no"))
    if not view["payload"]:
        return Group(grid, Text("payload: (empty)"))
    tree = Tree(Text("payload"))
    for key, value in view["payload"].items():
        _branch(tree, key, value)
    return Group(grid, tree)


# -- the command --------------------------------------------------------------------------


def known_secrets(credentials: Credentials | None) -> list[str]:
    if credentials is None:
        return []
    values = (credentials.api_key, credentials.api_secret)
    return [v for v in (*values, credentials.oauth_token, credentials.oauth_token_secret) if v]


def _bad(message: str, option: str) -> typer.BadParameter:
    return typer.BadParameter(message, param_hint=f"'{option}'")


def _client(
    http: httpx.Client,
    transport: str,
    codec: str,
    signing: SigningMode,
    credentials: Credentials | None,
    base_url: str,
    timeout: float | None,
) -> Client:
    """The client for this call; what the options got wrong is a usage error naming it.
    ``timeout`` bounds the whole call (the client's deadline), not only each read."""
    try:
        transports.get(transport)
    except ValueError as exc:
        raise _bad(str(exc), "--transport") from exc
    try:
        check_base_url(base_url)
    except InsecureURLError as exc:
        raise _bad(str(exc), "--base-url") from exc
    if credentials is None and signing not in ("auto", "none"):
        message = f"{signing!r} signing needs credentials (FLICKR_API_KEY... or a profile)"
        raise _bad(message, "--signing")
    return Client(
        transport,
        codec,
        credentials,
        base_url=base_url,
        signing=signing,
        http_client=http,
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
    )


def call(
    ctx: typer.Context,
    method: Annotated[str, typer.Argument(help="Flickr method, e.g. flickr.groups.leave.")],
    params: Annotated[
        list[str] | None, typer.Argument(help="Arguments as key=value.", show_default=False)
    ] = None,
    transport: Annotated[
        str, typer.Option("--transport", "-t", help="rest, xmlrpc, soap or a plugin's name.")
    ] = "rest",
    codec: Annotated[Codec, typer.Option("--codec", "-c", help="Response format.")] = "json",
    base_url: Annotated[
        str | None, typer.Option("--base-url", help=f"API base URL (default: {DEFAULT_BASE_URL}).")
    ] = None,
    profile: ProfileOption = None,
    config: ConfigOption = None,
    signing: Annotated[SigningMode, typer.Option(help="How to sign the call.")] = "auto",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show both raw exchanges (redacted).")
    ] = False,
    as_json_: Annotated[bool, typer.Option("--json", help="Print the Result as JSON.")] = False,
    unchecked: Annotated[
        bool, typer.Option("--unchecked", help="Skip the catalogue's argument check.")
    ] = False,
    timeout: TimeoutOption = None,
) -> None:
    """Send one Flickr call and print its Result (exit 0 ok, 1 fault, 2 usage error).

    Credentials: --profile, else FLICKR_API_KEY, FLICKR_API_SECRET, FLICKR_OAUTH_TOKEN,
    FLICKR_OAUTH_TOKEN_SECRET, else the credentials file's 'default' profile.
    """
    flickr_call = build_call(method, parse_params(params or []), unchecked=unchecked)
    try:
        found = find_credentials(profile, config, os.environ)
    except ConfigError as exc:
        fail(str(exc))
    url = base_url or found.base_url or DEFAULT_BASE_URL
    tap = Tap()
    with runtime(ctx).http_client(timeout) as http:
        client = _client(http, transport, codec, signing, found.credentials, url, timeout)
        if verbose:
            tap.attach(http)
        result = client.send(flickr_call)
    secrets = known_secrets(found.credentials)
    if verbose:
        show_exchange(stderr(), tap, result, secrets)
    view = as_json(result, secrets)
    if as_json_:
        typer.echo(json.dumps(view, indent=2, ensure_ascii=False))
    else:
        Console(highlight=False, soft_wrap=True).print(render(view))
    raise typer.Exit(0 if result.ok else EXIT_FAULT)
