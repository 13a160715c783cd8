"""Who signs each call of a scenario, and the emulator seed a scenario runs on.

A scenario names an auth kind (``delete``, ``tampered``, ``unknown_key``, ...; see
``docs/conformance.md``) and the acting seed user; this module turns that into credentials, a
``Signer`` mode and any extra parameters, from the emulator's seed or from the user's
own credentials on another server. It also applies a scenario's set-up to a seed: who is
a member of which group in which order, which photos are in the pool, and the tokens the
scenario's calls need.
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..auth import Credentials, Signer, SigningMode
from ..auth.signing import authorization_header
from .expect import Context
from .model import CallSpec, Scenario, ScenarioError

#: A key, token and secrets no server has issued (formats as Flickr's: 32-hex key,
#: ``72157...-<16 hex>`` token, 16-hex secrets), for the ``unknown_*`` and ``tampered``
#: kinds.
UNKNOWN_KEY = "0badc0de0badc0de0badc0de0badc0de"
UNKNOWN_SECRET = "0badc0de0badc0de"
UNKNOWN_TOKEN = "72157000000000000-0badc0de0badc0de"
WRONG_SECRET = "not0the0secret00"
#: The permission each auth kind signs with (a token of the acting user).
TOKEN_PERMS = {
    "delete": "delete",
    "write": "write",
    "read": "read",
    "legacy": "delete",
    "unsigned": "delete",
    "tampered": "delete",
    "tampered_legacy": "delete",
    "revoked": "delete",
    "revoked_legacy": "delete",
    "future": "delete",
    "replay": "delete",
}
#: Kinds signed with a token of the acting user that has been revoked.
REVOKED_KINDS = frozenset({"revoked", "revoked_legacy"})
#: How far ahead of the real clock the ``future`` kind signs: an hour, far past the few
#: minutes' window OAuth servers allow (the emulator's is 300 s).
FUTURE_SKEW = 3600
#: Join and pool times given to set-up entries, in list order (a day apart).
SETUP_EPOCH = 1_500_000_000
_DAY = 86_400


@dataclass(frozen=True, slots=True)
class Identity:
    """How one call is signed: ``Client(credentials=..., signing=...)`` plus ``extra``
    parameters (the bare ``auth_token`` of an unsigned call)."""

    credentials: Credentials | None
    signing: SigningMode
    extra: Mapping[str, str] = field(default_factory=dict)
    #: seconds added to the signing clock (``future``)
    clock_skew: int = 0
    #: sign with the cell's one nonce and timestamp, so that a second call is a replay
    replay: bool = False

    def signer(self, oauth_in: str, pin: tuple[str, int]) -> Signer:
        """The signer for a call: OAuth in the REST form body when ``oauth_in`` is
        ``form``; the nonce and timestamp ``pin`` when this identity replays."""
        options: dict[str, Any] = {}
        if self.replay:
            options.update(nonce=lambda: pin[0], clock=lambda: pin[1])
        elif self.clock_skew:
            options["clock"] = lambda: int(time.time()) + self.clock_skew
        kind = {"form": FormSigner, "both": DoubleSigner}.get(oauth_in, Signer)
        return kind(self.credentials, self.signing, **options)


class FormSigner(Signer):
    """OAuth 1.0a with the ``oauth_*`` parameters in the form body of a REST POST (RFC 5849
    section 3.5.2) rather than the ``Authorization`` header."""

    __slots__ = ()

    def sign(
        self, http_method: str, url: str, params: dict[str, str], *, in_header: bool
    ) -> str | None:
        return super().sign(http_method, url, params, in_header=False)


class DoubleSigner(Signer):
    """Every ``oauth_*`` parameter both in the ``Authorization`` header and in the request's
    parameters: the client bug of RFC 5849 section 3.5 (one place only), for scenarios
    checking that a server refuses it."""

    __slots__ = ()

    def sign(
        self, http_method: str, url: str, params: dict[str, str], *, in_header: bool
    ) -> str | None:
        super().sign(http_method, url, params, in_header=False)
        oauth = {k: v for k, v in params.items() if k.startswith("oauth_")}
        return authorization_header(oauth) if oauth else None


class NoCredentials(LookupError):
    """The target has no credentials for a kind (the message says what to provide)."""


def identity(kind: str, app: Credentials | None, token: tuple[str, str] | None) -> Identity:
    """The identity for ``kind`` given the application's key and secret and the acting
    user's token (token, token secret)."""
    if kind == "none":
        return Identity(None, "none")
    if kind == "unknown_key":
        return Identity(Credentials(UNKNOWN_KEY, UNKNOWN_SECRET), "key")
    if app is None:
        raise NoCredentials("needs an API key and secret")
    if kind == "key":
        return Identity(Credentials(app.api_key, app.api_secret), "key")
    if kind == "unknown_token":
        return Identity(
            Credentials(app.api_key, app.api_secret, UNKNOWN_TOKEN, UNKNOWN_SECRET), "oauth"
        )
    if token is None:
        raise NoCredentials("needs an OAuth access token")
    if kind == "unsigned":
        return Identity(Credentials(app.api_key, app.api_secret), "key", {"auth_token": token[0]})
    secret = WRONG_SECRET if kind.startswith("tampered") else app.api_secret
    legacy = kind in ("legacy", "tampered_legacy", "revoked_legacy")
    signing: SigningMode = "legacy" if legacy else "oauth"
    return Identity(
        Credentials(app.api_key, secret, token[0], token[1]),
        signing,
        clock_skew=FUTURE_SKEW if kind == "future" else 0,
        replay=kind == "replay",
    )


def synthetic_token(user: str, perms: str) -> tuple[str, str]:
    """A token for ``user`` with ``perms`` that a scenario needs and the seed lacks
    (deterministic, so that it can be redacted before it exists)."""
    digest = hashlib.sha1(f"{user}:{perms}".encode()).hexdigest()
    number = int(digest[:8], 16) % 10**9
    return f"72157999{number:09d}-{digest[8:24]}", digest[24:40]


class SeedView:
    """A seed with look-ups by username, and the scenario set-up applied to a copy."""

    def __init__(self, seed: Mapping[str, Any]) -> None:
        self.seed = seed
        users = seed.get("users", [])
        self.nsids: dict[str, str] = {u["username"]: u["nsid"] for u in users}
        self.nsids.update({u["nsid"]: u["nsid"] for u in users})
        self.app = _app(seed)

    def nsid(self, user: str) -> str:
        if user not in self.nsids:
            raise ScenarioError(f"user {user!r} is not in the emulator's seed")
        return self.nsids[user]

    def token(self, user: str, perms: str, *, revoked: bool = False) -> tuple[str, str]:
        nsid = self.nsid(user)
        for entry in self.seed.get("tokens", []):
            if (
                entry["user"] == nsid
                and entry["perms"] == perms
                and bool(entry.get("revoked")) is revoked
                and self.app is not None
                and entry["api_key"] == self.app.api_key
            ):
                return entry["token"], entry["secret"]
        return synthetic_token(nsid, "revoked" if revoked else perms)

    def identity(self, call: CallSpec) -> Identity:
        perms = TOKEN_PERMS.get(call.auth)
        revoked = call.auth in REVOKED_KINDS
        token = self.token(call.user, perms, revoked=revoked) if perms is not None else None
        return identity(call.auth, self.app, token)

    def context(self) -> Context:
        groups = self.seed.get("groups", [])
        return Context(
            group=groups[0]["id"] if groups else None,
            me=lambda user: self.nsids.get(user),
            nsids={u["username"]: u["nsid"] for u in self.seed.get("users", [])},
        )

    def secrets(self) -> list[str]:
        found: list[str] = []
        for entry in self.seed.get("api_keys", []):
            found += [entry["key"], entry["secret"]]
        for entry in self.seed.get("tokens", []):
            found += [entry["token"], entry["secret"]]
        for nsid in {u["nsid"] for u in self.seed.get("users", [])}:
            for perms in ("read", "write", "delete", "revoked"):
                found += list(synthetic_token(nsid, perms))
        return found


def _app(seed: Mapping[str, Any]) -> Credentials | None:
    keys = seed.get("api_keys", [])
    return Credentials(keys[0]["key"], keys[0]["secret"]) if keys else None


def scenario_seed(base: Mapping[str, Any], scenario: Scenario, context: Context) -> dict[str, Any]:
    """``base`` (or the scenario's own seed) with the scenario's set-up applied and the
    tokens its calls need added."""
    setup = scenario.setup
    seed = copy.deepcopy(dict(setup.seed if setup.seed is not None else base))
    for key in ("users", "tokens", "groups", "memberships", "photos", "pool"):
        seed.setdefault(key, [])
    view = SeedView(seed)
    user = scenario.call.user
    for group, members in setup.members.items():
        group_id = str(context.fill(group, user))
        _ensure_group(seed, group_id)
        seed["memberships"] = [m for m in seed["memberships"] if m["group"] != group_id]
        for index, member in enumerate(members):
            seed["memberships"].append(
                {
                    "group": group_id,
                    "user": view.nsid(str(context.fill(member.user, user))),
                    "role": member.role,
                    "joined": SETUP_EPOCH + index * _DAY,
                }
            )
    for group, photos in setup.pool.items():
        group_id = str(context.fill(group, user))
        _ensure_group(seed, group_id)
        _set_pool(seed, group_id, photos)
    _add_tokens(seed, view, scenario.calls)
    return seed


def _ensure_group(seed: dict[str, Any], group_id: str) -> None:
    if not any(g["id"] == group_id for g in seed["groups"]):
        seed["groups"].append({"id": group_id, "name": group_id})


def _set_pool(seed: dict[str, Any], group_id: str, photos: Iterable[str]) -> None:
    known = {p["id"] for p in seed["photos"]}
    seed["pool"] = [p for p in seed["pool"] if p["group"] != group_id]
    for index, photo in enumerate(photos):
        if photo not in known:
            raise ScenarioError(f"setup.pool: photo {photo!r} is not in the emulator's seed")
        seed["pool"].append({"group": group_id, "photo": photo, "added": SETUP_EPOCH + index * 60})


def _add_tokens(seed: dict[str, Any], view: SeedView, calls: Iterable[CallSpec]) -> None:
    if view.app is None:
        return
    present = {t["token"] for t in seed["tokens"]}
    for call in calls:
        perms = TOKEN_PERMS.get(call.auth)
        if perms is None:
            continue
        revoked = call.auth in REVOKED_KINDS
        token, secret = view.token(call.user, perms, revoked=revoked)
        if token not in present:
            present.add(token)
            seed["tokens"].append(
                {
                    "token": token,
                    "secret": secret,
                    "api_key": view.app.api_key,
                    "user": view.nsid(call.user),
                    "perms": perms,
                    "revoked": revoked,
                }
            )
