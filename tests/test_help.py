"""``--help`` of every command reads plainly: value names instead of typer's Python types,
no type beside a flag, an example under the options; ``--version`` prints the version."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

import flickrwire
from flickrwire.cli import app
from flickrwire.commands.helptext import EXAMPLES

runner = CliRunner()
ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
COMMANDS = sorted(EXAMPLES)


def _help(command: str) -> str:
    result = runner.invoke(app, [*command.split(), "--help"], env=ENV)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_has_an_example() -> None:
    registered = {"har export", "har import"} | {
        c.name for c in app.registered_commands if c.name is not None
    }
    assert registered == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_an_example_and_no_python_types(command: str) -> None:
    text = _help(command)
    assert re.findall(r"<[a-zA-Z\[\]|]+>", text) == []  # no <bool>, <str>, <list[Path]>
    assert f"Example: flickrwire {command} " in " ".join(text.split())
    flag = re.search(r"│ --help\s+(\S+)", text)
    assert flag is not None and flag.group(1) == "Show"  # a flag shows no value name


def test_value_names_say_what_to_give() -> None:
    text = _help("conformance")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"│ (--[a-z-]+)\s+([A-Z|]+)\s", text)}
    assert rows["--base-url"] == "URL"
    assert rows["--scenario-file"] == "PATH"
    assert rows["--timeout"] == "SECONDS"
    assert "--bail" not in rows
    call = _help("call")
    assert "Usage: flickrwire call [OPTIONS] {METHOD} [PARAMS]..." in call
    assert re.search(r"--codec\s+-c\s+json\|xml", call)


def test_version() -> None:
    result = runner.invoke(app, ["--version"], env=ENV)
    assert result.exit_code == 0
    assert result.output == f"flickrwire {flickrwire.__version__}\n"
