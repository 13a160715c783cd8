"""Who signs a scenario's calls, and the seed a scenario's set-up produces."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from flickrwire import Credentials, transports
from flickrwire.call import Call
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


# -- revoked tokens, future timestamps, replays and where OAuth travels -------------------


def revoked_token(username: str) -> dict[str, Any]:
    nsid = NSID[username]
    return next(t for t in DEFAULT_SEED["tokens"] if t["user"] == nsid and t["revoked"])


def test_revoked_kinds_sign_with_a_revoked_token_of_the_acting_user() -> None:
    view = SeedView(DEFAULT_SEED)
    for kind, signing in (("revoked", "oauth"), ("revoked_legacy", "legacy")):
        signed = view.identity(scenario({"method": "m", "auth": kind}).call)
        assert signed.credentials is not None
        assert (signed.signing, signed.credentials.oauth_token) == (
            signing,
            revoked_token("bob")["token"],
        )
    # Carol has no revoked token in the seed: the scenario's seed gets one, revoked.
    s = scenario({"method": "flickr.groups.leave", "auth": "revoked", "as": "carol"})
    seed = scenario_seed(DEFAULT_SEED, s, SeedView(DEFAULT_SEED).context())
    made = identities.synthetic_token(NSID["carol"], "revoked")
    entry = next(t for t in seed["tokens"] if t["token"] == made[0])
    assert (entry["user"], entry["revoked"]) == (NSID["carol"], True)
    assert SeedView(seed).identity(s.call).credentials.oauth_token == made[0]
    assert made[0] in SeedView(DEFAULT_SEED).secrets()
    validate(seed)


def test_revoked_kinds_need_the_emulator() -> None:
    s = scenario({"method": "flickr.test.login", "auth": "revoked_legacy"})
    assert "emulator" in s.requires


SIGNED_AT = 1_700_000_000


def signed_request(kind: str, oauth_in: str, transport: str = "rest") -> Any:
    who = SeedView(DEFAULT_SEED).identity(scenario({"method": "m", "auth": kind}).call)
    signer = who.signer(oauth_in, ("pinned-nonce", SIGNED_AT))
    call = Call("flickr.test.login", {}, "POST")
    request = transports.get(transport).build_request(
        call, "json", signer, "https://api.flickr.com/services/"
    )
    assert isinstance(request, httpx.Request)
    return request


def oauth_in_body(request: Any) -> dict[str, str]:
    pairs = parse_qsl(request.content.decode(), keep_blank_values=True)
    return {k: v for k, v in pairs if k.startswith("oauth_")}


def test_oauth_goes_where_the_call_says() -> None:
    header = signed_request("delete", "header")
    assert header.headers["authorization"].startswith("OAuth ")
    assert oauth_in_body(header) == {}
    form = signed_request("delete", "form")
    assert "authorization" not in form.headers
    assert set(oauth_in_body(form)) >= {"oauth_signature", "oauth_nonce", "oauth_token"}
    both = signed_request("delete", "both")
    assert both.headers["authorization"].startswith("OAuth ")
    in_header = {
        unquote(k): unquote(v) for k, v in parse_authorization_header(both.headers["authorization"])
    }
    assert in_header == oauth_in_body(both)  # every oauth_* twice, the same values


def test_replay_pins_the_nonce_and_timestamp_and_future_signs_an_hour_ahead() -> None:
    replayed = oauth_in_body(signed_request("replay", "form"))
    again = oauth_in_body(signed_request("replay", "form"))
    assert (replayed["oauth_nonce"], replayed["oauth_timestamp"]) == (
        "pinned-nonce",
        str(SIGNED_AT),
    )
    assert replayed == again  # the very same request: a replay
    before = int(time.time())
    future = int(oauth_in_body(signed_request("future", "form"))["oauth_timestamp"])
    assert before + identities.FUTURE_SKEW <= future <= int(time.time()) + identities.FUTURE_SKEW
    plain = int(oauth_in_body(signed_request("delete", "form"))["oauth_timestamp"])
    assert abs(plain - time.time()) < 60


def test_an_unknown_oauth_place_is_named() -> None:
    with pytest.raises(ScenarioError, match=r"call\.oauth_in: must be one of header, form, both"):
        scenario({"method": "flickr.test.login", "oauth_in": "query"})
