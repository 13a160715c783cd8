"""The short way in for the API endpoints (``direct.py``) answers as Starlette's own way
would: the same layers added with ``add_middleware`` see the request, a wrong method is
still a 405, an endpoint that breaks is still a 500, and an app with its own exception
handlers keeps them."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flickrwire.emulator import create_app
from flickrwire.emulator.direct import EmulatorApp


class Boom(Exception):
    pass


class API:
    """An API endpoint as a bare ASGI app (as the emulator's are)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].endswith("boom"):
            raise Boom("the endpoint broke")
        answer = PlainTextResponse(f"api {scope['method']} {scope['path']}")
        await answer(scope, receive, send)


api = API()


async def other(request: Request) -> Response:
    return PlainTextResponse("other")


class Stamp:
    """A middleware that marks every answer, to show it saw the request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], (b"x-stamp", b"1")]}
            await send(message)

        await self.app(scope, receive, stamped)


def app_with(*paths: str) -> EmulatorApp:
    routes = [Route(path, api, methods=["POST"]) for path in paths]
    routes.append(Route("/other", other))
    return EmulatorApp(routes, direct=[api])


async def call(app: ASGIApp, method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return await client.request(method, path)


def test_the_table_holds_the_direct_routes_only() -> None:
    app = app_with("/services/rest/", "/services/rest")
    assert set(app.direct) == {"/services/rest/", "/services/rest"}
    assert app.direct["/services/rest/"][0] == {"POST"}


async def test_added_middleware_sees_direct_requests() -> None:
    app = app_with("/services/rest/")
    app.add_middleware(Stamp)
    response = await call(app, "POST", "/services/rest/")
    assert response.text == "api POST /services/rest/"
    assert response.headers["x-stamp"] == "1"
    assert (await call(app, "GET", "/other")).headers["x-stamp"] == "1"


async def test_a_method_the_route_does_not_take_is_still_405() -> None:
    response = await call(app_with("/services/rest/"), "GET", "/services/rest/")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_a_broken_endpoint_is_still_a_500() -> None:
    response = await call(app_with("/services/boom"), "POST", "/services/boom")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"


async def test_an_apps_own_exception_handlers_are_kept() -> None:
    app = app_with("/services/boom")

    async def handled(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("handled", status_code=503)

    app.add_exception_handler(Boom, handled)
    response = await call(app, "POST", "/services/boom")
    assert (response.status_code, response.text) == (503, "handled")
    assert app.direct == {}


@pytest.mark.parametrize("path", ["/services/rest/", "/services/rest", "/services/soap/"])
async def test_the_emulator_serves_its_endpoints_by_the_short_way(path: str) -> None:
    app = create_app()
    response = await call(app, "POST", path)
    assert response.status_code == 200  # a Flickr error answer (no method), not a 404/405
    assert isinstance(app, EmulatorApp) and path in app.direct
