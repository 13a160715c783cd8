"""Decode cost per response: ``flickrwire.decode`` against one plain parse of the same bytes.

The baseline is ``json.loads`` for JSON bodies and ``lxml.etree.fromstring`` for XML bodies,
measured in the same run. ``decode`` does more than one parse: it sniffs the body, picks the
charset, refuses DTDs, reads the envelope, parses an escaped XML-RPC/SOAP payload a second
time, shapes the payload like Flickr's JSON and builds a ``Result``. The ratio says what that
costs on top of the parse, and "extra us" the absolute difference. For XML-RPC and SOAP
successes a second baseline parses the envelope and then the escaped payload inside it, as
any correct reader must ("2-parse").

Also decoded: ``groups.members.getList`` pages of 1 to 1,000 members in each format, with
CPU us per member, against issue 11's goals (JSON <= 1.2x ``json.loads``, REST XML <= 1.8x
one lxml parse, XML-RPC and SOAP <= 1.5x the 2-parse floor).

``--against REV`` also decodes with the package as it was at a git revision, in the same
rounds, and gives its ratio to the same floor ("before").

Run: ``python bench/bench_decode.py`` (a few minutes; ``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from _revision import package_at
from _timing import Goal, Row, Timing, compare, environment, ratio, table, us, xs
from lxml import etree

import flickrwire
from flickrwire import transports
from flickrwire.result import Fault, Result, failure, success

# Where XML-RPC and SOAP carry the escaped payload: a fair baseline parses it a second time.
_ESCAPED_PAYLOAD = {
    "xmlrpc": "params/param/value/string",
    "soap": "{http://www.w3.org/2003/05/soap-envelope}Body/{urn:flickr}FlickrResponse",
}
LEAVE = "flickr.groups.leave"
MEMBERS = "flickr.groups.members.getList"


@dataclass(frozen=True)
class Body:
    name: str
    transport: str
    codec: str
    method: str
    data: bytes
    content_type: str
    ok: bool


def members_payload(count: int) -> dict[str, Any]:
    """A members.getList page shaped like Flickr's (attribute names from its API page)."""
    member = [
        {
            "nsid": f"{10000000 + i}@N0{i % 10}",
            "username": f"member {i}",
            "iconserver": str(1000 + i),
            "iconfarm": str(i % 9 + 1),
            "membertype": "2" if i else "4",
        }
        for i in range(count)
    ]
    page = {"page": "1", "pages": "1", "perpage": str(count), "total": str(count)}
    return {"members": {**page, "member": member}}


def body(name: str, transport: str, codec: str, result: Result) -> Body:
    wire = transports.get(transport)
    data = wire.render_response(result, codec)
    media = wire.media_type(result, codec)
    return Body(name, transport, codec, result.method, data, media, result.ok)


SIZES = (1, 10, 100, 196, 200, 1000)
QUICK_SIZES = (1, 1000)
FORMATS = (("JSON", "rest", "json"), ("REST XML", "rest", "xml"))
FORMATS += (("XML-RPC", "xmlrpc", "xml"), ("SOAP", "soap", "xml"))
#: Issue 11's goals, each against the baseline named in ``against``.
GOALS = {"JSON": Goal("<=", 1.2), "REST XML": Goal("<=", 1.8)}
GOALS |= {"XML-RPC": Goal("<=", 1.5), "SOAP": Goal("<=", 1.5)}
#: The package at another revision (``--against REV``), timed beside this tree's.
BEFORE: Any = None


def ok(transport: str, codec: str, method: str = LEAVE, payload: Any = None) -> Result:
    return success(method, payload or {}, transport=transport, codec=codec, status=200, raw=b"")


def leave_bodies() -> list[Body]:
    """groups.leave answers: an empty success and a fault in every envelope."""

    def fail(transport: str, codec: str, code: int, message: str) -> Result:
        fault = Fault.from_code(code, message)
        return failure(LEAVE, fault, transport=transport, codec=codec, status=200, raw=b"")

    return [
        body("REST JSON ok", "rest", "json", ok("rest", "json")),
        body("REST JSON fail 3", "rest", "json", fail("rest", "json", 3, "Account not in group")),
        body("REST XML ok", "rest", "xml", ok("rest", "xml")),
        body("REST XML fail 3", "rest", "xml", fail("rest", "xml", 3, "Account not in group")),
        body("XML-RPC ok", "xmlrpc", "xml", ok("xmlrpc", "xml")),
        body("XML-RPC fault 96", "xmlrpc", "xml", fail("xmlrpc", "xml", 96, "Invalid signature")),
        body("SOAP ok", "soap", "xml", ok("soap", "xml")),
        body("SOAP fault 96", "soap", "xml", fail("soap", "xml", 96, "Invalid signature")),
    ]


def member_bodies(sizes: tuple[int, ...]) -> list[tuple[int, str, Body]]:
    """members.getList pages of each size in each format: (members, format, body)."""
    found = []
    for count in sizes:
        payload = members_payload(count)
        for label, transport, codec in FORMATS:
            name = f"members x{count} {label}"
            found.append(
                (count, label, body(name, transport, codec, ok(transport, codec, MEMBERS, payload)))
            )
    return found


def cases(item: Body) -> dict[str, Callable[[], object]]:
    headers = {"Content-Type": item.content_type}
    data = item.data

    given: dict[str, Any] = {
        "transport": item.transport,
        "codec": item.codec,
        "status": 200,
        "headers": headers,
        "method": item.method,
    }
    ours = partial(flickrwire.decode, data, **given)

    result = ours()
    assert isinstance(result, Result)
    if result.ok != item.ok:
        raise SystemExit(f"{item.name}: decode gave ok={result.ok}: {result.fault}")
    parse: Callable[[bytes], object] = json.loads if item.codec == "json" else etree.fromstring
    found: dict[str, Callable[[], object]] = {"baseline": lambda: parse(data), "flickrwire": ours}
    if BEFORE is not None:
        found["before"] = partial(BEFORE.decode, data, **given)
    inner = _ESCAPED_PAYLOAD.get(item.transport)
    if inner is not None and item.ok:
        path = inner

        def two_parses() -> object:
            text = etree.fromstring(data).findtext(path) or ""
            return etree.fromstring(b"<rsp>" + text.encode() + b"</rsp>")

        found["two parses"] = two_parses
    return found


def timed(item: Body, quick: bool) -> dict[str, Timing]:
    number = max(20_000 // max(len(item.data) // 100, 1), 5)
    number = min(number, 1000)
    return compare(
        cases(item),
        number=max(number // 10, 2) if quick else number,
        rounds=3 if quick else 15,
        warmup=5 if quick else 30,
    )


def against(timings: dict[str, Timing]) -> tuple[str, Timing]:
    if "two parses" in timings:
        return "2-parse", timings["two parses"]
    return "1 parse", timings["baseline"]


def run(quick: bool) -> list[Row]:
    """Decode of members pages, 1 to 1,000 members, against each format's floor."""
    rows = []
    for count, label, item in member_bodies(QUICK_SIZES if quick else SIZES):
        timings = timed(item, quick)
        floor_name, floor = against(timings)
        ours = timings["flickrwire"]
        floor_name = "json.loads" if item.codec == "json" else f"lxml {floor_name}"
        figure = f"{us(ours.median_us)} us, {ours.median_us / count:.2f} us/member"
        rows.append(Row("decode", item.name, figure, floor_name, ratio(ours, floor), GOALS[label]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run")
    parser.add_argument(
        "--against", metavar="REV", help="also decode with the package at this git revision"
    )
    args = parser.parse_args()
    if args.against:
        global BEFORE
        BEFORE = package_at(args.against)
    print(environment(), "\n")
    rows = []
    items = [(0, "", item) for item in leave_bodies()]
    items += member_bodies(QUICK_SIZES if args.quick else SIZES)
    for count, label, item in items:
        timings = timed(item, args.quick)
        base, ours = timings["baseline"], timings["flickrwire"]
        two = timings.get("two parses")
        goal = GOALS.get(label)
        floor = ratio(ours, two if two else base)
        rows.append(
            [
                item.name,
                str(len(item.data)),
                us(base.median_us),
                us(ours.median_us),
                f"{ours.median_us / count:.2f}" if count else "",
                xs(ratio(ours, base)),
                us(two.median_us) if two else "",
                xs(floor) if two else "",
                f"{goal} {'met' if goal.met(floor) else 'NOT met'}" if goal else "",
            ]
        )
        if BEFORE is not None:
            rows[-1].append(xs(ratio(timings["before"], two if two else base)))
    print("flickrwire.decode vs one parse of the same bytes (median CPU us per response;")
    print("ratios: median of per-round ratios, interquartile range in brackets)")
    headers = ["body", "bytes", "1-parse us", "decode us", "us/member", "vs 1-parse"]
    headers += ["2-parse us", "vs 2-parse", "goal"]
    print(table([*headers, "before (vs floor)"] if BEFORE is not None else headers, rows))
    print(
        "  1-parse: json.loads for JSON, lxml fromstring for XML. 2-parse: for XML-RPC and\n"
        "  SOAP successes, fromstring of the envelope plus fromstring of the escaped payload\n"
        "  it carries (what any correct reader must do); their goal is against 2-parse."
    )
    if BEFORE is not None:
        print(f"  before: decode of {BEFORE.__name__}, in the same rounds, against the same")
        print("  floor (2-parse where there is one, else 1-parse).")


if __name__ == "__main__":
    main()
