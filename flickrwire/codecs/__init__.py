"""Flickr's payload formats: JSON (and JSONP) and XML. Both share one payload shape."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..call import HINTS
from ..result import Fault, Payload

#: What a codec reads out of a body: the payload and, when the call failed, the fault.
Outcome = tuple[Payload, Fault | None]

CODECS = ("json", "xml")


class BodyError(ValueError):
    """A body could not be read as the format it looked like; becomes a decode fault."""


def shown(value: object, limit: int = 80) -> str:
    """``repr(value)`` for a message, cut short: a hostile body can make any part of
    itself megabytes long, and a fault message should stay one line."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "..."
    text = repr(value)
    return text if len(text) <= 2 * limit else text[:limit] + "..."


def apply_list_hints(payload: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """Wrap the objects found at each dotted path into one-item lists (in place).

    XML cannot tell a one-item list from an object; the method catalogue names the
    list-valued elements and this one function applies them for both codecs.
    """
    for path in paths:
        head, _, rest = path.partition(".")
        node = payload.get(head)
        if rest and "." not in rest and type(node) is dict:
            _wrap_key(node, rest)  # the usual hint, "photos.photo": no recursion
        else:
            _wrap(payload, path.split("."))
    return payload


def _split(path: str) -> tuple[str, str, str | None]:
    head, _, rest = path.partition(".")
    return path, head, rest if rest and "." not in rest else None


#: Each method's list paths, split once: (path, head, the rest when it is one name).
_SPLIT_HINTS = {
    method: tuple(map(_split, hints.list_paths))
    for method, hints in HINTS.items()
    if hints.list_paths
}


def apply_method_hints(payload: dict[str, Any], method: str) -> dict[str, Any]:
    """``apply_list_hints(payload, list_paths(method))``, in one call for the usual hint
    (every decode of a success asks)."""
    for path, head, key in _SPLIT_HINTS.get(method, ()):
        node = payload.get(head)
        if key is not None and type(node) is dict:
            value = node.get(key)
            if value is None:
                node[key] = []  # XML has no element for an empty list; JSON says []
            elif type(value) is not list and isinstance(value, Mapping):
                node[key] = [value]
        else:
            _wrap(payload, path.split("."))
    return payload


def _wrap_key(node: dict[str, Any], key: str) -> None:
    value = node.get(key)
    if value is None:
        node[key] = []  # XML has no element for an empty list; JSON says []
    elif type(value) is not list and isinstance(value, Mapping):  # a list: no ABC check
        node[key] = [value]


def _wrap(node: Any, parts: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _wrap(item, parts)
        return
    if not isinstance(node, dict):
        return
    if len(parts) == 1:
        value = node.get(parts[0])
        if value is None:
            node[parts[0]] = []  # XML has no element for an empty list; JSON says []
        elif isinstance(value, Mapping):
            node[parts[0]] = [value]
        return
    if parts[0] in node:
        _wrap(node[parts[0]], parts[1:])
