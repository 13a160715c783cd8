"""Recording: httpx transports that save every exchange as a redacted fixture.

:class:`RecordingTransport` (and its async twin) wraps any httpx transport; a
:class:`Cassette` (a fixture folder and a record mode) decides per request whether to
replay a fixture or go to the server and record what came back. Network failures (reset,
timeout, truncation) are recorded as outcomes and raised again, in replay too.

Record modes, as vcrpy and Betamax users know them:

- ``once``: a folder without fixtures records every call; a folder with fixtures replays
  them, and a call it has no fixture for is an error.
- ``new_episodes``: replay the calls the folder knows, record the new ones.
- ``none``: replay only; an unmatched call raises :class:`UnmatchedRequestError` (CI).
- ``all``: always ask the server and re-record, replacing the fixture of the same call.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

import httpx

from ..client import FRAMING_HEADERS, unframed
from .diff import CallIdentity, call_params, identity, parse_call, recorded_order
from .redact import check_clean, redact_body, redact_header, redact_text, scrub
from .replay import (
    KINDS,
    Fixture,
    FixtureCall,
    Provenance,
    ReplayTransport,
    StoredError,
    StoredRequest,
    StoredResponse,
    UnmatchedRequestError,
    dump,
    dumps,
    from_dict,
    infer_transport,
    load_dir,
)

MODES = ("once", "new_episodes", "none", "all")
#: Headers that describe how the body travelled; bodies are stored decoded.
_JSONP = re.compile(rb"^[\w$.]+\s*\(")
_UNSAFE = re.compile(r"[^\w.=@+-]")
NOTE = (
    "recorded by flickrwire ({mode} mode); request redacted (credentials, nonces, "
    "timestamps, signatures, cookies); response verbatim except echoed credentials and "
    "cookies; bodies stored decoded (no content-encoding)"
)


# -- what a request is ---------------------------------------------------------------------


def codec_of(params: Mapping[str, str] | None, body: bytes = b"") -> str:
    """What the request asked: ``json`` for ``format=json``, else the native XML (also
    when ``format`` is absent: Flickr's default). Without a readable request, the codec
    is sniffed from the response body."""
    if params is not None:
        return "json" if params.get("format") == "json" else "xml"
    head = body.lstrip()[:64]
    return "json" if head.startswith((b"{", b"[")) or _JSONP.match(head) else "xml"


def signing_of(request: httpx.Request, params: Mapping[str, str]) -> str:
    """The Signer mode a request was sent with, as far as its parameters show."""
    header = request.headers.get("authorization", "")
    if "oauth_signature" in params or "oauth_signature" in header:
        return "oauth"
    if "api_sig" in params:
        return "legacy"
    return "key" if "api_key" in params or "oauth_consumer_key" in header else "none"


def case_of(call: FixtureCall | None, names: Mapping[CallIdentity, str] | None = None) -> str:
    """A fixture's case (its matrix row): ``<method without flickr.>/<label>``; the label
    is the caller's name for the call, else a digest of the call, so that one call
    recorded over several pairs is one row."""
    if call is None:
        return "unparsed/request"
    key = identity(call.method, call.params)
    label = (names or {}).get(key)
    if label is None:
        label = hashlib.sha1(json.dumps(key).encode()).hexdigest()[:10]
    short = call.method.removeprefix("flickr.") or "unknown"
    return f"{_UNSAFE.sub('_', short)}/{_UNSAFE.sub('_', label)}"


# -- from an exchange to a fixture ---------------------------------------------------------


def to_fixture(
    request: httpx.Request,
    answer: httpx.Response | StoredError,
    *,
    provenance: Provenance,
    name: str = "",
    secrets: Iterable[str] = (),
) -> Fixture:
    """One exchange as a fixture: request redacted, response (already read) or failure,
    the expected view from decoding what is stored. Known ``secrets`` are replaced
    wherever they still appear; if one survives, :class:`RedactionError`."""
    known = [s for s in secrets if s]
    if known:  # a known value may also hide in an ordinary argument
        request = _scrubbed(request, known)
    transport = infer_transport(request)
    parsed = parse_call(request, transport)
    body = answer.content if isinstance(answer, httpx.Response) else b""
    codec = codec_of(None if parsed is None else parsed.params, body)
    call = None
    if parsed is not None:
        own = call_params(parsed.params, transport, codec)
        signing = signing_of(request, parsed.params)
        call = FixtureCall(parsed.method, own, signing, request.method)
    if isinstance(answer, StoredError):
        response, error = None, StoredError(answer.type, redact_text(answer.message))
    else:
        headers = {
            k.lower(): redact_header(k, v)
            for k, v in answer.headers.items()
            if k.lower() not in FRAMING_HEADERS
        }
        response, error = StoredResponse(answer.status_code, headers, redact_body(body)), None
    draft = Fixture(
        name=name or f"{case_of(call)}@{transport}-{codec}",
        transport=transport,
        codec=codec,
        provenance=provenance,
        call=call,
        request=StoredRequest.from_httpx(request),
        response=response,
        expected={},
        error=error,
    )
    return _cleaned(draft, known)


def _scrubbed(request: httpx.Request, secrets: list[str]) -> httpx.Request:
    body = scrub(request.read().decode("utf-8", "surrogateescape"), secrets)
    return httpx.Request(
        request.method,
        scrub(str(request.url), secrets),
        headers=[
            (k, scrub(v, secrets))
            for k, v in request.headers.multi_items()
            if k.lower() != "content-length"
        ],
        content=body.encode("utf-8", "surrogateescape"),
    )


def _cleaned(draft: Fixture, secrets: list[str]) -> Fixture:
    """The fixture with its expected view, known secrets scrubbed from every field."""
    fixture = dataclasses.replace(draft, expected=draft.decode().expected_view())
    text = dumps(fixture)
    cleaned = scrub(text, secrets)
    if cleaned != text:
        fixture = from_dict(json.loads(cleaned))
        fixture = dataclasses.replace(fixture, expected=fixture.decode().expected_view())
        cleaned = dumps(fixture)
    check_clean(cleaned, secrets, f"fixture {fixture.name}")
    return fixture


class Namer:
    """Gives each new fixture a free name and a path that follows from it:
    ``<case>@<transport>-<codec>`` lives at ``<dir>/<case head>/<pair>/<label>.json``."""

    def __init__(self, directory: Path, taken: Iterable[str] = ()) -> None:
        self.directory = directory
        self.taken = set(taken)

    def path_for(self, name: str) -> Path:
        """Where ``name`` is written; every part made safe (names may come from files)."""
        case, _, pair = name.partition("@")
        *head, label = case.split("/")
        parts = [_safe(part) for part in [*head, pair] if part]
        return self.directory.joinpath(*parts, f"{_safe(label)}.json")

    def allocate(
        self, case: str, transport: str, codec: str, preferred: str | None = None
    ) -> tuple[str, Path]:
        """``preferred`` when it is free, else ``<case>[-N]@<transport>-<codec>``."""
        candidates = [preferred] if preferred else []
        number = 1
        while True:
            if candidates:
                name = candidates.pop()
            else:
                suffix = "" if number == 1 else f"-{number}"
                name = f"{case}{suffix}@{transport}-{codec}"
                number += 1
            path = self.path_for(name)
            if name not in self.taken and not path.exists():
                self.taken.add(name)
                return name, path


def _safe(part: str) -> str:
    part = _UNSAFE.sub("_", part)
    return "_" if part.strip(".") == "" else part


def http_date(seconds: float) -> str:
    """The ``recorded`` format of the fixtures: an HTTP date (``Wed, 01 May 2024 ... GMT``)."""
    return format_datetime(datetime.fromtimestamp(seconds, tz=timezone.utc), usegmt=True)


def check_kind(kind: str | None) -> None:
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown provenance kind {kind!r}; known: {', '.join(KINDS)}")


def kind_for(url: httpx.URL) -> str:
    """Provenance kind by host: Flickr is ``real``, loopback is taken for the emulator."""
    host = (url.host or "").lower()
    if host == "flickr.com" or host.endswith(".flickr.com"):
        return "real"
    if host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost"):
        return "emulator"
    return "server"


# -- the cassette ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one request: replay ``replay``, or record (replacing ``replaces``)."""

    replay: Fixture | None = None
    replaces: Fixture | None = None


class Cassette:
    """A fixture folder in a record mode; shared by the sync and async transports.

    ``kind``/``source``: the provenance to write (default: by host, see :func:`kind_for`);
    ``secrets``: credential values to scrub from everything written; ``names``: labels for
    known calls; ``allow_repeats``: a fixture may answer more than once (default: each
    answers once, in order, so that a call repeated with another outcome replays right).
    """

    def __init__(
        self,
        directory: str | Path,
        mode: str = "once",
        *,
        kind: str | None = None,
        source: str | None = None,
        secrets: Iterable[str] = (),
        names: Mapping[CallIdentity, str] | None = None,
        allow_repeats: bool = False,
        across_transports: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown record mode {mode!r}; known: {', '.join(MODES)}")
        check_kind(kind)
        self.directory = Path(directory)
        self.mode = mode
        self.kind, self.source = kind, source
        self.secrets = [s for s in secrets if s]
        self.names = dict(names or {})
        self.clock = clock
        found = load_dir(self.directory) if self.directory.is_dir() else []
        found.sort(key=recorded_order)
        self.fresh = not found
        self.replayer = ReplayTransport(
            found, once=not allow_repeats, across_transports=across_transports
        )
        self.namer = Namer(self.directory, (fx.name for fx in found))
        self.recorded: list[Fixture] = []
        self.replayed: list[Fixture] = []
        self._lock = threading.Lock()

    def decide(self, request: httpx.Request) -> Decision:
        """Replay, record, or raise :class:`UnmatchedRequestError`, as the mode says."""
        if self.mode == "all":
            return Decision(replaces=self.replayer.take(request))
        if self.mode == "once" and self.fresh:
            return Decision()
        fixture = self.replayer.take(request)
        if fixture is not None:
            with self._lock:
                self.replayed.append(fixture)
            return Decision(replay=fixture)
        if self.mode == "new_episodes":
            return Decision()
        reason = self.replayer.explain(request)
        if self.mode == "once":
            reason = (
                f"record mode 'once' records only into a folder without fixtures, and "
                f"{self.directory} has some: {reason} (use --mode new_episodes to add it)"
            )
        raise UnmatchedRequestError(reason)

    def record(
        self,
        request: httpx.Request,
        answer: httpx.Response | StoredError,
        decision: Decision,
        *,
        emulator: bool = False,
    ) -> Fixture:
        """Write the exchange as a fixture and return it."""
        kind = self.kind or ("emulator" if emulator else kind_for(request.url))
        where = "the in-process emulator" if emulator else _origin(request.url)
        provenance = Provenance(
            kind,
            self.source or f"flickrwire record from {where}",
            http_date(self.clock()),
            NOTE.format(mode=self.mode),
        )
        fixture = to_fixture(request, answer, provenance=provenance, secrets=self.secrets)
        with self._lock:
            old = decision.replaces
            if old is not None and old.path is not None:
                name, path = old.name, old.path
            else:
                case = case_of(fixture.call, self.names)
                name, path = self.namer.allocate(case, fixture.transport, fixture.codec)
            fixture = dataclasses.replace(fixture, name=name, path=path)
            dump(fixture, path)
            self.recorded.append(fixture)
        return fixture


def _origin(url: httpx.URL) -> str:
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def _emulated(base: object) -> bool:
    """The base transport is the emulator run in-process (``flickrwire.emulator``)."""
    return type(base).__module__.startswith("flickrwire.emulator")


class RecordingTransport(httpx.BaseTransport):
    """Wraps ``base``: each request is replayed from ``cassette`` or sent and recorded."""

    def __init__(self, base: httpx.BaseTransport, cassette: Cassette) -> None:
        self.base = base
        self.cassette = cassette
        self._emulator = _emulated(base)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        decision = self.cassette.decide(request)
        if decision.replay is not None:
            return decision.replay.response_as_httpx(request)
        try:
            response = self.base.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except httpx.RequestError as exc:  # reset, timeout, truncation, bad encoding
            self.cassette.record(
                request, StoredError.from_exception(exc), decision, emulator=self._emulator
            )
            raise
        self.cassette.record(request, response, decision, emulator=self._emulator)
        return unframed(response, response.content, request)

    def close(self) -> None:
        self.base.close()


class AsyncRecordingTransport(httpx.AsyncBaseTransport):
    """The async twin of :class:`RecordingTransport`."""

    def __init__(self, base: httpx.AsyncBaseTransport, cassette: Cassette) -> None:
        self.base = base
        self.cassette = cassette
        self._emulator = _emulated(base)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        decision = self.cassette.decide(request)
        if decision.replay is not None:
            return decision.replay.response_as_httpx(request)
        try:
            response = await self.base.handle_async_request(request)
            try:
                await response.aread()
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            self.cassette.record(
                request, StoredError.from_exception(exc), decision, emulator=self._emulator
            )
            raise
        self.cassette.record(request, response, decision, emulator=self._emulator)
        return unframed(response, response.content, request)

    async def aclose(self) -> None:
        await self.base.aclose()
