"""The HTTP client an ``AsyncClient`` makes for itself, and its way past ``httpx``'s objects.

With aiohttp installed (``flickrwire[fast]``), an ``AsyncClient`` given no ``http_client=``
sends through :class:`flickrwire.aio.AiohttpClient`: a POST goes out from its parts (no
``httpx.Request`` built, :meth:`~flickrwire.aio.AiohttpClient.send_post`) and most answers
are read without an ``httpx.Response``. An injected ``httpx.AsyncClient``, whatever it
is, goes through its own ``send`` with the ``httpx.Request`` the transport builds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import NamedTuple
from urllib.request import getproxies

import httpx

from .auth import Signer
from .call import Call
from .exchange import Deadline
from .transports.base import DecodingTransport, Outgoing, Transport

#: What a short path gives: the status, headers and body of an answer read whole, or an
#: ``httpx.Response`` to read as any other.
Sent = httpx.Response | tuple[int, Mapping[str, str], bytes]
#: ``AiohttpClient.send_post``: a POST from its parts, within a deadline and a body limit.
SendPost = Callable[[Outgoing, Deadline, int], Awaitable[Sent]]


#: A transport's ``build_post``: the parts of the POST its ``build_request`` builds.
BuildPost = Callable[[Call, str, Signer, str], Outgoing | None]


class ShortPath(NamedTuple):
    """An ``AsyncClient``'s way past ``httpx.Request`` and ``httpx.Response``: its own
    HTTP client ``http`` sends with ``send`` what ``build`` (``transport.build_post``)
    gives. The client takes it only while ``http`` and ``transport`` are still its own."""

    http: httpx.AsyncClient
    transport: Transport
    build: BuildPost
    send: SendPost


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


def posts_plainly(transport: object) -> bool:
    """Whether ``transport.build_post`` gives the parts of the very request its
    ``build_request`` builds: the first class of the transport's MRO that defines either
    defines both (a subclass overriding ``build_request`` alone is built its own way)."""
    for cls in type(transport).__mro__:
        defined = vars(cls)
        if "build_request" in defined or "build_post" in defined:
            return "build_request" in defined and "build_post" in defined
    return False


def plain_sender(http: httpx.AsyncClient, owned: bool, transport: Transport) -> ShortPath | None:
    """The short path when ``http`` is the client's own aiohttp client, the transport
    gives its POSTs' parts, and it decodes a body from its status and headers alone (a
    transport that reads the ``httpx.Response`` itself needs one); None otherwise."""
    if not owned or not isinstance(transport, DecodingTransport) or not transport.decodes_plainly:
        return None
    send: SendPost | None = getattr(http, "send_post", None)
    build: BuildPost | None = getattr(transport, "build_post", None)
    if send is None or build is None or not posts_plainly(transport):
        return None
    return ShortPath(http, transport, build, send)
