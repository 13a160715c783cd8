"""The emulator on a real loopback socket: uvicorn behind the front end that enacts socket
faults byte for byte. Every server binds 127.0.0.1 and is stopped by the test that starts
it (or at the end of the module)."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from flickrwire import Client, Credentials
from flickrwire.emulator import DEFAULT_SEED, create_app
from flickrwire.emulator.faults import FaultMiddleware, FaultPlan, FaultRule
from flickrwire.emulator.rules import SOCKET_FAULT_HEADER
from flickrwire.emulator.server import RunningServer, start_in_thread

BIG = bytes(range(256)) * 8192  # 2 MiB
REQUEST = b"GET /services/rest/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def small_app(plan: FaultPlan) -> FaultMiddleware:
    """``/services/rest/`` answers ``?body=...`` (or 100 digits); ``/big`` 2 MiB; ``/peer``
    the client address the app sees; ``/digest`` the SHA-256 of the request body."""

    async def answer(request: Request) -> Response:
        text = request.query_params.get("body", "0123456789" * 10)
        return Response(text.encode(), media_type="text/plain")

    async def big(request: Request) -> Response:
        return Response(BIG, media_type="application/octet-stream")

    async def digest(request: Request) -> Response:
        return Response(hashlib.sha256(await request.body()).hexdigest().encode())

    async def peer(request: Request) -> Response:
        client = request.scope["client"]
        return JSONResponse({"host": client[0], "port": client[1]})

    routes = [
        Route("/services/rest/", answer, methods=["GET", "POST"]),
        Route("/big", big),
        Route("/peer", peer),
        Route("/digest", digest, methods=["POST"]),
    ]
    return FaultMiddleware(Starlette(routes=routes), plan)


@pytest.fixture(scope="module")
def plan() -> FaultPlan:
    return FaultPlan(seed=11)


@pytest.fixture(scope="module")
def server(plan: FaultPlan) -> Iterator[RunningServer]:
    with start_in_thread(small_app(plan)) as running:
        yield running


@pytest.fixture(autouse=True)
def _fresh_plan(plan: FaultPlan) -> Iterator[None]:
    yield
    plan.clear()


def exchange(server: RunningServer, request: bytes = REQUEST, wait: float = 2.0) -> bytes:
    """Send raw bytes, return every byte until the server closes (socket.timeout if not)."""
    with socket.create_connection((server.host, server.port), timeout=wait) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def test_start_in_thread_binds_loopback_and_stop_releases_the_port() -> None:
    running = start_in_thread(small_app(FaultPlan()))
    assert running.base_url == f"http://127.0.0.1:{running.port}/services/"
    assert httpx.get(running.base_url + "rest/").content == b"0123456789" * 10
    running.stop()
    running.stop()  # idempotent
    with pytest.raises(httpx.ConnectError):
        httpx.get(running.base_url + "rest/")


def test_a_port_in_use_is_refused(server: RunningServer) -> None:
    with pytest.raises(OSError):
        start_in_thread(small_app(FaultPlan()), port=server.port)


@pytest.mark.parametrize(
    ("action", "error"),
    [
        ("empty", httpx.RemoteProtocolError),
        ("garbage", httpx.RemoteProtocolError),
        ("random", httpx.RemoteProtocolError),
        ("reset", httpx.ReadError),
        ("truncate", httpx.RemoteProtocolError),
        ("hang", httpx.ReadTimeout),
    ],
)
def test_socket_faults_raise_in_httpx_as_in_process(
    server: RunningServer, plan: FaultPlan, action: str, error: type[Exception]
) -> None:
    plan.add({"action": action, "count": 1})
    with httpx.Client(base_url=server.base_url, timeout=0.2) as http:
        with pytest.raises(error):
            http.get("rest/")
        assert http.get("rest/").content == b"0123456789" * 10  # serving goes on


def test_empty_closes_without_a_byte(server: RunningServer, plan: FaultPlan) -> None:
    plan.add({"action": "empty"})
    assert exchange(server) == b""


def test_reset_is_a_tcp_reset(server: RunningServer, plan: FaultPlan) -> None:
    plan.add({"action": "reset"})
    with pytest.raises(ConnectionResetError):
        exchange(server)


def noise(plan: FaultPlan, rule: FaultRule, size: int) -> bytes:
    """The bytes a fresh plan with the same seed draws for the same rule."""
    twin = FaultPlan(plan.seed, [rule.to_json()])
    return twin.noise_for(twin.rules()[0], size)


def test_garbage_is_an_ok_status_then_random_bytes(server: RunningServer, plan: FaultPlan) -> None:
    rule = plan.add({"action": "garbage", "params": {"bytes": 48}})
    data = exchange(server)
    drawn = noise(plan, rule, 48)
    assert data == b"HTTP/1.1 200 OK\r\n" + bytes([drawn[0] | 0x80]) + drawn[1:]


def test_garbage_never_reads_as_an_answer() -> None:
    """Seed 144 draws a line feed for this rule: sent as is, it would end the head and make
    an empty 200 answer. The client must get an error whatever was drawn."""
    plan = FaultPlan(144, [{"id": "g", "action": "garbage", "params": {"bytes": 1}}])
    assert noise(plan, plan.rules()[0], 1) == b"\n"
    with start_in_thread(small_app(plan)) as running, pytest.raises(httpx.RemoteProtocolError):
        httpx.get(running.base_url + "rest/")


def test_random_is_random_bytes_only(server: RunningServer, plan: FaultPlan) -> None:
    rule = plan.add({"action": "random", "params": {"bytes": 32}})
    data = exchange(server)
    assert data == noise(plan, rule, 32)
    assert not data.startswith(b"HTTP/")


def test_truncate_sends_the_real_head_and_n_body_bytes(
    server: RunningServer, plan: FaultPlan
) -> None:
    plan.add({"action": "truncate", "params": {"bytes": 7}})
    head, _, body = exchange(server).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 200 OK"
    assert b"content-length: 100" in lines
    assert b"content-type: text/plain; charset=utf-8" in lines
    assert not any(SOCKET_FAULT_HEADER.encode() in line.lower() for line in lines)
    assert body == b"0123456"


def test_hang_holds_the_connection_silently(server: RunningServer, plan: FaultPlan) -> None:
    plan.add({"action": "hang"})
    with pytest.raises(socket.timeout):
        exchange(server, wait=0.15)


def test_stop_ends_a_hanging_connection() -> None:
    hung = FaultPlan(rules=[{"action": "hang"}])
    running = start_in_thread(small_app(hung))
    with socket.create_connection((running.host, running.port), timeout=5) as sock:
        sock.sendall(REQUEST)
        time.sleep(0.05)
        began = time.perf_counter()
        running.stop()
        assert sock.recv(100) == b""  # closed, not reset
    assert time.perf_counter() - began < 3


def test_normal_answers_pass_unchanged_and_keep_alive(server: RunningServer) -> None:
    root = server.base_url.replace("/services/", "/")
    with httpx.Client(base_url=server.base_url) as http:
        answers = [http.get("rest/", params={"body": f"n{n}"}) for n in range(5)]
        big = http.get(root + "big")
        upload = http.post(root + "digest", content=BIG)
    assert [a.content for a in answers] == [b"n0", b"n1", b"n2", b"n3", b"n4"]
    assert all(SOCKET_FAULT_HEADER not in a.headers for a in answers)
    assert hashlib.sha256(big.content).digest() == hashlib.sha256(BIG).digest()
    assert upload.content == hashlib.sha256(BIG).hexdigest().encode()


@pytest.mark.parametrize(
    "text",
    [
        # A 599 head with a header that is not ours, inside a body: passed on at once.
        "HTTP/1.1 599 \r\nx-flickrwire-socket-fault: 0000000000000000 reset 200 0\r\n\r\nX",
        "HTTP/1.1 599 \r\nno end of head",  # waits a moment for the head, then passes on
        "HTTP/1.1 599 not a marker",
        "ends with a marker's start: HTTP/1.1 5",  # held a moment, then passed on
    ],
)
def test_bodies_that_look_like_a_marker_pass_intact(server: RunningServer, text: str) -> None:
    with httpx.Client(base_url=server.base_url, timeout=2) as http:
        first = http.get("rest/", params={"body": text})
        second = http.get("rest/", params={"body": "after"})
    assert first.content == text.encode()
    assert second.content == b"after"


def test_the_app_sees_the_real_client_address(server: RunningServer) -> None:
    url = server.base_url.replace("/services/", "/peer")
    with socket.create_connection((server.host, server.port), timeout=2) as sock:
        path = url.split(str(server.port), 1)[1]
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
        mine = sock.getsockname()
    seen = httpx.Response(200, content=data.partition(b"\r\n\r\n")[2]).json()
    assert (seen["host"], seen["port"]) == (mine[0], mine[1])


def test_without_the_front_end_socket_faults_arrive_as_599() -> None:
    plan = FaultPlan(rules=[{"action": "reset"}])
    with start_in_thread(small_app(plan), front_end=False) as running:
        answer = httpx.get(running.base_url + "rest/")
    assert answer.status_code == 599
    assert answer.headers[SOCKET_FAULT_HEADER].split()[1] == "reset"


def test_the_emulator_over_a_socket_for_each_transport() -> None:
    app = create_app()
    key, token = DEFAULT_SEED["api_keys"][0], DEFAULT_SEED["tokens"][1]
    credentials = Credentials(key["key"], key["secret"], token["token"], token["secret"])
    with start_in_thread(app) as running:
        logins = []
        for transport in ("rest", "xmlrpc", "soap"):
            with Client(transport, "xml", credentials, base_url=running.base_url) as client:
                logins.append(client.call("flickr.test.login"))
        app.state.emulator.plan.add({"action": "truncate", "params": {"bytes": 5}})
        with Client("rest", "json", credentials, base_url=running.base_url) as client:
            cut = client.call("flickr.test.login")
    app.state.emulator.close()
    assert [r.payload["user"]["id"] for r in logins] == [token["user"]] * 3
    fault: Any = cut.fault
    assert (fault.origin, fault.retryable) == ("network", True)


SERVE_SCRIPT = """
import sys
from flickrwire.emulator import create_app
from flickrwire.emulator.server import serve
serve(create_app(), port=0, on_ready=lambda url: print(url, flush=True))
print("stopped", flush=True)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to a child process")
def test_serve_runs_until_interrupted_then_returns() -> None:
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    child = subprocess.Popen(
        [sys.executable, "-c", SERVE_SCRIPT], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/services/")
        answer = httpx.post(url + "rest/", data={"method": "flickr.test.echo", "a": "b"})
        assert b'stat="fail"' in answer.content  # echo needs an API key: a Flickr answer
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0
    assert out.strip() == "stopped"
