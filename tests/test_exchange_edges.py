"""The direct send path behaves as httpx's own would where a user can see it: httpx's
INFO log line for each request."""

from __future__ import annotations

import logging

import httpx
import pytest

from flickrwire import Client


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
