"""An opt-in retry policy: exponential backoff with full jitter, a cap, ``Retry-After``.

Only faults marked retryable are retried. A write that may have reached the server is
retried only when the answer says it did not happen: Flickr's 105 (service unavailable)
and 106 (write operation failed), HTTP 429, or a connection that was never made.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

from .call import Call
from .result import Result

#: Flickr codes that say a write was not carried out.
NOT_DONE_CODES = frozenset({105, 106})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times and how patiently to try a call again.

    ``attempts`` counts every try, the first included. The delay before retry ``n``
    (1-based) is uniform in ``[0, min(cap, base * 2 ** (n - 1))]`` (full jitter), or the
    server's ``Retry-After`` when it asks for longer (still capped). ``on_retry`` is told
    of each retry (result, retry number, delay) for logging and tests; it is an option of
    the policy, not of the client: ``Client(retry=RetryPolicy(on_retry=log))``.
    """

    attempts: int = 3
    base: float = 0.5
    cap: float = 30.0
    jitter: bool = True
    respect_retry_after: bool = True
    on_retry: Callable[[Result, int, float], None] | None = field(default=None, compare=False)
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if self.base < 0 or self.cap < 0:
            raise ValueError("base and cap must not be negative")

    def delay(
        self, call: Call, result: Result, tries: int, retry_after: str | None
    ) -> float | None:
        """Seconds to wait before trying again after ``tries`` tries, or None to stop."""
        if tries >= self.attempts or not may_retry(call, result):
            return None
        ceiling = min(self.cap, self.base * 2 ** (tries - 1))
        wait = self.rng.uniform(0, ceiling) if self.jitter else ceiling
        asked = parse_retry_after(retry_after) if self.respect_retry_after else None
        if asked is not None:
            wait = max(wait, min(asked, self.cap))
        if self.on_retry is not None:
            self.on_retry(result, tries, wait)
        return wait


def is_write(call: Call) -> bool:
    """Whether a call may change state: catalogue write/delete methods, and any unknown one."""
    spec = call.spec
    if spec is None:
        return True
    return spec.perms in ("write", "delete")


def _never_connected(result: Result) -> bool:
    cause = result.fault.cause if result.fault is not None else None
    return isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout))


def may_retry(call: Call, result: Result) -> bool:
    fault = result.fault
    if fault is None or not fault.retryable:
        return False
    if not is_write(call):
        return True
    return fault.code in NOT_DONE_CODES or result.http_status == 429 or _never_connected(result)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
