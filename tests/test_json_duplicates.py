"""Strict JSON: a key given twice in any object, at any depth, however it is spelled, is
refused with a decode fault naming it (issue 10); the same name in different objects is not
a duplicate.

The codec checks this without a Python call per object (the colons outside strings against
the entries of the parsed dicts, see ``codecs/json.py``); the oracle here is a plain
``object_pairs_hook`` parse of the same text.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from flickrwire import decode
from flickrwire.codecs import BodyError
from flickrwire.codecs.json import load

#: A member that makes a body longer than the codec's small-body limit: bodies up to it
#: are checked by the pair hook itself, longer ones by the counts. Both are tested.
PAD = '"pad":"' + "p" * 700 + '",'


def padded(body: str) -> str:
    start = body.index("{") + 1
    return body[:start] + PAD + body[start:]


def refusal(body: str) -> str | None:
    """The fault message of decoding ``body`` as JSON, or None when it decodes."""
    result = decode(body.encode("utf-8"), codec="json")
    if result.ok:
        return None
    assert result.fault is not None and result.fault.origin == "decode"
    return result.fault.message


DUPLICATED = {
    "top level": ('{"stat":"ok","a":1,"a":2}', "'a'"),
    "nested once": ('{"stat":"ok","group":{"id":"1","id":"2"}}', "'id'"),
    "nested deep": ('{"stat":"ok","a":{"b":{"c":{"d":{"e":1,"e":1}}}}}', "'e'"),
    "in a list": ('{"stat":"ok","m":[{"id":"1"},{"id":"2","id":"3"}]}', "'id'"),
    "in a list of lists": ('{"stat":"ok","m":[[[{"x":1,"y":2,"x":3}]]]}', "'x'"),
    "escaped key": ('{"stat":"ok","group":{"id":"1","\\u0069d":"2"}}', "'id'"),
    "escaped stat": ('{"stat":"fail","code":1,"\\u0073tat":"ok"}', "'stat'"),
    "escaped both": ('{"stat":"ok","g":{"\\u0061":1,"\\u0061":2}}', "'a'"),
    "space before colon": ('{"stat":"ok","g":{"a" :1,"a"\t:2}}', "'a'"),
    "pretty printed": ('{\n  "stat": "ok",\n  "g": {\n    "a": 1,\n    "a": 2\n  }\n}', "'a'"),
    "colon in key": ('{"stat":"ok","g":{"a:b":1,"a:b":2}}', "'a:b'"),
    "colons in values": ('{"stat":"ok","u":"https://x","g":{"t":"12:30","t":"1"}}', "'t'"),
    "brackets in strings": ('{"stat":"ok","t":"[{[{","g":{"k":"}]","k":"x"}}', "'k'"),
    "escaped quote in key": ('{"stat":"ok","g":{"a\\"b":1,"a\\"b":2}}', "'a\"b'"),
    "backslash before quote": ('{"stat":"ok","g":{"a\\\\":1,"a\\\\":2}}', repr("a\\")),
    "empty key": ('{"stat":"ok","g":{"":1,"":2}}', "''"),
    "duplicate container": ('{"stat":"ok","g":{"a":{"b":1},"a":[1]}}', "'a'"),
}


@pytest.mark.parametrize("name", sorted(DUPLICATED))
@pytest.mark.parametrize("wrap", ["plain", "jsonp"])
@pytest.mark.parametrize("size", ["short", "long"])
def test_a_duplicate_anywhere_is_refused_and_named(name: str, wrap: str, size: str) -> None:
    body, key = DUPLICATED[name]
    if size == "long":
        body = padded(body)
    if wrap == "jsonp":
        body = f"jsonFlickrApi({body});"
    message = refusal(body)
    assert message is not None, name
    assert "duplicate key" in message
    assert key in message


HIDDEN = {
    # One pair is lost to the duplicate; a string holds a colon, so the text has as many
    # colons as the value has entries plus one: the count must be of colons outside strings.
    "colon in a value": '{"stat":"ok","a":1,"a":2,"b":":"}',
    "escaped colon": '{"stat":"ok","a":1,"a":2,"\\u003a":":"}',
    "colon in a key": '{"stat":"ok","a":1,"a" :2,"b:":3}',
    "escaped quote and colon": '{"stat":"ok","a":1,"a":2,"b":"\\":"}',
    # The dropped {} and the "[" in a string: the text holds as many brackets as the value
    # has containers, and the duplicate must still be seen.
    "bracket in a value": '{"stat":"ok","a":{},"a":1,"b":"["}',
    "dropped nested container": '{"stat":"ok","a":{"x":{}},"a":{"x":1},"s":"{"}',
}


@pytest.mark.parametrize("name", sorted(HIDDEN))
@pytest.mark.parametrize("size", ["short", "long"])
def test_marks_in_strings_cannot_pay_for_a_dropped_pair(name: str, size: str) -> None:
    body = HIDDEN[name] if size == "short" else padded(HIDDEN[name])
    message = refusal(body)
    assert message is not None and "duplicate key" in message


def test_a_long_key_is_shown_short() -> None:
    key = "k" * 10_000
    message = refusal(f'{{"stat":"ok","g":{{"{key}":1,"{key}":2}}}}')
    assert message is not None and len(message) < 300


def test_the_same_name_in_different_objects_is_no_duplicate() -> None:
    members = [{"nsid": f"{i}@N01", "username": f"u{i}", "membertype": "2"} for i in range(300)]
    page = {"stat": "ok", "members": {"page": 1, "total": 300, "member": members}}
    assert refusal(json.dumps(page)) is None
    assert refusal(json.dumps(page, indent=2)) is None
    nested = {"stat": "ok", "a": {"id": 1, "a": {"id": 2, "a": {"id": 3}}}}
    assert refusal(json.dumps(nested)) is None


def test_marks_inside_strings_are_no_pairs() -> None:
    body = {
        "stat": "ok",
        "url": "https://live.staticflickr.com/65535/1_2_q.jpg",
        "t": ':"{[:]}":',
        "k:e[y{": {"\\": "\\\\", '"': ':"', "x": ["[", "{", ":", '\\"']},
    }
    for ascii_only in (True, False):
        assert refusal(json.dumps(body, ensure_ascii=ascii_only)) is None
        assert refusal(padded(json.dumps(body, ensure_ascii=ascii_only))) is None
    result = decode(json.dumps(body).encode(), codec="json")
    assert result.payload["k:e[y{"]["x"] == ["[", "{", ":", '\\"']


# -- property: the verdict is the object_pairs_hook reader's ---------------------------

KEYS = st.sampled_from(["a", "b", "id", "stat", "a:b", '"', "\\", "[", "{", ":", "", "\u00e9"])
scalars = st.one_of(
    st.integers(-5, 5),
    st.text(alphabet='[]{}":\\ab,/\n\u00e9', max_size=6),
    st.booleans(),
    st.none(),
)
# Objects as lists of pairs, so that a key may come twice.
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(st.tuples(KEYS, inner), max_size=4).map(lambda pairs: ("obj", pairs)),
    ),
    max_leaves=30,
)


def write(value: Any, rng: random.Random) -> str:
    """JSON text of ``value``, with random whitespace and randomly escaped key letters."""
    space = rng.choice(["", " ", "\n  ", "\t"])
    if isinstance(value, tuple):
        pairs = [
            f"{escaped(key, rng)}{rng.choice(['', ' '])}:{space}{write(item, rng)}"
            for key, item in value[1]
        ]
        return "{" + space + ("," + space).join(pairs) + space + "}"
    if isinstance(value, list):
        return "[" + space + ("," + space).join(write(item, rng) for item in value) + "]"
    return json.dumps(value, ensure_ascii=rng.random() < 0.5)


def escaped(key: str, rng: random.Random) -> str:
    text = json.dumps(key)
    if rng.random() < 0.3 and key and key.isalpha():
        return '"' + "".join(f"\\u{ord(c):04x}" for c in key) + '"'
    return text


def hook_refuses(text: str) -> bool:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if len(dict(items)) != len(items):
            raise ValueError("duplicate")
        return dict(items)

    try:
        json.loads(text, object_pairs_hook=pairs)
    except ValueError:
        return True
    return False


@settings(max_examples=400)
@given(trees, st.integers(0, 2**32), st.booleans())
def test_the_verdict_is_the_pair_hooks(tree: Any, seed: int, long: bool) -> None:
    rng = random.Random(seed)
    text = '{"stat":"ok","v":' + write(tree, rng) + "}"
    if long:
        text = padded(text)
    expected = hook_refuses(text)
    try:
        load(text)
    except BodyError as exc:
        assert expected, (text, str(exc))
        assert "duplicate key" in str(exc)
    else:
        assert not expected, text


def photo(i: int, description: str = '{"_content":"x"}') -> str:
    fields = ",".join(f'"f{k}":"{i}:{k}"' for k in range(10))
    return f'{{"id":"{i}",{fields},"description":{description}}}'


def members(dup: bool) -> str:
    """Many members, one of them with a key twice."""
    items = [
        f'{{"nsid":"{i}","n":"{i}"' + (',"nsid":"x"}' if dup and i == 250 else "}")
        for i in range(300)
    ]
    return '{"stat":"ok","members":{"member":[' + ",".join(items) + "]}}"


def photos(dup: bool) -> str:
    """Many photos of many scalars and one description each: the walk picks the few
    containers out of many values; the duplicate is in one description."""
    twice = '{"_content":"a","_content":"b"}'
    items = [photo(i, twice) if dup and i == 123 else photo(i) for i in range(300)]
    return '{"stat":"ok","photos":{"photo":[' + ",".join(items) + "]}}"


def mixed(dup: bool) -> str:
    """Lists of mixed values at each level."""
    key = '{"k":1,"k":0}' if dup else '{"k":1}'
    items = [f'[1,"s",{key if i == 77 else "{}"},[{{"z":[]}}]]' for i in range(200)]
    return '{"stat":"ok","a":[' + ",".join(items) + "]}"


WIDE = {"members": members, "photos": photos, "mixed": mixed}


@pytest.mark.parametrize("shape", sorted(WIDE))
def test_a_duplicate_in_a_wide_page_is_found(shape: str) -> None:
    assert refusal(WIDE[shape](False)) is None
    message = refusal(WIDE[shape](True))
    assert message is not None and "duplicate key" in message


@pytest.mark.parametrize("size", ["short", "long"])
def test_urls_cannot_pay_for_a_dropped_pair(size: str) -> None:
    # "://" colons are taken off the count without cutting strings out: a URL must not
    # hide a duplicate, nor a colon that follows no "/" be taken for one.
    body = '{"stat":"ok","u":"https://a/b","g":{"a":1,"a":2}}'
    assert refusal(body if size == "short" else padded(body)) is not None
    body = '{"stat":"ok","u":"https://a/b","v":"x:y","g":{"a":1}}'
    assert refusal(body if size == "short" else padded(body)) is None
    body = '{"stat":"ok","u":"https:/","v":"x://y","g":{"a":1,"a":2}}'
    assert refusal(body if size == "short" else padded(body)) is not None
