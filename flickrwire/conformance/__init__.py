"""The conformance runner: declarative scenarios run over every transport x codec pair
against the embedded emulator or any Flickr-compatible server, with JSON, JUnit and HTML
reports. ``flickrwire conformance`` is its command (``command.py``)."""

from __future__ import annotations

from .model import Scenario, ScenarioError
from .results import Cell, Pair, RunResult, ScenarioRun
from .runner import Runner, all_pairs
from .scenarios import builtin, load_all, load_file, select

__all__ = [
    "Cell",
    "Pair",
    "RunResult",
    "Runner",
    "Scenario",
    "ScenarioError",
    "ScenarioRun",
    "all_pairs",
    "builtin",
    "load_all",
    "load_file",
    "select",
]
