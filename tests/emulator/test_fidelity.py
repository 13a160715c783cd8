"""Fidelity to real Flickr answers: for each recorded sample whose situation the emulator
can reproduce, drive it there and compare the bytes: the same normalised ``Result``, the
same layout (prolog, elements, attributes, tab and newlines), the same content type and
status. Where the emulator's message differs from the live one, the test says so.

Samples and their provenance (``.source`` files) live in the shared samples folder beside
the repository.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

import httpx
import pytest
from lxml import etree
from oauthlib import oauth1
from sampledir import SAMPLES, needs_samples

import flickrwire
from flickrwire import Call
from flickrwire.emulator.seed import TEST_GROUP
from flickrwire.transports import soap, xmlrpc

from .conftest import BASE_URL, ClientFactory, Seeded

pytestmark = needs_samples


def sample(name: str) -> tuple[bytes, dict[str, str]]:
    """A sample's bytes and the ``key: value`` lines of its ``.source`` file."""
    meta: dict[str, str] = {}
    for line in (SAMPLES / f"{name}.source").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(": ")
        meta[key.strip()] = value.strip()
    return (SAMPLES / name).read_bytes(), meta


def view(body: bytes, status: int = 200, content_type: str = "", method: str = "") -> Any:
    result = flickrwire.decode(
        body, status=status, headers={"content-type": content_type}, method=method
    )
    return result.normalised()


def same_answer(ours: httpx.Response, name: str, *, method: str = "") -> bytes:
    """Check status, content type and normalised result against the sample; return it."""
    body, meta = sample(name)
    assert ours.status_code == int(meta.get("http-status", "200").split()[0])
    if "content-type" in meta:
        assert ours.headers["content-type"] == meta["content-type"]
    assert view(ours.content, ours.status_code, ours.headers["content-type"], method) == view(
        body, ours.status_code, meta.get("content-type", ""), method
    )
    return body


async def test_empty_success(
    client_for: ClientFactory, seeded: Seeded, raw: httpx.AsyncClient
) -> None:
    alice = client_for("rest", "xml", seeded.creds("alice"))
    request = alice.build_request(Call.build("flickr.groups.leave", {"group_id": TEST_GROUP}))
    ours = await raw.send(request)
    assert ours.content == same_answer(ours, "rest-xml-ok-empty.xml")


async def test_invalid_api_key(raw: httpx.AsyncClient) -> None:
    # Live request: GET ?api_key=doesnotexist&method=flickr.urls.lookupUser&url=...; we
    # serve no urls.lookupUser (it would be 112), so groups.getInfo stands in.
    query = {"api_key": "doesnotexist", "method": "flickr.groups.getInfo", "group_id": TEST_GROUP}
    ours = await raw.get("rest/", params=query)
    assert ours.content == same_answer(ours, "rest-xml-fail-code100-invalid-api-key.xml")


async def test_invalid_api_key_as_json(raw: httpx.AsyncClient) -> None:
    query = {"api_key": "doesnotexist", "method": "flickr.test.echo", "format": "json"}
    ours = await raw.get("rest/", params={**query, "nojsoncallback": "1"})
    body = same_answer(ours, "json-fail-code100-invalid-api-key.json")
    # Same fields, code a JSON number in both; the sample's spacing is a user's paste.
    assert ours.json() == httpx.Response(200, content=body).json()


async def test_required_parameter_missing(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    query = {"api_key": seeded.key, "method": "flickr.groups.getInfo"}
    ours = await raw.get("rest/", params=query)
    assert ours.content == same_answer(ours, "rest-xml-fail-code1-required-parameter-missing.xml")


async def test_leave_without_group_id_differs_only_in_message(
    client_for: ClientFactory, seeded: Seeded, raw: httpx.AsyncClient
) -> None:
    """groups.leave documents its own code-1 wording, "Required arguments missing"; the
    live sample (another method) says "Required parameter missing". Same code and layout."""
    bob = client_for("rest", "xml", seeded.creds("bob"))
    ours = await raw.send(bob.build_request(Call("flickr.groups.leave", {}, "POST")))
    body = same_answer(ours, "rest-xml-fail-code1-required-parameter-missing.xml")
    live = b'msg="Required parameter missing"'
    assert ours.content == body.replace(live, b'msg="Required arguments missing"')


async def test_insufficient_permissions(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    # The live request: flickr.test.null without a token.
    ours = await raw.get("rest/", params={"api_key": seeded.key, "method": "flickr.test.null"})
    name = "rest-xml-fail-code99-insufficient-permissions-none-granted.xml"
    assert ours.content == same_answer(ours, name)


async def test_invalid_auth_token(
    client_for: ClientFactory, seeded: Seeded, raw: httpx.AsyncClient
) -> None:
    creds = flickrwire.Credentials(
        seeded.key, seeded.secret, "72157000000000999-0f0f0f0f0f0f0f0f", "x"
    )
    client = client_for("rest", "xml", creds)
    ours = await raw.send(client.build_request(Call.build("flickr.test.login", {})))
    assert ours.content == same_answer(ours, "rest-xml-fail-code98-invalid-auth-token.xml")


def _sbs_parts(text: str) -> tuple[str, str, list[tuple[str, str]]]:
    problem, _, sbs = text.partition("&debug_sbs=")
    assert problem == "oauth_problem=signature_invalid"
    verb, url, params = sbs.split("&")
    return verb, unquote(url), parse_qsl(unquote(params))


async def test_bad_oauth_signature(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    # As recorded: bogus credentials, arguments and oauth_* parameters all in the query.
    token = seeded.token("alice")
    client = oauth1.Client(
        seeded.key,
        client_secret="bogus",
        resource_owner_key=token["token"],
        resource_owner_secret=token["secret"],
        signature_type=oauth1.SIGNATURE_TYPE_QUERY,
    )
    args = {"method": "flickr.groups.leave", "group_id": TEST_GROUP}
    uri, headers, _ = client.sign(BASE_URL + "rest/?" + urlencode(args), "POST")
    ours = await raw.post(uri, headers=headers)
    body = same_answer(ours, "oauth-401-signature-invalid-debug-sbs.txt")
    live_verb, live_url, live_params = _sbs_parts(body.decode())
    verb, url, params = _sbs_parts(ours.text)
    assert (verb, live_verb) == ("POST", "POST")
    assert url == BASE_URL + "rest/" and live_url == "https://api.flickr.com/services/rest/"
    names = [k for k, _ in params if k.startswith("oauth_")]
    assert names == [k for k, _ in live_params if k.startswith("oauth_")]
    assert [k for k, _ in params] == sorted(k for k, _ in params)  # sorted, as live


async def test_method_not_found(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    query = {"method": "flickr.photos.doesNotExist", "format": "json", "nojsoncallback": "1"}
    ours = await raw.get("rest/", params={**query, "api_key": seeded.key})
    body = same_answer(ours, "json-fail-code112-method-not-found.json")
    assert ours.json() == httpx.Response(200, content=body).json()  # message verbatim too


_TOKEN = re.compile(r"^\d{17}-[0-9a-f]{16}$")
_SECRET = re.compile(r"^[0-9a-f]{16}$")


def test_oauth_token_answers_have_flickrs_fields_and_token_shapes() -> None:
    from flickrwire.emulator.oauthflow import new_token

    for name in ("oauth-request-token-response.txt", "oauth-access-token-response.txt"):
        live = dict(parse_qsl(sample(name)[0].decode()))
        assert _TOKEN.match(live["oauth_token"]) and _SECRET.match(live["oauth_token_secret"])
    token, secret = new_token()
    assert _TOKEN.match(token) and _SECRET.match(secret)


def _shape(element: Any) -> Any:
    """Tag (local name) and attribute names of a tree, text ignored."""
    name = etree.QName(element).localname
    return (name, sorted(element.attrib), [_shape(child) for child in element])


@pytest.mark.parametrize(
    ("transport", "template", "build"),
    [
        (
            "xmlrpc",
            "doc-xmlrpc-fault-template.xml",
            lambda p: xmlrpc.method_call("flickr.test.login", p),
        ),
        (
            "soap",
            "doc-soap-fault-template.xml",
            lambda p: soap.flickr_request({"method": "flickr.test.login", **p}),
        ),
    ],
)
async def test_faults_follow_the_documented_layout(
    raw: httpx.AsyncClient, seeded: Seeded, transport: str, template: str, build: Any
) -> None:
    """Documentation templates, not recordings: the element layout of a fault."""
    ours = await raw.post(f"{transport}/", content=build({"api_key": seeded.key}))
    assert ours.content.startswith(b'<?xml version="1.0" encoding="utf-8" ?>\n')
    documented = etree.fromstring(sample(template)[0])
    assert _shape(etree.fromstring(ours.content)) == _shape(documented)
