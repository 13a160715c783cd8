"""Decoding cost of hostile answers at 10 KB, 100 KB and 1 MB, in µs per KB.

Every shape of ``_shapes.py`` (the issue 10 findings and their relatives: many
``<title>``, many attributes, deep nesting, many siblings, long text, many namespaces,
JSONP callback names, long status values, repeated ``<``...) is decoded at each size.
Linear decoding keeps µs/KB about flat along a row; the last column is the 1 MB figure over
the 10 KB one (goal: under 3x; quadratic work would give about 100x). The rounds of all
sizes are interleaved; each cell is the median over the rounds, its spread beside it.

    python bench/bench_adversarial.py [--quick] [--rounds N] [--only SUBSTRING]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _shapes import SHAPES
from _timing import environment, table

from flickrwire import decode

SIZES = (10_000, 100_000, 1_000_000)


def _once(body: bytes, kwargs: dict[str, Any], reps: int) -> float:
    """CPU µs per KB for ``reps`` decodes of ``body``."""
    gc.disable()
    try:
        start = time.process_time_ns()
        for _ in range(reps):
            decode(body, **kwargs)
        elapsed = time.process_time_ns() - start
    finally:
        gc.enable()
    return elapsed / 1000 / reps / (len(body) / 1000)


def measure(name: str, sizes: tuple[int, ...], rounds: int) -> list[tuple[float, float]]:
    """Per size: the median µs/KB over the rounds and the spread (max - min)."""
    bodies = [SHAPES[name](size) for size in sizes]
    reps = [max(1, 1_000_000 // size) for size in sizes]  # about 1 MB decoded per cell
    samples: list[list[float]] = [[] for _ in sizes]
    for body, kwargs in bodies:
        decode(body, **kwargs)  # warm-up
    for _ in range(rounds):
        for i, (body, kwargs) in enumerate(bodies):
            samples[i].append(_once(body, kwargs, reps[i]))
    return [(statistics.median(s), max(s) - min(s)) for s in samples]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one round, up to 100 KB")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", default="", help="shapes whose name contains this")
    args = parser.parse_args(argv)
    sizes = SIZES[:2] if args.quick else SIZES
    rounds = 1 if args.quick else args.rounds
    print(environment())
    print(f"CPU µs per KB decoded, median of {rounds} interleaved rounds (± spread)\n")
    rows = []
    worst = 0.0
    for name in SHAPES:
        if args.only not in name:
            continue
        cells = measure(name, sizes, rounds)
        growth = cells[-1][0] / cells[0][0]
        worst = max(worst, growth)
        row = [name, *(f"{m:.1f} ± {s:.1f}" for m, s in cells), f"{growth:.2f}x"]
        rows.append(row)
    headers = ["shape", *(f"{size // 1000} KB" for size in sizes), "last/first (goal <3x)"]
    print(table(headers, rows))
    print(f"\nworst growth from {sizes[0] // 1000} KB to {sizes[-1] // 1000} KB: {worst:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
