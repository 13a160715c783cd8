"""The opt-in retry policy: what is retried, how long it waits, and what never is."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx
import pytest

import flickrwire as fw
from flickrwire.retry import parse_retry_after

CREDS = fw.Credentials("k", "s", "t", "ts")
FAIL_105 = b'{"stat":"fail","code":105,"message":"Service currently unavailable"}'
FAIL_106 = b'{"stat":"fail","code":106,"message":"Write operation failed"}'
FAIL_201 = b'{"stat":"fail","code":201,"message":"Sorry"}'
OK = b'{"stat":"ok"}'


def scripted(*answers: httpx.Response | Exception) -> tuple[httpx.MockTransport, list[int]]:
    """A mock server answering each request with the next scripted answer."""
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        answer = answers[min(len(seen), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handler), seen


def client(
    transport: httpx.MockTransport, policy: fw.RetryPolicy | None, **kw: object
) -> fw.Client:
    return fw.Client(
        "rest", "json", CREDS, http_client=httpx.Client(transport=transport), retry=policy, **kw
    )


def no_wait(**kw: object) -> fw.RetryPolicy:
    return fw.RetryPolicy(base=0.0, rng=random.Random(1), **kw)  # type: ignore[arg-type]


def test_write_is_retried_on_105_then_succeeds() -> None:
    mock, seen = scripted(httpx.Response(200, content=FAIL_105), httpx.Response(200, content=OK))
    result = client(mock, no_wait()).groups.leave(group_id="1")
    assert result.ok and len(seen) == 2


def test_write_is_retried_on_106_until_attempts_run_out() -> None:
    mock, seen = scripted(httpx.Response(200, content=FAIL_106))
    result = client(mock, no_wait(attempts=4)).groups.leave(group_id="1")
    assert result.code == 106 and len(seen) == 4


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, content=FAIL_201),
        httpx.Response(502, content=b"<html><title>502 Bad Gateway</title></html>"),
        httpx.ReadTimeout("timed out"),
        httpx.ReadError("connection reset by peer"),
    ],
    ids=["201", "http-502", "read-timeout", "reset"],
)
def test_write_that_may_have_happened_is_not_retried(answer: httpx.Response | Exception) -> None:
    mock, seen = scripted(answer, httpx.Response(200, content=OK))
    result = client(mock, no_wait()).groups.leave(group_id="1")
    assert not result.ok and result.fault is not None and result.fault.retryable
    assert len(seen) == 1


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(200, content=FAIL_201), httpx.ReadError("reset"), httpx.Response(503)],
    ids=["201", "reset", "http-503"],
)
def test_read_is_retried_on_any_retryable_fault(answer: httpx.Response | Exception) -> None:
    mock, seen = scripted(answer, httpx.Response(200, content=OK))
    result = client(mock, no_wait()).call("flickr.groups.getInfo", group_id="1")
    assert result.ok and len(seen) == 2


def test_write_is_retried_when_the_connection_was_never_made() -> None:
    mock, seen = scripted(httpx.ConnectError("refused"), httpx.Response(200, content=OK))
    assert client(mock, no_wait()).groups.leave(group_id="1").ok
    assert len(seen) == 2


def test_non_retryable_fault_is_returned_at_once() -> None:
    body = b'{"stat":"fail","code":3,"message":"Account is not in that group"}'
    mock, seen = scripted(httpx.Response(200, content=body))
    assert client(mock, no_wait()).groups.leave(group_id="1").code == 3
    assert len(seen) == 1


def test_without_policy_nothing_is_retried() -> None:
    mock, seen = scripted(httpx.Response(200, content=FAIL_105), httpx.Response(200, content=OK))
    assert client(mock, None).groups.leave(group_id="1").code == 105
    assert len(seen) == 1


def recorder() -> tuple[list[float], Callable[[fw.Result, int, float], None]]:
    waits: list[float] = []
    return waits, lambda result, tries, wait: waits.append(wait)


def test_backoff_is_exponential_capped_and_jittered() -> None:
    waits, hook = recorder()
    policy = fw.RetryPolicy(
        attempts=6, base=1.0, cap=5.0, jitter=False, on_retry=hook, rng=random.Random(0)
    )
    call = fw.Call.build("flickr.groups.getInfo", {"group_id": "1"})
    fault = fw.Result("m", False, {}, fw.Fault(105, "x", "api", True), "rest", "json", 200)
    for tries in range(1, 6):
        policy.delay(call, fault, tries, None)
    assert waits == [1.0, 2.0, 4.0, 5.0, 5.0]
    jittered = fw.RetryPolicy(attempts=50, base=1.0, cap=8.0, rng=random.Random(3))
    spread = {jittered.delay(call, fault, 4, None) for _ in range(20)}
    assert len(spread) > 1 and all(0 <= w <= 8.0 for w in spread if w is not None)


def test_retry_after_is_honoured_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("flickrwire.client.time.sleep", slept.append)
    busy = httpx.Response(429, headers={"Retry-After": "7"})
    mock, seen = scripted(busy, busy, httpx.Response(200, content=OK))
    policy = fw.RetryPolicy(attempts=3, base=0.0, cap=5.0)
    assert client(mock, policy).groups.leave(group_id="1").ok
    assert slept == [5.0, 5.0] and len(seen) == 3


def test_retry_after_forms() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="attempts"):
        fw.RetryPolicy(attempts=0)


async def test_async_client_retries_the_same_way() -> None:
    seen: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        return httpx.Response(200, content=FAIL_106 if len(seen) < 3 else OK)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with fw.AsyncClient("soap", "json", CREDS, http_client=http, retry=no_wait()) as cl:
        result = await cl.groups.leave(group_id="1")
    await http.aclose()
    assert result.ok and len(seen) == 3
