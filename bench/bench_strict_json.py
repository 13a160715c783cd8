"""What strict JSON costs: the JSON reader with and without its refusals.

The refusals (``NaN``/``Infinity``, numbers out of float range, duplicate keys) hook into
``json.JSONDecoder``: ``parse_constant`` (called only for the three constants: free),
``parse_float`` (one Python call per float) and ``object_pairs_hook`` (one per object).
Each figure is a ratio against the plain ``json.JSONDecoder`` measured in the same round
(batches interleaved), for the parse alone and for the whole ``decode()``, on a 100-member
``groups.members.getList`` page (objects of strings, Flickr's usual shape), a 500-photo
``photos.search`` page with geo floats, and a ``groups.leave`` success. Reported: the
median ratio and its spread over the rounds.

    python bench/bench_strict_json.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable
from functools import partial
from typing import Any

from _timing import _batch, environment, table

import flickrwire
from flickrwire.codecs import json as jsoncodec


def _bodies() -> dict[str, str]:
    members = [
        {
            "nsid": f"{10000000 + i}@N01",
            "username": f"member {i}",
            "iconserver": "1000",
            "iconfarm": 1,
            "membertype": "2",
        }
        for i in range(100)
    ]
    photos = [
        {
            "id": str(5000000000 + i),
            "owner": "12037949754@N01",
            "secret": "abcdef1234",
            "server": "65535",
            "farm": 66,
            "title": f"photo {i}",
            "ispublic": 1,
            "isfriend": 0,
            "isfamily": 0,
            "latitude": 48.8584 + i / 1000,
            "longitude": 2.2945 - i / 1000,
            "accuracy": 16,
        }
        for i in range(500)
    ]
    pages: dict[str, Any] = {
        "members.getList (100)": {"members": {"page": 1, "member": members}, "stat": "ok"},
        "photos.search (500, geo)": {"photos": {"page": 1, "photo": photos}, "stat": "ok"},
        "groups.leave": {"stat": "ok"},
    }
    return {name: json.dumps(page) for name, page in pages.items()}


def _ratios(
    base: Callable[[], object], new: Callable[[], object], number: int, rounds: int
) -> list[float]:
    out = []
    for _ in range(rounds):
        out.append(_batch(new, number) / _batch(base, number))
    return out


def _decode_with(decoder: json.JSONDecoder, data: bytes) -> Callable[[], object]:
    def run() -> object:
        jsoncodec._decoder = decoder
        return flickrwire.decode(data, codec="json")

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 21
    plain = json.JSONDecoder()
    shipped = jsoncodec._decoder
    checking = jsoncodec.strict_decoder()
    print(environment())
    print(f"ratios: median over {rounds} interleaved rounds, spread = max - min\n")
    rows = []
    for name, text in _bodies().items():
        number = max(20, 200_000 // len(text))
        data = text.encode()
        assert plain.decode(text) == checking.decode(text)
        cells = [
            _ratios(partial(plain.decode, text), partial(shipped.decode, text), number, rounds),
            _ratios(partial(plain.decode, text), partial(checking.decode, text), number, rounds),
            _ratios(_decode_with(plain, data), _decode_with(shipped, data), number, rounds),
            _ratios(_decode_with(plain, data), _decode_with(checking, data), number, rounds),
        ]
        jsoncodec._decoder = shipped
        rows.append(
            [name, str(len(text))]
            + [f"{statistics.median(c):.2f}x ± {max(c) - min(c):.2f}" for c in cells]
        )
    headers = [
        "body",
        "bytes",
        "parse: shipped",
        "parse: +duplicates",
        "decode(): shipped",
        "decode(): +duplicates",
    ]
    print(table(headers, rows))
    print("\nshipped = constants and out-of-range numbers refused (parse_constant, parse_float);")
    print("+duplicates = object_pairs_hook on every body (shipped only when stat/code/message")
    print("may repeat). Goal for the shipped decode(): under 1.1x.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
