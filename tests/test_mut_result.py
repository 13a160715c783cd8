"""``Result`` and ``Fault`` as many are held at once (a recording, a conformance report):
no per-instance dictionary; and ``typed`` gives back the very result it is handed."""

from __future__ import annotations

from flickrwire import Fault, Result
from flickrwire.result import failure, success, typed


def test_results_and_faults_carry_no_instance_dictionary() -> None:
    fault = Fault(105, "Service currently unavailable", "api", True)
    failed = failure("m", fault, transport="rest", codec="xml", status=200, raw=b"")
    ok = success("m", {"a": 1}, transport="soap", codec="json", status=200, raw=b"{}")
    for value in (fault, failed, ok):
        assert not hasattr(value, "__dict__"), type(value).__name__


def test_typed_gives_back_the_result_itself() -> None:
    fault = Fault(None, "timed out", "network", True)
    for result in (
        success("m", {}, transport="rest", codec="json", status=200, raw=b""),
        failure("m", fault, transport="rest", codec="json", status=None, raw=b""),
    ):
        assert typed(result) is result
    assert isinstance(typed(Result("m", True, {}, None, "rest", "json", 200)), Result)
