"""The fixture store: recorded exchanges on disk, and their replay over httpx.

A fixture is one JSON file (format ``flickrwire-fixture/1``, see ``fixtures/README.md``):
the Flickr call, the HTTP request with every credential and nonce redacted (``redact``),
the response verbatim or the network failure it ended in, its provenance, and the
expected ``Result.expected_view()``. :class:`ReplayTransport` answers an httpx request
with the fixture whose decoded Flickr call matches it, so any client can be tested
against recorded traffic.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ..call import Call
from ..client import network_fault
from ..decoding import decode
from ..result import Result, failure

# The matching and redaction names lived here first; they stay importable from here.
from .matching import (
    MatchKey as MatchKey,
    describe as describe,
    endpoint_transport as endpoint_transport,
    fixture_key as fixture_key,
    ignored_param as ignored_param,
    infer_transport as infer_transport,
    match_key as match_key,
)
from .redact import (
    DERIVED_HEADERS,
    REDACT_PARAMS as REDACT_PARAMS,
    REDACTED as REDACTED,
    RedactionError as RedactionError,
    redact_body as redact_body,
    redact_request as redact_request,
)

FORMAT = "flickrwire-fixture/1"
KINDS = ("documented", "real", "emulator", "server")
#: The keys of ``Result.expected_view()``, in its order.
EXPECTED_KEYS = ("method", "ok", "payload", "code", "origin", "retryable", "message", "http_status")


class FixtureError(ValueError):
    """A fixture file that cannot be read: names the file and what is wrong."""


class UnmatchedRequestError(LookupError):
    """:class:`ReplayTransport` has no fixture for a request; the message names the call."""


@dataclass(frozen=True, slots=True)
class Provenance:
    kind: str  # one of KINDS
    source: str
    recorded: str | None
    note: str


@dataclass(frozen=True, slots=True)
class FixtureCall:
    """The Flickr call a fixture answers; ``signing`` is the Signer mode used to send it."""

    method: str
    params: Mapping[str, str]
    signing: str
    http_method: str = "POST"

    def to_call(self) -> Call:
        return Call(self.method, dict(self.params), self.http_method)


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "headers": dict(self.headers), **_body_dict(self.body)}


@dataclass(frozen=True, slots=True)
class StoredRequest:
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes = field(repr=False)

    @classmethod
    def from_httpx(cls, request: httpx.Request) -> StoredRequest:
        """``request`` redacted (:func:`redact_request`), without the derived headers."""
        redacted = redact_request(request)
        headers = {k: v for k, v in redacted.headers.items() if k not in DERIVED_HEADERS}
        return cls(redacted.method, str(redacted.url), headers, redacted.read())

    def as_httpx(self) -> httpx.Request:
        return httpx.Request(self.method, self.url, headers=dict(self.headers), content=self.body)

    def to_dict(self) -> dict[str, Any]:
        head = {"method": self.method, "url": self.url, "headers": dict(self.headers)}
        return {**head, **_body_dict(self.body)}


@dataclass(frozen=True, slots=True)
class StoredError:
    """A network failure recorded as the outcome: the httpx exception class and message."""

    type: str
    message: str

    def __post_init__(self) -> None:
        error_class(self.type)  # refuse a name that is not an httpx request error

    @classmethod
    def from_exception(cls, exc: httpx.RequestError) -> StoredError:
        return cls(type(exc).__name__, str(exc))

    def exception(self, request: httpx.Request | None = None) -> httpx.RequestError:
        """The exception to raise in replay: the recorded class, the recorded message."""
        return error_class(self.type)(self.message, request=request)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "message": self.message}


def error_class(name: str) -> type[httpx.RequestError]:
    """The httpx exception class called ``name`` (``ReadError``, ``ReadTimeout``, ...)."""
    found = getattr(httpx, name, None)
    if isinstance(found, type) and issubclass(found, httpx.RequestError):
        return found
    raise ValueError(f"{name!r} is not an httpx request error (such as ReadError)")


@dataclass(frozen=True, slots=True)
class Fixture:
    """One recorded exchange and the outcome decoding it must give."""

    name: str
    transport: str
    codec: str
    provenance: Provenance
    call: FixtureCall | None
    request: StoredRequest | None
    response: StoredResponse | None
    expected: Mapping[str, Any]
    path: Path | None = field(default=None, compare=False)
    #: Set instead of ``response`` when the exchange ended in a network failure.
    error: StoredError | None = None

    @property
    def case(self) -> str:
        """The name without its ``@transport-codec`` part: one row of the replay matrix."""
        return self.name.partition("@")[0]

    @property
    def pair(self) -> str:
        return f"{self.transport}/{self.codec}"

    @property
    def method(self) -> str:
        return self.call.method if self.call is not None else ""

    def response_as_httpx(self, request: httpx.Request | None = None) -> httpx.Response:
        """The stored response; for a recorded network failure, raises its exception."""
        if self.error is not None:
            raise self.error.exception(request)
        res = _response_of(self)
        return httpx.Response(
            res.status, headers=dict(res.headers), content=res.body, request=request
        )

    def decode(self) -> Result:
        """Decode the stored response as the call's client would; a recorded failure
        gives the network fault the client makes of the same exception."""
        if self.error is not None:
            fault = network_fault(self.error.exception())
            return failure(
                self.method,
                fault,
                transport=self.transport,
                codec=self.codec,
                status=None,
                raw=b"",
            )
        res = _response_of(self)
        return decode(
            res.body,
            transport=self.transport,
            codec=self.codec,
            status=res.status,
            headers=res.headers,
            method=self.method,
        )

    def to_dict(self) -> dict[str, Any]:
        data = {
            "format": FORMAT,
            "name": self.name,
            "transport": self.transport,
            "codec": self.codec,
            "provenance": dataclasses.asdict(self.provenance),
            "call": None if self.call is None else dataclasses.asdict(self.call),
            "request": None if self.request is None else self.request.to_dict(),
            "response": None if self.response is None else self.response.to_dict(),
        }
        if self.error is not None:  # only then: older fixture files stay byte for byte
            data["error"] = self.error.to_dict()
        data["expected"] = {key: self.expected[key] for key in EXPECTED_KEYS}
        return data


def _response_of(fixture: Fixture) -> StoredResponse:
    if fixture.response is None:
        raise FixtureError(f"{fixture.name}: neither a response nor an error")
    return fixture.response


# -- reading and writing ----------------------------------------------------------------


def _body_dict(body: bytes) -> dict[str, str]:
    try:
        return {"body": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"body_base64": base64.b64encode(body).decode("ascii")}


def _message(cls: Any, data: Mapping[str, Any]) -> Any:
    """A StoredRequest or StoredResponse from its dict (``body`` or ``body_base64``)."""
    fields = {k: v for k, v in data.items() if k not in ("body", "body_base64")}
    if "body_base64" in data:
        body = base64.b64decode(data["body_base64"], validate=True)
    else:
        body = data["body"].encode("utf-8")
    return cls(**fields, body=body)


def from_dict(data: Mapping[str, Any], path: Path | None = None) -> Fixture:
    """A fixture from its JSON object; raises :class:`FixtureError` naming the problem."""
    where = str(path) if path is not None else "fixture"
    if data.get("format") != FORMAT:
        raise FixtureError(f"{where}: format is {data.get('format')!r}, expected {FORMAT!r}")
    try:
        provenance = Provenance(**data["provenance"])
        expected = dict(data["expected"])
        call, request, response = data["call"], data["request"], data["response"]
        error = data.get("error")
        fixture = Fixture(
            name=str(data["name"]),
            transport=str(data["transport"]),
            codec=str(data["codec"]),
            provenance=provenance,
            call=None if call is None else FixtureCall(**call),
            request=None if request is None else _message(StoredRequest, request),
            response=None if response is None else _message(StoredResponse, response),
            expected=expected,
            path=path,
            error=None if error is None else StoredError(**error),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise FixtureError(f"{where}: malformed fixture ({type(exc).__name__}: {exc})") from exc
    if provenance.kind not in KINDS:
        raise FixtureError(f"{where}: provenance kind {provenance.kind!r} is not one of {KINDS}")
    if sorted(expected) != sorted(EXPECTED_KEYS):
        raise FixtureError(f"{where}: expected must have exactly the keys {EXPECTED_KEYS}")
    if (fixture.response is None) == (fixture.error is None):
        raise FixtureError(f"{where}: a fixture has either a response or an error, not both")
    return fixture


def load(path: str | Path) -> Fixture:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FixtureError(f"{path}: cannot read fixture ({exc})") from exc
    if not isinstance(data, dict):
        raise FixtureError(f"{path}: a fixture is a JSON object")
    return from_dict(data, path)


def fixture_paths(directory: str | Path) -> list[Path]:
    """Every fixture file below ``directory``, sorted."""
    return sorted(Path(directory).rglob("*.json"))


def load_dir(directory: str | Path) -> list[Fixture]:
    return [load(path) for path in fixture_paths(directory)]


def dumps(fixture: Fixture) -> str:
    return json.dumps(fixture.to_dict(), indent=2, ensure_ascii=False) + "\n"


def dump(fixture: Fixture, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(fixture), encoding="utf-8", newline="\n")


# -- matching and replay ------------------------------------------------------------------


class ReplayTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers each request with the first fixture whose match key equals the request's.

    Keys compare the HTTP method, the URL path, the Flickr method and its params with
    credentials, nonces, timestamps and signatures left out (``across_transports``: the
    call only, whatever the protocol). With ``once=True`` each fixture answers one request
    only (repeated calls then need repeated fixtures). A fixture that recorded a network
    failure raises the same httpx exception.
    """

    def __init__(
        self, fixtures: Iterable[Fixture], *, once: bool = False, across_transports: bool = False
    ) -> None:
        self.across = across_transports
        self._entries = [
            (fx, fixture_key(fx, across_transports=across_transports)) for fx in fixtures
        ]
        self._played: set[int] = set()
        self._lock = threading.Lock()
        self.once = once

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._answer(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        return self._answer(request)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        fixture = self.take(request)
        if fixture is None:
            raise UnmatchedRequestError(self.explain(request))
        return fixture.response_as_httpx(request)

    def _keys(self, request: httpx.Request) -> dict[str, MatchKey | None]:
        """The request's key as each fixture transport reads it (one key when across)."""
        if self.across:
            return {"*": match_key(request, infer_transport(request), across_transports=True)}
        keys: dict[str, MatchKey | None] = {}
        for fixture, _ in self._entries:
            if fixture.transport not in keys:
                keys[fixture.transport] = match_key(request, fixture.transport)
        return keys

    def _candidates(self, keys: Mapping[str, MatchKey | None]) -> list[int]:
        found = []
        for index, (fixture, key) in enumerate(self._entries):
            wanted = keys.get("*" if self.across else fixture.transport)
            if key is not None and key == wanted:
                found.append(index)
        return found

    def take(self, request: httpx.Request) -> Fixture | None:
        """The fixture that answers ``request`` (marked played), or None."""
        candidates = self._candidates(self._keys(request))
        with self._lock:
            for index in candidates:
                if not self.once or index not in self._played:
                    self._played.add(index)
                    return self._entries[index][0]
        return None

    def explain(self, request: httpx.Request) -> str:
        """Why nothing answers ``request``: no such call, or "already played"."""
        keys = self._keys(request)
        candidates = self._candidates(keys)
        own = match_key(request, infer_transport(request), across_transports=self.across)
        key = own or next((k for k in keys.values() if k is not None), None)
        if key is None:
            return f"no fixture matches {request.method} {request.url.path} (unparsed request)"
        if candidates:
            names = ", ".join(self._entries[i][0].name for i in candidates)
            return f"{describe(key)}: already played (fixture {names}; replay is once-only)"
        same = [fx.name for fx, k in self._entries if k and k[2] == key[2]]
        hint = f"; fixtures for {key[2]} differ: {', '.join(same[:5])}" if same else ""
        return f"no fixture matches {describe(key)}{hint}"
