"""The reference Flickr server: ``create_app`` builds the emulator as one ASGI app.

The core (``app.create_core_app``: the three API endpoints and the OAuth endpoints over a
SQLite ``Store``) sits behind the fault middleware, which also keeps the request log; the
admin API is mounted under ``/_admin/`` only when asked for. ``server`` serves the app on
a socket, ``inprocess`` as an httpx transport.

Importing the package needs no ``server`` extra (the seed and the store are plain Python),
so that ``python -m flickrwire.emulator`` can say which extra is missing; the names that
need starlette load on first use.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .defaults import DEFAULT_MAX_BODY
from .rules import FaultPlan, FaultRule
from .seed import DEFAULT_SEED, load_seed_file
from .store import DEFAULT_BUSY_TIMEOUT, Store
from .stubs import StubError, StubSet

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .admin import EmulatorState
    from .app import EmulatorConfig
    from .requestlog import RequestLog

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_SEED",
    "EmulatorConfig",
    "EmulatorState",
    "FaultPlan",
    "FaultRule",
    "RequestLog",
    "Store",
    "StubError",
    "StubSet",
    "create_app",
]

#: The public names that need the ``server`` extra, and the module that holds each.
_LAZY = {
    "EmulatorConfig": "app",
    "EmulatorState": "admin",
    "RequestLog": "requestlog",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


SeedInput = Mapping[str, Any] | str | Path | None
FaultsInput = FaultPlan | Iterable[Any] | Mapping[str, Any] | str | Path | None


def _plan(faults: FaultsInput) -> FaultPlan:
    if isinstance(faults, FaultPlan):
        return faults
    if faults is None:
        return FaultPlan()
    if isinstance(faults, (str, Path)):
        return FaultPlan.from_file(faults)
    if isinstance(faults, Mapping):
        return FaultPlan.from_json(faults)
    return FaultPlan(None, faults)


def _seed_data(seed: SeedInput) -> tuple[Mapping[str, Any] | None, list[Any]]:
    """The seed's state and its ``stubs`` list (kept apart: stubs live in memory)."""
    data = load_seed_file(seed) if isinstance(seed, (str, Path)) else seed
    if data is None:
        return None, []
    state = {k: v for k, v in data.items() if k != "stubs"}
    return state, list(data.get("stubs", []))


def _store(db: str, data: Mapping[str, Any] | None, busy_timeout: float) -> Store:
    """Open ``db``; load ``data`` if given, the default seed if the database is new."""
    store = Store(db, timeout=busy_timeout)
    try:
        if data is not None or store.is_empty():
            store.load_seed(data if data is not None else DEFAULT_SEED)
    except BaseException:
        store.close()
        raise
    return store


def create_app(
    *,
    db: str = ":memory:",
    seed: SeedInput = None,
    config: EmulatorConfig | None = None,
    admin: bool = False,
    admin_token: str | None = None,
    faults: FaultsInput = None,
    log_size: int = 10_000,
    max_body: int | None = None,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    stubs: Iterable[Any] = (),
    public_url: str | Iterable[str] | None = None,
) -> Starlette:
    """The emulator app. ``seed``: a seed dict or JSON file (default: ``DEFAULT_SEED`` for a
    new database; an existing ``db`` file keeps its state). ``faults``: a :class:`FaultPlan`,
    its JSON (list or object) or a JSON file. ``log_size``: requests kept in the log (0: none).
    ``max_body``: the longest request body taken, in bytes (default ``DEFAULT_MAX_BODY``,
    1 MiB); longer ones get 413 unread.
    ``busy_timeout``: seconds a request waits for a database another process has locked
    before it is answered 105 (reads) or 106 (writes).
    ``stubs``: stub objects (``stubs.py``), after the seed's own ``stubs`` list; a stub that
    does not validate raises :class:`StubError` naming the field. ``public_url``: the base
    URL(s) the emulator answers for (``https://api.flickr.com/services/``): OAuth
    signatures computed for them verify (also ``config.public_urls``).

    ``admin``: serve the admin API under ``/_admin/``, for loopback requests carrying
    ``Authorization: Bearer <admin_token>`` (random unless given; read it back from
    ``app.state.emulator.admin_token``).

    ``app.state.emulator`` is an :class:`EmulatorState` (store, plan, log, config, admin
    token); call its ``close()`` when done with a file database.
    """
    from starlette.routing import Mount

    from .admin import EmulatorState, admin_app
    from .adminguard import new_token
    from .app import EmulatorConfig, create_core_app
    from .faults import FaultMiddleware
    from .limits import BodyLimit
    from .requestlog import RequestLog

    if max_body is None:
        max_body = DEFAULT_MAX_BODY
    if admin_token is not None and not admin_token:
        raise ValueError("the admin token must not be empty")
    if max_body < 0:
        raise ValueError("max_body must not be negative")
    plan = _plan(faults)
    log = RequestLog(log_size)
    config = _with_public_urls(config or EmulatorConfig(), public_url)
    data, seed_stubs = _seed_data(seed)
    stub_set = StubSet([*seed_stubs, *stubs])
    store = _store(db, data, busy_timeout)
    app = create_core_app(store, config, stub_set)
    token = (admin_token or new_token()) if admin else None
    state = EmulatorState(store, plan, log, config, token, stub_set)
    app.add_middleware(FaultMiddleware, plan=plan, log=log)
    app.add_middleware(BodyLimit, max_body=max_body)  # added last: the outermost layer
    if token is not None:
        app.router.routes.insert(0, Mount("/_admin", app=admin_app(state, token)))
    app.state.emulator = state
    return app


def _with_public_urls(
    config: EmulatorConfig, public_url: str | Iterable[str] | None
) -> EmulatorConfig:
    if public_url is None:
        return config
    urls = (public_url,) if isinstance(public_url, str) else tuple(public_url)
    return dataclasses.replace(config, public_urls=(*config.public_urls, *urls))
