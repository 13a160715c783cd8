"""Import time of ``flickrwire``: this working tree against the package at a git revision.

    python bench/bench_import.py [--base-rev REV] [--rounds N]

Each round imports ``flickrwire`` in two fresh interpreters, the baseline's tree first on
odd rounds and second on even ones, and reads the CPU time the import took in that process
(``time.process_time_ns``: less swayed by other processes than wall time on a shared
machine). Fresh processes are the only honest way to time an import. Reported: each side's
median, and the median of the per-round ratios (new / base) with its interquartile spread.
Goal: a ratio within 1.05 (the catalogue and the dotted calls must not make the import
noticeably slower). Then the one module this change adds to the import,
``flickrwire.dotted`` (the catalogue itself is imported on first use), and the first read
of the catalogue data file (``catalogue.names()``), which a program pays once.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_USE = (
    "import time, flickrwire.catalogue as c; t = time.perf_counter(); c.names(); "
    "print(int((time.perf_counter() - t) * 1e6))"
)


IMPORT_CPU = (
    "import time; t = time.process_time_ns(); import flickrwire; "
    "print((time.process_time_ns() - t) // 1000)"
)


def import_us(tree: Path) -> int:
    """CPU microseconds to import flickrwire from ``tree`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_CPU],
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": ""},
    )
    return int(done.stdout)


def module_us(module: str) -> int:
    """Cumulative microseconds of ``module`` in ``-X importtime`` while importing flickrwire."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import flickrwire"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    for line in done.stderr.splitlines():
        fields = line.split("|")
        if len(fields) == 3 and fields[2].strip() == module:
            return int(fields[1])
    raise SystemExit(f"{module} is not imported with flickrwire")


def first_use_us() -> int:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_USE], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return int(done.stdout)


def base_tree(rev: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "flickrwire"],
        capture_output=True,
        check=True,
        cwd=ROOT,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def spread(values: list[float]) -> str:
    q = statistics.quantiles(values, n=4)
    return f"{statistics.median(values):.3f} (IQR {q[0]:.3f}..{q[2]:.3f})"


def main() -> int:
    parser = argparse.ArgumentParser(description="import time: working tree vs a revision")
    parser.add_argument("--base-rev", default="bb00d0b", help="baseline (before the catalogue)")
    parser.add_argument("--rounds", type=int, default=31)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = base_tree(args.base_rev, Path(tmp))
        for tree in (base, ROOT):  # warm-up: byte-compile both trees
            import_us(tree)
        pairs: list[tuple[int, int]] = []
        for n in range(args.rounds):
            if n % 2:
                new, old = import_us(ROOT), import_us(base)
            else:
                old, new = import_us(base), import_us(ROOT)
            pairs.append((old, new))
    olds, news = [p[0] for p in pairs], [p[1] for p in pairs]
    print(f"import flickrwire, {args.rounds} interleaved rounds, CPU microseconds (median)")
    print(f"  base {args.base_rev}: {statistics.median(olds):.0f}")
    print(f"  this tree:     {statistics.median(news):.0f}")
    print(f"  ratio new/base: {spread([n / o for o, n in pairs])}   goal <= 1.05")
    dotted = [module_us("flickrwire.dotted") / 1000 for _ in range(max(5, args.rounds // 3))]
    print(f"flickrwire.dotted within the import (-X importtime, wall), ms: {spread(dotted)}")
    loads = [first_use_us() / 1000 for _ in range(max(5, args.rounds // 3))]
    print(f"first catalogue read, ms: {spread(loads)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
