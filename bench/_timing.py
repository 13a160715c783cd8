"""Timing helpers for the hand-run benchmarks: interleaved batches of calls, CPU time per call.

Each case runs in batches of ``number`` calls; the batches of all cases are interleaved
round by round, so a slow spell on the machine hits every case alike. Like ``timeit``, the
garbage collector is off during a batch. Figures are CPU time (``time.process_time_ns``)
per call, in microseconds, over the rounds: the best (what the tables and ratios use, as
``timeit`` advises: slower rounds measure interference from other processes, not the code)
and the median (kept to show how noisy the machine was).
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
    median_us: float
    best_us: float


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
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, fn in cases.items():
            samples[name].append(_batch(fn, number))
    return {
        name: Timing(statistics.median(values), min(values)) for name, values in samples.items()
    }


def ratio(case: Timing, baseline: Timing) -> float:
    """``case`` over ``baseline``, best round against best round."""
    return case.best_us / baseline.best_us


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        cells = [str(row[0]).ljust(widths[0])]
        cells += [str(cell).rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells)

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def us(value: float) -> str:
    return f"{value:.1f}"


def x(value: float) -> str:
    return f"{value:.2f}x"


def environment() -> str:
    """One line naming what the figures were measured on."""
    return (
        f"{time.strftime('%Y-%m-%d')}  Python {platform.python_version()} "
        f"({sys.implementation.name})  {platform.machine()}  {os.cpu_count()} CPUs"
    )
