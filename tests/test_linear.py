"""Decoding takes time linear in the body, whatever the body (issue 10, finding 2).

Each hostile shape of ``bench/_shapes.py`` is decoded at two sizes, 8x apart; the larger
must cost less than 20x the smaller (linear work gives about 8x, quadratic work 64x).
Times are CPU time of this process (other processes on a busy machine do not count), the
minimum of a few repeats, and a shape that looks superlinear is measured once more before
the test fails, so that one slow spell cannot fail it. ``bench/bench_adversarial.py``
gives the full figures at 10 KB, 100 KB and 1 MB.
"""

from __future__ import annotations

import gc
import importlib.util
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flickrwire import decode, decoding

SMALL = 12_000
LARGE = 8 * SMALL
LIMIT = 20.0


def _load_shapes() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "bench" / "_shapes.py"
    spec = importlib.util.spec_from_file_location("_flickrwire_bench_shapes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHAPES: dict[str, Any] = _load_shapes().SHAPES


def _cost(body: bytes, kwargs: dict[str, Any], reps: int = 1) -> float:
    """The best of three batches of ``reps`` decodes, in CPU seconds."""
    best = float("inf")
    gc.disable()  # as timeit does: a collection's cost belongs to whatever came before
    try:
        for _ in range(3):
            start = time.process_time()
            for _ in range(reps):
                decode(body, **kwargs)
            best = min(best, time.process_time() - start)
    finally:
        gc.enable()
    return best


def _growth(name: str) -> float:
    small, small_kw = SHAPES[name](SMALL)
    large, large_kw = SHAPES[name](LARGE)
    # The small body is decoded several times over so that its figure stands clear of the
    # clock's resolution: the ratio compares work per byte.
    reps = 8
    small_cost = _cost(small, small_kw, reps=reps) / reps
    return _cost(large, large_kw) / max(small_cost, 1e-6)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_decoding_time_grows_linearly(name: str) -> None:
    ratio = _growth(name)
    if ratio >= LIMIT:
        ratio = min(ratio, _growth(name))
    assert ratio < LIMIT, f"{name}: 8x the body cost {ratio:.1f}x the time"


def test_the_growth_check_catches_quadratic_work() -> None:
    """The check itself: the title regex this module replaced fails it."""
    import re

    title = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)

    def cost(size: int) -> float:
        text = "<html>" + "<title>" * (size // 7)
        start = time.process_time()
        title.search(text)
        return time.process_time() - start

    assert cost(LARGE // 4) / max(cost(LARGE // 32), 1e-6) >= LIMIT


def test_title_of_an_unclosed_page_is_none_and_a_closed_one_is_read() -> None:
    assert decoding.html_title("<html>" + "<title>" * 16000) is None
    assert (
        decoding.html_title("<HTML><Title lang=en>\n 502  Bad\tGateway </TITLE>")
        == "502 Bad Gateway"
    )
    assert decoding.html_title("<title>İstanbul</title>") == "İstanbul"
    long = decoding.html_title("<title>" + "word " * 1000 + "</title>")
    assert long is not None and len(long) == 200 and long.endswith("...")


def test_the_hostile_page_of_the_finding_decodes_as_an_http_fault() -> None:
    result = decode(b"<html>" + b"<title>" * 16000, status=200)
    assert not result.ok
    assert result.fault is not None and result.fault.origin == "http"


def test_forty_thousand_attributes_are_all_read() -> None:
    attrs = " ".join(f'a{i}="{i}"' for i in range(40_000))
    result = decode(f'<rsp stat="ok"><x {attrs}/></rsp>'.encode())
    assert result.ok
    node = result.payload["x"]
    assert len(node) == 40_000 and node["a39999"] == "39999"


def test_few_and_many_attributes_read_alike() -> None:
    """The two attribute readers (few: items(), many: XPath) give the same payload."""
    attrs = {f"a{i}": f"v{i}&<" for i in range(100)}
    ns = ' xmlns:p="urn:p" p:n="1"'

    def payload(items: dict[str, str]) -> Any:
        quoted = {k: v.replace("&", "&amp;").replace("<", "&lt;") for k, v in items.items()}
        xml = " ".join(f'{k}="{v}"' for k, v in quoted.items())
        return decode(f'<rsp stat="ok"><x {xml}{ns}/></rsp>'.encode()).payload["x"]

    few = dict(list(attrs.items())[:3])
    assert payload(attrs) == {**attrs, "{urn:p}n": "1"}
    assert payload(few) == {**few, "{urn:p}n": "1"}


def test_long_values_are_cut_short_in_fault_messages() -> None:
    result = decode(b'<rsp stat="' + b"x" * 100_000 + b'"/>')
    assert result.fault is not None and result.fault.origin == "decode"
    assert len(result.fault.message) < 200
    result = decode(b"a" * 100_000 + b"(", codec="json")
    assert result.fault is not None and len(result.fault.message) < 200
