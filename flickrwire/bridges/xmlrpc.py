"""The ``xmlrpc.client`` bridge: :class:`Transport` and :class:`SafeTransport` for
``xmlrpc.client.ServerProxy``, sending through httpx (timeouts, TLS verification and the
body size limit apply)::

    proxy = xmlrpc.client.ServerProxy(
        "https://api.flickr.com/services/xmlrpc/", transport=SafeTransport(target=url)
    )
    proxy.flickr.test.echo({"api_key": key, "format": "json", "nojsoncallback": "1"})

Flickr's answers reach the stdlib in the shapes it can return: the payload string of a
``methodResponse`` as its own parser reads it; a ``format=json`` body (which the stdlib
would fail to parse as XML) as that JSON text; a Flickr error, whatever format carried it,
as ``xmlrpc.client.Fault(code, message)``. An answer flickrwire cannot read raises
``xmlrpc.client.ResponseError``, an HTTP error without a Flickr answer ``ProtocolError``,
a network failure the ``OSError`` the stdlib raises for it.
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

from ..auth import Credentials
from ..client import DEFAULT_TIMEOUT
from ..codecs import json as jsoncodec
from ..decoding import MAX_BODY_BYTES
from ..result import Result
from .core import RESULT, Bridge, OnResult, options
from .sending import send

__all__ = ["SafeTransport", "Transport"]


class Transport(xmlrpc.client.Transport):
    """An ``xmlrpc.client`` transport for plain-HTTP URLs (loopback: the emulator);
    options as every bridge's, plus ``timeout`` and the inner httpx transport."""

    scheme = "http"

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
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        max_body: int = MAX_BODY_BYTES,
        use_builtin_types: bool = False,
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        super().__init__(use_builtin_types=use_builtin_types, headers=headers)
        opts = options(
            target=target,
            via=via,
            credentials=credentials,
            record=record,
            mode=mode,
            on_result=on_result,
        )
        self.bridge = Bridge(opts, max_body=max_body, wants_result=True)
        self.inner = inner if inner is not None else httpx.HTTPTransport()
        self._stack = self.bridge.stack(self.inner)
        self._timeout = httpx.Timeout(timeout).as_dict()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.bridge!r}>"

    def request(
        self, host: Any, handler: str, request_body: Any, verbose: bool = False
    ) -> tuple[Any, ...]:
        url = f"{self.scheme}://{host}{handler}"
        headers = [
            ("Content-Type", "text/xml"),
            ("User-Agent", self.user_agent),
            *self._headers,
        ]
        request = httpx.Request("POST", url, headers=headers, content=bytes(request_body))
        request.extensions["timeout"] = self._timeout
        try:
            if "/services/" in request.url.path:
                response = send(self.bridge, self._stack, request)
            else:
                response = self.inner.handle_request(request)
                response.read()
        except httpx.HTTPError as exc:
            raise _os_error(exc) from exc
        return self._answer(url, response)

    def _answer(self, url: str, response: httpx.Response) -> tuple[Any, ...]:
        result: Result | None = response.extensions.get(RESULT)
        fault = result.fault if result is not None else None
        if fault is not None and fault.code is not None:
            raise xmlrpc.client.Fault(fault.code, fault.message)
        if response.status_code != 200:
            raise xmlrpc.client.ProtocolError(
                url, response.status_code, response.reason_phrase, dict(response.headers)
            )
        if fault is not None:
            raise xmlrpc.client.ResponseError(f"{fault.origin}: {fault.message}")
        body = response.content
        if jsoncodec.looks_like_json(body[:64].decode("utf-8", "replace")):
            return (body.decode("utf-8"),)
        parser, unmarshaller = self.getparser()
        parser.feed(body)
        parser.close()
        return tuple(unmarshaller.close())

    def close(self) -> None:
        super().close()
        self.inner.close()


class SafeTransport(Transport):
    """The HTTPS twin (``ServerProxy("https://api.flickr.com/services/xmlrpc/", ...)``)."""

    scheme = "https"


def _os_error(exc: httpx.HTTPError) -> OSError:
    """What the stdlib's own transport raises for the same failure."""
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutError(message)
    if isinstance(exc, httpx.ConnectError):
        return ConnectionRefusedError(message)
    return ConnectionError(message)
