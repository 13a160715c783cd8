"""flickr-api 0.8.1 (``import flickr_api``) against ``flickrwire serve``: echo, login, leave ok,
3 and 2, a bad key's 100 and a read-only token's 99.

flickr-api has no setting for its endpoint: it posts to ``https://api.flickr.com/services/
rest/`` with ``requests.post``. The test gives it a ``requests`` whose ``post`` sends
Flickr's URLs to the emulator, unchanged otherwise, as a test double in a user's suite
would (requests-oauthlib then signs the URL the request goes to)."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import flickr_api
import pytest
import requests
from flickr_api import method_call
from flickr_api.flickrerrors import FlickrAPIError

from .conftest import BAD_KEY, NO_GROUP, TEST_GROUP, Served

FLICKR = "https://api.flickr.com/services/"


@pytest.fixture
def routed(emulator: Served, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    def post(url: str, *args: Any, **kwargs: Any) -> requests.Response:
        return requests.post(url.replace(FLICKR, emulator.base_url), *args, **kwargs)

    shim = types.SimpleNamespace(post=post, Response=requests.Response)
    monkeypatch.setattr(method_call, "requests", shim)
    yield emulator
    flickr_api.set_keys(None, None)  # type: ignore[arg-type]
    flickr_api.set_auth_handler(None)  # type: ignore[arg-type]


def as_user(served: Served, user: str | None, key: str | None = None) -> None:
    flickr_api.set_keys(key or served.key, served.secret)
    handler = None
    if user is not None:
        token = served.tokens[user]
        handler = flickr_api.auth.AuthHandler(
            key or served.key,
            served.secret,
            access_token_key=token.token,
            access_token_secret=token.secret,
            callback="oob",
        )
    flickr_api.set_auth_handler(handler)  # type: ignore[arg-type]


def test_echo_and_login(routed: Served) -> None:
    as_user(routed, None)
    assert flickr_api.test.echo(name="flickrwire")["name"] == "flickrwire"
    as_user(routed, "bob")
    person = flickr_api.test.login()
    assert (person.id, person.username) == ("10000002@N01", "bob")


def test_leave_ok_then_3_then_2(routed: Served) -> None:
    as_user(routed, "bob")
    assert flickr_api.Group(id=TEST_GROUP).leave() is None
    with pytest.raises(FlickrAPIError) as not_member:
        flickr_api.Group(id=TEST_GROUP).leave()
    assert not_member.value.code == 3
    with pytest.raises(FlickrAPIError) as no_group:
        flickr_api.Group(id=NO_GROUP).leave()
    assert no_group.value.code == 2


def test_a_bad_key_is_100(routed: Served) -> None:
    as_user(routed, None, key=BAD_KEY)
    with pytest.raises(FlickrAPIError) as refused:
        flickr_api.test.echo(name="x")
    assert refused.value.code == 100


def test_a_read_only_token_cannot_leave_99(routed: Served) -> None:
    as_user(routed, "erin")
    with pytest.raises(FlickrAPIError) as refused:
        flickr_api.Group(id=TEST_GROUP).leave()
    assert refused.value.code == 99
