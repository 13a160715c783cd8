"""The httpx bridge: :class:`FlickrTransport` and :class:`AsyncFlickrTransport` wrap an
inner httpx transport, for httpx-based clients::

    client = httpx.Client(transport=FlickrTransport(target=emulator_url, via="soap"))

Flickr traffic (below ``/services/`` on a Flickr host or on the target) goes through the
bridge; anything else goes to the inner transport untouched.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from ..auth import Credentials
from ..decoding import MAX_BODY_BYTES
from .core import Bridge, OnResult, options
from .sending import asend, send

__all__ = ["AsyncFlickrTransport", "FlickrTransport"]


def _bridge(
    target: str | None,
    via: str | None,
    credentials: Credentials | None,
    record: str | Path | None,
    mode: str | None,
    on_result: OnResult | None,
    max_body: int,
) -> Bridge:
    opts = options(
        target=target,
        via=via,
        credentials=credentials,
        record=record,
        mode=mode,
        on_result=on_result,
    )
    return Bridge(opts, max_body=max_body)


class FlickrTransport(httpx.BaseTransport):
    """An httpx transport sending Flickr calls through flickrwire, then ``inner``
    (default: ``httpx.HTTPTransport()``). Options as every bridge's."""

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        *,
        target: str | None = None,
        via: str | None = None,
        credentials: Credentials | None = None,
        record: str | Path | None = None,
        mode: str | None = None,
        on_result: OnResult | None = None,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.bridge = _bridge(target, via, credentials, record, mode, on_result, max_body)
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self._stack = self.bridge.stack(self.inner)

    def __repr__(self) -> str:
        return f"<FlickrTransport {self.bridge!r}>"

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.bridge.owns(request.url):
            return self.inner.handle_request(request)
        return send(self.bridge, self._stack, request)

    def close(self) -> None:
        self.inner.close()


class AsyncFlickrTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`FlickrTransport` (inner default:
    ``httpx.AsyncHTTPTransport()``)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        target: str | None = None,
        via: str | None = None,
        credentials: Credentials | None = None,
        record: str | Path | None = None,
        mode: str | None = None,
        on_result: OnResult | None = None,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.bridge = _bridge(target, via, credentials, record, mode, on_result, max_body)
        self.inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self._stack = self.bridge.async_stack(self.inner)

    def __repr__(self) -> str:
        return f"<AsyncFlickrTransport {self.bridge!r}>"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.bridge.owns(request.url):
            return await self.inner.handle_async_request(request)
        return await asend(self.bridge, self._stack, request)

    async def aclose(self) -> None:
        await self.inner.aclose()
