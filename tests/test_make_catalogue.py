"""tools/make_catalogue.py reads its three sources as data: checked here on small inputs in
each source's own layout, and once on the real pinned packages, which npm and pip fetch in
subprocesses (the test process itself never leaves loopback)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from sampledir import unavailable

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_catalogue", ROOT / "tools" / "make_catalogue.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_catalogue"] = module
    spec.loader.exec_module(module)
    return module


# The layout of flickr-sdk 7's dist/services/rest/flickr.groups.leave.d.ts.
SDK_TYPE = """/**
 * This file was auto-generated on 2023-10-24T15:44:49.736Z
 * flickr.groups.leave
 * Leave a group.

<br /><br />If the user is the last person in the group, the group will be deleted.
 * Permissions required: delete
 */
export type FlickrGroupsLeaveParams = {
    /**
     * The NSID of the Group to leave
     */
    group_id: string;
    /**
   * Delete all photos
  <br/>by this user
   */
    delete_photos?: string;
};
"""


def test_a_flickr_sdk_type_file(tool: ModuleType) -> None:
    entry = tool.read_sdk_type(SDK_TYPE)
    assert entry["name"] == "flickr.groups.leave"
    assert entry["perms"] == "delete"
    assert entry["date"] == "2023-10-24"
    assert entry["description"].startswith("Leave a group.\n\n<br /><br />If the user")
    assert entry["arguments"] == [
        {"name": "group_id", "required": True, "description": "The NSID of the Group to leave"},
        {
            "name": "delete_photos",
            "required": False,
            "description": "Delete all photos\n<br/>by this user",
        },
    ]


def test_a_method_without_arguments(tool: ModuleType) -> None:
    text = "/**\n * auto-generated on 2023-10-24T1\n * flickr.test.null\n * Null test\n"
    text += " * Permissions required: read\n */\nexport type FlickrTestNullParams = {};\n"
    entry = tool.read_sdk_type(text)
    assert (entry["name"], entry["perms"], entry["arguments"]) == ("flickr.test.null", "read", [])


def test_own_errors_leave_out_the_global_ones(tool: ModuleType) -> None:
    errors = [
        {"code": "2", "message": "Group does not exist", "_content": "No such group"},
        {"code": 96, "message": "Invalid signature", "_content": "..."},
        {"code": "1", "message": "Required arguments missing", "_content": ""},
        {"code": "1", "message": "a duplicate", "_content": ""},
    ]
    assert tool.own_errors(errors, "_content") == [
        {"code": 1, "message": "Required arguments missing", "description": ""},
        {"code": 2, "message": "Group does not exist", "description": "No such group"},
    ]


def test_merge_records_a_source_for_every_field(tool: ModuleType) -> None:
    sdk = tool.read_sdk_type(SDK_TYPE)
    pomax = {
        "security": {"needslogin": 1, "needssigning": 1, "requiredperms": 3},
        "errors": [{"code": "3", "message": "Account is not in that group", "_content": "x"}],
    }
    pyapi = {"response": "  ", "errors": []}
    post = re.compile(r"^flickr.groups.leave$")
    entry = tool.merge("flickr.groups.leave", sdk, post, pomax, pyapi)
    assert entry["post"] is True and entry["needs_login"] is True
    assert entry["errors"] == [
        {"code": 3, "message": "Account is not in that group", "description": "x"}
    ]
    assert entry["example"] is None  # a blank documented response is no example
    assert entry["sources"] == {
        "description": "flickr-sdk",
        "arguments": "flickr-sdk",
        "perms": "flickr-sdk",
        "post": "flickr-sdk",
        "auth": "flickrapi",
        "errors": "flickrapi",
        "example": "none",
    }


def test_a_method_only_the_reflection_output_knows(tool: ModuleType) -> None:
    pomax = {
        "security": {"needslogin": 0, "needssigning": 0, "requiredperms": "1"},
        "required": [{"name": "api_key", "_content": "key"}, {"name": "cat_id", "_content": "c"}],
        "optional": [{"name": "page", "_content": "p"}],
    }
    pyapi = {"description": "Browse groups.", "response": "<category/>"}
    entry = tool.merge("flickr.groups.browse", None, re.compile("^$"), pomax, pyapi)
    assert entry["perms"] == "read"
    assert [(a["name"], a["required"]) for a in entry["arguments"]] == [
        ("cat_id", True),
        ("page", False),
    ]
    assert entry["example"] == "<category/>"
    assert entry["sources"]["post"] == "none" and entry["sources"]["example"] == "flickr-api"


def test_rendering_is_deterministic(tool: ModuleType) -> None:
    data = {"b": {"y": 1, "x": [2, 1]}, "a": "\u00e9"}
    assert tool.render(data) == tool.render(dict(reversed(list(data.items()))))
    assert tool.render(data).startswith('{\n "a": "\u00e9",')


def test_the_shipped_catalogue_is_what_the_generator_makes_from_its_pinned_sources() -> None:
    """The catalogue file and its generator in step: regenerate from the pinned packages
    (npm and PyPI, as the real-client tests install theirs) and compare byte for byte.

    The packages are fetched by subprocesses of npm and pip into a cached folder
    (``$FLICKRWIRE_CATALOGUE_CACHE``, default ``~/.cache/flickrwire-catalogue``); the
    test process itself opens no socket."""
    import os
    import shutil
    import subprocess

    if shutil.which("npm") is None:
        unavailable("npm is not installed: two of the catalogue's sources are npm packages")
    default = Path.home() / ".cache" / "flickrwire-catalogue"
    cache = Path(os.environ.get("FLICKRWIRE_CATALOGUE_CACHE", default))
    tool = str(ROOT / "tools" / "make_catalogue.py")
    done = subprocess.run(
        [sys.executable, tool, "--check", "--cache", str(cache)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "up to date" in done.stdout
