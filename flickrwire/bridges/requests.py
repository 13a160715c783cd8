"""The ``requests`` bridge: :class:`FlickrAdapter` to mount on a session, and
:func:`intercept`, which routes the Flickr traffic of every session through one.

flickrapi sends through a session created once at class level
(``OAuthFlickrInterface.session``), flickr-api through the bare ``requests.post``, which
makes a new session per call; ``intercept`` reaches both by answering
``requests.Session.get_adapter`` for Flickr URLs (and the target's), leaving any other URL
to the session's own adapters. Requests travel on through httpx: timeouts are the
client's, TLS is httpx's (verified), redirects are never followed.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from ..auth import Credentials
from ..client import DEFAULT_TIMEOUT
from ..decoding import MAX_BODY_BYTES
from ..transports import endpoint_url
from .core import FLICKR_HOSTS, Bridge, OnResult, options
from .sending import send

__all__ = ["FlickrAdapter", "intercept"]

Timeout = float | tuple[float | None, float | None] | None


class FlickrAdapter(BaseAdapter):
    """A ``requests`` adapter sending Flickr calls through flickrwire::

        session.mount("https://api.flickr.com/", FlickrAdapter(target=emulator_url))

    Options as every bridge's (``target``, ``via``, ``credentials``, ``record``, ``mode``,
    ``on_result``); ``inner`` is the httpx transport that does the sending (default: a
    fresh ``httpx.HTTPTransport``). URLs outside ``/services/`` go to ``inner`` unchanged.
    """

    def __init__(
        self,
        *,
        target: str | None = None,
        via: str | None = None,
        credentials: Credentials | None = None,
        record: str | Path | None = None,
        mode: str | None = None,
        on_result: OnResult | None = None,
        inner: httpx.BaseTransport | None = None,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        super().__init__()
        opts = options(
            target=target,
            via=via,
            credentials=credentials,
            record=record,
            mode=mode,
            on_result=on_result,
        )
        self.bridge = Bridge(opts, max_body=max_body)
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self._stack = self.bridge.stack(self.inner)

    def __repr__(self) -> str:
        return f"<FlickrAdapter {self.bridge!r}>"

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Timeout = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        outgoing = _to_httpx(request, timeout)
        try:
            if "/services/" in outgoing.url.path:
                response = send(self.bridge, self._stack, outgoing)
            else:
                response = self.inner.handle_request(outgoing)
                response.read()
        except httpx.HTTPError as exc:
            raise _requests_error(exc, request) from exc
        return self._to_requests(response, request)

    def _to_requests(
        self, response: httpx.Response, request: requests.PreparedRequest
    ) -> requests.Response:
        out = requests.Response()
        out.status_code = response.status_code
        out.headers = CaseInsensitiveDict(dict(response.headers.items()))
        content = response.content
        out._content = content
        out._content_consumed = True  # type: ignore[attr-defined]
        out.raw = io.BytesIO(content)
        out.url = request.url or ""
        out.request = request
        out.reason = response.reason_phrase
        out.encoding = get_encoding_from_headers(out.headers)
        out.connection = self  # type: ignore[assignment]
        return out

    def close(self) -> None:
        self.inner.close()


def _body(request: requests.PreparedRequest) -> bytes:
    body: Any = request.body
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if hasattr(body, "read"):  # requests-toolbelt's MultipartEncoder, files
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(c.encode() if isinstance(c, str) else bytes(c) for c in body)


def _timeout(timeout: Timeout) -> dict[str, float | None]:
    if timeout is None:
        return DEFAULT_TIMEOUT.as_dict()
    if isinstance(timeout, tuple):
        connect, read = timeout
        return {"connect": connect, "read": read, "write": read, "pool": read}
    return httpx.Timeout(timeout).as_dict()


def _to_httpx(request: requests.PreparedRequest, timeout: Timeout) -> httpx.Request:
    headers = [(k, v) for k, v in request.headers.items() if k.lower() != "content-length"]
    # The URL parsed once per distinct URL (a client calls the same endpoint again and again).
    url = endpoint_url(request.url or "")
    out = httpx.Request(request.method or "GET", url, headers=headers, content=_body(request))
    out.extensions["timeout"] = _timeout(timeout)
    return out


def _requests_error(exc: httpx.HTTPError, request: requests.PreparedRequest) -> Exception:
    """The exception ``requests`` raises for the same failure on its own adapter."""
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.ConnectTimeout):
        return requests.ConnectTimeout(message, request=request)
    if isinstance(exc, httpx.TimeoutException):
        return requests.ReadTimeout(message, request=request)
    if isinstance(exc, httpx.DecodingError):
        return requests.exceptions.ContentDecodingError(message, request=request)
    return requests.ConnectionError(message, request=request)


GetAdapter = Callable[[requests.Session, str], BaseAdapter]


class intercept(contextlib.ContextDecorator):
    """Route the Flickr traffic of every ``requests`` session through a
    :class:`FlickrAdapter` for as long as the block (or decorated function) runs::

        with intercept(target=emulator_url, credentials=bob) as adapter:
            flickrapi.FlickrAPI(key, secret).test.echo(name="x")

    Flickr traffic is any URL below ``/services/`` on a Flickr host or on the target;
    everything else keeps the session's own adapters. The patch is process-wide (every
    thread), and nests: the innermost ``intercept`` answers.
    """

    def __init__(self, **adapter_options: Any) -> None:
        self.adapter = FlickrAdapter(**adapter_options)
        self._saved: list[GetAdapter] = []
        target = self.adapter.bridge.target
        origin = urlsplit(target) if target else None
        self._target = (origin.scheme, origin.netloc.lower()) if origin else None

    def _routes(self, url: str) -> bool:
        parts = urlsplit(url)
        if "/services/" not in parts.path:
            return False
        host = (parts.hostname or "").lower()
        return host in FLICKR_HOSTS or (parts.scheme, parts.netloc.lower()) == self._target

    def __enter__(self) -> FlickrAdapter:
        original: GetAdapter = requests.Session.get_adapter
        adapter, routes = self.adapter, self._routes

        def get_adapter(session: requests.Session, url: str) -> BaseAdapter:
            if routes(url):
                return adapter
            return original(session, url)

        self._saved.append(original)
        requests.Session.get_adapter = get_adapter  # type: ignore[method-assign,assignment]
        return adapter

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        requests.Session.get_adapter = self._saved.pop()  # type: ignore[method-assign,assignment]
        if not self._saved:
            self.adapter.close()  # its connections; a later block opens new ones
