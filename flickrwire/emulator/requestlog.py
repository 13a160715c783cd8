"""The emulator's request log: what came in, how it was answered, which fault fired.

An entry keeps the raw request and parses it only when asked (a search by method, the
admin listing), so logging costs a request almost nothing. Credentials and signatures never
leave an entry: :meth:`LogEntry.to_json` drops them.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from typing import Any

import httpx
from starlette.types import Scope

from .. import transports
from ..auth import SECRET_PARAMS, VOLATILE_PARAMS
from ..call import Call

#: The OAuth endpoints (Flickr's /services/oauth/...); their "method" is the last segment.
OAUTH_ENDPOINTS = ("request_token", "authorize", "access_token")
_HIDDEN = SECRET_PARAMS | VOLATILE_PARAMS
_UNPARSED: Any = object()


def transport_paths(prefix: str = "/services/") -> dict[str, str]:
    """Endpoint path (no trailing slash) -> transport name, OAuth endpoints as ``oauth``."""
    paths: dict[str, str] = {}
    for name in transports.names():
        paths[prefix + transports.get(name).path.strip("/")] = name
    for endpoint in OAUTH_ENDPOINTS:
        paths[f"{prefix}oauth/{endpoint}"] = "oauth"
    return paths


class LogEntry:
    """One request. ``status`` is None when no HTTP answer went out (socket faults)."""

    __slots__ = (
        "_call",
        "_started",
        "action",
        "body",
        "capturing",
        "duration",
        "headers",
        "http_method",
        "path",
        "query_string",
        "rule",
        "scheme",
        "seq",
        "server",
        "status",
        "time",
        "transport",
    )

    def __init__(
        self, seq: int, scope: Scope, transport: str, body: bytes | None, capturing: bool
    ) -> None:
        self.seq = seq
        self.time = time.time()
        self._started = time.perf_counter()
        # Only what the entry needs, not the scope (which the app fills with more).
        # A tuple of (bytes, bytes) tuples: the collector stops tracking such tuples, so
        # a full log (10,000 entries) adds little to each full garbage collection.
        self.headers: tuple[tuple[bytes, bytes], ...] = tuple(scope.get("headers", ()))
        self.query_string: bytes = scope.get("query_string", b"")
        self.scheme: str = scope.get("scheme", "http")
        self.server: tuple[str, int | None] | None = scope.get("server")
        self.transport = transport
        self.http_method: str = scope["method"]
        self.path: str = scope["path"]
        self.body = body if body is not None else b""
        self.capturing = capturing and body is None
        self.status: int | None = None
        self.duration: float | None = None
        self.rule: str | None = None
        self.action: str | None = None
        self._call: Call | None = _UNPARSED

    def finish(self) -> None:
        self.duration = time.perf_counter() - self._started

    def header(self, name: bytes) -> str:
        for key, value in self.headers:
            if key.lower() == name:
                return bytes(value).decode("latin-1")
        return ""

    @property
    def url(self) -> str:
        """The request URL without its query, as the client addressed it."""
        host = self.header(b"host")
        if not host:
            server = self.server or ("localhost", None)
            host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
        return f"{self.scheme}://{host}{self.path}"

    @property
    def query(self) -> str:
        return bytes(self.query_string).decode("latin-1")

    @property
    def call(self) -> Call | None:
        """The Flickr call, parsed by the endpoint's own transport; None if unparsable."""
        if self._call is _UNPARSED:
            self._call = self._parse()
        return self._call

    def request(self) -> httpx.Request:
        """The request as an ``httpx.Request`` (what transports' ``parse_request`` takes)."""
        url = self.url + (f"?{self.query}" if self.query else "")
        headers = [(k, v) for k, v in self.headers if k.lower() != b"host"]
        return httpx.Request(self.http_method, url, headers=headers, content=self.body)

    def _parse(self) -> Call | None:
        if self.transport in ("", "oauth"):
            return None
        try:
            return transports.get(self.transport).parse_request(self.request())
        except ValueError:  # RequestError included: 112, 114, 115
            return None

    @property
    def method(self) -> str:
        """The Flickr method (``""`` if unparsable), or the OAuth endpoint's name."""
        if self.transport == "oauth":
            return self.path.rstrip("/").rpartition("/")[2]
        call = self.call
        return call.method if call is not None else ""

    def params(self) -> dict[str, str]:
        """The call's parameters without credentials, signatures, nonces or timestamps."""
        call = self.call
        given = dict(call.params) if call is not None else {}
        return {k: v for k, v in given.items() if k not in _HIDDEN and not k.startswith("oauth_")}

    def to_json(self) -> dict[str, Any]:
        fault = None if self.rule is None else {"rule": self.rule, "action": self.action}
        return {
            "seq": self.seq,
            "time": self.time,
            "transport": self.transport,
            "method": self.method,
            "http_method": self.http_method,
            "path": self.path,
            "params": self.params(),
            "status": self.status,
            "duration_ms": None if self.duration is None else round(self.duration * 1000, 3),
            "fault": fault,
        }

    def __repr__(self) -> str:
        return f"<LogEntry #{self.seq} {self.transport} {self.method or '?'} {self.status}>"


class RequestLog:
    """The last ``maxlen`` requests, newest last; ``maxlen=0`` keeps nothing."""

    def __init__(self, maxlen: int = 10_000) -> None:
        if maxlen < 0:
            raise ValueError("maxlen must not be negative")
        self.maxlen = maxlen
        self._entries: deque[LogEntry] = deque(maxlen=maxlen)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.maxlen > 0

    def open(self, scope: Scope, transport: str, body: bytes | None = None) -> LogEntry:
        """A new entry for a request (``body`` when it was read already)."""
        entry = LogEntry(next(self._seq), scope, transport, body, self.maxlen > 0)
        if self.maxlen:
            self._entries.append(entry)
        return entry

    def entries(self) -> list[LogEntry]:
        with self._lock:
            return list(self._entries)

    def search(
        self,
        *,
        method: str | None = None,
        transport: str | None = None,
        status: int | None = None,
        rule: str | None = None,
        faulted: bool | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[LogEntry]:
        """Entries matching every filter given, oldest first; ``limit`` keeps the newest."""
        found = [
            entry
            for entry in self.entries()
            if (since is None or entry.seq > since)
            and (transport is None or entry.transport == transport)
            and (status is None or entry.status == status)
            and (rule is None or entry.rule == rule)
            and (faulted is None or (entry.rule is not None) == faulted)
            and (method is None or entry.method == method)
        ]
        if limit is not None:
            found = found[-limit:] if limit > 0 else []
        return found

    def count(self, **filters: Any) -> int:
        return len(self.search(**filters))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
