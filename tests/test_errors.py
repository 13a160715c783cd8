"""``raise_for_fault()`` and the exception tree: code table, branches, pickling, chaining;
``Result`` and ``Fault`` equality and pickling."""

from __future__ import annotations

import pickle

import httpx
import pytest

from flickrwire import (
    APIError,
    AuthError,
    BadURL,
    DecodeError,
    Fault,
    FlickrwireError,
    FormatNotFound,
    HTTPStatusError,
    InsufficientPermissions,
    InvalidAPIKey,
    InvalidAuthToken,
    InvalidSignature,
    InvalidSOAPEnvelope,
    InvalidXMLRPCCall,
    MethodNotFound,
    MissingSignature,
    NetworkError,
    ProtocolError,
    Result,
    ServiceUnavailable,
    SSLRequired,
    TransportError,
    WriteFailed,
)
from flickrwire.result import failure, success

METHOD = "flickr.groups.leave"


def failed(fault: Fault, status: int | None = 200) -> Result:
    return failure(METHOD, fault, transport="soap", codec="xml", status=status, raw=b"<x/>")


def test_raise_for_fault_returns_the_result_itself_when_ok() -> None:
    result = success(METHOD, {}, transport="rest", codec="json", status=200, raw=b"{}")
    assert result.raise_for_fault() is result
    assert result.code is None


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (0, ServiceUnavailable),
        (95, SSLRequired),
        (96, InvalidSignature),
        (97, MissingSignature),
        (98, InvalidAuthToken),
        (99, InsufficientPermissions),
        (100, InvalidAPIKey),
        (105, ServiceUnavailable),
        (106, WriteFailed),
        (111, FormatNotFound),
        (112, MethodNotFound),
        (114, InvalidSOAPEnvelope),
        (115, InvalidXMLRPCCall),
        (116, BadURL),
        (201, ServiceUnavailable),
        (212, MethodNotFound),
        (1, APIError),
        (2, APIError),
        (3, APIError),
    ],
)
def test_flickr_codes_map_to_their_classes(code: int, cls: type[APIError]) -> None:
    fault = Fault.from_code(code, "verbatim message")
    result = failed(fault)
    with pytest.raises(APIError) as info:
        result.raise_for_fault()
    assert type(info.value) is cls
    assert isinstance(info.value, FlickrwireError)
    assert not isinstance(info.value, (TransportError, DecodeError))
    assert info.value.code == code
    assert info.value.fault is fault
    assert info.value.result is result
    assert str(info.value) == f"{code}: verbatim message"


@pytest.mark.parametrize(
    ("code", "branch"),
    [
        (96, AuthError),
        (97, AuthError),
        (98, AuthError),
        (99, AuthError),
        (100, AuthError),
        (111, ProtocolError),
        (112, ProtocolError),
        (114, ProtocolError),
        (115, ProtocolError),
        (212, ProtocolError),
    ],
)
def test_credential_and_form_codes_share_a_branch(code: int, branch: type[APIError]) -> None:
    with pytest.raises(branch):
        failed(Fault.from_code(code, "m")).raise_for_fault()


@pytest.mark.parametrize(
    ("code", "origin", "retryable"),
    [
        (0, "api", True),
        (1, "api", False),
        (2, "api", False),
        (3, "api", False),
        (95, "protocol", False),
        (96, "auth", False),
        (97, "auth", False),
        (98, "auth", False),
        (99, "auth", False),
        (100, "auth", False),
        (105, "api", True),
        (106, "api", True),
        (111, "protocol", False),
        (112, "protocol", False),
        (114, "protocol", False),
        (115, "protocol", False),
        (116, "api", False),
        (201, "api", True),
        (212, "protocol", False),
    ],
)
def test_fault_from_code_picks_origin_and_retryable(
    code: int, origin: str, retryable: bool
) -> None:
    assert Fault.from_code(code, "m") == Fault(code, "m", origin, retryable)


@pytest.mark.parametrize(
    ("origin", "cls", "branch"),
    [
        ("network", NetworkError, TransportError),
        ("http", HTTPStatusError, TransportError),
        ("decode", DecodeError, FlickrwireError),
    ],
)
def test_origins_without_a_flickr_code_map_to_branches(
    origin: str, cls: type[FlickrwireError], branch: type[FlickrwireError]
) -> None:
    fault = Fault(None, "what happened", origin, origin != "decode")
    with pytest.raises(cls) as info:
        failed(fault, None).raise_for_fault()
    assert type(info.value) is cls
    assert isinstance(info.value, branch)
    assert not isinstance(info.value, APIError)
    assert info.value.code is None
    assert str(info.value) == "what happened"


def test_an_auth_fault_without_a_code_is_an_auth_error() -> None:
    # A 401 oauth_problem we have no code for (decoding.OAUTH_PROBLEM_CODES).
    with pytest.raises(AuthError) as info:
        failed(Fault(None, "oauth_problem=new_kind", "auth", False), 401).raise_for_fault()
    assert type(info.value) is AuthError


def test_an_unknown_method_code_is_a_plain_api_error() -> None:
    with pytest.raises(APIError) as info:
        failed(Fault.from_code(5, "User deleted")).raise_for_fault()
    assert type(info.value) is APIError
    assert info.value.code == 5


def test_network_error_is_chained_to_its_cause() -> None:
    cause = httpx.ConnectError("connection refused")
    fault = Fault(None, "could not connect", "network", True, cause)
    with pytest.raises(NetworkError) as info:
        failed(fault, None).raise_for_fault()
    assert info.value.__cause__ is cause


def test_a_fault_without_cause_chains_nothing() -> None:
    with pytest.raises(InvalidSignature) as info:
        failed(Fault.from_code(96, "Invalid signature")).raise_for_fault()
    assert info.value.__cause__ is None


# -- pickling --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault.from_code(98, "Invalid auth token"),
        Fault.from_code(3, "Account is not in that group"),
        Fault(None, "timed out (ReadTimeout)", "network", True, httpx.ReadTimeout("slow")),
        Fault(None, "not XML", "decode", False, ValueError("bad byte")),
        Fault(None, "HTTP 502: Bad Gateway", "http", True),
    ],
)
def test_exceptions_survive_a_pickle_round_trip(fault: Fault) -> None:
    result = failed(fault, 200 if fault.code else None)
    with pytest.raises(FlickrwireError) as info:
        result.raise_for_fault()
    original = info.value
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is type(original)
    assert str(copy) == str(original)
    assert copy.message == original.message
    assert copy.args == original.args
    assert copy.code == original.code
    assert copy.fault == fault
    assert copy.result == result
    assert copy.fault is not None and copy.fault.cause is None


def test_fault_pickles_without_its_cause() -> None:
    fault = Fault(None, "connection broken", "network", True, httpx.ReadError("reset"))
    copy = pickle.loads(pickle.dumps(fault))
    assert copy == fault
    assert copy.cause is None
    assert (copy.code, copy.message, copy.origin, copy.retryable) == (
        None,
        "connection broken",
        "network",
        True,
    )


def test_result_pickles_with_every_field() -> None:
    result = success(
        "flickr.groups.members.getList",
        {"members": {"page": "1", "member": [{"nsid": "1@N01"}]}},
        transport="xmlrpc",
        codec="xml",
        status=200,
        raw=b"<methodResponse/>",
    )
    copy = pickle.loads(pickle.dumps(result))
    assert copy == result
    assert copy.raw == b"<methodResponse/>"
    assert copy.payload == result.payload
    failed_result = failed(Fault.from_code(2, "Group does not exist"))
    assert pickle.loads(pickle.dumps(failed_result)) == failed_result


# -- equality ---------------------------------------------------------------------------


def test_result_equality_ignores_raw() -> None:
    first = success(METHOD, {}, transport="rest", codec="json", status=200, raw=b'{"stat":"ok"}')
    second = success(METHOD, {}, transport="rest", codec="json", status=200, raw=b'{"stat": "ok"}')
    assert first == second
    other_status = success(METHOD, {}, transport="rest", codec="json", status=201, raw=b"")
    assert first != other_status
    assert "raw" not in repr(first)


def test_fault_equality_ignores_cause() -> None:
    one = Fault(None, "refused", "network", True, httpx.ConnectError("a"))
    two = Fault(None, "refused", "network", True, httpx.ConnectError("b"))
    assert one == two
    assert one != Fault(None, "refused", "network", False)
    assert "cause" not in repr(one)


def test_result_and_fault_are_frozen() -> None:
    result = failed(Fault.from_code(1, "Required arguments missing"))
    with pytest.raises(AttributeError):
        result.ok = True  # type: ignore[misc]
    assert result.fault is not None
    with pytest.raises(AttributeError):
        result.fault.code = 2  # type: ignore[misc]
