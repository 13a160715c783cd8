"""The reference Flickr server: ``create_app`` builds the emulator as one ASGI app.

The core (``app.create_core_app``: the three API endpoints and the OAuth endpoints over a
SQLite ``Store``) sits behind the fault middleware, which also keeps the request log; the
admin API is mounted under ``/_admin/`` only when asked for. ``server`` serves the app on
a socket, ``inprocess`` as an httpx transport.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount

from .admin import EmulatorState, admin_app
from .adminguard import new_token
from .app import EmulatorConfig, create_core_app
from .faults import FaultMiddleware, FaultPlan, FaultRule
from .limits import DEFAULT_MAX_BODY, BodyLimit
from .requestlog import RequestLog
from .seed import DEFAULT_SEED, load_seed_file
from .store import DEFAULT_BUSY_TIMEOUT, Store

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_SEED",
    "EmulatorConfig",
    "EmulatorState",
    "FaultPlan",
    "FaultRule",
    "RequestLog",
    "Store",
    "create_app",
]

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


def _store(db: str, seed: SeedInput, busy_timeout: float) -> Store:
    """Open ``db``; load ``seed`` if given, the default seed if the database is new."""
    data = load_seed_file(seed) if isinstance(seed, (str, Path)) else seed
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
    max_body: int = DEFAULT_MAX_BODY,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> Starlette:
    """The emulator app. ``seed``: a seed dict or JSON file (default: ``DEFAULT_SEED`` for a
    new database; an existing ``db`` file keeps its state). ``faults``: a :class:`FaultPlan`,
    its JSON (list or object) or a JSON file. ``log_size``: requests kept in the log (0: none).
    ``max_body``: the longest request body taken, in bytes; longer ones get 413 unread.
    ``busy_timeout``: seconds a request waits for a database another process has locked
    before it is answered 105 (reads) or 106 (writes).

    ``admin``: serve the admin API under ``/_admin/``, for loopback requests carrying
    ``Authorization: Bearer <admin_token>`` (random unless given; read it back from
    ``app.state.emulator.admin_token``).

    ``app.state.emulator`` is an :class:`EmulatorState` (store, plan, log, config, admin
    token); call its ``close()`` when done with a file database.
    """
    if admin_token is not None and not admin_token:
        raise ValueError("the admin token must not be empty")
    if max_body < 0:
        raise ValueError("max_body must not be negative")
    plan = _plan(faults)
    log = RequestLog(log_size)
    config = config or EmulatorConfig()
    store = _store(db, seed, busy_timeout)
    app = create_core_app(store, config)
    token = (admin_token or new_token()) if admin else None
    state = EmulatorState(store, plan, log, config, token)
    app.add_middleware(FaultMiddleware, plan=plan, log=log)
    app.add_middleware(BodyLimit, max_body=max_body)  # added last: the outermost layer
    if token is not None:
        app.router.routes.insert(0, Mount("/_admin", app=admin_app(state, token)))
    app.state.emulator = state
    return app
