"""Authentication: requests signed independently with plain oauthlib (not flickrwire's
client) pass on every protocol and placement; tampered ones get Flickr's 401 with the
base string we computed; replays, stale timestamps, unknown keys and tokens, missing
signatures and the legacy ``api_sig`` each get their Flickr error."""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode
from xml.sax.saxutils import escape

import httpx
import pytest
from oauthlib import oauth1
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

import flickrwire
from flickrwire.emulator.seed import TEST_GROUP, default_seed

from .conftest import BASE_URL, ClientFactory, Seeded

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LOGIN = {"method": "flickr.test.login", "format": "json", "nojsoncallback": "1"}


def signer(seeded: Seeded, user: str | None = "alice", **options: Any) -> oauth1.Client:
    token = seeded.token(user) if user else {"token": None, "secret": None}
    return oauth1.Client(
        seeded.key,
        client_secret=options.pop("client_secret", seeded.secret),
        resource_owner_key=token["token"],
        resource_owner_secret=options.pop("token_secret", token["secret"]),
        **options,
    )


def decoded(response: httpx.Response, transport: str = "rest") -> flickrwire.Result:
    return flickrwire.decode(
        response.content,
        transport=transport,
        codec="json",
        status=response.status_code,
        headers=response.headers,
        method="flickr.test.login",
    )


def base_string_of(url: str, params: list[tuple[str, str]]) -> str:
    """The base string oauthlib's own functions give for what was sent."""
    kept = [(k, v) for k, v in params if k != "oauth_signature"]
    normalized = oauth_signature.normalize_parameters(kept)
    return str(
        oauth_signature.signature_base_string(
            "POST", oauth_signature.base_string_uri(url), normalized
        )
    )


def xmlrpc_body(params: list[tuple[str, str]]) -> bytes:
    method = next(v for k, v in params if k == "method")
    members = "".join(
        f"<member><name>{escape(k)}</name><value><string>{escape(v)}</string></value></member>"
        for k, v in params
        if k != "method"
    )
    return (
        f"<methodCall><methodName>{method}</methodName><params><param><value><struct>"
        f"{members}</struct></value></param></params></methodCall>"
    ).encode()


def soap_body(params: list[tuple[str, str]]) -> bytes:
    children = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in params)
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>'
        f'<x:FlickrRequest xmlns:x="urn:flickr">{children}</x:FlickrRequest>'
        "</s:Body></s:Envelope>"
    ).encode()


def signed_form(client: oauth1.Client, url: str, params: dict[str, str]) -> list[tuple[str, str]]:
    """Every parameter, ``oauth_*`` included, as oauthlib signs a form POST to ``url``."""
    client.signature_type = oauth1.SIGNATURE_TYPE_BODY
    _, _, body = client.sign(url, "POST", urlencode(params), FORM)
    return parse_qsl(body, keep_blank_values=True)


# -- independently signed requests pass ----------------------------------------------


@pytest.mark.parametrize(
    "placement",
    [oauth1.SIGNATURE_TYPE_AUTH_HEADER, oauth1.SIGNATURE_TYPE_BODY, oauth1.SIGNATURE_TYPE_QUERY],
)
async def test_rest_post_signed_by_oauthlib(
    raw: httpx.AsyncClient, seeded: Seeded, placement: str
) -> None:
    client = signer(seeded, signature_type=placement)
    uri, headers, body = client.sign(BASE_URL + "rest/", "POST", urlencode(LOGIN), FORM)
    response = await raw.post(uri, content=body, headers=headers)
    assert response.status_code == 200
    assert decoded(response).payload["user"]["username"] == {"_content": "alice"}


async def test_rest_get_signed_in_the_query(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    client = signer(seeded, "erin", signature_type=oauth1.SIGNATURE_TYPE_QUERY)
    uri, headers, _ = client.sign(BASE_URL + "rest/?" + urlencode(LOGIN), "GET")
    response = await raw.get(uri, headers=headers)
    assert decoded(response).payload["user"]["id"] == seeded.nsid["erin"]


@pytest.mark.parametrize(("transport", "build"), [("xmlrpc", xmlrpc_body), ("soap", soap_body)])
async def test_xmlrpc_and_soap_signed_by_oauthlib(
    raw: httpx.AsyncClient, seeded: Seeded, transport: str, build: Any
) -> None:
    # Signed as a form POST to the endpoint's URL; the oauth_* values travel as struct
    # members / FlickrRequest children (DESIGN.md section 4).
    params = signed_form(signer(seeded, "bob"), BASE_URL + f"{transport}/", LOGIN)
    response = await raw.post(f"{transport}/", content=build(params))
    assert decoded(response, transport).payload["user"]["id"] == seeded.nsid["bob"]


async def test_soap_with_oauth_in_the_authorization_header(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    client = signer(seeded, "carol", signature_type=oauth1.SIGNATURE_TYPE_AUTH_HEADER)
    _, headers, _ = client.sign(BASE_URL + "soap/", "POST", urlencode(LOGIN), FORM)
    body = soap_body(list(LOGIN.items()))
    response = await raw.post(
        "soap/", content=body, headers={"Authorization": headers["Authorization"]}
    )
    assert decoded(response, "soap").payload["user"]["id"] == seeded.nsid["carol"]


# -- tampered requests get Flickr's 401 --------------------------------------------------


async def test_a_changed_argument_gets_401_with_our_base_string(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    url = BASE_URL + "rest/"
    params = {"method": "flickr.groups.leave", "group_id": TEST_GROUP, "format": "rest"}
    _, headers, body = signer(seeded).sign(url, "POST", urlencode(params), FORM)
    tampered = body.replace("30000001", "30000002")
    response = await raw.post(url, content=tampered, headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "text/plain;charset=UTF-8"
    problem, _, sbs = response.text.partition("&debug_sbs=")
    assert problem == "oauth_problem=signature_invalid"
    sent = parse_qsl(tampered) + oauth_signature.collect_parameters(headers=headers)
    assert sbs == base_string_of(url, sent)
    result = decoded(response)
    assert (result.code, result.http_status, result.fault and result.fault.origin) == (
        96,
        401,
        "auth",
    )
    assert seeded.token("alice")["secret"] not in response.text


@pytest.mark.parametrize(
    "options",
    [{"client_secret": "0000000000000000"}, {"token_secret": "0000000000000000"}],
    ids=["wrong-consumer-secret", "wrong-token-secret"],
)
async def test_a_wrong_secret_gets_401(
    raw: httpx.AsyncClient, seeded: Seeded, options: dict[str, str]
) -> None:
    uri, headers, body = signer(seeded, **options).sign(
        BASE_URL + "rest/", "POST", urlencode(LOGIN), FORM
    )
    response = await raw.post(uri, content=body, headers=headers)
    assert response.status_code == 401
    assert response.text.startswith("oauth_problem=signature_invalid&debug_sbs=POST&")


@pytest.mark.parametrize(("transport", "build"), [("xmlrpc", xmlrpc_body), ("soap", soap_body)])
async def test_a_tampered_member_gets_401(
    raw: httpx.AsyncClient, seeded: Seeded, transport: str, build: Any
) -> None:
    params = signed_form(signer(seeded), BASE_URL + f"{transport}/", {**LOGIN, "name": "x"})
    tampered = [(k, "y" if k == "name" else v) for k, v in params]
    response = await raw.post(f"{transport}/", content=build(tampered))
    assert response.status_code == 401
    assert response.text.partition("&debug_sbs=")[2] == base_string_of(
        BASE_URL + f"{transport}/", tampered
    )


async def test_a_forged_signature_gets_401(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    params = signed_form(signer(seeded), BASE_URL + "rest/", LOGIN)
    forged = [
        (k, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" if k == "oauth_signature" else v) for k, v in params
    ]
    response = await raw.post("rest/", content=urlencode(forged), headers=FORM)
    assert response.status_code == 401 and "signature_invalid" in response.text


async def test_a_replayed_request_is_refused(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    uri, headers, body = signer(seeded).sign(BASE_URL + "rest/", "POST", urlencode(LOGIN), FORM)
    first = await raw.post(uri, content=body, headers=headers)
    again = await raw.post(uri, content=body, headers=headers)
    assert decoded(first).ok
    assert (again.status_code, again.text) == (401, "oauth_problem=nonce_used")


async def test_a_stale_timestamp_is_refused(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    stale = str(int(time.time()) - 3600)
    uri, headers, body = signer(seeded, timestamp=stale).sign(
        BASE_URL + "rest/", "POST", urlencode(LOGIN), FORM
    )
    response = await raw.post(uri, content=body, headers=headers)
    assert (response.status_code, response.text) == (401, "oauth_problem=timestamp_refused")


async def test_a_missing_oauth_parameter_is_named(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    params = signed_form(signer(seeded), BASE_URL + "rest/", LOGIN)
    without = [(k, v) for k, v in params if k != "oauth_nonce"]
    response = await raw.post("rest/", content=urlencode(without), headers=FORM)
    assert response.status_code == 401
    assert response.text == "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_nonce"
    assert decoded(response).code == 97


async def test_plaintext_signatures_are_rejected(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    client = signer(seeded, signature_method=oauth1.SIGNATURE_PLAINTEXT)
    uri, headers, body = client.sign(BASE_URL + "rest/", "POST", urlencode(LOGIN), FORM)
    response = await raw.post(uri, content=body, headers=headers)
    assert response.text == "oauth_problem=signature_method_rejected"


async def test_a_malformed_authorization_header(raw: httpx.AsyncClient) -> None:
    headers = {**FORM, "Authorization": "OAuth this is not a parameter list"}
    response = await raw.post("rest/", content=urlencode(LOGIN), headers=headers)
    assert (response.status_code, response.text) == (401, "oauth_problem=parameter_rejected")


# -- keys, tokens and permissions ----------------------------------------------------------


async def test_unknown_key_and_tokens(client_for: ClientFactory, seeded: Seeded) -> None:
    token = seeded.token("alice")
    cases = {
        "unknown key": (flickrwire.Credentials("0" * 32, "1" * 16, token["token"], "x"), 100),
        "unknown token": (flickrwire.Credentials(seeded.key, seeded.secret, "7215-x", "y"), 98),
        "revoked token": (seeded.creds("bob", revoked=True), 98),
    }
    for name, (creds, code) in cases.items():
        result = await client_for("rest", "xml", creds).groups.leave(group_id=TEST_GROUP)
        assert result.code == code, name
        assert result.fault is not None and result.fault.origin == "auth"
    unknown = await client_for("rest", "xml", cases["unknown key"][0]).call("flickr.test.login")
    assert unknown.fault is not None and unknown.fault.message == "Invalid API Key (Key not found)"


async def test_a_token_of_another_app_is_invalid(app: Any, client_for: ClientFactory) -> None:
    seed = default_seed()
    seed["api_keys"].append({"key": "b" * 32, "secret": "c" * 16})
    app.state.store.load_seed(seed)
    alice = seed["tokens"][0]
    creds = flickrwire.Credentials("b" * 32, "c" * 16, alice["token"], alice["secret"])
    result = await client_for("soap", "json", creds).call("flickr.test.login")
    assert result.code == 98


@pytest.mark.parametrize(("user", "granted"), [("dave", "write"), ("erin", "read")])
async def test_a_token_below_delete_cannot_leave(
    client_for: ClientFactory, seeded: Seeded, user: str, granted: str
) -> None:
    result = await client_for("xmlrpc", "xml", seeded.creds(user)).groups.leave(group_id=TEST_GROUP)
    assert result.code == 99 and result.fault is not None
    assert result.fault.message == (
        f"Insufficient permissions. Method requires delete privileges; {granted} granted."
    )


# -- the legacy api_sig ---------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
async def test_legacy_signed_calls_pass(
    client_for: ClientFactory, seeded: Seeded, transport: str
) -> None:
    bob = client_for(transport, "json", seeded.creds("bob"), signing="legacy")
    assert (await bob.groups.leave(group_id=TEST_GROUP)).ok


async def test_an_independently_computed_api_sig(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    params = {**LOGIN, "api_key": seeded.key, "auth_token": seeded.token("carol")["token"]}
    text = seeded.secret + "".join(k + params[k] for k in sorted(params))
    params["api_sig"] = hashlib.md5(text.encode()).hexdigest()
    response = await raw.post("rest/", content=urlencode(params), headers=FORM)
    assert decoded(response).payload["user"]["id"] == seeded.nsid["carol"]
    params["api_sig"] = "0" * 32
    refused = decoded(await raw.post("rest/", content=urlencode(params), headers=FORM))
    assert (refused.code, refused.fault and refused.fault.message) == (96, "Invalid signature")


async def test_legacy_errors(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    def sign(params: dict[str, str]) -> dict[str, str]:
        text = seeded.secret + "".join(k + params[k] for k in sorted(params))
        return {**params, "api_sig": hashlib.md5(text.encode()).hexdigest()}

    token = seeded.token("carol")["token"]
    cases = [
        ({**LOGIN, "api_key": seeded.key, "auth_token": token}, 97, "Missing signature"),
        (sign({**LOGIN, "api_key": seeded.key, "auth_token": "nope"}), 98, "Invalid auth token"),
        (LOGIN, 100, "Invalid API Key (Key not found)"),
        ({**LOGIN, "api_key": "doesnotexist"}, 100, "Invalid API Key (Key has invalid format)"),
    ]
    for params, code, message in cases:
        result = decoded(await raw.post("rest/", content=urlencode(params), headers=FORM))
        assert (result.code, result.fault and result.fault.message) == (code, message)
