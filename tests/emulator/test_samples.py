"""Every real Flickr answer in ``fixtures/samples`` (imported from the shared samples, with
their provenance) that the emulator can give is reproduced for its own method: the same
HTTP status, content type and body shape (for XML: elements and attributes; for JSON:
keys and values; for the OAuth 401: the problem and the shape of ``debug_sbs``).

Not reproducible, and so left out: method-specific refusals that need state the samples
do not describe (photo not found, user deleted, permission to comment, pool permission),
the hand-written 201 cassettes, documentation templates, and successful answers of
methods served from their documented example.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import httpx
import pytest
from lxml import etree
from oauthlib import oauth1

from flickrwire.emulator import create_app
from flickrwire.emulator.seed import DEFAULT_SEED

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"
KEY = DEFAULT_SEED["api_keys"][0]["key"]
SECRET = DEFAULT_SEED["api_keys"][0]["secret"]
TOKEN = DEFAULT_SEED["tokens"][0]
REST = "https://api.flickr.com/services/rest/"
JSON_ASKED = {"format": "json", "nojsoncallback": "1"}
INJECTED = [
    ("json-fail-code105-site-disabled", "flickr.photos.getRecent", "application/json"),
    ("jsonp-fail-code105-site-disabled", "flickr.interestingness.getList", "text/javascript"),
]


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # Flickr's real 105 needs injecting: a raw fault rule carrying the recorded body.
    rules = [
        {
            "method": method,
            "action": "raw",
            "params": {"body": sample(name)["response"]["body"], "content_type": kind},
        }
        for name, method, kind in INJECTED
    ]
    app = create_app(faults=rules)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.flickr.com") as c:
        yield c


def xml_shape(body: bytes) -> Any:
    def walk(element: Any) -> Any:
        text = (element.text or "").strip()
        return (element.tag, dict(element.attrib), text, [walk(child) for child in element])

    return walk(etree.fromstring(body))


def same_shape(answer: httpx.Response, recorded: dict[str, Any]) -> None:
    response = recorded["response"]
    assert answer.status_code == response["status"]
    expected_type = response["headers"].get("content-type")
    if expected_type is not None:
        assert answer.headers["content-type"] == expected_type
    body = response["body"].encode("utf-8")
    if body.lstrip().startswith(b"<"):
        assert xml_shape(answer.content) == xml_shape(body)
    else:
        assert json.loads(answer.content) == json.loads(body)


def oauth_signed(params: dict[str, str], token: str, *, query: bool, bogus: bool) -> Any:
    client = oauth1.Client(
        KEY,
        client_secret="bogus" if bogus else SECRET,
        resource_owner_key=token,
        resource_owner_secret="bogus" if bogus else TOKEN["secret"],
        signature_type=oauth1.SIGNATURE_TYPE_QUERY if query else oauth1.SIGNATURE_TYPE_AUTH_HEADER,
    )
    url = str(httpx.URL(REST, params=params))
    return client.sign(url, "POST")


async def test_a_malformed_key_is_100(http: httpx.AsyncClient) -> None:
    recorded = sample("rest-xml-fail-code100-invalid-api-key")
    params = {"api_key": "doesnotexist", **recorded["call"]["params"]}
    answer = await http.get(
        "/services/rest/", params={"method": "flickr.urls.lookupUser", **params}
    )
    same_shape(answer, recorded)


async def test_a_malformed_key_is_100_in_json(http: httpx.AsyncClient) -> None:
    params = {"method": "flickr.photos.search", "api_key": "x", **JSON_ASKED}
    same_shape(
        await http.get("/services/rest/", params=params),
        sample("json-fail-code100-invalid-api-key"),
    )


async def test_an_unknown_method_is_112_in_json(http: httpx.AsyncClient) -> None:
    params = {"method": "flickr.photos.doesNotExist", "api_key": KEY, **JSON_ASKED}
    answer = await http.post("/services/rest/", data=params)
    same_shape(answer, sample("json-fail-code112-method-not-found"))


async def test_no_token_for_a_read_method_is_99(http: httpx.AsyncClient) -> None:
    answer = await http.get(
        "/services/rest/", params={"method": "flickr.test.null", "api_key": KEY}
    )
    same_shape(answer, sample("rest-xml-fail-code99-insufficient-permissions-none-granted"))


async def test_a_missing_argument_is_1(http: httpx.AsyncClient) -> None:
    params = {"method": "flickr.galleries.getListForPhoto", "api_key": KEY}
    answer = await http.get("/services/rest/", params=params)
    same_shape(answer, sample("rest-xml-fail-code1-required-parameter-missing"))


async def test_an_unknown_token_is_98(http: httpx.AsyncClient) -> None:
    params = {"method": "flickr.photos.getInfo", "photo_id": "1"}
    url, headers, _ = oauth_signed(
        params, "72157720901211946-463449c73d8a9f2d", query=False, bogus=False
    )
    answer = await http.post(url, headers=headers)
    recorded = sample("rest-xml-fail-code98-invalid-auth-token")
    recorded["response"]["headers"]["content-type"] = (
        "text/xml; charset=utf-8"  # as for all REST XML
    )
    same_shape(answer, recorded)


async def test_a_bad_signature_is_the_oauth_401_with_flickrs_base_string(
    http: httpx.AsyncClient,
) -> None:
    recorded = sample("oauth-401-signature-invalid-debug-sbs")
    params = {"method": "flickr.photos.comments.addComment", **recorded["call"]["params"]}
    url, headers, _ = oauth_signed(params, TOKEN["token"], query=True, bogus=True)
    answer = await http.post(url, headers=headers)
    response = recorded["response"]
    assert answer.status_code == response["status"] == 401
    assert answer.headers["content-type"] == response["headers"]["content-type"]

    def parts(body: str) -> tuple[str, str, str, list[str]]:
        problem, _, sbs = body.partition("&debug_sbs=")
        verb, url, params = sbs.split("&", 2)
        names = [name for name, _ in parse_qsl(unquote(params))]
        return problem, verb, url, names

    assert parts(answer.text) == parts(response["body"])


@pytest.mark.parametrize(("name", "method", "kind"), INJECTED)
async def test_flickrs_105_by_injection_is_verbatim(
    http: httpx.AsyncClient, name: str, method: str, kind: str
) -> None:
    params = {"method": method, "api_key": KEY, **JSON_ASKED}
    answer = await http.get("/services/rest/", params=params)
    body = sample(name)["response"]["body"]
    assert answer.content == body.encode() and answer.headers["content-type"] == kind
    document = body[body.index("{") : body.rindex("}") + 1]
    assert json.loads(document)["code"] == "105"  # a string, as Flickr sent it
