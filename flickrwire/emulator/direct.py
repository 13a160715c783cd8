"""The emulator's Starlette app with a shorter way in for the API endpoints.

A request for one of the API endpoints (``/services/rest/`` and the others, with the
methods their routes take) goes through the same outer layers as any other request
(``ServerErrorMiddleware`` and every middleware added with
``add_middleware``: the emulator's ``BodyLimit`` and ``FaultMiddleware``) straight to its
endpoint, leaving out the two layers that have nothing to do for it: the router (the path
and method are looked up in one table) and ``ExceptionMiddleware`` (an API endpoint raises
no ``HTTPException``: every Flickr error is an answer; an app given other exception
handlers takes Starlette's way for every request). Everything else (the admin API, the
OAuth endpoints, a wrong method, a path under a ``root_path``) takes Starlette's own way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

#: path -> (the methods its route takes, the endpoint)
Table = dict[str, tuple[frozenset[str], ASGIApp]]


class Endpoints:
    """The innermost layer of the short way: the endpoint for the request's path."""

    __slots__ = ("table",)

    def __init__(self, table: Table) -> None:
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.table[scope["path"]][1](scope, receive, send)


class EmulatorApp(Starlette):
    """Starlette, taking requests for the routes whose app is one of ``direct`` by the
    short way (module docstring)."""

    def __init__(self, routes: Sequence[BaseRoute], direct: Sequence[Any]) -> None:
        super().__init__(routes=routes)
        self.direct: Table = {
            route.path: (frozenset(route.methods or ()), route.app)
            for route in routes
            if isinstance(route, Route) and any(route.app is app for app in direct)
        }
        self.direct_stack: ASGIApp | None = None

    def build_middleware_stack(self) -> ASGIApp:
        full = super().build_middleware_stack()
        error_handler = next(
            (h for key, h in self.exception_handlers.items() if key in (500, Exception)), None
        )
        # The layers Starlette puts around every request (build_middleware_stack; this app
        # sets no ``max_body_size``), but ExceptionMiddleware and the router.
        outer = [Middleware(ServerErrorMiddleware, handler=error_handler, debug=self.debug)]
        outer += self.user_middleware
        if any(key not in (500, Exception) for key in self.exception_handlers):
            self.direct = {}  # handlers ExceptionMiddleware would run: Starlette's way only
        app: ASGIApp = Endpoints(self.direct)
        for cls, args, kwargs in reversed(outer):
            app = cls(app, *args, **kwargs)
        self.direct_stack = app
        return full

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.middleware_stack is None:
            self.middleware_stack = self.build_middleware_stack()
        if scope["type"] == "http" and not scope.get("root_path"):
            route = self.direct.get(scope["path"])
            if route is not None and scope["method"] in route[0]:
                assert self.direct_stack is not None
                scope["app"] = self
                await self.direct_stack(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
