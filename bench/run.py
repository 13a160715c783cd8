"""Run every benchmark in ``bench/`` and print one table: medians, ratio spreads, goals.

Every ``bench_*.py`` module that exposes ``run(quick: bool) -> list[Row]`` (see
``_timing.Row``) is run in turn, in name order; a module without it, or one that cannot be
imported (a missing optional dependency), is skipped and named. Each module interleaves its
own variants in short rounds; the table shows the case's median figure, the median of the
per-round ratios against its baseline with the interquartile range and min-max of those
ratios, and the goal (issue 11) beside it.

    python bench/run.py            # the full run (several minutes on a loaded 2-core VM)
    python bench/run.py --quick    # a smoke run of a few seconds: figures meaningless
    python bench/run.py decode     # only the modules whose name contains "decode"

``--quick`` checks that every benchmark still runs; it asserts no time and always exits 0
unless a benchmark crashes.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _timing import Row, environment, table  # noqa: E402


def discover(only: list[str]) -> list[str]:
    names = sorted(path.stem for path in HERE.glob("bench_*.py"))
    return [name for name in names if not only or any(part in name for part in only)]


def run_module(name: str, quick: bool) -> tuple[list[Row], str | None]:
    """The module's rows, or no rows and why it was skipped."""
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        return [], f"cannot be imported ({exc})"
    run = getattr(module, "run", None)
    if not callable(run):
        return [], "has no run(quick) function"
    rows = run(quick)
    return list(rows), None


def render(rows: list[Row]) -> str:
    lines = []
    for row in rows:
        spread = row.ratio
        lines.append(
            [
                row.bench,
                row.case,
                row.figure,
                row.against,
                f"{spread.median:.2f}x" if spread else "",
                f"{spread.q1:.2f}-{spread.q3:.2f}" if spread else "",
                f"{spread.low:.2f}-{spread.high:.2f}" if spread else "",
                str(row.goal) if row.goal else "",
                row.verdict(),
            ]
        )
    headers = ["bench", "case", "median", "against", "ratio", "IQR", "min-max", "goal", ""]
    return table(headers, lines, left=2)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run; figures meaningless")
    parser.add_argument("only", nargs="*", help="run only modules whose name contains these")
    args = parser.parse_args()
    print(environment())
    rows: list[Row] = []
    failed = False
    for name in discover(args.only):
        began = time.perf_counter()
        try:
            found, skipped = run_module(name, args.quick)
        except Exception:
            traceback.print_exc()
            print(f"{name}: FAILED", flush=True)
            failed = True
            continue
        seconds = time.perf_counter() - began
        if skipped:
            print(f"{name}: skipped, {skipped}", flush=True)
        else:
            print(f"{name}: {len(found)} rows in {seconds:.1f} s", flush=True)
            rows.extend(found)
    print()
    if args.quick:
        print("--quick: a smoke run; the figures below mean nothing.")
    print("ratio: median of per-round ratios (case / baseline measured side by side);")
    print("IQR and min-max: the spread of those per-round ratios.")
    print(render(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
