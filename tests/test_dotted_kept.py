"""Dotted names kept once looked up (issue 11): the same answers as a fresh lookup, bound to
the right client, copies included; and ``Call.build``'s plain-string shortcut."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from flickrwire import Call, Client
from flickrwire.call import wire_value
from flickrwire.dotted import Method, Namespace, _kept


def recording(sent: list[tuple[str, dict[str, str]]], name: str) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((name, dict(parse_qsl(request.content.decode()))))
        return httpx.Response(200, content=b'{"stat":"ok"}')

    return Client(http_client=httpx.Client(transport=httpx.MockTransport(handler)))


def test_a_kept_name_is_the_same_object_and_calls_its_own_client() -> None:
    sent: list[tuple[str, dict[str, str]]] = []
    one, two = recording(sent, "one"), recording(sent, "two")
    assert one.groups is one.groups and one.groups.leave is one.groups.leave
    assert one.groups is not two.groups
    for _ in range(2):
        assert one.groups.leave(group_id="1").ok
        assert two.groups.leave(group_id="2").ok
    assert [(name, params["group_id"]) for name, params in sent] == [
        ("one", "1"),
        ("two", "2"),
        ("one", "1"),
        ("two", "2"),
    ]
    assert all(params["method"] == "flickr.groups.leave" for _, params in sent)


def test_a_kept_method_still_checks_its_arguments_every_time() -> None:
    sent: list[tuple[str, dict[str, str]]] = []
    client = recording(sent, "one")
    for _ in range(2):
        with pytest.raises(TypeError, match=r"unknown argument\(s\) group, photos"):
            client.groups.leave(photos="1", group="2")
        with pytest.raises(TypeError, match="requires argument"):
            client.groups.leave()
    assert client.test.echo(anything="goes").ok  # echo takes any argument, kept or not
    assert client.test.echo(anything="goes").ok
    assert [(name, p["method"], p["anything"]) for name, p in sent] == [
        ("one", "flickr.test.echo", "goes")
    ] * 2


def test_an_unknown_name_is_not_kept() -> None:
    client = recording([], "one")
    for _ in range(2):
        with pytest.raises(AttributeError, match=r"did you mean flickr\.groups\.leave"):
            client.groups.leaves  # noqa: B018
    assert "leaves" not in vars(client.groups)


def test_a_copy_of_a_client_calls_itself_not_the_original() -> None:
    sent: list[tuple[str, dict[str, str]]] = []
    original = recording(sent, "original")
    assert original.groups.leave(group_id="1").ok  # kept on the original
    clone = copy.copy(original)
    other: list[tuple[str, dict[str, str]]] = []
    clone.http = recording(other, "clone").http
    assert clone.groups is not original.groups
    assert clone.groups.leave(group_id="2").ok
    assert [p["group_id"] for _, p in sent] == ["1"]
    assert [p["group_id"] for _, p in other] == ["2"]
    assert set(original.__getstate__()) == set(vars(original)) - {"groups"}


def test_an_owner_without_a_dict_gets_the_name_unkept() -> None:
    class Slotted:
        __slots__ = ()

    found = Namespace(object(), "flickr.groups")
    assert _kept(Slotted(), "groups", found) is found


@pytest.mark.parametrize(
    "value",
    ["plain", "", "ünï", True, False, 0, 12, 1.5, ["a", True, 3], ("x", "y"), b"raw"],
)
def test_call_build_gives_the_wire_value_of_every_argument(value: Any) -> None:
    call = Call.build("flickr.test.echo", {"value": value, "dropped": None})
    assert dict(call.params) == {"value": wire_value(value)}
    assert type(call.params["value"]) is str


def test_call_build_gives_a_str_subclass_as_a_plain_str() -> None:
    class Tagged(str):
        pass

    call = Call.build("flickr.test.echo", {"value": Tagged("kept")})
    assert call.params["value"] == "kept" and type(call.params["value"]) is str


def test_a_method_repr_is_unchanged_by_keeping() -> None:
    client = recording([], "one")
    leave = client.groups.leave
    assert isinstance(leave, Method) and repr(leave) == "<flickr method flickr.groups.leave>"
    assert repr(client.groups) == "<flickr namespace flickr.groups>"
