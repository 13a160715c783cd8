"""The shared samples guard: without the samples folder a local run skips the tests that
read it, naming the folder; a CI run (``CI`` set) fails them, naming the folder, so that CI
never goes green on a silently smaller suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sampledir import SAMPLES, require_samples

REPO = Path(__file__).resolve().parents[1]
# Four tests of test_oauth.py read recorded OAuth answers from the samples.
SELECTION = ["tests/test_oauth.py", "-k", "recorded"]


def run_pytest(missing: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["FLICKRWIRE_SAMPLES"] = str(missing)
    if ci is not None:
        env["CI"] = ci
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"]
    return subprocess.run(
        command + SELECTION, cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("ci", ["true"])
def test_on_ci_a_missing_samples_folder_fails_naming_it(tmp_path: Path, ci: str) -> None:
    missing = tmp_path / "no-flickr-samples"
    done = run_pytest(missing, ci)
    assert done.returncode == 1, done.stdout
    assert "4 errors" in done.stdout and "skipped" not in done.stdout
    assert f"the shared Flickr samples folder {missing} is missing, and CI is set" in done.stdout


@pytest.mark.parametrize("ci", [None, "false"])
def test_locally_a_missing_samples_folder_skips_naming_it(tmp_path: Path, ci: str | None) -> None:
    missing = tmp_path / "no-flickr-samples"
    done = run_pytest(missing, ci)
    assert done.returncode == 0, done.stdout
    assert "4 skipped" in done.stdout
    assert f"the shared Flickr samples folder {missing} is not there" in done.stdout


def test_with_the_folder_the_same_tests_run(tmp_path: Path) -> None:
    # A folder holding copies of the samples they read: the tests pass, none skipped.
    require_samples()  # the real folder, or skip / fail as above
    folder = tmp_path / "flickr-samples"
    folder.mkdir()
    for name in SAMPLES.iterdir():
        (folder / name.name).write_bytes(name.read_bytes())
    done = run_pytest(folder, "true")
    assert done.returncode == 0, done.stdout
    assert "4 passed" in done.stdout
