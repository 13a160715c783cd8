"""The conformance scenario record: what a scenario is made of, and what it needs.

A scenario names its set-up, its call, the normalised outcome it expects and follow-up
checks made through the API itself. ``scenarios.py`` reads scenarios from JSON; the
format is documented in ``docs/conformance.md`` ("Scenario files").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..call import spec_for

TRANSPORTS = ("rest", "xmlrpc", "soap")
CODECS = ("json", "xml")
#: Who signs a call (see docs/conformance.md): a token of the acting user with that permission, or
#: credentials made wrong on purpose.
AUTH_KINDS = (
    "delete",
    "write",
    "read",
    "legacy",
    "key",
    "none",
    "unsigned",
    "tampered",
    "tampered_legacy",
    "unknown_token",
    "unknown_key",
    "revoked",
    "revoked_legacy",
    "future",
    "replay",
)
#: Where a REST call carries its OAuth parameters (XML-RPC and SOAP carry them in the
#: body whatever this says): the ``Authorization`` header, the form body, or both at once
#: (a client bug a server must refuse: RFC 5849 section 3.5 allows one place only).
OAUTH_PLACES = ("header", "form", "both")
#: Auth kinds that need a token only an emulator seed holds (a revoked one).
SEED_ONLY_AUTH = frozenset({"write", "read", "revoked", "revoked_legacy"})
#: What a target must offer for a scenario to run there.
REQUIREMENTS = ("emulator", "faults", "blocked-url", "writes")
ROLES = ("member", "moderator", "admin")
DEFAULT_USER = "bob"
EXPECT_KEYS = (
    "method",
    "ok",
    "code",
    "origin",
    "retryable",
    "payload",
    "payload_contains",
    "payload_lacks",
    "retries",
    "requests",
    "any_of",
)
#: ``{group}``, ``{me}``, ``{nsid:USERNAME}``: replaced by the target's values.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
KNOWN_PLACEHOLDER = re.compile(r"^(group|me|nsid:[\w.@-]+)$")


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class RawBody:
    """A request body sent as is (a broken SOAP envelope, a broken XML-RPC call)."""

    body: str
    content_type: str


@dataclass(frozen=True, slots=True)
class CallSpec:
    method: str
    params: Mapping[str, str] = field(default_factory=dict)
    auth: str = "delete"
    user: str = DEFAULT_USER
    http_method: str | None = None
    raw: RawBody | None = None
    oauth_in: str = "header"

    @property
    def verb(self) -> str:
        if self.http_method is not None:
            return self.http_method
        spec = spec_for(self.method)
        return spec.http_method if spec is not None else "POST"


@dataclass(frozen=True, slots=True)
class Expect:
    """Expected fields of ``Result.normalised()`` (and retries, requests); ``any_of``
    holds alternatives, one of which must hold as well."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    any_of: tuple[Expect, ...] = ()


@dataclass(frozen=True, slots=True)
class Check:
    title: str
    call: CallSpec
    expect: Expect


@dataclass(frozen=True, slots=True)
class Member:
    user: str
    role: str = "member"


@dataclass(frozen=True, slots=True)
class Setup:
    members: Mapping[str, tuple[Member, ...]] = field(default_factory=dict)
    pool: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    faults: tuple[Mapping[str, Any], ...] = ()
    seed: Mapping[str, Any] | None = None

    @property
    def changes_state(self) -> bool:
        return bool(self.members or self.pool or self.seed is not None)


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    call: CallSpec
    expect: Expect
    tags: tuple[str, ...] = ()
    transports: tuple[str, ...] = TRANSPORTS
    codecs: tuple[str, ...] = CODECS
    setup: Setup = field(default_factory=Setup)
    checks: tuple[Check, ...] = ()
    retry_attempts: int | None = None
    requires: frozenset[str] = frozenset()
    #: Dotted paths of the normalised result left out of the agreement between pairs
    #: (``payload.format``: flickr.test.echo echoes the format each pair asked for).
    ignore: tuple[str, ...] = ()
    source: str = "built-in"

    @property
    def calls(self) -> tuple[CallSpec, ...]:
        return (self.call, *(check.call for check in self.checks))

    def applies_to(self, transport: str, codec: str) -> bool:
        return transport in self.transports and codec in self.codecs


def _uses_nsid(value: Any) -> bool:
    if isinstance(value, str):
        return any(name.startswith("nsid:") for name in PLACEHOLDER.findall(value))
    if isinstance(value, Mapping):
        return any(_uses_nsid(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_uses_nsid(v) for v in value)
    return False


def _expects(expect: Expect) -> list[Mapping[str, Any]]:
    return [expect.fields, *(alt.fields for alt in expect.any_of)]


def _writes(call: CallSpec) -> bool:
    spec = spec_for(call.method)
    return spec is not None and spec.perms in ("write", "delete")


def derived_requirements(scenario: Scenario, writes: bool | None) -> frozenset[str]:
    """What the scenario needs beyond a server: derived from its set-up, credentials,
    placeholders and expectations (see ``docs/conformance.md``, "Requirements")."""
    needs = set(scenario.requires)
    setup = scenario.setup
    if setup.faults:
        needs.update(("faults", "emulator"))
    if setup.changes_state:
        needs.add("emulator")
    expects = [scenario.expect, *(check.expect for check in scenario.checks)]
    fields = [f for e in expects for f in _expects(e)]
    if any("requests" in f for f in fields):
        needs.add("emulator")
    for call in scenario.calls:
        if call.auth in SEED_ONLY_AUTH or _uses_nsid(dict(call.params)):
            needs.add("emulator")
    if any(_uses_nsid(dict(f)) for f in fields):
        needs.add("emulator")
    if writes if writes is not None else _writes(scenario.call):
        needs.add("writes")
    return frozenset(needs)
