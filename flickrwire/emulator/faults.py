"""Fault injection: rules, the seeded plan that picks at most one rule per request, and
the ASGI middleware that enacts it.

Rules are plain JSON, the same for ``create_app(faults=...)``, the CLI's ``--faults FILE``
and the admin API (``/_admin/faults``). A plan file is a list of rules, or::

    {"seed": 42, "rules": [
        {"id": "flaky", "method": "flickr.groups.leave", "transport": "*",
         "action": "error", "params": {"code": 105}, "count": 2},
        {"method": "*", "transport": "soap", "action": "delay",
         "params": {"distribution": "lognormal", "median": 0.2, "sigma": 0.5, "cap": 2.0},
         "probability": 0.25}
    ]}

Rule fields (all but ``action`` optional):

- ``id``: a name for listing and removal; ``r1``, ``r2``, ... when absent.
- ``method``: a Flickr method name, a glob such as ``flickr.groups.*``, or ``*``.
- ``transport``: ``rest``, ``xmlrpc``, ``soap``, ``*`` (any API endpoint), or ``oauth`` for the
  OAuth endpoints (``method`` is then ``request_token``, ``authorize`` or ``access_token``).
- ``action`` and ``params``: what to do (table below; params not given take the defaults).
- ``probability`` (0..1, default 1), ``count`` (fire at most N times, then let requests
  through: "fail N times, then succeed"), ``after`` (let the first N matching requests through).

Each request is offered to the rules in order; the first that fires wins. Every rule draws
from its own random stream seeded by ``(plan seed, rule id)``, so a run with the same seed
and the same requests injects the same faults.

Actions (answered without running the method unless said otherwise):

- ``error``: ``code`` (required), ``message`` (default: Flickr's message for the code),
  ``status`` (200): a Flickr error in the requested format (``format``, ``jsoncallback``,
  ``nojsoncallback``); 111, 114 and 115 answer in the endpoint's native XML as Flickr does.
- ``oauth_problem``: ``problem`` (``signature_invalid``), ``status`` (401), ``debug_sbs``
  (true): Flickr's ``text/plain`` ``oauth_problem=...&debug_sbs=<base string>`` answer.
- ``http_error``: ``status`` (502), ``title``: an HTML error page, as a proxy would send.
- ``raw``: ``body`` (required), ``content_type`` (``text/xml; charset=utf-8``), ``status``
  (200): a body sent verbatim, such as a recorded answer (Flickr's real 105 carries
  ``"code":"105"`` as a string, which ``error`` would render as a number).
- ``content_type``: ``content_type`` (``text/html; charset=utf-8``): the method runs and its
  answer goes out under the wrong content type.
- ``delay``: the method runs, then the answer waits. ``distribution`` ``fixed`` (``seconds``),
  ``uniform`` (``low``, ``high``) or ``lognormal`` (``median``, ``sigma``, ``cap``).
- ``dribble``: ``chunks`` (4), ``seconds`` (1.0): the method's body sent in N pieces over T s.
- socket faults, enacted by the server's front end (``frontend.py``) or, in-process, by
  the transports of ``inprocess.py`` as the httpx exception a socket would cause:
  ``empty`` (close without answering), ``garbage`` (``HTTP/1.1 200 OK``, random bytes
  that never read as a header, close), ``random`` (random bytes, close), ``reset`` (TCP
  reset), ``hang`` (never answer: the client times out), each with ``process`` (false;
  true runs the method first and drops its answer, to test retries of writes that did
  happen); ``garbage`` and ``random`` take ``bytes`` (64) of seeded random data.
  ``truncate``: ``bytes`` (10): the method's real answer, cut after N body bytes, then
  close.

The middleware signals a socket fault with a ``599`` answer carrying the private
``x-flickrwire-socket-fault`` header and this process's token; served without the front
end (uvicorn alone, or a bare ``httpx.ASGITransport``) that 599 reaches the client as is.
Rule ids are letters, digits, ``_``, ``.`` and ``-``.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import injected
from .requestlog import LogEntry, RequestLog, transport_paths
from .rules import (
    ACTIONS,
    RESPONSE_ACTIONS,
    SOCKET_ACTIONS,
    SOCKET_FAULT_HEADER,
    SOCKET_FAULT_STATUS,
    FaultPlan,
    FaultRule,
    SocketFault,
    parse_socket_fault,
    socket_fault_value,
)

__all__ = [
    "ACTIONS",
    "SOCKET_ACTIONS",
    "SOCKET_FAULT_HEADER",
    "SOCKET_FAULT_STATUS",
    "FaultMiddleware",
    "FaultPlan",
    "FaultRule",
    "SocketFault",
    "parse_socket_fault",
    "socket_fault_value",
]


class FaultMiddleware:
    """Keeps the request log and enacts the plan's faults in front of the emulator.

    With an empty plan a request costs a log entry and two wrapped callables: the body is
    neither buffered nor parsed. Paths under ``skip`` (the admin API) are left alone.
    """

    def __init__(
        self,
        app: ASGIApp,
        plan: FaultPlan,
        log: RequestLog | None = None,
        *,
        skip: str = "/_admin/",
    ) -> None:
        self.app = app
        self.plan = plan
        self.log = log if log is not None else RequestLog()
        self.skip = skip
        self._paths = transport_paths()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip):
            await self.app(scope, receive, send)
            return
        plan = self.plan
        if plan.empty and not self.log.enabled:
            await self.app(scope, receive, send)
            return
        transport = self._paths.get(scope["path"].rstrip("/"), "")
        if plan.empty or not plan.targets(transport):
            await self._through(scope, receive, send, self.log.open(scope, transport))
            return
        body = await _read_body(receive)
        entry = self.log.open(scope, transport, body)
        method = (entry.method or "*") if plan.needs_method(transport) else "*"
        rule = plan.decide(method, transport)
        replay = _replay(body, receive)
        if rule is None:
            await self._through(scope, replay, send, entry)
            return
        entry.rule, entry.action = rule.id, rule.action
        await self._enact(rule, scope, replay, send, entry)
        entry.finish()

    async def _through(self, scope: Scope, receive: Receive, send: Send, entry: LogEntry) -> None:
        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            await send(message)

        if not entry.capturing:
            await self.app(scope, receive, logging_send)
            entry.finish()
            return
        chunks: list[bytes] = []

        async def logging_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        await self.app(scope, logging_receive, logging_send)
        entry.body = b"".join(chunks)
        entry.finish()

    async def _enact(
        self, rule: FaultRule, scope: Scope, receive: Receive, send: Send, entry: LogEntry
    ) -> None:
        action, params = rule.action, rule.params
        if action in RESPONSE_ACTIONS:
            status, headers, body = injected.answer(action, params, entry)
            entry.status = status
            await _respond(send, status, headers, body)
        elif action == "content_type":
            await self.app(scope, receive, _retyped(send, params["content_type"], entry))
        elif action == "delay":
            await self.app(scope, receive, _delayed(send, self.plan.delay_for(rule), entry))
        elif action == "dribble":
            status, headers, body = await _run(self.app, scope, receive)
            entry.status = status
            await _dribble(send, status, headers, body, params["chunks"], params["seconds"])
        elif action == "truncate":
            status, headers, body = await _run(self.app, scope, receive)
            entry.status = status
            marker = (
                SOCKET_FAULT_HEADER.encode(),
                socket_fault_value(action, status, params["bytes"]),
            )
            await _respond(send, SOCKET_FAULT_STATUS, [marker, *headers], body)
        else:
            if params["process"]:
                await _run(self.app, scope, receive)
            noise = b""
            if action in ("garbage", "random"):
                noise = self.plan.noise_for(rule, params["bytes"])
            if action == "garbage" and noise:
                # A non-ASCII first byte: the garbage can never read as the end of a head
                # (a bare line break) and so as a valid, empty 200 answer.
                noise = bytes([noise[0] | 0x80]) + noise[1:]
            marker = (SOCKET_FAULT_HEADER.encode(), socket_fault_value(action))
            await _respond(send, SOCKET_FAULT_STATUS, [marker], noise)


Headers = list[tuple[bytes, bytes]]


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the buffered body to the app once, then waits as before."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _respond(send: Send, status: int, headers: Headers, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _length(headers, body)})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _length(headers: Headers, body: bytes) -> Headers:
    kept = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    return [*kept, (b"content-length", str(len(body)).encode())]


async def _run(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, Headers, bytes]:
    """Run the app to the end and return its answer instead of sending it."""
    start: Message = {}
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    return int(start.get("status", 500)), list(start.get("headers", [])), b"".join(chunks)


def _retyped(send: Send, content_type: str, entry: LogEntry) -> Send:
    async def retyped(message: Message) -> None:
        if message["type"] == "http.response.start":
            entry.status = message["status"]
            headers = [
                (k, v) for k, v in message.get("headers", []) if k.lower() != b"content-type"
            ]
            headers.append((b"content-type", content_type.encode("latin-1")))
            message = {**message, "headers": headers}
        await send(message)

    return retyped


def _delayed(send: Send, seconds: float, entry: LogEntry) -> Send:
    async def delayed(message: Message) -> None:
        if message["type"] == "http.response.start":
            entry.status = message["status"]
            await asyncio.sleep(seconds)
        await send(message)

    return delayed


async def _dribble(
    send: Send, status: int, headers: Headers, body: bytes, chunks: int, seconds: float
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _length(headers, body)})
    size, extra = divmod(len(body), chunks)
    offset = 0
    for index in range(chunks):
        end = offset + size + (1 if index < extra else 0)
        await asyncio.sleep(seconds / chunks)
        more = index < chunks - 1
        await send({"type": "http.response.body", "body": body[offset:end], "more_body": more})
        offset = end
