"""Where the shared Flickr samples live, and what a test does when they are missing.

The samples (``../shared/flickr-samples`` beside the repository, each with a ``.source``
file) hold real Flickr answers and credentials, so they are not in the repository.
``FLICKRWIRE_SAMPLES`` points elsewhere. On a developer's machine a missing folder skips
the tests that read it, with the folder named; on CI (``CI`` set, as every CI service
does, and as ``.ci/run`` does) it fails them instead: CI has the folder, and a silently
smaller suite there would pass without checking what it claims to.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

SAMPLES = Path(
    os.environ.get("FLICKRWIRE_SAMPLES")
    or Path(__file__).resolve().parents[2] / "shared" / "flickr-samples"
)
ON_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose tool or data is missing here; on CI, which promises them all
    (the samples folder, Node and npm), fail instead, so that nothing is left unchecked."""
    if ON_CI:
        pytest.fail(f"{reason}, and CI is set: CI must run this test", pytrace=False)
    pytest.skip(reason)


def require_samples() -> Path:
    """The samples folder; skip (locally) or fail (on CI) when it is missing."""
    if SAMPLES.is_dir():
        return SAMPLES
    if ON_CI:
        pytest.fail(
            f"the shared Flickr samples folder {SAMPLES} is missing, and CI is set: "
            "CI must run the tests that read it (set FLICKRWIRE_SAMPLES to its path)",
            pytrace=False,
        )
    pytest.skip(f"the shared Flickr samples folder {SAMPLES} is not there")


#: Mark for a test (or ``pytestmark`` for a module) that reads the samples.
needs_samples = pytest.mark.usefixtures("shared_samples")
