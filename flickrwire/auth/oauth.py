"""Flickr's three-legged OAuth 1.0a flow, client side, and the per-user credentials file.

The flow (https://www.flickr.com/services/api/auth.oauth.html): get a request token from
``{base}/oauth/request_token`` (signed with the consumer secret alone, ``oauth_callback``
included), send the user to ``{base}/oauth/authorize?oauth_token=...&perms=...``, then
trade the request token and the verifier the user brings back for an access token at
``{base}/oauth/access_token`` (signed with the consumer secret and the request-token
secret). Building requests and reading answers is sans-IO; :class:`OAuthFlow` is the thin
httpx shell around it. Signing is ``flickrwire.auth``'s.

Tokens are kept in a JSON file of named profiles, readable by its owner only (0600).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, urlencode

import httpx

from .. import errors
from ..client import check_base_url, network_fault
from ..decoding import decode
from ..result import Fault

# The credentials file lives in credfile.py; its names stay importable from here.
from .credfile import (
    CONFIG_ENV as CONFIG_ENV,
    CONFIG_FORMAT as CONFIG_FORMAT,
    DEFAULT_PROFILE as DEFAULT_PROFILE,
    ConfigError as ConfigError,
    InsecureConfigError as InsecureConfigError,
    Profile as Profile,
    RequestToken as RequestToken,
    config_path as config_path,
    load_credentials as load_credentials,
    load_profile as load_profile,
    read_profiles as read_profiles,
    save_profile as save_profile,
    write_private as write_private,
)
from .signing import Credentials, authorization_header, new_nonce, now, oauth_params

#: Where Flickr serves its OAuth endpoints: ``https://www.flickr.com/services/oauth/...``
#: (auth.oauth.html), not the API host.
FLICKR_OAUTH_BASE = "https://www.flickr.com/services"
PERMS = ("read", "write", "delete")
#: ``oob``: no callback, the user copies the verifier by hand (RFC 5849 section 2.1).
OUT_OF_BAND = "oob"
#: Token answers are a few hundred bytes; anything much larger is not one.
MAX_ANSWER_BYTES = 64 * 1024

Placement = Literal["query", "header", "form"]


@dataclass(frozen=True, slots=True)
class Style:
    """How a token request travels: its HTTP method and where the ``oauth_*`` params go.

    The default is Flickr's own example (auth.oauth.html): GET, params in the query string.
    ``header`` is the ``Authorization: OAuth`` header; ``form`` a POST body.
    """

    http_method: str = "GET"
    placement: Placement = "query"


# -- the flow, sans-IO --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccessToken:
    """The user's access token of step 3, and who the user is."""

    token: str = field(repr=False)
    secret: str = field(repr=False)
    user_nsid: str
    username: str = ""
    fullname: str = ""


def oauth_url(base_url: str, step: str) -> str:
    """``{base_url}/oauth/{step}``; the base URL must be HTTPS (or HTTP on loopback)."""
    return check_base_url(base_url).rstrip("/") + "/oauth/" + step


def signed_request(
    url: str,
    credentials: Credentials,
    extra: Mapping[str, str],
    style: Style,
    *,
    nonce: str,
    timestamp: int,
) -> httpx.Request:
    """A request to an OAuth endpoint carrying the ``extra`` ``oauth_*`` params, signed.

    The signature covers the same parameters wherever they travel (RFC 5849 3.4.1.3).
    """
    method = style.http_method.upper()
    signed = oauth_params(credentials, method, url, extra, nonce=nonce, timestamp=timestamp)
    oauth = {**extra, **signed}
    if style.placement == "header":
        return httpx.Request(method, url, headers={"Authorization": authorization_header(oauth)})
    if style.placement == "form":
        if method != "POST":
            raise ValueError("form placement needs POST")
        return httpx.Request(method, url, data=oauth)
    return httpx.Request(method, url, params=oauth)


def request_token_request(
    consumer: Credentials,
    callback: str = OUT_OF_BAND,
    base_url: str = FLICKR_OAUTH_BASE,
    style: Style = Style(),
    *,
    nonce: str,
    timestamp: int,
) -> httpx.Request:
    """Step 1: signed with the consumer secret alone (a token in ``consumer`` is not sent)."""
    app = Credentials(consumer.api_key, consumer.api_secret)
    url = oauth_url(base_url, "request_token")
    extra = {"oauth_callback": callback}
    return signed_request(url, app, extra, style, nonce=nonce, timestamp=timestamp)


def authorize_url(
    request_token: RequestToken | str, perms: str = "delete", *, base_url: str = FLICKR_OAUTH_BASE
) -> str:
    """Step 2: the page where the user approves the app. It is not signed (auth.oauth.html).

    ``perms`` is Flickr's permission level: ``read``, ``write`` or ``delete``.
    """
    if perms not in PERMS:
        raise ValueError(f"perms must be one of {', '.join(PERMS)}, not {perms!r}")
    token = request_token.token if isinstance(request_token, RequestToken) else request_token
    return (
        oauth_url(base_url, "authorize") + "?" + urlencode({"oauth_token": token, "perms": perms})
    )


def access_token_request(
    consumer: Credentials,
    request_token: RequestToken,
    verifier: str,
    base_url: str = FLICKR_OAUTH_BASE,
    style: Style = Style(),
    *,
    nonce: str,
    timestamp: int,
) -> httpx.Request:
    """Step 3: signed with the consumer secret and the request token's secret."""
    key, secret = consumer.api_key, consumer.api_secret
    signer = Credentials(key, secret, request_token.token, request_token.secret)
    url = oauth_url(base_url, "access_token")
    extra = {"oauth_verifier": verifier.strip()}
    return signed_request(url, signer, extra, style, nonce=nonce, timestamp=timestamp)


def _refusal(
    step: str, status: int, body: bytes, headers: Mapping[str, str]
) -> errors.FlickrwireError:
    """The exception for an answer that is not a token: typed by what the body says.

    A refusal is HTTP 401 ``text/plain`` ``oauth_problem=...`` (shared sample
    oauth-401-signature-invalid-debug-sbs.txt); ``decode`` reads it and keeps only the
    problem's name, never ``debug_sbs`` (which names the consumer key and token). The
    exception carries the fault alone, not the body.
    """
    result = decode(body, status=status, headers=headers, method=f"oauth/{step}")
    fault = result.fault or Fault(None, f"HTTP {status} without a token", "http", False)
    code = "" if fault.code is None else f" ({fault.code})"
    cls = errors.exception_class(fault)
    return cls(f"{step} refused{code}: {fault.message}", fault)


def _fields(
    step: str, status: int, body: bytes, headers: Mapping[str, str], required: tuple[str, ...]
) -> dict[str, str]:
    """The form-encoded fields of a token answer; raises for a refusal or garbage.

    The messages name missing fields, never a value: the answer holds a token secret.
    """
    text = body.decode("utf-8", "replace").strip()
    if status != 200 or text.startswith("oauth_problem="):
        raise _refusal(step, status, body, headers)
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        pairs = []
    fields = dict(pairs)
    missing = [name for name in required if not fields.get(name)]
    if missing:
        fault = Fault(None, f"the {step} answer lacks {', '.join(missing)}", "decode", False)
        raise errors.DecodeError(f"{fault.message} (not an OAuth token answer)", fault)
    return fields


def parse_request_token(
    status: int, body: bytes, headers: Mapping[str, str] | None = None
) -> RequestToken:
    """Read ``oauth_callback_confirmed=true&oauth_token=...&oauth_token_secret=...``
    (shared sample oauth-request-token-response.txt)."""
    fields = _fields(
        "request_token", status, body, headers or {}, ("oauth_token", "oauth_token_secret")
    )
    confirmed = fields.get("oauth_callback_confirmed", "").lower() == "true"
    return RequestToken(fields["oauth_token"], fields["oauth_token_secret"], confirmed)


def parse_access_token(
    status: int, body: bytes, headers: Mapping[str, str] | None = None
) -> AccessToken:
    """Read ``fullname=...&oauth_token=...&oauth_token_secret=...&user_nsid=...&username=...``
    (shared sample oauth-access-token-response.txt; percent-encoded, ``%40`` in the NSID)."""
    required = ("oauth_token", "oauth_token_secret", "user_nsid")
    fields = _fields("access_token", status, body, headers or {}, required)
    return AccessToken(
        fields["oauth_token"],
        fields["oauth_token_secret"],
        fields["user_nsid"],
        fields.get("username", ""),
        fields.get("fullname", ""),
    )


# -- the flow over httpx ------------------------------------------------------------------


def exchange(http: httpx.Client, request: httpx.Request) -> tuple[int, bytes, httpx.Headers]:
    """Send one request; read at most :data:`MAX_ANSWER_BYTES`. Network failures raise
    :class:`~flickrwire.errors.NetworkError` (chained), a larger answer ``DecodeError``."""
    try:
        response = http.send(request, stream=True)
        try:
            parts: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    message = f"OAuth answer over {MAX_ANSWER_BYTES} bytes"
                    fault = Fault(None, message, "decode", False)
                    raise errors.DecodeError(fault.message, fault)
                parts.append(chunk)
        finally:
            response.close()
    except httpx.HTTPError as exc:
        fault = network_fault(exc)
        raise errors.NetworkError(fault.message, fault) from exc
    return response.status_code, b"".join(parts), response.headers


@dataclass(frozen=True, slots=True)
class OAuthFlow:
    """The three legs over one httpx client. Refusals, garbage and network failures raise
    the exceptions of ``flickrwire.errors`` (``AuthError`` for an ``oauth_problem``)."""

    http: httpx.Client
    consumer: Credentials = field(repr=False)
    base_url: str = FLICKR_OAUTH_BASE
    style: Style = Style()
    nonce: Callable[[], str] = new_nonce
    clock: Callable[[], int] = now

    def request_token(self, callback: str = OUT_OF_BAND) -> RequestToken:
        request = request_token_request(
            self.consumer,
            callback,
            self.base_url,
            self.style,
            nonce=self.nonce(),
            timestamp=self.clock(),
        )
        return parse_request_token(*exchange(self.http, request))

    def authorize_url(self, token: RequestToken, perms: str = "delete") -> str:
        return authorize_url(token, perms, base_url=self.base_url)

    def access_token(self, token: RequestToken, verifier: str) -> AccessToken:
        request = access_token_request(
            self.consumer,
            token,
            verifier,
            self.base_url,
            self.style,
            nonce=self.nonce(),
            timestamp=self.clock(),
        )
        return parse_access_token(*exchange(self.http, request))
