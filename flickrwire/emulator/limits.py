"""The emulator's bound on request bodies: the outermost layer of ``create_app``.

A body longer than ``max_body`` bytes (1 MiB unless told) is refused without being read:
a ``Content-Length`` above the limit is answered at once, and a body sent without one
(chunked) is counted as the app pulls it, refused as soon as the count passes the limit.
The answer is HTTP 413 with a Flickr error (code 413, ours: Flickr documents none) in the
format the query asks for, or the endpoint's own; the admin API gets its ``{"error": ...}``.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import transports
from ..transports.request import query_pairs
from . import app as core
from .defaults import DEFAULT_MAX_BODY
from .requestlog import transport_paths

#: The Flickr code of the refusal (ours, as HTTP's status: Flickr documents none).
TOO_LARGE = 413


class BodyTooLarge(Exception):
    """Raised from ``receive`` once a body passes the limit (caught by :class:`BodyLimit`)."""


class BodyLimit:
    """Refuse request bodies over ``max_body`` bytes with 413, reading at most that much."""

    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY) -> None:
        if max_body < 0:
            raise ValueError("max_body must not be negative")
        self.app = app
        self.max_body = max_body
        self._paths = transport_paths()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: bytes | None = None  # the first Content-Length
        chunked = False
        for key, value in scope["headers"]:
            if key == b"content-length":
                if length is None:
                    length = value
            elif key == b"transfer-encoding":
                chunked = True
        if length is not None and length.isdigit():
            if int(length) > self.max_body:
                await self._refuse(scope, send)
                return
            if not chunked:
                # The server reads exactly Content-Length bytes (RFC 9112 section 6.3):
                # a body within the limit cannot grow past it, so nothing to count.
                await self.app(scope, receive, send)
                return
        started = False
        pulled = 0

        async def counted() -> Message:
            nonlocal pulled
            message = await receive()
            if message["type"] == "http.request":
                pulled += len(message.get("body", b""))
                if pulled > self.max_body:
                    raise BodyTooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        status, content_type, body = self.refusal(scope)
        headers = [
            (b"content-type", content_type.encode("latin-1")),
            (b"content-length", str(len(body)).encode("latin-1")),
            # The unread rest of the body makes the connection unusable for another request.
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def refusal(self, scope: Scope) -> tuple[int, str, bytes]:
        """Status, content type and body of the 413 answer for this request."""
        message = f"Request body too large (at most {self.max_body} bytes)"
        path: str = scope["path"]
        if path.startswith("/_admin/"):
            return TOO_LARGE, "application/json", json.dumps({"error": message}).encode()
        name = self._paths.get(path.rstrip("/"), "rest")
        transport = transports.get(name if name != "oauth" else "rest")
        params = dict(query_pairs(core.scope_request(scope, b"")))
        fmt = core.response_format(transport, params) or core.Format(transport, "xml")
        method = params.get("method", "")
        result = core.fault_result(method, transport, fmt.codec, TOO_LARGE, message)
        _, body, content_type = core.render(fmt, result)
        return TOO_LARGE, content_type, body
