"""The one result type: every outcome of a Flickr call is a :class:`Result`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Union, cast

from . import errors

Payload = Mapping[str, Any]

ORIGINS = ("api", "protocol", "auth", "http", "network", "decode")

_EMPTY: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Fault:
    """Why a call did not succeed.

    ``code``: Flickr's error code when the server gave one (``1``, ``3``, ``96``, ``105``,
    ...), None for HTTP, network and decode failures. ``message``: kept verbatim
    (unescaped and trimmed). ``origin``: ``"api"``, ``"protocol"``, ``"auth"``,
    ``"http"``, ``"network"`` or ``"decode"``. ``retryable``: whether trying again may help
    (105, 106, 201, 0, HTTP 429 and 5xx, timeouts, connections never made).

    ``cause``: the low-level exception behind the fault, when there was one (the
    ``httpx.ConnectError`` of a refused connection, the parser error of a body that could
    not be read), else None. ``raise_for_fault()`` chains it (``raise ... from cause``);
    it is left out of ``repr``, comparisons and pickles (a pickled fault has none).
    """

    code: int | None
    message: str
    origin: str
    retryable: bool
    cause: BaseException | None = field(default=None, repr=False, compare=False)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Fault, (self.code, self.message, self.origin, self.retryable))

    @classmethod
    def from_code(cls, code: int, message: str) -> Fault:
        """A fault for a Flickr error code, origin and retryability from the code table."""
        return cls(code, message, errors.origin_for_code(code), code in errors.RETRYABLE_CODES)


@dataclass(frozen=True, slots=True)
class Result:
    """What a Flickr call came to, the same shape for every transport and codec.

    ``fault`` is None exactly when ``ok``. What ``Client.call`` and ``decode`` return is
    typed as a :data:`TypedResult`, so that a type checker narrows on either test::

        if result.ok:            # or: if not result.fault:
            use(result.payload)
        else:
            print(result.fault.code)   # a Fault here, not Fault | None
    """

    method: str
    ok: bool
    payload: Payload
    fault: Fault | None
    transport: str
    codec: str
    http_status: int | None
    raw: bytes = field(default=b"", repr=False, compare=False)

    @property
    def code(self) -> int | None:
        return self.fault.code if self.fault is not None else None

    def raise_for_fault(self) -> Result:
        """Return ``self`` when ok; raise the typed exception for the fault otherwise."""
        fault = self.fault
        if fault is None:
            return self
        cls = errors.exception_class(fault)
        text = fault.message if fault.code is None else f"{fault.code}: {fault.message}"
        raise cls(text, fault, self) from fault.cause

    def normalised(self) -> dict[str, Any]:
        """The transport- and codec-independent view used to compare results."""
        return {
            "method": self.method,
            "ok": self.ok,
            "payload": _stringify(self.payload),
            "code": self.code,
            "origin": self.fault.origin if self.fault else None,
            "retryable": self.fault.retryable if self.fault else None,
        }

    def expected_view(self) -> dict[str, Any]:
        """What a fixture records as the expected outcome of decoding."""
        view = self.normalised()
        view["message"] = self.fault.message if self.fault else None
        view["http_status"] = self.http_status
        return view

    def __reduce__(self) -> tuple[Any, ...]:
        fields = tuple(getattr(self, f.name) for f in dataclasses.fields(self))
        return (Result, fields)


if TYPE_CHECKING:
    # Views of Result for type checkers only: no instance of them exists (every result is
    # a plain Result, equal to one built by hand). ``ok`` as a literal tells mypy which
    # of the two a result is, and so whether ``fault`` is set.

    class OkResult(Result):
        ok: Literal[True]
        fault: None

    class FailedResult(Result):
        ok: Literal[False]
        fault: Fault


#: A Result as type checkers see what calls return: ``if result.ok:`` (and ``else:``)
#: and ``if result.fault:`` narrow it. At run time it is a plain :class:`Result`.
TypedResult = Union["OkResult", "FailedResult"]  # a Union: the two names exist only for mypy


def typed(result: Result) -> TypedResult:
    """``result``, typed as a :data:`TypedResult` (``fault`` is None exactly when ``ok``)."""
    return cast("TypedResult", result)


# A Result filled in without its __init__: a frozen dataclass's __init__ goes through
# object.__setattr__ once per field, which costs decoding a small answer about as much as
# reading it. The fields are stored into an instance of _Unfrozen (Result's very slots,
# without the frozen __setattr__: plain slot stores, the cheapest Python has), which then
# becomes a Result by __class__ assignment (allowed: same slots, same layout). The result
# is the object Result(...) builds, frozen like it (tests compare the two field by field).
_new = object.__new__


class _Unfrozen:
    __slots__ = Result.__slots__


def success(
    method: str, payload: Payload, *, transport: str, codec: str, status: int | None, raw: bytes
) -> OkResult:
    return cast("OkResult", outcome_result(method, payload, None, transport, codec, status, raw))


def failure(
    method: str, fault: Fault, *, transport: str, codec: str, status: int | None, raw: bytes
) -> FailedResult:
    made = outcome_result(method, _EMPTY, fault, transport, codec, status, raw)
    return cast("FailedResult", made)


def outcome_result(
    method: str,
    payload: Payload,
    fault: Fault | None,
    transport: str,
    codec: str,
    status: int | None,
    raw: bytes,
) -> TypedResult:
    """``success`` when ``fault`` is None, else ``failure`` (positional: every decode ends
    here). A failure carries no payload."""
    result: Any = _new(_Unfrozen)
    ok = fault is None
    result.method = method
    result.ok = ok
    result.payload = (payload or _EMPTY) if ok else _EMPTY
    result.fault = fault
    result.transport = transport
    result.codec = codec
    result.http_status = status
    result.raw = raw
    result.__class__ = Result
    return result  # type: ignore[no-any-return]


def _stringify(value: Any) -> Any:
    """Flickr's JSON mixes ``"1"`` and ``1``; XML has only strings: compare as strings."""
    if isinstance(value, Mapping):
        return {k: _stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return str(value)
    return value
