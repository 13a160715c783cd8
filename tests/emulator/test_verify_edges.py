"""The emulator's verifier on every signing path (OAuth in the header, in the form, as
XML-RPC members, as SOAP children; the legacy ``api_sig``): the timestamp window holds
both ways to the second, a nonce is good once, a revoked token is refused, and an
``oauth_*`` parameter given twice is refused. Requests are signed with plain oauthlib
(or md5 by hand), never with flickrwire's own signer."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from oauthlib import oauth1

from flickrwire.call import Call
from flickrwire.emulator import verify
from flickrwire.emulator.app import EmulatorConfig
from flickrwire.transports import read_params

from .conftest import BASE_URL, Seeded
from .test_verify import FORM, LOGIN, decoded, signed_form, soap_body, xmlrpc_body

NOW = 1_700_000_000
WINDOW = 300
OAUTH_PATHS = ["header", "form", "xmlrpc", "soap"]
TRANSPORT = {"header": "rest", "form": "rest", "xmlrpc": "xmlrpc", "soap": "soap"}


@pytest.fixture
def config() -> EmulatorConfig:
    """A stopped clock, so that the window can be checked to the second."""
    return EmulatorConfig(timestamp_window=WINDOW, clock=lambda: float(NOW))


def oauth_client(seeded: Seeded, token: dict[str, Any], stamp: int, nonce: str) -> oauth1.Client:
    return oauth1.Client(
        seeded.key,
        client_secret=seeded.secret,
        resource_owner_key=token["token"],
        resource_owner_secret=token["secret"],
        timestamp=str(stamp),
        nonce=nonce,
    )


Send = Callable[..., Any]


@pytest.fixture
def send(raw: httpx.AsyncClient, seeded: Seeded) -> Send:
    """``await send(path, stamp=..., nonce=..., revoked=False)``: flickr.test.login as Alice
    (or with Bob's revoked token), signed on ``path``; returns the HTTP response."""

    async def sending(
        path: str, *, stamp: int = NOW, nonce: str = "n-1", revoked: bool = False
    ) -> httpx.Response:
        token = seeded.token("bob", revoked=True) if revoked else seeded.token("alice")
        client = oauth_client(seeded, token, stamp, nonce)
        transport = TRANSPORT[path]
        url = BASE_URL + f"{transport}/"
        if path == "header":
            client.signature_type = oauth1.SIGNATURE_TYPE_AUTH_HEADER
            uri, headers, body = client.sign(url, "POST", urlencode(LOGIN), FORM)
            return await raw.post(uri, content=body, headers=headers)
        params = signed_form(client, url, LOGIN)
        if path == "form":
            return await raw.post(url, content=urlencode(params), headers=FORM)
        build = xmlrpc_body if path == "xmlrpc" else soap_body
        return await raw.post(url, content=build(params))

    return sending


def refused(response: httpx.Response, problem: str) -> None:
    assert (response.status_code, response.text) == (401, f"oauth_problem={problem}")


def accepted(response: httpx.Response, path: str, seeded: Seeded) -> None:
    result = decoded(response, TRANSPORT[path])
    assert result.ok, result.fault
    assert result.payload["user"]["id"] == seeded.nsid["alice"]


# -- the timestamp window, both ways ---------------------------------------------------------


@pytest.mark.parametrize("path", OAUTH_PATHS)
@pytest.mark.parametrize("offset", [-WINDOW, -1, 0, 1, WINDOW])
async def test_a_timestamp_inside_the_window_is_accepted(
    send: Send, seeded: Seeded, path: str, offset: int
) -> None:
    accepted(await send(path, stamp=NOW + offset), path, seeded)


@pytest.mark.parametrize("path", OAUTH_PATHS)
@pytest.mark.parametrize(
    "offset",
    [-WINDOW - 1, WINDOW + 1, -86_400, 86_400],
    ids=["past+1s", "future+1s", "past-day", "future-day"],
)
async def test_a_timestamp_outside_the_window_is_refused(
    send: Send, path: str, offset: int
) -> None:
    # A clock ahead of the server's is as suspect as one behind it: a request signed for
    # the future could be held back and replayed once its nonce has been forgotten.
    refused(await send(path, stamp=NOW + offset), "timestamp_refused")


# -- nonces ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", OAUTH_PATHS)
async def test_a_nonce_is_good_once(send: Send, seeded: Seeded, path: str) -> None:
    accepted(await send(path, nonce="once"), path, seeded)
    refused(await send(path, nonce="once"), "nonce_used")
    accepted(await send(path, nonce="twice"), path, seeded)


async def test_a_nonce_used_on_one_path_is_used_on_every_path(send: Send, seeded: Seeded) -> None:
    accepted(await send("soap", nonce="shared"), "soap", seeded)
    for path in ("header", "form", "xmlrpc", "soap"):
        refused(await send(path, nonce="shared"), "nonce_used")


# -- revoked tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", OAUTH_PATHS)
async def test_a_revoked_token_is_refused(send: Send, path: str) -> None:
    result = decoded(await send(path, revoked=True), TRANSPORT[path])
    assert result.code == 98
    assert result.fault is not None and result.fault.message == "Invalid auth token"


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
async def test_a_revoked_token_is_refused_with_a_legacy_api_sig(
    raw: httpx.AsyncClient, seeded: Seeded, transport: str
) -> None:
    revoked = seeded.token("bob", revoked=True)["token"]
    live = seeded.token("bob")["token"]
    for token, code in ((revoked, 98), (live, None)):
        params = {**LOGIN, "api_key": seeded.key, "auth_token": token}
        text = seeded.secret + "".join(k + params[k] for k in sorted(params))
        params["api_sig"] = hashlib.md5(text.encode()).hexdigest()
        pairs = list(params.items())
        if transport == "rest":
            response = await raw.post("rest/", content=urlencode(pairs), headers=FORM)
        else:
            build = xmlrpc_body if transport == "xmlrpc" else soap_body
            response = await raw.post(f"{transport}/", content=build(pairs))
        result = decoded(response, transport)
        assert result.code == code, (token == revoked, result.fault)
        if code is None:
            assert result.payload["user"]["id"] == seeded.nsid["bob"]


# -- an oauth_* parameter given twice ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["oauth_nonce", "oauth_timestamp", "oauth_signature", "oauth_token", "oauth_consumer_key"],
)
async def test_an_oauth_parameter_in_the_header_and_the_form_is_refused(
    raw: httpx.AsyncClient, seeded: Seeded, name: str
) -> None:
    client = oauth_client(seeded, seeded.token("alice"), NOW, "dup")
    uri, headers, body = client.sign(BASE_URL + "rest/", "POST", urlencode(LOGIN), FORM)
    # The same value again in the form: even an identical copy is refused (RFC 5849
    # section 3.5: a parameter must be sent in one place only).
    value = oauth1.rfc5849.utils.parse_authorization_header(headers["Authorization"])
    copy = dict(value)[name]
    response = await raw.post(uri, content=f"{body}&{name}={copy}", headers=headers)
    assert response.status_code == 401
    assert response.text == f"oauth_problem=parameter_rejected&oauth_parameters_rejected={name}"


async def test_an_oauth_parameter_twice_in_the_form_is_refused(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    params = signed_form(
        oauth_client(seeded, seeded.token("alice"), NOW, "dup2"), BASE_URL + "rest/", LOGIN
    )
    params.append(("oauth_nonce", "other"))
    response = await raw.post("rest/", content=urlencode(params), headers=FORM)
    # The one reading of the request refuses any parameter given twice with different
    # values before the signature is looked at, naming the parameter.
    result = decoded(response, "rest")
    assert result.code == 96 and result.fault is not None
    assert '"oauth_nonce" given twice' in result.fault.message


async def test_an_oauth_child_beside_the_header_is_refused_on_soap(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    client = oauth_client(seeded, seeded.token("alice"), NOW, "dup3")
    client.signature_type = oauth1.SIGNATURE_TYPE_AUTH_HEADER
    _, headers, _ = client.sign(BASE_URL + "soap/", "POST", urlencode(LOGIN), FORM)
    body = soap_body([*LOGIN.items(), ("oauth_nonce", "dup3")])
    response = await raw.post(
        "soap/", content=body, headers={"Authorization": headers["Authorization"]}
    )
    assert response.text == (
        "oauth_problem=parameter_rejected&oauth_parameters_rejected=oauth_nonce"
    )


async def test_a_realm_in_the_authorization_header_is_not_signed(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    # RFC 5849 section 3.5.1: realm is not an OAuth parameter and stays out of the base
    # string; oauthlib sends one when asked.
    client = oauth_client(seeded, seeded.token("alice"), NOW, "realm")
    client.realm = "https://api.flickr.com/"
    uri, headers, body = client.sign(BASE_URL + "rest/", "POST", urlencode(LOGIN), FORM)
    assert 'realm="https://api.flickr.com/"' in headers["Authorization"]
    accepted(await raw.post(uri, content=body, headers=headers), "header", seeded)


async def test_a_nonce_is_per_token(send: Send, raw: httpx.AsyncClient, seeded: Seeded) -> None:
    # RFC 5849 section 3.3: unique per timestamp, client credentials and token. Alice's
    # nonce does not make Carol's request with the same nonce and timestamp a replay.
    accepted(await send("form", nonce="shared-by-two"), "form", seeded)
    carol = oauth_client(seeded, seeded.token("carol"), NOW, "shared-by-two")
    params = signed_form(carol, BASE_URL + "rest/", LOGIN)
    result = decoded(await raw.post("rest/", content=urlencode(params), headers=FORM))
    assert result.payload["user"]["id"] == seeded.nsid["carol"]


async def test_a_key_alone_calls_what_needs_no_user(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    params = {"method": "flickr.test.echo", "format": "json", "nojsoncallback": "1"}
    response = await raw.post("rest/", content=urlencode({**params, "api_key": seeded.key}),
                              headers=FORM)  # fmt: skip
    result = decoded(response)
    assert result.ok and result.payload["method"] == {"_content": "flickr.test.echo"}


async def test_a_method_never_sees_the_legacy_credentials(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    params = {"method": "flickr.test.echo", "format": "json", "nojsoncallback": "1", "x": "1"}
    params |= {"api_key": seeded.key, "auth_token": seeded.token("carol")["token"]}
    text = seeded.secret + "".join(k + params[k] for k in sorted(params))
    params["api_sig"] = hashlib.md5(text.encode()).hexdigest()
    result = decoded(await raw.post("rest/", content=urlencode(params), headers=FORM))
    assert result.ok and result.payload["x"] == {"_content": "1"}
    assert "auth_token" not in result.payload and "api_sig" not in result.payload


async def test_a_blank_query_parameter_is_signed_too(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    client = oauth_client(seeded, seeded.token("alice"), NOW, "blank")
    client.signature_type = oauth1.SIGNATURE_TYPE_QUERY
    uri, headers, _ = client.sign(BASE_URL + "rest/?" + urlencode({**LOGIN, "empty": ""}), "GET")
    assert "empty=&" in uri or uri.endswith("empty=")
    accepted(await raw.get(uri, headers=headers), "header", seeded)


async def test_what_the_verifier_collects_shows_no_credentials(seeded: Seeded) -> None:
    client = oauth_client(seeded, seeded.token("alice"), NOW, "repr-nonce")
    params = signed_form(client, BASE_URL + "rest/", LOGIN)
    request = httpx.Request("POST", BASE_URL + "rest/", content=urlencode(params), headers=FORM)
    read = read_params(request)
    auth = verify.collect(request, read, Call("flickr.test.login", dict(params), "POST"))
    signature = dict(params)["oauth_signature"]
    for shown in (repr(auth), repr(read)):
        for secret in (signature, seeded.token("alice")["token"], seeded.key):
            assert secret not in shown


async def test_a_blank_form_parameter_is_signed(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    client = oauth_client(seeded, seeded.token("alice"), NOW, "blank-form")
    params = signed_form(client, BASE_URL + "rest/", {**LOGIN, "empty": ""})
    assert ("empty", "") in params
    response = await raw.post("rest/", content=urlencode(params), headers=FORM)
    accepted(response, "form", seeded)


async def test_a_key_alone_has_no_read_permission(raw: httpx.AsyncClient, seeded: Seeded) -> None:
    params = {"method": "flickr.groups.members.getList", "group_id": "30000001@N01"}
    params |= {"format": "json", "nojsoncallback": "1", "api_key": seeded.key}
    result = decoded(await raw.post("rest/", content=urlencode(params), headers=FORM))
    assert result.code == 99 and result.fault is not None
    assert result.fault.message.endswith("read privileges; none granted.")


def test_a_parsed_request_shows_no_signature() -> None:
    form = {"method": "flickr.test.login", "oauth_nonce": "n0nce", "oauth_signature": "s1gn"}
    request = httpx.Request("POST", BASE_URL + "rest/", content=urlencode(form), headers=FORM)
    shown = repr(read_params(request))
    assert "s1gn" not in shown and "n0nce" not in shown


async def test_oauth_without_a_token_has_no_read_permission(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    client = oauth1.Client(seeded.key, client_secret=seeded.secret, timestamp=str(NOW),
                           nonce="two-legged")  # fmt: skip
    params = {"method": "flickr.groups.members.getList", "group_id": "30000001@N01"}
    signed = signed_form(client, BASE_URL + "rest/", {**params, "format": "json",
                                                      "nojsoncallback": "1"})  # fmt: skip
    result = decoded(await raw.post("rest/", content=urlencode(signed), headers=FORM))
    assert result.code == 99


def test_a_refusal_says_its_code_and_message() -> None:
    refusal = verify.Failure(98, "Invalid auth token")
    assert (str(refusal), refusal.code, refusal.message) == (
        "98: Invalid auth token",
        98,
        "Invalid auth token",
    )


def test_an_oauth_refusal_says_its_problem() -> None:
    problem = verify.OAuthProblem("nonce_used")
    assert (str(problem), problem.body()) == ("nonce_used", b"oauth_problem=nonce_used")


async def test_a_repeated_argument_with_one_value_is_read_once(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    client = oauth_client(seeded, seeded.token("alice"), NOW, "repeated")
    client.signature_type = oauth1.SIGNATURE_TYPE_BODY
    body = urlencode([*LOGIN.items(), ("x", "1"), ("x", "1")])
    uri, headers, signed = client.sign(BASE_URL + "rest/", "POST", body, FORM)
    accepted(await raw.post(uri, content=signed, headers=headers), "form", seeded)


async def test_a_repeated_argument_with_two_values_is_refused_by_name(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    # Validly signed (the signature covers both), but which value would the method see?
    client = oauth_client(seeded, seeded.token("alice"), NOW, "repeated-2")
    client.signature_type = oauth1.SIGNATURE_TYPE_BODY
    body = urlencode([*LOGIN.items(), ("x", "1"), ("x", "2")])
    uri, headers, signed = client.sign(BASE_URL + "rest/", "POST", body, FORM)
    result = decoded(await raw.post(uri, content=signed, headers=headers), "rest")
    assert result.code == 96 and result.fault is not None
    assert '"x" given twice with different values' in result.fault.message


async def test_a_form_body_that_is_not_utf8_is_refused_not_crashed(
    raw: httpx.AsyncClient, seeded: Seeded
) -> None:
    client = oauth_client(seeded, seeded.token("alice"), NOW, "latin")
    uri, headers, body = client.sign(BASE_URL + "rest/", "POST", urlencode(LOGIN), FORM)
    response = await raw.post(uri, content=body.encode() + b"&name=caf\xe9", headers=headers)
    assert response.status_code == 401
    assert response.text.startswith("oauth_problem=signature_invalid")
