"""Every fixture replays both ways, and the fixture store keeps secrets out.

Decoding a stored response gives its expected ``Result``; our request for the fixture's
call matches the stored one (nonce, timestamp and signature aside); a client on
``ReplayTransport`` gets the expected ``Result`` back; every documented case normalises
alike over all the pairs it exists for; no credential survives in any fixture file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest

from flickrwire import AsyncClient, Call, Client, Credentials, Signer, transports
from flickrwire.recording import replay as store
from flickrwire.recording.replay import REDACT_PARAMS, REDACTED

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures"
FIXTURES = store.load_dir(FIXTURE_DIR)
REQUESTED = [fx for fx in FIXTURES if fx.request is not None]
CALLED = [fx for fx in FIXTURES if fx.call is not None]
DOCUMENTED_CASES = sorted({fx.case for fx in FIXTURES if fx.case.startswith("groups.leave/")})

# The fake credentials, nonce and clock that tools/make_fixtures.py signs with.
FAKE = Credentials("fixture-key", "fixture-secret", "fixture-token", "fixture-token-secret")
FAKE_SECRETS = ("fixture-key", "fixture-secret", "fixture-token", "fixture-token-secret")
NONCE, CLOCK = "fixture-nonce", 1700000000
GROUP = "12345678@N00"
BASE_URL = "https://api.flickr.com/services/"
# sha256 of the real credentials found in the shared samples (the 401 debug_sbs consumer
# key and token, the api_key echoed by flickr.test.echo): hashed, so this file holds none.
REAL_SECRET_DIGESTS = frozenset(
    {
        "07cdd8fc9aca9e46e77c230fbadd9318ee30d4a726d9293c28d4d33170a1f7db",
        "39c80d93952152b5572bfe49e9ca7bb52ffd641625aae2f6c42f1ef70ab7aefa",
        "8a96128907f011f844d46d8d874e6e27d2c39542ca0dc344eb6db36d48356ca1",
    }
)
_CANDIDATE = re.compile(r"(?=([0-9a-f]{32}|\d{17}-[0-9a-f]{16}))")

GLOBAL_CODES = (95, 96, 97, 98, 99, 100, 105, 106, 111, 112, 114, 115, 116)
PAIRS = [(t, c) for t in ("rest", "xmlrpc", "soap") for c in ("json", "xml")]
SAMPLES = {
    "json-fail-code100-invalid-api-key",
    "json-fail-code105-site-disabled",
    "json-fail-code112-method-not-found",
    "json-fail-code201-service-not-available-trailing-comma",
    "json-ok-reflection-getMethodInfo-groups.leave",
    "jsonp-fail-code105-site-disabled",
    "oauth-401-signature-invalid-debug-sbs",
    "rest-xml-fail-code1-invalid-nsid",
    "rest-xml-fail-code1-photo-not-found-invalid-id",
    "rest-xml-fail-code1-photo-not-found",
    "rest-xml-fail-code1-required-parameter-missing",
    "rest-xml-fail-code100-flickr-sdk-fixture",
    "rest-xml-fail-code100-invalid-api-key",
    "rest-xml-fail-code2-permission-denied",
    "rest-xml-fail-code201-service-not-available",
    "rest-xml-fail-code5-user-deleted",
    "rest-xml-fail-code98-invalid-auth-token",
    "rest-xml-fail-code99-insufficient-permission-to-comment",
    "rest-xml-fail-code99-insufficient-permissions-none-granted",
    "rest-xml-ok-empty",
    "rest-xml-ok-urls-lookupUser",
    "soap-echo-x-FlickrResponse-wsfphp-expected-output",
    "upload-xml-fail-code8-filesize-too-large",
    "upload-xml-ok-photoid",
}


def _name(fixture: store.Fixture) -> str:
    return fixture.name


def _flickr_call(request: httpx.Request, transport: str) -> tuple[str, dict[str, str]]:
    """The Flickr method and params a request carries, credentials and nonces left out;
    a missing ``format`` is the transport's native one (Flickr's default)."""
    call = transports.get(transport).parse_request(request)
    params = {k: v for k, v in call.params.items() if not k.startswith("oauth_")}
    params = {k: v for k, v in params.items() if k not in REDACT_PARAMS}
    params.setdefault("format", transport)
    return call.method, params


# -- the set -----------------------------------------------------------------------------


def test_documented_matrix_covers_every_case_on_every_pair_it_exists_for() -> None:
    names = {fx.name for fx in FIXTURES if fx.case.startswith("groups.leave/")}
    wanted = set()
    for case in ["ok", "error-1", "error-2", "error-3", *(f"error-{c}" for c in GLOBAL_CODES)]:
        for transport, codec in PAIRS:
            if (case, transport) in {("error-114", "rest"), ("error-114", "xmlrpc")}:
                continue  # an unparsable SOAP envelope: SOAP only
            if (case, transport) in {("error-115", "rest"), ("error-115", "soap")}:
                continue  # an unparsable XML-RPC call: XML-RPC only
            wanted.add(f"groups.leave/{case}@{transport}-{codec}")
    assert names == wanted
    assert len(names) == 94


def test_every_shared_sample_that_is_an_api_answer_is_imported() -> None:
    assert {fx.name for fx in FIXTURES if not fx.case.startswith("groups.leave/")} == SAMPLES


def test_real_provenance_only_for_live_recordings() -> None:
    for fixture in FIXTURES:
        live = "recorded live" in fixture.provenance.note
        assert (fixture.provenance.kind == "real") == live, fixture.name
        if fixture.provenance.kind == "real":
            assert fixture.provenance.recorded, fixture.name


# -- (a) decoding ------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", FIXTURES, ids=_name)
def test_decoding_the_stored_response_gives_the_expected_result(fixture: store.Fixture) -> None:
    result = fixture.decode()
    assert result.expected_view() == dict(fixture.expected)
    assert (result.transport, result.codec) == (fixture.transport, fixture.codec)


# -- (b) our request matches the stored one --------------------------------------------


@pytest.mark.parametrize("fixture", REQUESTED, ids=_name)
def test_our_request_for_the_call_matches_the_stored_request(fixture: store.Fixture) -> None:
    assert fixture.call is not None and fixture.request is not None
    with Client(
        fixture.transport,
        fixture.codec,
        FAKE,
        signing=fixture.call.signing,
        nonce=lambda: NONCE,
        clock=lambda: CLOCK,
    ) as client:
        built = store.redact_request(client.build_request(fixture.call.to_call()))
    stored = fixture.request.as_httpx()
    assert built.method == stored.method
    assert (built.url.scheme, built.url.host, built.url.path) == (
        stored.url.scheme,
        stored.url.host,
        stored.url.path,
    )
    if "content-type" in fixture.request.headers:
        assert built.headers["content-type"] == fixture.request.headers["content-type"]
    assert _flickr_call(built, fixture.transport) == _flickr_call(stored, fixture.transport)
    if fixture.case.startswith("groups.leave/"):  # built by flickrwire: the same bytes
        assert str(built.url) == fixture.request.url
        assert built.content == fixture.request.body
        assert store.StoredRequest.from_httpx(built).headers == fixture.request.headers


# -- (c) replay round trip ---------------------------------------------------------------


def _client_options(fixture: store.Fixture) -> dict[str, Any]:
    assert fixture.call is not None
    # Another nonce and clock than the fixtures were signed with: they must not matter.
    return {"signing": fixture.call.signing, "nonce": lambda: "other", "clock": lambda: 1800000000}


@pytest.mark.parametrize("fixture", CALLED, ids=_name)
def test_client_on_replay_transport_gets_the_expected_result(fixture: store.Fixture) -> None:
    assert fixture.call is not None
    options = _client_options(fixture)
    with (
        httpx.Client(transport=store.ReplayTransport([fixture])) as http,
        Client(fixture.transport, fixture.codec, FAKE, http_client=http, **options) as client,
    ):
        result = client.send(fixture.call.to_call())
    assert result.expected_view() == dict(fixture.expected)


@pytest.mark.parametrize("fixture", CALLED, ids=_name)
async def test_async_client_on_replay_transport_gets_the_expected_result(
    fixture: store.Fixture,
) -> None:
    assert fixture.call is not None
    async with httpx.AsyncClient(transport=store.ReplayTransport([fixture])) as http:
        options = _client_options(fixture)
        client = AsyncClient(fixture.transport, fixture.codec, FAKE, http_client=http, **options)
        result = await client.send(fixture.call.to_call())
    assert result.expected_view() == dict(fixture.expected)


# -- (d) one case, one normalised result -------------------------------------------------


@pytest.mark.parametrize("case", DOCUMENTED_CASES)
def test_a_documented_case_normalises_alike_over_its_pairs(case: str) -> None:
    found = [fx for fx in FIXTURES if fx.case == case]
    views = {fx.pair: fx.decode().normalised() for fx in found}
    assert len(views) == (2 if case.endswith(("-114", "-115")) else 6)
    first = next(iter(views.values()))
    assert all(view == first for view in views.values()), views
    assert first["method"] == "flickr.groups.leave"


# -- (e) unmatched requests --------------------------------------------------------------


def _documented(case: str, pair: str = "rest-json") -> store.Fixture:
    return next(fx for fx in FIXTURES if fx.name == f"groups.leave/{case}@{pair}")


def _leave(replayer: store.ReplayTransport, group_id: str, transport: str = "rest") -> int | None:
    with (
        httpx.Client(transport=replayer) as http,
        Client(transport, "json", FAKE, http_client=http) as client,
    ):
        return client.groups.leave(group_id=group_id).code


def test_an_unmatched_request_raises_naming_the_call_and_no_secret() -> None:
    replayer = store.ReplayTransport([_documented("error-3")])
    with pytest.raises(store.UnmatchedRequestError, match="no fixture matches") as caught:
        _leave(replayer, "999@N00")
    message = str(caught.value)
    assert "POST /services/rest/ flickr.groups.leave(" in message
    assert "group_id=999@N00" in message
    assert "groups.leave/error-3@rest-json" in message  # the near miss is named
    assert not any(secret in message for secret in FAKE_SECRETS)


def test_another_transport_does_not_match() -> None:
    replayer = store.ReplayTransport([_documented("error-3", "rest-json")])
    with pytest.raises(store.UnmatchedRequestError, match=r"/services/soap/"):
        _leave(replayer, GROUP, transport="soap")


def test_once_replay_answers_in_order_then_says_already_played() -> None:
    replayer = store.ReplayTransport([_documented("error-2"), _documented("error-3")], once=True)
    assert _leave(replayer, GROUP) == 2
    assert _leave(replayer, GROUP) == 3
    with pytest.raises(store.UnmatchedRequestError, match="already played"):
        _leave(replayer, GROUP)


def test_default_replay_answers_repeatedly() -> None:
    replayer = store.ReplayTransport([_documented("error-3")])
    assert [_leave(replayer, GROUP) for _ in range(3)] == [3, 3, 3]


def test_the_http_method_takes_part_in_matching() -> None:
    fixture = next(fx for fx in FIXTURES if fx.name == "rest-xml-fail-code1-photo-not-found")
    assert fixture.call is not None
    post = Call(fixture.call.method, fixture.call.params, "POST")
    with (
        httpx.Client(transport=store.ReplayTransport([fixture])) as http,
        Client("rest", "xml", FAKE, http_client=http) as client,
        pytest.raises(store.UnmatchedRequestError, match="POST /services/rest/"),
    ):
        client.send(post)


def test_an_unparsable_request_is_reported_as_such() -> None:
    replayer = store.ReplayTransport([_documented("ok")])
    with (
        httpx.Client(transport=replayer) as http,
        pytest.raises(store.UnmatchedRequestError, match="unparsed request"),
    ):
        http.post("https://api.flickr.com/services/rest/", content=b"no method here")


# -- (f) secrets -------------------------------------------------------------------------


def _fixture_texts() -> list[tuple[Path, str]]:
    paths = sorted(path for path in FIXTURE_DIR.rglob("*") if path.is_file())
    return [(path, path.read_text(encoding="utf-8")) for path in paths]


def _signatures() -> set[str]:
    """Every signature the fake credentials make for the documented calls."""
    found = set()
    for fixture in REQUESTED:
        assert fixture.call is not None
        if fixture.call.signing not in ("oauth", "legacy"):
            continue
        signer = Signer(FAKE, fixture.call.signing, nonce=lambda: NONCE, clock=lambda: CLOCK)
        transport = transports.get(fixture.transport)
        request = transport.build_request(fixture.call.to_call(), fixture.codec, signer, BASE_URL)
        params = _secret_params(request, fixture.transport)
        found.update(params.get(name, "") for name in ("oauth_signature", "api_sig"))
    found.discard("")
    return found


def _secret_params(request: httpx.Request, transport: str) -> dict[str, str]:
    params = dict(transports.get(transport).parse_request(request).params)
    header = request.headers.get("authorization", "")
    params.update((k, unquote(v)) for k, v in re.findall(r'(\w+)="([^"]*)"', header))
    return {k: v for k, v in params.items() if k in REDACT_PARAMS}


def test_no_fake_credential_or_signature_survives_in_any_fixture_file() -> None:
    signatures = _signatures()
    assert len(signatures) >= 6  # oauth and legacy, over three transports
    forms = {s for value in signatures for s in (value, quote(value, safe=""))}
    for path, text in _fixture_texts():
        for secret in (*FAKE_SECRETS, NONCE, *forms):
            assert secret not in text, f"{secret!r} found in {path}"


def test_no_real_credential_from_the_samples_survives_in_any_fixture_file() -> None:
    for path, text in _fixture_texts():
        for match in _CANDIDATE.finditer(text):
            digest = hashlib.sha256(match.group(1).encode()).hexdigest()
            assert digest not in REAL_SECRET_DIGESTS, f"a real credential in {path}"


@pytest.mark.parametrize("fixture", REQUESTED, ids=_name)
def test_every_credential_param_of_a_stored_request_is_redacted(fixture: store.Fixture) -> None:
    assert fixture.request is not None
    params = _secret_params(fixture.request.as_httpx(), fixture.transport)
    assert all(value == REDACTED for value in params.values()), params
    if fixture.case.startswith("groups.leave/") and fixture.call and fixture.call.signing != "key":
        assert params, "a signed request must show its (redacted) credentials"


def test_redacted_fixture_files_are_the_ones_the_store_writes() -> None:
    for fixture in FIXTURES:
        assert fixture.path is not None
        assert store.dumps(fixture) == fixture.path.read_text(encoding="utf-8")
        assert replace(fixture, path=None) == store.load(fixture.path)


# -- redaction, per transport -------------------------------------------------------------


def _signed(transport: str, signing: str, http_method: str = "POST") -> httpx.Request:
    signer = Signer(FAKE, signing, nonce=lambda: NONCE, clock=lambda: CLOCK)  # type: ignore[arg-type]
    call = Call("flickr.groups.leave", {"group_id": GROUP, "delete_photos": "1"}, http_method)
    return transports.get(transport).build_request(call, "json", signer, BASE_URL)


@pytest.mark.parametrize("signing", ["oauth", "legacy"])
@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_redaction_leaves_no_secret_in_the_stored_fixture_text(
    transport: str, signing: str
) -> None:
    request = _signed(transport, signing)
    carried = _secret_params(request, transport)
    signature = carried["oauth_signature" if signing == "oauth" else "api_sig"]
    fixture = replace(
        _documented("ok"), transport=transport, request=store.StoredRequest.from_httpx(request)
    )
    text = store.dumps(fixture)
    for secret in (*FAKE_SECRETS, NONCE, str(CLOCK), signature, quote(signature, safe="")):
        assert secret not in text
    stored = fixture.request.as_httpx()  # type: ignore[union-attr]
    assert set(_secret_params(stored, transport).values()) == {REDACTED}
    assert _secret_params(stored, transport).keys() == carried.keys()
    call = transports.get(transport).parse_request(stored)
    assert (call.method, call.params["group_id"], call.params["delete_photos"]) == (
        "flickr.groups.leave",
        GROUP,
        "1",
    )


def test_redaction_of_a_query_keeps_every_other_byte() -> None:
    url = (
        "https://api.flickr.com/services/rest/?api_key=doesnotexist&method=flickr.urls.lookupUser"
        "&url=https%3A//www.flickr.com/photos/flickr/&api_sig=abcdef0123"
    )
    redacted = store.redact_request(httpx.Request("GET", url))
    assert str(redacted.url) == (
        "https://api.flickr.com/services/rest/?api_key=REDACTED&method=flickr.urls.lookupUser"
        "&url=https%3A//www.flickr.com/photos/flickr/&api_sig=REDACTED"
    )


def test_rest_get_with_legacy_signature_is_redacted_in_the_query() -> None:
    request = _signed("rest", "legacy", http_method="GET")
    redacted = store.redact_request(request)
    assert "fixture-key" in str(request.url)
    query = dict(httpx.QueryParams(redacted.url.query.decode()))
    assert (query["api_key"], query["auth_token"], query["api_sig"]) == (REDACTED,) * 3
    assert query["group_id"] == GROUP


def test_redaction_fails_closed_when_a_secret_hides_where_it_cannot_reach() -> None:
    body = (
        b"<methodCall><methodName>flickr.groups.leave</methodName><params><param><value><struct>"
        b"<member><name>api_key</name><value><string><![CDATA[fixture-key]]></string></value>"
        b"</member></struct></value></param></params></methodCall>"
    )
    request = httpx.Request("POST", BASE_URL + "xmlrpc/", content=body)
    with pytest.raises(store.RedactionError, match="api_key") as caught:
        store.redact_request(request)
    assert "fixture-key" not in str(caught.value)


def test_redact_body_removes_credentials_echoed_in_a_response() -> None:
    sbs = (
        b"oauth_problem=signature_invalid&debug_sbs=POST&https%3A%2F%2Fapi.flickr.com%2Fservices"
        b"%2Frest%2F&method%3Dflickr.test.login%26oauth_consumer_key%3Dfixture-key%26oauth_nonce"
        b"%3Dabc%26oauth_token%3Dfixture-token%26oauth_version%3D1.0"
    )
    redacted = store.redact_body(sbs)
    assert b"fixture-" not in redacted
    assert redacted.startswith(b"oauth_problem=signature_invalid&debug_sbs=POST&")
    assert (
        b"oauth_consumer_key%3DREDACTED%26oauth_nonce%3DREDACTED%26oauth_token%3DREDACTED%26"
        in (redacted)
    )
    echo = b"<x:FlickrResponse>&lt;api_key&gt;fixture-key&lt;/api_key&gt;</x:FlickrResponse>"
    assert store.redact_body(echo) == echo.replace(b"fixture-key", b"REDACTED")


# -- reading and writing ------------------------------------------------------------------


def test_a_body_that_is_not_utf8_is_stored_as_base64_and_read_back(tmp_path: Path) -> None:
    body = (
        '<?xml version="1.0" encoding="iso-8859-1" ?>\n<rsp stat="fail">\n'
        '\t<err code="1" msg="Gr\xfcppe" />\n</rsp>\n'
    ).encode("latin-1")
    fixture = replace(
        _documented("error-1", "rest-xml"),
        response=store.StoredResponse(200, {"content-type": "text/xml"}, body),
        expected={**_documented("error-1", "rest-xml").expected, "message": "Gr\xfcppe"},
    )
    store.dump(fixture, tmp_path / "latin.json")
    assert '"body_base64"' in (tmp_path / "latin.json").read_text(encoding="utf-8")
    loaded = store.load(tmp_path / "latin.json")
    assert loaded.response.body == body
    assert loaded.decode().expected_view() == dict(loaded.expected)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"format": "flickrwire-fixture/0"}, "format is 'flickrwire-fixture/0'"),
        ({"expected": {"ok": True}}, "expected must have exactly the keys"),
        ({"provenance": {"kind": "guessed", "source": "", "recorded": None, "note": ""}}, "kind"),
        ({"response": {"status": 200, "headers": {}}}, "malformed fixture"),
    ],
)
def test_a_malformed_fixture_file_is_refused_naming_the_file(
    tmp_path: Path, change: dict[str, Any], error: str
) -> None:
    data = {**_documented("ok").to_dict(), **change}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(store.FixtureError, match=error) as caught:
        store.load(path)
    assert str(path) in str(caught.value)


def test_load_dir_is_recursive_and_sorted(tmp_path: Path) -> None:
    for relative in ("b/two.json", "a/one.json", "c.json"):
        store.dump(replace(_documented("ok"), name=relative), tmp_path / relative)
    (tmp_path / "README.md").write_text("not a fixture", encoding="utf-8")
    assert [fx.name for fx in store.load_dir(tmp_path)] == ["a/one.json", "b/two.json", "c.json"]
