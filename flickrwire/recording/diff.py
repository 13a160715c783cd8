"""Compare two fixture sets at the level of normalised results.

Fixtures pair up by their call identity (the decoded Flickr method and params, with
credentials, signing plumbing and the format that the codec implies left out; recording
names fixtures by it too), their transport and codec, and the order in which a set holds the
same call (a call repeated with another outcome is a second occurrence). Each row says
``same``, ``changed``, ``only_a`` or ``only_b``. ``across="transport"`` (or ``"codec"``)
drops that part of the pairing so one row holds the call over every transport (codec)
of both sets, and the row is ``changed`` when any two of them disagree: protocol research,
also within one set (``compare(a, a, across="transport")``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import httpx

from .. import transports
from ..call import Call
from ..result import Result
from .redact import redact_payload, redact_text
from .replay import Fixture, ignored_param

FORMAT = "flickrwire-diff/1"
STATUSES = ("same", "changed", "only_a", "only_b")
ACROSS = ("transport", "codec")

#: A call as pairing (and naming) sees it: the method and its params, plumbing left out.
CallIdentity = tuple[str, tuple[tuple[str, str], ...]]
Key = tuple[CallIdentity, str, str, int]


def call_params(params: Mapping[str, str], transport: str, codec: str) -> dict[str, str]:
    """A call's own params: credentials, signing, and the ``format`` and ``nojsoncallback``
    that the transport and codec imply left out (an odd ``format`` such as ``xxx`` stays)."""
    out = {k: v for k, v in params.items() if not ignored_param(k)}
    if out.get("format") == transports.response_format(transport, codec):
        del out["format"]
    if codec == "json" and out.get("nojsoncallback") == "1":
        del out["nojsoncallback"]
    return out


def identity(method: str, params: Mapping[str, str]) -> CallIdentity:
    return method, tuple(sorted(params.items()))


def parse_call(request: httpx.Request, transport: str) -> Call | None:
    try:
        return transports.get(transport).parse_request(request)
    except ValueError:
        return None


def natural(text: str) -> list[Any]:
    """Sort key that puts ``x-2`` before ``x-10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def recorded_order(fixture: Fixture) -> tuple[str, int, str]:
    """Sort key for the fixtures of one call: ``case``, ``case-2``, ``case-3``, ... (the
    names recording gives a call's first, second and third answer)."""
    case, _, pair = fixture.name.partition("@")
    base, dash, number = case.rpartition("-")
    if dash and number.isdigit():
        return base, int(number), pair
    return case, 1, pair


def outcome(result: Result) -> str:
    """A short label: ``ok``, ``E<code>``, the HTTP status, or the fault's origin."""
    fault = result.fault
    if fault is None:
        return "ok"
    if fault.code is not None:
        return f"E{fault.code}"
    if fault.origin == "http" and result.http_status is not None:
        return str(result.http_status)
    return fault.origin


@dataclass(frozen=True, slots=True)
class Side:
    """One fixture's outcome in a row (secrets redacted)."""

    fixture: str
    pair: str
    outcome: str
    result: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Row:
    call: str
    pair: str  # "rest/json"; "*/json" across transports; "rest/*" across codecs
    occurrence: int
    status: str
    fields: tuple[str, ...]  # the result fields that differ
    a: tuple[Side, ...]
    b: tuple[Side, ...]


@dataclass(frozen=True, slots=True)
class Diff:
    rows: tuple[Row, ...]
    across: str | None = None
    strict: bool = False

    @property
    def differs(self) -> bool:
        return any(row.status != "same" for row in self.rows)

    def counts(self) -> dict[str, int]:
        return {status: sum(r.status == status for r in self.rows) for status in STATUSES}

    def to_json(self, a: str = "A", b: str = "B") -> dict[str, Any]:
        """The report: stable keys, documented in ``fixtures/README.md``."""
        return {
            "format": FORMAT,
            "a": a,
            "b": b,
            "across": self.across,
            "strict": self.strict,
            "summary": self.counts(),
            "rows": [asdict(row) for row in self.rows],
        }


def call_key(fixture: Fixture) -> CallIdentity:
    """The call a fixture answers, for pairing; a fixture with neither call nor readable
    request pairs by its case name."""
    if fixture.call is not None:
        params = call_params(fixture.call.params, fixture.transport, fixture.codec)
        return identity(fixture.call.method, params)
    if fixture.request is not None:
        parsed = parse_call(fixture.request.as_httpx(), fixture.transport)
        if parsed is not None:
            params = call_params(parsed.params, fixture.transport, fixture.codec)
            return identity(parsed.method, params)
    return identity(f"<{fixture.case}>", {})


def _keyed(fixtures: Iterable[Fixture], across: str | None) -> dict[Key, list[Fixture]]:
    """Fixtures by (call, transport, codec, occurrence), ``*`` for the dimension across."""
    seen: dict[tuple[CallIdentity, str, str], int] = {}
    out: dict[Key, list[Fixture]] = {}
    for fixture in sorted(fixtures, key=recorded_order):
        full = (call_key(fixture), fixture.transport, fixture.codec)
        seen[full] = seen.get(full, 0) + 1
        transport = "*" if across == "transport" else fixture.transport
        codec = "*" if across == "codec" else fixture.codec
        out.setdefault((full[0], transport, codec, seen[full]), []).append(fixture)
    return out


def _view(fixture: Fixture, strict: bool) -> tuple[Result, dict[str, Any]]:
    result = fixture.decode()
    view = result.expected_view() if strict else result.normalised()
    view["payload"] = redact_payload(view["payload"])
    if view.get("message") is not None:
        view["message"] = redact_text(view["message"])
    return result, view


def _sides(fixtures: Sequence[Fixture], strict: bool) -> tuple[Side, ...]:
    sides = []
    for fixture in fixtures:
        result, view = _view(fixture, strict)
        sides.append(Side(fixture.name, fixture.pair, outcome(result), view))
    return tuple(sides)


def _differing(sides: Sequence[Side]) -> tuple[str, ...]:
    if not sides:
        return ()
    keys = list(sides[0].result)
    return tuple(k for k in keys if len({repr(s.result.get(k)) for s in sides}) > 1)


def describe_call(call: CallIdentity) -> str:
    method, params = call
    return f"{method}({', '.join(f'{k}={redact_text(v)}' for k, v in params)})"


def compare(
    a: Iterable[Fixture], b: Iterable[Fixture], *, across: str | None = None, strict: bool = False
) -> Diff:
    """Pair ``a`` and ``b`` and say, row by row, whether their outcomes agree."""
    if across is not None and across not in ACROSS:
        raise ValueError(f"across must be one of {ACROSS}, not {across!r}")
    left, right = _keyed(a, across), _keyed(b, across)
    rows = []
    for key in sorted(left.keys() | right.keys(), key=lambda k: (natural(repr(k[0])), k[1:])):
        call, transport, codec, occurrence = key
        side_a = _sides(left.get(key, []), strict)
        side_b = _sides(right.get(key, []), strict)
        fields = _differing([*side_a, *side_b])
        if fields:  # across a dimension, one set alone can disagree with itself
            status = "changed"
        else:
            status = "only_a" if not side_b else "only_b" if not side_a else "same"
        pair = f"{transport}/{codec}"
        rows.append(Row(describe_call(call), pair, occurrence, status, fields, side_a, side_b))
    return Diff(tuple(rows), across, strict)
