"""The three-legged OAuth flow against a fake Flickr that checks every signature with
oauthlib's server side, the token-answer parsers on the real samples, refusals, and the
credentials file (mode 0600, atomic rewrites, refusing or repairing a shared file)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import pickle
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, quote

import httpx
import pytest
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature as server_signature
from sampledir import SAMPLES, needs_samples

from flickrwire import (
    AuthError,
    Credentials,
    DecodeError,
    HTTPStatusError,
    InsecureURLError,
    InvalidSignature,
    NetworkError,
)
from flickrwire.auth.oauth import (
    AccessToken,
    ConfigError,
    InsecureConfigError,
    OAuthFlow,
    Profile,
    RequestToken,
    Style,
    authorize_url,
    config_path,
    load_credentials,
    load_profile,
    parse_access_token,
    parse_request_token,
    read_profiles,
    request_token_request,
    save_profile,
)

BASE = "https://www.flickr.com/services"
CONSUMER = Credentials("fake-oauth-consumer-3c1d", "fake-oauth-consumer-secret-77a0")
VERIFIER = "123-456-789"
# Answers shaped like the shared samples (same fields, order and percent-encoding), with
# fake values so that every test runs without the samples.
REQUEST_ANSWER = (
    b"oauth_callback_confirmed=true&oauth_token=72157000000000001-fa4e0c11d3b2a798"
    b"&oauth_token_secret=5e6f7a8b9c0d1e2f"
)
ACCESS_ANSWER = (
    b"fullname=Fay%20Fake&oauth_token=72157000000000002-0b1c2d3e4f5a6b7c"
    b"&oauth_token_secret=9d8c7b6a5f4e3d2c&user_nsid=12345678%40N00&username=fayfake"
)
TEXT = {"content-type": "text/plain;charset=UTF-8"}
STYLES = [Style(), Style("POST", "header"), Style("POST", "form"), Style("GET", "header")]


def form(body: bytes) -> dict[str, str]:
    return dict(parse_qsl(body.decode("utf-8")))


def collected(request: httpx.Request) -> list[tuple[str, str]]:
    """Every parameter as a provider gathers them: query, Authorization header, form."""
    headers = {}
    if "authorization" in request.headers:
        headers["Authorization"] = request.headers["authorization"]
    content_type = request.headers.get("content-type", "")
    body = request.content.decode() if content_type.startswith("application/x-www") else None
    params: list[tuple[str, str]] = server_signature.collect_parameters(
        uri_query=request.url.query.decode(),
        body=body,
        headers=headers,
        exclude_oauth_signature=False,
    )
    return params


def signature_ok(request: httpx.Request, consumer_secret: str, token_secret: str) -> bool:
    """oauthlib's server-side HMAC-SHA1 check on an ``oauthlib.common.Request``."""
    params = collected(request)
    checked = OAuthRequest(str(request.url).split("?")[0], http_method=request.method)
    checked.params = [(k, v) for k, v in params if k != "oauth_signature"]
    checked.signature = dict(params)["oauth_signature"]
    ok: bool = server_signature.verify_hmac_sha1(checked, consumer_secret, token_secret)
    return ok


class FakeFlickr:
    """Flickr's three OAuth endpoints as an ``httpx.MockTransport`` handler.

    Each endpoint verifies the signature with the secrets it should be signed with and
    answers 401 ``oauth_problem=signature_invalid`` otherwise, as Flickr does.
    """

    def __init__(
        self, request_answer: bytes = REQUEST_ANSWER, access_answer: bytes = ACCESS_ANSWER
    ):
        self.request_answer = request_answer
        self.access_answer = access_answer
        self.seen: list[tuple[str, dict[str, str]]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        step = request.url.path.rsplit("/", 1)[-1]
        params = dict(collected(request))
        self.seen.append((step, params))
        issued = form(self.request_answer)
        if step == "request_token":
            valid = signature_ok(request, CONSUMER.api_secret, "") and "oauth_token" not in params
            answer = self.request_answer
        elif step == "access_token":
            valid = params.get("oauth_token") == issued["oauth_token"] and signature_ok(
                request, CONSUMER.api_secret, issued["oauth_token_secret"]
            )
            if params.get("oauth_verifier") != VERIFIER:
                return httpx.Response(401, headers=TEXT, content=b"oauth_problem=verifier_invalid")
            answer = self.access_answer
        else:
            return httpx.Response(404, text="not found")
        if not valid:
            body = b"oauth_problem=signature_invalid&debug_sbs=" + quote(str(params)).encode()
            return httpx.Response(401, headers=TEXT, content=body)
        return httpx.Response(200, headers=TEXT, content=answer)


@pytest.fixture
def fake() -> FakeFlickr:
    return FakeFlickr()


@pytest.fixture
def http(fake: FakeFlickr) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(fake.handler)) as client:
        yield client


# -- the flow -------------------------------------------------------------------------------


@pytest.mark.parametrize("style", STYLES, ids=lambda s: f"{s.http_method}-{s.placement}")
def test_three_legged_flow_is_signed_as_the_provider_checks_it(
    fake: FakeFlickr, http: httpx.Client, style: Style
) -> None:
    flow = OAuthFlow(http, CONSUMER, base_url=BASE, style=style)
    token = flow.request_token()
    issued = form(REQUEST_ANSWER)
    assert (token.token, token.secret, token.callback_confirmed) == (
        issued["oauth_token"],
        issued["oauth_token_secret"],
        True,
    )
    access = flow.access_token(token, f"  {VERIFIER}\n")
    granted = form(ACCESS_ANSWER)
    assert access == AccessToken(
        granted["oauth_token"], granted["oauth_token_secret"], "12345678@N00", "fayfake", "Fay Fake"
    )
    (step1, sent1), (step3, sent3) = fake.seen
    assert (step1, sent1["oauth_callback"], sent1["oauth_consumer_key"]) == (
        "request_token",
        "oob",
        CONSUMER.api_key,
    )
    assert (step3, sent3["oauth_token"], sent3["oauth_verifier"]) == (
        "access_token",
        issued["oauth_token"],
        VERIFIER,
    )
    assert sent1["oauth_signature_method"] == sent3["oauth_signature_method"] == "HMAC-SHA1"


def test_request_token_signature_matches_rfc5849_written_out_with_the_stdlib() -> None:
    request = request_token_request(
        CONSUMER, "https://example.org/back?x=1", BASE, nonce="n0nce", timestamp=1700000000
    )
    params = dict(parse_qsl(request.url.query.decode()))
    assert request.method == "GET" and request.url.path == "/services/oauth/request_token"

    def pct(text: str) -> str:
        return quote(text, safe="-._~")

    pairs = sorted((pct(k), pct(v)) for k, v in params.items() if k != "oauth_signature")
    normalized = "&".join(f"{k}={v}" for k, v in pairs)
    url = "https://www.flickr.com/services/oauth/request_token"
    base = f"GET&{pct(url)}&{pct(normalized)}"
    key = f"{pct(CONSUMER.api_secret)}&".encode()
    expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
    assert params["oauth_signature"] == expected
    assert params["oauth_callback"] == "https://example.org/back?x=1"
    assert "oauth_token" not in params


def test_request_token_is_signed_with_the_consumer_secret_only_even_with_a_token(
    fake: FakeFlickr, http: httpx.Client
) -> None:
    consumer = Credentials(CONSUMER.api_key, CONSUMER.api_secret, "old-token", "old-secret")
    OAuthFlow(http, consumer, base_url=BASE).request_token()
    assert "oauth_token" not in fake.seen[0][1]


def test_authorize_url_carries_the_request_token_and_perms() -> None:
    token = RequestToken("72157000000000001-fa4e0c11d3b2a798", "s")
    assert authorize_url(token, base_url=BASE + "/") == (
        "https://www.flickr.com/services/oauth/authorize"
        "?oauth_token=72157000000000001-fa4e0c11d3b2a798&perms=delete"
    )
    assert authorize_url("a b", "read", base_url="http://127.0.0.1:9/services").endswith(
        "/services/oauth/authorize?oauth_token=a+b&perms=read"
    )
    with pytest.raises(ValueError, match="perms must be one of read, write, delete"):
        authorize_url(token, "admin")
    with pytest.raises(InsecureURLError):
        authorize_url(token, base_url="http://www.flickr.com/services")


def test_a_wrong_secret_gets_the_401_and_an_auth_error_without_secrets(http: httpx.Client) -> None:
    wrong = Credentials(CONSUMER.api_key, "not-the-secret")
    with pytest.raises(InvalidSignature) as caught:
        OAuthFlow(http, wrong, base_url=BASE).request_token()
    error = caught.value
    assert isinstance(error, AuthError)
    assert str(error) == "request_token refused (96): oauth_problem=signature_invalid"
    assert (error.fault.code, error.fault.origin) == (96, "auth")  # type: ignore[union-attr]
    assert error.result is None
    shown = str(error) + repr(error) + repr(error.fault) + repr(pickle.loads(pickle.dumps(error)))
    assert CONSUMER.api_key not in shown and "debug_sbs" not in shown


def test_a_wrong_verifier_is_refused(http: httpx.Client) -> None:
    flow = OAuthFlow(http, CONSUMER, base_url=BASE)
    token = flow.request_token()
    with pytest.raises(AuthError, match="access_token refused: oauth_problem=verifier_invalid"):
        flow.access_token(token, "999-999-999")


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (200, b"<html><body>Sign in</body></html>", DecodeError, "lacks oauth_token, oauth_"),
        (200, b"oauth_token=72157000000000009-aaaa", DecodeError, "lacks oauth_token_secret"),
        (200, b"", DecodeError, "lacks oauth_token, oauth_token_secret"),
        (500, b"<html><title>Oops</title></html>", HTTPStatusError, "request_token refused"),
        (401, b"oauth_problem=consumer_key_unknown", AuthError, r"refused \(100\)"),
    ],
)
def test_answers_that_are_not_tokens_raise_typed_errors_naming_no_value(
    status: int, body: bytes, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as caught:
        parse_request_token(status, body, TEXT)
    assert "72157000000000009-aaaa" not in str(caught.value)


def test_network_failure_and_oversized_answer() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with (
        httpx.Client(transport=httpx.MockTransport(refuse)) as http,
        pytest.raises(NetworkError, match="could not connect") as caught,
    ):
        OAuthFlow(http, CONSUMER, base_url=BASE).request_token()
    assert isinstance(caught.value.__cause__, httpx.ConnectError)

    def huge(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"oauth_token=" + b"x" * 70_000)

    with (
        httpx.Client(transport=httpx.MockTransport(huge)) as http,
        pytest.raises(DecodeError, match="OAuth answer over 65536 bytes"),
    ):
        OAuthFlow(http, CONSUMER, base_url=BASE).request_token()


def test_reprs_hide_tokens_and_secrets(http: httpx.Client) -> None:
    flow = OAuthFlow(http, CONSUMER, base_url=BASE)
    token = flow.request_token()
    access = flow.access_token(token, VERIFIER)
    profile = Profile(
        "k-1234",
        "s-5678",
        access.token,
        access.secret,
        request_token=token.token,
        request_token_secret=token.secret,
    )
    shown = repr(flow) + repr(token) + repr(access) + repr(profile)
    hidden = [token.token, token.secret, access.token, access.secret, "k-1234", "s-5678"]
    assert [
        value for value in [*hidden, CONSUMER.api_key, CONSUMER.api_secret] if value in shown
    ] == []
    assert "fayfake" in repr(access)  # who the user is may show


# -- the real samples -----------------------------------------------------------------------


@needs_samples
def test_parse_the_recorded_request_token_answer() -> None:
    body = (SAMPLES / "oauth-request-token-response.txt").read_bytes()
    token = parse_request_token(200, body, TEXT)
    fields = form(body)
    assert (token.token, token.secret) == (fields["oauth_token"], fields["oauth_token_secret"])
    assert token.callback_confirmed is True
    assert token.token.startswith("72157")


@needs_samples
def test_parse_the_recorded_access_token_answer() -> None:
    body = (SAMPLES / "oauth-access-token-response.txt").read_bytes()
    access = parse_access_token(200, body, TEXT)
    fields = form(body)
    assert (access.token, access.secret) == (fields["oauth_token"], fields["oauth_token_secret"])
    # %20 and %40 decoded (sample: fullname=Jamal%20Fanaian, user_nsid=21207597%40N07).
    assert (access.user_nsid, access.username, access.fullname) == (
        "21207597@N07",
        "jamalfanaian",
        "Jamal Fanaian",
    )


@needs_samples
def test_flow_answered_with_the_recorded_bodies(http: httpx.Client, fake: FakeFlickr) -> None:
    fake.request_answer = (SAMPLES / "oauth-request-token-response.txt").read_bytes()
    fake.access_answer = (SAMPLES / "oauth-access-token-response.txt").read_bytes()
    flow = OAuthFlow(http, CONSUMER, base_url=BASE)
    access = flow.access_token(flow.request_token(), VERIFIER)
    assert (access.user_nsid, access.username) == ("21207597@N07", "jamalfanaian")


@needs_samples
def test_the_recorded_401_becomes_an_invalid_signature_error() -> None:
    body = (SAMPLES / "oauth-401-signature-invalid-debug-sbs.txt").read_bytes()
    with pytest.raises(InvalidSignature) as caught:
        parse_access_token(401, body, TEXT)
    found = re.search(rb"oauth_consumer_key%3D(\w+)", body)
    assert found is not None
    consumer_key = found.group(1).decode()
    assert str(caught.value) == "access_token refused (96): oauth_problem=signature_invalid"
    assert consumer_key not in repr(caught.value.fault)


# -- the credentials file -------------------------------------------------------------------

PROFILE = Profile(
    "file-key-0001",
    "file-secret-0002",
    "file-token-0003",
    "file-token-secret-0004",
    user_nsid="12345678@N00",
    username="fayfake",
    base_url="http://127.0.0.1:8000/services/",
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def no_umask() -> Iterator[None]:
    """Umask 0: a file created without an explicit mode would be world-readable."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_config_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    env = {"FLICKRWIRE_CONFIG": "/x/from-env.json", "XDG_CONFIG_HOME": "/xdg"}
    assert config_path("/x/explicit.json", env) == Path("/x/explicit.json")
    assert config_path(None, env) == Path("/x/from-env.json")
    assert config_path(None, {"XDG_CONFIG_HOME": "/xdg"}) == Path(
        "/xdg/flickrwire/credentials.json"
    )
    default = tmp_path / "home" / ".config" / "flickrwire" / "credentials.json"
    assert config_path(None, {}) == default
    assert config_path(None, {"XDG_CONFIG_HOME": "relative/dir"}) == default


@pytest.mark.usefixtures("no_umask")
def test_saved_file_is_0600_in_a_0700_folder_and_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "flickrwire" / "credentials.json"
    assert save_profile("default", PROFILE, path) == path
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    credentials, base_url = load_credentials("default", path)
    assert credentials == PROFILE.credentials
    assert base_url == "http://127.0.0.1:8000/services/"
    assert load_profile("default", path) == PROFILE


@pytest.mark.usefixtures("no_umask")
def test_rewrite_keeps_0600_and_other_profiles_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    save_profile("default", PROFILE, path)
    other = Profile("other-key", "other-secret")
    save_profile("emulator", other, path)
    save_profile("default", Profile("new-key", "new-secret"), path)
    assert mode(path) == 0o600
    assert read_profiles(path) == {
        "default": Profile("new-key", "new-secret"),
        "emulator": other,
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["credentials.json"]


@pytest.mark.parametrize("shared_mode", [0o644, 0o640, 0o604, 0o660])
def test_a_file_others_can_read_is_refused_then_repaired(tmp_path: Path, shared_mode: int) -> None:
    path = tmp_path / "credentials.json"
    save_profile("default", PROFILE, path)
    path.chmod(shared_mode)
    with pytest.raises(InsecureConfigError, match="readable by other users") as caught:
        load_profile("default", path)
    assert f"mode {shared_mode:04o}" in str(caught.value) and "chmod 600" in str(caught.value)
    assert "file-secret-0002" not in str(caught.value)
    assert mode(path) == shared_mode  # refusing does not touch it
    assert read_profiles(path, repair=True)["default"] == PROFILE
    assert mode(path) == 0o600


def test_saving_over_a_shared_file_repairs_it(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    save_profile("default", PROFILE, path)
    path.chmod(0o644)
    save_profile("second", Profile("k2", "s2"), path)
    assert mode(path) == 0o600
    assert set(read_profiles(path)) == {"default", "second"}


def test_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "credentials.json"
    save_profile("default", PROFILE, path)
    before = path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_profile("default", Profile("k", "s"), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["credentials.json"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "other", "profiles": {}}', "not a flickrwire-credentials/1 file"),
        ("{not json", "not valid JSON"),
        (
            '{"format": "flickrwire-credentials/1", "profiles": {"p": {"api_key": "k"}}}',
            r"\[p\]: api_secret must be a non-empty string",
        ),
        (
            '{"format": "flickrwire-credentials/1", "profiles": {"p": '
            '{"api_key": "k", "api_secret": "hush-9", "oauth_token": "t"}}}',
            "oauth_token and oauth_token_secret go together",
        ),
        (
            '{"format": "flickrwire-credentials/1", "profiles": {"p": '
            '{"api_key": "k", "api_secret": "hush-9", "colour": "red"}}}',
            r"unknown field\(s\) colour",
        ),
    ],
)
def test_malformed_files_are_config_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "credentials.json"
    path.write_text(content, encoding="utf-8")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match=message) as caught:
        read_profiles(path)
    assert "hush-9" not in str(caught.value)


def test_missing_file_or_profile(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    assert read_profiles(path) == {}
    with pytest.raises(ConfigError, match="no credentials file: profile 'default'"):
        load_profile("default", path)
    save_profile("default", PROFILE, path)
    with pytest.raises(ConfigError, match=r"no such profile: profile 'work'.*flickrwire auth"):
        load_profile("work", path)
