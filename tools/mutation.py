"""Mutation testing, bounded in time: do the tests notice when the code is wrong?

For each module listed in ``[tool.flickrwire.mutation.modules]`` of pyproject.toml (the
module and its own tests), every single realistic change of tools/mutants.py is applied
in a private copy of the repository and the module's tests are run there: a mutant is
*killed* when they fail (or hang past the timeout), *survives* when they pass.

    nice -n 19 python tools/mutation.py --seconds 600 --module decoding --module verify
    python tools/mutation.py --list

Prints the kill rate per module and every survivor (``path:line: change``); writes the
whole result to ``.mutation/last.json``. Two workers by default (``--workers``); when
the time is up no new mutant starts, and the mutants not run are counted as such.
mutmut 3 was tried first: its ``mutants/`` sandbox did not win over the editable install
(the tests imported the unmutated package), so this small runner does the same job.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

sys.path.insert(0, str(Path(__file__).resolve().parent))
import equivalents
from mutants import Mutant, mutants

REPO = Path(__file__).resolve().parents[1]
COPIED = ("flickrwire", "tests", "fixtures", "examples", "bench", "pyproject.toml")
SAMPLES = REPO.parent / "shared" / "flickr-samples"
PYTEST = ["-x", "-q", "-p", "no:cacheprovider", "--no-header", "-o", "addopts=--strict-markers"]


@dataclass(slots=True)
class Outcome:
    mutant: Mutant
    status: str  # killed | survived | timeout | error
    seconds: float


@dataclass(slots=True)
class Module:
    name: str
    path: str
    tests: list[str]
    mutants: list[Mutant] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    baseline: float = 0.0

    def counts(self) -> dict[str, int]:
        counts = {"mutants": len(self.mutants), "killed": 0, "survived": 0, "timeout": 0}
        counts["error"] = 0
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        counts["not run"] = len(self.mutants) - len(self.outcomes)
        return counts

    def rate(self) -> float | None:
        counts = self.counts()
        ran = counts["killed"] + counts["timeout"] + counts["survived"]
        return None if ran == 0 else (counts["killed"] + counts["timeout"]) / ran


def configured() -> dict[str, list[str]]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    modules: dict[str, list[str]] = data["tool"]["flickrwire"]["mutation"]["modules"]
    return modules


def short_name(path: str) -> str:
    return path.removeprefix("flickrwire/").removesuffix(".py")


def chosen(wanted: list[str]) -> list[Module]:
    table = configured()
    modules = [Module(short_name(p), p, tests) for p, tests in table.items()]
    if not wanted:
        return modules
    picked = [m for m in modules if any(w in (m.name, m.path) for w in wanted)]
    unknown = [w for w in wanted if not any(w in (m.name, m.path) for m in modules)]
    if unknown:
        raise SystemExit(f"unknown module(s): {', '.join(unknown)}; see --list")
    return picked


class Worker:
    """A private copy of the repository where one mutant at a time is applied."""

    def __init__(self, root: Path, index: int) -> None:
        self.dir = root / f"w{index}"
        for name in COPIED:
            source = REPO / name
            if source.is_dir():
                shutil.copytree(
                    source, self.dir / name, ignore=shutil.ignore_patterns("__pycache__")
                )
            else:
                self.dir.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, self.dir / name)
        self.env = {**os.environ, "PYTHONPATH": str(self.dir), "CI": "true"}
        self.env["FLICKRWIRE_SAMPLES"] = os.environ.get("FLICKRWIRE_SAMPLES", str(SAMPLES))
        self.env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.server: subprocess.Popen[str] | None = None

    def start(self) -> None:
        """The fork server (``--serve``): it imports pytest and the third-party packages
        once, then forks a child per run that imports flickrwire from this copy afresh."""
        command = [sys.executable, str(Path(__file__).resolve()), "--serve"]
        self.server = subprocess.Popen(
            command, cwd=self.dir, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip

    def stop(self) -> None:
        if self.server is not None and self.server.stdin is not None:
            self.server.stdin.close()
            self.server.wait(30)

    def pytest(self, tests: list[str], timeout: float) -> tuple[str, float]:
        """Run ``tests`` here: ``passed``, ``failed`` or ``timeout``, and the seconds."""
        assert self.server is not None and self.server.stdin and self.server.stdout
        start = time.monotonic()
        self.server.stdin.write(json.dumps({"tests": tests, "timeout": timeout}) + "\n")
        self.server.stdin.flush()
        verdict = self.server.stdout.readline().strip() or "error"
        return verdict, time.monotonic() - start

    def run(self, module: Module, mutant: Mutant, timeout: float) -> Outcome:
        target = self.dir / module.path
        original = target.read_text(encoding="utf-8")
        target.write_text(mutant.source, encoding="utf-8")
        try:
            verdict, seconds = self.pytest(module.tests, timeout)
        finally:
            target.write_text(original, encoding="utf-8")
        status = {"passed": "survived", "failed": "killed", "timeout": "timeout"}.get(
            verdict, "error"
        )
        return Outcome(mutant, status, seconds)


def baseline(worker: Worker, module: Module) -> None:
    """The unmutated tests must pass in the copy (and say how long they take)."""
    verdict, seconds = worker.pytest(module.tests, 900)
    if verdict != "passed":
        raise SystemExit(f"{module.path}: its tests do not pass unmutated ({verdict})")
    module.baseline = seconds


def run_all(modules: list[Module], workers: list[Worker], deadline: float, live: Path) -> None:
    # Round robin over the modules, each in a fixed random order: when the time runs out,
    # every module has had a fair sample rather than the first lines of the first modules.
    jobs: queue.Queue[tuple[Module, Mutant]] = queue.Queue()
    orders = [
        random.Random(module.path).sample(module.mutants, len(module.mutants)) for module in modules
    ]
    for index in range(max((len(order) for order in orders), default=0)):
        for module, order in zip(modules, orders, strict=True):
            if index < len(order):
                jobs.put((module, order[index]))
    lock = threading.Lock()

    def work(worker: Worker) -> None:
        while time.monotonic() < deadline:
            try:
                module, mutant = jobs.get_nowait()
            except queue.Empty:
                return
            outcome = worker.run(module, mutant, timeout=module.baseline * 4 + 20)
            with lock:
                module.outcomes.append(outcome)
                sign = {"killed": ".", "timeout": "T", "survived": "S"}.get(outcome.status, "E")
                print(sign, end="", flush=True)
                if outcome.status in ("survived", "error"):
                    with live.open("a", encoding="utf-8") as out:
                        out.write(f"{outcome.status}\t{mutant.label}\n")

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print()


def report(modules: list[Module], seconds: float) -> dict[str, Any]:
    print(f"\nmutation testing, {seconds:.0f} s")
    print(
        f"{'module':<22} {'mutants':>7} {'killed':>7} {'timeout':>7} {'survived':>8} "
        f"{'not run':>7} {'kill rate':>9}"
    )
    summary: dict[str, Any] = {"seconds": round(seconds), "modules": {}}
    for module in modules:
        counts = module.counts()
        rate = module.rate()
        shown = "-" if rate is None else f"{rate:.1%}"
        print(
            f"{module.name:<22} {counts['mutants']:>7} {counts['killed']:>7} "
            f"{counts['timeout']:>7} {counts['survived']:>8} {counts['not run']:>7} {shown:>9}"
        )
        survivors = sorted(
            (o.mutant for o in module.outcomes if o.status == "survived"), key=lambda m: m.line
        )
        summary["modules"][module.path] = {
            **counts,
            "kill_rate": rate,
            "tests": module.tests,
            "survivors": [m.label for m in survivors],
            "ran": [o.mutant.label for o in module.outcomes],
        }
    for module in modules:
        for label in summary["modules"][module.path]["survivors"]:
            print(f"  survived: {label}")
    return summary


def merged(previous: dict[str, Any], again: dict[str, Any]) -> dict[str, Any]:
    """A re-run (survivors and mutants not run) folded into the last result: killed stays
    killed; a module the last result lacks takes this run's result whole."""
    result = json.loads(json.dumps(previous))
    result["seconds"] = previous["seconds"] + again["seconds"]
    print("\nmerged with the previous run:")
    for path, now in again["modules"].items():
        entry = result["modules"].setdefault(path, now)
        if entry is now:  # not in the last result: this run is its whole result
            continue
        # A label shared by mutants of one line, some killed before and some not, runs
        # them all again: those killed before are not counted twice.
        before = set(entry["ran"])
        twice = sum(
            max(0, now["ran"].count(label) - entry["survivors"].count(label))
            for label in set(now["ran"]) & before
        )
        entry["ran"] = sorted(before | set(now["ran"]))
        entry["killed"] += max(0, now["killed"] - twice)
        entry["timeout"] += now["timeout"]
        left = [label for label in entry["survivors"] if label not in now["ran"]]
        entry["survivors"] = sorted(now["survivors"] + left, key=_line_order)
        entry["survived"] = len(entry["survivors"])
        ran = entry["killed"] + entry["timeout"] + entry["survived"]
        # Counted by outcome, not by label: two mutants of one line may share a label.
        entry["not run"] = max(0, entry["mutants"] - ran)
        entry["kill_rate"] = (entry["killed"] + entry["timeout"]) / ran if ran else None
        killed = entry["killed"] + entry["timeout"]
        print(f"{short_name(path):<22} killed {killed} of {ran}: {entry['kill_rate']:.1%}")
    return result


def _line_order(label: str) -> tuple[str, int, str]:
    path, line, rest = label.split(":", 2)
    return path, int(line), rest


PRELOADED = (
    "pytest", "hypothesis", "httpx", "lxml.etree", "starlette.applications", "uvicorn",
    "oauthlib.oauth1", "anyio", "typer", "rich", "zeep", "pytest_asyncio",
)  # fmt: skip


def serve() -> int:
    """Fork server: one JSON request a line (tests, timeout), one verdict a line."""
    import importlib

    for name in PRELOADED:
        importlib.import_module(name)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            import pytest

            # The plugins were imported before pytest could rewrite their asserts: say so
            # once, not as the error the project's warning filter would make of it.
            quiet = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
            os._exit(int(pytest.main([*PYTEST, *quiet, *request["tests"]])))
        verdict = _wait(pid, request["timeout"])
        print(verdict, flush=True)
    return 0


def _wait(pid: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return "passed" if os.waitstatus_to_exitcode(status) == 0 else "failed"
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return "timeout"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600, help="time budget (600)")
    parser.add_argument("--module", action="append", default=[], help="name or path; repeat")
    parser.add_argument("--workers", type=int, default=2, help="parallel test runs (2)")
    parser.add_argument("--list", action="store_true", help="list modules and mutant counts")
    parser.add_argument("--output", default=str(REPO / ".mutation" / "last.json"))
    parser.add_argument(
        "--markdown", action="store_true", help="print --output as a Markdown table, run nothing"
    )
    parser.add_argument(
        "--stale", action="store_true", help="list tools/equivalent.toml entries matching no mutant"
    )
    parser.add_argument(
        "--rerun",
        action="store_true",
        help="run the survivors and the mutants not run of --output again (merged)",
    )
    return parser.parse_args(argv)


def run(modules: list[Module], workers: int, seconds: float, live: Path) -> float:
    """Run the modules' mutants in private copies; return the seconds it took."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="flickrwire-mutation-") as root:
        pool = [Worker(Path(root), i) for i in range(max(1, workers))]
        for worker in pool:
            worker.start()
        try:
            for module in modules:
                baseline(pool[0], module)
            run_all(modules, pool, start + seconds, live)
        finally:
            for worker in pool:
                worker.stop()
    return time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    if (argv if argv is not None else sys.argv[1:]) == ["--serve"]:
        return serve()
    args = arguments(argv)
    output = Path(args.output)
    if args.markdown:
        summary = json.loads(output.read_text(encoding="utf-8"))
        print(equivalents.table(summary, equivalents.load()))
        equivalents.explain(summary, equivalents.load())
        return 0
    modules = chosen(args.module)
    stored = json.loads(output.read_text(encoding="utf-8")) if output.exists() else None
    previous = stored if args.rerun else None
    for module in modules:
        module.mutants = mutants(module.path, (REPO / module.path).read_text(encoding="utf-8"))
        before = None if previous is None else previous["modules"].get(module.path)
        if before is not None:  # its survivors, and what the last run had no time for
            again = set(before["survivors"]) | {m.label for m in module.mutants}
            again -= set(before["ran"]) - set(before["survivors"])
            module.mutants = [m for m in module.mutants if m.label in again]
    if previous is not None:
        modules = [module for module in modules if module.mutants]
    if args.stale:
        found = {m.path: mutants(m.path, (REPO / m.path).read_text("utf-8")) for m in modules}
        old = equivalents.stale(equivalents.load(), found)
        for entry in old:
            print(f"stale: {entry.module}: {entry.code!r}: {entry.change}")
        return 1 if old else 0
    if args.list:
        for module in modules:
            print(f"{module.name:<22} {len(module.mutants):>5} mutants  {' '.join(module.tests)}")
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)  # survivors are written there live
    seconds = run(modules, args.workers, args.seconds, output.with_suffix(".live"))
    summary = report(modules, seconds)
    if previous is not None:
        summary = merged(previous, summary)
    elif stored is not None:  # a run of some modules replaces their entries only
        summary = {**stored, "modules": {**stored["modules"], **summary["modules"]}}
    output.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    equivalents.explain(summary, equivalents.load())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
