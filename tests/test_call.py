"""``Call`` and what it knows of methods: the catalogue plus hand-written hints; any other
method open."""

from __future__ import annotations

from typing import Any

import pytest

from flickrwire import Call, MethodSpec
from flickrwire.call import list_paths, spec_for, wire_value


def test_groups_leave_is_described_as_flickr_documents_it() -> None:
    # flickr.reflection.getMethodInfo for flickr.groups.leave (stored by christopheradams/
    # flickrex, lib/flickr/getMethodInfo/flickr.groups.leave.json): requiredperms 3 (delete),
    # group_id required, delete_photos optional, errors 1..3 with these messages.
    spec = spec_for("flickr.groups.leave")
    assert isinstance(spec, MethodSpec)
    assert spec.http_method == "POST"
    assert spec.perms == "delete"
    assert spec.required == ("group_id",)
    assert spec.optional == ("delete_photos",)
    assert spec.booleans == ("delete_photos",)
    assert dict(spec.errors) == {
        1: "Required arguments missing",
        2: "Group does not exist",
        3: "Account is not in that group",
    }
    assert spec.post_required
    assert spec_for("flickr.groups.leave") is spec


def test_build_checks_the_required_argument() -> None:
    with pytest.raises(TypeError, match="group_id"):
        Call.build("flickr.groups.leave", {"delete_photos": True})
    with pytest.raises(TypeError, match="group_id"):
        Call.build("flickr.groups.leave")


def test_a_none_required_argument_counts_as_missing() -> None:
    with pytest.raises(TypeError, match="group_id"):
        Call.build("flickr.groups.leave", {"group_id": None})


@pytest.mark.parametrize("method", ["", None, 42])
def test_build_refuses_a_method_that_is_not_a_name(method: Any) -> None:
    with pytest.raises(TypeError, match="method"):
        Call.build(method, {})


@pytest.mark.parametrize(("value", "wire"), [(True, "1"), (False, "0")])
def test_delete_photos_goes_as_one_or_zero(value: bool, wire: str) -> None:
    call = Call.build("flickr.groups.leave", {"group_id": "12345@N01", "delete_photos": value})
    assert call == Call(
        "flickr.groups.leave", {"group_id": "12345@N01", "delete_photos": wire}, "POST"
    )


def test_unknown_methods_take_the_callers_params_as_they_are() -> None:
    call = Call.build(
        "flickr.photos.notInTheCatalogue",
        {"user_id": "me", "per_page": 5, "safe_search": 1, "tags": "cat"},
    )
    assert call.method == "flickr.photos.notInTheCatalogue"
    assert call.http_method == "POST"
    assert dict(call.params) == {
        "user_id": "me",
        "per_page": "5",
        "safe_search": "1",
        "tags": "cat",
    }
    assert call.spec is None


def test_none_params_are_dropped() -> None:
    call = Call.build("flickr.groups.leave", {"group_id": "12345@N01", "delete_photos": None})
    assert dict(call.params) == {"group_id": "12345@N01"}
    assert dict(Call.build("flickr.test.echo", {"a": None, "b": ""}).params) == {"b": ""}


def test_list_values_are_joined_by_commas() -> None:
    call = Call.build(
        "flickr.photos.search",
        {"extras": ["url_o", "date_taken"], "tags": ("cat", "dog"), "flags": [True, False, 3]},
    )
    assert dict(call.params) == {
        "extras": "url_o,date_taken",
        "tags": "cat,dog",
        "flags": "1,0,3",
    }


def test_wire_value_stringifies_scalars() -> None:
    assert wire_value(12345) == "12345"
    assert wire_value("\u5315\u4e03") == "\u5315\u4e03"
    assert wire_value([]) == ""


def test_call_is_frozen_and_compares_by_value() -> None:
    call = Call("flickr.test.echo", {"a": "1"})
    assert call == Call("flickr.test.echo", {"a": "1"}, "POST")
    with pytest.raises(AttributeError):
        call.method = "flickr.test.null"  # type: ignore[misc]


def test_list_hints_come_from_the_catalogue() -> None:
    assert list_paths("flickr.groups.members.getList") == ("members.member",)
    assert list_paths("flickr.groups.leave") == ()
    assert list_paths("flickr.not.described") == ()
