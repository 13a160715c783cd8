"""An httpx transport that sends through aiohttp: ``AsyncClient``'s default when installed.

httpx's own async pool (httpcore) loses throughput as calls in flight grow: on a loopback
server, 50 and 200 concurrent calls went slower than 10 (issue 11, measured by
``bench/bench_async.py``), while ``aiohttp.ClientSession`` on the same server kept its
rate. This module keeps the public shape httpx's (an ``httpx.AsyncBaseTransport`` under an
``httpx.AsyncClient``) and hands the socket work to aiohttp:

- redirects are never followed here (httpx decides, and flickrwire asks it not to);
- bodies are not decompressed here: httpx decodes ``Content-Encoding`` itself, so the
  client's size limit still counts decoded bytes;
- httpx's per-request timeouts (``connect``, ``read``, ``pool``) become aiohttp's;
- TLS certificates are verified (aiohttp's default context);
- aiohttp failures become the matching ``httpx`` exceptions, raised ``from`` the original,
  so ``Client``'s network faults read the same whichever transport sent the call.

Install with ``pip install 'flickrwire[fast]'``. An ``http_client=`` passed to
``AsyncClient`` is used as given, whatever its transport.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
import httpx

#: Connections kept per transport, as httpx's default ``Limits(max_connections=100)``.
DEFAULT_LIMIT = 100
_CHUNK = 64 * 1024
#: Bodies up to this size, uncompressed and of declared length, are read at once.
_EAGER = 64 * 1024


@contextmanager
def _translated(request: httpx.Request) -> Iterator[None]:
    """aiohttp's failures as httpx's, chained, so callers need know only httpx."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(f"connect timed out: {exc}", request=request) from exc
    except (aiohttp.SocketTimeoutError, aiohttp.ServerTimeoutError, asyncio.TimeoutError) as exc:
        raise httpx.ReadTimeout(f"read timed out: {exc}", request=request) from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError) as exc:
        raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__, request=request) from exc
    except aiohttp.ClientOSError as exc:
        raise httpx.ReadError(str(exc), request=request) from exc
    except aiohttp.ClientError as exc:
        raise httpx.TransportError(f"{type(exc).__name__}: {exc}", request=request) from exc


class _Body(httpx.AsyncByteStream):
    """An aiohttp response body, read in chunks as httpx asks; closing releases it."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _translated(self._request):
            async for chunk in self._response.content.iter_chunked(_CHUNK):
                yield chunk

    async def aclose(self) -> None:
        self._response.release()


def _small_and_plain(response: aiohttp.ClientResponse) -> bool:
    """An uncompressed body whose declared length is at most ``_EAGER`` bytes."""
    length = response.content_length
    encoding = response.headers.get("Content-Encoding", "identity")
    return length is not None and length <= _EAGER and encoding in ("identity", "")


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout:
    found: dict[str, float | None] = request.extensions.get("timeout", {})
    return aiohttp.ClientTimeout(
        total=None,
        connect=found.get("pool"),
        sock_connect=found.get("connect"),
        sock_read=found.get("read"),
    )


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send httpx requests through one ``aiohttp.ClientSession``, made on first use."""

    def __init__(self, *, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limit)
            self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                trust_env=False,
                skip_auto_headers=("Accept-Encoding", "User-Agent", "Content-Type"),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open()
        body = await request.aread()
        headers = request.headers.multi_items()
        with _translated(request):
            response = await session.request(
                request.method,
                str(request.url),
                data=body or None,
                headers=headers,
                allow_redirects=False,
                timeout=_timeout(request),
            )
        version = response.version or aiohttp.HttpVersion11
        extensions: dict[str, Any] = {
            "http_version": f"HTTP/{version.major}.{version.minor}".encode(),
            "reason_phrase": (response.reason or "").encode("ascii", "replace"),
        }
        raw = list(response.raw_headers)
        if _small_and_plain(response):
            # Most Flickr answers: read at once, saving a stream per call. An uncompressed
            # body of at most _EAGER bytes cannot outgrow that once httpx reads it.
            with _translated(request):
                try:
                    content = await response.read()
                finally:
                    response.release()
            return httpx.Response(
                response.status, headers=raw, content=content, extensions=extensions
            )
        return httpx.Response(
            response.status,
            headers=raw,
            stream=_Body(response, request),
            extensions=extensions,
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
