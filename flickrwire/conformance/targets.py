"""Where scenarios run: the embedded emulator, an emulator with its admin API, or any
other Flickr-compatible server.

Every target fills placeholders (``{group}``, ``{me}``, ``{nsid:...}``), signs calls and
says which requirements it meets. The two emulator targets give every scenario x pair a
fresh state (the scenario's seed loaded, its fault rules set, the request log cleared) and
count requests; another server is neither reset nor counted, so scenarios that need that
are skipped there with the reason.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urljoin

import httpx

from ..auth import Credentials
from ..call import Call
from ..client import Client
from .expect import Context
from .identities import (
    REVOKED_KINDS,
    TOKEN_PERMS,
    UNKNOWN_SECRET,
    UNKNOWN_TOKEN,
    WRONG_SECRET,
    Identity,
    NoCredentials,
    SeedView,
    identity,
    scenario_seed,
)
from .model import CallSpec, Scenario

#: Arguments containing this host are refused with 116 by the embedded emulator (its
#: ``EmulatorConfig.blocked_urls``); the ``blocked-url`` scenario sends one.
BLOCKED_HOST = "blocked.flickrwire.test"
#: Why a scenario cannot run on a target that lacks a requirement.
REASONS = {
    "emulator": "needs the flickrwire emulator (seeded users, state reset)",
    "faults": "needs fault injection (the emulator's admin API)",
    "blocked-url": f"needs the embedded emulator's blocked URL list ({BLOCKED_HOST})",
    "writes": "changes state: runs against this server only with --group-id and --allow-writes",
}
ADMIN_TIMEOUT = 10.0
#: Where ``flickrwire serve`` and ``flickrwire conformance`` read the admin token from
#: (the emulator's ``adminguard.TOKEN_ENV``; named here so the command needs no server extra).
ADMIN_TOKEN_ENV = "FLICKRWIRE_ADMIN_TOKEN"


class AdminTokenError(ValueError):
    """The server has a flickrwire admin API, and it refused the token (or its absence)."""


class Target(Protocol):
    kind: str  # "embedded" | "emulator" | "server"
    base_url: str
    capabilities: frozenset[str]
    #: Whether each scenario x pair starts from the same state.
    resettable: bool
    #: What the run does to the server's state, said once before it starts (None: nothing
    #: worth saying, as for the embedded emulator).
    state_note: str | None

    def context(self) -> Context: ...

    def prepare(self, scenario: Scenario) -> Callable[[CallSpec], Identity]: ...

    def requests(self, method: str) -> int | None: ...

    def secrets(self) -> list[str]: ...

    def close(self) -> None: ...


class EmulatorTarget(ABC):
    """What both emulator targets share: seeds, identities, placeholders."""

    capabilities: frozenset[str] = frozenset({"emulator", "faults", "writes"})
    resettable = True
    state_note: str | None = None

    def __init__(self, kind: str, base_url: str, base_seed: Mapping[str, Any]) -> None:
        self.kind = kind
        self.base_url = base_url
        self.base_seed = base_seed
        self.view = SeedView(base_seed)

    def context(self) -> Context:
        return self.view.context()

    def prepare(self, scenario: Scenario) -> Callable[[CallSpec], Identity]:
        seed = scenario_seed(self.base_seed, scenario, self.context())
        self.load(seed, list(scenario.setup.faults))
        return SeedView(seed).identity

    @abstractmethod
    def load(self, seed: dict[str, Any], rules: list[Mapping[str, Any]]) -> None:
        """Replace the server's state with ``seed`` and its fault rules with ``rules``."""

    @abstractmethod
    def requests(self, method: str) -> int | None:
        """How many requests for ``method`` the server logged since the last load."""

    def secrets(self) -> list[str]:
        return [*self.view.secrets(), UNKNOWN_SECRET, UNKNOWN_TOKEN, WRONG_SECRET]

    @abstractmethod
    def close(self) -> None:
        """Put the server back as it was found and let it go."""


class EmbeddedTarget(EmulatorTarget):
    """The emulator served on a free loopback port by this process, set up directly
    through ``app.state.emulator``."""

    capabilities = frozenset({"emulator", "faults", "blocked-url", "writes"})

    def __init__(self) -> None:
        from ..emulator import DEFAULT_SEED, EmulatorConfig, create_app
        from ..emulator.server import start_in_thread

        self.app = create_app(config=EmulatorConfig(blocked_urls=(BLOCKED_HOST,)))
        self.state = self.app.state.emulator
        try:
            self.server = start_in_thread(self.app)
        except BaseException:
            self.state.close()
            raise
        super().__init__("embedded", self.server.base_url, DEFAULT_SEED)

    def load(self, seed: dict[str, Any], rules: list[Mapping[str, Any]]) -> None:
        self.state.plan.replace(rules, seed=0)
        self.state.store.load_seed(seed)
        self.state.log.clear()

    def requests(self, method: str) -> int | None:
        count: int = self.state.log.count(method=method)
        return count

    def close(self) -> None:
        self.server.stop()
        self.state.close()


class AdminTarget(EmulatorTarget):
    """A flickrwire emulator elsewhere, served with its admin API (``create_app(admin=True)``),
    set up through that API; its state and fault rules are put back when the run ends.

    Every scenario starts from the emulator's start seed (what ``POST /_admin/reset`` goes
    back to), not from whatever earlier use left: one leave before the run would otherwise
    fail every scenario that counts on that membership."""

    def __init__(self, base_url: str, http: httpx.Client, admin_url: str, token: str) -> None:
        self.http = http
        self.admin_url = admin_url
        self._headers = admin_headers(token)
        # With its secrets: the state is put back as it was when the run ends.
        self.saved_state: dict[str, Any] = self._admin("GET", "state", secrets="1")
        self.saved_faults: dict[str, Any] = self._admin("GET", "faults")
        try:
            start = self._start_state()
        except BaseException:
            self._admin("PUT", "state", self.saved_state)
            raise
        super().__init__("emulator", base_url, start)
        self.state_note = (
            f"{base_url}: the emulator's state is reset to its start seed for each "
            "scenario, and put back as it was after the run"
        )

    def _start_state(self) -> dict[str, Any]:
        """The state the emulator started from; the current one when it knows none (a
        reused database file whose seed was loaded by an earlier process)."""
        self._admin("POST", "reset", {"state": True, "log": False, "faults": False})
        start: dict[str, Any] = self._admin("GET", "state", secrets="1")
        return start if start.get("users") else self.saved_state

    def _admin(self, verb: str, path: str, body: Any = None, **params: str) -> Any:
        content = None if body is None else json.dumps(body).encode()
        response = self.http.request(
            verb,
            self.admin_url + path,
            content=content,
            params=params or None,
            headers=self._headers,
            timeout=ADMIN_TIMEOUT,
        )
        response.raise_for_status()
        return response.json()

    def load(self, seed: dict[str, Any], rules: list[Mapping[str, Any]]) -> None:
        self._admin("PUT", "state", seed)
        self._admin("PUT", "faults", {"seed": 0, "rules": rules})
        self._admin("DELETE", "requests")

    def requests(self, method: str) -> int | None:
        count: int = self._admin("GET", "requests/count", method=method)["count"]
        return count

    def close(self) -> None:
        rules = [
            {k: v for k, v in rule.items() if k not in ("seen", "fired")}
            for rule in self.saved_faults.get("rules", [])
        ]
        self._admin("PUT", "state", self.saved_state)
        self._admin("PUT", "faults", {"seed": self.saved_faults.get("seed"), "rules": rules})


def admin_url(base_url: str) -> str:
    """Where an emulator serving ``base_url`` (``.../services/``) has its admin API."""
    return urljoin(base_url.rstrip("/") + "/", "../_admin/")


def admin_headers(token: str | None) -> dict[str, str]:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return headers


def probe_admin(base_url: str, http: httpx.Client, token: str | None = None) -> str | None:
    """The admin API's URL if ``base_url`` is a flickrwire emulator with one, else None;
    raises :class:`AdminTokenError` when its admin API refuses ``token``."""
    url = admin_url(base_url)
    try:
        response = http.get(url + "health", headers=admin_headers(token), timeout=ADMIN_TIMEOUT)
    except httpx.HTTPError:
        return None
    if response.status_code == 401 and "flickrwire" in response.headers.get("www-authenticate", ""):
        given = "the token given was refused" if token else "no token was given"
        raise AdminTokenError(
            f"the emulator's admin API at {url} needs its token ({given}): pass "
            f"--admin-token or set {ADMIN_TOKEN_ENV} (`flickrwire serve --admin` prints it)"
        )
    try:
        healthy = response.status_code == 200 and response.json().get("status") == "ok"
    except (ValueError, AttributeError):
        return None
    return url if healthy else None


class ServerTarget:
    """Any other Flickr-compatible server, Flickr included: the user's own credentials,
    no reset, no request log. Writes only with ``--group-id`` and ``--allow-writes``."""

    kind = "server"
    resettable = False

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        http: httpx.Client,
        *,
        group_id: str | None = None,
        allow_writes: bool = False,
    ) -> None:
        self.base_url = base_url
        self.credentials = credentials
        self.http = http
        self.group_id = group_id
        writes = allow_writes and group_id is not None
        self.capabilities = frozenset({"writes"} if writes else ())
        self.state_note: str | None = (
            f"{base_url}: no admin API, so its state cannot be reset: scenarios run on its "
            "current state, and those needing a known state are skipped"
        )
        self._me: str | None = None
        self._asked = False

    def _token(self) -> tuple[str, str] | None:
        creds = self.credentials
        if creds is None or not creds.oauth_token or not creds.oauth_token_secret:
            return None
        return creds.oauth_token, creds.oauth_token_secret

    def me(self, user: str) -> str | None:
        """The NSID of the token's user, asked once with ``flickr.test.login``."""
        if not self._asked:
            self._asked = True
            try:
                found = identity("delete", self.credentials, self._token())
            except NoCredentials:
                return None
            client = Client(
                "rest",
                "json",
                found.credentials,
                base_url=self.base_url,
                http_client=self.http,
                signing=found.signing,
            )
            result = client.send(Call("flickr.test.login", {}, "POST"))
            user_id = result.payload.get("user", {}).get("id") if result.ok else None
            self._me = user_id if isinstance(user_id, str) else None
        return self._me

    def context(self) -> Context:
        return Context(group=self.group_id, me=self.me)

    def prepare(self, scenario: Scenario) -> Callable[[CallSpec], Identity]:
        app, token = self.credentials, self._token()

        def sign(call: CallSpec) -> Identity:
            # A revoked token exists only in an emulator seed: none is taken for one here.
            usable = call.auth in TOKEN_PERMS and call.auth not in REVOKED_KINDS
            return identity(call.auth, app, token if usable else None)

        return sign

    def requests(self, method: str) -> int | None:
        return None

    def secrets(self) -> list[str]:
        creds = self.credentials
        given = [] if creds is None else [creds.api_key, creds.api_secret]
        if creds is not None and creds.oauth_token:
            given += [creds.oauth_token, creds.oauth_token_secret or ""]
        return [*given, UNKNOWN_SECRET, UNKNOWN_TOKEN, WRONG_SECRET]

    def close(self) -> None:
        return None
