"""Per-call CPU cost of a signed ``flickr.groups.leave`` through ``flickrwire.Client``.

For each transport x codec pair, the client calls an ``httpx.MockTransport`` whose handler
returns a prebuilt, correct response body. The baseline, measured in the same run on the
same ``httpx.Client`` and handler, is a bare ``httpx.Client.post`` of the request body
flickrwire builds (prebuilt once). Target (issue 2): flickrwire / bare <= 1.5 for every pair.

Context rows: the same client without credentials (what signing costs), the client with
signing swapped for a stdlib reference signer (what a faster ``auth.py`` would give), a
naive pipeline (``oauthlib.oauth1.Client.sign`` + httpx + ``json.loads`` / lxml /
``xmlrpc.client``), and signing alone.

Run: ``python bench/bench_client.py`` (about 30 s on 2 cores; ``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import xmlrpc.client
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import httpx
import oauthlib.oauth1
from _timing import Timing, compare, environment, ratio, table, us, x
from lxml import etree

import flickrwire
from flickrwire import auth, transports
from flickrwire.result import success
from flickrwire.transports import rest as rest_module, soap as soap_module, xmlrpc as xmlrpc_module

BASE_URL = "https://api.flickr.com/services/"
GROUP_ID = "34427469792@N01"
LEAVE = "flickr.groups.leave"
FORM = "application/x-www-form-urlencoded"
TARGET = 1.5
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
# Made-up credentials: signing cost depends on their length, not their value.
CREDENTIALS = flickrwire.Credentials(
    "bench0consumer0key0000000000000", "bench0secret00", "72157600000000000-bench0token00", "t0"
)


# -- a stdlib reference signer: the floor for OAuth 1.0a HMAC-SHA1 in pure Python -------

_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*\Z").match


def _pct(text: str) -> str:
    """RFC 3986 percent-encoding (unreserved characters kept), as OAuth 1.0a requires.

    Most OAuth names and values (hex nonces, digits, dotted method names) need no encoding;
    one regex match is much cheaper than ``quote()``'s byte-by-byte pass.
    """
    return text if _UNRESERVED(text) else quote(text, safe="")


@lru_cache(maxsize=16)
def _mac(consumer_secret: str, token_secret: str) -> hmac.HMAC:
    """The HMAC-SHA1 state keyed by both secrets; copied per signature (a Signer would
    build it once in ``__init__``)."""
    key = f"{_pct(consumer_secret)}&{_pct(token_secret)}".encode()
    return hmac.new(key, digestmod=hashlib.sha1)


@lru_cache(maxsize=16)
def _pct_url(url: str) -> str:
    return _pct(url)


def reference_oauth_params(
    credentials: flickrwire.Credentials,
    http_method: str,
    url: str,
    params: Mapping[str, str],
    *,
    nonce: str,
    timestamp: int,
) -> dict[str, str]:
    """Same inputs and output as ``flickrwire.auth.oauth_params``; stdlib only."""
    oauth = {
        "oauth_consumer_key": credentials.api_key,
        "oauth_nonce": nonce,
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(timestamp),
        "oauth_version": "1.0",
    }
    if credentials.oauth_token:
        oauth["oauth_token"] = credentials.oauth_token
    pairs = sorted([(_pct(k), _pct(v)) for k, v in (*params.items(), *oauth.items())])
    # The normalized parameters, percent-encoded once more for the base string. Each part
    # is already encoded, so only "%", "=" and "&" remain to encode: no second quote() pass
    # over the whole string (that pass is the costliest step of a naive signer).
    normalized = "%26".join(
        [f"{k.replace('%', '%25')}%3D{v.replace('%', '%25')}" for k, v in pairs]
    )
    mac = _mac(credentials.api_secret, credentials.oauth_token_secret or "").copy()
    mac.update(f"{http_method.upper()}&{_pct_url(url)}&{normalized}".encode())
    oauth["oauth_signature"] = base64.b64encode(mac.digest()).decode()
    return oauth


def reference_header(oauth: Mapping[str, str]) -> str:
    return "OAuth " + ", ".join([f'{k}="{_pct(v)}"' for k, v in oauth.items()])


def check_reference_signer() -> None:
    """The reference must sign exactly as flickrwire does, or the what-if row means nothing."""
    url = BASE_URL + "rest/"
    params = {"method": LEAVE, "group_id": GROUP_ID, "tags": "a=b&c d%/\u00e9+~", "format": "json"}
    ours = auth.oauth_params(CREDENTIALS, "POST", url, params, nonce="abc", timestamp=1)
    ref = reference_oauth_params(CREDENTIALS, "POST", url, params, nonce="abc", timestamp=1)
    if ours != ref or auth.authorization_header(ours) != reference_header(ref):
        raise SystemExit("reference signer disagrees with flickrwire.auth; fix the benchmark")


@contextmanager
def reference_signing() -> Iterator[None]:
    """Swap flickrwire's signing functions for the reference ones (what-if measurement)."""
    saved = auth.oauth_params, auth.authorization_header
    auth.oauth_params, auth.authorization_header = reference_oauth_params, reference_header
    try:
        yield
    finally:
        auth.oauth_params, auth.authorization_header = saved


@lru_cache(maxsize=16)
def _parsed_url(url: str) -> httpx.URL:
    return httpx.URL(url)


def _request_with_parsed_url(method: str, url: str, **options: Any) -> httpx.Request:
    return httpx.Request(method, _parsed_url(url), **options)


@contextmanager
def parsed_endpoint_urls() -> Iterator[None]:
    """What-if: the transports build ``httpx.Request`` from a cached ``httpx.URL``.

    Today every request parses its endpoint string again (``httpx.Request(method, str)``).
    The shim stands in for the ``httpx`` module inside our three transport modules only.
    """
    modules = [rest_module, xmlrpc_module, soap_module]
    shim = SimpleNamespace(Request=_request_with_parsed_url)
    for module in modules:
        module.httpx = shim  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in modules:
            module.httpx = httpx  # type: ignore[attr-defined]


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

    def reference_call() -> object:
        with reference_signing():
            return client.groups.leave(group_id=GROUP_ID)

    def reference_url_call() -> object:
        with reference_signing(), parsed_endpoint_urls():
            return client.groups.leave(group_id=GROUP_ID)

    return {
        "bare": lambda: http.post(url, content=content, headers=headers),
        "flickrwire": flickrwire_call,
        "unsigned": lambda: unsigned.groups.leave(group_id=GROUP_ID),
        "ref-signing": reference_call,
        "ref-signing+url": reference_url_call,
    }


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
        "stdlib reference (params+header)": lambda: reference_header(
            reference_oauth_params(
                CREDENTIALS, "POST", url, params, nonce=nonce(), timestamp=auth.now()
            )
        ),
    }


# -- report ---------------------------------------------------------------------------


def report_pairs(number: int, rounds: int) -> dict[tuple[str, str], dict[str, Timing]]:
    found = {}
    rows = []
    for transport, codec in PAIRS:
        timings = compare(pair_cases(transport, codec), number=number, rounds=rounds)
        found[transport, codec] = timings
        bare = timings["bare"]
        main = ratio(timings["flickrwire"], bare)
        rows.append(
            [
                f"{transport}/{codec}",
                us(bare.best_us),
                us(timings["flickrwire"].best_us),
                x(main),
                "yes" if main <= TARGET else "NO",
                x(ratio(timings["unsigned"], bare)),
                x(ratio(timings["ref-signing"], bare)),
                x(ratio(timings["ref-signing+url"], bare)),
            ]
        )
    headers = ["pair", "bare us", "flickrwire us", "ratio", "<=1.5x"]
    headers += ["unsigned", "ref-sign", "ref-sign+url"]
    print("Signed groups.leave through Client vs bare httpx post (best CPU us per call)")
    print(table(headers, rows))
    print(
        "  unsigned: the same Client without credentials; ref-sign: flickrwire with\n"
        "  auth.oauth_params/authorization_header swapped for the stdlib reference signer;\n"
        "  +url: and the transports building requests from a cached httpx.URL.\n"
    )
    return found


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
                us(timing.best_us),
                x(ratio(timing, pair["bare"])),
                x(ratio(pair["flickrwire"], pair["bare"])),
            ]
        )
    print("Naive pipeline (oauthlib Client.sign + httpx + one parse) vs the same bare post")
    print(table(["pipeline", "naive us", "naive/bare", "flickrwire/bare"], rows))
    print()


def report_signing(number: int, rounds: int) -> None:
    timings = compare(signing_cases(), number=number, rounds=rounds)
    base = timings["oauthlib Client.sign"]
    rows = [
        [name, us(t.median_us), us(t.best_us), x(ratio(t, base))] for name, t in timings.items()
    ]
    print("Signing alone, REST params (CPU us per call; ratio of best vs oauthlib)")
    print(table(["signer", "median us", "best us", "vs oauthlib"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke run")
    args = parser.parse_args()
    number, rounds = (30, 2) if args.quick else (150, 15)
    check_reference_signer()
    print(environment(), "\n")
    found = report_pairs(number, rounds)
    report_naive(found, number, rounds)
    report_signing(number * 5, rounds)


if __name__ == "__main__":
    main()
