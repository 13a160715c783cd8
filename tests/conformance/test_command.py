"""``flickrwire conformance`` end to end, over real loopback sockets: the default run
against the embedded emulator, failures, --bail, filters, reports, --record, and runs
against another server (a plain one, and an emulator with its admin API)."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree, html as lxml_html

from flickrwire import Client, Credentials
from flickrwire.conformance import scenarios
from flickrwire.conformance.command import unreachable_reason
from flickrwire.conformance.runner import BAILED
from flickrwire.conformance.targets import REASONS
from flickrwire.emulator import DEFAULT_SEED
from flickrwire.recording.replay import ReplayTransport, load_dir

from .conftest import assert_no_secret, bob_env, load_json, run_cli, token, write_scenarios
from .schema import validate_report

GROUP = DEFAULT_SEED["groups"][0]["id"]
BOB = next(u["nsid"] for u in DEFAULT_SEED["users"] if u["username"] == "bob")
PAIRS = ["rest/json", "rest/xml", "xmlrpc/json", "xmlrpc/xml", "soap/json", "soap/xml"]


def cells(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(s["id"], c["pair"]): c for s in report["scenarios"] for c in s["cells"]}


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """One default run (every built-in scenario, every pair) with every report."""
    out = tmp_path_factory.mktemp("full")
    result = run_cli(
        "--json", str(out / "r.json"), "--junit", str(out / "r.xml"), "--html", str(out / "r.html")
    )
    yield result, out


def test_default_run_is_all_green(full_run: tuple[Any, Path]) -> None:
    result, out = full_run
    assert result.exit_code == 0, result.output
    assert "all pairs agree" in result.output
    report = load_json(out / "r.json")
    validate_report(report)
    assert report["ok"] is True and report["target"]["kind"] == "embedded"
    assert report["target"]["base_url"].startswith("http://127.0.0.1:")
    found = cells(report)
    for scenario in scenarios.builtin():
        applicable = [p for p in PAIRS if scenario.applies_to(*p.split("/"))]
        for pair in applicable:
            assert found[(scenario.id, pair)]["status"] == "passed", (scenario.id, pair)
    assert report["summary"]["cells"] == len(found)
    assert all(s["agreed"] is True for s in report["scenarios"])


def test_default_run_observes_retries_through_the_policy(full_run: tuple[Any, Path]) -> None:
    found = cells(load_json(full_run[1] / "r.json"))
    for pair in PAIRS:
        retried = found[("injected-105-retried", pair)]
        assert (retried["retries"], retried["requests"], retried["label"]) == (2, 3, "ok")
        assert len(retried["exchanges"]) == 3 + 1  # three tries, then the check
        once = found[("injected-201-write-not-retried", pair)]
        assert (once["retries"], once["requests"], once["label"]) == (0, 1, "E201")


def test_each_report_written_is_said_once(full_run: tuple[Any, Path]) -> None:
    result, out = full_run
    said = [line for line in result.output.splitlines() if "report written to" in line]
    assert said == [
        f"JSON report written to {out / 'r.json'}",
        f"JUnit report written to {out / 'r.xml'}",
        f"HTML report written to {out / 'r.html'}",
    ]


def test_default_run_reports_hold_every_cell(full_run: tuple[Any, Path]) -> None:
    report = load_json(full_run[1] / "r.json")
    expected = sorted(cells(report))
    junit = etree.fromstring((full_run[1] / "r.xml").read_bytes())
    in_junit = sorted(
        (case.get("classname").rpartition(".")[2], case.get("name"))
        for case in junit.iter("testcase")
    )
    assert in_junit == expected
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == (
        str(len(expected)),
        "0",
        "0",
    )
    page = lxml_html.fromstring((full_run[1] / "r.html").read_text(encoding="utf-8"))
    in_html = sorted(
        (td.get("data-scenario"), td.get("data-pair")) for td in page.xpath("//td[@data-pair]")
    )
    assert in_html == expected


def test_no_secret_in_any_report_or_output(full_run: tuple[Any, Path]) -> None:
    result, out = full_run
    assert_no_secret(result.output, "the command's output")
    for name in ("r.json", "r.xml", "r.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert_no_secret(text, name)
    report = load_json(out / "r.json")
    headers = [
        e["request"]["headers"].get("authorization", "")
        for c in cells(report).values()
        for e in c["exchanges"]
    ]
    oauth = [h for h in headers if h.startswith("OAuth ")]
    assert oauth and all('oauth_signature="REDACTED"' in h for h in oauth)
    # The 401 answer echoes the base string: nonce and timestamp go too.
    bad = cells(report)[("bad-oauth-signature", "rest/json")]["exchanges"][0]["response"]
    assert "oauth_nonce%3DREDACTED" in bad["body"] and "oauth_timestamp%3DREDACTED" in bad["body"]


RED_CELL = re.compile(r"\x1b\[1;31m *ok *\x1b\[0m")
GREEN_CELL = re.compile(r"\x1b\[32m *ok *\x1b\[0m")
BROKEN = {
    "id": "leave-expects-2",
    "title": "A deliberately wrong expectation",
    "call": {"method": "flickr.groups.leave", "params": {"group_id": "{group}"}},
    "expect": {"ok": False, "code": 2},
}
ECHO = {
    "id": "echo-mine",
    "call": {"method": "flickr.test.echo", "params": {"x": "y"}, "auth": "key"},
    "expect": {"ok": True, "payload_contains": {"x": {"_content": "y"}}},
    "ignore": ["payload.format", "payload.nojsoncallback"],
}


def test_broken_expectation_fails_and_shows_red(tmp_path: Path) -> None:
    path = write_scenarios(tmp_path / "mine.json", [BROKEN, ECHO])
    report_path = tmp_path / "r.json"
    result = run_cli(
        "--no-builtin", "--scenario-file", str(path), "--json", str(report_path),
        env={"FORCE_COLOR": "1", "COLUMNS": "120"},
    )  # fmt: skip
    assert result.exit_code == 1
    rows = {line.split()[0]: line for line in result.output.splitlines() if "-" in line[:20]}
    assert len(RED_CELL.findall(rows["leave-expects-2"])) == 6  # every pair's cell is red
    assert len(GREEN_CELL.findall(rows["echo-mine"])) == 6
    assert "NOT CONFORMING" in result.output
    assert "FAILED leave-expects-2 rest/json: ok: expected false, got true" in result.output
    report = load_json(report_path)
    validate_report(report)
    found = cells(report)
    for pair in PAIRS:
        assert found[("leave-expects-2", pair)]["failures"] == [
            "ok: expected false, got true",
            "code: expected 2, got null",
        ]
        assert found[("echo-mine", pair)]["status"] == "passed"
    assert report["scenarios"][0]["agreed"] is True  # wrong everywhere alike


def test_bail_stops_at_the_first_failure(tmp_path: Path) -> None:
    path = write_scenarios(tmp_path / "mine.json", [BROKEN, ECHO])
    report_path = tmp_path / "r.json"
    result = run_cli(
        "--no-builtin", "--scenario-file", str(path), "--bail", "--json", str(report_path)
    )
    assert result.exit_code == 1
    report = load_json(report_path)
    validate_report(report)
    assert report["bailed"] is True
    statuses = [
        (c["pair"], c["status"], c["reason"]) for s in report["scenarios"] for c in s["cells"]
    ]
    assert statuses[0] == ("rest/json", "failed", None)
    assert statuses[1:] == [(p, "skipped", BAILED) for p in PAIRS[1:] + PAIRS]


def test_filters_choose_scenarios_and_pairs(tmp_path: Path) -> None:
    report_path = tmp_path / "r.json"
    result = run_cli(
        "--scenarios", "leave-*,broken-*", "--tags", "errors,-soap",
        "--transports", "soap,rest", "--codecs", "xml", "--json", str(report_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = load_json(report_path)
    assert report["pairs"] == ["rest/xml", "soap/xml"]
    assert [s["id"] for s in report["scenarios"]] == [
        "leave-not-member",
        "leave-unknown-group",
        "leave-missing-group-id",
        "leave-by-get",
    ]
    # broken-xmlrpc-call applies to no chosen pair: it is left out; leave-by-get is REST only.
    leaves = ("leave-not-member", "leave-unknown-group", "leave-missing-group-id")
    assert set(cells(report)) == {
        *((s, p) for s in leaves for p in ("rest/xml", "soap/xml")),
        ("leave-by-get", "rest/xml"),
    }


def test_record_writes_fixtures_that_replay(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures"
    result = run_cli("--scenarios", "leave-ok,broken-xmlrpc-call", "--record", str(folder))
    assert result.exit_code == 0, result.output
    fixtures = load_dir(folder)
    # leave-ok: the leave and its check on six pairs; broken-xmlrpc-call: two pairs.
    assert len(fixtures) == 6 * 2 + 2
    for fixture in fixtures:
        assert fixture.decode().expected_view() == dict(fixture.expected), fixture.name
        assert fixture.provenance.kind == "emulator"
        assert_no_secret(fixture.path.read_text(encoding="utf-8"), str(fixture.path))
    leave = [f for f in fixtures if f.method == "flickr.groups.leave" and f.pair == "soap/xml"]
    assert len(leave) == 1 and leave[0].path.is_relative_to(folder / "leave-ok")
    # A client replaying the folder gets the recorded answer, without any server.
    key = DEFAULT_SEED["api_keys"][0]
    creds = Credentials(key["key"], key["secret"], "any-token", "any-secret")
    with httpx.Client(transport=ReplayTransport(fixtures)) as http:
        client = Client("soap", "xml", creds, base_url="http://127.0.0.1:9/services/",
                        http_client=http)  # fmt: skip
        replayed = client.groups.leave(group_id=GROUP)
    assert replayed.expected_view() == dict(leave[0].expected)
    assert replayed.ok and replayed.transport == "soap"


def test_other_server_runs_what_it_can_and_says_why_not(
    plain_server: tuple[Any, Any], tmp_path: Path
) -> None:
    server, emulator = plain_server
    report_path, junit_path = tmp_path / "r.json", tmp_path / "r.xml"
    result = run_cli(
        "--base-url", server.base_url, "--json", str(report_path), "--junit", str(junit_path),
        env=bob_env(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = load_json(report_path)
    validate_report(report)
    assert report["target"] == {"kind": "server", "base_url": server.base_url}
    found = cells(report)
    reasons = {
        "leave-not-member": REASONS["emulator"],
        "injected-105-retried": REASONS["emulator"],
        "blocked-url": REASONS["blocked-url"],
        "leave-ok": REASONS["writes"],
        "group-info": "needs a group id (--group-id)",
    }
    for scenario_id, reason in reasons.items():
        for pair in PAIRS:
            assert found[(scenario_id, pair)]["status"] == "skipped"
            assert found[(scenario_id, pair)]["reason"] == reason
    for scenario_id in ("bad-oauth-signature", "unknown-token", "format-xxx", "test-login"):
        assert {found[(scenario_id, p)]["status"] for p in PAIRS} == {"passed"}
    junit = etree.fromstring(junit_path.read_bytes())
    assert int(junit.get("skipped")) == report["summary"]["skipped"] > 0
    assert "skip" in result.output and "needs the flickrwire emulator" in result.output
    assert emulator.state.emulator.store.dump() == DEFAULT_SEED  # nothing was changed


def test_other_server_without_credentials(plain_server: tuple[Any, Any], tmp_path: Path) -> None:
    report_path = tmp_path / "r.json"
    result = run_cli(
        "--base-url", plain_server[0].base_url, "--scenarios", "unknown-token,unknown-key",
        "--json", str(report_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    found = cells(load_json(report_path))
    skipped = found[("unknown-token", "rest/json")]
    assert skipped["status"] == "skipped"
    assert skipped["reason"].startswith("needs an API key and secret: set FLICKR_API_KEY")
    assert found[("unknown-key", "soap/xml")]["status"] == "passed"


def test_other_server_writes_once_with_allow_writes(
    plain_server: tuple[Any, Any], tmp_path: Path
) -> None:
    server, emulator = plain_server
    report_path = tmp_path / "r.json"
    result = run_cli(
        "--base-url", server.base_url, "--group-id", GROUP, "--allow-writes",
        "--scenarios", "leave-ok", "--json", str(report_path), env=bob_env(),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    found = cells(load_json(report_path))
    assert found[("leave-ok", "rest/json")]["status"] == "passed"
    for pair in PAIRS[1:]:
        assert found[("leave-ok", pair)]["reason"] == (
            "state changed by the run on rest/json: this server cannot be reset between pairs"
        )
    members = emulator.state.emulator.store.dump()["memberships"]
    assert BOB not in {m["user"] for m in members if m["group"] == GROUP}


def test_admin_emulator_gets_the_full_treatment_and_is_restored(
    admin_server: tuple[Any, Any], tmp_path: Path
) -> None:
    server, emulator = admin_server
    state = emulator.state.emulator
    state.plan.add({"id": "theirs", "method": "flickr.test.null", "action": "error",
                    "params": {"code": 105}})  # fmt: skip
    report_path = tmp_path / "r.json"
    result = run_cli(
        "--base-url", server.base_url, "--json", str(report_path),
        "--scenarios", "leave-ok,leave-not-member,injected-105-retried,blocked-url",
        "--admin-token", state.admin_token,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = load_json(report_path)
    assert report["target"]["kind"] == "emulator"
    found = cells(report)
    for scenario_id in ("leave-ok", "leave-not-member", "injected-105-retried"):
        assert {found[(scenario_id, p)]["status"] for p in PAIRS} == {"passed"}
    assert found[("injected-105-retried", "xmlrpc/xml")]["requests"] == 3
    assert found[("blocked-url", "rest/json")]["reason"] == REASONS["blocked-url"]
    assert state.store.dump() == DEFAULT_SEED
    assert [rule.id for rule in state.plan.rules()] == ["theirs"]


def test_an_admin_emulator_needs_its_token(admin_server: tuple[Any, Any]) -> None:
    server, emulator = admin_server
    state = emulator.state.emulator
    args = ("--base-url", server.base_url, "--scenarios", "leave-ok", "--transports", "rest")
    for env in ({}, {"FLICKRWIRE_ADMIN_TOKEN": "wrong"}):
        refused = run_cli(*args, env=env)
        assert refused.exit_code == 2
        assert "needs its token" in refused.output and "--admin-token" in refused.output
    assert state.store.dump() == DEFAULT_SEED
    result = run_cli(*args, env={"FLICKRWIRE_ADMIN_TOKEN": state.admin_token})
    assert result.exit_code == 0, result.output
    assert state.admin_token not in result.output


def _credentials_file(path: Path, base_url: str, name: str = "local") -> Path:
    bob = token("bob")
    key = DEFAULT_SEED["api_keys"][0]
    profile = {
        "api_key": key["key"],
        "api_secret": key["secret"],
        "oauth_token": bob["token"],
        "oauth_token_secret": bob["secret"],
        "base_url": base_url,
    }
    data = {"format": "flickrwire-credentials/1", "profiles": {name: profile}}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    return path


def test_env_profile_switches_server_and_credentials(
    plain_server: tuple[Any, Any], tmp_path: Path
) -> None:
    server = plain_server[0]
    path = _credentials_file(tmp_path / "credentials.json", server.base_url)
    report_path = tmp_path / "r.json"
    result = run_cli(
        "--env", "local", "--credentials", str(path), "--scenarios", "test-login,unknown-token",
        "--json", str(report_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = load_json(report_path)
    assert report["target"] == {"kind": "server", "base_url": server.base_url}
    login = cells(report)[("test-login", "soap/json")]
    assert login["status"] == "passed" and login["result"]["payload"]["user"]["id"] == BOB


def test_no_arguments_never_leave_the_embedded_emulator(tmp_path: Path) -> None:
    # A default profile naming another server (or a broken file) does not redirect the
    # main job: only --base-url and --env choose the server.
    path = _credentials_file(
        tmp_path / "credentials.json", "https://flickr.invalid/services/", name="default"
    )
    report_path = tmp_path / "r.json"
    result = run_cli(
        "--scenarios", "test-login", "--json", str(report_path),
        env={**bob_env(), "FLICKRWIRE_CONFIG": str(path)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert load_json(report_path)["target"]["kind"] == "embedded"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--transports", "gopher"], "--transports: 'gopher' is not one of rest, xmlrpc, soap"),
        (["--scenarios", "no-such-*"], "no scenario matches 'no-such-*'"),
        (["--base-url", "http://example.com/services/"], "plain HTTP is allowed only"),
        (["--env", "missing", "--credentials", "nowhere.json"], "profile 'missing'"),
        (["--scenarios", "broken-soap-envelope", "--transports", "rest"], "no scenario applies"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_bad_scenario_file_names_the_field(tmp_path: Path) -> None:
    bad = write_scenarios(
        tmp_path / "bad.json", [{**BROKEN, "call": {"method": "m", "auth": "root"}}]
    )
    result = run_cli("--scenario-file", str(bad))
    assert result.exit_code == 2
    assert "bad.json: scenarios[0].call.auth: 'root' is not one of" in result.output


def test_list_names_scenarios_and_requirements() -> None:
    result = run_cli("--list", "--tags", "faults", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "injected-105-retried" in result.output and "leave-ok " not in result.output
    assert "emulator faults writes" in result.output


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_server_that_is_not_running_is_said_once_and_stops(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/services/"
    report_path = tmp_path / "r.json"
    result = run_cli("--base-url", url, "--json", str(report_path), env=bob_env())
    assert result.exit_code == 2
    assert result.output.splitlines() == [f"Error: cannot reach {url}: connection refused"]
    assert not report_path.exists()


def test_the_reason_comes_from_the_os_error_under_httpx() -> None:
    try:
        raise ConnectionRefusedError(111, "Connection refused")
    except OSError as low:
        exc = httpx.ConnectError("[Errno 111] Connection refused")
        exc.__cause__ = low
    assert unreachable_reason(exc) == "connection refused"
    assert unreachable_reason(httpx.ReadTimeout("")) == "no answer in time (ReadTimeout)"


def test_admin_emulator_starts_each_scenario_from_its_start_state_after_an_earlier_leave(
    admin_server: tuple[Any, Any], tmp_path: Path
) -> None:
    server, emulator = admin_server
    store = emulator.state.emulator.store
    store.leave(BOB, GROUP)  # someone used the server before the run
    before = store.dump()
    assert before != DEFAULT_SEED
    report_path = tmp_path / "r.json"
    token = emulator.state.emulator.admin_token
    args = ("--base-url", server.base_url, "--admin-token", token, "--json", str(report_path))
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    counts = load_json(report_path)["summary"]
    assert counts["failed"] == counts["error"] == 0 and counts["passed"] > 100
    assert result.output.splitlines()[0] == (
        f"{server.base_url}: the emulator's state is reset to its start seed for each "
        "scenario, and put back as it was after the run"
    )
    assert store.dump() == before  # the user's state is back


def test_a_server_that_cannot_be_reset_is_said_once_at_the_top(
    plain_server: tuple[Any, Any],
) -> None:
    server = plain_server[0]
    result = run_cli("--base-url", server.base_url, "--scenarios", "test-login", env=bob_env())
    assert result.exit_code == 0, result.output
    note = (
        f"{server.base_url}: no admin API, so its state cannot be reset: scenarios run on "
        "its current state, and those needing a known state are skipped"
    )
    assert result.output.splitlines()[0] == note
    assert result.output.count("cannot be reset") == 1
