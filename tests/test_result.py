"""The one result type as users read it: the views ``normalised()`` and
``expected_view()`` give (every key, by value), the six origins, immutability."""

from __future__ import annotations

import dataclasses

import pytest

from flickrwire import Fault, Result
from flickrwire.result import ORIGINS, failure, success


def test_the_six_origins_are_the_documented_ones() -> None:
    assert ORIGINS == ("api", "protocol", "auth", "http", "network", "decode")


def test_normalised_of_a_success_has_every_key() -> None:
    result = success(
        "flickr.test.echo", {"a": {"n": 1}}, transport="soap", codec="xml", status=200, raw=b"x"
    )
    assert result.normalised() == {
        "method": "flickr.test.echo",
        "ok": True,
        "payload": {"a": {"n": "1"}},
        "code": None,
        "origin": None,
        "retryable": None,
    }
    assert result.expected_view() == {
        **result.normalised(),
        "message": None,
        "http_status": 200,
    }


def test_normalised_of_a_fault_has_every_key() -> None:
    fault = Fault(105, "Service currently unavailable", "api", True)
    result = failure("flickr.groups.leave", fault, transport="rest", codec="json", status=200,
                     raw=b"")  # fmt: skip
    assert result.normalised() == {
        "method": "flickr.groups.leave",
        "ok": False,
        "payload": {},
        "code": 105,
        "origin": "api",
        "retryable": True,
    }
    assert result.expected_view() == {
        "method": "flickr.groups.leave",
        "ok": False,
        "payload": {},
        "code": 105,
        "origin": "api",
        "retryable": True,
        "message": "Service currently unavailable",
        "http_status": 200,
    }


def test_results_and_faults_cannot_be_changed() -> None:
    fault = Fault(3, "Account is not in that group", "api", False)
    result = failure("m", fault, transport="rest", codec="xml", status=200, raw=b"")
    with pytest.raises(dataclasses.FrozenInstanceError):
        fault.code = 4  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.ok = True  # type: ignore[misc]


def test_raw_and_cause_take_no_part_in_equality_or_repr() -> None:
    one = Result("m", True, {}, None, "rest", "json", 200, b"raw-body-7f3")
    other = Result("m", True, {}, None, "rest", "json", 200, b"other")
    assert one == other and "raw-body-7f3" not in repr(one)
    fault = Fault(None, "timed out", "network", True, TimeoutError("secret detail"))
    assert fault == Fault(None, "timed out", "network", True)
    assert "secret detail" not in repr(fault)
