"""Who signs a scenario's calls, and the seed a scenario's set-up produces."""

from __future__ import annotations

from typing import Any

import pytest

from flickrwire import Credentials
from flickrwire.conformance import identities
from flickrwire.conformance.identities import NoCredentials, SeedView, identity, scenario_seed
from flickrwire.conformance.model import ScenarioError
from flickrwire.conformance.scenarios import parse
from flickrwire.emulator import DEFAULT_SEED
from flickrwire.emulator.seed import validate

from .conftest import token

GROUP = DEFAULT_SEED["groups"][0]["id"]
NSID = {u["username"]: u["nsid"] for u in DEFAULT_SEED["users"]}
KEY = DEFAULT_SEED["api_keys"][0]


def scenario(call: dict[str, Any], setup: dict[str, Any] | None = None) -> Any:
    data = {"id": "s", "call": call, "expect": {"ok": True}, "setup": setup or {}}
    return parse([data], "test.json")[0]


def test_members_are_replaced_in_join_order() -> None:
    setup = {"members": {"{group}": ["carol", {"user": "erin", "role": "admin"}]}}
    s = scenario({"method": "flickr.test.login"}, setup)
    seed = scenario_seed(DEFAULT_SEED, s, SeedView(DEFAULT_SEED).context())
    rows = [m for m in seed["memberships"] if m["group"] == GROUP]
    assert [(m["user"], m["role"]) for m in rows] == [
        (NSID["carol"], "member"),
        (NSID["erin"], "admin"),
    ]
    assert rows[0]["joined"] < rows[1]["joined"]
    validate(seed)  # the emulator accepts it
    assert DEFAULT_SEED["memberships"][0]["user"] == NSID["alice"]  # the base is untouched


def test_pool_is_replaced_in_order_and_checked() -> None:
    s = scenario({"method": "flickr.test.login"}, {"pool": {"new@N01": ["50000003", "50000001"]}})
    seed = scenario_seed(DEFAULT_SEED, s, SeedView(DEFAULT_SEED).context())
    assert {"id": "new@N01", "name": "new@N01"} in seed["groups"]
    pool = [p["photo"] for p in seed["pool"] if p["group"] == "new@N01"]
    assert pool == ["50000003", "50000001"]
    validate(seed)
    bad = scenario({"method": "flickr.test.login"}, {"pool": {GROUP: ["999"]}})
    with pytest.raises(ScenarioError, match="photo '999' is not in the emulator's seed"):
        scenario_seed(DEFAULT_SEED, bad, SeedView(DEFAULT_SEED).context())


def test_a_missing_token_is_added_for_the_acting_user() -> None:
    # Erin holds only a read token; a delete-token call as Erin gets one made for her.
    s = scenario({"method": "flickr.groups.leave", "params": {"group_id": "g"}, "as": "erin"})
    seed = scenario_seed(DEFAULT_SEED, s, SeedView(DEFAULT_SEED).context())
    made = identities.synthetic_token(NSID["erin"], "delete")
    entry = next(t for t in seed["tokens"] if t["token"] == made[0])
    assert (entry["user"], entry["perms"], entry["secret"]) == (NSID["erin"], "delete", made[1])
    signed = SeedView(seed).identity(s.call)
    assert signed.credentials is not None and signed.credentials.oauth_token == made[0]
    assert made[0] in SeedView(DEFAULT_SEED).secrets()  # redacted before it ever exists


def test_an_unknown_user_is_named() -> None:
    s = scenario({"method": "flickr.test.login", "as": "mallory"})
    with pytest.raises(ScenarioError, match="user 'mallory' is not in the emulator's seed"):
        scenario_seed(DEFAULT_SEED, s, SeedView(DEFAULT_SEED).context())


def test_each_auth_kind_signs_as_documented() -> None:
    view = SeedView(DEFAULT_SEED)
    bob = token("bob")

    def sign(kind: str, user: str = "bob") -> Any:
        return view.identity(scenario({"method": "m", "auth": kind, "as": user}).call)

    assert (sign("delete").signing, sign("delete").credentials.oauth_token) == (
        "oauth",
        bob["token"],
    )
    assert sign("read", "erin").credentials.oauth_token == token("erin", "read")["token"]
    assert sign("legacy").signing == "legacy"
    assert (sign("key").signing, sign("key").credentials.oauth_token) == ("key", None)
    assert sign("none") == identities.Identity(None, "none")
    unsigned = sign("unsigned")
    assert (unsigned.signing, dict(unsigned.extra)) == ("key", {"auth_token": bob["token"]})
    tampered = sign("tampered")
    assert tampered.credentials.api_secret == identities.WRONG_SECRET != KEY["secret"]
    assert tampered.credentials.oauth_token == bob["token"]
    assert sign("tampered_legacy").signing == "legacy"
    assert sign("unknown_token").credentials.oauth_token == identities.UNKNOWN_TOKEN
    assert sign("unknown_key").credentials.api_key == identities.UNKNOWN_KEY


def test_missing_credentials_say_what_is_needed() -> None:
    with pytest.raises(NoCredentials, match="needs an API key and secret"):
        identity("key", None, None)
    with pytest.raises(NoCredentials, match="needs an OAuth access token"):
        identity("delete", Credentials("k", "s"), None)
    assert identity("unknown_key", None, None).credentials is not None
