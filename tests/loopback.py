"""A loopback server of raw sockets, for tests whose server must misbehave byte by byte
(stall, dribble a header, hang up after one answer), which an ASGI app cannot."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

#: Answers one connection, after its request's first bytes were read; the event is set
#: when the test ends (a handler that waits should wait on it).
Handler = Callable[[socket.socket, threading.Event], None]


def serve(handler: Handler) -> Iterator[tuple[str, list[bytes]]]:
    """Listen on a free loopback port and run ``handler`` on a thread per connection;
    yield the base URL and the first bytes read from each connection, in order."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()
    seen: list[bytes] = []

    def handle(conn: socket.socket) -> None:
        with conn:
            seen.append(conn.recv(65536))
            handler(conn, stop)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/services/", seen
    finally:
        stop.set()
        thread.join()
        listener.close()


def dribble_header(conn: socket.socket, stop: threading.Event) -> None:
    """Send a header block one byte every 50 ms (each byte restarts httpx's read timeout),
    never finishing it; stop when the test ends or the client hangs up."""
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 60:
        if stop.wait(0.05):
            return
        try:
            conn.sendall(bytes([byte]))
        except OSError:
            return  # the client hung up: what its deadline does
