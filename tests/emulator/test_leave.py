"""flickr.groups.leave through the API, over all six transport x codec pairs: Flickr's
documented semantics observed through the emulator's own read methods, its three errors,
and the same outcomes over a real loopback socket."""

from __future__ import annotations

from typing import Any

import pytest

import flickrwire
from flickrwire.call import Call
from flickrwire.emulator.seed import ALICE, BOB, CAROL, DAVE, SOLO_GROUP, TEST_GROUP

from .conftest import PAIRS, ClientFactory, Seeded

LEAVE = "flickr.groups.leave"


async def member_types(client: flickrwire.AsyncClient, group: str) -> dict[str, str]:
    result = await client.call("flickr.groups.members.getList", group_id=group)
    assert result.ok, result.fault
    return {m["nsid"]: str(m["membertype"]) for m in result.payload["members"]["member"]}


async def pool_owners(client: flickrwire.AsyncClient, group: str) -> list[str]:
    result = await client.call("flickr.groups.pools.getPhotos", group_id=group)
    assert result.ok, result.fault
    return sorted(p["owner"] for p in result.payload["photos"].get("photo", []))


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_the_only_admin_leaves_and_the_oldest_member_is_promoted(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    alice = client_for(transport, codec, seeded.creds("alice"))
    result = await alice.groups.leave(group_id=TEST_GROUP, delete_photos=True)
    assert result.ok and result.payload == {} and result.http_status == 200
    assert (result.transport, result.codec) == (transport, codec)
    erin = client_for(transport, codec, seeded.creds("erin"))
    # membertype 4 admin, 3 moderator, 2 member; Dave joined right after Alice.
    assert await member_types(erin, TEST_GROUP) == {DAVE: "4", BOB: "2", CAROL: "3"}
    assert await pool_owners(erin, TEST_GROUP) == [BOB, BOB, CAROL]


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_a_member_leaves_keeping_photos_and_nobody_is_promoted(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    bob = client_for(transport, codec, seeded.creds("bob"))
    assert (await bob.groups.leave(group_id=TEST_GROUP)).ok
    assert await member_types(bob, TEST_GROUP) == {ALICE: "4", DAVE: "2", CAROL: "3"}
    assert (await pool_owners(bob, TEST_GROUP)).count(BOB) == 2


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_the_last_member_leaving_deletes_the_group(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    carol = client_for(transport, codec, seeded.creds("carol"))
    assert (await carol.groups.leave(group_id=SOLO_GROUP)).ok
    info = await carol.call("flickr.groups.getInfo", group_id=SOLO_GROUP)
    assert (info.code, info.fault and info.fault.message) == (1, "Group not found")
    again = await carol.groups.leave(group_id=SOLO_GROUP)
    assert again.code == 2


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_the_three_leave_errors(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    bob = client_for(transport, codec, seeded.creds("bob"))
    # Call.build refuses a missing group_id on the caller's side; send() does not check.
    missing = await bob.send(Call(LEAVE, {}, "POST"))
    no_group = await bob.groups.leave(group_id="12345@N99")
    assert (await bob.groups.leave(group_id=TEST_GROUP)).ok
    not_member = await bob.groups.leave(group_id=TEST_GROUP)
    expected = {
        1: (missing, "Required arguments missing"),
        2: (no_group, "Group does not exist"),
        3: (not_member, "Account is not in that group"),
    }
    for code, (result, message) in expected.items():
        assert not result.ok and result.code == code
        assert result.fault is not None
        assert (result.fault.message, result.fault.origin) == (message, "api")
        with pytest.raises(flickrwire.APIError, match=f"^{code}: {message}$"):
            result.raise_for_fault()


async def scenario(client_for: ClientFactory, seeded: Seeded, pair: tuple[str, str]) -> Any:
    alice = client_for(*pair, seeded.creds("alice"))
    outcomes = [
        await alice.groups.leave(group_id=TEST_GROUP),
        await alice.groups.leave(group_id=TEST_GROUP),
        await alice.groups.leave(group_id="nope"),
    ]
    return [r.normalised() for r in outcomes]


async def test_every_pair_gives_the_same_normalised_results(
    client_for: ClientFactory, seeded: Seeded, app: Any
) -> None:
    views = []
    for pair in PAIRS:
        app.state.store.reset()
        views.append(await scenario(client_for, seeded, pair))
    assert all(view == views[0] for view in views)
    assert [v["code"] for v in views[0]] == [None, 3, 2]


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_leave_over_a_real_socket(live_url: str, seeded: Seeded, transport: str) -> None:
    with flickrwire.Client(transport, "xml", seeded.creds("alice"), base_url=live_url) as alice:
        left = alice.groups.leave(group_id=TEST_GROUP, delete_photos=True)
        assert left.ok and left.http_status == 200
        assert alice.groups.leave(group_id=TEST_GROUP).code == 3
    with flickrwire.Client(transport, "json", seeded.creds("erin"), base_url=live_url) as erin:
        members = erin.call("flickr.groups.members.getList", group_id=TEST_GROUP, membertypes=4)
        assert [m["nsid"] for m in members.payload["members"]["member"]] == [DAVE]
