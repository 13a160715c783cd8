"""Matching outcomes against expectations, and filling in placeholders."""

from __future__ import annotations

from typing import Any

import pytest

from flickrwire.conformance.expect import Context, Unavailable, failures, filled
from flickrwire.conformance.model import Expect
from flickrwire.conformance.scenarios import parse

MEMBERS: dict[str, Any] = {
    "members": {
        "total": "2",
        "member": [
            {"nsid": "1@N01", "membertype": "4", "username": "alice"},
            {"nsid": "2@N01", "membertype": "2", "username": "bob"},
        ],
    }
}


def observed(**fields: Any) -> dict[str, Any]:
    base = {
        "method": "flickr.groups.members.getList",
        "ok": True,
        "payload": MEMBERS,
        "code": None,
        "origin": None,
        "retryable": None,
        "retries": 0,
        "requests": 1,
    }
    base.update(fields)
    return base


def test_plain_fields_compare_exactly() -> None:
    assert failures(Expect({"ok": True, "code": None}), observed()) == []
    assert failures(Expect({"code": 3}), observed(code=96)) == ["code: expected 3, got 96"]
    # ok=1 is not ok=true: booleans and numbers are told apart.
    assert failures(Expect({"retries": 0}), observed(retries=False)) != []


def test_numbers_in_payload_expectations_compare_as_strings() -> None:
    expect = Expect({"payload_contains": {"members": {"total": 2}}})
    assert failures(expect, observed()) == []


def test_contains_is_a_deep_subset_and_order_free() -> None:
    expect = Expect({"payload_contains": {"members": {"member": [{"nsid": "2@N01"}]}}})
    assert failures(expect, observed()) == []
    missing = Expect({"payload_contains": {"members": {"member": [{"nsid": "3@N01"}]}}})
    assert failures(missing, observed()) == [
        'payload_contains: members.member[]: no item matches {"nsid": "3@N01"}'
    ]
    absent = Expect({"payload_contains": {"photos": {}}})
    assert failures(absent, observed()) == ["payload_contains: photos is missing"]


def test_lacks_fails_where_contains_would_pass() -> None:
    lacks = Expect({"payload_lacks": {"members": {"member": [{"nsid": "3@N01"}]}}})
    assert failures(lacks, observed()) == []
    present = Expect({"payload_lacks": {"members": {"member": [{"username": "bob"}]}}})
    assert failures(present, observed())[0].startswith("payload_lacks: the payload has")


def test_payload_must_equal() -> None:
    assert failures(Expect({"payload": {}}), observed(payload={})) == []
    found = failures(Expect({"payload": {}}), observed())
    assert found == ["payload: members is not expected (got " + found[0].split("(got ")[1]]


def test_any_of_needs_one_alternative() -> None:
    expect = Expect({"ok": False}, (Expect({"code": 112}), Expect({"code": 212})))
    assert failures(expect, observed(ok=False, code=212)) == []
    found = failures(expect, observed(ok=False, code=1))
    assert found == [
        "none of the alternatives holds: code: expected 112, got 1 | code: expected 212, got 1"
    ]


def test_requests_without_a_log_fail_with_the_reason() -> None:
    found = failures(Expect({"requests": 3}), observed(requests=None))
    assert found == ["requests: the server's request log is not available"]


def test_placeholders_are_filled_from_the_target() -> None:
    context = Context(
        group="G@N01", me=lambda user: {"bob": "2@N01"}.get(user), nsids={"dave": "4@N01"}
    )
    expect = Expect({"payload_contains": {"a": ["{group}", "{me}", "{nsid:dave}", "x{me}y"]}})
    assert filled(expect, context, "bob").fields == {
        "payload_contains": {"a": ["G@N01", "2@N01", "4@N01", "x2@N01y"]}
    }


def test_an_unfillable_placeholder_says_what_is_missing() -> None:
    scenario = parse(
        [
            {
                "id": "s",
                "call": {"method": "flickr.groups.leave", "params": {"group_id": "{group}"}},
                "expect": {"ok": True},
            }
        ],
        "f",
    )[0]
    with pytest.raises(Unavailable, match=r"needs a group id \(--group-id\)"):
        Context().check(scenario)
    Context(group="G").check(scenario)
