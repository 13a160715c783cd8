"""The one result type: every outcome of a Flickr call is a :class:`Result`."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import errors

Payload = Mapping[str, Any]

ORIGINS = ("api", "protocol", "auth", "http", "network", "decode")

_EMPTY: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Fault:
    """Why a call did not succeed.

    ``code`` is Flickr's error code when the server gave one; ``message`` is kept verbatim
    (unescaped and trimmed). ``cause`` holds the low-level exception, if any, so that
    ``raise_for_fault()`` can chain it; it takes no part in comparisons or pickles.
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
    """What a Flickr call came to, the same shape for every transport and codec."""

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


def success(
    method: str, payload: Payload, *, transport: str, codec: str, status: int | None, raw: bytes
) -> Result:
    return Result(method, True, payload or _EMPTY, None, transport, codec, status, raw)


def failure(
    method: str, fault: Fault, *, transport: str, codec: str, status: int | None, raw: bytes
) -> Result:
    return Result(method, False, _EMPTY, fault, transport, codec, status, raw)


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
