"""The checks Flickr makes between knowing who called and doing a method's own work, and
the choice of what answers: a stub, the emulator's own semantics, or the method's
documented example response.

Order (``docs/emulator-methods.md``): the caller's permission (99), POST for a method that
needs it (116 with Flickr's setter wording), the required arguments (1, or the method's own
"missing" error), blocked URLs (116); then a matching stub, then the method's semantics,
then its documented example response, and for a method with none of these one emulator
error, :data:`NOT_EMULATED`, that names the method and how to stub it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import GLOBAL_ERRORS
from . import methods
from .catalog import MethodInfo
from .store import PERM_NAMES, Tx
from .stubs import Error, Raw, StubSet
from .verify import Failure, Principal

#: Flickr users have met this for a setter sent with GET (issue 3; the wording is theirs).
SETTER_NEEDS_POST = "The POST method is now required for all setters"
#: The emulator's own error for a method it can neither run nor answer from an example or
#: a stub. Flickr uses no code 900; the message says what to do.
NOT_EMULATED = 900

Answer = dict[str, Any] | Failure | Raw


def admit(
    spec: MethodInfo,
    who: Principal,
    args: Mapping[str, str],
    http_method: str,
    blocked: tuple[str, ...] = (),
) -> None:
    """Raise the first :class:`Failure` Flickr would give before running the method."""
    if spec.perms > who.perms:
        # Live wording (shared sample rest-xml-fail-code99-...-none-granted.xml).
        raise Failure(
            99,
            f"Insufficient permissions. Method requires {PERM_NAMES[spec.perms]}"
            f" privileges; {PERM_NAMES[who.perms]} granted.",
        )
    if spec.post and http_method != "POST":
        raise Failure(116, SETTER_NEEDS_POST)
    for name in spec.required:
        # checkToken's oauth_token is the OAuth parameter the call was signed with.
        sent = who.token if name == "oauth_token" else args.get(name, "").strip()
        if not sent:
            raise Failure(*spec.missing_argument)
    if blocked:
        for value in args.values():
            lowered = value.lower()
            if any(url in lowered for url in blocked):
                raise Failure(116, "Bad URL found")


def not_emulated(method: str) -> Failure:
    return Failure(
        NOT_EMULATED,
        f"flickrwire emulator: {method} has no documented example response and no stub;"
        ' add one: POST /_admin/stubs {"method": "' + method + '", "payload": {...}}'
        ' or a "stubs" list in the seed file (docs/emulator-methods.md)',
    )


def error_message(spec: MethodInfo, code: int) -> str:
    """The message for an error given by code alone: the method's, then Flickr's."""
    text = spec.errors.get(code) or GLOBAL_ERRORS.get(code)
    if text is None:
        return f"Error {code}"
    return text.replace('"xxx"', f'"{spec.name}"')


def run(
    spec: MethodInfo,
    tx: Tx,
    who: Principal,
    args: Mapping[str, str],
    transport: str,
    stubs: StubSet,
) -> Answer:
    """The answer once every check has passed; a Flickr error comes back as a value."""
    stub = stubs.find(spec.name, transport, args)
    if stub is not None:
        outcome = stub.outcome()
        if isinstance(outcome, Error):
            return Failure(outcome.code, outcome.message or error_message(spec, outcome.code))
        return outcome
    if spec.handler is not None:
        return methods.run(spec.handler, tx, who, args)
    if spec.example is not None:
        return spec.example_payload()
    return not_emulated(spec.name)
