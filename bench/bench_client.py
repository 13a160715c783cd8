"""Per-call CPU cost of a signed ``flickr.groups.leave`` through ``flickrwire.Client``.

For each transport x codec pair, the client calls an ``httpx.MockTransport`` whose handler
returns a prebuilt, correct response body. The baseline, measured in the same run on the
same ``httpx.Client`` and handler, is a bare ``httpx.Client.post`` of the request body
flickrwire builds (prebuilt once). Goal (issue 11): flickrwire / bare <= 1.25 for every pair.

Context rows: the same client without credentials (what signing costs), a naive
pipeline (``oauthlib.oauth1.Client.sign`` + httpx + ``json.loads`` / lxml /
``xmlrpc.client``), and signing alone.

Run: ``python bench/bench_client.py`` (about 30 s on 2 cores; ``--quick`` for a smoke run;
``--against REV`` also times the package at a git revision in the same rounds, signed, as
a "before" column against the same bare post).
"""

from __future__ import annotations

import argparse
import json
import xmlrpc.client
from collections.abc import Callable, Mapping
from types import ModuleType
from urllib.parse import parse_qsl, urlencode

import httpx
import oauthlib.oauth1
from _revision import package_at
from _timing import Goal, Row, Timing, compare, environment, ratio, table, us, x, xs
from lxml import etree

import flickrwire
from flickrwire import auth, transports
from flickrwire.result import success

BASE_URL = "https://api.flickr.com/services/"
GROUP_ID = "34427469792@N01"
LEAVE = "flickr.groups.leave"
FORM = "application/x-www-form-urlencoded"
GOAL = Goal("<=", 1.25)  # issue 11: per-call cost at most 1.25x the bare post
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
# Made-up credentials: signing cost depends on their length, not their value.
CREDENTIALS = flickrwire.Credentials(
    "bench0consumer0key0000000000000", "bench0secret00", "72157600000000000-bench0token00", "t0"
)


CREDENTIAL_FIELDS = ("api_key", "api_secret", "oauth_token", "oauth_token_secret")


# -- the cases ------------------------------------------------------------------------


def mock_http(transport: str, codec: str) -> httpx.Client:
    """An httpx client whose handler answers every request with one prebuilt success."""
    wire = transports.get(transport)
    result = success(LEAVE, {}, transport=transport, codec=codec, status=200, raw=b"")
    body = wire.render_response(result, codec)
    headers = {"Content-Type": wire.media_type(result, codec)}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers=headers)

    return httpx.Client(transport=httpx.MockTransport(handler))


#: The package at another revision (``--against REV``), timed beside this tree's.
BEFORE: ModuleType | None = None


def pair_cases(transport: str, codec: str) -> dict[str, Callable[[], object]]:
    http = mock_http(transport, codec)
    client = flickrwire.Client(transport, codec, CREDENTIALS, http_client=http)
    unsigned = flickrwire.Client(transport, codec, None, http_client=http)
    request = client.build_request(flickrwire.Call.build(LEAVE, {"group_id": GROUP_ID}))
    url, content = str(request.url), request.content
    headers = {k: v for k, v in request.headers.items() if k not in ("host", "content-length")}
    for check in (client, unsigned):
        result = check.groups.leave(group_id=GROUP_ID)
        if not result.ok:
            raise SystemExit(f"{transport}/{codec}: the mock answer did not decode: {result}")

    def flickrwire_call() -> object:
        return client.groups.leave(group_id=GROUP_ID)

    cases = {
        "bare": lambda: http.post(url, content=content, headers=headers),
        "flickrwire": flickrwire_call,
        "unsigned": lambda: unsigned.groups.leave(group_id=GROUP_ID),
    }
    if BEFORE is not None:
        creds = BEFORE.Credentials(*(getattr(CREDENTIALS, f) for f in CREDENTIAL_FIELDS))
        old = BEFORE.Client(transport, codec, creds, http_client=http)
        if not old.groups.leave(group_id=GROUP_ID).ok:
            raise SystemExit(f"{transport}/{codec}: the --against revision did not decode")
        cases["before"] = lambda: old.groups.leave(group_id=GROUP_ID)
    return cases


def oauthlib_client() -> oauthlib.oauth1.Client:
    return oauthlib.oauth1.Client(
        CREDENTIALS.api_key,
        client_secret=CREDENTIALS.api_secret,
        resource_owner_key=CREDENTIALS.oauth_token,
        resource_owner_secret=CREDENTIALS.oauth_token_secret,
    )


def naive_rest(codec: str) -> Callable[[], object]:
    """What a user writes by hand: oauthlib signs the form, httpx posts, one parse."""
    http = mock_http("rest", codec)
    signer = oauthlib_client()
    url = BASE_URL + "rest/"
    fmt = {"format": "json", "nojsoncallback": "1"} if codec == "json" else {"format": "rest"}
    body = urlencode({"method": LEAVE, "group_id": GROUP_ID, **fmt})

    def call() -> object:
        uri, headers, data = signer.sign(url, "POST", body, {"Content-Type": FORM})
        response = http.post(uri, content=data, headers=headers)
        if codec == "json":
            return json.loads(response.content)["stat"] == "ok"
        return etree.fromstring(response.content).get("stat") == "ok"

    return call


def naive_xmlrpc() -> Callable[[], object]:
    """oauthlib signs the params as a form body; xmlrpc.client builds and reads the call."""
    http = mock_http("xmlrpc", "xml")
    signer = oauthlib_client()
    url = BASE_URL + "xmlrpc/"
    body = urlencode({"method": LEAVE, "group_id": GROUP_ID, "format": "xmlrpc"})
    form = {"Content-Type": FORM}
    sign_in_body = oauthlib.oauth1.SIGNATURE_TYPE_BODY

    def call() -> object:
        signer.signature_type = sign_in_body
        _, _, signed = signer.sign(url, "POST", body, form)
        struct = dict(parse_qsl(signed))
        payload = xmlrpc.client.dumps((struct,), struct.pop("method"))
        response = http.post(url, content=payload, headers={"Content-Type": "text/xml"})
        (text,), _ = xmlrpc.client.loads(response.content)
        return etree.fromstring(b"<rsp>" + str(text).encode() + b"</rsp>")

    return call


def signing_cases() -> dict[str, Callable[[], object]]:
    url = BASE_URL + "rest/"
    params = {"method": LEAVE, "group_id": GROUP_ID, "format": "json", "nojsoncallback": "1"}
    signer = flickrwire.Signer(CREDENTIALS, "oauth")
    client = oauthlib_client()
    body = urlencode(params)
    form = {"Content-Type": FORM}
    nonce = auth.new_nonce

    return {
        "oauthlib Client.sign": lambda: client.sign(url, "POST", body, form),
        "flickrwire Signer.sign (header)": lambda: signer.sign(
            "POST", url, dict(params), in_header=True
        ),
        "flickrwire auth.oauth_params": lambda: auth.oauth_params(
            CREDENTIALS, "POST", url, params, nonce=nonce(), timestamp=auth.now()
        ),
    }


# -- report ---------------------------------------------------------------------------


def measure_pairs(
    number: int, rounds: int, warmup: int = 200
) -> dict[tuple[str, str], dict[str, Timing]]:
    return {
        (t, c): compare(pair_cases(t, c), number=number, rounds=rounds, warmup=warmup)
        for t, c in PAIRS
    }


def goal_rows(found: Mapping[tuple[str, str], Mapping[str, Timing]]) -> list[Row]:
    rows = []
    for (transport, codec), timings in found.items():
        rows.append(
            Row(
                "client",
                f"signed leave {transport}/{codec}",
                f"{us(timings['flickrwire'].median_us)} us",
                "bare httpx.Client.post",
                ratio(timings["flickrwire"], timings["bare"]),
                GOAL,
            )
        )
    return rows


def run(quick: bool) -> list[Row]:
    """The per-call ratio of every pair against the bare post (issue 11: <= 1.25x)."""
    number, rounds, warmup = (10, 3, 10) if quick else (100, 21, 200)
    return goal_rows(measure_pairs(number, rounds, warmup))


def report_pairs(found: Mapping[tuple[str, str], Mapping[str, Timing]]) -> None:
    rows = []
    for (transport, codec), timings in found.items():
        bare = timings["bare"]
        main = ratio(timings["flickrwire"], bare)
        rows.append(
            [
                f"{transport}/{codec}",
                us(bare.median_us),
                us(timings["flickrwire"].median_us),
                xs(main),
                main.spread().split(", ")[1],
                "yes" if GOAL.met(main) else "NO",
                x(ratio(timings["unsigned"], bare)),
            ]
        )
    headers = ["pair", "bare us", "flickrwire us", "ratio (IQR)", "min-max", str(GOAL)]
    headers.append("unsigned")
    if BEFORE is not None:
        headers.append("before (IQR)")
        for row, timings in zip(rows, found.values(), strict=True):
            row.append(xs(ratio(timings["before"], timings["bare"])))
    print("Signed groups.leave through Client vs bare httpx post (median CPU us per call;")
    print("ratio: median of per-round ratios, interquartile range in brackets)")
    print(table(headers, rows))
    print("  unsigned: the same Client without credentials (what signing costs).")
    if BEFORE is not None:
        print(f"  before: the signed Client of {BEFORE.__name__}, in the same rounds.")
    print()


def report_naive(found: Mapping[tuple[str, str], Mapping[str, Timing]], n: int, r: int) -> None:
    cases = {
        "rest/json": naive_rest("json"),
        "rest/xml": naive_rest("xml"),
        "xmlrpc/xml": naive_xmlrpc(),
    }
    timings = compare(cases, number=n, rounds=r)
    rows = []
    for name, timing in timings.items():
        pair = found[tuple(name.split("/"))]  # type: ignore[index]
        rows.append(
            [
                name,
                us(timing.median_us),
                xs(ratio(timing, pair["bare"])),
                x(ratio(pair["flickrwire"], pair["bare"])),
            ]
        )
    print("Naive pipeline (oauthlib Client.sign + httpx + one parse) vs the same bare post")
    print("(the naive/bare ratio compares rounds of different runs: indicative only)")
    print(table(["pipeline", "naive us", "naive/bare", "flickrwire/bare"], rows))
    print()


def report_signing(number: int, rounds: int) -> None:
    timings = compare(signing_cases(), number=number, rounds=rounds)
    base = timings["oauthlib Client.sign"]
    rows = [[name, us(t.median_us), xs(ratio(t, base))] for name, t in timings.items()]
    print("Signing alone, REST params (median CPU us per call; ratio vs oauthlib, IQR)")
    print(table(["signer", "median us", "vs oauthlib"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run")
    parser.add_argument(
        "--against", metavar="REV", help="also time the package at this git revision"
    )
    args = parser.parse_args()
    if args.against:
        global BEFORE
        BEFORE = package_at(args.against)
    number, rounds = (30, 3) if args.quick else (100, 21)
    print(environment(), "\n")
    found = measure_pairs(number, rounds)
    report_pairs(found)
    report_naive(found, number, rounds)
    report_signing(number * 5, rounds)


if __name__ == "__main__":
    main()
