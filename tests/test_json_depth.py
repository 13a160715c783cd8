"""The JSON codec's nesting limit: containers nested deeper than ``MAX_DEPTH`` are refused,
whatever the strings in the body hold (brackets, quotes, escapes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, strategies as st

from flickrwire import decode
from flickrwire.codecs import BodyError
from flickrwire.codecs.json import MAX_DEPTH, load


def nesting(value: Any) -> int:
    """Containers nested around the deepest point: ``{}`` is 1, ``{"a": []}`` is 2."""
    if isinstance(value, dict):
        return 1 + max((nesting(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((nesting(v) for v in value), default=0)
    return 0


def nested(depth: int, inner: str = "") -> str:
    """An object at the top, then lists down to ``depth`` containers in all."""
    return '{"stat":"ok","a":' + "[" * (depth - 1) + inner + "]" * (depth - 1) + "}"


def refused(text: str) -> bool:
    try:
        load(text)
    except BodyError as exc:
        assert "nested deeper" in str(exc)
        return True
    return False


@pytest.mark.parametrize(("depth", "refuse"), [(150, False), (MAX_DEPTH, False), (201, True)])
def test_the_limit_is_exact(depth: int, refuse: bool) -> None:
    assert refused(nested(depth)) is refuse
    assert refused(nested(depth - 1, '1,"x",{}')) is refuse  # the {} is the deepest level


def test_brackets_inside_strings_do_not_count() -> None:
    crowd = '"' + "[{" * 400 + '"'
    assert not refused('{"stat":"ok","a":' + crowd + "}")
    escaped = '"\\"' + "[" * 300 + '\\\\"'
    assert not refused('{"stat":"ok","a":[' + escaped + "]}")


def test_closing_brackets_in_strings_do_not_hide_real_depth() -> None:
    hiding = '"' + "]}" * 400 + '",'
    assert refused('{"stat":"ok","b":' + hiding[:-1] + ',"a":' + nested(300)[17:])
    assert refused(nested(300, '"' + "]" * 500 + '"'))


def test_a_wide_page_is_accepted() -> None:
    members = [{"nsid": f"{i}@N01", "tags": [{"_content": "[x]"}]} for i in range(2000)]
    body = json.dumps({"stat": "ok", "members": {"member": members}})
    result = decode(body.encode(), transport="rest", codec="json")
    assert result.ok and len(result.payload["members"]["member"]) == 2000


def test_a_wide_and_deep_page_is_refused() -> None:
    members = [{"nsid": f"{i}@N01"} for i in range(2000)]
    body = json.dumps({"stat": "ok", "members": members, "deep": json.loads(nested(250))})
    result = decode(body.encode(), transport="rest", codec="json")
    assert result.fault is not None and "nested" in result.fault.message


scalars = st.one_of(
    st.integers(),
    st.text(alphabet='[]{}"\\ab/\n\u00e9', max_size=8),
    st.booleans(),
    st.none(),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=40,
)


@given(trees, st.integers(min_value=0, max_value=260), st.booleans())
def test_the_verdict_matches_the_nesting_of_the_value(
    tree: Any, extra: int, ascii_only: bool
) -> None:
    value: Any = tree
    for _ in range(extra):
        value = [value]
    body = {"stat": "ok", "v": value, "pad": ["[" * 3] * 250}
    text = json.dumps(body, ensure_ascii=ascii_only)
    assert refused(text) is (nesting(body) > MAX_DEPTH)
