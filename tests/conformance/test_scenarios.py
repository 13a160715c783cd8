"""Scenario files: the built-in set, what a user may write, the errors they get, choosing
scenarios by id and tag, and the requirements derived from a scenario."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from flickrwire.conformance import scenarios
from flickrwire.conformance.model import ScenarioError

from .conftest import write_scenarios

#: The issue's list (issue 4, item 2), by the scenario that covers each entry.
ISSUE_LIST = {
    "leave-ok": (True, None),
    "leave-not-member": (False, 3),
    "leave-unknown-group": (False, 2),
    "leave-missing-group-id": (False, 1),
    "leave-only-admin-promotes-oldest": (True, None),
    "leave-last-member-deletes-group": (True, None),
    "leave-delete-photos": (True, None),
    "bad-oauth-signature": (False, 96),
    "missing-signature": (False, 97),
    "unknown-token": (False, 98),
    "read-only-token": (False, 99),
    "unknown-key": (False, 100),
    "format-xxx": (False, 111),
    "broken-soap-envelope": (False, 114),
    "broken-xmlrpc-call": (False, 115),
    "blocked-url": (False, 116),
    "injected-105-retried": (True, None),
    "injected-106-retried": (True, None),
}

MINIMAL: dict[str, Any] = {
    "id": "mine",
    "call": {"method": "flickr.test.echo", "params": {"a": "b"}, "auth": "key"},
    "expect": {"ok": True},
}


def variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


def test_builtin_scenarios_cover_the_issue_list() -> None:
    found = {s.id: s for s in scenarios.builtin()}
    for scenario_id, (ok, code) in ISSUE_LIST.items():
        expect = found[scenario_id].expect.fields
        assert expect["ok"] is ok, scenario_id
        if code is not None:
            assert expect["code"] == code, scenario_id
    unknown = found["unknown-method"].expect
    assert {alt.fields["code"] for alt in unknown.any_of} == {112, 212}


def test_builtin_checks_go_through_the_api() -> None:
    found = {s.id: s for s in scenarios.builtin()}
    promoted = found["leave-only-admin-promotes-oldest"].checks[0]
    assert promoted.call.method == "flickr.groups.members.getList"
    assert promoted.expect.fields["payload_contains"]["members"]["member"] == [
        {"nsid": "{nsid:dave}", "membertype": 4}
    ]
    gone = found["leave-last-member-deletes-group"].checks[0]
    assert (gone.call.method, gone.expect.fields["code"]) == ("flickr.groups.getInfo", 1)
    photos = found["leave-delete-photos"].checks[0]
    assert photos.call.method == "flickr.groups.pools.getPhotos"
    assert "payload_lacks" in photos.expect.fields


def test_protocol_only_scenarios_name_their_transport() -> None:
    found = {s.id: s for s in scenarios.builtin()}
    assert found["broken-soap-envelope"].transports == ("soap",)
    assert found["broken-xmlrpc-call"].transports == ("xmlrpc",)
    assert found["broken-soap-envelope"].call.raw is not None
    assert found["leave-ok"].transports == ("rest", "xmlrpc", "soap")


def test_injected_fault_scenarios_expect_observed_retries() -> None:
    found = {s.id: s for s in scenarios.builtin()}
    retried = found["injected-105-retried"]
    assert retried.retry_attempts == 3
    assert retried.setup.faults[0]["params"] == {"code": 105}
    assert (retried.expect.fields["retries"], retried.expect.fields["requests"]) == (2, 3)


def test_requirements_are_derived() -> None:
    found = {s.id: s for s in scenarios.builtin()}
    assert found["leave-ok"].requires == {"writes"}
    assert found["leave-not-member"].requires == {"emulator", "writes"}
    assert found["injected-105-retried"].requires == {"emulator", "faults", "writes"}
    assert found["read-only-token"].requires == {"emulator"}  # a read token, writes: false
    assert found["bad-oauth-signature"].requires == frozenset()
    assert found["blocked-url"].requires == {"blocked-url"}


def test_user_file_adds_scenarios(tmp_path: Path) -> None:
    path = write_scenarios(tmp_path / "mine.json", [MINIMAL])
    loaded = scenarios.load_all([path])
    assert loaded[-1].id == "mine"
    assert loaded[-1].source == str(path)
    assert loaded[-1].call.params == {"a": "b"}
    assert len(loaded) == len(scenarios.builtin()) + 1
    assert [s.id for s in scenarios.load_all([path], include_builtin=False)] == ["mine"]


def test_a_bare_list_is_a_scenario_file() -> None:
    assert [s.id for s in scenarios.parse([MINIMAL], "list.json")] == ["mine"]


def test_param_values_become_wire_strings() -> None:
    data = variant(call={"method": "flickr.groups.leave", "params": {"a": True, "n": 3}})
    call = scenarios.parse([data], "f")[0].call
    assert call.params == {"a": "1", "n": "3"}
    assert call.verb == "POST"
    assert call.auth == "delete"
    assert call.user == "bob"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (variant(call={"method": "m", "auth": "admin"}), "scenarios[0].call.auth: 'admin'"),
        (variant(colour="red"), "scenarios[0].colour: unknown field"),
        ({"id": "x", "expect": {"ok": True}}, "scenarios[0].call: required field missing"),
        (variant(expect={}), "scenarios[0].expect: expects nothing"),
        (variant(expect={"ok": "yes"}), "scenarios[0].expect.ok: expected true or false"),
        (variant(expect={"code": True}), "scenarios[0].expect.code: expected an integer or null"),
        (variant(expect={"origin": "moon"}), "scenarios[0].expect.origin: 'moon'"),
        (variant(id="bad id"), "scenarios[0].id: 'bad id' is not a valid id"),
        (variant(transports=["gopher"]), "scenarios[0].transports[0]: 'gopher'"),
        (
            variant(call={"method": "m", "params": {"g": "{grup}"}}),
            "scenarios[0].call.params.g: unknown placeholder {grup}",
        ),
        (
            variant(setup={"faults": [{"action": "explode"}]}),
            "scenarios[0].setup.faults[0]: unknown fault action 'explode'",
        ),
        (
            variant(setup={"members": {"g": [{"user": "bob", "role": "king"}]}}),
            "setup.members.g[0].role: 'king'",
        ),
        (
            variant(checks=[{"call": {"method": "m"}, "expect": {"retries": 1}}]),
            "scenarios[0].checks[0].expect.retries: unknown field",
        ),
        (variant(retry={"attempts": 0}), "scenarios[0].retry.attempts: must be at least 1"),
        (variant(ignore=["payload format"]), "scenarios[0].ignore[0]"),
    ],
)
def test_errors_name_the_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=r"^mine\.json: ") as caught:
        scenarios.parse({"scenarios": [data]}, "mine.json")
    assert message in str(caught.value)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    clash = variant(id="leave-ok")
    path = write_scenarios(tmp_path / "clash.json", [clash])
    with pytest.raises(ScenarioError, match="'leave-ok' is used twice"):
        scenarios.load_all([path])


def test_unreadable_files_are_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken\.json: not valid JSON"):
        scenarios.load_file(broken)
    with pytest.raises(ScenarioError, match=r"missing\.json: cannot read"):
        scenarios.load_file(tmp_path / "missing.json")
    wrong = write_scenarios(tmp_path / "wrong.json", [])
    wrong.write_text('{"format": "other/1", "scenarios": []}', encoding="utf-8")
    with pytest.raises(ScenarioError, match="format: 'other/1'"):
        scenarios.load_file(wrong)


def test_select_by_ids_globs_and_tags() -> None:
    every = scenarios.builtin()
    ids = [s.id for s in scenarios.select(every, ["leave-ok", "injected-*"])]
    assert ids == [
        "leave-ok",
        "injected-105-retried",
        "injected-106-retried",
        "injected-105-exhausted",
        "injected-201-write-not-retried",
    ]
    faults = scenarios.select(every, tags=["faults"])
    assert {s.id for s in faults} == set(ids[1:])
    no_writes = scenarios.select(every, tags=["-write"])
    assert all("write" not in s.tags for s in no_writes)
    assert len(no_writes) < len(every)
    both = scenarios.select(every, ["leave-*"], ["errors"])
    assert {s.id for s in both} == {
        "leave-not-member",
        "leave-unknown-group",
        "leave-missing-group-id",
        "leave-by-get",
    }


def test_a_pattern_matching_nothing_is_an_error() -> None:
    with pytest.raises(ScenarioError, match="no scenario matches 'leave-okk'"):
        scenarios.select(scenarios.builtin(), ["leave-okk"])


def test_no_check_says_only_what_is_absent() -> None:
    # payload_lacks alone also holds for an empty or missing list: every expectation that
    # uses it says what must be there as well (a count, named members, or at least one).
    for scenario in scenarios.builtin():
        expects = [scenario.expect, *(check.expect for check in scenario.checks)]
        for expect in expects:
            for fields in (expect.fields, *(alt.fields for alt in expect.any_of)):
                if "payload_lacks" in fields:
                    assert "payload_contains" in fields or "payload" in fields, scenario.id


def test_the_new_auth_scenarios_cover_every_signing_path() -> None:
    found = {s.id: s for s in scenarios.builtin()}
    paths = {
        "oauth-future-timestamp": ("future", "header"),
        "oauth-future-timestamp-form": ("future", "form"),
        "oauth-replayed-nonce": ("replay", "header"),
        "oauth-replayed-nonce-form": ("replay", "form"),
        "revoked-token": ("revoked", "header"),
        "revoked-token-form": ("revoked", "form"),
        "revoked-token-legacy": ("revoked_legacy", "header"),
        "oauth-parameters-twice": ("delete", "both"),
    }
    for scenario_id, (auth, place) in paths.items():
        call = found[scenario_id].call
        assert (call.auth, call.oauth_in) == (auth, place), scenario_id
        # The header placement runs on every pair: XML-RPC members and SOAP children.
        expected = ("rest",) if place != "header" else ("rest", "xmlrpc", "soap")
        assert found[scenario_id].transports == expected, scenario_id
    replay = found["oauth-replayed-nonce"]
    assert replay.checks[0].call.auth == "replay"
    assert replay.checks[0].expect.fields["code"] == 96
