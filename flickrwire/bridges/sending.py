"""One exchange through a bridge, sync and async (they differ by the awaits): prepare,
send through the stack, read the answer within the size limit, finish; a network failure
is told to ``on_result`` and raised again for the host library to translate."""

from __future__ import annotations

import httpx

from .core import Bridge


def send(bridge: Bridge, stack: httpx.BaseTransport, request: httpx.Request) -> httpx.Response:
    """One exchange through ``stack`` (already wrapped by :meth:`Bridge.stack`)."""
    exchange = bridge.prepare(request)
    try:
        response = stack.handle_request(exchange.outgoing)
        try:
            body = _read(bridge, response, exchange.outgoing)
        finally:
            response.close()
    except httpx.HTTPError as exc:
        bridge.failed(exchange, exc)
        raise
    return bridge.finish(exchange, response, body)


async def asend(
    bridge: Bridge, stack: httpx.AsyncBaseTransport, request: httpx.Request
) -> httpx.Response:
    """The async twin of :func:`send`."""
    await request.aread()
    exchange = bridge.prepare(request)
    try:
        response = await stack.handle_async_request(exchange.outgoing)
        try:
            parts, size = [], 0
            async for chunk in response.aiter_bytes():
                parts.append(chunk)
                size += len(chunk)
                bridge.check_size(exchange.outgoing, size)
            body = b"".join(parts)
        finally:
            await response.aclose()
    except httpx.HTTPError as exc:
        bridge.failed(exchange, exc)
        raise
    return bridge.finish(exchange, response, body)


def _read(bridge: Bridge, response: httpx.Response, request: httpx.Request) -> bytes:
    try:
        body = response.content  # read already (a mock, a replayed or recorded answer)
    except httpx.ResponseNotRead:
        pass
    else:
        bridge.check_size(request, len(body))
        return body
    parts, size = [], 0
    for chunk in response.iter_bytes():
        parts.append(chunk)
        size += len(chunk)
        bridge.check_size(request, size)
    return b"".join(parts)
