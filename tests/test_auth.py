"""Signing: public OAuth 1.0a and api_sig vectors, an independent cross-check, signer modes,
where each transport carries the credentials, and secrets kept out of every repr."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, quote, unquote

import httpx
import pytest
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_BODY, Client as OAuthClient
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

from flickrwire import AsyncClient, Call, Client, Credentials, Signer, transports
from flickrwire.auth import (
    SECRET_PARAMS,
    VOLATILE_PARAMS,
    authorization_header,
    base_string,
    hmac_sha1,
    legacy_signature,
    oauth_params,
)

KEY = "fake-consumer-key-7f3a"
SECRET = "fake-consumer-secret-91bc"
TOKEN = "fake-access-token-44de"
TOKEN_SECRET = "fake-token-secret-0a19"
NONCE = "fixed-nonce-5d2e8c"
TIMESTAMP = 1700000000
SERVICES = "https://api.flickr.com/services/"
FORM = "application/x-www-form-urlencoded"


def _pct(text: str) -> str:
    """RFC 3986 percent-encoding as RFC 5849 section 3.6 asks: only unreserved kept."""
    return quote(text.encode("utf-8"), safe="-._~")


def reference_signature(
    http_method: str,
    url: str,
    params: list[tuple[str, str]],
    consumer_secret: str,
    token_secret: str | None,
) -> str:
    """HMAC-SHA1 written from RFC 5849 sections 3.4.1 and 3.4.2 with the stdlib only.

    ``url`` must already be the base string URI (lower-case scheme and host, a path).
    """
    pairs = sorted((_pct(k), _pct(v)) for k, v in params if k != "oauth_signature")
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    base = "&".join((http_method.upper(), _pct(url), _pct(normalized)))
    key = f"{_pct(consumer_secret)}&{_pct(token_secret or '')}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def header_params(value: str | None) -> dict[str, str]:
    """An ``Authorization: OAuth`` header's params, decoded (RFC 5849 section 3.5.1)."""
    assert value is not None
    return {unquote(k): unquote(v) for k, v in parse_authorization_header(value)}


def fixed_signer(credentials: Credentials | None, mode: str = "auto") -> Signer:
    return Signer(credentials, mode, nonce=lambda: NONCE, clock=lambda: TIMESTAMP)  # type: ignore[arg-type]


def user_credentials() -> Credentials:
    return Credentials(KEY, SECRET, TOKEN, TOKEN_SECRET)


def wire_params(request: httpx.Request) -> dict[str, str]:
    """Every parameter a request carries in its URL or body, read without flickrwire."""
    pairs = parse_qsl(request.url.query.decode(), keep_blank_values=True)
    path = request.url.path
    if path.endswith("/rest/"):
        pairs += parse_qsl(request.content.decode(), keep_blank_values=True)
    elif path.endswith("/xmlrpc/"):
        root = ET.fromstring(request.content)
        pairs.append(("method", root.findtext("methodName") or ""))
        for member in root.iterfind("params/param/value/struct/member"):
            pairs.append((member.findtext("name") or "", member.findtext("value/string") or ""))
    else:
        body = ET.fromstring(request.content).find("{http://www.w3.org/2003/05/soap-envelope}Body")
        assert body is not None
        flickr_request = body.find("{urn:flickr}FlickrRequest")
        assert flickr_request is not None
        pairs += [(child.tag, child.text or "") for child in flickr_request]
    return dict(pairs)


# -- public vectors -------------------------------------------------------------------


# flickr-sdk test/oauth.ts: consumer secret "consumer secret", params foo=123 bar=456.
SDK_BASE = "GET&http%3A%2F%2Fwww.example.com&bar%3D456%26foo%3D123"


@pytest.mark.parametrize(
    ("token_secret", "expected"),
    [(None, "lNBTzyWRRHBuoXmgK13Nht5oiKs="), ("keyboard cat", "pytjoWTzMmvq13/Bai9YVX1tV9c=")],
)
def test_hmac_sha1_matches_flickr_sdk_vectors(token_secret: str | None, expected: str) -> None:
    assert hmac_sha1(SDK_BASE, "consumer secret", token_secret) == expected


def test_base_string_sorts_and_encodes_like_flickr_sdk() -> None:
    # The sdk writes the bare host; RFC 5849 section 3.4.1.2 gives it the path "/".
    params = {"foo": "123", "bar": "456"}
    expected = "GET&http%3A%2F%2Fwww.example.com%2F&bar%3D456%26foo%3D123"
    assert base_string("GET", "http://www.example.com/", params) == expected
    assert base_string("get", "http://www.example.com", params) == expected


def test_base_string_encodes_rfc3986_reserved_characters_twice() -> None:
    # flickr-sdk test/oauth.ts "encodes params following RFC3986": !'()* are not unreserved.
    base = base_string("GET", "http://www.example.com/", {"foo": "!'()*"})
    assert base == "GET&http%3A%2F%2Fwww.example.com%2F&foo%3D%2521%2527%2528%2529%252A"


def test_base_string_uri_normalisation_of_rfc5849_section_3_4_1_2() -> None:
    base = base_string("POST", "HTTP://Example.COM:80/r%20v/X?id=123", {})
    assert base == "POST&http%3A%2F%2Fexample.com%2Fr%2520v%2FX&"


RFC_CREDENTIALS = Credentials(
    "dpf43f3p2l4k3l03", "kd94hf93k423kf44", "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"
)
RFC_PARAMS = {"file": "vacation.jpg", "size": "original"}


def test_oauth_params_reproduce_rfc5849_section_1_2() -> None:
    oauth = oauth_params(
        RFC_CREDENTIALS,
        "GET",
        "http://photos.example.net/photos",
        RFC_PARAMS,
        nonce="kllo9940pd9333jh",
        timestamp=1191242096,
    )
    assert oauth == {
        "oauth_consumer_key": "dpf43f3p2l4k3l03",
        "oauth_token": "nnch734d00sl2jdk",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1191242096",
        "oauth_nonce": "kllo9940pd9333jh",
        "oauth_version": "1.0",
        "oauth_signature": "tR3+Ty81lMeYAr/Fid0kMTYa/WM=",
    }


def test_rfc5849_base_string_and_reference_agree() -> None:
    oauth = {
        "oauth_consumer_key": "dpf43f3p2l4k3l03",
        "oauth_token": "nnch734d00sl2jdk",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "1191242096",
        "oauth_nonce": "kllo9940pd9333jh",
        "oauth_version": "1.0",
    }
    base = base_string("GET", "http://photos.example.net/photos", {**RFC_PARAMS, **oauth})
    assert base == (
        "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26"
        "oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26"
        "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26"
        "oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
    )
    pairs = [*RFC_PARAMS.items(), *oauth.items()]
    signature = reference_signature(
        "GET", "http://photos.example.net/photos", pairs, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"
    )
    assert signature == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="


# iamcal/perl-Flickr-API t/01-test.t: key made_up_key, secret my_secret.
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"foo": "bar"}, "466cd24ced0b23df66809a4d2dad75f8"),
        ({"foo": ""}, "f320caea573c1b74897a289f6919628c"),
        ({"foo": "\u5315\u4e03"}, "b8bac3b2a4f919d04821e43adf59288c"),
        (
            {"api_key": "made_up_key", "frob": "my_frob", "perms": "r"},
            "d749e3a7bd27da9c8af62a15f4c7b48f",
        ),
    ],
)
def test_legacy_api_sig_matches_perl_flickr_api_vectors(
    params: dict[str, str], expected: str
) -> None:
    assert legacy_signature("my_secret", params) == expected


def test_legacy_api_sig_sorts_by_name_whatever_the_insertion_order() -> None:
    forward = legacy_signature("my_secret", {"perms": "r", "frob": "my_frob"})
    assert forward == legacy_signature("my_secret", {"frob": "my_frob", "perms": "r"})
    assert forward == hashlib.md5(b"my_secretfrobmy_frobpermsr").hexdigest()


# -- cross-check against plain oauthlib -----------------------------------------------


def _rest_leave_request(signer: Signer) -> httpx.Request:
    call = Call.build("flickr.groups.leave", {"group_id": "12345@N01", "delete_photos": True})
    return transports.get("rest").build_request(call, "json", signer, SERVICES)


def _oauthlib_client(signature_type: str) -> OAuthClient:
    return OAuthClient(
        KEY,
        client_secret=SECRET,
        resource_owner_key=TOKEN,
        resource_owner_secret=TOKEN_SECRET,
        signature_type=signature_type,
        nonce=NONCE,
        timestamp=str(TIMESTAMP),
    )


def test_rest_authorization_header_equals_oauthlib_client_header() -> None:
    request = _rest_leave_request(fixed_signer(user_credentials()))
    _, headers, _ = _oauthlib_client(SIGNATURE_TYPE_AUTH_HEADER).sign(
        str(request.url), "POST", request.content.decode(), {"Content-Type": FORM}
    )
    ours = dict(parse_authorization_header(request.headers["authorization"]))
    theirs = dict(parse_authorization_header(headers["Authorization"]))
    assert ours == theirs


def test_oauth_signature_equals_oauthlib_client_body_signature() -> None:
    request = _rest_leave_request(fixed_signer(user_credentials()))
    _, _, body = _oauthlib_client(SIGNATURE_TYPE_BODY).sign(
        str(request.url), "POST", request.content.decode(), {"Content-Type": FORM}
    )
    theirs = dict(parse_qsl(body))
    ours = header_params(request.headers["authorization"])
    assert ours["oauth_signature"] == theirs["oauth_signature"]
    pairs = [*parse_qsl(request.content.decode()), *ours.items()]
    expected = reference_signature(
        "POST", "https://api.flickr.com/services/rest/", pairs, SECRET, TOKEN_SECRET
    )
    assert ours["oauth_signature"] == expected


def test_authorization_header_percent_encodes_names_and_values() -> None:
    header = authorization_header({"oauth_signature": "a+b/c=", "oauth_nonce": "x y"})
    assert header == 'OAuth oauth_signature="a%2Bb%2Fc%3D", oauth_nonce="x%20y"'


# -- signer modes ---------------------------------------------------------------------


def test_auto_mode_follows_the_credentials() -> None:
    assert Signer(None).mode == "none"
    assert Signer(Credentials(KEY, SECRET)).mode == "key"
    assert Signer(user_credentials()).mode == "oauth"


@pytest.mark.parametrize("mode", ["oauth", "legacy", "key"])
def test_modes_that_need_credentials_refuse_none(mode: str) -> None:
    with pytest.raises(ValueError, match="needs credentials"):
        Signer(None, mode)  # type: ignore[arg-type]


def test_none_mode_adds_nothing() -> None:
    params = {"method": "flickr.test.echo"}
    assert (
        fixed_signer(user_credentials(), "none").sign("POST", SERVICES, params, in_header=True)
        is None
    )
    assert params == {"method": "flickr.test.echo"}


def test_key_mode_adds_only_the_api_key() -> None:
    params = {"method": "flickr.test.echo"}
    auth = fixed_signer(user_credentials(), "key").sign("POST", SERVICES, params, in_header=True)
    assert auth is None
    assert params == {"method": "flickr.test.echo", "api_key": KEY}


@pytest.mark.parametrize("with_token", [True, False])
def test_legacy_mode_signs_every_param_with_md5(with_token: bool) -> None:
    creds = user_credentials() if with_token else Credentials(KEY, SECRET)
    params = {"method": "flickr.groups.leave", "group_id": "12345@N01", "format": "rest"}
    auth = fixed_signer(creds, "legacy").sign("POST", SERVICES, params, in_header=True)
    assert auth is None
    api_sig = params.pop("api_sig")
    expected_names = {"method", "group_id", "format", "api_key"}
    if with_token:
        expected_names.add("auth_token")
        assert params["auth_token"] == TOKEN
    assert set(params) == expected_names
    text = SECRET + "".join(name + params[name] for name in sorted(params))
    assert api_sig == hashlib.md5(text.encode()).hexdigest()


def test_oauth_mode_in_header_leaves_params_alone() -> None:
    url = "https://api.flickr.com/services/rest/"
    params = {"method": "flickr.groups.leave", "group_id": "12345@N01"}
    auth = fixed_signer(user_credentials(), "oauth").sign("POST", url, params, in_header=True)
    assert params == {"method": "flickr.groups.leave", "group_id": "12345@N01"}
    assert auth is not None and auth.startswith("OAuth ")
    oauth = header_params(auth)
    assert oauth["oauth_nonce"] == NONCE
    assert oauth["oauth_timestamp"] == str(TIMESTAMP)
    assert oauth["oauth_token"] == TOKEN
    expected = reference_signature(
        "POST", url, [*params.items(), *oauth.items()], SECRET, TOKEN_SECRET
    )
    assert oauth["oauth_signature"] == expected


def test_oauth_mode_in_params_adds_every_oauth_param() -> None:
    url = "https://api.flickr.com/services/soap/"
    params = {"method": "flickr.groups.leave", "group_id": "12345@N01"}
    auth = fixed_signer(user_credentials(), "oauth").sign("POST", url, params, in_header=False)
    assert auth is None
    assert set(params) == {
        "method",
        "group_id",
        "oauth_consumer_key",
        "oauth_nonce",
        "oauth_signature_method",
        "oauth_timestamp",
        "oauth_version",
        "oauth_token",
        "oauth_signature",
    }
    expected = reference_signature("POST", url, list(params.items()), SECRET, TOKEN_SECRET)
    assert params["oauth_signature"] == expected


def test_oauth_mode_without_a_token_signs_with_an_empty_token_secret() -> None:
    url = "https://api.flickr.com/services/rest/"
    params = {"method": "flickr.test.echo"}
    signer = fixed_signer(Credentials(KEY, SECRET), "oauth")
    oauth = header_params(signer.sign("POST", url, params, in_header=True))
    assert "oauth_token" not in oauth
    expected = reference_signature("POST", url, [*params.items(), *oauth.items()], SECRET, None)
    assert oauth["oauth_signature"] == expected


def test_default_nonce_and_clock_change_between_requests() -> None:
    signer = Signer(user_credentials())
    url = "https://api.flickr.com/services/rest/"
    first = header_params(signer.sign("POST", url, {}, in_header=True))
    second = header_params(signer.sign("POST", url, {}, in_header=True))
    assert first["oauth_nonce"] != second["oauth_nonce"]
    assert abs(int(first["oauth_timestamp"]) - time.time()) < 60


# -- where each transport carries the credentials --------------------------------------


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
@pytest.mark.parametrize("mode", ["oauth", "legacy", "key", "none"])
def test_credentials_placement_per_transport(transport: str, mode: str) -> None:
    signer = fixed_signer(user_credentials(), mode)
    call = Call.build("flickr.groups.leave", {"group_id": "12345@N01"})
    request = transports.get(transport).build_request(call, "xml", signer, SERVICES)
    params = wire_params(request)
    header = request.headers.get("authorization")
    oauth_in_params = {name for name in params if name.startswith("oauth_")}
    if mode == "oauth" and transport == "rest":
        assert header is not None and header.startswith("OAuth ")
        assert not oauth_in_params
    elif mode == "oauth":
        assert header is None
        assert "oauth_signature" in oauth_in_params and params["oauth_token"] == TOKEN
    else:
        assert header is None and not oauth_in_params
    assert ("api_key" in params) == (mode in ("legacy", "key"))
    assert ("api_sig" in params) == (mode == "legacy")
    assert ("auth_token" in params) == (mode == "legacy")
    assert params["method"] == "flickr.groups.leave"
    assert params["group_id"] == "12345@N01"


@pytest.mark.parametrize("transport", ["rest", "xmlrpc", "soap"])
def test_legacy_api_sig_covers_the_method_on_every_transport(transport: str) -> None:
    signer = fixed_signer(user_credentials(), "legacy")
    call = Call.build("flickr.groups.leave", {"group_id": "12345@N01"})
    params = wire_params(transports.get(transport).build_request(call, "json", signer, SERVICES))
    api_sig = params.pop("api_sig")
    assert "method" in params
    text = SECRET + "".join(name + params[name] for name in sorted(params))
    assert api_sig == hashlib.md5(text.encode()).hexdigest()


# -- secrets stay hidden ---------------------------------------------------------------

SECRETS = (KEY, SECRET, TOKEN, TOKEN_SECRET)


def _assert_hidden(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_credentials_repr_hides_every_secret() -> None:
    creds = user_credentials()
    _assert_hidden(repr(creds))
    _assert_hidden(str(creds))
    _assert_hidden(repr(Credentials(KEY, SECRET)))
    assert "Credentials(" in repr(creds)


@pytest.mark.parametrize("mode", ["auto", "oauth", "legacy", "key"])
def test_signer_repr_hides_every_secret(mode: str) -> None:
    signer = Signer(user_credentials(), mode)  # type: ignore[arg-type]
    _assert_hidden(repr(signer))
    _assert_hidden(str(signer))


def test_client_reprs_hide_every_secret() -> None:
    client = Client("soap", "xml", user_credentials(), signing="legacy")
    try:
        _assert_hidden(repr(client))
        _assert_hidden(repr(client.signer))
        _assert_hidden(repr(client.groups.leave))
    finally:
        client.close()
    async_client = AsyncClient(
        "xmlrpc", "json", user_credentials(), http_client=httpx.AsyncClient()
    )
    _assert_hidden(repr(async_client))


def test_secret_and_volatile_param_sets() -> None:
    assert {"api_key", "api_sig", "oauth_signature", "oauth_token", "auth_token"} <= SECRET_PARAMS
    assert {"oauth_nonce", "oauth_timestamp", "oauth_signature", "api_sig"} == VOLATILE_PARAMS
