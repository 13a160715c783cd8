"""The requests bridge's cost: flickrapi through ``intercept()`` against flickrapi on a
trivial requests adapter, both answering the same canned bytes.

Every variant runs flickrapi 2.4.0 unchanged (``flickr.test.echo``, ``format=parsed-json``,
OAuth-signed by flickrapi itself with a key and secret). The baseline mounts an adapter that
returns the canned REST JSON answer at once; the bridge variants run inside
``intercept()``, whose inner httpx transport (``httpx.MockTransport``) returns the same
bytes, so the figure covers what the bridge adds: routing, turning the prepared request
into an httpx request, parsing the call with the REST transport, and building the
``requests.Response``. ``+on_result`` also reads every answer into a ``Result`` for an
``on_result`` callback.

Rounds alternate the variants (short batches, CPU time); the ratio is taken per round and
reported as the median with its spread (lowest and highest round). Goal: at most 1.3x.

Run: ``python bench/bench_bridges.py`` (about 20 s; ``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

import flickrapi
import httpx
import requests
from _timing import environment
from requests.adapters import BaseAdapter

from flickrwire import Result
from flickrwire.bridges.requests import intercept

# Made-up credentials: flickrapi signs with them; nothing checks the signature here.
KEY, SECRET = "bench0consumer0key0000000000000", "bench0secret0000"
CANNED = (
    b'{"method":{"_content":"flickr.test.echo"},"name":{"_content":"bench"},'
    b'"format":{"_content":"json"},"nojsoncallback":{"_content":"1"},"stat":"ok"}'
)
HEADERS = {"content-type": "application/json"}
GOAL = 1.3


class CannedAdapter(BaseAdapter):
    """The baseline: a requests adapter answering the canned bytes, nothing else."""

    def send(
        self, request: requests.PreparedRequest, *args: object, **kwargs: object
    ) -> requests.Response:  # type: ignore[override]
        response = requests.Response()
        response.status_code = 200
        response.headers.update(HEADERS)
        response._content = CANNED
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def client() -> flickrapi.FlickrAPI:
    return flickrapi.FlickrAPI(KEY, SECRET, store_token=False, format="parsed-json")


def batch(fn: Callable[[], object], number: int) -> float:
    """CPU seconds per call over ``number`` calls, the garbage collector off."""
    gc.disable()
    try:
        start = time.process_time()
        for _ in range(number):
            fn()
        return (time.process_time() - start) / number
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (figures meaningless)")
    args = parser.parse_args()
    number, rounds = (20, 3) if args.quick else (200, 21)

    flickr = client()
    session = flickr.flickr_oauth.session  # flickrapi's class-level session
    seen: list[Result] = []

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=HEADERS, content=CANNED)

    plain = intercept(inner=httpx.MockTransport(answer))
    observed = intercept(inner=httpx.MockTransport(answer), on_result=seen.append)

    def echo() -> object:
        return flickr.test.echo(name="bench")

    def through(bridge: intercept) -> Callable[[], object]:
        def run() -> object:
            with bridge:
                return batch(echo, number)

        return run

    original = session.adapters.copy()
    session.mount("https://api.flickr.com/", CannedAdapter())
    variants: dict[str, Callable[[], object]] = {
        "adapter": lambda: batch(echo, number),
        "intercept": through(plain),
        "+on_result": through(observed),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for bridge in (plain, observed):
            with bridge:
                assert echo()["name"]["_content"] == "bench"  # type: ignore[index]
        assert seen and seen[-1].ok
        for _ in range(rounds):
            for name, run in variants.items():
                times[name].append(run())  # type: ignore[arg-type]
    finally:
        session.adapters.clear()
        session.adapters.update(original)

    print(environment())
    print(f"flickrapi {flickrapi.__version__}, {rounds} rounds of {number} calls, interleaved")
    for name, values in times.items():
        print(f"  {name:<11} median {statistics.median(values) * 1e6:8.1f} us/call")
    for name in ("intercept", "+on_result"):
        ratios = [b / a for a, b in zip(times["adapter"], times[name], strict=True)]
        print(
            f"{name:<11} / trivial adapter: median {statistics.median(ratios):.2f}x "
            f"(spread {min(ratios):.2f}x..{max(ratios):.2f}x over rounds)   goal <= {GOAL:.1f}x"
        )


if __name__ == "__main__":
    main()
