"""The bridge examples run as a user would run them, each against the emulator it starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("bridge_requests.py", "leave again: 3 Error: 3: Account is not in that group"),
        ("bridge_httpx.py", "replayed: 3"),
        ("bridge_xmlrpc.py", "fault: 100 Invalid API Key"),
        ("bridge_zeep.py", "fault: flickr.error.100 Invalid API Key"),
    ],
)
def test_example_runs(script: str, expected: str) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
