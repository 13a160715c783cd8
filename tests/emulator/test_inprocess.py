"""The in-process transports fail like a socket: socket faults and read timeouts become
the httpx exceptions a real connection raises."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flickrwire import Client, Credentials
from flickrwire.emulator import DEFAULT_SEED, create_app
from flickrwire.emulator.faults import FaultMiddleware, FaultPlan
from flickrwire.emulator.inprocess import AsyncEmulatorTransport, EmulatorTransport

BASE = "http://127.0.0.1/services/"
BODY = b"0123456789" * 10
EXPECTED = [
    ("empty", httpx.RemoteProtocolError),
    ("garbage", httpx.RemoteProtocolError),
    ("random", httpx.RemoteProtocolError),
    ("reset", httpx.ReadError),
    ("truncate", httpx.RemoteProtocolError),
    ("hang", httpx.ReadTimeout),
]


def small_app(plan: FaultPlan) -> FaultMiddleware:
    async def answer(request: Request) -> Response:
        await request.body()
        return Response(BODY, media_type="text/plain", headers={"x-answer": "yes"})

    routes = [Route("/services/rest/", answer, methods=["GET", "POST"])]
    return FaultMiddleware(Starlette(routes=routes), plan)


@pytest.fixture
def plan() -> FaultPlan:
    return FaultPlan(seed=1)


@pytest.fixture
def http(plan: FaultPlan) -> Iterator[httpx.Client]:
    with httpx.Client(transport=EmulatorTransport(small_app(plan)), base_url=BASE) as client:
        yield client


@pytest.mark.parametrize(("action", "error"), EXPECTED)
def test_socket_faults_raise_what_a_socket_raises(
    plan: FaultPlan, http: httpx.Client, action: str, error: type[Exception]
) -> None:
    plan.add({"action": action})
    with pytest.raises(error) as caught:
        http.post("rest/", content=b"x", timeout=0.01)
    assert isinstance(caught.value, httpx.TransportError)
    assert caught.value.request.url == BASE + "rest/"
    plan.clear()
    assert http.post("rest/").content == BODY  # the next call is answered normally


@pytest.mark.parametrize(("action", "error"), EXPECTED)
async def test_async_twin_raises_the_same(action: str, error: type[Exception]) -> None:
    plan = FaultPlan(rules=[{"action": action}])
    transport = AsyncEmulatorTransport(small_app(plan))
    async with httpx.AsyncClient(transport=transport, base_url=BASE, timeout=0.01) as http:
        with pytest.raises(error):
            await http.post("rest/", content=b"x")


def test_truncation_reports_the_sizes_like_httpcore(plan: FaultPlan, http: httpx.Client) -> None:
    plan.add({"action": "truncate", "params": {"bytes": 7}})
    with pytest.raises(httpx.RemoteProtocolError, match="received 7 bytes, expected 100"):
        http.get("rest/")


def test_hang_lasts_the_read_timeout(plan: FaultPlan, http: httpx.Client) -> None:
    plan.add({"action": "hang"})
    began = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        http.get("rest/", timeout=httpx.Timeout(5.0, read=0.05))
    assert 0.05 <= time.perf_counter() - began < 2.0
    began = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):  # no timeout: at once rather than never
        http.get("rest/", timeout=None)
    assert time.perf_counter() - began < 1.0


def test_read_timeout_bounds_a_delay(plan: FaultPlan, http: httpx.Client) -> None:
    plan.add({"action": "delay", "params": {"seconds": 0.2}, "count": 1})
    with pytest.raises(httpx.ReadTimeout):
        http.get("rest/", timeout=0.05)
    plan.replace([{"action": "delay", "params": {"seconds": 0.02}}])
    assert http.get("rest/", timeout=0.5).content == BODY


def test_read_timeout_is_per_read_not_total(plan: FaultPlan, http: httpx.Client) -> None:
    # Pieces every 0.02 s: each gap is within a 0.15 s read timeout though the whole is not.
    plan.add({"action": "dribble", "params": {"chunks": 10, "seconds": 0.2}})
    assert http.get("rest/", timeout=0.15).content == BODY
    plan.replace([{"action": "dribble", "params": {"chunks": 2, "seconds": 0.4}}])
    with pytest.raises(httpx.ReadTimeout):
        http.get("rest/", timeout=0.05)


async def test_answers_are_those_of_the_plain_asgi_transport() -> None:
    app = small_app(FaultPlan())
    ours = AsyncEmulatorTransport(app)
    plain = httpx.ASGITransport(app=app)
    answers = []
    for transport in (ours, plain):
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
            answer = await http.post("rest/", content=b"a=b")
            answers.append((answer.status_code, answer.headers.multi_items(), answer.content))
    assert answers[0] == answers[1]


def _loop_threads() -> set[threading.Thread]:
    # By name: other tests' helpers (a store thread idling out, say) may start or end
    # meanwhile under load; only the transport's own loop thread is this test's business.
    return {t for t in threading.enumerate() if t.name == "flickrwire-emulator-inprocess"}


def test_sync_transport_runs_from_many_threads_and_closes_its_thread() -> None:
    before = _loop_threads()
    app = small_app(FaultPlan())
    transport = EmulatorTransport(app)
    results: list[bytes] = []
    with httpx.Client(transport=transport, base_url=BASE) as http:

        def work() -> None:
            for _ in range(5):
                results.append(http.post("rest/", content=b"x").content)

        workers = [threading.Thread(target=work) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert len(_loop_threads() - before) == 1  # the loop's helper thread
    assert results == [BODY] * 20
    transport.close()  # a second close is harmless
    assert _loop_threads() - before == set()


def test_the_client_sees_a_retryable_network_fault() -> None:
    app = create_app(faults=[{"action": "reset", "method": "flickr.test.login"}])
    key = DEFAULT_SEED["api_keys"][0]
    token = DEFAULT_SEED["tokens"][0]
    credentials = Credentials(key["key"], key["secret"], token["token"], token["secret"])
    with httpx.Client(transport=EmulatorTransport(app)) as http:
        client = Client("soap", "xml", credentials, base_url=BASE, http_client=http)
        result = client.call("flickr.test.login")
        echoed = client.call("flickr.test.echo", hello="world")
    app.state.emulator.close()
    fault: Any = result.fault
    assert (result.ok, result.http_status) == (False, None)
    assert (fault.origin, fault.retryable, fault.code) == ("network", True, None)
    assert "reset" in fault.message
    assert echoed.ok and echoed.payload["hello"] == {"_content": "world"}


FORGETFUL = """
import httpx
from flickrwire.emulator import create_app
from flickrwire.emulator.inprocess import EmulatorTransport
http = httpx.Client(transport=EmulatorTransport(create_app()))
print(http.post("http://127.0.0.1/services/rest/", data={"method": "flickr.test.echo"}).status_code)
"""


def test_a_transport_never_closed_does_not_block_exit() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", FORGETFUL],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (done.returncode, done.stdout.strip()) == (0, "200")
