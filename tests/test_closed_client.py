"""A call on a closed client is a ``Result`` fault, not httpx's ``RuntimeError``, and
nothing is sent."""

from __future__ import annotations

import httpx

from flickrwire import AsyncClient, Client

OK = b'{"stat":"ok"}'


def _counting() -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=OK, headers={"Content-Type": "application/json"})

    return seen, httpx.MockTransport(handler)


def _check_closed(result: object) -> None:
    from flickrwire import Result

    assert isinstance(result, Result)
    assert not result.ok and result.http_status is None
    assert result.fault is not None
    assert result.fault.origin == "network"
    assert result.fault.retryable is False  # the same closed client cannot do better
    assert "client is closed" in result.fault.message


def test_a_call_after_close_is_a_fault() -> None:
    client = Client(base_url="http://127.0.0.1:9/services/", signing="none")
    client.close()
    _check_closed(client.call("flickr.test.echo"))


def test_a_call_on_a_closed_injected_client_is_a_fault_and_sends_nothing() -> None:
    seen, transport = _counting()
    http = httpx.Client(transport=transport)
    client = Client(base_url="http://127.0.0.1:9/services/", signing="none", http_client=http)
    assert client.call("flickr.test.echo").ok and len(seen) == 1
    http.close()
    _check_closed(client.call("flickr.test.echo"))
    assert len(seen) == 1


async def test_an_async_call_on_a_closed_injected_client_is_a_fault_and_sends_nothing() -> None:
    seen, transport = _counting()
    http = httpx.AsyncClient(transport=transport)
    client = AsyncClient(base_url="http://127.0.0.1:9/services/", signing="none", http_client=http)
    assert (await client.call("flickr.test.echo")).ok and len(seen) == 1
    await http.aclose()
    _check_closed(await client.call("flickr.test.echo"))
    assert len(seen) == 1


async def test_an_async_call_after_close_is_a_fault() -> None:
    client = AsyncClient(base_url="http://127.0.0.1:9/services/", signing="none")
    await client.aclose()
    _check_closed(await client.call("flickr.test.echo"))
