"""Async throughput: ``AsyncClient`` calls/s at 1, 10, 50 and 200 calls in flight.

A loopback aiohttp.web server in its own process answers every POST with a canned Flickr
body (``{"stat":"ok"}``). On one event loop in this process, four clients make calls with
N workers sharing one client:

- ``AsyncClient``: a signed ``flickr.groups.leave`` through ``flickrwire.AsyncClient`` with
  its default HTTP client (the aiohttp transport of ``flickrwire.aio`` when aiohttp is
  installed);
- ``AsyncClient unsigned``: the same client without credentials (what signing costs);
- ``AsyncClient on httpx pool``: the same, handed a plain ``httpx.AsyncClient`` (httpcore's
  pool, the default before issue 11);
- ``bare httpx``: ``httpx.AsyncClient.post`` of the bytes flickrwire builds, prebuilt;
- ``aiohttp``: ``aiohttp.ClientSession.post`` of the same bytes, read in full.

Every round runs every (level, client) pair once; the clients of one level run back to
back, in rotating order, so a busy spell touches the two sides of a ratio alike. Each
client first makes 200 calls per level (warm-up). Figures: wall-clock calls/s, median
over rounds, and per-round ratios (median and spread). Goals (issue 11): ``AsyncClient``
at 50 and 200 in flight at least 0.7x aiohttp, and never below its own 10-in-flight
throughput.

Run: ``python bench/bench_async.py`` (a few minutes; ``--quick`` for a smoke run;
``--levels``, ``--rounds``, ``--calls`` and ``--no-httpx`` for shorter runs).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from multiprocessing.connection import Connection

import aiohttp
import httpx
from _timing import Goal, Row, environment, rate_ratio, table

import flickrwire

OK_BODY = b'{"stat":"ok"}'
LEVELS = (1, 10, 50, 200)
#: Rounds, and calls per client per round: a round of 1,500 calls lasts about a third of a
#: second for the aiohttp-based clients on a quiet machine, long enough that one stall of
#: the scheduler does not decide a round's ratio (600 calls, as before, spread per-round
#: ratios from 0.42x to 1.00x).
ROUNDS, CALLS = 9, 1500
CLIENTS = ("AsyncClient", "AsyncClient unsigned", "AsyncClient on httpx pool", "bare httpx")
CLIENTS += ("aiohttp",)
#: The clients sending through httpx's own pool (slow; ``--no-httpx`` leaves them out).
HTTPX_POOLED = ("AsyncClient on httpx pool", "bare httpx")
GROUP_ID = "34427469792@N01"
# Made-up credentials: the server does not check them; signing costs the same.
CREDENTIALS = flickrwire.Credentials("bench0consumer0key", "bench0secret", "bench0token", "t0")

Calls = Callable[[], Awaitable[object]]


def serve(pipe: Connection) -> None:
    """The loopback server process: aiohttp.web answering the canned body."""
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=OK_BODY, content_type="application/json")

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/services/rest/", answer)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.base_events.Server)
        pipe.send(server.sockets[0].getsockname()[1])
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        await runner.cleanup()

    asyncio.run(main())


class Server:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs,), daemon=True)
        self.process.start()
        self.base_url = f"http://127.0.0.1:{self.pipe.recv()}/services/"

    def stop(self) -> None:
        self.pipe.send("stop")
        self.process.join(10)


class Clients:
    """The four clients, each one shared by all workers of a round."""

    def __init__(self, base_url: str) -> None:
        self.flickrwire = flickrwire.AsyncClient("rest", "json", CREDENTIALS, base_url=base_url)
        self.unsigned = flickrwire.AsyncClient("rest", "json", None, base_url=base_url)
        self.pooled = flickrwire.AsyncClient(
            "rest", "json", CREDENTIALS, base_url=base_url, http_client=httpx.AsyncClient()
        )
        self.httpx = httpx.AsyncClient()
        self.aiohttp = aiohttp.ClientSession()
        call = flickrwire.Call.build("flickr.groups.leave", {"group_id": GROUP_ID})
        request = self.flickrwire.build_request(call)
        self.url, self.content = str(request.url), request.content
        self.headers = {
            k: v for k, v in request.headers.items() if k not in ("host", "content-length")
        }

    def calls(self) -> dict[str, Calls]:
        async def ours() -> object:
            return await self.flickrwire.groups.leave(group_id=GROUP_ID)

        async def unsigned() -> object:
            return await self.unsigned.groups.leave(group_id=GROUP_ID)

        async def pooled() -> object:
            return await self.pooled.groups.leave(group_id=GROUP_ID)

        async def bare() -> object:
            response = await self.httpx.post(self.url, content=self.content, headers=self.headers)
            return response.content

        async def session() -> object:
            async with self.aiohttp.post(
                self.url, data=self.content, headers=self.headers
            ) as response:
                return await response.read()

        return dict(zip(CLIENTS, (ours, unsigned, pooled, bare, session), strict=True))

    async def check(self) -> None:
        for client in (self.flickrwire, self.unsigned, self.pooled):
            result = await client.groups.leave(group_id=GROUP_ID)
            if not result.ok:
                raise SystemExit(f"the loopback server's answer did not decode: {result}")

    async def aclose(self) -> None:
        await self.flickrwire.aclose()
        await self.unsigned.aclose()
        await self.pooled.http.aclose()
        await self.httpx.aclose()
        await self.aiohttp.close()


async def rate(call: Calls, in_flight: int, total: int) -> float:
    """Calls per second (wall clock) making ``total`` calls with ``in_flight`` workers."""
    each = max(total // in_flight, 1)

    async def worker() -> None:
        for _ in range(each):
            await call()

    began, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    calls = each * in_flight
    CPU_US[call].append((time.process_time() - cpu) / calls * 1e6)
    return calls / (time.perf_counter() - began)


#: Client CPU time per call (this process: the event loop and every client), per round.
CPU_US: defaultdict[Calls, list[float]] = defaultdict(list)


Rates = dict[tuple[int, str], list[float]]
#: Calls each client makes at each level before the rounds (at least ``level * 4``).
WARM_UP = 200


def segments(levels: tuple[int, ...], names: list[str], rounds: int) -> list[tuple[int, str]]:
    """The (level, client) segments in the order they run: round by round, level by level
    (the levels' order rotating each round), the clients of one level back to back (their
    order rotating too). A ratio compares two clients at one level in one round, so they
    run seconds apart at most, not a whole round apart: a busy spell on the machine then
    hits both sides of a ratio alike."""
    order: list[tuple[int, str]] = []
    for r in range(rounds):
        shift = r % len(levels)
        for level in levels[shift:] + levels[:shift]:
            turn = r % len(names)
            order += [(level, name) for name in names[turn:] + names[:turn]]
    return order


#: Client CPU us per call of each (level, client), one figure per measured round.
CPU: defaultdict[tuple[int, str], list[float]] = defaultdict(list)


async def measure(
    base_url: str,
    levels: tuple[int, ...],
    total: int,
    rounds: int,
    names: tuple[str, ...],
    warm: int = WARM_UP,
) -> Rates:
    clients = Clients(base_url)
    try:
        await clients.check()
        calls = {name: call for name, call in clients.calls().items() if name in names}
        for level in levels:  # warm up: open the connections each level needs, fill caches
            for name in calls:
                await rate(calls[name], level, max(level * 4, warm))
        found: Rates = {(level, name): [] for level in levels for name in calls}
        for level, name in segments(levels, list(calls), rounds):
            found[level, name].append(await rate(calls[name], level, total))
            CPU[level, name].append(CPU_US[calls[name]][-1])
        return found
    finally:
        await clients.aclose()


def collect(
    quick: bool,
    levels: tuple[int, ...] = LEVELS,
    rounds: int = ROUNDS,
    total: int = CALLS,
    names: tuple[str, ...] = CLIENTS,
) -> tuple[tuple[int, ...], Rates]:
    warm = WARM_UP
    if quick:
        levels, total, rounds, warm = (2, 10), 20, 1, 0
    server = Server()
    try:
        found = measure(server.base_url, levels, total, rounds, names, warm)
        return levels, asyncio.run(found)
    finally:
        server.stop()


def rows(levels: tuple[int, ...], found: Rates) -> list[Row]:
    out = []
    for level in levels:
        ours = found[level, "AsyncClient"]
        goal = Goal(">=", 0.7) if level >= 50 else None
        out.append(
            Row(
                "async",
                f"AsyncClient, {level} in flight",
                f"{statistics.median(ours):,.0f} calls/s, "
                f"{statistics.median(CPU[level, 'AsyncClient']):,.0f} us CPU",
                "aiohttp.ClientSession",
                rate_ratio(ours, found[level, "aiohttp"]),
                goal,
            )
        )
        for name in ("AsyncClient unsigned", "bare httpx"):
            if (level, name) not in found:
                continue
            out.append(
                Row(
                    "async",
                    f"{name}, {level} in flight",
                    f"{statistics.median(found[level, name]):,.0f} calls/s, "
                    f"{statistics.median(CPU[level, name]):,.0f} us CPU",
                    "aiohttp.ClientSession",
                    rate_ratio(found[level, name], found[level, "aiohttp"]),
                )
            )
        if level > 10 and 10 in levels:
            out.append(
                Row(
                    "async",
                    f"AsyncClient, {level} vs 10 in flight",
                    "",
                    "AsyncClient, 10 in flight",
                    rate_ratio(ours, found[10, "AsyncClient"]),
                    Goal(">=", 1.0),
                )
            )
    return out


def run(quick: bool) -> list[Row]:
    """AsyncClient's throughput against aiohttp and against itself at 10 in flight."""
    return rows(*collect(quick))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run; figures meaningless")
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--calls", type=int, default=CALLS, help="calls per client per round")
    parser.add_argument(
        "--no-httpx", action="store_true", help="leave out the two clients on httpx's pool"
    )
    args = parser.parse_args()
    print(environment(), "\n")
    names = tuple(n for n in CLIENTS if not (args.no_httpx and n in HTTPX_POOLED))
    levels, found = collect(args.quick, tuple(args.levels), args.rounds, args.calls, names)
    lines = []
    for level in levels:
        base = found[level, "aiohttp"]
        for name in names:
            spread = rate_ratio(found[level, name], base)
            lines.append(
                [
                    str(level),
                    name,
                    f"{statistics.median(found[level, name]):,.0f}",
                    f"{statistics.median(CPU[level, name]):,.0f}",
                    f"{spread.median:.2f}x",
                    f"{spread.q1:.2f}-{spread.q3:.2f}",
                    f"{spread.low:.2f}-{spread.high:.2f}",
                ]
            )
    print("Calls/s on a loopback aiohttp.web server (median over rounds); ratio: median")
    print("of per-round ratios against aiohttp.ClientSession at the same level, with spread")
    headers = ["in flight", "client", "calls/s", "CPU us/call", "vs aiohttp", "IQR", "min-max"]
    print(table(headers, lines, left=2))
    print()
    print(
        table(
            ["case", "ratio", "spread", "goal", ""],
            [
                [
                    row.case,
                    f"{row.ratio.median:.2f}x" if row.ratio else "",
                    row.ratio.spread() if row.ratio else "",
                    str(row.goal or ""),
                    row.verdict(),
                ]
                for row in rows(levels, found)
            ],
        )
    )


if __name__ == "__main__":
    main()
