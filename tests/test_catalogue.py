"""Flickr's method catalogue: the shipped data file, its loader, and what calls take from it."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import pytest

from flickrwire import Call, catalogue
from flickrwire.call import spec_for


def test_the_catalogue_holds_flickrs_whole_api() -> None:
    names = catalogue.names()
    assert len(names) >= 200
    assert list(names) == sorted(names)
    assert len(set(names)) == len(names)
    assert all(name.startswith("flickr.") for name in names)
    assert [m.name for m in catalogue.methods()] == list(names)


def test_every_method_has_a_permission_and_a_source_for_each_field() -> None:
    fields = {"description", "arguments", "perms", "post", "auth", "errors", "example"}
    for m in catalogue.methods():
        assert m.perms in catalogue.PERMS, m.name
        assert set(m.field_sources) == fields, m.name
        assert set(m.field_sources.values()) <= set(catalogue.sources()), m.name


def test_groups_leave_as_flickr_documents_it() -> None:
    leave = catalogue.method("flickr.groups.leave")
    assert (leave.perms, leave.perm_level) == ("delete", 3)
    assert leave.post_required is True
    assert leave.needs_login is True and leave.needs_signing is True
    assert leave.required == ("group_id",)
    assert leave.optional == ("delete_photos",)
    assert leave.arguments[0].description == "The NSID of the Group to leave"
    assert [(e.code, e.message) for e in leave.errors] == [
        (1, "Required arguments missing"),
        (2, "Group does not exist"),
        (3, "Account is not in that group"),
    ]
    assert leave.example is None  # an empty success: Flickr documents no payload
    assert leave.source("example").key == "none"


def test_a_read_method_with_an_example_response() -> None:
    echo = catalogue.method("flickr.test.echo")
    assert echo.perms == "none" and echo.post_required is False
    login = catalogue.method("flickr.test.login")
    assert login.perms == "read"
    assert login.example is not None and login.example.startswith("<user")
    assert login.source("example").name == "flickr-api"
    search = catalogue.method("flickr.photos.search")
    assert {"user_id", "tags", "text", "extras", "per_page", "page"} <= search.argument_names
    assert search.required == ()


def test_global_errors_are_not_a_methods_own() -> None:
    for m in catalogue.methods():
        assert not {e.code for e in m.errors} & {95, 96, 97, 98, 99, 100, 105, 116}, m.name


def test_write_methods_want_post_and_read_methods_do_not() -> None:
    for m in catalogue.methods():
        if m.field_sources["post"] == "flickr-sdk":
            assert m.post_required == (m.perms in ("write", "delete")), m.name


def test_sources_carry_package_version_and_date() -> None:
    table = catalogue.sources()
    sdk = table["flickr-sdk"]
    assert (sdk.registry, sdk.name, sdk.version) == ("npm", "flickr-sdk", "7.1.0")
    assert sdk.date == "2023-10-24"
    assert sdk.digest is not None and sdk.digest.startswith("sha512-")
    assert table["flickrapi"].version == "0.6.2"
    assert table["flickr-api"].registry == "pypi"
    assert catalogue.method("flickr.groups.leave").source("errors") is table["flickrapi"]


def test_lookup_and_method_for_an_unknown_name() -> None:
    assert catalogue.lookup("flickr.grops.leeve") is None
    with pytest.raises(KeyError, match=r"flickr\.grops\.leeve"):
        catalogue.method("flickr.grops.leeve")


def test_namespaces_are_the_dotted_prefixes() -> None:
    spaces = catalogue.namespaces()
    assert {"flickr", "flickr.groups", "flickr.groups.discuss.replies"} <= spaces
    assert "flickr.groups.leave" not in spaces


def test_the_data_file_ships_inside_the_package() -> None:
    raw = json.loads(resources.files("flickrwire.catalogue").joinpath("methods.json").read_text())
    assert raw["generated_by"] == "tools/make_catalogue.py"
    assert len(raw["methods"]) == len(catalogue.names())


def test_importing_flickrwire_leaves_the_catalogue_for_first_use() -> None:
    code = (
        "import sys, flickrwire; print('flickrwire.catalogue' in sys.modules);"
        "import flickrwire.catalogue as c; print(c._load.cache_info().currsize);"
        "flickrwire.Call.build('flickr.test.echo'); print(c._load.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "0", "1"]


def test_calls_check_required_arguments_of_any_catalogue_method() -> None:
    with pytest.raises(
        TypeError, match=r"flickr\.photos\.getInfo requires argument\(s\): photo_id"
    ):
        Call.build("flickr.photos.getInfo", {"secret": "abc"})
    with pytest.raises(TypeError, match="topic, callback, verify"):
        Call.build("flickr.push.subscribe", {})
    call = Call.build("flickr.photos.getInfo", {"photo_id": 12})
    assert dict(call.params) == {"photo_id": "12"}


def test_spec_merges_the_catalogue_with_the_hand_written_hints() -> None:
    spec = spec_for("flickr.groups.members.getList")
    assert spec is not None
    assert spec.list_paths == ("members.member",)
    assert spec.perms == "read"
    assert spec.required == ("group_id",)
    assert spec.errors == {1: "Group not found"}
    assert spec_for("flickr.not.a.method") is None
