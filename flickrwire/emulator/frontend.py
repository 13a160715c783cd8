"""The front end: a thin asyncio server that owns the public socket, pipes bytes to
uvicorn on a private loopback socket and back, and enacts socket faults.

uvicorn cannot reset a connection, close it without an answer or send bytes that are not
HTTP on behalf of an ASGI app. The front end reads nothing of the traffic but looks for
one status line in the bytes going out: when the fault middleware answers ``599`` with the
private ``x-flickrwire-socket-fault`` header (carrying this process's token; see
``rules.py``), the front end does to the client's socket what the header names and never
forwards the header. Requests pass through untouched.

The app sees the real client address: the front end records which client each private
connection serves, and :class:`RealPeer` puts that address into the ASGI scope.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from .rules import SOCKET_FAULT_HEADER, SocketFault, parse_socket_fault

#: What a socket-fault response's status line starts with: uvicorn (h11 and httptools)
#: writes ``HTTP/1.1 599 `` and an empty reason for this unregistered status.
MARKER = b"HTTP/1.1 599 "
STATUS_LINE = MARKER + b"\r\n"
_HEADER = SOCKET_FAULT_HEADER.encode("ascii")
#: How long bytes that might start a marker wait for the rest before going out anyway.
_HOLD_SECONDS = 0.002
#: How long a marker waits for the end of its head, and the largest head we wait for.
_HEAD_SECONDS = 0.05
_MAX_HEAD = 16 * 1024


class FrontEnd:
    """The client connections of one server and the way to uvicorn."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream_address = upstream
        #: private connection's local port -> the client address it serves
        self.peers: dict[int, Any] = {}
        self.connections: set[_ClientSide] = set()
        self._server: asyncio.Server | None = None

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """``app`` seeing the clients' addresses rather than the front end's."""
        return RealPeer(app, self.peers)

    async def start(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _ClientSide(self), sock=sock)

    def close(self) -> None:
        """Stop accepting and close every client connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self.connections):
            connection.close()


class RealPeer:
    """Puts the front end's client address into the scope in place of its own."""

    def __init__(self, app: ASGIApp, peers: dict[int, Any]) -> None:
        self.app = app
        self.peers = peers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if client is not None:
            real = self.peers.get(client[1])
            if real is not None:
                scope["client"] = real
        await self.app(scope, receive, send)


class _UpstreamSide(asyncio.Protocol):
    """The front end's connection to uvicorn, on behalf of one client connection."""

    def __init__(self, client: _ClientSide) -> None:
        self.client = client

    def data_received(self, data: bytes) -> None:
        self.client.from_upstream(data)

    def eof_received(self) -> bool | None:
        self.client.upstream_closed()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.client.upstream_closed()

    def pause_writing(self) -> None:
        self.client.pause_reading()

    def resume_writing(self) -> None:
        self.client.resume_reading()


class _ClientSide(asyncio.Protocol):
    """One client connection: pipes bytes both ways and enacts socket faults."""

    def __init__(self, front: FrontEnd) -> None:
        self.front = front
        self.transport: asyncio.Transport | None = None
        self.upstream: asyncio.Transport | None = None
        self.pending: list[bytes] = []
        self.held = b""  # bytes that may be the start of a marker
        self.timer: asyncio.TimerHandle | None = None
        self.fault: bytearray | None = None  # a possible fault response, being collected
        self.hanging = False
        self.closed = False
        self.client_eof = False
        self.local_port: int | None = None
        self.connecting: asyncio.Task[None] | None = None  # kept: the loop holds tasks weakly

    # -- client -> uvicorn --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.front.connections.add(self)
        peer = transport.get_extra_info("peername")
        self.connecting = asyncio.get_running_loop().create_task(self._connect(peer))

    async def _connect(self, peer: Any) -> None:
        loop = asyncio.get_running_loop()
        try:
            upstream, _ = await loop.create_connection(
                lambda: _UpstreamSide(self), *self.front.upstream_address
            )
        except OSError:
            self.close()
            return
        if self.closed:
            upstream.close()
            return
        self.upstream = upstream
        self.local_port = upstream.get_extra_info("sockname")[1]
        self.front.peers[self.local_port] = tuple(peer[:2]) if peer else None
        if self.pending:
            upstream.write(b"".join(self.pending))
            self.pending.clear()
        if self.client_eof and upstream.can_write_eof():
            upstream.write_eof()

    def data_received(self, data: bytes) -> None:
        if self.hanging or self.closed:
            return
        if self.upstream is not None:
            self.upstream.write(data)
        else:
            self.pending.append(data)

    def eof_received(self) -> bool | None:
        if self.hanging:
            self.close()
            return None
        self.client_eof = True
        if self.upstream is not None and self.upstream.can_write_eof():
            self.upstream.write_eof()
        return True  # keep our side open for the answer

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.front.connections.discard(self)
        self._drop_upstream()

    def pause_writing(self) -> None:
        if self.upstream is not None:
            self.upstream.pause_reading()

    def resume_writing(self) -> None:
        if self.upstream is not None:
            self.upstream.resume_reading()

    def pause_reading(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and not self.closed:
            self.transport.resume_reading()

    # -- uvicorn -> client --------------------------------------------------------------

    def from_upstream(self, data: bytes) -> None:
        if self.closed or self.hanging or self.transport is None:
            return
        if self.fault is not None:
            self.fault += data
            self._examine()
            return
        if self.held:
            data, self.held = self.held + data, b""
            self._cancel_timer()
        self._scan(data)

    def _scan(self, data: bytes) -> None:
        at = data.find(MARKER)
        if at >= 0:
            self.transport_write(data[:at])
            self.fault = bytearray(data[at:])
            self._examine()
            return
        keep = _marker_prefix(data)
        if keep:
            # The marker may be cut between two reads: hold its start a moment.
            self.held = data[-keep:]
            data = data[:-keep]
            self._start_timer(_HOLD_SECONDS, self._release_held)
        self.transport_write(data)

    def _release_held(self) -> None:
        self.timer = None
        held, self.held = self.held, b""
        self.transport_write(held)

    def _start_timer(self, delay: float, callback: Callable[[], None]) -> None:
        self._cancel_timer()
        self.timer = asyncio.get_running_loop().call_later(delay, callback)

    def _cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _examine(self) -> None:
        """Enact the collected response's fault once its head (and body) are in.

        uvicorn writes a head in one piece, so a real fault head is complete at once; a
        body that merely contains the marker text is passed on (at worst after a moment).
        """
        buffer = self.fault
        assert buffer is not None
        if len(buffer) >= len(STATUS_LINE) and not buffer.startswith(STATUS_LINE):
            self._not_ours()
            return
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > _MAX_HEAD:
                self._not_ours()
            elif self.timer is None:
                self._start_timer(_HEAD_SECONDS, self._not_ours)
            return
        self._cancel_timer()
        head, body = bytes(buffer[: end + 4]), bytes(buffer[end + 4 :])
        fault, lines, length = _read_head(head)
        if fault is None:
            self._not_ours()
            return
        wanted = min(fault.size, length) if fault.action == "truncate" else length
        if fault.action not in ("empty", "reset", "hang") and len(body) < wanted:
            return
        self.fault = None
        self._enact(fault, lines, body)

    def _not_ours(self) -> None:
        """The collected bytes are not a fault response: pass them on, scan the rest."""
        self._cancel_timer()
        buffer, self.fault = self.fault, None
        if buffer is None:
            return
        self.transport_write(bytes(buffer[: len(MARKER)]))
        self._scan(bytes(buffer[len(MARKER) :]))

    def transport_write(self, data: bytes) -> None:
        if data and self.transport is not None and not self.closed:
            self.transport.write(data)

    def _enact(self, fault: SocketFault, lines: list[bytes], body: bytes) -> None:
        transport = self.transport
        assert transport is not None
        self._drop_upstream()
        action = fault.action
        if action == "hang":
            self.hanging = True  # say nothing; the client times out or gives up
            return
        if action == "reset":
            sock = transport.get_extra_info("socket")
            if sock is not None:
                # Linger 0: close() sends RST instead of FIN (connection reset by peer).
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        else:
            if action == "garbage":
                transport.write(b"HTTP/1.1 200 OK\r\n" + body)
            elif action == "random":
                transport.write(body)
            elif action == "truncate":
                phrase = _phrase(fault.status)
                status = f"HTTP/1.1 {fault.status} {phrase}\r\n".encode("latin-1")
                transport.write(status + b"".join(lines) + b"\r\n" + body[: fault.size])
            transport.close()
        self.closed = True
        self.front.connections.discard(self)

    def upstream_closed(self) -> None:
        """uvicorn closed its side: finish the client's answer and close (unless hanging)."""
        if self.hanging or self.closed:
            return
        self._cancel_timer()
        if self.fault is not None:  # an incomplete head: pass on what came
            self.transport_write(bytes(self.fault))
            self.fault = None
        held, self.held = self.held, b""
        self.transport_write(held)
        self.close()

    def _drop_upstream(self) -> None:
        self._cancel_timer()
        if self.local_port is not None:
            self.front.peers.pop(self.local_port, None)
            self.local_port = None
        if self.upstream is not None:
            upstream, self.upstream = self.upstream, None
            upstream.close()

    def close(self) -> None:
        self._drop_upstream()
        if self.transport is not None and not self.closed:
            self.closed = True
            self.front.connections.discard(self)
            self.transport.close()


def _marker_prefix(data: bytes) -> int:
    """The length of the longest end of ``data`` that is a proper start of the marker."""
    start = data.rfind(b"H", max(0, len(data) - len(MARKER) + 1))
    while start >= 0:
        tail = data[start:]
        if MARKER.startswith(tail):
            return len(tail)
        start = data.rfind(b"H", start + 1)
    return 0


def _read_head(head: bytes) -> tuple[SocketFault | None, list[bytes], int]:
    """The fault a 599 head names (None if not ours), its other header lines, the length."""
    fault: SocketFault | None = None
    lines: list[bytes] = []
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if not line:
            continue
        name, _, value = line.partition(b":")
        key = name.strip().lower()
        if key == _HEADER:
            fault = parse_socket_fault(value.strip())
            continue
        if key == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
        lines.append(line + b"\r\n")
    return fault, lines, length


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
