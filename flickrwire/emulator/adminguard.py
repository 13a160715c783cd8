"""Who may use the admin API: the checks every ``/_admin/`` request passes first.

The admin API can read every secret the emulator holds and rewrite its state, and it
listens where a browser can reach it. So, in this order:

1. the ``Host`` must name the loopback interface (``127.0.0.0/8``, ``[::1]``,
   ``localhost``, any port): a page on ``evil.example`` whose name was re-pointed to
   127.0.0.1 (DNS rebinding) still sends ``Host: evil.example`` (403);
2. an ``Origin``, when sent, must be a loopback one too: browsers send it on cross-site
   writes (403);
3. ``Authorization: Bearer <token>`` must carry the token of this start, random unless
   given (``--admin-token``, ``create_app(admin_token=...)``) (401);
4. a write (any verb but GET, HEAD, OPTIONS) must be ``application/json`` or carry no body:
   an HTML form or a no-preflight ``fetch`` can only send form or text types (415).

Refusals answer ``{"error": "..."}`` like the rest of the admin API.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .defaults import TOKEN_ENV

__all__ = [
    "REALM",
    "TOKEN_ENV",
    "AdminGuard",
    "loopback_host",
    "loopback_origin",
    "new_token",
    "refusal",
]
REALM = 'Bearer realm="flickrwire-emulator"'
_SAFE_VERBS = frozenset({"GET", "HEAD", "OPTIONS"})
_PORT = re.compile(r":[0-9]{1,5}")


def new_token() -> str:
    """A fresh admin token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def loopback_host(host: str) -> bool:
    """True for ``127.x.y.z``, ``[::1]`` or ``localhost``, each with an optional port."""
    host = host.strip().lower()
    if host.startswith("["):
        name, bracket, port = host[1:].partition("]")
        if not bracket:
            return False
    else:
        name, colon, digits = host.partition(":")
        port = colon + digits
    if port and not _PORT.fullmatch(port):
        return False
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def loopback_origin(origin: str) -> bool:
    parts = urlsplit(origin.strip())
    return parts.scheme in ("http", "https") and loopback_host(parts.netloc)


def refusal(headers: Headers, verb: str, token: str) -> tuple[int, str] | None:
    """Status and message for a request the admin API must refuse; None to let it in."""
    hosts = headers.getlist("host")
    if len(hosts) != 1 or not loopback_host(hosts[0]):
        return 403, "the admin API answers only for a loopback Host (127.0.0.1, [::1], localhost)"
    origins = headers.getlist("origin")
    if origins and (len(origins) > 1 or not loopback_origin(origins[0])):
        return 403, "the admin API refuses requests from a foreign Origin"
    scheme, _, given = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8", "replace"), token.encode("utf-8")
    ):
        return 401, "the admin API needs its token: Authorization: Bearer <token>"
    if verb not in _SAFE_VERBS and not _json_or_empty(headers):
        return 415, "admin writes take application/json (or no body)"
    return None


def _json_or_empty(headers: Headers) -> bool:
    types = headers.getlist("content-type")
    if not types:
        return "transfer-encoding" not in headers and headers.get("content-length", "0") == "0"
    media = types[0].partition(";")[0].strip().lower()
    return len(types) == 1 and media == "application/json"


class AdminGuard:
    """Wraps the admin API's ASGI app with :func:`refusal`."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if not token:
            raise ValueError("the admin token must not be empty")
        self.app = app
        self.token = token

    def __repr__(self) -> str:
        return "<AdminGuard>"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refused = refusal(Headers(scope=scope), scope["method"], self.token)
            if refused is not None:
                status, message = refused
                extra = {"WWW-Authenticate": REALM} if status == 401 else None
                response = JSONResponse({"error": message}, status_code=status, headers=extra)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
