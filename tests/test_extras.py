"""Without an optional extra, each entry point says in one line which one to install.

A fresh interpreter stands in for a machine without the extra: a ``None`` entry in
``sys.modules`` makes importing that module fail exactly as an absent one does.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from flickrwire.extras import extra_for

ENTRY = "from flickrwire.__main__ import main; main()"
EMULATOR = "import runpy; runpy.run_module('flickrwire.emulator', run_name='__main__')"


def _run_without(module: str, argv: list[str], code: str) -> subprocess.CompletedProcess[str]:
    script = f"import sys; sys.modules[{module!r}] = None; sys.argv = {argv!r}; {code}"
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("module", ["typer", "rich"])
def test_the_command_without_the_cli_extra_names_it_in_one_line(module: str) -> None:
    done = _run_without(module, ["flickrwire", "--help"], ENTRY)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines == [
        f"the flickrwire command needs the 'cli' extra ({module} is not installed): "
        "pip install 'flickrwire[cli]'"
    ]


def test_the_emulator_module_without_the_server_extra_names_it_in_one_line() -> None:
    done = _run_without("starlette", ["python -m flickrwire.emulator"], EMULATOR)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: python -m flickrwire.emulator needs the 'server' extra (starlette is not "
        "installed): pip install 'flickrwire[server]'"
    ]


def test_serve_without_the_server_extra_names_it_and_other_commands_still_work() -> None:
    done = _run_without("uvicorn", ["flickrwire", "serve"], ENTRY)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "Error: flickrwire serve needs the 'server' extra (uvicorn is not installed): "
        "pip install 'flickrwire[server]'"
    )
    helped = _run_without("starlette", ["flickrwire", "call", "--help"], ENTRY)
    assert helped.returncode == 0, helped.stderr
    assert "Usage" in helped.stdout


def test_a_missing_module_of_no_extra_is_not_blamed_on_one() -> None:
    assert extra_for(ModuleNotFoundError("x", name="lxml.etree")) is None
    assert extra_for(ModuleNotFoundError("x", name="starlette.routing")) == "server"
