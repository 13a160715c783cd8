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
from collections.abc import Callable, Iterable
from typing import Any

from ..call import list_paths
from ..result import Fault, Result
from . import BodyError, Outcome, apply_list_hints, apply_method_hints, shown

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


_INF = float("inf")
_decoder = strict_decoder(duplicates=False)
_naming_decoder = strict_decoder()
_Scan = Callable[[str, int], tuple[Any, int]]
_scan: _Scan = _decoder.scan_once  # type: ignore[attr-defined]
_naming_scan: _Scan = _naming_decoder.scan_once  # type: ignore[attr-defined]
# After the object: whitespace, and the odd trailing comma or semicolon that hand-made
# and proxied bodies carry (see fixture json-fail-code201-service-not-available-trailing-comma).
_TAIL = frozenset(" \t\r\n,;")


def looks_like_json(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith("{") or _CALLBACK.match(stripped) is not None


def load(text: str) -> dict[str, Any]:
    """The JSON object in ``text``, unwrapping a JSONP callback; raises :class:`BodyError`."""
    body = text.strip()
    match = None if body.startswith("{") else _CALLBACK.match(body)
    if match is not None:
        body = body[match.end() :].rstrip().rstrip(";").rstrip()
        if not body.endswith(")"):
            raise BodyError(f"JSONP body from {shown(match.group(1))}( is not closed")
        body = body[:-1].strip()
    small = len(body) <= _SMALL_BODY  # pragma: no mutate (which of two exact checks: speed)
    try:
        # The scanner itself, as JSONDecoder.raw_decode calls it (one Python frame less).
        obj, end = (_naming_scan if small else _scan)(body, 0)
    except StopIteration as exc:
        error = json.JSONDecodeError("Expecting value", body, exc.value)
        raise BodyError(f"body is not valid JSON: {error}") from None
    except StrictJSONError as exc:
        raise BodyError(f"JSON body refused: {exc}") from exc
    except ValueError as exc:
        raise BodyError(f"body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise BodyError("JSON body is nested too deeply") from exc
    if end != len(body) and not set(body[end:]) <= _TAIL:
        raise BodyError("body has trailing data after the JSON value")
    if type(obj) is not dict:
        raise BodyError("JSON body is not an object")
    if not small:
        _check_shape(body, obj)
    elif body.count("{") + body.count("[") > MAX_DEPTH:
        _check_depth(obj)
    return obj


# -- the shape checks: nesting depth and duplicate keys ----------------------------------
#
# Both are read off the parsed value, checked against counts taken from the text by C-speed
# passes over its bytes, so that the common body costs no Python call per value:
#
# * Every key/value pair written in the text has exactly one colon outside strings (JSON
#   has no other colon there), and every pair that survives the parse is one entry of one
#   dict. A duplicate key in any object, at any depth, however escaped, makes the entries
#   fewer than the colons outside strings; otherwise they are equal.
# * Every container in the value is one "{" or "[" outside strings in the text. A walk of
#   the value that visits only containers, level by level, stops once it has found as many
#   containers as the text holds: the dicts' entries and the depth are then exact.
#
# The colons and brackets in the whole text bound those outside strings from above. When
# strings hold brackets, the walk visits every value; when the entries fall short of the
# colons (strings hold colons, or a key is duplicated), the colons outside strings are
# counted exactly, with the strings cut out of the text; when the entries still fall
# short, the checking decoder parses again to name the duplicated key.

# Every byte but the opening brackets and the colon, for bytes.translate to delete.
_NOT_OPENERS = bytes(set(range(256)) - set(b"{[:"))
# Every byte but the colon and the double quote.
_NOT_MARKS = bytes(set(range(256)) - set(b':"'))
_chain = itertools.chain.from_iterable
_repeat = itertools.repeat


#: Up to this many characters, the checking decoder's call per object costs less than the
#: fixed cost of the checks below (measured with bench/bench_strict_json.py).
_SMALL_BODY = 640  # pragma: no mutate (which of two exact checks: speed only)


def _check_depth(obj: dict[str, Any]) -> None:
    if _walk(obj, 0)[1] > MAX_DEPTH:
        raise BodyError(f"JSON body is nested deeper than {MAX_DEPTH} levels")


def _check_shape(body: str, obj: dict[str, Any]) -> None:
    """Refuse ``obj`` (parsed from ``body``) when it is nested deeper than ``MAX_DEPTH`` or
    any of its objects gave a key twice (RFC 8259 section 4: readers disagree on which
    duplicate wins; a ``stat`` given twice, "fail" then "ok", must not read as a success
    here and a failure elsewhere)."""
    data = body.encode("utf-8", "surrogatepass")
    openers = data.translate(None, _NOT_OPENERS)
    colons = openers.count(b":")
    entries, depth = _walk(obj, len(openers) - colons)
    if depth > MAX_DEPTH:
        raise BodyError(f"JSON body is nested deeper than {MAX_DEPTH} levels")
    # A colon in "://" (a URL) is in a string: after a colon outside strings comes a value,
    # which no "/" starts. Any other colon in a string needs the exact count.
    if (
        entries != colons
        and entries != colons - data.count(b"://")
        and entries != _colons_outside(data)
    ):
        _name_duplicate(body)


def _walk(obj: dict[str, Any], containers: int) -> tuple[int, int]:
    """The entries of every dict in ``obj`` and its depth (up to ``MAX_DEPTH`` + 1).

    Only containers are visited, level by level, and the walk stops once it has found
    ``containers`` of them: when that is how many the text holds, none is left unseen.
    When the text's count is too high (brackets in strings), every value gets visited."""
    dicts: list[Any] = [obj]
    lists: list[Any] = []
    found = depth = 1
    held = entries = len(obj)
    while found != containers and depth <= MAX_DEPTH:
        inner_dicts: list[Any] = []
        inner_lists: list[Any] = []
        if held > _FEW_VALUES:  # pragma: no mutate (which of two exact pickers: speed only)
            _pick(list(_chain(map(dict.values, dicts))), inner_dicts, inner_lists)
        else:
            _pick_few(dicts, inner_dicts, inner_lists)
        for items in lists:
            if len(items) > _FEW_VALUES:  # pragma: no mutate (two exact pickers: speed only)
                _pick(items, inner_dicts, inner_lists)
            else:
                _pick_few((items,), inner_dicts, inner_lists)
        if not inner_dicts and not inner_lists:
            break
        found += len(inner_dicts) + len(inner_lists)
        depth += 1
        held = sum(map(len, inner_dicts))
        entries += held
        dicts, lists = inner_dicts, inner_lists
    return entries, depth


#: Up to this many values, a Python loop picks out the containers faster than the
#: C-speed passes of ``_pick``, which cost more to set up.
_FEW_VALUES = 16  # pragma: no mutate (which of two exact pickers: speed only)


def _pick_few(nodes: Iterable[Any], dicts: list[Any], lists: list[Any]) -> None:
    """Append the dicts and the lists among the values of ``nodes`` (dicts or lists) to
    ``dicts`` and ``lists``: one Python loop, no iterator set up per level."""
    for node in nodes:
        for value in node.values() if type(node) is dict else node:
            kind = type(value)
            if kind is dict:
                dicts.append(value)
            elif kind is list:
                lists.append(value)


def _pick(values: list[Any], dicts: list[Any], lists: list[Any]) -> None:
    """The same, by passes that make no Python call per value."""
    kinds = list(map(type, values))
    in_dicts = kinds.count(dict)
    if in_dicts == len(values):
        dicts += values
        return
    in_lists = kinds.count(list)
    if in_lists == len(values):
        lists += values
        return
    if (in_dicts + in_lists) * 8 <= len(values):  # pragma: no mutate (two exact ways: speed)
        # Few containers among many scalars (a photo's one description among its ten
        # fields): finding each by list.index costs less than two more passes.
        _take(values, kinds, dict, in_dicts, dicts)
        _take(values, kinds, list, in_lists, lists)
        return
    if in_dicts:
        dicts += itertools.compress(values, map(operator.is_, kinds, _repeat(dict)))
    if in_lists:
        lists += itertools.compress(values, map(operator.is_, kinds, _repeat(list)))


def _take(values: list[Any], kinds: list[type], kind: type, count: int, out: list[Any]) -> None:
    """Append to ``out`` the ``count`` values whose type is ``kind``."""
    at = -1
    for _ in range(count):
        at = kinds.index(kind, at + 1)
        out.append(values[at])


def _colons_outside(data: bytes) -> int:
    """How many colons of a JSON text lie outside its strings."""
    if b"\\" in data:
        # Escapes occur only inside strings. Dropping escaped backslashes first (a run of
        # them pairs up from its start) leaves a backslash before '"' only when it escapes it.
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = data.translate(None, _NOT_MARKS)
    # When the quotes all come in adjacent pairs, no string holds a colon (the first quote
    # must pair with the next, and so on).
    if marks.count(b'"') != 2 * marks.count(b'""'):  # pragma: no mutate (a shortcut: speed)
        # Dropping two adjacent quotes keeps the parity of every other quote, so whether a
        # colon lies in a string is unchanged; then every other piece between quotes is in
        # a string, starting with the second.
        marks = b"".join(marks.replace(b'""', b"").split(b'"')[::2])
    return marks.count(b":")


def _name_duplicate(body: str) -> None:
    """Raise the refusal of a body whose objects hold fewer entries than it wrote pairs:
    the checking decoder (one Python call per object) finds and names the key."""
    try:
        _naming_decoder.raw_decode(body)
    except StrictJSONError as exc:
        raise BodyError(f"JSON body refused: {exc}") from exc
    raise BodyError("JSON body refused: a key is given twice in one object")


def read(obj: dict[str, Any], method: str) -> Outcome:
    """A Flickr JSON object (``{"stat": ...}``) as payload and fault; a success's object
    becomes its payload (``stat`` removed, list hints applied in place)."""
    stat = obj.get("stat")
    if stat == "ok":
        # The object is taken apart rather than copied: it becomes the payload, less stat.
        del obj["stat"]
        paths = list_paths(method)
        return (apply_list_hints(obj, paths) if paths else obj), None
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
    """``read(load(text), method)``, a success read here (one call less for each answer)."""
    obj = load(text)
    if obj.get("stat") == "ok":
        del obj["stat"]
        return apply_method_hints(obj, method), None
    return read(obj, method)


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
