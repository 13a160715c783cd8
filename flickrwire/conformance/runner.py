"""Running scenarios over transport x codec pairs against a target.

Each scenario runs on every pair it applies to, each time from a fresh state (the target
loads the scenario's seed and fault rules). A cell passes when its own expectation and
its follow-up checks hold; then the pairs that ran must agree on the normalised results
(and on retries and request counts), else the odd ones out fail. ``--bail`` stops at the
first failure; cells not run are reported as skipped with the reason, never as passed.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from .. import transports
from ..call import Call
from ..client import Client, network_fault
from ..recording.redact import redact_payload, scrub
from ..result import Result, failure
from ..retry import RetryPolicy
from .capture import CaptureTransport, clean_text
from .expect import Unavailable, differs, failures, filled
from .identities import Identity, NoCredentials
from .model import CallSpec, Check, Scenario, ScenarioError
from .results import Cell, CheckResult, Observation, Pair, RunResult, ScenarioRun
from .targets import REASONS, Target

DEFAULT_TIMEOUT = 10.0
BAILED = "not run: --bail stopped the run at the first failure"
Signer = Callable[[CallSpec], Identity]


def all_pairs(
    transport_names: Sequence[str] = ("rest", "xmlrpc", "soap"),
    codecs: Sequence[str] = ("json", "xml"),
) -> list[Pair]:
    return [Pair(t, c) for t in transport_names for c in codecs]


def planned(scenarios: Iterable[Scenario], pairs: Sequence[Pair]) -> int:
    """How many cells a run of ``scenarios`` over ``pairs`` has."""
    return sum(1 for s in scenarios for p in pairs if s.applies_to(p.transport, p.codec))


class Runner:
    """Runs scenarios against one target through one HTTP client."""

    def __init__(
        self,
        target: Target,
        *,
        record: Path | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        on_cell: Callable[[Cell], None] | None = None,
    ) -> None:
        self.target = target
        self.secrets = target.secrets()
        self.context = target.context()
        self.on_cell = on_cell
        base: httpx.BaseTransport = httpx.HTTPTransport()
        self.recorder = None if record is None else Recorder(base, record, self.secrets)
        self.capture = CaptureTransport(self.recorder or base, self.secrets)
        self.http = httpx.Client(transport=self.capture, timeout=timeout)
        self.pin = ("", 0)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the run -------------------------------------------------------------------------

    def run(
        self, scenarios: Sequence[Scenario], pairs: Sequence[Pair], *, bail: bool = False
    ) -> RunResult:
        result = RunResult(self.target.kind, self.target.base_url, list(pairs))
        result.started = time.time()
        start = time.perf_counter()
        for scenario in scenarios:
            run = ScenarioRun(scenario)
            result.scenarios.append(run)
            for pair in pairs:
                if not scenario.applies_to(pair.transport, pair.codec):
                    continue
                if result.bailed:
                    cell = Cell(scenario.id, pair, "skipped", BAILED)
                else:
                    cell = self.cell(scenario, pair, run)
                    result.bailed = bail and cell.status in ("failed", "error")
                run.cells.append(cell)
                if self.on_cell is not None:
                    self.on_cell(cell)
            agree(run)
            result.bailed = result.bailed or (bail and run.status in ("failed", "error"))
        result.duration = time.perf_counter() - start
        return result

    def skip_reason(self, scenario: Scenario, run: ScenarioRun) -> str | None:
        target = self.target
        missing = sorted(scenario.requires - target.capabilities)
        if missing:
            return REASONS[missing[0]]
        if not target.resettable and "writes" in scenario.requires:
            first = next((c for c in run.cells if c.ran), None)
            if first is not None:
                return (
                    f"state changed by the run on {first.pair}: this server cannot be reset "
                    "between pairs"
                )
        try:
            self.context.check(scenario)
        except Unavailable as exc:
            return str(exc)
        return None

    def cell(self, scenario: Scenario, pair: Pair, run: ScenarioRun) -> Cell:
        """Run ``scenario`` on ``pair`` (or say why not)."""
        reason = self.skip_reason(scenario, run)
        if reason is not None:
            return Cell(scenario.id, pair, "skipped", reason)
        start = time.perf_counter()
        self.capture.take()
        # One nonce and timestamp per cell, for calls that replay (auth kind "replay").
        self.pin = (secrets.token_hex(16), int(time.time()))
        try:
            sign = self.target.prepare(scenario)
            for call in scenario.calls:
                sign(call)
        except NoCredentials as exc:
            return Cell(scenario.id, pair, "skipped", f"{exc}: {CREDENTIALS_HINT}")
        except (ScenarioError, ValueError, httpx.HTTPError) as exc:
            return Cell(scenario.id, pair, "error", f"set-up failed: {exc}")
        try:
            cell = self._play(scenario, pair, sign)
        except Exception as exc:  # a runner or server bug must show in the matrix, not abort
            cell = Cell(scenario.id, pair, "error", f"{type(exc).__name__}: {exc}")
        cell.exchanges = self.capture.take()
        cell.duration = time.perf_counter() - start
        return cell

    def _play(self, scenario: Scenario, pair: Pair, sign: Signer) -> Cell:
        if self.recorder is not None:
            self.recorder.use(scenario.id)
        retries: list[int] = []
        main = self.send(scenario.call, pair, sign, scenario.retry_attempts, retries)
        requests = self.target.requests(scenario.call.method)
        checks = [self._check(check, pair, sign) for check in scenario.checks]
        observed = {**main.result, "retries": len(retries), "requests": requests}
        expect = filled(scenario.expect, self.context, scenario.call.user)
        found = failures(expect, observed)
        found += [f"check {c.title!r}: {f}" for c in checks for f in c.failures]
        return Cell(
            scenario.id,
            pair,
            "failed" if found else "passed",
            failures=found,
            observation=main,
            retries=len(retries),
            requests=requests,
            checks=checks,
        )

    def _check(self, check: Check, pair: Pair, sign: Signer) -> CheckResult:
        observation = self.send(check.call, pair, sign, None, [])
        expect = filled(check.expect, self.context, check.call.user)
        found = failures(expect, observation.result)
        return CheckResult(check.title, check.call.method, observation, tuple(found))

    # -- sending ---------------------------------------------------------------------------

    def send(
        self,
        spec: CallSpec,
        pair: Pair,
        sign: Signer,
        attempts: int | None,
        retries: list[int],
    ) -> Observation:
        """Make one call of a scenario; ``retries`` gets one entry per retry."""
        if spec.raw is not None:
            result = self._send_raw(spec, pair)
        else:
            who = sign(spec)
            params = {**self.context.fill_call(spec), **who.extra}
            policy = None
            if attempts is not None:
                policy = RetryPolicy(
                    attempts=attempts,
                    base=0.0,
                    cap=0.0,
                    jitter=False,
                    on_retry=lambda result, number, delay: retries.append(number),
                )
            client = Client(
                pair.transport,
                pair.codec,
                who.credentials,
                base_url=self.target.base_url,
                http_client=self.http,
                signing=who.signing,
                retry=policy,
            )
            client.signer = who.signer(spec.oauth_in, self.pin)
            result = client.send(Call(spec.method, params, spec.verb))
        return self._observe(result)

    def _send_raw(self, spec: CallSpec, pair: Pair) -> Result:
        """A body sent as is (no signing, no format): what a broken client would send."""
        assert spec.raw is not None
        transport = transports.get(pair.transport)
        url = transports.endpoint(self.target.base_url, transport)
        headers = {"content-type": spec.raw.content_type}
        call = Call(spec.method, {}, "POST")
        try:
            response = self.http.post(url, content=spec.raw.body.encode("utf-8"), headers=headers)
        except httpx.HTTPError as exc:
            return failure(
                spec.method,
                network_fault(exc),
                transport=pair.transport,
                codec=pair.codec,
                status=None,
                raw=b"",
            )
        return transport.parse_response(response, call, pair.codec)

    def _observe(self, result: Result) -> Observation:
        """The outcome with every echoed credential redacted (flickr.test.echo returns
        ``api_key``): nothing secret reaches a cell, so none reaches a report."""
        message = None
        if result.fault is not None:
            message = clean_text(result.fault.message, self.secrets)
        normalised = result.normalised()
        normalised["payload"] = self._clean(redact_payload(normalised["payload"]))
        return Observation(normalised, message, result.http_status)

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            return scrub(value, self.secrets)
        if isinstance(value, Mapping):
            return {k: self._clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._clean(v) for v in value]
        return value


CREDENTIALS_HINT = (
    "set FLICKR_API_KEY, FLICKR_API_SECRET, FLICKR_OAUTH_TOKEN and FLICKR_OAUTH_TOKEN_SECRET, "
    "or use --credentials FILE / --env NAME"
)


class Recorder(httpx.BaseTransport):
    """``--record DIR``: every exchange saved as a fixture by ``flickrwire.record``, one
    folder per scenario (``DIR/<scenario>/<method>/<transport>-<codec>/...``)."""

    def __init__(self, base: httpx.BaseTransport, directory: Path, secrets: list[str]) -> None:
        self.base = base
        self.directory = directory
        self.secrets = secrets
        self.current: httpx.BaseTransport | None = None
        self.scenario: str | None = None

    def use(self, scenario: str) -> None:
        """Record into the folder of ``scenario`` from now on."""
        if scenario == self.scenario:
            return
        from ..recording.record import Cassette, RecordingTransport

        cassette = Cassette(self.directory / scenario, "all", secrets=self.secrets)
        self.current = RecordingTransport(self.base, cassette)
        self.scenario = scenario

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.current is None:
            return self.base.handle_request(request)
        return self.current.handle_request(request)

    def close(self) -> None:
        self.base.close()


def agree(run: ScenarioRun) -> None:
    """Check that the pairs that ran agree; fail the odd ones out."""
    ran = [cell for cell in run.cells if cell.ran]
    if len(ran) < 2:
        run.agreed = None
        return
    ignore = run.scenario.ignore
    signatures = [cell.signature(ignore) for cell in ran]
    counts = Counter(signatures)
    if len(counts) == 1:
        run.agreed = True
        return
    run.agreed = False
    # The most common outcome is the reference; a tie goes to the first pair's.
    reference = max(counts, key=lambda s: (counts[s], -signatures.index(s)))
    holders = ", ".join(c.pair.name for c, s in zip(ran, signatures, strict=True) if s == reference)
    for cell, signature in zip(ran, signatures, strict=True):
        if signature != reference:
            why = differs(_loads(signature), _loads(reference)) or "outcomes differ"
            cell.failures.append(f"disagrees with {holders}: {why}")
            cell.status = "failed"


def _loads(signature: str) -> Mapping[str, Any]:
    data: Mapping[str, Any] = json.loads(signature)
    return data
