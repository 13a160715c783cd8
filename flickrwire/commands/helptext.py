"""How ``--help`` reads: plain value names (``PATH``, ``TEXT``, ``SECONDS``) instead of
typer's ``<bool>`` and ``<list[Path]>``, no type at all for a flag, and an example under
every command.

typer labels each option with its Python type; the command classes here relabel every
parameter that names no ``metavar`` of its own when the help is built, so the command
functions keep their plain ``typer.Option`` declarations.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup

#: typer's type label -> the value name shown in help ("" for a flag: it takes none).
LABELS = {
    "bool": "",
    "str": "TEXT",
    "path": "PATH",
    "Path": "PATH",
    "int": "INTEGER",
    "float": "NUMBER",
}
#: Options whose value has a better name than its type.
OPTION_LABELS = {
    "base_url": "URL",
    "api_base_url": "URL",
    "timeout": "SECONDS",
    "profile": "NAME",
    "env": "NAME",
    "transport": "NAME",
    "transports": "NAMES",
    "codec": "NAME",
    "codecs": "NAMES",
    "scenario_ids": "IDS",
    "tags": "TAGS",
    "group_id": "ID",
    "out": "DIR",
    "record": "DIR",
    "port": "PORT",
    "host": "ADDRESS",
    "db": "FILE",
    "verifier": "CODE",
    "admin_token": "TOKEN",
    "max_body": "BYTES",
    "blocked_url": "TEXT",
    "public_url": "URL",
    "api_key": "KEY",
    "api_secret": "SECRET",
    "kind": "KIND",
    "mode": "MODE",
    "signing": "MODE",
    "across": "WHAT",
}

#: One example per command, shown under its options (``--help``).
EXAMPLES = {
    "replay": "flickrwire replay fixtures/ --json replay.json",
    "record": (
        "flickrwire record --emulator flickr.groups.leave group_id=30000001@N01 "
        "-t all -c all -o recorded/"
    ),
    "diff": "flickrwire diff fixtures/ recorded/ --strict",
    "har export": "flickrwire har export fixtures/ fixtures.har",
    "har import": "flickrwire har import session.har fixtures/imported/ --kind real",
    "conformance": (
        "flickrwire conformance --base-url http://127.0.0.1:8080/services/ --json report.json"
    ),
    "serve": "flickrwire serve --port 8080 --admin",
    "call": "flickrwire call flickr.groups.leave group_id=12345@N01 -t soap -c xml",
    "auth": "flickrwire auth --start-only (then: flickrwire auth --verifier CODE)",
}


def epilog(command: str) -> str:
    return f"Example: {EXAMPLES[command]}"


def _label(param: Any, ctx: Any) -> str:
    """The value name for ``param``: its own metavar, a better name for its option, or
    one from its type (choices stay as typer lists them: ``json|xml``)."""
    if param.metavar is not None:
        return str(param.metavar)
    if getattr(param, "is_flag", False):
        return ""
    shown = str(param.display_type(ctx)).strip("<>")
    inner = shown.removeprefix("list[").removesuffix("]")
    if "|" in inner:  # the choices say it best
        return inner
    return OPTION_LABELS.get(param.name, LABELS.get(inner, inner))


def _relabel(params: list[Any], ctx: Any) -> list[Any]:
    for param in params:
        if getattr(param, "readable_label", None) is not None:
            continue  # done when an earlier call built the help or parsed the line
        label = param.readable_label = _label(param, ctx)
        if param.param_type_name == "argument":
            # The argument's name in the usage line; its type column ignores metavars,
            # so the instance answers with the label itself.
            param.metavar = param.metavar or param.name.upper()
            param.display_type_rich = lambda ctx, label=label: label or None
        else:
            param.metavar = label
    return params


class ReadableCommand(TyperCommand):
    """A command whose ``--help`` names values plainly (see the module docstring)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _relabel(super().get_params(ctx), ctx)


class ReadableGroup(TyperGroup):
    """A group whose own options (``--help``, ``--version``) read the same way."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _relabel(super().get_params(ctx), ctx)
