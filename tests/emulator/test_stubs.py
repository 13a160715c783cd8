"""Stubs (seed files and the admin API) overriding a method's example or semantics, raw
bodies from stubs and fault rules, and ``public_url`` for clients that sign for Flickr's
own URL."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from oauthlib import oauth1

import flickrwire
from flickrwire.emulator import EmulatorConfig, StubError, create_app
from flickrwire.emulator.seed import SeedError, default_seed, load_seed_file

from .conftest import BASE_URL, PAIRS, Seeded

PHOTO = {"photo": {"id": "1", "secret": "abc", "title": {"_content": "stubbed"}}}
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "flickr-samples"
#: Flickr's own 105 as its July 2013 mail gave it: the code is a JSON string.
REAL_105 = (
    '{ "stat": "fail", "code": "105", "message": "Service currently unavailable (Site Disabled)" }'
)

Make = Callable[..., flickrwire.AsyncClient]


@pytest.fixture
async def made() -> AsyncIterator[Callable[..., tuple[Any, Make]]]:
    opened: list[httpx.AsyncClient] = []

    def make_app(**options: Any) -> tuple[Any, Make]:
        app = create_app(admin=True, **options)

        def client(
            transport: str = "rest", codec: str = "json", creds: Any = None, **kw: Any
        ) -> Any:
            http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
            opened.append(http)
            return flickrwire.AsyncClient(
                transport, codec, creds, http_client=http, base_url=BASE_URL
            )

        return app, client

    yield make_app
    for http in opened:
        await http.aclose()


def admin(app: Any) -> httpx.AsyncClient:
    """A client for the app, the admin API's token in its headers."""
    token = app.state.emulator.admin_token
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://127.0.0.1",
        headers={"authorization": f"Bearer {token}"},
    )


@pytest.mark.parametrize(("transport", "codec"), PAIRS)
async def test_a_payload_stub_is_answered_in_every_protocol_and_format(
    made: Any, seeded: Seeded, transport: str, codec: str
) -> None:
    stub = {"method": "flickr.photos.getInfo", "args": {"photo_id": "1"}, "payload": PHOTO}
    _, client = made(stubs=[stub])
    result = await client(transport, codec, seeded.key_only()).call(
        "flickr.photos.getInfo", photo_id="1"
    )
    assert result.ok and result.normalised()["payload"] == {
        "photo": {"id": "1", "secret": "abc", "title": {"_content": "stubbed"}}
    }
    # Another photo id does not match: the documented example answers.
    other = await client(transport, codec, seeded.key_only()).call(
        "flickr.photos.getInfo", photo_id="2"
    )
    assert other.ok and other.payload["photo"]["id"] != "1"


async def test_matchers_and_the_last_added_stub_wins(made: Any, seeded: Seeded) -> None:
    stubs = [
        {"id": "any", "method": "flickr.photos.search", "payload": {"photos": {"page": 1}}},
        {
            "id": "cats",
            "method": "flickr.photos.search",
            "args": {"text": {"matches": "cats?"}, "page": {"absent": True}},
            "error": {"code": 3, "message": "No cats here"},
        },
    ]
    _, client = made(stubs=stubs)
    c = client("rest", "xml", seeded.key_only())
    refused = await c.call("flickr.photos.search", text="cats")
    assert (refused.code, refused.fault and refused.fault.message) == (3, "No cats here")
    assert (await c.call("flickr.photos.search", text="cats", page=2)).payload == {
        "photos": {"page": "1"}
    }
    assert (await c.call("flickr.photos.search", text="dogs")).ok


async def test_an_error_stub_takes_the_documented_message(made: Any, seeded: Seeded) -> None:
    _, client = made(stubs=[{"method": "flickr.groups.join", "error": {"code": 4}}])
    result = await client("soap", "xml", seeded.creds("erin")).call(
        "flickr.groups.join", group_id="x"
    )
    # The stub answers after the checks: Erin's read token is refused first.
    assert result.code == 99
    bob = await client("soap", "xml", seeded.creds("bob")).call("flickr.groups.join", group_id="x")
    assert (bob.code, bob.fault and bob.fault.message) == (4, "Account is already in that group")


async def test_a_raw_stub_is_sent_verbatim(made: Any, seeded: Seeded) -> None:
    raw = {"body": REAL_105, "content_type": "application/json", "status": 200}
    app, _ = made(stubs=[{"method": "flickr.test.echo", "raw": raw}])
    async with admin(app) as http:
        response = await http.get(
            "/services/rest/", params={"method": "flickr.test.echo", "api_key": seeded.key}
        )
    assert response.content == REAL_105.encode()
    assert response.headers["content-type"] == "application/json"
    decoded = flickrwire.decode(response.content, transport="rest", codec="json")
    assert (decoded.code, decoded.fault and decoded.fault.retryable) == (105, True)


async def test_stubs_from_the_admin_api(made: Any, seeded: Seeded) -> None:
    app, client = made()
    c = client("rest", "json", seeded.key_only())
    async with admin(app) as http:
        added = await http.post(
            "/_admin/stubs", json={"id": "p", "method": "flickr.photos.getInfo", "payload": PHOTO}
        )
        assert added.status_code == 201 and added.json()["added"][0]["id"] == "p"
        assert (await c.call("flickr.photos.getInfo", photo_id="9")).payload["photo"]["id"] == "1"
        assert (await http.get("/_admin/stubs")).json()["stubs"][0]["method"] == (
            "flickr.photos.getInfo"
        )
        assert (await http.delete("/_admin/stubs/p")).json() == {"removed": "p"}
        assert (await http.delete("/_admin/stubs/p")).status_code == 404
        bad = await http.post("/_admin/stubs", json={"method": "flickr.test.echo", "payload": 1})
        assert bad.status_code == 400
        assert bad.json()["error"].startswith("stubs[0].payload: expected an object")
        assert (await http.put("/_admin/stubs", json=[])).json() == {"stubs": []}
    assert (await c.call("flickr.photos.getInfo", photo_id="9")).payload["photo"]["id"] != "1"


@pytest.mark.parametrize(
    ("stub", "field"),
    [
        ({"payload": {}}, "stubs[0].method"),
        ({"method": "flickr.test.echo"}, "stubs[0]: give exactly one of payload, error, raw"),
        ({"method": "m", "error": {"code": "105"}}, "stubs[0].error.code"),
        ({"method": "m", "raw": {"status": 200}}, "stubs[0].raw.body"),
        ({"method": "m", "raw": {"body": "", "status": 700}}, "stubs[0].raw.status"),
        (
            {"method": "m", "payload": {}, "args": {"a": {"matches": "("}}},
            "stubs[0].args.a.matches",
        ),
        ({"method": "m", "payload": {}, "args": {"a": {"like": "x"}}}, "stubs[0].args.a.like"),
        ({"method": "m", "payload": {}, "transport": "ftp"}, "stubs[0].transport"),
        ({"method": "m", "payload": {}, "colour": "red"}, "stubs[0].colour"),
        ({"method": "m", "payload": {"a b": "1"}}, "stubs[0].payload.a b"),
        ({"method": "m", "payload": {"a": [{"b": None}]}}, "stubs[0].payload.a[0].b"),
    ],
)
def test_a_seed_file_with_a_bad_stub_is_refused_naming_the_field(
    tmp_path: Path, stub: dict[str, Any], field: str
) -> None:
    seed = {**default_seed(), "stubs": [stub]}
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    with pytest.raises(SeedError) as refused:
        load_seed_file(path)
    assert str(refused.value).startswith(field)
    with pytest.raises(StubError):
        create_app(stubs=[stub])


async def test_a_seed_file_carries_stubs(made: Any, seeded: Seeded, tmp_path: Path) -> None:
    seed = {**default_seed(), "stubs": [{"method": "flickr.photos.getInfo", "payload": PHOTO}]}
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    _, client = made(seed=path)
    result = await client("xmlrpc", "xml", seeded.key_only()).call(
        "flickr.photos.getInfo", photo_id="5"
    )
    assert result.payload["photo"]["title"] == {"_content": "stubbed"}


async def test_a_raw_fault_rule_gives_flickrs_real_105_verbatim(made: Any, seeded: Seeded) -> None:
    app, client = made()
    body = (SAMPLES / "jsonp-fail-code105-site-disabled.js").read_bytes()
    async with admin(app) as http:
        rule = {"method": "flickr.test.echo", "action": "raw", "params": {"body": body.decode()}}
        rule["params"]["content_type"] = "text/javascript; charset=utf-8"
        assert (await http.post("/_admin/faults", json=rule)).status_code == 201
        response = await http.get(
            "/services/rest/",
            params={"method": "flickr.test.echo", "api_key": seeded.key, "format": "json"},
        )
    assert response.content == body
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    result = await client("rest", "json", seeded.key_only()).call("flickr.test.echo")
    assert result.code == 105 and result.fault is not None and result.fault.retryable


class Rewrite(httpx.AsyncBaseTransport):
    """Sends requests signed for Flickr's URL to the emulator on another host."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=8080)
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
async def test_public_url_lets_signatures_for_flickrs_url_verify(
    seeded: Seeded, transport: str
) -> None:
    for public, expected in ((None, 401), ("https://api.flickr.com/services/", 200)):
        app = create_app(public_url=public)
        async with httpx.AsyncClient(transport=Rewrite(app)) as http:
            client = flickrwire.AsyncClient(
                transport, "json", seeded.creds("bob"), http_client=http, base_url=BASE_URL
            )
            result = await client.call("flickr.test.login")
        assert result.http_status == expected, (public, result)
        assert result.ok == (expected == 200)


@pytest.mark.parametrize(
    ("given", "base"),
    [
        ("https://api.flickr.com", "https://api.flickr.com/services/"),
        ("https://api.flickr.com/services", "https://api.flickr.com/services/"),
        ("http://127.0.0.1:8080/services/", "http://127.0.0.1:8080/services/"),
    ],
)
def test_a_public_url_is_a_base_url(given: str, base: str) -> None:
    assert EmulatorConfig(public_urls=(given,)).public_urls == (base,)


@pytest.mark.parametrize("bad", ["ftp://api.flickr.com/", "api.flickr.com", "https://"])
def test_a_bad_public_url_is_refused_in_one_line(bad: str) -> None:
    with pytest.raises(ValueError, match="a public URL must be http"):
        create_app(public_url=bad)


async def test_public_url_covers_the_oauth_endpoints(seeded: Seeded) -> None:
    signer = oauth1.Client(seeded.key, client_secret=seeded.secret, callback_uri="oob")
    url, headers, _ = signer.sign("https://www.flickr.com/services/oauth/request_token", "POST")
    for public, expected in ((None, 401), ("https://www.flickr.com/services/", 200)):
        app = create_app(public_url=public)
        async with httpx.AsyncClient(transport=Rewrite(app)) as http:
            answer = await http.post(url, headers=headers)
        assert answer.status_code == expected, answer.text
    assert "oauth_callback_confirmed=true" in answer.text
