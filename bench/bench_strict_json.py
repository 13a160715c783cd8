"""What strict JSON costs: the JSON reader with and without its refusals.

The refusals: ``NaN``/``Infinity`` (``parse_constant``, called only for them: free),
numbers out of float range (``parse_float``, one Python call per float), nesting deeper
than 200 levels and duplicate keys in any object. The last two are checked without a Python
call per object (``codecs/json.py``): the colons and opening brackets of the text, counted by
C-speed passes, against the entries and containers of the parsed value, found by a walk that
visits containers only; bodies up to 640 characters use the pair hook instead, and a body
whose counts disagree is parsed again with it to name the key.

Each figure is the median ratio, over interleaved rounds, of ``codecs.json.load`` (every
refusal) against a plain ``json.JSONDecoder().raw_decode`` of the same text (none), with
the interquartile range; beside it the same for the old exact check, an
``object_pairs_hook`` on every object. Bodies: ``groups.members.getList`` pages of 1 to
1,000 members (Flickr's usual shape), a 500-photo ``photos.search`` page with geo floats
and URLs (colons in strings), one whose titles hold brackets (the walk must visit every
value), and a ``groups.leave`` success.

    python bench/bench_strict_json.py [--quick]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from _timing import compare, environment, ratio, table, xs

from flickrwire.codecs import json as jsoncodec

#: Issue 10/11: the refusals should cost little next to the parse itself.
GOAL = 1.1


def _members(count: int) -> dict[str, Any]:
    member = [
        {
            "nsid": f"{10000000 + i}@N01",
            "username": f"member {i}",
            "iconserver": "1000",
            "iconfarm": 1,
            "membertype": "2",
        }
        for i in range(count)
    ]
    return {"members": {"page": 1, "total": count, "member": member}, "stat": "ok"}


def _photos(count: int, title: str) -> dict[str, Any]:
    photo = [
        {
            "id": str(5000000000 + i),
            "owner": "12037949754@N01",
            "secret": "abcdef1234",
            "server": "65535",
            "farm": 66,
            "title": title % i,
            "ispublic": 1,
            "latitude": 48.8584 + i / 1000,
            "longitude": 2.2945 - i / 1000,
            "url_q": f"https://live.staticflickr.com/65535/{5000000000 + i}_abcdef1234_q.jpg",
            "description": {"_content": ""},
        }
        for i in range(count)
    ]
    return {"photos": {"page": 1, "photo": photo}, "stat": "ok"}


def bodies(quick: bool) -> dict[str, str]:
    pages: dict[str, Any] = {"groups.leave": {"stat": "ok"}}
    for count in (1, 1000) if quick else (1, 10, 100, 1000):
        pages[f"members.getList ({count})"] = _members(count)
    pages["photos.search (500, geo, URLs)"] = _photos(500, "photo %d")
    pages["photos.search (500, [brackets])"] = _photos(500, "[HDR] photo %d {x}")
    return {name: json.dumps(page, separators=(",", ":")) for name, page in pages.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    plain = json.JSONDecoder()
    hooked = jsoncodec.strict_decoder()
    print(environment())
    rows = []
    for name, text in bodies(args.quick).items():
        assert plain.decode(text) == jsoncodec.load(text) == hooked.decode(text)
        cases: dict[str, Callable[[], object]] = {
            "plain": lambda text=text: plain.raw_decode(text),
            "shipped": lambda text=text: jsoncodec.load(text),
            "hook": lambda text=text: hooked.raw_decode(text),
        }
        number = max(5, 100_000 // len(text))
        timings = compare(
            cases,
            number=max(number // 10, 2) if args.quick else number,
            rounds=3 if args.quick else 15,
            warmup=5 if args.quick else 30,
        )
        shipped = ratio(timings["shipped"], timings["plain"])
        hook = ratio(timings["hook"], timings["plain"])
        verdict = "met" if shipped.median <= GOAL else "NOT met"
        rows.append([name, str(len(text)), xs(shipped), xs(hook), f"<= {GOAL}x {verdict}"])
    headers = ["body", "bytes", "load() (all refusals)", "pair hook on every object", "goal"]
    print("ratios against json.JSONDecoder().raw_decode of the same text: median of")
    print("per-round ratios, interquartile range in brackets\n")
    print(table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
