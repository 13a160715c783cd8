"""Matching a request to a recorded exchange: what a request *is*, whatever its protocol.

A match key is the HTTP method, the path and the decoded Flickr call (method and params)
with credentials, nonces, timestamps and signatures left out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from .. import transports
from ..auth import Signer
from .redact import REDACT_PARAMS

if TYPE_CHECKING:
    from .replay import Fixture

MatchKey = tuple[str, str, str, tuple[tuple[str, str], ...]]

# Flickr's endpoints below /services/; the upload API (up.flickr.com/services/upload/ and
# .../replace/) answers REST <rsp> documents (samples upload-xml-*), so it counts as REST.
_ENDPOINT = re.compile(r"/services/(rest|xmlrpc|soap|upload|replace)/?$")
_ENDPOINT_TRANSPORT = {"upload": "rest", "replace": "rest"}


def endpoint_transport(path: str) -> str | None:
    """The transport of a Flickr endpoint path (``/services/soap/`` -> ``soap``), or None."""
    found = _ENDPOINT.search(path)
    if found is None:
        return None
    return _ENDPOINT_TRANSPORT.get(found.group(1), found.group(1))


def infer_transport(request: httpx.Request) -> str:
    """The request protocol of ``request``: from its endpoint path, else from its body."""
    by_path = endpoint_transport(request.url.path)
    if by_path is not None:
        return by_path
    head = request.read()[:512].lstrip()
    if b"<methodCall" in head:
        return "xmlrpc"
    if b"Envelope" in head:
        return "soap"
    return "rest"


def ignored_param(name: str) -> bool:
    """Credentials and signing plumbing take no part in matching."""
    return name in REDACT_PARAMS or name.startswith("oauth_")


def match_key(
    request: httpx.Request, transport: str, *, across_transports: bool = False
) -> MatchKey | None:
    """What a request is, for matching: HTTP method, path, and the decoded Flickr call.

    ``None`` when ``transport`` cannot parse the request. A missing ``format`` counts as
    the transport's native one, Flickr's default (lesspress.net/reference/flickr: "REST
    requests will receive REST responses (as if format=rest)"). ``across_transports``
    keeps only the call: the HTTP method and path go, and the native format is ``xml``,
    so a REST form, an XML-RPC struct and SOAP children carrying one call are one key.
    """
    try:
        call = transports.get(transport).parse_request(request)
    except ValueError:  # transports.RequestError, or a body that is not the protocol's
        return None
    params = {k: v for k, v in call.params.items() if not ignored_param(k)}
    native = transports.response_format(transport, "xml")
    params.setdefault("format", native)
    if across_transports:
        if params["format"] == native:
            params["format"] = "xml"
        return ("", "", call.method, tuple(sorted(params.items())))
    path = urlsplit(str(request.url)).path
    return (request.method, path, call.method, tuple(sorted(params.items())))


def fixture_key(
    fixture: Fixture,
    base_url: str = "https://api.flickr.com/services/",
    *,
    across_transports: bool = False,
) -> MatchKey | None:
    """The key a fixture answers: from its stored request, else from its call."""
    if fixture.request is not None:
        request = fixture.request.as_httpx()
    elif fixture.call is not None:
        transport = transports.get(fixture.transport)
        request = transport.build_request(
            fixture.call.to_call(), fixture.codec, Signer(None, "none"), base_url
        )
    else:
        return None
    return match_key(request, fixture.transport, across_transports=across_transports)


def describe(key: MatchKey) -> str:
    """A key as a readable line: ``POST /services/rest/ flickr.groups.leave(group_id=...)``."""
    http_method, path, method, params = key
    args = ", ".join(f"{k}={v}" for k, v in params)
    where = f"{http_method} {path} " if http_method else ""
    return f"{where}{method}({args})"
