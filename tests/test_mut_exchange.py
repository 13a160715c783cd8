"""The direct send skips httpx's per-request layers only for a plain ``httpx.Client``:
a subclass that overrides any of them, one or all, has its overrides run on every call."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from flickrwire import Client

ANSWER = b'{"stat":"ok","user":{"id":"1"}}'
#: httpx.Client's methods between ``send`` and the transport, in the order they run.
LAYERS = ("send", "_send_handling_auth", "_send_handling_redirects", "_send_single_request")


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=ANSWER, headers={"Content-Type": "application/json"})


def layered(overridden: tuple[str, ...]) -> tuple[httpx.Client, list[str]]:
    """An ``httpx.Client`` subclass overriding ``overridden``, each noting its call."""
    calls: list[str] = []

    def noting(name: str) -> Any:
        def layer(self: httpx.Client, *args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return getattr(httpx.Client, name)(self, *args, **kwargs)

        return layer

    cls = type("Layered", (httpx.Client,), {name: noting(name) for name in overridden})
    return cls(transport=httpx.MockTransport(ok)), calls


@pytest.mark.parametrize("overridden", [*((name,) for name in LAYERS), LAYERS])
def test_every_layer_a_subclass_overrides_runs(overridden: tuple[str, ...]) -> None:
    http, calls = layered(overridden)
    with http, Client(http_client=http, signing="none") as client:
        first = client.call("flickr.test.login")
        second = client.call("flickr.test.login")
    assert first.ok and second.ok and first.payload == {"user": {"id": "1"}}
    assert calls == [name for name in LAYERS if name in overridden] * 2
