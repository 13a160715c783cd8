"""The direct path of ``decode`` for the usual JSON answer (status 200, plain ASCII bytes
starting with ``{``) gives exactly the Result of the general path, refusals included; and
results built by ``success``, ``failure`` and ``outcome_result`` are those ``Result(...)``
builds."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest

from flickrwire import decoding
from flickrwire.codecs import apply_list_hints
from flickrwire.result import Fault, Result, failure, outcome_result, success

MEMBERS = "flickr.groups.members.getList"
PAGE = (
    b'{"members":{"page":"1","pages":"1","perpage":"1","total":"1","member":'
    b'{"nsid":"1@N00","username":"a","membertype":"2"}},"stat":"ok"}'
)
DEEP = b'{"a":' + b"[" * 201 + b"]" * 201 + b',"stat":"ok"}'

# Bodies the direct path takes: every way a JSON answer can be refused, and successes.
EDGES = [
    PAGE,
    b'{"stat":"ok"}',
    b'{"stat":"ok"} ,;\r\n',
    b'{"stat":"ok","photos":{"photo":[]}}',
    b'{"stat":"fail","code":3,"message":" Account not in group "}',
    b'{"stat":"fail","code":"105","message":"Service currently unavailable"}',
    b'{"stat":"fail","code":"x","message":"m"}',
    b'{"stat":"maybe"}',
    b'{"code":1}',
    b'{"stat":"fail","stat":"ok"}',
    b'{"a":{"b":1,"b":2},"stat":"ok"}',
    b'{"stat":"ok","a":NaN}',
    b'{"stat":"ok","a":-Infinity}',
    b'{"stat":"ok","a":1e999}',
    b'{"stat":"ok","a":1.5}',
    b'{"stat":"ok"} trailing',
    b'{"stat":"ok"}{"stat":"ok"}',
    b'{"stat":"ok"',
    b"{",
    b"{}",
    b'{"stat":"ok","u":"\\ud800"}',
    b'{"stat":"ok","a":"x\\u0000y"}',
    DEEP,
    b'{"stat":"ok","big":"' + b"x" * 700 + b'","k":{"k":1,"k":2}}',
    b'{"stat":"ok","url":"https://a/b","n":{"x":1}}' + b" " * 700,
]


def general(body: bytes, method: str = MEMBERS, status: int = 200) -> Result:
    """The Result of the general path for ``body``, as ``decode`` builds it."""
    payload, fault = decoding._general(body, status, None, method, decoding.MAX_BODY_BYTES)
    return outcome_result(method, payload, fault, "rest", "json", status, body)


def same(one: Result, other: Result) -> None:
    assert one == other
    assert type(one) is type(other) is Result
    assert one.raw == other.raw
    assert one.expected_view() == other.expected_view()
    if one.fault is not None and other.fault is not None:
        assert type(one.fault.cause) is type(other.fault.cause)


@pytest.mark.parametrize("body", EDGES, ids=range(len(EDGES)))
@pytest.mark.parametrize("method", [MEMBERS, "flickr.test.echo", ""])
def test_the_direct_path_gives_the_general_paths_result(body: bytes, method: str) -> None:
    result = decoding.decode(body, transport="rest", codec="json", method=method)
    same(result, general(body, method))


def test_the_direct_path_reads_a_page_with_its_list_hint() -> None:
    result = decoding.decode(PAGE, transport="rest", codec="json", method=MEMBERS)
    assert result.ok and result.http_status == 200 and result.raw == PAGE
    assert result.payload["members"]["member"] == [
        {"nsid": "1@N00", "username": "a", "membertype": "2"}
    ]


def test_the_direct_path_keeps_the_refusals() -> None:
    def message(body: bytes) -> str:
        fault = decoding.decode(body, codec="json").fault
        assert fault is not None and fault.origin == "decode"
        return fault.message

    assert message(b'{"stat":"fail","stat":"ok"}') == "JSON body refused: duplicate key 'stat'"
    assert "nested deeper than 200" in message(DEEP)
    assert "NaN is not a JSON number" in message(b'{"stat":"ok","a":NaN}')
    assert message(b'{"stat":"ok"} x') == "body has trailing data after the JSON value"


def fail_general(*args: object) -> Any:
    raise AssertionError("the general path was taken")


@pytest.mark.parametrize("body", [b'{"stat":"ok"}', b'{"stat":"ok","a":NaN}', b"{"])
def test_the_usual_json_answer_never_takes_the_general_path(
    body: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = general(body)
    monkeypatch.setattr(decoding, "_general", fail_general)
    same(decoding.decode(body, codec="json", method=MEMBERS), expected)
    # A body of exactly the limit is not over it.
    limited = decoding.decode(body, codec="json", method=MEMBERS, max_bytes=len(body))
    same(limited, expected)


@pytest.mark.parametrize(
    ("body", "given"),
    [
        (b'{"stat":"ok"}', {"status": 201}),
        (b'{"stat":"ok"}', {"status": None}),
        (b'{"stat":"ok"}', {"status": 404}),
        (b'{"stat":"ok"}', {"max_bytes": 12}),
        (b' {"stat":"ok"}', {}),
        (b'{"stat":"ok","a":"\xc3\xa9"}', {}),
        (b'{"stat":"ok"}\x00', {}),
        (b"<rsp stat='ok'/>", {}),
    ],
)
def test_other_answers_take_the_general_path(
    body: bytes, given: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    status = given.get("status", 200)
    expected = decoding.decode(body, codec="json", method=MEMBERS, **given)
    taken: list[bytes] = []
    real = decoding._general

    def spy(data: bytes, *args: Any) -> Any:
        taken.append(data)
        return real(data, *args)

    monkeypatch.setattr(decoding, "_general", spy)
    same(decoding.decode(body, codec="json", method=MEMBERS, **given), expected)
    assert taken == [body]
    assert expected.http_status == status


def test_a_nul_under_a_wide_charset_is_read_with_that_charset() -> None:
    body = b'{"stat":"ok"}\x00'
    result = decoding.decode(
        body, codec="json", headers={"Content-Type": "application/json; charset=utf-16"}
    )
    # In UTF-16 these 14 bytes are 7 characters, none of them "{": the charset counted.
    assert result.fault is not None and result.fault.message == "body is neither XML nor JSON"
    ascii_read = decoding.decode(body, codec="json")
    assert ascii_read.fault is not None
    assert ascii_read.fault.message == "body has trailing data after the JSON value"


def test_bytearray_and_memoryview_take_the_direct_path_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = general(PAGE)
    monkeypatch.setattr(decoding, "_general", fail_general)
    for body in (bytearray(PAGE), memoryview(PAGE)):
        result = decoding.decode(body, codec="json", method=MEMBERS)
        same(result, expected)
        assert type(result.raw) is bytes


# -- results built without the dataclass's __init__ --------------------------------------

FAULT = Fault(3, "Account not in group", "api", False)


def by_init(method: str, payload: Mapping[str, Any], fault: Fault | None) -> Result:
    return Result(method, fault is None, payload, fault, "soap", "xml", 207, b"raw")


@pytest.mark.parametrize(
    ("payload", "fault"),
    [({"a": [1]}, None), ({}, None), ({"a": 1}, FAULT), ({}, FAULT)],
)
def test_outcome_result_is_the_result_init_builds(
    payload: Mapping[str, Any], fault: Fault | None
) -> None:
    made = outcome_result("m", payload, fault, "soap", "xml", 207, b"raw")
    expected = by_init("m", payload if fault is None else {}, fault)
    for name in (f.name for f in dataclasses.fields(Result)):
        assert getattr(made, name) == getattr(expected, name), name
    assert made == expected and type(made) is Result
    assert made.ok is (fault is None)
    if fault is not None:
        assert made.payload == {}  # a failed result never carries a payload
    assert pickle.loads(pickle.dumps(made)) == made
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.ok = not made.ok  # type: ignore[misc]


def test_success_and_failure_are_the_results_init_builds() -> None:
    ok = success("m", {"a": 1}, transport="soap", codec="xml", status=207, raw=b"raw")
    failed = failure("m", FAULT, transport="soap", codec="xml", status=207, raw=b"raw")
    for made, expected in ((ok, by_init("m", {"a": 1}, None)), (failed, by_init("m", {}, FAULT))):
        assert repr(made) == repr(expected)
        assert made.raw == expected.raw == b"raw"
        assert made.http_status == 207 and made.transport == "soap" and made.codec == "xml"
    assert ok.ok and ok.fault is None and ok.payload == {"a": 1}
    assert not failed.ok and failed.fault is FAULT and failed.payload == {}


# -- the list hint that decode applies on every call ----------------------------------


def test_the_usual_list_hint_wraps_objects_and_leaves_lists_alone() -> None:
    one = {"nsid": "1"}
    many = [{"nsid": "1"}, {"nsid": "2"}]
    proxy = MappingProxyType({"nsid": "3"})
    for value, expected in ((one, [one]), (many, many), (proxy, [proxy]), ("x", "x")):
        payload: dict[str, Any] = {"members": {"member": value}}
        apply_list_hints(payload, ("members.member",))
        assert payload["members"]["member"] == expected
    kept: dict[str, Any] = {"members": {"member": many}}
    apply_list_hints(kept, ("members.member",))
    assert kept["members"]["member"] is many
    missing: dict[str, Any] = {"members": {"page": "1"}}
    apply_list_hints(missing, ("members.member",))
    assert missing["members"]["member"] == []


@pytest.mark.parametrize("error", [RecursionError, ValueError, UnicodeError])
def test_an_error_no_reader_expected_is_still_a_decode_fault_on_both_paths(
    error: type[Exception], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(text: str, method: str) -> Any:
        raise error("a reader's own error")

    monkeypatch.setattr(decoding.jsoncodec, "decode", failing)
    body = b'{"stat":"ok"}'
    result = decoding.decode(body, codec="json", method=MEMBERS)
    same(result, general(body))
    assert result.fault is not None and result.fault.origin == "decode"
    assert result.fault.message == f"unreadable body: {error.__name__}"
    assert type(result.fault.cause) is error


@pytest.mark.parametrize(
    "method",
    ["flickr.groups.members.getList", "flickr.reflection.getMethodInfo", "flickr.groups.leave"],
)
@pytest.mark.parametrize(
    "make",
    [
        lambda: {"members": {"member": {"nsid": "1"}}, "errors": {"error": {"code": "1"}}},
        lambda: {"members": {"member": [{"nsid": "1"}]}, "arguments": {}},
        lambda: {"members": [{"member": {"nsid": "1"}}, {"member": None}], "errors": "x"},
        lambda: {"members": {"page": "1"}, "arguments": {"argument": MappingProxyType({})}},
        lambda: {"members": None},
        lambda: {"members": {"member": "x"}, "errors": {"error": 5}},  # not objects: kept
        lambda: {},
    ],
)
def test_method_hints_are_the_list_hints_of_the_method(method: str, make: Any) -> None:
    from flickrwire.call import list_paths
    from flickrwire.codecs import apply_method_hints

    by_paths = apply_list_hints(make(), list_paths(method))
    assert apply_method_hints(make(), method) == by_paths
    assert repr(apply_method_hints(make(), method)) == repr(by_paths)  # the same types too
