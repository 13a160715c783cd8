"""A running reference emulator for tests, examples and studies: started through the
emulator's public entry points only (``create_app`` and ``server.start_in_thread``), on
127.0.0.1 and a free port, in a thread; the seeded credentials by username; reset, fault
injection and the request log through the emulator's in-process state (the objects its
admin API drives), so nothing here depends on how the admin API is reached.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..auth import Credentials

if TYPE_CHECKING:
    from ..emulator.server import RunningServer

__all__ = ["EmulatorHandle", "start_emulator"]


class EmulatorHandle:
    """A running emulator: ``base_url``, seeded credentials, reset and fault injection."""

    def __init__(self, app: Any, server: RunningServer) -> None:
        self._app = app
        self._server = server
        self._state = app.state.emulator
        self.base_url: str = server.base_url
        self.seed: dict[str, Any] = self._state.store.dump()

    def __repr__(self) -> str:
        return f"<flickr emulator {self.base_url}>"

    # -- credentials ----------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        return str(self.seed["api_keys"][0]["key"])

    def key_only(self) -> Credentials:
        """The seeded application's key and secret, no token."""
        key = self.seed["api_keys"][0]
        return Credentials(key["key"], key["secret"])

    def nsid(self, username: str) -> str:
        for user in self.seed["users"]:
            if username in (user["username"], user["nsid"]):
                return str(user["nsid"])
        raise KeyError(f"no seeded user {username!r}")

    def credentials(self, username: str, perms: str | None = None) -> Credentials:
        """A seeded user's live token (``perms``: pick read, write or delete)."""
        nsid = self.nsid(username)
        for token in self.seed["tokens"]:
            if token["user"] != nsid or token["revoked"]:
                continue
            if perms is None or token["perms"] == perms:
                key = next(k for k in self.seed["api_keys"] if k["key"] == token["api_key"])
                return Credentials(key["key"], key["secret"], token["token"], token["secret"])
        raise KeyError(f"no live token for {username!r}" + (f" with {perms}" if perms else ""))

    # -- what the admin API offers --------------------------------------------------------

    def reset(self, *, state: bool = True, log: bool = True, faults: bool = True) -> None:
        """State, request log and fault rules back to the start (as ``POST /_admin/reset``)."""
        if state:
            self._state.store.reset()
        if log:
            self._state.log.clear()
        if faults:
            self._state.plan.clear()

    def add_faults(self, rules: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[Any]:
        """Add fault rules (the JSON of ``flickrwire.emulator.faults``), as
        ``POST /_admin/faults``: ``{"match": {...}, "action": {...}}``."""
        items = [rules] if isinstance(rules, Mapping) else list(rules)
        return list(self._state.plan.extend(items))

    def clear_faults(self) -> None:
        self._state.plan.clear()

    def requests(self, **filters: Any) -> list[Any]:
        """The request log (as ``GET /_admin/requests``), oldest first."""
        return list(self._state.log.search(**filters))

    def request_count(self, **filters: Any) -> int:
        return int(self._state.log.count(**filters))

    def stop(self) -> None:
        self._server.stop()
        self._state.close()

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_emulator() -> EmulatorHandle:
    """A fresh emulator (default seed, in-memory state) on 127.0.0.1 and a free port."""
    from ..emulator import create_app
    from ..emulator.server import start_in_thread

    app = create_app()
    server = start_in_thread(app, "127.0.0.1", 0)
    return EmulatorHandle(app, server)
