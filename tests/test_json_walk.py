"""The JSON shape checks on bodies large enough for the counting path (over 640
characters): the depth limit is exact there too, and every container is seen wherever it
sits (a few objects and lists among many plain values, side by side), so a body with no
key given twice is accepted and one with a key given twice deep inside is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flickrwire.codecs import BodyError
from flickrwire.codecs.json import MAX_DEPTH, load

PAD = '"pad":"' + "p" * 700 + '",'


def _nested(depth: int) -> str:
    return '{"stat":"ok",' + PAD + '"a":' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize(("depth", "refuse"), [(MAX_DEPTH, False), (MAX_DEPTH + 1, True)])
def test_the_depth_limit_is_exact_on_a_large_body(depth: int, refuse: bool) -> None:
    text = _nested(depth)
    assert len(text) > 640
    if refuse:
        with pytest.raises(BodyError, match="nested deeper"):
            load(text)
    else:
        assert load(text)["stat"] == "ok"


def _photo(extra: dict[str, Any]) -> dict[str, Any]:
    """Many plain fields and a few containers, the containers side by side."""
    fields: dict[str, Any] = {f"field{i:02d}": f"value {i}" for i in range(24)}
    fields.update(extra)
    fields.update({f"number{i:02d}": i for i in range(24)})
    return fields


SIDE_BY_SIDE = {
    "two objects": {"owner": {"nsid": "1@N01"}, "dates": {"taken": "2020"}},
    "two lists": {"tags": [{"raw": "a"}, {"raw": "b"}], "notes": [{"id": "n"}]},
    "an object and a list": {"owner": {"nsid": "1@N01"}, "tags": [{"raw": "a"}]},
}


@pytest.mark.parametrize("name", sorted(SIDE_BY_SIDE))
def test_containers_among_many_plain_values_are_all_seen(name: str) -> None:
    payload = {"stat": "ok", "photo": _photo(SIDE_BY_SIDE[name])}
    text = json.dumps(payload, separators=(",", ":"))
    assert len(text) > 640
    assert load(text) == payload


@pytest.mark.parametrize("name", sorted(SIDE_BY_SIDE))
def test_a_key_given_twice_in_such_a_container_is_refused(name: str) -> None:
    payload = {"stat": "ok", "photo": _photo(SIDE_BY_SIDE[name])}
    text = json.dumps(payload, separators=(",", ":"))
    # The last container's first key, written twice.
    last = text.rindex('{"')
    key_end = text.index(":", last)
    key = text[last + 1 : key_end]
    doubled = text[: last + 1] + key + ':"x",' + text[last + 1 :]
    with pytest.raises(BodyError, match="duplicate key"):
        load(doubled)


def test_a_small_body_with_more_brackets_than_levels_is_read_to_its_depth() -> None:
    # Over MAX_DEPTH brackets, but only MAX_DEPTH levels: the small path measures the depth.
    text = '{"stat":"ok","b":[],"a":' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    assert len(text) <= 640
    assert load(text)["b"] == []
    with pytest.raises(BodyError, match="nested deeper"):
        load(text.replace('"a":', '"a":[', 1).replace("]}", "]]}", 1))
