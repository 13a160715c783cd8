"""Flickr's JSON payload format: ``format=json`` with ``nojsoncallback=1``, and JSONP
(``jsonFlickrApi(...)`` or a custom ``jsoncallback``).

A JSON answer is the whole response body whatever the request protocol: Flickr's
response format is chosen by ``format`` independently of the request format.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..call import list_paths
from ..result import Fault, Result
from . import BodyError, Outcome, apply_list_hints

NAME = "json"
CONTENT_TYPE = "application/json"
JSONP_CONTENT_TYPE = "text/javascript"
DEFAULT_CALLBACK = "jsonFlickrApi"
#: The deepest nesting a JSON answer may have.
MAX_DEPTH = 200

_CALLBACK = re.compile(r"^\s*([A-Za-z_$][\w$.]*)\s*\(")
_decoder = json.JSONDecoder()
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
            raise BodyError(f"JSONP body from {match.group(1)}( is not closed")
        body = body[:-1]
    try:
        obj, end = _decoder.raw_decode(body.strip())
    except ValueError as exc:
        raise BodyError(f"body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise BodyError("JSON body is nested too deeply") from exc
    if not set(body.strip()[end:]) <= _TAIL:
        raise BodyError("body has trailing data after the JSON value")
    if not isinstance(obj, dict):
        raise BodyError("JSON body is not an object")
    if body.count("{") + body.count("[") > MAX_DEPTH:
        _check_depth(obj)
    return obj


def _check_depth(obj: Any) -> None:
    """Refuse values nested deeper than XML answers can be (libxml2 stops at 256 levels),
    so that nothing downstream recurses out of stack on them."""
    # A level is an object or array (the answer object is level 1), so that a body with at
    # most MAX_DEPTH of them, which read() lets through unchecked, is never too deep.
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BodyError(f"JSON body is nested deeper than {MAX_DEPTH} levels")
        items = value.values() if isinstance(value, dict) else value
        stack.extend((item, depth + 1) for item in items if isinstance(item, (dict, list)))


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
            raise BodyError(f"error code {raw_code!r} is not a number") from exc
        message = obj.get("message")
        return {}, Fault.from_code(code, "" if message is None else str(message).strip())
    raise BodyError(f"JSON body with unknown stat {stat!r}")


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
