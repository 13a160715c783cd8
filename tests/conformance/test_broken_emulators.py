"""The conformance suite catches broken servers: each test breaks the in-process emulator
in one realistic way (a verifier check dropped, a method that does nothing) and runs every
built-in scenario over every pair against it. The run must fail, in the scenarios written
for that behaviour; the unbroken emulator passes them all."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from flickrwire.conformance import scenarios
from flickrwire.conformance.runner import Runner, all_pairs
from flickrwire.conformance.targets import EmbeddedTarget
from flickrwire.emulator import catalog, methods, verify
from flickrwire.emulator.app import Emulator

Breakage = Callable[[pytest.MonkeyPatch], None]


@pytest.fixture(scope="module")
def target() -> Iterator[EmbeddedTarget]:
    embedded = EmbeddedTarget()
    yield embedded
    embedded.close()


def failing_scenarios(target: EmbeddedTarget, tags: tuple[str, ...]) -> set[str]:
    """The scenarios that fail when those carrying ``tags`` run over every pair (a subset
    of the suite, to keep the test short: the catchers carry these tags)."""
    chosen = scenarios.select(scenarios.builtin(), tags=tags)
    with Runner(target) as runner:
        result = runner.run(chosen, all_pairs())
    assert not result.bailed
    failed = {run.scenario.id for run in result.scenarios if run.status in ("failed", "error")}
    assert result.ok is not failed
    return failed


def _handler(name: str, handler: Callable[..., Any], patch: pytest.MonkeyPatch) -> None:
    spec = dataclasses.replace(methods.METHODS[name], handler=handler)
    patch.setitem(methods.METHODS, name, spec)
    # The emulator remembers what it knows of each method: give the broken one a fresh
    # memory, dropped with the patch.
    patch.setattr(catalog, "info", functools.lru_cache(maxsize=1024)(catalog.info.__wrapped__))


def leave_does_nothing_and_lists_nobody(patch: pytest.MonkeyPatch) -> None:
    """A leave that answers ok and changes nothing, and a member list that is an empty
    page: every check that only says who must be absent passes on it."""
    _handler("flickr.groups.leave", lambda tx, who, args: {}, patch)
    empty = {"page": 1, "pages": 0, "perpage": 100, "total": 0, "member": []}
    _handler("flickr.groups.members.getList", lambda tx, who, args: {"members": empty}, patch)


def future_timestamps_accepted(patch: pytest.MonkeyPatch) -> None:
    """The window checked one way only (a timestamp ahead of the clock passes)."""
    real = verify.check_oauth

    def lenient(*args: Any, now: float, window: int) -> verify.NonceClaim:
        stamp = args[1].get("oauth_timestamp", "")
        return real(*args, now=max(now, int(stamp)) if stamp.isdigit() else now, window=window)

    patch.setattr(verify, "check_oauth", lenient)


def duplicate_oauth_parameters_ignored(patch: pytest.MonkeyPatch) -> None:
    """An ``oauth_*`` parameter given twice: the last one wins instead of a refusal."""
    patch.setattr(
        verify, "oauth_fields", lambda auth: {k: v for k, v in auth.params if k[:6] == "oauth_"}
    )


class _Unrevoking:
    """A token look-up that forgets revocations."""

    def __init__(self, lookup: verify.Lookup) -> None:
        self.lookup = lookup

    def api_secret(self, key: str) -> str | None:
        return self.lookup.api_secret(key)

    def token(self, token: str) -> Any:
        row = self.lookup.token(token)
        return None if row is None else dataclasses.replace(row, revoked=False)


def revoked_token_accepted_with_api_sig(patch: pytest.MonkeyPatch) -> None:
    real = verify._legacy
    patch.setattr(verify, "_legacy", lambda lookup, auth: real(_Unrevoking(lookup), auth))


def revoked_token_accepted_with_oauth(patch: pytest.MonkeyPatch) -> None:
    real = verify._oauth
    patch.setattr(
        verify, "_oauth", lambda lookup, auth, **kw: real(_Unrevoking(lookup), auth, **kw)
    )


def nonces_never_claimed(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(Emulator, "claim", lambda self, tx, claim, now: None)


def oauth_in_a_form_body_not_read(patch: pytest.MonkeyPatch) -> None:
    """OAuth parameters read from the header only, as if no client put them in the form."""
    real = verify.collect

    def header_only(request: httpx.Request, read: Any, call: Any = None) -> verify.AuthInput:
        auth = real(request, read, call)
        if "authorization" not in request.headers:
            auth.params = [(n, v) for n, v in auth.params if not n.startswith("oauth_")]
        return auth

    patch.setattr(verify, "collect", header_only)


LEAVE = ("leave", "retry")
AUTH = ("auth",)
#: Each breakage, the tags of the scenarios run against it, and those that must fail.
BREAKAGES: list[tuple[Breakage, tuple[str, ...], set[str]]] = [
    (
        leave_does_nothing_and_lists_nobody,
        LEAVE,
        {"leave-ok", "leave-legacy-signature", "injected-105-retried", "injected-106-retried"},
    ),
    (future_timestamps_accepted, AUTH, {"oauth-future-timestamp", "oauth-future-timestamp-form"}),
    (duplicate_oauth_parameters_ignored, AUTH, {"oauth-parameters-twice"}),
    (revoked_token_accepted_with_api_sig, AUTH, {"revoked-token-legacy"}),
    (revoked_token_accepted_with_oauth, AUTH, {"revoked-token", "revoked-token-form"}),
    (nonces_never_claimed, AUTH, {"oauth-replayed-nonce", "oauth-replayed-nonce-form"}),
    (oauth_in_a_form_body_not_read, AUTH, {"oauth-replayed-nonce-form", "revoked-token-form"}),
]
IDS = [breakage.__name__ for breakage, _, _ in BREAKAGES]


def test_the_unbroken_emulator_passes_those_scenarios(target: EmbeddedTarget) -> None:
    assert failing_scenarios(target, LEAVE + AUTH) == set()


@pytest.mark.parametrize(("breakage", "tags", "catchers"), BREAKAGES, ids=IDS)
def test_a_broken_emulator_is_caught(
    target: EmbeddedTarget,
    monkeypatch: pytest.MonkeyPatch,
    breakage: Breakage,
    tags: tuple[str, ...],
    catchers: set[str],
) -> None:
    breakage(monkeypatch)
    failed = failing_scenarios(target, tags)
    assert catchers <= failed, f"not caught by {sorted(catchers - failed)}"
