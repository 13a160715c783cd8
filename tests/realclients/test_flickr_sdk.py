"""Node's official ``flickr-sdk`` 7 against ``flickrwire serve``: echo (GET, key only),
login (OAuth), leave ok, 3 and 2 (POST as ``multipart/form-data``), a bad key's 100 and a
read-only token's 99.

The SDK is installed with npm into a cached folder (``$FLICKRWIRE_NPM_CACHE``, default
``~/.cache/flickrwire-npm``) on first use; later runs reuse it. The test is skipped only
where ``node`` or ``npm`` is absent; a failed install fails it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sampledir import unavailable

from .conftest import BAD_KEY, NO_GROUP, TEST_GROUP, Served

SCRIPT = Path(__file__).with_name("flickr_sdk_matrix.cjs")
SDK = "flickr-sdk@7"


def npm_folder() -> Path:
    default = Path.home() / ".cache" / "flickrwire-npm"
    return Path(os.environ.get("FLICKRWIRE_NPM_CACHE", default))


def installed(folder: Path) -> Path:
    """``node_modules`` holding flickr-sdk 7, installed there first if need be."""
    modules = folder / "node_modules"
    manifest = modules / "flickr-sdk" / "package.json"
    if manifest.is_file() and json.loads(manifest.read_text())["version"].startswith("7."):
        return modules
    folder.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm")
    assert npm is not None
    done = subprocess.run(
        [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", SDK],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"npm install {SDK} failed: {done.stderr[-2000:]}"
    return modules


@pytest.fixture(scope="module")
def sdk_modules() -> Path:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        unavailable(f"{' and '.join(missing)} not installed: flickr-sdk is a Node package")
    return installed(npm_folder())


@pytest.fixture
def outcomes(sdk_modules: Path, emulator: Served) -> dict[str, Any]:
    conf = {
        "base_url": emulator.base_url,
        "key": emulator.key,
        "secret": emulator.secret,
        "tokens": {
            user: {"token": t.token, "secret": t.secret} for user, t in emulator.tokens.items()
        },
        "group": TEST_GROUP,
        "no_group": NO_GROUP,
        "bad_key": BAD_KEY,
    }
    node = shutil.which("node")
    assert node is not None
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(conf),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(sdk_modules)},
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_echo_and_login(outcomes: dict[str, Any]) -> None:
    echo, login = outcomes["echo"], outcomes["login"]
    assert echo["ok"] and echo["value"]["name"]["_content"] == "flickr-sdk & co"
    assert login["ok"] and login["value"]["user"]["username"]["_content"] == "bob"


def test_leave_as_multipart_ok_then_3_then_2(outcomes: dict[str, Any]) -> None:
    assert outcomes["leave_ok"] == {"ok": True, "value": {"stat": "ok"}}
    assert (outcomes["leave_again"]["ok"], outcomes["leave_again"]["code"]) == (False, 3)
    assert (outcomes["leave_no_group"]["ok"], outcomes["leave_no_group"]["code"]) == (False, 2)


def test_a_bad_key_is_100_and_a_read_only_token_99(outcomes: dict[str, Any]) -> None:
    assert (outcomes["bad_key"]["ok"], outcomes["bad_key"]["code"]) == (False, 100)
    assert (outcomes["read_only"]["ok"], outcomes["read_only"]["code"]) == (False, 99)
