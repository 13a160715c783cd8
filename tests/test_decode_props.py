"""Bounded property tests for the hardened decoder (issue 10): the fuzzer's mutations on
CI, strict JSON, the linear title reader against the regex it replaced, and pickles that
keep no credential. Derandomized on CI by the profile in ``conftest.py``."""

from __future__ import annotations

import importlib.util
import json
import pickle
import random
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings, strategies as st

from flickrwire import APIError, decode
from flickrwire.decoding import html_title
from flickrwire.result import ORIGINS


def _load(name: str) -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_flickrwire_bench_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fuzz = _load("fuzz")
SEEDS: list[tuple[str, str, bytes]] = fuzz.fixture_seeds() + fuzz.rendered_seeds()
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]


@settings(max_examples=300)
@given(
    rng=st.randoms(use_true_random=False),
    index=st.integers(0, len(SEEDS) - 1),
    hints=st.sampled_from([None, *PAIRS]),
    status=st.sampled_from(fuzz.STATUSES),
    charset=st.sampled_from(fuzz.CHARSETS),
)
def test_fuzzed_real_answers_always_give_a_result(
    rng: random.Random,
    index: int,
    hints: tuple[str, str] | None,
    status: int | None,
    charset: str | None,
) -> None:
    transport, codec, seed = SEEDS[index]
    if hints is not None:
        transport, codec = hints
    body, _ = fuzz.Mutator(rng, [s[2] for s in SEEDS]).mutate(seed)
    headers = {"Content-Type": f"text/xml; charset={charset}"} if charset else {}
    result = decode(body, transport=transport, codec=codec, status=status, headers=headers)
    assert result.ok == (result.fault is None)
    assert result.fault is None or result.fault.origin in ORIGINS


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(
    payload=st.dictionaries(
        st.text(max_size=8).filter(lambda k: k != "stat"), JSON_VALUES, max_size=5
    )
)
def test_any_finite_json_payload_reads_back(payload: dict[str, Any]) -> None:
    body = json.dumps({"stat": "ok", **payload}, allow_nan=False).encode()
    result = decode(body, codec="json")
    assert result.ok
    assert result.payload == payload


@given(
    payload=st.dictionaries(
        st.text(max_size=8).filter(lambda k: k != "stat"), JSON_SCALARS, max_size=5
    ),
    position=st.integers(0, 5),
    second=st.sampled_from(['"ok"', '"fail"', "1", "null"]),
)
def test_a_second_stat_anywhere_in_the_top_object_is_refused(
    payload: dict[str, Any], position: int, second: str
) -> None:
    members = [f"{json.dumps(k)}:{json.dumps(v)}" for k, v in payload.items()]
    members.insert(0, '"stat":"fail"')
    members.insert(min(position, len(members)) or 1, f'"stat":{second}')
    result = decode(("{" + ",".join(members) + "}").encode(), codec="json")
    assert not result.ok
    assert result.fault is not None and result.fault.origin == "decode"


_OLD_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@given(
    st.lists(
        st.sampled_from(
            ["<title", "<TITLE a=1", ">", "</title>", "</TiTlE>", "x", " ", "\n", "<", "é"]
        ),
        max_size=30,
    )
)
def test_the_title_reader_agrees_with_the_regex_it_replaced(pieces: list[str]) -> None:
    text = "".join(pieces)
    match = _OLD_TITLE.search(text)
    expected = " ".join(match.group(1).split()) if match else None
    assert html_title(text) == expected


@given(
    key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=32),
    token=st.text(alphabet="0123456789-abcdef", min_size=12, max_size=40),
)
def test_a_pickled_auth_failure_never_holds_the_key_or_token(key: str, token: str) -> None:
    body = (
        "oauth_problem=token_rejected&debug_sbs=GET&https%3A%2F%2Fapi.flickr.com%2F&"
        f"oauth_consumer_key%3D{key}%26oauth_token%3D{token}"
    ).encode()
    result = decode(body, status=401)
    with pytest.raises(APIError) as info:
        result.raise_for_fault()
    data = pickle.dumps(info.value)
    assert key.encode() not in data and token.encode() not in data
