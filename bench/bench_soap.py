"""SOAP: flickrwire's string templates and lxml reader against zeep driven by ``flickr.wsdl``.

This is the measurement that decides whether zeep belongs in the per-call path. Three ways
to build the ``FlickrRequest`` envelope of a signed ``flickr.groups.leave`` (same params,
bytes out): our template (``soap.flickr_request``), a hand-built lxml tree, and zeep
(``Client.create_message`` from the shipped WSDL, then serialised). Then three ways to read
an answer: ``flickrwire.decode``, zeep's ``process_reply`` (plus our fragment reader for
the escaped payload it returns), and a bare ``lxml.etree.fromstring``.

Run: ``python bench/bench_soap.py`` (about 15 s; ``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping

import httpx
import zeep
import zeep.exceptions
from _timing import Row, Timing, compare, environment, ratio, table, us, xs
from lxml import etree

import flickrwire
from flickrwire import Call, Signer, transports
from flickrwire.codecs import xml as xmlcodec
from flickrwire.result import Fault, Result, failure, success
from flickrwire.transports import soap, wsdl

BASE_URL = "https://api.flickr.com/services/"
LEAVE = "flickr.groups.leave"
MEMBERS = "flickr.groups.members.getList"
# Made-up credentials: only their length matters here.
CREDENTIALS = flickrwire.Credentials("bench0consumer0key0", "bench0secret", "bench0token", "t0")


def load_zeep() -> tuple[zeep.Client, float]:
    """The zeep client for the shipped WSDL, and how long loading it took (ms, wall)."""
    start = time.perf_counter()
    client = wsdl.zeep_client()
    return client, (time.perf_counter() - start) * 1000.0


def signed_params() -> dict[str, str]:
    """The FlickrRequest children of a signed groups.leave, in wire order."""
    call = Call.build(LEAVE, {"group_id": "34427469792@N01", "delete_photos": True})
    signer = Signer(CREDENTIALS, "oauth", nonce=lambda: "0" * 32, clock=lambda: 1700000000)
    request = transports.get("soap").build_request(call, "xml", signer, BASE_URL)
    root = etree.fromstring(request.content)
    return {str(item.tag): item.text or "" for item in root[0][0]}


def lxml_envelope(params: Mapping[str, str]) -> bytes:
    envelope = etree.Element(f"{{{soap.SOAP12}}}Envelope", nsmap={"s": soap.SOAP12})
    body = etree.SubElement(envelope, f"{{{soap.SOAP12}}}Body")
    request = etree.SubElement(body, f"{{{soap.URN}}}FlickrRequest", nsmap={"x": soap.URN})
    for name, value in params.items():
        etree.SubElement(request, name).text = value
    return etree.tostring(envelope, xml_declaration=True, encoding="utf-8")


def zeep_envelope(client: zeep.Client, params: Mapping[str, str]) -> bytes:
    rest = []
    for name, value in params.items():
        if name != "method":
            child = etree.Element(name)
            child.text = value
            rest.append(child)
    message = client.create_message(
        client.service, "FlickrRequest", method=params["method"], _value_1=rest
    )
    return etree.tostring(message, xml_declaration=True, encoding="utf-8")


def build_cases(client: zeep.Client) -> dict[str, Callable[[], object]]:
    params = signed_params()
    for built in (lxml_envelope(params), zeep_envelope(client, params)):
        children = [(str(e.tag), e.text or "") for e in etree.fromstring(built)[0][0]]
        if children != list(params.items()):
            raise SystemExit("an envelope builder lost or reordered a parameter")
    return {
        "flickrwire template": lambda: soap.flickr_request(params),
        "lxml tree": lambda: lxml_envelope(params),
        "zeep create_message": lambda: zeep_envelope(client, params),
    }


def answer(result: Result) -> httpx.Response:
    wire = transports.get("soap")
    content = wire.render_response(result, "xml")
    headers = {"Content-Type": wire.media_type(result, "xml")}
    return httpx.Response(200, content=content, headers=headers)


def zeep_read(client: zeep.Client, response: httpx.Response, method: str) -> object:
    """zeep's reading of a Flickr answer; the escaped payload still needs a second parse."""
    binding = client.service._binding
    operation = binding.get("FlickrRequest")
    try:
        text = binding.process_reply(client, operation, response)
    except zeep.exceptions.Fault as fault:
        return fault
    return xmlcodec.fragment_payload(text or "", method)


def parse_cases(
    client: zeep.Client, response: httpx.Response, method: str
) -> dict[str, Callable[[], object]]:
    data = response.content
    headers = response.headers

    def ours() -> object:
        return flickrwire.decode(
            data, transport="soap", codec="xml", status=200, headers=headers, method=method
        )

    return {
        "lxml fromstring": lambda: etree.fromstring(data),
        "flickrwire decode": ours,
        "zeep process_reply": lambda: zeep_read(client, response, method),
    }


def answers() -> dict[str, tuple[httpx.Response, str]]:
    members = {
        "members": {
            "page": "1",
            "total": "100",
            "member": [{"nsid": f"{i}@N01", "username": f"member {i}"} for i in range(100)],
        }
    }

    def ok(method: str, payload: Mapping[str, object]) -> Result:
        return success(method, payload, transport="soap", codec="xml", status=200, raw=b"")

    fault = Fault.from_code(96, "Invalid signature")
    failed = failure(LEAVE, fault, transport="soap", codec="xml", status=200, raw=b"")
    return {
        "leave ok (empty)": (answer(ok(LEAVE, {})), LEAVE),
        "leave fault 96": (answer(failed), LEAVE),
        "members x100 ok": (answer(ok(MEMBERS, members)), MEMBERS),
    }


def fault_report(client: zeep.Client, response: httpx.Response) -> str:
    ours = flickrwire.decode(response.content, transport="soap", codec="xml", method=LEAVE)
    theirs = zeep_read(client, response, LEAVE)
    assert isinstance(theirs, zeep.exceptions.Fault)
    message = ours.fault.message if ours.fault else None
    return (
        f"  On Flickr's fault, flickrwire reads code={ours.code} message={message!r};\n"
        f"  zeep (zeep_client: the FlickrFaults plugin on) gives code={theirs.code!r} "
        f"message={theirs.message!r}."
    )


def rows_for(timings: Mapping[str, Timing], baseline: str, against: str) -> list[list[str]]:
    return [
        [name, us(t.median_us), xs(ratio(t, timings[baseline])), xs(ratio(t, timings[against]))]
        for name, t in timings.items()
    ]


def run(quick: bool) -> list[Row]:
    """zeep against our template and reader (context: issue 11 sets no goal here)."""
    number, rounds = (20, 3) if quick else (300, 15)
    warm = 5 if quick else 200
    client, _ = load_zeep()
    timings = compare(build_cases(client), number=number, rounds=rounds, warmup=warm)
    base = timings["flickrwire template"]
    rows = [
        Row(
            "soap",
            "build: zeep create_message",
            f"{us(zeep.median_us)} us",
            "our template",
            ratio(zeep, base),
        )
        for zeep in [timings["zeep create_message"]]
    ]
    for name, (response, method) in answers().items():
        size = number if len(response.content) < 1000 else max(number // 10, 5)
        read = compare(
            parse_cases(client, response, method), number=size, rounds=rounds, warmup=warm
        )
        zeep_read = read["zeep process_reply"]
        rows.append(
            Row(
                "soap",
                f"read {name}: zeep",
                f"{us(zeep_read.median_us)} us",
                "flickrwire decode",
                ratio(zeep_read, read["flickrwire decode"]),
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run")
    args = parser.parse_args()
    number, rounds = (50, 3) if args.quick else (300, 15)
    print(environment(), "\n")
    client, load_ms = load_zeep()
    print(f"zeep.Client(flickr.wsdl) with hardened settings: {load_ms:.1f} ms (once, wall)\n")

    timings = compare(build_cases(client), number=number, rounds=rounds)
    print("Build the FlickrRequest envelope, signed groups.leave, bytes out")
    print("(median CPU us; ratios: median of per-round ratios, IQR in brackets)")
    headers = ["builder", "us", "vs template", "vs lxml"]
    print(table(headers, rows_for(timings, "flickrwire template", "lxml tree")))
    print()

    for name, (response, method) in answers().items():
        size = number if len(response.content) < 1000 else max(number // 10, 20)
        timings = compare(parse_cases(client, response, method), number=size, rounds=rounds)
        print(f"Read a SOAP answer: {name}, {len(response.content)} bytes (median CPU us)")
        headers = ["reader", "us", "vs lxml", "vs flickrwire"]
        print(table(headers, rows_for(timings, "lxml fromstring", "flickrwire decode")))
        print()
    print(fault_report(client, answers()["leave fault 96"][0]))


if __name__ == "__main__":
    main()
