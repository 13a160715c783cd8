"""The read methods the emulator serves, in Flickr's response shapes: groups.getInfo,
groups.members.getList, groups.pools.getPhotos, test.echo, test.login and test.null."""

from __future__ import annotations

import pytest

from flickrwire import Call
from flickrwire.emulator.seed import ALICE, BOB, CAROL, DAVE, TEST_GROUP

from .conftest import PAIRS, ClientFactory, Seeded


async def test_get_info_payload(client_for: ClientFactory, seeded: Seeded) -> None:
    client = client_for("rest", "json", seeded.key_only())
    result = await client.call("flickr.groups.getInfo", group_id=TEST_GROUP)
    assert result.payload == {
        "group": {
            "id": TEST_GROUP,
            "iconserver": "0",
            "iconfarm": 0,
            "ispoolmoderated": 0,
            "name": {"_content": "flickrwire testers"},
            "description": {"_content": "Leave me."},
            "members": {"_content": "4"},
            "pool_count": {"_content": "4"},
            "privacy": {"_content": "3"},
        }
    }


async def test_get_info_as_rest_xml_lays_out_like_flickr(
    client_for: ClientFactory, seeded: Seeded
) -> None:
    client = client_for("rest", "xml", seeded.key_only())
    result = await client.call("flickr.groups.getInfo", group_id=TEST_GROUP)
    assert result.raw == (
        b'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok">\n'
        b'<group id="30000001@N01" iconserver="0" iconfarm="0" ispoolmoderated="0">'
        b"<name>flickrwire testers</name><description>Leave me.</description>"
        b"<members>4</members><pool_count>4</pool_count><privacy>3</privacy></group>\n</rsp>\n"
    )


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_read_methods_agree_over_every_pair(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    reference = client_for("rest", "json", seeded.creds("erin"))
    client = client_for(transport, codec, seeded.creds("erin"))
    for method in (
        "flickr.groups.getInfo",
        "flickr.groups.members.getList",
        "flickr.groups.pools.getPhotos",
    ):
        got = await client.call(method, group_id=TEST_GROUP)
        want = await reference.call(method, group_id=TEST_GROUP)
        assert got.ok and got.normalised() == want.normalised()


async def test_members_come_oldest_first_with_their_types(
    client_for: ClientFactory, seeded: Seeded
) -> None:
    client = client_for("rest", "json", seeded.creds("erin"))
    result = await client.call("flickr.groups.members.getList", group_id=TEST_GROUP)
    members = result.payload["members"]
    assert {k: members[k] for k in ("page", "pages", "perpage", "total")} == {
        "page": 1,
        "pages": 1,
        "perpage": 100,
        "total": 4,
    }
    assert [(m["nsid"], m["username"], m["membertype"]) for m in members["member"]] == [
        (ALICE, "alice", "4"),
        (DAVE, "dave", "2"),
        (BOB, "bob", "2"),
        (CAROL, "carol", "3"),
    ]


@pytest.mark.parametrize(
    ("membertypes", "expected"),
    [("4", [ALICE]), ("3", [CAROL]), ("2", [DAVE, BOB]), ("3,4", [ALICE, CAROL]), ("9", None)],
)
async def test_membertypes_filter(
    client_for: ClientFactory, seeded: Seeded, membertypes: str, expected: list[str] | None
) -> None:
    client = client_for("soap", "xml", seeded.creds("erin"))
    result = await client.call(
        "flickr.groups.members.getList", group_id=TEST_GROUP, membertypes=membertypes
    )
    nsids = [m["nsid"] for m in result.payload["members"]["member"]]
    assert nsids == (expected if expected is not None else [ALICE, DAVE, BOB, CAROL])


async def test_members_paging(client_for: ClientFactory, seeded: Seeded) -> None:
    client = client_for("rest", "json", seeded.creds("erin"))
    result = await client.call(
        "flickr.groups.members.getList", group_id=TEST_GROUP, per_page=3, page=2
    )
    members = result.payload["members"]
    assert (members["page"], members["pages"], members["perpage"], members["total"]) == (2, 2, 3, 4)
    assert [m["nsid"] for m in members["member"]] == [CAROL]


async def test_member_list_needs_read_permission(client_for: ClientFactory, seeded: Seeded) -> None:
    result = await client_for("rest", "json", seeded.key_only()).call(
        "flickr.groups.members.getList", group_id=TEST_GROUP
    )
    assert result.code == 99


async def test_pool_photos_newest_first_and_by_owner(
    client_for: ClientFactory, seeded: Seeded
) -> None:
    client = client_for("xmlrpc", "json", seeded.key_only())
    result = await client.call("flickr.groups.pools.getPhotos", group_id=TEST_GROUP)
    photos = result.payload["photos"]
    assert photos["total"] == 4
    assert [p["id"] for p in photos["photo"]] == ["50000004", "50000003", "50000002", "50000001"]
    assert photos["photo"][1] == {
        "id": "50000003",
        "owner": BOB,
        "secret": "c3d4e5f6a7",
        "server": "65535",
        "farm": 66,
        "title": "market",
        "ispublic": 1,
        "isfriend": 0,
        "isfamily": 0,
        "ownername": "bob",
        "dateadded": "1400000200",
    }
    bobs = await client.call("flickr.groups.pools.getPhotos", group_id=TEST_GROUP, user_id=BOB)
    assert [p["id"] for p in bobs.payload["photos"]["photo"]] == ["50000003", "50000002"]
    page = await client.call(
        "flickr.groups.pools.getPhotos", group_id=TEST_GROUP, per_page=1, page=4
    )
    assert [p["id"] for p in page.payload["photos"]["photo"]] == ["50000001"]


@pytest.mark.parametrize("method", ["flickr.groups.getInfo", "flickr.groups.pools.getPhotos"])
async def test_group_lookups_fail_with_code_1(
    client_for: ClientFactory, seeded: Seeded, method: str
) -> None:
    client = client_for("rest", "xml", seeded.key_only())
    unknown = await client.call(method, group_id="424242@N42")
    assert (unknown.code, unknown.fault and unknown.fault.message) == (1, "Group not found")
    missing = await client.send(Call(method, {}, "POST"))
    assert (missing.code, missing.fault and missing.fault.message) == (
        1,
        "Required parameter missing",
    )


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_echo_returns_the_arguments(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    client = client_for(transport, codec, seeded.creds("erin"))
    result = await client.call("flickr.test.echo", name="cars", other="a & <b>")
    payload = result.payload
    assert payload["method"] == {"_content": "flickr.test.echo"}
    assert payload["name"] == {"_content": "cars"}
    assert payload["other"] == {"_content": "a & <b>"}
    # The OAuth parameters are credentials, not arguments: never echoed.
    assert not [name for name in payload if name.startswith("oauth_")]


async def test_echo_with_a_key_echoes_the_key_as_flickr_does(
    client_for: ClientFactory, seeded: Seeded
) -> None:
    # Shared sample soap-echo-x-FlickrResponse-wsfphp-expected-output.txt: Flickr echoed
    # method, api_key, name, the order of that request; ours sends name, format, api_key.
    client = client_for("soap", "xml", seeded.key_only())
    result = await client.call("flickr.test.echo", name="cars")
    assert list(result.payload) == ["method", "name", "format", "api_key"]
    assert result.payload["api_key"] == {"_content": seeded.key}


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_login_names_the_tokens_user(
    client_for: ClientFactory, seeded: Seeded, transport: str, codec: str
) -> None:
    result = await client_for(transport, codec, seeded.creds("bob")).call("flickr.test.login")
    assert result.payload == {"user": {"id": BOB, "username": {"_content": "bob"}}}


async def test_login_and_null_need_a_user(client_for: ClientFactory, seeded: Seeded) -> None:
    client = client_for("rest", "json", seeded.key_only())
    for method in ("flickr.test.login", "flickr.test.null"):
        result = await client.call(method)
        assert result.code == 99 and result.fault is not None
        assert result.fault.message == (
            "Insufficient permissions. Method requires read privileges; none granted."
        )
    null = await client_for("rest", "json", seeded.creds("erin")).call("flickr.test.null")
    assert null.ok and null.payload == {}
