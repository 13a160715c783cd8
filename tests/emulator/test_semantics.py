"""The methods with semantics added for real clients: flickr.auth.oauth.checkToken (what
flickrapi's ``token_valid()`` calls), flickr.groups.join, flickr.people.getGroups,
flickr.urls.lookupGroup and flickr.reflection.getMethods / getMethodInfo."""

from __future__ import annotations

from typing import Any

import pytest

from flickrwire import catalogue
from flickrwire.call import Call
from flickrwire.emulator.seed import SOLO_GROUP, TEST_GROUP

from .conftest import PAIRS, ClientFactory, Seeded

CHECK = Call("flickr.auth.oauth.checkToken", {}, "GET")


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_check_token_names_the_token_its_perms_and_user(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    # Sent unchecked: the client's catalogue wants oauth_token as an argument, while
    # flickrapi (and Flickr) take it from the signature's own oauth_token.
    result = await client_for(transport, codec, seeded.creds("dave")).send(CHECK)
    assert result.ok
    oauth = result.payload["oauth"]
    assert oauth["token"] == {"_content": seeded.token("dave")["token"]}
    assert oauth["perms"] == {"_content": "write"}
    assert oauth["user"] == {
        "nsid": seeded.nsid["dave"],
        "username": "dave",
        "fullname": "Dave Writer",
    }


async def test_check_token_refuses_a_revoked_token_and_needs_one(
    client_for: ClientFactory, seeded: Seeded
) -> None:
    revoked = client_for("rest", "json", seeded.creds("bob", revoked=True))
    assert (await revoked.send(CHECK)).code == 98
    keyed = client_for("rest", "json", seeded.key_only())
    assert (await keyed.send(CHECK)).code == 1


async def test_join_then_leave_then_the_errors(client_for: ClientFactory, seeded: Seeded) -> None:
    erin = client_for("soap", "json", seeded.creds("erin"))
    assert (await erin.call("flickr.groups.join", group_id=TEST_GROUP)).code == 99
    dave = client_for("xmlrpc", "xml", seeded.creds("dave"))
    assert (await dave.call("flickr.groups.join", group_id=SOLO_GROUP)).ok
    groups = await dave.call("flickr.people.getGroups", user_id=seeded.nsid["dave"])
    assert sorted(g["nsid"] for g in groups.payload["groups"]["group"]) == [TEST_GROUP, SOLO_GROUP]
    again = await dave.call("flickr.groups.join", group_id=SOLO_GROUP)
    assert (again.code, again.fault and again.fault.message) == (
        4,
        "Account is already in that group",
    )
    assert (await dave.call("flickr.groups.join", group_id="1@N01")).code == 2


async def test_join_refuses_private_and_invitation_only_groups(
    client_for: ClientFactory, seed: dict[str, Any], store: Any, seeded: Seeded
) -> None:
    seed["groups"][1]["privacy"] = 1
    seed["groups"].append({"id": "3@N01", "name": "by invitation", "description": "", "privacy": 2})
    store.load_seed(seed)
    dave = client_for("rest", "json", seeded.creds("dave"))
    assert (await dave.call("flickr.groups.join", group_id=SOLO_GROUP)).code == 3
    assert (await dave.call("flickr.groups.join", group_id="3@N01")).code == 5


async def test_people_get_groups(client_for: ClientFactory, seeded: Seeded) -> None:
    client = client_for("rest", "xml", seeded.creds("erin"))
    carol = await client.call("flickr.people.getGroups", user_id=seeded.nsid["carol"])
    listed = {g["nsid"]: g for g in carol.payload["groups"]["group"]}
    assert listed[SOLO_GROUP]["admin"] == "1" and listed[TEST_GROUP]["admin"] == "0"
    assert listed[TEST_GROUP]["members"] == "4" and listed[TEST_GROUP]["pool_count"] == "4"
    assert (await client.call("flickr.people.getGroups", user_id="nobody")).code == 1


@pytest.mark.parametrize(
    ("url", "found"),
    [
        (f"https://www.flickr.com/groups/{TEST_GROUP}/", TEST_GROUP),
        ("https://www.flickr.com/groups/flickrwiretesters/pool/", TEST_GROUP),
        ("https://www.flickr.com/groups/carol-alone", SOLO_GROUP),
        ("https://www.flickr.com/groups/nothing-here/", None),
        ("https://www.flickr.com/photos/alice/", None),
    ],
)
async def test_urls_lookup_group(
    client_for: ClientFactory, seeded: Seeded, url: str, found: str | None
) -> None:
    result = await client_for("rest", "json", seeded.key_only()).call(
        "flickr.urls.lookupGroup", url=url
    )
    if found is None:
        assert (result.code, result.fault and result.fault.message) == (1, "Group not found")
    else:
        assert result.payload["group"]["id"] == found and result.payload["group"]["groupname"]


async def test_reflection_lists_every_catalogue_method(
    client_for: ClientFactory, seeded: Seeded
) -> None:
    result = await client_for("soap", "xml", seeded.key_only()).call("flickr.reflection.getMethods")
    listed = [m["_content"] for m in result.payload["methods"]["method"]]
    assert set(catalogue.names()) <= set(listed) and listed == sorted(listed)


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_reflection_describes_a_method_as_flickr_does(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    result = await client_for(transport, codec, seeded.key_only()).call(
        "flickr.reflection.getMethodInfo", method_name="flickr.groups.leave"
    )
    method = result.normalised()["payload"]["method"]
    assert (method["name"], method["requiredperms"], method["needslogin"]) == (
        "flickr.groups.leave",
        "3",
        "1",
    )
    arguments = result.payload["arguments"]["argument"]
    assert [a["name"] for a in arguments] == ["api_key", "group_id", "delete_photos"]
    errors = result.payload["errors"]["error"]
    assert [str(e["code"]) for e in errors] == ["1", "2", "3"]
    unknown = await client_for(transport, codec, seeded.key_only()).call(
        "flickr.reflection.getMethodInfo", method_name="flickr.nope"
    )
    assert (unknown.code, unknown.fault and unknown.fault.message) == (1, "Method not found")
