"""The emulator's layers on the way to an API endpoint, as they were before their cuts:
the body limit reads the first ``Content-Length`` (and counts a chunked body), the fault
middleware logs status and body with and without a kept log, and answer formats are one
object per transport and codec whatever the transport (hashable or not)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from flickrwire import transports
from flickrwire.emulator import app as core
from flickrwire.emulator.faults import FaultMiddleware, FaultPlan
from flickrwire.emulator.limits import BodyLimit
from flickrwire.emulator.requestlog import RequestLog


class Echo:
    """An app that reads the whole body and answers 200 with its length."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        size = 0
        while True:
            message = await receive()
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = str(size).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


async def call(app: Any, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> list[Message]:
    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "http",
        "server": ("127.0.0.1", 8000),
        "path": "/services/rest/",
        "query_string": b"",
        "headers": headers,
    }
    pending = list(chunks)
    sent: list[Message] = []

    async def receive() -> Message:
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ([(b"content-length", b"11"), (b"content-length", b"2")], True),
        ([(b"content-length", b"2"), (b"content-length", b"11")], False),
        ([(b"content-length", b""), (b"content-length", b"11")], False),
        ([(b"content-length", b"11"), (b"transfer-encoding", b"chunked")], True),
    ],
)
async def test_the_first_content_length_decides(
    headers: list[tuple[bytes, bytes]], refused: bool
) -> None:
    echo = Echo()
    sent = await call(BodyLimit(echo, max_body=10), headers, [b"ab"])
    assert (sent[0]["status"] == 413) is refused
    assert echo.calls == (0 if refused else 1)


@pytest.mark.parametrize("declared", [[], [(b"content-length", b"5")]])
async def test_a_chunked_body_is_still_counted(declared: list[tuple[bytes, bytes]]) -> None:
    headers = [*declared, (b"transfer-encoding", b"chunked")]
    sent = await call(BodyLimit(Echo(), max_body=10), headers, [b"abcdef", b"ghijkl"])
    assert sent[0]["status"] == 413
    sent = await call(BodyLimit(Echo(), max_body=10), headers, [b"abc", b"def"])
    assert sent[0]["status"] == 200 and sent[1]["body"] == b"6"


@pytest.mark.parametrize("log_size", [0, 5])
@pytest.mark.parametrize(
    "rules", [[], [{"transport": "soap", "action": "error", "params": {"code": 105}}]]
)
async def test_the_log_keeps_status_and_body_when_kept(log_size: int, rules: list[Any]) -> None:
    log = RequestLog(log_size)
    app = FaultMiddleware(Echo(), FaultPlan(None, rules), log)
    sent = await call(app, [(b"content-type", b"text/plain")], [b"abc", b"de"])
    assert sent[0]["status"] == 200 and sent[1]["body"] == b"5"
    entries = log.entries()
    if log_size:
        assert [(e.status, e.body, e.transport) for e in entries] == [(200, b"abcde", "rest")]
        assert entries[0].duration is not None
    else:
        assert entries == []


@dataclass
class Unhashable:
    """A plugin-like transport that cannot be hashed (a dataclass with eq)."""

    name: str = "rest"


def test_one_format_per_transport_and_codec() -> None:
    rest = transports.get("rest")
    first = core.response_format(rest, {"format": "json", "nojsoncallback": "1"})
    again = core.response_format(rest, {"format": "json", "nojsoncallback": "true"})
    assert first is again and first == core.Format(rest, "json")
    assert core.response_format(rest, {"format": "rest"}) == core.Format(rest, "xml")
    assert core.response_format(rest, {}) == core.Format(rest, "xml")
    odd: Any = Unhashable()
    assert core.response_format(odd, {"format": "json", "nojsoncallback": "1"}) == core.Format(
        odd, "json"
    )
    callback = core.response_format(rest, {"format": "json", "jsoncallback": "cb"})
    assert callback == core.Format(rest, "json", "cb")


def test_the_remembered_formats_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "_FORMATS", {})
    monkeypatch.setattr(core, "_FORMATS_KEPT", 2)
    made = [Unhashable(f"t{n}") for n in range(5)]
    for transport in made:
        found = core.response_format(transport, {"format": "json", "nojsoncallback": "1"})  # type: ignore[arg-type]
        assert found is not None and found.transport is transport
        assert len(core._FORMATS) <= 2
