"""Fuzz the decoder: mutated real answers through every transport x codec pair, and sniffing.

Seeds are the response bodies of every fixture under ``fixtures/`` plus answers rendered by
our transports (successes with payloads, faults) for each pair. Each body fed is one seed
mutated one to three times: bit flips, byte edits, truncation, splicing two seeds, repeated
slices, hostile XML (DTDs, entities, XInclude, encodings, CDATA, deep nesting, namespaces),
hostile JSON (NaN, 1e999, duplicate keys, lone surrogates, deep nesting), odd statuses and
Content-Type charsets. Groups: the six pairs (the pair's own seeds, decoded with its
hints) and ``sniffing`` (any seed, decoded with hints drawn at random, mostly wrong).

Every body must give a :class:`Result` whose fields agree (``ok`` exactly when no fault, a
known origin); an exception escaping ``decode`` is a failure, printed with the body's
hex and saved nowhere else. Reported per group: bodies, escaped exceptions, outcomes,
median and worst time per body (and the mutation that made the worst). A body slower than
50 ms is decoded three more times and its best time counts (a pause of a busy machine is
not the body's); bodies that stay slow are printed, and kept with ``--keep DIR``.

    nice -n 19 python bench/fuzz.py [--bodies 100000] [--seconds 600] [--seed 10]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from flickrwire import decode, transports
from flickrwire.result import ORIGINS, Fault, Result, failure, success

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
XML_BITS = [
    b'<!DOCTYPE rsp [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
    b'<!DOCTYPE rsp SYSTEM "file:///etc/passwd">',
    b"&a;", b"&#0;", b"&#x1F600;", b"&#xD800;", b"&amp;lt;", b"&lt;!DOCTYPE x&gt;",
    b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
    b'<?xml version="1.0" encoding="utf-16"?>', b'<?xml version="1.0" encoding="utf-7"?>',
    b'<?xml version="1.0" encoding="ebcdic-cp-us"?>', b"<![CDATA[<rsp stat='ok'/>]]>",
    b"<!-- -->", b"<?pi x?>", b"<a>" * 300, b"</a>" * 300, b'<x xmlns:p="urn:p" p:a="1"/>',
    b'<err code="99999999999999999999" msg="x"/>', b'stat="ok"', b'stat="fail"',
    b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"<", b">", b"]]>", b'<x a="1" a="2"/>',
    b"<faultCode><int>-1</int></faultCode>", b"flickr.error.", b"<html><title>x</title>",
]  # fmt: skip
JSON_BITS = [
    b"NaN", b"Infinity", b"-Infinity", b"1e999", b"-1e999", b'"stat":"ok",', b'"stat":"fail",',
    b'"code":"x",', b'"\\ud800"', b"[" * 300, b"{" * 300, b"\\u0000", b'"\\u0073tat":"ok",',
    b"jsonFlickrApi(", b")", b"1" * 5000, b",", b"}", b"]", b'"', b"\\",
]  # fmt: skip
SPECIAL_BYTES = b"<>&\"'{}[]:,;=/\\\x00\x80\xff \n"
# Mostly what Flickr sends (200, no charset or UTF-8), sometimes anything.
#: A body slower than this (seconds) is timed again, and kept if it stays slow.
SLOW = 0.05
CHARSETS = [None] * 6 + ["utf-8", "UTF-8", "latin-1", "utf-16", "shift_jis", "bogus", "utf-7"]
STATUSES = [200] * 40 + [None, 201, 204, 301, 307, 400, 401, 404, 429, 500, 502, 503]


def fixture_seeds() -> list[tuple[str, str, bytes]]:
    """(transport, codec, body) of every fixture that holds a response body."""
    out = []
    for path in sorted((ROOT / "fixtures").rglob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        response = data.get("response") if isinstance(data, dict) else None
        if isinstance(response, dict) and isinstance(response.get("body"), str):
            body = response["body"].encode("utf-8", "surrogateescape")
            out.append((str(data.get("transport")), str(data.get("codec")), body))
    return out


def rendered_seeds() -> list[tuple[str, str, bytes]]:
    """Answers our transports render: successes with a payload, and faults."""
    photos = {
        "photos": {"page": "1", "photo": [{"id": str(i), "title": f"t{i}"} for i in range(5)]}
    }
    members = {"members": {"member": {"nsid": "1@N01", "_content": "x & y"}}}
    results: list[Result] = []
    for payload in ({}, photos, members):
        results.append(
            success("flickr.test.echo", payload, transport="", codec="", status=200, raw=b"")
        )
    for code in (1, 96, 105, 111, 114, 115, 201):
        fault = Fault.from_code(code, f"message {code} <&>")
        results.append(
            failure("flickr.test.echo", fault, transport="", codec="", status=200, raw=b"")
        )
    out = []
    for transport, codec in PAIRS:
        wire = transports.get(transport)
        out += [(transport, codec, wire.render_response(r, codec)) for r in results]
    return out  # fmt: skip


class Mutator:
    def __init__(self, rng: random.Random, seeds: list[bytes]) -> None:
        self.rng = rng
        self.seeds = seeds
        self.ops = [
            self.flip, self.edit, self.truncate, self.splice, self.repeat, self.insert_xml,
            self.insert_json, self.insert_xml, self.delete,
        ]  # fmt: skip

    def mutate(self, body: bytes) -> tuple[bytes, str]:
        names = []
        for _ in range(self.rng.randint(1, 3)):
            op = self.rng.choice(self.ops)
            body = op(body)
            names.append(op.__name__)
        return body, "+".join(names)

    def _at(self, body: bytes) -> int:
        return self.rng.randint(0, len(body))

    def flip(self, body: bytes) -> bytes:
        if not body:
            return body
        data = bytearray(body)
        for _ in range(self.rng.randint(1, 8)):
            i = self.rng.randrange(len(data))
            data[i] ^= 1 << self.rng.randrange(8)
        return bytes(data)

    def edit(self, body: bytes) -> bytes:
        i = self._at(body)
        byte = (
            self.rng.choice(b"<>&\"'{}[]:,;=/\\\x00\x80\xff \n")
            if self.rng.random() < 0.7
            else self.rng.randrange(256)
        )
        return body[:i] + bytes([byte]) + body[i + 1 :]  # fmt: skip

    def delete(self, body: bytes) -> bytes:
        i = self._at(body)
        return body[:i] + body[i + self.rng.randint(1, 16) :]

    def truncate(self, body: bytes) -> bytes:
        return body[: self._at(body)]

    def splice(self, body: bytes) -> bytes:
        other = self.rng.choice(self.seeds)
        return body[: self._at(body)] + other[self.rng.randint(0, len(other)) :]

    def repeat(self, body: bytes) -> bytes:
        i = self._at(body)
        piece = body[i : i + self.rng.randint(1, 40)]
        return body[:i] + piece * self.rng.randint(2, 2000) + body[i:]

    def insert_xml(self, body: bytes) -> bytes:
        i = self._at(body)
        return body[:i] + self.rng.choice(XML_BITS) + body[i:]

    def insert_json(self, body: bytes) -> bytes:
        i = self._at(body)
        return body[:i] + self.rng.choice(JSON_BITS) + body[i:]


def check(result: object) -> None:
    assert isinstance(result, Result), type(result)
    assert result.ok == (result.fault is None)
    if result.fault is not None:
        assert result.fault.origin in ORIGINS, result.fault.origin
        assert isinstance(result.fault.message, str)


def run_group(
    name: str, seeds: list[tuple[str, str, bytes]], hints: list[tuple[str, str]] | None,
    args: argparse.Namespace, rng: random.Random, end: float,
) -> dict[str, Any]:  # fmt: skip
    mutator = Mutator(rng, [s[2] for s in seeds])
    times: list[float] = []
    outcomes: Counter[str] = Counter()
    escaped: list[tuple[str, bytes, str]] = []
    slow: list[tuple[float, bytes, str]] = []
    worst = (0.0, "", 0)
    for _ in range(args.bodies):
        if time.monotonic() > end:
            break
        transport, codec, seed = rng.choice(seeds)
        if hints is not None:
            transport, codec = rng.choice(hints)
        body, how = mutator.mutate(seed)
        charset = rng.choice(CHARSETS)
        headers = {"Content-Type": f"text/xml; charset={charset}"} if charset else {}
        status = rng.choice(STATUSES)
        start = time.perf_counter()
        try:
            result = decode(body, transport=transport, codec=codec, status=status, headers=headers)
            check(result)
        except Exception as exc:
            escaped.append((f"{type(exc).__name__}: {exc}", body, how))
            continue
        finally:
            elapsed = time.perf_counter() - start
            if elapsed > SLOW:  # a busy machine, or a slow body? Time it again.
                elapsed = min(elapsed, retime(body, transport, codec, status, headers))
                if elapsed > SLOW:
                    slow.append((elapsed, body, how))
            times.append(elapsed)
            if elapsed > worst[0]:
                worst = (elapsed, how, len(body))
        outcomes["ok" if result.ok else result.fault.origin if result.fault else "?"] += 1
    return {
        "name": name, "times": times, "outcomes": outcomes, "escaped": escaped, "worst": worst,
        "slow": slow,
    }  # fmt: skip


def retime(
    body: bytes, transport: str, codec: str, status: int | None, headers: dict[str, str]
) -> float:
    """The best of three more decodes of ``body``: the worst time per body is the body's,
    not a pause of the machine's."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        try:
            decode(body, transport=transport, codec=codec, status=status, headers=headers)
        except Exception:
            return float("inf")
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=100_000, help="per group (7 groups)")
    parser.add_argument("--seconds", type=float, default=600.0, help="for the whole run")
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--keep", type=Path, default=None, help="folder for slow bodies")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    seeds = fixture_seeds() + rendered_seeds()
    end = time.monotonic() + args.seconds
    reports = []
    groups: list[tuple[str, list[tuple[str, str, bytes]], list[tuple[str, str]] | None]] = []
    for transport, codec in PAIRS:
        own = [s for s in seeds if (s[0], s[1]) == (transport, codec)]
        groups.append((f"{transport}-{codec}", [(transport, codec, s[2]) for s in own], None))
    groups.append(("sniffing", seeds, PAIRS))
    print(f"{len(seeds)} seeds ({len(fixture_seeds())} from fixtures); seed {args.seed}")
    for index, (name, own, hints) in enumerate(groups):
        left = end - time.monotonic()
        group_end = time.monotonic() + left / (len(groups) - index)  # share what is left
        report = run_group(name, own, hints, args, rng, group_end)
        reports.append(report)
        times = report["times"]
        worst_s, worst_how, worst_len = report["worst"]
        print(
            f"{name:12s} bodies {len(times):7d}  escaped {len(report['escaped']):3d}  "
            f"median {statistics.median(times) * 1e6:6.1f} µs  worst {worst_s * 1e3:7.2f} ms "
            f"({worst_how}, {worst_len} B)  {dict(report['outcomes'].most_common())}",
            flush=True,
        )
        for message, body, how in report["escaped"][:5]:
            print(f"  ESCAPED {message} via {how}: {body[:200].hex()}", file=sys.stderr)
        for seconds, body, how in report["slow"][:3]:
            print(f"  SLOW {seconds * 1e3:.0f} ms via {how}: {body[:300]!r}", file=sys.stderr)
            if args.keep is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
                (args.keep / f"slow-{name}-{seconds * 1e3:.0f}ms.bin").write_bytes(body)
    total = sum(len(r["times"]) for r in reports)
    escaped = sum(len(r["escaped"]) for r in reports)
    short = [r["name"] for r in reports if len(r["times"]) < args.bodies]
    print(f"\ntotal {total} bodies, {escaped} escaped exceptions")
    if short:
        print(f"time ran out before {args.bodies} bodies in: {', '.join(short)}")
    return 1 if escaped else 0


if __name__ == "__main__":
    raise SystemExit(main())
