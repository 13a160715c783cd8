"""Decode cost per response: ``flickrwire.decode`` against one plain parse of the same bytes.

The baseline is ``json.loads`` for JSON bodies and ``lxml.etree.fromstring`` for XML bodies,
measured in the same run. ``decode`` does more than one parse: it sniffs the body, picks the
charset, refuses DTDs, reads the envelope, parses an escaped XML-RPC/SOAP payload a second
time, shapes the payload like Flickr's JSON and builds a ``Result``. The ratio says what that
costs on top of the parse, and "extra us" the absolute difference. For XML-RPC and SOAP
successes a second baseline parses the envelope and then the escaped payload inside it, as
any correct reader must ("2-parse").

Run: ``python bench/bench_decode.py`` (about 15 s; ``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _timing import compare, environment, ratio, table, us, x
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


def bodies() -> list[Body]:
    def ok(transport: str, codec: str, method: str = LEAVE, payload: Any = None) -> Result:
        return success(method, payload or {}, transport=transport, codec=codec, status=200, raw=b"")

    def fail(transport: str, codec: str, code: int, message: str) -> Result:
        fault = Fault.from_code(code, message)
        return failure(LEAVE, fault, transport=transport, codec=codec, status=200, raw=b"")

    members = members_payload(100)
    return [
        body("REST JSON ok", "rest", "json", ok("rest", "json")),
        body("REST JSON fail 3", "rest", "json", fail("rest", "json", 3, "Account not in group")),
        body("REST XML ok", "rest", "xml", ok("rest", "xml")),
        body("REST XML fail 3", "rest", "xml", fail("rest", "xml", 3, "Account not in group")),
        body("XML-RPC ok", "xmlrpc", "xml", ok("xmlrpc", "xml")),
        body("XML-RPC fault 96", "xmlrpc", "xml", fail("xmlrpc", "xml", 96, "Invalid signature")),
        body("SOAP ok", "soap", "xml", ok("soap", "xml")),
        body("SOAP fault 96", "soap", "xml", fail("soap", "xml", 96, "Invalid signature")),
        body("members x100 JSON", "rest", "json", ok("rest", "json", MEMBERS, members)),
        body("members x100 REST XML", "rest", "xml", ok("rest", "xml", MEMBERS, members)),
        body("members x100 XML-RPC", "xmlrpc", "xml", ok("xmlrpc", "xml", MEMBERS, members)),
        body("members x100 SOAP", "soap", "xml", ok("soap", "xml", MEMBERS, members)),
    ]


def cases(item: Body) -> dict[str, Callable[[], object]]:
    headers = {"Content-Type": item.content_type}
    data = item.data

    def ours() -> object:
        return flickrwire.decode(
            data,
            transport=item.transport,
            codec=item.codec,
            status=200,
            headers=headers,
            method=item.method,
        )

    result = ours()
    assert isinstance(result, Result)
    if result.ok != item.ok:
        raise SystemExit(f"{item.name}: decode gave ok={result.ok}: {result.fault}")
    parse: Callable[[bytes], object] = json.loads if item.codec == "json" else etree.fromstring
    found = {"baseline": lambda: parse(data), "flickrwire": ours}
    inner = _ESCAPED_PAYLOAD.get(item.transport)
    if inner is not None and item.ok:
        path = inner

        def two_parses() -> object:
            text = etree.fromstring(data).findtext(path) or ""
            return etree.fromstring(b"<rsp>" + text.encode() + b"</rsp>")

        found["two parses"] = two_parses
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run")
    args = parser.parse_args()
    print(environment(), "\n")
    rows = []
    for item in bodies():
        number = 1000 if len(item.data) < 1000 else 100
        timings = compare(
            cases(item),
            number=number // 20 if args.quick else number,
            rounds=2 if args.quick else 11,
            warmup=50,
        )
        base, ours = timings["baseline"], timings["flickrwire"]
        two = timings.get("two parses")
        rows.append(
            [
                item.name,
                str(len(item.data)),
                "json.loads" if item.codec == "json" else "fromstring",
                us(base.best_us),
                us(ours.best_us),
                x(ratio(ours, base)),
                us(ours.best_us - base.best_us),
                us(two.best_us) if two else "",
                x(ratio(ours, two)) if two else "",
            ]
        )
    print("flickrwire.decode vs one parse of the same bytes (best CPU us per response)")
    headers = ["body", "bytes", "baseline", "base us", "decode us", "ratio", "extra us"]
    print(table([*headers, "2-parse us", "vs 2-parse"], rows))
    print(
        "  2-parse: for XML-RPC and SOAP successes, fromstring of the envelope plus\n"
        "  fromstring of the escaped payload it carries (what any correct reader must do)."
    )


if __name__ == "__main__":
    main()
