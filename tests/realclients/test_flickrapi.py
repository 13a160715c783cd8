"""flickrapi 2.4.0 against ``flickrwire serve``: every response format, the whole three-legged
OAuth flow ending in ``token_valid()``, and the answers a user meets (echo, login, leave ok,
3 and 2, a bad key's 100, a read-only token's 99).

flickrapi is pointed at the emulator through its own class attributes (``REST_URL`` and the
three OAuth URLs), as its documentation suggests for other endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import flickrapi
import httpx
import pytest
from flickrapi.auth import FlickrAccessToken

from .conftest import BAD_KEY, NO_GROUP, TEST_GROUP, Served

FORMATS = ["etree", "xmlnode", "parsed-json", "json", "rest"]


def pointed(api: flickrapi.FlickrAPI, served: Served) -> flickrapi.FlickrAPI:
    api.REST_URL = served.base_url + "rest/"
    oauth = api.flickr_oauth
    oauth.REQUEST_TOKEN_URL = served.base_url + "oauth/request_token"
    oauth.AUTHORIZE_URL = served.base_url + "oauth/authorize"
    oauth.ACCESS_TOKEN_URL = served.base_url + "oauth/access_token"
    return api


def client(served: Served, user: str | None, *, key: str | None = None, **kw: Any) -> Any:
    token = None
    if user is not None:
        seeded = served.tokens[user]
        token = FlickrAccessToken(seeded.token, seeded.secret, seeded.perms)
    api = flickrapi.FlickrAPI(
        key or served.key, served.secret, token=token, store_token=False, **kw
    )
    return pointed(api, served)


def echoed(out: Any, fmt: str) -> str | None:
    """The ``name`` argument echoed back, read the way each format is read."""
    if fmt == "etree":
        return str(out.findtext("name"))
    if fmt == "xmlnode":
        return str(out.name[0].text)
    if fmt == "parsed-json":
        return str(out["name"]["_content"])
    if fmt == "json":
        import json

        return str(json.loads(out)["name"]["_content"])
    return ElementTree.fromstring(out).findtext("name")


@pytest.mark.parametrize("fmt", FORMATS)
def test_echo_in_every_format(emulator: Served, fmt: str) -> None:
    api = client(emulator, None, format=fmt)
    assert echoed(api.test.echo(name="flickrwire & co"), fmt) == "flickrwire & co"


def test_the_whole_oauth_flow_then_token_valid(emulator: Served, tmp_path: Path) -> None:
    api = pointed(
        flickrapi.FlickrAPI(
            emulator.key, emulator.secret, format="parsed-json", token_cache_location=tmp_path
        ),
        emulator,
    )
    assert not api.token_valid(perms="delete")
    api.get_request_token(oauth_callback="oob")
    # The user approves in a browser; the emulator's page takes the user to approve for.
    page = httpx.get(api.auth_url(perms="delete") + "&user=bob", timeout=30)
    verifier = dict(pair.split("=", 1) for pair in page.text.split("&"))["oauth_verifier"]
    api.get_access_token(verifier)
    assert api.token_valid(perms="delete")
    # A second instance reads the stored token and keeps it (checkToken answered).
    again = pointed(
        flickrapi.FlickrAPI(emulator.key, emulator.secret, token_cache_location=tmp_path),
        emulator,
    )
    assert again.token_valid(perms="delete")
    assert again.token_cache.token is not None
    assert api.test.login()["user"]["username"]["_content"] == "bob"
    assert api.groups.leave(group_id=TEST_GROUP) == {"stat": "ok"}


def test_login_and_leave_ok_then_3_then_2(emulator: Served) -> None:
    api = client(emulator, "bob", format="etree")
    assert api.test.login().find("user").get("id") == "10000002@N01"
    assert api.groups.leave(group_id=TEST_GROUP).get("stat") == "ok"
    with pytest.raises(flickrapi.FlickrError) as not_member:
        api.groups.leave(group_id=TEST_GROUP)
    assert not_member.value.code == 3
    with pytest.raises(flickrapi.FlickrError) as no_group:
        api.groups.leave(group_id=NO_GROUP)
    assert no_group.value.code == 2


def test_a_bad_key_is_100(emulator: Served) -> None:
    api = client(emulator, None, key=BAD_KEY, format="etree")
    with pytest.raises(flickrapi.FlickrError) as refused:
        api.test.echo(name="x")
    assert refused.value.code == 100


def test_a_read_only_token_cannot_leave_99(emulator: Served) -> None:
    api = client(emulator, "erin", format="parsed-json")
    assert api.token_valid(perms="read")
    assert not api.token_valid(perms="delete")
    api = client(emulator, "erin", format="parsed-json")
    with pytest.raises(flickrapi.FlickrError) as refused:
        api.groups.leave(group_id=TEST_GROUP)
    assert refused.value.code == 99
