"""``Client`` sends a built request straight to the injected client's transport when
httpx's per-request layers have nothing to do; whatever those layers would do for a user
(event hooks, auth, cookies, the request on errors, mounts, a subclass's own ``send``)
still happens."""

from __future__ import annotations

import httpx
import pytest

from flickrwire import Client, Credentials
from flickrwire.exchange import send_direct

CREDS = Credentials("fake-consumer-key", "fake-consumer-secret", "fake-token", "fake-token-secret")
OK_JSON = b'{"stat":"ok"}'
URL = "https://api.flickr.com/services/rest/"


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=OK_JSON, headers={"Content-Type": "application/json"})


def test_a_plain_client_answers_with_the_request_attached() -> None:
    http = httpx.Client(transport=httpx.MockTransport(ok))
    request = httpx.Request("POST", URL, content=b"a=1", extensions={"timeout": {}})
    response = send_direct(http, request)
    assert response.request is request
    assert response.read() == OK_JSON


def test_event_hooks_of_an_injected_client_still_run() -> None:
    seen: list[str] = []
    http = httpx.Client(
        transport=httpx.MockTransport(ok),
        event_hooks={
            "request": [lambda r: seen.append("request")],
            "response": [lambda r: seen.append("response")],
        },
    )
    result = Client("rest", "json", CREDS, http_client=http).groups.leave(group_id="1")
    assert result.ok
    assert seen == ["request", "response"]


def test_auth_of_an_injected_client_still_applies() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return ok(request)

    http = httpx.Client(transport=httpx.MockTransport(handler), auth=("user", "pass"))
    assert Client("rest", "json", None, http_client=http).groups.leave(group_id="1").ok
    assert sent[0].headers["authorization"].startswith("Basic ")


def test_cookies_from_an_answer_are_stored_in_the_injected_client() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=OK_JSON, headers={"Set-Cookie": "seen=1; Path=/"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    assert Client("rest", "json", CREDS, http_client=http).groups.leave(group_id="1").ok
    assert http.cookies.get("seen") == "1"


def test_mounts_choose_the_transport() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the default transport was used instead of the mount")

    http = httpx.Client(
        transport=httpx.MockTransport(refuse),
        mounts={"https://api.flickr.com": httpx.MockTransport(ok)},
    )
    assert Client("rest", "json", CREDS, http_client=http).groups.leave(group_id="1").ok


def test_a_subclass_with_its_own_send_is_used() -> None:
    class Counting(httpx.Client):
        sends = 0

        def send(self, request: httpx.Request, **kwargs: object) -> httpx.Response:  # type: ignore[override]
            Counting.sends += 1
            return super().send(request, **kwargs)  # type: ignore[arg-type]

    http = Counting(transport=httpx.MockTransport(ok))
    assert Client("rest", "json", CREDS, http_client=http).groups.leave(group_id="1").ok
    assert Counting.sends == 1


def test_a_network_error_carries_its_request() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    http = httpx.Client(transport=httpx.MockTransport(broken))
    request = httpx.Request("POST", URL, content=b"a=1", extensions={"timeout": {}})
    with pytest.raises(httpx.ConnectError) as caught:
        send_direct(http, request)
    assert caught.value.request is request


def test_a_closed_client_refuses_as_httpx_does() -> None:
    http = httpx.Client(transport=httpx.MockTransport(ok))
    http.close()
    with pytest.raises(RuntimeError, match="closed"):
        send_direct(http, httpx.Request("POST", URL, extensions={"timeout": {}}))
