"""Fault rules, the seeded plan, and the middleware that enacts them (in-process)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flickrwire import Call, Client, Credentials
from flickrwire.auth import hmac_sha1
from flickrwire.emulator import DEFAULT_SEED, create_app
from flickrwire.emulator.faults import FaultMiddleware, FaultPlan, FaultRule
from flickrwire.emulator.inprocess import EmulatorTransport
from flickrwire.emulator.requestlog import RequestLog
from flickrwire.emulator.rules import SOCKET_FAULT_TOKEN, parse_socket_fault, socket_fault_value

BASE = "http://127.0.0.1/services/"
GROUP = "30000001@N01"
BOB = "10000002@N01"
NO_DELAY = {"params": {"seconds": 0}}
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]


def credentials(username: str) -> Credentials:
    users = {u["username"]: u["nsid"] for u in DEFAULT_SEED["users"]}
    token = next(t for t in DEFAULT_SEED["tokens"] if t["user"] == users[username])
    key = DEFAULT_SEED["api_keys"][0]
    return Credentials(key["key"], key["secret"], token["token"], token["secret"])


@pytest.fixture
def app() -> Iterator[Starlette]:
    app = create_app()
    yield app
    app.state.emulator.close()


@pytest.fixture
def connect(app: Starlette) -> Iterator[Callable[..., Client]]:
    """``connect(transport, codec, user=..., **client_options)``: a client on ``app``."""
    opened: list[httpx.Client] = []

    def make(transport: str = "rest", codec: str = "json", user: str = "bob", **kw: Any) -> Client:
        http = httpx.Client(transport=EmulatorTransport(app), timeout=kw.pop("timeout", 5.0))
        opened.append(http)
        return Client(transport, codec, credentials(user), base_url=BASE, http_client=http, **kw)

    yield make
    for http in opened:
        http.close()


def members(app: Starlette) -> set[str]:
    dump = app.state.emulator.store.dump()
    return {m["user"] for m in dump["memberships"] if m["group"] == GROUP}


def plan(app: Starlette) -> FaultPlan:
    found: FaultPlan = app.state.emulator.plan
    return found


# -- rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "named"),
    [
        ({"action": "explode"}, "unknown fault action"),
        ({"action": "error"}, "requires parameter 'code'"),
        ({"action": "error", "params": {"code": "105"}}, "params.code"),
        ({"action": "error", "params": {"code": True}}, "params.code"),
        ({"action": "error", "params": {"code": 105, "colour": 1}}, "colour"),
        ({"action": "reset", "probability": 1.5}, "probability"),
        ({"action": "reset", "count": -1}, "count"),
        ({"action": "reset", "after": "2"}, "after"),
        ({"action": "reset", "when": "now"}, "when"),
        ({"method": "*"}, "'action' is required"),
        ({"action": "delay", "params": {"distribution": "poisson"}}, "distribution"),
        ({"action": "dribble", "params": {"chunks": 0}}, "chunks"),
        ({"action": "truncate", "params": {"bytes": -3}}, "bytes"),
        (["reset"], "JSON object"),
        ({"action": ["reset"]}, "'action' has the wrong type"),
        ({"action": "reset", "id": "a/b"}, "'id' must match"),
    ],
)
def test_invalid_rules_are_refused_naming_the_field(obj: Any, named: str) -> None:
    with pytest.raises(ValueError, match=named):
        FaultRule.from_json(obj)


def test_rule_json_fills_defaults_and_round_trips() -> None:
    rule = FaultRule.from_json({"action": "delay", "params": {"seconds": 0.5}, "count": 2})
    assert rule.params["distribution"] == "fixed"
    assert rule.params["seconds"] == 0.5
    assert (rule.method, rule.transport, rule.probability, rule.after) == ("*", "*", 1.0, 0)
    again = FaultRule.from_json(json.loads(json.dumps(rule.to_json())))
    assert again == rule and hash(again) == hash(rule)
    with pytest.raises(TypeError):
        rule.params["seconds"] = 2  # type: ignore[index]


def test_plan_names_rules_and_refuses_a_duplicate_atomically() -> None:
    plan = FaultPlan()
    first = plan.add({"action": "reset"})
    second = plan.add({"action": "empty", "id": "mine"})
    assert (first.id, second.id) == ("r1", "mine")
    with pytest.raises(ValueError, match="already exists"):
        plan.extend([{"action": "hang"}, {"action": "hang", "id": "mine"}])
    assert [r.id for r in plan.rules()] == ["r1", "mine"]
    assert plan.remove("r1") and not plan.remove("r1")
    plan.clear()
    assert plan.empty


def test_plan_from_json_list_object_and_file(tmp_path: Any) -> None:
    assert [r.action for r in FaultPlan.from_json([{"action": "reset"}]).rules()] == ["reset"]
    path = tmp_path / "faults.json"
    path.write_text(json.dumps({"seed": 7, "rules": [{"action": "empty", "method": "x"}]}))
    loaded = FaultPlan.from_file(path)
    assert loaded.seed == 7
    assert loaded.rules()[0].method == "x"
    with pytest.raises(ValueError, match="seed"):
        FaultPlan.from_json({"seed": 1.5, "rules": []})
    with pytest.raises(ValueError, match="a list of rules"):
        FaultPlan.from_json({"rule": []})
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        FaultPlan.from_file(path)


def test_decide_matches_method_globs_and_transports() -> None:
    plan = FaultPlan(rules=[{"action": "reset", "method": "flickr.groups.*", "transport": "soap"}])
    assert plan.decide("flickr.groups.leave", "soap") is not None
    assert plan.decide("flickr.groups.leave", "rest") is None
    assert plan.decide("flickr.test.echo", "soap") is None
    anywhere = FaultPlan(rules=[{"action": "reset"}])
    assert anywhere.decide("request_token", "oauth") is None  # "*" means API endpoints
    assert anywhere.decide("/favicon.ico", "") is None
    oauth = FaultPlan(rules=[{"action": "reset", "transport": "oauth", "method": "access_token"}])
    assert oauth.decide("access_token", "oauth") is not None


def test_count_after_and_first_match_wins() -> None:
    plan = FaultPlan(
        rules=[
            {"id": "twice", "action": "error", "params": {"code": 105}, "count": 2},
            {"id": "later", "action": "reset", "after": 1},
        ]
    )
    fired = [getattr(plan.decide("m", "rest"), "id", None) for _ in range(5)]
    # "later" sees requests only once "twice" is spent, and lets the first one through.
    assert fired == ["twice", "twice", None, "later", "later"]
    seen = {r["id"]: (r["seen"], r["fired"]) for r in plan.describe()}
    assert seen == {"twice": (2, 2), "later": (3, 2)}


def test_seeded_probability_repeats_and_depends_on_the_seed() -> None:
    def run(seed: int) -> list[bool]:
        plan = FaultPlan(seed, [{"id": "p", "action": "reset", "probability": 0.3}])
        return [plan.decide("m", "rest") is not None for _ in range(400)]

    first, again, other = run(42), run(42), run(43)
    assert first == again
    assert first != other
    assert 0.22 < sum(first) / len(first) < 0.38
    never = FaultPlan(1, [{"action": "reset", "probability": 0.0}])
    assert all(never.decide("m", "rest") is None for _ in range(50))


def test_each_rule_has_its_own_stream() -> None:
    """Adding a rule does not change what another rule decides."""
    alone = FaultPlan(5, [{"id": "a", "action": "reset", "probability": 0.5, "method": "x"}])
    crowded = FaultPlan(
        5,
        [
            {"id": "b", "action": "empty", "probability": 0.5, "method": "y"},
            {"id": "a", "action": "reset", "probability": 0.5, "method": "x"},
        ],
    )
    for _ in range(50):
        crowded.decide("y", "rest")
    assert [alone.decide("x", "rest") is None for _ in range(50)] == [
        crowded.decide("x", "rest") is None for _ in range(50)
    ]


def test_delays_follow_their_distribution() -> None:
    plan = FaultPlan(
        3,
        [
            {"id": "f", "action": "delay", "params": {"seconds": 0.25}},
            {
                "id": "u",
                "action": "delay",
                "params": {"distribution": "uniform", "low": 1, "high": 2},
            },
            {
                "id": "l",
                "action": "delay",
                "params": {"distribution": "lognormal", "median": 0.1, "sigma": 1.0, "cap": 0.3},
            },
        ],
    )
    fixed, uniform, lognormal = plan.rules()
    assert plan.delay_for(fixed) == 0.25
    draws = [plan.delay_for(uniform) for _ in range(200)]
    assert all(1 <= d <= 2 for d in draws) and max(draws) - min(draws) > 0.5
    logs = sorted(plan.delay_for(lognormal) for _ in range(401))
    assert logs[-1] == 0.3  # capped
    assert 0.07 < logs[200] < 0.14  # the median
    replay = FaultPlan(3, [r.to_json() for r in plan.rules()])
    assert [replay.delay_for(replay.rules()[1]) for _ in range(200)] == draws


def test_socket_fault_header_needs_this_process_token() -> None:
    value = socket_fault_value("truncate", 200, 10)
    assert parse_socket_fault(value) == ("truncate", 200, 10)
    assert parse_socket_fault(value.replace(SOCKET_FAULT_TOKEN.encode(), b"0" * 16)) is None
    assert parse_socket_fault(f"{SOCKET_FAULT_TOKEN} explode 200 0") is None
    assert parse_socket_fault(None) is None


# -- response faults through the real client ---------------------------------------------


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
def test_error_is_rendered_in_every_transport_and_codec(
    app: Starlette, connect: Callable[..., Client], transport: str, codec: str
) -> None:
    plan(app).add({"action": "error", "method": "flickr.groups.leave", "params": {"code": 105}})
    result = connect(transport, codec).call("flickr.groups.leave", group_id=GROUP)
    assert (result.ok, result.code, result.http_status) == (False, 105, 200)
    assert result.fault is not None and result.fault.retryable
    assert result.fault.message == "Service currently unavailable"
    assert BOB in members(app)  # the method did not run


def test_error_bytes_follow_the_requested_format(app: Starlette) -> None:
    plan(app).add({"action": "error", "params": {"code": 3}})
    with httpx.Client(transport=EmulatorTransport(app), base_url=BASE) as http:
        form = {"method": "flickr.groups.leave", "group_id": GROUP}
        rsp = http.post("rest/", data=form)
        jsonp = http.post("rest/", data={**form, "format": "json"})
        custom = http.post("rest/", data={**form, "format": "json", "jsoncallback": "cb"})
        plain = http.post("rest/", data={**form, "format": "json", "nojsoncallback": "1"})
    assert rsp.headers["content-type"] == "text/xml; charset=utf-8"
    assert b'<err code="3" msg="Account is not in that group"' in rsp.content
    assert jsonp.headers["content-type"].startswith("text/javascript")
    assert jsonp.content.startswith(b"jsonFlickrApi({")
    assert custom.content.startswith(b"cb({")
    assert json.loads(plain.content) == {
        "stat": "fail",
        "code": 3,
        "message": "Account is not in that group",
    }


@pytest.mark.parametrize(("transport", "code"), [("rest", 111), ("xmlrpc", 115), ("soap", 114)])
def test_protocol_faults_answer_natively_even_when_json_was_asked(
    app: Starlette, connect: Callable[..., Client], transport: str, code: int
) -> None:
    plan(app).add({"action": "error", "params": {"code": code}})
    result = connect(transport, "json").call("flickr.test.echo")
    assert result.code == code
    assert result.fault is not None and result.fault.origin == "protocol"
    assert not result.raw.lstrip().startswith(b"{")
    assert result.raw.startswith(b"<?xml")


def test_oauth_problem_sends_the_base_string_the_client_signed(
    app: Starlette, connect: Callable[..., Client]
) -> None:
    plan(app).add({"action": "oauth_problem"})
    client = connect("rest", "json", nonce=lambda: "fixednonce", clock=lambda: 1700000000)
    call = Call.build("flickr.groups.leave", {"group_id": GROUP})
    signed = dict(parse_authorization_header(client.build_request(call).headers["authorization"]))
    result = client.send(call)
    assert (result.http_status, result.code) == (401, 96)
    text = result.raw.decode()
    assert text.startswith("oauth_problem=signature_invalid&debug_sbs=POST&http%3A%2F%2F")
    base = text.split("&debug_sbs=", 1)[1]
    creds = credentials("bob")
    # The server's base string is exactly the one that produced the client's signature.
    assert hmac_sha1(base, creds.api_secret, creds.oauth_token_secret) == unquote(
        signed["oauth_signature"]
    )


def test_http_error_is_an_html_page(app: Starlette) -> None:
    plan(app).add({"action": "http_error", "params": {"status": 503}})
    with httpx.Client(transport=EmulatorTransport(app), base_url=BASE) as http:
        answer = http.post("soap/", content=b"<whatever/>")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.content.startswith(b"<!DOCTYPE html>\n<html><head><title>503 Service")


def test_http_error_decodes_as_a_retryable_http_fault(
    app: Starlette, connect: Callable[..., Client]
) -> None:
    plan(app).add({"action": "http_error", "params": {"status": 503}})
    result = connect("soap", "xml").call("flickr.test.echo")
    assert (result.http_status, result.code) == (503, None)
    assert result.fault is not None
    assert (result.fault.origin, result.fault.retryable) == ("http", True)
    assert result.fault.message == "HTTP 503: 503 Service Unavailable"


def test_content_type_fault_runs_the_method_under_a_wrong_type(app: Starlette) -> None:
    plan(app).add({"action": "content_type", "params": {"content_type": "text/html"}})
    with httpx.Client(transport=EmulatorTransport(app), base_url=BASE) as http:
        answer = http.post("rest/", data={"method": "flickr.test.echo", "api_key": "x", "a": "b"})
    assert answer.headers["content-type"] == "text/html"
    assert answer.content.startswith(b'<?xml version="1.0" encoding="utf-8" ?>\n<rsp')


def test_fail_twice_then_succeed(app: Starlette, connect: Callable[..., Client]) -> None:
    plan(app).add({"action": "error", "params": {"code": 106}, "count": 2})
    client = connect("xmlrpc", "xml")
    codes = [client.call("flickr.groups.leave", group_id=GROUP).code for _ in range(3)]
    assert codes == [106, 106, None]
    assert BOB not in members(app)


def test_delay_answers_late_after_the_method_ran(app: Starlette) -> None:
    plan(app).add({"action": "delay", "params": {"seconds": 0.05}})
    seen: list[set[str]] = []
    with httpx.Client(transport=EmulatorTransport(app), base_url=BASE) as http:
        client = Client("rest", "json", credentials("bob"), base_url=BASE, http_client=http)
        began = time.perf_counter()
        result = client.call("flickr.groups.leave", group_id=GROUP)
        seen.append(members(app))
        elapsed = time.perf_counter() - began
    assert result.ok and elapsed >= 0.05
    assert BOB not in seen[0]


@pytest.mark.parametrize("process", [True, False])
def test_socket_faults_may_process_the_write_first(
    app: Starlette, connect: Callable[..., Client], process: bool
) -> None:
    plan(app).add({"action": "reset", "params": {"process": process}})
    result = connect("soap", "json").call("flickr.groups.leave", group_id=GROUP)
    assert result.fault is not None and result.fault.origin == "network"
    assert (BOB not in members(app)) is process


def test_unparsable_requests_match_only_wildcard_methods(app: Starlette) -> None:
    plan(app).extend(
        [
            {"action": "error", "method": "flickr.test.echo", "params": {"code": 105}},
            {"action": "http_error", "transport": "xmlrpc"},
        ]
    )
    with httpx.Client(transport=EmulatorTransport(app), base_url=BASE) as http:
        answer = http.post("xmlrpc/", content=b"<methodCall><oops")
    assert answer.status_code == 502


def test_admin_paths_are_never_faulted() -> None:
    app = create_app(admin=True, admin_token="t0ken", faults=[{"action": "http_error"}])
    with httpx.Client(transport=EmulatorTransport(app), base_url="http://127.0.0.1") as http:
        health = http.get("/_admin/health", headers={"Authorization": "Bearer t0ken"})
        assert health.status_code == 200
        assert http.post("/services/rest/", data={"method": "flickr.test.echo"}).status_code == 502
    app.state.emulator.close()


def test_oauth_endpoints_can_be_faulted(app: Starlette) -> None:
    plan(app).add({"action": "http_error", "transport": "oauth", "method": "request_token"})
    with httpx.Client(transport=EmulatorTransport(app), base_url=BASE) as http:
        assert http.get("oauth/request_token").status_code == 502
        assert http.get("oauth/access_token").status_code != 502


# -- the middleware's mechanics on a small app -------------------------------------------


def echo_app(received: list[int]) -> Starlette:
    async def echo(request: Request) -> Response:
        chunks = [chunk async for chunk in request.stream()]
        received.append(len([c for c in chunks if c]))
        return Response(b"".join(chunks) or b"0123456789", media_type="text/plain")

    return Starlette(routes=[Route("/services/rest/", echo, methods=["POST"])])


async def body_in_pieces() -> AsyncIterator[bytes]:
    for piece in (b"method=flickr.test.echo", b"&a=1", b"&b=2"):
        yield piece


async def test_empty_plan_streams_the_body_and_parses_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flickrwire import transports

    parsed: list[int] = []
    rest = transports.get("rest")
    original = rest.parse_request
    monkeypatch.setattr(rest, "parse_request", lambda r: parsed.append(1) or original(r))
    received: list[int] = []
    log = RequestLog()
    middleware = FaultMiddleware(echo_app(received), FaultPlan(), log)
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        answer = await http.post("rest/", content=body_in_pieces())
        assert received == [3] and parsed == []  # passed through piece by piece, unparsed
        assert answer.content == b"method=flickr.test.echo&a=1&b=2"
        middleware.plan.add(
            {"action": "delay", "method": "flickr.test.echo", "params": {"seconds": 0}}
        )
        await http.post("rest/", content=body_in_pieces())
        assert received == [3, 1] and parsed == [1]  # buffered once to find the method
    assert [entry.method for entry in log.entries()] == ["flickr.test.echo"] * 2


async def test_dribble_sends_the_body_in_pieces_over_time() -> None:
    plan = FaultPlan(rules=[{"action": "dribble", "params": {"chunks": 3, "seconds": 0.06}}])
    app = FaultMiddleware(echo_app([]), plan)
    messages: list[tuple[float, dict[str, Any]]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        messages.append((time.perf_counter(), message))

    scope = {"type": "http", "method": "POST", "path": "/services/rest/", "headers": []}
    began = time.perf_counter()
    await app(scope, receive, send)
    bodies = [m for _, m in messages if m["type"] == "http.response.body"]
    assert [m["body"] for m in bodies] == [b"0123", b"456", b"789"]
    assert [m["more_body"] for m in bodies] == [True, True, False]
    assert messages[-1][0] - began >= 0.06
    start = dict(messages[0][1]["headers"])
    assert start[b"content-length"] == b"10"
