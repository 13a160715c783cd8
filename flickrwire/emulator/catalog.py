"""What the emulator knows about each Flickr method before running it: the permission it
needs, whether it must come by POST, its required arguments, its own errors and its
documented example response. One adapter over the package's method catalogue, so the
checks in ``app.py`` never read catalogue fields themselves.

``flickr.reflection.getMethods`` and ``getMethodInfo`` are answered here, from the
catalogue, in the shape of Flickr's own output (shared sample
json-ok-reflection-getMethodInfo-groups.leave.json). The catalogue leaves out ``api_key``
and the global errors (95..116), which Flickr lists for every method; ``api_key`` is put
back as the first argument, as Flickr lists it.

Methods the emulator implements (``methods.METHODS``) are served even when the catalogue
lacks them, with the permission and POST rule they were registered with; a method the
catalogue has keeps the catalogue's permission, and needs POST when either says so.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .. import catalogue
from ..codecs import xml as xmlcodec
from . import methods, semantics
from .methods import Payload, method
from .store import PERM_LEVELS, Tx
from .verify import Failure, Principal

#: Flickr's live wording for a missing argument (shared sample
#: rest-xml-fail-code1-required-parameter-missing.xml, flickr.galleries.getListForPhoto).
MISSING_ARGUMENT = (1, "Required parameter missing")
#: Registered by importing it: methods with semantics beyond ``methods.py``.
SEMANTICS = semantics.__name__
#: Arguments every method lists that the credential checks handle.
_CREDENTIALS = frozenset({"api_key", "auth_token", "api_sig"})


@dataclass(frozen=True, slots=True)
class MethodInfo:
    """One method as the emulator's checks see it."""

    name: str
    perms: int
    post: bool
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    errors: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    #: The documented example response as an XML fragment, None when there is none.
    example: str | None = None
    description: str = ""
    needslogin: bool = False
    needssigning: bool = False
    #: ``(name, required, description)`` for each documented argument
    arguments: tuple[tuple[str, bool, str], ...] = ()
    handler: methods.Method | None = None

    @property
    def missing_argument(self) -> tuple[int, str]:
        """The error for a missing required argument: the method's own error that says
        so (groups.leave: 1 "Required arguments missing"), else Flickr's live 1."""
        for code, message in sorted(self.errors.items()):
            if code >= 95:  # Flickr's global errors (97 "Missing signature")
                break
            lowered = message.lower()
            if "required" in lowered or "missing" in lowered:
                return code, message
        return MISSING_ARGUMENT

    def example_payload(self) -> dict[str, Any]:
        """The example response in Flickr's JSON shape (``{}`` for an empty one). Some
        documented examples are whole ``<rsp>`` documents: their content is the payload."""
        payload = xmlcodec.fragment_payload(_without_prolog(self.example or ""), self.name)
        inner = payload.get("rsp")
        if len(payload) == 1 and isinstance(inner, dict):
            return {k: v for k, v in inner.items() if k != "stat"}
        return payload


def _without_prolog(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith("<?xml"):
        return stripped.partition("?>")[2]
    return text


def _from_catalogue(entry: catalogue.Method, handler: methods.Method | None) -> MethodInfo:
    return MethodInfo(
        name=entry.name,
        perms=PERM_LEVELS.get(entry.perms, 0),
        post=entry.post_required or (handler is not None and handler.post_only),
        required=tuple(a for a in entry.required if a not in _CREDENTIALS),
        optional=entry.optional,
        errors=MappingProxyType({e.code: e.message for e in entry.errors}),
        example=entry.example,
        description=entry.description,
        needslogin=bool(entry.needs_login),
        needssigning=bool(entry.needs_signing),
        arguments=tuple((a.name, a.required, a.description) for a in entry.arguments),
        handler=handler,
    )


def _from_handler(handler: methods.Method) -> MethodInfo:
    return MethodInfo(
        name=handler.name,
        perms=handler.perms,
        post=handler.post_only,
        needslogin=handler.perms > 0,
        handler=handler,
    )


@functools.lru_cache(maxsize=1024)
def info(name: str) -> MethodInfo | None:
    """The method called ``name``, or None when Flickr has no such method."""
    handler = methods.METHODS.get(name)
    entry = catalogue.lookup(name)
    if entry is not None:
        return _from_catalogue(entry, handler)
    if handler is not None:
        return _from_handler(handler)
    return None


def names() -> list[str]:
    """Every method the emulator answers, sorted."""
    return sorted(set(catalogue.names()) | set(methods.METHODS))


# -- flickr.reflection.* ------------------------------------------------------------

METHOD_NOT_FOUND = (1, "Method not found")
API_KEY_ARGUMENT = {
    "name": "api_key",
    "optional": 0,
    "_content": "Your API application key.",
}


@method("flickr.reflection.getMethods")
def reflection_get_methods(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    """Every method the emulator answers (the catalogue's, and its own)."""
    return {"methods": {"method": [{"_content": name} for name in names()]}}


@method("flickr.reflection.getMethodInfo")
def reflection_get_method_info(tx: Tx, who: Principal, args: Mapping[str, str]) -> Payload:
    name = args.get("method_name", "").strip()
    spec = info(name) if name else None
    if spec is None:
        raise Failure(*METHOD_NOT_FOUND)
    described: Payload = {
        "name": spec.name,
        "needslogin": int(spec.needslogin),
        "needssigning": int(spec.needssigning),
        "requiredperms": spec.perms,
        "description": {"_content": spec.description},
    }
    if spec.example:
        described["response"] = {"_content": spec.example}
    arguments = [API_KEY_ARGUMENT] + [
        {"name": arg, "optional": int(not required), "_content": text}
        for arg, required, text in spec.arguments
    ]
    entry = catalogue.lookup(spec.name)
    errors = [
        {"code": error.code, "message": error.message, "_content": error.description}
        for error in (entry.errors if entry is not None else ())
    ]
    return {
        "method": described,
        "arguments": {"argument": arguments},
        "errors": {"error": errors},
    }
