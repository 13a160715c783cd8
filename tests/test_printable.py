"""Bytes and control characters in messages show as printable escapes, and ``decode``
refuses text at once with a clear ``TypeError``."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

import flickrwire as fw
from flickrwire.cli import app
from flickrwire.commands import Runtime
from flickrwire.printable import escape_bytes, printable

GARBAGE = b"\x93\xa1\x00\x1b[31mHELLO"


@pytest.fixture
def garbage_server() -> Iterator[str]:
    """A loopback server whose one answer starts with a garbage status line."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(GARBAGE + b"\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/services/"
    thread.join(timeout=10)
    listener.close()


def test_a_garbage_status_line_shows_as_escapes(garbage_server: str) -> None:
    with fw.Client("rest", "json", base_url=garbage_server) as client:
        result = client.call("flickr.test.null")
    assert not result.ok and result.fault.origin == "network"
    message = result.fault.message
    assert message == 'connection broken: illegal status line: "\\x93\\xa1\\x00\\x1b[31mHELLO"'
    assert message.isprintable() and "bytearray" not in message


def test_an_error_page_title_with_control_characters_is_escaped() -> None:
    page = b"<html><head><title>Bad \x1b[2J gateway \xc3\xa9</title></head></html>"
    result = fw.decode(page, status=502, headers={"content-type": "text/html; charset=utf-8"})
    assert result.fault is not None
    assert result.fault.message == "HTTP 502: Bad \\x1b[2J gateway \u00e9"


def test_the_call_command_prints_a_fault_message_as_escapes() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError(f"illegal status line: {bytearray(GARBAGE)!r}")

    runtime = Runtime(http_client=lambda t: httpx.Client(transport=httpx.MockTransport(broken)))
    env = {"COLUMNS": "200", "NO_COLOR": "1", "FLICKRWIRE_CONFIG": "/nonexistent/c.json"}
    for name in ("FLICKR_API_KEY", "FLICKR_API_SECRET", "FLICKR_OAUTH_TOKEN"):
        env[name] = ""
    result = CliRunner().invoke(app, ["call", "flickr.test.null"], obj=runtime, env=env)
    assert result.exit_code == 1, result.output
    assert 'illegal status line: "\\x93\\xa1\\x00\\x1b[31mHELLO"' in result.output
    assert "\x1b" not in result.output and "\x93" not in result.output


def test_printable_keeps_text_and_escapes_the_rest() -> None:
    assert printable("café, 12345@N01") == "café, 12345@N01"
    assert printable("line\nbreak\ttab\x7f") == "line\\x0abreak\\x09tab\\x7f"
    assert printable("got b'\\xff\\\\x' then b\"it's\"") == 'got "\\xff\\x5cx" then "it\'s"'
    assert escape_bytes(b"ok \x00\xff") == "ok \\x00\\xff"


@pytest.mark.parametrize("body", ["<rsp stat='ok'/>", None, 12])
def test_decode_of_anything_but_bytes_is_a_clear_type_error(body: object) -> None:
    with pytest.raises(TypeError, match=r"^decode\(\) takes bytes \(the body as received\)"):
        fw.decode(body)  # type: ignore[arg-type]


def test_decode_takes_a_bytearray_too() -> None:
    assert fw.decode(bytearray(b'<rsp stat="ok"/>')).ok
