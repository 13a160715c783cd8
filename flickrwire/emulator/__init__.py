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

from collections.abc import Iterable, Mapping
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .rules import FaultPlan, FaultRule
from .seed import DEFAULT_SEED, load_seed_file
from .store import Store

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .admin import EmulatorState
    from .app import EmulatorConfig
    from .requestlog import RequestLog

__all__ = [
    "DEFAULT_SEED",
    "EmulatorConfig",
    "EmulatorState",
    "FaultPlan",
    "FaultRule",
    "RequestLog",
    "Store",
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


def _store(db: str, seed: SeedInput) -> Store:
    """Open ``db``; load ``seed`` if given, the default seed if the database is new."""
    data = load_seed_file(seed) if isinstance(seed, (str, Path)) else seed
    store = Store(db)
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
    faults: FaultsInput = None,
    log_size: int = 10_000,
) -> Starlette:
    """The emulator app. ``seed``: a seed dict or JSON file (default: ``DEFAULT_SEED`` for a
    new database; an existing ``db`` file keeps its state). ``faults``: a :class:`FaultPlan`,
    its JSON (list or object) or a JSON file. ``log_size``: requests kept in the log (0: none).

    ``app.state.emulator`` is an :class:`EmulatorState` (store, plan, log, config); call its
    ``close()`` when done with a file database.
    """
    from starlette.routing import Mount

    from .admin import EmulatorState, admin_app
    from .app import EmulatorConfig, create_core_app
    from .faults import FaultMiddleware
    from .requestlog import RequestLog

    plan = _plan(faults)
    log = RequestLog(log_size)
    config = config or EmulatorConfig()
    store = _store(db, seed)
    app = create_core_app(store, config)
    state = EmulatorState(store, plan, log, config)
    app.add_middleware(FaultMiddleware, plan=plan, log=log)
    if admin:
        app.router.routes.insert(0, Mount("/_admin", app=admin_app(state)))
    app.state.emulator = state
    return app
