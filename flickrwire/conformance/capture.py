"""Keeping every exchange of a cell, redacted, for the reports.

:class:`CaptureTransport` wraps the transport the clients send through and hands each
request and response (or the network error) to :func:`redacted_exchange`, which keeps no
credential, signature, nonce or token: parameters are redacted by name wherever the
protocol carries them (``flickrwire.redact``), then every secret the run knows is scrubbed
from what is left, the last line of defence.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from ..client import FRAMING_HEADERS, unframed
from ..recording.redact import (
    REDACT_PARAMS,
    REDACTED,
    RedactionError,
    redact_header,
    redact_headers,
    redact_request,
    redact_text,
    scrub,
)
from .results import Exchange

#: Any credential, signature, nonce or timestamp pair in a response body, also percent-
#: encoded once or twice: Flickr's 401 ``debug_sbs`` echoes the whole signed base string
#: (shared sample oauth-401-signature-invalid-debug-sbs.txt).
_NAMES = "|".join(re.escape(n) for n in sorted(REDACT_PARAMS, key=len, reverse=True))
_PAIR = re.compile(
    rf"((?:^|[&?\s]|%26|%2526|%3F)(?:{_NAMES})(?:=|%3D|%253D))"
    r"(?:[^&%\s]|%(?!26|2526)[0-9A-Fa-f]{2})*"
)
#: Headers that describe how a body travelled; the body is kept decoded.


def clean_text(text: str, secrets: Iterable[str]) -> str:
    """Text from a server (a body, a message) with every credential, signature, nonce and
    timestamp value it echoes redacted, and every known secret scrubbed."""
    return scrub(_PAIR.sub(rf"\g<1>{REDACTED}", redact_text(text)), secrets)


def _body(body: bytes, secrets: Iterable[str], *, response: bool) -> dict[str, str]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return {"body_base64": base64.b64encode(body).decode("ascii")}
    return {"body": clean_text(text, secrets) if response else scrub(text, secrets)}


def request_view(request: httpx.Request, secrets: Iterable[str]) -> dict[str, Any]:
    try:
        clean = redact_request(request)
    except RedactionError as exc:
        return {"method": request.method, "url": "", "headers": {}, "body": f"(withheld: {exc})"}
    headers = {k: scrub(v, secrets) for k, v in redact_headers(clean.headers.items()).items()}
    return {
        "method": clean.method,
        "url": scrub(str(clean.url), secrets),
        "headers": headers,
        **_body(clean.read(), secrets, response=False),
    }


def response_view(response: httpx.Response, secrets: Iterable[str]) -> dict[str, Any]:
    headers = {
        k.lower(): scrub(redact_header(k, v), secrets)
        for k, v in response.headers.items()
        if k.lower() not in FRAMING_HEADERS
    }
    return {
        "status": response.status_code,
        "headers": headers,
        **_body(response.content, secrets, response=True),
    }


def redacted_exchange(
    request: httpx.Request,
    response: httpx.Response | None,
    error: BaseException | None,
    secrets: Iterable[str],
) -> Exchange:
    secrets = list(secrets)
    answer = None if response is None else response_view(response, secrets)
    problem = None if error is None else clean_text(f"{type(error).__name__}: {error}", secrets)
    return Exchange(request_view(request, secrets), answer, problem)


class CaptureTransport(httpx.BaseTransport):
    """Sends through ``base`` and keeps each exchange in :attr:`exchanges`."""

    def __init__(self, base: httpx.BaseTransport, secrets: Iterable[str] = ()) -> None:
        self.base = base
        self.secrets = list(secrets)
        self.exchanges: list[Exchange] = []

    def take(self) -> list[Exchange]:
        """The exchanges kept since the last call."""
        taken, self.exchanges = self.exchanges, []
        return taken

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        try:
            response = self.base.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except httpx.HTTPError as exc:
            self.exchanges.append(redacted_exchange(request, None, exc, self.secrets))
            raise
        self.exchanges.append(redacted_exchange(request, response, None, self.secrets))
        return unframed(response, response.content, request)

    def close(self) -> None:
        self.base.close()


def headers_text(headers: Mapping[str, str]) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers.items())
