"""The emulator's admin API, JSON in and out, mounted under ``/_admin/`` only when
``create_app(admin=True)`` (``--admin``): health and version, reset, the request log, the
fault rules, and saving and restoring the state. Every request first passes
``adminguard``: a loopback ``Host`` and ``Origin``, ``Authorization: Bearer <token>``, JSON
writes.

    GET    /_admin/health            {"status": "ok", "requests": n, "rules": n}
    GET    /_admin/version           {"name": "flickrwire-emulator", "version": ...}
    POST   /_admin/reset             state, log and rules back to the start; a body
                                     {"state": bool, "log": bool, "faults": bool} picks
    GET    /_admin/requests          {"count": n, "requests": [...]}, oldest first; filters
                                     method, transport, status, rule, faulted (true/false),
                                     since (a seq), limit (keeps the newest)
    GET    /_admin/requests/count    {"count": n}, same filters
    DELETE /_admin/requests          forget the log
    GET    /_admin/faults            {"seed": ..., "rules": [... with "seen" and "fired"]}
    POST   /_admin/faults            add one rule or a list: {"added": [...]}
    PUT    /_admin/faults            replace all: a list or {"seed": ..., "rules": [...]}
    DELETE /_admin/faults            remove all rules
    DELETE /_admin/faults/{id}       remove one rule (404 if there is none)
    GET    /_admin/stubs             {"stubs": [...]}, in the order added (the last wins)
    POST   /_admin/stubs             add one stub or a list: {"added": [...]}
    PUT    /_admin/stubs             replace all with a list
    DELETE /_admin/stubs             remove all stubs
    DELETE /_admin/stubs/{id}        remove one stub (404 if there is none)
    GET    /_admin/state             the whole state in the seed format, without the API
                                     and token secrets unless ``?secrets=1``
    PUT    /_admin/state             replace the state with a seed (what GET returned);
                                     a seed's "stubs" list replaces the stubs

Errors answer ``{"error": "..."}`` with 400 (bad input) or 404.
"""

from __future__ import annotations

import json
import platform
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, Router
from starlette.types import ASGIApp

from .. import __version__
from .adminguard import AdminGuard
from .app import EmulatorConfig
from .requestlog import RequestLog
from .rules import FaultPlan
from .seed import SeedError
from .store import Store
from .stubs import StubSet

Endpoint = Callable[[Request], Awaitable[Response]]
_FILTERS = ("method", "transport", "status", "rule", "faulted", "since", "limit")
_INTEGERS = ("status", "since", "limit")


@dataclass(frozen=True, slots=True)
class EmulatorState:
    """What ``create_app`` puts on ``app.state.emulator``."""

    store: Store
    plan: FaultPlan
    log: RequestLog
    config: EmulatorConfig
    #: the admin API's bearer token (None when the admin API is off)
    admin_token: str | None = field(default=None, repr=False)
    stubs: StubSet = field(default_factory=StubSet)

    def close(self) -> None:
        self.store.close()


class BadInput(ValueError):
    """A request the admin API refuses with 400."""


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _guarded(handler: Endpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except (BadInput, SeedError, ValueError) as exc:
            return _error(400, str(exc))
        except sqlite3.OperationalError as exc:  # the database is locked elsewhere
            return _error(503, f"the database is busy: {exc}")

    return endpoint


async def _json(request: Request, *, default: Any = ...) -> Any:
    body = await request.body()
    if not body.strip():
        if default is ...:
            raise BadInput("a JSON body is required")
        return default
    try:
        return json.loads(body)
    except ValueError as exc:
        raise BadInput(f"the body is not valid JSON: {exc}") from exc


def log_filters(query: Any) -> dict[str, Any]:
    """Search filters from a query string; ``BadInput`` for an unknown or bad one."""
    unknown = set(query) - set(_FILTERS)
    if unknown:
        raise BadInput(f"unknown filter(s): {', '.join(sorted(unknown))}")
    filters: dict[str, Any] = {}
    for name in _FILTERS:
        value = query.get(name)
        if value is None:
            continue
        if name in _INTEGERS:
            if not value.lstrip("-").isdigit():
                raise BadInput(f"filter {name!r} must be an integer, not {value!r}")
            filters[name] = int(value)
        elif name == "faulted":
            if value not in ("true", "false"):
                raise BadInput("filter 'faulted' must be true or false")
            filters[name] = value == "true"
        else:
            filters[name] = value
    return filters


class AdminAPI:
    """The endpoints, bound to one emulator's state."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    async def health(self, request: Request) -> Response:
        state = self.state
        return JSONResponse(
            {"status": "ok", "requests": len(state.log), "rules": len(state.plan.rules())}
        )

    async def version(self, request: Request) -> Response:
        return JSONResponse(
            {
                "name": "flickrwire-emulator",
                "version": __version__,
                "python": platform.python_version(),
            }
        )

    async def reset(self, request: Request) -> Response:
        body = await _json(request, default={})
        parts = ("state", "log", "faults", "stubs")
        if not isinstance(body, dict) or set(body) - set(parts):
            raise BadInput(f"reset takes an object of booleans named {', '.join(parts)}")
        chosen = [part for part in parts if body.get(part, True)]
        if "state" in chosen:
            await run_in_threadpool(self.state.store.reset)
        if "log" in chosen:
            self.state.log.clear()
        if "faults" in chosen:
            self.state.plan.clear()
        if "stubs" in chosen:
            self.state.stubs.reset()
        return JSONResponse({"reset": chosen})

    async def requests(self, request: Request) -> Response:
        found = self.state.log.search(**log_filters(request.query_params))
        return JSONResponse({"count": len(found), "requests": [e.to_json() for e in found]})

    async def count(self, request: Request) -> Response:
        return JSONResponse({"count": self.state.log.count(**log_filters(request.query_params))})

    async def clear_requests(self, request: Request) -> Response:
        cleared = len(self.state.log)
        self.state.log.clear()
        return JSONResponse({"cleared": cleared})

    async def faults(self, request: Request) -> Response:
        return JSONResponse(self.state.plan.to_json())

    async def add_faults(self, request: Request) -> Response:
        body = await _json(request)
        rules = body if isinstance(body, list) else [body]
        added = self.state.plan.extend(rules)
        return JSONResponse({"added": [rule.to_json() for rule in added]}, status_code=201)

    async def replace_faults(self, request: Request) -> Response:
        staged = FaultPlan.from_json(await _json(request))
        self.state.plan.replace(staged.rules(), staged.seed)
        return JSONResponse(self.state.plan.to_json())

    async def clear_faults(self, request: Request) -> Response:
        cleared = len(self.state.plan.rules())
        self.state.plan.clear()
        return JSONResponse({"cleared": cleared})

    async def remove_fault(self, request: Request) -> Response:
        rule_id = request.path_params["rule_id"]
        if not self.state.plan.remove(rule_id):
            return _error(404, f"no fault rule with id {rule_id!r}")
        return JSONResponse({"removed": rule_id})

    async def stubs(self, request: Request) -> Response:
        return JSONResponse({"stubs": self.state.stubs.to_json()})

    async def add_stubs(self, request: Request) -> Response:
        body = await _json(request)
        added = self.state.stubs.add(body if isinstance(body, list) else [body])
        return JSONResponse({"added": [dict(stub.source) for stub in added]}, status_code=201)

    async def replace_stubs(self, request: Request) -> Response:
        body = await _json(request)
        if not isinstance(body, list):
            raise BadInput("PUT /_admin/stubs takes a list of stubs")
        self.state.stubs.replace(body)
        return JSONResponse({"stubs": self.state.stubs.to_json()})

    async def clear_stubs(self, request: Request) -> Response:
        return JSONResponse({"cleared": self.state.stubs.clear()})

    async def remove_stub(self, request: Request) -> Response:
        stub_id = request.path_params["stub_id"]
        if not self.state.stubs.remove(stub_id):
            return _error(404, f"no stub with id {stub_id!r}")
        return JSONResponse({"removed": stub_id})

    async def save_state(self, request: Request) -> Response:
        unknown = set(request.query_params) - {"secrets"}
        if unknown:
            raise BadInput(f"unknown parameter(s): {', '.join(sorted(unknown))}")
        dump = await run_in_threadpool(self.state.store.dump)
        if request.query_params.get("secrets") not in ("1", "true"):
            hide_secrets(dump)
        return JSONResponse(dump)

    async def restore_state(self, request: Request) -> Response:
        seed = await _json(request)
        await run_in_threadpool(self.state.store.load_seed, seed)
        if isinstance(seed, dict) and "stubs" in seed:
            self.state.stubs.replace(seed["stubs"])
        return JSONResponse({"restored": True})

    def routes(self) -> list[Route]:
        table: list[tuple[str, Endpoint, str]] = [
            ("/health", self.health, "GET"),
            ("/version", self.version, "GET"),
            ("/reset", self.reset, "POST"),
            ("/requests", self.requests, "GET"),
            ("/requests/count", self.count, "GET"),
            ("/requests", self.clear_requests, "DELETE"),
            ("/faults", self.faults, "GET"),
            ("/faults", self.add_faults, "POST"),
            ("/faults", self.replace_faults, "PUT"),
            ("/faults", self.clear_faults, "DELETE"),
            ("/faults/{rule_id}", self.remove_fault, "DELETE"),
            ("/stubs", self.stubs, "GET"),
            ("/stubs", self.add_stubs, "POST"),
            ("/stubs", self.replace_stubs, "PUT"),
            ("/stubs", self.clear_stubs, "DELETE"),
            ("/stubs/{stub_id}", self.remove_stub, "DELETE"),
            ("/state", self.save_state, "GET"),
            ("/state", self.restore_state, "PUT"),
        ]
        return [Route(path, _guarded(fn), methods=[verb]) for path, fn, verb in table]


def hide_secrets(dump: dict[str, list[dict[str, Any]]]) -> None:
    """Drop the API and token secrets from a state dump (a seed without them does not load,
    so it cannot be restored by mistake)."""
    for section in ("api_keys", "tokens"):
        for entry in dump.get(section, []):
            entry.pop("secret", None)


def admin_app(state: EmulatorState, token: str) -> ASGIApp:
    """The admin API as an ASGI app behind its guard, to mount under ``/_admin``."""
    return AdminGuard(Router(routes=AdminAPI(state).routes()), token)
