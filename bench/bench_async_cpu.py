"""Async client CPU per call: ``AsyncClient`` against ``aiohttp.ClientSession``.

The same loopback server and workers as ``bench_async.py`` (a signed
``flickr.groups.leave``, N workers sharing one client), but the figure is the CPU time of
this process (event loop and client) per call, which moves less with a loaded machine
than calls/s does. Clients: ``AsyncClient`` (this tree), ``AsyncClient unsigned``,
``aiohttp`` posting the prebuilt bytes, and with ``--against REV`` the signed
``AsyncClient`` of the package at a git revision, in the same rounds. Ratios: the median
of per-round ratios against aiohttp's CPU per call, with their spread. Issue 11 asks for
"lower": there is no numeric goal for this figure (``bench_async.py`` has the
throughput goals).

Run: ``python bench/bench_async_cpu.py [--against REV] [--levels 10 50] [--rounds 7]``.

``--callgrind`` counts instructions instead of CPU time: it runs this script again under
valgrind's callgrind (which must be installed), each (level, client) pair once, its calls
between two marks (``os.getppid``, which callgrind is told to dump before), and prints
thousands of instructions per call. The counts barely move with the machine's load, so
they judge a change where CPU times cannot; a run takes a few minutes per level.

``--pieces`` counts, the same way, the pieces of one signed call on their own, each in a
loop of ``--calls`` runs (no network): the dotted lookup, ``Call.build``, building the
POST signed and unsigned, signing alone, the short path's header lines, decoding the
answer, and the deadline with the phase timeouts. Each piece alone: the figures add up
only roughly to a call's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from _revision import package_at
from _timing import environment, rate_ratio, table
from bench_async import CPU_US, CREDENTIALS, GROUP_ID, Calls, Clients, Server, rate

CREDENTIAL_FIELDS = ("api_key", "api_secret", "oauth_token", "oauth_token_secret")


def old_client(package: ModuleType, base_url: str) -> object:
    creds = package.Credentials(*(getattr(CREDENTIALS, f) for f in CREDENTIAL_FIELDS))
    return package.AsyncClient("rest", "json", creds, base_url=base_url)


async def measure(
    base_url: str,
    levels: list[int],
    total: int,
    rounds: int,
    before: ModuleType | None,
    marks: bool = False,
) -> dict[tuple[int, str], list[float]]:
    clients = Clients(base_url)
    every = clients.calls()
    calls: dict[str, Calls] = {n: every[n] for n in ("AsyncClient", "AsyncClient unsigned")}
    calls["aiohttp"] = every["aiohttp"]
    old = old_client(before, base_url) if before is not None else None
    if old is not None:

        async def older() -> object:
            return await old.groups.leave(group_id=GROUP_ID)  # type: ignore[attr-defined]

        calls["AsyncClient before"] = older
    try:
        await clients.check()
        pairs = [(level, name) for level in levels for name in calls]
        for level, name in pairs:  # warm up, and open the connections each level needs
            await rate(calls[name], level, level * 4)
        found: dict[tuple[int, str], list[float]] = {pair: [] for pair in pairs}
        if marks:  # one segment per pair, each between two marks (see counted())
            for level, name in pairs:
                os.getppid()
                await rate(calls[name], level, total)
                os.getppid()
            return found
        for r in range(rounds):
            shift = r % len(pairs)
            for level, name in pairs[shift:] + pairs[:shift]:
                await rate(calls[name], level, total)
                found[level, name].append(CPU_US[calls[name]][-1])
        return found
    finally:
        await clients.aclose()
        if old is not None:
            await old.aclose()  # type: ignore[attr-defined]


def _instructions(dump: Path) -> int:
    for line in dump.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise SystemExit(f"no instruction count in {dump}")


def pieces() -> dict[str, Callable[[], object]]:
    """One signed groups.leave, piece by piece (what ``--pieces`` counts)."""
    from multidict import CIMultiDict, CIMultiDictProxy

    import flickrwire
    from flickrwire.aio import _left_phases
    from flickrwire.exchange import Deadline
    from flickrwire.headerlines import post_header_pairs
    from flickrwire.transports.rest import RESTTransport

    url = "http://127.0.0.1:9/services/"
    signed = flickrwire.AsyncClient("rest", "json", CREDENTIALS, base_url=url)
    unsigned = flickrwire.AsyncClient("rest", "json", None, base_url=url)
    transport, args = signed.transport, {"group_id": GROUP_ID}
    assert isinstance(transport, RESTTransport)
    call = flickrwire.Call.build("flickr.groups.leave", args)
    post = transport.build_post(call, "json", signed.signer, url)
    assert post is not None
    params = {"method": call.method, **args, "format": "json", "nojsoncallback": "1"}
    lines = [("Content-Type", "application/json"), ("Content-Length", "13"), ("Server", "x")]
    headers = CIMultiDictProxy(CIMultiDict(lines))
    timeout = signed.http.timeout
    return {
        "nothing (the loop)": lambda: None,
        "dotted client.groups.leave": lambda: signed.groups.leave,
        "Call.build": lambda: flickrwire.Call.build("flickr.groups.leave", args),
        "build_post, signed": lambda: transport.build_post(call, "json", signed.signer, url),
        "build_post, unsigned": lambda: transport.build_post(call, "json", unsigned.signer, url),
        "signing alone": lambda: signed.signer.sign("POST", post.url, dict(params), in_header=True),
        "header lines": lambda: post_header_pairs(post),
        "decode_body": lambda: transport.decode_body(b'{"stat":"ok"}', 200, headers, call, "json"),
        "deadline, phases": lambda: _left_phases(timeout, Deadline(30.0).left()),
    }


def counted_pieces(calls: int) -> None:
    """``--pieces``: each piece's loop between two marks, under callgrind."""
    if os.environ.get("FLICKRWIRE_PIECES_MARKED"):
        found = pieces()
        for piece in found.values():  # warm up: caches filled, imports done
            for _ in range(200):
                piece()
        for piece in found.values():
            os.getppid()
            for _ in range(calls):
                piece()
            os.getppid()
        print(json.dumps(list(found)))
        return
    with tempfile.TemporaryDirectory() as folder:
        command = ["valgrind", "--tool=callgrind", "--dump-before=getppid"]
        command += [f"--callgrind-out-file={folder}/cg.%p", sys.executable, __file__]
        command += ["--pieces", "--calls", str(calls)]
        env = {**os.environ, "FLICKRWIRE_PIECES_MARKED": "1"}
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
        names = json.loads(done.stdout.strip().splitlines()[-1])
        base = str(next(Path(folder).glob("cg.*.1")))[:-2]
        print(f"Instructions per run of each piece alone (callgrind), {calls} runs each")
        lines = [
            [name, f"{_instructions(Path(f'{base}.{2 + 2 * i}')) / calls:,.0f}"]
            for i, name in enumerate(names)
        ]
        print(table(["piece", "instructions"], lines, left=1))


def counted(args: argparse.Namespace) -> None:
    """Run this script under callgrind with ``--marks``; print instructions per call."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--dump-before=getppid",
            f"--callgrind-out-file={folder}/cg.%p",
            sys.executable,
            __file__,
            "--marks",
            "--calls",
            str(args.calls),
            "--levels",
            *map(str, args.levels),
        ]
        if args.against:
            command += ["--against", args.against]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        pairs = json.loads(done.stdout.strip().splitlines()[-1])
        first = next(Path(folder).glob("cg.*.1"))
        base = str(first)[:-2]
        # Dump 1 ends at the first mark; then each pair's segment, and the gap after it.
        found = {
            (level, name): _instructions(Path(f"{base}.{2 + 2 * i}")) / args.calls / 1000
            for i, (level, name) in enumerate(pairs)
        }
    print(f"Thousands of instructions per call (callgrind), {args.calls} calls per client")
    lines = [
        [str(level), name, f"{k:,.0f}", f"{k / found[level, 'aiohttp']:.2f}x"]
        for (level, name), k in found.items()
    ]
    print(table(["in flight", "client", "k instr/call", "vs aiohttp"], lines, left=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--against", metavar="REV", help="also time the package at REV")
    parser.add_argument("--levels", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=600, help="calls per client per round")
    parser.add_argument("--callgrind", action="store_true", help="count instructions")
    parser.add_argument("--marks", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--pieces", action="store_true", help="count a call's pieces alone")
    args = parser.parse_args()
    if args.pieces:
        counted_pieces(args.calls)
        return
    if args.callgrind:
        print(environment(), "\n")
        counted(args)
        return
    before = package_at(args.against) if args.against else None
    if not args.marks:
        print(environment(), "\n")
    server = Server()
    try:
        rounds = 1 if args.marks else args.rounds
        found = asyncio.run(
            measure(server.base_url, args.levels, args.calls, rounds, before, args.marks)
        )
    finally:
        server.stop()
    if args.marks:
        print(json.dumps(list(found)))
        return
    lines = []
    for level, name in found:
        spread = rate_ratio(found[level, name], found[level, "aiohttp"])
        lines.append(
            [
                str(level),
                name,
                f"{statistics.median(found[level, name]):,.0f}",
                f"{spread.median:.2f}x",
                f"{spread.q1:.2f}-{spread.q3:.2f}",
                f"{spread.low:.2f}-{spread.high:.2f}",
            ]
        )
    print("Client CPU us per call (median over rounds); ratio: median of per-round ratios")
    print(
        f"against aiohttp at the same level, {args.rounds} rounds"
        + (f"; before = {args.against}" if before else "")
    )
    headers = ["in flight", "client", "CPU us/call", "vs aiohttp", "IQR", "min-max"]
    print(table(headers, lines, left=2))
    if before is not None:
        print("\nThis tree's AsyncClient against the revision's (per-round CPU ratios):")
        for level in args.levels:
            change = rate_ratio(found[level, "AsyncClient"], found[level, "AsyncClient before"])
            print(f"  {level} in flight: {change.median:.2f}x, {change.spread()}")


if __name__ == "__main__":
    main()
