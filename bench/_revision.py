"""The ``flickrwire`` package at a git revision, importable beside this tree's.

``package_at("HEAD~3")`` extracts the package with ``git archive`` into a temporary folder
under another name (``flickrwire_at_<rev>``) and imports it, so that one benchmark run can
interleave the old and the new code against the same baseline. It works because the
package imports itself relatively; the temporary folder goes when the process exits.
"""

from __future__ import annotations

import atexit
import importlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def package_at(rev: str) -> ModuleType:
    """Import the package as it was at ``rev`` (any name ``git archive`` takes)."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "flickrwire"],
        capture_output=True,
        check=True,
        cwd=ROOT,
    ).stdout
    folder = Path(tempfile.mkdtemp(prefix="flickrwire-rev-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    name = "flickrwire_at_" + re.sub(r"\W", "_", rev)
    (folder / "flickrwire").rename(folder / name)
    sys.path.insert(0, str(folder))
    return importlib.import_module(name)
