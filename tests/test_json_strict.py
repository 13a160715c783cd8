"""Strict JSON where readers disagree: a key that decides the outcome (``stat``,
``code``, ``message``) given twice in one object is refused, also when spelled with a
``\\u`` escape, since one reader would take the first and another the last (and so is
any other key twice in one object, docs/hardening.md); NaN, the infinities and numbers
out of range are not JSON. Numbers read as numbers, whatever may follow the object is
allowed, and an answer is written as UTF-8."""

from __future__ import annotations

import pytest

from flickrwire import decode
from flickrwire.codecs.json import encode
from flickrwire.result import success


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


def test_the_refusal_names_the_key_given_twice() -> None:
    body = '{"stat":"fail","code":1,"code":2,"message":"m","title":"t"}'
    assert _refused(body) == "JSON body refused: duplicate key 'code'"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_numbers_json_does_not_have_are_refused(number: str) -> None:
    assert "refused" in _refused('{"stat":"ok","n":' + number + "}")


def test_any_key_twice_in_one_object_is_refused_but_not_in_two_objects() -> None:
    body = '{"stat":"ok","photo":{"title":"first","title":"last"}}'
    assert _refused(body) == "JSON body refused: duplicate key 'title'"
    body = '{"stat":"fail","code":105,"message":"Service unavailable","x":{"a":1,"a":2}}'
    assert "duplicate key 'a'" in _refused(body)
    page = b'{"stat":"ok","members":{"member":[{"nsid":"1@N01"},{"nsid":"2@N01"}]}}'
    result = decode(page, transport="rest", codec="json")
    assert result.ok, result.fault
    assert [m["nsid"] for m in result.payload["members"]["member"]] == ["1@N01", "2@N01"]


def test_numbers_are_read_as_numbers() -> None:
    body = b'{"stat":"ok","place":{"latitude":48.8584,"accuracy":16,"tiny":1e-300}}'
    result = decode(body, transport="rest", codec="json")
    assert result.ok, result.fault
    assert result.payload["place"] == {"latitude": 48.8584, "accuracy": 16, "tiny": 1e-300}


def test_after_the_object_whitespace_commas_and_semicolons_in_any_mix() -> None:
    for tail in ("", " \t\r\n,;", ";\n", ",,"):
        result = decode(('{"stat":"ok"}' + tail).encode(), transport="rest", codec="json")
        assert result.ok, (tail, result.fault)


def test_an_answer_is_written_as_utf8_not_escaped() -> None:
    ok = success("m", {"title": {"_content": "caf\u00e9 \u2603"}}, transport="rest",
                 codec="json", status=200, raw=b"")  # fmt: skip
    assert encode(ok) == '{"title":{"_content":"caf\u00e9 \u2603"},"stat":"ok"}'.encode()
    assert encode(ok, "jsonFlickrApi").startswith(b"jsonFlickrApi({")


def test_a_body_too_deep_for_the_json_reader_itself_is_a_fault() -> None:
    deep = b'{"stat":"ok","a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    result = decode(deep, transport="rest", codec="json")
    assert result.fault is not None and result.fault.origin == "decode"
    assert "nested too deeply" in result.fault.message


def test_a_key_twice_deep_in_a_long_answer_among_many_fields_is_refused() -> None:
    # A long body (past the size read with the pair hook) where an object of many plain
    # fields holds one list, and an object in that list gives a key twice.
    fields = ",".join(f'"field{n}":"{"v" * 20}"' for n in range(40))
    body = '{"stat":"ok","photo":{' + fields + ',"tags":[{"tag":"a","tag":"b"}]}}'
    assert len(body) > 1000
    assert "duplicate key 'tag'" in _refused(body)
