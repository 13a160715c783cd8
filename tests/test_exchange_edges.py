"""The direct send path behaves as httpx's own would where a user can see it: httpx's
INFO log line for each request."""

from __future__ import annotations

import logging

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
