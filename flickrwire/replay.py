"""The fixture store: recorded exchanges on disk, their redaction, and replay over httpx.

A fixture is one JSON file (format ``flickrwire-fixture/1``, see ``fixtures/README.md``):
the Flickr call, the HTTP request with every credential and nonce redacted, the response
verbatim, its provenance, and the expected ``Result.expected_view()``.
:class:`ReplayTransport` answers an httpx request with the fixture whose decoded Flickr
call matches it, so any client can be tested against recorded traffic.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote_plus, urlsplit
from xml.sax.saxutils import escape

import httpx

from . import transports, xmlsafe
from .auth import SECRET_PARAMS, VOLATILE_PARAMS, Signer
from .call import Call
from .decoding import decode
from .result import Result

FORMAT = "flickrwire-fixture/1"
KINDS = ("documented", "real", "emulator")
REDACTED = "REDACTED"
#: Parameters whose values never reach a fixture.
REDACT_PARAMS = SECRET_PARAMS | VOLATILE_PARAMS
#: The keys of ``Result.expected_view()``, in its order.
EXPECTED_KEYS = ("method", "ok", "payload", "code", "origin", "retryable", "message", "http_status")
#: Headers that httpx derives from the URL and body; not stored.
_DERIVED_HEADERS = ("host", "content-length")

_NAMES = "|".join(re.escape(n) for n in sorted(REDACT_PARAMS, key=len, reverse=True))
_SECRET_NAMES = "|".join(re.escape(n) for n in sorted(SECRET_PARAMS, key=len, reverse=True))
# XML-RPC struct member and SOAP FlickrRequest child; a value's text never holds "<".
_MEMBER = re.compile(rf"(<name>\s*(?:{_NAMES})\s*</name>\s*<value>\s*(?:<string>)?)[^<]*")
_CHILD = re.compile(rf"(<(?:[\w.-]+:)?({_NAMES})(?:\s[^>]*)?>)[^<]*(?=</(?:[\w.-]+:)?\2\s*>)")
_AUTH_PARAM = re.compile(rf'(\b(?:{_NAMES})=")[^"]*(")')
_AUTH_PAIR = re.compile(r'([\w.~-]+)="([^"]*)"')
# Inside response bodies: form pairs, also percent-encoded once or twice (Flickr's 401
# debug_sbs, see fixture samples/oauth-401-signature-invalid-debug-sbs), and elements,
# also escaped (flickr.test.echo echoes api_key, see samples/soap-echo-*).
_BODY_PAIR = re.compile(
    rf"((?:^|[&?\s]|%26|%2526|%3F)(?:{_SECRET_NAMES})(?:=|%3D|%253D))"
    r"(?:[^&%\s]|%(?!26|2526)[0-9A-Fa-f]{2})*"
)
_BODY_ELEMENT = re.compile(rf"((?:<|&lt;|&amp;lt;)(?:{_SECRET_NAMES})(?:>|&gt;|&amp;gt;))[^<&]*")


class FixtureError(ValueError):
    """A fixture file that cannot be read: names the file and what is wrong."""


class RedactionError(ValueError):
    """A secret survived redaction (names the parameter, never its value)."""


class UnmatchedRequestError(LookupError):
    """:class:`ReplayTransport` has no fixture for a request; the message names the call."""


@dataclass(frozen=True, slots=True)
class Provenance:
    kind: str  # "documented" | "real" | "emulator"
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
        headers = {k: v for k, v in redacted.headers.items() if k not in _DERIVED_HEADERS}
        return cls(redacted.method, str(redacted.url), headers, redacted.read())

    def as_httpx(self) -> httpx.Request:
        return httpx.Request(self.method, self.url, headers=dict(self.headers), content=self.body)

    def to_dict(self) -> dict[str, Any]:
        head = {"method": self.method, "url": self.url, "headers": dict(self.headers)}
        return {**head, **_body_dict(self.body)}


@dataclass(frozen=True, slots=True)
class Fixture:
    """One recorded exchange and the outcome decoding it must give."""

    name: str
    transport: str
    codec: str
    provenance: Provenance
    call: FixtureCall | None
    request: StoredRequest | None
    response: StoredResponse
    expected: Mapping[str, Any]
    path: Path | None = field(default=None, compare=False)

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
        res = self.response
        return httpx.Response(
            res.status, headers=dict(res.headers), content=res.body, request=request
        )

    def decode(self) -> Result:
        """Decode the stored response as the call's client would."""
        res = self.response
        return decode(
            res.body,
            transport=self.transport,
            codec=self.codec,
            status=res.status,
            headers=res.headers,
            method=self.method,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "name": self.name,
            "transport": self.transport,
            "codec": self.codec,
            "provenance": dataclasses.asdict(self.provenance),
            "call": None if self.call is None else dataclasses.asdict(self.call),
            "request": None if self.request is None else self.request.to_dict(),
            "response": self.response.to_dict(),
            "expected": {key: self.expected[key] for key in EXPECTED_KEYS},
        }


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
        call, request = data["call"], data["request"]
        fixture = Fixture(
            name=str(data["name"]),
            transport=str(data["transport"]),
            codec=str(data["codec"]),
            provenance=provenance,
            call=None if call is None else FixtureCall(**call),
            request=None if request is None else _message(StoredRequest, request),
            response=_message(StoredResponse, data["response"]),
            expected=expected,
            path=path,
        )
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise FixtureError(f"{where}: malformed fixture ({type(exc).__name__}: {exc})") from exc
    if provenance.kind not in KINDS:
        raise FixtureError(f"{where}: provenance kind {provenance.kind!r} is not one of {KINDS}")
    if sorted(expected) != sorted(EXPECTED_KEYS):
        raise FixtureError(f"{where}: expected must have exactly the keys {EXPECTED_KEYS}")
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


# -- redaction --------------------------------------------------------------------------


def _redact_pairs(text: str) -> str:
    """Form or query text with the value of every credential or nonce pair replaced."""
    parts = text.split("&")
    for index, part in enumerate(parts):
        name, sep, _ = part.partition("=")
        if sep and unquote_plus(name) in REDACT_PARAMS:
            parts[index] = f"{name}={REDACTED}"
    return "&".join(parts)


def _redact_header(name: str, value: str) -> str:
    if name != "authorization":
        return value
    return _AUTH_PARAM.sub(rf"\g<1>{REDACTED}\g<2>", value)


def _is_xml(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("<")


def _redact_xml(text: str) -> str:
    text = _MEMBER.sub(rf"\g<1>{REDACTED}", text)
    return _CHILD.sub(rf"\g<1>{REDACTED}", text)


def redact_request(request: httpx.Request) -> httpx.Request:
    """A copy of ``request`` with every credential, signature and nonce value redacted.

    Works for all three transports: query and form fields (REST), the ``Authorization:
    OAuth`` header, XML-RPC struct members and SOAP ``FlickrRequest`` children. It fails
    closed: if a secret's value can still be found anywhere, :class:`RedactionError`.
    """
    body = request.read()
    url = request.url
    if url.query:
        query = _redact_pairs(url.query.decode("utf-8", "surrogateescape"))
        url = url.copy_with(query=query.encode("utf-8", "surrogateescape"))
    headers = [
        (name, _redact_header(name, value))
        for name, value in request.headers.items()
        if name not in _DERIVED_HEADERS
    ]
    text = body.decode("utf-8", "surrogateescape")
    text = _redact_xml(text) if _is_xml(text) else _redact_pairs(text)
    redacted = httpx.Request(
        request.method, url, headers=headers, content=text.encode("utf-8", "surrogateescape")
    )
    _check_redacted(request, redacted)
    return redacted


def redact_body(body: bytes) -> bytes:
    """A response body with the values of credential parameters it echoes redacted."""
    text = body.decode("utf-8", "surrogateescape")
    text = _BODY_PAIR.sub(rf"\g<1>{REDACTED}", text)
    text = _BODY_ELEMENT.sub(rf"\g<1>{REDACTED}", text)
    return text.encode("utf-8", "surrogateescape")


def _secret_values(request: httpx.Request) -> list[tuple[str, str]]:
    """(name, value) of every credential the request carries, wherever it carries it."""
    text = request.read().decode("utf-8", "replace")
    found = parse_qsl(request.url.query.decode("utf-8", "replace"), keep_blank_values=True)
    found += [
        (k, unquote_plus(v))
        for k, v in _AUTH_PAIR.findall(request.headers.get("authorization", ""))
    ]
    if not _is_xml(text):
        found += parse_qsl(text, keep_blank_values=True)
    else:
        with contextlib.suppress(ValueError):
            for element in xmlsafe.parse(request.read()).iter():
                name = xmlsafe.local_name(element)
                if name == "name" and (value := element.getnext()) is not None:
                    found.append(((element.text or "").strip(), _text_of(value)))
                elif name in SECRET_PARAMS:
                    found.append((name, _text_of(element)))
    # Values shorter than 4 characters could turn up elsewhere by chance; no real key,
    # token or signature is that short.
    return [(k, v) for k, v in found if k in SECRET_PARAMS and len(v) >= 4 and v != REDACTED]


def _text_of(element: Any) -> str:
    return "".join(t for t in element.itertext() if isinstance(t, str))


def _check_redacted(original: httpx.Request, redacted: httpx.Request) -> None:
    body = redacted.read().decode("utf-8", "replace")
    text = "\n".join([str(redacted.url), *redacted.headers.values(), body])
    for name, value in _secret_values(original):
        if any(
            form in text
            for form in (value, quote(value, safe=""), quote_plus(value), escape(value))
        ):
            raise RedactionError(f"the value of {name} survived redaction")


# -- replay -----------------------------------------------------------------------------

MatchKey = tuple[str, str, str, tuple[tuple[str, str], ...]]


def _ignored(name: str) -> bool:
    """Credentials and signing plumbing take no part in matching."""
    return name in REDACT_PARAMS or name.startswith("oauth_")


def match_key(request: httpx.Request, transport: str) -> MatchKey | None:
    """What a request is, for matching: HTTP method, path, and the decoded Flickr call.

    ``None`` when ``transport`` cannot parse the request. A missing ``format`` counts as
    the transport's native one, Flickr's default (lesspress.net/reference/flickr: "REST
    requests will receive REST responses (as if format=rest)").
    """
    try:
        call = transports.get(transport).parse_request(request)
    except ValueError:  # transports.RequestError, or a body that is not the protocol's
        return None
    params = {k: v for k, v in call.params.items() if not _ignored(k)}
    params.setdefault("format", transports.response_format(transport, "xml"))
    path = urlsplit(str(request.url)).path
    return (request.method, path, call.method, tuple(sorted(params.items())))


def fixture_key(
    fixture: Fixture, base_url: str = "https://api.flickr.com/services/"
) -> MatchKey | None:
    """The key a fixture answers: from its stored request, else from its call."""
    if fixture.request is not None:
        return match_key(fixture.request.as_httpx(), fixture.transport)
    if fixture.call is None:
        return None
    transport = transports.get(fixture.transport)
    request = transport.build_request(
        fixture.call.to_call(), fixture.codec, Signer(None, "none"), base_url
    )
    return match_key(request, fixture.transport)


def _describe(key: MatchKey) -> str:
    http_method, path, method, params = key
    args = ", ".join(f"{k}={v}" for k, v in params)
    return f"{http_method} {path} {method}({args})"


class ReplayTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers each request with the first fixture whose match key equals the request's.

    Keys compare the HTTP method, the URL path, the Flickr method and its params with
    credentials, nonces, timestamps and signatures left out. With ``once=True`` each
    fixture answers one request only (repeated calls then need repeated fixtures).
    """

    def __init__(self, fixtures: Iterable[Fixture], *, once: bool = False) -> None:
        self._entries = [(fx, fixture_key(fx)) for fx in fixtures]
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
        keys: dict[str, MatchKey | None] = {}
        candidates: list[int] = []
        for index, (fixture, key) in enumerate(self._entries):
            if fixture.transport not in keys:
                keys[fixture.transport] = match_key(request, fixture.transport)
            if key is not None and key == keys[fixture.transport]:
                candidates.append(index)
        with self._lock:
            for index in candidates:
                if not self.once or index not in self._played:
                    self._played.add(index)
                    return self._entries[index][0].response_as_httpx(request)
        raise UnmatchedRequestError(self._explain(request, keys, candidates))

    def _explain(
        self, request: httpx.Request, keys: Mapping[str, MatchKey | None], candidates: list[int]
    ) -> str:
        key = next((k for k in keys.values() if k is not None), None)
        if key is None:
            return f"no fixture matches {request.method} {request.url.path} (unparsed request)"
        if candidates:
            names = ", ".join(self._entries[i][0].name for i in candidates)
            return f"{_describe(key)}: already played (fixture {names}; replay is once-only)"
        same = [fx.name for fx, k in self._entries if k and k[2] == key[2]]
        hint = f"; fixtures for {key[2]} differ: {', '.join(same[:5])}" if same else ""
        return f"no fixture matches {_describe(key)}{hint}"
