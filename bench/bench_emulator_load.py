"""Benchmark: signed ``flickr.groups.leave`` requests per second served by the emulator,
beside a bare Starlette app that answers the same bytes, on the same uvicorn, driven by
prebuilt HTTP/1.1 requests over keep-alive connections (no flickrwire client in the loop).

Each server runs in its own subprocess on loopback (``uvicorn`` with the same options for
both; ``--nice`` applies to both alike). The load generator is one asyncio process that
writes prebuilt request bytes and reads each answer's head and ``Content-Length`` body,
one request in flight per connection. Every emulator request is a real, valid leave: the
seed has ``--users`` users (each with its own delete-level OAuth token) in ``--groups``
groups that each keep an admin, and each round sends one leave per (user, group), signed
just before the round with fresh nonces and timestamp; the emulator is reset through its
admin API before each of its rounds. Every answer is checked (200 and ``"stat":"ok"``).

Rounds interleave emulator and bare at 10 and at 200 connections, so a busy spell on the
(shared, 2-core) machine touches all alike. Reported: medians over rounds with the spread
(lowest..highest) of requests/s, of the per-round ratio emulator / bare, of the emulator's
200-connection throughput against its 10-connection figure, and p50/p99 latency; the
server's CPU time per request is shown too (it moves less than requests/s on a busy
machine), and so is the ratio of those CPU times, which is what the requests/s ratio would
be if the server alone used the machine. The load generator competes with the servers for
the two cores (and other processes with all of them), so the requests/s figures move a lot
from round to round: read the spread.

    python bench/bench_emulator_load.py [--rounds 7] [--users 40] [--groups 100] [--quick]
        [--against REV] [--callgrind]

``--against REV`` adds a third server, the emulator as it was at git revision REV, to
the same rounds (before and after measured side by side). ``--callgrind`` counts each
server's instructions per request under valgrind instead of timing it (one warm-up round,
one counted round at the lowest connection count; slow: try ``--users 10 --groups 60``).

``run(quick)`` gives ``bench/run.py`` its rows: issue 11's three goals (emulator / bare at
10 connections, 200 / 10 connections, p99 / p50 at 200) and, as context, the server-CPU
ratio and emulator / bare at 200 connections.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import pathlib
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from _timing import Goal, Ratio, Row

KEY, SECRET = "0123456789abcdef0123456789abcdef", "0123456789abcdef"
ADMIN_TOKEN = "bench-admin-token"
OK_BODY = b'{"stat":"ok"}'
PATH = "/services/rest/"
GOAL_RATIO, GOAL_COLLAPSE, GOAL_TAIL = 0.6, 0.8, 5.0


def user_id(n: int) -> str:
    return f"{10000100 + n}@N01"


def group_id(n: int) -> str:
    return f"{40000000 + n}@N01"


def token_of(n: int) -> tuple[str, str]:
    return f"72157000000{n:06d}-0123456789abcdef", f"{n:06d}fedcba9876"


def bench_seed(users: int, groups: int) -> dict[str, Any]:
    """``users`` users with a delete token each, all members of ``groups`` groups that
    each keep an admin (who never leaves), so every leave is a plain, valid one."""
    owner = "10000001@N01"
    people = [{"nsid": owner, "username": "owner"}]
    people += [{"nsid": user_id(u), "username": f"user{u}"} for u in range(users)]
    memberships = []
    for g in range(groups):
        memberships.append({"group": group_id(g), "user": owner, "role": "admin", "joined": 1})
        memberships += [
            {"group": group_id(g), "user": user_id(u), "role": "member", "joined": 2 + u}
            for u in range(users)
        ]
    tokens = [
        {
            "token": token_of(u)[0],
            "secret": token_of(u)[1],
            "api_key": KEY,
            "user": user_id(u),
            "perms": "delete",
        }
        for u in range(users)
    ]
    return {
        "api_keys": [{"key": KEY, "secret": SECRET}],
        "users": people,
        "tokens": tokens,
        "groups": [{"id": group_id(g), "name": f"group {g}"} for g in range(groups)],
        "memberships": memberships,
    }


# -- the servers (run as ``--serve KIND`` in a subprocess) ------------------------------


def build_app(kind: str, users: int, groups: int, rev: str = "") -> Any:
    if kind == "bare":
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        async def leave(request: Request) -> Response:
            await request.body()
            return Response(OK_BODY, media_type="application/json")

        return Starlette(routes=[Route(PATH, leave, methods=["POST"])])
    if kind == "before":  # the emulator as it was at ``rev`` (``--against``)
        import importlib

        from _revision import package_at

        create_app = importlib.import_module(f"{package_at(rev).__name__}.emulator").create_app
    else:
        from flickrwire.emulator import create_app

    return create_app(seed=bench_seed(users, groups), admin=True, admin_token=ADMIN_TOKEN)


def serve(kind: str, users: int, groups: int, rev: str = "") -> None:
    import uvicorn

    app = build_app(kind, users, groups, rev)
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY on accepted sockets only when the
    # listening socket's proto says TCP (with proto 0 every answer waits ~40 ms for an ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    print(sock.getsockname()[1], flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


class Server:
    """One server subprocess; ``cpu()`` reads its CPU seconds from ``/proc`` when there."""

    def __init__(self, kind: str, args: argparse.Namespace, wrapper: tuple[str, ...] = ()) -> None:
        command = [*wrapper, sys.executable, __file__, "--serve", kind]
        command += ["--users", str(args.users), "--groups", str(args.groups)]
        if kind == "before":
            command += ["--against", args.against]
        if args.nice:
            command = ["nice", "-n", str(args.nice), *command]
        self.kind = kind
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def cpu(self) -> float:
        try:
            with open(f"/proc/{self.process.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset(self) -> None:
        if self.kind == "bare":
            return
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"}
        conn.request("POST", "/_admin/reset", body=b"{}", headers=headers)
        answer = conn.getresponse()
        answer.read()
        conn.close()
        if answer.status != 200:
            raise SystemExit(f"reset answered {answer.status}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


# -- the requests -----------------------------------------------------------------------


def signed_leaves(port: int, users: int, groups: int) -> list[bytes]:
    """One signed leave per (user, group), as HTTP/1.1 bytes, users interleaved."""
    from flickrwire import Credentials
    from flickrwire.auth.signing import authorization_header, oauth_params

    url = f"http://127.0.0.1:{port}{PATH}"
    stamp = int(time.time())
    out = []
    for g in range(groups):
        for u in range(users):
            token, token_secret = token_of(u)
            creds = Credentials(KEY, SECRET, token, token_secret)
            params = {
                "method": "flickr.groups.leave",
                "group_id": group_id(g),
                "format": "json",
                "nojsoncallback": "1",
            }
            oauth = oauth_params(
                creds, "POST", url, params, nonce=secrets.token_hex(16), timestamp=stamp
            )
            body = "&".join(f"{k}={v.replace('@', '%40')}" for k, v in params.items()).encode()
            head = (
                f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Authorization: {authorization_header(oauth)}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            out.append(head.encode() + body)
    return out


# -- the load generator -----------------------------------------------------------------


@dataclass
class Round:
    rate: float
    p50: float
    p99: float
    cpu_us: float
    failures: list[str] = field(default_factory=list)


async def drive(
    port: int, requests: list[bytes], connections: int
) -> tuple[float, list[float], list[str]]:
    """Send ``requests`` over ``connections`` keep-alive connections, one in flight on
    each; return the elapsed seconds, each request's latency and any bad answers."""
    streams = [await asyncio.open_connection("127.0.0.1", port) for _ in range(connections)]
    for _, writer in streams:
        writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    latencies: list[float] = []
    failures: list[str] = []
    todo = iter(requests)

    async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for request in todo:
            began = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            body = await reader.readexactly(length)
            latencies.append(time.perf_counter() - began)
            if not head.startswith(b"HTTP/1.1 200") or b'"stat":"ok"' not in body:
                failures.append(head.split(b"\r\n", 1)[0].decode() + " " + body[:200].decode())

    began = time.perf_counter()
    await asyncio.gather(*(worker(r, w) for r, w in streams))
    elapsed = time.perf_counter() - began
    for _, writer in streams:
        writer.close()
    return elapsed, latencies, failures


def one_round(server: Server, requests: list[bytes], connections: int) -> Round:
    server.reset()
    used = server.cpu()
    elapsed, latencies, failures = asyncio.run(drive(server.port, requests, connections))
    cpu_us = (server.cpu() - used) / len(requests) * 1e6
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return Round(len(requests) / elapsed, p50 * 1e3, p99 * 1e3, cpu_us, failures)


# -- the report -------------------------------------------------------------------------


def spread(values: list[float], digits: int = 2) -> str:
    """The median and, in brackets, the lowest and highest value."""
    low, high = min(values), max(values)
    return f"{statistics.median(values):.{digits}f} [{low:.{digits}f}..{high:.{digits}f}]"


Rounds = dict[tuple[str, int], list[Round]]


def report(args: argparse.Namespace, rounds: Rounds) -> dict[str, Any]:
    table(args, rounds)
    print()
    return ratios(args, rounds)


def table(args: argparse.Namespace, rounds: Rounds) -> None:
    print(
        f"signed flickr.groups.leave, {args.users * args.groups} requests per round, "
        f"{args.rounds} interleaved rounds; median [lowest..highest]"
    )
    columns = ("conns", "variant", "requests/s", "p50 ms", "p99 ms", "server CPU us/req")
    print("{:>5}  {:<9}{:>20}{:>22}{:>24}{:>19}".format(*columns))
    for conns in args.connections:
        for kind in kinds(args):
            found = rounds[(kind, conns)]
            print(
                f"{conns:>5}  {kind:<9}{spread([r.rate for r in found], 0):>20}"
                f"{spread([r.p50 for r in found]):>22}{spread([r.p99 for r in found]):>24}"
                f"{statistics.median(r.cpu_us for r in found):>19.0f}"
            )


def kinds(args: argparse.Namespace) -> tuple[str, ...]:
    """The servers a run measures: ``before`` is the emulator at ``--against REV``."""
    return ("emulator", "before", "bare") if args.against else ("emulator", "bare")


def against(args: argparse.Namespace, rounds: Rounds) -> None:
    """With ``--against``: the earlier emulator beside the bare app and this one."""
    for conns in args.connections:
        before, ours, bare = (rounds[(kind, conns)] for kind in ("before", "emulator", "bare"))
        pairs = (("before / bare", before, bare), ("emulator / before", ours, before))
        for label, top, base in pairs:
            rate = [t.rate / b.rate for t, b in zip(top, base, strict=True)]
            cpu = [b.cpu_us / t.cpu_us for t, b in zip(top, base, strict=True)]
            print(
                f"{label + f', {conns} connections:':<38}{spread(rate)}"
                f"   server CPU, the other way up: {spread(cpu)}"
            )


def ratios(args: argparse.Namespace, rounds: Rounds) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    if args.against:
        against(args, rounds)
    for conns in args.connections:
        ratios = [
            e.rate / b.rate
            for e, b in zip(rounds[("emulator", conns)], rounds[("bare", conns)], strict=True)
        ]
        goal = f"goal >= {GOAL_RATIO}" if conns == 10 else "(context)"
        label = f"emulator / bare, {conns} connections:"
        print(f"{label:<38}{spread(ratios)}   {goal}")
        summary[f"ratio_{conns}"] = statistics.median(ratios)
        cpu = [
            b.cpu_us / e.cpu_us
            for e, b in zip(rounds[("emulator", conns)], rounds[("bare", conns)], strict=True)
        ]
        label = "  server CPU, bare / emulator:"
        print(f"{label:<38}{spread(cpu)}   (context: the ratio if the server alone counted)")
        summary[f"cpu_ratio_{conns}"] = statistics.median(cpu)
    low, high = min(args.connections), max(args.connections)
    if low != high:
        ours = rounds[("emulator", high)]
        collapse = [h.rate / lo.rate for h, lo in zip(ours, rounds[("emulator", low)], strict=True)]
        tail = [r.p99 / r.p50 for r in ours]
        label = f"emulator, {high} / {low} connections, req/s:"
        print(f"{label:<38}{spread(collapse)}   goal >= {GOAL_COLLAPSE}")
        label = f"emulator p99 / p50, {high} connections:"
        print(f"{label:<38}{spread(tail)}   goal <= {GOAL_TAIL}")
        summary["collapse"] = statistics.median(collapse)
        summary["tail"] = statistics.median(tail)
    return summary


def run_rounds(args: argparse.Namespace, servers: dict[str, Server]) -> Rounds:
    """Every variant at every connection count, round by round, the order alternating."""
    rounds: Rounds = {(kind, conns): [] for kind in servers for conns in args.connections}
    for number in range(args.rounds + 1):  # round 0 warms up and is dropped
        order = list(servers.values())
        if number % 2:
            order.reverse()
        for conns in args.connections:
            for server in order:
                requests = signed_leaves(server.port, args.users, args.groups)
                found = one_round(server, requests, conns)
                if found.failures:
                    raise SystemExit(
                        f"{server.kind}: {len(found.failures)} bad answers, first: "
                        f"{found.failures[0]}"
                    )
                if number:
                    rounds[(server.kind, conns)].append(found)
    return rounds


def options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--serve", choices=("emulator", "bare", "before"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--against",
        metavar="REV",
        default="",
        help="also serve the emulator as it was at git revision REV, in the same rounds",
    )
    parser.add_argument("--rounds", type=int, default=7, help="rounds per variant (default 7)")
    parser.add_argument("--users", type=int, default=40, help="users in the seed (default 40)")
    parser.add_argument("--groups", type=int, default=100, help="groups in the seed (default 100)")
    parser.add_argument(
        "--connections", type=int, nargs="+", default=[10, 200], help="default: 10 200"
    )
    parser.add_argument("--nice", type=int, default=0, help="nice both servers by N")
    parser.add_argument("--json", action="store_true", help="also print the summary as JSON")
    parser.add_argument("--quick", action="store_true", help="a smoke run (figures meaningless)")
    parser.add_argument(
        "--callgrind",
        action="store_true",
        help="count instructions per request under valgrind instead (try --users 10 --groups 60)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        # Still 10 and 200 connections (the rows name them), but 40 requests a round.
        args.rounds, args.users, args.groups = 1, 4, 10
    return args


def measure(args: argparse.Namespace) -> Rounds:
    servers = {kind: Server(kind, args) for kind in kinds(args)}
    try:
        return run_rounds(args, servers)
    finally:
        for server in servers.values():
            server.stop()


def instructions(args: argparse.Namespace) -> dict[str, float]:
    """``--callgrind``: each server under valgrind's callgrind (which must be installed);
    a warm-up round, the counters zeroed, one round at the lowest connection count, the
    counters dumped: instructions per request, every thread of the server counted
    (counts repeat within a few percent, where timings on a shared machine do not)."""
    found: dict[str, float] = {}
    conns = min(args.connections)
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds(args):
            wrapper = ("valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/{kind}.out")
            server = Server(kind, args, wrapper)
            pid = str(server.process.pid)
            try:
                for measured in (False, True):
                    requests = signed_leaves(server.port, args.users, args.groups)
                    server.reset()
                    if measured:
                        subprocess.run(
                            ["callgrind_control", "--zero", pid], check=True, capture_output=True
                        )
                    _, _, failures = asyncio.run(drive(server.port, requests, conns))
                    if failures:
                        raise SystemExit(f"{kind}: {len(failures)} bad answers: {failures[0]}")
                subprocess.run(
                    ["callgrind_control", "--dump", pid], check=True, capture_output=True
                )
            finally:
                server.stop()
            dumps = sorted(pathlib.Path(folder).glob(f"{kind}.out.*"))
            text = dumps[-1].read_text()
            total = re.search(r"^(?:totals|summary): *(\d+)", text, re.M)
            if total is None:
                raise SystemExit(f"{kind}: no totals in callgrind's dump")
            found[kind] = int(total[1]) / len(requests)
            print(f"{kind}: {found[kind]:,.0f} instructions per request", flush=True)
    print(
        f"instructions per request, {conns} connections, {args.users * args.groups} requests: "
        + ", ".join(f"{kind} {count:,.0f}" for kind, count in found.items())
    )
    for kind in found:
        if kind != "bare":
            print(f"  bare / {kind}: {found['bare'] / found[kind]:.2f}")
    return found


def rows(args: argparse.Namespace, rounds: Rounds) -> list[Row]:
    """The table rows of ``bench/run.py``: issue 11's goals, and context beside them."""
    low, high = min(args.connections), max(args.connections)
    out = []
    for conns in sorted({low, high}):
        ours, bare = rounds[("emulator", conns)], rounds[("bare", conns)]
        out.append(
            Row(
                "emulator",
                f"signed leaves, {conns} keep-alive connections",
                f"{statistics.median(r.rate for r in ours):,.0f} req/s",
                "bare Starlette, same uvicorn",
                Ratio.of([e.rate / b.rate for e, b in zip(ours, bare, strict=True)]),
                Goal(">=", GOAL_RATIO) if conns == low else None,
            )
        )
        out.append(
            Row(
                "emulator",
                f"  server CPU per leave, {conns} connections (bare / emulator)",
                f"{statistics.median(r.cpu_us for r in ours):,.0f} us"
                f" (bare {statistics.median(r.cpu_us for r in bare):,.0f} us)",
                "the ratio if the server alone ran",
                Ratio.of([b.cpu_us / e.cpu_us for e, b in zip(ours, bare, strict=True)]),
            )
        )
    if low != high:
        ours, few = rounds[("emulator", high)], rounds[("emulator", low)]
        out.append(
            Row(
                "emulator",
                f"emulator, {high} vs {low} connections",
                f"{statistics.median(r.rate for r in ours):,.0f} req/s",
                f"emulator, {low} connections",
                Ratio.of([h.rate / lo.rate for h, lo in zip(ours, few, strict=True)]),
                Goal(">=", GOAL_COLLAPSE),
            )
        )
        out.append(
            Row(
                "emulator",
                f"emulator p99 / p50, {high} connections",
                f"p50 {statistics.median(r.p50 for r in ours):,.1f} ms",
                "its own p50",
                Ratio.of([r.p99 / r.p50 for r in ours]),
                Goal("<=", GOAL_TAIL),
            )
        )
    return out


def run(quick: bool) -> list[Row]:
    """Issue 11's emulator goals for ``bench/run.py`` (full: 7 rounds of 4,000 leaves)."""
    args = options(["--quick"] if quick else [])
    return rows(args, measure(args))


def main() -> None:
    args = options()
    if args.serve:
        serve(args.serve, args.users, args.groups, args.against)
        return
    if args.callgrind:
        instructions(args)
        return
    summary = report(args, measure(args))
    if args.json:
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
