"""Flickr's OAuth 1.0a endpoints, so the whole three-legged flow runs against the emulator.

``/services/oauth/request_token`` (signed by the consumer, with ``oauth_callback``),
``/services/oauth/authorize`` (Flickr's approval page; here it approves at once for a
seeded user: the ``user`` parameter, an NSID or username, else the first user) and
``/services/oauth/access_token`` (signed with the request token and ``oauth_verifier``).
Answers are form-encoded text as in the shared samples oauth-request-token-response.txt
and oauth-access-token-response.txt; refusals are 401 ``oauth_problem=...``.
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote, urlencode

import anyio
import httpx
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..transports import RequestError
from ..transports.request import read_params
from . import verify
from .store import PERM_LEVELS, Tx
from .verify import OAUTH_REQUIRED, AuthInput, OAuthProblem

if TYPE_CHECKING:
    from .app import Emulator

#: Content type of the OAuth endpoints' answers (our guess: the same text/plain as the
#: recorded 401 answer, shared sample oauth-401-signature-invalid-debug-sbs.txt.source).
TEXT = "text/plain;charset=UTF-8"
_In = TypeVar("_In")


@dataclass(frozen=True, slots=True)
class RequestTokenRow:
    secret: str = field(repr=False)
    api_key: str = field(repr=False)
    callback: str
    verifier: str | None
    user: str | None
    perms: int | None


# The request_tokens table (schema in store.py) is used by this module only.


def add_request_token(tx: Tx, token: str, secret: str, api_key: str, callback: str) -> None:
    tx.run(
        "INSERT INTO request_tokens (token, secret, api_key, callback) VALUES (?, ?, ?, ?)",
        (token, secret, api_key, callback),
    )


def find_request_token(tx: Tx, token: str) -> RequestTokenRow | None:
    row = tx.one(
        "SELECT secret, api_key, callback, verifier, user_nsid, perms"
        " FROM request_tokens WHERE token = ?",
        (token,),
    )
    return RequestTokenRow(*row) if row else None


def authorize_request_token(tx: Tx, token: str, user: str, perms: int, verifier: str) -> None:
    tx.run(
        "UPDATE request_tokens SET user_nsid = ?, perms = ?, verifier = ? WHERE token = ?",
        (user, perms, verifier, token),
    )


def exchange_request_token(
    tx: Tx, request_token: str, token: str, secret: str, row: RequestTokenRow
) -> None:
    """Swap an authorised request token for an access token (one use only)."""
    tx.run("DELETE FROM request_tokens WHERE token = ?", (request_token,))
    tx.run(
        "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, 0)",
        (token, secret, row.api_key, row.user, row.perms),
    )


def new_token() -> tuple[str, str]:
    """A token and its secret in Flickr's shapes: ``72157<12 digits>-<16 hex>``, 16 hex."""
    return f"72157{secrets.randbelow(10**12):012d}-{secrets.token_hex(8)}", secrets.token_hex(8)


def _form(pairs: list[tuple[str, str]]) -> bytes:
    # %20 for spaces and %40 for "@", as in the recorded access_token answer.
    return urlencode(pairs, quote_via=quote).encode("utf-8")


async def _http_request(request: Request) -> httpx.Request:
    body = await request.body()
    return httpx.Request(
        request.method, str(request.url), headers=request.headers.raw, content=body
    )


class OAuthEndpoints:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def _signed(
        self, request: httpx.Request, extra: tuple[str, ...]
    ) -> tuple[AuthInput, dict[str, str]]:
        try:
            read = read_params(request)
        except RequestError as exc:  # a body that is not a form, a parameter given twice
            raise OAuthProblem("parameter_rejected") from exc
        auth = verify.collect(request, read)
        auth.also = verify.public_uris(request, self.emulator.config.public_urls)
        fields = verify.oauth_fields(auth)
        verify.require(fields, OAUTH_REQUIRED + extra)
        return auth, fields

    def _verify(self, tx: Tx, auth: AuthInput, fields: dict[str, str], token_secret: str) -> None:
        config = self.emulator.config
        consumer_secret = tx.api_secret(fields["oauth_consumer_key"])
        if consumer_secret is None:
            raise OAuthProblem("consumer_key_unknown")
        now = config.clock()
        claim = verify.check_oauth(
            auth, fields, consumer_secret, token_secret, now=now, window=config.timestamp_window
        )
        self.emulator.claim(tx, claim, now)

    async def request_token(self, request: Request) -> Response:
        return await _off_loop(self._request_token, await _http_request(request))

    async def authorize(self, request: Request) -> Response:
        return await _off_loop(self._authorize, dict(request.query_params))

    async def access_token(self, request: Request) -> Response:
        return await _off_loop(self._access_token, await _http_request(request))

    def _request_token(self, request: httpx.Request) -> Response:
        try:
            auth, fields = self._signed(request, ("oauth_callback",))
            token, secret = new_token()
            with self.emulator.store.transaction(write=True) as tx:
                self._verify(tx, auth, fields, "")
                key = fields["oauth_consumer_key"]
                add_request_token(tx, token, secret, key, fields["oauth_callback"])
        except OAuthProblem as problem:
            return _problem(problem)
        pairs = [
            ("oauth_callback_confirmed", "true"),
            ("oauth_token", token),
            ("oauth_token_secret", secret),
        ]
        return Response(_form(pairs), headers={"content-type": TEXT})

    def _authorize(self, query: dict[str, str]) -> Response:
        perms = query.get("perms", "read")
        if perms not in ("read", "write", "delete"):
            return Response(b"perms must be read, write or delete", 400, media_type="text/plain")
        token = query.get("oauth_token", "")
        verifier = secrets.token_hex(8)
        with self.emulator.store.transaction(write=True) as tx:
            row = find_request_token(tx, token) if token else None
            if row is None:
                return _problem(OAuthProblem("token_rejected"))
            wanted = query.get("user") or tx.first_user() or ""
            user = tx.user(wanted)
            if user is None:
                return Response(b"no such user to approve for", 400, media_type="text/plain")
            authorize_request_token(tx, token, user[0], PERM_LEVELS[perms], verifier)
        pairs = [("oauth_token", token), ("oauth_verifier", verifier)]
        if row.callback == "oob":
            return Response(_form(pairs), headers={"content-type": TEXT})
        joiner = "&" if "?" in row.callback else "?"
        return RedirectResponse(row.callback + joiner + _form(pairs).decode(), status_code=302)

    def _access_token(self, request: httpx.Request) -> Response:
        try:
            extra = ("oauth_token", "oauth_verifier")
            auth, fields = self._signed(request, extra)
            token, secret = new_token()
            with self.emulator.store.transaction(write=True) as tx:
                row = find_request_token(tx, fields["oauth_token"])
                if row is None or row.api_key != fields["oauth_consumer_key"]:
                    raise OAuthProblem("token_rejected")
                self._verify(tx, auth, fields, row.secret)
                if row.verifier is None or row.user is None:
                    raise OAuthProblem("permission_unknown")
                if not hmac.compare_digest(row.verifier, fields["oauth_verifier"]):
                    raise OAuthProblem(
                        "parameter_rejected", oauth_parameters_rejected="oauth_verifier"
                    )
                exchange_request_token(tx, fields["oauth_token"], token, secret, row)
                user = tx.user(row.user)
        except OAuthProblem as problem:
            return _problem(problem)
        nsid, username, fullname = user or (row.user, "", "")
        pairs = [
            ("fullname", fullname),
            ("oauth_token", token),
            ("oauth_token_secret", secret),
            ("user_nsid", nsid),
            ("username", username),
        ]
        return Response(_form(pairs), headers={"content-type": TEXT})


async def _off_loop(endpoint: Callable[[_In], Response], given: _In) -> Response:
    """Run an endpoint on a worker thread, never on the event loop (app.py); a database
    locked elsewhere past the store's timeout is a 503 (our choice; Flickr documents none)."""
    try:
        return await anyio.to_thread.run_sync(endpoint, given)
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        return Response(b"service temporarily unavailable: try again", 503, headers={
            "content-type": TEXT})  # fmt: skip


def _problem(problem: OAuthProblem) -> Response:
    return Response(problem.body(), 401, headers={"content-type": TEXT})


def routes(emulator: Emulator) -> list[BaseRoute]:
    endpoints = OAuthEndpoints(emulator)
    return [
        Route("/services/oauth/request_token", endpoints.request_token, methods=["GET", "POST"]),
        Route("/services/oauth/authorize", endpoints.authorize, methods=["GET"]),
        Route("/services/oauth/access_token", endpoints.access_token, methods=["GET", "POST"]),
    ]
