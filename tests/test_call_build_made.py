"""``Call.build`` sets a ``Call``'s slots itself (issue 11): the call it gives must be the
one the dataclass's own constructor gives, field for field, and stay frozen."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest

from flickrwire import Call

CASES: list[tuple[str, dict[str, Any], Call]] = [
    (
        "flickr.groups.leave",
        {"group_id": "34427469792@N01", "delete_photos": True},
        Call("flickr.groups.leave", {"group_id": "34427469792@N01", "delete_photos": "1"}),
    ),
    (
        "flickr.groups.leave",
        {"group_id": 5, "delete_photos": None},
        Call("flickr.groups.leave", {"group_id": "5"}, "POST"),
    ),
    (
        "flickr.made.up",
        {"tags": ["a", "b"], "n": False},
        Call("flickr.made.up", {"tags": "a,b", "n": "0"}),
    ),
    ("flickr.made.up", {}, Call("flickr.made.up", {}, "POST")),
]


@pytest.mark.parametrize(("method", "params", "expected"), CASES)
def test_build_gives_what_the_constructor_gives(
    method: str, params: dict[str, Any], expected: Call
) -> None:
    made = Call.build(method, params)
    assert type(made) is Call
    assert made == expected
    assert (made.method, dict(made.params), made.http_method) == (
        expected.method,
        dict(expected.params),
        expected.http_method,
    )
    assert repr(made) == repr(expected)
    assert pickle.loads(pickle.dumps(made)) == made
    assert copy.copy(made) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.method = "flickr.other"  # type: ignore[misc]


def test_build_without_params_gives_an_empty_dict_of_its_own() -> None:
    first, second = Call.build("flickr.made.up"), Call.build("flickr.made.up", None)
    assert first.params == {} and second.params == {}
    assert first.params is not second.params


@dataclasses.dataclass(frozen=True, slots=True)
class _Marked(Call):
    """A subclass with a field and a check of its own: ``build`` must construct it its way."""

    mark: str = "kept"

    def __post_init__(self) -> None:
        if not self.method.startswith("flickr."):
            raise ValueError("not a Flickr method")


def test_a_subclass_is_built_by_its_own_constructor() -> None:
    made = _Marked.build("flickr.groups.leave", {"group_id": "1"})
    assert type(made) is _Marked
    assert made.mark == "kept"
    assert made == _Marked("flickr.groups.leave", {"group_id": "1"}, "POST")
    with pytest.raises(ValueError, match="not a Flickr method"):
        _Marked.build("other.method")
