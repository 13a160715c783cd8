"""HAR 1.2 export of a fixture set, and import of HAR files from browsers and proxies.

Export writes what browser developer tools and mitmproxy load: numeric status,
``httpVersion``, ``cookies``, ``headers``, ``queryString``, ``postData`` (``mimeType``,
``text``), ``content`` (``size``, ``mimeType``, ``text``; base64 with ``encoding`` when
not UTF-8), ``cache``, ``timings``, ``startedDateTime``. A network failure is status 0
plus ``_error`` (as Chrome writes it). The Flickr view of each exchange (transport,
codec, call, expected, provenance) rides in a ``_flickrwire`` block that other tools
ignore and :func:`import_har` restores.

Import keeps the entries whose URL path is a Flickr endpoint (``/services/rest/``,
``/services/xmlrpc/``, ``/services/soap/``, ``/services/upload/``, ``/services/replace/``),
infers the transport from the path and the codec from the request's ``format`` or the
response, redacts, and turns each into a fixture.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from .. import __version__
from ..client import FRAMING_HEADERS
from .record import Namer, case_of, check_kind, http_date, kind_for, to_fixture
from .redact import (
    check_clean,
    named_secrets,
    redact_body,
    redact_headers,
    redact_request_body,
    redact_text,
    redact_url,
    scrub,
)
from .replay import (
    FORMAT,
    Fixture,
    FixtureError,
    Provenance,
    StoredError,
    dump,
    dumps,
    endpoint_transport,
    error_class,
    from_dict,
    ignored_param,
    load_dir,
)

HAR_VERSION = "1.2"
#: When a fixture does not say when it was recorded.
EPOCH = "1970-01-01T00:00:00.000Z"
_TIMINGS = {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1, "send": 0, "wait": 0, "receive": 0}
# Chrome's net error names in ``_error`` -> the httpx exception a client would have seen.
_NET_ERRORS = {
    "ERR_CONNECTION_RESET": "ReadError",
    "ERR_CONNECTION_ABORTED": "ReadError",
    "ERR_NETWORK_CHANGED": "ReadError",
    "ERR_TIMED_OUT": "ReadTimeout",
    "ERR_CONNECTION_TIMED_OUT": "ConnectTimeout",
    "ERR_CONNECTION_REFUSED": "ConnectError",
    "ERR_NAME_NOT_RESOLVED": "ConnectError",
    "ERR_ADDRESS_UNREACHABLE": "ConnectError",
    "ERR_EMPTY_RESPONSE": "RemoteProtocolError",
    "ERR_CONNECTION_CLOSED": "RemoteProtocolError",
    "ERR_INCOMPLETE_CHUNKED_ENCODING": "RemoteProtocolError",
    "ERR_CONTENT_LENGTH_MISMATCH": "RemoteProtocolError",
}
IMPORT_NOTE = (
    "imported from a HAR file; request redacted (credentials, nonces, timestamps, "
    "signatures, cookies); response as the file holds it except echoed credentials; "
    "expected is flickrwire's decoding of the stored response"
)


class HARError(ValueError):
    """A file that is not a HAR log (names what is wrong)."""


# -- export -------------------------------------------------------------------------------


def _pairs(items: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in items]


def _started(recorded: str | None) -> str:
    if not recorded:
        return EPOCH
    try:
        moment = parsedate_to_datetime(recorded)
    except (TypeError, ValueError):
        return EPOCH
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    stamp = moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def _request_of(fixture: Fixture) -> httpx.Request:
    """The stored request, or (marked synthetic) a bare POST to the endpoint."""
    if fixture.request is not None:
        return fixture.request.as_httpx()
    path = {"rest": "rest/", "xmlrpc": "xmlrpc/", "soap": "soap/"}.get(fixture.transport, "")
    return httpx.Request("POST", f"https://api.flickr.com/services/{path}")


def _har_request(request: httpx.Request) -> dict[str, Any]:
    body = redact_request_body(request.content)
    headers = redact_headers(request.headers.multi_items())
    url = httpx.URL(redact_url(str(request.url)))
    out: dict[str, Any] = {
        "method": request.method,
        "url": str(url),
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _pairs(headers.items()),
        "queryString": _pairs(url.params.multi_items()),
        "headersSize": -1,
        "bodySize": len(body),
    }
    if body:
        mime = headers.get("content-type", "application/octet-stream")
        out["postData"] = {"mimeType": mime, "text": body.decode("utf-8", "replace")}
    return out


def _content(body: bytes, mime: str) -> dict[str, Any]:
    content: dict[str, Any] = {"size": len(body), "mimeType": mime}
    try:
        content["text"] = body.decode("utf-8")
    except UnicodeDecodeError:
        content["text"] = base64.b64encode(body).decode("ascii")
        content["encoding"] = "base64"
    return content


def _har_response(fixture: Fixture) -> dict[str, Any]:
    empty = {"cookies": [], "headers": [], "redirectURL": "", "headersSize": -1}
    if fixture.response is None:
        error = fixture.error
        text = "" if error is None else f"{error.type}: {redact_text(error.message)}"
        content = {"size": 0, "mimeType": "x-unknown"}
        head = {"status": 0, "statusText": "", "httpVersion": "HTTP/1.1"}
        return {**head, **empty, "content": content, "bodySize": 0, "_error": text}
    res = fixture.response
    headers = redact_headers(res.headers.items())
    try:
        phrase = HTTPStatus(res.status).phrase
    except ValueError:
        phrase = ""
    mime = headers.get("content-type", "x-unknown")
    return {
        "status": res.status,
        "statusText": phrase,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _pairs(headers.items()),
        "content": _content(redact_body(res.body), mime),
        "redirectURL": headers.get("location", ""),
        "headersSize": -1,
        "bodySize": len(res.body),
    }


def _entry(fixture: Fixture) -> dict[str, Any]:
    data = fixture.to_dict()
    block = {k: data[k] for k in ("format", "name", "transport", "codec", "call", "expected")}
    block["provenance"] = data["provenance"]
    block["error"] = data.get("error")
    block["synthetic_request"] = fixture.request is None
    return {
        "startedDateTime": _started(fixture.provenance.recorded),
        "time": 0,
        "request": _har_request(_request_of(fixture)),
        "response": _har_response(fixture),
        "cache": {},
        "timings": dict(_TIMINGS),
        "_flickrwire": block,
    }


def export(fixtures: Iterable[Fixture], *, secrets: Iterable[str] = ()) -> dict[str, Any]:
    """A HAR 1.2 log of ``fixtures``; raises RedactionError if a known secret survives."""
    log = {
        "log": {
            "version": HAR_VERSION,
            "creator": {"name": "flickrwire", "version": __version__},
            "pages": [],
            "entries": [_entry(fx) for fx in fixtures],
        }
    }
    known = list(secrets)
    text = scrub(json.dumps(log, ensure_ascii=False), known)
    check_clean(text, known, "the HAR export")
    result: dict[str, Any] = json.loads(text)
    return result


def export_file(
    directory: str | Path,
    target: str | Path,
    *,
    secrets: Iterable[str] = (),
    overwrite: bool = True,
) -> int:
    """Write the fixtures under ``directory`` as one HAR file; return the entry count.
    With ``overwrite=False`` an existing ``target`` raises ``FileExistsError`` and is
    left as it was."""
    har = export(load_dir(directory), secrets=secrets)
    text = json.dumps(har, indent=2, ensure_ascii=False) + "\n"
    with open(target, "w" if overwrite else "x", encoding="utf-8", newline="\n") as out:
        out.write(text)
    return len(har["log"]["entries"])


# -- import -------------------------------------------------------------------------------


def _entries(har: Any) -> list[Mapping[str, Any]]:
    log = har.get("log") if isinstance(har, Mapping) else None
    entries = log.get("entries") if isinstance(log, Mapping) else None
    if not isinstance(entries, list):
        raise HARError("not a HAR file: log.entries is missing or not a list")
    return [entry for entry in entries if isinstance(entry, Mapping)]


def _httpx_request(har: Mapping[str, Any]) -> httpx.Request:
    # HTTP/2 captures (Chrome) list pseudo-headers such as ":authority"; not headers.
    headers = [
        (str(h["name"]), str(h["value"]))
        for h in har.get("headers", [])
        if not str(h.get("name", ":")).startswith(":")
    ]
    post = har.get("postData") or {}
    if "text" in post:
        body = str(post["text"]).encode("utf-8")
    else:  # a browser may give a form as params only
        body = urlencode([(p["name"], p.get("value", "")) for p in post.get("params", [])]).encode()
    return httpx.Request(
        str(har.get("method", "GET")), str(har["url"]), headers=headers, content=body
    )


def _error_of(response: Mapping[str, Any]) -> StoredError:
    text = str(response.get("_error") or "no response (HAR status 0)")
    name, sep, message = text.partition(": ")
    if sep:
        try:
            error_class(name)
            return StoredError(name, message)
        except ValueError:
            pass
    chrome = text.removeprefix("net::")
    return StoredError(_NET_ERRORS.get(chrome, "NetworkError"), text)


def _answer(har: Mapping[str, Any], request: httpx.Request) -> httpx.Response | StoredError:
    status = int(har.get("status", 0))
    if status == 0 or har.get("_error"):
        return _error_of(har)
    content = har.get("content") or {}
    text = str(content.get("text", ""))
    body = base64.b64decode(text) if content.get("encoding") == "base64" else text.encode()
    # The HAR holds the body decoded: its framing headers describe bytes that are gone.
    headers = [
        (str(h["name"]), str(h["value"]))
        for h in har.get("headers", [])
        if str(h.get("name", "")).lower() not in FRAMING_HEADERS
        and not str(h["name"]).startswith(":")
    ]
    return httpx.Response(status, headers=headers, content=body, request=request)


def _recorded(entry: Mapping[str, Any]) -> str | None:
    try:
        moment = datetime.fromisoformat(str(entry["startedDateTime"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return http_date(moment.timestamp())


def _restored(block: Mapping[str, Any], fixture: Fixture, secrets: list[str]) -> Fixture | None:
    """The fixture a flickrwire export described, with the HAR's request and response."""
    data = fixture.to_dict()
    try:
        data.update({k: block[k] for k in ("name", "transport", "codec", "call", "expected")})
        data["provenance"] = block["provenance"]
        if isinstance(data["call"], dict) and isinstance(data["call"].get("params"), dict):
            params = data["call"]["params"]
            data["call"]["params"] = {k: v for k, v in params.items() if not ignored_param(k)}
        if block.get("synthetic_request"):
            data["request"] = None
        restored = from_dict(data)
    except (FixtureError, KeyError):  # a block we cannot use: the entry as inferred
        return None
    check_clean(dumps(restored), secrets, f"fixture {restored.name}")
    return restored


def _parse_entry(
    entry: Mapping[str, Any], index: int
) -> tuple[httpx.Request, httpx.Response | StoredError]:
    try:
        request = _httpx_request(entry["request"])
        return request, _answer(entry.get("response") or {}, request)
    except (KeyError, TypeError, ValueError) as exc:
        raise HARError(f"HAR entry {index} is malformed ({type(exc).__name__}: {exc})") from exc


def import_har(
    har: Any,
    *,
    kind: str | None = None,
    source: str = "a HAR file",
    secrets: Iterable[str] = (),
) -> list[Fixture]:
    """Fixtures (not yet named on disk) from the Flickr entries of a HAR log."""
    check_kind(kind)
    log = har["log"] if isinstance(har, Mapping) and isinstance(har.get("log"), Mapping) else {}
    creator = log.get("creator") or {}
    made_by = f"{creator.get('name', '?')} {creator.get('version', '')}".strip()
    known = list(secrets)
    out = []
    for index, entry in enumerate(_entries(har)):
        har_request = entry.get("request") or {}
        if endpoint_transport(urlsplit(str(har_request.get("url", ""))).path) is None:
            continue
        request, answer = _parse_entry(entry, index)
        provenance = Provenance(
            kind or kind_for(request.url),
            f"{source} ({made_by}), entry {index}",
            _recorded(entry),
            IMPORT_NOTE,
        )
        # Redacted by value too: every secret the caller gave, and the value of every
        # secret-named parameter (``secret``, ``*_secret``, ``oauth_*``...) wherever it recurs.
        here = known + named_secrets(request)
        fixture = to_fixture(request, answer, provenance=provenance, secrets=here)
        block = entry.get("_flickrwire")
        if isinstance(block, Mapping) and block.get("format") == FORMAT:
            fixture = _restored(block, fixture, here) or fixture
        out.append(fixture)
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class Imported:
    """What an import wrote, and what it skipped as already in the folder."""

    written: list[Fixture]
    skipped: list[Fixture]


def exchange_key(fixture: Fixture) -> str:
    """What makes two fixtures the same exchange: pair, request and answer (redacted, as
    stored), whatever their names, provenance and expected views say."""
    data = fixture.to_dict()
    same = {k: data.get(k) for k in ("transport", "codec", "request", "response", "error")}
    return json.dumps(same, sort_keys=True)


def import_into(
    path: str | Path,
    directory: str | Path,
    *,
    kind: str | None = None,
    secrets: Iterable[str] = (),
) -> Imported:
    """Read a HAR file and write its Flickr entries as fixtures under ``directory``,
    skipping each entry whose exchange a fixture already in ``directory`` holds (an import
    of the same file again writes nothing; repeats within one file are all kept)."""
    path = Path(path)
    try:
        har = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise HARError(f"{path}: cannot read HAR file ({exc})") from exc
    directory = Path(directory)
    present = load_dir(directory) if directory.is_dir() else []
    known = {exchange_key(fx) for fx in present}
    namer = Namer(directory, (fx.name for fx in present))
    written, skipped = [], []
    for fixture in import_har(har, kind=kind, source=f"HAR file {path.name}", secrets=secrets):
        if exchange_key(fixture) in known:
            skipped.append(fixture)
            continue
        case = case_of(fixture.call)
        name, target = namer.allocate(case, fixture.transport, fixture.codec, fixture.name)
        placed = dataclasses.replace(fixture, name=name, path=target)
        dump(placed, target)
        written.append(placed)
    return Imported(written, skipped)


def import_file(
    path: str | Path,
    directory: str | Path,
    *,
    kind: str | None = None,
    secrets: Iterable[str] = (),
) -> list[Fixture]:
    """The fixtures :func:`import_into` wrote (exchanges already in ``directory`` skipped)."""
    return import_into(path, directory, kind=kind, secrets=secrets).written
