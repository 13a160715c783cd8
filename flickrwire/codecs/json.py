"""Flickr's JSON payload format: ``format=json`` with ``nojsoncallback=1``, and JSONP
(``jsonFlickrApi(...)`` or a custom ``jsoncallback``).

A JSON answer is the whole response body whatever the request protocol: Flickr's
response format is chosen by ``format`` independently of the request format.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from typing import Any

from ..call import list_paths
from ..result import Fault, Result
from . import BodyError, Outcome, apply_list_hints, shown

NAME = "json"
CONTENT_TYPE = "application/json"
JSONP_CONTENT_TYPE = "text/javascript"
DEFAULT_CALLBACK = "jsonFlickrApi"
#: The deepest nesting a JSON answer may have.
MAX_DEPTH = 200

_CALLBACK = re.compile(r"^\s*([A-Za-z_$][\w$.]*)\s*\(")


class StrictJSONError(ValueError):
    """JSON that Python's reader takes but RFC 8259 or a careful reader does not."""


def _constant(name: str) -> Any:
    # NaN, Infinity and -Infinity are not JSON (RFC 8259 section 6); Python reads them.
    raise StrictJSONError(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if value in (_INF, -_INF):  # 1e999: out of range, read as infinity otherwise
        raise StrictJSONError(f"number {text[:40]} is out of range")
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        # Readers disagree on which duplicate wins (RFC 8259 section 4): a "stat" given
        # twice, "fail" then "ok", must not read as a success here and a failure elsewhere.
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                break
            seen.add(name)
        raise StrictJSONError(f"duplicate key {shown(name)}")
    return obj


def strict_decoder(*, duplicates: bool = True) -> json.JSONDecoder:
    """``json.JSONDecoder`` refusing NaN/Infinity, numbers out of range and, unless
    ``duplicates`` is false, duplicate keys in any object."""
    hook = _object if duplicates else None
    return json.JSONDecoder(parse_constant=_constant, parse_float=_float, object_pairs_hook=hook)


def _may_repeat_outcome_keys(text: str) -> bool:
    """Whether a body might give ``stat``, ``code`` or ``message`` twice in one object.

    Checking every object for duplicates (``object_pairs_hook``) makes the JSON parse 1.6x
    slower on a members page, so it runs only when these cheap scans say a key that decides
    the outcome may repeat: the name appears twice, or a backslash-u escape could spell it.
    """
    return (
        "\\u" in text
        or text.count('"stat"') > 1
        or text.count('"code"') > 1
        or text.count('"message"') > 1
    )


_INF = float("inf")
_decoder = strict_decoder(duplicates=False)
_checking_decoder = strict_decoder()
# After the object: whitespace, and the odd trailing comma or semicolon that hand-made
# and proxied bodies carry (see fixture json-fail-code201-service-not-available-trailing-comma).
_TAIL = frozenset(" \t\r\n,;")


def looks_like_json(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith("{") or _CALLBACK.match(stripped) is not None


def load(text: str) -> dict[str, Any]:
    """The JSON object in ``text``, unwrapping a JSONP callback; raises :class:`BodyError`."""
    body = text.strip()
    match = _CALLBACK.match(body)
    if match is not None:
        body = body[match.end() :].rstrip().rstrip(";").rstrip()
        if not body.endswith(")"):
            raise BodyError(f"JSONP body from {shown(match.group(1))}( is not closed")
        body = body[:-1]
    try:
        decoder = _checking_decoder if _may_repeat_outcome_keys(body) else _decoder
        obj, end = decoder.raw_decode(body.strip())
    except StrictJSONError as exc:
        raise BodyError(f"JSON body refused: {exc}") from exc
    except ValueError as exc:
        raise BodyError(f"body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise BodyError("JSON body is nested too deeply") from exc
    if not set(body.strip()[end:]) <= _TAIL:
        raise BodyError("body has trailing data after the JSON value")
    if not isinstance(obj, dict):
        raise BodyError("JSON body is not an object")
    _check_depth(body)
    return obj


# Every byte but the brackets and the double quote, for bytes.translate to delete.
_NOT_MARKS = bytes(set(range(256)) - set(b'{}[]"'))
# A string that still holds brackets once everything else is gone: '"', then no '"', then '"'.
_STRING_MARKS = re.compile(rb'"[^"]*"')
# Opening brackets become 2, closing ones 0: the running sum after i marks is i + depth.
_STEP = bytes.maketrans(b"{[}]", b"\x02\x02\x00\x00")
# How many times a cheap pass may strip the innermost empty containers before the exact scan.
_PASSES = 8


def _check_depth(body: str) -> None:
    """Refuse values nested deeper than XML answers can be (libxml2 stops at 256 levels),
    so that nothing downstream recurses out of stack on them.

    ``body`` has already parsed as JSON, so its brackets outside strings balance. Every step
    is a C-speed pass over bytes, no Python loop per character or per value: the brackets
    and quotes are picked out; their count bounds the depth; only when it passes the
    limit are the strings dropped and the depth measured."""
    data = body.encode("utf-8", "surrogatepass")
    if b"\\" in data:
        # Escapes occur only inside strings. Dropping escaped backslashes first (a run of
        # them pairs up from its start) leaves a backslash before '"' only when it escapes it.
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = data.translate(None, _NOT_MARKS)
    if marks.count(b"{") + marks.count(b"[") <= MAX_DEPTH:
        return
    if _depth(_brackets(marks)) > MAX_DEPTH:
        raise BodyError(f"JSON body is nested deeper than {MAX_DEPTH} levels")


def _brackets(marks: bytes) -> bytes:
    """The brackets outside strings, from the brackets and quotes of a JSON text."""
    quotes = marks.count(b'"')
    # When the quotes all come in adjacent pairs, no string holds a bracket (the first
    # quote must pair with the next, and so on): the quotes can simply go.
    if quotes != 2 * marks.count(b'""'):
        # Dropping two adjacent quotes keeps the parity of every other quote, so whether a
        # bracket lies in a string is unchanged; what remains are strings holding brackets.
        marks = _STRING_MARKS.sub(b"", marks.replace(b'""', b""))
    return marks.translate(None, b'"')


def _depth(brackets: bytes) -> int:
    """The deepest nesting of a balanced bracket sequence, or an upper bound of it that is
    at most ``MAX_DEPTH`` (enough to accept the body)."""
    reduced, passes = brackets, 0
    # Removing every adjacent "{}" (then "[]") drops innermost empty containers: one level
    # at most per replace, so the depth is at most ``passes`` plus the openings left.
    while passes < _PASSES:
        bound = passes + reduced.count(b"{") + reduced.count(b"[")
        if bound <= MAX_DEPTH:
            return bound
        reduced = reduced.replace(b"{}", b"").replace(b"[]", b"")
        passes += 2
    steps = itertools.accumulate(brackets.translate(_STEP))
    return max(map(operator.sub, steps, itertools.count(1)), default=0)


def read(obj: dict[str, Any], method: str) -> Outcome:
    """A Flickr JSON object (``{"stat": ...}``) as payload and fault."""
    stat = obj.get("stat")
    if stat == "ok":
        payload = {k: v for k, v in obj.items() if k != "stat"}
        paths = list_paths(method)
        return (apply_list_hints(payload, paths) if paths else payload), None
    if stat == "fail":
        raw_code = obj.get("code")
        try:
            # "code" is usually a number, sometimes a string (Flickr's 2013 outage mail).
            code = int(str(raw_code).strip())
        except ValueError as exc:
            raise BodyError(f"error code {shown(raw_code)} is not a number") from exc
        message = obj.get("message")
        return {}, Fault.from_code(code, "" if message is None else str(message).strip())
    raise BodyError(f"JSON body with unknown stat {shown(stat)}")


def decode(text: str, method: str) -> Outcome:
    return read(load(text), method)


def encode(result: Result, callback: str | None = None) -> bytes:
    """A result as Flickr's JSON; wrapped in ``callback(...)`` for JSONP."""
    if result.fault is None:
        obj: dict[str, Any] = dict(result.payload)
        obj["stat"] = "ok"
    else:
        code = result.fault.code if result.fault.code is not None else 0
        obj = {"stat": "fail", "code": code, "message": result.fault.message}
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    if callback:
        text = f"{callback}({text})"
    return text.encode("utf-8")
