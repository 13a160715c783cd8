"""Every case over all six transport x codec pairs: the client talks to a mock server built
from each transport's own server side, and the normalised Results agree across pairs."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from flickrwire import Client, Credentials, Fault, Result, transports
from flickrwire.result import failure, success

KEY, SECRET = "fake-consumer-key", "fake-consumer-secret"
TOKEN, TOKEN_SECRET = "fake-access-token", "fake-token-secret"
TRANSPORTS = ("rest", "xmlrpc", "soap")
PAIRS = [(t, c) for t in TRANSPORTS for c in ("json", "xml")]
GROUP = "12345@N01"


@dataclass(frozen=True)
class Case:
    """One server answer: a payload, or a Flickr code and its message."""

    name: str
    code: int | None = None
    message: str = ""
    method: str = "flickr.groups.leave"
    params: dict[str, Any] = field(default_factory=lambda: {"group_id": GROUP})
    payload: dict[str, Any] = field(default_factory=dict)

    def result(self, transport: str, codec: str) -> Result:
        if self.code is None:
            return success(
                self.method, self.payload, transport=transport, codec=codec, status=200, raw=b""
            )
        fault = Fault.from_code(self.code, self.message)
        return failure(self.method, fault, transport=transport, codec=codec, status=200, raw=b"")

    def expected_view(self) -> dict[str, Any]:
        fault = Fault.from_code(self.code, self.message) if self.code is not None else None
        return {
            "method": self.method,
            "ok": fault is None,
            "payload": self.payload,
            "code": self.code,
            "origin": fault.origin if fault else None,
            "retryable": fault.retryable if fault else None,
            "message": self.message if fault else None,
            "http_status": 200,
        }


MEMBERS = {
    "members": {
        "page": "1",
        "pages": "1",
        "perpage": "100",
        "total": "1",
        "member": [{"nsid": "12037949754@N01", "username": "Bees", "membertype": "2"}],
    }
}

CASES = [
    Case("success", params={"group_id": GROUP, "delete_photos": True}),
    Case(
        "success-one-member-list",
        method="flickr.groups.members.getList",
        params={"group_id": GROUP, "per_page": 100},
        payload=MEMBERS,
    ),
    # Method errors 1..3: texts from flickr.reflection.getMethodInfo for flickr.groups.leave.
    Case("error-1", 1, "Required arguments missing"),
    Case("error-2", 2, "Group does not exist"),
    Case("error-3", 3, "Account is not in that group"),
    # A message that needs escaping in every format: attribute, element text, JSON string.
    Case("error-1-escaped", 1, 'Group "A&B" <\u5315\u4e03> isn\'t valid'),
    Case("error-96", 96, "Invalid signature"),
    Case("error-98", 98, "Invalid auth token"),
    Case(
        "error-99", 99, "Insufficient permissions. Method requires delete privileges; none granted."
    ),
    Case("error-100", 100, "Invalid API Key (Key has invalid format)"),
    Case("error-105", 105, "Service currently unavailable"),
    Case("error-106", 106, "Write operation failed"),
    Case("error-112", 112, 'Method "flickr.groups.leave" not found'),
    Case("error-116", 116, "Bad URL found"),
]


def credentials() -> Credentials:
    return Credentials(KEY, SECRET, TOKEN, TOKEN_SECRET)


def assert_signed(request: httpx.Request, params: dict[str, str], method: str) -> None:
    """The server side's view of the OAuth signature: it must verify."""
    pairs = [("method", method), *params.items()]
    header = request.headers.get("authorization")
    if header is not None:
        pairs += [(unquote(k), unquote(v)) for k, v in parse_authorization_header(header)]
    sig = dict(pairs).pop("oauth_signature")
    unsigned = [(k, v) for k, v in pairs if k != "oauth_signature"]
    view = SimpleNamespace(
        uri=str(request.url), http_method=request.method, params=unsigned, signature=sig
    )
    assert oauth_signature.verify_hmac_sha1(view, SECRET, TOKEN_SECRET)


def server(case: Case, transport: str, codec: str, bodies: list[bytes]) -> httpx.MockTransport:
    """A Flickr stand-in made of the transport's own ``parse_request`` / ``render_response``."""
    wire = transports.get(transport)

    def handler(request: httpx.Request) -> httpx.Response:
        call = wire.parse_request(request)
        assert request.method == "POST"
        assert request.url.path == f"/services/{transport}/"
        assert call.method == case.method
        params = dict(call.params)
        for name, value in case.params.items():
            expected = ("1" if value else "0") if isinstance(value, bool) else str(value)
            assert params[name] == expected
        assert params["format"] == ("json" if codec == "json" else transport)
        assert_signed(request, params, call.method)
        answered = "json" if params["format"] == "json" else "xml"
        result = case.result(transport, answered)
        body = wire.render_response(result, answered)
        bodies.append(body)
        headers = {"Content-Type": wire.media_type(result, answered)}
        return httpx.Response(200, content=body, headers=headers)

    return httpx.MockTransport(handler)


def run(case: Case, transport: str, codec: str, bodies: list[bytes]) -> Result:
    http = httpx.Client(transport=server(case, transport, codec, bodies))
    with Client(transport, codec, credentials(), http_client=http) as client:
        result = client.call(case.method, **case.params)
    http.close()
    assert (result.transport, result.codec, result.method) == (transport, codec, case.method)
    return result


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_pair_gives_the_same_result(case: Case) -> None:
    bodies: list[bytes] = []
    results = {pair: run(case, *pair, bodies) for pair in PAIRS}
    assert len(bodies) == len(PAIRS)
    expected = case.expected_view()
    for pair, result in results.items():
        assert result.expected_view() == expected, pair
    normalised = {pair: result.normalised() for pair, result in results.items()}
    first = normalised[PAIRS[0]]
    assert all(view == first for view in normalised.values())


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_json_request_still_gets_its_success_as_json(transport: str) -> None:
    bodies: list[bytes] = []
    run(Case("success"), transport, "json", bodies)
    assert bodies[0] == b'{"stat":"ok"}'


NATIVE_111 = {
    "rest": (b'<rsp stat="fail">', "text/xml"),
    "xmlrpc": (b"<methodResponse><fault>", "text/xml"),
    "soap": (b"<s:Fault><faultcode>flickr.error.111</faultcode>", "text/xml"),
}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_format_not_found_answers_natively_even_when_json_was_asked(transport: str) -> None:
    # Flickr cannot answer in a format it does not know, so 111 comes back in the
    # transport's native format (DESIGN.md section 2): the server side must render it so.
    wire = transports.get(transport)
    case = Case("error-111", 111, 'Format "jsonx" not found')
    result = case.result(transport, "json")
    body = wire.render_response(result, "json")
    marker, media = NATIVE_111[transport]
    assert body.lstrip().startswith(b"<?xml")
    assert marker in body
    assert wire.media_type(result, "json").startswith(media)
    views = []
    for codec in ("json", "xml"):
        bodies: list[bytes] = []
        decoded = run(case, transport, codec, bodies)
        assert marker in bodies[0]
        views.append(decoded.expected_view())
    assert views[0] == views[1] == case.expected_view()
