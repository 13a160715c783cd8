"""``flickrwire diff``: two fixture sets compared by normalised result, pair by pair, across
transports or codecs, in a rich table and a JSON report that holds no secret."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from flickrwire import Client, Credentials, Fault, transports
from flickrwire.cli import app
from flickrwire.recording import replay as store
from flickrwire.recording.diff import compare
from flickrwire.recording.record import Cassette, RecordingTransport
from flickrwire.result import Result, failure, success

KEY, SECRET = "k3y-ZEBRA-0001-distinct", "s3cret-OKAPI-0002-distinct"
TOKEN, TOKEN_SECRET = "72157-TAPIR-0003-token", "ts3cret-QUOKKA-0004-distinct"
SECRETS = (KEY, SECRET, TOKEN, TOKEN_SECRET)
CREDS = Credentials(KEY, SECRET, TOKEN, TOKEN_SECRET)
ENV = {
    "FLICKR_API_KEY": KEY,
    "FLICKR_API_SECRET": SECRET,
    "FLICKR_OAUTH_TOKEN": TOKEN,
    "FLICKR_OAUTH_TOKEN_SECRET": TOKEN_SECRET,
    "COLUMNS": "220",
    "NO_COLOR": "1",
}
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
runner = CliRunner()

#: What a server answers: (transport, group_id) -> None for success, else (code, message).
Answer = Callable[[str, str], "tuple[int, str] | None"]


def _server(answer: Answer) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        name = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        transport = transports.get(name)
        call = transport.parse_request(request)
        codec = "json" if call.params.get("format") == "json" else "xml"
        where: dict[str, Any] = {"transport": name, "codec": codec, "status": 200, "raw": b""}
        if call.method == "flickr.test.echo":  # echoes credentials, as Flickr's does
            echo = {k: {"_content": v} for k, v in call.params.items()}
            result: Result = success(call.method, echo, **where)
        elif (fault := answer(name, call.params.get("group_id", ""))) is None:
            result = success(call.method, {}, **where)
        else:
            result = failure(call.method, Fault.from_code(*fault), **where)
        body = transport.render_response(result, codec)
        headers = {"content-type": transport.media_type(result, codec)}
        return httpx.Response(200, content=body, headers=headers)

    return httpx.MockTransport(handle)


def _record(
    folder: Path, answer: Answer, calls: list[tuple[str, str, str]], method: str = "leave"
) -> list[store.Fixture]:
    """Record ``(transport, codec, group_id)`` calls from a server answering ``answer``."""
    cassette = Cassette(folder, "once")
    with httpx.Client(transport=RecordingTransport(_server(answer), cassette)) as http:
        for transport, codec, group in calls:
            with Client(transport, codec, CREDS, http_client=http, signing="legacy") as client:
                if method == "echo":
                    client.call("flickr.test.echo", group_id=group)
                else:
                    client.groups.leave(group_id=group)
    return store.load_dir(folder)


def ok(transport: str, group: str) -> tuple[int, str] | None:
    return None


def not_member(transport: str, group: str) -> tuple[int, str] | None:
    return (3, "Account is not in that group")


def test_identical_sets_are_the_same_row_by_row(tmp_path: Path) -> None:
    calls = [(t, c, "1@N01") for t, c in PAIRS]
    a = _record(tmp_path / "a", ok, calls)
    b = _record(tmp_path / "b", ok, calls)
    result = compare(a, b)
    assert not result.differs
    assert [(row.pair, row.status) for row in result.rows] == [
        (f"{t}/{c}", "same") for t, c in sorted(PAIRS)
    ]
    assert result.rows[0].call == "flickr.groups.leave(group_id=1@N01)"


def test_changed_only_in_a_and_only_in_b(tmp_path: Path) -> None:
    a = _record(tmp_path / "a", ok, [("rest", "json", "1@N01"), ("rest", "json", "2@N01")])
    b = _record(tmp_path / "b", not_member, [("rest", "json", "1@N01"), ("soap", "xml", "1@N01")])
    result = compare(a, b)
    rows = {(row.call, row.pair): row for row in result.rows}
    changed = rows[("flickr.groups.leave(group_id=1@N01)", "rest/json")]
    assert changed.status == "changed"
    assert changed.fields == ("ok", "code", "origin", "retryable")
    assert (changed.a[0].outcome, changed.b[0].outcome) == ("ok", "E3")
    assert rows[("flickr.groups.leave(group_id=2@N01)", "rest/json")].status == "only_a"
    assert rows[("flickr.groups.leave(group_id=1@N01)", "soap/xml")].status == "only_b"
    assert result.counts() == {"same": 0, "changed": 1, "only_a": 1, "only_b": 1}


def test_a_repeated_call_pairs_by_occurrence(tmp_path: Path) -> None:
    state: set[str] = set()

    def once_then_3(transport: str, group: str) -> tuple[int, str] | None:
        if group in state:
            return (3, "Account is not in that group")
        state.add(group)
        return None

    twice = [("rest", "json", "1@N01")] * 2
    a = _record(tmp_path / "a", once_then_3, twice)
    b = _record(tmp_path / "b", ok, twice)
    result = compare(a, b)
    assert [(row.occurrence, row.status) for row in result.rows] == [(1, "same"), (2, "changed")]


def test_across_transport_finds_the_protocol_that_disagrees_within_one_set(
    tmp_path: Path,
) -> None:
    def soap_differs(transport: str, group: str) -> tuple[int, str] | None:
        return (2, "Group not found") if transport == "soap" else None

    fixtures = _record(tmp_path, soap_differs, [(t, c, "1@N01") for t, c in PAIRS])
    result = compare(fixtures, fixtures, across="transport")
    assert [(row.pair, row.status) for row in result.rows] == [
        ("*/json", "changed"),
        ("*/xml", "changed"),
    ]
    row = result.rows[0]
    assert sorted((s.pair, s.outcome) for s in row.a) == [
        ("rest/json", "ok"),
        ("soap/json", "E2"),
        ("xmlrpc/json", "ok"),
    ]
    by_codec = compare(fixtures, fixtures, across="codec")
    assert {row.pair: row.status for row in by_codec.rows} == {
        "rest/*": "same",
        "soap/*": "same",
        "xmlrpc/*": "same",
    }


def test_across_needs_a_known_dimension() -> None:
    with pytest.raises(ValueError, match="across must be one of"):
        compare([], [], across="moon")


def test_strict_compares_messages_too(tmp_path: Path) -> None:
    a = _record(
        tmp_path / "a", lambda t, g: (3, "Account is not in that group"), [("rest", "xml", "1")]
    )
    b = _record(tmp_path / "b", lambda t, g: (3, "Not a member"), [("rest", "xml", "1")])
    assert not compare(a, b).differs
    strict = compare(a, b, strict=True)
    assert strict.differs and strict.rows[0].fields == ("message",)


def test_documented_fixtures_agree_across_transports() -> None:
    """Protocol research on the shipped set: every documented case normalises alike over
    the transports it exists for, so no row across transports changes."""
    fixtures = [
        fx
        for fx in store.load_dir(Path(__file__).parent.parent / "fixtures" / "groups.leave")
        if fx.case == "groups.leave/error-3"
    ]
    result = compare(fixtures, fixtures, across="transport")
    assert {row.status for row in result.rows} == {"same"} and len(result.rows) == 2


# -- the command -----------------------------------------------------------------------------


def test_diff_command_prints_the_table_and_exits_1_when_sets_differ(tmp_path: Path) -> None:
    _record(tmp_path / "a", ok, [("rest", "json", "1@N01")])
    _record(tmp_path / "b", not_member, [("rest", "json", "1@N01")])
    result = runner.invoke(app, ["diff", str(tmp_path / "a"), str(tmp_path / "b")], env=ENV)
    assert result.exit_code == 1, result.output
    line = next(line for line in result.output.splitlines() if "group_id=1@N01" in line)
    cells = re.split(r"\s{2,}", line.strip())
    assert cells[1:6] == ["rest/json", "1", "ok rest/json", "E3 rest/json", "changed"]
    assert "0 same, 1 changed, 0 only_a, 0 only_b" in result.output


def test_diff_command_exits_0_for_the_same_sets(tmp_path: Path) -> None:
    _record(tmp_path / "a", ok, [("soap", "xml", "1@N01")])
    _record(tmp_path / "b", ok, [("soap", "xml", "1@N01")])
    result = runner.invoke(app, ["diff", str(tmp_path / "a"), str(tmp_path / "b")], env=ENV)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{a}"], "give two folders, or one folder with --across"),
        (["{a}", "{a}", "--across", "moon"], "--across takes one of transport, codec"),
        (["{a}", "{missing}"], "not a folder"),
    ],
)
def test_diff_command_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    _record(tmp_path / "a", ok, [("rest", "json", "1")])
    paths = {"a": str(tmp_path / "a"), "missing": str(tmp_path / "missing")}
    result = runner.invoke(app, ["diff", *(arg.format(**paths) for arg in args)], env=ENV)
    assert result.exit_code == 2 and message in result.output


def test_diff_json_report_has_the_documented_shape(tmp_path: Path) -> None:
    _record(tmp_path / "a", ok, [(t, c, "1@N01") for t, c in PAIRS])
    target = tmp_path / "diff.json"
    args = ["diff", str(tmp_path / "a"), "--across", "codec", "--json", str(target)]
    result = runner.invoke(app, args, env=ENV)
    assert result.exit_code == 0, result.output
    assert f"JSON report written to {target}" in result.output.splitlines()
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["format"] == "flickrwire-diff/1"
    assert (report["across"], report["strict"]) == ("codec", False)
    assert report["summary"] == {"same": 3, "changed": 0, "only_a": 0, "only_b": 0}
    row = report["rows"][0]
    assert set(row) == {"call", "pair", "occurrence", "status", "fields", "a", "b"}
    assert set(row["a"][0]) == {"fixture", "pair", "outcome", "result"}
    assert row["a"][0]["result"] == {
        "method": "flickr.groups.leave",
        "ok": True,
        "payload": {},
        "code": None,
        "origin": None,
        "retryable": None,
    }


def _unredacted_echo(folder: Path) -> None:
    """Echo fixtures whose stored bodies still hold the credentials (as if written by hand
    or by an older tool), and whose messages quote them."""
    _record(folder, ok, [(t, c, "1@N01") for t, c in PAIRS], method="echo")
    for path in folder.rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        body = data["response"]["body"]
        data["response"]["body"] = body.replace("REDACTED", KEY)
        fixture = store.from_dict({**data, "expected": _placeholder()})
        data["expected"] = fixture.decode().expected_view()
        path.write_text(json.dumps(data), encoding="utf-8")
    assert KEY in "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*.json"))


def _placeholder() -> dict[str, Any]:
    return dict.fromkeys(store.EXPECTED_KEYS)


@pytest.mark.parametrize("strict", [False, True])
def test_no_secret_survives_in_the_diff_report_or_table(tmp_path: Path, strict: bool) -> None:
    _unredacted_echo(tmp_path / "a")
    target = tmp_path / "diff.json"
    args = ["diff", str(tmp_path / "a"), "--across", "transport", "--json", str(target)]
    result = runner.invoke(app, [*args, *(["--strict"] if strict else [])], env=ENV)
    # The XML echoes differ across transports: each echoes its own format=rest/xmlrpc/soap.
    assert result.exit_code == 1, result.output
    text = target.read_text(encoding="utf-8")
    assert "REDACTED" in text and "api_key" in text
    for secret in SECRETS:
        assert secret not in text and secret not in result.output
