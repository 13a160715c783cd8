"""Flickr's three-legged OAuth flow against the emulator, driven by plain oauthlib:
request token, authorisation for a seeded user, access token, then API calls with it."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from oauthlib import oauth1

import flickrwire
from flickrwire.emulator.seed import TEST_GROUP

from .conftest import BASE_URL, ClientFactory, Seeded, uvicorn_thread

CALLBACK = "https://app.example/done?state=1"
TEXT = "text/plain;charset=UTF-8"


def consumer(seeded: Seeded, **options: Any) -> oauth1.Client:
    options.setdefault("client_secret", seeded.secret)
    return oauth1.Client(seeded.key, **options)


def fields(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"] == TEXT
    return dict(parse_qsl(response.text, keep_blank_values=True))


async def get_signed(raw: httpx.AsyncClient, client: oauth1.Client, path: str) -> httpx.Response:
    uri, headers, _ = client.sign(BASE_URL + path, "GET")
    return await raw.get(uri, headers=headers)


async def request_token(raw: httpx.AsyncClient, seeded: Seeded, callback: str) -> dict[str, str]:
    response = await get_signed(raw, consumer(seeded, callback_uri=callback), "oauth/request_token")
    assert response.status_code == 200
    return fields(response)


async def authorize(raw: httpx.AsyncClient, token: str, **query: str) -> httpx.Response:
    return await raw.get("oauth/authorize", params={"oauth_token": token, **query})


async def test_the_whole_flow(
    raw: httpx.AsyncClient, seeded: Seeded, client_for: ClientFactory
) -> None:
    issued = await request_token(raw, seeded, CALLBACK)
    assert list(issued) == ["oauth_callback_confirmed", "oauth_token", "oauth_token_secret"]
    assert issued["oauth_callback_confirmed"] == "true"
    approved = await authorize(raw, issued["oauth_token"], perms="delete", user="bob")
    assert approved.status_code == 302
    location = urlsplit(approved.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://app.example/done"
    back = dict(parse_qsl(location.query))
    assert back["state"] == "1" and back["oauth_token"] == issued["oauth_token"]
    exchange = consumer(
        seeded,
        resource_owner_key=issued["oauth_token"],
        resource_owner_secret=issued["oauth_token_secret"],
        verifier=back["oauth_verifier"],
    )
    response = await get_signed(raw, exchange, "oauth/access_token")
    access = fields(response)
    # Field order and %20 / %40 escaping as in shared sample oauth-access-token-response.txt.
    assert list(access) == [
        "fullname",
        "oauth_token",
        "oauth_token_secret",
        "user_nsid",
        "username",
    ]
    assert "fullname=Bob%20Member" in response.text and "%40N01" in response.text
    assert (access["user_nsid"], access["username"]) == (seeded.nsid["bob"], "bob")
    creds = flickrwire.Credentials(
        seeded.key, seeded.secret, access["oauth_token"], access["oauth_token_secret"]
    )
    client = client_for("soap", "xml", creds)
    assert (await client.call("flickr.test.login")).payload["user"]["id"] == seeded.nsid["bob"]
    assert (await client.groups.leave(group_id=TEST_GROUP)).ok
    # A request token is good for one exchange only.
    again = await get_signed(raw, exchange, "oauth/access_token")
    assert (again.status_code, again.text) == (401, "oauth_problem=token_rejected")


async def test_the_granted_permission_is_enforced(
    raw: httpx.AsyncClient, seeded: Seeded, client_for: ClientFactory
) -> None:
    issued = await request_token(raw, seeded, "oob")
    approved = await authorize(raw, issued["oauth_token"], perms="read")
    # "oob": no redirect; the verifier comes back as text. Default user: the first seeded.
    assert approved.status_code == 200
    verifier = fields(approved)["oauth_verifier"]
    exchange = consumer(
        seeded,
        resource_owner_key=issued["oauth_token"],
        resource_owner_secret=issued["oauth_token_secret"],
        verifier=verifier,
    )
    access = fields(await get_signed(raw, exchange, "oauth/access_token"))
    assert access["username"] == "alice"
    creds = flickrwire.Credentials(
        seeded.key, seeded.secret, access["oauth_token"], access["oauth_token_secret"]
    )
    left = await client_for("rest", "json", creds).groups.leave(group_id=TEST_GROUP)
    assert left.code == 99


async def test_request_token_refusals(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    cases = [
        (consumer(seeded), "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_callback"),
        (
            oauth1.Client("f" * 32, client_secret="x", callback_uri="oob"),
            "oauth_problem=consumer_key_unknown",
        ),
    ]
    for client, body in cases:
        response = await get_signed(raw, client, "oauth/request_token")
        assert (response.status_code, response.text) == (401, body)
    wrong = consumer(seeded, client_secret="0000000000000000", callback_uri="oob")
    response = await get_signed(raw, wrong, "oauth/request_token")
    assert response.status_code == 401
    assert response.text.startswith("oauth_problem=signature_invalid&debug_sbs=GET&")


async def test_authorize_refusals(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    unknown = await authorize(raw, "72157000000000000-0000000000000000", perms="read")
    assert (unknown.status_code, unknown.text) == (401, "oauth_problem=token_rejected")
    token = (await request_token(raw, seeded, "oob"))["oauth_token"]
    assert (await authorize(raw, token, perms="admin")).status_code == 400
    assert (await authorize(raw, token, perms="read", user="nobody")).status_code == 400


async def test_access_token_refusals(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    issued = await request_token(raw, seeded, "oob")

    def exchange(verifier: str) -> oauth1.Client:
        return consumer(
            seeded,
            resource_owner_key=issued["oauth_token"],
            resource_owner_secret=issued["oauth_token_secret"],
            verifier=verifier,
        )

    early = await get_signed(raw, exchange("whatever"), "oauth/access_token")
    assert (early.status_code, early.text) == (401, "oauth_problem=permission_unknown")
    await authorize(raw, issued["oauth_token"], perms="write", user="carol")
    wrong = await get_signed(raw, exchange("0000000000000000"), "oauth/access_token")
    assert wrong.text == (
        "oauth_problem=parameter_rejected&oauth_parameters_rejected=oauth_verifier"
    )
    unsigned = await raw.get("oauth/access_token", params={"oauth_token": issued["oauth_token"]})
    assert unsigned.status_code == 401 and "parameter_absent" in unsigned.text


@pytest.mark.parametrize(
    "placement", [oauth1.SIGNATURE_TYPE_AUTH_HEADER, oauth1.SIGNATURE_TYPE_BODY]
)
async def test_request_token_takes_a_signed_post(
    raw: httpx.AsyncClient, seeded: Seeded, placement: str
) -> None:
    client = consumer(seeded, callback_uri="oob", signature_type=placement)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    uri, headers, body = client.sign(BASE_URL + "oauth/request_token", "POST", "", form)
    response = await raw.post(uri, content=body or b"", headers=headers)
    assert fields(response)["oauth_callback_confirmed"] == "true"


def test_the_flow_over_a_real_socket(app: Any, seeded: Seeded) -> None:
    with uvicorn_thread(app) as base_url, httpx.Client() as http:
        client = consumer(seeded, callback_uri="oob")
        uri, headers, _ = client.sign(base_url + "oauth/request_token", "GET")
        issued = dict(parse_qsl(http.get(uri, headers=headers).text))
        approved = http.get(
            base_url + "oauth/authorize",
            params={"oauth_token": issued["oauth_token"], "perms": "delete", "user": "carol"},
        )
        exchange = consumer(
            seeded,
            resource_owner_key=issued["oauth_token"],
            resource_owner_secret=issued["oauth_token_secret"],
            verifier=dict(parse_qsl(approved.text))["oauth_verifier"],
        )
        uri, headers, _ = exchange.sign(base_url + "oauth/access_token", "GET")
        access = dict(parse_qsl(http.get(uri, headers=headers).text))
        creds = flickrwire.Credentials(
            seeded.key, seeded.secret, access["oauth_token"], access["oauth_token_secret"]
        )
        with flickrwire.Client("xmlrpc", "json", creds, base_url=base_url) as carol:
            assert carol.groups.leave(group_id=TEST_GROUP).ok
