"""The HTTP client an ``AsyncClient`` makes for itself, and its way past ``httpx.Response``.

With aiohttp installed (``flickrwire[fast]``), an ``AsyncClient`` given no ``http_client=``
sends through :class:`flickrwire.aio.AiohttpClient`, and reads most answers without an
``httpx.Response`` (:meth:`~flickrwire.aio.AiohttpClient.send_plain`). An injected
``httpx.AsyncClient``, whatever it is, goes through its own ``send``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from urllib.request import getproxies

import httpx

from .transports.base import DecodingTransport, Transport

#: ``AiohttpClient.send_plain``: the status, headers and body of an answer read whole, or
#: an ``httpx.Response`` to read as any other.
SendPlain = Callable[
    [httpx.Request, int], Awaitable[httpx.Response | tuple[int, Mapping[str, str], bytes]]
]


def default_async_http(timeout: httpx.Timeout | float) -> httpx.AsyncClient:
    """The ``httpx.AsyncClient`` an ``AsyncClient`` makes for itself: sending through aiohttp
    when it is installed (``flickrwire[fast]``; httpx's own pool loses throughput as calls
    in flight grow, see ``flickrwire.aio``), through httpx's pool otherwise, and also when
    proxy environment variables are set (httpx honours them; the aiohttp transport does not).
    """
    if not {"http", "https", "all"} & getproxies().keys():  # NO_PROXY alone changes nothing
        try:
            from .aio import AiohttpClient
        except ImportError:  # aiohttp is not installed
            pass
        else:
            return AiohttpClient(timeout=timeout)
    return httpx.AsyncClient(timeout=timeout)


def plain_sender(http: httpx.AsyncClient, owned: bool, transport: Transport) -> SendPlain | None:
    """``http.send_plain`` when ``http`` is the client's own aiohttp client and the
    transport decodes a body from its status and headers alone (a transport that reads
    the ``httpx.Response`` itself needs one); None otherwise."""
    if not owned or not isinstance(transport, DecodingTransport) or not transport.decodes_plainly:
        return None
    send: SendPlain | None = getattr(http, "send_plain", None)
    return send
