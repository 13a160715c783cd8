"""The direct send path behaves as httpx's own would where a user can see it: httpx's
INFO log line for each request."""

from __future__ import annotations

import http.server
import logging
import threading
import time

import httpx
import pytest

from flickrwire import Client
from flickrwire.exchange import Deadline, DeadlineExceeded


def test_each_request_gets_httpxs_log_line(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"stat": "ok"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    with caplog.at_level(logging.INFO, logger="httpx"), Client(http_client=http) as client:
        assert client.call("flickr.test.echo").ok
        assert client.call("flickr.test.echo").ok
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert (
        lines == ['HTTP Request: POST https://api.flickr.com/services/rest/ "HTTP/1.1 200 OK"'] * 2
    )


def test_every_phase_timeout_is_cut_to_the_time_left() -> None:
    request = httpx.Request("POST", "https://api.flickr.com/services/rest/")
    phases = httpx.Timeout(30.0, connect=10.0, pool=None)
    given = Deadline(5.0).bound(request, phases)
    assert request.extensions["timeout"] is given
    assert set(given) == {"connect", "read", "write", "pool"}
    assert all(0 < value <= 5.0 for value in given.values())


def test_without_a_deadline_the_phase_timeouts_stay_as_given() -> None:
    request = httpx.Request("POST", "https://api.flickr.com/services/rest/")
    phases = httpx.Timeout(30.0, connect=10.0)
    assert Deadline(None).bound(request, phases) == phases.as_dict()
    assert request.extensions["timeout"] == phases.as_dict()


def test_a_passed_deadline_is_a_timeout_before_anything_is_sent() -> None:
    request = httpx.Request("POST", "https://api.flickr.com/services/rest/")
    with pytest.raises(DeadlineExceeded, match="no complete answer within 0 s"):
        Deadline(0.0).bound(request, httpx.Timeout(30.0))


class _Answer(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self._ok()

    def do_GET(self) -> None:
        self._ok()

    def _ok(self) -> None:
        body = b'{"stat":"ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_a_calls_deadline_does_not_outlive_the_call() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/services/"
    try:
        with Client(base_url=base, timeout=0.2) as client:
            assert client.call("flickr.test.echo").ok
            time.sleep(0.3)  # past the call's deadline, not past anything else
            assert client.http.get(base + "rest/", timeout=5.0).status_code == 200
    finally:
        server.shutdown()
        server.server_close()
