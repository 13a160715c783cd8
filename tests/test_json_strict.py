"""Strict JSON where readers disagree: a key that decides the outcome (``stat``,
``code``, ``message``) given twice in one object is refused, also when spelled with a
``\\u`` escape, since one reader would take the first and another the last; NaN, the
infinities and numbers out of range are not JSON. A repeated key that decides nothing is
read as Python reads it (the last one)."""

from __future__ import annotations

import pytest

from flickrwire import decode


def _refused(body: str) -> str:
    result = decode(body.encode(), transport="rest", codec="json")
    assert not result.ok and result.fault is not None
    assert result.fault.origin == "decode"
    return result.fault.message


@pytest.mark.parametrize(
    "body",
    [
        '{"stat":"fail","code":1,"message":"x","stat":"ok"}',
        '{"stat":"ok","user":{"code":1,"code":2},"x":{"code":3}}',
        '{"stat":"fail","code":100,"message":"a","message":"b"}',
        '{"stat":"fail","\\u0073tat":"ok","code":1}',
    ],
    ids=["stat", "nested-code", "message", "escaped-stat"],
)
def test_an_outcome_key_twice_in_one_object_is_refused(body: str) -> None:
    assert "duplicate key" in _refused(body)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_numbers_json_does_not_have_are_refused(number: str) -> None:
    assert "refused" in _refused('{"stat":"ok","n":' + number + "}")


def test_a_repeated_key_that_decides_nothing_is_read_as_the_last() -> None:
    body = b'{"stat":"ok","photo":{"title":"first","title":"last"}}'
    result = decode(body, transport="rest", codec="json")
    assert result.ok, result.fault
    assert result.payload["photo"] == {"title": "last"}
