"""Timing helpers for the hand-run benchmarks: interleaved rounds, medians, ratio spreads.

Each case runs in short batches of ``number`` calls; the batches of all cases are
interleaved round by round (the order rotates each round), so a slow spell on the machine
hits every case alike. Like ``timeit``, the garbage collector is off during a batch.
Figures are CPU time (``time.process_time_ns``) per call, in microseconds.

What is reported: the **median** per case over the rounds, and ratios against a baseline
as the **median of the per-round ratios** (case and baseline measured side by side in the
same round) with their spread: the interquartile range and the min-max of those per-round
ratios. The best round is never reported: it hides how much the figures move.

``Row`` and ``Goal`` are the common currency of ``bench/run.py``: every ``bench_*.py``
module that exposes ``run(quick: bool) -> list[Row]`` is part of the one table.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timing:
    """CPU microseconds per call, one sample per round (in round order)."""

    samples: tuple[float, ...]

    @property
    def median_us(self) -> float:
        return statistics.median(self.samples)


@dataclass(frozen=True, slots=True)
class Ratio:
    """The per-round ratios of a case against its baseline: median, quartiles, extremes."""

    median: float
    q1: float
    q3: float
    low: float
    high: float
    rounds: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Ratio:
        ordered = sorted(values)
        if len(ordered) >= 2:
            q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        else:
            q1 = q3 = ordered[0]
        return cls(statistics.median(ordered), q1, q3, ordered[0], ordered[-1], len(ordered))

    def spread(self) -> str:
        """Interquartile range and min-max, e.g. ``IQR 1.18-1.27, range 1.10-1.40``."""
        return (
            f"IQR {self.q1:.2f}-{self.q3:.2f}, range {self.low:.2f}-{self.high:.2f} "
            f"({self.rounds} rounds)"
        )


@dataclass(frozen=True, slots=True)
class Goal:
    """A target for a ratio: ``Goal("<=", 1.2)`` or ``Goal(">=", 0.7)``."""

    op: str
    value: float

    def met(self, ratio: Ratio) -> bool:
        if self.op == "<=":
            return ratio.median <= self.value
        return ratio.median >= self.value

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}x"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the run-everything table: a case's median figure, its ratio and goal."""

    bench: str
    case: str
    figure: str  # the case's own median, with its unit ("41.2 us", "8,100 calls/s")
    against: str  # what the ratio divides by
    ratio: Ratio | None = None
    goal: Goal | None = None

    def verdict(self) -> str:
        if self.goal is None or self.ratio is None:
            return ""
        return "met" if self.goal.met(self.ratio) else "NOT met"


def _batch(fn: Callable[[], object], number: int) -> float:
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        start = time.process_time_ns()
        for _ in range(number):
            fn()
        elapsed = time.process_time_ns() - start
    finally:
        if gc_was_on:
            gc.enable()
    return elapsed / number / 1000.0


def compare(
    cases: Mapping[str, Callable[[], object]],
    *,
    number: int,
    rounds: int = 7,
    warmup: int = 200,
) -> dict[str, Timing]:
    """Per-call CPU time of every case, measured in interleaved rounds."""
    for fn in cases.values():
        for _ in range(warmup):
            fn()
    names = list(cases)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(_batch(cases[name], number))
    return {name: Timing(tuple(values)) for name, values in samples.items()}


def ratio(case: Timing, baseline: Timing) -> Ratio:
    """``case`` over ``baseline``, round by round: the median and spread of those ratios."""
    return Ratio.of([c / b for c, b in zip(case.samples, baseline.samples, strict=True)])


def rate_ratio(case: Sequence[float], baseline: Sequence[float]) -> Ratio:
    """The same for figures where higher is better (calls/s): per-round ``case / baseline``."""
    return Ratio.of([c / b for c, b in zip(case, baseline, strict=True)])


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A plain-text table: the first ``left`` columns left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        cells = [
            str(cell).ljust(width) if i < left else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def us(value: float) -> str:
    return f"{value:.1f}"


def x(value: Ratio | float) -> str:
    """A ratio's median, ``1.23x``."""
    return f"{value.median if isinstance(value, Ratio) else value:.2f}x"


def xs(value: Ratio) -> str:
    """A ratio's median with its interquartile range, ``1.23x (1.18-1.27)``."""
    return f"{value.median:.2f}x ({value.q1:.2f}-{value.q3:.2f})"


def environment() -> str:
    """One line naming what the figures were measured on."""
    try:
        one, five, fifteen = os.getloadavg()
        load = f"  load {one:.1f} {five:.1f} {fifteen:.1f}"
    except OSError:
        load = ""
    return (
        f"{time.strftime('%Y-%m-%d %H:%M')}  Python {platform.python_version()} "
        f"({sys.implementation.name})  {platform.machine()}  {os.cpu_count()} CPUs{load}"
    )
